package client

import (
	"fmt"
	"sort"

	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/record"
	"github.com/kafka-playground/playground/core/sim"
)

// producerMetadata is the producer's metadata cache.
type producerMetadata struct {
	topics map[string]*topicMetadata
	// last is the entry of lastTopic, the topic want was last asked for:
	// a producer usually sends to one topic many times in a row, and
	// Send then skips want while that topic's metadata is in order.
	last         *topicMetadata
	lastTopic    string
	brokers      []int32
	needUpdate   bool
	inFlight     int32
	lastUpdateMs int64
	nextTryMs    int64
	bootstrap    int
}

type topicMetadata struct {
	error      protocol.ErrorCode
	partitions []protocol.PartitionMetadata
	// queues are the accumulator queues of the topic's partitions, by
	// partition number (nil: not looked up yet); see Producer.queue.
	queues []*partitionQueue
}

type (
	metadataTimeout struct{ correlation int32 }
	initRetry       struct{ token uint64 }
)

func newProducerMetadata() producerMetadata {
	return producerMetadata{topics: map[string]*topicMetadata{}, lastUpdateMs: -1 << 62}
}

// want adds a topic to the cache, where an unknown one needs a refresh,
// and returns its entry. A topic keeps its entry from then on. The entry
// is also kept as last, for the next send to the same topic (see Send).
func (m *producerMetadata) want(topic string) *topicMetadata {
	t, ok := m.topics[topic]
	if !ok {
		t = &topicMetadata{error: protocol.UnknownTopicOrPartition}
		m.topics[topic] = t
		m.needUpdate = true
	} else if authorizationError(t.error) {
		// Refused before: ask again, the ACLs may have changed.
		t.error = protocol.UnknownTopicOrPartition
		m.needUpdate = true
	}
	m.last, m.lastTopic = t, topic
	return t
}

func (m *producerMetadata) partitions(topic string) int32 {
	if t := m.topics[topic]; t != nil {
		return int32(len(t.partitions))
	}
	return 0
}

// available returns the partitions of topic that have a leader.
func (m *producerMetadata) available(topic string) []int32 {
	var out []int32
	if t := m.topics[topic]; t != nil {
		for _, pm := range t.partitions {
			if pm.Leader >= 0 {
				out = append(out, pm.Partition)
			}
		}
	}
	return out
}

func (m *producerMetadata) leader(tp protocol.TopicPartition) int32 {
	t := m.topics[tp.Topic]
	if t == nil || int(tp.Partition) >= len(t.partitions) {
		return -1
	}
	return t.partitions[tp.Partition].Leader
}

// maybeRefresh sends a MetadataRequest when one is needed (an error, an
// unknown topic, or metadata.max.age.ms passed while sending) and none is
// in flight.
func (m *producerMetadata) maybeRefresh(p *Producer) {
	now := p.sim.Now()
	if now-m.lastUpdateMs >= p.cfg.metadataMaxAgeMs && p.Outstanding() {
		m.needUpdate = true
	}
	if !m.needUpdate || m.inFlight != 0 {
		return
	}
	if now < m.nextTryMs {
		p.scheduleWake(m.nextTryMs)
		return
	}
	topics := make([]string, 0, len(m.topics))
	for t := range m.topics {
		topics = append(topics, t)
	}
	sort.Strings(topics)
	p.correlation++
	m.inFlight = p.correlation
	node := p.metadataNode()
	p.conns.send(node, &protocol.MetadataRequest{CorrelationID: m.inFlight, Topics: topics, AllowAutoTopicCreation: true})
	p.sim.SetTimer(p.node, p.cfg.requestTimeoutMs, metadataTimeout{correlation: m.inFlight})
}

// metadataNode picks the broker to ask: the known brokers in turn, or the
// bootstrap servers before any is known.
func (p *Producer) metadataNode() sim.NodeID {
	m := &p.metadata
	m.bootstrap++
	if len(m.brokers) > 0 {
		return p.settings.BrokerNode(m.brokers[m.bootstrap%len(m.brokers)])
	}
	return p.settings.Bootstrap[m.bootstrap%len(p.settings.Bootstrap)]
}

