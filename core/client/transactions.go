package client

// The transactional producer, as the Java client's TransactionManager:
// initTransactions() finds the transaction coordinator and gets a producer
// id and epoch (fencing any earlier producer with the same
// transactional.id); within beginTransaction()/commitTransaction() every
// new partition is added to the transaction (AddPartitionsToTxn) before a
// batch goes to it; commit flushes, then asks the coordinator to end the
// transaction (EndTxn), which writes the markers.

import (
	"fmt"
	"strings"

	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/sim"
)

// Transaction manager states, as the Java client names them.
const (
	TxnUninitialized = "UNINITIALIZED"
	TxnInitializing  = "INITIALIZING"
	TxnReady         = "READY"
	TxnInTransaction = "IN_TRANSACTION"
	TxnCommitting    = "COMMITTING_TRANSACTION"
	TxnAborting      = "ABORTING_TRANSACTION"
	TxnAbortableErr  = "ABORTABLE_ERROR"
	TxnFatalErr      = "FATAL_ERROR"
)

type txnManager struct {
	id          string
	timeoutMs   int64
	state       string
	coordinator int32
	inFlight    int32 // correlation of the coordinator request in flight
	retryAtMs   int64
	inTxn       map[protocol.TopicPartition]bool
	pendingAdd  map[protocol.TopicPartition]bool
	// adding are the partitions of the AddPartitionsToTxn in flight.
	adding    []protocol.TopicPartition
	op        *Future
	lastError protocol.ErrorCode
}

type txnTimeout struct{ correlation int32 }

func newTxnManager(id string, timeoutMs int64) *txnManager {
	return &txnManager{id: id, timeoutMs: timeoutMs, state: TxnUninitialized, coordinator: -1,
		inTxn: map[protocol.TopicPartition]bool{}, pendingAdd: map[protocol.TopicPartition]bool{}}
}

// TransactionState returns the transaction manager's state, "" without a
// transactional.id.
func (p *Producer) TransactionState() string {
	if p.txn == nil {
		return ""
	}
	return p.txn.state
}

func (p *Producer) txnOp(kind string) (*Future, bool) {
	f := &Future{}
	t := p.txn
	if t == nil {
		f.complete(protocol.IllegalStateError, "Cannot use transactional methods without enabling transactions by setting the transactional.id configuration property", nil)
		return f, false
	}
	if t.state == TxnFatalErr {
		f.complete(t.lastError, "The producer is in a fatal state: "+t.lastError.String(), nil)
		return f, false
	}
	if t.op != nil {
		f.complete(protocol.IllegalStateError, "Cannot attempt operation `"+kind+"` because the previous call is still in progress", nil)
		return f, false
	}
	return f, true
}

// InitTransactions is KafkaProducer.initTransactions().
func (p *Producer) InitTransactions() *Future {
	f, ok := p.txnOp("initTransactions")
	if !ok {
		return f
	}
	if p.txn.state != TxnUninitialized {
		f.complete(protocol.IllegalStateError, "Invalid transition attempted from state "+p.txn.state+" to state INITIALIZING", nil)
		return f
	}
	p.txn.state = TxnInitializing
	p.txn.op = f
	p.wake()
	return f
}

// BeginTransaction is KafkaProducer.beginTransaction().
func (p *Producer) BeginTransaction() *Future {
	f, ok := p.txnOp("beginTransaction")
	if !ok {
		return f
	}
	if p.txn.state != TxnReady {
		f.complete(protocol.IllegalStateError, "Invalid transition attempted from state "+p.txn.state+" to state IN_TRANSACTION", nil)
		return f
	}
	p.txn.state = TxnInTransaction
	p.txn.inTxn = map[protocol.TopicPartition]bool{}
	f.complete(protocol.None, "", nil)
	return f
}

// CommitTransaction is KafkaProducer.commitTransaction(): it flushes, then
// ends the transaction; the future fails if any send of it failed.
func (p *Producer) CommitTransaction() *Future {
	return p.endTransaction(true)
}

// AbortTransaction is KafkaProducer.abortTransaction(): unsent records
// fail, then the transaction is ended with abort markers.
func (p *Producer) AbortTransaction() *Future {
	return p.endTransaction(false)
}

