// Package gateway puts real Kafka clients into the simulated cluster: each
// real client's TCP connection is a "gateway client" node of the
// simulation, which sends the connection's requests, translated into the
// core's own protocol messages (core/protocol), to the simulated broker
// whose port the connection reached, and hands the broker's responses back
// in request order, as a Kafka broker answers one connection.
//
// Like the rest of the core it has no goroutines, no clock and no I/O; the
// host (backend/gateway) owns the sockets, decodes and encodes the Kafka
// wire format (github.com/twmb/franz-go/pkg/kmsg, which the core may not
// import), and drives virtual time by the wall clock.
//
// # The host contract
//
//  1. Build one Gateway per cluster with New, after the cluster booted.
//  2. On an accepted TCP connection to broker N's port for one of the
//     cluster's listeners (Listeners), call ConnectListener (Connect for
//     the first listener); an error means broker N does not run, and the
//     host closes the socket (its listeners should be closed while the
//     broker is down, so that clients are refused as by a dead host). On
//     an SSL or SASL_SSL listener the host runs TLS on the real socket.
//  3. For every decoded request, in the order they arrived, call either
//     Request (a core/protocol request, for the broker to answer, with
//     the wire correlation id) or Answer (a response the
//     host makes itself, such as ApiVersions or a refused version).
//     Answer changes nothing in the simulation and records nothing in
//     its trace. SaslHandshake and SaslAuthenticate are not requests for
//     the broker: the host runs the SASL exchange itself, against the
//     credentials the cluster holds (Mechanisms, Credential), answers
//     its rounds with Answer, and hands the outcome to Authenticate,
//     which sets the connection's principal at the broker (or has the
//     broker refuse it and close the connection).
//  4. After running the simulation (Cluster.RunUntil), call Ready for each
//     connection and write the responses it returns, in that order. When
//     Closed reports true, write them and then close the socket: the
//     simulated broker closed the connection or crashed.
//  5. When the real client closes its socket, call Disconnect.
//
// Every call but Answer, Ready and the readers changes the simulation,
// so for a room to replay, each is an input the host must journal with
// the virtual time it happened at: an Input (journal.go), which Apply
// applies, as the host's own call did. A copy of the room that only
// follows the journal (a joined browser) writes no responses: it calls
// TrackResponses(false), so that nothing waits in memory for a reader.
package gateway

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"

	"github.com/kafka-playground/playground/core"
	"github.com/kafka-playground/playground/core/config"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/security"
	"github.com/kafka-playground/playground/core/sim"
)

// MaxConnections bounds the gateway clients of one cluster connected at
// once; each is a node of the simulation, whose network keeps a matrix of
// its nodes (512 nodes: about 5 MB). franz-go's group tests, a dozen
// clients in each of three groups at once, open some 260.
const MaxConnections = 512

// MaxInFlightRequests bounds the requests of one connection that wait for
// their answer; Kafka clients send at most a handful.
const MaxInFlightRequests = 1024

// ConnID names one gateway connection.
type ConnID int32

// ErrRefused is the error of Connect when the broker does not run: the
// host refuses the TCP connection.
var ErrRefused = errors.New("connection refused: the broker is not running")

// Gateway holds the gateway client nodes of one cluster.
type Gateway struct {
	cluster   *core.Cluster
	sim       *sim.Sim
	listeners []config.Listener
	conns     map[ConnID]*Conn
	lastID    ConnID
	// idle are nodes of closed connections, reused by new ones so that
	// the simulation's node count stays bounded.
	idle []*Conn
	// nodes counts the gateway nodes made, for their names.
	nodes int
	// untracked says responses are not kept for Ready (TrackResponses).
	untracked bool
}

// New returns the gateway of a booted cluster. A gateway connection
// reaches one of the cluster's listeners (listeners and
// listener.security.protocol.map of its configuration), each of any
// security protocol: the host serves TLS on the real socket for SSL and
// SASL_SSL listeners, and the broker authenticates SASL listeners'
// connections.
func New(cluster *core.Cluster) (*Gateway, error) {
	values, err := config.Resolve(config.Broker, cluster.Spec().Config)
	if err != nil {
		return nil, err
	}
	listeners, err := config.ParseListeners(values.String("listeners"), values.String("listener.security.protocol.map"))
	if err != nil {
		return nil, err
	}
	return &Gateway{cluster: cluster, sim: cluster.Sim(), listeners: listeners, conns: map[ConnID]*Conn{}}, nil
}

