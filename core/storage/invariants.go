package storage

import "fmt"

// CheckInvariants verifies the log's structure and returns the first
// violation found: 0 ≤ log start offset ≤ high watermark ≤ log end offset;
// segment base offsets increasing and equal to their first batch's offset;
// offsets dense from the first segment to the log end offset; each batch's
// recorded size equal to the encoded size of its records; segment and log
// sizes adding up; and the epoch cache strictly increasing in both epoch
// and start offset, within [log start offset, log end offset].
func (l *Log) CheckInvariants() error {
	if l.logStartOffset < 0 || l.logStartOffset > l.highWatermark || l.highWatermark > l.logEndOffset {
		return fmt.Errorf("offsets out of order: log start %d, high watermark %d, log end %d",
			l.logStartOffset, l.highWatermark, l.logEndOffset)
	}
	if len(l.segments) == 0 {
		return fmt.Errorf("log has no segment")
	}
	if l.segments[0].baseOffset > l.logStartOffset {
		return fmt.Errorf("first segment base %d above log start %d", l.segments[0].baseOffset, l.logStartOffset)
	}
	if err := l.checkSegments(); err != nil {
		return err
	}
	return l.checkEpochs()
}

// checkSegments verifies density and sizes across all segments.
func (l *Log) checkSegments() error {
	expected := l.segments[0].baseOffset
	totalBytes := int64(0)
	for k, s := range l.segments {
		if s.baseOffset != expected {
			return fmt.Errorf("segment %d base offset %d, expected %d", k, s.baseOffset, expected)
		}
		if len(s.batches) == 0 && k != len(l.segments)-1 {
			return fmt.Errorf("segment %d at %d is empty but not active", k, s.baseOffset)
		}
		segmentBytes := int64(0)
		for _, b := range s.batches {
			if b.BaseOffset != expected || b.Records.Len() == 0 {
				return fmt.Errorf("batch at %d with %d records, expected offset %d", b.BaseOffset, b.Records.Len(), expected)
			}
			if b.SizeBytes != 0 && b.SizeBytes != b.ComputeSize() {
				return fmt.Errorf("batch at %d records %d bytes but its records take %d", b.BaseOffset, b.SizeBytes, b.ComputeSize())
			}
			expected = b.NextOffset()
			segmentBytes += batchSizeBytes(b)
		}
		if segmentBytes != s.sizeBytes {
			return fmt.Errorf("segment at %d holds %d bytes but records %d", s.baseOffset, segmentBytes, s.sizeBytes)
		}
		totalBytes += segmentBytes
	}
	if expected != l.logEndOffset {
		return fmt.Errorf("batches end at %d but log end offset is %d", expected, l.logEndOffset)
	}
	if totalBytes != l.sizeBytes {
		return fmt.Errorf("segments hold %d bytes but log records %d", totalBytes, l.sizeBytes)
	}
	return nil
}

// checkEpochs verifies that the epoch cache is strictly increasing and
// within the log.
func (l *Log) checkEpochs() error {
	for i, entry := range l.epochs.entries {
		if entry.StartOffset < l.logStartOffset || entry.StartOffset > l.logEndOffset {
			return fmt.Errorf("epoch %d starts at %d outside the log [%d, %d]",
				entry.Epoch, entry.StartOffset, l.logStartOffset, l.logEndOffset)
		}
		if i == 0 {
			continue
		}
		previous := l.epochs.entries[i-1]
		if entry.Epoch <= previous.Epoch || entry.StartOffset <= previous.StartOffset {
			return fmt.Errorf("epoch cache not increasing: %v then %v", previous, entry)
		}
	}
	return nil
}