func (p *Producer) endTransaction(commit bool) *Future {
	kind := "abortTransaction"
	if commit {
		kind = "commitTransaction"
	}
	f, ok := p.txnOp(kind)
	if !ok {
		return f
	}
	t := p.txn
	switch {
	case commit && t.state == TxnInTransaction:
		t.state = TxnCommitting
		p.Flush()
	case !commit && (t.state == TxnInTransaction || t.state == TxnAbortableErr):
		t.state = TxnAborting
		p.failUnsent(protocol.TransactionAborted, "Failing batch since transaction was aborted")
	default:
		f.complete(protocol.IllegalStateError, "Cannot "+kind+" in state "+t.state, nil)
		return f
	}
	t.op = f
	p.wake()
	return f
}

// failUnsent fails every batch not in flight and every send still
// waiting to enter the accumulator.
func (p *Producer) failUnsent(code protocol.ErrorCode, message string) {
	p.failAccumulated(code, message)
	for _, ps := range p.pending {
		ps.result.Accepted = true
		p.finish(ps.result, code, message)
	}
	p.pending = nil
}

// failAccumulated fails every batch not in flight.
func (p *Producer) failAccumulated(code protocol.ErrorCode, message string) {
	for _, q := range p.queues {
		for _, b := range q.batches {
			if !b.inFlight {
				p.completeBatch(b, code, message, -1)
			}
		}
	}
}

// txnRun advances the transaction manager: find the coordinator, get a
// producer id, add partitions, end the transaction.
func (p *Producer) txnRun() {
	t := p.txn
	if t == nil || t.inFlight != 0 || p.sim.Now() < t.retryAtMs {
		if t != nil && t.inFlight == 0 && p.sim.Now() < t.retryAtMs {
			p.scheduleWake(t.retryAtMs)
		}
		return
	}
	switch t.state {
	case TxnInitializing:
		p.txnSend(&protocol.InitProducerIDRequest{TransactionalID: t.id, TransactionTimeoutMs: int32(t.timeoutMs), ProducerID: -1, ProducerEpoch: -1})
	case TxnInTransaction, TxnCommitting:
		if len(t.pendingAdd) > 0 {
			req := &protocol.AddPartitionsToTxnRequest{TransactionalID: t.id, ProducerID: p.producerID, ProducerEpoch: p.epoch}
			for tp := range t.pendingAdd {
				req.Partitions = append(req.Partitions, tp)
			}
			sortTPs(req.Partitions)
			t.adding = req.Partitions
			p.txnSend(req)
			return
		}
		if t.state == TxnCommitting && !p.Outstanding() {
			p.txnEnd(true)
		}
	case TxnAborting:
		if !p.Outstanding() {
			p.txnEnd(false)
		}
	}
}

func (p *Producer) txnEnd(commit bool) {
	t := p.txn
	if commit && t.lastError != protocol.None {
		t.state = TxnAbortableErr
		p.txnDone(t.lastError, "The transaction cannot be committed: a send failed with "+t.lastError.String()+"; abort it")
		return
	}
	if len(t.inTxn) == 0 {
		// Nothing was added: the coordinator never heard of this transaction.
		t.state = TxnReady
		t.lastError = protocol.None
		t.pendingAdd = map[protocol.TopicPartition]bool{}
		p.txnDone(protocol.None, "")
		return
	}
	p.txnSend(&protocol.EndTxnRequest{TransactionalID: t.id, ProducerID: p.producerID, ProducerEpoch: p.epoch, Committed: commit})
}

func sortTPs(tps []protocol.TopicPartition) {
	for i := 1; i < len(tps); i++ {
		for j := i; j > 0 && tps[j].Less(tps[j-1]); j-- {
			tps[j], tps[j-1] = tps[j-1], tps[j]
		}
	}
}

