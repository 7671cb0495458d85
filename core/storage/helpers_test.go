package storage

import (
	"reflect"
	"strings"
	"testing"

	"github.com/kafka-playground/playground/core/record"
)

// producerBatch returns a batch as a producer sends it: records records of
// a ten-byte value, all stamped timestampMs.
func producerBatch(records int, timestampMs int64) *record.Batch {
	rs := make([]record.Record, records)
	for i := range rs {
		rs[i] = record.Record{KeyNull: true, Value: strings.Repeat("v", 10), TimestampMs: timestampMs}
	}
	return record.NewBatch(rs)
}

// sameRecords reports whether a and b share their storage rather than
// holding equal copies: Records is a value over shared, immutable slices.
func sameRecords(a, b record.Records) bool {
	entries := func(rs record.Records) uintptr { return reflect.ValueOf(rs).FieldByName("entries").Pointer() }
	return a.Len() == b.Len() && entries(a) == entries(b)
}

// oneRecordBytes is the size of producerBatch(1, t): 61 + 17.
const oneRecordBytes = 78

// unlimitedConfig never rolls or deletes on its own.
func unlimitedConfig() Config {
	return Config{SegmentBytes: 1 << 40, SegmentMs: 1 << 50, RetentionMs: -1, RetentionBytes: -1}
}

// leaderLog returns a log holding one batch per entry of sizes (records per
// batch), appended in epoch 0 at time 0.
func leaderLog(t *testing.T, config Config, sizes ...int) *Log {
	t.Helper()
	l := NewLog(config, 0)
	for _, n := range sizes {
		l.AppendAsLeader(producerBatch(n, 0), 0, 0)
	}
	mustBeValid(t, l)
	return l
}

func mustBeValid(t *testing.T, l *Log) {
	t.Helper()
	if err := l.CheckInvariants(); err != nil {
		t.Fatalf("invariants: %v", err)
	}
}

// baseOffsets lists the base offsets of batches.
func baseOffsets(batches []*record.Batch) []int64 {
	offsets := make([]int64, len(batches))
	for i, b := range batches {
		offsets[i] = b.BaseOffset
	}
	return offsets
}

// segmentBases lists the base offsets of the log's segments.
func segmentBases(l *Log) []int64 {
	var bases []int64
	for _, s := range l.Segments() {
		bases = append(bases, s.BaseOffset)
	}
	return bases
}

func expectPanic(t *testing.T, name string, fn func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s did not panic", name)
		}
	}()
	fn()
}
