package protocol

import (
	"errors"
	"strconv"
	"strings"

	"github.com/kafka-playground/playground/core/metadata"
	"github.com/kafka-playground/playground/core/record"
)

// TopicPartition names one partition of a topic.
type TopicPartition struct {
	Topic     string
	Partition int32
}

// String returns the partition as Kafka prints it: "orders-0".
func (tp TopicPartition) String() string {
	return tp.Topic + "-" + strconv.Itoa(int(tp.Partition))
}

// Less orders partitions by topic, then number.
func (tp TopicPartition) Less(other TopicPartition) bool {
	if tp.Topic != other.Topic {
		return tp.Topic < other.Topic
	}
	return tp.Partition < other.Partition
}

// Acks values of a ProduceRequest.
const (
	AcksNone   int16 = 0
	AcksLeader int16 = 1
	AcksAll    int16 = -1
)

// Isolation levels of a FetchRequest or ListOffsetsRequest.
const (
	ReadUncommitted int8 = 0
	ReadCommitted   int8 = 1
)

// ConsumerReplicaID is the ReplicaID of a fetch sent by a consumer.
const ConsumerReplicaID int32 = -1

// NoLeader is the leader id of a partition without a leader.
const NoLeader int32 = -1

// MetadataRequest (API key 3) asks a broker for brokers, the controller and
// topics. Nil Topics means every topic.
type MetadataRequest struct {
	CorrelationID          int32
	Topics                 []string
	AllowAutoTopicCreation bool
}

// BrokerMetadata is one broker of a MetadataResponse.
type BrokerMetadata struct {
	NodeID int32
	Host   string
	Port   int32
}

// PartitionMetadata is one partition of a MetadataResponse.
type PartitionMetadata struct {
	Partition       int32
	Error           ErrorCode
	Leader          int32
	LeaderEpoch     int32
	Replicas        []int32
	Isr             []int32
	OfflineReplicas []int32
}

// TopicMetadata is one topic of a MetadataResponse.
type TopicMetadata struct {
	Name       string
	TopicID    string
	Error      ErrorCode
	IsInternal bool
	Partitions []PartitionMetadata
}

// MetadataResponse describes the whole cluster as the answering broker's
// metadata cache knows it.
type MetadataResponse struct {
	CorrelationID int32
	Brokers       []BrokerMetadata
	ClusterID     string
	ControllerID  int32
	Topics        []TopicMetadata
}

// ProducePartition is one partition's batch in a ProduceRequest.
type ProducePartition struct {
	TopicPartition
	Batch *record.Batch
}

// ProduceRequest (API key 0) appends batches to partition leaders.
type ProduceRequest struct {
	CorrelationID   int32
	TransactionalID string
	Acks            int16
	TimeoutMs       int32
	Partitions      []ProducePartition
}

// ProducePartitionResponse is one partition's outcome of a ProduceRequest.
type ProducePartitionResponse struct {
	TopicPartition
	Error           ErrorCode
	ErrorMessage    string
	BaseOffset      int64
	LogAppendTimeMs int64
	LogStartOffset  int64
	// CurrentLeader tells the client the new leader on NOT_LEADER_OR_FOLLOWER
	// (KIP-951), -1 when unknown.
	CurrentLeader      int32
	CurrentLeaderEpoch int32
}

// ProduceResponse answers a ProduceRequest. acks=0 gets none.
type ProduceResponse struct {
	CorrelationID int32
	Partitions    []ProducePartitionResponse
}

// FetchPartition is one partition of a FetchRequest.
type FetchPartition struct {
	TopicPartition
	CurrentLeaderEpoch int32
	FetchOffset        int64
	// LastFetchedEpoch is the epoch of the last batch the follower holds,
	// -1 when none; the leader uses it to detect divergence (KIP-595).
	LastFetchedEpoch  int32
	LogStartOffset    int64
	PartitionMaxBytes int32
}

// FetchRequest (API key 1) reads records; followers send it with their
// broker id as ReplicaID, consumers with -1.
type FetchRequest struct {
	CorrelationID  int32
	ReplicaID      int32
	MaxWaitMs      int32
	MinBytes       int32
	MaxBytes       int32
	IsolationLevel int8
	Partitions     []FetchPartition
}

// EpochEndOffset is a leader epoch and the offset where it ended.
type EpochEndOffset struct {
	Epoch     int32
	EndOffset int64
}

