package client

// The producer of the simulation, behaving as Apache Kafka's Java
// KafkaProducer does: send() places a record in the RecordAccumulator —
// after waiting up to max.block.ms for metadata or for buffer.memory — and
// a sender drains full or lingered batches to partition leaders, at most
// max.in.flight.requests.per.connection requests per broker, retrying
// retriable errors every retry.backoff.ms (growing to retry.backoff.max.ms)
// until delivery.timeout.ms. With enable.idempotence (the default) batches
// carry a producer id, epoch and per-partition sequence numbers, so that
// the leader drops duplicates of a retried batch.

import (
	"fmt"
	"slices"
	"sort"

	"github.com/kafka-playground/playground/core/config"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/record"
	"github.com/kafka-playground/playground/core/sim"
)

// SendResult is the future of one send(): the partition once assigned, the
// offset once acknowledged, or the error it failed with.
//
// The fields are ordered largest first so that a result takes 72 bytes
// rather than 80; the producer allocates one per record.
type SendResult struct {
	Topic     string
	Key       string
	Message   string
	Offset    int64
	Partition int32
	Error     protocol.ErrorCode
	KeyNull   bool
	// Accepted turns true when send() returns: the record is in the
	// accumulator (or failed at once).
	Accepted bool
	// Done turns true when the record is acknowledged or has failed.
	Done bool
}

// ProducerSettings configure a producer node.
type ProducerSettings struct {
	ClientID  string
	Bootstrap []sim.NodeID
	// BrokerNodes names the brokers' nodes by id.
	BrokerNodes sim.NodeRange
	Config      config.Values
	Security    Security
}

// BrokerNode returns the node of broker id.
func (s *ProducerSettings) BrokerNode(id int32) sim.NodeID { return s.BrokerNodes.Node(id) }

// producerConfig is the producer's configuration, parsed once.
type producerConfig struct {
	acks              int16
	idempotent        bool
	batchSize         int32
	lingerMs          int64
	bufferMemory      int64
	maxBlockMs        int64
	maxRequestSize    int32
	deliveryTimeoutMs int64
	requestTimeoutMs  int64
	retries           int64
	retryBackoffMs    int64
	retryBackoffMaxMs int64
	maxInFlight       int
	metadataMaxAgeMs  int64
	ignoreKeys        bool
	transactionalID   string
	txnTimeoutMs      int64
}

func parseProducerConfig(v config.Values) (producerConfig, error) {
	idempotent, err := v.ProducerIdempotence()
	if err != nil {
		return producerConfig{}, err
	}
	acks := map[string]int16{"all": protocol.AcksAll, "-1": protocol.AcksAll, "1": protocol.AcksLeader, "0": protocol.AcksNone}[v.String("acks")]
	return producerConfig{
		acks: acks, idempotent: idempotent,
		batchSize: int32(v.Int("batch.size")), lingerMs: v.Int("linger.ms"), bufferMemory: v.Int("buffer.memory"),
		maxBlockMs: v.Int("max.block.ms"), maxRequestSize: int32(v.Int("max.request.size")),
		deliveryTimeoutMs: v.Int("delivery.timeout.ms"), requestTimeoutMs: v.Int("request.timeout.ms"),
		retries: v.Int("retries"), retryBackoffMs: v.Int("retry.backoff.ms"), retryBackoffMaxMs: v.Int("retry.backoff.max.ms"),
		maxInFlight: int(v.Int("max.in.flight.requests.per.connection")), metadataMaxAgeMs: v.Int("metadata.max.age.ms"),
		ignoreKeys: v.Bool("partitioner.ignore.keys"), txnTimeoutMs: v.Int("transaction.timeout.ms"),
		transactionalID: transactionalID(v),
	}, nil
}

func transactionalID(v config.Values) string {
	if v.IsNull("transactional.id") {
		return ""
	}
	return v.String("transactional.id")
}

