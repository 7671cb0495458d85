package broker

// InitProducerId (API key 22), for idempotent producers: any broker hands
// out a producer id with epoch 0. Kafka's brokers take blocks of ids from
// the controller; here each broker numbers its own from a range no other
// broker uses (broker id x 10^9 onwards), kept on disk across restarts.
// With a transactional id it goes to the transaction coordinator.

import (
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/sim"
)

const producerIDsPerBroker = 1_000_000_000

func (b *Broker) handleInitProducerID(from sim.NodeID, req *protocol.InitProducerIDRequest) {
	resp := &protocol.InitProducerIDResponse{CorrelationID: req.CorrelationID, ProducerID: -1, ProducerEpoch: -1}
	if req.TransactionalID != "" {
		b.handleTxnInitProducerID(from, req)
		return
	}
	b.disk.NextProducerID++
	resp.ProducerID = int64(b.settings.ID)*producerIDsPerBroker + b.disk.NextProducerID
	resp.ProducerEpoch = 0
	b.sim.Send(b.node, from, resp)
}
