package controller

import (
	"fmt"
	"strconv"

	"github.com/kafka-playground/playground/core/metadata"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/sim"
)

// onCreateTopics validates and creates topics: a TopicRecord, one
// PartitionRecord per partition with replicas placed over the usable
// brokers (leader = first replica, ISR = all), and the topic's configs.
func (c *Controller) onCreateTopics(from sim.NodeID, m *protocol.CreateTopicsRequest) {
	c.catchUp()
	resp := &protocol.CreateTopicsResponse{CorrelationID: m.CorrelationID}
	var records []metadata.Record
	for _, t := range m.Topics {
		result, topicRecords := c.createTopic(t, m.ValidateOnly)
		resp.Topics = append(resp.Topics, result)
		records = append(records, topicRecords...)
	}
	c.commitAndRespond(from, records, resp)
}

// commitAndRespond appends records and answers once they are committed.
func (c *Controller) commitAndRespond(from sim.NodeID, records []metadata.Record, resp sim.Message) {
	end := c.log.Committed
	if len(records) > 0 {
		end = c.append(records...)
	}
	c.respondAfter(end, from, resp)
}

// onCreatePartitions adds partitions to topics: PartitionRecords placed as
// the topic's first partitions were.
func (c *Controller) onCreatePartitions(from sim.NodeID, m *protocol.CreatePartitionsRequest) {
	c.catchUp()
	resp := &protocol.CreatePartitionsResponse{CorrelationID: m.CorrelationID}
	var records []metadata.Record
	for _, t := range m.Topics {
		more, err := c.image.AddPartitions(c.settings.Seed, t.Name, t.Count)
		resp.Results = append(resp.Results, protocol.NewCreatePartitionsResult(t.Name, err))
		if err == nil && !m.ValidateOnly {
			records = append(records, more...)
		}
	}
	c.commitAndRespond(from, records, resp)
}

func (c *Controller) createTopic(t protocol.CreatableTopic, validateOnly bool) (protocol.CreateTopicResult, []metadata.Record) {
	result := protocol.CreateTopicResult{Name: t.Name, NumPartitions: t.NumPartitions, ReplicationFactor: t.ReplicationFactor}
	fail := func(code protocol.ErrorCode, message string) (protocol.CreateTopicResult, []metadata.Record) {
		result.Error, result.ErrorMessage = code, message
		return result, nil
	}
	if _, exists := c.image.Topics[t.Name]; exists {
		return fail(protocol.TopicAlreadyExists, fmt.Sprintf("Topic '%s' already exists.", t.Name))
	}
	if t.NumPartitions == -1 {
		n, _ := strconv.Atoi(c.brokerConfig("num.partitions"))
		t.NumPartitions = int32(n)
		result.NumPartitions = t.NumPartitions
	}
	if t.ReplicationFactor == -1 {
		n, _ := strconv.Atoi(c.brokerConfig("default.replication.factor"))
		t.ReplicationFactor = int16(n)
		result.ReplicationFactor = t.ReplicationFactor
	}
	if t.NumPartitions < 1 {
		return fail(protocol.InvalidPartitions, "Number of partitions was set to an invalid non-positive value.")
	}
	if t.ReplicationFactor < 1 {
		return fail(protocol.InvalidReplicationFactor, "Replication factor must be larger than 0, or -1 to use the default value.")
	}
	if err := c.settings.ValidateTopicConfig(t.Configs); err != nil {
		return fail(protocol.InvalidConfig, err.Error())
	}
	assignment, err := metadata.PlaceReplicas(metadata.PlacementRand(c.settings.Seed, t.Name), c.image.UsableBrokers(), t.NumPartitions, t.ReplicationFactor)
	if err != nil {
		return fail(protocol.InvalidReplicationFactor, err.Error())
	}
	if validateOnly {
		return result, nil
	}
	idRand := metadata.PlacementRand(c.settings.Seed^0x5bd1e995, t.Name)
	result.TopicID = topicID(idRand.Uint64(), idRand.Uint64())
	records := []metadata.Record{&metadata.TopicRecord{Name: t.Name, TopicID: result.TopicID}}
	for p, replicas := range assignment {
		records = append(records, &metadata.PartitionRecord{Topic: t.Name, Partition: int32(p), Replicas: replicas,
			Isr: append([]int32(nil), replicas...), Leader: replicas[0]})
	}
	for _, name := range sortedNames(t.Configs) {
		records = append(records, &metadata.ConfigRecord{ResourceType: protocol.ResourceTopic, ResourceName: t.Name,
			Name: name, Value: t.Configs[name]})
	}
	return result, records
}

