package storage

import (
	"slices"
	"testing"
)

const dayMs = 24 * 60 * 60 * 1000

// dailyLog returns a log of ten one-record batches, one a day from day 0,
// two batches a segment: segments 0, 2, 4, 6, 8 with largest timestamps on
// days 1, 3, 5, 7, 9.
func dailyLog(t *testing.T, config Config) *Log {
	t.Helper()
	config.SegmentBytes = 2 * oneRecordBytes
	l := NewLog(config, 0)
	for day := int64(0); day < 10; day++ {
		l.AppendAsLeader(producerBatch(1, day*dayMs), 0, day*dayMs)
	}
	mustBeValid(t, l)
	return l
}

func TestTimeRetention(t *testing.T) {
	config := unlimitedConfig()
	config.RetentionMs = 7 * dayMs
	tests := []struct {
		name          string
		highWatermark int64
		nowMs         int64
		wantDeleted   []int64
		wantSegments  []int64
		wantStart     int64
	}{
		{"nothing old enough", 10, 8 * dayMs, nil, []int64{0, 2, 4, 6, 8}, 0},
		{"first segment just past seven days", 10, 8*dayMs + 1, []int64{0}, []int64{2, 4, 6, 8}, 2},
		{"three segments", 10, 12*dayMs + 1, []int64{0, 2, 4}, []int64{6, 8}, 6},
		{"everything: an empty segment is rolled", 10, 16*dayMs + 1, []int64{0, 2, 4, 6, 8}, []int64{10}, 10},
		{"high watermark bounds deletion", 5, 16*dayMs + 1, []int64{0, 2}, []int64{4, 6, 8}, 4},
		{"high watermark at zero", 0, 16*dayMs + 1, nil, []int64{0, 2, 4, 6, 8}, 0},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			l := dailyLog(t, config)
			l.SetHighWatermark(test.highWatermark)
			deleted := l.DeleteOldSegments(test.nowMs)
			mustBeValid(t, l)
			var deletedBases []int64
			for _, info := range deleted {
				deletedBases = append(deletedBases, info.BaseOffset)
			}
			if !slices.Equal(deletedBases, test.wantDeleted) {
				t.Errorf("deleted %v, want %v", deletedBases, test.wantDeleted)
			}
			if got := segmentBases(l); !slices.Equal(got, test.wantSegments) {
				t.Errorf("segments %v, want %v", got, test.wantSegments)
			}
			if l.LogStartOffset() != test.wantStart || l.LogEndOffset() != 10 {
				t.Errorf("log start %d end %d, want %d 10", l.LogStartOffset(), l.LogEndOffset(), test.wantStart)
			}
			if stored := l.AppendAsLeader(producerBatch(1, test.nowMs), 0, test.nowMs); stored.BaseOffset != 10 {
				t.Errorf("offsets changed: next append at %d", stored.BaseOffset)
			}
		})
	}
}

func TestTimeRetentionReportsSegments(t *testing.T) {
	config := unlimitedConfig()
	config.RetentionMs = 7 * dayMs
	l := dailyLog(t, config)
	l.SetHighWatermark(10)
	deleted := l.DeleteOldSegments(10*dayMs + 1)
	want := []SegmentInfo{
		{BaseOffset: 0, NextOffset: 2, SizeBytes: 2 * oneRecordBytes, LargestTimestampMs: 1 * dayMs, CreatedMs: 0, Batches: 2},
		{BaseOffset: 2, NextOffset: 4, SizeBytes: 2 * oneRecordBytes, LargestTimestampMs: 3 * dayMs, CreatedMs: 2 * dayMs, Batches: 2},
	}
	if !slices.Equal(deleted, want) {
		t.Errorf("deleted %+v, want %+v", deleted, want)
	}
	if again := l.DeleteOldSegments(10*dayMs + 1); len(again) != 0 {
		t.Errorf("second check deleted %+v", again)
	}
	if l.SizeBytes() != 6*oneRecordBytes {
		t.Errorf("size %d after deletion", l.SizeBytes())
	}
}