// txnSend sends a request to the coordinator, finding it first.
func (p *Producer) txnSend(msg sim.Message) {
	t := p.txn
	p.correlation++
	corr := p.correlation
	t.inFlight = corr
	if t.coordinator < 0 || msg == nil {
		p.conns.send(p.metadataNode(), &protocol.FindCoordinatorRequest{CorrelationID: corr, KeyType: protocol.CoordinatorTransaction, Key: t.id})
	} else {
		switch m := msg.(type) {
		case *protocol.InitProducerIDRequest:
			m.CorrelationID = corr
		case *protocol.AddPartitionsToTxnRequest:
			m.CorrelationID = corr
		case *protocol.EndTxnRequest:
			m.CorrelationID = corr
		}
		p.conns.send(p.settings.BrokerNode(t.coordinator), msg)
	}
	p.sim.SetTimer(p.node, p.cfg.requestTimeoutMs, txnTimeout{correlation: corr})
}

// txnRetry retries after retry.backoff.ms, forgetting the coordinator when
// it moved.
func (p *Producer) txnRetry(code protocol.ErrorCode) {
	t := p.txn
	switch code {
	case protocol.NotCoordinator, protocol.CoordinatorNotAvailable, protocol.NetworkException, protocol.RequestTimedOut:
		t.coordinator = -1
	}
	t.retryAtMs = p.sim.Now() + p.cfg.retryBackoffMs
	p.scheduleWake(t.retryAtMs)
}

func retriableTxn(code protocol.ErrorCode) bool {
	switch code {
	case protocol.NotCoordinator, protocol.CoordinatorNotAvailable, protocol.CoordinatorLoadInProgress,
		protocol.ConcurrentTransactions, protocol.NetworkException, protocol.RequestTimedOut, protocol.UnknownTopicOrPartition:
		return true
	}
	return false
}

// txnFatal moves to FATAL_ERROR: everything fails from now on and the
// producer must be closed, as Kafka's TransactionManager does when it is
// fenced, refused its transactional id, or cannot authenticate.
func (p *Producer) txnFatal(code protocol.ErrorCode) {
	t := p.txn
	t.state = TxnFatalErr
	t.lastError = code
	message := code.Info().Message
	switch code {
	case protocol.ProducerFenced:
		message = "There is a newer producer with the same transactionalId which fences the current one"
		p.sim.Record(p.node, "fenced", fmt.Sprintf("transactional.id %s: %s", t.id, code))
	case protocol.TransactionalIDAuthorizationFailed:
		message = authorizationMessage(code, t.id)
		p.sim.Record(p.node, "txn-fatal", fmt.Sprintf("transactional.id %s: %s", t.id, code))
	default:
		p.sim.Record(p.node, "txn-fatal", fmt.Sprintf("transactional.id %s: %s", t.id, code))
	}
	p.failUnsent(code, message)
	p.txnDone(code, message)
}

// txnAbortable moves to ABORTABLE_ERROR: the waiting call fails and the
// application must abort the transaction.
func (p *Producer) txnAbortable(code protocol.ErrorCode, message string) {
	t := p.txn
	t.lastError = code
	t.state = TxnAbortableErr
	p.failUnsent(code, message)
	p.txnDone(code, message)
}

func (p *Producer) txnDone(code protocol.ErrorCode, message string) {
	if op := p.txn.op; op != nil {
		p.txn.op = nil
		op.complete(code, message, nil)
	}
}

// onTxnResponse handles the coordinator's (and FindCoordinator's) answers.
func (p *Producer) onTxnResponse(corr int32, msg sim.Message) bool {
	t := p.txn
	if t == nil || corr != t.inFlight {
		return false
	}
	t.inFlight = 0
	switch m := msg.(type) {
	case *protocol.FindCoordinatorResponse:
		switch {
		case m.Error == protocol.None:
			t.coordinator = m.NodeID
		case m.Error == protocol.TransactionalIDAuthorizationFailed:
			p.txnFatal(m.Error)
		default:
			p.txnRetry(m.Error)
		}
	case *protocol.InitProducerIDResponse:
		p.onTxnInit(m)
	case *protocol.AddPartitionsToTxnResponse:
		p.onAddPartitions(m.Error)
	case *protocol.EndTxnResponse:
		p.onEndTxn(m.Error)
	}
	p.run()
	return true
}