// AbortedTransaction tells a read_committed consumer where an aborted
// transaction's records begin.
type AbortedTransaction struct {
	ProducerID  int64
	FirstOffset int64
}

// FetchPartitionResponse is one partition of a FetchResponse.
type FetchPartitionResponse struct {
	TopicPartition
	Error            ErrorCode
	HighWatermark    int64
	LastStableOffset int64
	LogStartOffset   int64
	// DivergingEpoch is set when the follower's log diverged from the
	// leader's: it must truncate to EndOffset (or below) first.
	DivergingEpoch      *EpochEndOffset
	CurrentLeader       int32
	CurrentLeaderEpoch  int32
	AbortedTransactions []AbortedTransaction
	Batches             []*record.Batch
}

// FetchResponse answers a FetchRequest.
type FetchResponse struct {
	CorrelationID int32
	Error         ErrorCode
	Partitions    []FetchPartitionResponse
}

// Special timestamps of ListOffsets.
const (
	LatestTimestamp   int64 = -1
	EarliestTimestamp int64 = -2
	MaxTimestamp      int64 = -3
)

// ListOffsetsPartition is one partition of a ListOffsetsRequest.
type ListOffsetsPartition struct {
	TopicPartition
	CurrentLeaderEpoch int32
	TimestampMs        int64
}

// ListOffsetsRequest (API key 2) finds offsets by time: earliest, latest or
// the first offset at or after a timestamp.
type ListOffsetsRequest struct {
	CorrelationID  int32
	ReplicaID      int32
	IsolationLevel int8
	Partitions     []ListOffsetsPartition
}

// ListOffsetsPartitionResponse is one partition of a ListOffsetsResponse.
type ListOffsetsPartitionResponse struct {
	TopicPartition
	Error       ErrorCode
	TimestampMs int64
	Offset      int64
	LeaderEpoch int32
}

// ListOffsetsResponse answers a ListOffsetsRequest.
type ListOffsetsResponse struct {
	CorrelationID int32
	Partitions    []ListOffsetsPartitionResponse
}

// CreatableTopic is one topic of a CreateTopicsRequest.
type CreatableTopic struct {
	Name              string
	NumPartitions     int32
	ReplicationFactor int16
	Configs           map[string]string
}

// CreateTopicsRequest (API key 19) creates topics through the controller.
type CreateTopicsRequest struct {
	CorrelationID int32
	Topics        []CreatableTopic
	TimeoutMs     int32
	ValidateOnly  bool
}

// CreateTopicResult is one topic's outcome of a CreateTopicsRequest.
type CreateTopicResult struct {
	Name              string
	TopicID           string
	Error             ErrorCode
	ErrorMessage      string
	NumPartitions     int32
	ReplicationFactor int16
}

// CreateTopicsResponse answers a CreateTopicsRequest.
type CreateTopicsResponse struct {
	CorrelationID int32
	Topics        []CreateTopicResult
}

// CreatePartitionsTopic asks for a topic to have Count partitions in all.
type CreatePartitionsTopic struct {
	Name  string
	Count int32
}

// CreatePartitionsRequest (API key 37) adds partitions to existing topics
// through the controller; partitions are never removed.
type CreatePartitionsRequest struct {
	CorrelationID int32
	Topics        []CreatePartitionsTopic
	TimeoutMs     int32
	ValidateOnly  bool
}

// CreatePartitionsResult is one topic's outcome of a CreatePartitionsRequest.
type CreatePartitionsResult struct {
	Name         string
	Error        ErrorCode
	ErrorMessage string
}

// NewCreatePartitionsResult turns the outcome of metadata.AddPartitions
// into a topic's result.
func NewCreatePartitionsResult(name string, err error) CreatePartitionsResult {
	result := CreatePartitionsResult{Name: name}
	if err == nil {
		return result
	}
	result.ErrorMessage = err.Error()
	switch {
	case errors.Is(err, metadata.ErrUnknownTopic):
		result.Error = UnknownTopicOrPartition
	case errors.Is(err, metadata.ErrInvalidPartitions):
		result.Error = InvalidPartitions
	default:
		result.Error = InvalidReplicationFactor
	}
	if _, message, ok := strings.Cut(result.ErrorMessage, ": "); ok && result.Error != InvalidReplicationFactor {
		result.ErrorMessage = message
	}
	return result
}

