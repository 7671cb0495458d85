package core

import (
	"reflect"
	"testing"

	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/sim"
)

// probe is a client node that records the responses it gets.
type probe struct {
	node      sim.NodeID
	responses map[sim.NodeID]*protocol.MetadataResponse
}

func (p *probe) Start(self sim.NodeID) { p.node = self }

func (p *probe) Receive(from sim.NodeID, msg sim.Message) {
	if m, ok := msg.(*protocol.MetadataResponse); ok {
		p.responses[from] = m
	}
}

// TestMetadataFromAnyBroker asks every broker for the cluster's metadata
// and expects the same brokers, topics, leaders, replicas and ISRs from
// each: any broker is a bootstrap server for the whole cluster.
func TestMetadataFromAnyBroker(t *testing.T) {
	for _, mode := range []string{KRaft, ZooKeeper} {
		t.Run(mode, func(t *testing.T) {
			c, err := New(Spec{Seed: 3, Brokers: 5, Metadata: mode, LatencyMs: 1})
			if err != nil {
				t.Fatal(err)
			}
			c.Boot()
			for _, topic := range []string{"orders", "payments"} {
				if f := c.CreateTopic(topic, 6, 3, nil); !c.Wait(f, 60000) || f.Error != protocol.None {
					t.Fatalf("create %s: %v %s", topic, f.Error, f.Message)
				}
			}
			if err := c.KillBroker(4); err != nil {
				t.Fatal(err)
			}
			c.Advance(30000)
			p := &probe{responses: map[sim.NodeID]*protocol.MetadataResponse{}}
			c.sim.AddNode("probe", p)
			var alive []sim.NodeID
			for id := int32(1); id <= 5; id++ {
				if c.BrokerRunning(id) {
					alive = append(alive, c.BrokerNode(id))
					// A client opens its connection before its first request.
					c.sim.Send(p.node, c.BrokerNode(id), &protocol.ConnectRequest{Listener: "PLAINTEXT"})
					c.sim.Send(p.node, c.BrokerNode(id), &protocol.MetadataRequest{CorrelationID: id})
				}
			}
			c.Advance(100)
			if len(p.responses) != len(alive) {
				t.Fatalf("%d responses from %d brokers", len(p.responses), len(alive))
			}
			first := p.responses[alive[0]]
			if len(first.Brokers) != 4 || len(first.Topics) != 2 {
				t.Fatalf("first response describes %d brokers and %d topics, want 4 and 2: %+v", len(first.Brokers), len(first.Topics), first)
			}
			for _, node := range alive[1:] {
				got := p.responses[node]
				if !reflect.DeepEqual(got.Brokers, first.Brokers) || !reflect.DeepEqual(got.Topics, first.Topics) {
					t.Errorf("%s describes the cluster differently from %s:\n%+v\n%+v", c.sim.Name(node), c.sim.Name(alive[0]), got, first)
				}
			}
			for _, tm := range first.Topics {
				for _, pm := range tm.Partitions {
					if pm.Leader == 4 || pm.Leader < 0 {
						t.Errorf("%s-%d led by %d after broker 4 died", tm.Name, pm.Partition, pm.Leader)
					}
				}
			}
		})
	}
}
