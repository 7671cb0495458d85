package gateway

// One real client's TCP connection: frames read and written, request
// headers parsed, requests translated and handed to the core.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	coregateway "github.com/kafka-playground/playground/core/gateway"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// maxQueuedResponses bounds the encoded responses waiting to be written
// to one connection; a client that does not read is closed.
const maxQueuedResponses = coregateway.MaxInFlightRequests

// apiVersionsKey is ApiVersions' API key, whose response header is never
// flexible.
const apiVersionsKey = 18

// eagerFrameBytes is the largest frame whose buffer is allocated before
// its bytes arrive.
const eagerFrameBytes = 1 << 20

// Conn is one real client's TCP connection: its socket, what waits to
// be written to it, and the finish of each request waiting for the
// broker's answer.
type Conn struct {
	wire    *Wire
	socket  net.Conn
	address string
	broker  int32
	// listener is the index of the cluster listener the client reached,
	// listenerName its name.
	listener     int
	listenerName string
	out          chan []byte
	// decided is closed once the host accepted or refused the
	// connection; accepted says which.
	decided  chan struct{}
	accepted bool
	// mu guards the fields below, which the read loop and the host both
	// use: finishes turn the broker's answers into wire responses, by
	// correlation id; sasl is the bare-frame SASL exchange.
	mu       sync.Mutex
	id       coregateway.ConnID
	finishes map[int32]finish
	sasl     rawSasl
	closed   bool
	// clientID is the client id of the request being translated,
	// produced the records of a produced batch as they are read, and
	// spare a frame buffer the next frame may be read into; read loop
	// only.
	clientID string
	produced []coregateway.ProducedRecord
	spare    []byte
	// exchange is the SASL exchange, and closing says the host closes the
	// connection once its answers are written; host only.
	exchange saslExchange
	closing  bool
}

func newConn(w *Wire, socket net.Conn, address string, l *listener) *Conn {
	return &Conn{wire: w, socket: socket, address: address, broker: l.broker, listener: l.index, listenerName: l.kind.Name,
		out: make(chan []byte, maxQueuedResponses), decided: make(chan struct{}), finishes: map[int32]finish{}}
}

// Broker returns the broker whose port the client reached.
func (c *Conn) Broker() int32 { return c.broker }

// Listener returns the name of the cluster listener the client reached.
func (c *Conn) Listener() string { return c.listenerName }

// Address returns the client's address, host:port.
func (c *Conn) Address() string { return c.address }

// ID returns the connection's id in the simulation, 0 before Accept.
func (c *Conn) ID() coregateway.ConnID {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.id
}

// Accept lets the connection's reading start: id is its connection in
// the simulation.
func (c *Conn) Accept(id coregateway.ConnID) {
	c.mu.Lock()
	c.id = id
	c.mu.Unlock()
	c.accepted = true
	close(c.decided)
}

// Refuse closes the socket without reading from it, as a broker that
// does not run refuses a connection.
func (c *Conn) Refuse() { close(c.decided) }

// advertise gives brokers' addresses on the listener the client reached,
// as Kafka's Metadata answers with the endpoints of the request's
// listener.
func (c *Conn) advertise(broker int32) (string, int32, bool) {
	return c.wire.advertise(c.listener, broker)
}

// Close closes the connection once what is queued is written.
func (c *Conn) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closeLocked()
}

func (c *Conn) closeLocked() {
	if !c.closed {
		c.closed = true
		close(c.out)
	}
}

func (c *Conn) writeLoop() {
	defer c.wire.done.Done()
	failed := false
	for frame := range c.out {
		if failed {
			continue
		}
		if _, err := c.socket.Write(frame); err != nil {
			failed = true
			c.socket.Close()
		}
	}
	c.socket.Close()
}

