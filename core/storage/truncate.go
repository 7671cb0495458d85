package storage

import (
	"fmt"
	"slices"
)

// TruncateTo removes every batch at and after offset, as UnifiedLog.truncateTo
// does when a follower reconciles with a new leader. offset must be a batch
// boundary; at or past the log end offset nothing is removed, but epoch
// cache entries starting at or after the log end offset are still dropped
// (a leader may have assigned an epoch it never wrote to). Segments that
// start after offset are deleted, epoch cache entries starting at or after
// offset are dropped, the log start offset falls to offset if it was above,
// and the high watermark is lowered to the new log end offset if it was
// above. An offset below the first segment truncates the log fully.
func (l *Log) TruncateTo(offset int64) {
	if offset < 0 {
		panic(fmt.Sprintf("storage: truncating to negative offset %d", offset))
	}
	if offset >= l.logEndOffset {
		l.epochs.truncateFromEnd(l.logEndOffset)
		return
	}
	if l.segments[0].baseOffset > offset {
		l.TruncateFullyAndStartAt(offset)
		return
	}
	l.truncateSegments(offset)
	l.epochs.truncateFromEnd(offset)
	l.logEndOffset = offset
	l.logStartOffset = min(l.logStartOffset, offset)
	l.highWatermark = min(l.highWatermark, offset)
}

// truncateSegments deletes the segments starting after offset and cuts the
// one containing it at offset, which must be a batch boundary.
func (l *Log) truncateSegments(offset int64) {
	k := l.segmentIndex(offset)
	for _, s := range l.segments[k+1:] {
		l.sizeBytes -= s.sizeBytes
	}
	l.segments = slices.Delete(l.segments, k+1, len(l.segments))
	s := l.segments[k]
	index := s.batchIndex(offset)
	if index < len(s.batches) && s.batches[index].BaseOffset != offset {
		panic(fmt.Sprintf("storage: truncating to offset %d inside batch [%d, %d]",
			offset, s.batches[index].BaseOffset, s.batches[index].LastOffset()))
	}
	l.sizeBytes -= s.sizeBytes
	s.truncateTo(index, l.clockMs)
	l.sizeBytes += s.sizeBytes
}

// TruncateFullyAndStartAt empties the log and restarts it at offset: log
// start offset, log end offset and high watermark all become offset and the
// epoch cache is cleared (UnifiedLog.truncateFullyAndStartAt).
func (l *Log) TruncateFullyAndStartAt(offset int64) {
	if offset < 0 {
		panic(fmt.Sprintf("storage: restarting the log at negative offset %d", offset))
	}
	l.segments = []*segment{newSegment(offset, l.clockMs)}
	l.sizeBytes = 0
	l.logStartOffset = offset
	l.logEndOffset = offset
	l.highWatermark = offset
	l.epochs.clear()
}

// MaybeIncrementLogStartOffset moves the log start offset forward to offset,
// as UnifiedLog.maybeIncrementLogStartOffset does for DeleteRecords and for
// followers adopting the leader's log start offset. It reports whether the
// offset moved; an offset above the high watermark is refused with
// ErrOffsetOutOfRange. Offsets never change, and the epoch cache forgets
// what lies below the new start. As in Kafka, the segments left wholly below
// the new start are deleted by the next DeleteOldSegments, not here.
func (l *Log) MaybeIncrementLogStartOffset(offset int64) (bool, error) {
	if offset > l.highWatermark {
		return false, fmt.Errorf("%w: cannot increment the log start offset to %d beyond the high watermark %d",
			ErrOffsetOutOfRange, offset, l.highWatermark)
	}
	return l.incrementLogStartOffset(offset), nil
}

func (l *Log) incrementLogStartOffset(offset int64) bool {
	if offset <= l.logStartOffset {
		return false
	}
	l.logStartOffset = offset
	l.highWatermark = max(l.highWatermark, offset)
	l.epochs.truncateFromStart(offset)
	return true
}
