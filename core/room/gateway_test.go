package room

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kafka-playground/playground/core/gateway"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/record"
)

// driveGatewayRoom drives a live replica as a room with a real client
// does: steps, the clock's ticks, and gateway inputs between them, each
// at the replica's time. It returns the journal as a store holds it,
// with the ticks between two other inputs stored as one run.
func driveGatewayRoom(t testing.TB, live *Replica) []Input {
	t.Helper()
	var journal []Input
	step := func(text string) {
		_, canonical, err := live.ApplyBy(json.RawMessage(text), "Ada")
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		journal = append(journal, Input{Text: canonical, Actor: "Ada"})
	}
	ticks := func(ms, count int64) {
		for i := int64(0); i < count; i++ {
			if _, err := live.Advance(ms); err != nil {
				t.Fatal(err)
			}
		}
		journal = append(journal, Input{Text: AdvanceText(ms), Count: count})
	}
	input := func(in *gateway.Input) {
		in.AtMs = live.Session().Cluster().Now()
		text, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		if err := live.ApplyGateway(text); err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		journal = append(journal, Input{Gateway: text})
	}
	request := func(correlation int32, r any) {
		in, err := gateway.NewRequestInput(0, 1, correlation, "franz-go", r, true)
		if err != nil {
			t.Fatal(err)
		}
		input(in)
	}
	step(`{"op":"create_topic","topic":"orders","partitions":1,"replication_factor":3}`)
	ticks(100, 5)
	leader := live.Session().Cluster().State().Topics["orders"].Partitions["0"].Leader
	input(&gateway.Input{Connect: &gateway.ConnectInput{Connection: 1, Broker: leader, Listener: "PLAINTEXT", Address: "127.0.0.1:50000"}})
	ticks(7, 1)
	request(1, &protocol.MetadataRequest{CorrelationID: 1})
	ticks(3, 4)
	batch := record.NewBatch([]record.Record{{Key: "\x00\xff", Value: "v"}, {KeyNull: true, ValueNull: true}})
	request(2, &protocol.ProduceRequest{CorrelationID: 2, Acks: protocol.AcksAll, TimeoutMs: 30000,
		Partitions: []protocol.ProducePartition{{TopicPartition: protocol.TopicPartition{Topic: "orders"}, Batch: batch}}})
	ticks(100, 30)
	step(`{"op":"kill_broker","broker":3}`)
	ticks(100, 3)
	step(`{"op":"advance","ms":250,"note":"wait"}`)
	ticks(5, 2)
	input(&gateway.Input{Disconnect: &gateway.DisconnectInput{Connection: 1}})
	ticks(100, 10)
	return journal
}

// TestGatewayInputsReplay: a journal with gateway inputs restores to the
// live replica's trace hash and steps, from the store's rows (runs of
// ticks), from Inputs and from a Snapshot; gateway inputs count as no
// step, and the advances around them merge into one step.
func TestGatewayInputsReplay(t *testing.T) {
	live, err := New("room", header())
	if err != nil {
		t.Fatal(err)
	}
	journal := driveGatewayRoom(t, live)
	if live.Steps() != 5 {
		t.Errorf("%d steps, want 5 (create_topic, the advances around the gateway inputs as one, kill_broker, advance with note, its ticks merged)", live.Steps())
	}
	if count, _ := live.GatewayInputs(); count != 4 {
		t.Errorf("%d gateway inputs counted, want 4", count)
	}
	if hw := live.Session().Cluster().State().Topics["orders"].Partitions["0"].HighWatermark; hw != 2 {
		t.Errorf("the real client's records were not stored: high watermark %d", hw)
	}
	snapshot := live.Snapshot()
	fromSnapshot := make([]Input, 0)
	for i, text := range snapshot.Steps {
		fromSnapshot = append(fromSnapshot, Input{Text: text, Actor: snapshot.Actors[i]})
	}
	fromSnapshot = append(fromSnapshot, snapshot.Inputs...)
	for name, inputs := range map[string][]Input{"stored rows": journal, "Inputs": live.Inputs(), "snapshot": fromSnapshot} {
		restored, err := RestoreInputs("room", header(), inputs, live.options)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if restored.TraceHash() != live.TraceHash() || restored.Steps() != live.Steps() ||
			string(restored.Document()) != string(live.Document()) || strings.Join(restored.Actors(), ",") != strings.Join(live.Actors(), ",") {
			t.Errorf("%s restore %s (%d steps), live %s (%d steps)\n%s\n%s", name, restored.TraceHash(), restored.Steps(),
				live.TraceHash(), live.Steps(), restored.Document(), live.Document())
		}
		if len(restored.Inputs()) != len(live.Inputs()) {
			t.Errorf("%s: %d inputs after a restore, %d live", name, len(restored.Inputs()), len(live.Inputs()))
		}
	}
	if strings.Contains(string(snapshot.Document), "gateway") || len(snapshot.Inputs) == 0 || snapshot.Inputs[0].Gateway == nil {
		t.Errorf("the snapshot's steps stop before the first gateway input: %s, %d inputs after", snapshot.Document, len(snapshot.Inputs))
	}
}