func (c *Conn) readLoop() {
	defer c.wire.done.Done()
	defer c.wire.forget(c)
	c.wire.host.Open(c)
	<-c.decided
	if !c.accepted {
		c.Close()
		return
	}
	defer c.wire.host.Closed(c)
	err := c.handshakeTLS()
	if err != nil {
		c.wire.logf("gateway: %s: %v", c.address, err)
	}
	for err == nil {
		var frame []byte
		c.socket.SetReadDeadline(time.Now().Add(c.wire.config.MaxIdle))
		frame, err = readFrameInto(c.socket, c.wire.config.MaxFrameBytes, c.spare)
		c.spare = nil
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				c.wire.logf("gateway: %s: %v", c.address, err)
			}
			break
		}
		if err = c.handle(frame); err != nil {
			c.wire.logf("gateway: %s: %v; closing the connection", c.address, err)
			break
		}
	}
	c.Close()
}

// readFrame reads one size-prefixed request. A size below 0 or above
// maxBytes closes the connection before anything more is read, as
// Kafka's NetworkReceive refuses it (InvalidReceiveException).
func readFrame(r io.Reader, maxBytes int32) ([]byte, error) {
	return readFrameInto(r, maxBytes, nil)
}

// readFrameInto is readFrame into spare when it has room for the frame.
func readFrameInto(r io.Reader, maxBytes int32, spare []byte) ([]byte, error) {
	var size [4]byte
	if _, err := io.ReadFull(r, size[:]); err != nil {
		return nil, err
	}
	n := int32(binary.BigEndian.Uint32(size[:]))
	if n < 0 || n > maxBytes {
		return nil, fmt.Errorf("invalid receive (size = %d, at most %d: socket.request.max.bytes)", n, maxBytes)
	}
	if n <= eagerFrameBytes {
		frame := spare[:0]
		if cap(frame) < int(n) {
			frame = make([]byte, n)
		}
		frame = frame[:n]
		if _, err := io.ReadFull(r, frame); err != nil {
			return nil, err
		}
		return frame, nil
	}
	// A large frame's memory grows with what arrives, so that a client
	// announcing 100 MB and sending nothing holds none of it.
	frame, err := io.ReadAll(io.LimitReader(r, int64(n)))
	if err != nil {
		return nil, err
	}
	if len(frame) < int(n) {
		return nil, io.ErrUnexpectedEOF
	}
	return frame, nil
}

// header is a parsed request header.
type header struct {
	key, version int16
	correlation  int32
	clientID     string
	body         []byte
}

// parseHeader reads a request header (v1, or v2 with tagged fields when
// flexible says so for the key and version).
func parseHeader(frame []byte, flexible func(key, version int16) bool) (header, error) {
	if len(frame) < 8 {
		return header{}, fmt.Errorf("request header of %d bytes cut short", len(frame))
	}
	h := header{key: int16(binary.BigEndian.Uint16(frame[0:2])), version: int16(binary.BigEndian.Uint16(frame[2:4])),
		correlation: int32(binary.BigEndian.Uint32(frame[4:8]))}
	rest := frame[8:]
	if len(rest) < 2 {
		return h, errors.New("request header without a client id")
	}
	idLength := int(int16(binary.BigEndian.Uint16(rest)))
	rest = rest[2:]
	if idLength > len(rest) {
		return h, errors.New("request header: client id longer than the request")
	}
	if idLength > 0 {
		h.clientID, rest = string(rest[:idLength]), rest[idLength:]
	}
	if flexible(h.key, h.version) {
		var err error
		if rest, err = skipTags(rest); err != nil {
			return h, err
		}
	}
	h.body = rest
	return h, nil
}

// skipTags skips a tagged-field section.
func skipTags(b []byte) ([]byte, error) {
	count, n := binary.Uvarint(b)
	if n <= 0 || count > uint64(len(b)) {
		return nil, errors.New("bad tagged fields")
	}
	b = b[n:]
	for i := uint64(0); i < count; i++ {
		if _, n = binary.Uvarint(b); n <= 0 {
			return nil, errors.New("bad tag")
		}
		b = b[n:]
		size, n := binary.Uvarint(b)
		if n <= 0 || size > uint64(len(b)-n) {
			return nil, errors.New("bad tag size")
		}
		b = b[n+int(size):]
	}
	return b, nil
}

