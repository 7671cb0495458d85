package core

import (
	"sort"

	"github.com/kafka-playground/playground/core/client"
	"github.com/kafka-playground/playground/core/config"
	"github.com/kafka-playground/playground/core/protocol"
)

// ConsumerState is a consumer's section of the state document.
type ConsumerState struct {
	Alive      bool             `json:"alive"`
	Group      string           `json:"group"`
	MemberID   string           `json:"member_id"`
	Generation int32            `json:"generation"`
	Assignment []string         `json:"assignment"`
	Positions  map[string]int64 `json:"positions"`
	Consumed   int64            `json:"consumed"`
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
}

// MemberState is one group member, keyed by its client id.
type MemberState struct {
	MemberID   string   `json:"member_id"`
	Assignment []string `json:"assignment"`
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
	consumer := client.NewConsumer(c.sim, client.ConsumerSettings{ClientID: id, Group: group, Topics: topics,
		Bootstrap: c.brokerNodes, BrokerNode: c.BrokerNode, Config: values})
	c.consumers[id] = consumer
	c.consumerNodes[id] = c.sim.AddNode(id, consumer)
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
		out[id] = ConsumerState{Alive: c.ClientAlive(id), Group: cons.Group(), MemberID: member, Generation: generation,
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
			for _, m := range g.Members {
				gs.Members[m.ClientID] = MemberState{MemberID: m.MemberID, Assignment: tpNames(m.Assignment)}
			}
			for tp, offset := range g.Offsets {
				gs.Offsets[tp.String()] = offset
				if end, ok := c.partitionEnd(tp); ok {
					gs.Lag[tp.String()] = max(end-offset, 0)
				}
			}
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