// Producer is one producer client node.
type Producer struct {
	sim      *sim.Sim
	node     sim.NodeID
	settings ProducerSettings
	cfg      producerConfig

	// Volatile state: a crash loses it all.
	correlation int32
	metadata    producerMetadata
	pending     []*pendingSend
	// batches holds the accumulator's queue of each partition it has
	// held batches for; a queue stays (empty) once its batches are done,
	// so that topicMetadata.queues can point at it. queues are the same,
	// sorted by partition: the order every loop over them follows.
	batches map[protocol.TopicPartition]*partitionQueue
	queues  []*partitionQueue
	// batchCount is the number of batches in all queues.
	batchCount  int
	bufferUsed  int64
	inFlight    map[int32]*produceRequest
	perNode     map[sim.NodeID]int
	sticky      StickyPartitioner
	wakeAtMs    int64
	wakeToken   uint64
	initToken   uint64
	producerID  int64
	epoch       int16
	sequences   map[protocol.TopicPartition]int32
	initPending bool
	// initStalled: InitProducerId stopped at an authentication failure
	// and waits for the next send.
	initStalled bool
	// refused: the last connection failed authentication; nothing is
	// retried until the next send.
	refused  bool
	closed   bool
	counters ProducerCounters
	// txn is the transaction manager, nil without transactional.id.
	txn *txnManager
	// offsets is a sendOffsetsToTransaction in progress.
	offsets *offsetsCall
	conns   connections

	// resultSlab is where the next SendResults come from, resultsTaken
	// of them used (see newResult), recordSlab where batches take room
	// for their records, and requestScratch the reused list sendReady
	// fills. They are memory, not state: a crash need not reset them.
	resultSlab     []SendResult
	resultsTaken   int
	recordSlab     record.Slab
	requestScratch []pendingRequest
}

// ProducerCounters count outcomes per record.
type ProducerCounters struct {
	Sent   int64
	Acked  int64
	Failed int64
	Errors map[string]int64
	// Retries counts batch retries.
	Retries int64
	// Requests counts ProduceRequests sent.
	Requests int64
}

type pendingSend struct {
	result *SendResult
	// topic is the metadata of result.Topic; the producer keeps the same
	// topicMetadata from the first send to a topic until it restarts, which
	// also drops the pending sends.
	topic *topicMetadata
	// rec is the record of a send waiting in the queue; a send that goes
	// straight into the accumulator passes its record alongside instead.
	rec record.Record
	// payloadBytes is record.PayloadSizeBytes of rec, computed once: every
	// size the accumulator checks derives from it.
	payloadBytes int32
	partition    int32
	startMs      int64
}

// partitionQueue is the accumulator's deque of one partition's batches,
// in the order they are sent. Its backing array is never written in
// place (batches leave it by copying the rest; new ones are appended past
// its length), so a loop may range over batches while completing some.
type partitionQueue struct {
	tp      protocol.TopicPartition
	batches []*producerBatch
}

type producerBatch struct {
	tp protocol.TopicPartition
	// records collects the batch's records in the compact form the
	// brokers store; results are their futures, in the same order.
	records   record.Builder
	results   []*SendResult
	createdMs int64
	// sizeBytes is the batch's encoded size, header included, added up
	// record by record as Kafka's DefaultRecordBatch lays them out: it is
	// what record.Batch.ComputeSize returns for the records.
	sizeBytes    int32
	allocated    int64
	attempts     int
	retryAtMs    int64
	baseSequence int32
	producerID   int64
	epoch        int16
	inFlight     bool
}

type produceRequest struct {
	node    sim.NodeID
	batches []*producerBatch
	sentMs  int64
}

// Timers of the producer.
type (
	producerWake    struct{ token uint64 }
	producerTimeout struct{ correlation int32 }
)

// NewProducer returns a producer node; the error is a configuration Kafka
// refuses as a whole (idempotence with acks=1, say).
func NewProducer(s *sim.Sim, settings ProducerSettings) (*Producer, error) {
	cfg, err := parseProducerConfig(settings.Config)
	if err != nil {
		return nil, err
	}
	return &Producer{sim: s, settings: settings, cfg: cfg}, nil
}

