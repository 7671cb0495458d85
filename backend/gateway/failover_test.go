package gateway

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/kafka-playground/playground/core"
	"github.com/twmb/franz-go/pkg/kgo"
)

// ack is where the cluster acknowledged one record.
type ack struct {
	partition int32
	offset    int64
}

// TestBrokerKilledMidStream: a franz-go producer (acks=all, idempotent)
// streams records while the leader of one partition is killed in the
// simulation; the client finds the new leader (its old one refuses
// connections, the metadata it refreshes names another) and every
// record it was told is acknowledged is in the log, once, where the
// acknowledgement said, and a consumer reads it back there.
func TestBrokerKilledMidStream(t *testing.T) {
	g, _ := startCheckedGateway(t, core.Spec{Seed: 13, Brokers: 3,
		Config: map[string]string{"broker.session.timeout.ms": "3000", "broker.heartbeat.interval.ms": "500"}})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cl := newClient(t, g, kgo.MetadataMinAge(100*time.Millisecond), kgo.RequiredAcks(kgo.AllISRAcks()))
	createTopic(t, ctx, cl, "stream", 3, 3)

	const total = 600
	var mu sync.Mutex
	acked := map[string]ack{}
	var failures []error
	var callbacks sync.WaitGroup
	produced := make(chan struct{})
	go func() {
		defer close(produced)
		for i := 0; i < total; i++ {
			r := &kgo.Record{Topic: "stream", Key: []byte(fmt.Sprintf("k-%d", i%30)), Value: []byte(fmt.Sprintf("v-%d", i))}
			callbacks.Add(1)
			cl.Produce(ctx, r, func(r *kgo.Record, err error) {
				defer callbacks.Done()
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					failures = append(failures, fmt.Errorf("%s: %w", r.Value, err))
					return
				}
				acked[string(r.Value)] = ack{r.Partition, r.Offset}
			})
			if i%20 == 19 {
				time.Sleep(10 * time.Millisecond) // a stream over time, not one burst
			}
		}
	}()

	// Kill partition 0's leader once a third of the stream is in.
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= total/3 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("only %d records acknowledged before the kill", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	var leader int32
	var endBefore int64
	g.Do(func(c *core.Cluster) {
		part := c.State().Topics["stream"].Partitions["0"]
		leader, endBefore = part.Leader, part.HighWatermark
		if err := c.KillBroker(leader); err != nil {
			t.Fatal(err)
		}
	})
	<-produced
	callbacks.Wait()

	if len(failures) > 0 {
		t.Errorf("%d records failed, first: %v", len(failures), failures[0])
	}
	movedOn := false
	for _, a := range acked {
		movedOn = movedOn || (a.partition == 0 && a.offset >= endBefore)
	}
	g.Do(func(c *core.Cluster) {
		if now := c.State().Topics["stream"].Partitions["0"].Leader; now == leader || now < 1 {
			t.Errorf("partition 0 led by %d after broker %d was killed", now, leader)
		}
	})
	if !movedOn {
		t.Errorf("no record acknowledged on partition 0 after its leader %d was killed (end offset then %d)", leader, endBefore)
	}

	// Every acknowledged record is in the log, once, at its offset.
	inLog := map[string][]ack{}
	g.Do(func(c *core.Cluster) {
		for p := int32(0); p < 3; p++ {
			records, err := c.PartitionRecords("stream", p, -1, 0, 2*total)
			if err != nil {
				t.Fatal(err)
			}
			hw := c.State().Topics["stream"].Partitions[fmt.Sprint(p)].HighWatermark
			for _, r := range records {
				if r.Value != nil && r.Offset < hw {
					inLog[*r.Value] = append(inLog[*r.Value], ack{p, r.Offset})
				}
			}
		}
	})
	for value, a := range acked {
		got := inLog[value]
		if len(got) != 1 || got[0] != a {
			t.Errorf("%s acknowledged at %d/%d, in the log at %v", value, a.partition, a.offset, got)
		}
	}
	if len(acked) != total {
		t.Errorf("%d of %d records acknowledged", len(acked), total)
	}

	// And a consumer reads them all back, each once, where acknowledged.
	consumer := newClient(t, g, kgo.ConsumeTopics("stream"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	read := map[string][]ack{}
	for n := 0; n < len(acked); {
		fetches := consumer.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read back %d of %d acknowledged records", n, len(acked))
		}
		fetches.EachRecord(func(r *kgo.Record) {
			read[string(r.Value)] = append(read[string(r.Value)], ack{r.Partition, r.Offset})
			n++
		})
	}
	for value, a := range acked {
		if got := read[value]; len(got) != 1 || got[0] != a {
			t.Errorf("%s acknowledged at %d/%d, read back at %v", value, a.partition, a.offset, got)
		}
	}
}
