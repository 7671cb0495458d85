package core

import (
	"fmt"
	"sort"

	"github.com/kafka-playground/playground/core/broker"
	"github.com/kafka-playground/playground/core/metadata"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/record"
	"github.com/kafka-playground/playground/core/sim"
)

// Checker asserts the cluster's invariants after every event (in tests, or
// behind a debug switch):
//
//   - every replica log is well formed: 0 <= log start <= HW <= LEO,
//     offsets dense, epochs increasing (checked in full every
//     fullCheckEvery events and at the end, cheaply otherwise);
//
//   - no two brokers lead one partition in the same leader epoch;
//
//   - a committed record (below a leader's high watermark) is never lost
//     or replaced: every later leader holds the very same batch at that
//     offset, unless an unclean election happened on the partition;
//
//   - a fenced broker is in no ISR but as its last member;
//
//   - an ISR member that a healthy leader reports is caught up within
//     replica.lag.time.max.ms plus the time the shrink takes to land.
//
//   - a group's committed offset never passes the highest high watermark
//     any leader of the partition has had (a consumer commits what it
//     read, and reads stop at the high watermark);
//
//   - in a Stable group no partition is assigned to two members.
//
// Acknowledged acks=all writes are committed records, so the third check
// covers "no acknowledged write lost while the ISR held".
type Checker struct {
	cluster    *Cluster
	events     uint64
	leaders    map[leaderKey]int32
	committed  map[string]*committedLog
	violations []string
	// lastControllerEpoch and controllerSinceMs follow when the active
	// controller last changed.
	lastControllerEpoch int32
	controllerSinceMs   int64
	// behindSince is when the checker first saw an ISR follower behind its
	// leader's log end.
	behindSince map[behindKey]int64
	// maxHW is the highest high watermark seen on any leader.
	maxHW map[protocol.TopicPartition]int64
}

type leaderKey struct {
	tp    protocol.TopicPartition
	epoch int32
}

// committedLog is the checker's record of a partition's committed batches.
type committedLog struct {
	topicID string
	batches []*record.Batch
	end     int64
}

const (
	fullCheckEvery = 500
	maxViolations  = 50
)

// NewChecker installs a checker that runs after every event.
func NewChecker(c *Cluster) *Checker {
	k := &Checker{cluster: c, leaders: map[leaderKey]int32{}, committed: map[string]*committedLog{}, behindSince: map[behindKey]int64{},
		maxHW: map[protocol.TopicPartition]int64{}}
	c.sim.SetAfterEvent(k.afterEvent)
	return k
}

// Violations returns the invariant violations seen, with their times.
func (k *Checker) Violations() []string { return k.violations }

func (k *Checker) fail(format string, args ...any) {
	if len(k.violations) < maxViolations {
		k.violations = append(k.violations, fmt.Sprintf("t=%d ", k.cluster.Now())+fmt.Sprintf(format, args...))
	}
}

func (k *Checker) afterEvent() {
	k.events++
	k.check(k.events%fullCheckEvery == 0)
}

// Final runs every check in full once more.
func (k *Checker) Final() { k.check(true) }

func (k *Checker) check(full bool) {
	image := k.cluster.CommittedImage()
	for _, b := range k.cluster.brokers {
		k.checkBroker(b, image, full)
	}
	for _, b := range k.cluster.brokers {
		if k.cluster.BrokerRunning(b.ID()) {
			k.checkGroups(b)
		}
	}
	k.checkIsr(image)
}

func (k *Checker) checkGroups(b *broker.Broker) {
	for _, g := range b.Groups() {
		if k.offsetsBeyondHW(g) {
			for _, tp := range sortedTPs(g.Offsets) { // report in a fixed order
				if offset := g.Offsets[tp]; offset > k.maxHW[tp] {
					k.fail("group %s at broker-%d committed %s offset %d beyond every high watermark (at most %d)", g.ID, b.ID(), tp, offset, k.maxHW[tp])
				}
			}
		}
		if g.State != broker.GroupStable {
			continue
		}
		owner := map[protocol.TopicPartition]string{}
		for _, id := range g.SortedMemberIDs() {
			for _, tp := range g.Members[id].Assignment {
				if other, taken := owner[tp]; taken {
					k.fail("group %s generation %d assigns %s to %s and %s", g.ID, g.Generation, tp, other, id)
				}
				owner[tp] = id
			}
		}
	}
}

