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
	allowed, reply := m, adminReply{to: from, correlation: m.Correlation()}
	if b.isClient(from) {
		allowed, reply.completion = b.authorizeAdmin(from, m)
	}
	switch {
	case allowed == nil:
		reply.send(b, nil)
	case !b.zkMode():
		corr := b.nextCorrelation()
		b.control.send(b, corr, allowed.WithCorrelation(corr), controlRequestTimeoutMs, forwardedAdmin{request: allowed, reply: reply})
	case b.zkc != nil && b.zkc.loaded:
		b.zkc.handleAdminReply(allowed, reply)
	default:
		reply.send(b, allowed.Failed(protocol.NotController))
	}
}

// adminReply is where the answer to an admin request goes once the
// controller has answered the part it may make: to the requester, with
// the refused parts put back and the requester's correlation id. It is
// data, not a closure, so that a request waiting for the controller can
// be in a snapshot.
type adminReply struct {
	to          sim.NodeID
	correlation int32
	completion  adminCompletion
}

// send answers the request with the controller's answer resp (an
// AdminResponse; nil when nothing was sent).
func (r adminReply) send(b *Broker, resp sim.Message) {
	answer, _ := resp.(protocol.AdminResponse)
	b.sim.Send(b.node, r.to, r.completion.complete(answer).WithCorrelation(r.correlation))
}

// adminCompletion puts the refused parts of a client's request back into
// the controller's answer to the rest. The zero value passes the answer
// on as it is.
type adminCompletion struct {
	// refused, when set, is the whole answer: the request was refused
	// before its items were looked at.
	refused protocol.AdminResponse
	// request, when set, is a request authorized item by item, and
	// verdicts the authorization error of each of its items; messages
	// (DeleteTopics only) the message of each refused item.
	request  protocol.AdminRequest
	verdicts topicVerdicts
	messages []string
}

// complete returns the answer to the whole request given the
// controller's answer to the part sent (nil when nothing was sent).
func (c adminCompletion) complete(resp protocol.AdminResponse) protocol.AdminResponse {
	if c.refused != nil {
		return c.refused
	}
	switch r := c.request.(type) {
	case *protocol.CreateTopicsRequest:
		return c.completeCreateTopics(r, resp)
	case *protocol.DeleteTopicsRequest:
		return c.completeDeleteTopics(r, resp)
	case *protocol.CreatePartitionsRequest:
		return c.completeCreatePartitions(r, resp)
	case *protocol.IncrementalAlterConfigsRequest:
		return c.completeAlterConfigs(r, resp)
	}
	return resp
}

// authorizeAdmin splits a client's admin request into the part it may
// make (nil for none) and the completion that answers the rest.
func (b *Broker) authorizeAdmin(from sim.NodeID, m protocol.AdminRequest) (protocol.AdminRequest, adminCompletion) {
	cluster := func(op security.Operation) bool {
		return b.authorize(from, op, security.ClusterResource, security.ClusterResourceName)
	}
	refuseAll := func(code protocol.ErrorCode) (protocol.AdminRequest, adminCompletion) {
		return nil, adminCompletion{refused: m.Failed(code)}
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
	return m, adminCompletion{}
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
	return partial(&allowed, adminCompletion{request: r, verdicts: verdicts})
}

func (c adminCompletion) completeCreateTopics(r *protocol.CreateTopicsRequest, resp protocol.AdminResponse) protocol.AdminResponse {
	var answered []protocol.CreateTopicResult
	if m, ok := resp.(*protocol.CreateTopicsResponse); ok {
		answered = m.Topics
	}
	return &protocol.CreateTopicsResponse{CorrelationID: r.CorrelationID, Topics: mergeResults(c.verdicts, answered, func(i int) protocol.CreateTopicResult {
		return protocol.CreateTopicResult{Name: r.Topics[i].Name, Error: c.verdicts[i], ErrorMessage: c.verdicts[i].Info().Message}
	})}
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
	return partial(&allowed, adminCompletion{request: r, verdicts: verdicts, messages: messages})
}

func (c adminCompletion) completeDeleteTopics(r *protocol.DeleteTopicsRequest, resp protocol.AdminResponse) protocol.AdminResponse {
	var answered []protocol.DeleteTopicResult
	if m, ok := resp.(*protocol.DeleteTopicsResponse); ok {
		answered = m.Topics
	}
	return &protocol.DeleteTopicsResponse{CorrelationID: r.CorrelationID, Topics: mergeResults(c.verdicts, answered, func(i int) protocol.DeleteTopicResult {
		return protocol.DeleteTopicResult{Name: r.Topics[i], Error: c.verdicts[i], ErrorMessage: c.messages[i]}
	})}
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
	return partial(&allowed, adminCompletion{request: r, verdicts: verdicts})
}

func (c adminCompletion) completeCreatePartitions(r *protocol.CreatePartitionsRequest, resp protocol.AdminResponse) protocol.AdminResponse {
	var answered []protocol.CreatePartitionsResult
	if m, ok := resp.(*protocol.CreatePartitionsResponse); ok {
		answered = m.Results
	}
	return &protocol.CreatePartitionsResponse{CorrelationID: r.CorrelationID, Results: mergeResults(c.verdicts, answered, func(i int) protocol.CreatePartitionsResult {
		return protocol.CreatePartitionsResult{Name: r.Topics[i].Name, Error: c.verdicts[i], ErrorMessage: c.verdicts[i].Info().Message}
	})}
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
	return partial(&allowed, adminCompletion{request: r, verdicts: verdicts})
}

func (c adminCompletion) completeAlterConfigs(r *protocol.IncrementalAlterConfigsRequest, resp protocol.AdminResponse) protocol.AdminResponse {
	var answered []protocol.AlterConfigsResult
	if m, ok := resp.(*protocol.IncrementalAlterConfigsResponse); ok {
		answered = m.Resources
	}
	return &protocol.IncrementalAlterConfigsResponse{CorrelationID: r.CorrelationID, Resources: mergeResults(c.verdicts, answered, func(i int) protocol.AlterConfigsResult {
		res := &r.Resources[i]
		return protocol.AlterConfigsResult{ResourceType: res.ResourceType, ResourceName: res.ResourceName, Error: c.verdicts[i], ErrorMessage: c.verdicts[i].Info().Message}
	})}
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
func partial(allowed protocol.AdminRequest, complete adminCompletion) (protocol.AdminRequest, adminCompletion) {
	if len(complete.verdicts) > 0 && complete.verdicts.refusedAll() {
		return nil, complete
	}
	return allowed, complete
}
