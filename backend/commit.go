package backend

// The room's commit pipeline. The sequencer applies inputs and hands
// them to the store in batches, one commit in flight at a time, and goes
// on applying the inputs that arrive while that commit (its WAL write
// and fsync) runs; they make the next batch, committed when the one in
// flight returns. Whatever leaves the process and may depend on an
// input — the input frames to members (the sender's acknowledgement
// among them), error frames, hash frames, and the responses and closes
// of real Kafka clients' connections — is held until every input that
// was applied before it was made is committed: an output made after
// seq N was applied waits for the commit of N. Outputs leave in the
// order they were made. A join, an eviction and a stop first drain the
// pipeline: everything applied is committed and everything held sent.
//
// A commit that fails loses its batch and the one applied after it (it
// is never committed, so that the journal has no gap): the room goes
// back to its stored journal, the held outputs are dropped, its real
// clients' connections are closed, and the members whose inputs were
// lost or held are told so.

import (
	"github.com/kafka-playground/playground/backend/gateway"
	"github.com/kafka-playground/playground/backend/store"
)

// Limits of the inputs applied while a commit is in flight: past them
// the sequencer takes no more requests until the commit returns, so
// that a slow disk slows the clients down rather than filling memory.
const (
	maxPendingInputs = 4096
	maxPendingBytes  = 64 << 20
)

// batch is the inputs applied since the last commit began, with what
// their commit sends to members.
type batch struct {
	// inputs are the inputs, one per seq, as they are sent; rows are what
	// is stored, where a run of clock ticks is one row.
	inputs  []store.Input
	rows    []store.Input
	senders []*conn
	acks    []string
	// bytes counts the journal bytes of the inputs, for
	// maxPendingBytes.
	bytes int
	// lastSeq is the last seq of the batch and traceHash the room's trace
	// hash after it, set when its commit begins.
	lastSeq   int64
	traceHash string
}

// heldOutput is an output waiting for the commit of the inputs applied
// before it was made: an error frame for a member, or the responses (and
// close) of a real client's connection.
type heldOutput struct {
	// seq is the last seq applied when the output was made.
	seq      int64
	refusal  *refusal
	delivery *gateway.Delivery
}

// refusal is an error frame for one connection; id is the id of the
// input it answers, "" for none.
type refusal struct {
	conn  *conn
	id    string
	frame []byte
}

// send sends the output.
func (o heldOutput) send() {
	switch {
	case o.refusal != nil:
		o.refusal.conn.enqueue(o.refusal.frame)
	case o.delivery != nil:
		o.delivery.Write()
	}
}

// hold queues an output that may depend on the inputs applied so far;
// it leaves once they are committed (at once if they are).
func (r *room) hold(o heldOutput) {
	o.seq = r.nextSeq - 1
	r.held = append(r.held, o)
	r.release()
}

// holdClose closes a real client's connection once the inputs applied
// so far are committed, after the responses held for it.
func (r *room) holdClose(c *gateway.Conn) {
	r.hold(heldOutput{delivery: &gateway.Delivery{Conn: c, Close: true}})
}

// release sends the held outputs whose inputs are committed, in order.
func (r *room) release() {
	n := 0
	for n < len(r.held) && r.held[n].seq <= r.durableSeq {
		r.held[n].send()
		n++
	}
	if n == 0 {
		return
	}
	clear(r.held[:n])
	r.held = r.held[n:]
	r.prune()
}

// flush begins the commit of the inputs applied since the last one
// began, unless a commit is in flight (they wait for it to return), and
// sends the outputs that are committed.
func (r *room) flush() {
	if r.committing == nil && len(r.pending.inputs) > 0 {
		r.beginCommit()
	}
	r.release()
}

// beginCommit hands the pending batch to the store, in a goroutine of
// its own that reports on r.commits.
func (r *room) beginCommit() {
	b := r.pending
	r.pending = batch{}
	b.lastSeq, b.traceHash = r.nextSeq-1, r.replica.TraceHash()
	r.committing = &b
	appendInputs, roomID, rows := r.server.appendInputs, r.id, b.rows
	go func() { r.commits <- appendInputs(roomID, rows) }()
}

// committed takes the outcome of the commit in flight: the batch's
// inputs go to the members, what waited for them leaves, and the inputs
// applied meanwhile begin their commit.
func (r *room) committed(err error) {
	b := r.committing
	r.committing = nil
	if err != nil {
		r.commitFailed(b, err)
		return
	}
	r.durableSeq, r.durableHash = b.lastSeq, b.traceHash
	r.storeSnapshot()
	r.broadcastInputs(b)
	r.release()
	if len(r.pending.inputs) > 0 {
		r.beginCommit()
	}
}

// drain commits every input applied and sends everything held.
func (r *room) drain() {
	for r.committing != nil || len(r.pending.inputs) > 0 {
		if r.committing == nil {
			r.beginCommit()
		}
		r.committed(<-r.commits)
	}
	r.release()
}

// drained reports whether every input applied is committed and sent.
func (r *room) drained() bool {
	return r.committing == nil && len(r.pending.inputs) == 0 && len(r.held) == 0
}

// full reports whether the inputs applied during the commit in flight
// reached their limits: the sequencer then waits for the commit.
func (r *room) full() bool {
	return r.committing != nil && (len(r.pending.inputs) >= maxPendingInputs || r.pending.bytes >= maxPendingBytes)
}

// markDurable notes that the room's journal is committed up to its last
// seq, whose trace hash is the replica's: after a restore or a reload.
func (r *room) markDurable() {
	r.durableSeq, r.durableHash = r.nextSeq-1, r.replica.TraceHash()
}

// commitFailed takes a failed commit: its batch and the pending one are
// lost, the room goes back to its stored journal, and the members whose
// inputs were lost, or whose error frames were held, are told to send
// them again.
func (r *room) commitFailed(b *batch, err error) {
	r.server.logger.Error("backend: a commit failed; the room goes back to its stored journal", "room", r.token, "err", err)
	lost, held := []batch{*b, r.pending}, r.held
	r.pending, r.held, r.unstored = batch{}, nil, nil
	r.reload()
	for _, l := range lost {
		for i, sender := range l.senders {
			if sender != nil {
				r.refuse(sender, l.acks[i], "the input could not be stored (%v); send it again", err)
			}
		}
	}
	for _, o := range held {
		if o.refusal != nil && o.refusal.id != "" {
			r.refuse(o.refusal.conn, o.refusal.id, "the room went back to its stored journal after a commit failed (%v); send the input again", err)
		}
	}
	r.release()
}
