package backend

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	coregateway "github.com/kafka-playground/playground/core/gateway"
	replica "github.com/kafka-playground/playground/core/room"
)

// Frame types, the "type" of every frame (see doc.go).
const (
	frameHello   = "hello"
	frameWelcome = "welcome"
	frameInput   = "input"
	frameSpeed   = "speed"
	frameMember  = "member"
	frameMembers = "members"
	frameHash    = "hash"
	frameError   = "error"
)

// Limits of the fields of a frame.
const (
	// maxNameLength is the longest member name, in characters.
	maxNameLength = 32
	// maxIDLength is the longest id a client gives an input.
	maxIDLength = 64
	// maxSpeedHundredths is the fastest time may run: 100 times real time.
	maxSpeedHundredths = 100_00
)

// clientFrame is any frame a client sends; which fields a type takes is
// checked by parseClientFrame.
type clientFrame struct {
	Type     string          `json:"type"`
	ID       string          `json:"id"`
	Room     string          `json:"room"`
	Name     *string         `json:"name"`
	Colour   *string         `json:"colour"`
	Since    *int64          `json:"since"`
	Snapshot bool            `json:"snapshot"`
	State    bool            `json:"state"`
	Step     json.RawMessage `json:"step"`
	Speed    json.Number     `json:"speed"`
}

// fieldsOf lists the fields each client frame type may carry.
var fieldsOf = map[string][]string{
	frameHello:  {"type", "room", "name", "colour", "since", "snapshot", "state"},
	frameInput:  {"type", "id", "step"},
	frameSpeed:  {"type", "id", "speed"},
	frameMember: {"type", "name", "colour"},
}

// parseClientFrame reads one client frame and checks that its type is
// known and that it carries its fields and no others. The error says what
// is wrong, for an error frame.
func parseClientFrame(data []byte) (*clientFrame, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil || members == nil {
		return nil, errors.New("a frame is a JSON object with a \"type\"")
	}
	var kind string
	if err := json.Unmarshal(members["type"], &kind); err != nil || kind == "" {
		return nil, errors.New("the frame has no \"type\" string; types are hello, input, speed and member")
	}
	allowed, known := fieldsOf[kind]
	if !known {
		return nil, fmt.Errorf("unknown frame type %q; types are hello, input, speed and member", kind)
	}
	for name := range members {
		if !contains(allowed, name) {
			return nil, fmt.Errorf("a %s frame has no field %q; its fields are %s", kind, name, strings.Join(allowed, ", "))
		}
	}
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.UseNumber()
	var frame clientFrame
	if err := decoder.Decode(&frame); err != nil {
		return nil, fmt.Errorf("a field of the %s frame has the wrong type: %v", kind, err)
	}
	if len(frame.ID) > maxIDLength {
		return nil, fmt.Errorf("an id is at most %d bytes", maxIDLength)
	}
	return &frame, checkRequired(&frame, members)
}

// checkRequired checks the fields each type cannot do without.
func checkRequired(frame *clientFrame, members map[string]json.RawMessage) error {
	switch frame.Type {
	case frameHello:
		if frame.Room == "" {
			return errors.New("a hello frame needs the room's token in \"room\"")
		}
		if frame.Since == nil {
			return errors.New("a hello frame needs \"since\": the last seq the client applied, 0 for none")
		}
	case frameInput:
		if len(frame.Step) == 0 || string(frame.Step) == "null" {
			return errors.New("an input frame needs a \"step\" in the scenario format")
		}
	case frameSpeed:
		if _, present := members["speed"]; !present {
			return errors.New("a speed frame needs \"speed\": 0 pauses, 1 is real time")
		}
	}
	return nil
}

func contains(list []string, item string) bool {
	for _, x := range list {
		if x == item {
			return true
		}
	}
	return false
}

// parseSpeed reads a speed (a JSON number of real times, at most two
// decimals, 0 to 100) as hundredths.
func parseSpeed(number json.Number) (int64, error) {
	value, err := strconv.ParseFloat(string(number), 64)
	hundredths := math.Round(value * 100)
	if err != nil || !(value >= 0 && hundredths <= maxSpeedHundredths) || math.Abs(value*100-hundredths) > 1e-6 {
		return 0, fmt.Errorf("speed %s is not a number from 0 (paused) to %d with at most two decimals", number, maxSpeedHundredths/100)
	}
	return int64(hundredths), nil
}

// speedJSON writes hundredths of real time as a JSON number.
func speedJSON(hundredths int64) json.RawMessage {
	text := fmt.Sprintf("%d.%02d", hundredths/100, hundredths%100)
	text = strings.TrimSuffix(strings.TrimRight(text, "0"), ".")
	return json.RawMessage(text)
}

