// Package metadata is the cluster metadata both metadata modes maintain:
// brokers, topics, partitions (replicas, ISR, leader, epochs) and dynamic
// configuration, as an image built by applying records in order — KRaft's
// metadata log records, which the ZooKeeper mode's controller produces too.
// It also holds the pure decisions every controller makes: replica
// placement and leader election.
package metadata

// Record is one entry of the metadata log.
type Record interface {
	// Describe returns a short description for traces.
	Describe() string
}

// NoLeaderChange in a PartitionChangeRecord means the leader stays.
const NoLeaderChange int32 = -2

// RegisterBrokerRecord registers a broker (incarnation) with the
// controller. A newly registered broker is fenced until it has caught up
// with the metadata log.
type RegisterBrokerRecord struct {
	BrokerID    int32
	BrokerEpoch int64
}

// FenceBrokerRecord fences a broker: its session expired or it shut down.
type FenceBrokerRecord struct {
	BrokerID    int32
	BrokerEpoch int64
}

// UnfenceBrokerRecord unfences a broker that has caught up.
type UnfenceBrokerRecord struct {
	BrokerID    int32
	BrokerEpoch int64
}

// ControlledShutdownRecord marks a broker as shutting down cleanly: it
// leads no partition and joins no ISR from then on.
type ControlledShutdownRecord struct {
	BrokerID    int32
	BrokerEpoch int64
}

// TopicRecord creates a topic.
type TopicRecord struct {
	Name    string
	TopicID string
}

// PartitionRecord creates a partition with its full state.
type PartitionRecord struct {
	Topic          string
	Partition      int32
	Replicas       []int32
	Isr            []int32
	Leader         int32
	LeaderEpoch    int32
	PartitionEpoch int32
}

// PartitionChangeRecord changes a partition's leader and/or ISR. Leader is
// NoLeaderChange to keep the leader and its epoch; any other value, the
// current leader included, starts a new leader epoch (as Kafka's
// PartitionRegistration.merge reads the record). Isr nil keeps the ISR.
// Every change bumps the partition epoch by one, unless PartitionEpoch
// names it.
type PartitionChangeRecord struct {
	Topic     string
	Partition int32
	Leader    int32
	Isr       []int32
	// Unclean marks a leader elected from outside the ISR.
	Unclean bool
	// PartitionEpoch, when above 0, is the partition epoch after the
	// change: in ZooKeeper mode the state znode's version, which a
	// leader's own ISR writes may move more than once between two reads
	// of the controller (Kafka's UpdateMetadata carries it as zkVersion).
	PartitionEpoch int32
}

// RemoveTopicRecord deletes a topic.
type RemoveTopicRecord struct {
	Name string
}

// ConfigRecord sets (or, with Delete, removes) one dynamic config of a
// topic, a broker, or (broker resource with empty name) the cluster.
type ConfigRecord struct {
	ResourceType int8
	ResourceName string
	Name         string
	Value        string
	Delete       bool
}