func (p *Producer) onMetadata(resp *protocol.MetadataResponse) {
	m := &p.metadata
	if resp.CorrelationID != m.inFlight {
		return
	}
	m.inFlight = 0
	m.lastUpdateMs = p.sim.Now()
	m.needUpdate = false
	m.brokers = m.brokers[:0]
	for _, b := range resp.Brokers {
		m.brokers = append(m.brokers, b.NodeID)
	}
	for _, t := range resp.Topics {
		tm := m.topics[t.Name]
		if tm == nil {
			continue
		}
		tm.error = t.Error
		if authorizationError(t.Error) {
			p.failTopic(t.Name, t.Error)
			continue
		}
		if t.Error == protocol.None {
			tm.partitions = t.Partitions
			for _, pm := range t.Partitions {
				if pm.Leader < 0 {
					m.needUpdate = true
				}
			}
		} else {
			m.needUpdate = true
		}
	}
	if m.needUpdate {
		m.nextTryMs = p.sim.Now() + p.cfg.retryBackoffMs
	}
	p.run()
}

func (p *Producer) onMetadataTimeout(t metadataTimeout) {
	if p.metadata.inFlight == t.correlation {
		p.metadata.inFlight = 0
		p.metadata.needUpdate = true
		p.metadata.nextTryMs = p.sim.Now() + p.cfg.retryBackoffMs
		p.run()
	}
}

// initProducerID asks a broker for a producer id (idempotence).
// Each attempt has its own token, so that a stale timeout or backoff
// timer cannot start a second chain of attempts.
func (p *Producer) initProducerID() {
	p.initPending = true
	p.initToken++
	p.correlation++
	p.conns.send(p.metadataNode(), &protocol.InitProducerIDRequest{CorrelationID: p.correlation, ProducerID: -1, ProducerEpoch: -1})
	p.sim.SetTimer(p.node, p.cfg.requestTimeoutMs, initRetry{token: p.initToken})
}

// retryInit tries InitProducerId again after retry.backoff.ms.
func (p *Producer) retryInit() {
	p.initToken++
	p.sim.SetTimer(p.node, p.cfg.retryBackoffMs, initRetry{token: p.initToken})
}

func (p *Producer) onInitProducerID(resp *protocol.InitProducerIDResponse) {
	if !p.initPending {
		return
	}
	if resp.Error == protocol.ClusterAuthorizationFailed {
		// Not allowed to be idempotent: the accumulated batches fail, as
		// Kafka's Sender aborts them; records still waiting for metadata
		// wait on, and the next batch asks again.
		p.initToken++
		p.initStalled = true
		p.failAccumulated(resp.Error, authorizationMessage(resp.Error, ""))
		return
	}
	if resp.Error != protocol.None {
		p.retryInit()
		return
	}
	p.initPending = false
	p.producerID, p.epoch = resp.ProducerID, resp.ProducerEpoch
	p.sim.Record(p.node, "producer-id", fmt.Sprintf("%d epoch %d", p.producerID, p.epoch))
	p.wake()
}

// ready reports whether a partition's head batch may be sent now.
func (p *Producer) ready(b *producerBatch, behind int) bool {
	now := p.sim.Now()
	if b.inFlight || now < b.retryAtMs {
		return false
	}
	full := behind > 0 || b.sizeBytes >= p.cfg.batchSize
	return full || now-b.createdMs >= p.cfg.lingerMs || p.closed
}

