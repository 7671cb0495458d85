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
//     restore costs one replay, not one check per input. A run of
//     identical plain advances (the room's clock) may be stored as one
//     Input with a Count; it merges exactly as its advances one by one
//     would, in time that does not grow with the Count.
//  4. Each step of the journal has an actor: the name of who sent the
//     input that began it ("" for the room's clock and the steps the room
//     was created with). A plain advance merged into the step before it
//     keeps that step's actor.
//  5. A gateway input (a real Kafka client's connection, request,
//     authentication or disconnection; core/gateway's Input, in its
//     journal form: JSON, or binary for a Produce request) is
//     applied with ApplyGateway at the virtual time it names, which must
//     be the replica's: it is not a step, so it neither counts as one nor
//     stops the advances around it from merging into one step. Restore
//     therefore runs the steps before the journal's first gateway input
//     at once, as rule 3 says, and applies every input from there on one
//     by one, as they were applied live.
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

	"github.com/kafka-playground/playground/core/gateway"
	"github.com/kafka-playground/playground/core/scenario"
)

// Replica is one copy of a room's cluster: a session and the text of its
// journal, step by step, so that the next step can be checked in context
// without encoding the journal again.
type Replica struct {
	file   string
	header *scenario.Scenario
	prefix []byte
	texts  [][]byte
	// actors holds the actor of each step of texts (rule 4).
	actors  []string
	last    scenario.Step
	session *scenario.Session
	// options are the host's hooks on the session (RestoreWith).
	options scenario.Options `snapshot:"-"`
	gateway gatewayJournal
}

// gatewayJournal is what a replica keeps of the journal once it has a
// gateway input (rule 5): the steps before the first one, then every
// input since, in order, so that a rebuild or a snapshot replays them as
// they were applied.
type gatewayJournal struct {
	// gateway is the session cluster's gateway, made when first needed;
	// track says whether it keeps responses (TrackGatewayResponses).
	gateway *gateway.Gateway
	track   bool
	// started says the journal has a gateway input. prefixSteps steps
	// came before the first, the last of which had the text prefixLast
	// then (an advance may have grown since).
	started     bool
	prefixSteps int
	prefixLast  []byte
	// tail holds every input from the first gateway input on; a plain
	// advance merged into the step of the advance just before it in the
	// tail is added to that entry, whose ms tailAdvanceMs holds.
	tail          []Input
	tailAdvanceMs int64
	// inputs and bytes count the gateway inputs, for a host's limits;
	// rebuilds counts the rebuilds of the replica after an input that
	// stopped the simulation.
	inputs   int64
	bytes    int64
	rebuilds int
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
	stored := make([]Input, len(inputs))
	for i, text := range inputs {
		stored[i] = Input{Text: text, Count: 1}
	}
	return RestoreInputs(file, header, stored, options)
}

// Input is one stored input of a room's journal, for RestoreInputs.
type Input struct {
	// Text is the step in the scenario format; nil for a gateway input.
	Text json.RawMessage
	// Gateway is a gateway input (rule 5), a core/gateway Input in its
	// journal form; nil for a step.
	Gateway gateway.Journaled
	// Actor is the name of who sent it: "" for the room's clock and the
	// steps the room was created with.
	Actor string
	// Count is how many times in a row the input was journaled: a run of
	// the room's clock, identical plain advances, is stored as one input.
	// Zero counts as one; above one is for plain advances only.
	Count int64
	// kept is a gateway input of the journal's tail as the replica keeps
	// it (gateway.Keep), in place of Gateway.
	kept gateway.Kept
}

// RestoreInputs is RestoreWith of stored inputs that carry their actors
// and may be runs (rules 3 and 4): the replica knows who began each step.
// The inputs from the first gateway input on are applied one by one
// (rule 5).
func RestoreInputs(file string, header *scenario.Scenario, inputs []Input, options scenario.Options) (*Replica, error) {
	bare := *header
	bare.Steps = nil
	prefix, err := documentPrefix(&bare)
	if err != nil {
		return nil, err
	}
	first := len(inputs)
	for i, input := range inputs {
		if input.Gateway != nil {
			first = i
			break
		}
	}
	texts, actors, err := mergeAdvances(inputs[:first])
	if err != nil {
		return nil, err
	}
	r := &Replica{file: file, header: &bare, prefix: prefix, texts: texts, actors: actors, options: options}
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
	for i, input := range inputs[first:] {
		if err := r.replay(input); err != nil {
			return nil, fmt.Errorf("room: stored input %d does not apply: %w", first+i, err)
		}
	}
	return r, nil
}

