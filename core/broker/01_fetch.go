package broker

// Fetch (API key 1), the leader's side.
//
// Followers (ReplicaID >= 0) read up to the log end; each fetch tells the
// leader the follower's log end offset, which moves the high watermark and
// the ISR. A follower that presents a last fetched epoch the leader's log
// does not agree with gets DivergingEpoch and truncates (KIP-595).
// Consumers (ReplicaID -1) read up to the high watermark.
//
// A fetch with nothing to return waits (long poll). A consumer's waits
// fetch.max.wait.ms. A caught-up follower's fetch is parked until data
// arrives, standing for the stream of empty fetches a real follower sends
// every replica.fetch.wait.max.ms: while its link holds, the follower
// counts as fetching now; if the link broke, as of when it broke.

import (
	"errors"

	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/security"
	"github.com/kafka-playground/playground/core/sim"
	"github.com/kafka-playground/playground/core/storage"
)

type parkedFetch struct {
	from    sim.NodeID
	req     *protocol.FetchRequest
	atMs    int64
	token   uint64
	expires bool
}

type parkedExpiry struct{ token uint64 }

func (b *Broker) handleFetch(from sim.NodeID, req *protocol.FetchRequest) {
	if req.ReplicaID >= 0 {
		b.unparkReplica(req.ReplicaID)
	} else if b.authz.on && b.fetchDenied(from, req) {
		return
	}
	resp, hasData := b.readFetch(req, true)
	if hasData || req.MaxWaitMs <= 0 {
		b.sendFetchResponse(from, req, resp)
		return
	}
	pf := &parkedFetch{from: from, req: req, atMs: b.now(), token: b.nextToken()}
	b.parked = append(b.parked, pf)
	if req.ReplicaID < 0 {
		pf.expires = true
		b.sim.SetTimer(b.node, int64(req.MaxWaitMs), parkedExpiry{token: pf.token})
	} else if b.followerHighWatermarkStale(req) {
		b.scheduleExpiry(pf)
	}
}

// sendFetchResponse answers a fetch, noting the high watermark each
// follower now knows.
func (b *Broker) sendFetchResponse(to sim.NodeID, req *protocol.FetchRequest, resp *protocol.FetchResponse) {
	if req.ReplicaID >= 0 {
		for _, r := range resp.Partitions {
			if p := b.partitions[r.TopicPartition]; p != nil && p.role == roleLeader {
				if f := p.followers[req.ReplicaID]; f != nil {
					f.lastSentHighWatermark = r.HighWatermark
				}
			}
		}
	}
	b.sim.Send(b.node, to, resp)
}

// unparkReplica forgets a follower's earlier parked fetch when it sends a
// new one (its partitions changed).
func (b *Broker) unparkReplica(id int32) {
	for i, pf := range b.parked {
		if pf.req.ReplicaID == id {
			b.parked = append(b.parked[:i], b.parked[i+1:]...)
			return
		}
	}
}

// readFetch builds the response to a fetch; it reports whether the
// response carries anything (records, an error, a divergence).
func (b *Broker) readFetch(req *protocol.FetchRequest, record bool) (*protocol.FetchResponse, bool) {
	resp := &protocol.FetchResponse{CorrelationID: req.CorrelationID}
	hasData := false
	budget := req.MaxBytes
	for _, fp := range req.Partitions {
		r := b.readPartition(req, fp, &budget, record)
		if r.Error != protocol.None || r.DivergingEpoch != nil || len(r.Batches) > 0 {
			hasData = true
		}
		resp.Partitions = append(resp.Partitions, r)
	}
	return resp, hasData
}

