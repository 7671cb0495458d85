package gateway

// The sockets: one listener per broker for each of the cluster's
// listeners, the connections accepted on them, and the Host that decides
// what each connection and request does to the simulation.

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/kafka-playground/playground/core/config"
	coregateway "github.com/kafka-playground/playground/core/gateway"
)

// Host runs the simulation behind a Wire. The standalone Gateway of
// this package is one host; a room of the backend, which journals every
// input before anything that depends on it leaves the process, is
// another. Connect, Serve, Disconnect and Deliver (host.go) are the
// steps every host takes, in its own goroutine or under its own lock.
type Host interface {
	// Open is called for each socket accepted on a broker's port, before
	// anything is read from it. The host accepts it (Conn.Accept) or
	// refuses it (Conn.Refuse), now or later, from any goroutine; nothing
	// is read from the socket before either.
	Open(c *Conn)
	// Submit hands the host one request of an accepted connection, in
	// the order the client sent them. It may block, which stops the
	// connection's reading: backpressure on a client that sends faster
	// than the host applies.
	Submit(c *Conn, s Submission)
	// Closed says that an accepted connection's socket is done (the
	// client closed it, it broke, or Conn.Close was called): the host
	// disconnects it in the simulation, if it still is connected there.
	Closed(c *Conn)
}

// Submission is one request of a connection, decoded and translated:
// what the host hands to the simulation (Request) or answers itself
// (Local), or neither (a produce with acks=0 whose every partition was
// refused). A SaslHandshake or SaslAuthenticate is not sent to the
// broker: the host runs the exchange (Serve).
type Submission struct {
	Correlation int32
	// ClientID is the request header's client.id.
	ClientID       string
	Request        any
	ExpectResponse bool
	Local          any
	// Input is Request as a journal holds it, encoded and decoded back
	// in the connection's goroutine (core/gateway.NewRequestInput), for
	// a request the broker answers; nil for the others.
	Input *coregateway.RequestInput
}

// WireConfig configures a Wire.
type WireConfig struct {
	// Host is the address listened on and advertised; 127.0.0.1 by default.
	Host string
	// BasePort: broker N listens on BasePort + i×ListenerPortBlock + N for
	// the i-th listener; 0 picks free ports.
	BasePort int
	// Brokers is the number of brokers, Listeners the cluster's listeners.
	Brokers   int
	Listeners []config.Listener
	// MaxFrameBytes caps a request's size (socket.request.max.bytes).
	MaxFrameBytes int32
	// MaxIdle closes a connection that sends no request for that long.
	MaxIdle time.Duration
	// MaxDecompressedBytes caps what the compressed batches of one produce
	// request may decompress to.
	MaxDecompressedBytes int
	// Logf, when set, receives connection errors.
	Logf func(format string, args ...any)
}

