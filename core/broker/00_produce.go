package broker

// Produce (API key 0).
//
// The leader checks the batch (size against max.message.bytes, ISR against
// min.insync.replicas for acks=all), appends it with its leader epoch and
// answers: acks=0 never, acks=1 at once, acks=all when the high watermark
// passes the batch, with NOT_ENOUGH_REPLICAS_AFTER_APPEND if the ISR shrank
// below min.insync.replicas meanwhile, or REQUEST_TIMED_OUT after the
// request's timeout. Idempotence and transactions are not handled here yet.

import (
	"fmt"

	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/security"
	"github.com/kafka-playground/playground/core/sim"
)

// delayedProduce is an acks=all request waiting for the high watermark.
type delayedProduce struct {
	from        sim.NodeID
	correlation int32
	token       uint64
	results     []protocol.ProducePartitionResponse
	// required[i] is the offset the HW must reach for results[i]; -1 once
	// that partition is answered.
	required []int64
	// then, when set, receives the results instead of a ProduceResponse
	// (the broker's own appends: transaction markers, coordinator state).
	then localAppend
}

// localAppend is what one of the broker's own appends (appendLocally)
// does with each partition's outcome, once replicated or failed. Each is
// a small value holding what it needs, not a closure, so that a waiting
// append can be in a snapshot.
type localAppend interface {
	appended(b *Broker, results []protocol.ProducePartitionResponse)
}

type produceTimeout struct{ token uint64 }

func (b *Broker) handleProduce(from sim.NodeID, req *protocol.ProduceRequest) {
	dp := &delayedProduce{from: from, correlation: req.CorrelationID}
	for _, pp := range req.Partitions {
		if !b.authorize(from, security.OpWrite, security.TopicResource, pp.Topic) {
			dp.results = append(dp.results, protocol.ProducePartitionResponse{TopicPartition: pp.TopicPartition,
				Error: protocol.TopicAuthorizationFailed, BaseOffset: -1, LogAppendTimeMs: -1, LogStartOffset: -1,
				CurrentLeader: -1, CurrentLeaderEpoch: -1})
			dp.required = append(dp.required, -1)
			continue
		}
		result, required := b.appendToLeader(req, pp)
		dp.results = append(dp.results, result)
		dp.required = append(dp.required, required)
	}
	switch req.Acks {
	case protocol.AcksNone:
		return
	case protocol.AcksLeader:
		for i := range dp.required {
			dp.required[i] = -1
		}
	}
	dp.token = b.nextToken()
	if b.tryCompleteProduce(dp) {
		return
	}
	b.produces = append(b.produces, dp)
	b.sim.SetTimer(b.node, int64(req.TimeoutMs), produceTimeout{token: dp.token})
}

// appendToLeader appends one partition's batch, returning its result and
// the offset acks=all waits for (-1 when answered already).
func (b *Broker) appendToLeader(req *protocol.ProduceRequest, pp protocol.ProducePartition) (protocol.ProducePartitionResponse, int64) {
	result := protocol.ProducePartitionResponse{TopicPartition: pp.TopicPartition, BaseOffset: -1, LogAppendTimeMs: -1,
		LogStartOffset: -1, CurrentLeader: -1, CurrentLeaderEpoch: -1}
	p := b.partitions[pp.TopicPartition]
	t := b.topics[pp.Topic]
	switch {
	case t == nil:
		result.Error = protocol.UnknownTopicOrPartition
		return result, -1
	case p == nil || p.role != roleLeader:
		result.Error = protocol.NotLeaderOrFollower
		if state := b.disk.Image.Partition(pp.Topic, pp.Partition); state != nil {
			result.CurrentLeader, result.CurrentLeaderEpoch = state.Leader, state.LeaderEpoch
		}
		return result, -1
	case pp.Batch.SizeBytes > t.maxMessageBytes:
		result.Error = protocol.MessageTooLarge
		result.ErrorMessage = fmt.Sprintf("The request included a message larger than the max message size the server will accept (%d > max.message.bytes %d).",
			pp.Batch.SizeBytes, t.maxMessageBytes)
		return result, -1
	case req.Acks == protocol.AcksAll && len(p.isr) < t.minInsyncReplicas:
		result.Error = protocol.NotEnoughReplicas
		result.ErrorMessage = fmt.Sprintf("The size of the current ISR %s is insufficient to satisfy the min.isr requirement of %d for partition %s",
			formatSet(p.isr), t.minInsyncReplicas, p.tp)
		b.record("reject", "%s NOT_ENOUGH_REPLICAS isr %s < min.insync.replicas %d", p.tp, formatSet(p.isr), t.minInsyncReplicas)
		return result, -1
	}
	duplicate, code, message := checkProducerState(p, pp.Batch)
	if code != protocol.None {
		result.Error, result.ErrorMessage = code, message
		b.record("reject", "%s %s producer %d epoch %d sequence %d", p.tp, code, pp.Batch.ProducerID, pp.Batch.ProducerEpoch, pp.Batch.BaseSequence)
		return result, -1
	}
	if duplicate != nil {
		result.BaseOffset = duplicate.firstOffset
		result.LogStartOffset = p.log.LogStartOffset()
		b.record("duplicate", "%s producer %d sequence %d..%d already at offsets %d..%d, not appended", p.tp,
			pp.Batch.ProducerID, duplicate.firstSequence, duplicate.lastSequence, duplicate.firstOffset, duplicate.lastOffset)
		return result, duplicate.lastOffset + 1
	}
	stored := p.log.AppendAsLeader(t.storedBatch(pp.Batch), p.leaderEpoch, b.now())
	p.producers.observe(stored)
	result.BaseOffset = stored.BaseOffset
	result.LogStartOffset = p.log.LogStartOffset()
	// "%s offsets %d..%d epoch %d acks %d"
	b.recordOffsets("append", p.tp, stored.BaseOffset, stored.LastOffset(),
		labelled{" epoch ", int64(p.leaderEpoch)}, labelled{" acks ", int64(req.Acks)})
	b.onAppend(p)
	return result, stored.NextOffset()
}

