package broker

// The broker in ZooKeeper mode: it registers an ephemeral /brokers/ids/N
// in its session, races the others to create /controller (the winner is
// the controller until its session ends), follows the metadata the
// controller pushes (UpdateMetadata), writes its partitions' ISR changes
// to ZooKeeper itself (with a conditional write, then an
// isr_change_notification for the controller), and asks the controller
// for a controlled shutdown before stopping.

import (
	"strconv"

	"github.com/kafka-playground/playground/core/metadata"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/sim"
	"github.com/kafka-playground/playground/core/zookeeper"
)

type (
	zkRetryRegister   struct{ token uint64 }
	shutdownRetry     struct{ token uint64 }
	controlledTimeout struct {
		correlation int32
		token       uint64
	}
)

// zkMode reports whether the cluster runs on ZooKeeper.
func (b *Broker) zkMode() bool { return len(b.settings.ZooKeepers) > 0 }

func (b *Broker) zkStartBroker() {
	b.controllerID = -1
	b.controllerEpoch = -1
	b.zkc = nil
	b.zkStart()
}

// The continuations of the broker's own ZooKeeper requests, named after
// what they wait for; each holds what its step needs afterwards.
type (
	// zkBrokerRegistration waits for the broker's /brokers/ids/N.
	zkBrokerRegistration struct{}
	// zkControllerRead waits for /controller and the controller epoch.
	zkControllerRead struct{}
	// zkControllerRegistration waits for this broker's /controller,
	// written with the controller epoch epoch.
	zkControllerRegistration struct{ epoch int32 }
	// zkIsrWrite waits for a leader's conditional write of its
	// partition's new ISR (state, at path) in leader epoch leaderEpoch.
	zkIsrWrite struct {
		p           *partition
		newIsr      []int32
		leaderEpoch int32
		path        string
		state       zookeeper.PartitionState
	}
	// zkIsrCheck waits for the partition state read back after
	// ZooKeeper refused an ISR write with refused.
	zkIsrCheck struct {
		write   zkIsrWrite
		refused zookeeper.Error
	}
)

// zkRegister creates the broker's ephemeral registration in a new session.
func (b *Broker) zkRegister() {
	data := zookeeper.BrokerRegistration{ID: b.settings.ID, Host: "broker-" + strconv.Itoa(int(b.settings.ID))}
	b.zkMulti([]zookeeper.Op{{Kind: zookeeper.OpCreate, Path: zookeeper.BrokerPath(b.settings.ID), Data: data, Ephemeral: true}}, zkBrokerRegistration{})
}

func (zkBrokerRegistration) multiDone(b *Broker, resp *zookeeper.MultiResponse) {
	switch resp.Error {
	case zookeeper.OK:
		b.epoch = resp.Czxids[0]
		if b.state == Starting {
			b.state = Running
		}
		b.record("registered", "/brokers/ids/%d (broker epoch %d)", b.settings.ID, b.epoch)
		b.zkElect()
	case zookeeper.NodeExists:
		// The registration of this broker's previous session is
		// still there until that session expires.
		b.sim.SetTimer(b.node, 1000, zkRetryRegister{token: b.token})
	default:
		b.sim.SetTimer(b.node, 1000, zkRetryRegister{token: b.token})
	}
}

// zkElect tries to become the controller by creating /controller; either
// way it leaves a watch on it.
func (b *Broker) zkElect() {
	b.zkRead([]zookeeper.Read{{Path: zookeeper.ControllerPath, Watch: true}, {Path: zookeeper.ControllerEpochPath}}, zkControllerRead{})
}

func (zkControllerRead) readDone(b *Broker, resp *zookeeper.ReadResponse) {
	if resp.Error != zookeeper.OK {
		return
	}
	if current := resp.Results[0]; current.Error == zookeeper.OK {
		b.controllerID = current.Data.(zookeeper.ControllerData).BrokerID
		return
	}
	epochNode := resp.Results[1]
	epoch := epochNode.Data.(int32) + 1
	ops := []zookeeper.Op{
		{Kind: zookeeper.OpCreate, Path: zookeeper.ControllerPath, Data: zookeeper.ControllerData{BrokerID: b.settings.ID}, Ephemeral: true},
		{Kind: zookeeper.OpSetData, Path: zookeeper.ControllerEpochPath, Data: epoch, Version: epochNode.Version},
	}
	b.zkMulti(ops, zkControllerRegistration{epoch: epoch})
}

