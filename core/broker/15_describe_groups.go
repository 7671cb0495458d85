package broker

// DescribeGroups (API key 15), as Kafka's GroupMetadataManager.describeGroups
// for classic groups: every group asked about is answered in its own
// entry. A group this broker does not coordinate gets the coordinator
// error (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS,
// COORDINATOR_NOT_AVAILABLE); a group it coordinates but does not have
// is Dead, without error (Found false: the gateway answers v6+ with
// GROUP_ID_NOT_FOUND, KIP-1043). A group comes with its state, protocol
// type and members (member id, a static member's group.instance.id,
// client id, client host); the chosen protocol, and each member's
// metadata and assignment, only while the group is Stable, as Kafka
// gives them. Members are in the order they joined (Kafka's order is its
// hash map's).
//
// Authorization: DESCRIBE on each group, else GROUP_AUTHORIZATION_FAILED;
// refused groups come first in the answer, as in Kafka. An empty group id
// is INVALID_GROUP_ID.
//
// Not implemented: authorized operations (v3+ IncludeAuthorizedOperations:
// the gateway leaves the field unset).

import (
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/security"
	"github.com/kafka-playground/playground/core/sim"
)

func (b *Broker) handleDescribeGroups(from sim.NodeID, req *protocol.DescribeGroupsRequest) {
	resp := &protocol.DescribeGroupsResponse{CorrelationID: req.CorrelationID}
	var described []protocol.DescribedGroup
	for _, id := range req.Groups {
		if !b.authorize(from, security.OpDescribe, security.GroupResource, id) {
			resp.Groups = append(resp.Groups, protocol.DescribedGroup{GroupID: id, Error: protocol.GroupAuthorizationFailed})
			continue
		}
		described = append(described, b.describeGroup(id))
	}
	resp.Groups = append(resp.Groups, described...)
	b.sim.Send(b.node, from, resp)
}

// describeGroup describes one group this broker may coordinate.
func (b *Broker) describeGroup(id string) protocol.DescribedGroup {
	d := protocol.DescribedGroup{GroupID: id}
	if id == "" {
		d.Error = protocol.InvalidGroupID
		return d
	}
	if _, code := b.groupCoordinatorFor(id); code != protocol.None {
		d.Error = code
		return d
	}
	g := b.groups[id]
	if g == nil {
		d.State = GroupDead
		return d
	}
	d.Found, d.State, d.ProtocolType = true, g.State, g.ProtocolType
	stable := g.State == GroupStable
	if stable {
		d.Protocol = g.Protocol
	}
	for _, mid := range g.joinOrder {
		m := g.Members[mid]
		dm := protocol.DescribedGroupMember{MemberID: mid, GroupInstanceID: m.GroupInstanceID, ClientID: m.ClientID, ClientHost: m.ClientHost}
		if stable {
			for _, p := range m.Protocols {
				if p.Name == g.Protocol {
					dm.Metadata, dm.Subscription = p.Metadata, p.Subscription
				}
			}
			dm.Assignment, dm.Partitions = m.AssignmentBytes, m.Assignment
		}
		d.Members = append(d.Members, dm)
	}
	return d
}