// tryCompleteProduce answers the request if every partition is resolved.
func (b *Broker) tryCompleteProduce(dp *delayedProduce) bool {
	if !b.resolveProduce(dp) {
		return false
	}
	b.answerProduce(dp)
	return true
}

// resolveProduce settles the partitions whose high watermark has reached
// their batch; it reports whether all are settled. It sends nothing, so
// callers may finish their bookkeeping before answering.
func (b *Broker) resolveProduce(dp *delayedProduce) bool {
	done := true
	for i, required := range dp.required {
		if required < 0 {
			continue
		}
		p := b.partitions[dp.results[i].TopicPartition]
		if p == nil || p.role != roleLeader {
			dp.results[i].Error = protocol.NotLeaderOrFollower
			dp.required[i] = -1
			continue
		}
		if p.log.HighWatermark() < required {
			done = false
			continue
		}
		dp.required[i] = -1
		if t := b.topics[p.tp.Topic]; t != nil && len(p.isr) < t.minInsyncReplicas {
			dp.results[i].Error = protocol.NotEnoughReplicasAfterAppend
		}
	}
	return done
}

// completeProduces retries every waiting produce (after a HW move or a
// leadership change).
func (b *Broker) completeProduces() {
	var done []*delayedProduce
	kept := make([]*delayedProduce, 0, len(b.produces))
	for _, dp := range b.produces {
		if b.resolveProduce(dp) {
			done = append(done, dp)
		} else {
			kept = append(kept, dp)
		}
	}
	b.produces = kept
	// Answers may append more (a coordinator's next state, markers).
	for _, dp := range done {
		b.answerProduce(dp)
	}
}

func (b *Broker) failProducesFor(tp protocol.TopicPartition, code protocol.ErrorCode) {
	for _, dp := range b.produces {
		for i := range dp.results {
			if dp.results[i].TopicPartition == tp && dp.required[i] >= 0 {
				dp.results[i].Error = code
				dp.required[i] = -1
			}
		}
	}
	b.completeProduces()
}

func (b *Broker) onProduceTimeout(m produceTimeout) {
	for i, dp := range b.produces {
		if dp.token != m.token {
			continue
		}
		for j := range dp.required {
			if dp.required[j] >= 0 {
				dp.results[j].Error = protocol.RequestTimedOut
				dp.required[j] = -1
			}
		}
		b.produces = append(b.produces[:i:i], b.produces[i+1:]...)
		b.answerProduce(dp)
		return
	}
}

func (b *Broker) answerProduce(dp *delayedProduce) {
	if dp.then != nil {
		dp.then.appended(b, dp.results)
		return
	}
	b.sim.Send(b.node, dp.from, &protocol.ProduceResponse{CorrelationID: dp.correlation, Partitions: dp.results})
}

// appendLocally appends batches as this broker's own acks=all write (a
// transaction marker, the transaction coordinator's state) and hands then
// each partition's outcome once replicated or failed.
func (b *Broker) appendLocally(partitions []protocol.ProducePartition, timeoutMs int64, then localAppend) {
	req := &protocol.ProduceRequest{Acks: protocol.AcksAll, TimeoutMs: int32(timeoutMs), Partitions: partitions}
	dp := &delayedProduce{then: then, token: b.nextToken()}
	for _, pp := range partitions {
		result, required := b.appendToLeader(req, pp)
		dp.results = append(dp.results, result)
		dp.required = append(dp.required, required)
	}
	if b.tryCompleteProduce(dp) {
		return
	}
	b.produces = append(b.produces, dp)
	b.sim.SetTimer(b.node, timeoutMs, produceTimeout{token: dp.token})
}
