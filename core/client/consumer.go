package client

// The consumer of the simulation, behaving as Apache Kafka's Java
// KafkaConsumer with the classic group protocol: poll() joins the group
// when needed (JoinGroup, then SyncGroup, the leader computing the
// assignment with the chosen assignor), finds each partition's position
// (the committed offset, else auto.offset.reset), fetches from leaders and
// returns at most max.poll.records records; a background heartbeat every
// heartbeat.interval.ms keeps the membership, and a consumer that does not
// poll for max.poll.interval.ms leaves its group. With enable.auto.commit
// positions are committed during poll every auto.commit.interval.ms. With
// group.instance.id it is a static member (KIP-345): it never sends
// LeaveGroup, not when it closes nor when it misses max.poll.interval.ms
// (only its session timeout takes it out of the group), and a new process
// with the same instance id takes its place without a rebalance.

import (
	"fmt"
	"sort"

	"github.com/kafka-playground/playground/core/config"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/record"
	"github.com/kafka-playground/playground/core/sim"
)

// ConsumerSettings configure a consumer node.
type ConsumerSettings struct {
	ClientID  string
	Group     string
	Topics    []string
	Bootstrap []sim.NodeID
	// BrokerNodes names the brokers' nodes by id.
	BrokerNodes sim.NodeRange
	Config      config.Values
	Security    Security
}

// BrokerNode returns the node of broker id.
func (s *ConsumerSettings) BrokerNode(id int32) sim.NodeID { return s.BrokerNodes.Node(id) }

type consumerConfig struct {
	reset                  string
	autoCommit             bool
	autoCommitIntervalMs   int64
	readCommitted          bool
	assignors              []string
	sessionTimeoutMs       int64
	heartbeatIntervalMs    int64
	maxPollIntervalMs      int64
	maxPollRecords         int
	fetchMinBytes          int32
	fetchMaxBytes          int32
	fetchMaxWaitMs         int64
	maxPartitionFetchBytes int32
	requestTimeoutMs       int64
	retryBackoffMs         int64
	metadataMaxAgeMs       int64
	// instanceID is group.instance.id, "" for a dynamic member.
	instanceID string
}

func parseConsumerConfig(v config.Values) consumerConfig {
	reset, _ := v.AutoOffsetReset()
	var assignors []string
	for _, class := range v.Assignors() {
		if name := config.AssignorShortName(class); name != "" {
			assignors = append(assignors, name)
		}
	}
	return consumerConfig{reset: reset, autoCommit: v.Bool("enable.auto.commit"), autoCommitIntervalMs: v.Int("auto.commit.interval.ms"),
		readCommitted: v.String("isolation.level") == "read_committed", assignors: assignors,
		sessionTimeoutMs: v.Int("session.timeout.ms"), heartbeatIntervalMs: v.Int("heartbeat.interval.ms"),
		maxPollIntervalMs: v.Int("max.poll.interval.ms"), maxPollRecords: int(v.Int("max.poll.records")),
		fetchMinBytes: int32(v.Int("fetch.min.bytes")), fetchMaxBytes: int32(v.Int("fetch.max.bytes")),
		fetchMaxWaitMs: v.Int("fetch.max.wait.ms"), maxPartitionFetchBytes: int32(v.Int("max.partition.fetch.bytes")),
		requestTimeoutMs: v.Int("request.timeout.ms"), retryBackoffMs: v.Int("retry.backoff.ms"),
		metadataMaxAgeMs: v.Int("metadata.max.age.ms"), instanceID: v.String("group.instance.id")}
}

// ConsumerRecord is one record returned by poll.
type ConsumerRecord struct {
	protocol.TopicPartition
	Offset int64
	record.Record
}

// PollResult is the future of one poll().
type PollResult struct {
	Done    bool
	Records []ConsumerRecord
	Error   protocol.ErrorCode
	Message string
}

