// Package storage is one replica's partition log, as Kafka's UnifiedLog and
// LocalLog keep it: segments of immutable, shared record batches with dense
// offsets, a log start offset, a high watermark, a leader epoch cache, and
// segment rolling and retention by size and time.
//
// Batches are never copied or modified: a leader stores a new Batch value
// that shares the producer's records, and followers store the leader's
// pointers as they are. Slices returned by Read stay valid after later
// truncations and appends.
//
// Operating errors (a fetch out of range) are returned; broken invariants
// (offsets that are not dense, a high watermark outside the log) are caller
// bugs and panic.
package storage

import (
	"errors"
	"fmt"
	"sort"
)

// ErrOffsetOutOfRange is returned for a read or a log start offset outside
// the log; it maps to Kafka's OFFSET_OUT_OF_RANGE error.
var ErrOffsetOutOfRange = errors.New("OFFSET_OUT_OF_RANGE")

// Log is one replica's log of one partition. It always holds at least one
// segment, the last of which is the active segment taking appends.
type Log struct {
	config         Config
	segments       []*segment
	logStartOffset int64
	logEndOffset   int64
	highWatermark  int64
	sizeBytes      int64
	epochs         epochCache
	// clockMs is the latest virtual time the log was given; operations that
	// take no time argument (truncation) use it.
	clockMs int64
}

// NewLog returns an empty log starting at offset 0, created at nowMs.
func NewLog(config Config, nowMs int64) *Log {
	return &Log{
		config:   config,
		segments: []*segment{newSegment(0, nowMs)},
		clockMs:  nowMs,
	}
}

// SetConfig replaces the log's configuration; it applies from the next
// append or retention check, as a topic config change does in Kafka.
func (l *Log) SetConfig(config Config) {
	l.config = config
}

// Config returns the log's configuration.
func (l *Log) Config() Config {
	return l.config
}

// LogStartOffset returns the first offset a client may read.
func (l *Log) LogStartOffset() int64 {
	return l.logStartOffset
}

// LogEndOffset returns the offset the next appended record will take.
func (l *Log) LogEndOffset() int64 {
	return l.logEndOffset
}

// HighWatermark returns the offset below which records are committed.
func (l *Log) HighWatermark() int64 {
	return l.highWatermark
}

// SetHighWatermark sets the high watermark. Kafka keeps it within
// [LogStartOffset, LogEndOffset]; a value outside is a caller bug and panics.
func (l *Log) SetHighWatermark(offset int64) {
	if offset < l.logStartOffset || offset > l.logEndOffset {
		panic(fmt.Sprintf("storage: high watermark %d outside the log [%d, %d]",
			offset, l.logStartOffset, l.logEndOffset))
	}
	l.highWatermark = offset
}

// SizeBytes returns the total encoded size of all segments.
func (l *Log) SizeBytes() int64 {
	return l.sizeBytes
}

// observe advances the log's notion of the current time.
func (l *Log) observe(nowMs int64) {
	l.clockMs = max(l.clockMs, nowMs)
}

func (l *Log) activeSegment() *segment {
	return l.segments[len(l.segments)-1]
}

// segmentIndex returns the index of the last segment whose base offset is
// at most offset, or -1.
func (l *Log) segmentIndex(offset int64) int {
	above := sort.Search(len(l.segments), func(i int) bool {
		return l.segments[i].baseOffset > offset
	})
	return above - 1
}

// segmentUpperBound returns the offset after segment index: the next
// segment's base offset, or the log end offset.
func (l *Log) segmentUpperBound(index int) int64 {
	if index+1 < len(l.segments) {
		return l.segments[index+1].baseOffset
	}
	return l.logEndOffset
}

// roll starts a new active segment at the log end offset (LocalLog.roll). An
// empty active segment at that offset is replaced rather than kept.
func (l *Log) roll(nowMs int64) *segment {
	fresh := newSegment(l.logEndOffset, nowMs)
	active := l.activeSegment()
	if active.baseOffset == l.logEndOffset && len(active.batches) == 0 {
		l.segments[len(l.segments)-1] = fresh
	} else {
		l.segments = append(l.segments, fresh)
	}
	return fresh
}

// Segments describes every segment, oldest first.
func (l *Log) Segments() []SegmentInfo {
	infos := make([]SegmentInfo, len(l.segments))
	for i, s := range l.segments {
		infos[i] = s.info(l.segmentUpperBound(i))
	}
	return infos
}

// AssignEpochStartOffset records that leader epoch epoch starts at
// startOffset; a new leader calls it with its log end offset. It follows
// LeaderEpochFileCache.assign: a repeat of the latest epoch at the same or a
// later offset is ignored, and entries that would break monotonicity are
// removed first.
func (l *Log) AssignEpochStartOffset(epoch int32, startOffset int64) {
	l.epochs.assign(epoch, startOffset)
}

// LatestEpoch returns the latest leader epoch in the epoch cache, and false
// when the cache is empty.
func (l *Log) LatestEpoch() (int32, bool) {
	latest, ok := l.epochs.latest()
	return latest.Epoch, ok
}

// EndOffsetForEpoch answers an OffsetsForLeaderEpoch request as
// LeaderEpochFileCache.endOffsetFor does: for the latest epoch, the log end
// offset; otherwise the largest cached epoch not above the requested one and
// the start offset of the next higher epoch. A requested epoch below every
// cached epoch answers (requested epoch, first cached start offset); an
// undefined or unknown newer epoch, or an empty cache, answers
// (UndefinedEpoch, UndefinedEpochOffset).
func (l *Log) EndOffsetForEpoch(epoch int32) (int32, int64) {
	return l.epochs.endOffsetFor(epoch, l.logEndOffset)
}

// EpochForOffset returns the leader epoch that wrote offset according to the
// epoch cache (LeaderEpochFileCache.epochForOffset), and false when no cached
// epoch starts at or before it.
func (l *Log) EpochForOffset(offset int64) (int32, bool) {
	return l.epochs.epochForOffset(offset)
}

// EpochEntries returns a copy of the epoch cache, oldest epoch first.
func (l *Log) EpochEntries() []EpochEntry {
	return l.epochs.snapshot()
}
