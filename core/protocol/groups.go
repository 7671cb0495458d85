package protocol

// The classic consumer group protocol: JoinGroup (11), SyncGroup (14),
// Heartbeat (12), LeaveGroup (13), OffsetCommit (8), OffsetFetch (9),
// DescribeGroups (15), ListGroups (16), and the transactional
// TxnOffsetCommit (28) and AddOffsetsToTxn (25).
//
// A group's protocol metadata and assignments are bytes that its members
// encode and decode themselves (the consumer protocol's
// ConsumerProtocolSubscription and ConsumerProtocolAssignment); the
// coordinator keeps them and hands them back untouched. Simulated clients
// send no bytes, only the decoded form (Subscription, Partitions); a
// gateway for real clients sends both, decoding what it can.

// ConsumerProtocolType is the protocol type of consumer groups.
const ConsumerProtocolType = "consumer"

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
	// Metadata is the protocol metadata as the member's client encoded
	// it, nil for a simulated client.
	Metadata []byte `json:",omitempty"`
}

// JoinGroupRequest asks to join (or rejoin) a group.
type JoinGroupRequest struct {
	CorrelationID      int32
	GroupID            string
	SessionTimeoutMs   int32
	RebalanceTimeoutMs int32
	MemberID           string
	ClientID           string
	// ClientHost is where the member connects from, as DescribeGroups
	// shows it ("/127.0.0.1"); empty for a simulated client, which the
	// coordinator names by its node.
	ClientHost string
	// ProtocolType is the class of the protocols ("consumer", "connect");
	// every member of a group has the same one.
	ProtocolType string
	Protocols    []GroupProtocol
	// RequireKnownMemberID answers a member without an id
	// MEMBER_ID_REQUIRED with one to join again with (KIP-394, JoinGroup
	// v4+); without it the member joins at once (v0-v3).
	RequireKnownMemberID bool
	// Reason is why the member joins (KIP-800), for the trace.
	Reason string
	// GroupInstanceID makes the member a static one (KIP-345, JoinGroup
	// v5+): a member that joins again under the same instance id, with
	// a new member id, takes the old member's place; "" for a dynamic
	// member.
	GroupInstanceID string
	// SupportsSkipAssignment says the client reads SkipAssignment
	// (JoinGroup v9+, KIP-814): a returning static leader is then told
	// it leads, without assigning; older clients are told the old
	// member id leads.
	SupportsSkipAssignment bool
}

// JoinGroupMember is one member as the leader sees it.
type JoinGroupMember struct {
	MemberID string
	// GroupInstanceID is the member's instance id, "" for a dynamic one.
	GroupInstanceID string
	ClientID        string
	Subscription    Subscription
	// Metadata is the member's metadata for the chosen protocol, as its
	// client encoded it (nil for a simulated client).
	Metadata []byte
}

// JoinGroupResponse answers a JoinGroup once the rebalance's join phase
// ends; the leader gets every member.
type JoinGroupResponse struct {
	CorrelationID int32
	Error         ErrorCode
	GenerationID  int32
	ProtocolType  string
	ProtocolName  string
	Leader        string
	MemberID      string
	Members       []JoinGroupMember
	// SkipAssignment tells a static leader that came back without a
	// rebalance that it leads but must not assign: the group keeps its
	// assignment (KIP-814).
	SkipAssignment bool
}

// SyncGroupAssignment is one member's assignment, sent by the leader.
type SyncGroupAssignment struct {
	MemberID   string
	Partitions []TopicPartition
	// Assignment is the assignment as the leader's client encoded it
	// (nil for a simulated leader).
	Assignment []byte
}

// SyncGroupRequest ends a rebalance: the leader brings the assignment.
type SyncGroupRequest struct {
	CorrelationID int32
	GroupID       string
	GenerationID  int32
	MemberID      string
	// GroupInstanceID is the static member's instance id (v3+), checked
	// against the member id: another member id is FENCED_INSTANCE_ID.
	GroupInstanceID string
	// ProtocolType and ProtocolName, when set (SyncGroup v5+), must be
	// the group's, or the answer is INCONSISTENT_GROUP_PROTOCOL.
	ProtocolType string
	ProtocolName string
	Assignments  []SyncGroupAssignment
}

// SyncGroupResponse carries the member's assignment.
type SyncGroupResponse struct {
	CorrelationID int32
	Error         ErrorCode
	ProtocolType  string
	ProtocolName  string
	Partitions    []TopicPartition
	// Assignment is the member's assignment as the leader's client
	// encoded it (nil when the leader is a simulated client).
	Assignment []byte
}

// HeartbeatRequest keeps a member in its group.
type HeartbeatRequest struct {
	CorrelationID int32
	GroupID       string
	GenerationID  int32
	MemberID      string
	// GroupInstanceID is the static member's instance id (v3+).
	GroupInstanceID string
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
	// Members, when set (the batched LeaveGroup of v3+), leave together
	// and are answered one by one in the response's Members; MemberID
	// and Reason are then not used.
	Members []LeaveGroupMember
}

// LeaveGroupMember is one member of a batched LeaveGroup. An admin
// removes a static member by its GroupInstanceID alone, with an empty
// MemberID (RemoveMembersFromConsumerGroup, KIP-345).
type LeaveGroupMember struct {
	MemberID        string
	GroupInstanceID string
	Reason          string
}