// brokerConfig returns the cluster-wide value of a broker config.
func (c *Controller) brokerConfig(name string) string {
	if v, ok := c.image.BrokerConfig[""][name]; ok {
		return v
	}
	return c.settings.BrokerDefault(name)
}

// topicID renders 128 random bits as Kafka prints a Uuid: URL-safe base64
// without padding (22 characters).
func topicID(high, low uint64) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	var bytes [16]byte
	for i := 0; i < 8; i++ {
		bytes[i] = byte(high >> (56 - 8*i))
		bytes[8+i] = byte(low >> (56 - 8*i))
	}
	out := make([]byte, 0, 22)
	var acc uint32
	bits := 0
	for _, b := range bytes {
		acc = acc<<8 | uint32(b)
		bits += 8
		for bits >= 6 {
			bits -= 6
			out = append(out, alphabet[(acc>>uint(bits))&63])
		}
	}
	if bits > 0 {
		out = append(out, alphabet[(acc<<uint(6-bits))&63])
	}
	return string(out)
}

func sortedNames(m map[string]string) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	for i := 1; i < len(names); i++ {
		for j := i; j > 0 && names[j] < names[j-1]; j-- {
			names[j], names[j-1] = names[j-1], names[j]
		}
	}
	return names
}

func (c *Controller) onDeleteTopics(from sim.NodeID, m *protocol.DeleteTopicsRequest) {
	c.catchUp()
	resp := &protocol.DeleteTopicsResponse{CorrelationID: m.CorrelationID}
	var records []metadata.Record
	for _, name := range m.Topics {
		result := protocol.DeleteTopicResult{Name: name}
		if _, ok := c.image.Topics[name]; !ok {
			result.Error = protocol.UnknownTopicOrPartition
			result.ErrorMessage = "This server does not host this topic-partition."
		} else {
			records = append(records, &metadata.RemoveTopicRecord{Name: name})
		}
		resp.Topics = append(resp.Topics, result)
	}
	c.commitAndRespond(from, records, resp)
}

func (c *Controller) onIncrementalAlterConfigs(from sim.NodeID, m *protocol.IncrementalAlterConfigsRequest) {
	c.catchUp()
	resp := &protocol.IncrementalAlterConfigsResponse{CorrelationID: m.CorrelationID}
	var records []metadata.Record
	for _, res := range m.Resources {
		result, resRecords := c.alterConfigs(res)
		resp.Resources = append(resp.Resources, result)
		records = append(records, resRecords...)
	}
	end := c.log.Committed
	if len(records) > 0 {
		end = c.append(records...)
		if more := c.uncleanElections(); len(more) > 0 {
			end = c.append(more...)
		}
	}
	c.respondAfter(end, from, resp)
}

func (c *Controller) alterConfigs(res protocol.AlterConfigsResource) (protocol.AlterConfigsResult, []metadata.Record) {
	result := protocol.AlterConfigsResult{ResourceType: res.ResourceType, ResourceName: res.ResourceName}
	current := map[string]string{}
	validate := c.settings.ValidateBrokerConfig
	if res.ResourceType == protocol.ResourceTopic {
		t := c.image.Topics[res.ResourceName]
		if t == nil {
			result.Error, result.ErrorMessage = protocol.UnknownTopicOrPartition, "Topic "+res.ResourceName+" does not exist."
			return result, nil
		}
		for k, v := range t.Config {
			current[k] = v
		}
		validate = c.settings.ValidateTopicConfig
	} else if res.ResourceName != "" {
		id, err := strconv.Atoi(res.ResourceName)
		if err != nil || c.image.Brokers[int32(id)] == nil {
			result.Error, result.ErrorMessage = protocol.InvalidRequest, "Broker "+res.ResourceName+" is not registered."
			return result, nil
		}
	}
	records, changes := res.ConfigRecords(current)
	check := current
	if res.ResourceType != protocol.ResourceTopic {
		check = changes
	}
	if err := validate(check); err != nil {
		result.Error, result.ErrorMessage = protocol.InvalidConfig, err.Error()
		if res.ResourceType != protocol.ResourceTopic {
			result.Error = protocol.InvalidRequest
		}
		return result, nil
	}
	return result, records
}
