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

// eachPartition calls fn for every partition, in topic then partition order.
func (c *Controller) eachPartition(fn func(topic string, index int32, p *metadata.Partition)) {
	for _, name := range c.image.TopicNames() {
		t := c.image.Topics[name]
		for i := range t.Partitions {
			fn(name, int32(i), &t.Partitions[i])
		}
	}
}

// change returns the record moving p to election e, or nil if nothing
// changes.
func change(topic string, index int32, p *metadata.Partition, e metadata.Election) metadata.Record {
	r := &metadata.PartitionChangeRecord{Topic: topic, Partition: index, Leader: metadata.NoLeaderChange, Unclean: e.Unclean}
	changed := false
	if e.Leader != p.Leader {
		r.Leader = e.Leader
		changed = true
	}
	if !equalIDs(e.Isr, p.Isr) {
		r.Isr = e.Isr
		changed = true
	}
	if !changed {
		return nil
	}
	return r
}

func equalIDs(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// partitionChangesWithout takes broker out of every partition's
// leadership and ISR, electing new leaders from the ISR: what a fenced or
// shutting-down broker gets. A partition whose only ISR member it is keeps
// it in the ISR, leaderless.
func (c *Controller) partitionChangesWithout(broker int32, shutdown bool) []metadata.Record {
	usable := func(id int32) bool { return id != broker && c.image.Usable(id) }
	var records []metadata.Record
	c.eachPartition(func(topic string, index int32, p *metadata.Partition) {
		if p.Leader != broker && !metadata.Contains(p.Isr, broker) {
			return
		}
		var e metadata.Election
		if p.Leader == broker || p.Leader == protocol.NoLeader {
			e = metadata.ElectLeader(p, usable, c.uncleanAllowed(topic))
		} else {
			isr := metadata.Without(p.Isr, broker)
			e = metadata.Election{Leader: p.Leader, Isr: isr}
		}
		if r := change(topic, index, p, e); r != nil {
			records = append(records, r)
		}
	})
	return records
}

// electionsFor elects leaders for leaderless partitions once broker is
// usable again (it was the last in their ISR, or unclean election allows it).
func (c *Controller) electionsFor(broker int32) []metadata.Record {
	var records []metadata.Record
	c.eachPartition(func(topic string, index int32, p *metadata.Partition) {
		if p.Leader != protocol.NoLeader || !metadata.Contains(p.Replicas, broker) {
			return
		}
		e := metadata.ElectLeader(p, c.image.Usable, c.uncleanAllowed(topic))
		if r := change(topic, index, p, e); r != nil {
			records = append(records, r)
		}
	})
	return records
}

// uncleanElections elects leaders for every leaderless partition whose
// topic now allows unclean election.
func (c *Controller) uncleanElections() []metadata.Record {
	var records []metadata.Record
	c.eachPartition(func(topic string, index int32, p *metadata.Partition) {
		if p.Leader != protocol.NoLeader || !c.uncleanAllowed(topic) {
			return
		}
		e := metadata.ElectLeader(p, c.image.Usable, true)
		if r := change(topic, index, p, e); r != nil {
			records = append(records, r)
		}
	})
	return records
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
		c.eachPartition(func(topic string, index int32, p *metadata.Partition) {
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
			r, result.Error = preferredElection(tp, p, c.image.Usable)
		default:
			if p.Leader != protocol.NoLeader {
				result.Error = protocol.ElectionNotNeeded
			} else if e := metadata.ElectLeader(p, c.image.Usable, true); e.Leader == protocol.NoLeader {
				result.Error = protocol.EligibleLeadersNotAvailable
			} else {
				r = change(tp.Topic, tp.Partition, p, e)
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

// preferredElection moves leadership back to the first replica when it is
// usable and in the ISR.
func preferredElection(tp protocol.TopicPartition, p *metadata.Partition, usable func(int32) bool) (metadata.Record, protocol.ErrorCode) {
	preferred := p.Replicas[0]
	if p.Leader == preferred {
		return nil, protocol.ElectionNotNeeded
	}
	if !usable(preferred) || !metadata.Contains(p.Isr, preferred) {
		return nil, protocol.PreferredLeaderNotAvailable
	}
	return &metadata.PartitionChangeRecord{Topic: tp.Topic, Partition: tp.Partition, Leader: preferred}, protocol.None
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
	preferredCount := map[int32]int64{}
	notLeading := map[int32]int64{}
	c.eachPartition(func(topic string, index int32, p *metadata.Partition) {
		preferred := p.Replicas[0]
		preferredCount[preferred]++
		if p.Leader != preferred {
			notLeading[preferred]++
		}
	})
	var records []metadata.Record
	c.eachPartition(func(topic string, index int32, p *metadata.Partition) {
		preferred := p.Replicas[0]
		if notLeading[preferred]*100 <= c.settings.LeaderImbalancePerBrokerPercentage*preferredCount[preferred] {
			return
		}
		tp := protocol.TopicPartition{Topic: topic, Partition: index}
		if r, code := preferredElection(tp, p, c.image.Usable); code == protocol.None {
			records = append(records, r)
		}
	})
	if len(records) > 0 {
		c.record("rebalance", "preferred leader election for %s partitions", strconv.Itoa(len(records)))
		c.append(records...)
	}
}
