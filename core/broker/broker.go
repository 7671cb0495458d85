// Package broker is a Kafka broker of the simulated cluster: it registers
// with the controller, follows the metadata it publishes, leads and follows
// partition replicas, replicates by fetching from leaders over the
// simulated network, keeps the ISR and the high watermark, applies
// retention, and answers clients' requests with Kafka's errors.
//
// Requests are handled one file per API, named after Kafka's API keys
// (00_produce.go, 01_fetch.go, ...), as franz-go's kfake does.
package broker

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kafka-playground/playground/core/config"
	"github.com/kafka-playground/playground/core/metadata"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/security"
	"github.com/kafka-playground/playground/core/sim"
	"github.com/kafka-playground/playground/core/storage"
)

// Settings configure a broker.
type Settings struct {
	ID int32
	// Static is the broker's server.properties configuration.
	Static    config.Values
	ClusterID string
	Voters    []int32
	// ControllerNodes, BrokerNodes and ZooKeeperNodes name the nodes of
	// the controllers, brokers and ZooKeeper servers by id.
	ControllerNodes sim.NodeRange
	BrokerNodes     sim.NodeRange
	// Seed is the cluster's seed (replica placement derives from it).
	Seed uint64
	// ZooKeepers lists the ensemble in ZooKeeper mode (empty in KRaft mode).
	ZooKeepers     []int32
	ZooKeeperNodes sim.NodeRange
	// FirstClient is the first client node: nodes from it on are clients
	// (whose requests are authenticated and authorized), those before it
	// the cluster's own servers. 0, which is always a server, means that
	// no node is a client.
	FirstClient sim.NodeID
	// PlainUsers are the SASL/PLAIN users of the brokers' JAAS
	// configuration, shared with the cluster that adds them.
	PlainUsers map[string]security.Credential
}

// ControllerNode returns the node of controller id.
func (s *Settings) ControllerNode(id int32) sim.NodeID { return s.ControllerNodes.Node(id) }

// BrokerNode returns the node of broker id.
func (s *Settings) BrokerNode(id int32) sim.NodeID { return s.BrokerNodes.Node(id) }

// ZooKeeperNode returns the node of ZooKeeper server id.
func (s *Settings) ZooKeeperNode(id int32) sim.NodeID { return s.ZooKeeperNodes.Node(id) }

// IsClient tells client nodes from the cluster's own servers.
func (s *Settings) IsClient(node sim.NodeID) bool { return s.FirstClient > 0 && node >= s.FirstClient }

// PlainUser looks up a SASL/PLAIN user of the brokers' JAAS configuration.
func (s *Settings) PlainUser(user string) (security.Credential, bool) {
	credential, ok := s.PlainUsers[user]
	return credential, ok
}

// Disk is what a broker keeps across restarts: its partition logs and its
// copy of the metadata log (as an image).
type Disk struct {
	Logs  map[protocol.TopicPartition]*storage.Log
	Image *metadata.Image
	// NextProducerID numbers the producer ids this broker has handed out.
	NextProducerID int64
}

// NewDisk returns an empty disk.
func NewDisk() *Disk {
	return &Disk{Logs: map[protocol.TopicPartition]*storage.Log{}, Image: metadata.NewImage()}
}

// State is a broker's lifecycle state.
type State int

// Broker states.
const (
	// Stopped: the process is not running (crashed or shut down).
	Stopped State = iota
	// Starting: registering with the controller and catching up.
	Starting
	// Fenced: registered but not yet allowed to lead or join ISRs.
	Fenced
	// Running: unfenced and serving.
	Running
	// ShuttingDown: controlled shutdown in progress.
	ShuttingDown
)

// String returns the state's name as the state document shows it.
func (s State) String() string {
	return [...]string{"stopped", "starting", "fenced", "running", "shutting_down"}[s]
}

// Broker is one broker node.
type Broker struct {
	sim      *sim.Sim
	node     sim.NodeID
	settings Settings
	disk     *Disk

	// Volatile state, rebuilt by Start.
	state         State
	cleanShutdown bool
	epoch         int64
	correlation   int32
	// token identifies this run of the process: timers of an earlier run
	// are ignored.
	token uint64
	// sequence numbers delayed operations (parked fetches, produces).
	sequence uint64
	config   config.Values
	// configInts holds the Int configs read since config last changed,
	// parsed (see brokerInt).
	configInts map[string]int64
	// line is the buffer recordOffsets builds trace lines in.
	line       []byte
	topics     map[string]*topicSettings
	partitions map[protocol.TopicPartition]*partition
	fetchers   map[int32]*fetcher
	parked     []*parkedFetch
	produces   []*delayedProduce
	control    controlPlane
	// ZooKeeper mode.
	zk                  zkClient
	zkc                 *zkController
	controllerID        int32
	controllerEpoch     int32
	shutdownTries       int
	shutdownCorrelation int32
	// Group coordinator.
	groups      map[string]*Group
	groupLoaded map[int32]int32
	// Transaction coordinator.
	txn         txnCoordinator
	markerCalls map[int32]*markerRound
	// Security: client connections and the authorizer's settings.
	sessions map[sim.NodeID]*session
	// closedPeers are clients whose connection this broker closed and
	// that have not connected again: what they still send is dropped.
	closedPeers map[sim.NodeID]bool
	authz       authz
}

