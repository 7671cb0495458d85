package zookeeper

import (
	"fmt"

	"github.com/kafka-playground/playground/core/sim"
)

// ConnectRequest opens a session (SessionID 0) or moves one to this server.
type ConnectRequest struct {
	CorrelationID int32
	SessionID     int64
	TimeoutMs     int64
}

// ConnectResponse answers it.
type ConnectResponse struct {
	CorrelationID int32
	Error         Error
	SessionID     int64
	TimeoutMs     int64
}

// PingRequest keeps a session alive.
type PingRequest struct {
	CorrelationID int32
	SessionID     int64
}

// PingResponse answers it.
type PingResponse struct {
	CorrelationID int32
	Error         Error
}

// MultiRequest applies operations atomically.
type MultiRequest struct {
	CorrelationID int32
	SessionID     int64
	Ops           []Op
}

// MultiResponse answers it; on success Versions holds each znode's version
// after the operation and Czxids the creation ids of created znodes.
type MultiResponse struct {
	CorrelationID int32
	Error         Error
	Versions      []int32
	Czxids        []int64
}

// Read is one read of a ReadRequest: a znode's data, or its children, with
// an optional watch.
type Read struct {
	Path     string
	Children bool
	Watch    bool
}

// ReadRequest reads several znodes at once.
type ReadRequest struct {
	CorrelationID int32
	SessionID     int64
	Reads         []Read
}

// ReadResult is one read's outcome.
type ReadResult struct {
	Path     string
	Error    Error
	Data     any
	Version  int32
	Czxid    int64
	Children []string
}

// ReadResponse answers a ReadRequest.
type ReadResponse struct {
	CorrelationID int32
	Error         Error
	Results       []ReadResult
}

// WatchedEvent notifies a client that a watched znode changed.
type WatchedEvent struct {
	Path string
	Type EventType
}

// Settings configure a server.
type Settings struct {
	ID       int32
	Ensemble []int32
	// ServerNodes names the ensemble's nodes by id.
	ServerNodes sim.NodeRange
	// TickMs is how often the session tracker looks for expired sessions.
	TickMs int64
}

// ServerNode returns the node of server id.
func (s *Settings) ServerNode(id int32) sim.NodeID { return s.ServerNodes.Node(id) }

// Server is one ZooKeeper server node.
type Server struct {
	sim      *sim.Sim
	node     sim.NodeID
	settings Settings
	tree     *Tree
}

type tick struct{}

// NewServer returns a server over the ensemble's shared tree.
func NewServer(s *sim.Sim, settings Settings, tree *Tree) *Server {
	return &Server{sim: s, settings: settings, tree: tree}
}

// Start implements sim.Node.
func (z *Server) Start(self sim.NodeID) {
	z.node = self
	z.sim.SetTimer(z.node, z.settings.TickMs, tick{})
}

// HasQuorum reports whether this server reaches a majority of the
// ensemble, itself included, and so may serve.
func (z *Server) HasQuorum() bool {
	reachable := 0
	for _, id := range z.settings.Ensemble {
		if id == z.settings.ID || z.sim.Reachable(z.node, z.settings.ServerNode(id)) {
			reachable++
		}
	}
	return reachable > len(z.settings.Ensemble)/2
}

// IsLeader reports whether this server leads the ensemble: the lowest id
// among the servers it reaches, when it has a quorum.
func (z *Server) IsLeader() bool {
	if !z.HasQuorum() {
		return false
	}
	for _, id := range z.settings.Ensemble {
		if id < z.settings.ID && z.sim.Reachable(z.node, z.settings.ServerNode(id)) {
			return false
		}
	}
	return true
}

// ID returns the server id.
func (z *Server) ID() int32 { return z.settings.ID }

// Receive implements sim.Node.
func (z *Server) Receive(from sim.NodeID, msg sim.Message) {
	switch m := msg.(type) {
	case tick:
		z.sim.SetTimer(z.node, z.settings.TickMs, tick{})
		if z.IsLeader() {
			z.expireSessions()
		}
	case *ConnectRequest:
		z.sim.Send(z.node, from, z.connect(from, m))
	case *PingRequest:
		resp := &PingResponse{CorrelationID: m.CorrelationID, Error: z.touch(m.SessionID)}
		z.sim.Send(z.node, from, resp)
	case *MultiRequest:
		z.sim.Send(z.node, from, z.multi(m))
	case *ReadRequest:
		z.sim.Send(z.node, from, z.read(m))
	}
}

