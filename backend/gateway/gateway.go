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
// Virtual time follows the wall clock: a driver runs the simulation up to
// start + elapsed wall time every TickInterval and after every request.
// A broker that does not run in the simulation has its listeners closed,
// so its ports refuse connections; its open connections are closed when
// the simulation closes them.
//
// One mutex guards the cluster: the driver, the connections and Do all
// take it.
//
// Not yet: journaling the gateway's inputs into a room (the cluster here
// is the gateway's own, not a room's; see apis.go for what is served).
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
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
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

// Gateway is a running Kafka wire-protocol gateway.
type Gateway struct {
	config  Config
	mu      sync.Mutex
	cluster *core.Cluster
	core    *coregateway.Gateway
	// startWall and startVirtualMs tie virtual time to the wall clock.
	startWall      time.Time
	startVirtualMs int64
	// listeners are every broker's ports, by listener then broker.
	listeners []*listener
	// tls serves the SSL and SASL_SSL listeners; nil when there are none.
	tls    *certificate
	conns  map[coregateway.ConnID]*connection
	stop   context.CancelFunc
	done   sync.WaitGroup
	closed bool
}

// ListenerPortBlock separates the ports of the cluster's listeners: with
// a BasePort, broker N listens for the i-th listener of the cluster's
// listeners configuration (from 0) on BasePort + i×ListenerPortBlock + N.
const ListenerPortBlock = 100

// listener is one broker's port for one of the cluster's listeners.
type listener struct {
	broker int32
	// index is the listener's place in the cluster's listeners, kind its
	// name and security protocol.
	index int
	kind  config.Listener
	port  int
	ln    net.Listener
}

// Start builds (or takes) the cluster, opens one listener per running
// broker and starts the wall-clock driver. It stops when ctx ends or
// Close is called.
func Start(ctx context.Context, cfg Config) (*Gateway, error) {
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	if cfg.MaxIdle <= 0 {
		cfg.MaxIdle = DefaultMaxIdle
	}
	if cfg.MaxDecompressedBytes <= 0 {
		cfg.MaxDecompressedBytes = DefaultMaxDecompressedBytes
	}
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
		cfg.MaxFrameBytes = clusterMaxFrameBytes(cluster)
	}
	g := &Gateway{config: cfg, cluster: cluster, core: gw, conns: map[coregateway.ConnID]*connection{}}
	if err := g.openListeners(); err != nil {
		g.closeListeners()
		return nil, err
	}
	g.startWall, g.startVirtualMs = time.Now(), cluster.Now()
	ctx, g.stop = context.WithCancel(ctx)
	g.done.Add(1)
	go g.drive(ctx)
	return g, nil
}

// clusterMaxFrameBytes is the cluster's socket.request.max.bytes.
func clusterMaxFrameBytes(cluster *core.Cluster) int32 {
	values, err := config.Resolve(config.Broker, cluster.Spec().Config)
	if err != nil {
		return DefaultMaxFrameBytes
	}
	return int32(values.Int("socket.request.max.bytes"))
}

// openListeners opens every broker's port for every listener of the
// cluster, with a certificate for the TLS ones; the ports of brokers
// that do not run are closed again at once.
func (g *Gateway) openListeners() error {
	kinds := g.core.Listeners()
	for _, kind := range kinds {
		if kind.TLS() && g.tls == nil {
			cert, err := newCertificate(g.config.Host)
			if err != nil {
				return err
			}
			g.tls = cert
		}
	}
	for index, kind := range kinds {
		for id := int32(1); id <= int32(g.cluster.Spec().Brokers); id++ {
			port := 0
			if g.config.BasePort > 0 {
				port = g.config.BasePort + index*ListenerPortBlock + int(id)
			}
			l := &listener{broker: id, index: index, kind: kind, port: port}
			g.listeners = append(g.listeners, l)
			if err := g.listen(l); err != nil {
				return err
			}
			if !g.cluster.BrokerRunning(id) {
				g.unlisten(l)
			}
		}
	}
	return nil
}

// listen opens a broker's listener on its port (fixed after the first
// time) and starts accepting.
func (g *Gateway) listen(l *listener) error {
	ln, err := net.Listen("tcp", net.JoinHostPort(g.config.Host, strconv.Itoa(l.port)))
	if err != nil {
		return fmt.Errorf("broker %d, listener %s: %w", l.broker, l.kind.Name, err)
	}
	l.ln = ln
	l.port = ln.Addr().(*net.TCPAddr).Port
	g.done.Add(1)
	go g.accept(l, ln)
	return nil
}

func (g *Gateway) unlisten(l *listener) {
	if l.ln != nil {
		l.ln.Close()
		l.ln = nil
	}
}

func (g *Gateway) closeListeners() {
	for _, l := range g.listeners {
		g.unlisten(l)
	}
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
	g.mu.Lock()
	defer g.mu.Unlock()
	out := map[int32]string{}
	for _, l := range g.listeners {
		if l.kind.Name == name {
			out[l.broker] = net.JoinHostPort(g.config.Host, strconv.Itoa(l.port))
		}
	}
	return out
}

// Listeners returns the cluster's listeners: their names and security
// protocols, in the order of its listeners configuration.
func (g *Gateway) Listeners() []config.Listener { return g.core.Listeners() }

// advertise is the address of a broker on the listener of index in
// Metadata. It is called with g.mu held.
func (g *Gateway) advertise(index int, broker int32) (string, int32, bool) {
	for _, l := range g.listeners {
		if l.index == index && l.broker == broker {
			return g.config.Host, int32(l.port), true
		}
	}
	return "", 0, false
}

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
	g.closeListeners()
	for _, id := range g.core.Connections() {
		if c := g.conns[id]; c != nil {
			c.close()
		}
		delete(g.conns, id)
		g.core.Disconnect(id)
	}
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
// responses to their connections, closes the connections the simulation
// closed, and opens or closes listeners as brokers start and stop.
func (g *Gateway) pump() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return
	}
	g.runToWallClock()
	for _, id := range g.core.Connections() {
		c := g.conns[id]
		if c == nil {
			g.core.Disconnect(id)
			continue
		}
		for _, r := range g.core.Ready(id) {
			c.respond(r)
		}
		if g.core.Closed(id) {
			c.close()
			delete(g.conns, id)
			g.core.Disconnect(id)
		}
	}
	for _, l := range g.listeners {
		running := g.cluster.BrokerRunning(l.broker)
		switch {
		case running && l.ln == nil:
			if err := g.listen(l); err != nil {
				g.logf("gateway: reopening broker %d's %s port: %v", l.broker, l.kind.Name, err)
			}
		case !running && l.ln != nil:
			g.unlisten(l)
		}
	}
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

func (g *Gateway) accept(l *listener, ln net.Listener) {
	defer g.done.Done()
	for {
		socket, err := ln.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				g.logf("gateway: broker %d, listener %s: accept: %v", l.broker, l.kind.Name, err)
			}
			return
		}
		g.mu.Lock()
		if g.closed {
			g.mu.Unlock()
			socket.Close()
			return
		}
		g.runToWallClock()
		id, err := g.core.ConnectListener(l.broker, l.kind.Name, socket.RemoteAddr().String())
		if err != nil {
			g.mu.Unlock()
			socket.Close()
			continue
		}
		if l.kind.TLS() {
			socket = tls.Server(socket, g.tls.config)
		}
		c := newConnection(g, id, socket, l.index)
		g.conns[id] = c
		g.mu.Unlock()
		g.done.Add(2)
		go c.readLoop()
		go c.writeLoop()
	}
}
