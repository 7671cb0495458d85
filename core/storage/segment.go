package storage

import "github.com/kafka-playground/playground/core/record"

// SegmentInfo describes one log segment for checkers and the UI.
type SegmentInfo struct {
	// BaseOffset is the offset of the segment's first batch.
	BaseOffset int64
	// NextOffset is the offset after the segment's last record: the next
	// segment's base offset, or the log end offset for the active segment.
	NextOffset int64
	// SizeBytes is the encoded size of the segment's batches.
	SizeBytes int64
	// LargestTimestampMs is the time retention.ms measures from: the largest
	// record timestamp, or the segment's last write time when it holds none
	// (Kafka's LogSegment.largestTimestamp).
	LargestTimestampMs int64
	// CreatedMs is the virtual time the segment was created.
	CreatedMs int64
	// Batches is the number of batches in the segment.
	Batches int
}

// segment is Kafka's LogSegment: batches with dense offsets from baseOffset.
// Batches are shared with other replicas and are never modified.
type segment struct {
	baseOffset int64
	batches    []*record.Batch
	sizeBytes  int64
	// maxTimestampMs is the largest record timestamp appended so far, or
	// record.NoTimestamp.
	maxTimestampMs int64
	// rollingTimestampMs is the largest timestamp of the first append into
	// the segment, which segment.ms measures from; hasRollingTimestamp
	// says whether it has been set.
	rollingTimestampMs  int64
	hasRollingTimestamp bool
	createdMs           int64
	lastModifiedMs      int64
}

func newSegment(baseOffset, nowMs int64) *segment {
	return &segment{
		baseOffset:     baseOffset,
		maxTimestampMs: record.NoTimestamp,
		createdMs:      nowMs,
		lastModifiedMs: nowMs,
	}
}

// append adds batches already known to start at nextOffset.
func (s *segment) append(batches []*record.Batch, sizeBytes, maxTimestampMs, nowMs int64) {
	if s.sizeBytes == 0 {
		s.rollingTimestampMs = maxTimestampMs
		s.hasRollingTimestamp = true
	}
	s.batches = append(s.batches, batches...)
	s.sizeBytes += sizeBytes
	s.maxTimestampMs = max(s.maxTimestampMs, maxTimestampMs)
	s.lastModifiedMs = nowMs
}

// largestTimestampMs is LogSegment.largestTimestamp.
func (s *segment) largestTimestampMs() int64 {
	if s.maxTimestampMs >= 0 {
		return s.maxTimestampMs
	}
	return s.lastModifiedMs
}

// timeWaitedForRollMs is LogSegment.timeWaitedForRoll: the incoming
// timestamp minus the first append's timestamp, or the wall time since
// creation when the segment has no timestamp to measure from.
func (s *segment) timeWaitedForRollMs(nowMs, messageTimestampMs int64) int64 {
	if s.hasRollingTimestamp && s.rollingTimestampMs >= 0 {
		return messageTimestampMs - s.rollingTimestampMs
	}
	return nowMs - s.createdMs
}

// shouldRoll is LogSegment.shouldRoll for an append of appendSizeBytes whose
// largest timestamp is maxTimestampMs (the index-full conditions cannot
// happen here).
func (s *segment) shouldRoll(config Config, appendSizeBytes, maxTimestampMs, nowMs int64) bool {
	reachedRollMs := s.timeWaitedForRollMs(nowMs, maxTimestampMs) > config.SegmentMs
	return s.sizeBytes > config.SegmentBytes-appendSizeBytes || (s.sizeBytes > 0 && reachedRollMs)
}

// batchIndex returns the index of the batch containing offset, or the index
// of the first batch after it, or len(batches).
func (s *segment) batchIndex(offset int64) int {
	low, high := 0, len(s.batches)
	for low < high {
		middle := int(uint(low+high) >> 1)
		if s.batches[middle].NextOffset() <= offset {
			low = middle + 1
		} else {
			high = middle
		}
	}
	return low
}

// truncateTo drops the batches at and after index. The capacity is clipped
// so that later appends never overwrite batches a reader still holds. A
// segment left empty starts over as if created at nowMs, as in Kafka.
func (s *segment) truncateTo(index int, nowMs int64) {
	s.batches = s.batches[:index:index]
	s.sizeBytes = 0
	s.maxTimestampMs = record.NoTimestamp
	for _, b := range s.batches {
		s.sizeBytes += batchSizeBytes(b)
		s.maxTimestampMs = max(s.maxTimestampMs, b.MaxTimestampMs)
	}
	if len(s.batches) == 0 {
		s.hasRollingTimestamp = false
		s.createdMs = nowMs
	}
}

func (s *segment) info(nextOffset int64) SegmentInfo {
	return SegmentInfo{
		BaseOffset:         s.baseOffset,
		NextOffset:         nextOffset,
		SizeBytes:          s.sizeBytes,
		LargestTimestampMs: s.largestTimestampMs(),
		CreatedMs:          s.createdMs,
		Batches:            len(s.batches),
	}
}

// batchSizeBytes is the batch's encoded size, computed when the producer of
// the batch left it unset.
func batchSizeBytes(b *record.Batch) int64 {
	if b.SizeBytes > 0 {
		return int64(b.SizeBytes)
	}
	return int64(b.ComputeSize())
}
