package protocol

// The classic consumer group protocol: JoinGroup (11), SyncGroup (14),
// Heartbeat (12), LeaveGroup (13), OffsetCommit (8), OffsetFetch (9), and
// the transactional TxnOffsetCommit (28) and AddOffsetsToTxn (25).

// Subscription is a member's protocol metadata: the topics it subscribes
// to and (cooperative rebalancing) the partitions it owns.
type Subscription struct {
	Topics          []string
	OwnedPartitions []TopicPartition
}

// GroupProtocol is one assignor a member supports, with its metadata.
type GroupProtocol struct {
	Name         string
	Subscription Subscription
}

// JoinGroupRequest asks to join (or rejoin) a group.
type JoinGroupRequest struct {
	CorrelationID      int32
	GroupID            string
	SessionTimeoutMs   int32
	RebalanceTimeoutMs int32
	MemberID           string
	ClientID           string
	Protocols          []GroupProtocol
}

// JoinGroupMember is one member as the leader sees it.
type JoinGroupMember struct {
	MemberID     string
	ClientID     string
	Subscription Subscription
}

// JoinGroupResponse answers a JoinGroup once the rebalance's join phase
// ends; the leader gets every member.
type JoinGroupResponse struct {
	CorrelationID int32
	Error         ErrorCode
	GenerationID  int32
	ProtocolName  string
	Leader        string
	MemberID      string
	Members       []JoinGroupMember
}

// SyncGroupAssignment is one member's assignment, sent by the leader.
type SyncGroupAssignment struct {
	MemberID   string
	Partitions []TopicPartition
}

// SyncGroupRequest ends a rebalance: the leader brings the assignment.
type SyncGroupRequest struct {
	CorrelationID int32
	GroupID       string
	GenerationID  int32
	MemberID      string
	Assignments   []SyncGroupAssignment
}

// SyncGroupResponse carries the member's assignment.
type SyncGroupResponse struct {
	CorrelationID int32
	Error         ErrorCode
	Partitions    []TopicPartition
}

// HeartbeatRequest keeps a member in its group.
type HeartbeatRequest struct {
	CorrelationID int32
	GroupID       string
	GenerationID  int32
	MemberID      string
}

// HeartbeatResponse answers it; REBALANCE_IN_PROGRESS asks to rejoin.
type HeartbeatResponse struct {
	CorrelationID int32
	Error         ErrorCode
}

// LeaveGroupRequest leaves a group at once.
type LeaveGroupRequest struct {
	CorrelationID int32
	GroupID       string
	MemberID      string
	Reason        string
}

// LeaveGroupResponse answers it.
type LeaveGroupResponse struct {
	CorrelationID int32
	Error         ErrorCode
}

// OffsetCommitPartition is one partition's committed position.
type OffsetCommitPartition struct {
	TopicPartition
	Offset int64
}

// OffsetCommitRequest commits a group's positions; GenerationID -1 and an
// empty MemberID commit outside the group protocol (manual assignment).
type OffsetCommitRequest struct {
	CorrelationID int32
	GroupID       string
	GenerationID  int32
	MemberID      string
	Offsets       []OffsetCommitPartition
}

// OffsetCommitResponse answers it with one error for the request.
type OffsetCommitResponse struct {
	CorrelationID int32
	Error         ErrorCode
}

// OffsetFetchRequest asks for a group's committed offsets.
type OffsetFetchRequest struct {
	CorrelationID int32
	GroupID       string
	Partitions    []TopicPartition
	// RequireStable refuses offsets a pending transaction may still change
	// (UNSTABLE_OFFSET_COMMIT), as read_committed consumers ask.
	RequireStable bool
}

// OffsetFetchResponse carries the offsets, -1 where none is committed.
type OffsetFetchResponse struct {
	CorrelationID int32
	Error         ErrorCode
	Offsets       []OffsetCommitPartition
}

// AddOffsetsToTxnRequest adds a group's offsets to a transaction.
type AddOffsetsToTxnRequest struct {
	CorrelationID   int32
	TransactionalID string
	ProducerID      int64
	ProducerEpoch   int16
	GroupID         string
}

// AddOffsetsToTxnResponse answers it.
type AddOffsetsToTxnResponse struct {
	CorrelationID int32
	Error         ErrorCode
}

// TxnOffsetCommitRequest commits offsets as part of a transaction: they
// become visible when the transaction commits, and vanish if it aborts.
type TxnOffsetCommitRequest struct {
	CorrelationID   int32
	TransactionalID string
	GroupID         string
	ProducerID      int64
	ProducerEpoch   int16
	Offsets         []OffsetCommitPartition
}

// TxnOffsetCommitResponse answers it.
type TxnOffsetCommitResponse struct {
	CorrelationID int32
	Error         ErrorCode
}