func (b *Broker) readPartition(req *protocol.FetchRequest, fp protocol.FetchPartition, budget *int32, record bool) protocol.FetchPartitionResponse {
	r := protocol.FetchPartitionResponse{TopicPartition: fp.TopicPartition, HighWatermark: -1, LastStableOffset: -1,
		LogStartOffset: -1, CurrentLeader: -1, CurrentLeaderEpoch: -1}
	p := b.partitions[fp.TopicPartition]
	switch {
	case b.topics[fp.Topic] == nil:
		r.Error = protocol.UnknownTopicOrPartition
		return r
	case p == nil || p.role != roleLeader:
		r.Error = protocol.NotLeaderOrFollower
		if state := b.disk.Image.Partition(fp.Topic, fp.Partition); state != nil {
			r.CurrentLeader, r.CurrentLeaderEpoch = state.Leader, state.LeaderEpoch
		}
		return r
	case fp.CurrentLeaderEpoch >= 0 && fp.CurrentLeaderEpoch < p.leaderEpoch:
		r.Error = protocol.FencedLeaderEpoch
		return r
	case fp.CurrentLeaderEpoch > p.leaderEpoch:
		r.Error = protocol.UnknownLeaderEpoch
		return r
	}
	r.LogStartOffset = p.log.LogStartOffset()
	if req.ReplicaID >= 0 && fp.LastFetchedEpoch >= 0 {
		epoch, end := p.log.EndOffsetForEpoch(fp.LastFetchedEpoch)
		if epoch < fp.LastFetchedEpoch || end < fp.FetchOffset {
			r.DivergingEpoch = &protocol.EpochEndOffset{Epoch: epoch, EndOffset: end}
			r.HighWatermark = p.log.HighWatermark()
			return r
		}
	}
	maxOffset := p.log.HighWatermark()
	if req.IsolationLevel == protocol.ReadCommitted {
		maxOffset = p.lastStableOffset()
	}
	if req.ReplicaID >= 0 {
		maxOffset = p.log.LogEndOffset()
		if record {
			b.onFollowerFetch(p, req.ReplicaID, fp.FetchOffset)
		}
	}
	r.HighWatermark = p.log.HighWatermark()
	r.LastStableOffset = p.lastStableOffset()
	r.LogStartOffset = p.log.LogStartOffset()
	batches, err := p.log.Read(fp.FetchOffset, min(fp.PartitionMaxBytes, max(*budget, 1)), maxOffset)
	if errors.Is(err, storage.ErrOffsetOutOfRange) {
		r.Error = protocol.OffsetOutOfRange
		return r
	}
	for _, batch := range batches {
		*budget -= batch.SizeBytes
	}
	r.Batches = batches
	if req.IsolationLevel == protocol.ReadCommitted && len(batches) > 0 {
		r.AbortedTransactions = p.abortedTransactions(fp.FetchOffset, batches[len(batches)-1].NextOffset())
	}
	return r
}

// onFollowerFetch updates the leader's view of a follower that fetched at
// fetchOffset now.
func (b *Broker) onFollowerFetch(p *partition, id int32, fetchOffset int64) {
	f := p.followers[id]
	if f == nil {
		return
	}
	b.updateFollowerFetchState(p, f, fetchOffset, b.now())
	b.maybeExpandIsr(p, id, f)
	b.maybeIncrementHighWatermark(p)
}

// followerHighWatermarkStale reports whether a parked follower fetch should
// still carry a newer high watermark back, as the next empty response
// after replica.fetch.wait.max.ms would.
func (b *Broker) followerHighWatermarkStale(req *protocol.FetchRequest) bool {
	for _, fp := range req.Partitions {
		p := b.partitions[fp.TopicPartition]
		if p == nil || p.role != roleLeader {
			continue
		}
		if f := p.followers[req.ReplicaID]; f != nil && f.lastSentHighWatermark < p.log.HighWatermark() {
			return true
		}
	}
	return false
}

func (b *Broker) scheduleExpiry(pf *parkedFetch) {
	if pf.expires {
		return
	}
	pf.expires = true
	wait := int64(pf.req.MaxWaitMs) - (b.now() - pf.atMs)
	b.sim.SetTimer(b.node, max(wait, 0), parkedExpiry{token: pf.token})
}

func (b *Broker) onParkedExpiry(m parkedExpiry) {
	for i, pf := range b.parked {
		if pf.token == m.token {
			b.parked = append(b.parked[:i], b.parked[i+1:]...)
			b.answerParked(pf)
			return
		}
	}
}

// parkedHealthy reports whether the stream of fetches a parked fetch
// stands for still flows: its link has held since it parked.
func (b *Broker) parkedHealthy(pf *parkedFetch) bool {
	return b.sim.FirstBreakSince(b.node, pf.from, pf.atMs) < 0 && b.sim.Reachable(b.node, pf.from)
}

