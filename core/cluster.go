// Package core is the deterministic Kafka cluster engine: a Cluster built
// from a Spec, driven by inputs (operations, "advance time"), producing a
// trace and a state document. It has no goroutines, no clock and no I/O;
// hosts (the CLI, the browser, the backend) drive it. See doc.go for the
// host contract.
package core

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/kafka-playground/playground/core/broker"
	"github.com/kafka-playground/playground/core/client"
	"github.com/kafka-playground/playground/core/config"
	"github.com/kafka-playground/playground/core/controller"
	"github.com/kafka-playground/playground/core/metadata"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/security"
	"github.com/kafka-playground/playground/core/sim"
	"github.com/kafka-playground/playground/core/zookeeper"
)

// Metadata modes.
const (
	KRaft     = "kraft"
	ZooKeeper = "zookeeper"
)

// Spec is the shape of a cluster: what a scenario's "cluster" section says.
type Spec struct {
	Seed        uint64
	Brokers     int
	Metadata    string
	Controllers int
	ZooKeepers  int
	LatencyMs   int64
	// Config is the brokers' static configuration (server.properties).
	Config map[string]string
}

// Limits of a cluster's shape.
const (
	MaxBrokers     = 16
	MaxControllers = 7
)

// Cluster is one simulated Kafka cluster.
type Cluster struct {
	sim          *sim.Sim
	spec         Spec
	brokerConfig config.Values
	clusterID    string

	brokers         []*broker.Broker
	brokerNodes     []sim.NodeID
	controllers     []*controller.Controller
	controllerNodes []sim.NodeID
	metadataLog     *controller.Log
	zkTree          *zookeeper.Tree
	zkServers       []*zookeeper.Server
	zkNodes         []sim.NodeID
	admin           *client.Admin
	adminNode       sim.NodeID
	committed       *metadata.Image
	producers       map[string]*client.Producer
	producerNodes   map[string]sim.NodeID
	consumers       map[string]*client.Consumer
	// processed counts, per group, partition and offset, how often the
	// application processed a record (process steps).
	processed     map[string]map[protocol.TopicPartition]map[int64]int
	consumerNodes map[string]sim.NodeID
	// Security: the brokers' listeners, their JAAS PLAIN users, each
	// client's security settings by node, and eavesdroppers.
	listeners      []config.Listener
	plainUsers     map[string]security.Credential
	clientSecurity map[sim.NodeID]client.Security
	eavesdroppers  []*eavesdropper
}

// New builds a cluster and starts its nodes at time 0.
func New(spec Spec) (*Cluster, error) {
	if spec.Brokers == 0 {
		spec.Brokers = 3
	}
	if spec.Metadata == "" {
		spec.Metadata = KRaft
	}
	if spec.Controllers == 0 && spec.Metadata != ZooKeeper {
		spec.Controllers = 3
	}
	if spec.ZooKeepers == 0 && spec.Metadata == ZooKeeper {
		spec.ZooKeepers = 3
	}
	if spec.Metadata == ZooKeeper {
		spec.Controllers = 0
	} else {
		spec.ZooKeepers = 0
	}
	if spec.Seed == 0 {
		spec.Seed = 1
	}
	if spec.LatencyMs < 0 {
		return nil, fmt.Errorf("latency_ms: %d is negative", spec.LatencyMs)
	}
	if spec.Brokers < 1 || spec.Brokers > MaxBrokers {
		return nil, fmt.Errorf("brokers: %d is out of range 1..%d", spec.Brokers, MaxBrokers)
	}
	if spec.Metadata == KRaft && (spec.Controllers < 1 || spec.Controllers > MaxControllers) {
		return nil, fmt.Errorf("controllers: %d is out of range 1..%d", spec.Controllers, MaxControllers)
	}
	if spec.Metadata == ZooKeeper && (spec.ZooKeepers < 1 || spec.ZooKeepers > MaxControllers) {
		return nil, fmt.Errorf("zookeepers: %d is out of range 1..%d", spec.ZooKeepers, MaxControllers)
	}
	if spec.Metadata != KRaft && spec.Metadata != ZooKeeper {
		return nil, fmt.Errorf("metadata: %q is neither %q nor %q", spec.Metadata, KRaft, ZooKeeper)
	}
	brokerConfig, err := config.Resolve(config.Broker, spec.Config)
	if err != nil {
		return nil, fmt.Errorf("cluster.config: %w", err)
	}
	c := &Cluster{spec: spec, brokerConfig: brokerConfig, sim: sim.New(spec.Seed, -BootMs, sim.Limits{}),
		producers: map[string]*client.Producer{}, producerNodes: map[string]sim.NodeID{}, consumers: map[string]*client.Consumer{}, processed: map[string]map[protocol.TopicPartition]map[int64]int{}, consumerNodes: map[string]sim.NodeID{}}
	c.clientSecurity = map[sim.NodeID]client.Security{}
	if err := c.securitySetup(); err != nil {
		return nil, err
	}
	c.sim.SetBaseLatency(spec.LatencyMs)
	c.clusterID = clusterID(c.sim.Rand().Uint64())
	if spec.Metadata == ZooKeeper {
		c.buildZooKeeper()
	} else {
		c.buildKRaft()
	}
	return c, nil
}