func (k *Checker) offsetsBeyondHW(g *broker.Group) bool {
	for tp, offset := range g.Offsets {
		if offset > k.maxHW[tp] {
			return true
		}
	}
	return false
}

func sortedTPs(m map[protocol.TopicPartition]int64) []protocol.TopicPartition {
	out := make([]protocol.TopicPartition, 0, len(m))
	for tp := range m {
		out = append(out, tp)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

func (k *Checker) checkBroker(b *broker.Broker, image *metadata.Image, full bool) {
	k.checkLogs(b, full)
	if !k.cluster.BrokerRunning(b.ID()) {
		return
	}
	for _, lead := range b.Leaderships() {
		key := leaderKey{tp: lead.Partition, epoch: lead.LeaderEpoch}
		if other, ok := k.leaders[key]; ok && other != b.ID() {
			k.fail("%s epoch %d led by broker-%d and broker-%d", lead.Partition, lead.LeaderEpoch, other, b.ID())
		}
		k.leaders[key] = b.ID()
		if log := b.Disk().Logs[lead.Partition]; log != nil && log.HighWatermark() > k.maxHW[lead.Partition] {
			k.maxHW[lead.Partition] = log.HighWatermark()
		}
		k.checkCommitted(b, lead, image)
		k.checkCaughtUp(b, lead, image)
	}
}

// brokenLog is a replica log that failed a check, and how.
type brokenLog struct {
	tp      protocol.TopicPartition
	problem string
}

// checkLogs checks every log of a broker: in full, or only the order of
// log start, HW and LEO. It runs after every event, so it ranges over the
// logs unsorted and sorts only what failed: violations are reported by
// partition, never in map order.
func (k *Checker) checkLogs(b *broker.Broker, full bool) {
	var broken []brokenLog
	for tp, log := range b.Disk().Logs {
		if full {
			if err := log.CheckInvariants(); err != nil {
				broken = append(broken, brokenLog{tp: tp, problem: err.Error()})
			}
		} else if !(0 <= log.LogStartOffset() && log.LogStartOffset() <= log.HighWatermark() && log.HighWatermark() <= log.LogEndOffset()) {
			broken = append(broken, brokenLog{tp: tp, problem: fmt.Sprintf("log start %d, HW %d, LEO %d out of order",
				log.LogStartOffset(), log.HighWatermark(), log.LogEndOffset())})
		}
	}
	sort.Slice(broken, func(i, j int) bool { return broken[i].tp.Less(broken[j].tp) })
	for _, l := range broken {
		k.fail("broker-%d %s: %s", b.ID(), l.tp, l.problem)
	}
}

// checkCommitted compares the leader's log with the batches known to be
// committed, then adds those its high watermark newly covers.
func (k *Checker) checkCommitted(b *broker.Broker, lead broker.Leadership, image *metadata.Image) {
	t := image.Topics[lead.Partition.Topic]
	p := image.Partition(lead.Partition.Topic, lead.Partition.Partition)
	if t == nil || p == nil || lead.LeaderEpoch < p.LeaderEpoch {
		// A deposed leader that has not learned it yet serves nothing
		// committed after its epoch ended.
		return
	}
	name := lead.Partition.String()
	cl := k.committed[name]
	if cl == nil || cl.topicID != t.ID || p.UncleanElections > 0 {
		cl = &committedLog{topicID: t.ID}
		k.committed[name] = cl
	}
	log := b.Disk().Logs[lead.Partition]
	for _, batch := range cl.batches {
		if batch.NextOffset() <= log.LogStartOffset() {
			continue
		}
		got, ok := log.BatchAt(batch.BaseOffset)
		if !ok || got != batch {
			k.fail("%s: committed batch at offset %d (epoch %d) missing on leader broker-%d epoch %d",
				name, batch.BaseOffset, batch.PartitionLeaderEpoch, b.ID(), lead.LeaderEpoch)
			cl.batches = nil
			cl.end = 0
			return
		}
	}
	hw := log.HighWatermark()
	from := max(cl.end, log.LogStartOffset())
	log.EachBatch(from, func(batch *record.Batch) bool {
		if batch.NextOffset() > hw {
			return false
		}
		if batch.BaseOffset >= from {
			cl.batches = append(cl.batches, batch)
			cl.end = batch.NextOffset()
		}
		return true
	})
}

// checkCaughtUp asserts that a leader whose ISR agrees with the
// controller's keeps only followers that caught up within
// replica.lag.time.max.ms, plus the half of it between two shrink checks
// and a second for the change to land.
func (k *Checker) checkCaughtUp(b *broker.Broker, lead broker.Leadership, image *metadata.Image) {
	view, ok := b.LeaderViewOf(lead.Partition)
	p := image.Partition(lead.Partition.Topic, lead.Partition.Partition)
	if !ok || p == nil || p.Leader != b.ID() || p.PartitionEpoch != view.PartitionEpoch || !k.controllerWithin(b.ID()) {
		return
	}
	// Kafka shrinks at the first check (every lag/2) after the follower
	// both fell behind and last caught up more than lag ago; allow the
	// ISR change a few seconds to land (delayed links).
	lagMs := k.cluster.brokerConfig.Int("replica.lag.time.max.ms")
	now := k.cluster.Now()
	for _, id := range p.Isr {
		key := behindKey{tp: lead.Partition, follower: id}
		f, known := view.Followers[id]
		if id == b.ID() || !known || f.LogEndOffset >= view.LogEndOffset {
			delete(k.behindSince, key)
			continue
		}
		since, seen := k.behindSince[key]
		if !seen {
			since = now
			k.behindSince[key] = now
		}
		due := max(f.LastCaughtUpTimeMs+lagMs, since) + lagMs/2 + 5000
		if now > due {
			k.fail("%s: broker-%d in the ISR of leader broker-%d but last caught up %dms ago and behind since %dms ago",
				lead.Partition, id, b.ID(), now-f.LastCaughtUpTimeMs, now-since)
		}
	}
}

type behindKey struct {
	tp       protocol.TopicPartition
	follower int32
}

// controllerWithin reports whether broker can have its ISR changes
// accepted: an active controller runs and has been reachable from it for
// the whole lag bound. (Without one, Kafka's leaders cannot shrink an ISR
// either.)
func (k *Checker) controllerWithin(broker int32) bool {
	c := k.cluster
	node := c.BrokerNode(broker)
	var target sim.NodeID
	switch {
	case c.spec.Metadata == ZooKeeper:
		ctl := c.zooKeeperController()
		if ctl == nil {
			return false
		}
		target = c.BrokerNode(ctl.ID())
	default:
		ctl := c.ActiveController()
		if ctl == nil {
			return false
		}
		target = c.controllerNodes[ctl.ID()-1]
		if ctl.Epoch() != k.lastControllerEpoch {
			k.lastControllerEpoch, k.controllerSinceMs = ctl.Epoch(), c.Now()
		}
	}
	lagMs := c.brokerConfig.Int("replica.lag.time.max.ms")
	since := c.Now() - 2*lagMs
	return c.Now()-k.controllerSinceMs > 2*lagMs && c.sim.FirstBreakSince(node, target, since) < 0 && c.sim.Reachable(node, target)
}

// checkIsr asserts that fenced brokers leave ISRs (but as last member).
func (k *Checker) checkIsr(image *metadata.Image) {
	for _, name := range image.TopicNames() {
		for i, p := range image.Topics[name].Partitions {
			if len(p.Isr) == 0 {
				k.fail("%s-%d: empty ISR", name, i)
			}
			if len(p.Isr) < 2 {
				continue
			}
			for _, id := range p.Isr {
				if reg := image.Brokers[id]; reg == nil || reg.Fenced {
					k.fail("%s-%d: fenced broker %d in ISR %s", name, i, id, metadata.FormatIDs(p.Isr))
				}
			}
		}
	}
}
