package broker

import (
	"github.com/kafka-playground/playground/core/metadata"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/sim"
)

// controlPlane is the broker's side of KRaft: finding the active
// controller, registering, heartbeating while fenced or shutting down,
// following the metadata log, and sending AlterPartition and forwarded
// admin requests.
type controlPlane struct {
	controllerID int32
	voterIndex   int
	caughtUp     bool
	wantShutDown bool
	registering  bool
	heartbeating bool
	fetching     int32
	requests     map[int32]*controlRequest
	// answeredBy is the voter that sent the response being handled.
	answeredBy int32
}

// controlRequest is a request in flight to the controller.
type controlRequest struct {
	voter int32
	node  sim.NodeID
	then  controlContinuation
}

// controlContinuation is what a request to the controller does once
// answered, or once it failed (timed out, link lost, controller gone).
// Each is a small value holding what its request needs, not a closure,
// so that the requests in flight can be in a snapshot.
type controlContinuation interface {
	onResponse(b *Broker, msg sim.Message)
	onFailure(b *Broker)
}

// The continuations of the control plane's requests.
type (
	// brokerRegistration follows a BrokerRegistrationRequest.
	brokerRegistration struct{}
	// brokerHeartbeat follows a BrokerHeartbeatRequest; intervalMs is
	// broker.heartbeat.interval.ms when it was sent.
	brokerHeartbeat struct{ intervalMs int64 }
	// metadataFetch follows a MetadataFetchRequest.
	metadataFetch struct{}
	// isrChange follows an AlterPartitionRequest for p, sent while it led
	// in leaderEpoch.
	isrChange struct {
		p           *partition
		leaderEpoch int32
	}
	// forwardedAdmin follows an admin request forwarded for a client (or
	// for the broker itself): request is the part sent, reply where the
	// answer goes.
	forwardedAdmin struct {
		request protocol.AdminRequest
		reply   adminReply
	}
	// unanswered follows a request whose answer nobody waits for (a
	// topic auto-created, callers retry).
	unanswered struct{}
)

// Timers of the control plane.
type (
	controlTimeout struct {
		correlation int32
		token       uint64
	}
	controlRetry     struct{ token uint64 }
	heartbeatTick    struct{ token uint64 }
	metadataLinkLost struct {
		correlation int32
		token       uint64
	}
	metadataFetchTimeout struct {
		correlation int32
		token       uint64
	}
)

const (
	controlRequestTimeoutMs = 4500
	quorumRequestTimeoutMs  = 2000
	controlRetryBackoffMs   = 100
	registrationBackoffMs   = 1000
)

func (c *controlPlane) start(b *Broker) {
	*c = controlPlane{controllerID: -1, requests: map[int32]*controlRequest{}}
	c.voterIndex = b.sim.Rand().IntN(len(b.settings.Voters))
	c.register(b)
}

// receive handles control-plane messages; it reports whether msg was one.
func (c *controlPlane) receive(b *Broker, from sim.NodeID, msg sim.Message) bool {
	switch m := msg.(type) {
	case *protocol.BrokerRegistrationResponse:
		c.complete(b, m.CorrelationID, m)
	case *protocol.BrokerHeartbeatResponse:
		c.complete(b, m.CorrelationID, m)
	case *protocol.MetadataFetchResponse:
		c.complete(b, m.CorrelationID, m)
	case *protocol.AlterPartitionResponse:
		c.complete(b, m.CorrelationID, m)
	case protocol.AdminResponse:
		c.complete(b, m.Correlation(), m)
	case controlTimeout:
		if m.token == b.token {
			c.fail(b, m.correlation)
		}
	case metadataLinkLost:
		if m.token == b.token && c.requests[m.correlation] != nil {
			b.sim.SetTimer(b.node, quorumRequestTimeoutMs, metadataFetchTimeout(m))
		}
	case metadataFetchTimeout:
		if m.token == b.token {
			c.fail(b, m.correlation)
		}
	case controlRetry:
		if m.token == b.token {
			c.resume(b)
		}
	case heartbeatTick:
		if m.token == b.token {
			c.heartbeat(b)
		}
	case sim.Disconnected:
		if !c.isController(b, m.Peer) {
			return false
		}
		c.failAllTo(b, m.Peer)
	default:
		return false
	}
	return true
}

