package fuzz

import (
	"bytes"
	"flag"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/kafka-playground/playground/core/client"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/scenario"
)

var seeds = flag.Int("fuzz-seeds", 20, "how many generated scenarios TestGeneratedScenariosHold checks")

func TestGenerateIsDeterministicAndValid(t *testing.T) {
	for seed := uint64(1); seed <= 50; seed++ {
		a, err := Canonical(Generate(seed))
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		b, _ := Canonical(Generate(seed))
		if !bytes.Equal(a, b) {
			t.Fatalf("seed %d generates two different scenarios", seed)
		}
		if _, err := scenario.Decode("generated.json", a); err != nil {
			t.Fatalf("seed %d generates an invalid scenario: %v", seed, err)
		}
	}
}

func TestGeneratedScenariosHold(t *testing.T) {
	n := *seeds
	if runtime.GOARCH == "wasm" {
		n = max(n/4, 2)
	}
	for seed := uint64(1); seed <= uint64(n); seed++ {
		r := Check(Generate(seed))
		if r.Failed() {
			t.Errorf("seed %d (playground fuzz --from %d --seeds 1): %v", seed, seed, r.Problems)
		}
	}
}

// TestShrinkFindsTheMinimalSteps plants a "bug" that needs two steps of a
// long scenario (a kill of broker 2, then a produce): Shrink must keep
// exactly those and what they depend on.
func TestShrinkFindsTheMinimalSteps(t *testing.T) {
	var s *scenario.Scenario
	for seed := uint64(1); s == nil; seed++ {
		candidate := Generate(seed)
		if hasKillThenProduce(candidate) {
			s = candidate
		}
	}
	runs := 0
	small := Shrink(s, func(c *scenario.Scenario) bool { runs++; return hasKillThenProduce(c) }, 1000)
	if !hasKillThenProduce(small) {
		t.Fatal("the shrunk scenario lost the failure")
	}
	// What remains: add_producer of the producing client, the kill, the produce.
	if len(small.Steps) != 3 {
		data, _ := Canonical(small)
		t.Fatalf("shrunk from %d to %d steps in %d runs, want 3:\n%s", len(s.Steps), len(small.Steps), runs, data)
	}
}

func hasKillThenProduce(s *scenario.Scenario) bool {
	killed := false
	for _, st := range s.Steps {
		switch {
		case st.Op == scenario.OpKillBroker && st.Broker == 2:
			killed = true
		case st.Op == scenario.OpProduce && killed:
			return true
		}
	}
	return false
}

// TestHistoryCheckerCatchesEachAnomaly feeds the history checker a history
// with one planted anomaly of each kind.
func TestHistoryCheckerCatchesEachAnomaly(t *testing.T) {
	tp := protocol.TopicPartition{Topic: Topic, Partition: 0}
	acked := func(offset int64) *client.SendResult {
		return &client.SendResult{Topic: Topic, Partition: 0, Offset: offset, Done: true}
	}
	h := &History{
		Sends: []Send{
			{Step: 1, Producer: safeProducer, Value: "safe-1-0", Result: acked(0)},
			{Step: 1, Producer: safeProducer, Value: "safe-1-1", Result: acked(1)}, // never read: lost
			{Step: 2, Producer: txnProducer, Value: "tx-2-0", Result: acked(2)},    // aborted, yet read
			{Step: 3, Producer: safeProducer, Value: "safe-3-0", Result: acked(3)},
		},
		Polls: []Poll{
			{Step: 10, Consumer: auditConsumer, Partition: tp, Offset: 0, Value: "safe-1-0"},
			{Step: 10, Consumer: auditConsumer, Partition: tp, Offset: 2, Value: "tx-2-0"},
			{Step: 10, Consumer: auditConsumer, Partition: tp, Offset: 3, Value: "safe-3-0"},
			{Step: 11, Consumer: auditConsumer, Partition: tp, Offset: 3, Value: "safe-3-0"}, // backwards
			{Step: 11, Consumer: auditConsumer, Partition: tp, Offset: 4, Value: "safe-1-0"}, // duplicate
			{Step: 12, Consumer: "c1", Partition: tp, Offset: 4, Value: "other"},             // inconsistent
		},
		Aborted:       map[int]bool{2: true},
		Committed:     map[int]bool{},
		AuditEnd:      map[protocol.TopicPartition]int64{tp: 5},
		HighWatermark: map[protocol.TopicPartition]int64{tp: 9},
	}
	found := map[string]bool{}
	for _, p := range h.Check(true) {
		kind, _, _ := strings.Cut(p, ":")
		found[kind] = true
	}
	for _, kind := range []string{KindLostWrite, KindAbortedRead, KindNonMonotonic, KindDuplicate, KindInconsistent} {
		if !found[kind] {
			t.Errorf("the planted %s went unnoticed: %v", kind, h.Check(true))
		}
	}
	if found[KindIncomplete] {
		t.Errorf("an audit that stopped where only unacknowledged records follow is complete: %v", h.Check(true))
	}
}

// TestHistoryCheckNamesTheSamePartitions: with more incomplete
// partitions than a report lists (maxProblemsOfKind), the ones it names
// must not depend on Go's map iteration order.
func TestHistoryCheckNamesTheSamePartitions(t *testing.T) {
	h := &History{Aborted: map[int]bool{}, Committed: map[int]bool{}, AuditEnd: map[protocol.TopicPartition]int64{},
		HighWatermark: map[protocol.TopicPartition]int64{}}
	for p := int32(0); p < 4*maxProblemsOfKind; p++ {
		tp := protocol.TopicPartition{Topic: Topic, Partition: p}
		h.HighWatermark[tp] = 10
		h.AuditEnd[tp] = 5
		h.Sends = append(h.Sends, Send{Step: 1, Producer: safeProducer, Value: fmt.Sprintf("safe-1-%d", p),
			Result: &client.SendResult{Topic: Topic, Partition: p, Offset: 7, Done: true}})
	}
	want := h.Check(true)
	if len(want) == 0 {
		t.Fatal("no incomplete audit reported")
	}
	for i := 0; i < 20; i++ {
		if got := h.Check(true); !slices.Equal(got, want) {
			t.Fatalf("two checks of one history differ:\n%v\n%v", want, got)
		}
	}
}
