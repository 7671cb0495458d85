package broker

// WriteTxnMarkers (API key 27), the partition leader's side: the
// transaction coordinator asks it to end a producer's transaction in some
// partitions by appending a control batch (a COMMIT or ABORT marker);
// read_committed consumers may then read up to it (the last stable offset
// moves), and skip the records of aborted transactions.

import (
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/record"
	"github.com/kafka-playground/playground/core/sim"
)

const markerTimeoutMs = 30000

func (b *Broker) handleWriteTxnMarkers(from sim.NodeID, req *protocol.WriteTxnMarkersRequest) {
	controlType := record.ControlAbort
	if req.Committed {
		controlType = record.ControlCommit
	}
	var partitions []protocol.ProducePartition
	for _, tp := range req.Partitions {
		batch := record.NewEndTransactionMarkerBatch(req.ProducerID, req.ProducerEpoch, controlType, req.CoordinatorEpoch, b.now())
		partitions = append(partitions, protocol.ProducePartition{TopicPartition: tp, Batch: batch})
	}
	b.appendLocally(partitions, markerTimeoutMs, markersAppended{from: from, req: req})
}

// markersAppended answers the WriteTxnMarkers request req from from once
// its markers are written.
type markersAppended struct {
	from sim.NodeID
	req  *protocol.WriteTxnMarkersRequest
}

func (m markersAppended) appended(b *Broker, results []protocol.ProducePartitionResponse) {
	resp := &protocol.WriteTxnMarkersResponse{CorrelationID: m.req.CorrelationID}
	for _, r := range results {
		resp.Errors = append(resp.Errors, r.Error)
		if r.Error == protocol.None && r.Topic == ConsumerOffsetsTopic {
			b.onOffsetsMarker(r.TopicPartition, m.req.ProducerID, m.req.Committed)
		}
	}
	b.sim.Send(b.node, m.from, resp)
}
