package core_test

import (
	"sort"
	"testing"

	"github.com/kafka-playground/playground/core/sim"
)

func TestDbgCounts(t *testing.T) {
	sim.DebugCounts = map[string]int{}
	t.Run("x", func(t *testing.T) { TestRandomFaults(t) })
	type kv struct {
		k string
		v int
	}
	var out []kv
	for k, v := range sim.DebugCounts {
		out = append(out, kv{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].v > out[j].v })
	for i := 0; i < 12 && i < len(out); i++ {
		t.Logf("%d %s", out[i].v, out[i].k)
	}
}
