package storage

import "fmt"

// UndefinedEpoch is Kafka's OffsetsForLeaderEpochResponse.UNDEFINED_EPOCH.
const UndefinedEpoch int32 = -1

// UndefinedEpochOffset is Kafka's
// OffsetsForLeaderEpochResponse.UNDEFINED_EPOCH_OFFSET.
const UndefinedEpochOffset int64 = -1

// EpochEntry records that leader epoch Epoch wrote its first record at
// StartOffset.
type EpochEntry struct {
	// Epoch is the leader epoch.
	Epoch int32
	// StartOffset is the offset of the epoch's first record.
	StartOffset int64
}

// epochCache is Kafka's LeaderEpochFileCache without the checkpoint file:
// entries strictly increasing in both epoch and start offset.
type epochCache struct {
	entries []EpochEntry
}

// assign adds (epoch, startOffset) unless it repeats the latest epoch at an
// equal or later offset, first removing every entry that would break
// monotonicity (LeaderEpochFileCache.assign). It reports whether it changed
// the cache.
func (c *epochCache) assign(epoch int32, startOffset int64) bool {
	if epoch < 0 || startOffset < 0 {
		panic(fmt.Sprintf("storage: invalid leader epoch entry (epoch %d, start offset %d)", epoch, startOffset))
	}
	if !c.isUpdateNeeded(epoch, startOffset) {
		return false
	}
	n := len(c.entries)
	for n > 0 && (c.entries[n-1].Epoch >= epoch || c.entries[n-1].StartOffset >= startOffset) {
		n--
	}
	c.entries = append(c.entries[:n:n], EpochEntry{Epoch: epoch, StartOffset: startOffset})
	return true
}

func (c *epochCache) isUpdateNeeded(epoch int32, startOffset int64) bool {
	latest, ok := c.latest()
	return !ok || epoch != latest.Epoch || startOffset < latest.StartOffset
}

func (c *epochCache) latest() (EpochEntry, bool) {
	if len(c.entries) == 0 {
		return EpochEntry{}, false
	}
	return c.entries[len(c.entries)-1], true
}

// endOffsetFor is LeaderEpochFileCache.endOffsetFor: the largest epoch not
// above the requested one and the start offset of the next higher epoch, or
// the log end offset when the latest epoch is requested.
func (c *epochCache) endOffsetFor(requestedEpoch int32, logEndOffset int64) (int32, int64) {
	if requestedEpoch == UndefinedEpoch {
		return UndefinedEpoch, UndefinedEpochOffset
	}
	if latest, ok := c.latest(); ok && latest.Epoch == requestedEpoch {
		return requestedEpoch, logEndOffset
	}
	higher := c.firstAbove(requestedEpoch)
	if higher == len(c.entries) {
		return UndefinedEpoch, UndefinedEpochOffset
	}
	if higher == 0 {
		// The requested epoch is older than every cached one: answer with
		// the start of the first known epoch, as Kafka does.
		return requestedEpoch, c.entries[0].StartOffset
	}
	return c.entries[higher-1].Epoch, c.entries[higher].StartOffset
}

// firstAbove returns the index of the first entry whose epoch is greater
// than epoch, or len(entries).
func (c *epochCache) firstAbove(epoch int32) int {
	low, high := 0, len(c.entries)
	for low < high {
		middle := int(uint(low+high) >> 1)
		if c.entries[middle].Epoch <= epoch {
			low = middle + 1
		} else {
			high = middle
		}
	}
	return low
}

// truncateFromEnd removes the entries starting at or after endOffset
// (LeaderEpochFileCache.truncateFromEnd).
func (c *epochCache) truncateFromEnd(endOffset int64) {
	if endOffset < 0 {
		return
	}
	n := len(c.entries)
	for n > 0 && c.entries[n-1].StartOffset >= endOffset {
		n--
	}
	c.entries = c.entries[:n:n]
}

// truncateFromStart removes the entries starting at or before startOffset
// and re-adds the last of them starting at startOffset
// (LeaderEpochFileCache.truncateFromStart).
func (c *epochCache) truncateFromStart(startOffset int64) {
	removed := 0
	for removed < len(c.entries) && c.entries[removed].StartOffset <= startOffset {
		removed++
	}
	if removed == 0 {
		return
	}
	first := EpochEntry{Epoch: c.entries[removed-1].Epoch, StartOffset: startOffset}
	kept := make([]EpochEntry, 0, len(c.entries)-removed+1)
	kept = append(kept, first)
	c.entries = append(kept, c.entries[removed:]...)
}

// epochForOffset is LeaderEpochFileCache.epochForOffset: the epoch of the
// entry starting exactly at offset, otherwise of the last entry starting
// before it.
func (c *epochCache) epochForOffset(offset int64) (int32, bool) {
	epoch, found := int32(0), false
	for _, entry := range c.entries {
		if entry.StartOffset == offset {
			return entry.Epoch, true
		}
		if entry.StartOffset > offset {
			return epoch, found
		}
		epoch, found = entry.Epoch, true
	}
	return epoch, found
}

func (c *epochCache) clear() {
	c.entries = nil
}

func (c *epochCache) snapshot() []EpochEntry {
	return append([]EpochEntry(nil), c.entries...)
}