// CreatePartitionsResponse answers a CreatePartitionsRequest.
type CreatePartitionsResponse struct {
	CorrelationID int32
	Results       []CreatePartitionsResult
}

// DeleteTopicsRequest (API key 20) deletes topics through the controller.
type DeleteTopicsRequest struct {
	CorrelationID int32
	Topics        []string
	TimeoutMs     int32
}

// DeleteTopicResult is one topic's outcome of a DeleteTopicsRequest.
type DeleteTopicResult struct {
	Name         string
	Error        ErrorCode
	ErrorMessage string
}

// DeleteTopicsResponse answers a DeleteTopicsRequest.
type DeleteTopicsResponse struct {
	CorrelationID int32
	Topics        []DeleteTopicResult
}

// Config resource types of IncrementalAlterConfigs and DescribeConfigs.
const (
	ResourceTopic  = metadata.ResourceTopic
	ResourceBroker = metadata.ResourceBroker
)

// Config operations of IncrementalAlterConfigs.
const (
	ConfigSet    int8 = 0
	ConfigDelete int8 = 1
)

// AlterableConfig is one change of an IncrementalAlterConfigsRequest.
type AlterableConfig struct {
	Name      string
	Operation int8
	Value     string
}

// AlterConfigsResource is one resource of an IncrementalAlterConfigsRequest.
// An empty Name with ResourceBroker means the cluster-wide default.
type AlterConfigsResource struct {
	ResourceType int8
	ResourceName string
	Configs      []AlterableConfig
}

// ConfigRecords turns the resource's alterations into the metadata records
// that make them, in request order, and applies them to current (the
// values in force, which may be nil). It returns the values set.
func (res AlterConfigsResource) ConfigRecords(current map[string]string) ([]metadata.Record, map[string]string) {
	set := map[string]string{}
	var records []metadata.Record
	for _, cfg := range res.Configs {
		r := &metadata.ConfigRecord{ResourceType: res.ResourceType, ResourceName: res.ResourceName, Name: cfg.Name, Value: cfg.Value}
		if cfg.Operation == ConfigDelete {
			r.Delete, r.Value = true, ""
			delete(current, cfg.Name)
		} else {
			if current != nil {
				current[cfg.Name] = cfg.Value
			}
			set[cfg.Name] = cfg.Value
		}
		records = append(records, r)
	}
	return records, set
}

// IncrementalAlterConfigsRequest (API key 44) changes topic or broker
// configuration.
type IncrementalAlterConfigsRequest struct {
	CorrelationID int32
	Resources     []AlterConfigsResource
}

// AlterConfigsResult is one resource's outcome.
type AlterConfigsResult struct {
	ResourceType int8
	ResourceName string
	Error        ErrorCode
	ErrorMessage string
}

// IncrementalAlterConfigsResponse answers an IncrementalAlterConfigsRequest.
type IncrementalAlterConfigsResponse struct {
	CorrelationID int32
	Resources     []AlterConfigsResult
}

// Election types of ElectLeadersRequest.
const (
	ElectPreferred int8 = 0
	ElectUnclean   int8 = 1
)

// ElectLeadersRequest (API key 43) runs a preferred or unclean leader
// election. Nil Partitions means every partition.
type ElectLeadersRequest struct {
	CorrelationID int32
	ElectionType  int8
	Partitions    []TopicPartition
	TimeoutMs     int32
}

// ElectLeadersResult is one partition's outcome.
type ElectLeadersResult struct {
	TopicPartition
	Error        ErrorCode
	ErrorMessage string
}

// ElectLeadersResponse answers an ElectLeadersRequest.
type ElectLeadersResponse struct {
	CorrelationID int32
	Error         ErrorCode
	Results       []ElectLeadersResult
}

// InitProducerIDRequest (API key 22) gets an idempotent or transactional
// producer its producer id and epoch.
type InitProducerIDRequest struct {
	CorrelationID        int32
	TransactionalID      string
	TransactionTimeoutMs int32
	ProducerID           int64
	ProducerEpoch        int16
}

// InitProducerIDResponse answers it.
type InitProducerIDResponse struct {
	CorrelationID int32
	Error         ErrorCode
	ProducerID    int64
	ProducerEpoch int16
}
