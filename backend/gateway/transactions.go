package gateway

// Transactions: InitProducerId (idempotent, or with a transactional id),
// AddPartitionsToTxn, AddOffsetsToTxn, EndTxn and TxnOffsetCommit,
// translated to the simulated transaction and group coordinators. A
// client finds the transaction coordinator with FindCoordinator
// (groups.go).
//
// Versions whose semantics the core does not have are not offered:
// EndTxn v5 and TxnOffsetCommit v5 (transaction version 2, KIP-890 part
// 2: an epoch bump on every transaction), InitProducerId v6 (two-phase
// commit, KIP-939). AddPartitionsToTxn v4+ is the broker-to-broker form
// (KIP-890 part 1, verification and batches of transactions): Kafka asks
// CLUSTER_ACTION for it, which a client does not have, and so does the
// gateway, answering CLUSTER_AUTHORIZATION_FAILED; clients send v3 and
// below. Older versions get INVALID_PRODUCER_EPOCH where the core says
// PRODUCER_FENCED, as Kafka answers clients that predate that error.

import (
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// fencedForOlder turns PRODUCER_FENCED into INVALID_PRODUCER_EPOCH for a
// version before since, the first that knows PRODUCER_FENCED (KIP-588).
func fencedForOlder(code protocol.ErrorCode, version, since int16) protocol.ErrorCode {
	if code == protocol.ProducerFenced && version < since {
		return protocol.InvalidProducerEpoch
	}
	return code
}

func translateInitProducerID(req *kmsg.InitProducerIDRequest, correlation int32) translation {
	finish := func(answer any) kmsg.Response {
		m := answer.(*protocol.InitProducerIDResponse)
		resp := kmsg.NewPtrInitProducerIDResponse()
		resp.Version, resp.ErrorCode = req.Version, int16(fencedForOlder(m.Error, req.Version, 4))
		resp.ProducerID, resp.ProducerEpoch = m.ProducerID, m.ProducerEpoch
		return resp
	}
	producerID, producerEpoch := int64(-1), int16(-1)
	if req.Version >= 3 {
		producerID, producerEpoch = req.ProducerID, req.ProducerEpoch
	}
	if (req.TransactionalID != nil && *req.TransactionalID == "") || (producerID == -1) != (producerEpoch == -1) {
		// An empty transactional id, or only one of the producer id and
		// epoch (KIP-360): Kafka refuses the request.
		return translation{Local: finish(&protocol.InitProducerIDResponse{Error: protocol.InvalidRequest, ProducerID: -1, ProducerEpoch: -1})}
	}
	core := &protocol.InitProducerIDRequest{CorrelationID: correlation, TransactionTimeoutMs: req.TransactionTimeoutMillis,
		ProducerID: producerID, ProducerEpoch: producerEpoch}
	if req.TransactionalID != nil {
		core.TransactionalID = *req.TransactionalID
	}
	return translation{Request: core, ExpectResponse: true, Finish: finish}
}

func translateAddPartitionsToTxn(req *kmsg.AddPartitionsToTxnRequest, correlation int32) translation {
	if req.Version >= 4 {
		resp := kmsg.NewPtrAddPartitionsToTxnResponse()
		resp.Version, resp.ErrorCode = req.Version, int16(protocol.ClusterAuthorizationFailed)
		return translation{Local: resp}
	}
	core := &protocol.AddPartitionsToTxnRequest{CorrelationID: correlation, TransactionalID: req.TransactionalID,
		ProducerID: req.ProducerID, ProducerEpoch: req.ProducerEpoch}
	for _, t := range req.Topics {
		for _, p := range t.Partitions {
			core.Partitions = append(core.Partitions, protocol.TopicPartition{Topic: t.Topic, Partition: p})
		}
	}
	finish := func(answer any) kmsg.Response {
		m := answer.(*protocol.AddPartitionsToTxnResponse)
		own := partitionErrors(m.Partitions)
		resp := kmsg.NewPtrAddPartitionsToTxnResponse()
		resp.Version = req.Version
		for _, tp := range core.Partitions {
			code, ok := own[tp]
			if !ok {
				code = m.Error
			}
			n := len(resp.Topics)
			if n == 0 || resp.Topics[n-1].Topic != tp.Topic {
				topic := kmsg.NewAddPartitionsToTxnResponseTopic()
				topic.Topic = tp.Topic
				resp.Topics = append(resp.Topics, topic)
				n++
			}
			part := kmsg.NewAddPartitionsToTxnResponseTopicPartition()
			part.Partition, part.ErrorCode = tp.Partition, int16(fencedForOlder(code, req.Version, 2))
			resp.Topics[n-1].Partitions = append(resp.Topics[n-1].Partitions, part)
		}
		return resp
	}
	if len(core.Partitions) == 0 {
		return translation{Local: finish(&protocol.AddPartitionsToTxnResponse{})}
	}
	return translation{Request: core, ExpectResponse: true, Finish: finish}
}

func translateAddOffsetsToTxn(req *kmsg.AddOffsetsToTxnRequest, correlation int32) translation {
	core := &protocol.AddOffsetsToTxnRequest{CorrelationID: correlation, TransactionalID: req.TransactionalID,
		ProducerID: req.ProducerID, ProducerEpoch: req.ProducerEpoch, GroupID: req.Group}
	return translation{Request: core, ExpectResponse: true, Finish: func(answer any) kmsg.Response {
		resp := kmsg.NewPtrAddOffsetsToTxnResponse()
		resp.Version = req.Version
		resp.ErrorCode = int16(fencedForOlder(answer.(*protocol.AddOffsetsToTxnResponse).Error, req.Version, 2))
		return resp
	}}
}

func translateEndTxn(req *kmsg.EndTxnRequest, correlation int32) translation {
	core := &protocol.EndTxnRequest{CorrelationID: correlation, TransactionalID: req.TransactionalID,
		ProducerID: req.ProducerID, ProducerEpoch: req.ProducerEpoch, Committed: req.Commit}
	return translation{Request: core, ExpectResponse: true, Finish: func(answer any) kmsg.Response {
		resp := kmsg.NewPtrEndTxnResponse()
		resp.Version = req.Version
		resp.ErrorCode = int16(fencedForOlder(answer.(*protocol.EndTxnResponse).Error, req.Version, 2))
		return resp
	}}
}

func translateTxnOffsetCommit(req *kmsg.TxnOffsetCommitRequest, correlation int32) translation {
	core := &protocol.TxnOffsetCommitRequest{CorrelationID: correlation, TransactionalID: req.TransactionalID, GroupID: req.Group,
		ProducerID: req.ProducerID, ProducerEpoch: req.ProducerEpoch, GenerationID: -1}
	if req.Version >= 3 {
		core.GenerationID, core.MemberID, core.GroupInstanceID = req.Generation, req.MemberID, instanceID(req.InstanceID) // KIP-447
	}
	for _, t := range req.Topics {
		for _, p := range t.Partitions {
			core.Offsets = append(core.Offsets, protocol.OffsetCommitPartition{TopicPartition: protocol.TopicPartition{Topic: t.Topic, Partition: p.Partition},
				Offset: p.Offset})
		}
	}
	finish := func(answer any) kmsg.Response {
		m := answer.(*protocol.TxnOffsetCommitResponse)
		refused := partitionErrors(m.Refused)
		resp := kmsg.NewPtrTxnOffsetCommitResponse()
		resp.Version = req.Version
		for _, o := range core.Offsets {
			code, ok := refused[o.TopicPartition]
			if !ok {
				code = m.Error
			}
			n := len(resp.Topics)
			if n == 0 || resp.Topics[n-1].Topic != o.Topic {
				topic := kmsg.NewTxnOffsetCommitResponseTopic()
				topic.Topic = o.Topic
				resp.Topics = append(resp.Topics, topic)
				n++
			}
			part := kmsg.NewTxnOffsetCommitResponseTopicPartition()
			part.Partition, part.ErrorCode = o.Partition, int16(code)
			resp.Topics[n-1].Partitions = append(resp.Topics[n-1].Partitions, part)
		}
		return resp
	}
	return translation{Request: core, ExpectResponse: true, Finish: finish}
}
