package gateway

// Consumer groups: FindCoordinator, JoinGroup, Heartbeat, LeaveGroup,
// SyncGroup, DescribeGroups, ListGroups, OffsetCommit and OffsetFetch,
// translated to the simulated group coordinator (core/broker).
//
// Member ids, generation ids, protocol metadata and assignments pass
// through untouched: the coordinator keeps the bytes a client sent and
// hands them back as they were. For the consumer protocol type the
// gateway also decodes them (ConsumerMemberMetadata,
// ConsumerMemberAssignment), so that the simulated cluster knows who owns
// which partition (its state document, its invariant checker) and a
// simulated consumer can share a group with real ones; what a simulated
// member has only in decoded form is encoded here for real clients.
//
// Static membership (group.instance.id, KIP-345) is the core's: the
// instance id of JoinGroup (v5+), SyncGroup and Heartbeat (v3+),
// OffsetCommit (v7+), TxnOffsetCommit (v3+) and each member of a batched
// LeaveGroup (v3+, by instance id alone for an admin's removal) goes to
// the coordinator, which answers a replaced member id
// FENCED_INSTANCE_ID; JoinGroup v9+ reads SkipAssignment (KIP-814), and
// DescribeGroups v4+ shows each member's instance id. An empty instance
// id is taken as none (a dynamic member), which no client sends: Kafka's
// clients refuse an empty group.instance.id.

