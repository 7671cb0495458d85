package fuzz

import (
	"bytes"
	"encoding/json"
	"flag"
	"runtime"
	"testing"

	"github.com/kafka-playground/playground/core/scenario"
)

var snapshotSeeds = flag.Int("snapshot-seeds", 12, "how many generated scenarios TestSnapshotsOfGeneratedScenarios cuts")

// TestSnapshotsOfGeneratedScenarios cuts generated scenarios — crashes,
// partitions, slow nodes, transactions and groups in flight — at three
// of their steps, restores a state snapshot taken there and runs the rest
// on it: the output document must be the uninterrupted run's.
func TestSnapshotsOfGeneratedScenarios(t *testing.T) {
	n := *snapshotSeeds
	if runtime.GOARCH == "wasm" {
		n = max(n/4, 2)
	}
	for seed := uint64(1); seed <= uint64(n); seed++ {
		s := Generate(seed)
		want := output(t, seed, s, len(s.Steps))
		steps := len(s.Steps)
		for _, cut := range []int{int(seed) % steps, steps / 2, steps - 1 - int(seed*7)%steps} {
			head := *s
			head.Steps = s.Steps[:cut]
			x, err := scenario.NewSession("generated.json", &head, scenario.Options{})
			if err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			data, err := x.Snapshot()
			if err != nil {
				t.Fatalf("seed %d, snapshot after %d steps: %v", seed, cut, err)
			}
			restored, err := scenario.RestoreSession(data, scenario.Options{})
			if err != nil {
				t.Fatalf("seed %d, restore after %d steps: %v", seed, cut, err)
			}
			for i := cut; i < steps; i++ {
				if _, err := restored.Apply(s.Steps[i]); err != nil {
					t.Fatalf("seed %d, restored after %d steps: step %d: %v", seed, cut, i, err)
				}
			}
			if got := outputJSON(t, restored.Output()); !bytes.Equal(got, want) {
				t.Errorf("seed %d: restored after %d of %d steps, the run ends otherwise (replay: playground fuzz --from %d --seeds 1)", seed, cut, steps, seed)
			}
		}
	}
}

func output(t *testing.T, seed uint64, s *scenario.Scenario, n int) []byte {
	t.Helper()
	x, err := scenario.NewSession("generated.json", s, scenario.Options{})
	if err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	return outputJSON(t, x.Output())
}

func outputJSON(t *testing.T, out *scenario.Output) []byte {
	t.Helper()
	data, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
