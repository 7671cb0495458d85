package ui

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/kafka-playground/playground/core/gateway"
	"github.com/kafka-playground/playground/core/room"
	"github.com/kafka-playground/playground/core/scenario"
)

// roomFile is the file name a room's replica gives in its errors.
const roomFile = "room"

// RoomMember is one person in a room, as the members frame lists them.
type RoomMember struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Colour string `json:"colour"`
}

// roomFrame is any frame the server sends (backend/doc.go).
type roomFrame struct {
	Type      string          `json:"type"`
	You       string          `json:"you"`
	Header    json.RawMessage `json:"header"`
	Members   []RoomMember    `json:"members"`
	NextSeq   int64           `json:"next_seq"`
	Speed     json.Number     `json:"speed"`
	Snapshot  *roomSnapshot   `json:"snapshot"`
	Seq       int64           `json:"seq"`
	Actor     string          `json:"actor"`
	Step      json.RawMessage `json:"step"`
	Ack       string          `json:"ack"`
	TraceHash string          `json:"trace_hash"`
	ID        string          `json:"id"`
	Message   string          `json:"message"`
	// Gateway is an input frame's gateway input (its JSON form, or the
	// base64 of its binary form); Kafka the welcome's gateway.
	Gateway gateway.Journaled `json:"gateway"`
	Kafka   *RoomKafka        `json:"kafka"`
}

// RoomKafka is where real Kafka clients connect to a room with a
// gateway, as the welcome says.
type RoomKafka struct {
	Listeners []struct {
		Name      string `json:"name"`
		Protocol  string `json:"protocol"`
		Bootstrap string `json:"bootstrap"`
	} `json:"listeners"`
	Fingerprint string `json:"fingerprint"`
	Accepting   bool   `json:"accepting"`
	Message     string `json:"message"`
}

// Text says in one line where clients connect, or why they cannot.
func (k *RoomKafka) Text() string {
	if !k.Accepting {
		return k.Message
	}
	var parts []string
	for _, l := range k.Listeners {
		parts = append(parts, "bootstrap.servers="+l.Bootstrap+" ("+l.Protocol+")")
	}
	text := "Kafka clients connect to " + strings.Join(parts, " or ")
	if k.Fingerprint != "" {
		text += "; TLS certificate SHA-256 " + k.Fingerprint
	}
	return text
}

// roomSnapshot is the room up to Seq: the journal as one scenario
// document, and who began each of its steps ("" for nobody; absent from
// an older server); or, when the page said it can read one, the room's
// state snapshot (core/room's StateSnapshot), after which the input
// frames from Seq+1 on follow.
type roomSnapshot struct {
	Seq      int64           `json:"seq"`
	Scenario json.RawMessage `json:"scenario"`
	Actors   []string        `json:"actors"`
	State    []byte          `json:"state"`
	// Inputs follow the scenario in a room with gateway inputs.
	Inputs []struct {
		Step    json.RawMessage   `json:"step"`
		Gateway gateway.Journaled `json:"gateway"`
		Actor   string            `json:"actor"`
	} `json:"inputs"`
}

// Room is the page's side of a shared room: the protocol state of its
// WebSocket, without the socket. The host feeds it every frame with Handle
// and sends what Hello, Input, SpeedFrame and MemberFrame return. The
// room's inputs are applied with core/room, the rules the server follows,
// so the page's copy reaches the server's trace hash.
type Room struct {
	// Token is the room's token, from its link /r/TOKEN.
	Token string
	// Name and Colour are how this person appears to the others.
	Name, Colour string
	// You is this connection's member id, from the welcome.
	You string
	// Members are the people in the room.
	Members []RoomMember
	// Speed is the speed of the room's time, 0 when paused.
	Speed float64
	// LastSeq is the last input applied, what a reconnection resumes from.
	LastSeq int64
	// Diverged says why the page's copy left the server's, until a
	// snapshot replaces it.
	Diverged string
	// HashesMatched counts the server's hashes the copy agreed with;
	// HashedSeq is the input of the last one.
	HashesMatched int
	HashedSeq     int64
	// LastActor is the name of the person behind the last step applied.
	LastActor string
	// Welcomed says the current connection got its welcome.
	Welcomed bool
	// NoState makes the page ask for the journal rather than a state
	// snapshot: after one did not restore, or the copy diverged.
	NoState bool
	// StateSeq is the seq of the state snapshot the copy was last loaded
	// from, 0 when it replayed the journal.
	StateSeq int64
	// Kafka is the room's gateway, nil in a room without one.
	Kafka   *RoomKafka
	replica *room.Replica
	nextID  int
	// pending maps the id of each input sent to what it asked for.
	pending map[string]string
	// renaming is the name and colour a member frame asked for, until
	// the members list shows them or the server refuses them.
	renaming *RoomMember
}

