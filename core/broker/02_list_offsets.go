package broker

// ListOffsets (API key 2): earliest (log start), latest (high watermark, or
// the last stable offset for read_committed), or the first offset whose
// timestamp is at or after the one asked for. Only the leader answers.

import (
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/record"
	"github.com/kafka-playground/playground/core/security"
	"github.com/kafka-playground/playground/core/sim"
)

func (b *Broker) handleListOffsets(from sim.NodeID, req *protocol.ListOffsetsRequest) {
	resp := &protocol.ListOffsetsResponse{CorrelationID: req.CorrelationID}
	for _, lp := range req.Partitions {
		r := protocol.ListOffsetsPartitionResponse{TopicPartition: lp.TopicPartition, TimestampMs: -1, Offset: -1, LeaderEpoch: -1}
		p := b.partitions[lp.TopicPartition]
		switch {
		case !b.authorize(from, security.OpDescribe, security.TopicResource, lp.Topic):
			r.Error = protocol.TopicAuthorizationFailed
		case b.topics[lp.Topic] == nil:
			r.Error = protocol.UnknownTopicOrPartition
		case p == nil || p.role != roleLeader:
			r.Error = protocol.NotLeaderOrFollower
		case lp.CurrentLeaderEpoch >= 0 && lp.CurrentLeaderEpoch < p.leaderEpoch:
			r.Error = protocol.FencedLeaderEpoch
		default:
			r.LeaderEpoch = p.leaderEpoch
			r.Offset, r.TimestampMs = b.offsetForTimestamp(p, lp.TimestampMs)
			if lp.TimestampMs == protocol.LatestTimestamp && req.IsolationLevel == protocol.ReadCommitted {
				r.Offset = p.lastStableOffset()
			}
		}
		resp.Partitions = append(resp.Partitions, r)
	}
	b.sim.Send(b.node, from, resp)
}

func (b *Broker) offsetForTimestamp(p *partition, timestampMs int64) (int64, int64) {
	switch timestampMs {
	case protocol.EarliestTimestamp:
		return p.log.LogStartOffset(), -1
	case protocol.LatestTimestamp:
		return p.log.HighWatermark(), -1
	}
	offset, found := int64(-1), int64(-1)
	hw := p.log.HighWatermark()
	p.log.EachBatch(p.log.LogStartOffset(), func(batch *record.Batch) bool {
		if batch.BaseOffset >= hw {
			return false
		}
		if batch.Control || batch.MaxTimestampMs < timestampMs {
			return true
		}
		for i := range batch.Records.Len() {
			if ts := batch.Records.TimestampMs(i); ts >= timestampMs && batch.BaseOffset+int64(i) < hw {
				offset, found = batch.BaseOffset+int64(i), ts
				return false
			}
		}
		return true
	})
	return offset, found
}
