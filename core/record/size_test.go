package record

import (
	"strings"
	"testing"
)

// The expected sizes below are derived by hand from Kafka's v2 format:
// body = attributes(1) + varlong(timestampDelta) + varint(offsetDelta) +
// key + value + varint(headerCount) + headers, total = varint(body) + body.
func TestRecordSizeInBytes(t *testing.T) {
	tests := []struct {
		name             string
		offsetDelta      int32
		timestampDeltaMs int64
		record           Record
		want             int32
	}{
		{"null key and value", 0, 0, Record{KeyNull: true, ValueNull: true}, 7},
		{"empty key and value", 0, 0, Record{}, 7},
		// 1 + 1 + 1 + key(1+0) + value(1+5) + headers(1) = 11.
		{"empty key", 0, 0, Record{Value: "hello"}, 12},
		{"null key", 0, 0, Record{KeyNull: true, Value: "hello"}, 12},
		// key(1+2) value(1+1) count(1) h(1+1 + 1+1) n(1+1 + null 1) → body 16.
		{"headers with null value", 0, 0, Record{Key: "k1", Value: "v", Headers: []Header{
			{Key: "h", Value: "x"}, {Key: "n", ValueNull: true}}}, 17},
		// offset delta 100 and timestamp delta 1000 take two bytes each;
		// value length 200 takes two; body 209 takes two.
		{"two-byte varints", 100, 1000, Record{KeyNull: true, Value: strings.Repeat("v", 200)}, 211},
		{"offset delta 63 is one byte", 63, 0, Record{KeyNull: true, ValueNull: true}, 7},
		{"offset delta 64 is two bytes", 64, 0, Record{KeyNull: true, ValueNull: true}, 8},
		{"timestamp delta -1 is one byte", 0, -1, Record{KeyNull: true, ValueNull: true}, 7},
		{"timestamp delta -65 is two bytes", 0, -65, Record{KeyNull: true, ValueNull: true}, 8},
		// body 6 + 57 = 63 fits a one-byte length; 64 needs two.
		{"body of 63 bytes", 0, 0, Record{KeyNull: true, Value: strings.Repeat("v", 57)}, 64},
		{"body of 64 bytes", 0, 0, Record{KeyNull: true, Value: strings.Repeat("v", 58)}, 66},
		// value length 16384 takes three bytes, body 16392 takes three.
		{"three-byte varints", 0, 0, Record{KeyNull: true, Value: strings.Repeat("v", 16384)}, 16395},
		// timestamp delta of one day: 2*86400000 needs 28 bits, four bytes.
		{"large timestamp delta", 0, 86400000, Record{KeyNull: true, ValueNull: true}, 10},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			got := RecordSizeInBytes(test.offsetDelta, test.timestampDeltaMs, &test.record)
			if got != test.want {
				t.Errorf("RecordSizeInBytes = %d, want %d", got, test.want)
			}
		})
	}
}

func TestRecordSizeUpperBound(t *testing.T) {
	tests := []struct {
		name   string
		record Record
		want   int32
	}{
		{"null key and value", Record{KeyNull: true, ValueNull: true}, 21 + 1 + 1 + 1},
		{"small value", Record{KeyNull: true, Value: "hello"}, 21 + 1 + 6 + 1},
		{"key, value and header", Record{Key: "k", Value: "v", Headers: []Header{{Key: "h", Value: "x"}}}, 21 + 2 + 2 + 1 + 4},
		{"large value", Record{KeyNull: true, Value: strings.Repeat("v", 200)}, 21 + 1 + 202 + 1},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			if got := RecordSizeUpperBound(&test.record); got != test.want {
				t.Errorf("RecordSizeUpperBound = %d, want %d", got, test.want)
			}
			if exact := RecordSizeInBytes(0, 0, &test.record); exact > test.want {
				t.Errorf("exact size %d exceeds upper bound %d", exact, test.want)
			}
		})
	}
}

func TestSizeOfVarint(t *testing.T) {
	tests := []struct {
		value int64
		want  int32
	}{
		{0, 1}, {-1, 1}, {63, 1}, {-64, 1}, {64, 2}, {-65, 2}, {8191, 2}, {8192, 3},
		{1<<20 - 1, 3}, {1 << 20, 4}, {1<<27 - 1, 4}, {1 << 27, 5}, {-(1 << 31), 5}, {1<<31 - 1, 5},
	}
	for _, test := range tests {
		if got := sizeOfVarint(int32(test.value)); got != test.want {
			t.Errorf("sizeOfVarint(%d) = %d, want %d", test.value, got, test.want)
		}
		if got := sizeOfVarlong(test.value); got != test.want {
			t.Errorf("sizeOfVarlong(%d) = %d, want %d", test.value, got, test.want)
		}
	}
	if got := sizeOfVarlong(-1 << 63); got != 10 {
		t.Errorf("sizeOfVarlong(min int64) = %d, want 10", got)
	}
}