// NewRoom returns the state of a room not yet joined.
func NewRoom(token, name, colour string) *Room {
	return &Room{Token: token, Name: name, Colour: colour, pending: map[string]string{}}
}

// Hello is the first frame of a connection: it resumes from LastSeq, or
// asks for a snapshot when the page holds no copy (or a diverged one).
func (r *Room) Hello() []byte {
	r.Welcomed = false
	since := r.LastSeq
	snapshot := r.replica == nil || r.Diverged != ""
	if snapshot {
		since = 0
	}
	return mustJSON(map[string]any{"type": "hello", "room": r.Token, "name": r.Name, "colour": r.Colour,
		"since": since, "snapshot": snapshot, "state": snapshot && !r.NoState})
}

// Input returns the input frame asking the room to apply st. The step is
// checked against the page's copy first, so that a refusal is shown at
// once, beside the form.
func (r *Room) Input(m *Model, st scenario.Step) ([]byte, error) {
	if r.replica == nil {
		return nil, errors.New("the room is not joined yet")
	}
	text, err := encodeStep(m.Session().Scenario(), st)
	if err != nil {
		return nil, err
	}
	r.nextID++
	id := "a" + strconv.Itoa(r.nextID)
	r.pending[id] = st.Op
	return mustJSON(map[string]any{"type": "input", "id": id, "step": json.RawMessage(text)}), nil
}

// SpeedFrame returns the frame setting the room's speed (0 pauses).
func (r *Room) SpeedFrame(speed float64) []byte {
	r.nextID++
	return mustJSON(map[string]any{"type": "speed", "id": "s" + strconv.Itoa(r.nextID), "speed": json.Number(strconv.FormatFloat(speed, 'f', -1, 64))})
}

// MemberFrame returns the frame changing how this person appears to the
// others. The server checks it (backend/doc.go); a refusal comes back as
// an error frame without an id, which Handle gives as RoomEvent.MemberErrors
// while the change is pending. Name and Colour change when the members
// list shows the change.
func (r *Room) MemberFrame(name, colour string) []byte {
	r.renaming = &RoomMember{Name: strings.TrimSpace(name), Colour: strings.ToLower(colour)}
	return mustJSON(map[string]any{"type": "member", "name": name, "colour": colour})
}

// memberErrors splits the server's refusal of a member frame by the field
// each line names: "name" or "colour".
func memberErrors(message string) []FieldError {
	var out []FieldError
	for _, line := range strings.Split(message, "\n") {
		field := "name"
		if strings.HasPrefix(line, "colour") || strings.HasPrefix(line, "a colour") {
			field = "colour"
		}
		out = append(out, FieldError{Field: field, Message: line})
	}
	return out
}

// encodeStep writes st in the scenario format, checked as the last step
// of journal.
func encodeStep(journal *scenario.Scenario, st scenario.Step) ([]byte, error) {
	s := *journal
	s.Steps = append(append([]scenario.Step(nil), journal.Steps...), st)
	data, err := scenario.Encode(&s)
	if err != nil {
		return nil, err
	}
	var document struct{ Steps []json.RawMessage }
	if err := json.Unmarshal(data, &document); err != nil || len(document.Steps) == 0 {
		return nil, fmt.Errorf("the step cannot be written: %v", err)
	}
	return document.Steps[len(document.Steps)-1], nil
}

// RoomEvent is what a frame changed, for the host to show.
type RoomEvent struct {
	// Status is a sentence for the status line, or "".
	Status string
	// Resync says the copy diverged or missed inputs: the host closes the
	// connection and joins again, which loads a snapshot.
	Resync bool
	// Changed says the session changed (redraw).
	Changed bool
	// MemberErrors are the server's reasons for refusing the member frame
	// sent last, by field, for the host to show beside the fields.
	MemberErrors []FieldError
	// Renamed says the members list now shows this person's new name and
	// colour (Room.Name and Room.Colour): the host remembers them.
	Renamed bool
}

// Handle applies one frame from the server to the room and to m.
func (r *Room) Handle(m *Model, data []byte) (RoomEvent, error) {
	var frame roomFrame
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.UseNumber()
	if err := decoder.Decode(&frame); err != nil {
		return RoomEvent{}, fmt.Errorf("the server sent a frame that is not JSON: %v", err)
	}
	switch frame.Type {
	case "welcome":
		return r.welcome(m, &frame)
	case "input":
		return r.input(m, &frame)
	case "hash":
		if frame.Seq != r.LastSeq || r.replica == nil {
			return RoomEvent{}, nil // not comparable: inputs still on their way
		}
		if mine := r.replica.TraceHash(); mine != frame.TraceHash {
			return r.diverge(fmt.Sprintf("after input %d the server's trace hash is %.12s…, this page's is %.12s…", frame.Seq, frame.TraceHash, mine)), nil
		}
		r.HashesMatched++
		r.HashedSeq = frame.Seq
		return RoomEvent{}, nil
	case "members":
		r.Members = frame.Members
		return RoomEvent{Changed: true, Renamed: r.renamed()}, nil
	case "error":
		if frame.ID == "" && r.renaming != nil {
			r.renaming = nil
			return RoomEvent{Status: "✕ The room refused the new name or colour: " + frame.Message, MemberErrors: memberErrors(frame.Message)}, nil
		}
		what := r.pending[frame.ID]
		delete(r.pending, frame.ID)
		if what != "" {
			return RoomEvent{Status: "✕ The room refused " + what + ": " + frame.Message}, nil
		}
		return RoomEvent{Status: "✕ The room: " + frame.Message}, nil
	}
	return RoomEvent{}, nil
}