// sendReady drains ready batches into one ProduceRequest per leader.
func (p *Producer) sendReady() {
	if (p.cfg.idempotent && p.initPending) || (p.txn != nil && p.producerID < 0) {
		return
	}
	// The request to each leader, in the order the leaders come up.
	requests := p.requestScratch[:0]
	next := int64(-1)
	for _, q := range p.queues {
		tp, deque := q.tp, q.batches
		b := p.nextToSend(deque)
		if b == nil {
			continue
		}
		if !p.ready(b, len(deque)-1) {
			if !b.inFlight {
				at := max(b.retryAtMs, b.createdMs+p.cfg.lingerMs)
				if next < 0 || at < next {
					next = at
				}
			}
			continue
		}
		if p.txnBlocks(tp) {
			continue
		}
		leader := p.metadata.leader(tp)
		if leader < 0 {
			p.metadata.needUpdate = true
			continue
		}
		node := p.settings.BrokerNode(leader)
		r := requestTo(requests, node)
		if r == nil {
			if p.perNode[node] >= p.cfg.maxInFlight {
				continue
			}
			requests = append(requests, pendingRequest{node: node})
			r = &requests[len(requests)-1]
		} else if p.perNode[node]+1 >= p.cfg.maxInFlight || r.bytes+b.sizeBytes > p.cfg.maxRequestSize {
			continue
		}
		r.batches = append(r.batches, b)
		r.bytes += b.sizeBytes
	}
	for i := range requests {
		p.sendProduce(requests[i].node, requests[i].batches)
		requests[i] = pendingRequest{}
	}
	p.requestScratch = requests[:0]
	if next >= 0 {
		p.scheduleWake(next)
	}
	if p.metadata.needUpdate {
		p.metadata.maybeRefresh(p)
	}
}

// pendingRequest is a ProduceRequest sendReady is filling.
type pendingRequest struct {
	node    sim.NodeID
	batches []*producerBatch
	bytes   int32
}

// requestTo returns the request to node among requests, or nil.
func requestTo(requests []pendingRequest, node sim.NodeID) *pendingRequest {
	for i := range requests {
		if requests[i].node == node {
			return &requests[i]
		}
	}
	return nil
}

// nextToSend returns the partition's first batch not in flight, unless an
// idempotent producer must wait: a retried batch goes only once no batch
// with a lower sequence is in flight, so that sequences arrive in order.
func (p *Producer) nextToSend(deque []*producerBatch) *producerBatch {
	for i, b := range deque {
		if b.inFlight {
			continue
		}
		if p.cfg.idempotent && b.baseSequence >= 0 {
			for _, other := range deque[:i] {
				if other.inFlight && other.baseSequence < b.baseSequence {
					return nil
				}
			}
		}
		return b
	}
	return nil
}

func (p *Producer) sendProduce(node sim.NodeID, batches []*producerBatch) {
	p.correlation++
	corr := p.correlation
	req := &protocol.ProduceRequest{CorrelationID: corr, Acks: p.cfg.acks, TimeoutMs: int32(p.cfg.requestTimeoutMs)}
	for _, b := range batches {
		b.inFlight = true
		b.attempts++
		if p.cfg.idempotent && b.baseSequence < 0 {
			b.producerID, b.epoch = p.producerID, p.epoch
			b.baseSequence = p.sequences[b.tp]
			p.sequences[b.tp] += int32(b.records.Len())
		}
		wire := &record.Batch{ProducerID: b.producerID, ProducerEpoch: b.epoch, BaseSequence: record.NoSequence, Records: b.records.Records(),
			Transactional: p.txn != nil}
		if b.baseSequence >= 0 {
			wire.BaseSequence = b.baseSequence
		}
		wire.MaxTimestampMs = b.records.MaxTimestampMs()
		wire.SizeBytes = b.sizeBytes
		req.Partitions = append(req.Partitions, protocol.ProducePartition{TopicPartition: b.tp, Batch: wire})
	}
	p.counters.Requests++
	p.conns.send(node, req)
	if p.cfg.acks == protocol.AcksNone {
		for _, b := range batches {
			p.completeBatch(b, protocol.None, "", -1)
		}
		return
	}
	p.inFlight[corr] = &produceRequest{node: node, batches: batches, sentMs: p.sim.Now()}
	p.perNode[node]++
	p.sim.SetTimer(p.node, p.cfg.requestTimeoutMs, producerTimeout{correlation: corr})
}

