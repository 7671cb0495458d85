package broker

import (
	"github.com/kafka-playground/playground/core/metadata"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/storage"
)

type replicaRole int

const (
	roleNone replicaRole = iota
	roleLeader
	roleFollower
)

// partition is this broker's replica of one partition.
type partition struct {
	tp             protocol.TopicPartition
	log            *storage.Log
	role           replicaRole
	leader         int32
	leaderEpoch    int32
	partitionEpoch int32
	replicas       []int32
	// isr is the committed ISR; pendingIsr the one asked for in an
	// AlterPartition in flight (the "maximal" ISR is their union).
	isr           []int32
	pendingIsr    []int32
	alterInFlight bool
	// followers is the leader's view of each follower (leader only).
	followers              map[int32]*followerState
	leaderEpochStartOffset int64
	// producers is the idempotent producers' state, derived from the log.
	producers *producerStates
}

// followerState is what a leader knows of a follower's replica, as Kafka's
// Replica keeps it.
type followerState struct {
	logEndOffset                int64
	lastCaughtUpTimeMs          int64
	lastFetchTimeMs             int64
	lastFetchLeaderLogEndOffset int64
	// lastSentHighWatermark is the high watermark the follower last heard.
	lastSentHighWatermark int64
}

// maximalIsr is the ISR the leader uses for the high watermark while an
// ISR change is in flight: the union of committed and pending.
func (p *partition) maximalIsr() []int32 {
	if p.pendingIsr == nil {
		return p.isr
	}
	out := append([]int32(nil), p.isr...)
	for _, id := range p.pendingIsr {
		if !metadata.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// reconcilePartitions makes local replicas match the metadata: becoming
// leader or follower where the leader or its epoch changed, dropping
// replicas of deleted topics.
func (b *Broker) reconcilePartitions() {
	image := b.disk.Image
	me := b.settings.ID
	for _, name := range image.TopicNames() {
		t := image.Topics[name]
		for i := range t.Partitions {
			state := &t.Partitions[i]
			if !metadata.Contains(state.Replicas, me) {
				continue
			}
			tp := protocol.TopicPartition{Topic: name, Partition: int32(i)}
			p := b.partitionFor(tp)
			switch {
			case state.Leader == me && (p.role != roleLeader || p.leaderEpoch != state.LeaderEpoch):
				b.becomeLeader(p, state)
			case state.Leader == me:
				if state.PartitionEpoch > p.partitionEpoch {
					b.setIsr(p, state.Isr, state.PartitionEpoch)
				}
				b.reconsiderFollowers(p)
			case p.role != roleFollower || p.leader != state.Leader || p.leaderEpoch != state.LeaderEpoch:
				b.becomeFollower(p, state)
			default:
				p.replicas, p.isr, p.partitionEpoch = state.Replicas, state.Isr, state.PartitionEpoch
			}
		}
	}
	for _, tp := range b.sortedPartitions() {
		if state := image.Partition(tp.Topic, tp.Partition); state == nil || !metadata.Contains(state.Replicas, me) {
			b.removePartition(tp, state == nil)
		}
	}
	b.onTxnPartitionsChanged()
	b.onGroupPartitionsChanged()
}

func (b *Broker) sortedPartitions() []protocol.TopicPartition {
	tps := make([]protocol.TopicPartition, 0, len(b.partitions))
	for tp := range b.partitions {
		tps = append(tps, tp)
	}
	sortPartitions(tps)
	return tps
}

// partitionFor returns the local replica, creating its log if new.
func (b *Broker) partitionFor(tp protocol.TopicPartition) *partition {
	if p := b.partitions[tp]; p != nil {
		return p
	}
	log := b.disk.Logs[tp]
	if log == nil {
		cfg := storage.DefaultConfig()
		if t := b.topics[tp.Topic]; t != nil {
			cfg = t.log
		}
		log = storage.NewLog(cfg, b.now())
		b.disk.Logs[tp] = log
	}
	p := &partition{tp: tp, log: log, leader: protocol.NoLeader, leaderEpoch: -1, role: roleNone, producers: newProducerStates()}
	b.partitions[tp] = p
	return p
}

func (b *Broker) becomeLeader(p *partition, state *metadata.Partition) {
	reelected := p.role == roleLeader
	b.stopFetching(p)
	p.role = roleLeader
	p.leader = b.settings.ID
	p.leaderEpoch = state.LeaderEpoch
	p.partitionEpoch = state.PartitionEpoch
	p.replicas = state.Replicas
	p.isr = state.Isr
	p.pendingIsr = nil
	p.alterInFlight = false
	b.rebuildProducerStates(p)
	p.log.AssignEpochStartOffset(p.leaderEpoch, p.log.LogEndOffset())
	p.leaderEpochStartOffset = p.log.LogEndOffset()
	b.resetFollowers(p, reelected)
	b.record("leader", "%s epoch %d isr %s log end %d hw %d", p.tp, p.leaderEpoch, metadata.FormatIDs(p.isr),
		p.log.LogEndOffset(), p.log.HighWatermark())
	b.maybeIncrementHighWatermark(p)
	b.completeParkedFor(p.tp)
}

// resetFollowers sets up the leader's view of its followers for a new
// leader epoch, as Kafka's Replica.resetReplicaState does: a follower in
// the ISR counts as caught up (and, for a re-elected leader, as fetched)
// from now, any other as never; a re-elected leader keeps what it knew of
// each follower's log, a new one knows nothing yet.
func (b *Broker) resetFollowers(p *partition, reelected bool) {
	previous := p.followers
	p.followers = make(map[int32]*followerState, len(p.replicas))
	now := b.now()
	for _, r := range p.replicas {
		if r == b.settings.ID {
			continue
		}
		inSync := metadata.Contains(p.isr, r)
		f := &followerState{logEndOffset: -1, lastFetchLeaderLogEndOffset: -1, lastSentHighWatermark: -1}
		if old := previous[r]; reelected && old != nil {
			f.logEndOffset = old.logEndOffset
			f.lastSentHighWatermark = old.lastSentHighWatermark
			f.lastFetchLeaderLogEndOffset = p.leaderEpochStartOffset
			if inSync {
				f.lastFetchTimeMs = now
			}
		}
		if inSync {
			f.lastCaughtUpTimeMs = now
		}
		p.followers[r] = f
	}
}

func (b *Broker) becomeFollower(p *partition, state *metadata.Partition) {
	wasLeader := p.role == roleLeader
	b.stopFetching(p)
	p.role = roleFollower
	p.leader = state.Leader
	p.leaderEpoch = state.LeaderEpoch
	p.partitionEpoch = state.PartitionEpoch
	p.replicas = state.Replicas
	p.isr = state.Isr
	p.pendingIsr = nil
	p.alterInFlight = false
	p.followers = nil
	if wasLeader {
		b.failProducesFor(p.tp, protocol.NotLeaderOrFollower)
	}
	b.completeParkedFor(p.tp)
	b.record("follower", "%s epoch %d leader %d", p.tp, p.leaderEpoch, p.leader)
	if p.leader != protocol.NoLeader && b.disk.Image.Brokers[p.leader] != nil {
		b.startFetching(p)
	}
}

func (b *Broker) removePartition(tp protocol.TopicPartition, deleted bool) {
	p := b.partitions[tp]
	b.stopFetching(p)
	if p.role == roleLeader {
		b.failProducesFor(tp, protocol.NotLeaderOrFollower)
	}
	p.role = roleNone
	b.completeParkedFor(tp)
	delete(b.partitions, tp)
	if deleted {
		delete(b.disk.Logs, tp)
		b.record("delete", "%s log deleted", tp)
	}
}

// setIsr adopts a committed ISR change (from an AlterPartition response or
// the metadata log, whichever arrives first).
func (b *Broker) setIsr(p *partition, isr []int32, partitionEpoch int32) {
	if partitionEpoch <= p.partitionEpoch {
		return
	}
	old := p.isr
	p.isr = isr
	p.partitionEpoch = partitionEpoch
	if p.role == roleLeader && !equalIDs(old, isr) {
		b.record("isr", "%s %s -> %s", p.tp, metadata.FormatIDs(old), metadata.FormatIDs(isr))
		// Kafka recomputes the high watermark on every ISR change: a
		// shrink can release acks=all requests waiting for the removed.
		b.maybeIncrementHighWatermark(p)
	}
}

func equalIDs(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// isCaughtUp is Kafka's Replica.isCaughtUp: the follower has the leader's
// whole log, or had it within replica.lag.time.max.ms.
func (b *Broker) isCaughtUp(p *partition, f *followerState) bool {
	leaderEnd := p.log.LogEndOffset()
	return f.logEndOffset >= leaderEnd || b.now()-f.lastCaughtUpTimeMs <= b.brokerInt("replica.lag.time.max.ms")
}

// isrEligible reports whether a broker may join an ISR: registered,
// unfenced and not shutting down (KIP-841).
func (b *Broker) isrEligible(id int32) bool { return b.disk.Image.Usable(id) }

// updateFollowerFetchState records a follower's fetch at fetchTimeMs, as
// Kafka's Replica.updateFetchStateOrThrow does.
func (b *Broker) updateFollowerFetchState(p *partition, f *followerState, fetchOffset, fetchTimeMs int64) {
	leaderEnd := p.log.LogEndOffset()
	if fetchOffset >= leaderEnd {
		f.lastCaughtUpTimeMs = max(f.lastCaughtUpTimeMs, fetchTimeMs)
	} else if fetchOffset >= f.lastFetchLeaderLogEndOffset {
		f.lastCaughtUpTimeMs = max(f.lastCaughtUpTimeMs, f.lastFetchTimeMs)
	}
	f.logEndOffset = fetchOffset
	f.lastFetchLeaderLogEndOffset = leaderEnd
	f.lastFetchTimeMs = fetchTimeMs
}

// maybeExpandIsr adds a follower that has caught up to the high watermark
// and to the start of the current leader epoch.
func (b *Broker) maybeExpandIsr(p *partition, id int32, f *followerState) {
	if p.alterInFlight || metadata.Contains(p.isr, id) || !b.isrEligible(id) {
		return
	}
	if f.logEndOffset < p.log.HighWatermark() || f.logEndOffset < p.leaderEpochStartOffset {
		return
	}
	// Reaching the high watermark is what makes it in sync: it counts as
	// caught up from now, so the next shrink check does not drop it again.
	f.lastCaughtUpTimeMs = max(f.lastCaughtUpTimeMs, b.now())
	b.alterPartition(p, metadata.Sorted(append(append([]int32(nil), p.isr...), id)))
}

// reconsiderFollowers retries ISR expansion for followers whose fetch is
// parked here: such a follower sends no new fetch when, say, its broker
// gets unfenced, but in Kafka its next fetch (within
// replica.fetch.wait.max.ms) would add it.
func (b *Broker) reconsiderFollowers(p *partition) {
	for _, pf := range b.parked {
		if pf.req.ReplicaID < 0 || !includes(pf.req, p.tp) || !b.parkedHealthy(pf) {
			continue
		}
		if f := p.followers[pf.req.ReplicaID]; f != nil && f.logEndOffset >= 0 {
			b.maybeExpandIsr(p, pf.req.ReplicaID, f)
		}
	}
}

// isrRetry re-evaluates a partition's ISR after a failed AlterPartition.
type isrRetry struct {
	token uint64
	tp    protocol.TopicPartition
	epoch int32
}

// retryIsrChange tries an ISR expansion again after
// replica.fetch.wait.max.ms, when a follower's next fetch would have.
// (Shrinks are retried by the periodic check.)
func (b *Broker) retryIsrChange(p *partition) {
	b.sim.SetTimer(b.node, b.brokerInt("replica.fetch.wait.max.ms"), isrRetry{token: b.token, tp: p.tp, epoch: p.leaderEpoch})
}

func (b *Broker) onIsrRetry(m isrRetry) {
	if p := b.partitions[m.tp]; m.token == b.token && p != nil && p.role == roleLeader && p.leaderEpoch == m.epoch {
		b.reconsiderFollowers(p)
	}
}

// maybeShrinkIsr removes followers that have not caught up within
// replica.lag.time.max.ms; it runs every half of that, as Kafka's
// isr-expiration task does.
func (b *Broker) maybeShrinkIsr(p *partition) {
	if p.alterInFlight {
		return
	}
	var outOfSync []int32
	for _, id := range p.isr {
		if id == b.settings.ID {
			continue
		}
		if f := p.followers[id]; f == nil || !b.isCaughtUp(p, f) {
			outOfSync = append(outOfSync, id)
		}
	}
	if len(outOfSync) == 0 {
		return
	}
	newIsr := p.isr
	for _, id := range outOfSync {
		f := p.followers[id]
		b.record("isr-lag", "%s broker-%d lag %dms behind log end %d at %d", p.tp, id,
			b.now()-f.lastCaughtUpTimeMs, p.log.LogEndOffset(), f.logEndOffset)
		newIsr = metadata.Without(newIsr, id)
	}
	b.alterPartition(p, newIsr)
}

// maybeIncrementHighWatermark moves the high watermark to the smallest log
// end offset among the maximal ISR and caught-up eligible followers, then
// completes what waited for it.
func (b *Broker) maybeIncrementHighWatermark(p *partition) {
	if p.role != roleLeader {
		return
	}
	newHW := p.log.LogEndOffset()
	maximal := p.maximalIsr()
	for _, id := range p.replicas {
		f := p.followers[id]
		if f == nil || f.logEndOffset >= newHW {
			continue
		}
		if metadata.Contains(maximal, id) || (b.isCaughtUp(p, f) && b.isrEligible(id)) {
			newHW = max(f.logEndOffset, p.log.LogStartOffset())
		}
	}
	if newHW <= p.log.HighWatermark() {
		return
	}
	p.log.SetHighWatermark(newHW)
	b.sim.Record(b.node, "hw", p.tp.String()+" "+itoa(newHW))
	b.onHighWatermark(p)
}
