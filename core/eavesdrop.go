package core

// Eavesdroppers: an observer on the wire next to a node sees every
// message to or from it. On a plaintext connection it reads the Kafka
// requests (records' keys and values, a SASL/PLAIN password); on a TLS
// connection it sees only that encrypted bytes went by. What it captured
// is in the state document, with any password itself left out.

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/record"
	"github.com/kafka-playground/playground/core/security"
	"github.com/kafka-playground/playground/core/sim"
)

// Limits of eavesdroppers.
const (
	MaxEavesdroppers = 8
	// maxCaptured is how many captured lines an eavesdropper keeps (the
	// latest ones); the counters count everything.
	maxCaptured = 40
	// maxShownBytes bounds a key or value quoted in a captured line.
	maxShownBytes = 40
)

// EavesdropperState is an eavesdropper's section of the state document.
type EavesdropperState struct {
	Node string `json:"node"`
	// Messages counts the messages it saw; Readable those in clear text,
	// Encrypted those inside TLS.
	Messages  int64 `json:"messages"`
	Readable  int64 `json:"readable"`
	Encrypted int64 `json:"encrypted"`
	// RecordsSeen counts records whose key and value it could read.
	RecordsSeen int64 `json:"records_seen"`
	// PasswordsSeen counts SASL/PLAIN passwords it could read.
	PasswordsSeen int64 `json:"passwords_seen"`
	// Captured are its latest observations, one line each.
	Captured []string `json:"captured"`
}

type eavesdropper struct {
	id    string
	node  sim.NodeID
	state EavesdropperState
}

// AddEavesdropper places an observer on the wire next to a node.
func (c *Cluster) AddEavesdropper(id, node string) error {
	target, ok := c.sim.Lookup(node)
	if !ok {
		return fmt.Errorf("unknown node %q", node)
	}
	for _, e := range c.eavesdroppers {
		if e.id == id {
			return fmt.Errorf("an eavesdropper named %q already exists", id)
		}
	}
	if len(c.eavesdroppers) >= MaxEavesdroppers {
		return fmt.Errorf("a cluster may have at most %d eavesdroppers", MaxEavesdroppers)
	}
	c.eavesdroppers = append(c.eavesdroppers, &eavesdropper{id: id, node: target, state: EavesdropperState{Node: node, Captured: []string{}}})
	c.sim.SetTap(c.tap)
	return nil
}

// tap is the simulation's wire observer.
func (c *Cluster) tap(from, to sim.NodeID, msg sim.Message) {
	if _, timer := msg.(sim.Disconnected); timer {
		return
	}
	for _, e := range c.eavesdroppers {
		if e.node == from || e.node == to {
			c.observe(e, from, to, msg)
		}
	}
}

func (c *Cluster) observe(e *eavesdropper, from, to sim.NodeID, msg sim.Message) {
	st := &e.state
	st.Messages++
	line := fmt.Sprintf("t=%d %s -> %s ", c.sim.Now(), c.sim.Name(from), c.sim.Name(to))
	if open, ok := msg.(*protocol.ConnectRequest); ok && open.TLS {
		st.Encrypted++
		c.capture(e, line+"TLS handshake (the server's certificate, then an encrypted session)")
		return
	}
	if c.linkTLS(from, to) {
		st.Encrypted++
		c.capture(e, line+"TLS application data (encrypted)")
		return
	}
	st.Readable++
	c.capture(e, line+c.describeWire(st, msg))
}

func (c *Cluster) capture(e *eavesdropper, line string) {
	st := &e.state
	if len(st.Captured) == maxCaptured {
		copy(st.Captured, st.Captured[1:])
		st.Captured = st.Captured[:maxCaptured-1]
	}
	st.Captured = append(st.Captured, line)
}

// linkTLS reports whether traffic between two nodes is encrypted: a
// client's connections follow its security.protocol, the servers' own
// traffic the inter-broker listener.
func (c *Cluster) linkTLS(a, b sim.NodeID) bool {
	for _, n := range []sim.NodeID{a, b} {
		if s, ok := c.clientSecurity[n]; ok {
			return s.TLS()
		}
	}
	return c.interBrokerTLS()
}

// describeWire is what a plaintext message shows a reader of the wire.
func (c *Cluster) describeWire(st *EavesdropperState, msg sim.Message) string {
	switch m := msg.(type) {
	case *protocol.ConnectRequest:
		return "TCP connect to the " + m.Listener + " listener (plaintext)"
	case *protocol.SaslHandshakeRequest:
		return "SaslHandshake mechanism=" + m.Mechanism
	case *protocol.SaslAuthenticateRequest:
		if bytes.HasPrefix(m.AuthBytes, []byte("n,")) || bytes.HasPrefix(m.AuthBytes, []byte("c=")) {
			return "SaslAuthenticate SCRAM exchange: nonces, salt and a proof, no password"
		}
		if _, user, _, err := security.ParsePlain(m.AuthBytes); err == nil {
			st.PasswordsSeen++
			return "SaslAuthenticate PLAIN user=" + user + " password=(readable here in clear text; not repeated in this document)"
		}
		return "SaslAuthenticate"
	case *protocol.ProduceRequest:
		var parts []string
		for _, pp := range m.Partitions {
			st.RecordsSeen += int64(pp.Batch.Records.Len())
			parts = append(parts, describeRecords(pp.TopicPartition, pp.Batch.Records))
		}
		return "Produce " + strings.Join(parts, "; ")
	case *protocol.FetchResponse:
		var parts []string
		for _, r := range m.Partitions {
			for _, b := range r.Batches {
				if b.Control {
					continue
				}
				st.RecordsSeen += int64(b.Records.Len())
				parts = append(parts, describeRecords(r.TopicPartition, b.Records))
			}
		}
		if len(parts) == 0 {
			return "Fetch response (no records)"
		}
		return "Fetch response " + strings.Join(parts, "; ")
	}
	return messageName(msg)
}

// messageName is a message's type without its package: "MetadataRequest".
func messageName(msg sim.Message) string {
	name := fmt.Sprintf("%T", msg)
	return name[strings.LastIndexByte(name, '.')+1:]
}

func describeRecords(tp protocol.TopicPartition, records record.Records) string {
	if records.Len() == 0 {
		return tp.String() + " (empty)"
	}
	first := records.At(0)
	key := "null"
	if !first.KeyNull {
		key = quoteShort(first.Key)
	}
	value := "null"
	if !first.ValueNull {
		value = quoteShort(first.Value)
	}
	return fmt.Sprintf("%s %d record(s), first key=%s value=%s", tp, records.Len(), key, value)
}

func quoteShort(s string) string {
	if len(s) > maxShownBytes {
		return fmt.Sprintf("%q…", s[:maxShownBytes])
	}
	return fmt.Sprintf("%q", s)
}

func (c *Cluster) eavesdropperStates() map[string]EavesdropperState {
	out := map[string]EavesdropperState{}
	for _, e := range c.eavesdroppers {
		st := e.state
		st.Captured = append([]string(nil), e.state.Captured...)
		out[e.id] = st
	}
	return out
}
