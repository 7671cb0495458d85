package broker

// The follower's side of replication: one fetcher per leader broker, one
// FetchRequest at a time covering every partition followed from that
// leader, as Kafka's ReplicaFetcherThread does.

import (
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/sim"
	"github.com/kafka-playground/playground/core/storage"
)

type fetcher struct {
	leader     int32
	node       sim.NodeID
	partitions map[protocol.TopicPartition]int64 // backoff until, ms
	inFlight   int32
	sentAtMs   int64
	// lost marks a request the network dropped on the way out.
	lost bool
}

type fetcherTimer struct {
	leader      int32
	correlation int32
	token       uint64
	kind        fetcherTimerKind
}

type fetcherTimerKind int

const (
	fetcherRetry fetcherTimerKind = iota
	fetcherLinkBroken
	fetcherTimeout
)

func (b *Broker) startFetching(p *partition) {
	f := b.fetchers[p.leader]
	if f == nil {
		f = &fetcher{leader: p.leader, node: b.settings.BrokerNode(p.leader), partitions: map[protocol.TopicPartition]int64{}}
		b.fetchers[p.leader] = f
	}
	f.partitions[p.tp] = 0
	f.inFlight = 0 // a new fetch including the partition replaces the parked one
	b.sendFetch(f)
}

func (b *Broker) stopFetching(p *partition) {
	for _, f := range b.fetchers {
		delete(f.partitions, p.tp)
	}
}

func (b *Broker) sendFetch(f *fetcher) {
	if f.inFlight != 0 || b.fetchers[f.leader] != f {
		return
	}
	now := b.now()
	req := &protocol.FetchRequest{ReplicaID: b.settings.ID, MaxWaitMs: int32(b.brokerInt("replica.fetch.wait.max.ms")),
		MinBytes: int32(b.brokerInt("replica.fetch.min.bytes")), MaxBytes: int32(b.brokerInt("replica.fetch.response.max.bytes"))}
	nextRetry := int64(-1)
	for _, tp := range sortedKeysTP(f.partitions) {
		until := f.partitions[tp]
		if until > now {
			if nextRetry < 0 || until < nextRetry {
				nextRetry = until
			}
			continue
		}
		p := b.partitions[tp]
		lastEpoch := int32(-1)
		if e, ok := p.log.LatestEpoch(); ok {
			lastEpoch = e
		}
		req.Partitions = append(req.Partitions, protocol.FetchPartition{TopicPartition: tp, CurrentLeaderEpoch: p.leaderEpoch,
			FetchOffset: p.log.LogEndOffset(), LastFetchedEpoch: lastEpoch, LogStartOffset: p.log.LogStartOffset(),
			PartitionMaxBytes: int32(b.brokerInt("replica.fetch.max.bytes"))})
	}
	if nextRetry >= 0 {
		// Partitions in backoff rejoin then, even while this fetch is
		// parked at the leader.
		b.sim.SetTimer(b.node, nextRetry-now, fetcherTimer{leader: f.leader, token: b.token, kind: fetcherRetry})
	}
	if len(req.Partitions) == 0 {
		return
	}
	req.CorrelationID = b.nextCorrelation()
	f.inFlight = req.CorrelationID
	f.sentAtMs = now
	f.lost = !b.sim.Send(b.node, f.node, req)
	b.sim.WatchLink(b.node, f.node, fetcherTimer{leader: f.leader, correlation: req.CorrelationID, token: b.token, kind: fetcherLinkBroken})
	b.sim.SetTimer(b.node, b.brokerInt("replica.socket.timeout.ms"), fetcherTimer{leader: f.leader, correlation: req.CorrelationID, token: b.token, kind: fetcherTimeout})
}

func sortedKeysTP(m map[protocol.TopicPartition]int64) []protocol.TopicPartition {
	tps := make([]protocol.TopicPartition, 0, len(m))
	for tp := range m {
		tps = append(tps, tp)
	}
	sortPartitions(tps)
	return tps
}

func (b *Broker) onFetcherTimer(m fetcherTimer) {
	f := b.fetchers[m.leader]
	if m.token != b.token || f == nil {
		return
	}
	switch m.kind {
	case fetcherRetry:
		// A new fetch replaces one parked at the leader.
		f.inFlight = 0
		b.sendFetch(f)
	case fetcherLinkBroken:
		if f.inFlight == m.correlation {
			// The request will time out replica.socket.timeout.ms after
			// it was sent, as a real one would.
			wait := f.sentAtMs + b.brokerInt("replica.socket.timeout.ms") - b.now()
			b.sim.SetTimer(b.node, max(wait, 0), fetcherTimer{leader: f.leader, correlation: m.correlation, token: b.token, kind: fetcherTimeout})
		}
	case fetcherTimeout:
		if f.inFlight != m.correlation {
			return
		}
		healthy := !f.lost && b.sim.FirstBreakSince(b.node, f.node, f.sentAtMs) < 0 && b.sim.Reachable(b.node, f.node)
		if healthy && b.sim.LossPercent(f.node, b.node) == 0 && b.sim.LossPercent(b.node, f.node) == 0 {
			// A parked fetch on a healthy link: the stream it stands for
			// is alive. Check again later.
			b.sim.SetTimer(b.node, b.brokerInt("replica.socket.timeout.ms"), m)
			return
		}
		b.record("fetch-timeout", "from broker-%d after %dms", f.leader, b.now()-f.sentAtMs)
		f.inFlight = 0
		b.backoffFetcher(f)
	}
}

