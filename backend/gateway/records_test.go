package gateway

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"reflect"
	"strings"
	"testing"

	coregateway "github.com/kafka-playground/playground/core/gateway"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/record"
	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/snappy/xerial"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func sampleBatch() *record.Batch {
	b := &record.Batch{BaseOffset: 0, ProducerID: 7, ProducerEpoch: 1, BaseSequence: 3, MaxTimestampMs: 1005,
		Records: record.NewRecords([]record.Record{
			{Key: "user-1", Value: "order-1", TimestampMs: 1000, Headers: []record.Header{{Key: "h", Value: "v"}, {Key: "n", ValueNull: true}}},
			{KeyNull: true, Value: "", TimestampMs: 1005},
			{Key: "", ValueNull: true, TimestampMs: 1001},
		})}
	b.SizeBytes = b.ComputeSize()
	return b
}

// TestBatchRoundTrip: a batch encoded in the v2 format decodes to the
// same batch, null and empty keys and values kept apart, with the size
// Kafka computes.
func TestBatchRoundTrip(t *testing.T) {
	want := sampleBatch()
	raw := encodeBatch(nil, want)
	if int32(len(raw)) != want.SizeBytes {
		t.Errorf("encoded %d bytes, ComputeSize says %d", len(raw), want.SizeBytes)
	}
	got, err := decodeBatches(raw, testBudget())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Fatalf("decoded %+v, want %+v", got[0], want)
	}
}

func testBudget() *inflateBudget { return &inflateBudget{remaining: DefaultMaxDecompressedBytes} }

// decodeBatches reads every whole batch of raw as the simulation gets a
// produced one: decoded, written in the journal's binary form and read
// back from it.
func decodeBatches(raw []byte, budget *inflateBudget) ([]*record.Batch, error) {
	batches, err := splitBatches(raw)
	if err != nil {
		return nil, err
	}
	var out []*record.Batch
	for _, raw := range batches {
		b, records, err := decodeBatch(raw, budget, nil)
		if err != nil {
			return nil, err
		}
		w := coregateway.NewProduceWriter("test", &protocol.ProduceRequest{}, 0)
		if err := w.AddBatch(protocol.TopicPartition{Topic: "t"}, b, records); err != nil {
			return nil, err
		}
		in, err := w.Input(1, 1, true)
		if err != nil {
			return nil, err
		}
		m, err := in.Request.Message()
		if err != nil {
			return nil, err
		}
		out = append(out, m.(*protocol.ProduceRequest).Partitions[0].Batch)
	}
	return out, nil
}

// withCRC sets a batch's CRC-32C after its bytes were changed.
func withCRC(raw []byte) []byte {
	binary.BigEndian.PutUint32(raw[batchCRCOffset:], crc32.Checksum(raw[batchCRCStart:], castagnoli))
	return raw
}

