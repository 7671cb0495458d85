package storage

import (
	"errors"
	"slices"
	"testing"
)

func TestTruncateTo(t *testing.T) {
	// Batches [0,1] [2] [3,4,5] [6] in two-batch segments: 0, 3.
	build := func(t *testing.T) *Log {
		config := unlimitedConfig()
		config.SegmentBytes = 200 // batches are 95, 78, 112 and 78 bytes
		l := NewLog(config, 0)
		l.AppendAsLeader(producerBatch(2, 0), 1, 0)
		l.AppendAsLeader(producerBatch(1, 0), 1, 0)
		l.AppendAsLeader(producerBatch(3, 0), 2, 0)
		l.AppendAsLeader(producerBatch(1, 0), 3, 0)
		l.SetHighWatermark(6)
		mustBeValid(t, l)
		return l
	}
	tests := []struct {
		name          string
		offset        int64
		wantEnd       int64
		wantHighWater int64
		wantSegments  []int64
		wantEpochs    []EpochEntry
	}{
		{"to log end", 7, 7, 6, []int64{0, 3}, []EpochEntry{{1, 0}, {2, 3}, {3, 6}}},
		{"past log end", 9, 7, 6, []int64{0, 3}, []EpochEntry{{1, 0}, {2, 3}, {3, 6}}},
		{"last batch", 6, 6, 6, []int64{0, 3}, []EpochEntry{{1, 0}, {2, 3}}},
		{"segment boundary keeps an empty segment", 3, 3, 3, []int64{0, 3}, []EpochEntry{{1, 0}}},
		{"inside first segment", 2, 2, 2, []int64{0}, []EpochEntry{{1, 0}}},
		{"everything", 0, 0, 0, []int64{0}, nil},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			l := build(t)
			l.TruncateTo(test.offset)
			mustBeValid(t, l)
			if l.LogEndOffset() != test.wantEnd || l.HighWatermark() != test.wantHighWater {
				t.Errorf("log end %d high watermark %d, want %d %d", l.LogEndOffset(), l.HighWatermark(),
					test.wantEnd, test.wantHighWater)
			}
			if got := segmentBases(l); !slices.Equal(got, test.wantSegments) {
				t.Errorf("segments %v, want %v", got, test.wantSegments)
			}
			if got := l.EpochEntries(); !slices.Equal(got, test.wantEpochs) {
				t.Errorf("epochs %v, want %v", got, test.wantEpochs)
			}
		})
	}
}

func TestTruncateToLogEndDropsUnwrittenEpoch(t *testing.T) {
	// A leader that assigned epoch 2 at its log end but wrote nothing, then
	// becomes a follower: truncating to its log end forgets epoch 2.
	l := leaderLog(t, unlimitedConfig(), 1, 1)
	l.AssignEpochStartOffset(2, l.LogEndOffset())
	l.TruncateTo(l.LogEndOffset())
	if got, want := l.EpochEntries(), []EpochEntry{{0, 0}}; !slices.Equal(got, want) {
		t.Errorf("epochs %v, want %v", got, want)
	}
}

func TestTruncateToInsideBatchPanics(t *testing.T) {
	l := leaderLog(t, unlimitedConfig(), 3)
	expectPanic(t, "truncate inside batch", func() { l.TruncateTo(1) })
	expectPanic(t, "truncate to negative", func() { l.TruncateTo(-1) })
}

func TestTruncateBelowFirstSegment(t *testing.T) {
	l := leaderLog(t, unlimitedConfig(), 1)
	l.TruncateFullyAndStartAt(10)
	l.AppendAsLeader(producerBatch(2, 0), 4, 0)
	l.TruncateTo(5)
	mustBeValid(t, l)
	if l.LogStartOffset() != 5 || l.LogEndOffset() != 5 || l.HighWatermark() != 5 || len(l.EpochEntries()) != 0 {
		t.Errorf("start %d end %d hw %d epochs %v", l.LogStartOffset(), l.LogEndOffset(), l.HighWatermark(), l.EpochEntries())
	}
}