func (r zkControllerRegistration) multiDone(b *Broker, resp *zookeeper.MultiResponse) {
	if resp.Error == zookeeper.OK {
		b.controllerID = b.settings.ID
		b.becomeZkController(r.epoch)
		return
	}
	b.zkElect()
}

func (b *Broker) zkOnEvent(e *zookeeper.WatchedEvent) {
	if e.Path == zookeeper.ControllerPath {
		if e.Type == zookeeper.NodeDeleted {
			if b.zkc != nil {
				b.resignZkController()
			}
			b.controllerID = -1
		}
		b.zkElect()
		return
	}
	if b.zkc != nil {
		b.zkc.onEvent(e)
	}
}

// onUpdateMetadata applies what the controller pushes.
func (b *Broker) onUpdateMetadata(m *protocol.UpdateMetadataRequest) {
	if m.ControllerEpoch < b.controllerEpoch {
		b.record("stale-controller", "ignored metadata from broker-%d epoch %d (current epoch %d)", m.ControllerID, m.ControllerEpoch, b.controllerEpoch)
		return
	}
	b.controllerEpoch = m.ControllerEpoch
	b.controllerID = m.ControllerID
	image := b.disk.Image
	if m.Full {
		image = metadata.NewImage()
		b.disk.Image = image
	}
	for _, r := range m.Records {
		image.Apply(image.Offset+1, r)
	}
	b.refreshConfig()
	b.reconcilePartitions()
}

// zkAlterIsr writes a partition's new ISR to ZooKeeper as its leader, then
// tells the controller through an isr_change_notification.
//
// The write is conditional on the version the leader last saw. When
// ZooKeeper refuses it (BADVERSION), the leader reads the state back, as
// Kafka's ReplicationUtils.checkLeaderAndIsrZkData does: if it holds
// exactly this ISR (an earlier write of the same change landed though its
// answer was lost), the change is done at that version. Otherwise the
// leader keeps its ISR and tries again at later checks, each refused,
// until the controller's state (a new leader epoch) reaches it, as
// Kafka's leaders of that design do ("Cached zkVersion not equal to that
// in zookeeper, skip updating ISR").
func (b *Broker) zkAlterIsr(p *partition, newIsr []int32) {
	p.alterInFlight = true
	p.pendingIsr = newIsr
	leaderEpoch := p.leaderEpoch
	path := zookeeper.PartitionStatePath(p.tp.Topic, p.tp.Partition)
	state := zookeeper.PartitionState{Leader: b.settings.ID, LeaderEpoch: p.leaderEpoch, Isr: newIsr, ControllerEpoch: b.controllerEpoch}
	notification := zookeeper.IsrChangeNotificationPath + "/isr_change_" + strconv.Itoa(int(b.settings.ID)) + "_" + strconv.FormatUint(b.nextToken(), 10)
	ops := []zookeeper.Op{
		{Kind: zookeeper.OpSetData, Path: path, Data: state, Version: p.partitionEpoch},
		{Kind: zookeeper.OpCreate, Path: notification, Data: zookeeper.IsrChange{Topic: p.tp.Topic, Partition: p.tp.Partition}},
	}
	b.zkMulti(ops, zkIsrWrite{p: p, newIsr: newIsr, leaderEpoch: leaderEpoch, path: path, state: state})
}

// current reports whether the write's partition is still led here in
// the leader epoch it was written in.
func (w zkIsrWrite) current() bool { return w.p.role == roleLeader && w.p.leaderEpoch == w.leaderEpoch }

func (w zkIsrWrite) multiDone(b *Broker, resp *zookeeper.MultiResponse) {
	if !w.current() {
		return
	}
	if resp.Error != zookeeper.BadVersion {
		b.zkIsrWritten(w.p, w.newIsr, resp.Error, resp.Versions)
		return
	}
	b.zkRead([]zookeeper.Read{{Path: w.path}}, zkIsrCheck{write: w, refused: resp.Error})
}

func (c zkIsrCheck) readDone(b *Broker, read *zookeeper.ReadResponse) {
	w := c.write
	if !w.current() {
		return
	}
	if read.Error == zookeeper.OK && len(read.Results) == 1 && read.Results[0].Error == zookeeper.OK &&
		samePartitionState(read.Results[0].Data, w.state) {
		b.record("isr-write", "%s refused by ZooKeeper: %s, but the znode holds this ISR already (version %d)",
			w.p.tp, c.refused, read.Results[0].Version)
		b.zkIsrWritten(w.p, w.newIsr, zookeeper.OK, []int32{read.Results[0].Version})
		return
	}
	b.zkIsrWritten(w.p, w.newIsr, c.refused, nil)
}

