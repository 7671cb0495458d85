package clienttest

// franz-go's produce throughput through a journaled gateway room,
// beside franz-go's kfake in the same run (make bench).

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kafka-playground/playground/backend"
	"github.com/kafka-playground/playground/core/scenario"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

const (
	// benchRecordBytes is the value size of the benchmark's records.
	benchRecordBytes = 1024
	// benchBrokers and benchPartitions shape both clusters; the topic's
	// replication factor is benchBrokers (kfake keeps one copy whatever
	// it is told).
	benchBrokers    = 3
	benchPartitions = 3
	// benchTimeout bounds one run's produce and flush.
	benchTimeout = 5 * time.Minute
)

// BenchmarkProduceThroughput produces 1 KB records with franz-go (acks=all,
// idempotent, no compression, its default batching) through the gateway
// of a room (a 3-broker simulated cluster, the topic replicated three
// times; every request journaled in SQLite before its response leaves)
// and through kfake (3 brokers), each started in-process, and prints the
// gateway's throughput as a multiple of kfake's. The records' values are
// zeros; the gateway runs again with values of random bytes, which its
// journal cannot compress, so that what the disk's write bandwidth costs
// shows (kfake keeps records in memory, whatever their bytes).
func BenchmarkProduceThroughput(b *testing.B) {
	rates := map[string]*benchRates{"gateway": {}, "gateway, random values": {}, "kfake": {}}
	gateway := func(b *testing.B, values [][]byte) float64 {
		return benchProduce(b, benchRoom(b, backend.Config{}), values)
	}
	zeros := [][]byte{make([]byte, benchRecordBytes)}
	b.Run("gateway", func(b *testing.B) { rates["gateway"].add(b.N, gateway(b, zeros)) })
	b.Run("gateway_random_values", func(b *testing.B) { rates["gateway, random values"].add(b.N, gateway(b, randomValues())) })
	b.Run("kfake", func(b *testing.B) {
		cluster, err := kfake.NewCluster(kfake.NumBrokers(benchBrokers))
		if err != nil {
			b.Fatal(err)
		}
		defer cluster.Close()
		rates["kfake"].add(b.N, benchProduce(b, cluster.ListenAddrs(), zeros))
	})
	kfakeRate, kfakeRuns := rates["kfake"].median()
	for _, name := range []string{"gateway", "gateway, random values"} {
		rate, runs := rates[name].median()
		if rate > 0 && kfakeRate > 0 {
			fmt.Printf("produce throughput, 1 KB records, acks=all, idempotent, medians of %d and %d runs: %s %.0f records/s, kfake %.0f records/s, ÷ kfake = %.2f×\n",
				runs, kfakeRuns, name, rate, kfakeRate, rate/kfakeRate)
		}
	}
}

// benchRoom opens a server of config (in a folder of the benchmark's,
// without limits of gateway inputs) for the rest of the benchmark, with
// a gateway room of benchBrokers brokers, and returns its bootstrap list.
func benchRoom(b *testing.B, config backend.Config) []string {
	config.DataDir, config.Logger = b.TempDir(), slog.New(slog.NewTextHandler(io.Discard, nil))
	config.MaxGatewayInputsPerRoom, config.MaxGatewayBytesPerRoom = 1<<40, 1<<40
	server, err := backend.Open(config)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { server.Close() })
	source := scenario.New()
	source.Seed, source.Cluster.Brokers = 1, benchBrokers
	room, err := server.CreateGatewayRoom(context.Background(), source, backend.GatewaySettings{})
	if err != nil {
		b.Fatal(err)
	}
	return strings.Split(room.Listeners[0].Bootstrap, ",")
}

// randomValues are 4096 values of random bytes, 4 MiB: more than one
// batch, so that no value repeats within a produce request.
func randomValues() [][]byte {
	random := rand.New(rand.NewPCG(1, 2))
	values := make([][]byte, 4096)
	for i := range values {
		values[i] = make([]byte, benchRecordBytes)
		for j := range values[i] {
			values[i][j] = byte(random.Uint32())
		}
	}
	return values
}

// benchRates are the records per second of a sub-benchmark's runs, by
// run size (-count repeats a size; the first run, of one record, is the
// framework's probe).
type benchRates struct {
	bySize map[int][]float64
	most   int
}

