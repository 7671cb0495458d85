package client

// Client connections. Every request a client sends goes through its
// connections: the first message to a broker opens the connection with a
// ConnectRequest (the TCP connect to the listener's port, and the TLS
// handshake when security.protocol is SSL or SASL_SSL); with SASL the
// client then authenticates (SaslHandshake, SaslAuthenticate) while its
// requests wait, and sends them once the broker accepts it. A broken
// connection is forgotten and opened again by the next request, as
// Kafka's NetworkClient reconnects.

import (
	"fmt"

	"github.com/kafka-playground/playground/core/config"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/security"
	"github.com/kafka-playground/playground/core/sim"
)

// Security is how a client connects: the listener its bootstrap port
// reaches and its security settings.
type Security struct {
	// Listener is the name of the listener; empty when no listener has
	// the client's bootstrap port.
	Listener string
	// Protocol is security.protocol.
	Protocol  string
	Mechanism string
	Username  string
	Password  string
	// Operator marks the playground's own admin client.
	Operator bool
	// ReconnectBackoffMs and ReconnectBackoffMaxMs pace new connections
	// to a broker after one failed before it was ready.
	ReconnectBackoffMs    int64
	ReconnectBackoffMaxMs int64
}

// SecurityFrom reads a client's security settings from its config.
func SecurityFrom(v config.Values, listener string) Security {
	s := Security{Listener: listener, Protocol: v.String("security.protocol"), Mechanism: v.String("sasl.mechanism"),
		ReconnectBackoffMs: v.Int("reconnect.backoff.ms"), ReconnectBackoffMaxMs: v.Int("reconnect.backoff.max.ms")}
	if !v.IsNull("sasl.username") {
		s.Username = v.String("sasl.username")
	}
	if !v.IsNull("sasl.password") {
		s.Password = v.Secret("sasl.password")
	}
	return s
}

// TLS reports whether the client speaks TLS.
func (s Security) TLS() bool { return s.Protocol == "SSL" || s.Protocol == "SASL_SSL" }

// SASL reports whether the client authenticates with SASL.
func (s Security) SASL() bool { return s.Protocol == "SASL_PLAINTEXT" || s.Protocol == "SASL_SSL" }

// connectionSetupTimeoutMs is Kafka's socket.connection.setup.timeout.ms
// (10 s): a connection not ready by then is closed.
const connectionSetupTimeoutMs = 10000

// connectionSetupTimeout fires when a connection may have been set up.
type connectionSetupTimeout struct {
	peer sim.NodeID
	id   uint64
}

// maxWaitingRequests bounds the requests one connection holds while it
// authenticates; more are dropped (and time out).
const maxWaitingRequests = 1024

// conn is the client's side of one broker connection.
type conn struct {
	// id tells this connection's setup timer from an earlier one's.
	id    uint64
	ready bool
	// answered: the broker has answered on this connection, so it was
	// accepted.
	answered bool
	waiting  []sim.Message
	scram    *security.ScramClient
	// scramStep counts the SCRAM messages sent.
	scramStep int
}

// connections are a client's broker connections.
type connections struct {
	sim      *sim.Sim
	node     sim.NodeID
	security Security
	peers    map[sim.NodeID]*conn
	// backoff paces reconnections to brokers whose connection failed
	// before it was ready (refused, closed during the handshake).
	backoff map[sim.NodeID]*reconnect
	lastID  uint64
	// owner, when set, is told when authentication with a broker failed;
	// the requests waiting on that connection are gone. It is the client
	// the connections belong to (a method call, not a stored func, so
	// that a snapshot can hold the connections).
	owner authenticationFailures
}

// authenticationFailures is a client that answers the requests lost with
// a connection whose authentication failed.
type authenticationFailures interface {
	onAuthenticationFailed(peer sim.NodeID, code protocol.ErrorCode, message string)
}

