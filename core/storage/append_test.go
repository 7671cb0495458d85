package storage

import (
	"slices"
	"testing"

	"github.com/kafka-playground/playground/core/record"
)

func TestProducerBatchSize(t *testing.T) {
	if got := producerBatch(1, 5).SizeBytes; got != oneRecordBytes {
		t.Fatalf("one-record batch is %d bytes, want %d", got, oneRecordBytes)
	}
}

func TestAppendAsLeaderAssignsOffsets(t *testing.T) {
	l := NewLog(unlimitedConfig(), 0)
	tests := []struct {
		records    int
		epoch      int32
		wantBase   int64
		wantEnd    int64
		wantEpochs []EpochEntry
	}{
		{2, 3, 0, 2, []EpochEntry{{3, 0}}},
		{1, 3, 2, 3, []EpochEntry{{3, 0}}},
		{3, 5, 3, 6, []EpochEntry{{3, 0}, {5, 3}}},
		{1, 5, 6, 7, []EpochEntry{{3, 0}, {5, 3}}},
	}
	for _, test := range tests {
		in := producerBatch(test.records, 100)
		in.BaseOffset = 99
		in.SizeBytes = 0
		stored := l.AppendAsLeader(in, test.epoch, 100)
		if stored == in || in.BaseOffset != 99 || in.SizeBytes != 0 || in.PartitionLeaderEpoch != 0 {
			t.Fatalf("AppendAsLeader modified or returned its input")
		}
		if !sameRecords(stored.Records, in.Records) {
			t.Errorf("stored batch copied the records")
		}
		if stored.BaseOffset != test.wantBase || stored.PartitionLeaderEpoch != test.epoch ||
			stored.SizeBytes != stored.ComputeSize() || l.LogEndOffset() != test.wantEnd {
			t.Errorf("stored %+v, log end %d", stored, l.LogEndOffset())
		}
		if got := l.EpochEntries(); !slices.Equal(got, test.wantEpochs) {
			t.Errorf("epochs %v, want %v", got, test.wantEpochs)
		}
		mustBeValid(t, l)
	}
	if l.SizeBytes() != int64(l.Segments()[0].SizeBytes) || l.HighWatermark() != 0 || l.LogStartOffset() != 0 {
		t.Errorf("size %d, segments %+v, hw %d", l.SizeBytes(), l.Segments(), l.HighWatermark())
	}
}

func TestAppendAsLeaderRejectsEmptyBatch(t *testing.T) {
	l := NewLog(unlimitedConfig(), 0)
	expectPanic(t, "empty batch", func() { l.AppendAsLeader(&record.Batch{}, 0, 0) })
}

func TestAppendAsFollowerSharesBatches(t *testing.T) {
	leader := leaderLog(t, unlimitedConfig())
	leader.AppendAsLeader(producerBatch(2, 0), 1, 0)
	leader.AppendAsLeader(producerBatch(1, 0), 1, 0)
	leader.AppendAsLeader(producerBatch(3, 0), 4, 0)
	fetched, err := leader.Read(0, 1<<20, leader.LogEndOffset())
	if err != nil || len(fetched) != 3 {
		t.Fatalf("leader read: %v %v", fetched, err)
	}
	follower := NewLog(unlimitedConfig(), 0)
	follower.AppendAsFollower(fetched[:2], 10)
	follower.AppendAsFollower(fetched[2:], 20)
	mustBeValid(t, follower)
	for offset := int64(0); offset < 6; offset++ {
		fromLeader, _ := leader.BatchAt(offset)
		fromFollower, _ := follower.BatchAt(offset)
		if fromLeader != fromFollower {
			t.Errorf("offset %d: follower holds a different batch value", offset)
		}
	}
	want := []EpochEntry{{1, 0}, {4, 3}}
	if got := follower.EpochEntries(); !slices.Equal(got, want) || follower.SizeBytes() != leader.SizeBytes() {
		t.Errorf("follower epochs %v size %d, want %v size %d", got, follower.SizeBytes(), want, leader.SizeBytes())
	}
}

func TestAppendAsFollowerRequiresDenseOffsets(t *testing.T) {
	batchAt := func(base int64, records int) *record.Batch {
		b := producerBatch(records, 0)
		b.BaseOffset = base
		return b
	}
	tests := []struct {
		name    string
		batches []*record.Batch
	}{
		{"gap before first", []*record.Batch{batchAt(1, 1)}},
		{"overlap before first", []*record.Batch{batchAt(-1, 1)}},
		{"gap between batches", []*record.Batch{batchAt(0, 2), batchAt(3, 1)}},
		{"empty batch", []*record.Batch{{}}},
	}
	for _, test := range tests {
		l := NewLog(unlimitedConfig(), 0)
		expectPanic(t, test.name, func() { l.AppendAsFollower(test.batches, 0) })
	}
}

