// Package controller is the KRaft controller quorum: controller nodes that
// elect an active controller by vote, keep the metadata log, register and
// fence brokers, elect partition leaders, apply ISR changes and serve admin
// requests forwarded by brokers.
//
// Simplification, stated plainly: elections are real message exchanges
// (Vote, BeginQuorumEpoch), but replication of the metadata log between
// controllers is not simulated record by record. The log is one shared
// Log that only the leader of the current epoch may append to; a record
// counts as committed CommitDelayMs after its append (the round trip a
// majority would take). Brokers fetch the log from the active controller
// over the simulated network, as KRaft observers do.
package controller

import (
	"fmt"

	"github.com/kafka-playground/playground/core/config"
	"github.com/kafka-playground/playground/core/metadata"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/sim"
)

// Log is the replicated metadata log of the quorum, with the quorum's
// current epoch and leader.
type Log struct {
	Entries []protocol.MetadataEntry
	// Committed is the high watermark: entries below it are committed.
	Committed int64
	Epoch     int32
	Leader    int32
}

// EndOffset returns the offset the next record will get.
func (l *Log) EndOffset() int64 { return int64(len(l.Entries)) }

// Settings configure a controller. Times are in milliseconds.
type Settings struct {
	ID int32
	// Seed is the cluster's seed (replica placement derives from it).
	Seed                 uint64
	Voters               []int32
	ElectionTimeoutMs    int64
	FetchTimeoutMs       int64
	ElectionBackoffMaxMs int64
	SessionTimeoutMs     int64
	CommitDelayMs        int64
	// LeaderImbalanceCheckIntervalMs is 0 when auto.leader.rebalance.enable is false.
	LeaderImbalanceCheckIntervalMs     int64
	LeaderImbalancePerBrokerPercentage int64
	// Static is the brokers' static (server.properties) configuration,
	// which holds the defaults of broker and topic configs.
	Static config.Values
	// ControllerNodes and BrokerNodes name the nodes of the controllers
	// and brokers by id.
	ControllerNodes sim.NodeRange
	BrokerNodes     sim.NodeRange
}

// BrokerDefault returns the static (server.properties) value of a broker
// config the controller needs.
func (s *Settings) BrokerDefault(name string) string { return s.Static.String(name) }

// ValidateTopicConfig checks a topic config change, returning an error
// whose text the response carries.
func (s *Settings) ValidateTopicConfig(m map[string]string) error {
	_, err := config.ResolveTopic(s.Static, m)
	return err
}

// ValidateBrokerConfig checks a dynamic broker config change.
func (s *Settings) ValidateBrokerConfig(m map[string]string) error {
	return config.ValidateDynamicBroker(s.Static, m)
}

// ControllerNode returns the node of controller id.
func (s *Settings) ControllerNode(id int32) sim.NodeID { return s.ControllerNodes.Node(id) }

// BrokerNode returns the node of broker id.
func (s *Settings) BrokerNode(id int32) sim.NodeID { return s.BrokerNodes.Node(id) }

// Disk is what a controller keeps across restarts: its vote.
type Disk struct {
	Epoch    int32
	VotedFor int32
}

type role int

const (
	follower role = iota
	candidate
	leader
)

func (r role) String() string {
	return [...]string{"follower", "candidate", "leader"}[r]
}

// Controller is one controller node.
type Controller struct {
	sim      *sim.Sim
	node     sim.NodeID
	settings Settings
	log      *Log
	disk     *Disk

	// Volatile state, rebuilt by Start.
	role     role
	leaderID int32
	// leaderIncarnation is the leader process incarnation this controller
	// began following.
	leaderIncarnation uint32
	votes             map[int32]bool
	token             uint64
	image             *metadata.Image
	sessions          map[int32]*session
	parked            map[int32]parkedFetch
	pending           []pendingResponse
	watchedVoters     map[int32]bool
	// sessionSequence numbers broker sessions (their watches and expiry
	// timers); token numbers this controller's role changes.
	sessionSequence uint64
	// preVote marks a candidate still asking whether it may stand
	// (KIP-996): its epoch is not bumped until a majority says yes.
	preVote            bool
	quorumCheckPending bool
}

type parkedFetch struct {
	from sim.NodeID
	req  *protocol.MetadataFetchRequest
}

