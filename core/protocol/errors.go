// Package protocol holds the requests and responses that nodes of the
// simulated cluster exchange, modelled on Apache Kafka's own (ProduceRequest,
// FetchRequest, MetadataRequest, ...) with Kafka's field and error names, so
// that a wire-protocol gateway can map real clients onto them one to one.
// Messages are values: nobody modifies a message after sending it.
package protocol

// ErrorCode is a Kafka protocol error code. 0 is no error.
type ErrorCode int16

// ErrorInfo describes one error code as Kafka's Errors enum does.
type ErrorInfo struct {
	Code      ErrorCode
	Name      string
	Retriable bool
	Message   string
}

// Error codes, with Kafka's numbers. Only the ones the playground produces
// or a gateway must pass on are listed.
const (
	None                               ErrorCode = 0
	UnknownServerError                 ErrorCode = -1
	OffsetOutOfRange                   ErrorCode = 1
	CorruptMessage                     ErrorCode = 2
	UnknownTopicOrPartition            ErrorCode = 3
	InvalidFetchSize                   ErrorCode = 4
	LeaderNotAvailable                 ErrorCode = 5
	NotLeaderOrFollower                ErrorCode = 6
	RequestTimedOut                    ErrorCode = 7
	BrokerNotAvailable                 ErrorCode = 8
	ReplicaNotAvailable                ErrorCode = 9
	MessageTooLarge                    ErrorCode = 10
	NetworkException                   ErrorCode = 13
	CoordinatorLoadInProgress          ErrorCode = 14
	CoordinatorNotAvailable            ErrorCode = 15
	NotCoordinator                     ErrorCode = 16
	InvalidTopicException              ErrorCode = 17
	RecordListTooLarge                 ErrorCode = 18
	NotEnoughReplicas                  ErrorCode = 19
	NotEnoughReplicasAfterAppend       ErrorCode = 20
	InvalidRequiredAcks                ErrorCode = 21
	IllegalGeneration                  ErrorCode = 22
	InconsistentGroupProtocol          ErrorCode = 23
	InvalidGroupID                     ErrorCode = 24
	UnknownMemberID                    ErrorCode = 25
	InvalidSessionTimeout              ErrorCode = 26
	RebalanceInProgress                ErrorCode = 27
	InvalidCommitOffsetSize            ErrorCode = 28
	TopicAuthorizationFailed           ErrorCode = 29
	GroupAuthorizationFailed           ErrorCode = 30
	ClusterAuthorizationFailed         ErrorCode = 31
	InvalidTimestamp                   ErrorCode = 32
	UnsupportedSaslMechanism           ErrorCode = 33
	IllegalSaslState                   ErrorCode = 34
	UnsupportedVersion                 ErrorCode = 35
	TopicAlreadyExists                 ErrorCode = 36
	InvalidPartitions                  ErrorCode = 37
	InvalidReplicationFactor           ErrorCode = 38
	InvalidReplicaAssignment           ErrorCode = 39
	InvalidConfig                      ErrorCode = 40
	NotController                      ErrorCode = 41
	InvalidRequest                     ErrorCode = 42
	UnsupportedForMessageFormat        ErrorCode = 43
	PolicyViolation                    ErrorCode = 44
	OutOfOrderSequenceNumber           ErrorCode = 45
	DuplicateSequenceNumber            ErrorCode = 46
	InvalidProducerEpoch               ErrorCode = 47
	InvalidTxnState                    ErrorCode = 48
	InvalidProducerIDMapping           ErrorCode = 49
	InvalidTransactionTimeout          ErrorCode = 50
	ConcurrentTransactions             ErrorCode = 51
	TransactionCoordinatorFenced       ErrorCode = 52
	TransactionalIDAuthorizationFailed ErrorCode = 53
	SecurityDisabled                   ErrorCode = 54
	OperationNotAttempted              ErrorCode = 55
	KafkaStorageError                  ErrorCode = 56
	LogDirNotFound                     ErrorCode = 57
	SaslAuthenticationFailed           ErrorCode = 58
	UnknownProducerID                  ErrorCode = 59
	ReassignmentInProgress             ErrorCode = 60
	NonEmptyGroup                      ErrorCode = 68
	GroupIDNotFound                    ErrorCode = 69
	FencedLeaderEpoch                  ErrorCode = 74
	UnknownLeaderEpoch                 ErrorCode = 75
	UnsupportedCompressionType         ErrorCode = 76
	OffsetNotAvailable                 ErrorCode = 78
	MemberIDRequired                   ErrorCode = 79
	PreferredLeaderNotAvailable        ErrorCode = 80
	GroupMaxSizeReached                ErrorCode = 81
	FencedInstanceID                   ErrorCode = 82
	EligibleLeadersNotAvailable        ErrorCode = 83
	ElectionNotNeeded                  ErrorCode = 84
	NoReassignmentInProgress           ErrorCode = 85
	GroupSubscribedToTopic             ErrorCode = 86
	InvalidRecord                      ErrorCode = 87
	UnstableOffsetCommit               ErrorCode = 88
	ThrottlingQuotaExceeded            ErrorCode = 89
	ProducerFenced                     ErrorCode = 90
	InvalidUpdateVersion               ErrorCode = 95
	UnknownTopicID                     ErrorCode = 100
	InconsistentClusterID              ErrorCode = 104
	TransactionalIDNotFound            ErrorCode = 105
	NewLeaderElected                   ErrorCode = 108
	OffsetMovedToTieredStorage         ErrorCode = 109
	FencedMemberEpoch                  ErrorCode = 110
	UnreleasedInstanceID               ErrorCode = 111
	UnsupportedAssignor                ErrorCode = 112
	StaleMemberEpoch                   ErrorCode = 113
	StaleBrokerEpoch                   ErrorCode = 77
	DuplicateBrokerRegistration        ErrorCode = 101
	IneligibleReplica                  ErrorCode = 107
	InvalidRegularExpression           ErrorCode = 121
	TopicDeletionDisabled              ErrorCode = 73
	MismatchedEndpointType             ErrorCode = 114
	UnsupportedEndpointType            ErrorCode = 115

	// The codes below are not Kafka wire codes: they are client-side
	// exceptions of the Java client that the playground reports by name
	// (RecordTooLargeException, TimeoutException, ...). They use a range no
	// Kafka code uses and never travel on the simulated wire.
	RecordTooLarge       ErrorCode = 10001
	ClientTimeout        ErrorCode = 10002
	BufferExhausted      ErrorCode = 10003
	NoOffsetForPartition ErrorCode = 10004
	IllegalStateError    ErrorCode = 10005
	TransactionAborted   ErrorCode = 10006
)

