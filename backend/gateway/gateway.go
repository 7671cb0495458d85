// Package gateway serves the Kafka wire protocol on real TCP ports for a
// simulated cluster, so that real Kafka clients (franz-go, kcat, ...) use
// it as a Kafka cluster.
//
// # Design
//
// Each listener of the cluster's configuration (listeners and
// listener.security.protocol.map: PLAINTEXT, SSL, SASL_PLAINTEXT,
// SASL_SSL) gets one port per simulated broker on Host: with a BasePort,
// broker N's port on the i-th listener (from 0) is
// BasePort + i×ListenerPortBlock + N (9091, 9092, ... then 9191, ...),
// else an ephemeral one. Metadata and DescribeCluster advertise the
// ports of the listener the client came through, as Kafka does, so a
// client bootstraps from any port and finds the whole cluster on its own
// listener. A real client's TCP connection to broker N's port is a
// gateway client node of the simulation (core/gateway), connected to
// that listener of broker N: every request is decoded with
// github.com/twmb/franz-go/pkg/kmsg, translated into the core's protocol
// request (core/protocol) and sent by that node to broker N over the
// simulated network; the broker's response comes back to the node and is
// translated and encoded to the wire, in request order. ApiVersions is
// answered by the gateway itself, with the keys and versions it
// translates (apis.go). TLS listeners use a certificate made at start,
// SASL is the simulated broker's (security.go); record batches of every
// codec are read and written (records.go, compression.go).
//
// Limits: a request over MaxFrameBytes (socket.request.max.bytes) or of
// negative size closes its connection before its body is read; a frame
// Kafka could not parse (an unknown key, a version outside the served
// range, a cut header or body) closes it too; a connection idle for
// MaxIdle is closed; the compressed batches of one produce request
// decompress to at most MaxDecompressedBytes. None of this reaches the
// simulation or the other connections.
//
// The sockets are a Wire (wire.go); what they do to the simulation is
// the business of a Host, which takes the steps of host.go: Connect,
// Serve, Deliver, Disconnect. Every step that changes the simulation is
// a core/gateway Input, encoded and decoded as a journal holds it, so
// that the simulation applies exactly what a journal replays. A room of
// the backend is the host that journals them (backend/gateway_room.go);
// Start here runs a standalone host over a cluster of its own, which
// journals nothing:
//
// Virtual time follows the wall clock: a driver runs the simulation up to
// start + elapsed wall time every TickInterval and after every request.
// A broker that does not run in the simulation has its listeners closed,
// so its ports refuse connections; its open connections are closed when
// the simulation closes them. One mutex guards the cluster: the driver,
// the connections and Do all take it.
//
// # Wiring
//
//	g, err := gateway.Start(ctx, gateway.Config{Spec: core.Spec{Brokers: 3}, BasePort: 9090})
//	...
//	defer g.Close()
//	fmt.Println(g.Addresses()) // broker id -> "127.0.0.1:9091", ...
package gateway

import (
	"context"
	"sync"
	"time"

	"github.com/kafka-playground/playground/core"
	"github.com/kafka-playground/playground/core/config"
	coregateway "github.com/kafka-playground/playground/core/gateway"
)

// DefaultMaxFrameBytes is Kafka's socket.request.max.bytes default (100 MiB).
const DefaultMaxFrameBytes = 100 * 1024 * 1024

// DefaultMaxIdle is Kafka's connections.max.idle.ms default (10 minutes).
const DefaultMaxIdle = 10 * time.Minute

// DefaultTickInterval is how often the driver lets virtual time catch up
// with the wall clock.
const DefaultTickInterval = 5 * time.Millisecond

// Config configures a gateway.
type Config struct {
	// Cluster is the simulated cluster to serve, booted; when nil, one is
	// built from Spec and booted. The gateway owns it from then on: use Do.
	Cluster *core.Cluster
	Spec    core.Spec
	// Host is the address listened on and advertised; 127.0.0.1 by default.
	Host string
	// BasePort: broker N listens on BasePort+N; 0 picks free ports.
	BasePort int
	// MaxFrameBytes caps a request's size; when 0, the cluster's
	// socket.request.max.bytes (100 MiB by default).
	MaxFrameBytes int32
	// MaxIdle closes a connection that sends no request for that long
	// (connections.max.idle.ms); DefaultMaxIdle when 0.
	MaxIdle time.Duration
	// MaxDecompressedBytes caps what the compressed batches of one produce
	// request may decompress to; DefaultMaxDecompressedBytes when 0.
	MaxDecompressedBytes int
	// TickInterval is how often virtual time catches up with the wall clock.
	TickInterval time.Duration
	// Logf, when set, receives connection errors.
	Logf func(format string, args ...any)
}

// Gateway is a running Kafka wire-protocol gateway over a cluster of its
// own: a Wire and the Host that applies its inputs at once.
type Gateway struct {
	config Config
	mu     sync.Mutex
	// cluster and core are the simulation, guarded by mu as conns is.
	cluster *core.Cluster
	core    *coregateway.Gateway
	// startWall and startVirtualMs tie virtual time to the wall clock.
	startWall      time.Time
	startVirtualMs int64
	wire           *Wire
	conns          map[*Conn]bool
	stop           context.CancelFunc
	done           sync.WaitGroup
	closed         bool
}

