package gateway

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kafka-playground/playground/core"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// produceTransaction writes count records per partition in one
// transaction and commits or aborts it.
func produceTransaction(t *testing.T, ctx context.Context, cl *kgo.Client, topic, prefix string, partitions int32, count int, commit kgo.TransactionEndTry) {
	t.Helper()
	if err := cl.BeginTransaction(); err != nil {
		t.Fatalf("%s: BeginTransaction: %v", prefix, err)
	}
	for p := int32(0); p < partitions; p++ {
		for i := 0; i < count; i++ {
			r := &kgo.Record{Topic: topic, Partition: p, Value: []byte(fmt.Sprintf("%s-%d-%d", prefix, p, i))}
			if err := cl.ProduceSync(ctx, r).FirstErr(); err != nil {
				t.Fatalf("%s: produce: %v", prefix, err)
			}
		}
	}
	if err := cl.EndTransaction(ctx, commit); err != nil {
		t.Fatalf("%s: EndTransaction: %v", prefix, err)
	}
}

// consumeUntil reads a topic from the start until want records with the
// given prefix arrived, and returns how many of each prefix it saw.
func consumeUntil(t *testing.T, ctx context.Context, cl *kgo.Client, prefix string, want int) map[string]int {
	t.Helper()
	seen := map[string]int{}
	for seen[prefix] < want {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("saw %v, waiting for %d %s records", seen, want, prefix)
		}
		fetches.EachRecord(func(r *kgo.Record) {
			seen[strings.SplitN(string(r.Value), "-", 2)[0]]++
		})
	}
	return seen
}

