package gateway

// The gateway's inputs as a room journals them: every call of the host
// contract that changes the simulation (a connection opened, a request,
// the outcome of an authentication, a connection closed) is one Input,
// written by EncodeInput and read by ParseInput, applied by Apply. An
// input is in the JSON form (encoding/json of Input), or, for a Produce
// request, in the binary form of binary.go; ParseInput reads both, so a
// journal written before the binary form existed replays as it did. A
// request travels as its core/protocol message under its Kafka API
// name, which the registry below maps back to the message's type; the
// SASL requests are not in the registry, so no password or SCRAM proof
// can ever be in a journal (the host runs the SASL exchange and
// journals its outcome).

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"

	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/sim"
)

// MaxInputBytes bounds one journaled gateway input, in either form: the
// largest request Kafka reads (socket.request.max.bytes, 100 MiB) with
// room for the base64 of the JSON form.
const MaxInputBytes = 140 << 20

// Input is one gateway input of a room's journal: exactly one of its
// kinds, at the virtual time AtMs (the host advances time to it first).
type Input struct {
	AtMs         int64              `json:"at_ms"`
	Connect      *ConnectInput      `json:"connect,omitempty"`
	Request      *RequestInput      `json:"request,omitempty"`
	Authenticate *AuthenticateInput `json:"authenticate,omitempty"`
	Disconnect   *DisconnectInput   `json:"disconnect,omitempty"`
}

// ConnectInput is a real client's TCP connection accepted on a broker's
// port for one of the cluster's listeners (ConnectListener).
type ConnectInput struct {
	// Connection is the id Connect gave it; applying the input must give
	// the same.
	Connection ConnID `json:"connection"`
	Broker     int32  `json:"broker"`
	Listener   string `json:"listener"`
	// Address is the client's address, host:port.
	Address string `json:"address"`
}

// RequestInput is one request of a connection for its broker (Request).
type RequestInput struct {
	Connection  ConnID `json:"connection"`
	Correlation int32  `json:"correlation"`
	// ClientID is the request header's client.id.
	ClientID string `json:"client_id"`
	// API is the request's Kafka API name (Produce, Fetch, ...), which
	// names the core/protocol type Body decodes into.
	API            string `json:"api"`
	ExpectResponse bool   `json:"expect_response"`
	// Body is the request's JSON in the JSON form; nil for a request
	// in the binary form (a Produce request), whose body is binary.
	Body json.RawMessage `json:"body"`
	// binary is the request's body in the binary form, nil in the JSON
	// form; made is the form NewRequestInput wrote it in, nil for one
	// ParseInput read.
	binary []byte
	// version is the binary form's version, of binary.
	version byte
	// kept says the request is a Produce request Keep kept without its
	// form, which EncodeInput writes again from decoded.
	kept bool
	made *binaryForm
	// decoded is the request decoded from its body (NewRequestInput
	// decodes what it encoded, ParseInput what it reads), so that Apply
	// need not decode it again.
	decoded sim.Message
}

// requestInputJSON is RequestInput without its methods, for MarshalJSON.
type requestInputJSON RequestInput

// MarshalJSON writes the request in the JSON form, whichever form it
// was made or read in: a journal may be written in the JSON form alone.
func (r *RequestInput) MarshalJSON() ([]byte, error) {
	plain := requestInputJSON(*r)
	if plain.Body == nil && plain.decoded != nil {
		body, err := json.Marshal(plain.decoded)
		if err != nil {
			return nil, err
		}
		plain.Body = body
	}
	return json.Marshal(&plain)
}

// Message returns the request as its journal form decodes: what Apply
// applies.
func (r *RequestInput) Message() (sim.Message, error) {
	if r.decoded != nil {
		return r.decoded, nil
	}
	return DecodeRequest(r.API, r.Body)
}

// BodyBytes returns the size of the request's body in its journal form,
// for a host's limits.
func (r *RequestInput) BodyBytes() int { return len(r.Body) + len(r.binary) }

// AuthenticateInput is the outcome of the SASL exchange the host ran
// for a connection: the user it authenticated as with Mechanism, or the
// failure (Error SASL_AUTHENTICATION_FAILED) that the broker answers to
// the request of Correlation before it closes the connection. It never
// holds a password or a SCRAM proof.
type AuthenticateInput struct {
	Connection  ConnID `json:"connection"`
	Correlation int32  `json:"correlation"`
	Mechanism   string `json:"mechanism"`
	User        string `json:"user"`
	// Error is Kafka's error name, "" when the user authenticated;
	// Message is the error message the client is sent.
	Error   string `json:"error,omitempty"`
	Message string `json:"message,omitempty"`
}

