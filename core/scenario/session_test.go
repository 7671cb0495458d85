package scenario

import (
	"encoding/json"
	"testing"
)

// TestSessionJournalReplays builds a scenario by acting, as the browser
// does, and checks that the journal replays to the same trace hash and
// state, with time played in many small advances.
func TestSessionJournalReplays(t *testing.T) {
	header := &Scenario{Version: 1, Seed: 9, Cluster: Cluster{Brokers: 3, Metadata: MetadataKRaft, Controllers: 3, LatencyMs: 1}}
	x, err := NewSession("session", header, Options{})
	if err != nil {
		t.Fatal(err)
	}
	value := "v{i}"
	steps := []Step{
		{Op: OpCreateTopic, Topic: "orders", Partitions: 2, ReplicationFactor: 3},
		{Op: OpAddProducer, ID: "p1"},
		{Op: OpProduce, Producer: "p1", Topic: "orders", Value: &value, Count: 10},
		{Op: OpKillBroker, Broker: 2},
	}
	for _, st := range steps {
		if _, err := x.Apply(st); err != nil {
			t.Fatalf("%s: %v", st.Op, err)
		}
	}
	for i := 0; i < 300; i++ {
		if _, err := x.Advance(100); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := x.Apply(Step{Op: OpStartBroker, Broker: 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := x.Advance(5000); err != nil {
		t.Fatal(err)
	}
	journal := x.Scenario()
	if n := len(journal.Steps); n != 7 {
		t.Fatalf("the journal has %d steps, want 7 (consecutive advances are one step)", n)
	}
	if journal.Steps[4].Ms != 30000 {
		t.Fatalf("the played time is journaled as %d ms, want 30000", journal.Steps[4].Ms)
	}
	replay, err := Run("replay", journal, Options{})
	if err != nil {
		t.Fatal(err)
	}
	live := x.Output()
	a, _ := json.Marshal(live.State)
	b, _ := json.Marshal(replay.State)
	if live.TraceHash != replay.TraceHash || string(a) != string(b) {
		t.Fatalf("the journal replays differently: %s vs %s", live.TraceHash, replay.TraceHash)
	}
	if live.State.Topics["orders"].Partitions["0"].Isr == nil {
		t.Fatal("no ISR in the state")
	}
}

// TestSessionRefusesInvalidSteps: a step that would make the scenario
// invalid is refused with a message and changes nothing.
func TestSessionRefusesInvalidSteps(t *testing.T) {
	header := &Scenario{Version: 1, Seed: 1, Cluster: Cluster{Brokers: 3, Metadata: MetadataKRaft, Controllers: 3, LatencyMs: 1}}
	x, err := NewSession("session", header, Options{})
	if err != nil {
		t.Fatal(err)
	}
	value := "v"
	for _, st := range []Step{
		{Op: OpProduce, Producer: "nobody", Topic: "orders", Value: &value},
		{Op: OpKillBroker, Broker: 9},
		{Op: OpCreateTopic, Topic: "bad name!", Partitions: 1, ReplicationFactor: 1},
		{Op: OpAddProducer, ID: "p", Config: map[string]string{"acks": "most"}},
		{Op: "teleport"},
	} {
		if _, err := x.Apply(st); err == nil {
			t.Errorf("%s %+v was accepted", st.Op, st)
		}
	}
	if n := len(x.Scenario().Steps); n != 0 {
		t.Fatalf("refused steps reached the journal: %d steps", n)
	}
	before := x.Output().TraceHash
	if _, err := x.Apply(Step{Op: OpAdvance, Ms: 10}); err != nil {
		t.Fatal(err)
	}
	if x.Output().TraceHash == before {
		t.Fatal("advancing time after refusals did not run")
	}
}

// BenchmarkSessionApply measures one step applied to a long journal: it
// must not grow with the journal.
func BenchmarkSessionApply(b *testing.B) {
	header := &Scenario{Version: 1, Seed: 1, Cluster: Cluster{Brokers: 3, Metadata: MetadataKRaft, Controllers: 3, LatencyMs: 1}}
	x, err := NewSession("bench", header, Options{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := x.Apply(Step{Op: OpCreateTopic, Topic: "t", Partitions: 1, ReplicationFactor: 3}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := x.Apply(Step{Op: OpAdvance, Ms: 1, Note: "a step that does not merge"}); err != nil {
			b.Fatal(err)
		}
		if len(x.Results()) >= MaxSteps-1 {
			b.StopTimer()
			x, _ = NewSession("bench", header, Options{})
			b.StartTimer()
		}
	}
}