// BootMs is how long before time 0 the cluster's processes start: a
// scenario's time 0 finds the controller elected and every broker
// registered and unfenced. The trace shows the boot with negative times.
const BootMs = 10000

// bootExtraMs bounds how far past time 0 boot may run when the cluster is
// slow to come up (long network latency).
const bootExtraMs = 60000

// Boot runs the cluster's start-up: from -BootMs until time 0, and on
// until it is Ready if that takes longer. Hosts install trace sinks and
// checkers before calling it.
func (c *Cluster) Boot() {
	c.sim.RunUntil(0)
	c.sim.RunWhile(func() bool { return !c.Ready() }, bootExtraMs)
}

// Ready reports whether the cluster has an active controller and every
// running broker is unfenced.
func (c *Cluster) Ready() bool {
	if c.spec.Metadata == ZooKeeper {
		return c.zooKeeperReady()
	}
	if c.ActiveController() == nil {
		return false
	}
	for i, b := range c.brokers {
		if c.sim.Alive(c.brokerNodes[i]) && b.State() != broker.Running {
			return false
		}
	}
	return true
}

// clusterID renders a cluster id as Kafka prints one (22 URL-safe chars).
func clusterID(seed uint64) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	out := make([]byte, 22)
	for i := range out {
		seed = seed*6364136223846793005 + 1442695040888963407
		out[i] = alphabet[seed>>58]
	}
	return string(out)
}

// buildKRaft adds controllers controller-1..C, brokers broker-1..N and the
// admin client. Node ids are assigned in that order, so names resolve
// before any node starts sending.
func (c *Cluster) buildKRaft() {
	var voters []int32
	for i := 1; i <= c.spec.Controllers; i++ {
		voters = append(voters, int32(i))
	}
	c.metadataLog = &controller.Log{Leader: -1}
	controllerNodes := sim.NodeRange{First: 0}
	brokerNodes := sim.NodeRange{First: sim.NodeID(c.spec.Controllers)}
	// The admin client is the first client node, added after the brokers.
	firstClient := brokerNodes.Node(int32(c.spec.Brokers) + 1)
	static := c.brokerConfig
	settings := controller.Settings{
		Seed:                               c.spec.Seed,
		Voters:                             voters,
		ElectionTimeoutMs:                  static.Int("controller.quorum.election.timeout.ms"),
		FetchTimeoutMs:                     static.Int("controller.quorum.fetch.timeout.ms"),
		ElectionBackoffMaxMs:               static.Int("controller.quorum.election.backoff.max.ms"),
		SessionTimeoutMs:                   static.Int("broker.session.timeout.ms"),
		CommitDelayMs:                      2 * c.spec.LatencyMs,
		LeaderImbalancePerBrokerPercentage: static.Int("leader.imbalance.per.broker.percentage"),
		Static:                             static,
		ControllerNodes:                    controllerNodes,
		BrokerNodes:                        brokerNodes,
	}
	if static.Bool("auto.leader.rebalance.enable") {
		settings.LeaderImbalanceCheckIntervalMs = static.Int("leader.imbalance.check.interval.seconds") * 1000
	}
	for _, id := range voters {
		s := settings
		s.ID = id
		ctl := controller.New(c.sim, s, c.metadataLog, &controller.Disk{VotedFor: -1})
		c.controllers = append(c.controllers, ctl)
		node := c.sim.AddNode("controller-"+strconv.Itoa(int(id)), ctl)
		c.controllerNodes = append(c.controllerNodes, node)
	}
	for id := int32(1); id <= int32(c.spec.Brokers); id++ {
		b := broker.New(c.sim, broker.Settings{ID: id, Static: static, ClusterID: c.clusterID, Voters: voters,
			ControllerNodes: controllerNodes, BrokerNodes: brokerNodes, FirstClient: firstClient, PlainUsers: c.plainUsers}, broker.NewDisk())
		c.brokers = append(c.brokers, b)
		node := c.sim.AddNode("broker-"+strconv.Itoa(int(id)), b)
		c.brokerNodes = append(c.brokerNodes, node)
	}
	c.admin = client.NewAdmin(c.sim, client.DefaultAdminSettings(c.brokerNodes))
	c.adminNode = c.sim.AddNode("admin", c.admin)
	if c.adminNode != firstClient {
		panic("core: the admin client is not the first client node")
	}
}