func (p *Producer) onProduceResponse(resp *protocol.ProduceResponse) {
	req := p.inFlight[resp.CorrelationID]
	if req == nil {
		return
	}
	p.endRequest(resp.CorrelationID, req)
	for i, r := range resp.Partitions {
		if i >= len(req.batches) {
			break
		}
		p.handleBatchResult(req.batches[i], r.Error, r.ErrorMessage, r.BaseOffset)
	}
	p.run()
}

func (p *Producer) endRequest(corr int32, req *produceRequest) {
	delete(p.inFlight, corr)
	p.perNode[req.node]--
	for _, b := range req.batches {
		b.inFlight = false
	}
}

// handleBatchResult completes, retries or fails one batch.
func (p *Producer) handleBatchResult(b *producerBatch, code protocol.ErrorCode, message string, baseOffset int64) {
	switch {
	case code == protocol.None:
		p.completeBatch(b, code, "", baseOffset)
	case p.txn != nil && (code == protocol.InvalidProducerEpoch || code == protocol.ProducerFenced):
		p.completeBatch(b, protocol.ProducerFenced, message, -1)
		p.txnFatal(protocol.ProducerFenced)
	case p.canRetry(b, code):
		p.retryBatch(b, code)
	default:
		p.completeBatch(b, code, message, -1)
		p.sequenceLost(b)
	}
}

// sequenceLost handles a batch that had sequence numbers and failed for
// good: the leader's next expected sequence for its partition is now
// unknowable, so the idempotent producer starts over, as Kafka's does by
// bumping its epoch (KIP-360) and restarting every sequence at 0; here it
// takes a new producer id, which the broker's InitProducerId hands out.
func (p *Producer) sequenceLost(b *producerBatch) {
	if !p.cfg.idempotent || p.txn != nil || b.baseSequence < 0 || b.producerID != p.producerID || p.initPending || p.initStalled {
		return
	}
	p.sim.Record(p.node, "reset-producer-id", fmt.Sprintf("%s batch with sequence %d failed; new producer id", b.tp, b.baseSequence))
	p.producerID, p.epoch = record.NoProducerID, record.NoProducerEpoch
	p.sequences = map[protocol.TopicPartition]int32{}
	p.initProducerID()
}

// canRetry applies Kafka's rule: a retriable error, retries left, and the
// delivery timeout not passed. An idempotent producer also retries
// OUT_OF_ORDER_SEQUENCE_NUMBER while an earlier batch of the partition is
// still unresolved (it was rejected only because that one is being retried).
func (p *Producer) canRetry(b *producerBatch, code protocol.ErrorCode) bool {
	if int64(b.attempts) > p.cfg.retries || p.sim.Now() >= b.createdMs+p.cfg.deliveryTimeoutMs {
		return false
	}
	if code == protocol.OutOfOrderSequenceNumber && p.cfg.idempotent {
		for _, other := range p.batches[b.tp].batches {
			if other != b && other.baseSequence >= 0 && other.baseSequence < b.baseSequence {
				return true
			}
		}
		return false
	}
	return code.Retriable()
}

func (p *Producer) retryBatch(b *producerBatch, code protocol.ErrorCode) {
	p.counters.Retries++
	backoff := p.cfg.retryBackoffMs
	for i := 1; i < b.attempts && backoff < p.cfg.retryBackoffMaxMs; i++ {
		backoff *= 2
	}
	backoff = min(backoff, p.cfg.retryBackoffMaxMs)
	b.retryAtMs = p.sim.Now() + backoff
	switch code {
	case protocol.NotLeaderOrFollower, protocol.UnknownTopicOrPartition, protocol.LeaderNotAvailable,
		protocol.NetworkException, protocol.RequestTimedOut, protocol.FencedLeaderEpoch:
		p.metadata.needUpdate = true
	}
	p.sim.Record(p.node, "retry", fmt.Sprintf("%s batch of %d after %s (attempt %d)", b.tp, b.records.Len(), code, b.attempts))
	p.requeueInOrder(b)
}

