package core

import (
	"strconv"

	"github.com/kafka-playground/playground/core/metadata"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/storage"
)

// State is the state document of ../shared/SCENARIO.md: what expect paths
// read and what the UI draws. Maps are keyed by strings (broker ids and
// partition numbers too); lists are sorted ascending.
type State struct {
	Controller ControllerState        `json:"controller"`
	Brokers    map[string]BrokerState `json:"brokers"`
	Topics     map[string]TopicState  `json:"topics"`
	Groups     map[string]any         `json:"groups"`
	Producers  map[string]any         `json:"producers"`
	Consumers  map[string]any         `json:"consumers"`
	// Transactions are the transactional ids, as their coordinators hold them.
	Transactions map[string]TransactionState `json:"transactions"`
	Network      NetworkState                `json:"network"`
	// Users are the SASL users (names and mechanisms only); ACLs the ACL
	// bindings, sorted; Eavesdroppers what observers on the wire saw.
	Users         map[string]UserState         `json:"users"`
	ACLs          []ACLState                   `json:"acls"`
	Eavesdroppers map[string]EavesdropperState `json:"eavesdroppers,omitempty"`
}

// ControllerState describes the metadata quorum.
type ControllerState struct {
	Mode   string `json:"mode"`
	Active int32  `json:"active"`
	Epoch  int32  `json:"epoch"`
	// Voters lists the KRaft controller quorum (controller ids).
	Voters []int32 `json:"voters,omitempty"`
	// AliveVoters lists the running controllers.
	AliveVoters    []int32 `json:"alive_voters,omitempty"`
	MetadataOffset int64   `json:"metadata_offset"`
	// ZooKeeper describes the ensemble in ZooKeeper mode; Voters then
	// lists its servers and Active the controller broker.
	ZooKeeper *ZooKeeperState `json:"zookeeper,omitempty"`
}

// ZooKeeperState describes the ZooKeeper ensemble.
type ZooKeeperState struct {
	// Leader is the server leading the ensemble, -1 without a quorum.
	Leader int32 `json:"leader"`
	// RegisteredBrokers are the brokers under /brokers/ids.
	RegisteredBrokers []int32 `json:"registered_brokers"`
	Sessions          int     `json:"sessions"`
}

// BrokerState describes one broker.
type BrokerState struct {
	Alive bool `json:"alive"`
	// State is stopped, starting, fenced, running or shutting_down.
	State string `json:"state"`
	// Fenced is the controller's view: not allowed to lead or be in ISRs.
	Fenced bool `json:"fenced"`
	// Leaders counts the partitions this broker leads.
	Leaders int `json:"leaders"`
	// DelayMs is extra latency set on the broker's links.
	DelayMs int64 `json:"delay_ms,omitempty"`
}

// TopicState describes one topic.
type TopicState struct {
	ID         string                    `json:"id"`
	Config     map[string]string         `json:"config"`
	Partitions map[string]PartitionState `json:"partitions"`
}

// PartitionState describes one partition: the controller's view of
// leader and ISR, and the leader's log offsets.
type PartitionState struct {
	Leader         int32   `json:"leader"`
	LeaderEpoch    int32   `json:"leader_epoch"`
	PartitionEpoch int32   `json:"partition_epoch"`
	Replicas       []int32 `json:"replicas"`
	Isr            []int32 `json:"isr"`
	// OfflineReplicas are replicas on brokers that are fenced or down.
	OfflineReplicas []int32 `json:"offline_replicas"`
	UnderReplicated bool    `json:"under_replicated"`
	// UncleanElections counts leaders elected from outside the ISR.
	UncleanElections int32 `json:"unclean_elections"`
	LogStartOffset   int64 `json:"log_start_offset"`
	HighWatermark    int64 `json:"high_watermark"`
	LogEndOffset     int64 `json:"log_end_offset"`
	// LastStableOffset is where read_committed consumers stop: the start of
	// the oldest open transaction, or the high watermark.
	LastStableOffset int64 `json:"last_stable_offset"`
	// ReplicaLogs are each replica's log offsets, by broker id.
	ReplicaLogs map[string]ReplicaLog `json:"replica_logs"`
}

// ReplicaLog is one replica's log as its broker holds it.
type ReplicaLog struct {
	LogStartOffset int64 `json:"log_start_offset"`
	HighWatermark  int64 `json:"high_watermark"`
	LogEndOffset   int64 `json:"log_end_offset"`
	Segments       int   `json:"segments"`
	SizeBytes      int64 `json:"size_bytes"`
	LeaderEpoch    int32 `json:"leader_epoch"`
}

// NetworkState describes the simulated network.
type NetworkState struct {
	// Partitions lists the groups of a network partition, if any.
	Partitions [][]string `json:"partitions,omitempty"`
}

// CommittedImage returns the metadata as committed in the quorum. The
// image is kept up to date incrementally (the log only grows); callers
// must not modify it.
func (c *Cluster) CommittedImage() *metadata.Image {
	if c.spec.Metadata == ZooKeeper {
		return c.zooKeeperImage()
	}
	if c.committed == nil {
		c.committed = metadata.NewImage()
	}
	for off := c.committed.Offset + 1; off < c.metadataLog.Committed; off++ {
		c.committed.Apply(off, c.metadataLog.Entries[off].Record)
	}
	return c.committed
}