func (c *controlPlane) isController(b *Broker, node sim.NodeID) bool {
	for _, v := range b.settings.Voters {
		if b.settings.ControllerNode(v) == node {
			return true
		}
	}
	return false
}

// target returns the controller to talk to: the known leader, else the
// next voter in turn.
func (c *controlPlane) target(b *Broker) int32 {
	if c.controllerID >= 0 {
		return c.controllerID
	}
	voters := b.settings.Voters
	return voters[c.voterIndex%len(voters)]
}

// forgetController drops the known leader and moves to the next voter.
func (c *controlPlane) forgetController() {
	c.controllerID = -1
	c.voterIndex++
}

// send sends msg to the controller; then handles its answer or failure.
func (c *controlPlane) send(b *Broker, correlation int32, msg sim.Message, timeoutMs int64, then controlContinuation) {
	voter := c.target(b)
	node := b.settings.ControllerNode(voter)
	c.requests[correlation] = &controlRequest{voter: voter, node: node, then: then}
	b.sim.Send(b.node, node, msg)
	if timeoutMs > 0 {
		b.sim.SetTimer(b.node, timeoutMs, controlTimeout{correlation: correlation, token: b.token})
	}
}

func (c *controlPlane) complete(b *Broker, correlation int32, msg sim.Message) {
	r := c.requests[correlation]
	if r == nil {
		return
	}
	delete(c.requests, correlation)
	c.answeredBy = r.voter
	if refusedAsNotController(msg) {
		c.forgetVoter(b, r.voter)
	}
	r.then.onResponse(b, msg)
}

// refusedAsNotController reports whether a controller answered that it is
// not the active one.
func refusedAsNotController(msg sim.Message) bool {
	switch m := msg.(type) {
	case *protocol.AlterPartitionResponse:
		return m.Error == protocol.NotController
	case *protocol.BrokerHeartbeatResponse:
		return m.Error == protocol.NotController
	case protocol.AdminResponse:
		return m.FirstError() == protocol.NotController
	}
	return false
}

// forgetVoter stops treating voter as the active controller; several
// refusals from the same voter move on only once.
func (c *controlPlane) forgetVoter(b *Broker, voter int32) {
	if c.controllerID == voter {
		c.controllerID = -1
	}
	voters := b.settings.Voters
	if voters[c.voterIndex%len(voters)] == voter {
		c.voterIndex++
	}
}

func (c *controlPlane) fail(b *Broker, correlation int32) {
	r := c.requests[correlation]
	if r == nil {
		return
	}
	delete(c.requests, correlation)
	c.forgetVoter(b, r.voter)
	r.then.onFailure(b)
}

func (c *controlPlane) failAllTo(b *Broker, node sim.NodeID) {
	var failed []int32
	for corr, r := range c.requests {
		if r.node == node {
			failed = append(failed, corr)
		}
	}
	for i := 1; i < len(failed); i++ {
		for j := i; j > 0 && failed[j] < failed[j-1]; j-- {
			failed[j], failed[j-1] = failed[j-1], failed[j]
		}
	}
	for _, corr := range failed {
		c.fail(b, corr)
	}
}

// resume restarts whatever the control plane should be doing.
func (c *controlPlane) resume(b *Broker) {
	if b.epoch < 0 {
		c.register(b)
		return
	}
	c.fetchMetadata(b)
	if b.state == Fenced || c.wantShutDown {
		c.heartbeat(b)
	}
}

func (c *controlPlane) retryLater(b *Broker, delayMs int64) {
	b.sim.SetTimer(b.node, delayMs, controlRetry{token: b.token})
}

func (c *controlPlane) register(b *Broker) {
	if c.registering {
		return
	}
	c.registering = true
	corr := b.nextCorrelation()
	req := &protocol.BrokerRegistrationRequest{CorrelationID: corr, BrokerID: b.settings.ID, IncarnationID: b.sim.Incarnation(b.node)}
	c.send(b, corr, req, controlRequestTimeoutMs, brokerRegistration{})
}

