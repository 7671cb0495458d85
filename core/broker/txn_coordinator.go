package broker

// The transaction coordinator, as Kafka's TransactionCoordinator: the
// leader of a __transaction_state partition coordinates the transactional
// ids that hash to it. Every state change is written to that partition
// (replicated like any record, acks=all) before it takes effect, so a new
// leader rebuilds the state from the log. States: Empty, Ongoing,
// PrepareCommit, PrepareAbort, CompleteCommit, CompleteAbort,
// PrepareEpochFence (and Dead, unused: transactional ids do not expire
// here yet).

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/record"
	"github.com/kafka-playground/playground/core/sim"
)

// Transaction states.
const (
	TxnEmpty             = "Empty"
	TxnOngoing           = "Ongoing"
	TxnPrepareCommit     = "PrepareCommit"
	TxnPrepareAbort      = "PrepareAbort"
	TxnCompleteCommit    = "CompleteCommit"
	TxnCompleteAbort     = "CompleteAbort"
	TxnPrepareEpochFence = "PrepareEpochFence"
)

// TxnMetadata is one transactional id's state at its coordinator.
type TxnMetadata struct {
	TransactionalID string
	ProducerID      int64
	ProducerEpoch   int16
	TimeoutMs       int32
	State           string
	Partitions      []protocol.TopicPartition
	StartMs         int64
	// pending marks a state write in flight: requests meanwhile get
	// CONCURRENT_TRANSACTIONS.
	pending bool
}

type txnCoordinator struct {
	txns map[string]*TxnMetadata
	// loaded maps the __transaction_state partitions this broker leads to
	// their leader epoch (the coordinator epoch).
	loaded map[int32]int32
}

type (
	txnTimeoutTick struct{ token uint64 }
	markerRetry    struct {
		id    string
		token uint64
	}
)

func (t *TxnMetadata) encode() string {
	parts := make([]string, len(t.Partitions))
	for i, tp := range t.Partitions {
		parts[i] = tp.String()
	}
	return fmt.Sprintf("pid=%d epoch=%d timeout=%d state=%s start=%d partitions=%s",
		t.ProducerID, t.ProducerEpoch, t.TimeoutMs, t.State, t.StartMs, strings.Join(parts, ","))
}

func decodeTxn(id, value string) *TxnMetadata {
	t := &TxnMetadata{TransactionalID: id}
	for _, field := range strings.Fields(value) {
		k, v, _ := strings.Cut(field, "=")
		n, _ := strconv.ParseInt(v, 10, 64)
		switch k {
		case "pid":
			t.ProducerID = n
		case "epoch":
			t.ProducerEpoch = int16(n)
		case "timeout":
			t.TimeoutMs = int32(n)
		case "state":
			t.State = v
		case "start":
			t.StartMs = n
		case "partitions":
			for _, p := range strings.Split(v, ",") {
				if i := strings.LastIndex(p, "-"); i > 0 {
					n, _ := strconv.Atoi(p[i+1:])
					t.Partitions = append(t.Partitions, protocol.TopicPartition{Topic: p[:i], Partition: int32(n)})
				}
			}
		}
	}
	return t
}

func (b *Broker) startTxnCoordinator() {
	b.txn = txnCoordinator{txns: map[string]*TxnMetadata{}, loaded: map[int32]int32{}}
	b.sim.SetTimer(b.node, b.brokerInt("transaction.abort.timed.out.transaction.cleanup.interval.ms"), txnTimeoutTick{token: b.token})
}

// onTxnPartitionsChanged loads the state of __transaction_state
// partitions this broker now leads and forgets those it lost.
func (b *Broker) onTxnPartitionsChanged() {
	for _, tp := range b.sortedPartitions() {
		if tp.Topic != TransactionStateTopic {
			continue
		}
		p := b.partitions[tp]
		epoch, loaded := b.txn.loaded[tp.Partition]
		switch {
		case p.role == roleLeader && (!loaded || epoch != p.leaderEpoch):
			b.loadTxnPartition(p)
		case p.role != roleLeader && loaded:
			delete(b.txn.loaded, tp.Partition)
			for _, id := range b.sortedTxnIDs() {
				if CoordinatorPartition(id, b.txnPartitionCount()) == tp.Partition {
					delete(b.txn.txns, id)
				}
			}
		}
	}
}