// checkName checks a member's name: 1 to 32 printable characters.
func checkName(name string) (string, error) {
	name = strings.TrimSpace(name)
	count := utf8.RuneCountInString(name)
	if !utf8.ValidString(name) || count == 0 || count > maxNameLength {
		return "", fmt.Errorf("a name is 1 to %d characters", maxNameLength)
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return "", fmt.Errorf("a name cannot hold the character %q", r)
		}
	}
	return name, nil
}

// checkColour checks a member's colour: "#rrggbb".
func checkColour(colour string) (string, error) {
	if len(colour) != 7 || colour[0] != '#' {
		return "", fmt.Errorf("colour %q is not of the form #rrggbb", colour)
	}
	for i := 1; i < 7; i++ {
		c := colour[i]
		if !('0' <= c && c <= '9') && !('a' <= c && c <= 'f') && !('A' <= c && c <= 'F') {
			return "", fmt.Errorf("colour %q is not of the form #rrggbb", colour)
		}
	}
	return strings.ToLower(colour), nil
}

// Server frames. Each is encoded once and sent as the same bytes to every
// member it is for.

// memberView is one member as the members list shows it.
type memberView struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Colour string `json:"colour"`
}

// welcomeFrame answers hello.
type welcomeFrame struct {
	Type     string          `json:"type"`
	Room     string          `json:"room"`
	You      string          `json:"you"`
	Header   json.RawMessage `json:"header"`
	Members  []memberView    `json:"members"`
	NextSeq  int64           `json:"next_seq"`
	Speed    json.RawMessage `json:"speed"`
	Snapshot *snapshotView   `json:"snapshot,omitempty"`
	// Kafka says where real Kafka clients connect, in a room with a
	// gateway.
	Kafka *gatewayView `json:"kafka,omitempty"`
}

// snapshotView is the room up to seq: either its journal as one
// scenario document, a snapshot that is a replay — Actors names who
// began each of the scenario's steps ("" for nobody), in step order; in
// a room with gateway inputs, the scenario stops before the first of
// them and Inputs follow it, in order (core/room rule 5) — or, for a
// client that said it can read one, the room's stored state snapshot
// (core/room's StateSnapshot, base64 in JSON), which may be older than
// the last input: the input frames after seq follow the welcome.
type snapshotView struct {
	Seq      int64           `json:"seq"`
	Scenario json.RawMessage `json:"scenario,omitempty"`
	Actors   []string        `json:"actors,omitempty"`
	Inputs   []snapshotInput `json:"inputs,omitempty"`
	State    []byte          `json:"state,omitempty"`
}

// snapshotInput is one input after a snapshot's scenario: a step (with
// its actor; a plain advance may stand for several merged) or a gateway
// input.
type snapshotInput struct {
	Step    json.RawMessage       `json:"step,omitempty"`
	Gateway coregateway.Journaled `json:"gateway,omitempty"`
	Actor   string                `json:"actor,omitempty"`
}

// snapshotOf is a replica's journal as a snapshot up to seq.
func snapshotOf(r *replica.Replica, seq int64) *snapshotView {
	snapshot := r.Snapshot()
	view := &snapshotView{Seq: seq, Scenario: snapshot.Document, Actors: snapshot.Actors}
	for _, input := range snapshot.Inputs {
		view.Inputs = append(view.Inputs, snapshotInput{Step: input.Text, Gateway: input.Gateway, Actor: input.Actor})
	}
	return view
}

// inputFrame is one journaled input.
type inputFrame struct {
	Type  string          `json:"type"`
	Seq   int64           `json:"seq"`
	Actor string          `json:"actor"`
	Step  json.RawMessage `json:"step,omitempty"`
	Speed json.RawMessage `json:"speed,omitempty"`
	// Gateway is a gateway input (core/gateway's Input): its JSON form,
	// or the base64 of its binary form.
	Gateway coregateway.Journaled `json:"gateway,omitempty"`
	Ack     string                `json:"ack,omitempty"`
}

// hashFrame is the server's trace hash after applying seq.
type hashFrame struct {
	Type      string `json:"type"`
	Seq       int64  `json:"seq"`
	TraceHash string `json:"trace_hash"`
}

// membersFrame lists who is in the room.
type membersFrame struct {
	Type    string       `json:"type"`
	Members []memberView `json:"members"`
}

// errorFrame names a problem; ID is the id of the input it answers.
type errorFrame struct {
	Type    string `json:"type"`
	ID      string `json:"id,omitempty"`
	Message string `json:"message"`
}

// encodeFrame encodes a server frame; server frames always encode.
func encodeFrame(frame any) []byte {
	data, err := json.Marshal(frame)
	if err != nil {
		panic(fmt.Sprintf("backend: cannot encode %T: %v", frame, err))
	}
	return data
}

// errorMessage encodes an error frame.
func errorMessage(id, format string, arguments ...any) []byte {
	return encodeFrame(errorFrame{Type: frameError, ID: id, Message: fmt.Sprintf(format, arguments...)})
}
