// Package gateway serves the Kafka wire protocol on real TCP ports for a
// simulated cluster, so that real Kafka clients (franz-go, kcat, ...) use
// it as a Kafka cluster.
//
// # Design
//
// Each simulated broker N gets one listener on Host, at BasePort+N (or an
// ephemeral port when BasePort is 0), and Metadata advertises those
// addresses, so a client bootstraps from any port and finds the whole
// cluster. A real client's TCP connection to broker N's port is a gateway
// client node of the simulation (core/gateway): every request is decoded
// with github.com/twmb/franz-go/pkg/kmsg, translated into the core's
// protocol request (core/protocol) and sent by that node to broker N over
// the simulated network; the broker's response comes back to the node and
// is translated and encoded to the wire, in request order. ApiVersions is
// answered by the gateway itself, with the keys and versions it
// translates (apis.go).
//
// Virtual time follows the wall clock: a driver runs the simulation up to
// start + elapsed wall time every TickInterval and after every request.
// A broker that does not run in the simulation has its listener closed,
// so its port refuses connections; its open connections are closed when
// the simulation closes them.
//
// One mutex guards the cluster: the driver, the connections and Do all
// take it.
//
// Not yet: journaling the gateway's inputs into a room (the cluster here
// is the gateway's own, not a room's), SASL, TLS, compression (see apis.go
// for what is served).
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
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/kafka-playground/playground/core"
	coregateway "github.com/kafka-playground/playground/core/gateway"
)

// DefaultMaxFrameBytes is Kafka's socket.request.max.bytes default (100 MiB).
const DefaultMaxFrameBytes = 100 * 1024 * 1024

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
	// MaxFrameBytes caps a request's size (socket.request.max.bytes).
	MaxFrameBytes int32
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
	listeners      map[int32]*listener
	conns          map[coregateway.ConnID]*connection
	stop           context.CancelFunc
	done           sync.WaitGroup
	closed         bool
}

// listener is one broker's port.
type listener struct {
	broker int32
	port   int
	ln     net.Listener
}

// Start builds (or takes) the cluster, opens one listener per running
// broker and starts the wall-clock driver. It stops when ctx ends or
// Close is called.
func Start(ctx context.Context, cfg Config) (*Gateway, error) {
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	if cfg.MaxFrameBytes <= 0 {
		cfg.MaxFrameBytes = DefaultMaxFrameBytes
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
	g := &Gateway{config: cfg, cluster: cluster, core: gw, listeners: map[int32]*listener{}, conns: map[coregateway.ConnID]*connection{}}
	for id := int32(1); id <= int32(cluster.Spec().Brokers); id++ {
		port := 0
		if cfg.BasePort > 0 {
			port = cfg.BasePort + int(id)
		}
		l := &listener{broker: id, port: port}
		if err := g.listen(l); err != nil {
			g.closeListeners()
			return nil, err
		}
		g.listeners[id] = l
		if !cluster.BrokerRunning(id) {
			g.unlisten(l)
		}
	}
	g.startWall, g.startVirtualMs = time.Now(), cluster.Now()
	ctx, g.stop = context.WithCancel(ctx)
	g.done.Add(1)
	go g.drive(ctx)
	return g, nil
}

// listen opens a broker's listener on its port (fixed after the first
// time) and starts accepting.
func (g *Gateway) listen(l *listener) error {
	ln, err := net.Listen("tcp", net.JoinHostPort(g.config.Host, strconv.Itoa(l.port)))
	if err != nil {
		return fmt.Errorf("broker %d: %w", l.broker, err)
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

// Addresses returns each broker's address, by broker id.
func (g *Gateway) Addresses() map[int32]string {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := map[int32]string{}
	for id, l := range g.listeners {
		out[id] = net.JoinHostPort(g.config.Host, strconv.Itoa(l.port))
	}
	return out
}

// advertise is the address of a broker in Metadata. It is called with
// g.mu held.
func (g *Gateway) advertise(broker int32) (string, int32, bool) {
	l := g.listeners[broker]
	if l == nil {
		return "", 0, false
	}
	return g.config.Host, int32(l.port), true
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
	for id := int32(1); id <= int32(len(g.listeners)); id++ {
		l := g.listeners[id]
		running := g.cluster.BrokerRunning(id)
		switch {
		case running && l.ln == nil:
			if err := g.listen(l); err != nil {
				g.logf("gateway: reopening broker %d's port: %v", id, err)
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
				g.logf("gateway: broker %d: accept: %v", l.broker, err)
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
		id, err := g.core.Connect(l.broker, socket.RemoteAddr().String())
		if err != nil {
			g.mu.Unlock()
			socket.Close()
			continue
		}
		c := newConnection(g, id, socket)
		g.conns[id] = c
		g.mu.Unlock()
		g.done.Add(2)
		go c.readLoop()
		go c.writeLoop()
	}
}
