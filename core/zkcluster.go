package core

import (
	"strconv"

	"github.com/kafka-playground/playground/core/broker"
	"github.com/kafka-playground/playground/core/client"
	"github.com/kafka-playground/playground/core/metadata"
	"github.com/kafka-playground/playground/core/sim"
	"github.com/kafka-playground/playground/core/zookeeper"
)

// zkTickMs is ZooKeeper's tickTime default: how often the session tracker runs.
const zkTickMs = 2000

// buildZooKeeper adds the ensemble zookeeper-1..Z, brokers broker-1..N
// (one of which the ensemble elects controller) and the admin client.
func (c *Cluster) buildZooKeeper() {
	var ensemble []int32
	for i := 1; i <= c.spec.ZooKeepers; i++ {
		ensemble = append(ensemble, int32(i))
	}
	c.zkTree = zookeeper.NewTree()
	zookeeper.InitTree(c.zkTree)
	zkNodes := sim.NodeRange{First: 0}
	brokerNodes := sim.NodeRange{First: sim.NodeID(c.spec.ZooKeepers)}
	// The admin client is the first client node, added after the brokers.
	firstClient := brokerNodes.Node(int32(c.spec.Brokers) + 1)
	for _, id := range ensemble {
		z := zookeeper.NewServer(c.sim, zookeeper.Settings{ID: id, Ensemble: ensemble, ServerNodes: zkNodes, TickMs: zkTickMs}, c.zkTree)
		c.zkServers = append(c.zkServers, z)
		c.zkNodes = append(c.zkNodes, c.sim.AddNode("zookeeper-"+strconv.Itoa(int(id)), z))
	}
	for id := int32(1); id <= int32(c.spec.Brokers); id++ {
		b := broker.New(c.sim, broker.Settings{ID: id, Seed: c.spec.Seed, Static: c.brokerConfig, ClusterID: c.clusterID,
			BrokerNodes: brokerNodes, ZooKeepers: ensemble, ZooKeeperNodes: zkNodes, FirstClient: firstClient, PlainUsers: c.plainUsers}, broker.NewDisk())
		c.brokers = append(c.brokers, b)
		c.brokerNodes = append(c.brokerNodes, c.sim.AddNode("broker-"+strconv.Itoa(int(id)), b))
	}
	c.admin = client.NewAdmin(c.sim, client.DefaultAdminSettings(c.brokerNodes))
	c.adminNode = c.sim.AddNode("admin", c.admin)
	if c.adminNode != firstClient {
		panic("core: the admin client is not the first client node")
	}
}

// zooKeeperController returns the controller broker (the owner of
// /controller) if its process runs and it has loaded the cluster state.
func (c *Cluster) zooKeeperController() *broker.Broker {
	n := c.zkTree.Nodes[zookeeper.ControllerPath]
	if n == nil {
		return nil
	}
	id := n.Data.(zookeeper.ControllerData).BrokerID
	b := c.Broker(id)
	if b == nil || !c.BrokerRunning(id) || b.ZooKeeperControllerImage() == nil {
		return nil
	}
	return b
}

func (c *Cluster) zooKeeperReady() bool {
	ctl := c.zooKeeperController()
	if ctl == nil {
		return false
	}
	image := ctl.ZooKeeperControllerImage()
	for i, b := range c.brokers {
		if c.sim.Alive(c.brokerNodes[i]) && (b.State() != broker.Running || !image.Usable(b.ID())) {
			return false
		}
	}
	return true
}

// zooKeeperImage returns the controller's metadata, or the last one seen
// while there is no controller.
func (c *Cluster) zooKeeperImage() *metadata.Image {
	if ctl := c.zooKeeperController(); ctl != nil {
		c.committed = ctl.ZooKeeperControllerImage()
	}
	if c.committed == nil {
		c.committed = metadata.NewImage()
	}
	return c.committed
}

func (c *Cluster) zooKeeperControllerState() ControllerState {
	cs := ControllerState{Mode: ZooKeeper, Active: -1}
	if n := c.zkTree.Nodes[zookeeper.ControllerPath]; n != nil {
		cs.Active = n.Data.(zookeeper.ControllerData).BrokerID
	}
	if n := c.zkTree.Nodes[zookeeper.ControllerEpochPath]; n != nil {
		cs.Epoch = n.Data.(int32)
	}
	cs.MetadataOffset = c.zkTree.Zxid
	zk := &ZooKeeperState{Leader: -1, Sessions: len(c.zkTree.Sessions)}
	for i, z := range c.zkServers {
		cs.Voters = append(cs.Voters, z.ID())
		if c.sim.Alive(c.zkNodes[i]) {
			cs.AliveVoters = append(cs.AliveVoters, z.ID())
			if z.IsLeader() {
				zk.Leader = z.ID()
			}
		}
	}
	for _, id := range c.zkTree.Children(zookeeper.BrokerIDsPath) {
		n, _ := strconv.Atoi(id)
		zk.RegisteredBrokers = append(zk.RegisteredBrokers, int32(n))
	}
	cs.ZooKeeper = zk
	return cs
}