// Start implements sim.Node.
func (p *Producer) Start(self sim.NodeID) {
	p.node = self
	p.conns.reset(p.sim, self)
	p.conns.security, p.conns.owner = p.settings.Security, p
	p.metadata = newProducerMetadata()
	p.pending = nil
	p.batches = map[protocol.TopicPartition]*partitionQueue{}
	p.queues = nil
	p.batchCount = 0
	p.bufferUsed = 0
	p.inFlight = map[int32]*produceRequest{}
	p.perNode = map[sim.NodeID]int{}
	p.sticky = StickyPartitioner{}
	p.wakeAtMs = -1 << 62
	p.producerID, p.epoch = record.NoProducerID, record.NoProducerEpoch
	p.sequences = map[protocol.TopicPartition]int32{}
	p.counters = ProducerCounters{Errors: map[string]int64{}}
	p.txn = nil
	p.offsets = nil
	switch {
	case p.cfg.transactionalID != "":
		p.txn = newTxnManager(p.cfg.transactionalID, p.cfg.txnTimeoutMs)
	case p.cfg.idempotent:
		p.initProducerID()
	}
}

// Counters returns the producer's outcome counters.
func (p *Producer) Counters() ProducerCounters { return p.counters }

// ProducerID returns the producer id and epoch (-1 without idempotence).
func (p *Producer) ProducerID() (int64, int16) { return p.producerID, p.epoch }

// Idempotent reports whether idempotence is on.
func (p *Producer) Idempotent() bool { return p.cfg.idempotent }

// Acks returns the acks setting as the ProduceRequest carries it.
func (p *Producer) Acks() int16 { return p.cfg.acks }

// Buffered returns the records in the accumulator and in flight.
func (p *Producer) Buffered() (accumulated, inFlight int) {
	for _, q := range p.batches {
		for _, b := range q.batches {
			if b.inFlight {
				inFlight += b.records.Len()
			} else {
				accumulated += b.records.Len()
			}
		}
	}
	return accumulated, inFlight
}

// Send is KafkaProducer.send(): it queues a record for topic (partition -1
// lets the partitioner choose) and returns its future. The record enters
// the accumulator once metadata and buffer space allow.
func (p *Producer) Send(topic string, partition int32, rec record.Record) *SendResult {
	// A result from the slab is zero: only the fields that are not are
	// set, one by one, which costs less than copying a whole SendResult
	// in while the collector is marking.
	result := p.newResult()
	result.Topic, result.Key, result.KeyNull = topic, rec.Key, rec.KeyNull
	result.Partition, result.Offset = -1, -1
	if p.closed {
		p.finish(result, protocol.IllegalStateError, "Cannot perform operation after producer has been closed")
		result.Accepted = true
		return result
	}
	if t := p.txn; t != nil && t.state != TxnInTransaction {
		message := "Cannot call send in state " + t.state
		if t.state == TxnUninitialized || t.state == TxnInitializing {
			message = "Cannot perform a 'send' before completing a call to initTransactions when transactions are enabled."
		}
		code := protocol.IllegalStateError
		if t.state == TxnFatalErr {
			code = t.lastError
		}
		p.finish(result, code, message)
		result.Accepted = true
		return result
	}
	rec.TimestampMs = p.sim.Now()
	p.counters.Sent++
	p.refused = false
	// Another record for the topic of the previous send, with its metadata
	// in order, is the common case; want, a map lookup, handles the rest.
	t := p.metadata.last
	if t == nil || t.error != protocol.None || topic != p.metadata.lastTopic {
		t = p.metadata.want(topic)
	}
	// The common case needs no queue: nothing waits ahead of this record
	// and it fits in the accumulator now. Kept on the stack, it saves an
	// allocation per record.
	// The record stays in rec (not copied into ps) unless it must queue.
	ps := pendingSend{result: result, topic: t, payloadBytes: record.PayloadSizeBytes(&rec), partition: partition, startMs: p.sim.Now()}
	if len(p.pending) > 0 || !p.tryAppend(&ps, &rec) {
		queued := ps
		queued.rec = rec
		p.pending = append(p.pending, &queued)
		p.drainPending()
	}
	p.wake()
	return result
}

