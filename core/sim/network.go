package sim

import (
	"math"
	"math/rand/v2"
)

// network is the simulated network: per-link latency and loss, partitions
// (groups of nodes that cannot reach each other), per-node delay, FIFO order
// per directed link, and which pairs of nodes hold a connection.
type network struct {
	size          int
	baseLatencyMs int64
	// group is each node's side of a partition; -1 means the node was not
	// named by the partition and reaches everyone.
	group []int
	// Matrices indexed by from*size+to.
	lastDeliverMs []int64
	connections   []bool
	latencyMs     []int64 // extra latency per directed link
	lossPercent   []int32 // loss per directed link, 0..100
	delayMs       []int64 // extra latency per node, to or from it
	// breaks records every event that may have broken a link, in time
	// order, so that long polls parked while a link was healthy can learn
	// when it stopped being so.
	breaks []linkBreak
}

type linkBreak struct {
	atMs int64
	// crashed is the crashed node, or NoNode for a partition.
	crashed NodeID
	// group is the partition in force from atMs (nil for a crash).
	group []int
}

func (n *network) init(latencyMs int64) { n.baseLatencyMs = latencyMs }

// grow makes room for size nodes, keeping what is known of the others.
func (n *network) grow(size int) {
	old := n.size
	if size <= old {
		return
	}
	resize := func(m []int64) []int64 {
		out := make([]int64, size*size)
		for a := 0; a < old; a++ {
			copy(out[a*size:a*size+old], m[a*old:a*old+old])
		}
		return out
	}
	n.lastDeliverMs = resize(n.lastDeliverMs)
	for a := 0; a < size; a++ {
		for b := 0; b < size; b++ {
			if a >= old || b >= old {
				n.lastDeliverMs[a*size+b] = math.MinInt64
			}
		}
	}
	n.latencyMs = resize(n.latencyMs)
	conns := make([]bool, size*size)
	loss := make([]int32, size*size)
	for a := 0; a < old; a++ {
		copy(conns[a*size:a*size+old], n.connections[a*old:a*old+old])
		copy(loss[a*size:a*size+old], n.lossPercent[a*old:a*old+old])
	}
	n.connections, n.lossPercent = conns, loss
	for len(n.group) < size {
		n.group = append(n.group, -1)
		n.delayMs = append(n.delayMs, 0)
	}
	n.size = size
}

func (n *network) index(a, b NodeID) int { return int(a)*n.size + int(b) }

func (n *network) cut(a, b NodeID) bool {
	ga, gb := n.group[a], n.group[b]
	return ga >= 0 && gb >= 0 && ga != gb
}

func (n *network) lose(rng *rand.Rand, a, b NodeID) bool {
	p := n.lossPercent[n.index(a, b)]
	return p > 0 && rng.Int32N(100) < p
}

// fifo returns when a message sent now on a->b arrives: not before arriveMs
// and not before the previous message on the same link (TCP keeps order).
func (n *network) fifo(a, b NodeID, arriveMs int64) int64 {
	i := n.index(a, b)
	if arriveMs < n.lastDeliverMs[i] {
		arriveMs = n.lastDeliverMs[i]
	}
	n.lastDeliverMs[i] = arriveMs
	return arriveMs
}

func (n *network) connect(a, b NodeID) {
	n.connections[n.index(a, b)] = true
	n.connections[n.index(b, a)] = true
}

func (n *network) disconnect(a, b NodeID) {
	n.connections[n.index(a, b)] = false
	n.connections[n.index(b, a)] = false
}

func (n *network) connected(a, b NodeID) bool { return n.connections[n.index(a, b)] }

func (s *Sim) latency(from, to NodeID) int64 {
	n := &s.net
	return n.baseLatencyMs + n.latencyMs[n.index(from, to)] + n.delayMs[from] + n.delayMs[to]
}

// SetBaseLatency sets the one-way latency of every link, in milliseconds.
func (s *Sim) SetBaseLatency(ms int64) { s.net.baseLatencyMs = ms }

// SetNodeDelay adds delayMs to every message to or from the node; 0 removes it.
func (s *Sim) SetNodeDelay(id NodeID, delayMs int64) { s.net.delayMs[id] = delayMs }