// Consumer is one consumer client node.
type Consumer struct {
	sim      *sim.Sim
	node     sim.NodeID
	settings ConsumerSettings
	cfg      consumerConfig

	// Volatile state: a crash loses it all.
	correlation  int32
	topics       map[string][]protocol.PartitionMetadata
	metaInFlight int32
	metaTo       sim.NodeID // where metaInFlight went
	metaAtMs     int64      // when metadata last arrived
	// assignedCounts are the partition counts the group leader assigned
	// from; nil unless this consumer leads.
	assignedCounts   map[string]int32
	coordinator      int32
	coordInFlight    int32
	coordTo          sim.NodeID // where coordInFlight went
	memberID         string
	generation       int32
	protocol         string
	joined           bool
	needsRejoin      bool
	joinInFlight     int32
	syncInFlight     int32
	offsetsInFlight  int32
	assignment       []protocol.TopicPartition
	positions        map[protocol.TopicPartition]int64
	fetchOffsets     map[protocol.TopicPartition]int64
	resetInFlight    map[protocol.TopicPartition]bool
	fetching         map[sim.NodeID]int32
	aborted          map[protocol.TopicPartition][]protocol.AbortedTransaction
	buffer           []ConsumerRecord
	poll             *pollCall
	lastPollMs       int64
	nextAutoCommitMs int64
	commits          map[int32]*Future
	heartbeatToken   uint64
	wakeToken        uint64
	consumed         int64
	closing          *Future
	// lastPolled holds what the last poll returned, for process steps.
	lastPolled []ConsumerRecord
	conns      connections
	// pendingError is an authentication or authorization failure that
	// happened between polls; the next poll reports it.
	pendingError *PollResult
}

type pollCall struct {
	result     *PollResult
	maxRecords int
	deadlineMs int64
}

type (
	consumerWake    struct{ token uint64 }
	heartbeatTimer  struct{ token uint64 }
	consumerTimeout struct{ correlation int32 }
)

// NewConsumer returns a consumer node.
func NewConsumer(s *sim.Sim, settings ConsumerSettings) *Consumer {
	return &Consumer{sim: s, settings: settings, cfg: parseConsumerConfig(settings.Config)}
}

// Start implements sim.Node.
func (c *Consumer) Start(self sim.NodeID) {
	c.node = self
	c.conns.reset(c.sim, self)
	c.conns.security, c.conns.owner = c.settings.Security, c
	c.topics = map[string][]protocol.PartitionMetadata{}
	c.coordinator, c.generation = -1, -1
	c.positions = map[protocol.TopicPartition]int64{}
	c.fetchOffsets = map[protocol.TopicPartition]int64{}
	c.resetInFlight = map[protocol.TopicPartition]bool{}
	c.fetching = map[sim.NodeID]int32{}
	c.aborted = map[protocol.TopicPartition][]protocol.AbortedTransaction{}
	c.commits = map[int32]*Future{}
	c.lastPollMs = c.sim.Now()
	c.nextAutoCommitMs = c.sim.Now() + c.cfg.autoCommitIntervalMs
}

// Group returns the consumer's group id ("" without a group).
func (c *Consumer) Group() string { return c.settings.Group }

// Assignment returns the partitions assigned to this consumer, sorted.
func (c *Consumer) Assignment() []protocol.TopicPartition { return c.assignment }

// Positions returns the next offset poll returns, per assigned partition.
func (c *Consumer) Positions() map[protocol.TopicPartition]int64 { return c.positions }

// Consumed counts the records poll has returned.
func (c *Consumer) Consumed() int64 { return c.consumed }

// LastPolled returns the records the last poll returned.
func (c *Consumer) LastPolled() []ConsumerRecord { return c.lastPolled }

// Member returns the group member id and generation.
func (c *Consumer) Member() (string, int32) { return c.memberID, c.generation }

// GroupInstanceID returns the consumer's group.instance.id, "" unless it
// is a static member of its group.
func (c *Consumer) GroupInstanceID() string {
	if c.settings.Group == "" {
		return ""
	}
	return c.cfg.instanceID
}

func (c *Consumer) next() int32 {
	c.correlation++
	return c.correlation
}

func (c *Consumer) wake() {
	c.wakeToken++
	c.sim.SetTimer(c.node, 0, consumerWake{token: c.wakeToken})
}

// Poll is KafkaConsumer.poll(timeout): the result completes with records
// as soon as some are available, or empty after timeoutMs.
func (c *Consumer) Poll(maxRecords int, timeoutMs int64) *PollResult {
	result := &PollResult{}
	if maxRecords <= 0 || maxRecords > c.cfg.maxPollRecords {
		maxRecords = c.cfg.maxPollRecords
	}
	c.lastPollMs = c.sim.Now()
	if e := c.pendingError; e != nil {
		c.pendingError = nil
		e.Done = true
		return e
	}
	c.poll = &pollCall{result: result, maxRecords: maxRecords, deadlineMs: c.sim.Now() + timeoutMs}
	if c.cfg.autoCommit && c.settings.Group != "" && c.sim.Now() >= c.nextAutoCommitMs && c.joined && !c.needsRejoin {
		c.nextAutoCommitMs = c.sim.Now() + c.cfg.autoCommitIntervalMs
		c.commit(true)
	}
	c.sim.SetTimer(c.node, timeoutMs, consumerWake{token: 0})
	c.run()
	return result
}

