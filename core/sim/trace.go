package sim

import (
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"hash"
	"strconv"

	"github.com/kafka-playground/playground/core/snapshot"
)

// TraceEvent is one state change, as the readable trace prints it:
//
//	t=30000 broker-1 isr orders-0 [1 2 3] -> [1 3] (broker-2 lag 30000ms)
//
// Its canonical encoding is that line; the trace hash is the SHA-256 of all
// lines of a run, each followed by a newline.
type TraceEvent struct {
	Seq    uint64 `json:"seq"`
	TimeMs int64  `json:"time_ms"`
	Node   string `json:"node"`
	Kind   string `json:"kind"`
	Text   string `json:"text"`
}

// String returns the event's canonical line.
func (e TraceEvent) String() string {
	return "t=" + strconv.FormatInt(e.TimeMs, 10) + " " + e.Node + " " + e.Kind + " " + e.Text
}

// Trace keeps the most recent events in memory and a running hash of all.
type Trace struct {
	hash    traceHash
	events  []TraceEvent // ring buffer
	start   int
	count   uint64
	sink    func(TraceEvent) `snapshot:"-"`
	capsize int
	// line is scratch space for one canonical line.
	line []byte `snapshot:"-"`
}

// traceHash is the running SHA-256 of the trace; it writes its state into
// a snapshot and reads it back, in crypto/sha256's own form.
type traceHash struct{ hash.Hash }

func init() {
	snapshot.RegisterFormat("core/sim traceHash: crypto/sha256 state, 1")
}

// MarshalBinary returns the hash's state.
func (h traceHash) MarshalBinary() ([]byte, error) {
	return h.Hash.(encoding.BinaryMarshaler).MarshalBinary()
}

// UnmarshalBinary restores a state MarshalBinary returned.
func (h *traceHash) UnmarshalBinary(state []byte) error {
	h.Hash = sha256.New()
	return h.Hash.(encoding.BinaryUnmarshaler).UnmarshalBinary(state)
}

func (t *Trace) init(capacity int) {
	t.hash = traceHash{sha256.New()}
	t.capsize = capacity
}

func (t *Trace) add(e TraceEvent) {
	t.count++
	e.Seq = t.count
	t.line = t.line[:0]
	t.line = append(t.line, "t="...)
	t.line = strconv.AppendInt(t.line, e.TimeMs, 10)
	t.line = append(t.line, ' ')
	t.line = append(t.line, e.Node...)
	t.line = append(t.line, ' ')
	t.line = append(t.line, e.Kind...)
	t.line = append(t.line, ' ')
	t.line = append(t.line, e.Text...)
	t.line = append(t.line, '\n')
	t.hash.Write(t.line)
	if len(t.events) < t.capsize {
		t.events = append(t.events, e)
	} else {
		t.events[t.start] = e
		t.start = (t.start + 1) % t.capsize
	}
	if t.sink != nil {
		t.sink(e)
	}
}

// Record adds a state change to the trace. kind is one short word ("isr",
// "append", "elect"); text is the rest of the line, compact and stable.
func (s *Sim) Record(node NodeID, kind, text string) {
	s.trace.add(TraceEvent{TimeMs: s.nowMs, Node: s.Name(node), Kind: kind, Text: text})
}

// RecordAs is Record for a named actor that is not a node (the scenario
// runner, the network).
func (s *Sim) RecordAs(actor, kind, text string) {
	s.trace.add(TraceEvent{TimeMs: s.nowMs, Node: actor, Kind: kind, Text: text})
}

// TraceHash returns the hex SHA-256 of every trace line so far.
func (s *Sim) TraceHash() string {
	return hex.EncodeToString(s.trace.hash.Sum(nil))
}

// TraceCount returns how many events the trace holds in all.
func (s *Sim) TraceCount() uint64 { return s.trace.count }

// TraceEvents returns the events kept in memory, oldest first, whose
// sequence number is greater than afterSeq.
func (s *Sim) TraceEvents(afterSeq uint64) []TraceEvent {
	t := &s.trace
	out := make([]TraceEvent, 0, len(t.events))
	for i := 0; i < len(t.events); i++ {
		e := t.events[(t.start+i)%len(t.events)]
		if e.Seq > afterSeq {
			out = append(out, e)
		}
	}
	return out
}

// SetTraceSink registers a function called with every new trace event, for
// hosts that stream the trace (the CLI printing it, the browser timeline).
func (s *Sim) SetTraceSink(fn func(TraceEvent)) { s.trace.sink = fn }