// TestGatewayInputChecked: an input at another virtual time than the
// replica's, or one that does not apply, changes nothing.
func TestGatewayInputChecked(t *testing.T) {
	live, err := New("room", header())
	if err != nil {
		t.Fatal(err)
	}
	hash := live.TraceHash()
	for _, text := range []string{
		`{"at_ms":5,"connect":{"connection":1,"broker":1,"listener":"PLAINTEXT","address":"a"}}`,
		`{"at_ms":0,"connect":{"connection":2,"broker":1,"listener":"PLAINTEXT","address":"a"}}`,
		`{"at_ms":0,"connect":{"connection":1,"broker":9,"listener":"PLAINTEXT","address":"a"}}`,
		`{"at_ms":0,"request":{"connection":1,"correlation":1,"client_id":"","api":"Metadata","expect_response":true,"body":{}}}`,
		`{"at_ms":0,"disconnect":{"connection":1}}`,
		`{"at_ms":0,"connect":{"connection":1},"disconnect":{"connection":1}}`,
		`not json`,
	} {
		if err := live.ApplyGateway([]byte(text)); err == nil {
			t.Errorf("%s was applied", text)
		}
	}
	if count, _ := live.GatewayInputs(); count != 0 || live.TraceHash() != hash || live.Inputs() != nil && len(live.Inputs()) != 0 {
		t.Errorf("refused inputs changed the replica: %d inputs, hash %s (was %s)", count, live.TraceHash(), hash)
	}
}

// TestKeptProduceIsItsJournalText: the journal a replica keeps gives a
// real client's Produce request back as the very bytes it was journaled
// in, live and replayed, although applying it gives the request the
// broker connection's correlation id (here 1, where the client's is 77).
func TestKeptProduceIsItsJournalText(t *testing.T) {
	live, err := New("room", header())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := live.ApplyBy(json.RawMessage(`{"op":"create_topic","topic":"orders","partitions":1,"replication_factor":3}`), "Ada"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if _, err := live.Advance(100); err != nil {
			t.Fatal(err)
		}
	}
	leader := live.Session().Cluster().State().Topics["orders"].Partitions["0"].Leader
	now := live.Session().Cluster().Now()
	if _, err := live.ApplyGatewayInput(&gateway.Input{AtMs: now, Connect: &gateway.ConnectInput{Connection: 1, Broker: leader,
		Listener: "PLAINTEXT", Address: "127.0.0.1:50000"}}); err != nil {
		t.Fatal(err)
	}
	batch := record.NewBatch([]record.Record{{Key: "k", Value: "v"}})
	in, err := gateway.NewRequestInput(now, 1, 77, "franz-go", &protocol.ProduceRequest{CorrelationID: 77, Acks: protocol.AcksAll,
		TimeoutMs: 30000, Partitions: []protocol.ProducePartition{{TopicPartition: protocol.TopicPartition{Topic: "orders"}, Batch: batch}}}, true)
	if err != nil {
		t.Fatal(err)
	}
	text, err := live.ApplyGatewayInput(in)
	if err != nil {
		t.Fatal(err)
	}
	journaled := string(text)
	inputs := live.Inputs()
	if got := string(inputs[len(inputs)-1].Gateway); got != journaled {
		t.Errorf("the live journal gives\n%x\nnot the journaled\n%x", got, journaled)
	}
	replayed, err := New("room", header())
	if err != nil {
		t.Fatal(err)
	}
	if err := replayed.ApplyStored(inputs[:len(inputs)-1]); err != nil {
		t.Fatal(err)
	}
	if err := replayed.ApplyGateway([]byte(journaled)); err != nil {
		t.Fatal(err)
	}
	again := replayed.Inputs()
	if got := string(again[len(again)-1].Gateway); got != journaled {
		t.Errorf("the replayed journal gives\n%x\nnot the journaled\n%x", got, journaled)
	}
}
