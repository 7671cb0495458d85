package broker

// Admin requests: CreateTopics, DeleteTopics, CreatePartitions,
// IncrementalAlterConfigs, ElectLeaders, CreateAcls, DeleteAcls and
// AlterUserScramCredentials, which the controller serves (forwarded to it
// in KRaft, served by the controller broker in ZooKeeper mode).
//
// A client's request is authorized first, as Kafka's ControllerApis and
// KafkaApis do it:
//
//	CreateTopics             CREATE on the cluster, else on each topic
//	DeleteTopics             DELETE on the cluster, else DESCRIBE and DELETE on each topic;
//	                         TOPIC_DELETION_DISABLED when delete.topic.enable is false
//	CreatePartitions         ALTER on each topic
//	IncrementalAlterConfigs  ALTER_CONFIGS on each topic, on the cluster for brokers
//	ElectLeaders             ALTER on the cluster
//	CreateAcls, DeleteAcls   ALTER on the cluster; SECURITY_DISABLED without an authorizer
//	AlterUserScramCredentials ALTER on the cluster
//
// The parts refused get their *_AUTHORIZATION_FAILED error and only the
// rest goes to the controller; the answer puts both together in request
// order. Inter-broker and the playground's own admin requests are not
// authorized (see README "What is simplified").

import (
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/security"
	"github.com/kafka-playground/playground/core/sim"
)

// handleAdmin serves an admin request from from.
func (b *Broker) handleAdmin(from sim.NodeID, m protocol.AdminRequest) {
	allowed, complete := m, func(r protocol.AdminResponse) protocol.AdminResponse { return r }
	if b.isClient(from) {
		allowed, complete = b.authorizeAdmin(from, m)
	}
	reply := func(r sim.Message) {
		resp, _ := r.(protocol.AdminResponse)
		b.sim.Send(b.node, from, complete(resp).WithCorrelation(m.Correlation()))
	}
	switch {
	case allowed == nil:
		reply(nil)
	case !b.zkMode():
		corr := b.nextCorrelation()
		b.control.send(b, corr, allowed.WithCorrelation(corr), controlRequestTimeoutMs, reply, func() {
			reply(allowed.Failed(protocol.RequestTimedOut))
		})
	case b.zkc != nil && b.zkc.loaded:
		b.zkc.handleAdminReply(allowed, reply)
	default:
		reply(allowed.Failed(protocol.NotController))
	}
}

// adminCompletion puts the refused parts of a request back into the
// controller's answer to the rest (nil when nothing was sent).
type adminCompletion func(protocol.AdminResponse) protocol.AdminResponse

// authorizeAdmin splits a client's admin request into the part it may
// make (nil for none) and the completion that answers the rest.
func (b *Broker) authorizeAdmin(from sim.NodeID, m protocol.AdminRequest) (protocol.AdminRequest, adminCompletion) {
	cluster := func(op security.Operation) bool {
		return b.authorize(from, op, security.ClusterResource, security.ClusterResourceName)
	}
	refuseAll := func(code protocol.ErrorCode) (protocol.AdminRequest, adminCompletion) {
		failed := m.Failed(code)
		return nil, func(protocol.AdminResponse) protocol.AdminResponse { return failed }
	}
	switch r := m.(type) {
	case *protocol.CreateTopicsRequest:
		return b.authorizeCreateTopics(from, r)
	case *protocol.DeleteTopicsRequest:
		return b.authorizeDeleteTopics(from, r)
	case *protocol.CreatePartitionsRequest:
		return b.authorizeCreatePartitions(from, r)
	case *protocol.IncrementalAlterConfigsRequest:
		return b.authorizeAlterConfigs(from, r)
	case *protocol.CreateAclsRequest, *protocol.DeleteAclsRequest:
		if !cluster(security.OpAlter) {
			return refuseAll(protocol.ClusterAuthorizationFailed)
		}
		if _, operator := b.principal(from); !b.authz.on && !operator {
			return refuseAll(protocol.SecurityDisabled)
		}
	case *protocol.ElectLeadersRequest, *protocol.AlterUserScramCredentialsRequest:
		if !cluster(security.OpAlter) {
			return refuseAll(protocol.ClusterAuthorizationFailed)
		}
	}
	return m, func(r protocol.AdminResponse) protocol.AdminResponse { return r }
}

// topicVerdicts is the authorization error of each item of a request by
// index (None for the items that go on).
type topicVerdicts []protocol.ErrorCode

func (v topicVerdicts) refusedAll() bool {
	for _, code := range v {
		if code == protocol.None {
			return false
		}
	}
	return true
}

func (b *Broker) authorizeCreateTopics(from sim.NodeID, r *protocol.CreateTopicsRequest) (protocol.AdminRequest, adminCompletion) {
	clusterWide := b.authorizeLogged(from, security.OpCreate, security.ClusterResource, security.ClusterResourceName, false)
	verdicts := make(topicVerdicts, len(r.Topics))
	allowed := *r
	allowed.Topics = nil
	for i, t := range r.Topics {
		if !clusterWide && !b.authorize(from, security.OpCreate, security.TopicResource, t.Name) {
			verdicts[i] = protocol.TopicAuthorizationFailed
			continue
		}
		allowed.Topics = append(allowed.Topics, t)
	}
	return partial(&allowed, verdicts, func(resp protocol.AdminResponse) protocol.AdminResponse {
		var answered []protocol.CreateTopicResult
		if m, ok := resp.(*protocol.CreateTopicsResponse); ok {
			answered = m.Topics
		}
		return &protocol.CreateTopicsResponse{CorrelationID: r.CorrelationID, Topics: mergeResults(verdicts, answered, func(i int) protocol.CreateTopicResult {
			return protocol.CreateTopicResult{Name: r.Topics[i].Name, Error: verdicts[i], ErrorMessage: verdicts[i].Info().Message}
		})}
	})
}

