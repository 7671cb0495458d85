package broker

// The broker's ZooKeeper client (ZooKeeper metadata mode): one session,
// kept alive by a ping every third of zookeeper.session.timeout.ms, moved
// to another server of the connect string when its server stops
// answering; when the ensemble expires it, the broker opens a new one and
// registers again.

import (
	"github.com/kafka-playground/playground/core/sim"
	"github.com/kafka-playground/playground/core/zookeeper"
)

type zkClient struct {
	sessionID   int64
	connected   bool
	connecting  bool
	serverIndex int
	server      sim.NodeID
	requests    map[int32]zkPending
}

// zkPending is a request in flight: answered gets its response, lost
// runs when none comes (the connection was lost first). It is data (no
// func values), so that the broker's state can be written to bytes.
type zkPending interface {
	answered(b *Broker, msg sim.Message)
	lost(b *Broker)
}

// zkMultiDone continues once a zkMulti is answered (or lost).
type zkMultiDone interface {
	multiDone(b *Broker, resp *zookeeper.MultiResponse)
}

// zkReadDone continues once a zkRead is answered (or lost).
type zkReadDone interface {
	readDone(b *Broker, resp *zookeeper.ReadResponse)
}

// The requests the client itself keeps in flight.
type (
	// zkConnecting waits for a ConnectRequest's answer.
	zkConnecting struct{}
	// zkPinging waits for a PingRequest's answer.
	zkPinging struct{}
	// zkMultiCall waits for a MultiRequest's answer for done.
	zkMultiCall struct {
		correlation int32
		done        zkMultiDone
	}
	// zkReadCall waits for a ReadRequest's answer for done.
	zkReadCall struct {
		correlation int32
		done        zkReadDone
	}
)

type (
	zkPing      struct{ token uint64 }
	zkReconnect struct{ token uint64 }
	zkTimeout   struct {
		correlation int32
		token       uint64
	}
)

const zkRequestTimeoutMs = 6000

// zkStart opens the broker's session. Each new session registers the
// broker (zkRegister); watch events go to zkOnEvent.
func (b *Broker) zkStart() {
	z := &b.zk
	*z = zkClient{requests: map[int32]zkPending{}}
	z.serverIndex = b.sim.Rand().IntN(len(b.settings.ZooKeepers))
	b.zkConnect()
}

func (b *Broker) zkSessionTimeoutMs() int64 { return b.brokerInt("zookeeper.session.timeout.ms") }

func (b *Broker) zkConnect() {
	z := &b.zk
	if z.connecting {
		return
	}
	z.connecting = true
	z.connected = false
	ids := b.settings.ZooKeepers
	z.server = b.settings.ZooKeeperNode(ids[z.serverIndex%len(ids)])
	corr := b.nextCorrelation()
	b.zkSend(corr, &zookeeper.ConnectRequest{CorrelationID: corr, SessionID: z.sessionID, TimeoutMs: b.zkSessionTimeoutMs()}, zkConnecting{})
}

func (zkConnecting) answered(b *Broker, msg sim.Message) {
	z := &b.zk
	z.connecting = false
	resp := msg.(*zookeeper.ConnectResponse)
	switch resp.Error {
	case zookeeper.OK:
		fresh := z.sessionID != resp.SessionID
		z.sessionID = resp.SessionID
		z.connected = true
		b.sim.SetTimer(b.node, b.zkSessionTimeoutMs()/3, zkPing{token: b.token})
		if fresh {
			b.record("zk-session", "0x%x with %s", z.sessionID, b.sim.Name(z.server))
			b.zkRegister()
		}
	case zookeeper.SessionExpired:
		b.record("zk-session", "0x%x expired; opening a new one", z.sessionID)
		z.sessionID = 0
		b.zkNextServer(0)
	default:
		b.zkNextServer(1000)
	}
}

// lost does nothing: whoever lost the connection moved to another
// server already.
func (zkConnecting) lost(*Broker) {}

// zkNextServer moves to the next server of the connect string after delayMs.
func (b *Broker) zkNextServer(delayMs int64) {
	z := &b.zk
	z.connected = false
	z.connecting = false
	z.serverIndex++
	b.sim.SetTimer(b.node, delayMs, zkReconnect{token: b.token})
}

// zkSend sends a request to the connected server; pending gets its
// response, or is told it is lost if the connection is lost first
// (requests are then retried by the caller's own logic on reconnection).
func (b *Broker) zkSend(corr int32, msg sim.Message, pending zkPending) {
	z := &b.zk
	z.requests[corr] = pending
	b.sim.Send(b.node, z.server, msg)
	b.sim.SetTimer(b.node, zkRequestTimeoutMs, zkTimeout{correlation: corr, token: b.token})
}