// Sim returns the simulation kernel (clock, trace, network).
func (c *Cluster) Sim() *sim.Sim { return c.sim }

// Spec returns the cluster's shape, defaults filled in.
func (c *Cluster) Spec() Spec { return c.spec }

// Now returns the virtual time in milliseconds.
func (c *Cluster) Now() int64 { return c.sim.Now() }

// TraceHash returns the hex SHA-256 of the trace so far.
func (c *Cluster) TraceHash() string { return c.sim.TraceHash() }

// Broker returns broker id (1-based), or nil.
func (c *Cluster) Broker(id int32) *broker.Broker {
	if id < 1 || int(id) > len(c.brokers) {
		return nil
	}
	return c.brokers[id-1]
}

// BrokerNode returns broker id's node.
func (c *Cluster) BrokerNode(id int32) sim.NodeID { return c.brokerNodes[id-1] }

// Brokers returns every broker.
func (c *Cluster) Brokers() []*broker.Broker { return c.brokers }

// Controllers returns every KRaft controller.
func (c *Cluster) Controllers() []*controller.Controller { return c.controllers }

// ActiveController returns the controller leading the quorum, or nil.
func (c *Cluster) ActiveController() *controller.Controller {
	if c.metadataLog == nil {
		return nil
	}
	for i, ctl := range c.controllers {
		if c.sim.Alive(c.controllerNodes[i]) && ctl.IsActive() && c.metadataLog.Leader == ctl.ID() {
			return ctl
		}
	}
	return nil
}

// Advance lets virtual time run for ms milliseconds.
func (c *Cluster) Advance(ms int64) { c.sim.RunUntil(c.sim.Now() + ms) }

// RunUntil lets virtual time run to timeMs.
func (c *Cluster) RunUntil(timeMs int64) { c.sim.RunUntil(timeMs) }

// Wait runs the simulation until f is done or timeoutMs passes; it reports
// whether f is done.
func (c *Cluster) Wait(f *client.Future, timeoutMs int64) bool {
	return c.sim.RunWhile(func() bool { return !f.Done }, c.sim.Now()+timeoutMs)
}

// CreateTopic starts creating a topic through the admin client.
func (c *Cluster) CreateTopic(name string, partitions int32, replicationFactor int16, cfg map[string]string) *client.Future {
	return c.admin.CreateTopic(protocol.CreatableTopic{Name: name, NumPartitions: partitions, ReplicationFactor: replicationFactor, Configs: cfg})
}

// DeleteTopic starts deleting a topic.
func (c *Cluster) DeleteTopic(name string) *client.Future { return c.admin.DeleteTopic(name) }

// CreatePartitions takes a topic to count partitions in all.
func (c *Cluster) CreatePartitions(topic string, count int32) *client.Future {
	return c.admin.CreatePartitions(topic, count)
}

// AlterTopicConfig starts setting topic configs (IncrementalAlterConfigs SET).
func (c *Cluster) AlterTopicConfig(topic string, cfg map[string]string) *client.Future {
	return c.admin.AlterConfigs(alterResource(protocol.ResourceTopic, topic, cfg))
}

// AlterBrokerConfig starts setting dynamic broker configs; broker 0 means
// the cluster-wide default.
func (c *Cluster) AlterBrokerConfig(brokerID int32, cfg map[string]string) *client.Future {
	name := ""
	if brokerID > 0 {
		name = strconv.Itoa(int(brokerID))
	}
	return c.admin.AlterConfigs(alterResource(protocol.ResourceBroker, name, cfg))
}

func alterResource(resourceType int8, name string, cfg map[string]string) protocol.AlterConfigsResource {
	res := protocol.AlterConfigsResource{ResourceType: resourceType, ResourceName: name}
	keys := make([]string, 0, len(cfg))
	for k := range cfg {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		op := protocol.ConfigSet
		if cfg[k] == "" {
			op = protocol.ConfigDelete
		}
		res.Configs = append(res.Configs, protocol.AlterableConfig{Name: k, Operation: op, Value: cfg[k]})
	}
	return res
}

