package broker

// DescribeConfigs (API key 32), versions 1-4 on the wire.
//
// Any broker answers from its own configuration and metadata, as Kafka's
// ConfigHelper does:
//
//   - TOPIC: every topic key (or the names asked for) with its effective
//     value; the source is TOPIC_CONFIG for an override, else that of the
//     first of the broker synonyms (ServerTopicConfigSynonyms) that has a
//     value: DYNAMIC_BROKER_CONFIG (this broker's dynamic config),
//     DYNAMIC_DEFAULT_BROKER_CONFIG (the cluster-wide dynamic config),
//     STATIC_BROKER_CONFIG (server.properties), DEFAULT_CONFIG. Topic
//     keys are never read-only. An unknown topic is
//     UNKNOWN_TOPIC_OR_PARTITION.
//   - BROKER with this broker's id: every broker key, read-only unless
//     DynamicBrokerConfig may change it, synonyms as above; with "" the
//     cluster-wide dynamic configs only. Another broker's id or a name
//     that is no number is INVALID_REQUEST.
//   - Synonyms (include_synonyms) and documentation
//     (include_documentation, the playground's own sentence for the key)
//     only when asked; PASSWORD keys are sensitive and their value null.
//
// Authorization as KafkaApis: DESCRIBE_CONFIGS on the topic
// (TOPIC_AUTHORIZATION_FAILED) or on the cluster for brokers
// (CLUSTER_AUTHORIZATION_FAILED), with the refused resources answered
// after the others, as Kafka orders them.
//
// Not implemented: BROKER_LOGGER, GROUP and CLIENT_METRICS resources
// (answered INVALID_REQUEST: there are no log4j loggers, group configs or
// metrics subscriptions in the simulation), listener-prefixed overrides
// among the synonyms, and topic name validation (INVALID_TOPIC_EXCEPTION:
// an invalid name is simply unknown).

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/kafka-playground/playground/core/config"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/security"
	"github.com/kafka-playground/playground/core/sim"
)

// Config resource types of other kinds, which are not simulated.
const (
	configResourceGroup         int8 = 32
	configResourceClientMetrics int8 = 16
)

func (b *Broker) handleDescribeConfigs(from sim.NodeID, req *protocol.DescribeConfigsRequest) {
	resp := &protocol.DescribeConfigsResponse{CorrelationID: req.CorrelationID}
	var refused []protocol.DescribeConfigsResult
	for _, res := range req.Resources {
		if code := b.describeConfigsDenied(from, res); code != protocol.None {
			refused = append(refused, protocol.DescribeConfigsResult{ResourceType: res.ResourceType, ResourceName: res.ResourceName,
				Error: code, ErrorMessage: code.Info().Message})
			continue
		}
		res.Names = append([]string(nil), res.Names...)
		sort.Strings(res.Names)
		result := b.describeResource(res, req.IncludeSynonyms, req.IncludeDocumentation)
		result.ResourceType, result.ResourceName = res.ResourceType, res.ResourceName
		resp.Results = append(resp.Results, result)
	}
	resp.Results = append(resp.Results, refused...)
	b.sim.Send(b.node, from, resp)
}

// describeConfigsDenied is the authorization error of one resource, None
// when the client may describe it.
func (b *Broker) describeConfigsDenied(from sim.NodeID, res protocol.DescribeConfigsResource) protocol.ErrorCode {
	switch res.ResourceType {
	case protocol.ResourceTopic:
		if !b.authorize(from, security.OpDescribeConfigs, security.TopicResource, res.ResourceName) {
			return protocol.TopicAuthorizationFailed
		}
	case protocol.ResourceBroker, protocol.ResourceBrokerLogger, configResourceClientMetrics:
		if !b.authorize(from, security.OpDescribeConfigs, security.ClusterResource, security.ClusterResourceName) {
			return protocol.ClusterAuthorizationFailed
		}
	case configResourceGroup:
		if !b.authorize(from, security.OpDescribeConfigs, security.GroupResource, res.ResourceName) {
			return protocol.GroupAuthorizationFailed
		}
	}
	return protocol.None
}

func (b *Broker) describeResource(res protocol.DescribeConfigsResource, synonyms, documentation bool) protocol.DescribeConfigsResult {
	invalid := func(message string) protocol.DescribeConfigsResult {
		return protocol.DescribeConfigsResult{Error: protocol.InvalidRequest, ErrorMessage: message}
	}
	switch res.ResourceType {
	case protocol.ResourceTopic:
		return b.describeTopicConfigs(res, synonyms, documentation)
	case protocol.ResourceBroker:
		if res.ResourceName == "" {
			return b.describeBrokerConfigs(res, false, synonyms, documentation)
		}
		id, err := strconv.Atoi(res.ResourceName)
		if err != nil {
			return invalid("Broker id must be an integer, but it is: " + res.ResourceName)
		}
		if int32(id) != b.settings.ID {
			return invalid(fmt.Sprintf("Unexpected broker id, expected %d or empty string, but received %s", b.settings.ID, res.ResourceName))
		}
		return b.describeBrokerConfigs(res, true, synonyms, documentation)
	case protocol.ResourceBrokerLogger, configResourceGroup, configResourceClientMetrics:
		return invalid(fmt.Sprintf("Config resource type %d is not simulated by the playground", res.ResourceType))
	}
	return invalid(fmt.Sprintf("Unsupported resource type: %d", res.ResourceType))
}

