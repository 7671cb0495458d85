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
}

// FindCoordinatorResponse names the coordinator.
type FindCoordinatorResponse struct {
	CorrelationID int32
	Error         ErrorCode
	NodeID        int32
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

// AddPartitionsToTxnResponse answers it per partition.
type AddPartitionsToTxnResponse struct {
	CorrelationID int32
	Error         ErrorCode
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
