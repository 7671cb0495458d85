package gateway

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kafka-playground/playground/core"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/record"
	"github.com/kafka-playground/playground/core/sim"
)

// TestAnswerRecordsNothing: a response the host makes itself changes
// neither the trace nor its hash, so a room keeps it out of its journal.
func TestAnswerRecordsNothing(t *testing.T) {
	c := bootedCluster(t)
	g, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	id, err := g.Connect(1, "127.0.0.1:5000")
	if err != nil {
		t.Fatal(err)
	}
	c.Advance(10)
	events, hash := c.Sim().TraceCount(), c.TraceHash()
	for correlation := int32(0); correlation < 5; correlation++ {
		if err := g.Answer(id, correlation, "local"); err != nil {
			t.Fatal(err)
		}
	}
	if c.Sim().TraceCount() != events || c.TraceHash() != hash {
		t.Fatalf("Answer changed the trace: %d events, was %d", c.Sim().TraceCount(), events)
	}
	if ready := g.Ready(id); len(ready) != 5 {
		t.Fatalf("%d answers ready, want 5", len(ready))
	}
}

// TestApplyIsTheCall: the same inputs applied from their journal form,
// by a copy that keeps no responses, give the trace hash of the host's
// direct calls, and the copy's clients carry the client id and address.
func TestApplyIsTheCall(t *testing.T) {
	direct, journaled := bootedCluster(t), bootedCluster(t)
	host, _ := New(direct)
	replica, _ := New(journaled)
	replica.TrackResponses(false)
	var journal [][]byte
	at := func(in *Input) {
		if in == nil {
			in = &Input{} // a marker of time only
		}
		in.AtMs = direct.Now()
		text, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		journal = append(journal, text)
	}
	id, err := host.Connect(1, "127.0.0.1:5000")
	if err != nil {
		t.Fatal(err)
	}
	at(&Input{Connect: &ConnectInput{Connection: id, Broker: 1, Listener: "PLAINTEXT", Address: "127.0.0.1:5000"}})
	create := &protocol.CreateTopicsRequest{CorrelationID: 1, TimeoutMs: 5000, Topics: []protocol.CreatableTopic{{Name: "t", NumPartitions: 1, ReplicationFactor: 3}}}
	produce := &protocol.ProduceRequest{CorrelationID: 2, Acks: protocol.AcksAll, TimeoutMs: 5000, Partitions: []protocol.ProducePartition{
		{TopicPartition: protocol.TopicPartition{Topic: "t"}, Batch: record.NewBatch([]record.Record{{Key: "\x00", Value: "v", KeyNull: false}})}}}
	for _, r := range []struct {
		request     sim.Message
		correlation int32
	}{{create, 1}, {produce, 2}} {
		request, correlation := r.request, r.correlation
		host.conns[id].clientID = "rdkafka"
		in, err := NewRequestInput(direct.Now(), id, correlation, "rdkafka", request, true)
		if err != nil {
			t.Fatal(err)
		}
		if err := host.Request(id, correlation, request, true); err != nil {
			t.Fatal(err)
		}
		at(in)
		direct.Advance(2000)
		at(nil)
	}
	host.Disconnect(id)
	at(&Input{Disconnect: &DisconnectInput{Connection: id}})

	for _, text := range journal {
		var advance struct {
			AtMs int64 `json:"at_ms"`
		}
		json.Unmarshal(text, &advance)
		journaled.RunUntil(advance.AtMs)
		if string(text) == `{"at_ms":`+itoa(advance.AtMs)+`}` {
			continue // a marker of time only
		}
		in, err := ParseInput(text)
		if err != nil {
			t.Fatal(err)
		}
		if err := replica.Apply(in); err != nil {
			t.Fatal(err)
		}
		if in.Request != nil {
			clients := replica.Clients()
			if len(clients) != 1 || clients[0].Label != "rdkafka (127.0.0.1:5000)" || clients[0].Node != "gateway-1" {
				t.Fatalf("clients: %+v", clients)
			}
		}
	}
	if direct.TraceHash() != journaled.TraceHash() {
		t.Fatalf("the journal replays to %s, the calls gave %s", journaled.TraceHash(), direct.TraceHash())
	}
	if direct.State().Topics["t"].Partitions["0"].HighWatermark != 1 {
		t.Fatalf("the record was not stored: %+v", direct.State().Topics["t"])
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func containsText(lines []string, text string) bool {
	for _, line := range lines {
		if strings.Contains(line, text) {
			return true
		}
	}
	return false
}

// TestAuthenticationOutcome: on a SASL listener the broker takes the
// principal of a successful outcome (and records it in the trace), and
// answers a failed one with SASL_AUTHENTICATION_FAILED and a close.
func TestAuthenticationOutcome(t *testing.T) {
	c, err := core.New(core.Spec{Seed: 2, Brokers: 1, Config: map[string]string{
		"listeners": "PLAINTEXT://:9092,SASL_PLAINTEXT://:9093", "sasl.enabled.mechanisms": "PLAIN"}})
	if err != nil {
		t.Fatal(err)
	}
	c.Boot()
	g, _ := New(c)
	id, err := g.ConnectListener(1, "SASL_PLAINTEXT", "127.0.0.1:6000")
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Authenticate(id, &protocol.GatewayAuthentication{CorrelationID: 1, Mechanism: "PLAIN", User: "alice"}); err != nil {
		t.Fatal(err)
	}
	var trace []string
	c.Sim().SetTraceSink(func(e sim.TraceEvent) { trace = append(trace, e.String()) })
	if metadata := ask(t, c, g, id, 2, &protocol.MetadataRequest{CorrelationID: 2}).(*protocol.MetadataResponse); len(metadata.Brokers) != 1 {
		t.Fatalf("metadata after authenticating: %+v", metadata)
	}
	if !containsText(trace, "authenticated User:alice with PLAIN") {
		t.Errorf("no authentication in the trace: %q", trace)
	}
	refused, _ := g.ConnectListener(1, "SASL_PLAINTEXT", "127.0.0.1:6001")
	if err := g.Authenticate(refused, &protocol.GatewayAuthentication{CorrelationID: 1, Mechanism: "PLAIN", User: "alice",
		Error: protocol.SaslAuthenticationFailed, ErrorMessage: "Authentication failed: Invalid username or password"}); err != nil {
		t.Fatal(err)
	}
	c.Advance(50)
	ready := g.Ready(refused)
	if len(ready) != 1 || ready[0].Message.(*protocol.SaslAuthenticateResponse).Error != protocol.SaslAuthenticationFailed || !g.Closed(refused) {
		t.Fatalf("a failed authentication: %+v, closed %v", ready, g.Closed(refused))
	}
}
