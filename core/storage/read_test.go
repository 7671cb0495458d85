package storage

import (
	"errors"
	"slices"
	"testing"

	"github.com/kafka-playground/playground/core/record"
)

func TestRead(t *testing.T) {
	// Batches [0,1] [2] [3,4,5] [6]; log end offset 7.
	l := leaderLog(t, unlimitedConfig(), 2, 1, 3, 1)
	sizes := map[int64]int32{}
	l.EachBatch(0, func(b *record.Batch) bool { sizes[b.BaseOffset] = b.SizeBytes; return true })
	tests := []struct {
		name        string
		fetchOffset int64
		maxBytes    int32
		maxOffset   int64
		wantBases   []int64
		wantErr     error
	}{
		{"everything", 0, 1 << 20, 7, []int64{0, 2, 3, 6}, nil},
		{"from inside a batch", 4, 1 << 20, 7, []int64{3, 6}, nil},
		{"first batch even if too large", 0, 1, 7, []int64{0}, nil},
		{"zero bytes still one batch", 3, 0, 7, []int64{3}, nil},
		{"exactly two batches of bytes", 0, sizes[0] + sizes[2], 7, []int64{0, 2}, nil},
		{"one byte short of two batches", 0, sizes[0] + sizes[2] - 1, 7, []int64{0}, nil},
		{"up to the high watermark", 0, 1 << 20, 3, []int64{0, 2}, nil},
		{"high watermark inside a batch", 0, 1 << 20, 4, []int64{0, 2}, nil},
		{"fetch inside the batch the high watermark cuts", 3, 1 << 20, 4, nil, nil},
		{"at max offset", 3, 1 << 20, 3, nil, nil},
		{"past max offset", 5, 1 << 20, 3, nil, nil},
		{"at log end offset", 7, 1 << 20, 7, nil, nil},
		{"past log end offset", 8, 1 << 20, 9, nil, ErrOffsetOutOfRange},
		{"negative offset", -1, 1 << 20, 7, nil, ErrOffsetOutOfRange},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			got, err := l.Read(test.fetchOffset, test.maxBytes, test.maxOffset)
			if !errors.Is(err, test.wantErr) {
				t.Fatalf("error %v, want %v", err, test.wantErr)
			}
			if bases := baseOffsets(got); !slices.Equal(bases, test.wantBases) && len(bases)+len(test.wantBases) > 0 {
				t.Errorf("read batches at %v, want %v", bases, test.wantBases)
			}
		})
	}
}

func TestReadBelowLogStartOffset(t *testing.T) {
	l := leaderLog(t, unlimitedConfig(), 2, 1, 3)
	l.SetHighWatermark(6)
	if _, err := l.MaybeIncrementLogStartOffset(3); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Read(2, 1<<20, 6); !errors.Is(err, ErrOffsetOutOfRange) {
		t.Errorf("read below log start: %v", err)
	}
	if got, err := l.Read(3, 1<<20, 6); err != nil || !slices.Equal(baseOffsets(got), []int64{3}) {
		t.Errorf("read at log start: %v %v", baseOffsets(got), err)
	}
}

func TestReadStaysInOneSegment(t *testing.T) {
	config := unlimitedConfig()
	config.SegmentBytes = 2 * oneRecordBytes
	l := leaderLog(t, config, 1, 1, 1, 1, 1)
	tests := []struct {
		fetchOffset int64
		wantBases   []int64
	}{
		{0, []int64{0, 1}},
		{1, []int64{1}},
		{2, []int64{2, 3}},
		{4, []int64{4}},
	}
	for _, test := range tests {
		got, err := l.Read(test.fetchOffset, 1<<20, l.LogEndOffset())
		if err != nil || !slices.Equal(baseOffsets(got), test.wantBases) {
			t.Errorf("read at %d: %v %v, want %v", test.fetchOffset, baseOffsets(got), err, test.wantBases)
		}
	}
}

func TestReadResultSurvivesTruncationAndAppend(t *testing.T) {
	l := leaderLog(t, unlimitedConfig(), 1, 1, 1)
	got, _ := l.Read(1, 1<<20, 3)
	before := slices.Clone(got)
	l.TruncateTo(1)
	l.AppendAsLeader(producerBatch(1, 0), 1, 0)
	l.AppendAsLeader(producerBatch(1, 0), 1, 0)
	got = append(got, nil) // a caller appending must not reach the log either
	if !slices.Equal(got[:2], before) {
		t.Errorf("read result changed after truncation and append")
	}
	if b, _ := l.BatchAt(1); b == before[0] || b.PartitionLeaderEpoch != 1 {
		t.Errorf("log did not take the new batch at offset 1")
	}
	mustBeValid(t, l)
}

func TestBatchAtAndEachBatch(t *testing.T) {
	config := unlimitedConfig()
	config.SegmentBytes = 2 * oneRecordBytes
	l := leaderLog(t, config, 2, 1, 3, 1)
	l.SetHighWatermark(7)
	l.MaybeIncrementLogStartOffset(1)
	batchAtTests := []struct {
		offset   int64
		wantBase int64
		wantOK   bool
	}{
		{0, 0, false}, {1, 0, true}, {2, 2, true}, {3, 3, true}, {5, 3, true}, {6, 6, true}, {7, 0, false}, {-1, 0, false},
	}
	for _, test := range batchAtTests {
		b, ok := l.BatchAt(test.offset)
		if ok != test.wantOK || (ok && b.BaseOffset != test.wantBase) {
			t.Errorf("BatchAt(%d) = %v, %v", test.offset, b, ok)
		}
	}
	eachTests := []struct {
		from      int64
		limit     int
		wantBases []int64
	}{
		{0, 10, []int64{0, 2, 3, 6}},
		{4, 10, []int64{3, 6}},
		{2, 2, []int64{2, 3}},
		{7, 10, nil},
	}
	for _, test := range eachTests {
		var bases []int64
		l.EachBatch(test.from, func(b *record.Batch) bool {
			bases = append(bases, b.BaseOffset)
			return len(bases) < test.limit
		})
		if !slices.Equal(bases, test.wantBases) {
			t.Errorf("EachBatch(%d) visited %v, want %v", test.from, bases, test.wantBases)
		}
	}
}
