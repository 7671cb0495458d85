package gateway

import (
	"context"
	"fmt"
	"net"
	"sort"
	"testing"
	"time"

	"github.com/kafka-playground/playground/core"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func startGateway(t *testing.T, brokers int) *Gateway {
	t.Helper()
	g, err := Start(context.Background(), Config{Spec: core.Spec{Seed: 7, Brokers: brokers}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	return g
}

func seeds(g *Gateway) []string {
	var out []string
	for _, addr := range g.Addresses() {
		out = append(out, addr)
	}
	sort.Strings(out)
	return out
}

func newClient(t *testing.T, g *Gateway, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	opts = append([]kgo.Opt{kgo.SeedBrokers(seeds(g)...), kgo.ProducerBatchCompression(kgo.NoCompression()),
		kgo.RetryTimeout(30 * time.Second)}, opts...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

func createTopic(t *testing.T, ctx context.Context, cl *kgo.Client, name string, partitions int32, replicationFactor int16) {
	t.Helper()
	req := kmsg.NewPtrCreateTopicsRequest()
	topic := kmsg.NewCreateTopicsRequestTopic()
	topic.Topic, topic.NumPartitions, topic.ReplicationFactor = name, partitions, replicationFactor
	req.Topics = append(req.Topics, topic)
	req.TimeoutMillis = 10000
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		t.Fatalf("CreateTopics: %v", err)
	}
	if code := resp.Topics[0].ErrorCode; code != 0 {
		t.Fatalf("CreateTopics: error code %d", code)
	}
}

// TestProduceConsumeKeyed: a franz-go client creates a topic through the
// gateway, produces keyed records (acks=all, idempotent), reads them back,
// and finds them in the simulated cluster's logs.
func TestProduceConsumeKeyed(t *testing.T) {
	g := startGateway(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl := newClient(t, g)
	createTopic(t, ctx, cl, "orders", 3, 3)

	const count = 30
	for i := 0; i < count; i++ {
		r := &kgo.Record{Topic: "orders", Key: []byte(fmt.Sprintf("user-%d", i%5)), Value: []byte(fmt.Sprintf("order-%d", i)),
			Headers: []kgo.RecordHeader{{Key: "n", Value: []byte(fmt.Sprint(i))}}}
		if err := cl.ProduceSync(ctx, r).FirstErr(); err != nil {
			t.Fatalf("produce %d: %v", i, err)
		}
	}

	consumer := newClient(t, g, kgo.ConsumeTopics("orders"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	got := map[string]string{}
	partitionOf := map[string]int32{}
	for len(got) < count {
		fetches := consumer.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("consumed %d of %d records: %v", len(got), count, err)
		}
		fetches.EachError(func(topic string, partition int32, err error) { t.Logf("fetch %s-%d: %v", topic, partition, err) })
		fetches.EachRecord(func(r *kgo.Record) {
			got[string(r.Value)] = string(r.Key)
			if p, seen := partitionOf[string(r.Key)]; seen && p != r.Partition {
				t.Errorf("key %s in partitions %d and %d", r.Key, p, r.Partition)
			}
			partitionOf[string(r.Key)] = r.Partition
			if len(r.Headers) != 1 || r.Headers[0].Key != "n" {
				t.Errorf("record %s: headers %v", r.Value, r.Headers)
			}
		})
	}
	for i := 0; i < count; i++ {
		if key := got[fmt.Sprintf("order-%d", i)]; key != fmt.Sprintf("user-%d", i%5) {
			t.Errorf("order-%d: key %q", i, key)
		}
	}

	// The same records in the simulated cluster, on the partitions the
	// client saw.
	g.Do(func(c *core.Cluster) {
		inCluster := 0
		for p := int32(0); p < 3; p++ {
			records, err := c.PartitionRecords("orders", p, -1, 0, 1000)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range records {
				if r.Key == nil || r.Value == nil {
					t.Fatalf("partition %d offset %d: null key or value", p, r.Offset)
				}
				if partitionOf[*r.Key] != p {
					t.Errorf("key %s: partition %d in the cluster, %d at the client", *r.Key, p, partitionOf[*r.Key])
				}
				if got[*r.Value] != *r.Key {
					t.Errorf("record %s/%s in the cluster was not consumed", *r.Key, *r.Value)
				}
				if r.ProducerID < 0 {
					t.Errorf("record %s written without a producer id (idempotence)", *r.Value)
				}
				inCluster++
			}
		}
		if inCluster != count {
			t.Errorf("%d records in the cluster, want %d", inCluster, count)
		}
		topic := c.State().Topics["orders"]
		for p, part := range topic.Partitions {
			if len(part.Isr) != 3 {
				t.Errorf("orders-%s: ISR %v", p, part.Isr)
			}
		}
	})
}

// TestApiVersionsUnsupported: an ApiVersions version the gateway does not
// serve is answered in version 0 with UNSUPPORTED_VERSION and the keys it
// serves, as Kafka answers it.
func TestApiVersionsUnsupported(t *testing.T) {
	g := startGateway(t, 1)
	socket, err := net.Dial("tcp", g.Addresses()[1])
	if err != nil {
		t.Fatal(err)
	}
	defer socket.Close()
	req := kmsg.NewPtrApiVersionsRequest()
	req.Version = 9
	frame := kmsg.NewRequestFormatter(kmsg.FormatterClientID("test")).AppendRequest(nil, req, 42)
	if _, err := socket.Write(frame); err != nil {
		t.Fatal(err)
	}
	socket.SetReadDeadline(time.Now().Add(10 * time.Second))
	raw, err := readFrame(socket, DefaultMaxFrameBytes)
	if err != nil {
		t.Fatal(err)
	}
	resp := kmsg.NewPtrApiVersionsResponse()
	resp.Version = 0
	if correlation := int32(raw[0])<<24 | int32(raw[1])<<16 | int32(raw[2])<<8 | int32(raw[3]); correlation != 42 {
		t.Fatalf("correlation id %d", correlation)
	}
	if err := resp.ReadFrom(raw[4:]); err != nil {
		t.Fatal(err)
	}
	if resp.ErrorCode != 35 {
		t.Errorf("error code %d, want 35 (UNSUPPORTED_VERSION)", resp.ErrorCode)
	}
	if len(resp.ApiKeys) != len(supportedKeys) {
		t.Errorf("%d api keys, want %d", len(resp.ApiKeys), len(supportedKeys))
	}
}

// TestBrokerKilled: the leader's broker is killed in the simulation; its
// port refuses connections, and the franz-go producer moves on to the new
// leader without losing an acknowledged record.
func TestBrokerKilled(t *testing.T) {
	g, err := Start(context.Background(), Config{Spec: core.Spec{Seed: 3, Brokers: 3,
		Config: map[string]string{"broker.session.timeout.ms": "3000", "broker.heartbeat.interval.ms": "500"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl := newClient(t, g, kgo.MetadataMinAge(100*time.Millisecond))
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

	var leader int32
	g.Do(func(c *core.Cluster) {
		leader = c.State().Topics["events"].Partitions["0"].Leader
		if err := c.KillBroker(leader); err != nil {
			t.Fatal(err)
		}
	})
	if socket, err := net.DialTimeout("tcp", g.Addresses()[leader], time.Second); err == nil {
		socket.Close()
		t.Fatalf("broker %d was killed but its port accepts connections", leader)
	}
	produce(10, 20)

	g.Do(func(c *core.Cluster) {
		part := c.State().Topics["events"].Partitions["0"]
		if part.Leader == leader || part.Leader < 1 {
			t.Errorf("leader %d after broker %d was killed", part.Leader, leader)
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
	})

	// Restarted, the broker's port accepts connections again.
	g.Do(func(c *core.Cluster) {
		if err := c.StartBroker(leader); err != nil {
			t.Fatal(err)
		}
	})
	socket, err := net.DialTimeout("tcp", g.Addresses()[leader], time.Second)
	if err != nil {
		t.Fatalf("broker %d restarted but its port refuses: %v", leader, err)
	}
	socket.Close()
}
