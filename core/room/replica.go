// Package room applies a room's journal, one input at a time, to a
// scenario.Session, with exactly the rules every copy of the room must
// follow: the server's authoritative copy, the copy it restores on start,
// and each joined client's copy. Same inputs, same rules, same trace hash.
//
// The rules:
//
//  1. A step travels as JSON in the scenario format of SCENARIO.md. It is
//     checked as Decode would check it at the end of the journal: the
//     journal's text with the step appended is decoded, and the last step
//     of that document is the one applied.
//  2. A plain advance (op "advance" without at_ms, async or note) is
//     applied with Session.Advance, which merges it into an advance just
//     before it; every other step with Session.Apply.
//  3. Restore rebuilds the same session from the stored inputs by merging
//     the advances as rule 2 would and running the result once, so a
//     restore costs one replay, not one check per input.
//
// This package depends on the standard library and core only, and builds
// for GOOS=js GOARCH=wasm: the native backend (backend/) and the page
// (wasm/ui) both use it, so every copy follows the same code, not only the
// same rules.
package room

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/kafka-playground/playground/core/scenario"
)

// Replica is one copy of a room's cluster: a session and the text of its
// journal, step by step, so that the next step can be checked in context
// without encoding the journal again.
type Replica struct {
	file    string
	header  *scenario.Scenario
	prefix  []byte
	texts   [][]byte
	last    scenario.Step
	session *scenario.Session
	options scenario.Options
}

// ErrSimulationStopped wraps the error of an input that made the
// simulation stop (a limit of the engine reached); the replica is rebuilt
// without that input, so the input is refused like an invalid one.
var ErrSimulationStopped = errors.New("the simulation had to stop")

// New returns a replica of a room whose header is given; the header's
// steps, if any, are ignored (they are inputs like any other).
func New(file string, header *scenario.Scenario) (*Replica, error) {
	return Restore(file, header, nil)
}

// Restore returns the replica that applying inputs one by one with Apply
// and Advance would give, computed with one decode and one run. inputs are
// the texts of the step inputs in journal order.
func Restore(file string, header *scenario.Scenario, inputs []json.RawMessage) (*Replica, error) {
	return RestoreWith(file, header, inputs, scenario.Options{})
}

// RestoreWith is Restore with options for the session, such as a
// TraceSink that a host's timeline reads. The options observe the
// session; they do not change its trace hash. A rebuild after an input
// that stopped the simulation keeps them.
func RestoreWith(file string, header *scenario.Scenario, inputs []json.RawMessage, options scenario.Options) (*Replica, error) {
	bare := *header
	bare.Steps = nil
	prefix, err := documentPrefix(&bare)
	if err != nil {
		return nil, err
	}
	texts, err := mergeAdvances(inputs)
	if err != nil {
		return nil, err
	}
	r := &Replica{file: file, header: &bare, prefix: prefix, texts: texts, options: options}
	decoded, err := scenario.Decode(file, r.document(nil))
	if err != nil {
		return nil, err
	}
	session, err := scenario.NewSession(file, decoded, options)
	if err != nil {
		return nil, err
	}
	r.session = session
	if n := len(decoded.Steps); n > 0 {
		r.last = decoded.Steps[n-1]
	}
	return r, nil
}

// documentPrefix is the canonical JSON of a scenario without steps, cut
// just after the opening bracket of its steps list.
func documentPrefix(header *scenario.Scenario) ([]byte, error) {
	encoded, err := scenario.Encode(header)
	if err != nil {
		return nil, err
	}
	prefix, found := bytes.CutSuffix(encoded, []byte("[]}"))
	if !found {
		return nil, fmt.Errorf("room: unexpected canonical form %q", encoded)
	}
	return append(prefix, '['), nil
}

// document returns the journal as a scenario document, with extra
// appended as one more step when it is not nil.
func (r *Replica) document(extra []byte) []byte {
	size := len(r.prefix) + len(extra) + 3
	for _, text := range r.texts {
		size += len(text) + 1
	}
	out := make([]byte, 0, size)
	out = append(out, r.prefix...)
	for i, text := range r.texts {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, text...)
	}
	if extra != nil {
		if len(r.texts) > 0 {
			out = append(out, ',')
		}
		out = append(out, extra...)
	}
	return append(out, "]}"...)
}

// Parse checks one step in the scenario format against the journal, as
// Decode would check it there, and returns it with its compact text. It
// changes nothing.
func (r *Replica) Parse(raw json.RawMessage) (scenario.Step, []byte, error) {
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		return scenario.Step{}, nil, fmt.Errorf("the step is not valid JSON: %v", err)
	}
	text := compact.Bytes()
	if len(text) == 0 || text[0] != '{' {
		return scenario.Step{}, nil, errors.New("a step is a JSON object, such as {\"op\": \"advance\", \"ms\": 1000}")
	}
	st, err := r.session.ParseStep(text)
	if err != nil {
		return scenario.Step{}, nil, err
	}
	return st, text, nil
}

// IsPlainAdvance reports whether st is applied with Session.Advance (rule 2).
func IsPlainAdvance(st *scenario.Step) bool {
	return st.Op == scenario.OpAdvance && st.AtMs == nil && !st.Async && st.Note == ""
}

