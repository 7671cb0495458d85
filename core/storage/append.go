package storage

import (
	"fmt"

	"github.com/kafka-playground/playground/core/record"
)

// AppendAsLeader appends a producer's batch as the leader of leaderEpoch
// does: it stores a new Batch value with the header fields of b, the
// records of b (shared, not copied), BaseOffset set to the log end offset,
// PartitionLeaderEpoch set to leaderEpoch and SizeBytes computed when b left
// it zero. It rolls the active segment first when segment.bytes or
// segment.ms require it, records the epoch in the epoch cache, and returns
// the stored batch. b itself is not modified.
//
// The caller checks message.max.bytes and segment.bytes
// (RECORD_BATCH_TOO_LARGE) before appending; b must hold at least one record.
func (l *Log) AppendAsLeader(b *record.Batch, leaderEpoch int32, nowMs int64) *record.Batch {
	if b.Records.Len() == 0 {
		panic("storage: appending a batch without records")
	}
	stored := new(record.Batch)
	*stored = *b
	stored.BaseOffset = l.logEndOffset
	stored.PartitionLeaderEpoch = leaderEpoch
	if stored.SizeBytes == 0 {
		stored.SizeBytes = stored.ComputeSize()
	}
	one := [1]*record.Batch{stored}
	l.appendBatches(one[:], nowMs)
	return stored
}

// AppendAsFollower appends batches fetched from the leader as they are,
// sharing the pointers. As in Kafka, one call is one append: the roll check
// happens once, for the total size and the largest timestamp of all the
// batches, which then go into the same segment. The first batch must start
// at the log end offset and each next one where the previous ended;
// anything else is a caller bug and panics.
func (l *Log) AppendAsFollower(batches []*record.Batch, nowMs int64) {
	if len(batches) == 0 {
		return
	}
	expected := l.logEndOffset
	for _, b := range batches {
		if b.BaseOffset != expected || b.Records.Len() == 0 {
			panic(fmt.Sprintf("storage: follower append of batch at offset %d with %d records, "+
				"expected offset %d: offsets must be dense", b.BaseOffset, b.Records.Len(), expected))
		}
		expected = b.NextOffset()
	}
	l.appendBatches(batches, nowMs)
}

// appendBatches is the common end of UnifiedLog.append: epoch cache, roll
// check, segment append, log end offset.
func (l *Log) appendBatches(batches []*record.Batch, nowMs int64) {
	l.observe(nowMs)
	sizeBytes, maxTimestampMs := int64(0), record.NoTimestamp
	for _, b := range batches {
		l.epochs.assign(b.PartitionLeaderEpoch, b.BaseOffset)
		sizeBytes += batchSizeBytes(b)
		maxTimestampMs = max(maxTimestampMs, b.MaxTimestampMs)
	}
	active := l.activeSegment()
	if active.shouldRoll(l.config, sizeBytes, maxTimestampMs, nowMs) {
		active = l.roll(nowMs)
	}
	active.append(batches, sizeBytes, maxTimestampMs, nowMs)
	l.sizeBytes += sizeBytes
	l.logEndOffset = batches[len(batches)-1].NextOffset()
}