// DisconnectInput is a connection closed by the real client or by the
// host (Disconnect).
type DisconnectInput struct {
	Connection ConnID `json:"connection"`
}

// requestTypes maps the API names of the requests a gateway client may
// send to their core/protocol types: the registry through which a
// journaled request is decoded.
var requestTypes = map[string]reflect.Type{}

// requestNames maps those types back to their API names.
var requestNames = map[reflect.Type]string{}

func init() {
	for name, message := range map[string]sim.Message{
		"Produce": &protocol.ProduceRequest{}, "Fetch": &protocol.FetchRequest{}, "ListOffsets": &protocol.ListOffsetsRequest{},
		"Metadata": &protocol.MetadataRequest{}, "OffsetCommit": &protocol.OffsetCommitRequest{}, "OffsetFetch": &protocol.OffsetFetchRequest{},
		"FindCoordinator": &protocol.FindCoordinatorRequest{}, "JoinGroup": &protocol.JoinGroupRequest{}, "Heartbeat": &protocol.HeartbeatRequest{},
		"LeaveGroup": &protocol.LeaveGroupRequest{}, "SyncGroup": &protocol.SyncGroupRequest{}, "DescribeGroups": &protocol.DescribeGroupsRequest{},
		"ListGroups": &protocol.ListGroupsRequest{}, "CreateTopics": &protocol.CreateTopicsRequest{}, "DeleteTopics": &protocol.DeleteTopicsRequest{},
		"InitProducerId": &protocol.InitProducerIDRequest{}, "AddPartitionsToTxn": &protocol.AddPartitionsToTxnRequest{},
		"AddOffsetsToTxn": &protocol.AddOffsetsToTxnRequest{}, "EndTxn": &protocol.EndTxnRequest{}, "TxnOffsetCommit": &protocol.TxnOffsetCommitRequest{},
		"DescribeAcls": &protocol.DescribeAclsRequest{}, "CreateAcls": &protocol.CreateAclsRequest{}, "DeleteAcls": &protocol.DeleteAclsRequest{},
		"DescribeConfigs": &protocol.DescribeConfigsRequest{}, "IncrementalAlterConfigs": &protocol.IncrementalAlterConfigsRequest{},
		"DescribeCluster": &protocol.DescribeClusterRequest{},
	} {
		t := reflect.TypeOf(message)
		requestTypes[name], requestNames[t] = t, name
	}
}

