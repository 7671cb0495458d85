package core

import (
	"fmt"
	"sort"

	"github.com/kafka-playground/playground/core/client"
	"github.com/kafka-playground/playground/core/config"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/record"
	"github.com/kafka-playground/playground/core/sim"
)

// ConsumerState is a consumer's section of the state document.
type ConsumerState struct {
	Alive    bool   `json:"alive"`
	Group    string `json:"group"`
	MemberID string `json:"member_id"`
	// GroupInstanceID is the consumer's group.instance.id, set only for
	// a static member.
	GroupInstanceID string           `json:"group_instance_id,omitempty"`
	Generation      int32            `json:"generation"`
	Assignment      []string         `json:"assignment"`
	Positions       map[string]int64 `json:"positions"`
	Consumed        int64            `json:"consumed"`
}

// GroupState is a consumer group's section of the state document.
type GroupState struct {
	State       string                 `json:"state"`
	Generation  int32                  `json:"generation"`
	Protocol    string                 `json:"protocol"`
	Leader      string                 `json:"leader"`
	Coordinator int32                  `json:"coordinator"`
	Members     map[string]MemberState `json:"members"`
	Offsets     map[string]int64       `json:"offsets"`
	Lag         map[string]int64       `json:"lag"`
	// Processed counts records the group's application processed (process
	// steps); Duplicates those processed more than once; Lost those below
	// the committed offset never processed. Delivery semantics made
	// visible: at-most-once loses, at-least-once duplicates.
	Processed  int64 `json:"processed"`
	Duplicates int64 `json:"duplicates"`
	Lost       int64 `json:"lost"`
}

// MemberState is one group member, keyed by its client id. A static
// member that came back under a new member id keeps the client id it
// first joined with, as Kafka's coordinator does.
type MemberState struct {
	MemberID string `json:"member_id"`
	// GroupInstanceID is the member's group.instance.id, set only for a
	// static member.
	GroupInstanceID string   `json:"group_instance_id,omitempty"`
	Assignment      []string `json:"assignment"`
}

// AddConsumer adds a consumer client node named id, in group (may be
// empty: then it reads every partition of its topics, unmanaged).
func (c *Cluster) AddConsumer(id, group string, topics []string, cfg map[string]string) error {
	if err := c.checkClientID(id); err != nil {
		return err
	}
	values, err := config.Resolve(config.Consumer, cfg)
	if err != nil {
		return err
	}
	sec, err := c.resolveClientSecurity(values)
	if err != nil {
		return err
	}
	consumer := client.NewConsumer(c.sim, client.ConsumerSettings{ClientID: id, Group: group, Topics: topics,
		Bootstrap: c.brokerNodes, BrokerNodes: sim.NodeRange{First: c.brokerNodes[0]}, Config: values, Security: sec})
	c.consumers[id] = consumer
	c.consumerNodes[id] = c.sim.AddNode(id, consumer)
	c.clientSecurity[c.consumerNodes[id]] = sec
	return nil
}

// Consumer returns the consumer named id, or nil.
func (c *Cluster) Consumer(id string) *client.Consumer { return c.consumers[id] }

func tpNames(tps []protocol.TopicPartition) []string {
	out := make([]string, 0, len(tps))
	for _, tp := range tps {
		out = append(out, tp.String())
	}
	return out
}

func (c *Cluster) consumerStates() map[string]any {
	out := map[string]any{}
	ids := make([]string, 0, len(c.consumers))
	for id := range c.consumers {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		cons := c.consumers[id]
		member, generation := cons.Member()
		positions := map[string]int64{}
		for tp, pos := range cons.Positions() {
			positions[tp.String()] = pos
		}
		out[id] = ConsumerState{Alive: c.ClientAlive(id), Group: cons.Group(), MemberID: member, GroupInstanceID: cons.GroupInstanceID(), Generation: generation,
			Assignment: tpNames(cons.Assignment()), Positions: positions, Consumed: cons.Consumed()}
	}
	return out
}

func (c *Cluster) groupStates() map[string]any {
	out := map[string]any{}
	for _, b := range c.brokers {
		if !c.BrokerRunning(b.ID()) {
			continue
		}
		for _, g := range b.Groups() {
			gs := GroupState{State: g.State, Generation: g.Generation, Protocol: g.Protocol, Coordinator: b.ID(),
				Members: map[string]MemberState{}, Offsets: map[string]int64{}, Lag: map[string]int64{}}
			if leader := g.Members[g.Leader]; leader != nil {
				gs.Leader = leader.ClientID
			}
			// In member id order: members may share a client id (real
			// clients through the gateway often keep their library's
			// default), and the one the state shows under it must not be
			// the last in map order. The greatest member id wins.
			for _, id := range g.SortedMemberIDs() {
				m := g.Members[id]
				gs.Members[m.ClientID] = MemberState{MemberID: m.MemberID, GroupInstanceID: m.GroupInstanceID, Assignment: tpNames(m.Assignment)}
			}
			for tp, offset := range g.Offsets {
				gs.Offsets[tp.String()] = offset
				if end, ok := c.partitionEnd(tp); ok {
					gs.Lag[tp.String()] = max(end-offset, 0)
				}
			}
			c.deliveryCounts(g.ID, &gs, g.Offsets)
			out[g.ID] = gs
		}
	}
	return out
}

// partitionEnd returns a partition's high watermark at its leader.
func (c *Cluster) partitionEnd(tp protocol.TopicPartition) (int64, bool) {
	p := c.CommittedImage().Partition(tp.Topic, tp.Partition)
	if p == nil || p.Leader < 0 {
		return 0, false
	}
	log := c.Broker(p.Leader).Disk().Logs[tp]
	if log == nil {
		return 0, false
	}
	return log.HighWatermark(), true
}

// ProcessLastPoll marks the records of a consumer's last poll as
// processed by its application.
func (c *Cluster) ProcessLastPoll(consumer string) (int, error) {
	cons := c.consumers[consumer]
	if cons == nil {
		return 0, fmt.Errorf("no consumer %q", consumer)
	}
	seen := c.processed[cons.Group()]
	if seen == nil {
		seen = map[protocol.TopicPartition]map[int64]int{}
		c.processed[cons.Group()] = seen
	}
	for _, r := range cons.LastPolled() {
		if seen[r.TopicPartition] == nil {
			seen[r.TopicPartition] = map[int64]int{}
		}
		seen[r.TopicPartition][r.Offset]++
	}
	n := len(cons.LastPolled())
	c.sim.RecordAs(consumer, "process", fmt.Sprintf("%d records", n))
	return n, nil
}

// deliveryCounts fills a group's processed, duplicate and lost counts.
func (c *Cluster) deliveryCounts(group string, gs *GroupState, offsets map[protocol.TopicPartition]int64) {
	seen := c.processed[group]
	if seen == nil {
		return
	}
	for _, perOffset := range seen {
		for _, n := range perOffset {
			gs.Processed++
			gs.Duplicates += int64(n - 1)
		}
	}
	for tp, committed := range offsets {
		p := c.CommittedImage().Partition(tp.Topic, tp.Partition)
		if p == nil || p.Leader < 0 {
			continue
		}
		log := c.Broker(p.Leader).Disk().Logs[tp]
		if log == nil {
			continue
		}
		log.EachBatch(log.LogStartOffset(), func(b *record.Batch) bool {
			if b.BaseOffset >= committed {
				return false
			}
			if b.Control {
				return true
			}
			for i := range b.Records.Len() {
				if o := b.BaseOffset + int64(i); o < committed && seen[tp][o] == 0 {
					gs.Lost++
				}
			}
			return true
		})
	}
}
