package room

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/kafka-playground/playground/core/scenario"
)

// inputs is a journal of step inputs as a room receives them: steps that
// refer to earlier ones, plain advances (merged), an advance with a note
// (not merged itself, but later plain advances merge into it), at_ms.
var inputs = []string{
	`{"op":"create_topic","topic":"orders","partitions":2,"replication_factor":3}`,
	`{"op":"advance","ms":100}`,
	`{"op":"advance","ms":100}`,
	`{"op":"add_producer","id":"p1","config":{"acks":"all"}}`,
	`{ "op" : "produce", "producer":"p1","topic":"orders","value":"v{i}","count":50,"headers":{"h":"x"}}`,
	`{"op":"advance","ms":250,"note":"wait"}`,
	`{"op":"advance","ms":100}`,
	`{"op":"kill_broker","broker":2}`,
	`{"op":"advance","at_ms":40000,"ms":1}`,
	`{"op":"advance","ms":100}`,
	`{"op":"start_broker","broker":2}`,
}

func header() *scenario.Scenario {
	h := scenario.New()
	h.Seed = 7
	return h
}

// TestApplyOneByOneEqualsRestore: applying the inputs one at a time and
// restoring them in one replay give the same session, and both equal a
// plain run of the replica's journal document.
func TestApplyOneByOneEqualsRestore(t *testing.T) {
	live, err := New("room", header())
	if err != nil {
		t.Fatal(err)
	}
	var stored []json.RawMessage
	for i, input := range inputs {
		_, text, err := live.Apply(json.RawMessage(input))
		if err != nil {
			t.Fatalf("input %d: %v", i, err)
		}
		stored = append(stored, text)
		if i%3 == 0 {
			if _, err := live.Advance(30); err != nil {
				t.Fatal(err)
			}
			stored = append(stored, AdvanceText(30))
		}
	}
	restored, err := Restore("room", header(), stored)
	if err != nil {
		t.Fatal(err)
	}
	if live.TraceHash() != restored.TraceHash() || live.Steps() != restored.Steps() {
		t.Fatalf("live %s (%d steps), restored %s (%d steps)", live.TraceHash(), live.Steps(), restored.TraceHash(), restored.Steps())
	}
	if string(live.Document()) != string(restored.Document()) {
		t.Fatalf("documents differ:\n%s\n%s", live.Document(), restored.Document())
	}
	decoded, err := scenario.Decode("doc", live.Document())
	if err != nil {
		t.Fatal(err)
	}
	output, err := scenario.Run("doc", decoded, scenario.Options{})
	if err != nil || output.TraceHash != live.TraceHash() {
		t.Fatalf("a run of the journal document gives %s (%v), the replica %s", output.TraceHash, err, live.TraceHash())
	}
	again, err := Restore("room", header(), restored.Texts())
	if err != nil || again.TraceHash() != live.TraceHash() || again.Steps() != live.Steps() {
		t.Fatalf("restoring merged texts is not idempotent: %v", err)
	}
	if live.Steps() >= len(stored) {
		t.Fatalf("%d steps for %d inputs: plain advances were not merged", live.Steps(), len(stored))
	}
}

// TestRefusedInputsChangeNothing: an input that is not a valid step at
// the end of the journal is refused with a message naming the problem.
func TestRefusedInputsChangeNothing(t *testing.T) {
	r, err := New("room", header())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.Apply(json.RawMessage(`{"op":"add_producer","id":"p1"}`)); err != nil {
		t.Fatal(err)
	}
	before, steps := r.TraceHash(), r.Steps()
	for input, want := range map[string]string{
		`{"op":"produce","producer":"nobody","topic":"t","value":"v"}`: "nobody",
		`{"op":"teleport"}`:                "teleport",
		`{"op":"add_producer","id":"p1"}`:  "p1",
		`{"op":"kill_broker","broker":99}`: "broker",
		`[1,2]`:                            "object",
		`{"op":"advance","ms":-5}`:         "ms",
		`{"op":"add_producer","id":"p2","config":{"acks":"most"}}`: "acks",
		`{"op":"advance","at_ms":-1,"ms":1}`:                       "at_ms",
		`{`:                                                        "JSON",
	} {
		_, _, err := r.Apply(json.RawMessage(input))
		if err == nil {
			t.Errorf("%s was accepted", input)
			continue
		}
		if !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(want)) {
			t.Errorf("%s: the error %q does not name %q", input, err, want)
		}
	}
	if r.TraceHash() != before || r.Steps() != steps {
		t.Fatal("refused inputs changed the replica")
	}
}

