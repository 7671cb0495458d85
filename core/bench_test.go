package core_test

// Benchmarks of the engine's throughput and memory. They run natively and
// in WebAssembly (`make bench`), so they use nothing wasm lacks: no
// goroutines of their own, no files, only runtime.ReadMemStats.
//
//	go test ./core/ -run '^$' -bench . -benchmem -benchtime=200000x

import (
	"flag"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/kafka-playground/playground/core"
	"github.com/kafka-playground/playground/core/client"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/record"
)

var memoryRecords = flag.Int("memory-records", 1_000_000, "BenchmarkMemoryPerRecord: records to store")

// Shape of the benchmark records: a 16-byte key and a 100-byte value.
const (
	benchKeyBytes   = 16
	benchValueBytes = 100
	benchKeys       = 1024
	// benchChunk is how many records are sent before waiting for them:
	// enough to keep every partition's batches full and in flight.
	benchChunk = 10_000
	// benchWaitMs bounds the virtual time one chunk may take.
	benchWaitMs = 10 * 60 * 1000
)

// benchKeySet returns benchKeys distinct 16-byte keys.
func benchKeySet() []string {
	keys := make([]string, benchKeys)
	for i := range keys {
		s := strconv.Itoa(i)
		keys[i] = "key-" + strings.Repeat("0", benchKeyBytes-4-len(s)) + s
	}
	return keys
}

// benchCluster boots a 3-broker cluster with topic "bench" (RF 3) and one
// producer with the given config, metadata already fetched.
func benchCluster(b *testing.B, partitions int32, producerConfig map[string]string) (*core.Cluster, *client.Producer) {
	b.Helper()
	c, err := core.New(core.Spec{Seed: 1, Brokers: 3, LatencyMs: 1})
	if err != nil {
		b.Fatal(err)
	}
	c.Boot()
	f := c.CreateTopic("bench", partitions, 3, nil)
	if !c.Wait(f, 60000) || f.Error != protocol.None {
		b.Fatalf("create topic: done=%v %s %s", f.Done, f.Error, f.Message)
	}
	if err := c.AddProducer("bench-producer", producerConfig); err != nil {
		b.Fatal(err)
	}
	p := c.Producer("bench-producer")
	// Warm up: metadata, producer id, connections.
	r := p.Send("bench", -1, record.Record{Key: "warm-up", Value: "warm-up"})
	c.Sim().RunWhile(p.Outstanding, c.Now()+benchWaitMs)
	if !r.Done || r.Error != protocol.None {
		b.Fatalf("warm-up send: done=%v %s %s", r.Done, r.Error, r.Message)
	}
	return c, p
}

// produceRecords sends n records in chunks and runs the cluster until each
// chunk is acknowledged; value returns the i-th record's value.
func produceRecords(b *testing.B, c *core.Cluster, p *client.Producer, n int, keys []string, value func(i int) string) {
	for sent := 0; sent < n; {
		chunk := min(benchChunk, n-sent)
		var last *client.SendResult
		for i := 0; i < chunk; i++ {
			last = p.Send("bench", -1, record.Record{Key: keys[(sent+i)%len(keys)], Value: value(sent + i)})
		}
		sent += chunk
		c.Sim().RunWhile(p.Outstanding, c.Now()+benchWaitMs)
		if !last.Done || last.Error != protocol.None {
			b.Fatalf("record %d: done=%v %s %s", sent-1, last.Done, last.Error, last.Message)
		}
	}
	if failed := p.Counters().Failed; failed > 0 {
		b.Fatalf("%d records failed: %v", failed, p.Counters().Errors)
	}
}

func benchmarkProduce(b *testing.B, producerConfig map[string]string) {
	c, p := benchCluster(b, 3, producerConfig)
	keys := benchKeySet()
	value := strings.Repeat("v", benchValueBytes)
	b.ReportAllocs()
	b.ResetTimer()
	produceRecords(b, c, p, b.N, keys, func(int) string { return value })
	b.StopTimer()
	seconds := b.Elapsed().Seconds()
	if seconds > 0 {
		b.ReportMetric(float64(b.N)/seconds, "records/s")
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/record")
}

// BenchmarkProduceReplicate measures records per second through the whole
// path: producer accumulator, ProduceRequest, leader append, follower
// fetches, high watermark, acknowledgement (acks=all, idempotent, RF 3,
// 3 brokers, 3 partitions, 16-byte keys, 100-byte values). One op is one
// record.
func BenchmarkProduceReplicate(b *testing.B) {
	benchmarkProduce(b, map[string]string{})
}

// BenchmarkProduceReplicateNoIdempotence is BenchmarkProduceReplicate
// without producer ids and sequence checks (acks=all,
// enable.idempotence=false).
func BenchmarkProduceReplicateNoIdempotence(b *testing.B) {
	benchmarkProduce(b, map[string]string{"acks": "all", "enable.idempotence": "false"})
}

// BenchmarkMemoryPerRecord stores -memory-records records (RF 3, each with
// its own 16-byte key and 100-byte value) and reports the live heap they
// cost per record. A record is counted once, not once per replica: the
// three replicas share the same immutable batch, so the figure is what
// one more record costs the whole cluster. It includes the 116 bytes of
// key and value, and the engine's bounded in-memory trace, which fills
// early and is amortized over the records.
func BenchmarkMemoryPerRecord(b *testing.B) {
	n := *memoryRecords
	keys := make([]string, n)
	for i := range keys {
		s := strconv.Itoa(i)
		keys[i] = "key-" + strings.Repeat("0", max(0, benchKeyBytes-4-len(s))) + s
	}
	filler := strings.Repeat("v", benchValueBytes-12)
	var perRecord float64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c, p := benchCluster(b, 3, map[string]string{})
		before := liveHeapBytes()
		b.StartTimer()
		produceRecords(b, c, p, n, keys, func(i int) string {
			s := strconv.Itoa(i)
			return filler + strings.Repeat("0", 12-len(s)) + s
		})
		b.StopTimer()
		after := liveHeapBytes()
		perRecord = float64(int64(after)-int64(before)) / float64(n)
		runtime.KeepAlive(c)
		runtime.KeepAlive(p)
	}
	runtime.KeepAlive(keys)
	b.ReportMetric(perRecord, "bytes/record")
	b.ReportMetric(perRecord-benchKeyBytes-benchValueBytes, "overhead-bytes/record")
}