// State returns the state document now.
func (c *Cluster) State() *State {
	image := c.CommittedImage()
	st := &State{Brokers: map[string]BrokerState{}, Topics: map[string]TopicState{}, Groups: map[string]any{},
		Producers: map[string]any{}, Consumers: map[string]any{}}
	st.Controller = c.controllerState()
	leaders := map[int32]int{}
	for _, name := range image.TopicNames() {
		st.Topics[name] = c.topicState(image, image.Topics[name], leaders)
	}
	for _, b := range c.brokers {
		id := b.ID()
		bs := BrokerState{Alive: c.sim.Alive(c.BrokerNode(id)), State: b.State().String(), Leaders: leaders[id],
			DelayMs: c.sim.NodeDelay(c.BrokerNode(id))}
		if reg := image.Brokers[id]; reg == nil || reg.Fenced {
			bs.Fenced = true
		}
		st.Brokers[strconv.Itoa(int(id))] = bs
	}
	st.Network = c.networkState()
	st.Producers = c.producerStates()
	st.Transactions = c.transactionStates()
	st.Consumers = c.consumerStates()
	st.Groups = c.groupStates()
	st.Users = c.userStates(image)
	st.ACLs = aclStates(image)
	if len(c.eavesdroppers) > 0 {
		st.Eavesdroppers = c.eavesdropperStates()
	}
	return st
}

func (c *Cluster) controllerState() ControllerState {
	if c.spec.Metadata == ZooKeeper {
		return c.zooKeeperControllerState()
	}
	cs := ControllerState{Mode: c.spec.Metadata, Active: -1, Epoch: c.metadataLog.Epoch, MetadataOffset: c.metadataLog.Committed - 1}
	if active := c.ActiveController(); active != nil {
		cs.Active = active.ID()
	}
	for i, ctl := range c.controllers {
		cs.Voters = append(cs.Voters, ctl.ID())
		if c.sim.Alive(c.controllerNodes[i]) {
			cs.AliveVoters = append(cs.AliveVoters, ctl.ID())
		}
	}
	return cs
}

func (c *Cluster) topicState(image *metadata.Image, t *metadata.Topic, leaders map[int32]int) TopicState {
	ts := TopicState{ID: t.ID, Config: map[string]string{}, Partitions: map[string]PartitionState{}}
	for k, v := range t.Config {
		ts.Config[k] = v
	}
	for i, p := range t.Partitions {
		ps := PartitionState{Leader: p.Leader, LeaderEpoch: p.LeaderEpoch, PartitionEpoch: p.PartitionEpoch,
			Replicas: metadata.Sorted(p.Replicas), Isr: metadata.Sorted(p.Isr), OfflineReplicas: []int32{},
			UncleanElections: p.UncleanElections, ReplicaLogs: map[string]ReplicaLog{},
			LogStartOffset: -1, HighWatermark: -1, LogEndOffset: -1}
		if p.Leader >= 0 {
			leaders[p.Leader]++
		}
		tp := protocol.TopicPartition{Topic: t.Name, Partition: int32(i)}
		var best *storage.Log
		for _, r := range p.Replicas {
			if reg := image.Brokers[r]; reg == nil || reg.Fenced {
				ps.OfflineReplicas = append(ps.OfflineReplicas, r)
			}
			b := c.Broker(r)
			if b == nil {
				continue
			}
			log := b.Disk().Logs[tp]
			if log == nil {
				continue
			}
			ps.ReplicaLogs[strconv.Itoa(int(r))] = replicaLog(log)
			if r == p.Leader || (best == nil && p.Leader < 0) || (p.Leader < 0 && log.LogEndOffset() > best.LogEndOffset()) {
				best = log
			}
		}
		ps.OfflineReplicas = metadata.Sorted(ps.OfflineReplicas)

		ps.UnderReplicated = len(p.Isr) < len(p.Replicas)
		if best != nil {
			ps.LogStartOffset, ps.HighWatermark, ps.LogEndOffset = best.LogStartOffset(), best.HighWatermark(), best.LogEndOffset()
			ps.LastStableOffset = ps.HighWatermark
			if p.Leader >= 0 {
				if lso, ok := c.Broker(p.Leader).LastStableOffset(tp); ok {
					ps.LastStableOffset = lso
				}
			}
		}
		ts.Partitions[strconv.Itoa(i)] = ps
	}
	return ts
}

func replicaLog(log *storage.Log) ReplicaLog {
	rl := ReplicaLog{LogStartOffset: log.LogStartOffset(), HighWatermark: log.HighWatermark(),
		LogEndOffset: log.LogEndOffset(), Segments: len(log.Segments()), SizeBytes: log.SizeBytes(), LeaderEpoch: -1}
	if e, ok := log.LatestEpoch(); ok {
		rl.LeaderEpoch = e
	}
	return rl
}

func (c *Cluster) networkState() NetworkState {
	groups := map[int][]string{}
	maxGroup := -1
	for id := 0; id < c.sim.NodeCount(); id++ {
		g := c.sim.PartitionGroup(sim_NodeID(id))
		if g >= 0 {
			groups[g] = append(groups[g], c.sim.Name(sim_NodeID(id)))
			if g > maxGroup {
				maxGroup = g
			}
		}
	}
	var ns NetworkState
	for g := 0; g <= maxGroup; g++ {
		if len(groups[g]) > 0 {
			ns.Partitions = append(ns.Partitions, groups[g])
		}
	}
	return ns
}