func (b *Broker) txnPartitionCount() int32 {
	if t := b.disk.Image.Topics[TransactionStateTopic]; t != nil {
		return int32(len(t.Partitions))
	}
	return 1
}

func (b *Broker) sortedTxnIDs() []string {
	ids := make([]string, 0, len(b.txn.txns))
	for id := range b.txn.txns {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// loadTxnPartition replays a __transaction_state partition's log.
func (b *Broker) loadTxnPartition(p *partition) {
	b.txn.loaded[p.tp.Partition] = p.leaderEpoch
	count := 0
	p.log.EachBatch(p.log.LogStartOffset(), func(batch *record.Batch) bool {
		for _, r := range batch.Records.All() {
			b.txn.txns[r.Key] = decodeTxn(r.Key, r.Value)
			count++
		}
		return true
	})
	b.record("txn-load", "%s: %d state records, coordinator epoch %d", p.tp, count, p.leaderEpoch)
	for _, id := range b.sortedTxnIDs() {
		t := b.txn.txns[id]
		if CoordinatorPartition(id, b.txnPartitionCount()) == p.tp.Partition && (t.State == TxnPrepareCommit || t.State == TxnPrepareAbort) {
			b.sendMarkers(t)
		}
	}
}

// coordinatorFor returns the loaded state partition for id, or the error
// a client gets.
func (b *Broker) coordinatorFor(id string) (*partition, protocol.ErrorCode) {
	t := b.disk.Image.Topics[TransactionStateTopic]
	if t == nil {
		return nil, protocol.CoordinatorNotAvailable
	}
	tp := protocol.TopicPartition{Topic: TransactionStateTopic, Partition: CoordinatorPartition(id, int32(len(t.Partitions)))}
	p := b.partitions[tp]
	if p == nil || p.role != roleLeader {
		return nil, protocol.NotCoordinator
	}
	if epoch, ok := b.txn.loaded[tp.Partition]; !ok || epoch != p.leaderEpoch {
		return nil, protocol.CoordinatorLoadInProgress
	}
	return p, protocol.None
}

// txnWriteDone is what follows the write of a transactional id's next
// state: a value, not a closure, so that a waiting write can be in a
// snapshot.
type txnWriteDone interface {
	// txnWritten takes NONE once the state is written, else
	// COORDINATOR_NOT_AVAILABLE.
	txnWritten(b *Broker, code protocol.ErrorCode)
}

// writeTxn appends a transactional id's next state to its partition;
// once replicated, it becomes the state and done follows.
func (b *Broker) writeTxn(p *partition, next TxnMetadata, done txnWriteDone) {
	current := b.txn.txns[next.TransactionalID]
	if current != nil {
		current.pending = true
	}
	batch := record.NewBatch([]record.Record{{Key: next.TransactionalID, Value: next.encode(), TimestampMs: b.now()}})
	b.appendLocally([]protocol.ProducePartition{{TopicPartition: p.tp, Batch: batch}}, txnWriteTimeoutMs,
		&txnAppended{current: current, next: next, done: done})
}

// txnAppended follows the append of a transactional id's next state;
// current is the state it replaces (nil for a new id), marked pending
// meanwhile.
type txnAppended struct {
	current *TxnMetadata
	next    TxnMetadata
	done    txnWriteDone
}

func (a *txnAppended) appended(b *Broker, results []protocol.ProducePartitionResponse) {
	if a.current != nil {
		a.current.pending = false
	}
	code := results[0].Error
	if code != protocol.None {
		a.done.txnWritten(b, protocol.CoordinatorNotAvailable)
		return
	}
	next := a.next
	stored := next
	b.txn.txns[next.TransactionalID] = &stored
	b.record("txn", "%s %s producer %d epoch %d partitions %s", next.TransactionalID, next.State, next.ProducerID, next.ProducerEpoch, describePartitions(next.Partitions))
	a.done.txnWritten(b, protocol.None)
}

// txnReply answers a client's transaction request: resp (an
// InitProducerId, AddPartitionsToTxn, EndTxn or AddOffsetsToTxn response)
// with its error set, to to.
type txnReply struct {
	to   sim.NodeID
	resp sim.Message
}

func (r txnReply) send(b *Broker, code protocol.ErrorCode) {
	switch m := r.resp.(type) {
	case *protocol.InitProducerIDResponse:
		m.Error = code
	case *protocol.AddPartitionsToTxnResponse:
		m.Error = code
	case *protocol.EndTxnResponse:
		m.Error = code
	case *protocol.AddOffsetsToTxnResponse:
		m.Error = code
	default:
		panic(fmt.Sprintf("txnReply: cannot answer with a %T", r.resp))
	}
	b.sim.Send(b.node, r.to, r.resp)
}

// txnWritten answers with the write's outcome.
func (r txnReply) txnWritten(b *Broker, code protocol.ErrorCode) { r.send(b, code) }

// producerIDWritten answers InitProducerId once the id's new producer id
// and epoch are written (with them even when the write failed).
type producerIDWritten struct {
	reply         txnReply
	producerID    int64
	producerEpoch int16
}

func (w producerIDWritten) txnWritten(b *Broker, code protocol.ErrorCode) {
	resp := w.reply.resp.(*protocol.InitProducerIDResponse)
	resp.ProducerID, resp.ProducerEpoch = w.producerID, w.producerEpoch
	w.reply.send(b, code)
}

// txnPrepared follows the write of PrepareCommit or PrepareAbort for id:
// reply, when it has a response, answers the client's EndTxn (a
// coordinator's own abort has none); then, once durable, the markers go
// out.
type txnPrepared struct {
	id    string
	reply txnReply
}

func (w txnPrepared) txnWritten(b *Broker, code protocol.ErrorCode) {
	if w.reply.resp != nil {
		w.reply.send(b, code)
	}
	if code == protocol.None {
		b.sendMarkers(b.txn.txns[w.id])
	}
}

// txnCompleted follows the write of CompleteCommit or CompleteAbort for
// id, which is tried again after a failure.
type txnCompleted struct{ id string }

func (w txnCompleted) txnWritten(b *Broker, code protocol.ErrorCode) {
	if code != protocol.None {
		b.sim.SetTimer(b.node, markerRetryBackoffMs, markerRetry{id: w.id, token: b.token})
	}
}

// handleTxnInitProducerID is InitProducerId with a transactional id: a new
// id gets a producer id; an existing one gets its epoch bumped, which
// fences the previous producer. An open transaction is aborted first.
func (b *Broker) handleTxnInitProducerID(from sim.NodeID, req *protocol.InitProducerIDRequest) {
	reply := txnReply{to: from, resp: &protocol.InitProducerIDResponse{CorrelationID: req.CorrelationID, ProducerID: -1, ProducerEpoch: -1}}
	p, code := b.coordinatorFor(req.TransactionalID)
	if code != protocol.None {
		reply.send(b, code)
		return
	}
	if req.TransactionTimeoutMs > int32(b.brokerInt("transaction.max.timeout.ms")) {
		reply.send(b, protocol.InvalidTransactionTimeout)
		return
	}
	t := b.txn.txns[req.TransactionalID]
	switch {
	case t == nil:
		b.disk.NextProducerID++
		next := TxnMetadata{TransactionalID: req.TransactionalID, ProducerID: int64(b.settings.ID)*producerIDsPerBroker + b.disk.NextProducerID,
			TimeoutMs: req.TransactionTimeoutMs, State: TxnEmpty}
		b.writeTxn(p, next, producerIDWritten{reply: reply, producerID: next.ProducerID, producerEpoch: next.ProducerEpoch})
	case t.pending || t.State == TxnPrepareCommit || t.State == TxnPrepareAbort || t.State == TxnPrepareEpochFence:
		reply.send(b, protocol.ConcurrentTransactions)
	case t.State == TxnOngoing:
		b.abortTxn(p, t, true)
		reply.send(b, protocol.ConcurrentTransactions)
	default:
		next := *t
		next.ProducerEpoch++
		next.TimeoutMs, next.State, next.Partitions = req.TransactionTimeoutMs, TxnEmpty, nil
		b.writeTxn(p, next, producerIDWritten{reply: reply, producerID: next.ProducerID, producerEpoch: next.ProducerEpoch})
	}
}

// checkTxnProducer validates a request's producer id and epoch.
func checkTxnProducer(t *TxnMetadata, producerID int64, epoch int16) protocol.ErrorCode {
	switch {
	case t == nil:
		return protocol.InvalidProducerIDMapping
	case t.ProducerID != producerID:
		return protocol.InvalidProducerIDMapping
	case epoch < t.ProducerEpoch:
		return protocol.ProducerFenced
	case epoch > t.ProducerEpoch:
		return protocol.InvalidProducerEpoch
	case t.pending || t.State == TxnPrepareCommit || t.State == TxnPrepareAbort || t.State == TxnPrepareEpochFence:
		return protocol.ConcurrentTransactions
	}
	return protocol.None
}

// handleAddPartitionsToTxn adds partitions to the open transaction. As in
// Kafka, partitions that do not exist are refused on their own
// (UNKNOWN_TOPIC_OR_PARTITION) and the others then not attempted
// (OPERATION_NOT_ATTEMPTED), before the coordinator is asked.
func (b *Broker) handleAddPartitionsToTxn(from sim.NodeID, req *protocol.AddPartitionsToTxnRequest) {
	resp := &protocol.AddPartitionsToTxnResponse{CorrelationID: req.CorrelationID}
	if unknown := b.unknownPartitions(req.Partitions); len(unknown) > 0 {
		resp.Error = protocol.UnknownTopicOrPartition
		for _, tp := range req.Partitions {
			code := protocol.OperationNotAttempted
			if containsTP(unknown, tp) {
				code = protocol.UnknownTopicOrPartition
			}
			resp.Partitions = append(resp.Partitions, protocol.PartitionError{TopicPartition: tp, Error: code})
		}
		b.sim.Send(b.node, from, resp)
		return
	}
	b.addPartitionsToTxn(req, txnReply{to: from, resp: resp})
}

// unknownPartitions returns the partitions that do not exist.
func (b *Broker) unknownPartitions(tps []protocol.TopicPartition) []protocol.TopicPartition {
	var out []protocol.TopicPartition
	for _, tp := range tps {
		if b.disk.Image.Partition(tp.Topic, tp.Partition) == nil {
			out = append(out, tp)
		}
	}
	return out
}

func (b *Broker) addPartitionsToTxn(req *protocol.AddPartitionsToTxnRequest, reply txnReply) {
	p, code := b.coordinatorFor(req.TransactionalID)
	if code != protocol.None {
		reply.send(b, code)
		return
	}
	t := b.txn.txns[req.TransactionalID]
	if code := checkTxnProducer(t, req.ProducerID, req.ProducerEpoch); code != protocol.None {
		reply.send(b, code)
		return
	}
	next := *t
	next.Partitions = append([]protocol.TopicPartition(nil), t.Partitions...)
	if t.State != TxnOngoing {
		next.Partitions, next.StartMs = nil, b.now()
	}
	for _, tp := range req.Partitions {
		if b.disk.Image.Partition(tp.Topic, tp.Partition) == nil {
			reply.send(b, protocol.UnknownTopicOrPartition)
			return
		}
		if !containsTP(next.Partitions, tp) {
			next.Partitions = append(next.Partitions, tp)
		}
	}
	sortPartitions(next.Partitions)
	next.State = TxnOngoing
	b.writeTxn(p, next, reply)
}

func containsTP(tps []protocol.TopicPartition, tp protocol.TopicPartition) bool {
	for _, x := range tps {
		if x == tp {
			return true
		}
	}
	return false
}

func (b *Broker) handleEndTxn(from sim.NodeID, req *protocol.EndTxnRequest) {
	reply := txnReply{to: from, resp: &protocol.EndTxnResponse{CorrelationID: req.CorrelationID}}
	p, code := b.coordinatorFor(req.TransactionalID)
	if code != protocol.None {
		reply.send(b, code)
		return
	}
	t := b.txn.txns[req.TransactionalID]
	if t != nil && !t.pending && t.ProducerID == req.ProducerID && t.ProducerEpoch == req.ProducerEpoch {
		// A retried EndTxn of a transaction already ending or ended.
		switch {
		case req.Committed && (t.State == TxnPrepareCommit || t.State == TxnCompleteCommit),
			!req.Committed && (t.State == TxnPrepareAbort || t.State == TxnCompleteAbort):
			reply.send(b, protocol.None)
			return
		case t.State != TxnOngoing:
			reply.send(b, protocol.InvalidTxnState)
			return
		}
	}
	if code := checkTxnProducer(t, req.ProducerID, req.ProducerEpoch); code != protocol.None {
		reply.send(b, code)
		return
	}
	if req.Committed {
		b.prepareEnd(p, t, TxnPrepareCommit, reply)
	} else {
		b.prepareEnd(p, t, TxnPrepareAbort, reply)
	}
}

// prepareEnd writes PrepareCommit or PrepareAbort; once it is durable the
// outcome is decided (the client is answered) and the markers go out.
func (b *Broker) prepareEnd(p *partition, t *TxnMetadata, state string, reply txnReply) {
	next := *t
	next.State = state
	b.writeTxn(p, next, txnPrepared{id: t.TransactionalID, reply: reply})
}

// abortTxn aborts an open transaction on the coordinator's own initiative
// (timeout, or a new producer with the same id); fence bumps the epoch so
// the old producer can no longer write.
func (b *Broker) abortTxn(p *partition, t *TxnMetadata, fence bool) {
	next := *t
	if fence {
		next.ProducerEpoch++
	}
	next.State = TxnPrepareAbort
	b.writeTxn(p, next, txnPrepared{id: t.TransactionalID})
}

// sendMarkers writes the transaction's markers to every partition's leader
// and completes the transaction once all are written, retrying failures.
func (b *Broker) sendMarkers(t *TxnMetadata) {
	committed := t.State == TxnPrepareCommit
	byLeader := map[int32][]protocol.TopicPartition{}
	for _, tp := range t.Partitions {
		if state := b.disk.Image.Partition(tp.Topic, tp.Partition); state != nil && state.Leader >= 0 {
			byLeader[state.Leader] = append(byLeader[state.Leader], tp)
		} else if state != nil {
			byLeader[-1] = append(byLeader[-1], tp)
		}
	}
	if len(byLeader[-1]) > 0 || len(byLeader) == 0 && len(t.Partitions) > 0 {
		b.sim.SetTimer(b.node, markerRetryBackoffMs, markerRetry{id: t.TransactionalID, token: b.token})
		return
	}
	round := &markerRound{id: t.TransactionalID, committed: committed, remaining: len(byLeader)}
	if round.remaining == 0 {
		round.finish(b)
		return
	}
	coordinatorEpoch := b.txn.loaded[CoordinatorPartition(t.TransactionalID, b.txnPartitionCount())]
	for _, leader := range sortedKeys32(byLeader) {
		corr := b.nextCorrelation()
		req := &protocol.WriteTxnMarkersRequest{CorrelationID: corr, ProducerID: t.ProducerID, ProducerEpoch: t.ProducerEpoch,
			Committed: committed, CoordinatorEpoch: coordinatorEpoch, Partitions: byLeader[leader]}
		b.markerCalls[corr] = round
		if leader == b.settings.ID {
			b.handleWriteTxnMarkers(b.node, req)
		} else {
			b.sim.Send(b.node, b.settings.BrokerNode(leader), req)
			b.sim.SetTimer(b.node, markerTimeoutMs, markerTimeout{correlation: corr, token: b.token})
		}
	}
}

// markerRound is one sending of a transaction's markers, one
// WriteTxnMarkers request per partition leader; every request of the
// round waits in markerCalls on the same round. remaining counts the
// leaders yet to answer, failed tells whether one failed.
type markerRound struct {
	id        string
	committed bool
	remaining int
	failed    bool
}

// answered takes one leader's answer; the last one finishes the round.
func (r *markerRound) answered(b *Broker, resp *protocol.WriteTxnMarkersResponse) {
	for _, code := range resp.Errors {
		r.failed = r.failed || code != protocol.None
	}
	r.remaining--
	if r.remaining == 0 {
		r.finish(b)
	}
}

// finish completes the transaction, or sends the markers again after a
// failure.
func (r *markerRound) finish(b *Broker) {
	if r.failed {
		b.sim.SetTimer(b.node, markerRetryBackoffMs, markerRetry{id: r.id, token: b.token})
		return
	}
	b.completeTxn(r.id, r.committed)
}

type markerTimeout struct {
	correlation int32
	token       uint64
}

func (b *Broker) onWriteTxnMarkersResponse(m *protocol.WriteTxnMarkersResponse) {
	if round := b.markerCalls[m.CorrelationID]; round != nil {
		delete(b.markerCalls, m.CorrelationID)
		round.answered(b, m)
	}
}

func (b *Broker) onMarkerTimeout(m markerTimeout) {
	if round := b.markerCalls[m.correlation]; m.token == b.token && round != nil {
		delete(b.markerCalls, m.correlation)
		round.answered(b, &protocol.WriteTxnMarkersResponse{CorrelationID: m.correlation, Errors: []protocol.ErrorCode{protocol.RequestTimedOut}})
	}
}

func (b *Broker) onMarkerRetry(m markerRetry) {
	if m.token != b.token {
		return
	}
	if t := b.txn.txns[m.id]; t != nil && (t.State == TxnPrepareCommit || t.State == TxnPrepareAbort) {
		if _, code := b.coordinatorFor(m.id); code == protocol.None {
			b.sendMarkers(t)
		}
	}
}

// completeTxn writes CompleteCommit or CompleteAbort once every marker is in.
func (b *Broker) completeTxn(id string, committed bool) {
	p, code := b.coordinatorFor(id)
	t := b.txn.txns[id]
	if code != protocol.None || t == nil {
		return
	}
	next := *t
	next.State = TxnCompleteAbort
	if committed {
		next.State = TxnCompleteCommit
	}
	next.Partitions = nil
	b.writeTxn(p, next, txnCompleted{id: id})
}

// onTxnTimeoutTick aborts (and fences) transactions open longer than
// their transaction.timeout.ms, every
// transaction.abort.timed.out.transaction.cleanup.interval.ms.
func (b *Broker) onTxnTimeoutTick(m txnTimeoutTick) {
	if m.token != b.token {
		return
	}
	b.sim.SetTimer(b.node, b.brokerInt("transaction.abort.timed.out.transaction.cleanup.interval.ms"), m)
	for _, id := range b.sortedTxnIDs() {
		t := b.txn.txns[id]
		if t.State != TxnOngoing || t.pending || b.now()-t.StartMs <= int64(t.TimeoutMs) {
			continue
		}
		if p, code := b.coordinatorFor(id); code == protocol.None {
			b.record("txn-timeout", "%s open %dms > transaction.timeout.ms %d: aborting and fencing producer %d", id, b.now()-t.StartMs, t.TimeoutMs, t.ProducerID)
			b.abortTxn(p, t, true)
		}
	}
}

// Transactions returns the coordinator state of the transactional ids
// this broker coordinates, for the state document.
func (b *Broker) Transactions() []TxnMetadata {
	var out []TxnMetadata
	for _, id := range b.sortedTxnIDs() {
		if _, code := b.coordinatorFor(id); code == protocol.None {
			out = append(out, *b.txn.txns[id])
		}
	}
	return out
}

const (
	// txnWriteTimeoutMs bounds a coordinator's wait for its state record
	// to replicate.
	txnWriteTimeoutMs = 30000
	// markerRetryBackoffMs is how soon failed markers are sent again.
	markerRetryBackoffMs = 100
)

// handleAddOffsetsToTxn adds the group's __consumer_offsets partition to
// the transaction, so that its markers settle the offsets committed in it.
func (b *Broker) handleAddOffsetsToTxn(from sim.NodeID, req *protocol.AddOffsetsToTxnRequest) {
	t := b.disk.Image.Topics[ConsumerOffsetsTopic]
	if t == nil {
		b.sim.Send(b.node, from, &protocol.AddOffsetsToTxnResponse{CorrelationID: req.CorrelationID, Error: protocol.CoordinatorNotAvailable})
		return
	}
	tp := protocol.TopicPartition{Topic: ConsumerOffsetsTopic, Partition: CoordinatorPartition(req.GroupID, int32(len(t.Partitions)))}
	add := &protocol.AddPartitionsToTxnRequest{CorrelationID: req.CorrelationID, TransactionalID: req.TransactionalID,
		ProducerID: req.ProducerID, ProducerEpoch: req.ProducerEpoch, Partitions: []protocol.TopicPartition{tp}}
	b.addPartitionsToTxn(add, txnReply{to: from, resp: &protocol.AddOffsetsToTxnResponse{CorrelationID: req.CorrelationID}})
}

func describePartitions(tps []protocol.TopicPartition) string {
	parts := make([]string, len(tps))
	for i, tp := range tps {
		parts[i] = tp.String()
	}
	return "[" + strings.Join(parts, " ") + "]"
}