// liveHeapBytes returns the heap in use after a full collection.
func liveHeapBytes() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkIdleWeek advances an idle 3-broker cluster with one topic
// (3 partitions, RF 3) by seven virtual days: heartbeats, fetch long
// polls, metadata and housekeeping timers only. It reports wall
// milliseconds per virtual day.
func BenchmarkIdleWeek(b *testing.B) {
	const days = 7
	const dayMs = 24 * 60 * 60 * 1000
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c, err := core.New(core.Spec{Seed: 1, Brokers: 3, LatencyMs: 1})
		if err != nil {
			b.Fatal(err)
		}
		c.Boot()
		f := c.CreateTopic("idle", 3, 3, nil)
		if !c.Wait(f, 60000) || f.Error != protocol.None {
			b.Fatalf("create topic: done=%v %s %s", f.Done, f.Error, f.Message)
		}
		b.StartTimer()
		for day := 0; day < days; day++ {
			c.Advance(dayMs)
		}
		b.StopTimer()
		if err := c.Sim().Err(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e6/float64(days*b.N), "ms/virtual-day")
}

// BenchmarkProduceTransactions is BenchmarkProduceReplicate inside
// transactions of 1000 records each: AddPartitionsToTxn, the
// coordinator's replicated state changes and the commit markers included.
// One op is one record.
func BenchmarkProduceTransactions(b *testing.B) {
	c, err := core.New(core.Spec{Seed: 1, Brokers: 3, LatencyMs: 1})
	if err != nil {
		b.Fatal(err)
	}
	c.Boot()
	if f := c.CreateTopic("bench", 3, 3, nil); !c.Wait(f, 60000) || f.Error != protocol.None {
		b.Fatalf("create topic: %s", f.Error)
	}
	if err := c.AddProducer("txn", map[string]string{"transactional.id": "bench"}); err != nil {
		b.Fatal(err)
	}
	p := c.Producer("txn")
	if f := p.InitTransactions(); !c.Wait(f, 120000) || f.Error != protocol.None {
		b.Fatalf("init: %s %s", f.Error, f.Message)
	}
	keys := benchKeySet()
	value := strings.Repeat("v", benchValueBytes)
	const perTransaction = 1000
	b.ReportAllocs()
	b.ResetTimer()
	for sent := 0; sent < b.N; {
		p.BeginTransaction()
		n := min(perTransaction, b.N-sent)
		for i := 0; i < n; i++ {
			p.Send("bench", -1, record.Record{Key: keys[(sent+i)%len(keys)], Value: value})
		}
		sent += n
		if f := p.CommitTransaction(); !c.Wait(f, benchWaitMs) || f.Error != protocol.None {
			b.Fatalf("commit: done=%v %s %s", f.Done, f.Error, f.Message)
		}
	}
	b.StopTimer()
	if seconds := b.Elapsed().Seconds(); seconds > 0 {
		b.ReportMetric(float64(b.N)/seconds, "records/s")
	}
}

// BenchmarkEndToEndGroup measures records per second from a producer
// (acks=all, idempotent) through replication to a consumer group of three
// members polling with their default max.poll.records; one op is one
// record produced and consumed.
func BenchmarkEndToEndGroup(b *testing.B) {
	c, p := benchCluster(b, 3, map[string]string{})
	members := []string{"member-1", "member-2", "member-3"}
	for _, id := range members {
		if err := c.AddConsumer(id, "bench-group", []string{"bench"}, map[string]string{"auto.offset.reset": "earliest"}); err != nil {
			b.Fatal(err)
		}
	}
	// Join: every member polls until the group is stable.
	for round := 0; round < 10; round++ {
		for _, id := range members {
			c.Consumer(id).Poll(0, 100)
		}
		c.Advance(1000)
	}
	keys := benchKeySet()
	value := strings.Repeat("v", benchValueBytes)
	consumedBefore := int64(0)
	for _, id := range members {
		consumedBefore += c.Consumer(id).Consumed()
	}
	b.ReportAllocs()
	b.ResetTimer()
	produceRecords(b, c, p, b.N, keys, func(int) string { return value })
	consumed := func() int64 {
		total := int64(-consumedBefore)
		for _, id := range members {
			total += c.Consumer(id).Consumed()
		}
		return total
	}
	for rounds := 0; consumed() < int64(b.N) && rounds < 100000; rounds++ {
		var polls []*client.PollResult
		for _, id := range members {
			polls = append(polls, c.Consumer(id).Poll(0, 100))
		}
		c.Sim().RunWhile(func() bool {
			for _, r := range polls {
				if !r.Done {
					return true
				}
			}
			return false
		}, c.Now()+200)
	}
	b.StopTimer()
	if got := consumed(); got < int64(b.N) {
		b.Fatalf("consumed %d of %d records", got, b.N)
	}
	if seconds := b.Elapsed().Seconds(); seconds > 0 {
		b.ReportMetric(float64(b.N)/seconds, "records/s")
	}
}
