package protocol

// Coordinator key types of FindCoordinator.
const (
	CoordinatorGroup       int8 = 0
	CoordinatorTransaction int8 = 1
)

// FindCoordinatorRequest (API key 10) asks any broker which broker
// coordinates a group or a transactional id.
type FindCoordinatorRequest struct {
	CorrelationID int32
	KeyType       int8
	Key           string
	// Keys, when set (the batched FindCoordinator of v4+, KIP-699), are
	// answered one by one in the response's Coordinators; Key is then
	// not used.
	Keys []string
}

// FindCoordinatorResponse names the coordinator.
type FindCoordinatorResponse struct {
	CorrelationID int32
	Error         ErrorCode
	NodeID        int32
	// Coordinators answers a batched request, key by key.
	Coordinators []Coordinator
}

// Coordinator is the coordinator of one key of a batched FindCoordinator,
// NodeID -1 with an error.
type Coordinator struct {
	Key    string
	NodeID int32
	Error  ErrorCode
}

// AddPartitionsToTxnRequest (API key 24) adds partitions to a producer's
// open transaction before it writes to them.
type AddPartitionsToTxnRequest struct {
	CorrelationID   int32
	TransactionalID string
	ProducerID      int64
	ProducerEpoch   int16
	Partitions      []TopicPartition
}

// AddPartitionsToTxnResponse answers it. Error is every partition's
// error, unless Partitions is set: then some partitions were refused on
// their own (UNKNOWN_TOPIC_OR_PARTITION) and the others were not
// attempted (OPERATION_NOT_ATTEMPTED), each partition with its error.
type AddPartitionsToTxnResponse struct {
	CorrelationID int32
	Error         ErrorCode
	Partitions    []PartitionError
}

// PartitionError is one partition's error.
type PartitionError struct {
	TopicPartition
	Error ErrorCode
}

// EndTxnRequest (API key 26) commits or aborts the open transaction.
type EndTxnRequest struct {
	CorrelationID   int32
	TransactionalID string
	ProducerID      int64
	ProducerEpoch   int16
	Committed       bool
}

// EndTxnResponse answers it.
type EndTxnResponse struct {
	CorrelationID int32
	Error         ErrorCode
}

// WriteTxnMarkersRequest (API key 27) asks a partition leader to write a
// transaction's commit or abort marker into its partitions.
type WriteTxnMarkersRequest struct {
	CorrelationID    int32
	ProducerID       int64
	ProducerEpoch    int16
	Committed        bool
	CoordinatorEpoch int32
	Partitions       []TopicPartition
}

// WriteTxnMarkersResponse answers it per partition.
type WriteTxnMarkersResponse struct {
	CorrelationID int32
	Errors        []ErrorCode
}
