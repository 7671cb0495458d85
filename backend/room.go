package backend

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/kafka-playground/playground/backend/gateway"
	"github.com/kafka-playground/playground/backend/store"
	replica "github.com/kafka-playground/playground/core/room"
	"github.com/kafka-playground/playground/core/scenario"
)

// maxBatchRequests bounds the requests one batch takes from the queue.
const maxBatchRequests = 256

// room is one shared cluster. Its goroutine (run) is the sequencer: it
// alone changes the replica, numbers inputs, commits them (commit.go)
// and sends them.
type room struct {
	server  *Server
	record  store.Room
	id      int64
	token   string
	header  json.RawMessage
	replica *replica.Replica
	// nextSeq is the seq the next input gets; every input below it is
	// applied, and committed up to durableSeq, whose trace hash is
	// durableHash.
	nextSeq     int64
	durableSeq  int64
	durableHash string
	// speed is the speed of time in hundredths of real time.
	speed    int64
	requests chan request
	stop     chan struct{}
	stopped  chan struct{}
	// finished is closed after stopped, once the room's gateway (if it
	// has one) closed its ports and connections.
	finished chan struct{}
	// gateway is the room's Kafka gateway, nil for none.
	gateway *roomGateway

	// ready is closed once the room is restored, or failed to be
	// (loadErr); users counts who acquired it. Both are the registry's
	// (registry.go), users under Server.mu.
	ready   chan struct{}
	loadErr error
	users   int

	// emptySince is when the room last became empty, zero while it has
	// members; the room is evicted after Config.IdleTimeout of it.
	emptySince time.Time
	// clockRun is the journal's last row while it is a run of clock ticks,
	// which the next tick of the same ms extends; nil otherwise.
	clockRun *store.Input

	members      []*member
	memberNumber int
	hashedSeq    int64
	// pending is the batch of inputs applied since the last commit
	// began; committing is the batch whose commit is in flight (nil for
	// none), whose outcome arrives on commits; held are the outputs
	// waiting for a commit (commit.go).
	pending    batch
	committing *batch
	commits    chan error
	held       []heldOutput

	// snapshotSeq is the seq of the room's last state snapshot, taken at
	// snapshotAt; unstored is one waiting for its seq's commit
	// (snapshots.go).
	snapshotSeq int64
	snapshotAt  time.Time
	unstored    *pendingSnapshot
}

// member is a connection joined to the room.
type member struct {
	conn   *conn
	id     string
	name   string
	colour string
}

// requestKind says what a request asks of the room.
type requestKind int

const (
	requestInput requestKind = iota
	requestSpeed
	requestTick
	requestJoin
	requestLeave
	requestRename
	// The requests of a gateway's wire: a socket accepted, a request of
	// a connection, a socket ended; and the timer of the next event.
	requestGatewayOpen
	requestGatewaySubmit
	requestGatewayClosed
	requestGatewayWake
)

// request is what a connection (or the clock) asks of the room.
type request struct {
	kind     requestKind
	conn     *conn
	id       string
	step     json.RawMessage
	speed    int64
	name     string
	colour   string
	since    int64
	snapshot bool
	// state says the client can restore a state snapshot in place of
	// the journal.
	state bool
	reply chan joinReply
	// gatewayConn and submission are a gateway request's.
	gatewayConn *gateway.Conn
	submission  gateway.Submission
}

// joinReply answers a join: the welcome frame and what the connection
// must send after it, or a refusal.
type joinReply struct {
	refusal string
	welcome []byte
	hash    []byte
	// tailAfter and tailBefore bound the seqs to send from the store.
	tailAfter, tailBefore int64
}

// prepare makes the room's channels, before its goroutine starts (or
// its gateway opens, whose sockets send to them).
func (r *room) prepare() {
	r.requests = make(chan request, 1024)
	r.stop = make(chan struct{})
	r.stopped = make(chan struct{})
	r.finished = make(chan struct{})
	r.commits = make(chan error, 1)
	r.emptySince = time.Now()
}

// start starts the room's goroutine.
func (r *room) start() {
	if r.requests == nil {
		r.prepare()
	}
	go r.run()
}