func TestComputeSize(t *testing.T) {
	tests := []struct {
		name    string
		records []Record
		want    int32
	}{
		{"no records", nil, 61},
		// 7 bytes of body + 1 of length.
		{"one record", []Record{{KeyNull: true, Value: "a", TimestampMs: 1000}}, 61 + 8},
		// The second record's deltas are offset 1 and timestamp 5: 9 bytes.
		{"two records", []Record{
			{KeyNull: true, Value: "a", TimestampMs: 1000},
			{KeyNull: true, Value: "bb", TimestampMs: 1005}}, 61 + 8 + 9},
		// A timestamp before the first record gives a negative delta.
		{"earlier timestamp", []Record{
			{KeyNull: true, Value: "a", TimestampMs: 1000},
			{KeyNull: true, Value: "a", TimestampMs: 900}}, 61 + 8 + 9},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			b := &Batch{Records: NewRecords(test.records)}
			if got := b.ComputeSize(); got != test.want {
				t.Errorf("ComputeSize = %d, want %d", got, test.want)
			}
		})
	}
}

func TestNewBatch(t *testing.T) {
	b := NewBatch([]Record{{Value: "a", TimestampMs: 7}, {Value: "b", TimestampMs: 9}, {Value: "c", TimestampMs: 8}})
	if b.MaxTimestampMs != 9 || b.SizeBytes != b.ComputeSize() || b.ProducerID != NoProducerID ||
		b.ProducerEpoch != NoProducerEpoch || b.BaseSequence != NoSequence {
		t.Fatalf("NewBatch = %+v", b)
	}
}

func TestBatchOffsets(t *testing.T) {
	tests := []struct {
		baseOffset int64
		records    int
		last, next int64
	}{
		{0, 1, 0, 1},
		{10, 5, 14, 15},
		{7, 0, 6, 7},
	}
	for _, test := range tests {
		b := &Batch{BaseOffset: test.baseOffset, Records: NewRecords(make([]Record, test.records))}
		if b.LastOffset() != test.last || b.NextOffset() != test.next || b.RecordCount() != int32(test.records) {
			t.Errorf("base %d, %d records: last %d next %d count %d", test.baseOffset, test.records,
				b.LastOffset(), b.NextOffset(), b.RecordCount())
		}
	}
}

func TestControlBatch(t *testing.T) {
	tests := []struct {
		name             string
		controlType      ControlType
		coordinatorEpoch int32
		key, value       string
	}{
		{"commit", ControlCommit, 0, "\x00\x00\x00\x01", "\x00\x00\x00\x00\x00\x00"},
		{"abort", ControlAbort, 0, "\x00\x00\x00\x00", "\x00\x00\x00\x00\x00\x00"},
		{"coordinator epoch", ControlCommit, 0x01020304, "\x00\x00\x00\x01", "\x00\x00\x01\x02\x03\x04"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			b := NewEndTransactionMarkerBatch(42, 3, test.controlType, test.coordinatorEpoch, 5000)
			// Record body: attributes 1, deltas 1+1, key 1+4, value 1+6,
			// header count 1 = 16, plus its length byte: 17; batch 61+17.
			if b.SizeBytes != 78 {
				t.Errorf("SizeBytes = %d, want 78", b.SizeBytes)
			}
			r := b.Records.At(0)
			if r.Key != test.key || r.Value != test.value {
				t.Errorf("key %q value %q, want %q %q", r.Key, r.Value, test.key, test.value)
			}
			if !b.Control || !b.Transactional || b.ControlType != test.controlType || b.ProducerID != 42 ||
				b.ProducerEpoch != 3 || b.BaseSequence != NoSequence || b.MaxTimestampMs != 5000 {
				t.Errorf("header fields wrong: %+v", b)
			}
			if epoch, ok := b.CoordinatorEpoch(); !ok || epoch != test.coordinatorEpoch {
				t.Errorf("CoordinatorEpoch = %d, %v", epoch, ok)
			}
		})
	}
	if b := NewControlBatch(1, 0, ControlAbort, 0); b.SizeBytes != 78 || b.ControlType != ControlAbort {
		t.Errorf("NewControlBatch = %+v", b)
	}
	if _, ok := NewBatch([]Record{{}}).CoordinatorEpoch(); ok {
		t.Errorf("CoordinatorEpoch of a data batch reported ok")
	}
}