// renamed reports whether the members list shows the change asked for,
// which then becomes this person's Name and Colour.
func (r *Room) renamed() bool {
	if r.renaming == nil {
		return false
	}
	for _, member := range r.Members {
		if member.ID == r.You && member.Name == r.renaming.Name && member.Colour == r.renaming.Colour {
			r.Name, r.Colour, r.renaming = member.Name, member.Colour, nil
			return true
		}
	}
	return false
}

// welcome starts a connection: a snapshot replaces the copy; without one
// the copy is kept (a resumption) or built from the header.
func (r *Room) welcome(m *Model, frame *roomFrame) (RoomEvent, error) {
	r.You, r.Members, r.Welcomed, r.Kafka = frame.You, frame.Members, true, frame.Kafka
	if speed, err := frame.Speed.Float64(); err == nil {
		r.Speed = speed
	}
	switch {
	case frame.Snapshot != nil && frame.Snapshot.State != nil:
		if err := r.restoreState(m, frame.Snapshot.State); err != nil {
			r.NoState = true
			return RoomEvent{Status: "The room's state snapshot does not load here (" + err.Error() + "): loading its journal instead.", Resync: true, Changed: true}, nil
		}
		r.LastSeq, r.StateSeq = frame.Snapshot.Seq, frame.Snapshot.Seq
		r.Diverged = ""
	case frame.Snapshot != nil:
		decoded, err := scenario.Decode("snapshot", frame.Snapshot.Scenario)
		if err != nil {
			return RoomEvent{}, fmt.Errorf("the room's snapshot does not decode: %v", err)
		}
		var document struct{ Steps []json.RawMessage }
		if err := json.Unmarshal(frame.Snapshot.Scenario, &document); err != nil {
			return RoomEvent{}, err
		}
		inputs := stepInputs(document.Steps, frame.Snapshot.Actors)
		for _, input := range frame.Snapshot.Inputs {
			inputs = append(inputs, room.Input{Text: input.Step, Gateway: input.Gateway, Actor: input.Actor})
		}
		if err := r.restore(m, decoded, inputs); err != nil {
			return RoomEvent{}, err
		}
		r.LastSeq, r.StateSeq = frame.Snapshot.Seq, 0
		r.Diverged = ""
	case r.replica == nil:
		header, err := scenario.Decode("header", frame.Header)
		if err != nil {
			return RoomEvent{}, fmt.Errorf("the room's header does not decode: %v", err)
		}
		if err := r.restore(m, header, nil); err != nil {
			return RoomEvent{}, err
		}
	}
	return RoomEvent{Status: "Joined the room: " + strconv.Itoa(len(r.Members)) + " here.", Changed: true}, nil
}

// stepInputs are a snapshot's steps as inputs, with the actors the
// server named (a list of another length names nobody).
func stepInputs(steps []json.RawMessage, actors []string) []room.Input {
	inputs := make([]room.Input, len(steps))
	for i, step := range steps {
		inputs[i] = room.Input{Text: step}
		if len(actors) == len(steps) {
			inputs[i].Actor = actors[i]
		}
	}
	return inputs
}

// restore replaces the copy and the model's session with a replay of
// the inputs.
func (r *Room) restore(m *Model, header *scenario.Scenario, inputs []room.Input) error {
	timeline := NewTimeline()
	replica, err := room.RestoreInputs(roomFile, header, inputs, scenario.Options{TraceSink: timeline.Add})
	if err != nil {
		return fmt.Errorf("the room's journal does not replay here: %v", err)
	}
	r.replica = replica
	m.attach(replica.Session(), timeline, replica.Actors())
	m.gatewayClients = r.gatewayClients
	return nil
}

