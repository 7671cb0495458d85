package broker

// The ZooKeeper-mode controller: one broker, elected through /controller,
// that loads the cluster's state from ZooKeeper, watches broker
// registrations and ISR change notifications, elects partition leaders,
// writes partition state back to ZooKeeper (conditionally, fenced by the
// controller epoch) and pushes metadata to every live broker.

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"

	"github.com/kafka-playground/playground/core/config"
	"github.com/kafka-playground/playground/core/metadata"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/security"
	"github.com/kafka-playground/playground/core/sim"
	"github.com/kafka-playground/playground/core/zookeeper"
)

type zkController struct {
	b            *Broker
	epoch        int32
	epochVersion int32
	image        *metadata.Image
	loaded       bool
	busy         bool
	queue        []zkControllerEvent
	token        uint64
	// unsent marks brokers an UpdateMetadata did not reach (the link was
	// cut): they get the whole metadata again, as Kafka's controller
	// channel keeps resending a request until the broker answers.
	unsent        map[int32]bool
	resendPending bool
	// synced holds, per broker, the broker epoch that last received the
	// whole metadata from this controller: incremental updates go only to
	// a broker whose image they apply to (Kafka's UpdateMetadata carries
	// whole partition states; these records are deltas).
	synced map[int32]int64
}

// zkControllerEvent is one piece of the controller's work, waiting its
// turn in the queue, as the events of Kafka's ControllerEventManager do
// (BrokerChange, IsrChangeNotification, ControlledShutdown, ...). It is
// data (no func values), so that the broker's state can be written to
// bytes. process starts the work; the work ends with c.done(), often
// several ZooKeeper round trips later.
type zkControllerEvent interface {
	process(c *zkController)
}

// The controller's events.
type (
	// zkLoadContext reads the whole cluster state from ZooKeeper, as
	// Kafka's controller does on failover (initializeControllerContext,
	// from its Startup event); it is queued again, first, when ZooKeeper
	// refuses a write.
	zkLoadContext struct{}
	// zkBrokerChange handles a change of /brokers/ids, as Kafka's
	// BrokerChange event.
	zkBrokerChange struct{}
	// zkIsrChangeNotification takes the ISR changes leaders wrote, as
	// Kafka's IsrChangeNotification event.
	zkIsrChangeNotification struct{}
	// zkAutoPreferredReplicaLeaderElection moves leaderships back to
	// preferred replicas, as Kafka's event of that name.
	zkAutoPreferredReplicaLeaderElection struct{}
	// zkControlledShutdown moves leaderships away from a broker that
	// asked to stop (request, sent from from), as Kafka's
	// ControlledShutdown event; it is its own commit continuation too,
	// which answers.
	zkControlledShutdown struct {
		from    sim.NodeID
		request *protocol.ControlledShutdownRequest
	}
	// zkAdminRequest serves an admin request and hands its answer to
	// reply. (Kafka's ZooKeeper-mode brokers write topics to ZooKeeper
	// themselves and the controller follows; here the controller writes.)
	zkAdminRequest struct {
		request sim.Message
		reply   zkAdminReply
	}
)

// zkAdminReply is where an admin request's answer goes once the
// controller has served it (admin.go's adminReply for a client's
// request).
type zkAdminReply interface {
	send(b *Broker, resp sim.Message)
}

// zkAdminSend sends the answer as it is to the node to.
type zkAdminSend struct{ to sim.NodeID }

func (r zkAdminSend) send(b *Broker, resp sim.Message) { b.sim.Send(b.node, r.to, resp) }

// zkCommitDone continues controller work once its commit is written (ok)
// or refused or abandoned.
type zkCommitDone interface {
	committed(c *zkController, ok bool)
}

// The steps of the controller's work that wait for ZooKeeper, each with
// what its step needs afterwards. The reads and writes hold the
// controller they work for, which may have resigned by the answer: the
// work goes on for that controller, as the closures did, until its
// commit finds it resigned. The commit continuations get it from commit.
type (
	// zkLoadChildren waits for the lists of brokers, topics, configs,
	// users and ACLs.
	zkLoadChildren struct{ c *zkController }
	// zkLoadNodes waits for the znodes those lists name.
	zkLoadNodes struct{ c *zkController }
	// zkLoadStates waits for the partition states of image.
	zkLoadStates struct {
		c     *zkController
		image *metadata.Image
	}
	// zkLoadCommitted ends a load once its elections are written.
	zkLoadCommitted struct{}
	// zkCommitWrite waits for the write of records, with work the image
	// they make.
	zkCommitWrite struct {
		c       *zkController
		records []metadata.Record
		work    *metadata.Image
		then    zkCommitDone
	}
	// zkBrokerList waits for the children of /brokers/ids.
	zkBrokerList struct{ c *zkController }
	// zkBrokerRegistrations waits for the registrations of the live
	// brokers.
	zkBrokerRegistrations struct {
		c    *zkController
		live map[int32]bool
	}
	// zkBrokerChangeCommitted sends the brokers added the whole metadata.
	zkBrokerChangeCommitted struct{ added []int32 }
	// zkIsrNotificationList waits for the children of
	// /isr_change_notification.
	zkIsrNotificationList struct{ c *zkController }
	// zkIsrNotifications waits for the notifications, to be deleted by
	// deletes once taken.
	zkIsrNotifications struct {
		c       *zkController
		deletes []zookeeper.Op
	}
	// zkIsrStates waits for the states of the partitions notified.
	zkIsrStates struct {
		c       *zkController
		deletes []zookeeper.Op
	}
	// zkIsrNotificationsDeleted waits for nothing: the deletion of the
	// notifications taken is not waited for.
	zkIsrNotificationsDeleted struct{}
	// zkEventDone ends an event once its commit is done, either way.
	zkEventDone struct{}
	// zkAdminCommitted hands the admin response to reply once its
	// records are written (or not).
	zkAdminCommitted struct {
		response sim.Message
		reply    zkAdminReply
	}
)

