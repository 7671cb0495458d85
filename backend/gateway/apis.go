package gateway

// The API keys the gateway serves and their translation between kmsg's
// wire messages and the core's protocol messages. Each handler takes a
// decoded request and returns either the core request to send to the
// broker with a function that turns the broker's answer into the wire
// response, or a wire response made here.
//
//	key  name                     versions  notes
//	0    Produce                  3-9       record batches v2, CRC-32C checked; gzip, snappy, lz4, zstd (v7+)
//	1    Fetch                    4-12      no fetch sessions (SessionID 0: every fetch is full)
//	2    ListOffsets              1-7
//	3    Metadata                 1-12      brokers advertised at the gateway's ports of the client's listener
//	8    OffsetCommit             2-8       no committed metadata or leader epoch kept; v9 (GROUP_ID_NOT_FOUND) not served
//	9    OffsetFetch              1-9       batched groups v8+; leader epoch -1, metadata ""
//	10   FindCoordinator          0-6       GROUP and TRANSACTION keys, batched v4+; SHARE: INVALID_REQUEST
//	11   JoinGroup                0-9       static members (group.instance.id) v5+, SkipAssignment v9+ (groups.go)
//	12   Heartbeat                0-4
//	13   LeaveGroup               0-5       batched members v3+
//	14   SyncGroup                0-5
//	15   DescribeGroups           0-6       authorized operations not computed
//	16   ListGroups               0-5       states filter v4+, types filter v5+
//	17   SaslHandshake            0-1       v0: bare SASL frames follow (security.go)
//	18   ApiVersions              0-3       other versions: UNSUPPORTED_VERSION in version 0
//	19   CreateTopics             2-7
//	20   DeleteTopics             1-6       by name (admin.go)
//	22   InitProducerId           0-5       idempotent and transactional (transactions.go)
//	24   AddPartitionsToTxn       0-5       v4+ (broker-only): CLUSTER_AUTHORIZATION_FAILED
//	25   AddOffsetsToTxn          0-4
//	26   EndTxn                   0-4       v5 (transaction version 2) not served
//	28   TxnOffsetCommit          0-4       v5 (transaction version 2) not served
//	29   DescribeAcls             1-3
//	30   CreateAcls               1-3
//	31   DeleteAcls               1-3
//	32   DescribeConfigs          1-4       topics and brokers, with sources, synonyms and documentation
//	36   SaslAuthenticate         0-2       PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, by the simulated broker
//	44   IncrementalAlterConfigs  0-1       SET and DELETE
//	60   DescribeCluster          0-2       brokers advertised at the gateway's ports of the client's listener
//
// As Kafka's SocketServer.parseRequestHeader, an unknown key, a key the
// gateway does not serve, or a version outside the range closes the
// connection (InvalidRequestException) without an answer; only
// ApiVersions is answered at any version, in version 0 with
// UNSUPPORTED_VERSION and the served keys (RequestContext.parseRequest).