func TestEmptyActiveSegmentIsNeverDeleted(t *testing.T) {
	config := unlimitedConfig()
	config.RetentionMs = 0
	config.RetentionBytes = 0
	l := NewLog(config, 0)
	if deleted := l.DeleteOldSegments(1 << 40); len(deleted) != 0 {
		t.Errorf("deleted %+v from an empty log", deleted)
	}
	l.AppendAsLeader(producerBatch(1, 0), 0, 0)
	l.SetHighWatermark(1)
	l.DeleteOldSegments(1)
	if deleted := l.DeleteOldSegments(1 << 40); len(deleted) != 0 || !slices.Equal(segmentBases(l), []int64{1}) {
		t.Errorf("deleted %+v, segments %v", deleted, segmentBases(l))
	}
	mustBeValid(t, l)
}

func TestSizeRetention(t *testing.T) {
	const segmentBytes = 2 * oneRecordBytes // dailyLog: five segments, 780 bytes
	tests := []struct {
		name           string
		retentionBytes int64
		highWatermark  int64
		wantSegments   []int64
	}{
		{"unlimited", -1, 10, []int64{0, 2, 4, 6, 8}},
		{"exactly the log size", 5 * segmentBytes, 10, []int64{0, 2, 4, 6, 8}},
		{"above the log size", 5*segmentBytes + 1, 10, []int64{0, 2, 4, 6, 8}},
		{"one segment over", 4 * segmentBytes, 10, []int64{2, 4, 6, 8}},
		{"one byte less than one segment over", 4*segmentBytes + 1, 10, []int64{0, 2, 4, 6, 8}},
		{"one byte more than one segment over", 4*segmentBytes - 1, 10, []int64{2, 4, 6, 8}},
		{"two segments over", 3 * segmentBytes, 10, []int64{4, 6, 8}},
		{"zero keeps an empty active segment", 0, 10, []int64{10}},
		{"high watermark bounds deletion", 0, 5, []int64{4, 6, 8}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			config := unlimitedConfig()
			config.RetentionBytes = test.retentionBytes
			l := dailyLog(t, config)
			l.SetHighWatermark(test.highWatermark)
			l.DeleteOldSegments(10 * dayMs)
			mustBeValid(t, l)
			if got := segmentBases(l); !slices.Equal(got, test.wantSegments) {
				t.Errorf("segments %v, want %v", got, test.wantSegments)
			}
			if l.LogStartOffset() != test.wantSegments[0] {
				t.Errorf("log start %d, want %d", l.LogStartOffset(), test.wantSegments[0])
			}
		})
	}
}

func TestRetentionTruncatesEpochCacheFromStart(t *testing.T) {
	config := unlimitedConfig()
	config.SegmentBytes = 2 * oneRecordBytes
	config.RetentionBytes = 2 * oneRecordBytes
	l := NewLog(config, 0)
	for i := int32(0); i < 4; i++ {
		l.AppendAsLeader(producerBatch(1, 0), i, 0)
	}
	l.SetHighWatermark(4)
	l.DeleteOldSegments(0)
	mustBeValid(t, l)
	if got, want := l.EpochEntries(), []EpochEntry{{2, 2}, {3, 3}}; !slices.Equal(got, want) {
		t.Errorf("epochs %v, want %v", got, want)
	}
}

func TestSetConfigAppliesToNextCheck(t *testing.T) {
	l := dailyLog(t, unlimitedConfig())
	l.SetHighWatermark(10)
	if deleted := l.DeleteOldSegments(100 * dayMs); len(deleted) != 0 {
		t.Fatalf("unlimited retention deleted %+v", deleted)
	}
	config := l.Config()
	config.RetentionMs = 7 * dayMs
	l.SetConfig(config)
	if deleted := l.DeleteOldSegments(100 * dayMs); len(deleted) != 5 {
		t.Errorf("deleted %d segments, want 5", len(deleted))
	}
}

func TestDefaultConfig(t *testing.T) {
	config := DefaultConfig()
	if config.SegmentBytes != 1073741824 || config.SegmentMs != 604800000 || config.RetentionMs != 604800000 ||
		config.RetentionBytes != -1 || config.SegmentJitterMs != 0 {
		t.Errorf("DefaultConfig = %+v", config)
	}
}