func (z *Server) connect(from sim.NodeID, m *ConnectRequest) *ConnectResponse {
	resp := &ConnectResponse{CorrelationID: m.CorrelationID}
	if !z.HasQuorum() {
		resp.Error = ConnectionLoss
		return resp
	}
	if m.SessionID != 0 {
		s := z.tree.Sessions[m.SessionID]
		if s == nil {
			resp.Error = SessionExpired
			return resp
		}
		s.Server, s.Client, s.LastSeenMs = z.node, from, z.sim.Now()
		resp.SessionID, resp.TimeoutMs = s.ID, s.TimeoutMs
		return resp
	}
	z.tree.nextID++
	id := int64(z.settings.ID)<<32 | z.tree.nextID
	z.tree.Sessions[id] = &Session{ID: id, TimeoutMs: m.TimeoutMs, LastSeenMs: z.sim.Now(), Server: z.node, Client: from}
	z.sim.Record(z.node, "session", fmt.Sprintf("0x%x opened by %s (timeout %dms)", id, z.sim.Name(from), m.TimeoutMs))
	resp.SessionID, resp.TimeoutMs = id, m.TimeoutMs
	return resp
}

// touch refreshes a session, checking this server may serve it.
func (z *Server) touch(id int64) Error {
	if !z.HasQuorum() {
		return ConnectionLoss
	}
	s := z.tree.Sessions[id]
	if s == nil {
		return SessionExpired
	}
	if s.Server != z.node {
		return SessionMovedErr
	}
	s.LastSeenMs = z.sim.Now()
	return OK
}

func (z *Server) multi(m *MultiRequest) *MultiResponse {
	resp := &MultiResponse{CorrelationID: m.CorrelationID}
	if resp.Error = z.touch(m.SessionID); resp.Error != OK {
		return resp
	}
	if resp.Error = z.tree.validate(m.Ops); resp.Error != OK {
		return resp
	}
	events := z.tree.apply(m.Ops, m.SessionID)
	for _, op := range m.Ops {
		if n := z.tree.Nodes[op.Path]; n != nil {
			resp.Versions = append(resp.Versions, n.Version)
			resp.Czxids = append(resp.Czxids, n.Czxid)
		} else {
			resp.Versions = append(resp.Versions, -1)
			resp.Czxids = append(resp.Czxids, -1)
		}
		z.sim.Record(z.node, "znode", describeOp(op))
	}
	z.fire(events)
	return resp
}

func describeOp(op Op) string {
	switch op.Kind {
	case OpCreate:
		kind := "create"
		if op.Ephemeral {
			kind = "create ephemeral"
		}
		return fmt.Sprintf("%s %s %v", kind, op.Path, op.Data)
	case OpDelete:
		return "delete " + op.Path
	case OpSetData:
		return fmt.Sprintf("set %s %v", op.Path, op.Data)
	}
	return "check " + op.Path
}

func (z *Server) read(m *ReadRequest) *ReadResponse {
	resp := &ReadResponse{CorrelationID: m.CorrelationID}
	if resp.Error = z.touch(m.SessionID); resp.Error != OK {
		return resp
	}
	for _, r := range m.Reads {
		res := ReadResult{Path: r.Path}
		n := z.tree.Nodes[r.Path]
		kind := WatchData
		switch {
		case r.Children:
			kind = WatchChildren
		case n == nil:
			kind = WatchExists
		}
		if n == nil {
			res.Error = NoNode
		} else {
			res.Data, res.Version, res.Czxid = n.Data, n.Version, n.Czxid
			if r.Children {
				res.Children = z.tree.Children(r.Path)
			}
		}
		if r.Watch && (n != nil || kind == WatchExists) {
			z.addWatch(watch{path: r.Path, kind: kind, session: m.SessionID})
		}
		resp.Results = append(resp.Results, res)
	}
	return resp
}

func (z *Server) addWatch(w watch) {
	for _, existing := range z.tree.watches {
		if existing == w {
			return
		}
	}
	z.tree.watches = append(z.tree.watches, w)
}

// fire notifies the watchers of events through the servers their
// sessions are connected to.
func (z *Server) fire(events []event) {
	for _, e := range events {
		for _, w := range z.tree.triggered(e) {
			s := z.tree.Sessions[w.session]
			if s == nil {
				continue
			}
			z.sim.Send(s.Server, s.Client, &WatchedEvent{Path: e.path, Type: e.kind})
		}
	}
}

// expireSessions closes sessions not heard from within their timeout, as
// the ensemble leader's session tracker does.
func (z *Server) expireSessions() {
	var expired []int64
	for id, s := range z.tree.Sessions {
		if z.sim.Now()-s.LastSeenMs > s.TimeoutMs {
			expired = append(expired, id)
		}
	}
	sortInt64(expired)
	for _, id := range expired {
		z.sim.Record(z.node, "session", fmt.Sprintf("0x%x expired after %dms without a ping", id, z.tree.Sessions[id].TimeoutMs))
		z.fire(z.tree.expire(id))
	}
}

func sortInt64(s []int64) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