import (
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"

	coregateway "github.com/kafka-playground/playground/core/gateway"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// versionRange is the versions served of one API key.
type versionRange struct{ min, max int16 }

// supported lists the API keys served, by key.
var supported = map[int16]versionRange{
	0:  {3, 9},
	1:  {4, 12},
	2:  {1, 7},
	3:  {1, 12},
	8:  {2, 8},
	9:  {1, 9},
	10: {0, 6},
	11: {0, 9},
	12: {0, 4},
	13: {0, 5},
	14: {0, 5},
	15: {0, 6},
	16: {0, 5},
	17: {0, 1},
	18: {0, 3},
	19: {2, 7},
	20: {1, 6},
	22: {0, 5},
	24: {0, 5},
	25: {0, 4},
	26: {0, 4},
	28: {0, 4},
	29: {1, 3},
	30: {1, 3},
	31: {1, 3},
	32: {1, 4},
	36: {0, 2},
	44: {0, 1},
	60: {0, 2},
}

// supportedKeys are the keys of supported, ascending.
var supportedKeys = slices.Sorted(maps.Keys(supported))

// finish turns the core's answer (or nil, for none) into the wire response.
type finish func(answer any) kmsg.Response

// translation is what a handler decided for one request: a core request
// for the broker (Request non-nil), or a local response (Local non-nil),
// or no response at all (neither).
type translation struct {
	Request any
	// produce is a Produce request, written in its journal form as its
	// batches were read; Request is then nil.
	produce        *coregateway.ProduceWriter
	ExpectResponse bool
	Finish         finish
	Local          kmsg.Response
}

// addresses gives each broker id the host and port clients reach it at.
type addresses func(broker int32) (host string, port int32, ok bool)

// softwareNamePattern is what ApiVersions v3+ allows as a client's
// software name and version (Kafka's SOFTWARE_NAME_VERSION_PATTERN).
var softwareNamePattern = regexp.MustCompile(`^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$`)

// translateApiVersions answers ApiVersions here; from version 3 a client
// software name or version outside Kafka's pattern is INVALID_REQUEST.
func translateApiVersions(req *kmsg.ApiVersionsRequest) translation {
	if req.Version >= 3 && (!softwareNamePattern.MatchString(req.ClientSoftwareName) || !softwareNamePattern.MatchString(req.ClientSoftwareVersion)) {
		resp := kmsg.NewPtrApiVersionsResponse()
		resp.Version, resp.ErrorCode = req.Version, int16(protocol.InvalidRequest)
		return translation{Local: resp}
	}
	return translation{Local: apiVersionsResponse(req.Version)}
}

func apiVersionsResponse(version int16) *kmsg.ApiVersionsResponse {
	resp := kmsg.NewPtrApiVersionsResponse()
	resp.Version = version
	for _, key := range supportedKeys {
		r := supported[key]
		k := kmsg.NewApiVersionsResponseApiKey()
		k.ApiKey, k.MinVersion, k.MaxVersion = key, r.min, r.max
		resp.ApiKeys = append(resp.ApiKeys, k)
	}
	return resp
}

func translateMetadata(req *kmsg.MetadataRequest, correlation int32, advertise addresses) translation {
	core := &protocol.MetadataRequest{CorrelationID: correlation, AllowAutoTopicCreation: req.AllowAutoTopicCreation || req.Version < 4}
	if req.Topics != nil {
		core.Topics = []string{}
		for _, t := range req.Topics {
			if t.Topic != nil {
				core.Topics = append(core.Topics, *t.Topic)
			}
		}
	}
	return translation{Request: core, ExpectResponse: true, Finish: func(answer any) kmsg.Response {
		m := answer.(*protocol.MetadataResponse)
		resp := kmsg.NewPtrMetadataResponse()
		resp.Version = req.Version
		clusterID := m.ClusterID
		resp.ClusterID, resp.ControllerID = &clusterID, m.ControllerID
		for _, b := range m.Brokers {
			host, port, ok := advertise(b.NodeID)
			if !ok {
				continue
			}
			broker := kmsg.NewMetadataResponseBroker()
			broker.NodeID, broker.Host, broker.Port = b.NodeID, host, port
			resp.Brokers = append(resp.Brokers, broker)
		}
		for _, t := range m.Topics {
			topic := kmsg.NewMetadataResponseTopic()
			name := t.Name
			topic.Topic, topic.TopicID, topic.ErrorCode, topic.IsInternal = &name, topicID(t.TopicID), int16(t.Error), t.IsInternal
			for _, p := range t.Partitions {
				part := kmsg.NewMetadataResponseTopicPartition()
				part.Partition, part.ErrorCode, part.Leader, part.LeaderEpoch = p.Partition, int16(p.Error), p.Leader, p.LeaderEpoch
				part.Replicas, part.ISR, part.OfflineReplicas = nonNil(p.Replicas), nonNil(p.Isr), nonNil(p.OfflineReplicas)
				topic.Partitions = append(topic.Partitions, part)
			}
			resp.Topics = append(resp.Topics, topic)
		}
		return resp
	}}
}

// topicID reads a topic id as Kafka prints one (URL-safe base64 of 16
// bytes); anything else is the zero id.
func topicID(s string) [16]byte {
	var id [16]byte
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil && len(raw) == 16 {
		copy(id[:], raw)
	}
	return id
}

func nonNil(ids []int32) []int32 {
	if ids == nil {
		return []int32{}
	}
	return ids
}

// producePartitionError is a partition refused by the gateway before the
// broker saw it.
type producePartitionError struct {
	tp      protocol.TopicPartition
	code    protocol.ErrorCode
	message string
}

// maxKeptRecords bounds the room for a batch's records a connection
// keeps for its next Produce request (88 bytes each): a batch of many
// small records takes more, for that request only.
const maxKeptRecords = 16384

func translateProduce(req *kmsg.ProduceRequest, correlation int32, clientID string, maxDecompressedBytes int, scratch *[]coregateway.ProducedRecord) translation {
	head := &protocol.ProduceRequest{CorrelationID: correlation, Acks: req.Acks, TimeoutMs: req.TimeoutMillis}
	if req.TransactionID != nil {
		head.TransactionalID = *req.TransactionID
	}
	// The form is about as large as the batches on the wire (smaller,
	// unless they are compressed).
	size := 0
	for _, t := range req.Topics {
		for _, p := range t.Partitions {
			size += len(t.Topic) + len(p.Records) + 16
		}
	}
	form := coregateway.NewProduceWriter(clientID, head, size)
	accepted := 0
	var refused []producePartitionError
	var order []protocol.TopicPartition
	budget := &inflateBudget{remaining: maxDecompressedBytes}
	for _, t := range req.Topics {
		for _, p := range t.Partitions {
			tp := protocol.TopicPartition{Topic: t.Topic, Partition: p.Partition}
			order = append(order, tp)
			batch, records, err := decodeProduced(p.Records, req.Version, budget, (*scratch)[:0])
			if err == nil {
				if err = form.AddBatch(tp, batch, records); err != nil {
					err = fmt.Errorf("%w: %v", errInvalidBatch, err)
				}
			}
			// The records' bytes are the request's: none is kept, and
			// neither is the room for more than maxKeptRecords.
			clear(records)
			*scratch = records[:0]
			if cap(records) > maxKeptRecords {
				*scratch = nil
			}
			switch {
			case errors.Is(err, errInvalidBatch):
				refused = append(refused, producePartitionError{tp, protocol.InvalidRecord, err.Error()})
			case errors.Is(err, errUnsupportedCompression):
				refused = append(refused, producePartitionError{tp, protocol.UnsupportedCompressionType, err.Error()})
			case err != nil:
				refused = append(refused, producePartitionError{tp, protocol.CorruptMessage, err.Error()})
			default:
				accepted++
			}
		}
	}
	version := req.Version // not req, whose records are the frame's bytes
	build := func(answer any) kmsg.Response {
		results := map[protocol.TopicPartition]protocol.ProducePartitionResponse{}
		if m, ok := answer.(*protocol.ProduceResponse); ok {
			for _, p := range m.Partitions {
				results[p.TopicPartition] = p
			}
		}
		for _, r := range refused {
			results[r.tp] = protocol.ProducePartitionResponse{TopicPartition: r.tp, Error: r.code, ErrorMessage: r.message, BaseOffset: -1, LogAppendTimeMs: -1, LogStartOffset: -1, CurrentLeader: -1, CurrentLeaderEpoch: -1}
		}
		return produceResponse(version, order, results)
	}
	if req.Acks == protocol.AcksNone {
		if accepted == 0 {
			return translation{}
		}
		return translation{produce: form}
	}
	if accepted == 0 {
		return translation{Local: build(nil)}
	}
	return translation{produce: form, ExpectResponse: true, Finish: build}
}

func produceResponse(version int16, order []protocol.TopicPartition, results map[protocol.TopicPartition]protocol.ProducePartitionResponse) *kmsg.ProduceResponse {
	resp := kmsg.NewPtrProduceResponse()
	resp.Version = version
	for _, tp := range order {
		r, ok := results[tp]
		if !ok {
			r = protocol.ProducePartitionResponse{TopicPartition: tp, Error: protocol.RequestTimedOut, BaseOffset: -1}
		}
		n := len(resp.Topics)
		if n == 0 || resp.Topics[n-1].Topic != tp.Topic {
			topic := kmsg.NewProduceResponseTopic()
			topic.Topic = tp.Topic
			resp.Topics = append(resp.Topics, topic)
			n++
		}
		part := kmsg.NewProduceResponseTopicPartition()
		part.Partition, part.ErrorCode, part.BaseOffset = tp.Partition, int16(r.Error), r.BaseOffset
		part.LogAppendTime, part.LogStartOffset = r.LogAppendTimeMs, r.LogStartOffset
		if r.ErrorMessage != "" {
			message := r.ErrorMessage
			part.ErrorMessage = &message
		}
		resp.Topics[n-1].Partitions = append(resp.Topics[n-1].Partitions, part)
	}
	return resp
}

func translateFetch(req *kmsg.FetchRequest, correlation int32) translation {
	core := &protocol.FetchRequest{CorrelationID: correlation, ReplicaID: protocol.ConsumerReplicaID, MaxWaitMs: req.MaxWaitMillis,
		MinBytes: req.MinBytes, MaxBytes: req.MaxBytes, IsolationLevel: req.IsolationLevel}
	for _, t := range req.Topics {
		for _, p := range t.Partitions {
			core.Partitions = append(core.Partitions, protocol.FetchPartition{
				TopicPartition:     protocol.TopicPartition{Topic: t.Topic, Partition: p.Partition},
				CurrentLeaderEpoch: p.CurrentLeaderEpoch, FetchOffset: p.FetchOffset, LastFetchedEpoch: p.LastFetchedEpoch,
				LogStartOffset: p.LogStartOffset, PartitionMaxBytes: p.PartitionMaxBytes})
		}
	}
	return translation{Request: core, ExpectResponse: true, Finish: func(answer any) kmsg.Response {
		m := answer.(*protocol.FetchResponse)
		resp := kmsg.NewPtrFetchResponse()
		resp.Version, resp.ErrorCode = req.Version, int16(m.Error)
		for _, p := range m.Partitions {
			n := len(resp.Topics)
			if n == 0 || resp.Topics[n-1].Topic != p.Topic {
				topic := kmsg.NewFetchResponseTopic()
				topic.Topic = p.Topic
				resp.Topics = append(resp.Topics, topic)
				n++
			}
			part := kmsg.NewFetchResponseTopicPartition()
			part.Partition, part.ErrorCode, part.HighWatermark = p.Partition, int16(p.Error), p.HighWatermark
			part.LastStableOffset, part.LogStartOffset = p.LastStableOffset, p.LogStartOffset
			for _, a := range p.AbortedTransactions {
				aborted := kmsg.NewFetchResponseTopicPartitionAbortedTransaction()
				aborted.ProducerID, aborted.FirstOffset = a.ProducerID, a.FirstOffset
				part.AbortedTransactions = append(part.AbortedTransactions, aborted)
			}
			if p.DivergingEpoch != nil {
				part.DivergingEpoch.Epoch, part.DivergingEpoch.EndOffset = p.DivergingEpoch.Epoch, p.DivergingEpoch.EndOffset
			}
			part.CurrentLeader.LeaderID, part.CurrentLeader.LeaderEpoch = p.CurrentLeader, p.CurrentLeaderEpoch
			// No batches is an empty record set, never null: Kafka writes
			// size 0, and librdkafka refuses a null set (MessageSetSize -1).
			part.RecordBatches = []byte{}
			for _, b := range p.Batches {
				part.RecordBatches = encodeBatch(part.RecordBatches, b)
			}
			resp.Topics[n-1].Partitions = append(resp.Topics[n-1].Partitions, part)
		}
		return resp
	}}
}

func translateListOffsets(req *kmsg.ListOffsetsRequest, correlation int32) translation {
	core := &protocol.ListOffsetsRequest{CorrelationID: correlation, ReplicaID: req.ReplicaID, IsolationLevel: req.IsolationLevel}
	for _, t := range req.Topics {
		for _, p := range t.Partitions {
			core.Partitions = append(core.Partitions, protocol.ListOffsetsPartition{
				TopicPartition:     protocol.TopicPartition{Topic: t.Topic, Partition: p.Partition},
				CurrentLeaderEpoch: p.CurrentLeaderEpoch, TimestampMs: p.Timestamp})
		}
	}
	return translation{Request: core, ExpectResponse: true, Finish: func(answer any) kmsg.Response {
		m := answer.(*protocol.ListOffsetsResponse)
		resp := kmsg.NewPtrListOffsetsResponse()
		resp.Version = req.Version
		for _, p := range m.Partitions {
			n := len(resp.Topics)
			if n == 0 || resp.Topics[n-1].Topic != p.Topic {
				topic := kmsg.NewListOffsetsResponseTopic()
				topic.Topic = p.Topic
				resp.Topics = append(resp.Topics, topic)
				n++
			}
			part := kmsg.NewListOffsetsResponseTopicPartition()
			part.Partition, part.ErrorCode, part.Timestamp, part.Offset, part.LeaderEpoch = p.Partition, int16(p.Error), p.TimestampMs, p.Offset, p.LeaderEpoch
			resp.Topics[n-1].Partitions = append(resp.Topics[n-1].Partitions, part)
		}
		return resp
	}}
}

func translateCreateTopics(req *kmsg.CreateTopicsRequest, correlation int32) translation {
	core := &protocol.CreateTopicsRequest{CorrelationID: correlation, TimeoutMs: req.TimeoutMillis, ValidateOnly: req.ValidateOnly}
	for _, t := range req.Topics {
		topic := protocol.CreatableTopic{Name: t.Topic, NumPartitions: t.NumPartitions, ReplicationFactor: t.ReplicationFactor}
		if len(t.Configs) > 0 {
			topic.Configs = map[string]string{}
			for _, c := range t.Configs {
				if c.Value != nil {
					topic.Configs[c.Name] = *c.Value
				}
			}
		}
		core.Topics = append(core.Topics, topic)
	}
	return translation{Request: core, ExpectResponse: true, Finish: func(answer any) kmsg.Response {
		m := answer.(*protocol.CreateTopicsResponse)
		resp := kmsg.NewPtrCreateTopicsResponse()
		resp.Version = req.Version
		for _, t := range m.Topics {
			topic := kmsg.NewCreateTopicsResponseTopic()
			topic.Topic, topic.TopicID, topic.ErrorCode = t.Name, topicID(t.TopicID), int16(t.Error)
			topic.NumPartitions, topic.ReplicationFactor = t.NumPartitions, t.ReplicationFactor
			if t.ErrorMessage != "" {
				message := t.ErrorMessage
				topic.ErrorMessage = &message
			}
			resp.Topics = append(resp.Topics, topic)
		}
		return resp
	}}
}