// TestRunsAndActorsRestoreAsLive: inputs applied one by one with their
// actors, and the same inputs stored with each run of identical clock
// advances as one Input with a Count, restore to the same journal, hash
// and actors.
func TestRunsAndActorsRestoreAsLive(t *testing.T) {
	live, err := New("room", header())
	if err != nil {
		t.Fatal(err)
	}
	var stored []Input
	apply := func(actor, text string) {
		t.Helper()
		_, journaled, err := live.ApplyBy(json.RawMessage(text), actor)
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, Input{Text: journaled, Actor: actor, Count: 1})
	}
	tick := func(ms, count int64) {
		t.Helper()
		for i := int64(0); i < count; i++ {
			if _, err := live.Advance(ms); err != nil {
				t.Fatal(err)
			}
		}
		stored = append(stored, Input{Text: AdvanceText(ms), Count: count})
	}
	apply("Ada", `{"op":"create_topic","topic":"orders","partitions":2,"replication_factor":3}`)
	tick(100, 50)
	apply("Bob", `{"op":"advance","ms":700}`)
	tick(100, 20) // merges into Bob's advance: still Bob's step
	apply("Ada", `{"op":"kill_broker","broker":2}`)
	apply("Cy", `{"op":"advance","ms":5,"note":"look"}`)
	tick(250, 7) // merges into Cy's noted advance
	apply("Bob", `{"op":"start_broker","broker":2}`)
	restored, err := RestoreInputs("room", header(), stored, scenario.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if live.TraceHash() != restored.TraceHash() || string(live.Document()) != string(restored.Document()) {
		t.Fatalf("live and restored differ:\n%s\n%s", live.Document(), restored.Document())
	}
	// Bob's advance merged into the clock's step, which keeps no actor.
	want := []string{"Ada", "", "Ada", "Cy", "Bob"}
	if got := restored.Actors(); strings.Join(got, ",") != strings.Join(want, ",") || strings.Join(live.Actors(), ",") != strings.Join(want, ",") {
		t.Fatalf("actors live %q, restored %q, want %q", live.Actors(), got, want)
	}
	again, err := RestoreInputs("room", header(), restored.Inputs(), scenario.Options{})
	if err != nil || strings.Join(again.Actors(), ",") != strings.Join(want, ",") || again.TraceHash() != live.TraceHash() {
		t.Fatalf("restoring Inputs() loses the actors or the hash: %v %q", err, again.Actors())
	}
	if _, err := RestoreInputs("room", header(), []Input{{Text: json.RawMessage(`{"op":"kill_broker","broker":1}`), Count: 2}}, scenario.Options{}); err == nil ||
		!strings.Contains(err.Error(), "not a plain advance") {
		t.Fatalf("a repeated step that is not a plain advance: %v", err)
	}
}

// TestRunMergesAsItsAdvancesOneByOne: a run merges exactly as its
// advances stored one by one, also where it passes the longest advance
// step and splits (checked on the merge alone: simulating 400 days takes
// long).
func TestRunMergesAsItsAdvancesOneByOne(t *testing.T) {
	long := int64(scenario.MaxAdvanceMs/3 + 1)
	for _, c := range []struct {
		before []Input
		ms     int64
		count  int64
	}{
		{nil, 100, 1000},
		{[]Input{{Text: json.RawMessage(`{"op":"kill_broker","broker":1}`), Actor: "Ada"}}, long, 7},
		{[]Input{{Text: AdvanceText(scenario.MaxAdvanceMs - 250), Actor: "Bob"}}, 100, 9},
		{[]Input{{Text: json.RawMessage(`{"op":"advance","ms":5,"note":"n"}`), Actor: "Cy"}}, 0, 4},
	} {
		run := append(append([]Input(nil), c.before...), Input{Text: AdvanceText(c.ms), Count: c.count})
		oneByOne := append([]Input(nil), c.before...)
		for i := int64(0); i < c.count; i++ {
			oneByOne = append(oneByOne, Input{Text: AdvanceText(c.ms)})
		}
		runTexts, runActors, err := mergeAdvances(run)
		if err != nil {
			t.Fatal(err)
		}
		texts, actors, err := mergeAdvances(oneByOne)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprintf("%s %q", texts, actors) != fmt.Sprintf("%s %q", runTexts, runActors) {
			t.Errorf("ms %d × %d: one by one %s %q, as a run %s %q", c.ms, c.count, texts, actors, runTexts, runActors)
		}
	}
}