type pendingResponse struct {
	offset int64
	to     sim.NodeID
	msg    sim.Message
}

// Timer and watch messages a controller sends itself.
type (
	electionTimeout  struct{ token uint64 }
	leaderLinkBroken struct{ token uint64 }
	leaderCheck      struct{ token uint64 }
	voterLinkBroken  struct {
		token uint64
		voter int32
	}
	quorumCheck struct{ token uint64 }
	commitDone  struct {
		epoch int32
		upTo  int64
	}
	sessionLinkBroken struct {
		broker int32
		token  uint64
	}
	sessionExpiry struct {
		broker int32
		token  uint64
	}
	rebalanceTick struct{ token uint64 }
)

// New returns a controller node sharing log with the other voters.
func New(s *sim.Sim, settings Settings, log *Log, disk *Disk) *Controller {
	return &Controller{sim: s, settings: settings, log: log, disk: disk}
}

// ID returns the controller's node id (controller-N has id N).
func (c *Controller) ID() int32 { return c.settings.ID }

// IsActive reports whether this controller is the quorum's leader.
func (c *Controller) IsActive() bool { return c.role == leader }

// Epoch returns the highest epoch this controller has seen.
func (c *Controller) Epoch() int32 { return c.disk.Epoch }

// Start implements sim.Node: a (re)started controller knows no leader and
// waits an election timeout before standing.
func (c *Controller) Start(self sim.NodeID) {
	c.node = self
	c.role = follower
	c.leaderID = -1
	c.votes = nil
	c.token++
	c.image = metadata.NewImage()
	c.sessions = map[int32]*session{}
	c.parked = map[int32]parkedFetch{}
	c.pending = nil
	c.armElectionTimer()
}

func (c *Controller) record(kind, format string, args ...any) {
	c.sim.Record(c.node, kind, fmt.Sprintf(format, args...))
}

// Receive implements sim.Node.
func (c *Controller) Receive(from sim.NodeID, msg sim.Message) {
	switch m := msg.(type) {
	case electionTimeout:
		if m.token == c.token && c.role != leader {
			c.startPreVote()
		}
	case leaderLinkBroken:
		if m.token == c.token && c.role == follower {
			c.sim.SetTimer(c.node, c.settings.FetchTimeoutMs, leaderCheck(m))
		}
	case leaderCheck:
		c.onLeaderCheck(m.token)
	case voterLinkBroken:
		if m.token == c.token && c.role == leader {
			c.watchedVoters[m.voter] = false
			c.scheduleQuorumCheck()
		}
	case quorumCheck:
		c.onQuorumCheck(m.token)
	case commitDone:
		c.onCommit(m)
	case sessionLinkBroken:
		c.onSessionLinkBroken(m)
	case sessionExpiry:
		c.onSessionExpiry(m)
	case rebalanceTick:
		c.onRebalanceTick(m)
	case *protocol.VoteRequest:
		c.onVoteRequest(from, m)
	case *protocol.VoteResponse:
		c.onVoteResponse(m)
	case *protocol.BeginQuorumEpochRequest:
		c.onBeginQuorumEpoch(m)
	case sim.Disconnected:
	default:
		c.receiveRequest(from, msg)
	}
}

// receiveRequest handles broker-facing requests; only the active
// controller serves them.
func (c *Controller) receiveRequest(from sim.NodeID, msg sim.Message) {
	if c.role == leader && !c.stillLeader() {
		// Another leader won a later epoch while this one was cut off:
		// its followers no longer fetch from it, and it learns so now.
		c.stepDown(c.log.Epoch, c.log.Leader)
	}
	if c.role != leader {
		c.refuse(from, msg)
		return
	}
	switch m := msg.(type) {
	case *protocol.MetadataFetchRequest:
		c.onMetadataFetch(from, m)
	case *protocol.BrokerRegistrationRequest:
		c.onBrokerRegistration(from, m)
	case *protocol.BrokerHeartbeatRequest:
		c.onBrokerHeartbeat(from, m)
	case *protocol.AlterPartitionRequest:
		c.onAlterPartition(from, m)
	case *protocol.CreateTopicsRequest:
		c.onCreateTopics(from, m)
	case *protocol.DeleteTopicsRequest:
		c.onDeleteTopics(from, m)
	case *protocol.CreatePartitionsRequest:
		c.onCreatePartitions(from, m)
	case *protocol.IncrementalAlterConfigsRequest:
		c.onIncrementalAlterConfigs(from, m)
	case *protocol.ElectLeadersRequest:
		c.onElectLeaders(from, m)
	case *protocol.CreateAclsRequest:
		c.catchUp()
		resp, records := m.Records(c.image)
		c.commitAndRespond(from, records, resp)
	case *protocol.DeleteAclsRequest:
		c.catchUp()
		resp, records := m.Records(c.image)
		c.commitAndRespond(from, records, resp)
	case *protocol.AlterUserScramCredentialsRequest:
		resp, records := m.Records()
		c.commitAndRespond(from, records, resp)
	default:
		panic(fmt.Sprintf("controller: unexpected message %T", msg))
	}
}