func (r *benchRates) add(n int, rate float64) {
	if r.bySize == nil {
		r.bySize = map[int][]float64{}
	}
	r.bySize[n] = append(r.bySize[n], rate)
	r.most = max(r.most, n)
}

// median is the median rate of the largest runs and how many there were.
func (r *benchRates) median() (float64, int) {
	rates := slices.Clone(r.bySize[r.most])
	if len(rates) == 0 {
		return 0, 0
	}
	slices.Sort(rates)
	middle := len(rates) / 2
	if len(rates)%2 == 0 {
		return (rates[middle-1] + rates[middle]) / 2, len(rates)
	}
	return rates[middle], len(rates)
}

// storedRecords sums the topic's end offsets (ListOffsets, latest), which
// franz-go sends to each partition's leader.
func storedRecords(b *testing.B, ctx context.Context, client *kgo.Client, topic string, partitions int32) int64 {
	req := kmsg.NewPtrListOffsetsRequest()
	t := kmsg.NewListOffsetsRequestTopic()
	t.Topic = topic
	for p := int32(0); p < partitions; p++ {
		part := kmsg.NewListOffsetsRequestTopicPartition()
		part.Partition, part.Timestamp = p, -1
		t.Partitions = append(t.Partitions, part)
	}
	req.Topics = append(req.Topics, t)
	resp, err := req.RequestWith(ctx, client)
	if err != nil {
		b.Fatalf("ListOffsets: %v", err)
	}
	var total int64
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
				b.Fatalf("ListOffsets %s-%d: %v", t.Topic, p.Partition, err)
			}
			total += p.Offset
		}
	}
	return total
}

// benchProduce creates the topic, produces b.N records with values,
// in turn, and flushes, and returns the records per second.
func benchProduce(b *testing.B, brokers []string, values [][]byte) float64 {
	createTopic(b, brokers, "bench", benchPartitions, benchBrokers)
	producer, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.DefaultProduceTopic("bench"),
		kgo.RequiredAcks(kgo.AllISRAcks()), kgo.ProducerBatchCompression(kgo.NoCompression()))
	if err != nil {
		b.Fatal(err)
	}
	defer producer.Close()
	ctx, cancel := context.WithTimeout(context.Background(), benchTimeout)
	defer cancel()
	var mu sync.Mutex
	var firstErr error
	failed := 0
	b.SetBytes(benchRecordBytes)
	// What the run before left (a room's records, kfake's) is collected
	// now rather than during this one, and its memory given back, so
	// that each run starts from the same: one run's freed records do not
	// make room for the next one's (kfake measured up to twice as fast
	// run after a gateway run as run first).
	debug.FreeOSMemory()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		producer.Produce(ctx, &kgo.Record{Value: values[i%len(values)]}, func(_ *kgo.Record, err error) {
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				failed++
				mu.Unlock()
			}
		})
	}
	if err := producer.Flush(ctx); err != nil {
		b.Fatalf("flush: %v", err)
	}
	b.StopTimer()
	if failed > 0 {
		b.Fatalf("%d of %d records failed, the first with %v", failed, b.N, firstErr)
	}
	if stored := storedRecords(b, ctx, producer, "bench", benchPartitions); stored != int64(b.N) {
		b.Fatalf("%d records acknowledged, %d in the topic", b.N, stored)
	}
	rate := float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(rate, "records/s")
	return rate
}

// BenchmarkGatewayRoomHeap produces b.N records of 1 KB of random bytes
// through a gateway room, as BenchmarkProduceThroughput does, and
// reports the heap the server holds afterwards per record produced: the
// records' keys and values (1,024 bytes each here), held once, by their
// partitions' logs (the room's journal keeps a Produce request as the
// request whose records the logs share, not as a copy of its bytes),
// and what the simulation keeps around them.
func BenchmarkGatewayRoomHeap(b *testing.B) {
	bootstrap := benchRoom(b, backend.Config{SnapshotEveryInputs: -1})
	var before runtime.MemStats
	debug.FreeOSMemory()
	runtime.ReadMemStats(&before)
	benchProduce(b, bootstrap, randomValues())
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(b.N), "heap-bytes/record")
}
