package zookeeper

import "strconv"

// Paths Kafka used in ZooKeeper, and the data it kept there.
const (
	BrokersPath               = "/brokers"
	BrokerIDsPath             = "/brokers/ids"
	TopicsPath                = "/brokers/topics"
	ControllerPath            = "/controller"
	ControllerEpochPath       = "/controller_epoch"
	IsrChangeNotificationPath = "/isr_change_notification"
	ConfigPath                = "/config"
	TopicConfigsPath          = "/config/topics"
	BrokerConfigsPath         = "/config/brokers"
	// UserConfigsPath holds users' SCRAM credentials, one znode per user.
	UserConfigsPath = "/config/users"
	// AclPath holds ACL bindings. Kafka keeps one znode per resource
	// with its bindings; the playground keeps one per binding.
	AclPath = "/kafka-acl"
)

// BasePaths are the persistent znodes a Kafka cluster's ensemble holds
// before any broker starts.
var BasePaths = []string{BrokersPath, BrokerIDsPath, TopicsPath, ConfigPath, TopicConfigsPath, BrokerConfigsPath, UserConfigsPath, AclPath, IsrChangeNotificationPath}

// BrokerPath is a broker's registration: /brokers/ids/N.
func BrokerPath(id int32) string { return BrokerIDsPath + "/" + strconv.Itoa(int(id)) }

// TopicPath holds a topic's replica assignment.
func TopicPath(topic string) string { return TopicsPath + "/" + topic }

// PartitionStatePath holds a partition's leader, epoch and ISR.
func PartitionStatePath(topic string, partition int32) string {
	return TopicPath(topic) + "/partitions/" + strconv.Itoa(int(partition)) + "/state"
}

// PartitionPaths are the znodes above a partition's state.
func PartitionPaths(topic string, partition int32) []string {
	base := TopicPath(topic) + "/partitions"
	return []string{base + "/" + strconv.Itoa(int(partition))}
}

// BrokerRegistration is the data of /brokers/ids/N.
type BrokerRegistration struct {
	ID   int32
	Host string
}

// ControllerData is the data of /controller.
type ControllerData struct {
	BrokerID int32
}

// TopicAssignment is the data of /brokers/topics/T.
type TopicAssignment struct {
	TopicID    string
	Partitions [][]int32
}

// PartitionState is the data of a partition's state znode.
type PartitionState struct {
	Leader          int32
	LeaderEpoch     int32
	Isr             []int32
	ControllerEpoch int32
}

// IsrChange is the data of an ISR change notification.
type IsrChange struct {
	Topic     string
	Partition int32
}

// InitTree creates the base paths in a new ensemble's tree.
func InitTree(t *Tree) {
	for _, p := range BasePaths {
		t.Nodes[p] = &ZNode{}
	}
	t.Nodes[ControllerEpochPath] = &ZNode{Data: int32(0)}
}