// run is the room's goroutine. It returns when the server stops, or when
// the room has been empty for Config.IdleTimeout and is evicted.
func (r *room) run() {
	defer close(r.finished)
	defer r.closeGateway()
	defer close(r.stopped)
	ticker := time.NewTicker(r.server.config.TickInterval)
	defer ticker.Stop()
	hashTicker := time.NewTicker(r.server.config.HashInterval)
	defer hashTicker.Stop()
	idleTicker := time.NewTicker(max(r.server.config.IdleTimeout/4, time.Millisecond))
	defer idleTicker.Stop()
	for {
		// While the inputs applied during a commit are at their limits,
		// requests wait for the commit.
		incoming := r.requests
		if r.full() {
			incoming = nil
		}
		select {
		case first := <-incoming:
			requests := []request{first}
			for len(requests) < maxBatchRequests && len(r.requests) > 0 {
				requests = append(requests, <-r.requests)
			}
			r.handle(requests)
		case err := <-r.commits:
			r.committed(err)
		case <-ticker.C:
			// Real clients' time runs on demand instead (gatewayAdvance).
			if r.speed > 0 && len(r.members) > 0 && r.realClients() == 0 {
				r.handle([]request{{kind: requestTick}})
			}
		case <-r.gatewayTimer():
			r.handle([]request{{kind: requestGatewayWake}})
		case <-hashTicker.C:
			r.sendHash()
		case <-idleTicker.C:
			if r.idle() {
				return
			}
		case <-r.stop:
			r.drain()
			r.snapshotNow("the server stops")
			if len(r.members) > 0 {
				r.touch()
			}
			for _, m := range r.members {
				m.conn.kick(statusGoingAway, "the server is shutting down; reconnect later")
			}
			return
		}
	}
}

// idle reports whether the room was evicted, having had no member for
// Config.IdleTimeout. Only a room whose inputs are all committed and
// whose outputs are all sent is, so nothing is lost but memory.
func (r *room) idle() bool {
	if len(r.members) > 0 || r.realClients() > 0 || (r.gateway != nil && r.gateway.pinned) || !r.drained() {
		r.emptySince = time.Time{}
		return false
	}
	if r.emptySince.IsZero() {
		r.emptySince = time.Now()
	}
	if time.Since(r.emptySince) < r.server.config.IdleTimeout {
		return false
	}
	r.touch()
	if !r.server.evict(r) {
		return false
	}
	// Out of the registry first, so that a join waits for no encoding:
	// one that comes now restores from the store, with the snapshot
	// before this one or without one, as correctly.
	r.snapshotNow("evicted")
	r.server.logger.Info("backend: idle room evicted", "room", r.token, "inputs", r.nextSeq-1)
	return true
}

// touch records that the room is used now, for expiry.
func (r *room) touch() {
	if err := r.server.store.Touch(context.Background(), r.id); err != nil {
		r.server.logger.Error("backend: a room's last use could not be recorded", "room", r.token, "err", err)
	}
}

// handle applies a batch of requests and begins their commit; what
// depends on them is sent once it returns.
func (r *room) handle(requests []request) {
	for _, q := range requests {
		switch q.kind {
		case requestInput:
			r.applyStep(q)
		case requestSpeed:
			r.applySpeed(q)
		case requestTick:
			r.applyTick()
		case requestGatewayOpen, requestGatewaySubmit, requestGatewayClosed:
			r.handleGateway(q)
		case requestGatewayWake:
			r.gatewayAdvance()
		default:
			r.drain()
			r.control(q)
		}
	}
	r.flush()
	r.gatewayDeliver()
	if r.snapshotDue() {
		r.snapshotNow("inputs")
	}
}

// applyStep checks and applies one step a member sent.
func (r *room) applyStep(q request) {
	limit := r.server.config.MaxStepsPerRoom
	if r.replica.Steps() >= limit {
		r.refuse(q.conn, q.id, "the room has reached its limit of %d steps; start a new room from its scenario", limit)
		return
	}
	actor := r.actorName(q.conn)
	step := q.step
	if r.record.Gateway != nil {
		var err error
		if step, err = r.withCredentials(step); err != nil {
			r.refuse(q.conn, q.id, "%s", stepError(err))
			return
		}
	}
	text, err := r.applySafely(step, actor)
	if err != nil {
		r.refuse(q.conn, q.id, "%s", stepError(err))
		return
	}
	r.journal(q.conn, q.id, store.Input{Actor: actor, Step: text}, false)
}

// applySafely applies a step, turning a panic of the engine into a
// refusal: the replica is rebuilt from its journal without the step, the
// bug is logged loudly, and the other rooms and members go on.
func (r *room) applySafely(step json.RawMessage, actor string) (text []byte, err error) {
	defer func() {
		recovered := recover()
		if recovered == nil {
			return
		}
		r.server.logger.Error("backend: the engine panicked on an input; the input is refused",
			"room", r.token, "panic", recovered, "step", string(step), "stack", string(debug.Stack()))
		rebuilt, rebuildErr := replica.RestoreInputs("room", r.replica.Header(), r.replica.Inputs(), scenario.Options{})
		if rebuildErr != nil {
			panic(fmt.Sprintf("backend: room %s cannot be rebuilt after a panic: %v", r.token, rebuildErr))
		}
		r.replica = rebuilt
		text, err = nil, fmt.Errorf("the engine failed on this step (a bug, logged on the server): %v", recovered)
	}()
	_, text, err = r.replica.ApplyBy(step, actor)
	return text, err
}

