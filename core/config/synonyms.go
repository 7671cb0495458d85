package config

// timeSynonyms are the broker keys that set one time in different units,
// highest precedence first (Kafka's DynamicBrokerConfig.brokerConfigSynonyms).
var timeSynonyms = [][]string{
	{"log.retention.ms", "log.retention.minutes", "log.retention.hours"},
	{"log.roll.ms", "log.roll.hours"},
	{"log.roll.jitter.ms", "log.roll.jitter.hours"},
}

// BrokerSynonyms returns the broker keys that can set a broker key, in
// precedence order: the key's unit group for the retention and roll
// times (a key of lower precedence is described with only the keys from
// it on, as Kafka's DescribeConfigs drops the ones before), else the key
// alone. Listener-prefixed overrides are not simulated.
func BrokerSynonyms(name string) []string {
	for _, group := range timeSynonyms {
		for i, key := range group {
			if key == name {
				return append([]string(nil), group[i:]...)
			}
		}
	}
	return []string{name}
}

// TopicSynonyms returns the broker keys that give a topic key its
// default, in precedence order (Kafka's ServerTopicConfigSynonyms); nil
// for a key that has none.
func TopicSynonyms(name string) []string {
	definition, ok := Lookup(Topic, name)
	if !ok || definition.BrokerSynonym == "" {
		return nil
	}
	return BrokerSynonyms(definition.BrokerSynonym)
}