// reconnect is the backoff state of one broker.
type reconnect struct {
	failures  int
	retryAtMs int64
	// notifying: a Disconnected to the client itself is due at retryAtMs.
	notifying bool
}

func (cs *connections) reset(s *sim.Sim, node sim.NodeID) {
	cs.sim, cs.node = s, node
	cs.peers = map[sim.NodeID]*conn{}
	cs.backoff = map[sim.NodeID]*reconnect{}
}

// connectFailed starts or grows the backoff of a broker.
func (cs *connections) connectFailed(peer sim.NodeID) {
	r := cs.backoff[peer]
	if r == nil {
		r = &reconnect{}
		cs.backoff[peer] = r
	}
	wait := cs.security.ReconnectBackoffMs
	for i := 0; i < r.failures && wait < cs.security.ReconnectBackoffMaxMs; i++ {
		wait *= 2
	}
	r.failures++
	r.retryAtMs = cs.sim.Now() + min(wait, cs.security.ReconnectBackoffMaxMs)
}

// throttled reports whether a new connection to peer must wait; the
// client then learns at the end of the wait, by a Disconnected, that its
// request did not go, as Kafka's NetworkClient fails requests to a node
// it may not connect to yet.
func (cs *connections) throttled(peer sim.NodeID) bool {
	r := cs.backoff[peer]
	if r == nil || cs.sim.Now() >= r.retryAtMs {
		return false
	}
	if !r.notifying {
		r.notifying = true
		cs.sim.SetTimer(cs.node, r.retryAtMs-cs.sim.Now(), sim.Disconnected{Peer: peer})
	}
	return true
}

// send sends msg to a broker over the client's connection, opening it
// first if needed; it reports whether the message is on its way (or
// waiting for authentication).
func (cs *connections) send(to sim.NodeID, msg sim.Message) bool {
	c := cs.peers[to]
	if c == nil {
		if cs.throttled(to) {
			return false
		}
		open := &protocol.ConnectRequest{Listener: cs.security.Listener, TLS: cs.security.TLS(), Operator: cs.security.Operator}
		if !cs.sim.Send(cs.node, to, open) {
			return false
		}
		cs.lastID++
		c = &conn{id: cs.lastID, ready: cs.security.Operator || !cs.security.SASL()}
		cs.peers[to] = c
		if !c.ready {
			cs.sim.Send(cs.node, to, &protocol.SaslHandshakeRequest{Mechanism: cs.security.Mechanism})
			cs.sim.SetTimer(cs.node, connectionSetupTimeoutMs, connectionSetupTimeout{peer: to, id: c.id})
		}
	}
	if c.ready {
		return cs.sim.Send(cs.node, to, msg)
	}
	if len(c.waiting) >= maxWaitingRequests {
		return false
	}
	c.waiting = append(c.waiting, msg)
	return true
}

// receive handles connection-level messages; it reports whether msg was
// one.
func (cs *connections) receive(from sim.NodeID, msg sim.Message) bool {
	switch m := msg.(type) {
	case sim.Disconnected:
		if from == cs.node {
			// The end of a reconnect backoff.
			if r := cs.backoff[m.Peer]; r != nil {
				r.notifying = false
			}
			return false
		}
		if c := cs.peers[m.Peer]; c != nil && !c.answered {
			cs.connectFailed(m.Peer)
		}
		delete(cs.peers, m.Peer)
		return false // the client's own handling follows
	case connectionSetupTimeout:
		if c := cs.peers[m.peer]; c != nil && c.id == m.id && !c.ready {
			// The handshake's answer never came: close the connection,
			// and let the client fail what waited on it.
			delete(cs.peers, m.peer)
			cs.connectFailed(m.peer)
			cs.sim.Record(cs.node, "connection", fmt.Sprintf("connection to %s not ready after %d ms (socket.connection.setup.timeout.ms); closed", cs.sim.Name(m.peer), connectionSetupTimeoutMs))
			cs.sim.SetTimer(cs.node, 0, sim.Disconnected{Peer: m.peer})
			cs.backoff[m.peer].notifying = true
		}
	case *protocol.SaslHandshakeResponse:
		cs.onHandshake(from, m)
	case *protocol.SaslAuthenticateResponse:
		cs.onAuthenticate(from, m)
	default:
		if c := cs.peers[from]; c != nil && !c.answered {
			c.answered = true
			delete(cs.backoff, from)
		}
		return false
	}
	return true
}

