// Package sim is the deterministic simulation kernel under the cluster: a
// virtual clock in milliseconds, one event queue ordered by (time, sequence),
// one seeded PRNG, a simulated network between named nodes, and the trace.
//
// Nothing here knows about Kafka. Nodes (brokers, controllers, clients) are
// values that implement Node; they talk only by Send, and wait only by
// SetTimer. The host drives time with Step or RunUntil. Given the same seed
// and the same inputs, every run produces the same trace, natively and in
// WebAssembly: there is no goroutine, no wall clock, no map iteration on any
// path that reaches the queue or the trace.
package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// NodeID identifies a node of the simulation. IDs are dense, starting at 0,
// in the order nodes were added.
type NodeID int32

// NoNode is the NodeID of no node.
const NoNode NodeID = -1

// Message is anything one node sends another. Messages are values: a node
// must not modify a message after sending it, nor one it received.
type Message any

// Node is a participant of the simulation.
type Node interface {
	// Start is called when the node process starts, at creation and after
	// every restart, with the node's own id. The node must rebuild its
	// volatile state from what it keeps on disk.
	Start(self NodeID)
	// Receive delivers a message sent by from, or a timer the node set (then
	// from is the node itself).
	Receive(from NodeID, msg Message)
}

// Disconnected is delivered to a node when the connection to peer breaks
// in a way TCP notices at once: the peer process crashed (the kernel resets
// the connection) or refused a new connection because it is down.
type Disconnected struct {
	Peer NodeID
}

// Limits bound the work a simulation may do, so that no input can exhaust
// memory or loop forever.
type Limits struct {
	// MaxQueuedEvents caps the event queue; exceeding it is an error.
	MaxQueuedEvents int
	// MaxTraceEvents caps how many trace events are kept in memory (the
	// hash covers all of them).
	MaxTraceEvents int
}

// DefaultLimits are the limits used when none are given.
var DefaultLimits = Limits{MaxQueuedEvents: 4_000_000, MaxTraceEvents: 200_000}

type slot struct {
	name        string
	node        Node
	alive       bool
	incarnation uint32
	delayMs     int64
	crashedAtMs int64
}

// Sim is one simulation: clock, queue, PRNG, network and trace.
type Sim struct {
	nowMs int64
	seq   uint64
	queue eventQueue
	// pcg is the PRNG's state; rng draws from it (and holds nothing else,
	// so a snapshot keeps pcg and Restored rebuilds rng).
	pcg    *rand.PCG
	rng    *rand.Rand `snapshot:"-"`
	nodes  []slot
	byName map[string]NodeID
	net    network
	trace  Trace
	limits Limits
	// processed counts events delivered, for benchmarks and limits.
	processed uint64
	failure   error
	watches   []linkWatch
	// afterEvent, when set, runs after every delivered event (the
	// invariant checker in tests).
	afterEvent func() `snapshot:"-"`
	// tap, when set, sees every message put on the network.
	tap func(from, to NodeID, msg Message) `snapshot:"-"`
}

// New returns an empty simulation at time startMs whose PRNG is seeded by
// seed.
func New(seed uint64, startMs int64, limits Limits) *Sim {
	if limits.MaxQueuedEvents <= 0 {
		limits.MaxQueuedEvents = DefaultLimits.MaxQueuedEvents
	}
	if limits.MaxTraceEvents <= 0 {
		limits.MaxTraceEvents = DefaultLimits.MaxTraceEvents
	}
	s := &Sim{
		nowMs:  startMs,
		pcg:    rand.NewPCG(seed, seed^0x9e3779b97f4a7c15),
		byName: map[string]NodeID{},
		limits: limits,
	}
	s.rng = rand.New(s.pcg)
	s.net.init(1)
	s.trace.init(limits.MaxTraceEvents)
	return s
}

// Now returns the virtual time in milliseconds.
func (s *Sim) Now() int64 { return s.nowMs }

// Rand returns the simulation's only source of randomness. Every use must be
// on the event path so that a replay repeats it.
func (s *Sim) Rand() *rand.Rand { return s.rng }

// Processed returns the number of events delivered so far.
func (s *Sim) Processed() uint64 { return s.processed }