// TestBatchRefused: a wrong CRC, a cut batch, a control batch, an old
// magic and an unknown codec are refused with errors naming why.
func TestBatchRefused(t *testing.T) {
	raw := encodeBatch(nil, sampleBatch())
	bad := append([]byte(nil), raw...)
	bad[len(bad)-1] ^= 0xff
	if _, err := decodeBatches(bad, testBudget()); !errors.Is(err, errCorruptBatch) || !strings.Contains(err.Error(), "CRC") {
		t.Errorf("wrong CRC: %v", err)
	}
	// A batch cut short is left out, as Kafka's ByteBufferLogInputStream
	// leaves out a partial batch, and then none is left.
	if _, _, err := decodeProduced(raw[:len(raw)-3], 9, testBudget(), nil); !errors.Is(err, errInvalidBatch) || !strings.Contains(err.Error(), "at least one record batch") {
		t.Errorf("cut batch: %v", err)
	}
	if _, _, err := decodeProduced(append(append([]byte(nil), raw...), raw...), 9, testBudget(), nil); !errors.Is(err, errInvalidBatch) || !strings.Contains(err.Error(), "exactly one") {
		t.Errorf("two batches: %v", err)
	}
	tiny := append([]byte(nil), raw...)
	binary.BigEndian.PutUint32(tiny[8:], 13)
	if _, _, err := decodeProduced(tiny, 9, testBudget(), nil); !errors.Is(err, errCorruptBatch) || !strings.Contains(err.Error(), "minimum record overhead") {
		t.Errorf("batch size 13: %v", err)
	}
	zstdBatch := sampleBatch()
	zstdBatch.Compression = record.CompressionZstd
	if _, _, err := decodeProduced(encodeBatch(nil, zstdBatch), 6, testBudget(), nil); !errors.Is(err, errUnsupportedCompression) {
		t.Errorf("zstd in produce v6: %v", err)
	}
	if _, _, err := decodeProduced(encodeBatch(nil, zstdBatch), 7, testBudget(), nil); err != nil {
		t.Errorf("zstd in produce v7: %v", err)
	}
	control := append([]byte(nil), raw...)
	control[22] |= attributeControl
	if _, err := decodeBatches(withCRC(control), testBudget()); !errors.Is(err, errInvalidBatch) {
		t.Errorf("control batch: %v", err)
	}
	magic := append([]byte(nil), raw...)
	magic[16] = 1
	if _, err := decodeBatches(magic, testBudget()); !errors.Is(err, errInvalidBatch) {
		t.Errorf("magic 1: %v", err)
	}
	codec := append([]byte(nil), raw...)
	codec[22] |= 5
	if _, err := decodeBatches(withCRC(codec), testBudget()); !errors.Is(err, errCorruptBatch) || !strings.Contains(err.Error(), "codec") {
		t.Errorf("codec 5: %v", err)
	}
}

var codecs = []record.Compression{record.CompressionGzip, record.CompressionSnappy, record.CompressionLZ4, record.CompressionZstd}

// TestCompressedRoundTrip: a batch compressed with each codec decodes to
// the same records and keeps its codec; its records section is smaller
// than uncompressed when the records repeat, and its size is its
// compressed size on the wire, as Kafka counts it.
func TestCompressedRoundTrip(t *testing.T) {
	var records []record.Record
	for i := 0; i < 200; i++ {
		records = append(records, record.Record{Key: fmt.Sprintf("key-%d", i%7), Value: strings.Repeat("value ", 20), TimestampMs: int64(1000 + i)})
	}
	plain := record.NewBatch(records)
	plainBytes := len(encodeBatch(nil, plain))
	for _, codec := range codecs {
		want := record.NewBatch(records)
		want.Compression = codec
		raw := encodeBatch(nil, want)
		if len(raw) >= plainBytes/2 {
			t.Errorf("%s: %d bytes, uncompressed %d", codec, len(raw), plainBytes)
		}
		want.SizeBytes = int32(len(raw))
		got, err := decodeBatches(raw, testBudget())
		if err != nil {
			t.Fatalf("%s: %v", codec, err)
		}
		if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
			t.Fatalf("%s: decoded a different batch", codec)
		}
	}
}

// TestSnappyPlainAndXerial: snappy records are read both as one plain
// block (librdkafka, sarama) and xerial-framed (the Java producer).
func TestSnappyPlainAndXerial(t *testing.T) {
	src := []byte(strings.Repeat("snappy records ", 5000))
	for name, compressed := range map[string][]byte{"plain": s2.EncodeSnappy(nil, src), "xerial": xerial.Encode(nil, src)} {
		got, err := inflate(record.CompressionSnappy, compressed, testBudget())
		if err != nil || !bytes.Equal(got, src) {
			t.Errorf("%s: %d bytes, %v", name, len(got), err)
		}
	}
}

