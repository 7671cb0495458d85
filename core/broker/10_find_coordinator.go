package broker

// FindCoordinator (API key 10): the coordinator of a group or a
// transactional id is the leader of the partition of its internal topic
// (__consumer_offsets, __transaction_state) that the key hashes to:
// abs(key.hashCode()) % partitions, with Java's String.hashCode. A
// missing internal topic is created on first use (Kafka does the same)
// and the client asked to retry (COORDINATOR_NOT_AVAILABLE). The batched
// form (Keys, v4+, KIP-699) answers each key on its own, with its own
// authorization (DESCRIBE on the group or transactional id). Key types
// other than GROUP and TRANSACTION (SHARE, KIP-932: no share groups
// here) are INVALID_REQUEST.

import (
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/security"
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
	if len(req.Keys) == 0 {
		resp.NodeID, resp.Error = b.findCoordinator(req.KeyType, req.Key, new(bool))
		b.sim.Send(b.node, from, resp)
		return
	}
	asked := false
	for _, key := range req.Keys {
		c := protocol.Coordinator{Key: key, NodeID: -1}
		switch {
		case req.KeyType == protocol.CoordinatorGroup && !b.authorize(from, security.OpDescribe, security.GroupResource, key):
			c.Error = protocol.GroupAuthorizationFailed
		case req.KeyType == protocol.CoordinatorTransaction && !b.authorize(from, security.OpDescribe, security.TransactionalIDResource, key):
			c.Error = protocol.TransactionalIDAuthorizationFailed
		default:
			c.NodeID, c.Error = b.findCoordinator(req.KeyType, key, &asked)
		}
		resp.Coordinators = append(resp.Coordinators, c)
	}
	b.sim.Send(b.node, from, resp)
}

// findCoordinator returns the coordinator of one key, or the error a
// client gets. A missing internal topic is asked of the controller once
// per request (asked records it), as Kafka's auto topic creation does.
func (b *Broker) findCoordinator(keyType int8, key string, asked *bool) (int32, protocol.ErrorCode) {
	if keyType != protocol.CoordinatorGroup && keyType != protocol.CoordinatorTransaction {
		return -1, protocol.InvalidRequest
	}
	topic, partitions, rf, cfg := b.internalTopicFor(keyType)
	t := b.disk.Image.Topics[topic]
	if t == nil {
		if !*asked {
			*asked = true
			b.createInternalTopic(topic, partitions, rf, cfg)
		}
		return -1, protocol.CoordinatorNotAvailable
	}
	p := t.Partitions[CoordinatorPartition(key, int32(len(t.Partitions)))]
	if p.Leader < 0 {
		return -1, protocol.CoordinatorNotAvailable
	}
	return p.Leader, protocol.None
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
		b.control.send(b, corr, req, controlRequestTimeoutMs, unanswered{})
	case b.zkc != nil && b.zkc.loaded:
		b.zkc.handleAdmin(b.node, req)
	case b.controllerID >= 0:
		b.sim.Send(b.node, b.settings.BrokerNode(b.controllerID), req)
	}
}