func (b *Broker) backoffFetcher(f *fetcher) {
	until := b.now() + b.brokerInt("replica.fetch.backoff.ms")
	for tp := range f.partitions {
		f.partitions[tp] = until
	}
	b.sim.SetTimer(b.node, until-b.now(), fetcherTimer{leader: f.leader, token: b.token, kind: fetcherRetry})
}

func (b *Broker) onDisconnected(peer sim.NodeID) {
	for _, id := range sortedKeys32(b.fetchers) {
		f := b.fetchers[id]
		if f.node == peer && f.inFlight != 0 {
			f.inFlight = 0
			b.backoffFetcher(f)
		}
	}
}

func sortedKeys32[V any](m map[int32]V) []int32 {
	keys := make([]int32, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

func (b *Broker) handleFetchResponse(from sim.NodeID, resp *protocol.FetchResponse) {
	var f *fetcher
	for _, candidate := range b.fetchers {
		if candidate.inFlight == resp.CorrelationID && candidate.node == from {
			f = candidate
		}
	}
	if f == nil {
		return
	}
	f.inFlight = 0
	for _, r := range resp.Partitions {
		p := b.partitions[r.TopicPartition]
		if _, following := f.partitions[r.TopicPartition]; !following || p == nil || p.role != roleFollower {
			continue
		}
		b.processFetchedPartition(f, p, r)
	}
	b.sendFetch(f)
}

func (b *Broker) processFetchedPartition(f *fetcher, p *partition, r protocol.FetchPartitionResponse) {
	switch {
	case r.DivergingEpoch != nil:
		b.truncateOnDivergence(p, *r.DivergingEpoch)
		return
	case r.Error == protocol.OffsetOutOfRange:
		b.handleOutOfRange(p, r)
		return
	case r.Error != protocol.None:
		f.partitions[p.tp] = b.now() + b.brokerInt("replica.fetch.backoff.ms")
		return
	}
	if len(r.Batches) > 0 {
		first, last := r.Batches[0].BaseOffset, r.Batches[len(r.Batches)-1].LastOffset()
		p.log.AppendAsFollower(r.Batches, b.now())
		for _, batch := range r.Batches {
			p.producers.observe(batch)
		}
		// "%s offsets %d..%d from broker-%d"
		b.recordOffsets("replicate", p.tp, first, last, labelled{" from broker-", int64(f.leader)})
	}
	hw := min(r.HighWatermark, p.log.LogEndOffset())
	if hw > p.log.HighWatermark() {
		p.log.SetHighWatermark(hw)
	}
	if r.LogStartOffset > p.log.LogStartOffset() {
		p.log.MaybeIncrementLogStartOffset(min(r.LogStartOffset, p.log.HighWatermark()))
	}
}

// truncateOnDivergence truncates the follower's log where it diverged from
// the leader's, as Kafka's AbstractFetcherThread does with the leader's
// epoch end offset.
func (b *Broker) truncateOnDivergence(p *partition, leader protocol.EpochEndOffset) {
	target := leader.EndOffset
	if leader.Epoch >= 0 {
		followerEpoch, followerEnd := p.log.EndOffsetForEpoch(leader.Epoch)
		if followerEpoch == leader.Epoch {
			target = min(leader.EndOffset, followerEnd)
		} else {
			target = followerEnd
		}
	}
	if target < 0 {
		target = 0
	}
	target = min(batchBoundary(p.log, target), p.log.LogEndOffset())
	lost := p.log.LogEndOffset() - target
	// Truncating at the log end still drops the epochs that start there
	// (an epoch this replica led without writing), as Kafka's cache does.
	p.log.TruncateTo(target)
	b.rebuildProducerStates(p)
	if lost > 0 {
		b.record("truncate", "%s to %d (%d records diverged from leader epoch %d)", p.tp, target, lost, leader.Epoch)
	}
}

// batchBoundary returns offset, or the start of the batch holding it.
func batchBoundary(log *storage.Log, offset int64) int64 {
	if batch, ok := log.BatchAt(offset); ok && batch.BaseOffset < offset {
		return batch.BaseOffset
	}
	return offset
}

func (b *Broker) handleOutOfRange(p *partition, r protocol.FetchPartitionResponse) {
	if r.LogStartOffset > p.log.LogEndOffset() {
		b.record("truncate", "%s fully, start at leader's log start %d", p.tp, r.LogStartOffset)
		p.log.TruncateFullyAndStartAt(r.LogStartOffset)
		b.rebuildProducerStates(p)
		return
	}
	if r.HighWatermark >= 0 && r.HighWatermark < p.log.LogEndOffset() {
		target := batchBoundary(p.log, r.HighWatermark)
		b.record("truncate", "%s to leader's high watermark %d", p.tp, target)
		p.log.TruncateTo(target)
		b.rebuildProducerStates(p)
	}
}
