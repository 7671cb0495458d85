package broker

// FindCoordinator (API key 10): the coordinator of a transactional id (or,
// later, a group) is the leader of the partition of its internal topic
// that the key hashes to: abs(key.hashCode()) % partitions, with Java's
// String.hashCode. A missing internal topic is created on first use
// (Kafka does the same) and the client asked to retry.

import (
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/sim"
)

// Internal topics.
const (
	TransactionStateTopic = "__transaction_state"
	ConsumerOffsetsTopic  = "__consumer_offsets"
)

// JavaStringHashCode is Java's String.hashCode over UTF-16 code units.
func JavaStringHashCode(s string) int32 {
	var h int32
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			h = 31*h + int32(0xD800+(r>>10))
			h = 31*h + int32(0xDC00+(r&0x3FF))
			continue
		}
		h = 31*h + int32(r)
	}
	return h
}

// CoordinatorPartition is Kafka's partitionFor: Utils.abs(hashCode) % n.
func CoordinatorPartition(key string, partitions int32) int32 {
	h := JavaStringHashCode(key)
	if h == -1<<31 {
		h = 0
	} else if h < 0 {
		h = -h
	}
	return h % partitions
}

func (b *Broker) internalTopicFor(keyType int8) (string, int32, int16, map[string]string) {
	if keyType == protocol.CoordinatorTransaction {
		rf := min(int16(b.brokerInt("transaction.state.log.replication.factor")), int16(len(b.disk.Image.UsableBrokers())))
		return TransactionStateTopic, int32(b.brokerInt("transaction.state.log.num.partitions")), rf,
			map[string]string{"min.insync.replicas": b.config.String("transaction.state.log.min.isr"), "cleanup.policy": "compact"}
	}
	rf := min(int16(b.brokerInt("offsets.topic.replication.factor")), int16(len(b.disk.Image.UsableBrokers())))
	return ConsumerOffsetsTopic, int32(b.brokerInt("offsets.topic.num.partitions")), rf, map[string]string{"cleanup.policy": "compact"}
}

func (b *Broker) handleFindCoordinator(from sim.NodeID, req *protocol.FindCoordinatorRequest) {
	resp := &protocol.FindCoordinatorResponse{CorrelationID: req.CorrelationID, NodeID: -1}
	topic, partitions, rf, cfg := b.internalTopicFor(req.KeyType)
	t := b.disk.Image.Topics[topic]
	switch {
	case t == nil:
		b.createInternalTopic(topic, partitions, rf, cfg)
		resp.Error = protocol.CoordinatorNotAvailable
	default:
		p := t.Partitions[CoordinatorPartition(req.Key, int32(len(t.Partitions)))]
		if p.Leader < 0 {
			resp.Error = protocol.CoordinatorNotAvailable
		} else {
			resp.NodeID = p.Leader
		}
	}
	b.sim.Send(b.node, from, resp)
}

// createInternalTopic asks the controller for an internal topic, without
// waiting (callers retry FindCoordinator).
func (b *Broker) createInternalTopic(name string, partitions int32, rf int16, cfg map[string]string) {
	if rf < 1 {
		return
	}
	corr := b.nextCorrelation()
	req := &protocol.CreateTopicsRequest{CorrelationID: corr, TimeoutMs: 30000, Topics: []protocol.CreatableTopic{{
		Name: name, NumPartitions: partitions, ReplicationFactor: rf, Configs: cfg}}}
	switch {
	case !b.zkMode():
		b.control.send(b, corr, req, controlRequestTimeoutMs, func(sim.Message) {}, func() {})
	case b.zkc != nil && b.zkc.loaded:
		b.zkc.handleAdmin(b.node, req)
	case b.controllerID >= 0:
		b.sim.Send(b.node, b.settings.BrokerNode(b.controllerID), req)
	}
}
