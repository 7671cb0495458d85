package protocol

import "github.com/kafka-playground/playground/core/security"

// Config sources of DescribeConfigs, Kafka's ConfigSource ids.
const (
	ConfigSourceUnknown              int8 = 0
	ConfigSourceTopic                int8 = 1
	ConfigSourceDynamicBroker        int8 = 2
	ConfigSourceDynamicDefaultBroker int8 = 3
	ConfigSourceStaticBroker         int8 = 4
	ConfigSourceDefault              int8 = 5
)

// Config types of DescribeConfigs (version 3 on), Kafka's
// DescribeConfigsResponse.ConfigType ids.
const (
	ConfigTypeUnknown  int8 = 0
	ConfigTypeBoolean  int8 = 1
	ConfigTypeString   int8 = 2
	ConfigTypeInt      int8 = 3
	ConfigTypeShort    int8 = 4
	ConfigTypeLong     int8 = 5
	ConfigTypeDouble   int8 = 6
	ConfigTypeList     int8 = 7
	ConfigTypeClass    int8 = 8
	ConfigTypePassword int8 = 9
)

// ResourceBrokerLogger is the BROKER_LOGGER config resource type.
const ResourceBrokerLogger int8 = 8

// DescribeConfigsResource is one resource of a DescribeConfigsRequest:
// a topic, or a broker by id ("" for the cluster-wide defaults). Nil
// Names means every config of the resource.
type DescribeConfigsResource struct {
	ResourceType int8
	ResourceName string
	Names        []string
}

// DescribeConfigsRequest (API key 32) describes topic and broker
// configuration; any broker answers it from its metadata.
type DescribeConfigsRequest struct {
	CorrelationID        int32
	Resources            []DescribeConfigsResource
	IncludeSynonyms      bool
	IncludeDocumentation bool
}

// ConfigSynonym is one place a config's value can come from, in order
// of precedence.
type ConfigSynonym struct {
	Name   string
	Value  string
	Null   bool
	Source int8
}

// ConfigEntry is one config of a described resource. Null marks a value
// that is null (no default) or hidden (a password).
type ConfigEntry struct {
	Name          string
	Value         string
	Null          bool
	Source        int8
	ReadOnly      bool
	Sensitive     bool
	Type          int8
	Synonyms      []ConfigSynonym
	Documentation string
}

// DescribeConfigsResult is one resource's outcome.
type DescribeConfigsResult struct {
	ResourceType int8
	ResourceName string
	Error        ErrorCode
	ErrorMessage string
	Configs      []ConfigEntry
}

// DescribeConfigsResponse answers a DescribeConfigsRequest.
type DescribeConfigsResponse struct {
	CorrelationID int32
	Results       []DescribeConfigsResult
}

// DescribeAclsRequest (API key 29) lists the ACL bindings a filter
// matches; any broker answers it from its metadata.
type DescribeAclsRequest struct {
	CorrelationID int32
	Filter        AclFilter
}

// DescribeAclsResponse answers it, the bindings sorted.
type DescribeAclsResponse struct {
	CorrelationID int32
	Error         ErrorCode
	ErrorMessage  string
	ACLs          []security.ACL
}

// Endpoint types of DescribeCluster (KIP-919).
const (
	EndpointTypeBroker     int8 = 1
	EndpointTypeController int8 = 2
)

// DescribeClusterRequest (API key 60) describes the cluster: its id, a
// controller id and its brokers.
type DescribeClusterRequest struct {
	CorrelationID                      int32
	IncludeClusterAuthorizedOperations bool
	EndpointType                       int8
	IncludeFencedBrokers               bool
}

// DescribeClusterBroker is one broker of a DescribeClusterResponse.
type DescribeClusterBroker struct {
	NodeID int32
	Host   string
	Port   int32
	Fenced bool
}

// ClusterAuthorizedOperationsOmitted is the authorized-operations field
// of a response that was not asked for it (Kafka's Integer.MIN_VALUE).
const ClusterAuthorizedOperationsOmitted int32 = -2147483648

// DescribeClusterResponse answers a DescribeClusterRequest.
type DescribeClusterResponse struct {
	CorrelationID int32
	Error         ErrorCode
	ErrorMessage  string
	ClusterID     string
	ControllerID  int32
	EndpointType  int8
	Brokers       []DescribeClusterBroker
	// ClusterAuthorizedOperations is a bit field of the operations the
	// client may do on the cluster (bit n for operation code n).
	ClusterAuthorizedOperations int32
}

// Correlation implements ClientResponse.
func (m *DescribeConfigsResponse) Correlation() int32 { return m.CorrelationID }

// Correlation implements ClientResponse.
func (m *DescribeAclsResponse) Correlation() int32 { return m.CorrelationID }

// Correlation implements ClientResponse.
func (m *DescribeClusterResponse) Correlation() int32 { return m.CorrelationID }