// Err returns the error that stopped the simulation (a limit exceeded), or nil.
func (s *Sim) Err() error { return s.failure }

// AddNode registers a node under a unique name and starts it. Names are what
// traces, partitions and the state document use ("broker-1", "p1").
func (s *Sim) AddNode(name string, n Node) NodeID {
	if _, taken := s.byName[name]; taken {
		panic(fmt.Sprintf("sim: node name %q added twice", name))
	}
	id := NodeID(len(s.nodes))
	s.nodes = append(s.nodes, slot{name: name, node: n, alive: true})
	s.byName[name] = id
	s.net.grow(len(s.nodes))
	n.Start(id)
	return id
}

// Lookup returns the node registered under name.
func (s *Sim) Lookup(name string) (NodeID, bool) {
	id, ok := s.byName[name]
	return id, ok
}

// Name returns the name of a node.
func (s *Sim) Name(id NodeID) string {
	if id < 0 || int(id) >= len(s.nodes) {
		return "none"
	}
	return s.nodes[id].name
}

// NodeCount returns how many nodes have been added.
func (s *Sim) NodeCount() int { return len(s.nodes) }

// Alive reports whether the node's process is running.
func (s *Sim) Alive(id NodeID) bool { return s.nodes[id].alive }

// Incarnation counts the node's restarts; messages and timers addressed to
// an earlier incarnation are dropped.
func (s *Sim) Incarnation(id NodeID) uint32 { return s.nodes[id].incarnation }

// Crash stops the node's process at once: queued messages and timers for it
// are dropped, its peers' connections reset. Its disk (whatever the node
// keeps outside its volatile state) survives.
func (s *Sim) Crash(id NodeID) {
	sl := &s.nodes[id]
	if !sl.alive {
		return
	}
	sl.alive = false
	sl.incarnation++
	sl.crashedAtMs = s.nowMs
	s.net.breaks = append(s.net.breaks, linkBreak{atMs: s.nowMs, crashed: id})
	s.resetConnections(id)
	s.checkWatches()
}

// Restart starts a crashed node's process again.
func (s *Sim) Restart(id NodeID) {
	sl := &s.nodes[id]
	if sl.alive {
		return
	}
	sl.alive = true
	sl.incarnation++
	sl.node.Start(id)
}

// resetConnections tells every live peer that had a connection with id, and
// can still reach it, that the connection broke.
func (s *Sim) resetConnections(id NodeID) {
	for peer := range s.nodes {
		p := NodeID(peer)
		if p == id || !s.net.connected(id, p) {
			continue
		}
		s.net.disconnect(id, p)
		if s.nodes[p].alive && !s.net.cut(id, p) {
			s.push(event{atMs: s.nowMs + s.latency(id, p), from: id, to: p,
				incarnation: s.nodes[p].incarnation, msg: Disconnected{Peer: id}})
		}
	}
}

// Send puts a message on the network from one node to another. It arrives
// after the link's latency, in order with other messages on that link,
// unless the link is cut, the message is lost, or the receiver is down (a
// down receiver resets the connection: the sender gets Disconnected). It
// reports whether the message is on its way.
func (s *Sim) Send(from, to NodeID, msg Message) bool {
	if !s.nodes[from].alive {
		return false
	}
	if s.net.cut(from, to) || s.net.lose(s.rng, from, to) {
		return false
	}
	latency := s.latency(from, to)
	if !s.nodes[to].alive {
		s.push(event{atMs: s.nowMs + 2*latency, from: to, to: from,
			incarnation: s.nodes[from].incarnation, msg: Disconnected{Peer: to}})
		return false
	}
	if s.tap != nil {
		s.tap(from, to, msg)
	}
	s.net.connect(from, to)
	at := s.net.fifo(from, to, s.nowMs+latency)
	s.push(event{atMs: at, from: from, to: to, incarnation: s.nodes[to].incarnation, msg: msg})
	return true
}

// Close closes the connection between node and peer from node's side, as
// a server closing a socket does: peer gets Disconnected after whatever
// node already sent it, unless the link is cut (it then learns nothing
// until its next message meets the closed connection).
func (s *Sim) Close(node, peer NodeID) {
	s.net.disconnect(node, peer)
	if !s.nodes[node].alive || !s.nodes[peer].alive || s.net.cut(node, peer) {
		return
	}
	at := s.net.fifo(node, peer, s.nowMs+s.latency(node, peer))
	s.push(event{atMs: at, from: node, to: peer, incarnation: s.nodes[peer].incarnation, msg: Disconnected{Peer: node}})
}