// resultSlabSize is how many SendResults newResult allocates at once.
const resultSlabSize = 64

// newResult returns a zeroed SendResult for one send. They are allocated
// resultSlabSize at a time: one allocation instead of one per record,
// which in WebAssembly is a noticeable part of a send's cost. A result
// the application keeps alive keeps its slab alive too (5 KB at most).
//
// The slab is indexed rather than resliced: moving a slice's start is a
// pointer write, with a write barrier while the collector marks.
func (p *Producer) newResult() *SendResult {
	if p.resultsTaken == len(p.resultSlab) {
		p.resultSlab = make([]SendResult, resultSlabSize)
		p.resultsTaken = 0
	}
	result := &p.resultSlab[p.resultsTaken]
	p.resultsTaken++
	return result
}

// Outstanding reports whether any record is not yet acknowledged or failed.
func (p *Producer) Outstanding() bool {
	return len(p.pending) > 0 || p.batchCount > 0
}

// Flush makes every accumulated batch ready at once (linger.ms no longer
// waits), as KafkaProducer.flush() does; callers then wait for Outstanding.
func (p *Producer) Flush() {
	for _, q := range p.batches {
		for _, b := range q.batches {
			b.createdMs = min(b.createdMs, p.sim.Now()-p.cfg.lingerMs)
		}
	}
	p.wake()
}

// Close stops the producer: later sends fail. The caller flushes first
// (KafkaProducer.close waits for outstanding sends).
func (p *Producer) Close() {
	p.closed = true
	p.sim.Record(p.node, "close", "producer closed")
	p.sim.Crash(p.node)
}

// finish completes a record's future and counts it.
func (p *Producer) finish(result *SendResult, code protocol.ErrorCode, message string) {
	if result.Done {
		return
	}
	result.Done = true
	result.Error = code
	if message != "" {
		// Unset until now; an acknowledgement leaves it empty and
		// saves writing a pointer per record.
		result.Message = message
	}
	if code == protocol.None {
		p.counters.Acked++
		return
	}
	if t := p.txn; t != nil && t.lastError == protocol.None && (t.state == TxnInTransaction || t.state == TxnCommitting) {
		t.lastError = code
	}
	p.counters.Failed++
	p.counters.Errors[code.String()]++
}

// drainPending moves waiting sends into the accumulator, in order, as far
// as metadata and buffer space allow; sends blocked longer than
// max.block.ms fail with a TimeoutException.
func (p *Producer) drainPending() {
	for len(p.pending) > 0 {
		ps := p.pending[0]
		if !p.tryAppend(ps, &ps.rec) {
			if p.sim.Now()-ps.startMs >= p.cfg.maxBlockMs {
				p.failBlocked(ps)
				p.pending = p.pending[1:]
				continue
			}
			p.scheduleWake(ps.startMs + p.cfg.maxBlockMs)
			return
		}
		p.pending = p.pending[1:]
	}
}

func (p *Producer) failBlocked(ps *pendingSend) {
	ps.result.Accepted = true
	if p.metadata.partitions(ps.result.Topic) == 0 {
		p.finish(ps.result, protocol.ClientTimeout, fmt.Sprintf("Topic %s not present in metadata after %d ms.", ps.result.Topic, p.cfg.maxBlockMs))
		return
	}
	p.finish(ps.result, protocol.BufferExhausted, fmt.Sprintf("Failed to allocate memory within the configured max blocking time %d ms.", p.cfg.maxBlockMs))
}

