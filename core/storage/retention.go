package storage

// deletionCondition decides whether a segment may be deleted, given the
// segment after it (nil for the active segment).
type deletionCondition func(s, next *segment) bool

// DeleteOldSegments runs one retention check, as UnifiedLog.deleteOldSegments
// does for cleanup.policy=delete every log.retention.check.interval.ms, and
// returns the segments it deleted, oldest first. In order it deletes:
// segments wholly below the log start offset; the oldest segments while the
// log is larger than retention.bytes by at least their size; segments whose
// largest timestamp is more than retention.ms before nowMs. Deletion goes
// oldest first and stops at the first segment that may not go, and never
// deletes a segment that reaches past the high watermark. When every
// segment goes, an empty active segment is rolled first so that the log
// keeps one. The log start offset moves to the first remaining segment;
// offsets never change.
func (l *Log) DeleteOldSegments(nowMs int64) []SegmentInfo {
	l.observe(nowMs)
	var deleted []SegmentInfo
	deleted = l.deleteOldSegments(deleted, l.logStartOffsetBreached, nowMs)
	deleted = l.deleteRetentionSizeBreached(deleted, nowMs)
	deleted = l.deleteRetentionMsBreached(deleted, nowMs)
	return deleted
}

func (l *Log) logStartOffsetBreached(s, next *segment) bool {
	return next != nil && next.baseOffset <= l.logStartOffset
}

// deleteRetentionSizeBreached is UnifiedLog.deleteRetentionSizeBreachedSegments.
func (l *Log) deleteRetentionSizeBreached(deleted []SegmentInfo, nowMs int64) []SegmentInfo {
	retentionBytes := l.config.RetentionBytes
	if retentionBytes < 0 || l.sizeBytes < retentionBytes {
		return deleted
	}
	excessBytes := l.sizeBytes - retentionBytes
	breached := func(s, next *segment) bool {
		if excessBytes-s.sizeBytes < 0 {
			return false
		}
		excessBytes -= s.sizeBytes
		return true
	}
	return l.deleteOldSegments(deleted, breached, nowMs)
}

// deleteRetentionMsBreached is UnifiedLog.deleteRetentionMsBreachedSegments.
func (l *Log) deleteRetentionMsBreached(deleted []SegmentInfo, nowMs int64) []SegmentInfo {
	retentionMs := l.config.RetentionMs
	if retentionMs < 0 {
		return deleted
	}
	breached := func(s, next *segment) bool {
		return nowMs-s.largestTimestampMs() > retentionMs
	}
	return l.deleteOldSegments(deleted, breached, nowMs)
}

// deleteOldSegments deletes the deletable prefix of the segments and
// appends their descriptions to deleted.
func (l *Log) deleteOldSegments(deleted []SegmentInfo, condition deletionCondition, nowMs int64) []SegmentInfo {
	count := l.deletableSegments(condition)
	if count == 0 {
		return deleted
	}
	if count == len(l.segments) {
		l.roll(nowMs)
	}
	for k := 0; k < count; k++ {
		deleted = append(deleted, l.segments[k].info(l.segmentUpperBound(k)))
		l.sizeBytes -= l.segments[k].sizeBytes
	}
	l.incrementLogStartOffset(l.segments[count].baseOffset)
	remaining := make([]*segment, len(l.segments)-count)
	copy(remaining, l.segments[count:])
	l.segments = remaining
	return deleted
}

// deletableSegments is UnifiedLog.deletableSegments: how many segments,
// oldest first, satisfy condition, end at or below the high watermark, and
// are not the empty active segment.
func (l *Log) deletableSegments(condition deletionCondition) int {
	count := 0
	for k, s := range l.segments {
		var next *segment
		if k+1 < len(l.segments) {
			next = l.segments[k+1]
		}
		lastAndEmpty := next == nil && s.sizeBytes == 0
		if l.highWatermark < l.segmentUpperBound(k) || !condition(s, next) || lastAndEmpty {
			break
		}
		count++
	}
	return count
}