// New returns a broker node over its disk.
func New(s *sim.Sim, settings Settings, disk *Disk) *Broker {
	return &Broker{sim: s, settings: settings, disk: disk}
}

// ID returns the broker id.
func (b *Broker) ID() int32 { return b.settings.ID }

// State returns the broker's lifecycle state.
func (b *Broker) State() State { return b.state }

// CleanShutdown reports whether the broker's last stop was a controlled
// shutdown.
func (b *Broker) CleanShutdown() bool { return b.cleanShutdown }

// Disk returns the broker's disk, for inspection.
func (b *Broker) Disk() *Disk { return b.disk }

// Image returns the broker's metadata cache.
func (b *Broker) Image() *metadata.Image { return b.disk.Image }

// Start implements sim.Node: the broker process starts over its disk.
func (b *Broker) Start(self sim.NodeID) {
	b.node = self
	b.state = Starting
	b.cleanShutdown = false
	b.epoch = -1
	b.token++
	b.parked = nil
	b.produces = nil
	b.fetchers = map[int32]*fetcher{}
	b.partitions = map[protocol.TopicPartition]*partition{}
	b.sessions = map[sim.NodeID]*session{}
	b.closedPeers = map[sim.NodeID]bool{}
	b.refreshConfig()
	for _, tp := range b.sortedLogs() {
		b.partitions[tp] = &partition{tp: tp, log: b.disk.Logs[tp], leader: protocol.NoLeader, leaderEpoch: -1, role: roleNone}
		b.rebuildProducerStates(b.partitions[tp])
	}
	b.shutdownTries = 0
	b.markerCalls = map[int32]*markerRound{}
	b.startTxnCoordinator()
	b.startGroupCoordinator()
	if b.zkMode() {
		b.zkStartBroker()
	} else {
		b.control.start(b)
	}
	b.scheduleHousekeeping()
}

// Stopped is called by the cluster when the process stops; it records
// whether that was clean.
func (b *Broker) Stopped(clean bool) {
	b.state = Stopped
	b.cleanShutdown = clean
}

func (b *Broker) sortedLogs() []protocol.TopicPartition {
	tps := make([]protocol.TopicPartition, 0, len(b.disk.Logs))
	for tp := range b.disk.Logs {
		tps = append(tps, tp)
	}
	sortPartitions(tps)
	return tps
}

// sortPartitions sorts by topic, then number. It runs on every replica
// fetch, so it uses slices.SortFunc rather than sort.Slice, which
// allocates a reflective swapper on each call.
func sortPartitions(tps []protocol.TopicPartition) {
	slices.SortFunc(tps, func(a, b protocol.TopicPartition) int {
		if c := strings.Compare(a.Topic, b.Topic); c != 0 {
			return c
		}
		return cmp.Compare(a.Partition, b.Partition)
	})
}

func (b *Broker) record(kind, format string, args ...any) {
	b.sim.Record(b.node, kind, fmt.Sprintf(format, args...))
}

// recordOffsets records the trace line "<tp> offsets <first>..<last>"
// followed by each label and its number: the text record would print for
// "%s offsets %d..%d<label>%d...". Every batch is recorded so on each
// replica (appended by the leader, replicated by the followers), often
// enough that formatting through fmt was a visible part of the produce
// path; this builds the same text by hand.
func (b *Broker) recordOffsets(kind string, tp protocol.TopicPartition, first, last int64, numbers ...labelled) {
	line := b.line[:0]
	line = append(line, tp.Topic...)
	line = append(line, '-')
	line = strconv.AppendInt(line, int64(tp.Partition), 10)
	line = append(line, " offsets "...)
	line = strconv.AppendInt(line, first, 10)
	line = append(line, ".."...)
	line = strconv.AppendInt(line, last, 10)
	for _, n := range numbers {
		line = append(line, n.label...)
		line = strconv.AppendInt(line, n.number, 10)
	}
	b.line = line
	b.sim.Record(b.node, kind, string(line))
}

// labelled is a number of a trace line and the text before it.
type labelled struct {
	label  string
	number int64
}

func (b *Broker) nextToken() uint64 {
	b.sequence++
	return b.sequence
}

func (b *Broker) nextCorrelation() int32 {
	b.correlation++
	return b.correlation
}

func (b *Broker) now() int64 { return b.sim.Now() }