// tryAppend places one send in the accumulator; it reports false while
// the send must keep blocking.
func (p *Producer) tryAppend(ps *pendingSend, rec *record.Record) bool {
	topic := ps.result.Topic
	count := int32(len(ps.topic.partitions))
	if count == 0 {
		return false
	}
	size := record.RecordSizeFromPayload(0, 0, ps.payloadBytes) + record.BatchOverheadBytes
	if size > p.cfg.maxRequestSize || int64(size) > p.cfg.bufferMemory {
		ps.result.Accepted = true
		limit, name := int64(p.cfg.maxRequestSize), "max.request.size"
		if int64(size) > p.cfg.bufferMemory {
			limit, name = p.cfg.bufferMemory, "buffer.memory"
		}
		p.finish(ps.result, protocol.RecordTooLarge, fmt.Sprintf("The message is %d bytes when serialized which is larger than %d, which is the value of the %s configuration.", size, limit, name))
		return true
	}
	partition := ps.partition
	if partition >= count {
		ps.result.Accepted = true
		p.finish(ps.result, protocol.ClientTimeout, fmt.Sprintf("Partition %d of topic %s with partition count %d is not present in metadata after %d ms.", partition, topic, count, p.cfg.maxBlockMs))
		return true
	}
	if partition < 0 {
		if !rec.KeyNull && !p.cfg.ignoreKeys {
			partition = KeyPartition([]byte(rec.Key), count)
		} else {
			partition = p.sticky.Partition(topic, p.metadata.available(topic), count, p.sim.Rand())
		}
	}
	tp := protocol.TopicPartition{Topic: topic, Partition: partition}
	// queue's own fast path, in line: one call per record less.
	var q *partitionQueue
	if queues := ps.topic.queues; int(partition) < len(queues) {
		q = queues[partition]
	}
	if q == nil {
		q = p.queue(ps.topic, tp)
	}
	if !p.appendToBatch(q, tp, ps, rec) {
		return false
	}
	if ps.partition < 0 && (rec.KeyNull || p.cfg.ignoreKeys) {
		// Kafka counts the record's bytes; the batch header once per batch.
		p.sticky.RecordAppended(topic, partition, size-record.BatchOverheadBytes, p.cfg.batchSize)
	}
	ps.result.Partition = partition
	ps.result.Accepted = true
	return true
}

// queue returns the accumulator's queue of partition tp of topic t,
// creating it on first use. t keeps the queues of its partitions by
// number, so that finding one takes no map lookup per record.
func (p *Producer) queue(t *topicMetadata, tp protocol.TopicPartition) *partitionQueue {
	if int(tp.Partition) < len(t.queues) && t.queues[tp.Partition] != nil {
		return t.queues[tp.Partition]
	}
	if missing := int(tp.Partition) + 1 - len(t.queues); missing > 0 {
		t.queues = append(t.queues, make([]*partitionQueue, missing)...)
	}
	q := p.batches[tp]
	if q == nil {
		q = &partitionQueue{tp: tp}
		p.batches[tp] = q
		at := sort.Search(len(p.queues), func(i int) bool { return tp.Less(p.queues[i].tp) })
		p.queues = slices.Insert(p.queues, at, q)
	}
	t.queues[tp.Partition] = q
	return q
}

// appendToBatch adds the record to the last open batch of q, partition
// tp's queue, or to a new one allocated from buffer.memory; false when the
// buffer is full.
func (p *Producer) appendToBatch(q *partitionQueue, tp protocol.TopicPartition, ps *pendingSend, rec *record.Record) bool {
	if n := len(q.batches); n > 0 {
		last := q.batches[n-1]
		recSize := record.RecordSizeFromPayload(int32(last.records.Len()), rec.TimestampMs-last.records.TimestampMs(0), ps.payloadBytes)
		// record.RecordSizeUpperBound, from the payload size.
		upperBound := record.MaxRecordOverheadBytes + ps.payloadBytes
		if !last.inFlight && last.baseSequence < 0 && last.sizeBytes+upperBound <= p.cfg.batchSize {
			last.records.Append(rec)
			last.results = append(last.results, ps.result)
			last.sizeBytes += recSize
			return true
		}
	}
	recSize := record.RecordSizeFromPayload(0, 0, ps.payloadBytes)
	allocate := max(int64(p.cfg.batchSize), int64(recSize+record.BatchOverheadBytes))
	if p.bufferUsed+allocate > p.cfg.bufferMemory {
		return false
	}
	p.bufferUsed += allocate
	// Size the batch for records like this one, so a full batch is one
	// allocation of each kind instead of a doubling series.
	expected := min(max(allocate/int64(recSize+1), 1), maxPresizedRecords)
	b := &producerBatch{tp: tp, results: make([]*SendResult, 0, expected), createdMs: p.sim.Now(),
		sizeBytes: record.BatchOverheadBytes + recSize, allocated: allocate, baseSequence: -1, producerID: record.NoProducerID,
		epoch: record.NoProducerEpoch}
	b.records.GrowFrom(&p.recordSlab, int(expected), int(allocate))
	b.records.Append(rec)
	b.results = append(b.results, ps.result)
	q.batches = append(q.batches, b)
	p.batchCount++
	return true
}