// TrackResponses says whether the gateway keeps the responses of its
// connections until Ready hands them out (the default). A copy of a
// room that applies the journal but writes to no socket turns it off:
// responses and Answer are then dropped, which changes nothing in the
// simulation, its trace or its hash.
func (g *Gateway) TrackResponses(on bool) {
	g.untracked = !on
	if !on {
		for _, c := range g.conns {
			c.pending = nil
		}
	}
}

// TracksResponses reports whether the gateway keeps its connections'
// responses (TrackResponses).
func (g *Gateway) TracksResponses() bool { return !g.untracked }

// Listeners returns the cluster's listeners, in the order of its
// listeners configuration; the first is the one Connect reaches.
func (g *Gateway) Listeners() []config.Listener {
	return append([]config.Listener(nil), g.listeners...)
}

// Response is one answer to write to a connection, in order.
type Response struct {
	// CorrelationID is the wire correlation id of the request answered.
	CorrelationID int32
	// Message is the broker's core/protocol response, or what the host
	// passed to Answer. Nil means the request gets no response (a
	// Produce with acks=0). A broker's response carries the node's own
	// number for the request (see Request), not the wire id.
	Message any
}

// Conn is a gateway client: the node that stands for one real client's
// TCP connection to one broker.
type Conn struct {
	gateway *Gateway
	node    sim.NodeID
	name    string
	broker  int32
	target  sim.NodeID
	// listener and address are where the connection came in and from;
	// clientID is the client.id of its latest request.
	listener string
	address  string
	clientID string
	// lastCorrelation numbers the requests the node sends, across all
	// the connections it stands for in turn (see Request).
	lastCorrelation int32
	// pending are the requests in the order they arrived; the first ones
	// that are done are Ready.
	pending []*slot
	closed  bool
}

type slot struct {
	// correlation is the wire correlation id, sent the broker as
	// brokerCorrelation.
	correlation       int32
	brokerCorrelation int32
	done              bool
	fromBroker        bool
	response          any
}

// Start implements sim.Node.
func (c *Conn) Start(self sim.NodeID) { c.node = self }

// Receive implements sim.Node: the broker's responses and the close of
// the connection.
func (c *Conn) Receive(from sim.NodeID, msg sim.Message) {
	if from != c.target || c.closed {
		return
	}
	if d, ok := msg.(sim.Disconnected); ok {
		if d.Peer == c.target {
			c.closed = true
			c.gateway.sim.Record(c.node, "connection", "connection to "+c.gateway.sim.Name(c.target)+" closed by the broker")
		}
		return
	}
	correlation, ok := correlationOf(msg)
	if !ok {
		return
	}
	for _, s := range c.pending {
		if s.fromBroker && !s.done && s.brokerCorrelation == correlation {
			s.done, s.response = true, msg
			return
		}
	}
}

// Connect opens a gateway connection to broker's first listener; see
// ConnectListener.
func (g *Gateway) Connect(broker int32, address string) (ConnID, error) {
	return g.ConnectListener(broker, g.listeners[0].Name, address)
}

// ConnectListener opens a gateway connection to a listener of broker
// (1-based) for a real client at address; on an SSL or SASL_SSL listener
// the client is taken to have started TLS. It fails with ErrRefused when
// the broker does not run.
func (g *Gateway) ConnectListener(broker int32, listener string, address string) (ConnID, error) {
	if broker < 1 || int(broker) > g.cluster.Spec().Brokers {
		return 0, fmt.Errorf("no broker %d", broker)
	}
	l, ok := g.listener(listener)
	if !ok {
		return 0, fmt.Errorf("no listener %s", listener)
	}
	if !g.cluster.BrokerRunning(broker) {
		return 0, ErrRefused
	}
	if len(g.conns) >= MaxConnections {
		return 0, fmt.Errorf("at most %d gateway connections at once", MaxConnections)
	}
	c := g.node()
	c.broker, c.target, c.pending, c.closed = broker, g.cluster.BrokerNode(broker), nil, false
	c.listener, c.address, c.clientID = l.Name, address, ""
	g.lastID++
	g.conns[g.lastID] = c
	g.sim.Record(c.node, "connection", fmt.Sprintf("real client %s connected to %s on %s", address, g.sim.Name(c.target), l.Name))
	if !g.sim.Send(c.node, c.target, &protocol.ConnectRequest{Listener: l.Name, TLS: l.TLS()}) {
		c.closed = true
	}
	return g.lastID, nil
}

func (g *Gateway) listener(name string) (config.Listener, bool) {
	for _, l := range g.listeners {
		if l.Name == name {
			return l, true
		}
	}
	return config.Listener{}, false
}