// refuse answers a request sent to a controller that is not active.
func (c *Controller) refuse(from sim.NodeID, msg sim.Message) {
	switch m := msg.(type) {
	case *protocol.MetadataFetchRequest:
		c.sim.Send(c.node, from, &protocol.MetadataFetchResponse{CorrelationID: m.CorrelationID,
			Error: protocol.NotLeaderOrFollower, LeaderID: c.leaderID, LeaderEpoch: c.disk.Epoch})
	case *protocol.BrokerRegistrationRequest:
		c.sim.Send(c.node, from, &protocol.BrokerRegistrationResponse{CorrelationID: m.CorrelationID, Error: protocol.NotController})
	case *protocol.BrokerHeartbeatRequest:
		c.sim.Send(c.node, from, &protocol.BrokerHeartbeatResponse{CorrelationID: m.CorrelationID, Error: protocol.NotController})
	case *protocol.AlterPartitionRequest:
		c.sim.Send(c.node, from, &protocol.AlterPartitionResponse{CorrelationID: m.CorrelationID, Error: protocol.NotController, Partition: m.Partition})
	case protocol.AdminRequest:
		c.sim.Send(c.node, from, m.Failed(protocol.NotController))
	}
}

// Image returns the controller's metadata image (committed and, on the
// active controller, its own uncommitted records). Callers must not modify it.
func (c *Controller) Image() *metadata.Image {
	c.catchUp()
	return c.image
}

// catchUp applies log entries this controller has not applied yet: all of
// them on the leader, committed ones elsewhere.
func (c *Controller) catchUp() {
	end := c.log.Committed
	if c.role == leader {
		end = c.log.EndOffset()
	}
	for off := c.image.Offset + 1; off < end; off++ {
		c.image.Apply(off, c.log.Entries[off].Record)
	}
}

// append writes records to the metadata log as the active controller and
// applies them to its image. It returns the offset after the last one.
func (c *Controller) append(records ...metadata.Record) int64 {
	if !c.stillLeader() {
		panic("controller: append by a controller that is not the leader")
	}
	c.catchUp()
	for _, r := range records {
		off := c.log.EndOffset()
		c.log.Entries = append(c.log.Entries, protocol.MetadataEntry{Offset: off, Epoch: c.disk.Epoch, Record: r})
		c.image.Apply(off, r)
		c.record("metadata", "%d %s", off, r.Describe())
	}
	end := c.log.EndOffset()
	c.sim.SetTimer(c.node, c.settings.CommitDelayMs, commitDone{epoch: c.disk.Epoch, upTo: end})
	return end
}

// respondAfter sends msg once the log is committed up to offset end.
func (c *Controller) respondAfter(end int64, to sim.NodeID, msg sim.Message) {
	if end <= c.log.Committed {
		c.sim.Send(c.node, to, msg)
		return
	}
	c.pending = append(c.pending, pendingResponse{offset: end, to: to, msg: msg})
}

func (c *Controller) onCommit(m commitDone) {
	if c.role != leader || m.epoch != c.disk.Epoch || !c.stillLeader() {
		return
	}
	if m.upTo > c.log.Committed {
		c.log.Committed = m.upTo
	}
	kept := c.pending[:0]
	for _, p := range c.pending {
		if p.offset <= c.log.Committed {
			c.sim.Send(c.node, p.to, p.msg)
		} else {
			kept = append(kept, p)
		}
	}
	c.pending = kept
	c.completeParkedFetches()
}
