package scenario

import (
	"strconv"
	"strings"

	"github.com/kafka-playground/playground/core/client"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/record"
)

// MaxRecordResults bounds the per-record results one produce step reports;
// the step's counts cover every record.
const MaxRecordResults = 10_000

// flushWaitMs bounds flush and close: longer than any delivery.timeout.ms
// a scenario would set, short of looping forever.
const flushWaitMs = 30 * 60 * 1000

// produceRecord is one record of a produce step's result.
type produceRecord struct {
	Key       *string `json:"key"`
	Partition int32   `json:"partition"`
	Offset    int64   `json:"offset"`
	Error     string  `json:"error"`
}

// clientOp runs the producer and consumer ops.
func (r *runner) clientOp(st *Step, result *StepResult) {
	c := r.cluster
	switch st.Op {
	case OpAddProducer:
		// {"op": "add_producer", "id": "p1", "config": {"acks": "all"}}
		if err := c.AddProducer(st.ID, st.Config); err != nil {
			result.OK, result.Error, result.Message = false, protocol.InvalidConfig.String(), err.Error()
		}
	case OpProduce:
		// {"op": "produce", "producer": "p1", "topic": "orders", "key": "user-{i}", "value": "order-{i}", "count": 100}
		r.produce(st, result)
	case OpFlush:
		// {"op": "flush", "producer": "p1"}
		r.flush(st.Producer, st.Async, result)
	case OpClose:
		// {"op": "close", "client": "p1"}
		if p := c.Producer(st.Client); p != nil && c.ClientAlive(st.Client) {
			r.flush(st.Client, st.Async, result)
			p.Close()
			return
		}
		if cons := c.Consumer(st.Client); cons != nil && c.ClientAlive(st.Client) {
			r.await(st, result, cons.Close(), 1000)
			c.Advance(0)
			return
		}
		result.OK, result.Error = false, "client "+strconv.Quote(st.Client)+" is not running"
	case OpAddConsumer:
		// {"op": "add_consumer", "id": "c1", "group": "g1", "topics": ["orders"]}
		if err := c.AddConsumer(st.ID, st.Group, st.Topics, st.Config); err != nil {
			result.OK, result.Error, result.Message = false, protocol.InvalidConfig.String(), err.Error()
		}
	case OpPoll:
		// {"op": "poll", "consumer": "c1", "max_records": 100, "timeout_ms": 1000}
		r.poll(st, result)
	case OpCommit:
		// {"op": "commit", "consumer": "c1"}
		cons := c.Consumer(st.Consumer)
		if cons == nil || !c.ClientAlive(st.Consumer) {
			result.OK, result.Error = false, "consumer "+strconv.Quote(st.Consumer)+" is not running"
			return
		}
		r.await(st, result, cons.CommitSync(), 61000)
	case OpProcess:
		// {"op": "process", "consumer": "c1"}
		n, err := c.ProcessLastPoll(st.Consumer)
		r.fail(result, err)
		result.Result = map[string]any{"processed": n}
	case OpSendOffsetsToTransaction:
		// {"op": "send_offsets_to_transaction", "producer": "p1", "consumer": "c1"}
		r.sendOffsets(st, result)
	case OpInitTransactions, OpBeginTransaction, OpCommitTransaction, OpAbortTransaction:
		// {"op": "init_transactions", "producer": "p1"}
		r.transaction(st, result)
	case OpCrash:
		// {"op": "crash", "client": "p1"}
		r.fail(result, c.CrashClient(st.Client))
	default:
		if !r.securityOp(st, result) {
			result.OK = false
			result.Error = "the " + st.Op + " op is not implemented in this version of the playground yet"
		}
	}
}

func expand(template *string, i int) (string, bool) {
	if template == nil {
		return "", true
	}
	return strings.ReplaceAll(*template, "{i}", strconv.Itoa(i)), false
}

func (r *runner) produce(st *Step, result *StepResult) {
	c := r.cluster
	partition := int32(-1)
	if st.Partition != nil {
		partition = int32(*st.Partition)
	}
	var headers []record.Header
	for _, h := range st.Headers {
		headers = append(headers, record.Header{Key: h.Key, Value: h.Value})
	}
	count := st.RecordCount()
	results := make([]*client.SendResult, 0, count)
	for i := 0; i < count; i++ {
		key, keyNull := expand(st.Key, i)
		value, valueNull := expand(st.Value, i)
		res, err := c.Produce(st.Producer, st.Topic, partition, record.Record{Key: key, KeyNull: keyNull, Value: value, ValueNull: valueNull, Headers: headers})
		if err != nil {
			r.fail(result, err)
			return
		}
		results = append(results, res)
		if r.onSend != nil {
			r.onSend(r.index, value, valueNull, res)
		}
		if !st.Async && !res.Accepted {
			// send() blocks (metadata, buffer.memory) before the next record.
			c.Sim().RunWhile(func() bool { return !res.Accepted }, c.Now()+flushWaitMs)
		}
	}
	result.Result = produceResult(results)
	for _, res := range results {
		if res.Done && res.Error != protocol.None {
			result.OK, result.Error, result.Message = false, res.Error.String(), res.Message
			break
		}
	}
}