// replay applies one stored input of the tail, as it was applied live.
func (r *Replica) replay(input Input) error {
	if input.Gateway != nil {
		return r.ApplyGateway(input.Gateway)
	}
	var st advanceFields
	if err := json.Unmarshal(input.Text, &st); err != nil {
		return fmt.Errorf("not a step: %v", err)
	}
	count := max(input.Count, 1)
	if st.Op == scenario.OpAdvance && st.AtMs == nil && !st.Async && st.Note == "" {
		return r.advanceRun(st.Ms, count, input.Actor)
	}
	if count > 1 {
		return fmt.Errorf("a run of %d of a step that is not a plain advance", count)
	}
	_, _, err := r.ApplyBy(input.Text, input.Actor)
	return err
}

// advanceRun lets time run by ms count times, as that many plain
// advances one by one would, in one advance per step they make.
func (r *Replica) advanceRun(ms, count int64, actor string) error {
	for count > 0 {
		n := int64(1)
		if r.merges(ms) && ms > 0 {
			n = min(count, (scenario.MaxAdvanceMs-r.last.Ms)/ms)
		} else if r.merges(ms) {
			n = count
		}
		if _, err := r.advance(n*ms, actor); err != nil {
			return err
		}
		count -= n
	}
	return nil
}

// merges reports whether an advance of ms merges into the last step, as
// Session.Advance decides.
func (r *Replica) merges(ms int64) bool {
	return len(r.texts) > 0 && r.last.Op == scenario.OpAdvance && r.last.AtMs == nil &&
		r.last.Ms+ms <= scenario.MaxAdvanceMs && ms >= 0
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
// changes nothing. The step has no actor; ApplyBy names one.
func (r *Replica) Apply(raw json.RawMessage) (scenario.StepResult, []byte, error) {
	return r.ApplyBy(raw, "")
}

// ApplyBy is Apply of a step sent by actor, who becomes the actor of the
// step unless it merges into the step before it (rule 4).
func (r *Replica) ApplyBy(raw json.RawMessage, actor string) (scenario.StepResult, []byte, error) {
	st, text, err := r.Parse(raw)
	if err != nil {
		return scenario.StepResult{}, nil, err
	}
	if IsPlainAdvance(&st) {
		result, err := r.advance(st.Ms, actor)
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
	r.actors = append(r.actors, actor)
	r.last = st
	if r.gateway.started {
		r.gateway.tail = append(r.gateway.tail, Input{Text: text, Actor: actor})
	}
	return result, text, nil
}

// Advance lets virtual time run by ms, as a plain advance step would;
// it is the room's clock, so a new step it begins has no actor.
func (r *Replica) Advance(ms int64) (scenario.StepResult, error) {
	return r.advance(ms, "")
}

// advance is Advance of an advance sent by actor.
func (r *Replica) advance(ms int64, actor string) (scenario.StepResult, error) {
	before := len(r.session.Results())
	result, err := r.session.Advance(ms)
	if err != nil {
		return result, r.recover(before, err)
	}
	merged := len(r.session.Results()) == before && len(r.texts) > 0
	if merged {
		r.last.Ms += ms
		r.texts[len(r.texts)-1] = advanceText(&r.last)
	} else {
		r.last = scenario.Step{Op: scenario.OpAdvance, Ms: ms}
		r.texts = append(r.texts, AdvanceText(ms))
		r.actors = append(r.actors, actor)
	}
	r.journalAdvance(ms, actor, merged)
	return result, nil
}

// journalAdvance adds a plain advance to the tail of a journal that has
// gateway inputs: to the tail's last entry when that is a plain advance
// and this one merged into its step, which a replay of the sum merges
// the same way.
func (r *Replica) journalAdvance(ms int64, actor string, merged bool) {
	j := &r.gateway
	if !j.started {
		return
	}
	if n := len(j.tail); merged && n > 0 && j.tail[n-1].kept.Empty() && j.tailAdvanceMs > 0 &&
		bytes.Equal(j.tail[n-1].Text, AdvanceText(j.tailAdvanceMs)) {
		j.tailAdvanceMs += ms
		j.tail[n-1].Text = AdvanceText(j.tailAdvanceMs)
		return
	}
	j.tail = append(j.tail, Input{Text: AdvanceText(ms), Actor: actor})
	j.tailAdvanceMs = ms
}

// recover handles an error of Apply or Advance: a refused step changed
// nothing, but a step that stopped the simulation left the session past
// the journal, so the session is rebuilt from the journal.
func (r *Replica) recover(resultsBefore int, err error) error {
	if r.session.Cluster().Sim().Err() == nil && len(r.session.Results()) == resultsBefore {
		return err
	}
	return r.rebuild(err)
}

// rebuild replaces the session with a replay of the journal, after an
// input that stopped the simulation, keeping the replica's settings.
func (r *Replica) rebuild(err error) error {
	rebuilt, rebuildErr := RestoreInputs(r.file, r.header, r.Inputs(), r.options)
	if rebuildErr != nil {
		return fmt.Errorf("%w: %v; and the journal does not replay: %v", ErrSimulationStopped, err, rebuildErr)
	}
	track, rebuilds := r.gateway.track, r.gateway.rebuilds
	*r = *rebuilt
	r.gateway.rebuilds = rebuilds + 1
	if track {
		r.TrackGatewayResponses()
	}
	return fmt.Errorf("%w: %v", ErrSimulationStopped, err)
}

// mergeAdvances applies rules 2 and 4 to stored inputs: each plain
// advance is merged into an advance just before it exactly when
// Session.Advance would merge it, and each step keeps the actor of the
// input that began it. It returns the steps' texts and actors.
func mergeAdvances(inputs []Input) ([][]byte, []string, error) {
	texts := make([][]byte, 0, len(inputs))
	actors := make([]string, 0, len(inputs))
	var last scenario.Step
	for i, input := range inputs {
		var st advanceFields
		if err := json.Unmarshal(input.Text, &st); err != nil {
			return nil, nil, fmt.Errorf("room: stored input %d is not a step: %v", i, err)
		}
		count := max(input.Count, 1)
		plain := st.Op == scenario.OpAdvance && st.AtMs == nil && !st.Async && st.Note == ""
		if count > 1 && (!plain || st.Ms < 0) {
			return nil, nil, fmt.Errorf("room: stored input %d repeats %d times a step that is not a plain advance", i, count)
		}
		for count > 0 {
			if plain && len(texts) > 0 && last.Op == scenario.OpAdvance && last.AtMs == nil &&
				last.Ms+st.Ms <= scenario.MaxAdvanceMs && st.Ms >= 0 {
				merged := count
				if st.Ms > 0 {
					merged = min(count, (scenario.MaxAdvanceMs-last.Ms)/st.Ms)
				}
				last.Ms += merged * st.Ms
				count -= merged
				texts[len(texts)-1] = advanceText(&last)
				continue
			}
			last = scenario.Step{Op: st.Op, AtMs: st.AtMs, Ms: st.Ms, Async: st.Async, Note: st.Note}
			texts = append(texts, append([]byte(nil), input.Text...))
			actors = append(actors, input.Actor)
			count--
		}
	}
	return texts, actors, nil
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

// Actors returns the actor of each step of the journal, as Texts orders
// the steps: "" where nobody sent it (rule 4).
func (r *Replica) Actors() []string { return append([]string{}, r.actors...) }

// Inputs returns the journal's steps with their actors and, from the
// first gateway input on, every input in order, for RestoreInputs: a
// rebuild that keeps who did what.
func (r *Replica) Inputs() []Input {
	snapshot := r.Snapshot()
	out := make([]Input, 0, len(snapshot.Steps)+len(snapshot.Inputs))
	for i, text := range snapshot.Steps {
		out = append(out, Input{Text: text, Actor: snapshot.Actors[i], Count: 1})
	}
	return append(out, snapshot.Inputs...)
}

// Snapshot is a replica's journal in the compact form a late joiner
// restores: steps with their actors (plain advances merged), then, in a
// journal with gateway inputs, every input from the first of them on.
type Snapshot struct {
	// Document is the room's header with Steps as its steps.
	Document []byte
	Steps    []json.RawMessage
	Actors   []string
	// Inputs follow the steps, for RestoreInputs; nil without gateway
	// inputs.
	Inputs []Input
}

// Snapshot returns the journal as a snapshot: RestoreInputs of the
// steps (with their actors) followed by Inputs gives the same replica.
func (r *Replica) Snapshot() Snapshot {
	j := &r.gateway
	steps := r.Texts()
	actors := r.Actors()
	if j.started {
		steps, actors = steps[:j.prefixSteps:j.prefixSteps], actors[:j.prefixSteps]
		if j.prefixSteps > 0 {
			steps[j.prefixSteps-1] = j.prefixLast
		}
	}
	texts := make([][]byte, len(steps))
	for i, text := range steps {
		texts[i] = text
	}
	prefix := Replica{prefix: r.prefix, texts: texts}
	out := Snapshot{Document: prefix.document(nil), Steps: steps, Actors: actors}
	if j.started {
		out.Inputs = make([]Input, len(j.tail))
		for i, input := range j.tail {
			if !input.kept.Empty() {
				input = Input{Gateway: input.kept.Form()}
			}
			out.Inputs[i] = input
		}
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

// Gateway returns the gateway of the session's cluster (core/gateway),
// made at the first call: the host of a room with real Kafka clients
// reads its connections and responses from it, and a page draws its
// clients. Change it only through ApplyGateway.
func (r *Replica) Gateway() (*gateway.Gateway, error) {
	j := &r.gateway
	if j.gateway == nil {
		g, err := gateway.New(r.session.Cluster())
		if err != nil {
			return nil, err
		}
		g.TrackResponses(j.track)
		j.gateway = g
	}
	return j.gateway, nil
}

// TrackGatewayResponses makes the gateway keep its connections'
// responses until Ready hands them out: the server's copy of a room,
// which writes them to real sockets, does; a copy that only follows the
// journal does not (the default), which changes nothing in the trace.
func (r *Replica) TrackGatewayResponses() {
	r.gateway.track = true
	if r.gateway.gateway != nil {
		r.gateway.gateway.TrackResponses(true)
	}
}

// ApplyGateway applies one gateway input (rule 5): a core/gateway Input
// in its journal form (either), at the replica's virtual time. An input that does
// not apply changes nothing; one that stopped the simulation is undone
// by a rebuild of the replica (ErrSimulationStopped).
func (r *Replica) ApplyGateway(text []byte) error {
	in, err := gateway.ParseInput(text)
	if err != nil {
		return err
	}
	return r.applyGateway(in, text, true)
}

// ApplyGatewayInput is ApplyGateway of an input the host made, such as
// a request of gateway.NewRequestInput, whose decoded request it
// applies: it returns the input's journal form, which the host journals.
func (r *Replica) ApplyGatewayInput(in *gateway.Input) ([]byte, error) {
	text, err := gateway.EncodeInput(in)
	if err != nil {
		return nil, err
	}
	return text, r.applyGateway(in, text, false)
}

// applyGateway applies a parsed gateway input whose journal form is
// text; copyText says text may change after the call.
func (r *Replica) applyGateway(in *gateway.Input, text gateway.Journaled, copyText bool) error {
	cluster := r.session.Cluster()
	if now := cluster.Now(); in.AtMs != now {
		return fmt.Errorf("room: the gateway input is at %d ms of virtual time, and the room at %d ms", in.AtMs, now)
	}
	g, err := r.Gateway()
	if err != nil {
		return err
	}
	// Kept before it is applied: applying it changes the request (its
	// correlation id becomes the broker connection's own).
	kept := gateway.Keep(in, text, copyText)
	if err := g.Apply(in); err != nil {
		return err
	}
	if err := cluster.Sim().Err(); err != nil {
		return r.rebuild(err)
	}
	r.startGatewayJournal()
	j := &r.gateway
	j.tail = append(j.tail, Input{kept: kept})
	j.inputs++
	j.bytes += int64(len(text))
	return nil
}

// startGatewayJournal notes where the journal's first gateway input
// comes (rule 5).
func (r *Replica) startGatewayJournal() {
	j := &r.gateway
	if j.started {
		return
	}
	j.started, j.prefixSteps = true, len(r.texts)
	if n := len(r.texts); n > 0 {
		j.prefixLast = append([]byte(nil), r.texts[n-1]...)
	}
}

// GatewayInputs returns the number of gateway inputs applied and the
// bytes of their journal form, for a host's limits.
func (r *Replica) GatewayInputs() (count, bytes int64) { return r.gateway.inputs, r.gateway.bytes }

// Rebuilds counts the times the replica was rebuilt from its journal
// after an input that stopped the simulation: its gateway is then a new
// one, without the responses the old one kept.
func (r *Replica) Rebuilds() int { return r.gateway.rebuilds }

// NextEventMs returns the virtual time of the simulation's next event,
// -1 when none is due: a host whose time follows the wall clock advances
// to it when the wall clock gets there, rather than on a fixed tick.
func (r *Replica) NextEventMs() int64 { return r.session.Cluster().Sim().NextEventMs() }