// Wire is the listeners and connections of a gateway.
type Wire struct {
	config WireConfig
	host   Host
	// mu guards listeners' ports and sockets, conns and closed.
	mu        sync.Mutex
	listeners []*listener
	// tls serves the SSL and SASL_SSL listeners; nil when there are none.
	tls    *certificate
	conns  map[*Conn]bool
	closed bool
	done   sync.WaitGroup
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

// Listen opens every broker's port for every listener, with a
// certificate for the TLS ones, and hands each accepted socket to host.
// running says which brokers run: the ports of the others are closed
// again at once (Follow keeps them in step later).
func Listen(cfg WireConfig, host Host, running func(broker int32) bool) (*Wire, error) {
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	if cfg.MaxIdle <= 0 {
		cfg.MaxIdle = DefaultMaxIdle
	}
	if cfg.MaxDecompressedBytes <= 0 {
		cfg.MaxDecompressedBytes = DefaultMaxDecompressedBytes
	}
	if cfg.MaxFrameBytes <= 0 {
		cfg.MaxFrameBytes = DefaultMaxFrameBytes
	}
	if len(cfg.Listeners) == 0 || cfg.Brokers < 1 {
		return nil, errors.New("gateway: a wire needs listeners and brokers")
	}
	w := &Wire{config: cfg, host: host, conns: map[*Conn]bool{}}
	if err := w.open(running); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

func (w *Wire) open(running func(broker int32) bool) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, kind := range w.config.Listeners {
		if kind.TLS() && w.tls == nil {
			cert, err := newCertificate(w.config.Host)
			if err != nil {
				return err
			}
			w.tls = cert
		}
	}
	for index, kind := range w.config.Listeners {
		for id := int32(1); id <= int32(w.config.Brokers); id++ {
			port := 0
			if w.config.BasePort > 0 {
				port = w.config.BasePort + index*ListenerPortBlock + int(id)
			}
			l := &listener{broker: id, index: index, kind: kind, port: port}
			w.listeners = append(w.listeners, l)
			if err := w.listen(l); err != nil {
				return err
			}
			if !running(id) {
				w.unlisten(l)
			}
		}
	}
	return nil
}

// listen opens a broker's listener on its port (fixed after the first
// time) and starts accepting. Called with w.mu held.
func (w *Wire) listen(l *listener) error {
	ln, err := net.Listen("tcp", net.JoinHostPort(w.config.Host, strconv.Itoa(l.port)))
	if err != nil {
		return fmt.Errorf("broker %d, listener %s: %w", l.broker, l.kind.Name, err)
	}
	l.ln = ln
	l.port = ln.Addr().(*net.TCPAddr).Port
	w.done.Add(1)
	go w.accept(l, ln)
	return nil
}

func (w *Wire) unlisten(l *listener) {
	if l.ln != nil {
		l.ln.Close()
		l.ln = nil
	}
}

// Follow opens the ports of the brokers that run and closes those of the
// brokers that do not, so that a dead broker refuses connections as a
// dead host does.
func (w *Wire) Follow(running func(broker int32) bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	for _, l := range w.listeners {
		up := running(l.broker)
		switch {
		case up && l.ln == nil:
			if err := w.listen(l); err != nil {
				w.logf("gateway: reopening broker %d's %s port: %v", l.broker, l.kind.Name, err)
			}
		case !up && l.ln != nil:
			w.unlisten(l)
		}
	}
}

// Listeners returns the cluster's listeners, in the order of its
// listeners configuration.
func (w *Wire) Listeners() []config.Listener {
	return append([]config.Listener(nil), w.config.Listeners...)
}

// ListenerAddresses returns each broker's address on the named listener
// of the cluster (PLAINTEXT, SSL, ...), by broker id; none for a name
// the cluster has no listener of.
func (w *Wire) ListenerAddresses(name string) map[int32]string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := map[int32]string{}
	for _, l := range w.listeners {
		if l.kind.Name == name {
			out[l.broker] = net.JoinHostPort(w.config.Host, strconv.Itoa(l.port))
		}
	}
	return out
}

// advertise is the address of a broker on the listener of index, as
// Metadata gives it.
func (w *Wire) advertise(index int, broker int32) (string, int32, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, l := range w.listeners {
		if l.index == index && l.broker == broker {
			return w.config.Host, int32(l.port), true
		}
	}
	return "", 0, false
}

// Close closes the listeners and every connection, and waits for their
// goroutines.
func (w *Wire) Close() error {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		for _, l := range w.listeners {
			w.unlisten(l)
		}
		for c := range w.conns {
			c.socket.Close()
		}
	}
	w.mu.Unlock()
	w.done.Wait()
	return nil
}

func (w *Wire) logf(format string, args ...any) {
	if w.config.Logf != nil {
		w.config.Logf(format, args...)
	}
}

func (w *Wire) accept(l *listener, ln net.Listener) {
	defer w.done.Done()
	for {
		socket, err := ln.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				w.logf("gateway: broker %d, listener %s: accept: %v", l.broker, l.kind.Name, err)
			}
			return
		}
		w.mu.Lock()
		if w.closed {
			w.mu.Unlock()
			socket.Close()
			return
		}
		address := socket.RemoteAddr().String()
		if l.kind.TLS() {
			socket = tls.Server(socket, w.tls.config)
		}
		c := newConn(w, socket, address, l)
		w.conns[c] = true
		w.done.Add(2)
		w.mu.Unlock()
		go c.readLoop()
		go c.writeLoop()
	}
}

// forget takes an ended connection out of the wire.
func (w *Wire) forget(c *Conn) {
	w.mu.Lock()
	delete(w.conns, c)
	w.mu.Unlock()
}