type zkControllerTimer struct {
	token uint64
	kind  int
}

const (
	zkTimerRebalance = 1
	zkTimerResend    = 2
)

// zkResendBackoffMs is how often the controller retries brokers it could
// not reach.
const zkResendBackoffMs = 1000

func (b *Broker) becomeZkController(epoch int32) {
	b.zkc = &zkController{b: b, epoch: epoch, epochVersion: epoch, image: metadata.NewImage(), token: b.nextToken()}
	b.record("controller", "elected controller, controller epoch %d", epoch)
	b.zkc.enqueue(zkLoadContext{})
	if b.config.Bool("auto.leader.rebalance.enable") {
		b.sim.SetTimer(b.node, b.brokerInt("leader.imbalance.check.interval.seconds")*1000, zkControllerTimer{token: b.zkc.token, kind: zkTimerRebalance})
	}
}

func (b *Broker) resignZkController() {
	b.record("controller", "resigned")
	b.zkc = nil
}

// enqueue runs controller work one piece at a time, as Kafka's controller
// event thread does; done() starts the next.
func (c *zkController) enqueue(event zkControllerEvent) {
	c.queue = append(c.queue, event)
	c.next()
}

func (c *zkController) next() {
	if c.busy || len(c.queue) == 0 || c.b.zkc != c {
		return
	}
	event := c.queue[0]
	c.queue = c.queue[1:]
	c.busy = true
	event.process(c)
}

func (c *zkController) done() {
	c.busy = false
	c.next()
}

func (c *zkController) policy() metadata.Policy {
	return metadata.Policy{UncleanAllowed: func(topic string) bool {
		if t := c.image.Topics[topic]; t != nil {
			if v, ok := t.Config["unclean.leader.election.enable"]; ok {
				return v == "true"
			}
		}
		if v, ok := c.image.BrokerConfig[""]["unclean.leader.election.enable"]; ok {
			return v == "true"
		}
		return c.b.settings.Static.Bool("unclean.leader.election.enable")
	}}
}

// process reads the whole cluster state from ZooKeeper: live brokers,
// topics, partition states and configs, leaving watches on the broker
// list and the ISR notifications.
func (zkLoadContext) process(c *zkController) {
	c.b.zkRead([]zookeeper.Read{
		{Path: zookeeper.BrokerIDsPath, Children: true, Watch: true},
		{Path: zookeeper.TopicsPath, Children: true},
		{Path: zookeeper.IsrChangeNotificationPath, Children: true, Watch: true},
		{Path: zookeeper.BrokerConfigsPath, Children: true},
		{Path: zookeeper.UserConfigsPath, Children: true},
		{Path: zookeeper.AclPath, Children: true},
	}, zkLoadChildren{c: c})
}

func (l zkLoadChildren) readDone(b *Broker, resp *zookeeper.ReadResponse) {
	c := l.c
	if resp.Error != zookeeper.OK {
		c.done()
		return
	}
	var reads []zookeeper.Read
	for _, id := range resp.Results[0].Children {
		reads = append(reads, zookeeper.Read{Path: zookeeper.BrokerIDsPath + "/" + id})
	}
	for _, t := range resp.Results[1].Children {
		reads = append(reads, zookeeper.Read{Path: zookeeper.TopicPath(t)}, zookeeper.Read{Path: zookeeper.TopicConfigsPath + "/" + t})
	}
	for _, r := range resp.Results[3].Children {
		reads = append(reads, zookeeper.Read{Path: zookeeper.BrokerConfigsPath + "/" + r})
	}
	for _, u := range resp.Results[4].Children {
		reads = append(reads, zookeeper.Read{Path: zookeeper.UserConfigsPath + "/" + u})
	}
	for _, a := range resp.Results[5].Children {
		reads = append(reads, zookeeper.Read{Path: zookeeper.AclPath + "/" + a})
	}
	b.zkRead(reads, zkLoadNodes{c: c})
}

func (l zkLoadNodes) readDone(b *Broker, resp *zookeeper.ReadResponse) { l.c.loadPartitions(resp) }

