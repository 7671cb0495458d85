package scenario

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/kafka-playground/playground/core"
)

// The limits below bound everything a scenario can ask for, so that a hostile
// or mistaken file (a share link is anyone's input) is refused with a clear
// message instead of exhausting memory or time. Decode enforces every one.
const (
	// MaxScenarioBytes is the largest scenario file Decode reads; the size is
	// checked before any parsing.
	MaxScenarioBytes = 4 << 20
	// MaxSteps is the largest number of steps in one scenario.
	MaxSteps = 10_000
	// MaxBrokers is the largest cluster; brokers are numbered 1..MaxBrokers.
	MaxBrokers = 16
	// MaxControllers is the largest KRaft controller quorum.
	MaxControllers = 7
	// MaxZooKeepers is the largest ZooKeeper ensemble.
	MaxZooKeepers = 7
	// MaxLatencyMs is the largest one-way network latency between two nodes.
	MaxLatencyMs = 10_000
	// MaxTopicsCreated is the largest number of create_topic steps.
	MaxTopicsCreated = 100
	// MaxPartitions is the largest partition count of one create_topic step;
	// partition numbers are 0..MaxPartitions-1.
	MaxPartitions = 1000
	// MaxReplicationFactor is the largest replication factor Decode accepts.
	// A factor above the number of live brokers is Kafka's own
	// INVALID_REPLICATION_FACTOR at run time, not a decoding error.
	MaxReplicationFactor = 16
	// MaxRecordsPerStep is the largest count of one produce step.
	MaxRecordsPerStep = 1_000_000
	// MaxRecordsTotal is the largest number of records all produce steps of a
	// scenario send together.
	MaxRecordsTotal = 10_000_000
	// MaxKeyBytes is the largest key template of a produce step.
	MaxKeyBytes = 1 << 20
	// MaxValueBytes is the largest value template of a produce step.
	MaxValueBytes = 1 << 20
	// MaxHeaderBytes is the largest header key, and the largest header value.
	MaxHeaderBytes = 1 << 20
	// MaxHeaders is the largest number of headers of a produce step.
	MaxHeaders = 100
	// MaxAdvanceMs is the longest advance step: 400 days of virtual time.
	MaxAdvanceMs = 400 * 24 * 60 * 60 * 1000
	// MaxAtMs is the latest at_ms a step may carry: 400 days of virtual time.
	MaxAtMs = 400 * 24 * 60 * 60 * 1000
	// MaxConfigEntries is the largest number of entries of one config map.
	MaxConfigEntries = 100
	// MaxConfigKeyLength is the longest config key, in characters.
	MaxConfigKeyLength = 255
	// MaxConfigValueBytes is the largest config value.
	MaxConfigValueBytes = 64 << 10
	// MaxNameLength is the longest scenario name, in characters.
	MaxNameLength = 200
	// MaxDescriptionLength is the longest scenario description, in characters.
	MaxDescriptionLength = 10_000
	// MaxNoteLength is the longest note of one step, in characters.
	MaxNoteLength = 10_000
	// MaxTopicNameLength is Kafka's own limit on the length of a topic name.
	MaxTopicNameLength = 249
	// MaxClientIDLength is the longest producer or consumer id.
	MaxClientIDLength = 64
	// MaxSubscribedTopics is the largest topic list of one add_consumer step.
	MaxSubscribedTopics = 100
	// MaxIdentifierLength is the longest group id, user name, password,
	// principal, ACL resource name or ACL host, in characters.
	MaxIdentifierLength = 255
	// MaxCredentialLength is the longest credential of add_user: a salt
	// and two SHA-512 keys in base64 with their names.
	MaxCredentialLength = 1024
	// MaxPollRecords is the largest max_records of a poll step.
	MaxPollRecords = 100_000
	// MaxPollTimeoutMs is the longest timeout_ms of a poll step: one hour.
	MaxPollTimeoutMs = 3_600_000
	// MaxEavesdroppers is the most add_eavesdropper steps a scenario has.
	MaxEavesdroppers = core.MaxEavesdroppers
	// MaxNodeDelayMs is the largest extra latency of a delay_node step.
	MaxNodeDelayMs = 60_000
	// MaxNetworkGroups is the largest number of groups of a partition_network
	// step.
	MaxNetworkGroups = 64
	// MaxPathBytes is the longest state path of an expect step.
	MaxPathBytes = 1000
)