func (b *Broker) authorizeDeleteTopics(from sim.NodeID, r *protocol.DeleteTopicsRequest) (protocol.AdminRequest, adminCompletion) {
	verdicts := make(topicVerdicts, len(r.Topics))
	messages := make([]string, len(r.Topics))
	clusterWide := b.authorizeLogged(from, security.OpDelete, security.ClusterResource, security.ClusterResourceName, false)
	seen := map[string]int{}
	for _, name := range r.Topics {
		seen[name]++
	}
	allowed := *r
	allowed.Topics = nil
	for i, name := range r.Topics {
		switch {
		case !b.config.Bool("delete.topic.enable"):
			verdicts[i], messages[i] = protocol.TopicDeletionDisabled, "Topic deletion is disabled."
		case seen[name] > 1:
			verdicts[i], messages[i] = protocol.InvalidRequest, "Duplicate topic name."
		case !clusterWide && !b.authorize(from, security.OpDescribe, security.TopicResource, name):
			verdicts[i] = protocol.TopicAuthorizationFailed
		case !clusterWide && b.disk.Image.Topics[name] != nil && !b.authorize(from, security.OpDelete, security.TopicResource, name):
			verdicts[i] = protocol.TopicAuthorizationFailed
		default:
			allowed.Topics = append(allowed.Topics, name)
		}
		if verdicts[i] != protocol.None && messages[i] == "" {
			messages[i] = verdicts[i].Info().Message
		}
	}
	return partial(&allowed, verdicts, func(resp protocol.AdminResponse) protocol.AdminResponse {
		var answered []protocol.DeleteTopicResult
		if m, ok := resp.(*protocol.DeleteTopicsResponse); ok {
			answered = m.Topics
		}
		return &protocol.DeleteTopicsResponse{CorrelationID: r.CorrelationID, Topics: mergeResults(verdicts, answered, func(i int) protocol.DeleteTopicResult {
			return protocol.DeleteTopicResult{Name: r.Topics[i], Error: verdicts[i], ErrorMessage: messages[i]}
		})}
	})
}

func (b *Broker) authorizeCreatePartitions(from sim.NodeID, r *protocol.CreatePartitionsRequest) (protocol.AdminRequest, adminCompletion) {
	verdicts := make(topicVerdicts, len(r.Topics))
	allowed := *r
	allowed.Topics = nil
	for i, t := range r.Topics {
		if !b.authorize(from, security.OpAlter, security.TopicResource, t.Name) {
			verdicts[i] = protocol.TopicAuthorizationFailed
			continue
		}
		allowed.Topics = append(allowed.Topics, t)
	}
	return partial(&allowed, verdicts, func(resp protocol.AdminResponse) protocol.AdminResponse {
		var answered []protocol.CreatePartitionsResult
		if m, ok := resp.(*protocol.CreatePartitionsResponse); ok {
			answered = m.Results
		}
		return &protocol.CreatePartitionsResponse{CorrelationID: r.CorrelationID, Results: mergeResults(verdicts, answered, func(i int) protocol.CreatePartitionsResult {
			return protocol.CreatePartitionsResult{Name: r.Topics[i].Name, Error: verdicts[i], ErrorMessage: verdicts[i].Info().Message}
		})}
	})
}

func (b *Broker) authorizeAlterConfigs(from sim.NodeID, r *protocol.IncrementalAlterConfigsRequest) (protocol.AdminRequest, adminCompletion) {
	verdicts := make(topicVerdicts, len(r.Resources))
	allowed := *r
	allowed.Resources = nil
	for i, res := range r.Resources {
		switch {
		case res.ResourceType == protocol.ResourceTopic && !b.authorize(from, security.OpAlterConfigs, security.TopicResource, res.ResourceName):
			verdicts[i] = protocol.TopicAuthorizationFailed
		case res.ResourceType != protocol.ResourceTopic && !b.authorize(from, security.OpAlterConfigs, security.ClusterResource, security.ClusterResourceName):
			verdicts[i] = protocol.ClusterAuthorizationFailed
		default:
			allowed.Resources = append(allowed.Resources, res)
		}
	}
	return partial(&allowed, verdicts, func(resp protocol.AdminResponse) protocol.AdminResponse {
		var answered []protocol.AlterConfigsResult
		if m, ok := resp.(*protocol.IncrementalAlterConfigsResponse); ok {
			answered = m.Resources
		}
		return &protocol.IncrementalAlterConfigsResponse{CorrelationID: r.CorrelationID, Resources: mergeResults(verdicts, answered, func(i int) protocol.AlterConfigsResult {
			res := &r.Resources[i]
			return protocol.AlterConfigsResult{ResourceType: res.ResourceType, ResourceName: res.ResourceName, Error: verdicts[i], ErrorMessage: verdicts[i].Info().Message}
		})}
	})
}

// mergeResults returns one result per item of a request, in request
// order: refused(i) for each item refused here, the controller's answers,
// in order, for the items sent on.
func mergeResults[T any](verdicts topicVerdicts, answered []T, refused func(i int) T) []T {
	out := make([]T, 0, len(verdicts))
	for i, code := range verdicts {
		if code != protocol.None {
			out = append(out, refused(i))
		} else if len(answered) > 0 {
			out, answered = append(out, answered[0]), answered[1:]
		}
	}
	return out
}

// partial is the outcome of an itemized authorization: nothing to send
// when every item was refused.
func partial(allowed protocol.AdminRequest, verdicts topicVerdicts, complete adminCompletion) (protocol.AdminRequest, adminCompletion) {
	if len(verdicts) > 0 && verdicts.refusedAll() {
		return nil, complete
	}
	return allowed, complete
}