// zkIsrWritten ends a leader's ISR write: adopted at its new version, or
// refused and tried again later. Either way the followers that caught up
// while it was in flight are considered again when their next fetch
// would come: unlike an AlterPartition's, the leader's own write brings
// no metadata update that would do it.
func (b *Broker) zkIsrWritten(p *partition, newIsr []int32, err zookeeper.Error, versions []int32) {
	p.alterInFlight = false
	p.pendingIsr = nil
	if err == zookeeper.OK {
		b.setIsr(p, newIsr, versions[0])
	} else {
		b.record("isr-write", "%s refused by ZooKeeper: %s", p.tp, err)
	}
	b.retryIsrChange(p)
	b.maybeIncrementHighWatermark(p)
}

// samePartitionState reports whether a state znode's data is want.
func samePartitionState(data any, want zookeeper.PartitionState) bool {
	got, ok := data.(zookeeper.PartitionState)
	return ok && got.Leader == want.Leader && got.LeaderEpoch == want.LeaderEpoch &&
		got.ControllerEpoch == want.ControllerEpoch && equalIDs(got.Isr, want.Isr)
}

// zkBeginShutdown asks the controller to move leaderships away; after
// controlled.shutdown.max.retries failed tries it stops anyway.
func (b *Broker) zkBeginShutdown() {
	if b.controllerID < 0 || b.shutdownTries > int(b.brokerInt("controlled.shutdown.max.retries")) {
		b.finishShutdown()
		return
	}
	b.shutdownTries++
	corr := b.nextCorrelation()
	b.shutdownCorrelation = corr
	req := &protocol.ControlledShutdownRequest{CorrelationID: corr, BrokerID: b.settings.ID, BrokerEpoch: b.epoch}
	b.sim.Send(b.node, b.settings.BrokerNode(b.controllerID), req)
	b.sim.SetTimer(b.node, 30000, controlledTimeout{correlation: corr, token: b.token})
}

func (b *Broker) onControlledShutdownResponse(m *protocol.ControlledShutdownResponse) {
	if m.CorrelationID != b.shutdownCorrelation {
		return
	}
	b.shutdownCorrelation = 0
	if m.Error == protocol.None && len(m.RemainingPartitions) == 0 {
		b.finishShutdown()
		return
	}
	b.sim.SetTimer(b.node, b.brokerInt("controlled.shutdown.retry.backoff.ms"), shutdownRetry{token: b.token})
}

// zkReceive2 handles the ZooKeeper-mode broker messages.
func (b *Broker) zkModeReceive(from sim.NodeID, msg sim.Message) bool {
	switch m := msg.(type) {
	case *protocol.UpdateMetadataRequest:
		b.onUpdateMetadata(m)
	case *protocol.ControlledShutdownRequest:
		if b.zkc != nil {
			b.zkc.onControlledShutdown(from, m)
		} else {
			b.sim.Send(b.node, from, &protocol.ControlledShutdownResponse{CorrelationID: m.CorrelationID, Error: protocol.NotController})
		}
	case *protocol.ControlledShutdownResponse:
		b.onControlledShutdownResponse(m)
	case *protocol.CreateTopicsResponse:
		// The controller's answer to an auto-creation: nothing waits for it.
	case zkRetryRegister:
		if m.token == b.token {
			b.zkRegister()
		}
	case shutdownRetry:
		if m.token == b.token {
			b.zkBeginShutdown()
		}
	case controlledTimeout:
		if m.token == b.token && m.correlation == b.shutdownCorrelation {
			b.shutdownCorrelation = 0
			b.zkBeginShutdown()
		}
	case zkControllerTimer:
		if b.zkc != nil {
			b.zkc.onTimer(m)
		}
	default:
		return b.zkReceive(from, msg)
	}
	return true
}

// ZooKeeperControllerImage returns the metadata of this broker's
// controller role, or nil when it is not the controller.
func (b *Broker) ZooKeeperControllerImage() *metadata.Image {
	if b.zkc == nil || !b.zkc.loaded {
		return nil
	}
	return b.zkc.image
}

// ControllerEpoch returns the controller epoch this broker last heard of
// (ZooKeeper mode).
func (b *Broker) ControllerEpoch() int32 { return b.controllerEpoch }