func (c *zkController) loadPartitions(resp *zookeeper.ReadResponse) {
	b := c.b
	if resp.Error != zookeeper.OK {
		c.done()
		return
	}
	im := metadata.NewImage()
	var reads []zookeeper.Read
	for _, r := range resp.Results {
		switch data := r.Data.(type) {
		case zookeeper.BrokerRegistration:
			im.Apply(im.Offset+1, &metadata.RegisterBrokerRecord{BrokerID: data.ID, BrokerEpoch: r.Czxid})
			im.Apply(im.Offset+1, &metadata.UnfenceBrokerRecord{BrokerID: data.ID, BrokerEpoch: r.Czxid})
		case zookeeper.TopicAssignment:
			name := r.Path[len(zookeeper.TopicsPath)+1:]
			im.Apply(im.Offset+1, &metadata.TopicRecord{Name: name, TopicID: data.TopicID})
			for p, replicas := range data.Partitions {
				im.Apply(im.Offset+1, &metadata.PartitionRecord{Topic: name, Partition: int32(p), Replicas: replicas, Isr: replicas, Leader: -1})
				reads = append(reads, zookeeper.Read{Path: zookeeper.PartitionStatePath(name, int32(p))})
			}
		case map[string]string:
			c.loadConfig(im, r.Path, data)
		case map[string]security.Credential:
			user := r.Path[len(zookeeper.UserConfigsPath)+1:]
			for _, mechanism := range metadata.SortedMechanisms(data) {
				im.Apply(im.Offset+1, &metadata.UserScramCredentialRecord{User: user, Credential: data[mechanism]})
			}
		case security.ACL:
			im.Apply(im.Offset+1, &metadata.AccessControlEntryRecord{ACL: data})
		}
	}
	b.zkRead(reads, zkLoadStates{c: c, image: im})
}

func (l zkLoadStates) readDone(b *Broker, resp *zookeeper.ReadResponse) {
	c, im := l.c, l.image
	if resp.Error != zookeeper.OK {
		c.done()
		return
	}
	for _, r := range resp.Results {
		st, ok := r.Data.(zookeeper.PartitionState)
		if !ok {
			continue
		}
		topic, partition := statePathParts(r.Path)
		p := im.Partition(topic, partition)
		p.Leader, p.LeaderEpoch, p.Isr, p.PartitionEpoch = st.Leader, st.LeaderEpoch, st.Isr, r.Version
	}
	c.finishLoad(im)
}

func (c *zkController) loadConfig(im *metadata.Image, path string, data map[string]string) {
	resourceType, name := metadata.ResourceTopic, ""
	if len(path) > len(zookeeper.TopicConfigsPath) && path[:len(zookeeper.TopicConfigsPath)] == zookeeper.TopicConfigsPath {
		name = path[len(zookeeper.TopicConfigsPath)+1:]
		if im.Topics[name] == nil {
			return
		}
	} else {
		resourceType = metadata.ResourceBroker
		name = path[len(zookeeper.BrokerConfigsPath)+1:]
		if name == "<default>" {
			name = ""
		}
	}
	for _, k := range sortedStrings(data) {
		im.Apply(im.Offset+1, &metadata.ConfigRecord{ResourceType: resourceType, ResourceName: name, Name: k, Value: data[k]})
	}
}

