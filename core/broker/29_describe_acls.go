package broker

// DescribeAcls (API key 29), versions 1-3 on the wire.
//
// Any broker answers from the ACLs of its metadata image, as the
// StandardAuthorizer of each Kafka broker does: the bindings the filter
// matches (Kafka's AclBindingFilter: ANY and MATCH pattern types, null
// name, principal and host), sorted. The client needs DESCRIBE on the
// cluster (CLUSTER_AUTHORIZATION_FAILED); a cluster without an
// authorizer answers SECURITY_DISABLED.
//
// Not implemented: nothing beyond what the simulated ACLs hold.

import (
	"sort"

	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/security"
	"github.com/kafka-playground/playground/core/sim"
)

func (b *Broker) handleDescribeAcls(from sim.NodeID, req *protocol.DescribeAclsRequest) {
	resp := &protocol.DescribeAclsResponse{CorrelationID: req.CorrelationID}
	switch {
	case !b.authorize(from, security.OpDescribe, security.ClusterResource, security.ClusterResourceName):
		resp.Error, resp.ErrorMessage = protocol.ClusterAuthorizationFailed, protocol.ClusterAuthorizationFailed.Info().Message
	case !b.authz.on && b.isClient(from):
		resp.Error, resp.ErrorMessage = protocol.SecurityDisabled, "No Authorizer is configured on the broker"
	default:
		for _, acl := range b.disk.Image.ACLIndex().ACLs() {
			if req.Filter.Matches(acl) {
				resp.ACLs = append(resp.ACLs, acl)
			}
		}
		sort.Slice(resp.ACLs, func(i, j int) bool { return resp.ACLs[i].Less(resp.ACLs[j]) })
	}
	b.sim.Send(b.node, from, resp)
}
