package broker

// Producer state per partition, as Kafka's ProducerStateManager keeps it:
// for every idempotent producer, its epoch and the metadata of its last
// five batches. It is derived from the log (batches carry producer id,
// epoch and sequence), so followers have it too and dedup survives leader
// failover; it is rebuilt from the log after truncation and on becoming
// leader.

import (
	"fmt"

	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/record"
)

// producerBatchesKept is how many batches per producer Kafka remembers
// (ProducerStateEntry.NUM_BATCHES_TO_RETAIN).
const producerBatchesKept = 5

type producerEntry struct {
	epoch   int16
	batches []batchMetadata
	// txnFirstOffset is where this producer's open transaction began in
	// the partition, -1 when none is open.
	txnFirstOffset int64
}

type batchMetadata struct {
	firstSequence, lastSequence int32
	firstOffset, lastOffset     int64
}

// producerStates maps producer id to its entry, and lists the aborted
// transactions of the partition (what read_committed consumers skip).
type producerStates struct {
	entries map[int64]*producerEntry
	aborted []protocol.AbortedTransaction
	// abortedEnds holds each aborted transaction's marker offset.
	abortedEnds []int64
}

func newProducerStates() *producerStates {
	return &producerStates{entries: map[int64]*producerEntry{}}
}

func (s *producerStates) observe(b *record.Batch) {
	if b.ProducerID < 0 {
		return
	}
	e := s.entries[b.ProducerID]
	if e == nil || b.ProducerEpoch > e.epoch {
		first := int64(-1)
		if e != nil {
			first = e.txnFirstOffset
		}
		e = &producerEntry{epoch: b.ProducerEpoch, txnFirstOffset: first}
		s.entries[b.ProducerID] = e
	}
	if b.Control {
		if b.ControlType == record.ControlAbort && e.txnFirstOffset >= 0 {
			s.aborted = append(s.aborted, protocol.AbortedTransaction{ProducerID: b.ProducerID, FirstOffset: e.txnFirstOffset})
			s.abortedEnds = append(s.abortedEnds, b.BaseOffset)
		}
		e.txnFirstOffset = -1
		return
	}
	if b.Transactional && e.txnFirstOffset < 0 {
		e.txnFirstOffset = b.BaseOffset
	}
	if b.BaseSequence < 0 {
		return
	}
	e.batches = append(e.batches, batchMetadata{firstSequence: b.BaseSequence, lastSequence: b.BaseSequence + int32(b.Records.Len()) - 1,
		firstOffset: b.BaseOffset, lastOffset: b.LastOffset()})
	if len(e.batches) > producerBatchesKept {
		e.batches = e.batches[len(e.batches)-producerBatchesKept:]
	}
}

// rebuildProducerStates scans the log again (after truncation, or when the
// broker takes leadership).
func (b *Broker) rebuildProducerStates(p *partition) {
	p.producers = newProducerStates()
	p.log.EachBatch(p.log.LogStartOffset(), func(batch *record.Batch) bool {
		p.producers.observe(batch)
		return true
	})
}

// checkProducerState validates an idempotent batch at the leader. It
// returns a duplicate's original metadata (to answer without appending),
// or an error.
func checkProducerState(p *partition, batch *record.Batch) (*batchMetadata, protocol.ErrorCode, string) {
	if batch.ProducerID < 0 || batch.BaseSequence < 0 {
		return nil, protocol.None, ""
	}
	e := p.producers.entries[batch.ProducerID]
	if e != nil && batch.ProducerEpoch < e.epoch {
		return nil, protocol.InvalidProducerEpoch, fmt.Sprintf("Epoch of producer %d is %d, which is smaller than the last seen epoch %d", batch.ProducerID, batch.ProducerEpoch, e.epoch)
	}
	if e == nil || batch.ProducerEpoch > e.epoch || len(e.batches) == 0 {
		if batch.BaseSequence != 0 {
			return nil, protocol.OutOfOrderSequenceNumber, fmt.Sprintf("Invalid sequence number for new epoch of producer %d: %d (request epoch), %d (seq. number), 0 (expected)", batch.ProducerID, batch.ProducerEpoch, batch.BaseSequence)
		}
		return nil, protocol.None, ""
	}
	last := batch.BaseSequence + int32(batch.Records.Len()) - 1
	for i := range e.batches {
		if m := &e.batches[i]; m.firstSequence == batch.BaseSequence && m.lastSequence == last {
			return m, protocol.None, ""
		}
	}
	if expected := e.batches[len(e.batches)-1].lastSequence + 1; batch.BaseSequence != expected {
		return nil, protocol.OutOfOrderSequenceNumber, fmt.Sprintf("Out of order sequence number for producer %d at offset %d in partition %s: %d (incoming seq. number), %d (expected)",
			batch.ProducerID, p.log.LogEndOffset(), p.tp, batch.BaseSequence, expected)
	}
	return nil, protocol.None, ""
}

// firstUnstableOffset returns the first offset of the oldest open
// transaction, or -1 when none is open.
func (s *producerStates) firstUnstableOffset() int64 {
	first := int64(-1)
	for _, e := range s.entries {
		if e.txnFirstOffset >= 0 && (first < 0 || e.txnFirstOffset < first) {
			first = e.txnFirstOffset
		}
	}
	return first
}

// lastStableOffset is the high watermark, or the start of the oldest
// transaction still open below it: read_committed consumers read up to it.
func (p *partition) lastStableOffset() int64 {
	hw := p.log.HighWatermark()
	if first := p.producers.firstUnstableOffset(); first >= 0 && first < hw {
		return first
	}
	return hw
}

// abortedTransactions lists the aborted transactions that overlap
// [from, to), as a FetchResponse carries them.
func (p *partition) abortedTransactions(from, to int64) []protocol.AbortedTransaction {
	var out []protocol.AbortedTransaction
	for i, a := range p.producers.aborted {
		if a.FirstOffset < to && p.producers.abortedEnds[i] >= from {
			out = append(out, a)
		}
	}
	return out
}
