package controller

import (
	"strconv"

	"github.com/kafka-playground/playground/core/metadata"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/sim"
)

// topicConfig returns a topic's effective value of a config: set on the
// topic, else the cluster's dynamic default of its broker synonym, else the
// static broker config.
func (c *Controller) topicConfig(topic, name, brokerSynonym string) string {
	if t := c.image.Topics[topic]; t != nil {
		if v, ok := t.Config[name]; ok {
			return v
		}
	}
	if v, ok := c.image.BrokerConfig[""][brokerSynonym]; ok {
		return v
	}
	return c.settings.BrokerDefault(brokerSynonym)
}

func (c *Controller) uncleanAllowed(topic string) bool {
	return c.topicConfig(topic, "unclean.leader.election.enable", "unclean.leader.election.enable") == "true"
}

func (c *Controller) policy() metadata.Policy {
	return metadata.Policy{UncleanAllowed: c.uncleanAllowed}
}

func (c *Controller) partitionChangesWithout(broker int32, shutdown bool) []metadata.Record {
	return c.image.ChangesWithout(broker, c.policy())
}

func (c *Controller) electionsFor(broker int32) []metadata.Record {
	return c.image.ElectionsFor(broker, c.policy())
}

func (c *Controller) uncleanElections() []metadata.Record {
	return c.image.UncleanElections(c.policy())
}

func (c *Controller) onAlterPartition(from sim.NodeID, m *protocol.AlterPartitionRequest) {
	c.catchUp()
	resp := &protocol.AlterPartitionResponse{CorrelationID: m.CorrelationID, Partition: m.Partition}
	p := c.image.Partition(m.Partition.Topic, m.Partition.Partition)
	b := c.image.Brokers[m.BrokerID]
	switch {
	case p == nil:
		resp.Error = protocol.UnknownTopicOrPartition
	case b == nil || b.Epoch != m.BrokerEpoch:
		resp.Error = protocol.StaleBrokerEpoch
	case p.Leader != m.BrokerID || m.LeaderEpoch != p.LeaderEpoch:
		resp.Error = protocol.FencedLeaderEpoch
	case m.PartitionEpoch != p.PartitionEpoch:
		resp.Error = protocol.InvalidUpdateVersion
	default:
		for _, id := range m.NewIsr {
			if id != m.BrokerID && !c.image.Usable(id) {
				resp.Error = protocol.IneligibleReplica
			}
		}
	}
	if resp.Error != protocol.None {
		if p != nil {
			resp.Leader, resp.LeaderEpoch, resp.Isr, resp.PartitionEpoch = p.Leader, p.LeaderEpoch, p.Isr, p.PartitionEpoch
		}
		c.sim.Send(c.node, from, resp)
		return
	}
	end := c.append(&metadata.PartitionChangeRecord{Topic: m.Partition.Topic, Partition: m.Partition.Partition,
		Leader: metadata.NoLeaderChange, Isr: append([]int32(nil), m.NewIsr...)})
	resp.Leader, resp.LeaderEpoch, resp.Isr, resp.PartitionEpoch = p.Leader, p.LeaderEpoch, p.Isr, p.PartitionEpoch
	c.respondAfter(end, from, resp)
}

func (c *Controller) onElectLeaders(from sim.NodeID, m *protocol.ElectLeadersRequest) {
	c.catchUp()
	resp := &protocol.ElectLeadersResponse{CorrelationID: m.CorrelationID}
	targets := m.Partitions
	if targets == nil {
		c.image.EachPartition(func(topic string, index int32, p *metadata.Partition) {
			targets = append(targets, protocol.TopicPartition{Topic: topic, Partition: index})
		})
	}
	var records []metadata.Record
	for _, tp := range targets {
		result := protocol.ElectLeadersResult{TopicPartition: tp}
		p := c.image.Partition(tp.Topic, tp.Partition)
		var r metadata.Record
		switch {
		case p == nil:
			result.Error = protocol.UnknownTopicOrPartition
		case m.ElectionType == protocol.ElectPreferred:
			var reason string
			r, reason = c.image.PreferredElection(tp.Topic, tp.Partition)
			result.Error = errorNamed(reason)
		default:
			if p.Leader != protocol.NoLeader {
				result.Error = protocol.ElectionNotNeeded
			} else if e := metadata.ElectLeader(p, c.image.Usable, true); e.Leader == protocol.NoLeader {
				result.Error = protocol.EligibleLeadersNotAvailable
			} else {
				r = metadata.Change(tp.Topic, tp.Partition, p, e)
			}
		}
		if r != nil {
			records = append(records, r)
		}
		resp.Results = append(resp.Results, result)
	}
	end := c.log.Committed
	if len(records) > 0 {
		end = c.append(records...)
	}
	c.respondAfter(end, from, resp)
}

// errorNamed maps a reason from the metadata package to its error code.
func errorNamed(name string) protocol.ErrorCode {
	switch name {
	case "ELECTION_NOT_NEEDED":
		return protocol.ElectionNotNeeded
	case "PREFERRED_LEADER_NOT_AVAILABLE":
		return protocol.PreferredLeaderNotAvailable
	}
	return protocol.None
}

// onRebalanceTick is auto.leader.rebalance.enable's periodic check: a
// broker whose share of partitions it should lead but does not exceeds
// leader.imbalance.per.broker.percentage gets its leadership back.
func (c *Controller) onRebalanceTick(m rebalanceTick) {
	if m.token != c.token || !c.stillLeader() {
		return
	}
	c.sim.SetTimer(c.node, c.settings.LeaderImbalanceCheckIntervalMs, rebalanceTick{token: c.token})
	c.catchUp()
	records := c.image.ImbalancedPreferredElections(c.settings.LeaderImbalancePerBrokerPercentage)
	if len(records) > 0 {
		c.record("rebalance", "preferred leader election for %s partitions", strconv.Itoa(len(records)))
		c.append(records...)
	}
}