// Reachable reports whether a message from one node would reach the other
// now: both alive and the link not cut.
func (s *Sim) Reachable(from, to NodeID) bool {
	return s.nodes[from].alive && s.nodes[to].alive && !s.net.cut(from, to)
}

// SetTimer delivers msg to node itself after delayMs, unless the node
// crashes first. Timers cannot be cancelled: nodes carry a token in the
// message and ignore stale ones.
func (s *Sim) SetTimer(node NodeID, delayMs int64, msg Message) {
	if delayMs < 0 {
		delayMs = 0
	}
	s.push(event{atMs: s.nowMs + delayMs, from: node, to: node,
		incarnation: s.nodes[node].incarnation, msg: msg})
}

func (s *Sim) push(e event) {
	if s.queue.Len() >= s.limits.MaxQueuedEvents {
		if s.failure == nil {
			s.failure = fmt.Errorf("simulation stopped: more than %d events queued", s.limits.MaxQueuedEvents)
		}
		return
	}
	s.seq++
	e.seq = s.seq
	if d := e.atMs - s.nowMs; d > 0 {
		e.flightMs = uint32(min(d, math.MaxUint32))
	}
	s.queue.push(e)
}

// NextEventMs returns the time of the next queued event, or -1 when the
// queue is empty.
func (s *Sim) NextEventMs() int64 {
	if s.queue.Len() == 0 {
		return -1
	}
	return s.queue.peek().atMs
}

// Step delivers the next event, advancing the clock to it. It returns false
// when there is nothing to deliver.
func (s *Sim) Step() bool {
	if s.queue.Len() == 0 || s.failure != nil {
		return false
	}
	e := s.queue.pop()
	s.nowMs = e.atMs
	sl := &s.nodes[e.to]
	if !sl.alive || sl.incarnation != e.incarnation {
		return true
	}
	s.processed++
	sl.node.Receive(e.from, e.msg)
	if s.afterEvent != nil {
		s.afterEvent()
	}
	return true
}

// RunUntil delivers every event due at or before timeMs, then sets the clock
// to timeMs. Running to a then b is the same as running to b.
func (s *Sim) RunUntil(timeMs int64) {
	for s.failure == nil && s.queue.Len() > 0 && s.queue.peek().atMs <= timeMs {
		s.Step()
	}
	if timeMs > s.nowMs {
		s.nowMs = timeMs
	}
}

// RunWhile delivers events while cond holds and the next event is due at or
// before deadlineMs. It reports whether cond became false.
func (s *Sim) RunWhile(cond func() bool, deadlineMs int64) bool {
	for cond() {
		if s.failure != nil || s.queue.Len() == 0 || s.queue.peek().atMs > deadlineMs {
			if deadlineMs > s.nowMs && s.failure == nil {
				s.nowMs = deadlineMs
			}
			return !cond()
		}
		s.Step()
	}
	return true
}

// SetTap installs an observer of every message a node puts on the
// network (an eavesdropper on the wire). It must not change any state the
// simulation reads.
func (s *Sim) SetTap(fn func(from, to NodeID, msg Message)) { s.tap = fn }

// SetAfterEvent registers a function run after every delivered event.
func (s *Sim) SetAfterEvent(fn func()) { s.afterEvent = fn }

// Restored finishes a Sim read back from a snapshot: the PRNG draws from
// the restored state again. Hooks (SetTraceSink, SetTap, SetAfterEvent)
// are the host's to set again.
func (s *Sim) Restored() { s.rng = rand.New(s.pcg) }

// NodeRange names the nodes of one role numbered from 1 (brokers 1..N,
// controllers 1..C, ZooKeeper servers 1..Z), which the cluster adds one
// after another: id's node is First + id - 1. It is how nodes find each
// other, as data (a snapshot carries it).
type NodeRange struct {
	First NodeID
}

// Node returns the node of id.
func (r NodeRange) Node(id int32) NodeID { return r.First + NodeID(id-1) }
