package gateway

// What every host does with a wire's connections (the steps of
// core/gateway's host contract): Connect an accepted socket, Serve each
// of its requests, Deliver the responses the simulation made, and
// Disconnect a socket that ended. Each runs in the host's own goroutine
// or under its lock, against an Engine: the standalone Gateway applies
// every input at once, a room of the backend journals it first.

import (
	"crypto/rand"
	"errors"

	coregateway "github.com/kafka-playground/playground/core/gateway"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/security"
)

// Engine is the simulation a host drives.
type Engine interface {
	// Gateway returns the cluster's gateway, for the calls that change
	// nothing in the simulation: Answer, Ready, Closed and the lookups
	// of the SASL exchange.
	Gateway() *coregateway.Gateway
	// Apply applies an input at the simulation's virtual time, which it
	// sets in the input first; an error means the input changed nothing.
	Apply(in *coregateway.Input) error
}

// ApplyNow is Engine.Apply for a host that journals nothing. A request
// is applied as its journal form decodes (Submission.Input), exactly
// what a journal of it would replay.
func ApplyNow(g *coregateway.Gateway, nowMs int64, in *coregateway.Input) error {
	in.AtMs = nowMs
	return g.Apply(in)
}

// Connect connects an accepted socket in the simulation and accepts it,
// or refuses it (its broker does not run, or the gateway is full).
func Connect(e Engine, c *Conn) error {
	g := e.Gateway()
	id := g.NextConnID()
	err := e.Apply(&coregateway.Input{Connect: &coregateway.ConnectInput{Connection: id, Broker: c.broker,
		Listener: c.listenerName, Address: c.address}})
	if err != nil {
		c.Refuse()
		return err
	}
	c.Accept(id)
	return nil
}

// Disconnect tells the simulation that a connection's socket ended, if
// it is still connected there.
func Disconnect(e Engine, c *Conn) error {
	id := c.ID()
	if id == 0 || !connected(e.Gateway(), id) {
		return nil
	}
	return e.Apply(&coregateway.Input{Disconnect: &coregateway.DisconnectInput{Connection: id}})
}

func connected(g *coregateway.Gateway, id coregateway.ConnID) bool {
	for _, open := range g.Connections() {
		if open == id {
			return true
		}
	}
	return false
}

// Deliver writes the responses the simulation has ready for each
// connection, in request order, and closes the connections that the
// simulation closed or that a failed exchange ends. It returns those,
// for the host to Disconnect.
func Deliver(e Engine, conns []*Conn) []*Conn {
	var ended []*Conn
	for _, d := range Collect(e, conns) {
		d.Write()
		if d.Close {
			ended = append(ended, d.Conn)
		}
	}
	return ended
}

// Delivery is what one connection is to be sent: the responses the
// simulation has ready for it, in request order, and whether it is to
// be closed after them.
type Delivery struct {
	Conn      *Conn
	Responses []coregateway.Response
	// Close says the simulation closed the connection, or a failed
	// exchange ends it: the host closes it after the responses and
	// Disconnects it.
	Close bool
}

// Collect takes the responses the simulation has ready for each
// connection, and which connections are to be closed, without writing
// anything: a host that journals writes them once the inputs they
// depend on are committed (Delivery.Write), and may Disconnect the
// closed ones at once, since the simulation has let go of them.
func Collect(e Engine, conns []*Conn) []Delivery {
	g := e.Gateway()
	var out []Delivery
	for _, c := range conns {
		id := c.ID()
		if id == 0 {
			continue
		}
		d := Delivery{Conn: c, Responses: g.Ready(id)}
		d.Close = g.Closed(id) || (c.closing && waiting(g, id) == 0)
		if len(d.Responses) > 0 || d.Close {
			out = append(out, d)
		}
	}
	return out
}

// Write writes the delivery's responses to its connection, then closes
// it if it is to be closed.
func (d Delivery) Write() {
	for _, r := range d.Responses {
		d.Conn.Respond(r)
	}
	if d.Close {
		d.Conn.Close()
	}
}

// waiting is how many responses of a connection are not written yet.
func waiting(g *coregateway.Gateway, id coregateway.ConnID) int {
	for _, client := range g.Clients() {
		if client.ID == id {
			return client.Waiting
		}
	}
	return 0
}

// Serve hands one request of a connection to the simulation: a response
// the wire made is answered in its place, SASL is run here (the broker
// only learns its outcome), every other request goes to the broker. An
// error means the request could not be taken: the host closes the
// connection.
func Serve(e Engine, c *Conn, s Submission) error {
	id := c.ID()
	g := e.Gateway()
	switch r := s.Request.(type) {
	case nil:
		if s.Local != nil {
			return g.Answer(id, s.Correlation, s.Local)
		}
		return nil
	case *protocol.SaslHandshakeRequest:
		return c.handshake(e, id, r)
	case *protocol.SaslAuthenticateRequest:
		return c.authenticate(e, id, r)
	}
	if s.Input == nil {
		return errors.New("a request without its journal form (a bug of the wire)")
	}
	return e.Apply(&coregateway.Input{Request: s.Input})
}