func TestTruncateFullyAndStartAt(t *testing.T) {
	l := leaderLog(t, unlimitedConfig(), 2, 2)
	l.SetHighWatermark(4)
	l.TruncateFullyAndStartAt(100)
	mustBeValid(t, l)
	if l.LogStartOffset() != 100 || l.LogEndOffset() != 100 || l.HighWatermark() != 100 ||
		l.SizeBytes() != 0 || len(l.EpochEntries()) != 0 || !slices.Equal(segmentBases(l), []int64{100}) {
		t.Errorf("start %d end %d hw %d size %d epochs %v", l.LogStartOffset(), l.LogEndOffset(),
			l.HighWatermark(), l.SizeBytes(), l.EpochEntries())
	}
	if stored := l.AppendAsLeader(producerBatch(1, 0), 7, 0); stored.BaseOffset != 100 {
		t.Errorf("append after restart at %d", stored.BaseOffset)
	}
}

func TestSetHighWatermark(t *testing.T) {
	l := leaderLog(t, unlimitedConfig(), 2, 2)
	l.SetHighWatermark(4)
	l.MaybeIncrementLogStartOffset(2)
	for _, offset := range []int64{2, 3, 4} {
		l.SetHighWatermark(offset)
		if l.HighWatermark() != offset {
			t.Errorf("high watermark %d, want %d", l.HighWatermark(), offset)
		}
	}
	expectPanic(t, "below log start", func() { l.SetHighWatermark(1) })
	expectPanic(t, "above log end", func() { l.SetHighWatermark(5) })
}

func TestMaybeIncrementLogStartOffset(t *testing.T) {
	// Batches [0,1] [2] [3,4,5] [6] in epochs 1, 1, 2, 3; high watermark 6.
	build := func(t *testing.T) *Log {
		l := NewLog(unlimitedConfig(), 0)
		l.AppendAsLeader(producerBatch(2, 0), 1, 0)
		l.AppendAsLeader(producerBatch(1, 0), 1, 0)
		l.AppendAsLeader(producerBatch(3, 0), 2, 0)
		l.AppendAsLeader(producerBatch(1, 0), 3, 0)
		l.SetHighWatermark(6)
		return l
	}
	tests := []struct {
		name       string
		offset     int64
		wantMoved  bool
		wantErr    error
		wantStart  int64
		wantEpochs []EpochEntry
	}{
		{"backwards", 0, false, nil, 0, []EpochEntry{{1, 0}, {2, 3}, {3, 6}}},
		{"inside a batch", 4, true, nil, 4, []EpochEntry{{2, 4}, {3, 6}}},
		{"at an epoch start", 3, true, nil, 3, []EpochEntry{{2, 3}, {3, 6}}},
		{"to the high watermark", 6, true, nil, 6, []EpochEntry{{3, 6}}},
		{"beyond the high watermark", 7, false, ErrOffsetOutOfRange, 0, []EpochEntry{{1, 0}, {2, 3}, {3, 6}}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			l := build(t)
			sizeBefore := l.SizeBytes()
			moved, err := l.MaybeIncrementLogStartOffset(test.offset)
			if moved != test.wantMoved || !errors.Is(err, test.wantErr) {
				t.Fatalf("moved %v error %v, want %v %v", moved, err, test.wantMoved, test.wantErr)
			}
			mustBeValid(t, l)
			if l.LogStartOffset() != test.wantStart || l.LogEndOffset() != 7 || l.SizeBytes() != sizeBefore {
				t.Errorf("start %d end %d size %d", l.LogStartOffset(), l.LogEndOffset(), l.SizeBytes())
			}
			if got := l.EpochEntries(); !slices.Equal(got, test.wantEpochs) {
				t.Errorf("epochs %v, want %v", got, test.wantEpochs)
			}
		})
	}
}

func TestLogStartOffsetBreachedSegmentsGoAtRetentionCheck(t *testing.T) {
	config := unlimitedConfig()
	config.SegmentBytes = 2 * oneRecordBytes
	l := leaderLog(t, config, 1, 1, 1, 1, 1) // segments 0, 2, 4
	l.SetHighWatermark(5)
	l.MaybeIncrementLogStartOffset(3)
	if got := segmentBases(l); !slices.Equal(got, []int64{0, 2, 4}) {
		t.Fatalf("segments %v before the retention check", got)
	}
	deleted := l.DeleteOldSegments(0)
	mustBeValid(t, l)
	if len(deleted) != 1 || deleted[0].BaseOffset != 0 || deleted[0].NextOffset != 2 {
		t.Errorf("deleted %+v", deleted)
	}
	if got := segmentBases(l); !slices.Equal(got, []int64{2, 4}) || l.LogStartOffset() != 3 {
		t.Errorf("segments %v log start %d", got, l.LogStartOffset())
	}
	if _, ok := l.BatchAt(3); !ok {
		t.Errorf("offset 3 no longer readable")
	}
}