// stepError words an error of Apply for an error frame.
func stepError(err error) string {
	var invalid *scenario.Error
	if errors.As(err, &invalid) {
		// The file name and step index are the room's own journal's;
		// the message and field name the problem.
		invalid.File = ""
		return "invalid step: " + invalid.Error()
	}
	return err.Error()
}

// applySpeed journals a change of the speed of time. A room with a
// Kafka gateway refuses it: its time is the wall clock's, which its real
// clients' timeouts count in.
func (r *room) applySpeed(q request) {
	if r.gateway != nil {
		r.refuse(q.conn, q.id, "the time of a room with a Kafka gateway follows the wall clock, as its real clients' timeouts do: its speed cannot change")
		return
	}
	r.speed = q.speed
	r.journal(q.conn, q.id, store.Input{Actor: r.actorName(q.conn), SpeedHundredths: q.speed}, false)
}

// applyTick lets virtual time run for one tick at the room's speed.
func (r *room) applyTick() {
	ms := r.speed * r.server.config.TickInterval.Milliseconds() / 100
	if ms <= 0 {
		return
	}
	if _, err := r.replica.Advance(ms); err != nil {
		// Time cannot run on (the engine stopped, or the journal is
		// full): pause, and say why.
		r.speed = 0
		r.journal(nil, "", store.Input{SpeedHundredths: 0}, false)
		for _, m := range r.members {
			r.refuse(m.conn, "", "time is paused: %s", stepError(err))
		}
		return
	}
	r.journal(nil, "", store.Input{Step: replica.AdvanceText(ms)}, true)
}

// journal numbers an applied input and adds it to the batch. A tick of
// the clock (clock) that follows a run of the same ticks extends the
// run's row instead of adding one: the row then stands for every seq of
// the run, each of which is still sent as its own input frame.
func (r *room) journal(sender *conn, ackID string, input store.Input, clock bool) {
	input.Seq = r.nextSeq
	r.nextSeq++
	r.pending.inputs = append(r.pending.inputs, input)
	r.pending.senders = append(r.pending.senders, sender)
	r.pending.acks = append(r.pending.acks, ackID)
	r.pending.bytes += len(input.Step) + len(input.Gateway)
	switch {
	case clock && r.clockRun != nil && r.clockRun.Last()+1 == input.Seq && bytes.Equal(r.clockRun.Step, input.Step):
		r.clockRun.LastSeq = input.Seq
		if rows := r.pending.rows; len(rows) > 0 && rows[len(rows)-1].Seq == r.clockRun.Seq {
			rows[len(rows)-1] = *r.clockRun
		} else {
			r.pending.rows = append(r.pending.rows, *r.clockRun)
		}
	case clock:
		r.clockRun = &store.Input{Seq: input.Seq, Step: input.Step}
		r.pending.rows = append(r.pending.rows, input)
	default:
		r.clockRun = nil
		r.pending.rows = append(r.pending.rows, input)
	}
}

// refuse sends an error frame to one connection once the inputs applied
// so far are committed: what it says may depend on them.
func (r *room) refuse(c *conn, id, format string, arguments ...any) {
	r.hold(heldOutput{refusal: &refusal{conn: c, id: id, frame: errorMessage(id, format, arguments...)}})
}

// actorName is the name a member's inputs carry.
func (r *room) actorName(c *conn) string {
	if m := r.memberOf(c); m != nil {
		return m.name
	}
	return ""
}

// broadcastInputs sends committed inputs to every member, with the ack
// id in the copy for the sender.
func (r *room) broadcastInputs(b *batch) {
	if len(r.members) == 0 {
		return // nobody to write the frames for
	}
	for i, input := range b.inputs {
		frame := inputFrameOf(input, input.Seq)
		shared := encodeInputFrame(frame)
		var acknowledged []byte
		if b.senders[i] != nil {
			frame.Ack = b.acks[i]
			acknowledged = encodeInputFrame(frame)
		}
		for _, m := range r.members {
			if m.conn == b.senders[i] {
				m.conn.enqueue(acknowledged)
			} else {
				m.conn.enqueue(shared)
			}
		}
	}
}