// node returns an idle gateway node, restarted, or a new one.
func (g *Gateway) node() *Conn {
	if n := len(g.idle); n > 0 {
		c := g.idle[n-1]
		g.idle = g.idle[:n-1]
		g.sim.Restart(c.node)
		return c
	}
	g.nodes++
	c := &Conn{gateway: g, name: "gateway-" + strconv.Itoa(g.nodes)}
	c.node = g.sim.AddNode(c.name, c)
	return c
}

// Request sends a core/protocol request to the connection's broker, and
// correlation is its wire correlation id. The broker sees instead a
// number its node never sent before (the request's CorrelationID is
// overwritten), and Ready gives the response back with the wire id: a
// node serves one connection after another, and an answer to a request
// of a closed connection (a long Fetch, a JoinGroup that waits for a
// rebalance) must never pass for the answer to the next connection's
// request of the same wire id. expectResponse is false for a request the
// broker does not answer (Produce with acks=0). Only the requests of the
// registry (APIName) are taken: a SASL request or a message of the
// cluster's own protocol is refused.
func (g *Gateway) Request(id ConnID, correlation int32, request sim.Message, expectResponse bool) error {
	api, ok := APIName(request)
	if !ok {
		return fmt.Errorf("gateway: %T is not a request a gateway client sends", request)
	}
	c, err := g.open(id)
	if err != nil {
		return err
	}
	brokerCorrelation := c.nextCorrelation()
	if !setCorrelation(request, brokerCorrelation) {
		return fmt.Errorf("gateway: a %T has no correlation id to send", request)
	}
	if !g.untracked {
		c.pending = append(c.pending, &slot{correlation: correlation, brokerCorrelation: brokerCorrelation, fromBroker: expectResponse, done: !expectResponse})
	}
	g.sim.Record(c.node, "request", fmt.Sprintf("%s sent %s to %s, correlation id %d", c.Label(), api, g.sim.Name(c.target), correlation))
	// A request that does not reach the broker is answered by nothing: a
	// dead broker resets the connection (Disconnected), a cut link lets
	// the client's request.timeout.ms expire, as with real TCP.
	g.sim.Send(c.node, c.target, request)
	return nil
}

// Authenticate hands the broker the outcome of the SASL exchange the
// host ran for a connection: on success the connection's principal
// becomes User:<outcome.User> (the broker records the authentication in
// the trace); on failure the broker answers the request of
// outcome.CorrelationID with the error and closes the connection.
func (g *Gateway) Authenticate(id ConnID, outcome *protocol.GatewayAuthentication) error {
	c, err := g.open(id)
	if err != nil {
		return err
	}
	// The broker answers a failure at the node's own number, as it
	// answers requests (see Request).
	sent := *outcome
	sent.CorrelationID = c.nextCorrelation()
	if outcome.Error != protocol.None && !g.untracked {
		c.pending = append(c.pending, &slot{correlation: outcome.CorrelationID, brokerCorrelation: sent.CorrelationID, fromBroker: true})
	}
	g.sim.Send(c.node, c.target, &sent)
	return nil
}

// Answer queues a response the host made itself, in its place among the
// connection's responses.
func (g *Gateway) Answer(id ConnID, correlation int32, response any) error {
	c, err := g.open(id)
	if err != nil || g.untracked {
		return err
	}
	c.pending = append(c.pending, &slot{correlation: correlation, done: true, response: response})
	return nil
}

func (g *Gateway) open(id ConnID) (*Conn, error) {
	c := g.conns[id]
	switch {
	case c == nil:
		return nil, fmt.Errorf("no gateway connection %d", id)
	case c.closed:
		return nil, fmt.Errorf("gateway connection %d is closed", id)
	case len(c.pending) >= MaxInFlightRequests:
		return nil, fmt.Errorf("gateway connection %d has %d requests in flight", id, len(c.pending))
	}
	return c, nil
}

// Ready returns the responses that can be written now, in request order,
// and forgets them.
func (g *Gateway) Ready(id ConnID) []Response {
	c := g.conns[id]
	if c == nil {
		return nil
	}
	n := 0
	for n < len(c.pending) && c.pending[n].done {
		n++
	}
	out := make([]Response, 0, n)
	for _, s := range c.pending[:n] {
		out = append(out, Response{CorrelationID: s.correlation, Message: s.response})
	}
	c.pending = c.pending[n:]
	return out
}

// Closed reports whether the simulated broker closed the connection (or
// crashed); the host writes what Ready returns and closes the socket.
func (g *Gateway) Closed(id ConnID) bool {
	c := g.conns[id]
	return c == nil || c.closed
}

