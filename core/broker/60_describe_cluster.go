package broker

// DescribeCluster (API key 60), versions 0-2 on the wire.
//
// Any broker describes the cluster from its metadata cache, as
// KafkaApis.handleDescribeCluster does: the cluster id, the brokers it
// knows to be alive (with the fenced ones too when asked, version 2), and
// a controller id, which in KRaft is a random alive broker since clients
// cannot reach the controllers. The request needs no ACL; the cluster's
// authorized operations, when asked for, are the operations the client
// may do on the CLUSTER resource, and 0 without DESCRIBE on it. An
// endpoint type other than brokers is UNSUPPORTED_ENDPOINT_TYPE (unknown)
// or MISMATCHED_ENDPOINT_TYPE (controllers), INVALID_REQUEST in version 0.
//
// Not implemented: racks (the simulated brokers have none).

import (
	"fmt"

	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/security"
	"github.com/kafka-playground/playground/core/sim"
)

// clusterOperations are the operations Kafka counts among a cluster's
// authorized operations.
var clusterOperations = []security.Operation{security.OpCreate, security.OpClusterAction, security.OpDescribeConfigs,
	security.OpAlterConfigs, security.OpIdempotentWrite, security.OpAlter, security.OpDescribe}

func (b *Broker) handleDescribeCluster(from sim.NodeID, req *protocol.DescribeClusterRequest) {
	resp := &protocol.DescribeClusterResponse{CorrelationID: req.CorrelationID, ControllerID: -1,
		ClusterAuthorizedOperations: protocol.ClusterAuthorizedOperationsOmitted}
	switch req.EndpointType {
	case protocol.EndpointTypeBroker:
	case protocol.EndpointTypeController:
		resp.Error = protocol.MismatchedEndpointType
		resp.ErrorMessage = "The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER"
	default:
		resp.Error, resp.ErrorMessage = protocol.UnsupportedEndpointType, fmt.Sprintf("Unsupported endpoint type %d", req.EndpointType)
	}
	if resp.Error != protocol.None {
		b.sim.Send(b.node, from, resp)
		return
	}
	resp.ClusterID, resp.EndpointType = b.settings.ClusterID, protocol.EndpointTypeBroker
	if req.IncludeClusterAuthorizedOperations {
		resp.ClusterAuthorizedOperations = b.clusterAuthorizedOperations(from)
	}
	image := b.disk.Image
	var alive []int32
	for _, id := range image.BrokerIDs() {
		fenced := image.Brokers[id].Fenced
		if !fenced {
			alive = append(alive, id)
		}
		if !fenced || req.IncludeFencedBrokers {
			resp.Brokers = append(resp.Brokers, protocol.DescribeClusterBroker{NodeID: id, Host: "broker-" + itoa(int64(id)),
				Port: b.listenerPort(from), Fenced: fenced})
		}
	}
	switch {
	case b.zkMode():
		resp.ControllerID = b.controllerID
	case len(alive) > 0:
		resp.ControllerID = alive[b.sim.Rand().IntN(len(alive))]
	}
	b.sim.Send(b.node, from, resp)
}

// clusterAuthorizedOperations is the bit field of the operations the
// client may do on the cluster, 0 when it may not describe it.
func (b *Broker) clusterAuthorizedOperations(from sim.NodeID) int32 {
	if !b.authorize(from, security.OpDescribe, security.ClusterResource, security.ClusterResourceName) {
		return 0
	}
	var bits int32
	for _, op := range clusterOperations {
		if b.authorizeLogged(from, op, security.ClusterResource, security.ClusterResourceName, false) {
			bits |= 1 << uint(op)
		}
	}
	return bits
}