func (p *Producer) onTxnInit(m *protocol.InitProducerIDResponse) {
	t := p.txn
	switch {
	case m.Error == protocol.None:
		p.producerID, p.epoch = m.ProducerID, m.ProducerEpoch
		p.sequences = map[protocol.TopicPartition]int32{}
		t.state = TxnReady
		t.lastError = protocol.None
		p.sim.Record(p.node, "producer-id", fmt.Sprintf("%d epoch %d (transactional.id %s)", p.producerID, p.epoch, t.id))
		p.txnDone(protocol.None, "")
	case retriableTxn(m.Error):
		p.txnRetry(m.Error)
	case m.Error == protocol.TransactionalIDAuthorizationFailed:
		p.txnFatal(m.Error)
	default:
		t.state = TxnUninitialized
		p.txnDone(m.Error, m.Error.Info().Message)
	}
}

func (p *Producer) onAddPartitions(code protocol.ErrorCode) {
	t := p.txn
	switch {
	case code == protocol.None:
		// Only what this request carried: partitions that became pending
		// while it was in flight still need adding.
		for _, tp := range t.adding {
			t.inTxn[tp] = true
			delete(t.pendingAdd, tp)
		}
		t.adding = nil
	case code == protocol.ProducerFenced || code == protocol.InvalidProducerEpoch:
		p.txnFatal(protocol.ProducerFenced)
	case code == protocol.TransactionalIDAuthorizationFailed:
		p.txnFatal(code)
	case retriableTxn(code):
		p.txnRetry(code)
	default:
		message := "AddPartitionsToTxn failed: " + code.String()
		if authorizationError(code) {
			message = authorizationMessage(code, topicNames(t.adding))
		}
		t.adding = nil
		t.pendingAdd = map[protocol.TopicPartition]bool{}
		p.txnAbortable(code, message)
	}
}

func (p *Producer) onEndTxn(code protocol.ErrorCode) {
	t := p.txn
	switch {
	case code == protocol.None:
		t.state = TxnReady
		t.inTxn = map[protocol.TopicPartition]bool{}
		t.pendingAdd = map[protocol.TopicPartition]bool{}
		t.lastError = protocol.None
		p.txnDone(protocol.None, "")
	case code == protocol.ProducerFenced || code == protocol.InvalidProducerEpoch:
		p.txnFatal(protocol.ProducerFenced)
	case code == protocol.TransactionalIDAuthorizationFailed:
		p.txnFatal(code)
	case retriableTxn(code):
		p.txnRetry(code)
	default:
		p.txnAbortable(code, code.Info().Message)
	}
}

func (p *Producer) onTxnTimeout(corr int32) {
	if t := p.txn; t != nil && t.inFlight == corr {
		t.inFlight = 0
		p.txnRetry(protocol.RequestTimedOut)
		p.run()
	}
}

// txnBlocks reports whether a batch for tp must wait for its partition to
// join the transaction (registering it to be added).
func (p *Producer) txnBlocks(tp protocol.TopicPartition) bool {
	t := p.txn
	if t == nil || t.inTxn[tp] {
		return false
	}
	if t.state == TxnInTransaction || t.state == TxnCommitting {
		t.pendingAdd[tp] = true
	}
	return true
}

// offsetsCall is a sendOffsetsToTransaction in progress: first
// AddOffsetsToTxn to the transaction coordinator, then TxnOffsetCommit to
// the group coordinator.
type offsetsCall struct {
	group       string
	offsets     []protocol.OffsetCommitPartition
	future      *Future
	stage       int
	coordinator int32
	inFlight    int32
	retryAtMs   int64
}

const (
	offsetsAddToTxn = iota
	offsetsFindGroupCoordinator
	offsetsCommit
)

// SendOffsetsToTransaction is KafkaProducer.sendOffsetsToTransaction():
// the consumer's positions are committed as part of the open transaction,
// visible only if it commits.
func (p *Producer) SendOffsetsToTransaction(group string, offsets []protocol.OffsetCommitPartition) *Future {
	f, ok := p.txnOp("sendOffsetsToTransaction")
	if !ok {
		return f
	}
	if p.txn.state != TxnInTransaction {
		f.complete(protocol.IllegalStateError, "Cannot send offsets if a transaction is not in progress (currentState= "+p.txn.state+")", nil)
		return f
	}
	if group == "" {
		f.complete(protocol.InvalidGroupID, "The consumer has no group.id.", nil)
		return f
	}
	p.offsets = &offsetsCall{group: group, offsets: offsets, future: f, coordinator: -1}
	p.txn.op = f
	p.wake()
	return f
}

