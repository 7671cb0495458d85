package ui

import (
	"errors"
	"strings"
	"testing"

	"github.com/kafka-playground/playground/core/lessons"
	"github.com/kafka-playground/playground/core/scenario"
)

// lessonModel returns a model running a lesson.
func lessonModel(t *testing.T, file string) *Model {
	t.Helper()
	lesson, found := lessons.Get(file)
	if !found {
		t.Fatalf("no lesson %s", file)
	}
	s, err := scenario.Decode(file, lesson.Data)
	if err != nil {
		t.Fatal(err)
	}
	m := NewModel()
	if err := m.Start(s); err != nil {
		t.Fatal(err)
	}
	return m
}

// nativeHash runs a scenario from scratch, as `playground run` does.
func nativeHash(t *testing.T, s *scenario.Scenario) string {
	t.Helper()
	data, err := scenario.Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	decoded, err := scenario.Decode("journal", data)
	if err != nil {
		t.Fatalf("the journal does not decode: %v", err)
	}
	out, err := scenario.Run("journal", decoded, scenario.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return out.TraceHash
}

// checkJournal checks that the model's journal replays to its hash.
func checkJournal(t *testing.T, m *Model, when string) {
	t.Helper()
	if got, want := m.Cluster().TraceHash(), nativeHash(t, m.Session().Scenario()); got != want {
		t.Fatalf("%s: the page's session has trace hash %s, its journal replays to %s", when, got, want)
	}
}

func TestRewindForwardAndLatestReplayTheJournal(t *testing.T) {
	m := lessonModel(t, "05-isr-shrink-min-insync-replicas.json")
	end := m.Cluster().TraceHash()
	steps := len(m.Session().Scenario().Steps)
	for _, k := range []int{0, 1, 6, steps - 1} {
		if err := m.RewindTo(k); err != nil {
			t.Fatal(err)
		}
		if got := len(m.Session().Scenario().Steps); got != k {
			t.Fatalf("RewindTo(%d) left %d steps", k, got)
		}
		if got := len(m.FutureSteps()); got != steps-k {
			t.Fatalf("RewindTo(%d) set aside %d steps, want %d", k, got, steps-k)
		}
		checkJournal(t, m, "after a rewind")
	}
	if err := m.RewindTo(3); err != nil {
		t.Fatal(err)
	}
	if err := m.Forward(); err != nil {
		t.Fatal(err)
	}
	if got := len(m.Session().Scenario().Steps); got != 4 {
		t.Fatalf("Forward from 3 steps gave %d", got)
	}
	checkJournal(t, m, "after Forward")
	if err := m.Latest(); err != nil {
		t.Fatal(err)
	}
	if m.CanForward() || m.Cluster().TraceHash() != end {
		t.Fatalf("Latest did not return to the end: hash %s, want %s", m.Cluster().TraceHash(), end)
	}
}

func TestRewindToAnEventDuringAnAdvanceStopsAtItsMoment(t *testing.T) {
	m := lessonModel(t, "05-isr-shrink-min-insync-replicas.json")
	var target Event
	for _, e := range m.Timeline().Recent(TimelineCapacity, "isr payments-0") {
		if m.Session().Scenario().Steps[e.Step].Op == scenario.OpAdvance {
			target = e // the oldest such event, as Recent is newest first
		}
	}
	if target.Seq == 0 {
		t.Fatal("no ISR change during an advance in lesson 05")
	}
	if err := m.RewindToEvent(target.Seq); err != nil {
		t.Fatal(err)
	}
	if got := m.Cluster().Now(); got != target.TimeMs {
		t.Fatalf("rewound to t=%d, the event is at t=%d", got, target.TimeMs)
	}
	if m.Highlight != target.Node {
		t.Errorf("the picture highlights %q, want the event's node %q", m.Highlight, target.Node)
	}
	checkJournal(t, m, "after a rewind to an event")
	if err := m.Forward(); err != nil {
		t.Fatal(err)
	}
	if got := len(m.Session().Scenario().Steps); got != target.Step+1 {
		t.Fatalf("Forward after a partial step gave %d steps, want %d", got, target.Step+1)
	}
	checkJournal(t, m, "after Forward from an event")
}

func TestARefusedStepChangesNothing(t *testing.T) {
	m := lessonModel(t, "01-topics-partitions-offsets.json")
	if err := m.RewindTo(4); err != nil {
		t.Fatal(err)
	}
	hash, steps := m.Cluster().TraceHash(), len(m.Session().Scenario().Steps)
	value := "v"
	_, err := m.Apply(scenario.Step{Op: scenario.OpProduce, Producer: "nobody", Topic: "orders", Value: &value})
	var invalid *scenario.Error
	if !errors.As(err, &invalid) || invalid.Field != "producer" {
		t.Fatalf("producing with an unknown producer gave %v; want a *scenario.Error on field producer", err)
	}
	if m.Cluster().TraceHash() != hash || len(m.Session().Scenario().Steps) != steps || !m.CanForward() {
		t.Fatal("a refused step changed the session or forgot the steps set aside")
	}
	if _, err := m.Apply(scenario.Step{Op: scenario.OpKillBroker, Broker: 1}); err != nil {
		t.Fatal(err)
	}
	if m.CanForward() {
		t.Fatal("an accepted step after a rewind kept the steps set aside")
	}
	checkJournal(t, m, "after a new step")
}

func TestPlayingWithAStreamIsJournaled(t *testing.T) {
	s, err := BlankScenario(3, scenario.MetadataKRaft, 7)
	if err != nil {
		t.Fatal(err)
	}
	m := NewModel()
	if err := m.Start(s); err != nil {
		t.Fatal(err)
	}
	for _, st := range []scenario.Step{
		{Op: scenario.OpCreateTopic, Topic: "orders", Partitions: 3, ReplicationFactor: 3},
		{Op: scenario.OpAddProducer, ID: "p1", Config: map[string]string{"acks": "1"}},
	} {
		if _, err := m.Apply(st); err != nil {
			t.Fatal(err)
		}
	}
	key, value := "k-{i}", "v-{i}"
	if _, err := m.StartStream(scenario.Step{Op: scenario.OpProduce, Producer: "p1", Topic: "orders", Key: &key, Value: &value, Count: 500}); err != nil {
		t.Fatal(err)
	}
	ran := int64(0)
	for frame := 0; frame < 70; frame++ {
		n, err := m.Play(50, func() bool { return true })
		if err != nil {
			t.Fatal(err)
		}
		ran += n
	}
	if ran != 3500 {
		t.Fatalf("played %d ms, want 3500", ran)
	}
	produces := 0
	for _, st := range m.Session().Scenario().Steps {
		if st.Op == scenario.OpProduce {
			produces++
		}
	}
	if produces != 4 || m.Stream().Ticks != 4 {
		t.Fatalf("a stream over 3.5 s sent %d produce steps (%d ticks), want 4: at 0, 1, 2 and 3 s", produces, m.Stream().Ticks)
	}
	checkJournal(t, m, "after playing a stream")
	f := m.Snapshot()
	if acked := f.State.Producers["p1"]; acked == nil {
		t.Fatal("no producer p1 in the state")
	}
}

func TestPlayStopsWhenTheFrameBudgetIsSpent(t *testing.T) {
	m := lessonModel(t, "02-keys-same-partition.json")
	before := m.Cluster().Now()
	calls := 0
	ran, err := m.Play(10_000, func() bool { calls++; return calls <= 2 })
	if err != nil {
		t.Fatal(err)
	}
	if ran != 2*maxChunkMs || m.Cluster().Now() != before+ran {
		t.Fatalf("with a budget of two chunks Play ran %d ms", ran)
	}
	checkJournal(t, m, "after a frame")
}

func TestStepToNextEventAdvancesToIt(t *testing.T) {
	m := lessonModel(t, "02-keys-same-partition.json")
	next := m.Cluster().Sim().NextEventMs()
	if next < 0 {
		t.Skip("the lesson ends idle")
	}
	if err := m.StepToNextEvent(); err != nil {
		t.Fatal(err)
	}
	if got := m.Cluster().Now(); got != next {
		t.Fatalf("now %d, the next event was at %d", got, next)
	}
	checkJournal(t, m, "after a step to the next event")
}

func TestBlankScenarios(t *testing.T) {
	for _, metadata := range []string{scenario.MetadataKRaft, scenario.MetadataZooKeeper} {
		s, err := BlankScenario(1, metadata, 3)
		if err != nil {
			t.Fatalf("%s: %v", metadata, err)
		}
		m := NewModel()
		if err := m.Start(s); err != nil {
			t.Fatalf("%s: %v", metadata, err)
		}
		html := RenderCluster(m.Snapshot(), "")
		if metadata == scenario.MetadataZooKeeper && !strings.Contains(html, "ZooKeeper ensemble") {
			t.Errorf("a ZooKeeper cluster's view does not show its ensemble")
		}
	}
	var field *FieldError
	if _, err := BlankScenario(3, "etcd", 1); !errors.As(err, &field) || field.Field != "metadata" {
		t.Errorf("metadata etcd gave %v", err)
	}
}

func TestAStreamDoesNotCatchUpAfterAJump(t *testing.T) {
	m := lessonModel(t, "01-topics-partitions-offsets.json")
	value := "v"
	if _, err := m.StartStream(scenario.Step{Op: scenario.OpProduce, Producer: "p1", Topic: "orders", Value: &value, Count: 10}); err != nil {
		t.Fatal(err)
	}
	if err := m.Advance(3_600_000); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Play(2500, func() bool { return true }); err != nil {
		t.Fatal(err)
	}
	if ticks := m.Stream().Ticks; ticks != 4 {
		t.Fatalf("after an hour's jump, 2.5 s of play sent %d ticks in all, want 4 (the first, then at 0, 1 and 2 s of play)", ticks)
	}
}

func TestPastedScenariosAndExportedFiles(t *testing.T) {
	_, err := DecodePasted("{\"version\": 1,\n \"steps\": [{\"op\": \"kill_broker\", \"broker\": 9}]}")
	var field *FieldError
	if !errors.As(err, &field) || field.Field != "scenario" || !strings.Contains(field.Message, "step 0") || !strings.Contains(field.Message, "line 2") {
		t.Fatalf("a bad pasted scenario gave %v", err)
	}
	m := lessonModel(t, "20-tls-sasl-acls.json")
	text, err := ExportJSON(m.Session().Scenario())
	if err != nil {
		t.Fatal(err)
	}
	s, err := DecodePasted(text)
	if err != nil {
		t.Fatalf("the exported file does not read back: %v", err)
	}
	if got := nativeHash(t, s); got != m.Cluster().TraceHash() {
		t.Fatalf("the exported file replays to %s, the session is at %s", got, m.Cluster().TraceHash())
	}
	for _, st := range m.Session().Scenario().Steps {
		if st.Op == scenario.OpAddUser && st.Password != "" && strings.Contains(text, `"`+st.Password+`"`) {
			t.Errorf("the exported file carries the password of %s", st.User)
		}
	}
}

func TestFastStreamsTickOftenWithSmallSteps(t *testing.T) {
	for _, c := range []struct{ rate, perSecond int }{{1, 1}, {2500, 1}, {2501, 2}, {10_000, 4}, {12_000, 5}, {100_000, 10}} {
		s := newStream(scenario.Step{}, c.rate)
		total := 0
		for s.Ticks = 0; s.Ticks < s.PerSecond; s.Ticks++ {
			total += s.nextCount()
		}
		if s.PerSecond != c.perSecond || total != c.rate || s.tickMs()*int64(s.PerSecond) != 1000 {
			t.Errorf("rate %d: %d ticks per second sending %d records in all; want %d ticks, %d records", c.rate, s.PerSecond, total, c.perSecond, c.rate)
		}
	}
}