func produceResult(results []*client.SendResult) map[string]any {
	records := make([]produceRecord, 0, min(len(results), MaxRecordResults))
	acked, failed := 0, 0
	for i, res := range results {
		if res.Done && res.Error == protocol.None {
			acked++
		} else if res.Done {
			failed++
		}
		if i >= MaxRecordResults {
			continue
		}
		rec := produceRecord{Partition: res.Partition, Offset: res.Offset, Error: res.Error.Name()}
		if !res.Done {
			rec.Offset = -1
		}
		if !res.KeyNull {
			key := res.Key
			rec.Key = &key
		}
		records = append(records, rec)
	}
	out := map[string]any{"records": records, "count": len(results), "acked": acked, "failed": failed}
	if len(results) > MaxRecordResults {
		out["records_truncated"] = true
	}
	return out
}

func (r *runner) flush(id string, async bool, result *StepResult) {
	c := r.cluster
	p := c.Producer(id)
	if p == nil || !c.ClientAlive(id) {
		result.OK, result.Error = false, "producer "+strconv.Quote(id)+" is not running"
		return
	}
	p.Flush()
	if async {
		return
	}
	if !c.Sim().RunWhile(p.Outstanding, c.Now()+flushWaitMs) {
		result.OK, result.Error = false, protocol.ClientTimeout.String()
	}
}

// transactionWaitMs bounds the transactional calls, as max.block.ms does
// for the Java client (default 60000), with a margin.
const transactionWaitMs = 61000

func (r *runner) transaction(st *Step, result *StepResult) {
	c := r.cluster
	p := c.Producer(st.Producer)
	if p == nil || !c.ClientAlive(st.Producer) {
		result.OK, result.Error = false, "producer "+strconv.Quote(st.Producer)+" is not running"
		return
	}
	var f *client.Future
	switch st.Op {
	case OpInitTransactions:
		f = p.InitTransactions()
	case OpBeginTransaction:
		f = p.BeginTransaction()
	case OpCommitTransaction:
		f = p.CommitTransaction()
	default:
		f = p.AbortTransaction()
	}
	r.await(st, result, f, transactionWaitMs)
	result.Result = map[string]any{"transaction_state": p.TransactionState()}
}

// polledRecord is one record of a poll step's result.
type polledRecord struct {
	Topic     string  `json:"topic"`
	Partition int32   `json:"partition"`
	Offset    int64   `json:"offset"`
	Key       *string `json:"key"`
	Value     *string `json:"value"`
}

func (r *runner) poll(st *Step, result *StepResult) {
	c := r.cluster
	cons := c.Consumer(st.Consumer)
	if cons == nil || !c.ClientAlive(st.Consumer) {
		result.OK, result.Error = false, "consumer "+strconv.Quote(st.Consumer)+" is not running"
		return
	}
	res := cons.Poll(st.MaxRecords, st.PollTimeoutMs())
	if st.Async {
		result.Result = map[string]any{"started": true}
		return
	}
	c.Sim().RunWhile(func() bool { return !res.Done }, c.Now()+st.PollTimeoutMs()+1)
	if r.onPoll != nil {
		r.onPoll(r.index, st.Consumer, res.Records)
	}
	records := make([]polledRecord, 0, min(len(res.Records), MaxRecordResults))
	for i, rec := range res.Records {
		if i >= MaxRecordResults {
			break
		}
		pr := polledRecord{Topic: rec.Topic, Partition: rec.Partition, Offset: rec.Offset}
		if !rec.KeyNull {
			key := rec.Key
			pr.Key = &key
		}
		if !rec.ValueNull {
			value := rec.Value
			pr.Value = &value
		}
		records = append(records, pr)
	}
	result.Result = map[string]any{"records": records, "count": len(res.Records)}
	if res.Error != protocol.None {
		result.OK, result.Error, result.Message = false, res.Error.String(), res.Message
	}
}

func (r *runner) sendOffsets(st *Step, result *StepResult) {
	c := r.cluster
	p, cons := c.Producer(st.Producer), c.Consumer(st.Consumer)
	if p == nil || !c.ClientAlive(st.Producer) || cons == nil || !c.ClientAlive(st.Consumer) {
		result.OK, result.Error = false, "producer "+strconv.Quote(st.Producer)+" and consumer "+strconv.Quote(st.Consumer)+" must be running"
		return
	}
	var offsets []protocol.OffsetCommitPartition
	positions := cons.Positions()
	for _, tp := range cons.Assignment() {
		if pos, ok := positions[tp]; ok {
			offsets = append(offsets, protocol.OffsetCommitPartition{TopicPartition: tp, Offset: pos})
		}
	}
	r.await(st, result, p.SendOffsetsToTransaction(cons.Group(), offsets), transactionWaitMs)
	result.Result = map[string]any{"offsets": len(offsets), "transaction_state": p.TransactionState()}
}