// answerParked answers a parked fetch now. A follower that was caught up
// when it parked has, in the stream the parked fetch stands for, fetched
// again just now (or just before its link broke).
func (b *Broker) answerParked(pf *parkedFetch) {
	if pf.req.ReplicaID >= 0 {
		caughtUpAt := b.now()
		if broke := b.sim.FirstBreakSince(b.node, pf.from, pf.atMs); broke >= 0 {
			caughtUpAt = broke
		}
		for _, fp := range pf.req.Partitions {
			p := b.partitions[fp.TopicPartition]
			if p == nil || p.role != roleLeader {
				continue
			}
			if f := p.followers[pf.req.ReplicaID]; f != nil && f.logEndOffset == fp.FetchOffset && fp.FetchOffset >= f.lastFetchLeaderLogEndOffset {
				f.lastCaughtUpTimeMs = max(f.lastCaughtUpTimeMs, caughtUpAt)
				f.lastFetchTimeMs = max(f.lastFetchTimeMs, caughtUpAt)
			}
		}
	}
	resp, _ := b.readFetch(pf.req, false)
	b.sendFetchResponse(pf.from, pf.req, resp)
}

// onAppend wakes the follower fetches parked on p.
func (b *Broker) onAppend(p *partition) {
	b.completeParked(func(pf *parkedFetch) bool { return pf.req.ReplicaID >= 0 && includes(pf.req, p.tp) })
	b.maybeIncrementHighWatermark(p)
}

// onHighWatermark completes what waited for p's high watermark: acks=all
// produces, consumer fetches; followers learn it within their wait.
func (b *Broker) onHighWatermark(p *partition) {
	b.completeProduces()
	b.completeParked(func(pf *parkedFetch) bool { return pf.req.ReplicaID < 0 && includes(pf.req, p.tp) })
	for _, pf := range b.parked {
		if pf.req.ReplicaID >= 0 && includes(pf.req, p.tp) && b.followerHighWatermarkStale(pf.req) {
			b.scheduleExpiry(pf)
		}
	}
}

// completeParkedFor answers every fetch parked on tp (its leadership changed).
func (b *Broker) completeParkedFor(tp protocol.TopicPartition) {
	b.completeParked(func(pf *parkedFetch) bool { return includes(pf.req, tp) })
}

func (b *Broker) completeParked(match func(*parkedFetch) bool) {
	var ready []*parkedFetch
	kept := b.parked[:0]
	for _, pf := range b.parked {
		if match(pf) {
			ready = append(ready, pf)
		} else {
			kept = append(kept, pf)
		}
	}
	for i := len(kept); i < len(b.parked); i++ {
		b.parked[i] = nil
	}
	b.parked = kept
	for _, pf := range ready {
		b.answerParked(pf)
	}
}

func includes(req *protocol.FetchRequest, tp protocol.TopicPartition) bool {
	for _, fp := range req.Partitions {
		if fp.TopicPartition == tp {
			return true
		}
	}
	return false
}

// fetchDenied answers at once a consumer fetch with partitions the client
// may not READ: those get TOPIC_AUTHORIZATION_FAILED, the others are read
// as usual. It reports whether it answered.
func (b *Broker) fetchDenied(from sim.NodeID, req *protocol.FetchRequest) bool {
	allowed := *req
	allowed.Partitions = nil
	var denied []protocol.FetchPartitionResponse
	for _, fp := range req.Partitions {
		if b.authorize(from, security.OpRead, security.TopicResource, fp.Topic) {
			allowed.Partitions = append(allowed.Partitions, fp)
			continue
		}
		denied = append(denied, protocol.FetchPartitionResponse{TopicPartition: fp.TopicPartition, Error: protocol.TopicAuthorizationFailed,
			HighWatermark: -1, LastStableOffset: -1, LogStartOffset: -1, CurrentLeader: -1, CurrentLeaderEpoch: -1})
	}
	if len(denied) == 0 {
		return false
	}
	resp, _ := b.readFetch(&allowed, true)
	resp.Partitions = append(resp.Partitions, denied...)
	b.sendFetchResponse(from, req, resp)
	return true
}