// restoreState replaces the copy and the model's session with a room's
// state snapshot; the timeline starts with the trace events the state
// holds.
func (r *Room) restoreState(m *Model, data []byte) (err error) {
	defer func() {
		// A state this page's engine cannot run is the journal's job.
		if recovered := recover(); recovered != nil {
			err = fmt.Errorf("the engine failed on it: %v", recovered)
		}
	}()
	timeline := NewTimeline()
	replica, err := room.RestoreState(data, scenario.Options{TraceSink: timeline.Add})
	if err != nil {
		return err
	}
	for _, e := range replica.Session().Cluster().Sim().TraceEvents(0) {
		timeline.Add(e)
	}
	r.replica = replica
	m.attach(replica.Session(), timeline, replica.Actors())
	m.gatewayClients = r.gatewayClients
	return nil
}

// gatewayClients lists the real clients of the copy's gateway.
func (r *Room) gatewayClients() []gateway.Client {
	if r.replica == nil {
		return nil
	}
	if count, _ := r.replica.GatewayInputs(); count == 0 && r.Kafka == nil {
		return nil
	}
	g, err := r.replica.Gateway()
	if err != nil {
		return nil
	}
	return g.Clients()
}

// input applies one journaled input, in seq order.
func (r *Room) input(m *Model, frame *roomFrame) (RoomEvent, error) {
	switch {
	case r.replica == nil:
		return r.diverge("an input arrived before the room's journal"), nil
	case frame.Seq <= r.LastSeq:
		return RoomEvent{}, nil // already applied
	case frame.Seq != r.LastSeq+1:
		return r.diverge(fmt.Sprintf("input %d arrived after input %d: some were missed", frame.Seq, r.LastSeq)), nil
	}
	event := RoomEvent{Changed: true}
	if frame.Gateway != nil {
		if err := r.replica.ApplyGateway(frame.Gateway); err != nil {
			return r.diverge(fmt.Sprintf("the room's gateway input %d does not apply here: %v", frame.Seq, err)), nil
		}
		m.version++
	} else if frame.Step != nil {
		stepsBefore := r.replica.Steps()
		if _, _, err := r.replica.Apply(frame.Step); err != nil {
			return r.diverge(fmt.Sprintf("the room's input %d does not apply here: %v", frame.Seq, err)), nil
		}
		m.roomStepped(r.replica.Steps() != stepsBefore, frame.Actor)
		if frame.Actor != "" {
			r.LastActor = frame.Actor
			steps := r.replica.Session().Scenario().Steps
			event.Status = frame.Actor + ": " + StepSummary(&steps[len(steps)-1]) + "."
		}
	} else if speed, err := frame.Speed.Float64(); err == nil {
		r.Speed = speed
		who := frame.Actor
		if who == "" {
			who = "The room"
		}
		if speed == 0 {
			event.Status = who + " paused the room's time."
		} else {
			event.Status = who + " set the room's time to " + SpeedLabel(speed) + "."
		}
	}
	r.LastSeq = frame.Seq
	delete(r.pending, frame.Ack)
	return event, nil
}

// diverge records that the copy left the server's and asks for a resync.
func (r *Room) diverge(why string) RoomEvent {
	r.Diverged = why
	r.NoState = true // the journal, replayed here, is the reference
	return RoomEvent{Status: "✕ This page's copy of the room diverged from the server's (" + why + "): reloading it from a snapshot.", Resync: true, Changed: true}
}

// TraceHash returns the trace hash of the page's copy, "" before a join.
func (r *Room) TraceHash() string {
	if r.replica == nil {
		return ""
	}
	return r.replica.TraceHash()
}

// Document returns the room's journal as a scenario document.
func (r *Room) Document() []byte {
	if r.replica == nil {
		return nil
	}
	return r.replica.Document()
}

// mustJSON encodes a client frame; client frames always encode.
func mustJSON(value any) []byte {
	data, err := json.Marshal(value)
	if err != nil {
		panic(fmt.Sprintf("ui: cannot encode %T: %v", value, err))
	}
	return data
}

// attach makes the model show a room's session, whose steps were begun
// by actors: the room's replica owns it, so rewinds and streams are off.
func (m *Model) attach(session *scenario.Session, timeline *Timeline, actors []string) {
	m.session, m.timeline, m.gatewayClients = session, timeline, nil
	m.actors = make([]string, len(session.Scenario().Steps))
	copy(m.actors, actors)
	m.chart = NewChart()
	m.forgetFuture()
	m.stream = nil
	m.Highlight = ""
	m.version++
	m.journalVersion++
}

// roomStepped records that the room's replica applied an input, sent
// by actor: a new step is the actor's; a plain advance merged into the
// advance before it keeps that step's actor.
func (m *Model) roomStepped(newStep bool, actor string) {
	m.version++
	if newStep {
		m.actors = append(m.actors, actor)
		m.journalVersion++
	}
}

// Actors returns, in a room, the name of the person behind each step of
// the journal ("" for the room's clock and the steps it was created
// with; a snapshot names them too); nil outside a room.
func (m *Model) Actors() []string { return m.actors }