// requestFlexible reports whether a request key and version use the
// flexible (v2) header; unknown keys do not.
func requestFlexible(key, version int16) bool {
	req := kmsg.RequestForKey(key)
	if req == nil {
		return false
	}
	req.SetVersion(version)
	return req.IsFlexible()
}

// handle decodes one request and hands it to the host; an error closes
// the connection.
func (c *Conn) handle(frame []byte) error {
	if raw, err := c.submitRawSasl(frame); raw {
		return err
	}
	h, err := parseHeader(frame, func(key, version int16) bool {
		if r, ok := supported[key]; !ok || version < r.min || version > r.max {
			return false
		}
		return requestFlexible(key, version)
	})
	if err != nil {
		return err
	}
	served, ok := supported[h.key]
	if ok && (h.version < served.min || h.version > served.max) {
		ok = false
	}
	if !ok && h.key == apiVersionsKey {
		// Kafka answers an ApiVersions it does not know in version 0,
		// with UNSUPPORTED_VERSION and the versions it has.
		resp := apiVersionsResponse(0)
		resp.ErrorCode = int16(protocol.UnsupportedVersion)
		return c.submit(h, translation{Local: resp})
	}
	if !ok {
		return fmt.Errorf("%s version %d is not served", kmsg.NameForKey(h.key), h.version)
	}
	req := kmsg.RequestForKey(h.key)
	req.SetVersion(h.version)
	if err := req.ReadFrom(h.body); err != nil {
		return fmt.Errorf("%s v%d: %v", kmsg.NameForKey(h.key), h.version, err)
	}
	c.clientID = h.clientID
	err = c.submit(h, c.translate(req, h.correlation))
	c.spare = spareAfter(req, frame)
	return err
}

// spareAfter returns the buffer the next frame may be read into once req,
// read from frame, is translated: a Produce request's, whose bytes
// nothing keeps (its batches were written into its journal form, and
// kmsg copied its strings), unless it is larger than a frame read at
// once (a connection does not keep a 100 MB request's buffer); nil for
// any other request, whose decoded form may share its frame's bytes.
func spareAfter(req kmsg.Request, frame []byte) []byte {
	if _, produce := req.(*kmsg.ProduceRequest); produce && cap(frame) <= eagerFrameBytes {
		return frame
	}
	return nil
}

func (c *Conn) translate(req kmsg.Request, correlation int32) translation {
	switch r := req.(type) {
	case *kmsg.ApiVersionsRequest:
		return translateApiVersions(r)
	case *kmsg.MetadataRequest:
		return translateMetadata(r, correlation, c.advertise)
	case *kmsg.ProduceRequest:
		return translateProduce(r, correlation, c.clientID, c.wire.config.MaxDecompressedBytes, &c.produced)
	case *kmsg.FetchRequest:
		return translateFetch(r, correlation)
	case *kmsg.ListOffsetsRequest:
		return translateListOffsets(r, correlation)
	case *kmsg.CreateTopicsRequest:
		return translateCreateTopics(r, correlation)
	case *kmsg.InitProducerIDRequest:
		return translateInitProducerID(r, correlation)
	case *kmsg.FindCoordinatorRequest:
		return translateFindCoordinator(r, correlation, c.advertise)
	case *kmsg.JoinGroupRequest:
		return translateJoinGroup(r, correlation, c.groupClient())
	case *kmsg.HeartbeatRequest:
		return translateHeartbeat(r, correlation)
	case *kmsg.LeaveGroupRequest:
		return translateLeaveGroup(r, correlation)
	case *kmsg.SyncGroupRequest:
		return translateSyncGroup(r, correlation)
	case *kmsg.DescribeGroupsRequest:
		return translateDescribeGroups(r, correlation)
	case *kmsg.ListGroupsRequest:
		return translateListGroups(r, correlation)
	case *kmsg.OffsetCommitRequest:
		return translateOffsetCommit(r, correlation)
	case *kmsg.OffsetFetchRequest:
		return translateOffsetFetch(r, correlation)
	case *kmsg.AddPartitionsToTxnRequest:
		return translateAddPartitionsToTxn(r, correlation)
	case *kmsg.AddOffsetsToTxnRequest:
		return translateAddOffsetsToTxn(r, correlation)
	case *kmsg.EndTxnRequest:
		return translateEndTxn(r, correlation)
	case *kmsg.TxnOffsetCommitRequest:
		return translateTxnOffsetCommit(r, correlation)
	case *kmsg.SASLHandshakeRequest:
		return translateSaslHandshake(r, correlation, c)
	case *kmsg.SASLAuthenticateRequest:
		return translateSaslAuthenticate(r, correlation)
	case *kmsg.DeleteTopicsRequest:
		return translateDeleteTopics(r, correlation)
	case *kmsg.DescribeACLsRequest:
		return translateDescribeAcls(r, correlation)
	case *kmsg.CreateACLsRequest:
		return translateCreateAcls(r, correlation)
	case *kmsg.DeleteACLsRequest:
		return translateDeleteAcls(r, correlation)
	case *kmsg.DescribeConfigsRequest:
		return translateDescribeConfigs(r, correlation)
	case *kmsg.IncrementalAlterConfigsRequest:
		return translateIncrementalAlterConfigs(r, correlation)
	case *kmsg.DescribeClusterRequest:
		return translateDescribeCluster(r, correlation, c.advertise)
	}
	panic(fmt.Sprintf("gateway: %T is in the supported table but not translated", req))
}