// ValidateTopicName reports whether name is a topic name Kafka accepts: 1 to
// 249 characters among ASCII letters, digits, '.', '_' and '-', and neither
// "." nor "..". The error says what is wrong, for showing to a learner.
func ValidateTopicName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("a topic name must not be empty")
	case name == "." || name == "..":
		return fmt.Errorf("a topic name cannot be %q", name)
	case len(name) > MaxTopicNameLength:
		return fmt.Errorf("a topic name is at most %d characters, this one has %d", MaxTopicNameLength, len(name))
	}
	if index := firstIllegalCharacter(name); index >= 0 {
		character, _ := utf8.DecodeRuneInString(name[index:])
		return fmt.Errorf("topic name %s contains %q; the legal characters are ASCII letters, digits, '.', '_' and '-'", quoteShort(name), character)
	}
	return nil
}

// ValidateClientID reports whether id may name a producer or a consumer: 1 to
// 64 characters among ASCII letters, digits, '.', '_' and '-', and not a name
// the cluster's own nodes use (broker-N, controller-N, zookeeper-N) nor
// "admin", which is the playground's own admin client. Client ids are node
// names of the simulated network, hence the reserved names.
func ValidateClientID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("a client id must not be empty")
	case len(id) > MaxClientIDLength:
		return fmt.Errorf("a client id is at most %d characters, this one has %d", MaxClientIDLength, len(id))
	case id == AdminClientID:
		return fmt.Errorf("%q is reserved for the playground's own admin client", id)
	}
	if index := firstIllegalCharacter(id); index >= 0 {
		character, _ := utf8.DecodeRuneInString(id[index:])
		return fmt.Errorf("client id %s contains %q; the legal characters are ASCII letters, digits, '.', '_' and '-'", quoteShort(id), character)
	}
	if looksLikeNodeName(id) {
		return fmt.Errorf("client id %q looks like a node name; broker-N, controller-N and zookeeper-N are reserved for the cluster's nodes", id)
	}
	return nil
}

// firstIllegalCharacter returns the byte index of the first character of name
// outside [a-zA-Z0-9._-], or -1.
func firstIllegalCharacter(name string) int {
	for index := 0; index < len(name); index++ {
		character := name[index]
		switch {
		case 'a' <= character && character <= 'z', 'A' <= character && character <= 'Z',
			'0' <= character && character <= '9', character == '.', character == '_', character == '-':
		default:
			return index
		}
	}
	return -1
}

// nodeKinds are the prefixes of the cluster's own node names, in the order
// they are listed to a user.
var nodeKinds = []string{"broker", "controller", "zookeeper"}

// looksLikeNodeName reports whether name has the shape kind-digits of a
// cluster node name, whatever the number.
func looksLikeNodeName(name string) bool {
	for _, kind := range nodeKinds {
		if rest, found := strings.CutPrefix(name, kind+"-"); found && rest != "" && allDigits(rest) {
			return true
		}
	}
	return false
}

// allDigits reports whether text is made of ASCII digits only.
func allDigits(text string) bool {
	for index := 0; index < len(text); index++ {
		if text[index] < '0' || text[index] > '9' {
			return false
		}
	}
	return true
}

// characterCount is the length of text in characters (Unicode code points),
// the unit of the limits that a person types against.
func characterCount(text string) int {
	return utf8.RuneCountInString(text)
}

// quoteShort quotes text for a message, cut to a readable length.
func quoteShort(text string) string {
	const maximum = 60
	if len(text) <= maximum {
		return fmt.Sprintf("%q", text)
	}
	cut := maximum
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return fmt.Sprintf("%q…", text[:cut])
}
