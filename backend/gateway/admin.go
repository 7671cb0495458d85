package gateway

// The admin APIs between kmsg and the core: DeleteTopics (20),
// DescribeAcls (29), CreateAcls (30), DeleteAcls (31), DescribeConfigs
// (32), IncrementalAlterConfigs (44) and DescribeCluster (60). The
// simulated broker authorizes and answers them (core/broker/admin.go and
// the 29_, 32_ and 60_ files); here they are only translated.
//
// Not served: deleting a topic by id (DeleteTopics v6 without a name is
// answered UNKNOWN_TOPIC_ID), IncrementalAlterConfigs' APPEND and
// SUBTRACT operations (INVALID_REQUEST: the core sets and deletes whole
// values) and its validate_only flag (INVALID_REQUEST rather than an
// alteration the client did not want).

import (
	"fmt"

	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/security"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Wildcard codes of ACL filters on the wire.
const (
	aclAny   = 1
	aclMatch = 2
)

func stringPointer(s string) *string { return &s }

// optionalMessage is nil for no message, as Kafka leaves it null.
func optionalMessage(message string) *string {
	if message == "" {
		return nil
	}
	return &message
}

func translateDeleteTopics(req *kmsg.DeleteTopicsRequest, correlation int32) translation {
	core := &protocol.DeleteTopicsRequest{CorrelationID: correlation, TimeoutMs: req.TimeoutMillis}
	type entry struct {
		name    string
		id      [16]byte
		refused bool
	}
	var entries []entry
	for _, name := range req.TopicNames {
		entries = append(entries, entry{name: name})
	}
	for _, t := range req.Topics {
		if t.Topic == nil {
			entries = append(entries, entry{id: t.TopicID, refused: true})
			continue
		}
		entries = append(entries, entry{name: *t.Topic, id: t.TopicID})
	}
	for _, e := range entries {
		if !e.refused {
			core.Topics = append(core.Topics, e.name)
		}
	}
	build := func(answer any) kmsg.Response {
		resp := kmsg.NewPtrDeleteTopicsResponse()
		resp.Version = req.Version
		var answered []protocol.DeleteTopicResult
		if m, ok := answer.(*protocol.DeleteTopicsResponse); ok {
			answered = m.Topics
		}
		for _, e := range entries {
			topic := kmsg.NewDeleteTopicsResponseTopic()
			topic.TopicID = e.id
			switch {
			case e.refused:
				topic.ErrorCode = int16(protocol.UnknownTopicID)
				topic.ErrorMessage = stringPointer("The gateway deletes topics by name only.")
			case len(answered) > 0:
				r := answered[0]
				answered = answered[1:]
				topic.Topic, topic.ErrorCode, topic.ErrorMessage = stringPointer(r.Name), int16(r.Error), optionalMessage(r.ErrorMessage)
			}
			resp.Topics = append(resp.Topics, topic)
		}
		return resp
	}
	if len(core.Topics) == 0 {
		return translation{Local: build(nil)}
	}
	return translation{Request: core, ExpectResponse: true, Finish: build}
}

func translateDescribeConfigs(req *kmsg.DescribeConfigsRequest, correlation int32) translation {
	core := &protocol.DescribeConfigsRequest{CorrelationID: correlation, IncludeSynonyms: req.IncludeSynonyms,
		IncludeDocumentation: req.IncludeDocumentation}
	for _, r := range req.Resources {
		core.Resources = append(core.Resources, protocol.DescribeConfigsResource{ResourceType: int8(r.ResourceType),
			ResourceName: r.ResourceName, Names: r.ConfigNames})
	}
	return translation{Request: core, ExpectResponse: true, Finish: func(answer any) kmsg.Response {
		m := answer.(*protocol.DescribeConfigsResponse)
		resp := kmsg.NewPtrDescribeConfigsResponse()
		resp.Version = req.Version
		for _, r := range m.Results {
			res := kmsg.NewDescribeConfigsResponseResource()
			res.ResourceType, res.ResourceName = kmsg.ConfigResourceType(r.ResourceType), r.ResourceName
			res.ErrorCode, res.ErrorMessage = int16(r.Error), optionalMessage(r.ErrorMessage)
			for _, c := range r.Configs {
				res.Configs = append(res.Configs, wireConfig(c))
			}
			resp.Resources = append(resp.Resources, res)
		}
		return resp
	}}
}

func wireConfig(c protocol.ConfigEntry) kmsg.DescribeConfigsResponseResourceConfig {
	out := kmsg.NewDescribeConfigsResponseResourceConfig()
	out.Name, out.ReadOnly, out.IsSensitive = c.Name, c.ReadOnly, c.Sensitive
	if !c.Null {
		out.Value = stringPointer(c.Value)
	}
	out.Source, out.IsDefault = kmsg.ConfigSource(c.Source), c.Source == protocol.ConfigSourceDefault
	out.ConfigType = kmsg.ConfigType(c.Type)
	out.Documentation = optionalMessage(c.Documentation)
	for _, s := range c.Synonyms {
		synonym := kmsg.NewDescribeConfigsResponseResourceConfigConfigSynonym()
		synonym.Name, synonym.Source = s.Name, kmsg.ConfigSource(s.Source)
		if !s.Null {
			synonym.Value = stringPointer(s.Value)
		}
		out.ConfigSynonyms = append(out.ConfigSynonyms, synonym)
	}
	return out
}

func translateIncrementalAlterConfigs(req *kmsg.IncrementalAlterConfigsRequest, correlation int32) translation {
	core := &protocol.IncrementalAlterConfigsRequest{CorrelationID: correlation}
	refused := map[int]string{}
	for i, r := range req.Resources {
		res := protocol.AlterConfigsResource{ResourceType: int8(r.ResourceType), ResourceName: r.ResourceName}
		for _, c := range r.Configs {
			change := protocol.AlterableConfig{Name: c.Name, Operation: int8(c.Op)}
			if c.Value != nil {
				change.Value = *c.Value
			}
			if c.Op != kmsg.IncrementalAlterConfigOpSet && c.Op != kmsg.IncrementalAlterConfigOpDelete {
				refused[i] = fmt.Sprintf("The gateway sets and deletes configs; operation %s on %s is not simulated", c.Op, c.Name)
			}
			res.Configs = append(res.Configs, change)
		}
		switch {
		case req.ValidateOnly:
			refused[i] = "validate_only is not simulated by the gateway"
		case r.ResourceType != kmsg.ConfigResourceTypeTopic && r.ResourceType != kmsg.ConfigResourceTypeBroker:
			refused[i] = fmt.Sprintf("Config resource type %s is not simulated by the playground", r.ResourceType)
		}
		if _, ok := refused[i]; !ok {
			core.Resources = append(core.Resources, res)
		}
	}
	build := func(answer any) kmsg.Response {
		resp := kmsg.NewPtrIncrementalAlterConfigsResponse()
		resp.Version = req.Version
		var answered []protocol.AlterConfigsResult
		if m, ok := answer.(*protocol.IncrementalAlterConfigsResponse); ok {
			answered = m.Resources
		}
		for i, r := range req.Resources {
			res := kmsg.NewIncrementalAlterConfigsResponseResource()
			res.ResourceType, res.ResourceName = r.ResourceType, r.ResourceName
			if message, ok := refused[i]; ok {
				res.ErrorCode, res.ErrorMessage = int16(protocol.InvalidRequest), stringPointer(message)
			} else if len(answered) > 0 {
				res.ErrorCode, res.ErrorMessage = int16(answered[0].Error), optionalMessage(answered[0].ErrorMessage)
				answered = answered[1:]
			}
			resp.Resources = append(resp.Resources, res)
		}
		return resp
	}
	if len(core.Resources) == 0 {
		return translation{Local: build(nil)}
	}
	return translation{Request: core, ExpectResponse: true, Finish: build}
}

func translateCreateAcls(req *kmsg.CreateACLsRequest, correlation int32) translation {
	core := &protocol.CreateAclsRequest{CorrelationID: correlation}
	for _, c := range req.Creations {
		core.Creations = append(core.Creations, security.ACL{Principal: c.Principal, Host: c.Host,
			ResourceType: security.ResourceType(c.ResourceType), ResourceName: c.ResourceName,
			PatternType: security.PatternType(c.ResourcePatternType), Operation: security.Operation(c.Operation),
			Permission: security.Permission(c.PermissionType)})
	}
	return translation{Request: core, ExpectResponse: true, Finish: func(answer any) kmsg.Response {
		m := answer.(*protocol.CreateAclsResponse)
		resp := kmsg.NewPtrCreateACLsResponse()
		resp.Version = req.Version
		for _, r := range m.Results {
			result := kmsg.NewCreateACLsResponseResult()
			result.ErrorCode, result.ErrorMessage = int16(r.Error), optionalMessage(r.ErrorMessage)
			resp.Results = append(resp.Results, result)
		}
		return resp
	}}
}

// aclFilter reads a wire ACL filter (AclBindingFilter); UNKNOWN values
// are an error.
func aclFilter(resourceType kmsg.ACLResourceType, name *string, pattern kmsg.ACLResourcePatternType, principal, host *string,
	operation kmsg.ACLOperation, permission kmsg.ACLPermissionType) (protocol.AclFilter, error) {
	if resourceType == 0 || pattern == 0 || operation == 0 || permission == 0 {
		return protocol.AclFilter{}, fmt.Errorf("the filter contains UNKNOWN elements")
	}
	f := protocol.AclFilter{ACL: security.ACL{ResourceType: security.ResourceType(resourceType), PatternType: security.PatternType(pattern),
		Operation: security.Operation(operation), Permission: security.Permission(permission)},
		AnyResourceType: resourceType == aclAny, AnyResourceName: name == nil, AnyPattern: pattern == aclAny,
		MatchPattern: pattern == aclMatch, AnyPrincipal: principal == nil, AnyHost: host == nil,
		AnyOperation: operation == aclAny, AnyPermission: permission == aclAny}
	if name != nil {
		f.ACL.ResourceName = *name
	}
	if principal != nil {
		f.ACL.Principal = *principal
	}
	if host != nil {
		f.ACL.Host = *host
	}
	return f, nil
}

func translateDescribeAcls(req *kmsg.DescribeACLsRequest, correlation int32) translation {
	filter, err := aclFilter(req.ResourceType, req.ResourceName, req.ResourcePatternType, req.Principal, req.Host, req.Operation, req.PermissionType)
	if err != nil {
		resp := kmsg.NewPtrDescribeACLsResponse()
		resp.Version, resp.ErrorCode, resp.ErrorMessage = req.Version, int16(protocol.InvalidRequest), stringPointer(err.Error())
		return translation{Local: resp}
	}
	core := &protocol.DescribeAclsRequest{CorrelationID: correlation, Filter: filter}
	return translation{Request: core, ExpectResponse: true, Finish: func(answer any) kmsg.Response {
		m := answer.(*protocol.DescribeAclsResponse)
		resp := kmsg.NewPtrDescribeACLsResponse()
		resp.Version, resp.ErrorCode, resp.ErrorMessage = req.Version, int16(m.Error), optionalMessage(m.ErrorMessage)
		for _, acl := range m.ACLs {
			n := len(resp.Resources)
			if n == 0 || resp.Resources[n-1].ResourceType != kmsg.ACLResourceType(acl.ResourceType) ||
				resp.Resources[n-1].ResourceName != acl.ResourceName || resp.Resources[n-1].ResourcePatternType != kmsg.ACLResourcePatternType(acl.PatternType) {
				res := kmsg.NewDescribeACLsResponseResource()
				res.ResourceType, res.ResourceName = kmsg.ACLResourceType(acl.ResourceType), acl.ResourceName
				res.ResourcePatternType = kmsg.ACLResourcePatternType(acl.PatternType)
				resp.Resources = append(resp.Resources, res)
				n++
			}
			entry := kmsg.NewDescribeACLsResponseResourceACL()
			entry.Principal, entry.Host = acl.Principal, acl.Host
			entry.Operation, entry.PermissionType = kmsg.ACLOperation(acl.Operation), kmsg.ACLPermissionType(acl.Permission)
			resp.Resources[n-1].ACLs = append(resp.Resources[n-1].ACLs, entry)
		}
		return resp
	}}
}

func translateDeleteAcls(req *kmsg.DeleteACLsRequest, correlation int32) translation {
	core := &protocol.DeleteAclsRequest{CorrelationID: correlation}
	refused := map[int]string{}
	for i, f := range req.Filters {
		filter, err := aclFilter(f.ResourceType, f.ResourceName, f.ResourcePatternType, f.Principal, f.Host, f.Operation, f.PermissionType)
		if err != nil {
			refused[i] = err.Error()
			continue
		}
		core.Filters = append(core.Filters, filter)
	}
	build := func(answer any) kmsg.Response {
		resp := kmsg.NewPtrDeleteACLsResponse()
		resp.Version = req.Version
		var answered []protocol.AclResult
		if m, ok := answer.(*protocol.DeleteAclsResponse); ok {
			answered = m.Results
		}
		for i := range req.Filters {
			result := kmsg.NewDeleteACLsResponseResult()
			if message, ok := refused[i]; ok {
				result.ErrorCode, result.ErrorMessage = int16(protocol.InvalidRequest), stringPointer(message)
			} else if len(answered) > 0 {
				r := answered[0]
				answered = answered[1:]
				result.ErrorCode, result.ErrorMessage = int16(r.Error), optionalMessage(r.ErrorMessage)
				for _, acl := range r.Deleted {
					matching := kmsg.NewDeleteACLsResponseResultMatchingACL()
					matching.ResourceType, matching.ResourceName = kmsg.ACLResourceType(acl.ResourceType), acl.ResourceName
					matching.ResourcePatternType = kmsg.ACLResourcePatternType(acl.PatternType)
					matching.Principal, matching.Host = acl.Principal, acl.Host
					matching.Operation, matching.PermissionType = kmsg.ACLOperation(acl.Operation), kmsg.ACLPermissionType(acl.Permission)
					result.MatchingACLs = append(result.MatchingACLs, matching)
				}
			}
			resp.Results = append(resp.Results, result)
		}
		return resp
	}
	if len(core.Filters) == 0 {
		return translation{Local: build(nil)}
	}
	return translation{Request: core, ExpectResponse: true, Finish: build}
}

func translateDescribeCluster(req *kmsg.DescribeClusterRequest, correlation int32, advertise addresses) translation {
	endpoint := req.EndpointType
	if req.Version == 0 {
		endpoint = protocol.EndpointTypeBroker
	}
	core := &protocol.DescribeClusterRequest{CorrelationID: correlation, EndpointType: endpoint,
		IncludeClusterAuthorizedOperations: req.IncludeClusterAuthorizedOperations, IncludeFencedBrokers: req.IncludeFencedBrokers}
	return translation{Request: core, ExpectResponse: true, Finish: func(answer any) kmsg.Response {
		m := answer.(*protocol.DescribeClusterResponse)
		resp := kmsg.NewPtrDescribeClusterResponse()
		resp.Version, resp.ErrorCode, resp.ErrorMessage = req.Version, int16(m.Error), optionalMessage(m.ErrorMessage)
		if req.Version == 0 && m.Error != protocol.None {
			resp.ErrorCode = int16(protocol.InvalidRequest)
		}
		resp.ClusterID, resp.ControllerID, resp.EndpointType = m.ClusterID, m.ControllerID, m.EndpointType
		resp.ClusterAuthorizedOperations = m.ClusterAuthorizedOperations
		for _, b := range m.Brokers {
			host, port, ok := advertise(b.NodeID)
			if !ok {
				continue
			}
			broker := kmsg.NewDescribeClusterResponseBroker()
			broker.NodeID, broker.Host, broker.Port, broker.IsFenced = b.NodeID, host, port, b.Fenced
			resp.Brokers = append(resp.Brokers, broker)
		}
		return resp
	}}
}
