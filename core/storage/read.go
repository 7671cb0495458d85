package storage

import (
	"fmt"

	"github.com/kafka-playground/playground/core/record"
)

// Read returns the batches a fetch at fetchOffset receives, as
// LocalLog.read does: starting with the batch that contains fetchOffset,
// only from that one segment, only batches that end at or before maxOffset
// (consumers pass the high watermark, followers the log end offset), and
// no more than maxBytes in all, except that the first batch is always
// returned whole even when it is larger (Kafka's minOneMessage).
//
// A fetchOffset below the log start offset or above the log end offset
// returns ErrOffsetOutOfRange; at the log end offset, or at or past
// maxOffset, the result is empty. The returned slice is shared with the log
// and must not be modified; later appends and truncations never change it.
func (l *Log) Read(fetchOffset int64, maxBytes int32, maxOffset int64) ([]*record.Batch, error) {
	if fetchOffset < l.logStartOffset || fetchOffset > l.logEndOffset {
		return nil, fmt.Errorf("%w: offset %d, log is [%d, %d]", ErrOffsetOutOfRange,
			fetchOffset, l.logStartOffset, l.logEndOffset)
	}
	if fetchOffset >= maxOffset || fetchOffset == l.logEndOffset {
		return nil, nil
	}
	s := l.segments[l.segmentIndex(fetchOffset)]
	first := s.batchIndex(fetchOffset)
	end := readEnd(s.batches, first, int64(maxBytes), maxOffset)
	return s.batches[first:end:end], nil
}

// readEnd returns the index after the last batch a read starting at first
// returns.
func readEnd(batches []*record.Batch, first int, maxBytes, maxOffset int64) int {
	usedBytes := int64(0)
	end := first
	for end < len(batches) {
		b := batches[end]
		if b.NextOffset() > maxOffset {
			break
		}
		sizeBytes := batchSizeBytes(b)
		if end > first && usedBytes+sizeBytes > maxBytes {
			break
		}
		usedBytes += sizeBytes
		end++
	}
	return end
}

// BatchAt returns the batch containing offset, and false when offset is
// outside [LogStartOffset, LogEndOffset).
func (l *Log) BatchAt(offset int64) (*record.Batch, bool) {
	if offset < l.logStartOffset || offset >= l.logEndOffset {
		return nil, false
	}
	s := l.segments[l.segmentIndex(offset)]
	index := s.batchIndex(offset)
	if index == len(s.batches) {
		return nil, false
	}
	return s.batches[index], true
}

// EachBatch calls fn for each batch in offset order, starting with the batch
// containing from (or the log start offset, if later), until fn returns
// false.
func (l *Log) EachBatch(from int64, fn func(*record.Batch) bool) {
	from = max(from, l.logStartOffset)
	if from >= l.logEndOffset {
		return
	}
	for k := l.segmentIndex(from); k < len(l.segments); k++ {
		s := l.segments[k]
		for _, b := range s.batches[s.batchIndex(from):] {
			if !fn(b) {
				return
			}
		}
	}
}