// NodeDelay returns the extra latency set on a node.
func (s *Sim) NodeDelay(id NodeID) int64 { return s.net.delayMs[id] }

// SetLink sets the extra latency and the loss percentage (0..100) of the
// directed link from a to b.
func (s *Sim) SetLink(a, b NodeID, extraLatencyMs int64, lossPercent int32) {
	i := s.net.index(a, b)
	s.net.latencyMs[i] = extraLatencyMs
	s.net.lossPercent[i] = lossPercent
}

// Partition splits the network: nodes in different groups cannot reach each
// other; nodes in no group reach everyone. It replaces any earlier partition.
func (s *Sim) Partition(groups [][]NodeID) {
	for i := range s.net.group {
		s.net.group[i] = -1
	}
	for g, members := range groups {
		for _, id := range members {
			s.net.group[id] = g
		}
	}
	snapshot := append([]int(nil), s.net.group...)
	s.net.breaks = append(s.net.breaks, linkBreak{atMs: s.nowMs, crashed: NoNode, group: snapshot})
	s.checkWatches()
}

// Heal removes every partition.
func (s *Sim) Heal() { s.Partition(nil) }

// PartitionGroup returns the node's side of the current partition, or -1.
func (s *Sim) PartitionGroup(id NodeID) int { return s.net.group[id] }

// FirstBreakSince returns the earliest time at or after sinceMs at which the
// link between a and b broke (either node crashed, or a partition separated
// them), or -1 if it has not broken since. Long polls parked on a healthy
// link use it to learn when the stream of requests they stand for stopped.
func (s *Sim) FirstBreakSince(a, b NodeID, sinceMs int64) int64 {
	breaks := s.net.breaks
	lo, hi := 0, len(breaks)
	for lo < hi {
		mid := (lo + hi) / 2
		if breaks[mid].atMs < sinceMs {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	for _, br := range breaks[lo:] {
		if br.crashed == a || br.crashed == b {
			return br.atMs
		}
		if br.crashed == NoNode {
			ga, gb := -1, -1
			if int(a) < len(br.group) {
				ga = br.group[a]
			}
			if int(b) < len(br.group) {
				gb = br.group[b]
			}
			if ga >= 0 && gb >= 0 && ga != gb {
				return br.atMs
			}
		}
	}
	return -1
}

type linkWatch struct {
	watcher, peer NodeID
	incarnation   uint32
	msg           Message
}

// WatchLink delivers msg to watcher, once, as soon as the link between
// watcher and peer breaks: either crashes or a partition separates them
// (at once if it is broken already).
//
// It is how an idle request stream is modelled without sending it: a
// follower parked on a leader, or a session kept by heartbeats, would
// notice a break only by a request timing out, so the watcher reacts to
// the notice after that timeout, exactly as the stream would have.
func (s *Sim) WatchLink(watcher, peer NodeID, msg Message) {
	w := linkWatch{watcher: watcher, peer: peer, incarnation: s.nodes[watcher].incarnation, msg: msg}
	if !s.Reachable(watcher, peer) {
		s.fireWatch(w)
		return
	}
	s.watches = append(s.watches, w)
}

func (s *Sim) fireWatch(w linkWatch) {
	if s.nodes[w.watcher].incarnation != w.incarnation {
		return
	}
	s.push(event{atMs: s.nowMs, from: w.watcher, to: w.watcher, incarnation: w.incarnation, msg: w.msg})
}

// checkWatches fires every watch whose link is broken now, and forgets
// watches of crashed incarnations.
func (s *Sim) checkWatches() {
	kept := s.watches[:0]
	for _, w := range s.watches {
		if s.nodes[w.watcher].incarnation != w.incarnation {
			continue
		}
		if s.Reachable(w.watcher, w.peer) {
			kept = append(kept, w)
			continue
		}
		s.fireWatch(w)
	}
	for i := len(kept); i < len(s.watches); i++ {
		s.watches[i] = linkWatch{}
	}
	s.watches = kept
}

// LossPercent returns the loss percentage of the directed link a -> b.
func (s *Sim) LossPercent(a, b NodeID) int32 { return s.net.lossPercent[s.net.index(a, b)] }