// ElectLeaders starts a preferred leader election (all partitions when
// partitions is nil).
func (c *Cluster) ElectLeaders(partitions []protocol.TopicPartition) *client.Future {
	return c.admin.ElectLeaders(protocol.ElectPreferred, partitions)
}

// KillBroker crashes a broker's process: no controlled shutdown.
func (c *Cluster) KillBroker(id int32) error {
	b := c.Broker(id)
	if b == nil {
		return fmt.Errorf("no broker %d", id)
	}
	if !c.sim.Alive(c.BrokerNode(id)) {
		return fmt.Errorf("broker %d is not running", id)
	}
	c.sim.RecordAs("cluster", "kill", "broker-"+strconv.Itoa(int(id)))
	b.Stopped(false)
	c.sim.Crash(c.BrokerNode(id))
	return nil
}

// StopBroker begins a controlled shutdown; the broker stops once the
// controller has moved its leaderships away.
func (c *Cluster) StopBroker(id int32) error {
	b := c.Broker(id)
	if b == nil {
		return fmt.Errorf("no broker %d", id)
	}
	if !c.sim.Alive(c.BrokerNode(id)) {
		return fmt.Errorf("broker %d is not running", id)
	}
	c.sim.RecordAs("cluster", "stop", "broker-"+strconv.Itoa(int(id)))
	b.BeginShutdown()
	return nil
}

// BrokerRunning reports whether broker id's process runs.
func (c *Cluster) BrokerRunning(id int32) bool { return c.sim.Alive(c.BrokerNode(id)) }

// StartBroker restarts a stopped or crashed broker over its disk.
func (c *Cluster) StartBroker(id int32) error {
	if c.Broker(id) == nil {
		return fmt.Errorf("no broker %d", id)
	}
	if c.sim.Alive(c.BrokerNode(id)) {
		return fmt.Errorf("broker %d is already running", id)
	}
	c.sim.RecordAs("cluster", "start", "broker-"+strconv.Itoa(int(id)))
	c.sim.Restart(c.BrokerNode(id))
	return nil
}

// KillNode crashes any node by name (a controller, a client).
func (c *Cluster) KillNode(name string) error {
	id, ok := c.sim.Lookup(name)
	if !ok {
		return fmt.Errorf("no node %q", name)
	}
	if strings.HasPrefix(name, "broker-") {
		n, _ := strconv.Atoi(strings.TrimPrefix(name, "broker-"))
		return c.KillBroker(int32(n))
	}
	c.sim.RecordAs("cluster", "kill", name)
	c.sim.Crash(id)
	return nil
}

// StartNode restarts any crashed node by name.
func (c *Cluster) StartNode(name string) error {
	id, ok := c.sim.Lookup(name)
	if !ok {
		return fmt.Errorf("no node %q", name)
	}
	if c.sim.Alive(id) {
		return fmt.Errorf("%s is already running", name)
	}
	c.sim.RecordAs("cluster", "start", name)
	c.sim.Restart(id)
	return nil
}

// PartitionNetwork cuts the network into groups of node names.
func (c *Cluster) PartitionNetwork(groups [][]string) error {
	var ids [][]sim.NodeID
	var parts []string
	for _, g := range groups {
		var members []sim.NodeID
		for _, name := range g {
			id, ok := c.sim.Lookup(name)
			if !ok {
				return fmt.Errorf("no node %q", name)
			}
			members = append(members, id)
		}
		ids = append(ids, members)
		parts = append(parts, "["+strings.Join(g, " ")+"]")
	}
	c.sim.RecordAs("network", "partition", strings.Join(parts, " | "))
	c.sim.Partition(ids)
	return nil
}

// HealNetwork removes every partition.
func (c *Cluster) HealNetwork() {
	c.sim.RecordAs("network", "heal", "all links restored")
	c.sim.Heal()
}

// DelayNode adds latency to every message to or from a node.
func (c *Cluster) DelayNode(name string, ms int64) error {
	id, ok := c.sim.Lookup(name)
	if !ok {
		return fmt.Errorf("no node %q", name)
	}
	c.sim.RecordAs("network", "delay", name+" "+strconv.FormatInt(ms, 10)+"ms")
	c.sim.SetNodeDelay(id, ms)
	return nil
}

func sim_NodeID(i int) sim.NodeID { return sim.NodeID(i) }