// TestTransactions: a franz-go transactional producer commits one
// transaction and aborts the next; a read_committed consumer sees only
// the committed records, a read_uncommitted one sees both.
func TestTransactions(t *testing.T) {
	g, _ := startCheckedGateway(t, core.Spec{Seed: 5, Brokers: 3})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	admin := newClient(t, g)
	createTopic(t, ctx, admin, "payments", 3, 3)
	producer := newClient(t, g, kgo.TransactionalID("payments-tx"), kgo.RecordPartitioner(kgo.ManualPartitioner()))

	const perPartition = 4
	produceTransaction(t, ctx, producer, "payments", "committed", 3, perPartition, kgo.TryCommit)
	produceTransaction(t, ctx, producer, "payments", "aborted", 3, perPartition, kgo.TryAbort)
	// A last committed transaction: a consumer that saw it on every
	// partition has read past the aborted records.
	produceTransaction(t, ctx, producer, "payments", "last", 3, perPartition, kgo.TryCommit)

	committed := newClient(t, g, kgo.ConsumeTopics("payments"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	seen := consumeUntil(t, ctx, committed, "last", 3*perPartition)
	if seen["committed"] != 3*perPartition || seen["aborted"] != 0 || seen["last"] != 3*perPartition {
		t.Errorf("read_committed saw %v, want %d committed and %d last records and no aborted one", seen, 3*perPartition, 3*perPartition)
	}

	uncommitted := newClient(t, g, kgo.ConsumeTopics("payments"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchIsolationLevel(kgo.ReadUncommitted()))
	seen = consumeUntil(t, ctx, uncommitted, "last", 3*perPartition)
	if seen["committed"] != 3*perPartition || seen["aborted"] != 3*perPartition || seen["last"] != 3*perPartition {
		t.Errorf("read_uncommitted saw %v, want %d of each", seen, 3*perPartition)
	}

	// The simulated cluster holds the records, transactional, and the
	// markers: commit, abort, commit on every partition.
	g.Do(func(c *core.Cluster) {
		for p := int32(0); p < 3; p++ {
			records, err := c.PartitionRecords("payments", p, -1, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			var markers []string
			data := 0
			for _, r := range records {
				switch {
				case r.Marker != "":
					markers = append(markers, r.Marker)
				case !r.Transactional || r.ProducerID < 0:
					t.Errorf("payments-%d offset %d: not transactional", p, r.Offset)
				default:
					data++
				}
			}
			if data != 3*perPartition || strings.Join(markers, " ") != "COMMIT ABORT COMMIT" {
				t.Errorf("payments-%d: %d records and markers %v, want %d and COMMIT ABORT COMMIT", p, data, markers, 3*perPartition)
			}
		}
	})
}

// TestTransactionalOffsets: a franz-go GroupTransactSession reads a topic
// in a group and writes to another in transactions (AddOffsetsToTxn,
// TxnOffsetCommit): an aborted transaction leaves the group's committed
// offsets where they were, a committed one moves them.
func TestTransactionalOffsets(t *testing.T) {
	spec := core.Spec{Seed: 9, Brokers: 3, Config: groupTestConfig}
	g, _ := startCheckedGateway(t, spec)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	admin := newClient(t, g)
	createTopic(t, ctx, admin, "in", 1, 3)
	createTopic(t, ctx, admin, "out", 1, 3)
	produceValues(t, ctx, admin, "in", "a", 5)

	opts := []kgo.Opt{kgo.SeedBrokers(seeds(g)...), kgo.ProducerBatchCompression(kgo.NoCompression()), kgo.RetryTimeout(30 * time.Second),
		kgo.TransactionalID("copier"), kgo.ConsumerGroup("copiers"), kgo.ConsumeTopics("in"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.HeartbeatInterval(200 * time.Millisecond)}
	copyOnce := func(end kgo.TransactionEndTry) int {
		session, err := kgo.NewGroupTransactSession(opts...)
		if err != nil {
			t.Fatal(err)
		}
		defer session.Close()
		n := 0
		for n < 5 {
			fetches := session.PollFetches(ctx)
			if ctx.Err() != nil {
				t.Fatalf("copied %d of 5 records", n)
			}
			if err := session.Begin(); err != nil && n == 0 {
				t.Fatalf("Begin: %v", err)
			}
			fetches.EachRecord(func(r *kgo.Record) {
				session.Produce(ctx, &kgo.Record{Topic: "out", Value: r.Value}, nil)
				n++
			})
		}
		// Written before it ends: an aborted transaction leaves records
		// and an ABORT marker behind.
		if err := session.Client().Flush(ctx); err != nil {
			t.Fatalf("Flush: %v", err)
		}
		committed, err := session.End(ctx, end)
		if err != nil {
			t.Fatalf("End(%v): %v", end, err)
		}
		if committed != (end == kgo.TryCommit) {
			t.Fatalf("End(%v) committed %v", end, committed)
		}
		return n
	}
	committedOffset := func() int64 {
		req := kmsg.NewPtrOffsetFetchRequest()
		req.Group = "copiers"
		resp, err := req.RequestWith(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		for _, rg := range resp.Groups {
			for _, rt := range rg.Topics {
				for _, p := range rt.Partitions {
					return p.Offset
				}
			}
		}
		for _, rt := range resp.Topics {
			for _, p := range rt.Partitions {
				return p.Offset
			}
		}
		return -1
	}

	copyOnce(kgo.TryAbort)
	if offset := committedOffset(); offset != -1 {
		t.Errorf("after an aborted transaction the group committed offset %d, want none", offset)
	}
	copyOnce(kgo.TryCommit)
	if offset := committedOffset(); offset != 5 {
		t.Errorf("after a committed transaction the group committed offset %d, want 5", offset)
	}
	// out holds both copies; a read_committed reader gets the committed
	// one only, after the aborted one's marker.
	var abortAt int64 = -1
	g.Do(func(c *core.Cluster) {
		records, err := c.PartitionRecords("out", 0, -1, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range records {
			if r.Marker == "ABORT" {
				abortAt = r.Offset
			}
		}
	})
	if abortAt < 0 {
		t.Fatal("out has no ABORT marker")
	}
	reader := newClient(t, g, kgo.ConsumeTopics("out"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	var read []int64
	for len(read) < 5 {
		fetches := reader.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read %d of 5 committed records of out", len(read))
		}
		fetches.EachRecord(func(r *kgo.Record) { read = append(read, r.Offset) })
	}
	for _, offset := range read {
		if offset < abortAt {
			t.Errorf("read_committed read out offset %d, of the transaction aborted at %d", offset, abortAt)
		}
	}
	if gs, ok := groupState(g, "copiers"); !ok || gs.Offsets["in-0"] != 5 {
		t.Errorf("state document: group copiers %+v, want in-0 committed at 5", gs)
	}
}
