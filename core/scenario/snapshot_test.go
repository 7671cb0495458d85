package scenario

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRestoreAnywhereGoesOnTheSame takes a snapshot of every behaviour
// scenario and lesson after several of its steps, restores it, runs the
// remaining steps on the restored session and checks that the output
// document — trace hash, step results and state — is the one of the run
// that was never interrupted, and that the restored state snapshots to
// the same bytes.
func TestRestoreAnywhereGoesOnTheSame(t *testing.T) {
	files, _ := filepath.Glob("testdata/behaviour/*.json")
	lessons, _ := filepath.Glob("../lessons/*.json")
	files = append(files, lessons...)
	if len(files) < 30 {
		t.Fatalf("found %d scenarios", len(files))
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			s := decodeFile(t, file)
			want := outputJSON(t, run(t, file, s, len(s.Steps)).Output())
			for _, cut := range cuts(len(s.Steps)) {
				restoreAndFinish(t, file, s, cut, want)
			}
		})
	}
}

// cuts picks where to cut a scenario of n steps: after each of the first
// steps, then spread over the rest.
func cuts(n int) []int {
	var out []int
	for k := 0; k <= n; k++ {
		if k <= 3 || k == n || k%max(n/6, 1) == 0 {
			out = append(out, k)
		}
	}
	return out
}

func restoreAndFinish(t *testing.T, file string, s *Scenario, cut int, want []byte) {
	t.Helper()
	before := run(t, file, s, cut)
	data, err := before.Snapshot()
	if err != nil {
		t.Fatalf("snapshot after %d steps: %v", cut, err)
	}
	again, err := before.Snapshot()
	if err != nil || !bytes.Equal(data, again) {
		t.Fatalf("two snapshots of one state differ (%v)", err)
	}
	restored, err := RestoreSession(data, Options{})
	if err != nil {
		t.Fatalf("restore after %d steps: %v", cut, err)
	}
	if same, err := restored.Snapshot(); err != nil || !bytes.Equal(same, data) {
		t.Fatalf("the restored state after %d steps snapshots to other bytes (%v)", cut, err)
	}
	for i := cut; i < len(s.Steps); i++ {
		if _, err := restored.Apply(s.Steps[i]); err != nil {
			t.Fatalf("restored after %d steps: step %d: %v", cut, i, err)
		}
	}
	if got := outputJSON(t, restored.Output()); !bytes.Equal(got, want) {
		t.Errorf("restored after %d steps, the run ends otherwise:\n got %.300s\nwant %.300s", cut, got, want)
	}
}

func decodeFile(t *testing.T, file string) *Scenario {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Decode(file, data)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// run returns a session of the first n steps of s.
func run(t *testing.T, file string, s *Scenario, n int) *Session {
	t.Helper()
	head := *s
	head.Steps = s.Steps[:n]
	x, err := NewSession(file, &head, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func outputJSON(t *testing.T, out *Output) []byte {
	t.Helper()
	data, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