// LeaveGroupResponse answers it.
type LeaveGroupResponse struct {
	CorrelationID int32
	Error         ErrorCode
	// Members answers a batched request, member by member.
	Members []LeaveGroupMemberResponse
}

// LeaveGroupMemberResponse is one member's result in a batched LeaveGroup.
type LeaveGroupMemberResponse struct {
	MemberID        string
	GroupInstanceID string
	Error           ErrorCode
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
	// GroupInstanceID is the static member's instance id (v7+).
	GroupInstanceID string
	Offsets         []OffsetCommitPartition
}

// OffsetCommitResponse answers it: Error for the partitions committed,
// and Refused the partitions refused on their own, before the
// coordinator (UNKNOWN_TOPIC_OR_PARTITION), as Kafka does.
type OffsetCommitResponse struct {
	CorrelationID int32
	Error         ErrorCode
	Refused       []PartitionError
}

// OffsetFetchRequest asks for a group's committed offsets.
type OffsetFetchRequest struct {
	CorrelationID int32
	GroupID       string
	Partitions    []TopicPartition
	// RequireStable refuses offsets a pending transaction may still change
	// (UNSTABLE_OFFSET_COMMIT), as read_committed consumers ask.
	RequireStable bool
	// Groups, when set (the batched OffsetFetch of v8+, and what a
	// gateway always sends), are answered one by one in the response's
	// Groups, with an error per partition; GroupID and Partitions are
	// then not used.
	Groups []OffsetFetchGroup
}

// OffsetFetchGroup is one group of a batched OffsetFetch.
type OffsetFetchGroup struct {
	GroupID    string
	Partitions []TopicPartition
	// AllPartitions asks for every partition the group committed
	// (Kafka's null topics); Partitions is then not used.
	AllPartitions bool
}

// OffsetFetchResponse carries the offsets, -1 where none is committed.
type OffsetFetchResponse struct {
	CorrelationID int32
	Error         ErrorCode
	Offsets       []OffsetCommitPartition
	// Groups answers a batched request, group by group.
	Groups []OffsetFetchGroupResponse
}

// OffsetFetchGroupResponse is one group's committed offsets.
type OffsetFetchGroupResponse struct {
	GroupID string
	// Error is the group's error (NOT_COORDINATOR, ...); the partitions
	// are then empty.
	Error      ErrorCode
	Partitions []OffsetFetchPartition
}

// OffsetFetchPartition is one partition's committed offset (-1 for none)
// and its own error (UNSTABLE_OFFSET_COMMIT).
type OffsetFetchPartition struct {
	TopicPartition
	Offset int64
	Error  ErrorCode
}

// DescribeGroupsRequest (API key 15) asks a coordinator about groups.
type DescribeGroupsRequest struct {
	CorrelationID int32
	Groups        []string
}

// DescribeGroupsResponse describes each group asked about, in order.
type DescribeGroupsResponse struct {
	CorrelationID int32
	Groups        []DescribedGroup
}

// DescribedGroup is one group as its coordinator holds it. A group the
// coordinator does not know is Dead, without error (DescribeGroups v6+
// asks GROUP_ID_NOT_FOUND of it instead: Found tells them apart).
type DescribedGroup struct {
	GroupID      string
	Error        ErrorCode
	Found        bool
	State        string
	ProtocolType string
	// Protocol is the chosen assignor, set only while Stable.
	Protocol string
	Members  []DescribedGroupMember
}

// DescribedGroupMember is one member of a described group. Its metadata
// and assignment are set only while the group is Stable, as Kafka gives
// them: as its client encoded them (Metadata, Assignment) for a real
// client, decoded (Subscription, Partitions) for every member.
type DescribedGroupMember struct {
	MemberID string
	// GroupInstanceID is the static member's instance id (v4+), "" for
	// a dynamic member.
	GroupInstanceID string
	ClientID        string
	ClientHost      string
	Metadata        []byte
	Assignment      []byte
	Subscription    Subscription
	Partitions      []TopicPartition
}

// ListGroupsRequest (API key 16) asks a broker for the groups it
// coordinates, optionally only those in some states (KIP-518) or of some
// types (KIP-848); the filters ignore case.
type ListGroupsRequest struct {
	CorrelationID int32
	StatesFilter  []string
	TypesFilter   []string
}

// ListGroupsResponse lists the groups, sorted by id.
type ListGroupsResponse struct {
	CorrelationID int32
	Error         ErrorCode
	Groups        []ListedGroup
}

// ListedGroup is one group of a ListGroups answer.
type ListedGroup struct {
	GroupID      string
	ProtocolType string
	State        string
	// Type is the group's type: "classic" for every group here.
	Type string
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
	// GenerationID and MemberID (TxnOffsetCommit v3+, KIP-447) are
	// checked against the group when given; -1 and "" skip the check.
	GenerationID int32
	MemberID     string
	// GroupInstanceID is the static member's instance id (v3+).
	GroupInstanceID string
	Offsets         []OffsetCommitPartition
}

// TxnOffsetCommitResponse answers it, as OffsetCommitResponse.
type TxnOffsetCommitResponse struct {
	CorrelationID int32
	Error         ErrorCode
	Refused       []PartitionError
}