func (brokerRegistration) onResponse(b *Broker, msg sim.Message) {
	c := &b.control
	c.registering = false
	resp := msg.(*protocol.BrokerRegistrationResponse)
	switch resp.Error {
	case protocol.None:
		b.epoch = resp.BrokerEpoch
		c.controllerID = c.answeredBy
		b.state = Fenced
		b.record("registered", "broker epoch %d", b.epoch)
		c.fetchMetadata(b)
		c.heartbeat(b)
	case protocol.DuplicateBrokerRegistration:
		c.retryLater(b, registrationBackoffMs)
	default:
		c.forgetController()
		c.retryLater(b, controlRetryBackoffMs)
	}
}

func (brokerRegistration) onFailure(b *Broker) {
	b.control.registering = false
	b.control.retryLater(b, controlRetryBackoffMs)
}

// heartbeat reports the broker's metadata offset to the controller. A
// running broker sends none while nothing changes (see the controller's
// session); a fenced or shutting-down one sends one every
// broker.heartbeat.interval.ms until the controller answers what it waits for.
func (c *controlPlane) heartbeat(b *Broker) {
	if c.heartbeating || b.epoch < 0 {
		return
	}
	c.heartbeating = true
	corr := b.nextCorrelation()
	req := &protocol.BrokerHeartbeatRequest{CorrelationID: corr, BrokerID: b.settings.ID, BrokerEpoch: b.epoch,
		CurrentMetadataOffset: b.disk.Image.Offset, WantShutDown: c.wantShutDown}
	c.send(b, corr, req, controlRequestTimeoutMs, brokerHeartbeat{intervalMs: b.brokerInt("broker.heartbeat.interval.ms")})
}

func (h brokerHeartbeat) onResponse(b *Broker, msg sim.Message) {
	c := &b.control
	c.heartbeating = false
	resp := msg.(*protocol.BrokerHeartbeatResponse)
	switch resp.Error {
	case protocol.None:
	case protocol.StaleBrokerEpoch:
		b.epoch = -1
		b.state = Starting
		c.register(b)
		return
	default:
		c.forgetController()
		c.retryLater(b, controlRetryBackoffMs)
		return
	}
	if resp.ShouldShutDown && c.wantShutDown {
		b.finishShutdown()
		return
	}
	if !resp.IsFenced && b.state == Fenced {
		b.state = Running
		b.record("unfenced", "broker epoch %d", b.epoch)
	}
	if b.state == Fenced || c.wantShutDown {
		b.sim.SetTimer(b.node, h.intervalMs, heartbeatTick{token: b.token})
	}
}

func (brokerHeartbeat) onFailure(b *Broker) {
	b.control.heartbeating = false
	b.control.retryLater(b, controlRetryBackoffMs)
}

// fetchMetadata keeps one fetch of the metadata log outstanding. The
// controller parks it while there is nothing new; the broker watches the
// link instead of timing out an idle long poll.
func (c *controlPlane) fetchMetadata(b *Broker) {
	if c.fetching != 0 || b.epoch < 0 {
		return
	}
	corr := b.nextCorrelation()
	c.fetching = corr
	req := &protocol.MetadataFetchRequest{CorrelationID: corr, BrokerID: b.settings.ID, FetchOffset: b.disk.Image.Offset + 1}
	c.send(b, corr, req, 0, metadataFetch{})
	b.sim.WatchLink(b.node, c.requests[corr].node, metadataLinkLost{correlation: corr, token: b.token})
}

func (metadataFetch) onResponse(b *Broker, msg sim.Message) {
	c := &b.control
	c.fetching = 0
	resp := msg.(*protocol.MetadataFetchResponse)
	if resp.Error != protocol.None {
		c.controllerID = -1
		if resp.LeaderID >= 0 && resp.LeaderID != c.answeredBy {
			c.controllerID = resp.LeaderID
			c.fetchMetadata(b)
			return
		}
		c.voterIndex++
		c.retryLater(b, controlRetryBackoffMs)
		return
	}
	c.controllerID = resp.LeaderID
	b.applyMetadata(resp.Entries, resp.HighWatermark)
	c.fetchMetadata(b)
}

