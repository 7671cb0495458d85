// Package zookeeper is the ZooKeeper ensemble of the ZooKeeper metadata
// mode: servers zookeeper-1..Z holding a tree of znodes, client sessions
// kept alive by pings and expired after their timeout (deleting their
// ephemeral znodes), and watches that notify clients of changes — what a
// Kafka cluster of the ZooKeeper era stood on: broker registrations under
// /brokers/ids, the /controller election, topic assignments and partition
// state.
//
// Simplification, stated plainly: clients talk to servers over the
// simulated network, but the servers' own agreement (ZAB) is not simulated
// message by message. The tree is one shared Tree; a server serves
// requests only while it can reach a majority of the ensemble, so a
// minority side of a partition refuses every client, as a real ensemble
// does.
package zookeeper

import (
	"sort"
	"strings"

	"github.com/kafka-playground/playground/core/sim"
)

// Error codes of ZooKeeper's KeeperException, as names.
type Error string

// ZooKeeper errors.
const (
	OK              Error = ""
	NoNode          Error = "NONODE"
	NodeExists      Error = "NODEEXISTS"
	BadVersion      Error = "BADVERSION"
	NotEmpty        Error = "NOTEMPTY"
	ConnectionLoss  Error = "CONNECTIONLOSS"
	SessionExpired  Error = "SESSIONEXPIRED"
	SessionMovedErr Error = "SESSIONMOVED"
)

// ZNode is one node of the tree.
type ZNode struct {
	Data    any
	Version int32
	// EphemeralOwner is the session that owns an ephemeral znode, 0 if
	// persistent.
	EphemeralOwner int64
	// Czxid is the transaction id that created the znode (Kafka uses a
	// broker registration's as its broker epoch).
	Czxid int64
}

// Session is one client session.
type Session struct {
	ID         int64
	TimeoutMs  int64
	LastSeenMs int64
	// Server is the server the client is connected to; Client the client.
	Server sim.NodeID
	Client sim.NodeID
}

// WatchKind is what a watch waits for.
type WatchKind int

// Watch kinds.
const (
	// WatchData fires when the znode changes or is deleted (getData, exists).
	WatchData WatchKind = iota
	// WatchChildren fires when a child is added or removed (getChildren).
	WatchChildren
	// WatchExists fires when the znode is created, changed or deleted.
	WatchExists
)

type watch struct {
	path    string
	kind    WatchKind
	session int64
}

// Tree is the ensemble's replicated state.
type Tree struct {
	Nodes    map[string]*ZNode
	Sessions map[int64]*Session
	Zxid     int64
	watches  []watch
	nextID   int64
}

// NewTree returns a tree holding only the root.
func NewTree() *Tree {
	return &Tree{Nodes: map[string]*ZNode{"/": {}}, Sessions: map[int64]*Session{}}
}

// Children returns the names of path's children, sorted.
func (t *Tree) Children(path string) []string {
	prefix := strings.TrimSuffix(path, "/") + "/"
	var out []string
	for p := range t.Nodes {
		if p != "/" && strings.HasPrefix(p, prefix) && !strings.Contains(p[len(prefix):], "/") {
			out = append(out, p[len(prefix):])
		}
	}
	sort.Strings(out)
	return out
}

func parent(path string) string {
	i := strings.LastIndex(path, "/")
	if i <= 0 {
		return "/"
	}
	return path[:i]
}

// Op is one operation of a multi request.
type Op struct {
	Kind      OpKind
	Path      string
	Data      any
	Ephemeral bool
	// Version is the expected version for set, delete and check; -1 for any.
	Version int32
}

// OpKind names an operation.
type OpKind int

// Operations.
const (
	OpCreate OpKind = iota
	OpDelete
	OpSetData
	OpCheck
)

// event is a watch to fire after a change.
type event struct {
	path string
	kind EventType
}

// EventType is the type of a WatchedEvent.
type EventType string

// Event types.
const (
	NodeCreated         EventType = "NodeCreated"
	NodeDeleted         EventType = "NodeDeleted"
	NodeDataChanged     EventType = "NodeDataChanged"
	NodeChildrenChanged EventType = "NodeChildrenChanged"
)

// validate checks a multi without applying it. As in ZooKeeper, each op
// sees the ops before it: a znode created earlier in the multi exists, and
// one set earlier has its version bumped.
func (t *Tree) validate(ops []Op) Error {
	exists := map[string]bool{}
	versions := map[string]int32{}
	has := func(p string) bool {
		if v, ok := exists[p]; ok {
			return v
		}
		_, ok := t.Nodes[p]
		return ok
	}
	version := func(p string) int32 {
		if v, ok := versions[p]; ok {
			return v
		}
		if n := t.Nodes[p]; n != nil {
			return n.Version
		}
		return 0
	}
	for _, op := range ops {
		switch op.Kind {
		case OpCreate:
			if has(op.Path) {
				return NodeExists
			}
			if !has(parent(op.Path)) {
				return NoNode
			}
			exists[op.Path] = true
			versions[op.Path] = 0
		case OpDelete:
			if !has(op.Path) {
				return NoNode
			}
			if op.Version >= 0 && version(op.Path) != op.Version {
				return BadVersion
			}
			for _, c := range t.Children(op.Path) {
				if has(op.Path + "/" + c) {
					return NotEmpty
				}
			}
			exists[op.Path] = false
		case OpSetData, OpCheck:
			if !has(op.Path) {
				return NoNode
			}
			if op.Version >= 0 && version(op.Path) != op.Version {
				return BadVersion
			}
			if op.Kind == OpSetData {
				versions[op.Path] = version(op.Path) + 1
			}
		}
	}
	return OK
}

// apply applies a validated multi and returns the events it causes.
func (t *Tree) apply(ops []Op, session int64) []event {
	var events []event
	for _, op := range ops {
		t.Zxid++
		switch op.Kind {
		case OpCreate:
			n := &ZNode{Data: op.Data, Czxid: t.Zxid}
			if op.Ephemeral {
				n.EphemeralOwner = session
			}
			t.Nodes[op.Path] = n
			events = append(events, event{op.Path, NodeCreated}, event{parent(op.Path), NodeChildrenChanged})
		case OpDelete:
			delete(t.Nodes, op.Path)
			events = append(events, event{op.Path, NodeDeleted}, event{parent(op.Path), NodeChildrenChanged})
		case OpSetData:
			n := t.Nodes[op.Path]
			n.Data = op.Data
			n.Version++
			events = append(events, event{op.Path, NodeDataChanged})
		}
	}
	return events
}

// expire closes a session: its ephemeral znodes go.
func (t *Tree) expire(id int64) []event {
	delete(t.Sessions, id)
	var owned []string
	for p, n := range t.Nodes {
		if n.EphemeralOwner == id {
			owned = append(owned, p)
		}
	}
	sort.Strings(owned)
	var ops []Op
	for _, p := range owned {
		ops = append(ops, Op{Kind: OpDelete, Path: p, Version: -1})
	}
	var kept []watch
	for _, w := range t.watches {
		if w.session != id {
			kept = append(kept, w)
		}
	}
	t.watches = kept
	return t.apply(ops, id)
}

// triggered removes and returns the watches an event fires.
func (t *Tree) triggered(e event) []watch {
	var fired, kept []watch
	for _, w := range t.watches {
		hit := w.path == e.path && ((w.kind == WatchChildren && e.kind == NodeChildrenChanged) ||
			(w.kind != WatchChildren && e.kind != NodeChildrenChanged))
		if hit {
			fired = append(fired, w)
		} else {
			kept = append(kept, w)
		}
	}
	t.watches = kept
	return fired
}