func (b *Broker) describeTopicConfigs(res protocol.DescribeConfigsResource, synonyms, documentation bool) protocol.DescribeConfigsResult {
	topic := b.disk.Image.Topics[res.ResourceName]
	settings := b.topics[res.ResourceName]
	if topic == nil || settings == nil {
		return protocol.DescribeConfigsResult{Error: protocol.UnknownTopicOrPartition}
	}
	var result protocol.DescribeConfigsResult
	for _, d := range config.Definitions(config.Topic) {
		if !wanted(res.Names, d.Name) {
			continue
		}
		entry := configEntry(d, settings.values)
		var all []protocol.ConfigSynonym
		if override, ok := topic.Config[d.Name]; ok {
			all = append(all, protocol.ConfigSynonym{Name: d.Name, Value: override, Source: protocol.ConfigSourceTopic})
		}
		if names := config.TopicSynonyms(d.Name); len(names) > 0 {
			all = append(all, b.configSynonyms(names, entry.Sensitive)...)
		}
		result.Configs = append(result.Configs, finishEntry(entry, all, synonyms, documentation, d))
	}
	return result
}

// describeBrokerConfigs describes this broker (perBroker) or the
// cluster-wide dynamic defaults.
func (b *Broker) describeBrokerConfigs(res protocol.DescribeConfigsResource, perBroker, synonyms, documentation bool) protocol.DescribeConfigsResult {
	clusterWide := b.disk.Image.BrokerConfig[""]
	var result protocol.DescribeConfigsResult
	for _, d := range config.Definitions(config.Broker) {
		if d.Removed != "" || !wanted(res.Names, d.Name) {
			continue
		}
		entry := configEntry(d, b.config)
		if !perBroker {
			value, ok := clusterWide[d.Name]
			if !ok {
				continue
			}
			entry.Value, entry.Null = value, entry.Sensitive
		}
		all := b.configSynonyms(config.BrokerSynonyms(d.Name), entry.Sensitive)
		if !perBroker {
			all = keepSource(all, protocol.ConfigSourceDynamicDefaultBroker)
		}
		entry.ReadOnly = !d.Dynamic
		result.Configs = append(result.Configs, finishEntry(entry, all, synonyms, documentation, d))
	}
	return result
}

// configEntry is a key's entry with its effective value.
func configEntry(d config.Definition, values config.Values) protocol.ConfigEntry {
	entry := protocol.ConfigEntry{Name: d.Name, Type: configType(d.Type), Sensitive: d.Type == config.Password}
	if entry.Sensitive || values.IsNull(d.Name) {
		entry.Null = true
	} else {
		entry.Value = values.String(d.Name)
	}
	return entry
}

// finishEntry sets an entry's source from its synonyms and keeps what
// was asked for.
func finishEntry(entry protocol.ConfigEntry, all []protocol.ConfigSynonym, synonyms, documentation bool, d config.Definition) protocol.ConfigEntry {
	entry.Source = protocol.ConfigSourceDefault
	if len(all) > 0 {
		entry.Source = all[0].Source
	}
	if synonyms {
		entry.Synonyms = all
	}
	if documentation {
		entry.Documentation = d.Doc
	}
	return entry
}

// configSynonyms lists, source by source in precedence order, the values
// the broker keys names have, from the first entry of names[0] on (as
// Kafka's ConfigHelper.configSynonyms does: so retention.ms, whose first
// synonym log.retention.ms has no default, shows no synonym unless
// log.retention.ms is set somewhere).
func (b *Broker) configSynonyms(names []string, sensitive bool) []protocol.ConfigSynonym {
	image := b.disk.Image
	static := b.settings.Static.Explicit()
	sources := []struct {
		values map[string]string
		source int8
	}{
		{image.BrokerConfig[strconv.Itoa(int(b.settings.ID))], protocol.ConfigSourceDynamicBroker},
		{image.BrokerConfig[""], protocol.ConfigSourceDynamicDefaultBroker},
		{static, protocol.ConfigSourceStaticBroker},
	}
	var out []protocol.ConfigSynonym
	add := func(name, value string, null bool, source int8) {
		if sensitive {
			value, null = "", true
		}
		out = append(out, protocol.ConfigSynonym{Name: name, Value: value, Null: null, Source: source})
	}
	for _, s := range sources {
		for _, name := range names {
			if value, ok := s.values[name]; ok {
				add(name, value, false, s.source)
			}
		}
	}
	for _, name := range names {
		// Kafka's staticDefaultConfigs leave out null defaults.
		if d, ok := config.Lookup(config.Broker, name); ok && !d.DefaultNull {
			add(name, d.Default, false, protocol.ConfigSourceDefault)
		}
	}
	for len(out) > 0 && out[0].Name != names[0] {
		out = out[1:]
	}
	return out
}

func keepSource(all []protocol.ConfigSynonym, source int8) []protocol.ConfigSynonym {
	var out []protocol.ConfigSynonym
	for _, s := range all {
		if s.Source == source {
			out = append(out, s)
		}
	}
	return out
}

// wanted reports whether a key is among the names asked for (all when
// none is named).
func wanted(names []string, name string) bool {
	if len(names) == 0 {
		return true
	}
	i := sort.SearchStrings(names, name)
	return i < len(names) && names[i] == name
}

// configType is DescribeConfigs' type id of a config type.
func configType(t config.Type) int8 {
	switch t {
	case config.Boolean:
		return protocol.ConfigTypeBoolean
	case config.String:
		return protocol.ConfigTypeString
	case config.Int:
		return protocol.ConfigTypeInt
	case config.Short:
		return protocol.ConfigTypeShort
	case config.Long:
		return protocol.ConfigTypeLong
	case config.Double:
		return protocol.ConfigTypeDouble
	case config.List:
		return protocol.ConfigTypeList
	case config.Class:
		return protocol.ConfigTypeClass
	case config.Password:
		return protocol.ConfigTypePassword
	}
	return protocol.ConfigTypeUnknown
}
