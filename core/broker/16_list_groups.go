package broker

// ListGroups (API key 16), as Kafka's GroupMetadataManager.listGroups:
// the groups this broker coordinates (an admin client asks every broker),
// sorted by id, each with its protocol type, state (v4+) and type (v5+,
// always "classic" here). The states filter (v4+, KIP-518) keeps groups
// whose state it names, ignoring case and surrounding spaces; the types
// filter (v5+, KIP-848) keeps groups whose type it names, ignoring case;
// an empty filter keeps every group, a name no group has keeps none.
//
// Authorization: with DESCRIBE on the cluster every group is listed;
// otherwise only the groups with DESCRIBE on them, and the others are
// left out silently, as Kafka does.
//
// Not implemented: consumer (KIP-848), share and streams groups; the
// playground's groups are all classic.

import (
	"strings"

	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/security"
	"github.com/kafka-playground/playground/core/sim"
)

// ClassicGroupType is the type of the classic protocol's groups.
const ClassicGroupType = "classic"

func (b *Broker) handleListGroups(from sim.NodeID, req *protocol.ListGroupsRequest) {
	resp := &protocol.ListGroupsResponse{CorrelationID: req.CorrelationID}
	states := map[string]bool{}
	for _, s := range req.StatesFilter {
		states[strings.ToLower(strings.TrimSpace(s))] = true
	}
	types := map[string]bool{}
	for _, t := range req.TypesFilter {
		types[strings.ToLower(t)] = true
	}
	all := b.authorizeLogged(from, security.OpDescribe, security.ClusterResource, security.ClusterResourceName, false)
	for _, g := range b.Groups() {
		switch {
		case len(states) > 0 && !states[strings.ToLower(g.State)]:
		case len(types) > 0 && !types[ClassicGroupType]:
		case !all && !b.authorizeLogged(from, security.OpDescribe, security.GroupResource, g.ID, false):
		default:
			resp.Groups = append(resp.Groups, protocol.ListedGroup{GroupID: g.ID, ProtocolType: g.ProtocolType, State: g.State, Type: ClassicGroupType})
		}
	}
	b.sim.Send(b.node, from, resp)
}
