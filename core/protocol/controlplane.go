package protocol

import "github.com/kafka-playground/playground/core/metadata"

// The requests below travel between brokers and the KRaft controller
// quorum, and between controllers. They are Kafka's inter-broker APIs:
// BrokerRegistration (62), BrokerHeartbeat (63), AlterPartition (56),
// Vote (52), BeginQuorumEpoch (53) and the metadata log Fetch.

// BrokerRegistrationRequest registers a starting broker with the active
// controller.
type BrokerRegistrationRequest struct {
	CorrelationID int32
	BrokerID      int32
	// IncarnationID distinguishes restarts of the same broker id.
	IncarnationID uint32
}

// BrokerRegistrationResponse answers it with the broker's epoch.
type BrokerRegistrationResponse struct {
	CorrelationID int32
	Error         ErrorCode
	BrokerEpoch   int64
}

// BrokerHeartbeatRequest keeps a broker's session, reports how far it has
// caught up with the metadata log and asks for controlled shutdown.
type BrokerHeartbeatRequest struct {
	CorrelationID         int32
	BrokerID              int32
	BrokerEpoch           int64
	CurrentMetadataOffset int64
	WantShutDown          bool
}

// BrokerHeartbeatResponse tells the broker whether it is caught up, fenced,
// and may shut down.
type BrokerHeartbeatResponse struct {
	CorrelationID  int32
	Error          ErrorCode
	IsCaughtUp     bool
	IsFenced       bool
	ShouldShutDown bool
}

// AlterPartitionRequest asks the controller to change a partition's ISR;
// only its leader sends it.
type AlterPartitionRequest struct {
	CorrelationID  int32
	BrokerID       int32
	BrokerEpoch    int64
	Partition      TopicPartition
	LeaderEpoch    int32
	PartitionEpoch int32
	NewIsr         []int32
}

// AlterPartitionResponse answers it with the partition's state after.
type AlterPartitionResponse struct {
	CorrelationID  int32
	Error          ErrorCode
	Partition      TopicPartition
	Leader         int32
	LeaderEpoch    int32
	Isr            []int32
	PartitionEpoch int32
}

// MetadataEntry is one committed record of the metadata log.
type MetadataEntry struct {
	Offset int64
	Epoch  int32
	Record metadata.Record
}

// MetadataFetchRequest is a broker's (observer's) fetch of the metadata log.
type MetadataFetchRequest struct {
	CorrelationID int32
	BrokerID      int32
	FetchOffset   int64
}

// MetadataFetchResponse carries committed records from FetchOffset, or
// NOT_LEADER_OR_FOLLOWER with the leader the answering controller knows.
type MetadataFetchResponse struct {
	CorrelationID int32
	Error         ErrorCode
	LeaderID      int32
	LeaderEpoch   int32
	HighWatermark int64
	Entries       []MetadataEntry
}

// VoteRequest asks a voter for its vote in an election. A PreVote asks
// only whether the voter would vote, changing nothing (KIP-996).
type VoteRequest struct {
	CandidateID    int32
	CandidateEpoch int32
	LastOffset     int64
	PreVote        bool
}

// VoteResponse grants or refuses the vote; LeaderID names a leader the
// voter still follows (-1 if none).
type VoteResponse struct {
	VoterID     int32
	Epoch       int32
	VoteGranted bool
	PreVote     bool
	LeaderID    int32
}

// BeginQuorumEpochRequest tells voters a leader won an epoch.
type BeginQuorumEpochRequest struct {
	LeaderID    int32
	LeaderEpoch int32
}

// The requests below are the ZooKeeper-mode controller's: it runs inside a
// broker and pushes metadata to the others (UpdateMetadata, 6, carrying
// what LeaderAndIsr, 4, carries too), and brokers ask it for a controlled
// shutdown (ControlledShutdown, 7).

// UpdateMetadataRequest carries metadata changes from the controller
// broker; Full replaces the receiver's metadata entirely (a new controller
// sends everything). A broker ignores a request from an older controller
// epoch.
type UpdateMetadataRequest struct {
	ControllerID    int32
	ControllerEpoch int32
	Full            bool
	Records         []metadata.Record
}

// ControlledShutdownRequest asks the controller to move a broker's
// leaderships away before it stops.
type ControlledShutdownRequest struct {
	CorrelationID int32
	BrokerID      int32
	BrokerEpoch   int64
}

// ControlledShutdownResponse lists the partitions the broker still leads.
type ControlledShutdownResponse struct {
	CorrelationID       int32
	Error               ErrorCode
	RemainingPartitions []TopicPartition
}