var errorTable = []ErrorInfo{
	{None, "NONE", false, ""},
	{UnknownServerError, "UNKNOWN_SERVER_ERROR", false, "The server experienced an unexpected error when processing the request."},
	{OffsetOutOfRange, "OFFSET_OUT_OF_RANGE", false, "The requested offset is not within the range of offsets maintained by the server."},
	{CorruptMessage, "CORRUPT_MESSAGE", true, "This message has failed its CRC checksum, exceeds the valid size, has a null key for a compacted topic, or is otherwise corrupt."},
	{UnknownTopicOrPartition, "UNKNOWN_TOPIC_OR_PARTITION", true, "This server does not host this topic-partition."},
	{InvalidFetchSize, "INVALID_FETCH_SIZE", false, "The requested fetch size is invalid."},
	{LeaderNotAvailable, "LEADER_NOT_AVAILABLE", true, "There is no leader for this topic-partition as we are in the middle of a leadership election."},
	{NotLeaderOrFollower, "NOT_LEADER_OR_FOLLOWER", true, "For requests intended only for the leader, this error indicates that the broker is not the current leader. For requests intended for any replica, this error indicates that the broker is not a replica of the topic partition."},
	{RequestTimedOut, "REQUEST_TIMED_OUT", true, "The request timed out."},
	{BrokerNotAvailable, "BROKER_NOT_AVAILABLE", false, "The broker is not available."},
	{ReplicaNotAvailable, "REPLICA_NOT_AVAILABLE", true, "The replica is not available for the requested topic-partition."},
	{MessageTooLarge, "MESSAGE_TOO_LARGE", false, "The request included a message larger than the max message size the server will accept."},
	{NetworkException, "NETWORK_EXCEPTION", true, "The server disconnected before a response was received."},
	{CoordinatorLoadInProgress, "COORDINATOR_LOAD_IN_PROGRESS", true, "The coordinator is loading and hence can't process requests."},
	{CoordinatorNotAvailable, "COORDINATOR_NOT_AVAILABLE", true, "The coordinator is not available."},
	{NotCoordinator, "NOT_COORDINATOR", true, "This is not the correct coordinator."},
	{InvalidTopicException, "INVALID_TOPIC_EXCEPTION", false, "The request attempted to perform an operation on an invalid topic."},
	{RecordListTooLarge, "RECORD_LIST_TOO_LARGE", false, "The request included message batch larger than the configured segment size on the server."},
	{NotEnoughReplicas, "NOT_ENOUGH_REPLICAS", true, "Messages are rejected since there are fewer in-sync replicas than required."},
	{NotEnoughReplicasAfterAppend, "NOT_ENOUGH_REPLICAS_AFTER_APPEND", true, "Messages are written to the log, but to fewer in-sync replicas than required."},
	{InvalidRequiredAcks, "INVALID_REQUIRED_ACKS", false, "Produce request specified an invalid value for required acks."},
	{IllegalGeneration, "ILLEGAL_GENERATION", false, "Specified group generation id is not valid."},
	{InconsistentGroupProtocol, "INCONSISTENT_GROUP_PROTOCOL", false, "The group member's supported protocols are incompatible with those of existing members or first group member tried to join with empty protocol type or empty protocol list."},
	{InvalidGroupID, "INVALID_GROUP_ID", false, "The configured groupId is invalid."},
	{UnknownMemberID, "UNKNOWN_MEMBER_ID", false, "The coordinator is not aware of this member."},
	{InvalidSessionTimeout, "INVALID_SESSION_TIMEOUT", false, "The session timeout is not within the range allowed by the broker (as configured by group.min.session.timeout.ms and group.max.session.timeout.ms)."},
	{RebalanceInProgress, "REBALANCE_IN_PROGRESS", false, "The group is rebalancing, so a rejoin is needed."},
	{InvalidCommitOffsetSize, "INVALID_COMMIT_OFFSET_SIZE", false, "The committing offset data size is not valid."},
	{TopicAuthorizationFailed, "TOPIC_AUTHORIZATION_FAILED", false, "Topic authorization failed."},
	{GroupAuthorizationFailed, "GROUP_AUTHORIZATION_FAILED", false, "Group authorization failed."},
	{ClusterAuthorizationFailed, "CLUSTER_AUTHORIZATION_FAILED", false, "Cluster authorization failed."},
	{InvalidTimestamp, "INVALID_TIMESTAMP", false, "The timestamp of the message is out of acceptable range."},
	{UnsupportedSaslMechanism, "UNSUPPORTED_SASL_MECHANISM", false, "The broker does not support the requested SASL mechanism."},
	{IllegalSaslState, "ILLEGAL_SASL_STATE", false, "Request is not valid given the current SASL state."},
	{UnsupportedVersion, "UNSUPPORTED_VERSION", false, "The version of API is not supported."},
	{TopicAlreadyExists, "TOPIC_ALREADY_EXISTS", false, "Topic with this name already exists."},
	{InvalidPartitions, "INVALID_PARTITIONS", false, "Number of partitions is below 1."},
	{InvalidReplicationFactor, "INVALID_REPLICATION_FACTOR", false, "Replication factor is below 1 or larger than the number of available brokers."},
	{InvalidReplicaAssignment, "INVALID_REPLICA_ASSIGNMENT", false, "Replica assignment is invalid."},
	{InvalidConfig, "INVALID_CONFIG", false, "Configuration is invalid."},
	{NotController, "NOT_CONTROLLER", true, "This is not the correct controller for this cluster."},
	{InvalidRequest, "INVALID_REQUEST", false, "This most likely occurs because of a request being malformed by the client library or the message was sent to an incompatible broker."},
	{UnsupportedForMessageFormat, "UNSUPPORTED_FOR_MESSAGE_FORMAT", false, "The message format version on the broker does not support the request."},
	{PolicyViolation, "POLICY_VIOLATION", false, "Request parameters do not satisfy the configured policy."},
	{OutOfOrderSequenceNumber, "OUT_OF_ORDER_SEQUENCE_NUMBER", false, "The broker received an out of order sequence number."},
	{DuplicateSequenceNumber, "DUPLICATE_SEQUENCE_NUMBER", false, "The broker received a duplicate sequence number."},
	{InvalidProducerEpoch, "INVALID_PRODUCER_EPOCH", false, "Producer attempted to produce with an old epoch."},
	{InvalidTxnState, "INVALID_TXN_STATE", false, "The producer attempted a transactional operation in an invalid state."},
	{InvalidProducerIDMapping, "INVALID_PRODUCER_ID_MAPPING", false, "The producer attempted to use a producer id which is not currently assigned to its transactional id."},
	{InvalidTransactionTimeout, "INVALID_TRANSACTION_TIMEOUT", false, "The transaction timeout is larger than the maximum value allowed by the broker (as configured by transaction.max.timeout.ms)."},
	{ConcurrentTransactions, "CONCURRENT_TRANSACTIONS", true, "The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing."},
	{TransactionCoordinatorFenced, "TRANSACTION_COORDINATOR_FENCED", false, "Indicates that the transaction coordinator sending a WriteTxnMarker is no longer the current coordinator for a given producer."},
	{TransactionalIDAuthorizationFailed, "TRANSACTIONAL_ID_AUTHORIZATION_FAILED", false, "Transactional Id authorization failed."},
	{SecurityDisabled, "SECURITY_DISABLED", false, "Security features are disabled."},
	{OperationNotAttempted, "OPERATION_NOT_ATTEMPTED", false, "The broker did not attempt to execute this operation."},
	{KafkaStorageError, "KAFKA_STORAGE_ERROR", true, "Disk error when trying to access log file on the disk."},
	{LogDirNotFound, "LOG_DIR_NOT_FOUND", false, "The user-specified log directory is not found in the broker config."},
	{SaslAuthenticationFailed, "SASL_AUTHENTICATION_FAILED", false, "SASL Authentication failed."},
	{UnknownProducerID, "UNKNOWN_PRODUCER_ID", false, "This exception is raised by the broker if it could not locate the producer metadata associated with the producerId in question."},
	{ReassignmentInProgress, "REASSIGNMENT_IN_PROGRESS", false, "A partition reassignment is in progress."},
	{NonEmptyGroup, "NON_EMPTY_GROUP", false, "The group is not empty."},
	{GroupIDNotFound, "GROUP_ID_NOT_FOUND", false, "The group id does not exist."},
	{FencedLeaderEpoch, "FENCED_LEADER_EPOCH", true, "The leader epoch in the request is older than the epoch on the broker."},
	{UnknownLeaderEpoch, "UNKNOWN_LEADER_EPOCH", true, "The leader epoch in the request is newer than the epoch on the broker."},
	{UnsupportedCompressionType, "UNSUPPORTED_COMPRESSION_TYPE", false, "The requesting client does not support the compression type of given partition."},
	{OffsetNotAvailable, "OFFSET_NOT_AVAILABLE", true, "The leader high watermark has not caught up from a recent leader election so the offsets cannot be guaranteed to be monotonically increasing."},
	{MemberIDRequired, "MEMBER_ID_REQUIRED", false, "The group member needs to have a valid member id before actually entering a consumer group."},
	{PreferredLeaderNotAvailable, "PREFERRED_LEADER_NOT_AVAILABLE", true, "The preferred leader was not available."},
	{GroupMaxSizeReached, "GROUP_MAX_SIZE_REACHED", false, "The consumer group has reached its max size."},
	{FencedInstanceID, "FENCED_INSTANCE_ID", false, "The broker rejected this static consumer since another consumer with the same group.instance.id has registered with a different member.id."},
	{EligibleLeadersNotAvailable, "ELIGIBLE_LEADERS_NOT_AVAILABLE", true, "Eligible topic partition leaders are not available."},
	{ElectionNotNeeded, "ELECTION_NOT_NEEDED", true, "Leader election not needed for topic partition."},
	{NoReassignmentInProgress, "NO_REASSIGNMENT_IN_PROGRESS", false, "No partition reassignment is in progress."},
	{GroupSubscribedToTopic, "GROUP_SUBSCRIBED_TO_TOPIC", false, "Deleting offsets of a topic is forbidden while the consumer group is actively subscribed to it."},
	{InvalidRecord, "INVALID_RECORD", false, "This record has failed the validation on broker and hence will be rejected."},
	{UnstableOffsetCommit, "UNSTABLE_OFFSET_COMMIT", true, "There are unstable offsets that need to be cleared."},
	{ThrottlingQuotaExceeded, "THROTTLING_QUOTA_EXCEEDED", true, "The throttling quota has been exceeded."},
	{ProducerFenced, "PRODUCER_FENCED", false, "There is a newer producer with the same transactionalId which fences the current one."},
	{InvalidUpdateVersion, "INVALID_UPDATE_VERSION", false, "The given update version was invalid."},
	{UnknownTopicID, "UNKNOWN_TOPIC_ID", true, "This server does not host this topic ID."},
	{InconsistentClusterID, "INCONSISTENT_CLUSTER_ID", false, "The clusterId in the request does not match that found on the server."},
	{TransactionalIDNotFound, "TRANSACTIONAL_ID_NOT_FOUND", false, "The transactionalId could not be found."},
	{NewLeaderElected, "NEW_LEADER_ELECTED", false, "A new leader was elected while the request was waiting for its completion."},
	{OffsetMovedToTieredStorage, "OFFSET_MOVED_TO_TIERED_STORAGE", false, "The requested offset is moved to tiered storage."},
	{FencedMemberEpoch, "FENCED_MEMBER_EPOCH", false, "The member epoch is fenced by the group coordinator."},
	{UnreleasedInstanceID, "UNRELEASED_INSTANCE_ID", false, "The instance ID is still used by another member in the consumer group."},
	{UnsupportedAssignor, "UNSUPPORTED_ASSIGNOR", false, "The assignor or its version range is not supported by the consumer group."},
	{StaleMemberEpoch, "STALE_MEMBER_EPOCH", false, "The member epoch is stale."},
	{StaleBrokerEpoch, "STALE_BROKER_EPOCH", false, "Broker epoch has changed."},
	{DuplicateBrokerRegistration, "DUPLICATE_BROKER_REGISTRATION", false, "This broker ID is already in use."},
	{IneligibleReplica, "INELIGIBLE_REPLICA", false, "The new ISR contains at least one ineligible replica."},
	{InvalidRegularExpression, "INVALID_REGULAR_EXPRESSION", false, "The regular expression is not valid."},
	{TopicDeletionDisabled, "TOPIC_DELETION_DISABLED", false, "Topic deletion is disabled."},
	{MismatchedEndpointType, "MISMATCHED_ENDPOINT_TYPE", false, "The request was sent to an endpoint of the wrong type."},
	{UnsupportedEndpointType, "UNSUPPORTED_ENDPOINT_TYPE", false, "This endpoint type is not supported yet."},
	{RecordTooLarge, "RECORD_TOO_LARGE", false, "The record is larger than max.request.size or buffer.memory (RecordTooLargeException, raised by the producer before sending)."},
	{ClientTimeout, "TIMEOUT", true, "The client gave up waiting (TimeoutException): delivery.timeout.ms, max.block.ms or default.api.timeout.ms expired."},
	{BufferExhausted, "BUFFER_EXHAUSTED", true, "The producer's buffer.memory stayed full for max.block.ms (BufferExhaustedException)."},
	{TransactionAborted, "TRANSACTION_ABORTED", false, "The record was not sent because its transaction was aborted (TransactionAbortedException)."},
	{IllegalStateError, "ILLEGAL_STATE", false, "The client was used in a state that does not allow the call (IllegalStateException)."},
	{NoOffsetForPartition, "NO_OFFSET_FOR_PARTITION", false, "No committed offset and auto.offset.reset is none (NoOffsetForPartitionException)."},
}

var errorsByCode = func() map[ErrorCode]ErrorInfo {
	m := make(map[ErrorCode]ErrorInfo, len(errorTable))
	for _, e := range errorTable {
		m[e.Code] = e
	}
	return m
}()

// Info returns the description of an error code.
func (c ErrorCode) Info() ErrorInfo {
	if e, ok := errorsByCode[c]; ok {
		return e
	}
	return ErrorInfo{Code: c, Name: "UNKNOWN_ERROR_CODE", Message: "An error code the playground does not know."}
}

// String returns Kafka's name of the error, "NONE" for no error.
func (c ErrorCode) String() string { return c.Info().Name }

// Retriable reports whether Kafka's clients retry the error.
func (c ErrorCode) Retriable() bool { return c.Info().Retriable }

// Name returns the error's name as the state document and step results
// show it: "" for no error, Kafka's name otherwise.
func (c ErrorCode) Name() string {
	if c == None {
		return ""
	}
	return c.String()
}

// Errors returns the whole table, in code order of declaration.
func Errors() []ErrorInfo { return append([]ErrorInfo(nil), errorTable...) }
