package core_test

import (
	"strings"
	"testing"

	"github.com/kafka-playground/playground/core"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/record"
	"github.com/kafka-playground/playground/core/sim"
)

// rogueClient is a bare node that sends whatever a test hands it and
// ignores the answers.
type rogueClient struct{}

func (rogueClient) Start(sim.NodeID)                {}
func (rogueClient) Receive(sim.NodeID, sim.Message) {}
func (rogueClient) Crashed()                        {}

// TestCheckerCatchesCommitBeyondHighWatermark shows the checker's group
// invariant can fail: Kafka accepts any committed offset, but a consumer
// only commits what it read, so an offset past every high watermark means
// a client bug. A well-behaved run of the same cluster stays clean.
func TestCheckerCatchesCommitBeyondHighWatermark(t *testing.T) {
	c, err := core.New(core.Spec{Seed: 7, Brokers: 3, LatencyMs: 1})
	if err != nil {
		t.Fatal(err)
	}
	k := core.NewChecker(c)
	rogue := c.Sim().AddNode("rogue", rogueClient{})
	c.Boot()
	if f := c.CreateTopic("events", 1, 3, nil); !c.Wait(f, 60000) || f.Error != protocol.None {
		t.Fatalf("create topic: %v", f.Error)
	}
	if err := c.AddProducer("p", nil); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if _, err := c.Produce("p", "events", 0, record.Record{Value: "v"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.AddConsumer("reader", "honest", []string{"events"}, map[string]string{"auto.offset.reset": "earliest"}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		c.Consumer("reader").Poll(0, 2000)
		c.Advance(2000)
	}
	c.Consumer("reader").CommitSync()
	c.Advance(1000)
	if g, ok := c.State().Groups["honest"].(core.GroupState); !ok || g.Offsets["events-0"] != 5 {
		t.Fatalf("the honest group did not commit offset 5: %+v", c.State().Groups["honest"])
	}
	if v := k.Violations(); len(v) > 0 {
		t.Fatalf("an honest group broke an invariant: %v", v)
	}

	// Only the group's coordinator accepts the commit; the others answer
	// NOT_COORDINATOR.
	tp := protocol.TopicPartition{Topic: "events", Partition: 0}
	for _, b := range c.Brokers() {
		c.Sim().Send(rogue, c.BrokerNode(b.ID()), &protocol.ConnectRequest{Listener: "PLAINTEXT"})
		c.Sim().Send(rogue, c.BrokerNode(b.ID()), &protocol.OffsetCommitRequest{CorrelationID: 1, GroupID: "rogue", GenerationID: -1,
			Offsets: []protocol.OffsetCommitPartition{{TopicPartition: tp, Offset: 1000}}})
	}
	c.Advance(1000)
	found := false
	for _, v := range k.Violations() {
		found = found || strings.Contains(v, "group rogue") && strings.Contains(v, "beyond every high watermark")
	}
	if !found {
		t.Fatalf("a commit at offset 1000 of a 5-record partition went unnoticed; violations: %v", k.Violations())
	}
}
