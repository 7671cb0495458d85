package links_test

import (
	"testing"

	"github.com/kafka-playground/playground/backend/links"
	"github.com/kafka-playground/playground/backend/links/linkstest"
)

// TestMemoryStore runs the store behaviours on the in-memory twin (the
// SQLite store runs them in backend/store, which has the driver).
func TestMemoryStore(t *testing.T) {
	linkstest.Run(t, func(*testing.T) links.Store { return links.NewMemoryStore() })
}

// TestIDs: ids are 16 base32 characters made from the content, and
// ValidID refuses anything else before a lookup.
func TestIDs(t *testing.T) {
	a, b := links.ID([]byte("a")), links.ID([]byte("b"))
	if a == b || len(a) != links.IDLength || !links.ValidID(a) || links.ID([]byte("a")) != a {
		t.Fatalf("ids %q and %q", a, b)
	}
	for _, bad := range []string{"", "short", "AAAAAAAAAAAAAAAA", "aaaaaaaaaaaaaaa1", "aaaaaaaaaaaaaaaaa", "../../etc/passwd"} {
		if links.ValidID(bad) {
			t.Errorf("ValidID(%q) is true", bad)
		}
	}
}

// TestCanonicalRefusesInvalidScenarios: a link is only made of a
// scenario that decodes.
func TestCanonicalRefusesInvalidScenarios(t *testing.T) {
	for _, bad := range []string{``, `{}`, `{"version":1,"steps":[{"op":"teleport"}]}`, `not json`} {
		if _, err := links.Canonical([]byte(bad)); err == nil {
			t.Errorf("Canonical(%q) succeeded", bad)
		}
	}
}
