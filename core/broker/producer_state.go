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
}

type batchMetadata struct {
	firstSequence, lastSequence int32
	firstOffset, lastOffset     int64
}

// producerStates maps producer id to its entry.
type producerStates map[int64]*producerEntry

func (s producerStates) observe(b *record.Batch) {
	if b.ProducerID < 0 || b.Control {
		return
	}
	e := s[b.ProducerID]
	if e == nil || b.ProducerEpoch > e.epoch {
		e = &producerEntry{epoch: b.ProducerEpoch}
		s[b.ProducerID] = e
	}
	if b.BaseSequence < 0 {
		return
	}
	e.batches = append(e.batches, batchMetadata{firstSequence: b.BaseSequence, lastSequence: b.BaseSequence + int32(len(b.Records)) - 1,
		firstOffset: b.BaseOffset, lastOffset: b.LastOffset()})
	if len(e.batches) > producerBatchesKept {
		e.batches = e.batches[len(e.batches)-producerBatchesKept:]
	}
}

// rebuildProducerStates scans the log again (after truncation, or when the
// broker takes leadership).
func (b *Broker) rebuildProducerStates(p *partition) {
	p.producers = producerStates{}
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
	e := p.producers[batch.ProducerID]
	if e != nil && batch.ProducerEpoch < e.epoch {
		return nil, protocol.InvalidProducerEpoch, fmt.Sprintf("Epoch of producer %d is %d, which is smaller than the last seen epoch %d", batch.ProducerID, batch.ProducerEpoch, e.epoch)
	}
	if e == nil || batch.ProducerEpoch > e.epoch || len(e.batches) == 0 {
		if batch.BaseSequence != 0 {
			return nil, protocol.OutOfOrderSequenceNumber, fmt.Sprintf("Invalid sequence number for new epoch of producer %d: %d (request epoch), %d (seq. number), 0 (expected)", batch.ProducerID, batch.ProducerEpoch, batch.BaseSequence)
		}
		return nil, protocol.None, ""
	}
	last := batch.BaseSequence + int32(len(batch.Records)) - 1
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
