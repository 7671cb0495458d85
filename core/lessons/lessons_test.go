package lessons

import (
	"strings"
	"testing"
	"unicode"

	"github.com/kafka-playground/playground/core"
	"github.com/kafka-playground/playground/core/scenario"
)

// TestLessonsRun runs every lesson: each must decode, hold all its expect
// steps and keep the invariant checker silent.
func TestLessonsRun(t *testing.T) {
	all := All()
	if len(all) == 0 {
		t.Fatal("no lessons embedded")
	}
	for _, lesson := range all {
		t.Run(strings.TrimSuffix(lesson.File, ".json"), func(t *testing.T) {
			s, err := scenario.Decode(lesson.File, lesson.Data)
			if err != nil {
				t.Fatal(err)
			}
			var checker *core.Checker
			out, err := scenario.Run(lesson.File, s, scenario.Options{
				Prepare: func(c *core.Cluster) { checker = core.NewChecker(c) },
			})
			if err != nil {
				t.Fatal(err)
			}
			if out.ExpectFailures != 0 {
				t.Errorf("%d expect steps failed", out.ExpectFailures)
			}
			for _, st := range out.Steps {
				if st.Op == scenario.OpExpect && !st.OK {
					t.Errorf("step %d: %s", st.Index, st.Error)
				}
			}
			checker.Final()
			for _, v := range checker.Violations() {
				t.Errorf("invariant violated: %s", v)
			}
		})
	}
}

// TestLessonsAreLessons checks what makes a scenario a lesson: a title, a
// description of at least two sentences, at least three expect steps, and
// a file name with a two-digit order prefix.
func TestLessonsAreLessons(t *testing.T) {
	for _, lesson := range All() {
		s, err := scenario.Decode(lesson.File, lesson.Data)
		if err != nil {
			t.Errorf("%s: %v", lesson.File, err)
			continue
		}
		if lesson.Title == "" || lesson.Title != s.Name {
			t.Errorf("%s: title %q, want the scenario's non-empty name", lesson.File, lesson.Title)
		}
		if lesson.Description != s.Description {
			t.Errorf("%s: description differs from the scenario's", lesson.File)
		}
		if n := sentences(lesson.Description); n < 2 {
			t.Errorf("%s: description has %d sentences, want at least 2", lesson.File, n)
		}
		expects := 0
		for _, st := range s.Steps {
			if st.Op == scenario.OpExpect {
				expects++
			}
		}
		if expects < 3 {
			t.Errorf("%s: %d expect steps, want at least 3", lesson.File, expects)
		}
		if len(lesson.File) < 4 || !unicode.IsDigit(rune(lesson.File[0])) || !unicode.IsDigit(rune(lesson.File[1])) || lesson.File[2] == '.' {
			t.Errorf("%s: file name must start with a two-digit order prefix", lesson.File)
		}
	}
}

// sentences counts the sentences of text: runs ending in '.', '!' or '?'
// followed by white space or the end.
func sentences(text string) int {
	count := 0
	runes := []rune(strings.TrimSpace(text))
	for i, r := range runes {
		if r != '.' && r != '!' && r != '?' {
			continue
		}
		if i == len(runes)-1 || unicode.IsSpace(runes[i+1]) {
			count++
		}
	}
	return count
}

// TestLibraryCoversConcepts checks that each concept of the lesson plan has
// a lesson, by file name.
func TestLibraryCoversConcepts(t *testing.T) {
	concepts := map[string][]string{
		"topics, partitions and offsets":     {"01-", "offsets"},
		"keys go to the same partition":      {"02-", "key"},
		"null keys spread (sticky)":          {"03-", "sticky"},
		"acks under a leader crash":          {"04-", "acks"},
		"ISR shrink and min.insync.replicas": {"05-", "min-insync"},
		"leader election and epochs":         {"06-", "leader-epoch"},
		"unclean leader election":            {"07-", "unclean"},
		"KRaft controller":                   {"08", "kraft"},
		"ZooKeeper controller":               {"08", "zookeeper"},
		"broker discovery":                   {"09-", "discovery"},
		"retention":                          {"10-", "retention"},
		"batching and linger.ms":             {"11-", "batching"},
		"idempotent producer and duplicates": {"12-", "idempotent"},
		"transactions and fencing":           {"13-", "transactions"},
		"controlled shutdown vs kill":        {"14-", "controlled-shutdown"},
	}
	for concept, parts := range concepts {
		found := false
		for _, lesson := range All() {
			if strings.HasPrefix(lesson.File, parts[0]) && strings.Contains(lesson.File, parts[1]) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("no lesson for %q (a file starting %q and containing %q)", concept, parts[0], parts[1])
		}
	}
}

// TestAllSortedAndGet checks the order of All and that Get finds each
// lesson and nothing else.
func TestAllSortedAndGet(t *testing.T) {
	all := All()
	for i := 1; i < len(all); i++ {
		if all[i-1].File >= all[i].File {
			t.Errorf("All is not sorted: %s before %s", all[i-1].File, all[i].File)
		}
	}
	for _, lesson := range all {
		got, ok := Get(lesson.File)
		if !ok || got.File != lesson.File || string(got.Data) != string(lesson.Data) {
			t.Errorf("Get(%q) = %q, %v", lesson.File, got.File, ok)
		}
	}
	if _, ok := Get("no-such-lesson.json"); ok {
		t.Error("Get found a lesson that does not exist")
	}
	all[0].Title = "changed"
	if All()[0].Title == "changed" {
		t.Error("All returns the library itself, not a copy")
	}
}