func (metadataFetch) onFailure(b *Broker) {
	b.control.fetching = 0
	b.control.retryLater(b, controlRetryBackoffMs)
}

// applyMetadata applies committed metadata records to the broker's image
// and acts on what changed.
func (b *Broker) applyMetadata(entries []protocol.MetadataEntry, highWatermark int64) {
	image := b.disk.Image
	configChanged := false
	for _, e := range entries {
		if e.Offset != image.Offset+1 {
			continue
		}
		image.Apply(e.Offset, e.Record)
		switch r := e.Record.(type) {
		case *metadata.ConfigRecord, *metadata.TopicRecord:
			configChanged = true
		case *metadata.FenceBrokerRecord:
			if r.BrokerID == b.settings.ID && r.BrokerEpoch == b.epoch && b.state == Running {
				b.state = Fenced
				b.record("fenced", "by the controller (session expired)")
				b.control.heartbeat(b)
			}
		}
	}
	if configChanged {
		b.refreshConfig()
	}
	if !b.control.caughtUp && image.Offset+1 >= highWatermark {
		b.control.caughtUp = true
		b.control.heartbeat(b)
	}
	if b.control.caughtUp {
		b.reconcilePartitions()
	}
}

// BeginShutdown starts a controlled shutdown: the broker asks the
// controller to move its leaderships away and stops when told it may.
func (b *Broker) BeginShutdown() {
	if b.state == Stopped || b.control.wantShutDown {
		return
	}
	b.control.wantShutDown = true
	b.state = ShuttingDown
	b.record("shutdown", "controlled shutdown requested")
	if b.zkMode() {
		b.zkBeginShutdown()
		return
	}
	if b.epoch < 0 {
		b.finishShutdown()
		return
	}
	b.control.heartbeat(b)
}

// finishShutdown stops the process cleanly.
func (b *Broker) finishShutdown() {
	b.record("stopped", "controlled shutdown complete")
	b.Stopped(true)
	b.sim.Crash(b.node)
}

// alterPartition sends an ISR change to the controller.
func (b *Broker) alterPartition(p *partition, newIsr []int32) {
	if b.epoch < 0 {
		return
	}
	if b.zkMode() {
		b.zkAlterIsr(p, newIsr)
		return
	}
	p.alterInFlight = true
	p.pendingIsr = newIsr
	corr := b.nextCorrelation()
	req := &protocol.AlterPartitionRequest{CorrelationID: corr, BrokerID: b.settings.ID, BrokerEpoch: b.epoch,
		Partition: p.tp, LeaderEpoch: p.leaderEpoch, PartitionEpoch: p.partitionEpoch, NewIsr: newIsr}
	b.control.send(b, corr, req, controlRequestTimeoutMs, isrChange{p: p, leaderEpoch: p.leaderEpoch})
}

func (c isrChange) onResponse(b *Broker, msg sim.Message) {
	resp := msg.(*protocol.AlterPartitionResponse)
	p := c.p
	if p.role != roleLeader || p.leaderEpoch != c.leaderEpoch {
		return
	}
	p.alterInFlight = false
	p.pendingIsr = nil
	if resp.Error == protocol.None && resp.PartitionEpoch > p.partitionEpoch {
		b.setIsr(p, resp.Isr, resp.PartitionEpoch)
	} else if resp.Error != protocol.None {
		b.retryIsrChange(p)
	}
	b.maybeIncrementHighWatermark(p)
}

func (c isrChange) onFailure(b *Broker) {
	if p := c.p; p.role == roleLeader && p.leaderEpoch == c.leaderEpoch {
		p.alterInFlight = false
		p.pendingIsr = nil
		b.retryIsrChange(p)
	}
}

func (f forwardedAdmin) onResponse(b *Broker, msg sim.Message) { f.reply.send(b, msg) }

func (f forwardedAdmin) onFailure(b *Broker) {
	f.reply.send(b, f.request.Failed(protocol.RequestTimedOut))
}

func (unanswered) onResponse(*Broker, sim.Message) {}

func (unanswered) onFailure(*Broker) {}