// CommitSync is KafkaConsumer.commitSync(): it commits the positions of
// the assigned partitions.
func (c *Consumer) CommitSync() *Future { return c.commit(false) }

func (c *Consumer) commit(auto bool) *Future {
	f := &Future{}
	if c.settings.Group == "" {
		f.complete(protocol.InvalidGroupID, "To use the group management or offset commit APIs, you must provide a valid group.id in the consumer configuration.", nil)
		return f
	}
	if c.coordinator < 0 {
		f.complete(protocol.CoordinatorNotAvailable, "The coordinator is not available.", nil)
		return f
	}
	req := &protocol.OffsetCommitRequest{CorrelationID: c.next(), GroupID: c.settings.Group, GenerationID: c.generation, MemberID: c.memberID,
		GroupInstanceID: c.GroupInstanceID()}
	for _, tp := range c.assignment {
		if pos, ok := c.positions[tp]; ok {
			req.Offsets = append(req.Offsets, protocol.OffsetCommitPartition{TopicPartition: tp, Offset: pos})
		}
	}
	if len(req.Offsets) == 0 {
		f.complete(protocol.None, "", nil)
		return f
	}
	kind := "commit"
	if auto {
		kind = "auto-commit"
	}
	c.sim.Record(c.node, kind, describeOffsets(req.Offsets))
	c.commits[req.CorrelationID] = f
	c.conns.send(c.settings.BrokerNode(c.coordinator), req)
	c.sim.SetTimer(c.node, c.cfg.requestTimeoutMs, consumerTimeout{correlation: req.CorrelationID})
	return f
}

func describeOffsets(offsets []protocol.OffsetCommitPartition) string {
	out := ""
	for i, o := range offsets {
		if i > 0 {
			out += " "
		}
		out += fmt.Sprintf("%s=%d", o.TopicPartition, o.Offset)
	}
	return out
}

// Close is KafkaConsumer.close(): with auto commit it commits, then leaves
// the group; the consumer stops. A static member does not leave (the
// Java consumer's default, KIP-1092's DEFAULT): its session timeout
// decides, unless a process with its instance id takes its place first.
func (c *Consumer) Close() *Future {
	f := &Future{}
	c.closing = f
	if c.settings.Group != "" && c.joined && c.cfg.autoCommit {
		c.commit(false)
	}
	static := c.GroupInstanceID() != ""
	if c.settings.Group != "" && c.memberID != "" && c.coordinator >= 0 && !static {
		c.conns.send(c.settings.BrokerNode(c.coordinator), &protocol.LeaveGroupRequest{CorrelationID: c.next(),
			GroupID: c.settings.Group, MemberID: c.memberID, Reason: "the consumer is being closed"})
	}
	if static {
		c.sim.Record(c.node, "close", "consumer closed, still a member: static members send no LeaveGroup")
	} else {
		c.sim.Record(c.node, "close", "consumer closed")
	}
	f.complete(protocol.None, "", nil)
	c.sim.Crash(c.node)
	return f
}

// Receive implements sim.Node.
func (c *Consumer) Receive(from sim.NodeID, msg sim.Message) {
	if c.conns.receive(from, msg) {
		return
	}
	switch m := msg.(type) {
	case consumerWake:
		if m.token == 0 || m.token == c.wakeToken {
			c.run()
		}
	case heartbeatTimer:
		c.onHeartbeatTimer(m)
	case *protocol.MetadataResponse:
		c.onMetadata(m)
	case *protocol.FindCoordinatorResponse:
		c.onFindCoordinator(m)
	case *protocol.JoinGroupResponse:
		c.onJoinGroup(m)
	case *protocol.SyncGroupResponse:
		c.onSyncGroup(m)
	case *protocol.HeartbeatResponse:
		c.onHeartbeat(m)
	case *protocol.OffsetFetchResponse:
		c.onOffsetFetch(m)
	case *protocol.OffsetCommitResponse:
		c.onOffsetCommit(m)
	case *protocol.ListOffsetsResponse:
		c.onListOffsets(m)
	case *protocol.FetchResponse:
		c.onFetch(from, m)
	case consumerTimeout:
		c.onTimeout(m.correlation)
	case sim.Disconnected:
		c.onDisconnected(m.Peer)
	}
}