// RequestAPIs returns the API names of the requests a gateway client may
// send, sorted.
func RequestAPIs() []string {
	names := make([]string, 0, len(requestTypes))
	for name := range requestTypes {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// APIName returns the Kafka API name of a request a gateway client may
// send, and false for any other message.
func APIName(request sim.Message) (string, bool) {
	name, ok := requestNames[reflect.TypeOf(request)]
	return name, ok
}

// EncodeRequest returns the journal form of a request: its API name and
// its JSON.
func EncodeRequest(request sim.Message) (string, json.RawMessage, error) {
	name, ok := APIName(request)
	if !ok {
		return "", nil, fmt.Errorf("gateway: %T is not a request a gateway client sends", request)
	}
	body, err := json.Marshal(request)
	if err != nil {
		return "", nil, fmt.Errorf("gateway: %s request: %w", name, err)
	}
	return name, body, nil
}

// DecodeRequest reads the journal form of a request back into its
// core/protocol type; a field the type does not have is an error.
func DecodeRequest(api string, body json.RawMessage) (sim.Message, error) {
	t, ok := requestTypes[api]
	if !ok {
		return nil, fmt.Errorf("gateway: %q is not the API name of a request a gateway client sends", api)
	}
	request := reflect.New(t.Elem()).Interface()
	decoder := json.NewDecoder(bytes.NewReader(body))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(request); err != nil {
		return nil, fmt.Errorf("gateway: a journaled %s request does not decode: %w", api, err)
	}
	if decoder.More() {
		return nil, fmt.Errorf("gateway: a journaled %s request has data after its JSON", api)
	}
	return request, nil
}

// NewRequestInput returns the input of a request, at atMs. The request
// is encoded in its journal form (binary for a Produce request, JSON for
// the others), then decoded from it: Apply applies the decoded one,
// exactly what a journal of the input replays, never request itself.
// The work is the caller's, in its own goroutine.
func NewRequestInput(atMs int64, id ConnID, correlation int32, clientID string, request sim.Message, expectResponse bool) (*Input, error) {
	if produce, ok := request.(*protocol.ProduceRequest); ok {
		in, err := newProduceInput(id, correlation, clientID, produce, expectResponse)
		if err != nil {
			return nil, err
		}
		in.AtMs = atMs
		return in, nil
	}
	api, body, err := EncodeRequest(request)
	if err != nil {
		return nil, err
	}
	decoded, err := DecodeRequest(api, body)
	if err != nil {
		return nil, err
	}
	return &Input{AtMs: atMs, Request: &RequestInput{Connection: id, Correlation: correlation, ClientID: clientID, API: api,
		ExpectResponse: expectResponse, Body: body, decoded: decoded}}, nil
}

// EncodeInput returns the journal form of an input: the binary form of
// a request made in it (a Produce request of NewRequestInput), else the
// JSON form, as json.Marshal writes it but without going over a
// request's body again (it is compact JSON of encoding/json already).
func EncodeInput(in *Input) ([]byte, error) {
	if r := in.Request; r != nil && r.made != nil {
		return r.made.encode(in.AtMs, r), nil
	}
	if r := in.Request; r != nil && r.kept {
		w, err := writeProduce(r.ClientID, r.decoded.(*protocol.ProduceRequest))
		if err != nil {
			return nil, err
		}
		return w.finish().encode(in.AtMs, r), nil
	}
	if r := in.Request; r != nil && r.binary != nil {
		out := appendBinaryHeader(make([]byte, 0, binaryHeaderMaxBytes+len(r.ClientID)+len(r.binary)), r.version, in.AtMs, r)
		return append(out, r.binary...), nil
	}
	if in.Request == nil || in.Request.Body == nil {
		return json.Marshal(in)
	}
	envelope := *in
	request := *in.Request
	request.Body = json.RawMessage("null")
	envelope.Request = &request
	text, err := json.Marshal(&envelope)
	if err != nil {
		return nil, err
	}
	tail := []byte(`"body":null}}`)
	if !bytes.HasSuffix(text, tail) {
		return nil, fmt.Errorf("gateway: unexpected form of an input: %.100s", text)
	}
	out := make([]byte, 0, len(text)+len(in.Request.Body))
	out = append(out, text[:len(text)-len(tail)]...)
	out = append(out, `"body":`...)
	out = append(out, in.Request.Body...)
	return append(out, "}}"...), nil
}

// Kept is what a journal keeps in memory of a gateway input it applied:
// the input's journal form, or, for a Produce request in the binary form
// of the current version, the request itself, from which the form is
// written again when it is asked for (Form). The request, its partitions
// and its batches are copies, taken before the input is applied (Apply
// changes the request: its correlation id becomes the broker
// connection's), so that nothing the simulation does changes them; their
// records are those the simulation appends to its logs: a record a real
// client produced is then held once, by its partition's log, and not a
// second time by the journal. The zero value keeps nothing.
type Kept struct {
	form  Journaled
	input *Input
}

// Keep returns what to keep of an input about to be applied with journal
// form text; copyForm says text may change after the call, so that a
// form kept is a copy of it.
func Keep(in *Input, text Journaled, copyForm bool) Kept {
	r := in.Request
	var produce *protocol.ProduceRequest
	if r != nil && r.version == binaryVersion {
		produce, _ = r.decoded.(*protocol.ProduceRequest)
	}
	if produce == nil {
		if copyForm {
			text = append(Journaled(nil), text...)
		}
		return Kept{form: text}
	}
	request := *produce
	request.Partitions = slices.Clone(request.Partitions)
	for i := range request.Partitions {
		if b := request.Partitions[i].Batch; b != nil {
			batch := *b
			request.Partitions[i].Batch = &batch
		}
	}
	return Kept{input: &Input{AtMs: in.AtMs, Request: &RequestInput{Connection: r.Connection, Correlation: r.Correlation,
		ClientID: r.ClientID, API: r.API, ExpectResponse: r.ExpectResponse, version: binaryVersion, kept: true, decoded: &request}}}
}

// Empty reports whether k keeps nothing.
func (k Kept) Empty() bool { return k.form == nil && k.input == nil }

// Form returns the input's journal form. A kept request was read from
// its form, whose reader bounds what writing it again checks, so
// writing it cannot fail; if it did, that is a bug, and Form panics
// saying so.
func (k Kept) Form() Journaled {
	if k.input == nil {
		return k.form
	}
	text, err := EncodeInput(k.input)
	if err != nil {
		panic(fmt.Sprintf("core/gateway: a kept Produce request does not write its form again: %v", err))
	}
	return text
}

// ParseInput reads a journaled gateway input in either form and checks
// that it holds exactly one kind.
func ParseInput(text []byte) (*Input, error) {
	if len(text) > MaxInputBytes {
		return nil, fmt.Errorf("gateway: an input of %d bytes is over the limit of %d", len(text), MaxInputBytes)
	}
	if IsBinaryForm(text) {
		return parseBinary(text)
	}
	var in Input
	decoder := json.NewDecoder(bytes.NewReader(text))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&in); err != nil {
		return nil, fmt.Errorf("gateway: the input is not one: %w", err)
	}
	kinds := 0
	for _, present := range []bool{in.Connect != nil, in.Request != nil, in.Authenticate != nil, in.Disconnect != nil} {
		if present {
			kinds++
		}
	}
	if kinds != 1 {
		return nil, errors.New("gateway: an input holds exactly one of connect, request, authenticate and disconnect")
	}
	return &in, nil
}

// Journaled is a gateway input as a journal holds it, in either form.
// In JSON (a member's frames, a snapshot) it is the JSON form as it is,
// and the binary form as a base64 string, which UnmarshalJSON reads
// back into the binary form.
type Journaled []byte

// MarshalJSON implements json.Marshaler.
func (j Journaled) MarshalJSON() ([]byte, error) {
	if j == nil {
		return []byte("null"), nil
	}
	return j.AppendJSON(nil), nil
}

// AppendJSON appends j as MarshalJSON writes it, for a host that writes
// frames without encoding/json going over a large input again.
func (j Journaled) AppendJSON(dst []byte) []byte {
	if !IsBinaryForm(j) {
		return append(dst, j...)
	}
	dst = append(dst, '"')
	dst = base64.StdEncoding.AppendEncode(dst, j)
	return append(dst, '"')
}

// UnmarshalJSON implements json.Unmarshaler: a JSON object is the JSON
// form, a string the base64 of the binary form.
func (j *Journaled) UnmarshalJSON(data []byte) error {
	switch {
	case bytes.Equal(data, []byte("null")):
		*j = nil
	case len(data) >= 2 && data[0] == '"' && data[len(data)-1] == '"':
		var binary []byte
		var err error
		if quoted := data[1 : len(data)-1]; bytes.IndexByte(quoted, '\\') < 0 {
			// No escapes: the string's bytes are the base64.
			binary, err = base64.StdEncoding.AppendDecode(nil, quoted)
		} else {
			err = json.Unmarshal(data, &binary)
		}
		if err != nil {
			return fmt.Errorf("gateway: a journaled input as a string is not base64: %w", err)
		}
		if !IsBinaryForm(binary) {
			return errors.New("gateway: a journaled input as a string is not in the binary form")
		}
		*j = binary
	case len(data) > 0 && data[0] == '{':
		*j = append(Journaled(nil), data...)
	default:
		return fmt.Errorf("gateway: a journaled input is neither an object nor a string: %.40s", data)
	}
	return nil
}

// Apply applies one journaled input, as the host's call it stands for
// did: a replica of a room applies each gateway input of the journal
// with it, at the input's virtual time (the caller checks that the
// cluster is there).
func (g *Gateway) Apply(in *Input) error {
	switch {
	case in.Connect != nil:
		c := in.Connect
		if next := g.lastID + 1; c.Connection != next {
			return fmt.Errorf("gateway: the journaled connection %d would open here as connection %d", c.Connection, next)
		}
		id, err := g.ConnectListener(c.Broker, c.Listener, c.Address)
		if err != nil {
			return fmt.Errorf("gateway: the journaled connection %d to broker %d does not open here: %w", c.Connection, c.Broker, err)
		}
		if id != c.Connection {
			return fmt.Errorf("gateway: the journaled connection %d opens here as connection %d", c.Connection, id)
		}
	case in.Request != nil:
		r := in.Request
		request, err := r.Message()
		if err != nil {
			return err
		}
		if c := g.conns[r.Connection]; c != nil {
			c.clientID = r.ClientID
		}
		return g.Request(r.Connection, r.Correlation, request, r.ExpectResponse)
	case in.Authenticate != nil:
		a := in.Authenticate
		code := protocol.None
		if a.Error != "" {
			var known bool
			if code, known = errorNamed(a.Error); !known {
				return fmt.Errorf("gateway: the journaled authentication of connection %d names no Kafka error: %q", a.Connection, a.Error)
			}
		}
		return g.Authenticate(a.Connection, &protocol.GatewayAuthentication{CorrelationID: a.Correlation, Mechanism: a.Mechanism,
			User: a.User, Error: code, ErrorMessage: a.Message})
	case in.Disconnect != nil:
		if g.conns[in.Disconnect.Connection] == nil {
			return fmt.Errorf("gateway: the journal closes connection %d, which is not open", in.Disconnect.Connection)
		}
		g.Disconnect(in.Disconnect.Connection)
	default:
		return errors.New("gateway: an empty input")
	}
	return nil
}

// errorNamed returns the error code of a Kafka error name.
func errorNamed(name string) (protocol.ErrorCode, bool) {
	for _, e := range protocol.Errors() {
		if e.Name == name {
			return e.Code, true
		}
	}
	return protocol.None, false
}