func sortedStrings(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// statePathParts splits /brokers/topics/T/partitions/P/state.
func statePathParts(path string) (string, int32) {
	rest := path[len(zookeeper.TopicsPath)+1:]
	var topic string
	for i := 0; i+len("/partitions/") <= len(rest); i++ {
		if rest[i:i+len("/partitions/")] == "/partitions/" {
			topic = rest[:i]
			rest = rest[i+len("/partitions/"):]
			break
		}
	}
	n := 0
	for _, ch := range rest {
		if ch < '0' || ch > '9' {
			break
		}
		n = n*10 + int(ch-'0')
	}
	return topic, int32(n)
}

// finishLoad takes the loaded state, elects leaders where theirs are gone,
// and sends every live broker the whole metadata. The loaded state becomes
// the controller's image only with its changes written: a dead broker
// still in the ISRs it read is never the controller's committed view.
func (c *zkController) finishLoad(im *metadata.Image) {
	var records []metadata.Record
	work := im.Clone()
	dead := map[int32]bool{}
	im.EachPartition(func(topic string, index int32, p *metadata.Partition) {
		for _, r := range p.Replicas {
			if !im.Usable(r) {
				dead[r] = true
			}
		}
	})
	for _, id := range sortedKeys32(dead) {
		more := work.ChangesWithout(id, c.policyFor(work))
		for _, r := range more {
			work.Apply(work.Offset+1, r)
		}
		records = append(records, more...)
	}
	for _, id := range work.UsableBrokers() {
		more := work.ElectionsFor(id, c.policyFor(work))
		for _, r := range more {
			work.Apply(work.Offset+1, r)
		}
		records = append(records, more...)
	}
	c.commitOn(im, records, nil, zkLoadCommitted{})
}

func (zkLoadCommitted) committed(c *zkController, ok bool) {
	c.loaded = ok
	if ok {
		c.broadcast(nil, true)
	}
	c.done()
}

func (c *zkController) policyFor(im *metadata.Image) metadata.Policy {
	saved := c.image
	c.image = im
	p := c.policy()
	c.image = saved
	return p
}

// commit writes records' partition state changes (and extra ops) to
// ZooKeeper, fenced by the controller epoch; once written they apply to
// the controller's image and go to every live broker.
func (c *zkController) commit(records []metadata.Record, extra []zookeeper.Op, then zkCommitDone) {
	c.commitOn(c.image, records, extra, then)
}

// commitOn is commit with base in place of the controller's image: once
// the records are written, base with them becomes the image.
func (c *zkController) commitOn(base *metadata.Image, records []metadata.Record, extra []zookeeper.Op, then zkCommitDone) {
	b := c.b
	if len(records) == 0 && len(extra) == 0 {
		c.image = base
		then.committed(c, true)
		return
	}
	work := base.Clone()
	ops := []zookeeper.Op{{Kind: zookeeper.OpCheck, Path: zookeeper.ControllerEpochPath, Version: c.epochVersion}}
	ops = append(ops, extra...)
	written := make([]metadata.Record, 0, len(records))
	for _, r := range records {
		r = newLeaderEpoch(work, r)
		written = append(written, r)
		ops = append(ops, c.opsFor(work, r)...)
		work.Apply(work.Offset+1, r)
	}
	b.zkMulti(ops, zkCommitWrite{c: c, records: written, work: work, then: then})
}

func (w zkCommitWrite) multiDone(b *Broker, resp *zookeeper.MultiResponse) {
	c := w.c
	if b.zkc != c {
		w.then.committed(c, false)
		return
	}
	if resp.Error != zookeeper.OK {
		b.record("controller", "ZooKeeper refused the update (%s); reloading state", resp.Error)
		c.queue = append([]zkControllerEvent{zkLoadContext{}}, c.queue...)
		w.then.committed(c, false)
		return
	}
	for _, r := range w.records {
		b.record("metadata", "%s", r.Describe())
	}
	c.image = w.work
	c.broadcast(w.records, false)
	w.then.committed(c, true)
}

// newLeaderEpoch makes a partition change the controller decides start a
// new leader epoch even when the leader stays, as Kafka's ZooKeeper
// controller does (LeaderAndIsr.newLeaderAndIsr, used when it removes a
// dead or shutting-down replica from an ISR): a ZooKeeper-mode broker
// takes a LeaderAndIsr only with a newer leader epoch, and as leader resets
// its followers' caught-up times with it. (A leader's own ISR changes keep
// their epoch; they do not pass through here.)
func newLeaderEpoch(im *metadata.Image, r metadata.Record) metadata.Record {
	change, ok := r.(*metadata.PartitionChangeRecord)
	if !ok || change.Leader != metadata.NoLeaderChange {
		return r
	}
	p := im.Partition(change.Topic, change.Partition)
	if p == nil {
		return r
	}
	bumped := *change
	bumped.Leader = p.Leader
	return &bumped
}

// opsFor returns the ZooKeeper writes a record needs, computed against
// the image before it applies.
func (c *zkController) opsFor(im *metadata.Image, r metadata.Record) []zookeeper.Op {
	state := func(topic string, partition int32, p *metadata.Partition) zookeeper.PartitionState {
		return zookeeper.PartitionState{Leader: p.Leader, LeaderEpoch: p.LeaderEpoch, Isr: p.Isr, ControllerEpoch: c.epoch}
	}
	switch r := r.(type) {
	case *metadata.PartitionRecord:
		base := zookeeper.TopicPath(r.Topic) + "/partitions/" + strconv.Itoa(int(r.Partition))
		return []zookeeper.Op{{Kind: zookeeper.OpCreate, Path: base},
			{Kind: zookeeper.OpCreate, Path: base + "/state", Data: zookeeper.PartitionState{Leader: r.Leader, LeaderEpoch: r.LeaderEpoch, Isr: r.Isr, ControllerEpoch: c.epoch}}}
	case *metadata.PartitionChangeRecord:
		old := im.Partition(r.Topic, r.Partition)
		after := *old
		if r.Leader != metadata.NoLeaderChange {
			after.Leader = r.Leader
			after.LeaderEpoch++
		}
		if r.Isr != nil {
			after.Isr = r.Isr
		}
		return []zookeeper.Op{{Kind: zookeeper.OpSetData, Path: zookeeper.PartitionStatePath(r.Topic, r.Partition),
			Data: state(r.Topic, r.Partition, &after), Version: old.PartitionEpoch}}
	case *metadata.RemoveTopicRecord:
		return c.deleteTopicOps(im, r.Name)
	case *metadata.ConfigRecord:
		return c.configOps(im, r)
	case *metadata.UserScramCredentialRecord:
		creds := im.ScramCredentials(r.User)
		kind := zookeeper.OpSetData
		if len(creds) == 0 {
			kind = zookeeper.OpCreate
		}
		creds[r.Credential.Mechanism] = r.Credential
		return []zookeeper.Op{{Kind: kind, Path: zookeeper.UserConfigsPath + "/" + r.User, Data: creds, Version: -1}}
	case *metadata.AccessControlEntryRecord:
		return []zookeeper.Op{{Kind: zookeeper.OpCreate, Path: aclPath(r.ACL), Data: r.ACL}}
	case *metadata.RemoveAccessControlEntryRecord:
		return []zookeeper.Op{{Kind: zookeeper.OpDelete, Path: aclPath(r.ACL), Version: -1}}
	}
	return nil
}

// aclPath is the znode of one ACL binding.
func aclPath(acl security.ACL) string { return zookeeper.AclPath + "/" + url.PathEscape(acl.String()) }

func (c *zkController) deleteTopicOps(im *metadata.Image, name string) []zookeeper.Op {
	t := im.Topics[name]
	var ops []zookeeper.Op
	for i := range t.Partitions {
		base := zookeeper.TopicPath(name) + "/partitions/" + strconv.Itoa(i)
		ops = append(ops, zookeeper.Op{Kind: zookeeper.OpDelete, Path: base + "/state", Version: -1}, zookeeper.Op{Kind: zookeeper.OpDelete, Path: base, Version: -1})
	}
	ops = append(ops, zookeeper.Op{Kind: zookeeper.OpDelete, Path: zookeeper.TopicPath(name) + "/partitions", Version: -1},
		zookeeper.Op{Kind: zookeeper.OpDelete, Path: zookeeper.TopicPath(name), Version: -1},
		zookeeper.Op{Kind: zookeeper.OpDelete, Path: zookeeper.TopicConfigsPath + "/" + name, Version: -1})
	return ops
}

func (c *zkController) configOps(im *metadata.Image, r *metadata.ConfigRecord) []zookeeper.Op {
	var path string
	var current map[string]string
	if r.ResourceType == metadata.ResourceTopic {
		path = zookeeper.TopicConfigsPath + "/" + r.ResourceName
		if t := im.Topics[r.ResourceName]; t != nil {
			current = t.Config
		}
	} else {
		name := r.ResourceName
		if name == "" {
			name = "<default>"
		}
		path = zookeeper.BrokerConfigsPath + "/" + name
		current = im.BrokerConfig[r.ResourceName]
	}
	next := map[string]string{}
	for k, v := range current {
		next[k] = v
	}
	if r.Delete {
		delete(next, r.Name)
	} else {
		next[r.Name] = r.Value
	}
	if current == nil && r.ResourceType != metadata.ResourceTopic {
		return []zookeeper.Op{{Kind: zookeeper.OpCreate, Path: path, Data: next}}
	}
	return []zookeeper.Op{{Kind: zookeeper.OpSetData, Path: path, Data: next, Version: -1}}
}

// broadcast sends metadata to every live broker; the controller applies
// it to itself directly.
func (c *zkController) broadcast(records []metadata.Record, full bool) {
	b := c.b
	if full {
		records = c.image.Records()
	}
	for _, id := range c.image.UsableBrokers() {
		if !full && (c.unsent[id] || !c.isSynced(id)) {
			c.sendFull(id)
			continue
		}
		req := &protocol.UpdateMetadataRequest{ControllerID: b.settings.ID, ControllerEpoch: c.epoch, Full: full, Records: records}
		if id == b.settings.ID {
			b.onUpdateMetadata(req)
			if full {
				c.markSynced(id)
			}
			continue
		}
		c.deliver(id, req)
	}
}

// deliver sends a broker an UpdateMetadata, remembering a broker it did
// not reach.
func (c *zkController) deliver(id int32, req *protocol.UpdateMetadataRequest) {
	b := c.b
	if b.sim.Send(b.node, b.settings.BrokerNode(id), req) {
		delete(c.unsent, id)
		if req.Full {
			c.markSynced(id)
		}
		return
	}
	if c.unsent == nil {
		c.unsent = map[int32]bool{}
	}
	c.unsent[id] = true
	if !c.resendPending {
		c.resendPending = true
		b.sim.SetTimer(b.node, zkResendBackoffMs, zkControllerTimer{token: c.token, kind: zkTimerResend})
	}
}

func (c *zkController) isSynced(id int32) bool {
	reg := c.image.Brokers[id]
	epoch, ok := c.synced[id]
	return ok && reg != nil && reg.Epoch == epoch
}

func (c *zkController) markSynced(id int32) {
	if reg := c.image.Brokers[id]; reg != nil {
		if c.synced == nil {
			c.synced = map[int32]int64{}
		}
		c.synced[id] = reg.Epoch
	}
}

// resend retries the brokers that missed an update, with everything.
func (c *zkController) resend() {
	c.resendPending = false
	usable := map[int32]bool{}
	for _, id := range c.image.UsableBrokers() {
		usable[id] = true
	}
	for _, id := range sortedKeys32(c.unsent) {
		if !usable[id] {
			delete(c.unsent, id) // a broker that comes back gets everything on registration
			continue
		}
		c.sendFull(id)
	}
}

func (c *zkController) onEvent(e *zookeeper.WatchedEvent) {
	switch e.Path {
	case zookeeper.BrokerIDsPath:
		c.enqueue(zkBrokerChange{})
	case zookeeper.IsrChangeNotificationPath:
		c.enqueue(zkIsrChangeNotification{})
	}
}

// process handles brokers that registered or whose session ended.
func (zkBrokerChange) process(c *zkController) {
	c.b.zkRead([]zookeeper.Read{{Path: zookeeper.BrokerIDsPath, Children: true, Watch: true}}, zkBrokerList{c: c})
}

func (l zkBrokerList) readDone(b *Broker, resp *zookeeper.ReadResponse) {
	if resp.Error != zookeeper.OK {
		l.c.done()
		return
	}
	live := map[int32]bool{}
	var reads []zookeeper.Read
	for _, name := range resp.Results[0].Children {
		n, _ := strconv.Atoi(name)
		live[int32(n)] = true
		reads = append(reads, zookeeper.Read{Path: zookeeper.BrokerIDsPath + "/" + name})
	}
	b.zkRead(reads, zkBrokerRegistrations{c: l.c, live: live})
}

func (r zkBrokerRegistrations) readDone(b *Broker, resp *zookeeper.ReadResponse) {
	if resp.Error != zookeeper.OK {
		r.c.done()
		return
	}
	r.c.applyBrokerChanges(r.live, resp.Results)
}

func (c *zkController) applyBrokerChanges(live map[int32]bool, registrations []zookeeper.ReadResult) {
	work := c.image.Clone()
	var records []metadata.Record
	add := func(more ...metadata.Record) {
		for _, r := range more {
			work.Apply(work.Offset+1, r)
		}
		records = append(records, more...)
	}
	var added []int32
	for _, r := range registrations {
		reg, ok := r.Data.(zookeeper.BrokerRegistration)
		if !ok {
			continue
		}
		if existing := work.Brokers[reg.ID]; existing != nil && existing.Epoch == r.Czxid && !existing.Fenced {
			continue
		}
		add(&metadata.RegisterBrokerRecord{BrokerID: reg.ID, BrokerEpoch: r.Czxid}, &metadata.UnfenceBrokerRecord{BrokerID: reg.ID, BrokerEpoch: r.Czxid})
		added = append(added, reg.ID)
	}
	for _, id := range work.BrokerIDs() {
		if reg := work.Brokers[id]; !live[id] && !reg.Fenced {
			c.b.record("controller", "broker %d is gone (its ZooKeeper session ended)", id)
			add(&metadata.FenceBrokerRecord{BrokerID: id, BrokerEpoch: reg.Epoch})
			add(work.ChangesWithout(id, c.policyFor(work))...)
		}
	}
	for _, id := range added {
		add(work.ElectionsFor(id, c.policyFor(work))...)
	}
	c.commit(records, nil, zkBrokerChangeCommitted{added: added})
}

func (a zkBrokerChangeCommitted) committed(c *zkController, ok bool) {
	if ok {
		for _, id := range a.added {
			c.sendFull(id)
		}
	}
	c.done()
}

// sendFull sends a (re)joining broker the whole metadata.
func (c *zkController) sendFull(id int32) {
	b := c.b
	req := &protocol.UpdateMetadataRequest{ControllerID: b.settings.ID, ControllerEpoch: c.epoch, Full: true, Records: c.image.Records()}
	if id == b.settings.ID {
		b.onUpdateMetadata(req)
		c.markSynced(id)
		return
	}
	c.deliver(id, req)
}

// process reads the ISR change notifications leaders left, deletes them,
// and propagates the new ISRs.
func (zkIsrChangeNotification) process(c *zkController) {
	c.b.zkRead([]zookeeper.Read{{Path: zookeeper.IsrChangeNotificationPath, Children: true, Watch: true}}, zkIsrNotificationList{c: c})
}

func (l zkIsrNotificationList) readDone(b *Broker, resp *zookeeper.ReadResponse) {
	if resp.Error != zookeeper.OK || len(resp.Results[0].Children) == 0 {
		l.c.done()
		return
	}
	var reads []zookeeper.Read
	var deletes []zookeeper.Op
	for _, n := range resp.Results[0].Children {
		path := zookeeper.IsrChangeNotificationPath + "/" + n
		reads = append(reads, zookeeper.Read{Path: path})
		deletes = append(deletes, zookeeper.Op{Kind: zookeeper.OpDelete, Path: path, Version: -1})
	}
	b.zkRead(reads, zkIsrNotifications{c: l.c, deletes: deletes})
}

func (n zkIsrNotifications) readDone(b *Broker, resp *zookeeper.ReadResponse) {
	seen := map[protocol.TopicPartition]bool{}
	var stateReads []zookeeper.Read
	for _, r := range resp.Results {
		if ch, ok := r.Data.(zookeeper.IsrChange); ok && !seen[protocol.TopicPartition{Topic: ch.Topic, Partition: ch.Partition}] {
			seen[protocol.TopicPartition{Topic: ch.Topic, Partition: ch.Partition}] = true
			stateReads = append(stateReads, zookeeper.Read{Path: zookeeper.PartitionStatePath(ch.Topic, ch.Partition)})
		}
	}
	b.zkRead(stateReads, zkIsrStates{c: n.c, deletes: n.deletes})
}

func (s zkIsrStates) readDone(b *Broker, resp *zookeeper.ReadResponse) {
	s.c.applyIsrChanges(resp.Results, s.deletes)
}

func (c *zkController) applyIsrChanges(states []zookeeper.ReadResult, deletes []zookeeper.Op) {
	b := c.b
	var records []metadata.Record
	for _, r := range states {
		st, ok := r.Data.(zookeeper.PartitionState)
		if !ok {
			continue
		}
		topic, partition := statePathParts(r.Path)
		p := c.image.Partition(topic, partition)
		if p == nil || r.Version <= p.PartitionEpoch {
			continue // known already
		}
		// As Kafka's controller (updateLeaderAndIsrCache), take the state
		// as ZooKeeper holds it, at its version: the leader may have
		// written more than once since the last read.
		records = append(records, &metadata.PartitionChangeRecord{Topic: topic, Partition: partition, Leader: metadata.NoLeaderChange,
			Isr: st.Isr, PartitionEpoch: r.Version})
	}
	b.zkMulti(deletes, zkIsrNotificationsDeleted{})
	if len(records) == 0 {
		c.done()
		return
	}
	// The leader wrote these to ZooKeeper already: apply and propagate.
	for _, r := range records {
		c.image.Apply(c.image.Offset+1, r)
		b.record("metadata", "%s (from the leader's ISR change)", r.Describe())
	}
	c.broadcast(records, false)
	c.done()
}

func (c *zkController) onTimer(m zkControllerTimer) {
	if m.token != c.token {
		return
	}
	if m.kind == zkTimerResend {
		c.resend()
		return
	}
	b := c.b
	b.sim.SetTimer(b.node, b.brokerInt("leader.imbalance.check.interval.seconds")*1000, m)
	c.enqueue(zkAutoPreferredReplicaLeaderElection{})
}

func (zkAutoPreferredReplicaLeaderElection) process(c *zkController) {
	records := c.image.ImbalancedPreferredElections(c.b.brokerInt("leader.imbalance.per.broker.percentage"))
	c.commit(records, nil, zkEventDone{})
}

func (zkEventDone) committed(c *zkController, _ bool) { c.done() }

func (zkIsrNotificationsDeleted) multiDone(*Broker, *zookeeper.MultiResponse) {}

func (c *zkController) onControlledShutdown(from sim.NodeID, m *protocol.ControlledShutdownRequest) {
	c.enqueue(zkControlledShutdown{from: from, request: m})
}

func (e zkControlledShutdown) process(c *zkController) {
	b, m := c.b, e.request
	reg := c.image.Brokers[m.BrokerID]
	if reg == nil {
		b.sim.Send(b.node, e.from, &protocol.ControlledShutdownResponse{CorrelationID: m.CorrelationID, Error: protocol.BrokerNotAvailable})
		c.done()
		return
	}
	work := c.image.Clone()
	records := []metadata.Record{&metadata.ControlledShutdownRecord{BrokerID: m.BrokerID, BrokerEpoch: reg.Epoch}}
	work.Apply(work.Offset+1, records[0])
	records = append(records, work.ChangesWithout(m.BrokerID, c.policyFor(work))...)
	c.commit(records, nil, e)
}

// committed answers the broker with the partitions it still leads.
func (e zkControlledShutdown) committed(c *zkController, ok bool) {
	b, m := c.b, e.request
	resp := &protocol.ControlledShutdownResponse{CorrelationID: m.CorrelationID}
	if !ok {
		resp.Error = protocol.NotController
	}
	c.image.EachPartition(func(topic string, index int32, p *metadata.Partition) {
		if p.Leader == m.BrokerID {
			resp.RemainingPartitions = append(resp.RemainingPartitions, protocol.TopicPartition{Topic: topic, Partition: index})
		}
	})
	b.sim.Send(b.node, e.from, resp)
	c.done()
}

// handleAdmin serves an admin request as the controller and answers from.
func (c *zkController) handleAdmin(from sim.NodeID, msg sim.Message) {
	c.handleAdminReply(msg, zkAdminSend{to: from})
}

// handleAdminReply serves an admin request as the controller and hands
// the response to reply once it is committed.
func (c *zkController) handleAdminReply(msg sim.Message, reply zkAdminReply) {
	c.enqueue(zkAdminRequest{request: msg, reply: reply})
}

// process serves CreateTopics, CreatePartitions, DeleteTopics,
// IncrementalAlterConfigs, ElectLeaders, CreateAcls, DeleteAcls and
// AlterUserScramCredentials.
func (e zkAdminRequest) process(c *zkController) {
	b := c.b
	var records []metadata.Record
	var extra []zookeeper.Op
	var response sim.Message
	switch m := e.request.(type) {
	case *protocol.CreateTopicsRequest:
		resp := &protocol.CreateTopicsResponse{CorrelationID: m.CorrelationID}
		for _, t := range m.Topics {
			result, more, ops := c.createTopic(t)
			resp.Topics = append(resp.Topics, result)
			records = append(records, more...)
			extra = append(extra, ops...)
		}
		response = resp
	case *protocol.CreatePartitionsRequest:
		resp := &protocol.CreatePartitionsResponse{CorrelationID: m.CorrelationID}
		for _, t := range m.Topics {
			more, err := c.image.AddPartitions(b.settings.Seed, t.Name, t.Count)
			resp.Results = append(resp.Results, protocol.NewCreatePartitionsResult(t.Name, err))
			if err != nil || m.ValidateOnly {
				continue
			}
			records = append(records, more...)
			// The topic's znode holds its whole assignment.
			assignment := zookeeper.TopicAssignment{TopicID: c.image.Topics[t.Name].ID}
			for _, p := range c.image.Topics[t.Name].Partitions {
				assignment.Partitions = append(assignment.Partitions, p.Replicas)
			}
			for _, r := range more {
				assignment.Partitions = append(assignment.Partitions, r.(*metadata.PartitionRecord).Replicas)
			}
			extra = append(extra, zookeeper.Op{Kind: zookeeper.OpSetData, Path: zookeeper.TopicPath(t.Name), Data: assignment, Version: -1})
		}
		response = resp
	case *protocol.DeleteTopicsRequest:
		resp := &protocol.DeleteTopicsResponse{CorrelationID: m.CorrelationID}
		for _, name := range m.Topics {
			result := protocol.DeleteTopicResult{Name: name}
			if c.image.Topics[name] == nil {
				result.Error = protocol.UnknownTopicOrPartition
			} else {
				records = append(records, &metadata.RemoveTopicRecord{Name: name})
			}
			resp.Topics = append(resp.Topics, result)
		}
		response = resp
	case *protocol.IncrementalAlterConfigsRequest:
		resp := &protocol.IncrementalAlterConfigsResponse{CorrelationID: m.CorrelationID}
		for _, res := range m.Resources {
			result, more := c.alterConfigs(res)
			resp.Resources = append(resp.Resources, result)
			records = append(records, more...)
		}
		work := c.image.Clone()
		for _, r := range records {
			work.Apply(work.Offset+1, r)
		}
		records = append(records, work.UncleanElections(c.policyFor(work))...)
		response = resp
	case *protocol.ElectLeadersRequest:
		resp := &protocol.ElectLeadersResponse{CorrelationID: m.CorrelationID}
		targets := m.Partitions
		if targets == nil {
			c.image.EachPartition(func(topic string, index int32, p *metadata.Partition) {
				targets = append(targets, protocol.TopicPartition{Topic: topic, Partition: index})
			})
		}
		for _, tp := range targets {
			result := protocol.ElectLeadersResult{TopicPartition: tp}
			if c.image.Partition(tp.Topic, tp.Partition) == nil {
				result.Error = protocol.UnknownTopicOrPartition
			} else if r, reason := c.image.PreferredElection(tp.Topic, tp.Partition); r != nil {
				records = append(records, r)
			} else {
				result.Error = reasonCode(reason)
			}
			resp.Results = append(resp.Results, result)
		}
		response = resp
	case *protocol.CreateAclsRequest:
		resp, more := m.Records(c.image)
		records = more
		response = resp
	case *protocol.DeleteAclsRequest:
		resp, more := m.Records(c.image)
		records = more
		response = resp
	case *protocol.AlterUserScramCredentialsRequest:
		resp, more := m.Records()
		records = more
		response = resp
	}
	c.commit(records, extra, zkAdminCommitted{response: response, reply: e.reply})
}

// committed answers alike whether the records were written or not: the
// response was decided before the write.
func (a zkAdminCommitted) committed(c *zkController, _ bool) {
	a.reply.send(c.b, a.response)
	c.done()
}

func reasonCode(reason string) protocol.ErrorCode {
	switch reason {
	case "ELECTION_NOT_NEEDED":
		return protocol.ElectionNotNeeded
	case "PREFERRED_LEADER_NOT_AVAILABLE":
		return protocol.PreferredLeaderNotAvailable
	}
	return protocol.None
}

func (c *zkController) createTopic(t protocol.CreatableTopic) (protocol.CreateTopicResult, []metadata.Record, []zookeeper.Op) {
	b := c.b
	result := protocol.CreateTopicResult{Name: t.Name, NumPartitions: t.NumPartitions, ReplicationFactor: t.ReplicationFactor}
	if c.image.Topics[t.Name] != nil {
		result.Error, result.ErrorMessage = protocol.TopicAlreadyExists, fmt.Sprintf("Topic '%s' already exists.", t.Name)
		return result, nil, nil
	}
	if t.NumPartitions == -1 {
		t.NumPartitions = int32(b.config.Int("num.partitions"))
	}
	if t.ReplicationFactor == -1 {
		t.ReplicationFactor = int16(b.config.Int("default.replication.factor"))
	}
	result.NumPartitions, result.ReplicationFactor = t.NumPartitions, t.ReplicationFactor
	if t.NumPartitions < 1 {
		result.Error = protocol.InvalidPartitions
		return result, nil, nil
	}
	if _, err := config.ResolveTopic(b.config, t.Configs); err != nil {
		result.Error, result.ErrorMessage = protocol.InvalidConfig, err.Error()
		return result, nil, nil
	}
	assignment, err := metadata.PlaceReplicas(metadata.PlacementRand(b.settings.Seed, t.Name), c.image.UsableBrokers(), t.NumPartitions, t.ReplicationFactor)
	if err != nil {
		result.Error, result.ErrorMessage = protocol.InvalidReplicationFactor, err.Error()
		return result, nil, nil
	}
	id := strconv.FormatUint(metadata.PlacementRand(b.settings.Seed^0x5bd1e995, t.Name).Uint64(), 36)
	result.TopicID = id
	records := []metadata.Record{&metadata.TopicRecord{Name: t.Name, TopicID: id}}
	for p, replicas := range assignment {
		records = append(records, &metadata.PartitionRecord{Topic: t.Name, Partition: int32(p), Replicas: replicas, Isr: append([]int32(nil), replicas...), Leader: replicas[0]})
	}
	configs := map[string]string{}
	for _, k := range sortedStrings(t.Configs) {
		configs[k] = t.Configs[k]
		records = append(records, &metadata.ConfigRecord{ResourceType: metadata.ResourceTopic, ResourceName: t.Name, Name: k, Value: t.Configs[k]})
	}
	ops := []zookeeper.Op{
		{Kind: zookeeper.OpCreate, Path: zookeeper.TopicPath(t.Name), Data: zookeeper.TopicAssignment{TopicID: id, Partitions: assignment}},
		{Kind: zookeeper.OpCreate, Path: zookeeper.TopicPath(t.Name) + "/partitions"},
		{Kind: zookeeper.OpCreate, Path: zookeeper.TopicConfigsPath + "/" + t.Name, Data: configs},
	}
	return result, records, ops
}

func (c *zkController) alterConfigs(res protocol.AlterConfigsResource) (protocol.AlterConfigsResult, []metadata.Record) {
	result := protocol.AlterConfigsResult{ResourceType: res.ResourceType, ResourceName: res.ResourceName}
	if res.ResourceType == protocol.ResourceTopic && c.image.Topics[res.ResourceName] == nil {
		result.Error = protocol.UnknownTopicOrPartition
		return result, nil
	}
	records, changes := res.ConfigRecords(nil)
	var err error
	if res.ResourceType == protocol.ResourceTopic {
		_, err = config.ResolveTopic(c.b.config, changes)
	} else {
		_, err = c.b.config.With(changes)
	}
	if err != nil {
		result.Error, result.ErrorMessage = protocol.InvalidConfig, err.Error()
		return result, nil
	}
	return result, records
}