// run advances whatever the consumer is doing: an active poll drives
// metadata, the group protocol, positions and fetches.
func (c *Consumer) run() {
	if c.poll == nil {
		return
	}
	if c.needMetadata() {
		c.requestMetadata()
	}
	if c.settings.Group != "" && !c.ensureGroup() {
		c.maybeFinishPoll()
		return
	}
	if c.settings.Group == "" {
		c.assignAll()
	}
	c.ensurePositions()
	if len(c.buffer) == 0 {
		c.sendFetches()
	}
	c.maybeFinishPoll()
}

// maybeFinishPoll returns buffered records, or nothing at the deadline.
func (c *Consumer) maybeFinishPoll() {
	p := c.poll
	if p == nil {
		return
	}
	if len(c.buffer) == 0 && c.sim.Now() < p.deadlineMs && p.result.Error == protocol.None {
		return
	}
	n := min(len(c.buffer), p.maxRecords)
	p.result.Records = append([]ConsumerRecord(nil), c.buffer[:n]...)
	c.buffer = c.buffer[n:]
	for _, r := range p.result.Records {
		c.positions[r.TopicPartition] = r.Offset + 1
	}
	c.consumed += int64(n)
	c.lastPolled = p.result.Records
	p.result.Done = true
	c.poll = nil
	if n > 0 {
		c.sim.Record(c.node, "poll", fmt.Sprintf("%d records", n))
	}
}

func (c *Consumer) failPoll(code protocol.ErrorCode, message string) {
	if c.poll != nil {
		c.poll.result.Error, c.poll.result.Message = code, message
		c.maybeFinishPoll()
	}
}

func (c *Consumer) needMetadata() bool {
	if c.metaInFlight != 0 {
		return false
	}
	if c.sim.Now()-c.metaAtMs >= c.cfg.metadataMaxAgeMs {
		return true // metadata.max.age.ms: refresh even when nothing failed
	}
	for _, t := range c.settings.Topics {
		if len(c.topics[t]) == 0 {
			return true
		}
		for _, pm := range c.topics[t] {
			if pm.Leader < 0 {
				return true
			}
		}
	}
	return false
}

func (c *Consumer) anyBroker() sim.NodeID {
	return c.settings.Bootstrap[int(c.correlation)%len(c.settings.Bootstrap)]
}

func (c *Consumer) requestMetadata() {
	c.metaInFlight, c.metaTo = c.next(), c.anyBroker()
	c.conns.send(c.metaTo, &protocol.MetadataRequest{CorrelationID: c.metaInFlight, Topics: c.settings.Topics, AllowAutoTopicCreation: true})
	c.sim.SetTimer(c.node, c.cfg.requestTimeoutMs, consumerTimeout{correlation: c.metaInFlight})
}

func (c *Consumer) onMetadata(m *protocol.MetadataResponse) {
	if m.CorrelationID != c.metaInFlight {
		return
	}
	c.metaInFlight, c.metaAtMs = 0, c.sim.Now()
	for _, t := range m.Topics {
		if t.Error == protocol.None {
			c.topics[t.Name] = t.Partitions
		} else if c.refusedAccess(t.Error, t.Name) {
			return
		}
	}
	c.checkAssignedCounts()
	c.retryLater()
}

// retryLater runs again after retry.backoff.ms (and at once when possible).
func (c *Consumer) retryLater() {
	c.wakeToken++
	c.sim.SetTimer(c.node, c.cfg.retryBackoffMs, consumerWake{token: c.wakeToken})
}

func (c *Consumer) leaderOf(tp protocol.TopicPartition) int32 {
	parts := c.topics[tp.Topic]
	if int(tp.Partition) >= len(parts) {
		return -1
	}
	return parts[tp.Partition].Leader
}

// assignAll assigns every partition of the topics (a consumer without a
// group, KafkaConsumer.assign()).
func (c *Consumer) assignAll() {
	var all []protocol.TopicPartition
	for _, t := range c.settings.Topics {
		for p := range c.topics[t] {
			all = append(all, protocol.TopicPartition{Topic: t, Partition: int32(p)})
		}
	}
	c.assignment = all
}

func sortedTPSet(m map[protocol.TopicPartition]bool) []protocol.TopicPartition {
	out := make([]protocol.TopicPartition, 0, len(m))
	for tp := range m {
		out = append(out, tp)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Less(out[j]) })
	return out
}