func TestSegmentRollBySize(t *testing.T) {
	tests := []struct {
		name         string
		segmentBytes int64
		batches      int
		wantBases    []int64
	}{
		// Kafka rolls when size > segmentBytes - batchSize.
		{"exactly three fit", 3 * oneRecordBytes, 7, []int64{0, 3, 6}},
		{"one byte short of three", 3*oneRecordBytes - 1, 7, []int64{0, 2, 4, 6}},
		{"batch larger than segment", oneRecordBytes - 1, 3, []int64{0, 1, 2}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			config := unlimitedConfig()
			config.SegmentBytes = test.segmentBytes
			l := NewLog(config, 0)
			for i := 0; i < test.batches; i++ {
				l.AppendAsLeader(producerBatch(1, 0), 0, int64(i))
			}
			mustBeValid(t, l)
			if got := segmentBases(l); !slices.Equal(got, test.wantBases) {
				t.Errorf("segments start at %v, want %v", got, test.wantBases)
			}
		})
	}
}

func TestSegmentRollByTime(t *testing.T) {
	config := unlimitedConfig()
	config.SegmentMs = 1000
	tests := []struct {
		timestampMs int64
		wantBases   []int64
	}{
		{5000, []int64{0}},
		{5500, []int64{0}},
		{6000, []int64{0}},       // waited exactly segment.ms: no roll
		{6001, []int64{0, 3}},    // waited more: roll
		{6500, []int64{0, 3}},    // measured from the new segment's first batch
		{7002, []int64{0, 3, 5}}, // 7002 - 6001 > 1000
	}
	l := NewLog(config, 0)
	for _, test := range tests {
		l.AppendAsLeader(producerBatch(1, test.timestampMs), 0, test.timestampMs)
		if got := segmentBases(l); !slices.Equal(got, test.wantBases) {
			t.Errorf("after timestamp %d segments start at %v, want %v", test.timestampMs, got, test.wantBases)
		}
	}
	mustBeValid(t, l)
}

func TestSegmentRollByTimeWithoutTimestamps(t *testing.T) {
	config := unlimitedConfig()
	config.SegmentMs = 1000
	l := NewLog(config, 100)
	l.AppendAsLeader(producerBatch(1, record.NoTimestamp), 0, 100)
	l.AppendAsLeader(producerBatch(1, record.NoTimestamp), 0, 1100)
	l.AppendAsLeader(producerBatch(1, record.NoTimestamp), 0, 1101)
	if got, want := segmentBases(l), []int64{0, 2}; !slices.Equal(got, want) {
		t.Errorf("segments start at %v, want %v (measured from creation at 100)", got, want)
	}
}

func TestFollowerAppendRollsOnceForAllBatches(t *testing.T) {
	config := unlimitedConfig()
	config.SegmentBytes = 3 * oneRecordBytes
	leader := leaderLog(t, unlimitedConfig(), 1, 1, 1, 1, 1)
	batches, _ := leader.Read(0, 1<<20, leader.LogEndOffset())
	follower := NewLog(config, 0)
	follower.AppendAsFollower(batches[:1], 0)
	follower.AppendAsFollower(batches[1:], 0)
	mustBeValid(t, follower)
	// 78 > 234 - 4*78: roll once, then all four batches go to one segment.
	if got, want := segmentBases(follower), []int64{0, 1}; !slices.Equal(got, want) {
		t.Errorf("segments start at %v, want %v", got, want)
	}
}

func TestAppendAsFollowerEdgeCases(t *testing.T) {
	l := NewLog(unlimitedConfig(), 0)
	l.AppendAsFollower(nil, 0)
	if l.LogEndOffset() != 0 || len(l.EpochEntries()) != 0 {
		t.Errorf("empty follower append changed the log")
	}
	// A batch whose producer left SizeBytes unset is measured, not modified.
	unsized := producerBatch(2, 0)
	unsized.SizeBytes = 0
	unsized.PartitionLeaderEpoch = 3
	l.AppendAsFollower([]*record.Batch{unsized}, 0)
	mustBeValid(t, l)
	if unsized.SizeBytes != 0 || l.SizeBytes() != int64(unsized.ComputeSize()) {
		t.Errorf("unsized batch: SizeBytes %d, log size %d", unsized.SizeBytes, l.SizeBytes())
	}
	expectPanic(t, "restart at negative offset", func() { l.TruncateFullyAndStartAt(-1) })
}
