package gateway

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kafka-playground/playground/core"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/record"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestProduceConsumeCompressed: franz-go produces with each of gzip,
// snappy, lz4 and zstd; the simulated cluster stores the records with
// the producer's codec, and a consumer reads back exactly what was
// produced, from batches the gateway compressed again.
func TestProduceConsumeCompressed(t *testing.T) {
	g := startGateway(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	admin := newClient(t, g)
	cases := []struct {
		codec kgo.CompressionCodec
		want  record.Compression
	}{
		{kgo.GzipCompression(), record.CompressionGzip},
		{kgo.SnappyCompression(), record.CompressionSnappy},
		{kgo.Lz4Compression(), record.CompressionLZ4},
		{kgo.ZstdCompression(), record.CompressionZstd},
	}
	for _, c := range cases {
		topic := "compressed-" + c.want.String()
		t.Run(c.want.String(), func(t *testing.T) {
			createTopic(t, ctx, admin, topic, 1, 3)
			producer := newClient(t, g, kgo.ProducerBatchCompression(c.codec), kgo.ProducerLinger(50*time.Millisecond))
			const count = 50
			produced := map[string]string{}
			done := make(chan error, count)
			for i := 0; i < count; i++ {
				r := &kgo.Record{Topic: topic, Key: []byte(fmt.Sprintf("k-%d", i)), Value: []byte(strings.Repeat(fmt.Sprintf("v%d ", i), 30)),
					Headers: []kgo.RecordHeader{{Key: "codec", Value: []byte(c.want.String())}}}
				produced[string(r.Key)] = string(r.Value)
				producer.Produce(ctx, r, func(_ *kgo.Record, err error) { done <- err })
			}
			for i := 0; i < count; i++ {
				if err := <-done; err != nil {
					t.Fatalf("produce: %v", err)
				}
			}
			g.Do(func(cl *core.Cluster) {
				leader := cl.State().Topics[topic].Partitions["0"].Leader
				batches := 0
				cl.Broker(leader).Disk().Logs[protocol.TopicPartition{Topic: topic}].EachBatch(0, func(b *record.Batch) bool {
					batches++
					if b.Compression != c.want {
						t.Errorf("batch at %d stored with %s, produced with %s", b.BaseOffset, b.Compression, c.want)
					}
					return true
				})
				if batches == 0 {
					t.Error("no batch stored")
				}
			})
			consumer := newClient(t, g, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
			got := map[string]string{}
			for len(got) < count {
				fetches := consumer.PollFetches(ctx)
				if err := ctx.Err(); err != nil {
					t.Fatalf("consumed %d of %d: %v", len(got), count, err)
				}
				fetches.EachError(func(topic string, partition int32, err error) { t.Errorf("fetch %s-%d: %v", topic, partition, err) })
				fetches.EachRecord(func(r *kgo.Record) {
					got[string(r.Key)] = string(r.Value)
					if len(r.Headers) != 1 || string(r.Headers[0].Value) != c.want.String() {
						t.Errorf("record %s: headers %v", r.Key, r.Headers)
					}
				})
			}
			for k, v := range produced {
				if got[k] != v {
					t.Errorf("record %s: consumed %q, produced %q", k, got[k], v)
				}
			}
		})
	}
}

// TestTopicCompressionType: a topic whose compression.type names a codec
// stores every batch with it, whatever the producer used, as Kafka
// recompresses; the consumer still reads the same records.
func TestTopicCompressionType(t *testing.T) {
	g := startGateway(t, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	g.Do(func(cl *core.Cluster) {
		f := cl.CreateTopic("logs", 1, 1, map[string]string{"compression.type": "lz4"})
		if !cl.Wait(f, 10000) || f.Error != protocol.None {
			t.Fatalf("create topic: %s %s", f.Error, f.Message)
		}
	})
	producer := newClient(t, g, kgo.ProducerBatchCompression(kgo.GzipCompression()))
	if err := producer.ProduceSync(ctx, &kgo.Record{Topic: "logs", Value: []byte("line")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	g.Do(func(cl *core.Cluster) {
		cl.Broker(1).Disk().Logs[protocol.TopicPartition{Topic: "logs"}].EachBatch(0, func(b *record.Batch) bool {
			if b.Compression != record.CompressionLZ4 {
				t.Errorf("stored with %s, want the topic's lz4", b.Compression)
			}
			return true
		})
	})
	consumer := newClient(t, g, kgo.ConsumeTopics("logs"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	for {
		fetches := consumer.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatal(ctx.Err())
		}
		if records := fetches.Records(); len(records) > 0 {
			if string(records[0].Value) != "line" {
				t.Errorf("consumed %q", records[0].Value)
			}
			return
		}
	}
}