// sendHash sends the trace hash after the last input committed (and
// sent), if it changed.
func (r *room) sendHash() {
	seq := r.durableSeq
	if seq == r.hashedSeq || len(r.members) == 0 {
		return
	}
	r.hashedSeq = seq
	frame := encodeFrame(hashFrame{Type: frameHash, Seq: seq, TraceHash: r.durableHash})
	for _, m := range r.members {
		m.conn.enqueue(frame)
	}
	r.prune()
}

// control handles joins, leaves and renames, once every input applied
// is committed and sent (drain).
func (r *room) control(q request) {
	switch q.kind {
	case requestJoin:
		q.reply <- r.admit(q)
	case requestLeave:
		r.remove(q.conn)
	case requestRename:
		if m := r.memberOf(q.conn); m != nil {
			m.name, m.colour = q.name, q.colour
			r.broadcastMembers()
		}
	}
}

// admit admits a connection: it becomes a member, and everything the
// room sends from nextSeq on reaches its queue.
func (r *room) admit(q request) joinReply {
	if limit := r.server.config.MaxMembersPerRoom; len(r.members) >= limit {
		return joinReply{refusal: fmt.Sprintf("the room is full: it has its limit of %d members", limit)}
	}
	last := r.nextSeq - 1
	if q.since < 0 || q.since > last {
		return joinReply{refusal: fmt.Sprintf("since %d is not a seq of this room, whose inputs are 1..%d", q.since, last)}
	}
	r.memberNumber++
	m := &member{conn: q.conn, id: "m" + strconv.Itoa(r.memberNumber), name: q.name, colour: q.colour}
	r.members = append(r.members, m)
	q.conn.member = m
	welcome := welcomeFrame{Type: frameWelcome, Room: r.token, You: m.id, Header: r.header,
		Members: r.memberViews(), NextSeq: r.nextSeq, Speed: speedJSON(r.speed)}
	if r.gateway != nil {
		welcome.Kafka = r.gateway.view()
	}
	reply := joinReply{tailAfter: q.since, tailBefore: r.nextSeq,
		hash: encodeFrame(hashFrame{Type: frameHash, Seq: last, TraceHash: r.replica.TraceHash()})}
	if q.snapshot || last-q.since > r.server.config.MaxTailInputs {
		if state, seq, ok := r.stateForJoiner(q, last); ok {
			welcome.Snapshot = &snapshotView{Seq: seq, State: state}
			reply.tailAfter = seq
		} else {
			welcome.Snapshot = snapshotOf(r.replica, last)
			reply.tailAfter = last
		}
	}
	reply.welcome = encodeFrame(welcome)
	r.broadcastMembers()
	return reply
}

// remove takes a connection out of the members, if it is one.
func (r *room) remove(c *conn) {
	for i, m := range r.members {
		if m.conn == c {
			r.members = append(r.members[:i], r.members[i+1:]...)
			r.broadcastMembers()
			return
		}
	}
}

func (r *room) memberOf(c *conn) *member {
	for _, m := range r.members {
		if m.conn == c {
			return m
		}
	}
	return nil
}

func (r *room) memberViews() []memberView {
	views := make([]memberView, len(r.members))
	for i, m := range r.members {
		views[i] = memberView{ID: m.id, Name: m.name, Colour: m.colour}
	}
	return views
}

func (r *room) broadcastMembers() {
	frame := encodeFrame(membersFrame{Type: frameMembers, Members: r.memberViews()})
	for _, m := range r.members {
		m.conn.enqueue(frame)
	}
	r.prune()
}

// prune removes the members whose connection was closed (one that could
// not keep up is closed by enqueue) and tells the others.
func (r *room) prune() {
	for {
		kept := r.members[:0]
		for _, m := range r.members {
			if !m.conn.closed() {
				kept = append(kept, m)
			}
		}
		if len(kept) == len(r.members) {
			return
		}
		clear(r.members[len(kept):])
		r.members = kept
		frame := encodeFrame(membersFrame{Type: frameMembers, Members: r.memberViews()})
		for _, m := range r.members {
			m.conn.enqueue(frame)
		}
	}
}

// reload rebuilds the replica from the store, after a failed commit.
// Real clients' connections are closed: what they were sent no longer
// counts, and the store's journal has them closed.
func (r *room) reload() {
	if r.gateway != nil {
		for c := range r.gateway.conns {
			c.Close()
		}
		r.gateway.conns = map[*gateway.Conn]bool{}
	}
	if err := r.server.restoreRoom(r, r.record); err != nil {
		r.server.logger.Error("backend: the room cannot be reloaded", "room", r.token, "err", err)
	}
}
