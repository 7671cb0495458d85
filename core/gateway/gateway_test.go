package gateway

import (
	"errors"
	"testing"

	"github.com/kafka-playground/playground/core"
	"github.com/kafka-playground/playground/core/protocol"
)

func bootedCluster(t *testing.T) *core.Cluster {
	t.Helper()
	c, err := core.New(core.Spec{Seed: 1, Brokers: 3})
	if err != nil {
		t.Fatal(err)
	}
	c.Boot()
	return c
}

// TestResponsesInRequestOrder: a response the host makes itself waits for
// the broker's answer to the request before it, as Kafka answers one
// connection in order.
func TestResponsesInRequestOrder(t *testing.T) {
	c := bootedCluster(t)
	g, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	id, err := g.Connect(2, "127.0.0.1:5000")
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Request(id, 7, &protocol.MetadataRequest{CorrelationID: 7}, true); err != nil {
		t.Fatal(err)
	}
	if err := g.Answer(id, 8, "local"); err != nil {
		t.Fatal(err)
	}
	if ready := g.Ready(id); len(ready) != 0 {
		t.Fatalf("ready before the broker answered: %v", ready)
	}
	c.Advance(10)
	ready := g.Ready(id)
	if len(ready) != 2 || ready[0].CorrelationID != 7 || ready[1].CorrelationID != 8 || ready[1].Message != "local" {
		t.Fatalf("ready: %+v", ready)
	}
	m, ok := ready[0].Message.(*protocol.MetadataResponse)
	if !ok || len(m.Brokers) != 3 {
		t.Fatalf("metadata: %+v", ready[0].Message)
	}
}

// TestKilledBroker: a killed broker refuses new gateway connections and
// closes the open ones; a restarted one accepts them again, on a reused
// node.
func TestKilledBroker(t *testing.T) {
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
	if err := c.KillBroker(1); err != nil {
		t.Fatal(err)
	}
	c.Advance(10)
	if !g.Closed(id) {
		t.Fatal("connection to a killed broker still open")
	}
	g.Disconnect(id)
	if _, err := g.Connect(1, "127.0.0.1:5001"); !errors.Is(err, ErrRefused) {
		t.Fatalf("connect to a killed broker: %v", err)
	}
	if err := c.StartBroker(1); err != nil {
		t.Fatal(err)
	}
	nodes := c.Sim().NodeCount()
	again, err := g.Connect(1, "127.0.0.1:5002")
	if err != nil {
		t.Fatal(err)
	}
	if c.Sim().NodeCount() != nodes {
		t.Errorf("a new node for a reconnection: %d nodes, was %d", c.Sim().NodeCount(), nodes)
	}
	if g.Closed(again) {
		t.Fatal("new connection closed")
	}
}