// zkMulti applies ops atomically; done gets the response (Error
// ConnectionLoss when the connection was lost).
func (b *Broker) zkMulti(ops []zookeeper.Op, done zkMultiDone) {
	corr := b.nextCorrelation()
	if !b.zk.connected {
		done.multiDone(b, &zookeeper.MultiResponse{CorrelationID: corr, Error: zookeeper.ConnectionLoss})
		return
	}
	b.zkSend(corr, &zookeeper.MultiRequest{CorrelationID: corr, SessionID: b.zk.sessionID, Ops: ops}, zkMultiCall{correlation: corr, done: done})
}

func (p zkMultiCall) answered(b *Broker, msg sim.Message) {
	p.done.multiDone(b, msg.(*zookeeper.MultiResponse))
}

func (p zkMultiCall) lost(b *Broker) {
	p.done.multiDone(b, &zookeeper.MultiResponse{CorrelationID: p.correlation, Error: zookeeper.ConnectionLoss})
}

// zkRead reads znodes; done gets the response.
func (b *Broker) zkRead(reads []zookeeper.Read, done zkReadDone) {
	corr := b.nextCorrelation()
	if !b.zk.connected {
		done.readDone(b, &zookeeper.ReadResponse{CorrelationID: corr, Error: zookeeper.ConnectionLoss})
		return
	}
	b.zkSend(corr, &zookeeper.ReadRequest{CorrelationID: corr, SessionID: b.zk.sessionID, Reads: reads}, zkReadCall{correlation: corr, done: done})
}

func (p zkReadCall) answered(b *Broker, msg sim.Message) {
	p.done.readDone(b, msg.(*zookeeper.ReadResponse))
}

func (p zkReadCall) lost(b *Broker) {
	p.done.readDone(b, &zookeeper.ReadResponse{CorrelationID: p.correlation, Error: zookeeper.ConnectionLoss})
}

// zkReceive handles ZooKeeper messages; it reports whether msg was one.
func (b *Broker) zkReceive(from sim.NodeID, msg sim.Message) bool {
	z := &b.zk
	var corr int32
	switch m := msg.(type) {
	case *zookeeper.ConnectResponse:
		corr = m.CorrelationID
	case *zookeeper.PingResponse:
		corr = m.CorrelationID
	case *zookeeper.MultiResponse:
		corr = m.CorrelationID
	case *zookeeper.ReadResponse:
		corr = m.CorrelationID
	case *zookeeper.WatchedEvent:
		b.zkOnEvent(m)
		return true
	case zkPing:
		if m.token == b.token && z.connected {
			b.zkPing()
		}
		return true
	case zkReconnect:
		if m.token == b.token {
			b.zkConnect()
		}
		return true
	case zkTimeout:
		if pending, ok := z.requests[m.correlation]; m.token == b.token && ok {
			delete(z.requests, m.correlation)
			b.zkNextServer(0)
			pending.lost(b)
		}
		return true
	case sim.Disconnected:
		if m.Peer != z.server {
			return false
		}
		b.zkLoseAll()
		return true
	default:
		return false
	}
	pending, ok := z.requests[corr]
	if !ok {
		return true
	}
	delete(z.requests, corr)
	pending.answered(b, msg)
	return true
}

// zkLoseAll fails every request in flight and moves to another server.
func (b *Broker) zkLoseAll() {
	z := &b.zk
	var corrs []int32
	for corr := range z.requests {
		corrs = append(corrs, corr)
	}
	sortInt32(corrs)
	lost := make([]zkPending, 0, len(corrs))
	for _, corr := range corrs {
		lost = append(lost, z.requests[corr])
		delete(z.requests, corr)
	}
	b.zkNextServer(0)
	for _, p := range lost {
		p.lost(b)
	}
}

func sortInt32(s []int32) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func (b *Broker) zkPing() {
	z := &b.zk
	corr := b.nextCorrelation()
	b.zkSend(corr, &zookeeper.PingRequest{CorrelationID: corr, SessionID: z.sessionID}, zkPinging{})
}

func (zkPinging) answered(b *Broker, msg sim.Message) {
	resp, ok := msg.(*zookeeper.PingResponse)
	if !ok || resp.Error != zookeeper.OK {
		if ok && resp.Error == zookeeper.SessionExpired {
			b.zk.sessionID = 0
		}
		b.zkNextServer(0)
		return
	}
	b.sim.SetTimer(b.node, b.zkSessionTimeoutMs()/3, zkPing{token: b.token})
}

// lost does nothing, as for zkConnecting.
func (zkPinging) lost(*Broker) {}