// Start builds (or takes) the cluster, opens one listener per running
// broker and starts the wall-clock driver. It stops when ctx ends or
// Close is called.
func Start(ctx context.Context, cfg Config) (*Gateway, error) {
	if cfg.TickInterval <= 0 {
		cfg.TickInterval = DefaultTickInterval
	}
	cluster := cfg.Cluster
	if cluster == nil {
		c, err := core.New(cfg.Spec)
		if err != nil {
			return nil, err
		}
		c.Boot()
		cluster = c
	}
	gw, err := coregateway.New(cluster)
	if err != nil {
		return nil, err
	}
	if cfg.MaxFrameBytes <= 0 {
		cfg.MaxFrameBytes = ClusterMaxFrameBytes(cluster)
	}
	g := &Gateway{config: cfg, cluster: cluster, core: gw, conns: map[*Conn]bool{}}
	g.startWall, g.startVirtualMs = time.Now(), cluster.Now()
	g.wire, err = Listen(WireConfig{Host: cfg.Host, BasePort: cfg.BasePort, Brokers: cluster.Spec().Brokers, Listeners: gw.Listeners(),
		MaxFrameBytes: cfg.MaxFrameBytes, MaxIdle: cfg.MaxIdle, MaxDecompressedBytes: cfg.MaxDecompressedBytes, Logf: cfg.Logf},
		g, cluster.BrokerRunning)
	if err != nil {
		return nil, err
	}
	ctx, g.stop = context.WithCancel(ctx)
	g.done.Add(1)
	go g.drive(ctx)
	return g, nil
}

// ClusterMaxFrameBytes is the cluster's socket.request.max.bytes.
func ClusterMaxFrameBytes(cluster *core.Cluster) int32 {
	values, err := config.Resolve(config.Broker, cluster.Spec().Config)
	if err != nil {
		return DefaultMaxFrameBytes
	}
	return int32(values.Int("socket.request.max.bytes"))
}

// Addresses returns each broker's address on the cluster's first
// listener, by broker id.
func (g *Gateway) Addresses() map[int32]string {
	return g.ListenerAddresses(g.core.Listeners()[0].Name)
}

// ListenerAddresses returns each broker's address on the named listener
// of the cluster (PLAINTEXT, SSL, ...), by broker id; none for a name
// the cluster has no listener of.
func (g *Gateway) ListenerAddresses(name string) map[int32]string {
	return g.wire.ListenerAddresses(name)
}

// Listeners returns the cluster's listeners: their names and security
// protocols, in the order of its listeners configuration.
func (g *Gateway) Listeners() []config.Listener { return g.core.Listeners() }

// Do runs fn with the cluster, the simulation stopped; fn may act on it
// (kill a broker, read its state). Listeners follow the brokers after.
func (g *Gateway) Do(fn func(c *core.Cluster)) {
	g.mu.Lock()
	fn(g.cluster)
	g.mu.Unlock()
	g.pump()
}

// Close stops the driver, the listeners and every connection, and waits
// for their goroutines.
func (g *Gateway) Close() error {
	g.shutdown()
	g.wire.Close()
	g.done.Wait()
	return nil
}

func (g *Gateway) shutdown() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return
	}
	g.closed = true
	g.stop()
	for c := range g.conns {
		c.Close()
		Disconnect(g, c)
	}
	g.conns = map[*Conn]bool{}
}

func (g *Gateway) drive(ctx context.Context) {
	defer g.done.Done()
	ticker := time.NewTicker(g.config.TickInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			g.shutdown()
			return
		case <-ticker.C:
			g.pump()
		}
	}
}

// pump lets virtual time catch up with the wall clock, hands ready
// responses to their connections, disconnects the connections the
// simulation closed, and opens or closes listeners as brokers start and
// stop.
func (g *Gateway) pump() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return
	}
	g.runToWallClock()
	conns := make([]*Conn, 0, len(g.conns))
	for c := range g.conns {
		conns = append(conns, c)
	}
	for _, c := range Deliver(g, conns) {
		delete(g.conns, c)
		Disconnect(g, c)
	}
	g.wire.Follow(g.cluster.BrokerRunning)
}

// runToWallClock runs the simulation to the virtual time the wall clock
// says. Called with g.mu held.
func (g *Gateway) runToWallClock() {
	target := g.startVirtualMs + time.Since(g.startWall).Milliseconds()
	if target > g.cluster.Now() {
		g.cluster.RunUntil(target)
	}
}

func (g *Gateway) logf(format string, args ...any) {
	if g.config.Logf != nil {
		g.config.Logf(format, args...)
	}
}

// Gateway implements Engine: the cluster's gateway.
func (g *Gateway) Gateway() *coregateway.Gateway { return g.core }

// Apply implements Engine: the input is applied at once, as a journal
// would hold it. Called with g.mu held.
func (g *Gateway) Apply(in *coregateway.Input) error { return ApplyNow(g.core, g.cluster.Now(), in) }

// Open implements Host.
func (g *Gateway) Open(c *Conn) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		c.Refuse()
		return
	}
	g.runToWallClock()
	if Connect(g, c) == nil {
		g.conns[c] = true
	}
}

// Submit implements Host.
func (g *Gateway) Submit(c *Conn, s Submission) {
	g.mu.Lock()
	if !g.closed && g.conns[c] {
		g.runToWallClock()
		if err := Serve(g, c, s); err != nil {
			g.logf("gateway: %s: %v; closing the connection", c.Address(), err)
			c.Close()
		}
	}
	g.mu.Unlock()
	g.pump()
}

// Closed implements Host.
func (g *Gateway) Closed(c *Conn) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.conns[c] {
		delete(g.conns, c)
		g.runToWallClock()
		Disconnect(g, c)
	}
}