// saslExchange is the host's side of a connection's SASL exchange.
type saslExchange struct {
	// mechanism is the one the handshake chose, "" before.
	mechanism string
	scram     *security.ScramServer
	// authenticated says the exchange succeeded; over says it ended.
	authenticated, over bool
}

// handshake answers a SaslHandshake as Kafka's authenticator does: the
// enabled mechanisms, with ILLEGAL_SASL_STATE off a SASL listener or
// after a handshake, UNSUPPORTED_SASL_MECHANISM for another mechanism;
// both close the connection once answered.
func (c *Conn) handshake(e Engine, id coregateway.ConnID, r *protocol.SaslHandshakeRequest) error {
	g := e.Gateway()
	mechanisms := g.Mechanisms(id)
	listener, _ := g.Listener(id)
	resp := &protocol.SaslHandshakeResponse{CorrelationID: r.CorrelationID, Mechanisms: mechanisms}
	x := &c.exchange
	switch {
	case !listener.SASL() || x.mechanism != "" || x.over:
		resp.Error = protocol.IllegalSaslState
	case !contains(mechanisms, r.Mechanism):
		resp.Error = protocol.UnsupportedSaslMechanism
	default:
		x.mechanism = r.Mechanism
	}
	if resp.Error != protocol.None {
		c.wire.logf("gateway: %s: SASL handshake with mechanism %s failed: %s", c.address, r.Mechanism, resp.Error)
		x.over, c.closing = true, true
	}
	return g.Answer(id, r.CorrelationID, resp)
}

// authenticate runs one round of the exchange. A round that is not the
// last is answered here; the last one's outcome goes to the simulation
// (Authenticate) before the answer, and a failure is the broker's to
// answer, which then closes the connection.
func (c *Conn) authenticate(e Engine, id coregateway.ConnID, r *protocol.SaslAuthenticateRequest) error {
	g := e.Gateway()
	x := &c.exchange
	if x.mechanism == "" || x.over {
		x.over, c.closing = true, true
		return g.Answer(id, r.CorrelationID, &protocol.SaslAuthenticateResponse{CorrelationID: r.CorrelationID,
			Error: protocol.IllegalSaslState, ErrorMessage: "Unexpected SaslAuthenticate request before a SaslHandshake"})
	}
	lookup := func(user string) (security.Credential, bool) { return g.Credential(id, x.mechanism, user) }
	var user string
	var reply []byte
	var done bool
	var err error
	if x.mechanism == security.MechanismPlain {
		user, err = security.AuthenticatePlain(r.AuthBytes, lookup)
		done = err == nil
	} else {
		if x.scram == nil {
			if x.scram, err = security.NewScramServer(x.mechanism, nonce()); err != nil {
				return c.refuseAuthentication(e, id, r.CorrelationID, "", err)
			}
		}
		reply, done, err = x.scram.Step(r.AuthBytes, lookup)
		user = x.scram.User()
	}
	switch {
	case err != nil:
		return c.refuseAuthentication(e, id, r.CorrelationID, user, err)
	case !done:
		return g.Answer(id, r.CorrelationID, &protocol.SaslAuthenticateResponse{CorrelationID: r.CorrelationID, AuthBytes: reply})
	}
	x.authenticated, x.over, x.scram = true, true, nil
	if err := e.Apply(&coregateway.Input{Authenticate: &coregateway.AuthenticateInput{Connection: id, Correlation: r.CorrelationID,
		Mechanism: x.mechanism, User: user}}); err != nil {
		return err
	}
	return g.Answer(id, r.CorrelationID, &protocol.SaslAuthenticateResponse{CorrelationID: r.CorrelationID, AuthBytes: reply})
}

// refuseAuthentication hands a failed exchange to the simulation, whose
// broker answers SASL_AUTHENTICATION_FAILED and closes the connection.
func (c *Conn) refuseAuthentication(e Engine, id coregateway.ConnID, correlation int32, user string, err error) error {
	c.exchange.over, c.exchange.scram = true, nil
	message := "Authentication failed during authentication due to invalid credentials with SASL mechanism " + c.exchange.mechanism
	var authErr *security.AuthError
	if errors.As(err, &authErr) {
		message = authErr.ClientMessage()
	}
	return e.Apply(&coregateway.Input{Authenticate: &coregateway.AuthenticateInput{Connection: id, Correlation: correlation,
		Mechanism: c.exchange.mechanism, User: user, Error: protocol.SaslAuthenticationFailed.String(), Message: message}})
}

// nonce is a SCRAM server nonce: random, as it is never journaled (only
// the outcome of the exchange is).
func nonce() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	var raw [24]byte
	rand.Read(raw[:]) // crypto/rand.Read never fails
	out := make([]byte, len(raw))
	for i, b := range raw {
		out[i] = alphabet[int(b)%len(alphabet)]
	}
	return string(out)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