// requeueInOrder moves a retried batch ahead of batches not yet sent and,
// for an idempotent producer, among sequenced ones by sequence.
func (p *Producer) requeueInOrder(b *producerBatch) {
	q := p.batches[b.tp]
	deque := q.batches
	out := make([]*producerBatch, 0, len(deque))
	for _, other := range deque {
		if other != b {
			out = append(out, other)
		}
	}
	pos := 0
	for pos < len(out) && out[pos].baseSequence >= 0 && (b.baseSequence < 0 || out[pos].baseSequence < b.baseSequence) {
		pos++
	}
	if !p.cfg.idempotent {
		pos = 0
	}
	out = append(out, nil)
	copy(out[pos+1:], out[pos:])
	out[pos] = b
	q.batches = out
}

// completeBatch finishes every record of a batch and frees its buffer.
func (p *Producer) completeBatch(b *producerBatch, code protocol.ErrorCode, message string, baseOffset int64) {
	if code == protocol.None && message == "" {
		// The common outcome, with finish's success path written out:
		// one call per record less.
		for i, r := range b.results {
			if baseOffset >= 0 {
				r.Offset = baseOffset + int64(i)
			}
			if !r.Done {
				r.Done, r.Error = true, protocol.None
				p.counters.Acked++
			}
		}
	} else {
		for i, r := range b.results {
			if code == protocol.None && baseOffset >= 0 {
				r.Offset = baseOffset + int64(i)
			}
			p.finish(r, code, message)
		}
	}
	q := p.batches[b.tp]
	for i, other := range q.batches {
		if other == b {
			q.batches = append(q.batches[:i:i], q.batches[i+1:]...)
			p.batchCount--
			break
		}
	}
	p.bufferUsed -= b.allocated
}

// expireBatches fails batches waiting in the accumulator past
// delivery.timeout.ms.
func (p *Producer) expireBatches() {
	now := p.sim.Now()
	for _, q := range p.queues {
		for _, b := range q.batches {
			deadline := b.createdMs + p.cfg.deliveryTimeoutMs
			if b.inFlight {
				continue
			}
			if now >= deadline {
				p.completeBatch(b, protocol.ClientTimeout, fmt.Sprintf("Expiring %d record(s) for %s:%d ms has passed since batch creation", b.records.Len(), q.tp, now-b.createdMs), -1)
				p.sequenceLost(b)
				continue
			}
			p.scheduleWake(deadline)
		}
	}
}

func (p *Producer) onRequestTimeout(corr int32) {
	req := p.inFlight[corr]
	if req == nil {
		return
	}
	p.endRequest(corr, req)
	p.sim.Record(p.node, "timeout", fmt.Sprintf("produce request to %s after %dms", p.sim.Name(req.node), p.sim.Now()-req.sentMs))
	for _, b := range req.batches {
		p.handleBatchResult(b, protocol.RequestTimedOut, "Disconnected from node: request timed out", -1)
	}
	p.run()
}

// endRequestsTo ends the produce requests in flight to peer, oldest
// first, and hands each of their batches to done.
func (p *Producer) endRequestsTo(peer sim.NodeID, done func(*producerBatch)) {
	var corrs []int32
	for corr, req := range p.inFlight {
		if req.node == peer {
			corrs = append(corrs, corr)
		}
	}
	sort.Slice(corrs, func(i, j int) bool { return corrs[i] < corrs[j] })
	for _, corr := range corrs {
		req := p.inFlight[corr]
		p.endRequest(corr, req)
		for _, b := range req.batches {
			done(b)
		}
	}
}

func (p *Producer) onDisconnected(peer sim.NodeID) {
	p.endRequestsTo(peer, func(b *producerBatch) {
		p.handleBatchResult(b, protocol.NetworkException, "Disconnected from node "+p.sim.Name(peer), -1)
	})
	if p.refused {
		return
	}
	if p.metadata.inFlight != 0 {
		p.metadata.inFlight = 0
		p.metadata.needUpdate = true
		p.metadata.nextTryMs = p.sim.Now() + p.cfg.retryBackoffMs
	}
	if p.initPending {
		p.retryInit()
	}
	p.metadata.needUpdate = true
	p.run()
}