// Receive implements sim.Node.
func (b *Broker) Receive(from sim.NodeID, msg sim.Message) {
	if b.zkMode() {
		if b.zkModeReceive(from, msg) {
			return
		}
	} else if b.control.receive(b, from, msg) {
		return
	}
	if b.isClient(from) && (!b.admit(from, msg) || !b.authorizeRequest(from, msg)) {
		return
	}
	switch m := msg.(type) {
	case *protocol.ProduceRequest:
		b.handleProduce(from, m)
	case *protocol.FetchRequest:
		b.handleFetch(from, m)
	case *protocol.ListOffsetsRequest:
		b.handleListOffsets(from, m)
	case *protocol.MetadataRequest:
		b.handleMetadata(from, m)
	case *protocol.InitProducerIDRequest:
		b.handleInitProducerID(from, m)
	case *protocol.FindCoordinatorRequest:
		b.handleFindCoordinator(from, m)
	case *protocol.AddPartitionsToTxnRequest:
		b.handleAddPartitionsToTxn(from, m)
	case *protocol.EndTxnRequest:
		b.handleEndTxn(from, m)
	case *protocol.WriteTxnMarkersRequest:
		b.handleWriteTxnMarkers(from, m)
	case *protocol.WriteTxnMarkersResponse:
		b.onWriteTxnMarkersResponse(m)
	case markerTimeout:
		b.onMarkerTimeout(m)
	case markerRetry:
		b.onMarkerRetry(m)
	case txnTimeoutTick:
		b.onTxnTimeoutTick(m)
	case *protocol.JoinGroupRequest:
		b.handleJoinGroup(from, m)
	case *protocol.SyncGroupRequest:
		b.handleSyncGroup(from, m)
	case *protocol.HeartbeatRequest:
		b.handleHeartbeat(from, m)
	case *protocol.LeaveGroupRequest:
		b.handleLeaveGroup(from, m)
	case *protocol.OffsetCommitRequest:
		b.handleOffsetCommit(from, m)
	case *protocol.OffsetFetchRequest:
		b.handleOffsetFetch(from, m)
	case *protocol.DescribeGroupsRequest:
		b.handleDescribeGroups(from, m)
	case *protocol.ListGroupsRequest:
		b.handleListGroups(from, m)
	case *protocol.TxnOffsetCommitRequest:
		b.handleTxnOffsetCommit(from, m)
	case *protocol.AddOffsetsToTxnRequest:
		b.handleAddOffsetsToTxn(from, m)
	case groupRebalanceDeadline:
		b.onGroupRebalanceDeadline(m)
	case groupSessionCheck:
		b.onGroupSessionCheck(m)
	case offsetsRetentionCheck:
		b.onOffsetsRetentionCheck(m)
	case *protocol.DescribeAclsRequest:
		b.handleDescribeAcls(from, m)
	case *protocol.DescribeConfigsRequest:
		b.handleDescribeConfigs(from, m)
	case *protocol.DescribeClusterRequest:
		b.handleDescribeCluster(from, m)
	case protocol.AdminRequest:
		b.handleAdmin(from, m)
	case *protocol.FetchResponse:
		b.handleFetchResponse(from, m)
	case fetcherTimer:
		b.onFetcherTimer(m)
	case parkedExpiry:
		b.onParkedExpiry(m)
	case produceTimeout:
		b.onProduceTimeout(m)
	case housekeeping:
		b.onHousekeeping(m)
	case isrRetry:
		b.onIsrRetry(m)
	case sim.Disconnected:
		b.onDisconnected(m.Peer)
	default:
		panic(fmt.Sprintf("broker: unexpected message %T", msg))
	}
}

// Leadership is a partition this broker leads, for inspection.
type Leadership struct {
	Partition   protocol.TopicPartition
	LeaderEpoch int32
}

// Leaderships returns the partitions this broker leads now, sorted.
func (b *Broker) Leaderships() []Leadership {
	var out []Leadership
	for _, tp := range b.sortedPartitions() {
		if p := b.partitions[tp]; p.role == roleLeader {
			out = append(out, Leadership{Partition: tp, LeaderEpoch: p.leaderEpoch})
		}
	}
	return out
}

// FollowerView is what a leader knows of one follower, for inspection.
type FollowerView struct {
	LogEndOffset       int64
	LastCaughtUpTimeMs int64
}

// LeaderView describes a partition this broker leads, for inspection:
// its ISR as the leader holds it, its log end, and its followers.
type LeaderView struct {
	Isr            []int32
	PartitionEpoch int32
	LogEndOffset   int64
	Followers      map[int32]FollowerView
}

// LeaderViewOf returns the leader's view of a partition it leads.
func (b *Broker) LeaderViewOf(tp protocol.TopicPartition) (LeaderView, bool) {
	p := b.partitions[tp]
	if p == nil || p.role != roleLeader {
		return LeaderView{}, false
	}
	v := LeaderView{Isr: p.isr, PartitionEpoch: p.partitionEpoch, LogEndOffset: p.log.LogEndOffset(), Followers: map[int32]FollowerView{}}
	for id, f := range p.followers {
		v.Followers[id] = FollowerView{LogEndOffset: f.logEndOffset, LastCaughtUpTimeMs: f.lastCaughtUpTimeMs}
	}
	return v, true
}

// LastStableOffset returns the last stable offset of a partition this
// broker leads.
func (b *Broker) LastStableOffset(tp protocol.TopicPartition) (int64, bool) {
	p := b.partitions[tp]
	if p == nil || p.role != roleLeader {
		return 0, false
	}
	return p.lastStableOffset(), true
}
