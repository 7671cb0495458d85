package gateway

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"reflect"
	"testing"

	"github.com/kafka-playground/playground/core/record"
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
	got, err := decodeBatches(raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Fatalf("decoded %+v, want %+v", got[0], want)
	}
}

// TestBatchRefused: a wrong CRC, a cut batch and a compressed batch are
// refused with errors naming why.
func TestBatchRefused(t *testing.T) {
	raw := encodeBatch(nil, sampleBatch())
	bad := append([]byte(nil), raw...)
	bad[len(bad)-1] ^= 0xff
	if _, err := decodeBatches(bad); !errors.Is(err, errCorruptBatch) {
		t.Errorf("wrong CRC: %v", err)
	}
	if _, err := decodeBatches(raw[:len(raw)-3]); !errors.Is(err, errCorruptBatch) {
		t.Errorf("cut batch: %v", err)
	}
	compressed := append([]byte(nil), raw...)
	compressed[22] |= 1 // gzip, in the low byte of the attributes
	binary.BigEndian.PutUint32(compressed[batchCRCOffset:], crc32.Checksum(compressed[batchCRCStart:], castagnoli))
	if _, err := decodeBatches(compressed); !errors.Is(err, errCompressedBatch) {
		t.Errorf("compressed batch: %v", err)
	}
}

// FuzzDecodeBatches: no input makes the batch decoder panic.
func FuzzDecodeBatches(f *testing.F) {
	raw := encodeBatch(nil, sampleBatch())
	f.Add(raw)
	f.Add(raw[:70])
	f.Fuzz(func(t *testing.T, data []byte) {
		decodeBatches(data)
	})
}

// FuzzParseHeader: no request header makes the parser panic.
func FuzzParseHeader(f *testing.F) {
	f.Add([]byte{0, 18, 0, 3, 0, 0, 0, 1, 0, 4, 't', 'e', 's', 't', 0})
	f.Add([]byte{0, 3, 0, 12, 0, 0, 0, 1, 0xff, 0xff, 5, 1, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 8 {
			return
		}
		parseHeader(data, requestFlexible)
	})
}