func (cs *connections) onHandshake(from sim.NodeID, m *protocol.SaslHandshakeResponse) {
	c := cs.peers[from]
	if c == nil || c.ready {
		return
	}
	switch m.Error {
	case protocol.None:
	case protocol.UnsupportedSaslMechanism:
		cs.fail(from, m.Error, fmt.Sprintf("Client SASL mechanism '%s' not enabled in the server, enabled mechanisms are %v", cs.security.Mechanism, m.Mechanisms))
		return
	default:
		cs.fail(from, m.Error, fmt.Sprintf("Unexpected handshake request with client mechanism %s, enabled mechanisms are %v", cs.security.Mechanism, m.Mechanisms))
		return
	}
	if cs.security.Mechanism == security.MechanismPlain {
		cs.sim.Send(cs.node, from, &protocol.SaslAuthenticateRequest{AuthBytes: security.PlainMessage(cs.security.Username, cs.security.Password)})
		return
	}
	client, err := security.NewScramClient(cs.security.Mechanism, cs.security.Username, cs.security.Password, clientNonce(cs.sim))
	if err != nil {
		cs.fail(from, protocol.SaslAuthenticationFailed, err.Error())
		return
	}
	c.scram, c.scramStep = client, 1
	cs.sim.Send(cs.node, from, &protocol.SaslAuthenticateRequest{AuthBytes: client.FirstMessage()})
}

func (cs *connections) onAuthenticate(from sim.NodeID, m *protocol.SaslAuthenticateResponse) {
	c := cs.peers[from]
	if c == nil || c.ready {
		return
	}
	if m.Error != protocol.None {
		cs.fail(from, m.Error, m.ErrorMessage)
		return
	}
	if c.scram != nil && c.scramStep == 1 {
		final, err := c.scram.FinalMessage(m.AuthBytes)
		if err != nil {
			cs.fail(from, protocol.SaslAuthenticationFailed, err.Error())
			return
		}
		c.scramStep = 2
		cs.sim.Send(cs.node, from, &protocol.SaslAuthenticateRequest{AuthBytes: final})
		return
	}
	if c.scram != nil {
		if err := c.scram.Verify(m.AuthBytes); err != nil {
			cs.fail(from, protocol.SaslAuthenticationFailed, err.Error())
			return
		}
	}
	c.ready, c.scram = true, nil
	cs.sim.Record(cs.node, "auth", fmt.Sprintf("authenticated to %s as User:%s with %s", cs.sim.Name(from), cs.security.Username, cs.security.Mechanism))
	waiting := c.waiting
	c.waiting = nil
	for _, msg := range waiting {
		cs.sim.Send(cs.node, from, msg)
	}
}

func (cs *connections) fail(from sim.NodeID, code protocol.ErrorCode, message string) {
	delete(cs.peers, from)
	cs.connectFailed(from)
	cs.sim.Record(cs.node, "auth", fmt.Sprintf("authentication to %s failed: %s", cs.sim.Name(from), code))
	if cs.owner != nil {
		cs.owner.onAuthenticationFailed(from, code, message)
	}
}

// clientNonce draws a SCRAM client nonce from the simulation's PRNG.
func clientNonce(s *sim.Sim) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	out := make([]byte, 24)
	for i := range out {
		out[i] = alphabet[s.Rand().IntN(len(alphabet))]
	}
	return string(out)
}