// Broker returns the broker a connection reached, 0 for none.
func (g *Gateway) Broker(id ConnID) int32 {
	if c := g.conns[id]; c != nil {
		return c.broker
	}
	return 0
}

// Disconnect ends a connection: the real client closed its socket, or
// the host closed it. The broker learns of it as of a TCP close.
func (g *Gateway) Disconnect(id ConnID) {
	c := g.conns[id]
	if c == nil {
		return
	}
	delete(g.conns, id)
	g.sim.Record(c.node, "connection", "real client disconnected from "+g.sim.Name(c.target))
	g.sim.Close(c.node, c.target)
	g.sim.Crash(c.node)
	c.pending, c.closed = nil, true
	g.idle = append(g.idle, c)
}

// Client is one open gateway connection as a host or a page shows it.
type Client struct {
	ID ConnID
	// Node is the simulation's node of the connection (gateway-N, reused
	// by later connections once this one closed).
	Node     string
	Broker   int32
	Listener string
	// Address is the real client's address; ClientID the client.id of
	// its latest request, "" before its first.
	Address  string
	ClientID string
	// Label names the client for people: "rdkafka (127.0.0.1:53211)".
	Label string
	// Closed says the broker closed the connection and the host has not
	// disconnected it yet.
	Closed bool
	// Waiting counts the responses not handed out by Ready yet (none
	// while responses are not tracked).
	Waiting int
}

// Label names a connection's client by its client.id and address, as
// "rdkafka (127.0.0.1:53211)", or by its address alone before its first
// request.
func (c *Conn) Label() string {
	if c.clientID == "" {
		return c.address
	}
	return c.clientID + " (" + c.address + ")"
}

// Clients returns the open connections, by id.
func (g *Gateway) Clients() []Client {
	out := make([]Client, 0, len(g.conns))
	for _, id := range g.Connections() {
		c := g.conns[id]
		out = append(out, Client{ID: id, Node: c.name, Broker: c.broker, Listener: c.listener, Address: c.address,
			ClientID: c.clientID, Label: c.Label(), Closed: c.closed, Waiting: len(c.pending)})
	}
	return out
}

// NextConnID returns the id the next connection gets: a host journals
// it with the connection (ConnectInput).
func (g *Gateway) NextConnID() ConnID { return g.lastID + 1 }

// Connections returns the open connections, sorted.
func (g *Gateway) Connections() []ConnID {
	out := make([]ConnID, 0, len(g.conns))
	for id := range g.conns {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// correlationOf returns the correlation id of a response a broker sends a
// client.
func correlationOf(msg sim.Message) (int32, bool) {
	if m, ok := msg.(protocol.ClientResponse); ok {
		return m.Correlation(), true
	}
	return 0, false
}

// Listener returns the listener a connection reached.
func (g *Gateway) Listener(id ConnID) (config.Listener, bool) {
	c := g.conns[id]
	if c == nil {
		return config.Listener{}, false
	}
	return g.listener(c.listener)
}

// Mechanisms returns the SASL mechanisms a connection's broker enables
// (sasl.enabled.mechanisms), for the host's answer to SaslHandshake.
func (g *Gateway) Mechanisms(id ConnID) []string {
	c := g.conns[id]
	if c == nil {
		return nil
	}
	return g.cluster.Broker(c.broker).SaslMechanisms()
}

// Credential looks up the credential a connection's broker would check
// a user against: a PLAIN user in the brokers' JAAS configuration, a
// SCRAM user in the broker's metadata. The host authenticates with it
// (core/security) and never hands the simulation a secret.
func (g *Gateway) Credential(id ConnID, mechanism, user string) (security.Credential, bool) {
	c := g.conns[id]
	if c == nil {
		return security.Credential{}, false
	}
	if mechanism == security.MechanismPlain {
		return g.cluster.PlainUser(user)
	}
	return g.cluster.Broker(c.broker).ScramCredential(user, mechanism)
}

// nextCorrelation returns the number of the node's next request to its
// broker.
func (c *Conn) nextCorrelation() int32 {
	c.lastCorrelation++
	if c.lastCorrelation < 0 {
		c.lastCorrelation = 1 // after 2^31 requests of one node
	}
	return c.lastCorrelation
}

// setCorrelation sets the CorrelationID of a core/protocol request; it
// reports whether the message has one.
func setCorrelation(msg sim.Message, correlation int32) bool {
	v := reflect.ValueOf(msg)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return false
	}
	field := v.Elem().FieldByName("CorrelationID")
	if !field.IsValid() || field.Kind() != reflect.Int32 || !field.CanSet() {
		return false
	}
	field.SetInt(int64(correlation))
	return true
}