import (
	"net"

	"github.com/kafka-playground/playground/core/broker"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// groupClient is who sends a group request: the request header's client
// id and the address the connection comes from, as Kafka shows it
// ("/127.0.0.1").
type groupClient struct {
	id, host string
}

// groupClient is the client of the request being translated.
func (c *Conn) groupClient() groupClient {
	host := c.address
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return groupClient{id: c.clientID, host: "/" + host}
}

// errorMessage is the error message Kafka sends beside an error code
// where the response has one: the error's description, "NONE" for none.
func errorMessage(code protocol.ErrorCode) *string {
	message := code.Info().Message
	if code == protocol.None || message == "" {
		message = code.String()
	}
	return &message
}

func cloneBytes(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

func translateFindCoordinator(req *kmsg.FindCoordinatorRequest, correlation int32, advertise addresses) translation {
	core := &protocol.FindCoordinatorRequest{CorrelationID: correlation, KeyType: req.CoordinatorType, Key: req.CoordinatorKey}
	if req.Version >= 4 {
		core.Key, core.Keys = "", append([]string{}, req.CoordinatorKeys...)
		if len(core.Keys) == 0 {
			resp := kmsg.NewPtrFindCoordinatorResponse()
			resp.Version = req.Version
			return translation{Local: resp}
		}
	}
	return translation{Request: core, ExpectResponse: true, Finish: func(answer any) kmsg.Response {
		m := answer.(*protocol.FindCoordinatorResponse)
		resp := kmsg.NewPtrFindCoordinatorResponse()
		resp.Version = req.Version
		if req.Version < 4 {
			code := m.Error
			resp.NodeID, resp.Host, resp.Port, code = coordinatorEndpoint(m.NodeID, code, advertise)
			resp.ErrorCode, resp.ErrorMessage = int16(code), errorMessage(code)
			return resp
		}
		for _, c := range m.Coordinators {
			rc := kmsg.NewFindCoordinatorResponseCoordinator()
			code := c.Error
			rc.Key = c.Key
			rc.NodeID, rc.Host, rc.Port, code = coordinatorEndpoint(c.NodeID, code, advertise)
			rc.ErrorCode = int16(code) // Kafka sends no message from v4
			resp.Coordinators = append(resp.Coordinators, rc)
		}
		return resp
	}}
}

// coordinatorEndpoint is the coordinator's address at the gateway; a
// coordinator whose port is closed (its broker is down here, though the
// cluster does not know it yet) is not available, as for a broker Kafka's
// metadata has no live endpoint for. Kafka's "no node" is -1, "", -1.
func coordinatorEndpoint(node int32, code protocol.ErrorCode, advertise addresses) (int32, string, int32, protocol.ErrorCode) {
	if code == protocol.None {
		if host, port, ok := advertise(node); ok {
			return node, host, port, protocol.None
		}
		code = protocol.CoordinatorNotAvailable
	}
	return -1, "", -1, code
}

func translateJoinGroup(req *kmsg.JoinGroupRequest, correlation int32, client groupClient) translation {
	rebalanceTimeoutMs := req.RebalanceTimeoutMillis
	if req.Version == 0 {
		rebalanceTimeoutMs = req.SessionTimeoutMillis // v0 has none: Kafka takes the session timeout
	}
	core := &protocol.JoinGroupRequest{CorrelationID: correlation, GroupID: req.Group, SessionTimeoutMs: req.SessionTimeoutMillis,
		RebalanceTimeoutMs: rebalanceTimeoutMs, MemberID: req.MemberID, ClientID: client.id, ClientHost: client.host,
		ProtocolType: req.ProtocolType, RequireKnownMemberID: req.Version >= 4, GroupInstanceID: instanceID(req.InstanceID),
		SupportsSkipAssignment: req.Version >= 9}
	if req.Reason != nil {
		core.Reason = *req.Reason
	}
	for _, p := range req.Protocols {
		// Empty metadata is nil: the field is BYTES, never null, and a
		// room's journal (JSON, the field omitted when empty) keeps no
		// difference between the two.
		gp := protocol.GroupProtocol{Name: p.Name}
		if len(p.Metadata) > 0 {
			gp.Metadata = cloneBytes(p.Metadata)
		}
		if req.ProtocolType == protocol.ConsumerProtocolType {
			gp.Subscription = decodeSubscription(p.Metadata)
		}
		core.Protocols = append(core.Protocols, gp)
	}
	return translation{Request: core, ExpectResponse: true, Finish: func(answer any) kmsg.Response {
		return joinGroupResponse(req.Version, answer.(*protocol.JoinGroupResponse))
	}}
}

// instanceID is a request's group.instance.id for the core: "" for none.
func instanceID(id *string) string {
	if id == nil {
		return ""
	}
	return *id
}

// wireInstanceID is a member's instance id on the wire: null for a
// dynamic member.
func wireInstanceID(id string) *string {
	if id == "" {
		return nil
	}
	return &id
}

func joinGroupResponse(version int16, m *protocol.JoinGroupResponse) *kmsg.JoinGroupResponse {
	resp := kmsg.NewPtrJoinGroupResponse()
	resp.Version, resp.ErrorCode, resp.Generation = version, int16(m.Error), m.GenerationID
	resp.LeaderID, resp.MemberID, resp.SkipAssignment = m.Leader, m.MemberID, m.SkipAssignment
	if m.Error == protocol.None {
		protocolType, name := m.ProtocolType, m.ProtocolName
		resp.ProtocolType, resp.Protocol = &protocolType, &name
	}
	for _, member := range m.Members {
		rm := kmsg.NewJoinGroupResponseMember()
		rm.MemberID, rm.InstanceID, rm.ProtocolMetadata = member.MemberID, wireInstanceID(member.GroupInstanceID), member.Metadata
		if rm.ProtocolMetadata == nil && m.ProtocolType == protocol.ConsumerProtocolType {
			rm.ProtocolMetadata = encodeSubscription(member.Subscription) // a simulated member
		}
		resp.Members = append(resp.Members, rm)
	}
	return resp
}

func translateHeartbeat(req *kmsg.HeartbeatRequest, correlation int32) translation {
	finish := func(answer any) kmsg.Response {
		resp := kmsg.NewPtrHeartbeatResponse()
		resp.Version, resp.ErrorCode = req.Version, int16(answer.(*protocol.HeartbeatResponse).Error)
		return resp
	}
	core := &protocol.HeartbeatRequest{CorrelationID: correlation, GroupID: req.Group, GenerationID: req.Generation, MemberID: req.MemberID,
		GroupInstanceID: instanceID(req.InstanceID)}
	return translation{Request: core, ExpectResponse: true, Finish: finish}
}

func translateSyncGroup(req *kmsg.SyncGroupRequest, correlation int32) translation {
	if req.Version >= 5 && (req.ProtocolType == nil || req.Protocol == nil) {
		// From v5 both are mandatory (KIP-559).
		return translation{Local: syncGroupResponse(req.Version, &protocol.SyncGroupResponse{Error: protocol.InconsistentGroupProtocol})}
	}
	core := &protocol.SyncGroupRequest{CorrelationID: correlation, GroupID: req.Group, GenerationID: req.Generation, MemberID: req.MemberID,
		GroupInstanceID: instanceID(req.InstanceID)}
	if req.Version >= 5 {
		core.ProtocolType, core.ProtocolName = *req.ProtocolType, *req.Protocol
	}
	for _, a := range req.GroupAssignment {
		// Decoded as the consumer protocol's; the coordinator keeps the
		// decoded partitions only for a consumer group.
		core.Assignments = append(core.Assignments, protocol.SyncGroupAssignment{MemberID: a.MemberID,
			Assignment: cloneBytes(a.MemberAssignment), Partitions: decodeAssignment(a.MemberAssignment)})
	}
	return translation{Request: core, ExpectResponse: true, Finish: func(answer any) kmsg.Response {
		return syncGroupResponse(req.Version, answer.(*protocol.SyncGroupResponse))
	}}
}

func syncGroupResponse(version int16, m *protocol.SyncGroupResponse) *kmsg.SyncGroupResponse {
	resp := kmsg.NewPtrSyncGroupResponse()
	resp.Version, resp.ErrorCode = version, int16(m.Error)
	if m.Error != protocol.None {
		return resp
	}
	protocolType, name := m.ProtocolType, m.ProtocolName
	resp.ProtocolType, resp.Protocol = &protocolType, &name
	resp.MemberAssignment = m.Assignment
	if resp.MemberAssignment == nil && m.ProtocolType == protocol.ConsumerProtocolType {
		resp.MemberAssignment = encodeAssignment(m.Partitions) // assigned by a simulated leader
	}
	return resp
}

func translateLeaveGroup(req *kmsg.LeaveGroupRequest, correlation int32) translation {
	core := &protocol.LeaveGroupRequest{CorrelationID: correlation, GroupID: req.Group, MemberID: req.MemberID}
	if req.Version < 3 {
		return translation{Request: core, ExpectResponse: true, Finish: func(answer any) kmsg.Response {
			resp := kmsg.NewPtrLeaveGroupResponse()
			resp.Version, resp.ErrorCode = req.Version, int16(answer.(*protocol.LeaveGroupResponse).Error)
			return resp
		}}
	}
	core.MemberID = ""
	for _, m := range req.Members {
		member := protocol.LeaveGroupMember{MemberID: m.MemberID, GroupInstanceID: instanceID(m.InstanceID)}
		if m.Reason != nil {
			member.Reason = *m.Reason
		}
		core.Members = append(core.Members, member)
	}
	finish := func(answer any) kmsg.Response {
		m, _ := answer.(*protocol.LeaveGroupResponse)
		if m == nil {
			m = &protocol.LeaveGroupResponse{}
		}
		return leaveGroupResponse(req, m)
	}
	if len(core.Members) == 0 {
		return translation{Local: finish(nil)} // no member to leave
	}
	return translation{Request: core, ExpectResponse: true, Finish: finish}
}

// leaveGroupResponse answers a batched LeaveGroup in the request's order,
// with the coordinator's answer for each member.
func leaveGroupResponse(req *kmsg.LeaveGroupRequest, m *protocol.LeaveGroupResponse) *kmsg.LeaveGroupResponse {
	resp := kmsg.NewPtrLeaveGroupResponse()
	resp.Version, resp.ErrorCode = req.Version, int16(m.Error)
	if m.Error != protocol.None {
		return resp
	}
	for i, member := range req.Members {
		rm := kmsg.NewLeaveGroupResponseMember()
		rm.MemberID, rm.InstanceID = member.MemberID, member.InstanceID
		if i < len(m.Members) {
			rm.ErrorCode = int16(m.Members[i].Error)
		}
		resp.Members = append(resp.Members, rm)
	}
	return resp
}

func translateDescribeGroups(req *kmsg.DescribeGroupsRequest, correlation int32) translation {
	core := &protocol.DescribeGroupsRequest{CorrelationID: correlation, Groups: append([]string{}, req.Groups...)}
	finish := func(answer any) kmsg.Response {
		resp := kmsg.NewPtrDescribeGroupsResponse()
		resp.Version = req.Version
		if m, ok := answer.(*protocol.DescribeGroupsResponse); ok {
			for _, d := range m.Groups {
				resp.Groups = append(resp.Groups, describedGroup(req.Version, d))
			}
		}
		return resp
	}
	if len(core.Groups) == 0 {
		return translation{Local: finish(nil)}
	}
	return translation{Request: core, ExpectResponse: true, Finish: finish}
}

// describedGroup is one group of a DescribeGroups response. Authorized
// operations (v3+) are not computed: the field keeps Kafka's "not
// provided" value.
func describedGroup(version int16, d protocol.DescribedGroup) kmsg.DescribeGroupsResponseGroup {
	g := kmsg.NewDescribeGroupsResponseGroup()
	g.Group, g.ErrorCode, g.State, g.ProtocolType, g.Protocol = d.GroupID, int16(d.Error), d.State, d.ProtocolType, d.Protocol
	if d.Error == protocol.None && !d.Found && version >= 6 {
		message := "Group " + d.GroupID + " not found."
		g.ErrorCode, g.ErrorMessage = int16(protocol.GroupIDNotFound), &message
	}
	consumer := d.ProtocolType == protocol.ConsumerProtocolType
	for _, m := range d.Members {
		member := kmsg.NewDescribeGroupsResponseGroupMember()
		member.MemberID, member.InstanceID, member.ClientID, member.ClientHost = m.MemberID, wireInstanceID(m.GroupInstanceID), m.ClientID, m.ClientHost
		member.ProtocolMetadata, member.MemberAssignment = m.Metadata, m.Assignment
		if consumer && d.State == broker.GroupStable {
			if member.ProtocolMetadata == nil {
				member.ProtocolMetadata = encodeSubscription(m.Subscription)
			}
			if member.MemberAssignment == nil {
				member.MemberAssignment = encodeAssignment(m.Partitions)
			}
		}
		g.Members = append(g.Members, member)
	}
	return g
}

func translateListGroups(req *kmsg.ListGroupsRequest, correlation int32) translation {
	core := &protocol.ListGroupsRequest{CorrelationID: correlation, StatesFilter: append([]string{}, req.StatesFilter...),
		TypesFilter: append([]string{}, req.TypesFilter...)}
	return translation{Request: core, ExpectResponse: true, Finish: func(answer any) kmsg.Response {
		m := answer.(*protocol.ListGroupsResponse)
		resp := kmsg.NewPtrListGroupsResponse()
		resp.Version, resp.ErrorCode = req.Version, int16(m.Error)
		for _, lg := range m.Groups {
			g := kmsg.NewListGroupsResponseGroup()
			g.Group, g.ProtocolType, g.GroupState, g.GroupType = lg.GroupID, lg.ProtocolType, lg.State, lg.Type
			resp.Groups = append(resp.Groups, g)
		}
		return resp
	}}
}

func translateOffsetCommit(req *kmsg.OffsetCommitRequest, correlation int32) translation {
	core := &protocol.OffsetCommitRequest{CorrelationID: correlation, GroupID: req.Group, GenerationID: req.Generation, MemberID: req.MemberID,
		GroupInstanceID: instanceID(req.InstanceID)}
	var order []protocol.TopicPartition
	for _, t := range req.Topics {
		for _, p := range t.Partitions {
			tp := protocol.TopicPartition{Topic: t.Topic, Partition: p.Partition}
			order = append(order, tp)
			core.Offsets = append(core.Offsets, protocol.OffsetCommitPartition{TopicPartition: tp, Offset: p.Offset})
		}
	}
	finish := func(answer any) kmsg.Response {
		resp := kmsg.NewPtrOffsetCommitResponse()
		resp.Version = req.Version
		m := answer.(*protocol.OffsetCommitResponse)
		refused := partitionErrors(m.Refused)
		for _, tp := range order {
			code, ok := refused[tp]
			if !ok {
				code = m.Error
			}
			n := len(resp.Topics)
			if n == 0 || resp.Topics[n-1].Topic != tp.Topic {
				topic := kmsg.NewOffsetCommitResponseTopic()
				topic.Topic = tp.Topic
				resp.Topics = append(resp.Topics, topic)
				n++
			}
			part := kmsg.NewOffsetCommitResponseTopicPartition()
			part.Partition, part.ErrorCode = tp.Partition, int16(code)
			resp.Topics[n-1].Partitions = append(resp.Topics[n-1].Partitions, part)
		}
		return resp
	}
	return translation{Request: core, ExpectResponse: true, Finish: finish}
}

// partitionErrors indexes partitions' own errors.
func partitionErrors(errs []protocol.PartitionError) map[protocol.TopicPartition]protocol.ErrorCode {
	out := make(map[protocol.TopicPartition]protocol.ErrorCode, len(errs))
	for _, e := range errs {
		out[e.TopicPartition] = e.Error
	}
	return out
}

func translateOffsetFetch(req *kmsg.OffsetFetchRequest, correlation int32) translation {
	core := &protocol.OffsetFetchRequest{CorrelationID: correlation, RequireStable: req.RequireStable}
	if req.Version >= 8 {
		for _, g := range req.Groups {
			fg := protocol.OffsetFetchGroup{GroupID: g.Group, AllPartitions: g.Topics == nil}
			for _, t := range g.Topics {
				for _, p := range t.Partitions {
					fg.Partitions = append(fg.Partitions, protocol.TopicPartition{Topic: t.Topic, Partition: p})
				}
			}
			core.Groups = append(core.Groups, fg)
		}
	} else {
		fg := protocol.OffsetFetchGroup{GroupID: req.Group, AllPartitions: req.Topics == nil && req.Version >= 2}
		for _, t := range req.Topics {
			for _, p := range t.Partitions {
				fg.Partitions = append(fg.Partitions, protocol.TopicPartition{Topic: t.Topic, Partition: p})
			}
		}
		core.Groups = []protocol.OffsetFetchGroup{fg}
	}
	finish := func(answer any) kmsg.Response {
		m, _ := answer.(*protocol.OffsetFetchResponse)
		if m == nil {
			m = &protocol.OffsetFetchResponse{}
		}
		return offsetFetchResponse(req.Version, core.Groups, m.Groups)
	}
	if len(core.Groups) == 0 {
		return translation{Local: finish(nil)}
	}
	return translation{Request: core, ExpectResponse: true, Finish: finish}
}

// offsetFetchResponse builds the wire response: one group per requested
// group from v8, else the one group's partitions, with its error at the
// top from v2 and on every partition asked for before (v1 has no
// top-level error). Committed leader epochs and metadata are not kept by
// the core: -1 and "".
func offsetFetchResponse(version int16, asked []protocol.OffsetFetchGroup, groups []protocol.OffsetFetchGroupResponse) *kmsg.OffsetFetchResponse {
	resp := kmsg.NewPtrOffsetFetchResponse()
	resp.Version = version
	if version >= 8 {
		for _, g := range groups {
			rg := kmsg.NewOffsetFetchResponseGroup()
			rg.Group, rg.ErrorCode = g.GroupID, int16(g.Error)
			for _, p := range g.Partitions {
				n := len(rg.Topics)
				if n == 0 || rg.Topics[n-1].Topic != p.Topic {
					topic := kmsg.NewOffsetFetchResponseGroupTopic()
					topic.Topic = p.Topic
					rg.Topics = append(rg.Topics, topic)
					n++
				}
				part := kmsg.NewOffsetFetchResponseGroupTopicPartition()
				part.Partition, part.Offset, part.LeaderEpoch, part.Metadata, part.ErrorCode = p.Partition, p.Offset, -1, new(string), int16(p.Error)
				rg.Topics[n-1].Partitions = append(rg.Topics[n-1].Partitions, part)
			}
			resp.Groups = append(resp.Groups, rg)
		}
		return resp
	}
	if len(groups) == 0 {
		return resp
	}
	g := groups[0]
	partitions := g.Partitions
	if g.Error != protocol.None {
		if version >= 2 {
			resp.ErrorCode = int16(g.Error)
			return resp
		}
		partitions = nil
		for _, tp := range asked[0].Partitions {
			partitions = append(partitions, protocol.OffsetFetchPartition{TopicPartition: tp, Offset: -1, Error: g.Error})
		}
	}
	for _, p := range partitions {
		n := len(resp.Topics)
		if n == 0 || resp.Topics[n-1].Topic != p.Topic {
			topic := kmsg.NewOffsetFetchResponseTopic()
			topic.Topic = p.Topic
			resp.Topics = append(resp.Topics, topic)
			n++
		}
		part := kmsg.NewOffsetFetchResponseTopicPartition()
		part.Partition, part.Offset, part.LeaderEpoch, part.Metadata, part.ErrorCode = p.Partition, p.Offset, -1, new(string), int16(p.Error)
		resp.Topics[n-1].Partitions = append(resp.Topics[n-1].Partitions, part)
	}
	return resp
}

// decodeSubscription reads consumer protocol metadata
// (ConsumerProtocolSubscription); bytes that do not parse give an empty
// subscription, as Kafka treats a subscription it cannot read.
func decodeSubscription(metadata []byte) protocol.Subscription {
	var m kmsg.ConsumerMemberMetadata
	if len(metadata) == 0 || m.ReadFrom(metadata) != nil {
		return protocol.Subscription{}
	}
	sub := protocol.Subscription{Topics: m.Topics}
	for _, owned := range m.OwnedPartitions {
		for _, p := range owned.Partitions {
			sub.OwnedPartitions = append(sub.OwnedPartitions, protocol.TopicPartition{Topic: owned.Topic, Partition: p})
		}
	}
	return sub
}

// encodeSubscription writes a simulated member's subscription as consumer
// protocol metadata, version 1 (topics and owned partitions).
func encodeSubscription(sub protocol.Subscription) []byte {
	m := kmsg.NewConsumerMemberMetadata()
	m.Version, m.Topics = 1, sub.Topics
	for _, tp := range sub.OwnedPartitions {
		n := len(m.OwnedPartitions)
		if n == 0 || m.OwnedPartitions[n-1].Topic != tp.Topic {
			m.OwnedPartitions = append(m.OwnedPartitions, kmsg.ConsumerMemberMetadataOwnedPartition{Topic: tp.Topic})
			n++
		}
		m.OwnedPartitions[n-1].Partitions = append(m.OwnedPartitions[n-1].Partitions, tp.Partition)
	}
	return m.AppendTo(nil)
}

// decodeAssignment reads a consumer protocol assignment
// (ConsumerProtocolAssignment); nil for empty or unreadable bytes.
func decodeAssignment(assignment []byte) []protocol.TopicPartition {
	var m kmsg.ConsumerMemberAssignment
	if len(assignment) == 0 || m.ReadFrom(assignment) != nil {
		return nil
	}
	var out []protocol.TopicPartition
	for _, t := range m.Topics {
		for _, p := range t.Partitions {
			out = append(out, protocol.TopicPartition{Topic: t.Topic, Partition: p})
		}
	}
	return out
}

// encodeAssignment writes partitions a simulated leader assigned as a
// consumer protocol assignment, version 0, which every client reads.
func encodeAssignment(tps []protocol.TopicPartition) []byte {
	m := kmsg.NewConsumerMemberAssignment()
	for _, tp := range tps {
		n := len(m.Topics)
		if n == 0 || m.Topics[n-1].Topic != tp.Topic {
			m.Topics = append(m.Topics, kmsg.ConsumerMemberAssignmentTopic{Topic: tp.Topic})
			n++
		}
		m.Topics[n-1].Partitions = append(m.Topics[n-1].Partitions, tp.Partition)
	}
	return m.AppendTo(nil)
}
