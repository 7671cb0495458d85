package gateway

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/kafka-playground/playground/core"
	"github.com/kafka-playground/playground/core/sim"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestBrokerCutOff: a partition leader cut off by a network partition from
// every other node, gateway clients included, keeps its port open but
// stops answering, as a real broker behind a broken network does: a
// Metadata request to it gets no answer while another broker answers at
// once. The cluster fences it and elects a new leader, franz-go's
// requests to it time out and the client moves to the new leader, and no
// acknowledged record is lost. Healed, the old leader answers again.
func TestBrokerCutOff(t *testing.T) {
	g, err := Start(context.Background(), Config{Spec: core.Spec{Seed: 5, Brokers: 3,
		Config: map[string]string{"broker.session.timeout.ms": "3000", "broker.heartbeat.interval.ms": "500"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	// Short timeouts, so that a request the cut-off broker never answers
	// is given up in seconds rather than kgo's default half minute.
	cl := newClient(t, g, kgo.MetadataMinAge(100*time.Millisecond), kgo.ProduceRequestTimeout(2*time.Second),
		kgo.RequestTimeoutOverhead(2*time.Second))
	createTopic(t, ctx, cl, "events", 1, 3)
	produce := func(from, to int) {
		for i := from; i < to; i++ {
			r := &kgo.Record{Topic: "events", Key: []byte("k"), Value: []byte(fmt.Sprintf("event-%d", i))}
			if err := cl.ProduceSync(ctx, r).FirstErr(); err != nil {
				t.Fatalf("produce event-%d: %v", i, err)
			}
		}
	}
	produce(0, 10)

	var leader, other int32
	g.Do(func(c *core.Cluster) {
		leader = c.State().Topics["events"].Partitions["0"].Leader
		other = leader%3 + 1
		cutOff(t, c, leader)
	})
	// A new connection to the cut-off broker gets no answer. Its gateway
	// node is new, in no side of the partition, so the network is cut
	// again once it exists.
	if metadataAnswered(t, g, leader, 2*time.Second, func(c *core.Cluster) { cutOff(t, c, leader) }) {
		t.Fatalf("broker %d is cut off but answered a Metadata request", leader)
	}
	if !metadataAnswered(t, g, other, 5*time.Second, nil) {
		t.Fatalf("broker %d is reachable but did not answer a Metadata request", other)
	}

	produce(10, 20)
	g.Do(func(c *core.Cluster) {
		part := c.State().Topics["events"].Partitions["0"]
		if part.Leader == leader || part.Leader < 1 {
			t.Errorf("leader %d while broker %d is cut off", part.Leader, leader)
		}
		records, err := c.PartitionRecords("events", 0, -1, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, r := range records {
			seen[*r.Value] = true
		}
		for i := 0; i < 20; i++ {
			if !seen[fmt.Sprintf("event-%d", i)] {
				t.Errorf("acknowledged event-%d is not in the log", i)
			}
		}
		c.HealNetwork()
	})
	if !metadataAnswered(t, g, leader, 5*time.Second, nil) {
		t.Errorf("broker %d did not answer once the network healed", leader)
	}
}

// cutOff partitions the network into broker and every other node of the
// simulation, the gateway's client nodes included.
func cutOff(t *testing.T, c *core.Cluster, broker int32) {
	t.Helper()
	name := fmt.Sprintf("broker-%d", broker)
	rest := []string{}
	for id := 0; id < c.Sim().NodeCount(); id++ {
		if other := c.Sim().Name(sim.NodeID(id)); other != name {
			rest = append(rest, other)
		}
	}
	if err := c.PartitionNetwork([][]string{{name}, rest}); err != nil {
		t.Fatal(err)
	}
}

// metadataAnswered opens a connection to broker's port, runs prepare (if
// any) once the connection is made, sends a Metadata request and reports
// whether an answer came within wait.
func metadataAnswered(t *testing.T, g *Gateway, broker int32, wait time.Duration, prepare func(*core.Cluster)) bool {
	t.Helper()
	socket, err := net.DialTimeout("tcp", g.Addresses()[broker], time.Second)
	if err != nil {
		t.Fatalf("broker %d's port: %v", broker, err)
	}
	defer socket.Close()
	// The connection exists once the gateway accepted it; a request that
	// arrives later is what prepare's network sees.
	time.Sleep(50 * time.Millisecond)
	if prepare != nil {
		g.Do(prepare)
	}
	req := kmsg.NewPtrMetadataRequest()
	req.Version = 9
	frame := kmsg.NewRequestFormatter(kmsg.FormatterClientID("raw")).AppendRequest(nil, req, 7)
	if _, err := socket.Write(frame); err != nil {
		t.Fatalf("write: %v", err)
	}
	socket.SetReadDeadline(time.Now().Add(wait))
	var size [4]byte
	if _, err := io.ReadFull(socket, size[:]); err != nil {
		return false
	}
	body := make([]byte, binary.BigEndian.Uint32(size[:]))
	if _, err := io.ReadFull(socket, body); err != nil {
		t.Fatalf("broker %d: a response cut short: %v", broker, err)
	}
	if correlation := int32(binary.BigEndian.Uint32(body)); correlation != 7 {
		t.Fatalf("broker %d answered correlation %d, want 7", broker, correlation)
	}
	return true
}
