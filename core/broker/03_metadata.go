package broker

// Metadata (API key 3): any broker describes the whole cluster from its
// metadata cache — the brokers it knows to be alive (unfenced), a
// controller id (in KRaft, a random alive broker, since clients cannot
// reach controllers), and topics with each partition's leader, epoch,
// replicas, ISR and offline replicas. An unknown topic is auto-created when
// the client allows it and auto.create.topics.enable is on.

import (
	"github.com/kafka-playground/playground/core/metadata"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/security"
	"github.com/kafka-playground/playground/core/sim"
)

func (b *Broker) handleMetadata(from sim.NodeID, req *protocol.MetadataRequest) {
	image := b.disk.Image
	resp := &protocol.MetadataResponse{CorrelationID: req.CorrelationID, ClusterID: b.settings.ClusterID, ControllerID: -1}
	var alive []int32
	for _, id := range image.BrokerIDs() {
		if !image.Brokers[id].Fenced {
			alive = append(alive, id)
			resp.Brokers = append(resp.Brokers, protocol.BrokerMetadata{NodeID: id, Host: "broker-" + itoa(int64(id)), Port: b.listenerPort(from)})
		}
	}
	switch {
	case b.zkMode():
		resp.ControllerID = b.controllerID
	case len(alive) > 0:
		resp.ControllerID = alive[b.sim.Rand().IntN(len(alive))]
	}
	names := req.Topics
	if names == nil {
		// All topics: those the client may not describe are left out.
		for _, name := range image.TopicNames() {
			if b.authorizeLogged(from, security.OpDescribe, security.TopicResource, name, false) {
				names = append(names, name)
			}
		}
	}
	for _, name := range names {
		switch {
		case req.Topics != nil && !b.authorize(from, security.OpDescribe, security.TopicResource, name):
			resp.Topics = append(resp.Topics, protocol.TopicMetadata{Name: name, Error: protocol.TopicAuthorizationFailed})
		case req.AllowAutoTopicCreation && image.Topics[name] == nil && b.config.Bool("auto.create.topics.enable") && !b.mayCreate(from, name):
			// Kafka answers TOPIC_AUTHORIZATION_FAILED for a topic the
			// client may neither see nor create.
			principal, _ := b.principal(from)
			b.record("authz", "denied %s CREATE on TOPIC %s (auto-creation): no ACL allows it", principal, name)
			resp.Topics = append(resp.Topics, protocol.TopicMetadata{Name: name, Error: protocol.TopicAuthorizationFailed})
		default:
			resp.Topics = append(resp.Topics, b.describeTopic(name, req.AllowAutoTopicCreation))
		}
	}
	b.sim.Send(b.node, from, resp)
}

func (b *Broker) describeTopic(name string, allowAutoCreate bool) protocol.TopicMetadata {
	image := b.disk.Image
	t := image.Topics[name]
	if t == nil {
		if allowAutoCreate && b.config.Bool("auto.create.topics.enable") {
			b.autoCreate(name)
			return protocol.TopicMetadata{Name: name, Error: protocol.LeaderNotAvailable}
		}
		return protocol.TopicMetadata{Name: name, Error: protocol.UnknownTopicOrPartition}
	}
	tm := protocol.TopicMetadata{Name: name, TopicID: t.ID, IsInternal: len(name) > 2 && name[:2] == "__"}
	for i, p := range t.Partitions {
		pm := protocol.PartitionMetadata{Partition: int32(i), Leader: p.Leader, LeaderEpoch: p.LeaderEpoch,
			Replicas: p.Replicas, Isr: p.Isr}
		if p.Leader == protocol.NoLeader {
			pm.Error = protocol.LeaderNotAvailable
		}
		for _, r := range p.Replicas {
			if broker := image.Brokers[r]; broker == nil || broker.Fenced {
				pm.OfflineReplicas = append(pm.OfflineReplicas, r)
			}
		}
		tm.Partitions = append(tm.Partitions, pm)
	}
	return tm
}

// autoCreate asks the controller to create a topic with num.partitions and
// default.replication.factor, without waiting for the answer.
func (b *Broker) autoCreate(name string) {
	corr := b.nextCorrelation()
	req := &protocol.CreateTopicsRequest{CorrelationID: corr, TimeoutMs: 30000, Topics: []protocol.CreatableTopic{{
		Name: name, NumPartitions: -1, ReplicationFactor: -1}}}
	b.record("auto-create", "topic %s", name)
	switch {
	case !b.zkMode():
		b.control.send(b, corr, req, controlRequestTimeoutMs, unanswered{})
	case b.controllerID >= 0:
		b.sim.Send(b.node, b.settings.BrokerNode(b.controllerID), req)
	}
}

var _ = metadata.Contains

// mayCreate reports whether the client may auto-create a topic: CREATE on
// the cluster or on the topic.
func (b *Broker) mayCreate(from sim.NodeID, topic string) bool {
	if !b.authz.on || !b.isClient(from) {
		return true
	}
	principal, operator := b.principal(from)
	if operator {
		return true
	}
	request := security.Request{Principal: principal, Host: b.sim.Name(from), Operation: security.OpCreate,
		ResourceType: security.ClusterResource, ResourceName: security.ClusterResourceName}
	index := b.disk.Image.ACLIndex()
	if index.Authorize(b.authz.settings, request).Allowed {
		return true
	}
	request.ResourceType, request.ResourceName = security.TopicResource, topic
	return index.Authorize(b.authz.settings, request).Allowed
}
