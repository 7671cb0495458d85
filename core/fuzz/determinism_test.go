package fuzz

import (
	"bytes"
	"flag"
	"runtime"
	"testing"

	"github.com/kafka-playground/playground/core"
	"github.com/kafka-playground/playground/core/internal/runs"
	"github.com/kafka-playground/playground/core/scenario"
)

var (
	determinismSeeds = flag.Int("determinism-seeds", 100, "TestGeneratedScenariosAreDeterministic: how many generated scenarios to run repeatedly (1..n)")
	determinismRuns  = flag.Int("determinism-runs", 3, "TestGeneratedScenariosAreDeterministic: how many times to run each")
)

// TestGeneratedScenariosAreDeterministic runs generated scenarios several
// times each in one process: every run of a seed must send the same
// messages in the same order and give the very same output document
// (trace hash, step results, state). Go starts every range over a map at
// a random place, so a map's order that reaches a message, a trace line
// or the state shows here as two runs that differ (DESIGN.md, rule 4).
// core's TestSameSeedSameRun does the same for TestRandomFaults'
// schedules; these scenarios add what those lack: ZooKeeper clusters,
// consumer groups, static members, transactions and client crashes.
//
//	go test ./core/fuzz -run TestGeneratedScenariosAreDeterministic -determinism-seeds 1000 -determinism-runs 4
func TestGeneratedScenariosAreDeterministic(t *testing.T) {
	seeds, repeats := *determinismSeeds, max(*determinismRuns, 2)
	if runtime.GOARCH == "wasm" {
		seeds = max(seeds/4, 2)
	}
	results := make([][]deterministicRun, seeds)
	for i := range results {
		results[i] = make([]deterministicRun, repeats)
	}
	runs.InParallel(seeds*repeats, func(job int) {
		seed := uint64(job/repeats + 1)
		results[job/repeats][job%repeats] = runForDeterminism(t, seed, Generate(seed))
	})
	for i, runsOfSeed := range results {
		for run, r := range runsOfSeed[1:] {
			if first := runsOfSeed[0]; r.wireHash != first.wireHash || !bytes.Equal(r.output, first.output) {
				t.Errorf("seed %d is not deterministic: run %d differs from run 1 (%s); replay: playground fuzz --from %d --seeds 1",
					i+1, run+2, first.difference(r), i+1)
				break
			}
		}
	}
}

// deterministicRun is what one run of a scenario gave.
type deterministicRun struct {
	traceHash string
	// wireHash is the SHA-256 of every message sent, in order: when, from
	// which node, to which, of what type. Two messages sent in one event
	// in the other order reach the trace only if something downstream
	// records the difference; here they always show.
	wireHash string
	output   []byte
}

// runForDeterminism runs a scenario without the invariant checker, which
// only reads the cluster and costs most of a run: TestGeneratedScenariosHold
// runs it.
func runForDeterminism(t *testing.T, seed uint64, s *scenario.Scenario) deterministicRun {
	var wire *runs.Wire
	out, err := scenario.Run("generated.json", s, scenario.Options{Prepare: func(c *core.Cluster) { wire = runs.WatchWire(c) }})
	if err != nil {
		t.Errorf("seed %d: %v", seed, err)
		return deterministicRun{}
	}
	return deterministicRun{traceHash: out.TraceHash, wireHash: wire.Sum(), output: outputJSON(t, out)}
}

func (r deterministicRun) difference(other deterministicRun) string {
	switch {
	case r.traceHash != other.traceHash:
		return "trace hash " + r.traceHash[:12] + ", then " + other.traceHash[:12]
	case r.wireHash != other.wireHash:
		return "same trace, messages sent in another order"
	}
	return "same trace and messages, other output document"
}