// maxPresizedRecords caps the capacity a new batch reserves up front.
const maxPresizedRecords = 1024

// Receive implements sim.Node.
func (p *Producer) Receive(from sim.NodeID, msg sim.Message) {
	if p.conns.receive(from, msg) {
		return
	}
	switch m := msg.(type) {
	case producerWake:
		if m.token != p.wakeToken {
			return
		}
		p.wakeAtMs = -1 << 62
		p.run()
	case *protocol.MetadataResponse:
		p.onMetadata(m)
	case *protocol.InitProducerIDResponse:
		if !p.onTxnResponse(m.CorrelationID, m) {
			p.onInitProducerID(m)
		}
	case *protocol.FindCoordinatorResponse:
		if !p.onOffsetsResponse(m.CorrelationID, m.Error, m.NodeID) {
			p.onTxnResponse(m.CorrelationID, m)
		}
	case *protocol.AddOffsetsToTxnResponse:
		p.onOffsetsResponse(m.CorrelationID, m.Error, -1)
	case *protocol.TxnOffsetCommitResponse:
		p.onOffsetsResponse(m.CorrelationID, m.Error, -1)
	case *protocol.AddPartitionsToTxnResponse:
		p.onTxnResponse(m.CorrelationID, m)
	case *protocol.EndTxnResponse:
		p.onTxnResponse(m.CorrelationID, m)
	case txnTimeout:
		if !p.onOffsetsResponse(m.correlation, protocol.RequestTimedOut, -1) {
			p.onTxnTimeout(m.correlation)
		}
	case *protocol.ProduceResponse:
		p.onProduceResponse(m)
	case producerTimeout:
		p.onRequestTimeout(m.correlation)
	case metadataTimeout:
		p.onMetadataTimeout(m)
	case initRetry:
		if p.initPending && m.token == p.initToken {
			p.initProducerID()
		}
	case sim.Disconnected:
		p.onDisconnected(m.Peer)
	}
}

// wake runs the producer's loop now (after the current event).
// Once a wake is pending for now, as after the first of many sends in the
// same millisecond, it returns without the call.
func (p *Producer) wake() {
	if now := p.sim.Now(); p.wakeAtMs != now {
		p.scheduleWake(now)
	}
}

// scheduleWake makes sure the producer runs at atMs or earlier. Only the
// earliest wake is pending: every run schedules whatever it next needs.
func (p *Producer) scheduleWake(atMs int64) {
	if p.wakeAtMs >= p.sim.Now() && p.wakeAtMs <= atMs {
		return
	}
	p.wakeAtMs = atMs
	p.wakeToken++
	p.sim.SetTimer(p.node, atMs-p.sim.Now(), producerWake{token: p.wakeToken})
}

// run is one turn of the producer's threads: the application thread's
// blocked sends, metadata refresh, expiry and the sender's drain.
func (p *Producer) run() {
	p.drainPending()
	if p.initStalled && p.batchCount > 0 {
		// Records reached the accumulator since InitProducerId was
		// refused: ask again.
		p.initStalled = false
		p.initProducerID()
	}
	p.expireBatches()
	p.metadata.maybeRefresh(p)
	p.sendReady()
	p.txnRun()
	if p.txn != nil {
		p.offsetsRun()
	}
}