// offsetsRun advances a sendOffsetsToTransaction.
func (p *Producer) offsetsRun() {
	o := p.offsets
	t := p.txn
	if o == nil || o.inFlight != 0 || t.inFlight != 0 {
		return
	}
	if p.sim.Now() < o.retryAtMs {
		p.scheduleWake(o.retryAtMs)
		return
	}
	p.correlation++
	o.inFlight = p.correlation
	switch {
	case o.stage == offsetsAddToTxn && t.coordinator < 0:
		o.inFlight = 0
		t.state = TxnInTransaction
		p.txnSend(nil)
		return
	case o.stage == offsetsAddToTxn:
		p.conns.send(p.settings.BrokerNode(t.coordinator), &protocol.AddOffsetsToTxnRequest{CorrelationID: o.inFlight,
			TransactionalID: t.id, ProducerID: p.producerID, ProducerEpoch: p.epoch, GroupID: o.group})
	case o.stage == offsetsFindGroupCoordinator || o.coordinator < 0:
		o.stage = offsetsFindGroupCoordinator
		p.conns.send(p.metadataNode(), &protocol.FindCoordinatorRequest{CorrelationID: o.inFlight, KeyType: protocol.CoordinatorGroup, Key: o.group})
	default:
		p.conns.send(p.settings.BrokerNode(o.coordinator), &protocol.TxnOffsetCommitRequest{CorrelationID: o.inFlight,
			TransactionalID: t.id, GroupID: o.group, ProducerID: p.producerID, ProducerEpoch: p.epoch, GenerationID: -1, Offsets: o.offsets})
	}
	p.sim.SetTimer(p.node, p.cfg.requestTimeoutMs, txnTimeout{correlation: o.inFlight})
}

// onOffsetsResponse handles the answers of a sendOffsetsToTransaction.
func (p *Producer) onOffsetsResponse(corr int32, code protocol.ErrorCode, coordinator int32) bool {
	o := p.offsets
	if o == nil || corr != o.inFlight {
		return false
	}
	o.inFlight = 0
	switch {
	case code == protocol.ProducerFenced || code == protocol.InvalidProducerEpoch:
		p.offsets = nil
		p.txnFatal(protocol.ProducerFenced)
	case code == protocol.NotCoordinator || code == protocol.CoordinatorNotAvailable || code == protocol.CoordinatorLoadInProgress ||
		code == protocol.ConcurrentTransactions || code == protocol.RequestTimedOut:
		if o.stage == offsetsAddToTxn && code != protocol.ConcurrentTransactions {
			p.txn.coordinator = -1
		} else if o.stage != offsetsAddToTxn {
			o.stage, o.coordinator = offsetsFindGroupCoordinator, -1
		}
		o.retryAtMs = p.sim.Now() + p.cfg.retryBackoffMs
	case code == protocol.TransactionalIDAuthorizationFailed:
		p.offsets = nil
		p.txnFatal(code)
	case code != protocol.None:
		p.offsets = nil
		message := code.Info().Message
		if code == protocol.GroupAuthorizationFailed {
			message = authorizationMessage(code, o.group)
		}
		p.txnAbortable(code, message)
	case o.stage == offsetsAddToTxn:
		o.stage = offsetsFindGroupCoordinator
		// The transaction now spans the group's offsets partition.
		p.txn.inTxn[protocol.TopicPartition{Topic: "__consumer_offsets", Partition: -1}] = true
	case o.stage == offsetsFindGroupCoordinator:
		o.stage, o.coordinator = offsetsCommit, coordinator
	default:
		p.offsets = nil
		p.sim.Record(p.node, "txn-offsets", fmt.Sprintf("group %s %d offsets added to the transaction", o.group, len(o.offsets)))
		p.txnDone(protocol.None, "")
	}
	p.run()
	return true
}

// topicNames lists the distinct topics of partitions, in order.
func topicNames(tps []protocol.TopicPartition) string {
	var names []string
	for _, tp := range tps {
		if len(names) == 0 || names[len(names)-1] != tp.Topic {
			names = append(names, tp.Topic)
		}
	}
	return strings.Join(names, ", ")
}