// Apply checks one step (scenario-format JSON) and applies it. It returns
// the step's text as it is to be journaled and sent: compact, and for a
// plain advance the canonical {"op":"advance","ms":N}. A refused step
// changes nothing.
func (r *Replica) Apply(raw json.RawMessage) (scenario.StepResult, []byte, error) {
	st, text, err := r.Parse(raw)
	if err != nil {
		return scenario.StepResult{}, nil, err
	}
	if IsPlainAdvance(&st) {
		result, err := r.Advance(st.Ms)
		if err != nil {
			return result, nil, err
		}
		return result, AdvanceText(st.Ms), nil
	}
	before := len(r.session.Results())
	result, err := r.session.Apply(st)
	if err != nil {
		return result, nil, r.recover(before, err)
	}
	if st.Op == scenario.OpAdvance {
		text = advanceText(&st)
	}
	r.texts = append(r.texts, text)
	r.last = st
	return result, text, nil
}

// Advance lets virtual time run by ms, as a plain advance step would.
func (r *Replica) Advance(ms int64) (scenario.StepResult, error) {
	before := len(r.session.Results())
	result, err := r.session.Advance(ms)
	if err != nil {
		return result, r.recover(before, err)
	}
	if len(r.session.Results()) == before && len(r.texts) > 0 {
		r.last.Ms += ms
		r.texts[len(r.texts)-1] = advanceText(&r.last)
	} else {
		r.last = scenario.Step{Op: scenario.OpAdvance, Ms: ms}
		r.texts = append(r.texts, AdvanceText(ms))
	}
	return result, nil
}

// recover handles an error of Apply or Advance: a refused step changed
// nothing, but a step that stopped the simulation left the session past
// the journal, so the session is rebuilt from the journal.
func (r *Replica) recover(resultsBefore int, err error) error {
	if r.session.Cluster().Sim().Err() == nil && len(r.session.Results()) == resultsBefore {
		return err
	}
	rebuilt, rebuildErr := RestoreWith(r.file, r.header, r.Texts(), r.options)
	if rebuildErr != nil {
		return fmt.Errorf("%w: %v; and the journal does not replay: %v", ErrSimulationStopped, err, rebuildErr)
	}
	*r = *rebuilt
	return fmt.Errorf("%w: %v", ErrSimulationStopped, err)
}

// mergeAdvances applies rule 2 to stored step texts: each plain advance
// is merged into an advance just before it exactly when Session.Advance
// would merge it.
func mergeAdvances(inputs []json.RawMessage) ([][]byte, error) {
	texts := make([][]byte, 0, len(inputs))
	var last scenario.Step
	for i, input := range inputs {
		var st advanceFields
		if err := json.Unmarshal(input, &st); err != nil {
			return nil, fmt.Errorf("room: stored input %d is not a step: %v", i, err)
		}
		if st.Op == scenario.OpAdvance && st.AtMs == nil && !st.Async && st.Note == "" {
			if len(texts) > 0 && last.Op == scenario.OpAdvance && last.AtMs == nil &&
				last.Ms+st.Ms <= scenario.MaxAdvanceMs && st.Ms >= 0 {
				last.Ms += st.Ms
				texts[len(texts)-1] = advanceText(&last)
				continue
			}
		}
		last = scenario.Step{Op: st.Op, AtMs: st.AtMs, Ms: st.Ms, Async: st.Async, Note: st.Note}
		texts = append(texts, append([]byte(nil), input...))
	}
	return texts, nil
}

// advanceFields are the fields of a step that rule 2 looks at.
type advanceFields struct {
	Op    string `json:"op"`
	AtMs  *int64 `json:"at_ms"`
	Ms    int64  `json:"ms"`
	Async bool   `json:"async"`
	Note  string `json:"note"`
}

// AdvanceText is the canonical text of a plain advance of ms.
func AdvanceText(ms int64) []byte {
	return fmt.Appendf(nil, `{"op":"advance","ms":%d}`, ms)
}

// advanceText writes an advance step with its optional fields, in the
// canonical field order (op, at_ms, ms, async, note).
func advanceText(st *scenario.Step) []byte {
	out := fmt.Appendf(nil, `{"op":"advance"`)
	if st.AtMs != nil {
		out = fmt.Appendf(out, `,"at_ms":%d`, *st.AtMs)
	}
	out = fmt.Appendf(out, `,"ms":%d`, st.Ms)
	if st.Async {
		out = append(out, `,"async":true`...)
	}
	if st.Note != "" {
		note, _ := json.Marshal(st.Note)
		out = append(append(out, `,"note":`...), note...)
	}
	return append(out, '}')
}

// Session returns the session, for reading; change it only through the
// replica.
func (r *Replica) Session() *scenario.Session { return r.session }

// TraceHash returns the hex SHA-256 of the cluster's trace so far.
func (r *Replica) TraceHash() string { return r.session.Cluster().TraceHash() }

// Steps returns the number of steps in the session's journal.
func (r *Replica) Steps() int { return len(r.texts) }

// Texts returns the text of each step of the session's journal (plain
// advances merged); Restore of these texts gives the same session.
func (r *Replica) Texts() []json.RawMessage {
	out := make([]json.RawMessage, len(r.texts))
	for i, text := range r.texts {
		out[i] = text
	}
	return out
}

// Document returns the session's journal as a scenario document.
func (r *Replica) Document() []byte { return r.document(nil) }

// Header returns the room's header: the scenario without steps.
func (r *Replica) Header() *scenario.Scenario {
	header := *r.header
	return &header
}