// submit hands a translated request to the host, in arrival order,
// after noting how to finish its answer.
func (c *Conn) submit(h header, t translation) error {
	var produce *coregateway.Input
	if t.produce != nil {
		var err error
		if produce, err = t.produce.Input(c.ID(), h.correlation, t.ExpectResponse); err != nil {
			return err
		}
		if t.Request, err = produce.Request.Message(); err != nil {
			return err
		}
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return errors.New("connection closed")
	}
	if t.Request != nil && t.ExpectResponse {
		c.finishes[h.correlation] = t.Finish
	}
	c.mu.Unlock()
	s := Submission{Correlation: h.correlation, ClientID: h.clientID, Request: t.Request, ExpectResponse: t.ExpectResponse}
	if t.Local != nil {
		s.Local = t.Local
	}
	if produce != nil {
		s.Input = produce.Request
	} else if _, journaled := coregateway.APIName(t.Request); journaled {
		// The journal's JSON of the request, made here rather than in
		// the host's one goroutine.
		in, err := coregateway.NewRequestInput(0, c.ID(), h.correlation, h.clientID, t.Request, t.ExpectResponse)
		if err != nil {
			return err
		}
		s.Input = in.Request
	}
	c.wire.host.Submit(c, s)
	return nil
}

// Respond encodes one response of the simulation (Ready) and queues it
// for the socket.
func (c *Conn) Respond(r coregateway.Response) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r.Message == nil || c.closed || c.respondRawSasl(r) {
		return
	}
	resp, ok := r.Message.(kmsg.Response)
	if !ok {
		f := c.finishes[r.CorrelationID]
		delete(c.finishes, r.CorrelationID)
		if f == nil {
			return
		}
		resp = f(r.Message)
	}
	frame := make([]byte, 8, 64)
	binary.BigEndian.PutUint32(frame[4:8], uint32(r.CorrelationID))
	if resp.IsFlexible() && resp.Key() != apiVersionsKey {
		frame = append(frame, 0)
	}
	frame = resp.AppendTo(frame)
	binary.BigEndian.PutUint32(frame[0:4], uint32(len(frame)-4))
	c.queue(frame)
}

// queue hands a frame to the writer; a client that does not read its
// responses is closed. Called with c.mu held.
func (c *Conn) queue(frame []byte) {
	select {
	case c.out <- frame:
	default:
		c.wire.logf("gateway: %s reads too slowly; closing the connection", c.address)
		c.closeLocked()
	}
}