// TestZipBomb: records that decompress past the budget are refused
// before more than the budget is produced, with each codec, and a
// request's batches share one budget.
func TestZipBomb(t *testing.T) {
	const limit = 1 << 20
	bomb := make([]byte, 4*limit)
	for _, codec := range codecs {
		compressed, err := deflate(codec, bomb)
		if err != nil {
			t.Fatal(err)
		}
		if len(compressed) > len(bomb)/16 {
			t.Fatalf("%s: %d compressed bytes is no bomb", codec, len(compressed))
		}
		if _, err := inflate(codec, compressed, &inflateBudget{remaining: limit}); !errors.Is(err, errTooInflated) {
			t.Errorf("%s: %v, want the decompression limit", codec, err)
		}
		small, _ := deflate(codec, bomb[:limit/2])
		budget := &inflateBudget{remaining: limit}
		if _, err := inflate(codec, small, budget); err != nil {
			t.Fatalf("%s: first half: %v", codec, err)
		}
		if _, err := inflate(codec, small, budget); err != nil {
			t.Fatalf("%s: second half: %v", codec, err)
		}
		if _, err := inflate(codec, small, budget); !errors.Is(err, errTooInflated) {
			t.Errorf("%s: a third half within one budget: %v", codec, err)
		}
	}
}

// TestCorruptCompressed: garbage behind a codec's attribute is
// CORRUPT_MESSAGE's error, never a panic.
func TestCorruptCompressed(t *testing.T) {
	for _, codec := range codecs {
		compressed, _ := deflate(codec, []byte(strings.Repeat("abc", 1000)))
		for _, cut := range []int{1, 3, len(compressed) / 2, len(compressed) - 1} {
			if _, err := inflate(codec, compressed[:cut], testBudget()); !errors.Is(err, errCorruptBatch) {
				t.Errorf("%s cut at %d: %v", codec, cut, err)
			}
		}
	}
}

// TestProduceKeepsNoBytesOfItsRequest: once a Produce request is
// translated, the room for records a connection keeps holds none of the
// request's bytes, and none at all past maxKeptRecords; the frame is
// free for the next one unless it is larger than a frame read at once,
// and another request's frame is never reused.
func TestProduceKeepsNoBytesOfItsRequest(t *testing.T) {
	produce := func(records int) *kmsg.ProduceRequest {
		var rs []record.Record
		for i := 0; i < records; i++ {
			rs = append(rs, record.Record{Key: "k", Value: fmt.Sprint(i), TimestampMs: 1000})
		}
		req := kmsg.NewPtrProduceRequest()
		req.Version, req.Acks, req.TimeoutMillis = 9, -1, 30000
		topic := kmsg.NewProduceRequestTopic()
		topic.Topic = "t"
		partition := kmsg.NewProduceRequestTopicPartition()
		partition.Records = encodeBatch(nil, record.NewBatch(rs))
		topic.Partitions = append(topic.Partitions, partition)
		req.Topics = append(req.Topics, topic)
		return req
	}
	var scratch []coregateway.ProducedRecord
	for _, c := range []struct {
		records int
		kept    bool
	}{{100, true}, {maxKeptRecords + 1, false}, {3, true}} {
		translated := translateProduce(produce(c.records), 1, "client", DefaultMaxDecompressedBytes, &scratch)
		if translated.produce == nil {
			t.Fatalf("%d records: not translated (%+v)", c.records, translated)
		}
		if kept := cap(scratch) > 0; kept != c.kept {
			t.Errorf("%d records: room for %d records kept, want kept %v", c.records, cap(scratch), c.kept)
		}
		for i, r := range scratch[:cap(scratch)] {
			if r.Key != nil || r.Value != nil || r.Headers != nil {
				t.Fatalf("%d records: record %d of the kept room still holds the request's bytes", c.records, i)
			}
		}
	}
	small, large := make([]byte, 1000), make([]byte, eagerFrameBytes+1)
	if spare := spareAfter(produce(1), small); &spare[0] != &small[0] {
		t.Error("a Produce request's frame is not reused")
	}
	if spare := spareAfter(produce(1), large); spare != nil {
		t.Error("a Produce request's frame of more than a frame read at once is kept")
	}
	if spare := spareAfter(kmsg.NewPtrSASLAuthenticateRequest(), small); spare != nil {
		t.Error("a SaslAuthenticate request's frame is reused")
	}
}
