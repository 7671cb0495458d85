package backend

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	coregateway "github.com/kafka-playground/playground/core/gateway"
	replica "github.com/kafka-playground/playground/core/room"
	"github.com/kafka-playground/playground/core/scenario"
)

// This file is a lockstep client for the tests: it applies what it
// receives to its own replica, checks that seqs come without gap or
// repeat, and compares its trace hash with every hash frame.

// testServer is a backend behind httptest.
type testServer struct {
	*Server
	http *httptest.Server
	url  string
}

// quietLogger drops the server's log in tests.
var quietLogger = slog.New(slog.NewTextHandler(io.Discard, nil))

func startServer(t testing.TB, config Config) *testServer {
	t.Helper()
	if config.DataDir == "" {
		config.DataDir = t.TempDir()
	}
	if config.Logger == nil {
		config.Logger = quietLogger
	}
	server, err := Open(config)
	if err != nil {
		t.Fatal(err)
	}
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "page %s", r.URL.Path)
	})
	h := httptest.NewUnstartedServer(server.Handler(page))
	if smallSendBuffers {
		h.Listener = smallSendBufferListener{h.Listener}
	}
	h.Start()
	t.Cleanup(func() {
		h.CloseClientConnections()
		h.Close()
		server.Close()
	})
	return &testServer{Server: server, http: h, url: h.URL}
}

// smallSendBuffers makes the next startServer give every accepted
// connection a 4 KiB send buffer, so that a client that does not read
// blocks the server's writes soon.
var smallSendBuffers bool

type smallSendBufferListener struct{ net.Listener }

func (l smallSendBufferListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tcp, ok := c.(*net.TCPConn); ok {
		tcp.SetWriteBuffer(4096)
	}
	return c, err
}

// createRoom posts a scenario (or nothing) and returns the token.
func (s *testServer) createRoom(t *testing.T, body string) string {
	t.Helper()
	return createRoom(t, s.url, body)
}

// createRoom posts a scenario (or nothing) to the server at baseURL.
func createRoom(t testing.TB, baseURL, body string) string {
	t.Helper()
	response, err := http.Post(baseURL+"/api/rooms", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer response.Body.Close()
	var answer struct{ Token, URL, Error string }
	json.NewDecoder(response.Body).Decode(&answer)
	if response.StatusCode != http.StatusCreated || answer.URL != "/r/"+answer.Token {
		t.Fatalf("POST /api/rooms: %d %+v", response.StatusCode, answer)
	}
	return answer.Token
}

// serverFrame is any frame the server sends.
type serverFrame struct {
	Type      string                `json:"type"`
	Seq       int64                 `json:"seq"`
	Actor     string                `json:"actor"`
	Step      json.RawMessage       `json:"step"`
	Speed     json.RawMessage       `json:"speed"`
	Ack       string                `json:"ack"`
	TraceHash string                `json:"trace_hash"`
	ID        string                `json:"id"`
	Message   string                `json:"message"`
	You       string                `json:"you"`
	Header    json.RawMessage       `json:"header"`
	Members   []memberView          `json:"members"`
	NextSeq   int64                 `json:"next_seq"`
	Snapshot  *snapshotView         `json:"snapshot"`
	Gateway   coregateway.Journaled `json:"gateway"`
	Kafka     *gatewayView          `json:"kafka"`
}

// client is one member in a test.
type client struct {
	t       testing.TB
	name    string
	ws      *websocket.Conn
	replica *replica.Replica
	// lastSeq is the last seq applied.
	lastSeq int64
	// journal is every input received, by seq, since the first join.
	journal map[int64]serverFrame
	acks    map[string]int64
	errors  []serverFrame
	members []memberView
	welcome serverFrame
	// hashesChecked counts hash frames compared with the replica.
	hashesChecked int
	closeErr      error
	// raw, when not nil, receives every frame as it came.
	raw *[]string
}

// dialOptions are the options of the next dial (tests that need a
// special client set them).
var dialOptions *websocket.DialOptions

// recordFrames, when not nil, receives every frame the clients dialled
// from then on read.
var recordFrames *[]string

// dial joins a room as name, resuming a previous client's replica when
// resume is not nil.
func dial(t testing.TB, baseURL, token, name string, resume *client, snapshot bool) *client {
	t.Helper()
	return dialHello(t, baseURL, token, name, resume, snapshot, false)
}

// dialHello is dial with the hello's state field: the client can restore
// a state snapshot.
func dialHello(t testing.TB, baseURL, token, name string, resume *client, snapshot, state bool) *client {
	t.Helper()
	c := &client{t: t, name: name, journal: map[int64]serverFrame{}, acks: map[string]int64{}, raw: recordFrames}
	if resume != nil {
		c.replica, c.lastSeq, c.journal = resume.replica, resume.lastSeq, resume.journal
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, strings.Replace(baseURL, "http", "ws", 1)+"/api/ws", dialOptions)
	if err != nil {
		t.Fatal(err)
	}
	ws.SetReadLimit(64 << 20)
	c.ws = ws
	c.send(map[string]any{"type": "hello", "room": token, "name": name, "colour": "#336699",
		"since": c.lastSeq, "snapshot": snapshot, "state": state})
	c.welcome = c.read()
	if c.welcome.Type != frameWelcome {
		t.Fatalf("%s: expected welcome, got %+v", name, c.welcome)
	}
	c.members = c.welcome.Members
	if c.welcome.Snapshot != nil {
		c.restoreSnapshot(c.welcome.Snapshot)
	} else if c.replica == nil {
		header, err := scenario.Decode("header", c.welcome.Header)
		if err != nil {
			t.Fatal(err)
		}
		if c.replica, err = replica.New("room", header); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func (c *client) restoreSnapshot(snapshot *snapshotView) {
	if snapshot.State != nil {
		restored, err := replica.RestoreState(snapshot.State, scenario.Options{})
		if err != nil {
			c.t.Fatal(err)
		}
		c.replica, c.lastSeq = restored, snapshot.Seq
		return
	}
	decoded, err := scenario.Decode("snapshot", snapshot.Scenario)
	if err != nil {
		c.t.Fatal(err)
	}
	var document struct{ Steps []json.RawMessage }
	json.Unmarshal(snapshot.Scenario, &document)
	inputs := make([]replica.Input, 0, len(document.Steps)+len(snapshot.Inputs))
	for _, step := range document.Steps {
		inputs = append(inputs, replica.Input{Text: step})
	}
	for _, input := range snapshot.Inputs {
		inputs = append(inputs, replica.Input{Text: input.Step, Gateway: input.Gateway, Actor: input.Actor})
	}
	if c.replica, err = replica.RestoreInputs("room", decoded, inputs, scenario.Options{}); err != nil {
		c.t.Fatal(err)
	}
	c.lastSeq = snapshot.Seq
}

func (c *client) send(frame any) {
	data, _ := json.Marshal(frame)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, data); err != nil {
		c.t.Fatalf("%s: write: %v", c.name, err)
	}
}

// trySend sends a frame and reports whether it was written, for a
// connection that may be cut.
func (c *client) trySend(frame any) bool {
	data, _ := json.Marshal(frame)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return c.ws.Write(ctx, websocket.MessageText, data) == nil
}

// input sends one step with an id.
func (c *client) input(id, step string) {
	c.send(map[string]any{"type": "input", "id": id, "step": json.RawMessage(step)})
}

// read reads one frame, or records the close and returns a zero frame.
func (c *client) read() serverFrame {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, data, err := c.ws.Read(ctx)
	if err != nil {
		c.closeErr = err
		return serverFrame{}
	}
	if c.raw != nil {
		*c.raw = append(*c.raw, string(data))
	}
	var frame serverFrame
	if err := json.Unmarshal(data, &frame); err != nil {
		c.t.Fatalf("%s: a frame that is not JSON: %s", c.name, data)
	}
	return frame
}

// process reads and handles one frame; false when the connection ended.
func (c *client) process() bool {
	frame := c.read()
	switch frame.Type {
	case "":
		return false
	case frameInput:
		if frame.Seq != c.lastSeq+1 {
			c.t.Fatalf("%s: received seq %d after %d: a gap or a repeat", c.name, frame.Seq, c.lastSeq)
		}
		if frame.Step != nil {
			if _, _, err := c.replica.Apply(frame.Step); err != nil {
				c.t.Fatalf("%s: the server's input %d does not apply here: %v", c.name, frame.Seq, err)
			}
		}
		if frame.Gateway != nil {
			if err := c.replica.ApplyGateway(frame.Gateway); err != nil {
				c.t.Fatalf("%s: the server's gateway input %d does not apply here: %v", c.name, frame.Seq, err)
			}
		}
		c.lastSeq = frame.Seq
		c.journal[frame.Seq] = frame
		if frame.Ack != "" {
			c.acks[frame.Ack] = frame.Seq
		}
	case frameHash:
		if frame.Seq != c.lastSeq {
			c.t.Fatalf("%s: a hash for seq %d arrived after seq %d", c.name, frame.Seq, c.lastSeq)
		}
		if mine := c.replica.TraceHash(); mine != frame.TraceHash {
			c.t.Fatalf("%s: diverged at seq %d: server %s, client %s", c.name, frame.Seq, frame.TraceHash, mine)
		}
		c.hashesChecked++
	case frameMembers:
		c.members = frame.Members
	case frameError:
		c.errors = append(c.errors, frame)
	}
	return true
}

// until processes frames until done holds, failing after the timeout.
func (c *client) until(what string, done func() bool) {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !done() {
		if time.Now().After(deadline) {
			c.t.Fatalf("%s: timed out waiting for %s (last seq %d)", c.name, what, c.lastSeq)
		}
		if !c.process() {
			c.t.Fatalf("%s: the connection ended while waiting for %s: %v", c.name, what, c.closeErr)
		}
	}
}

// acked waits for the ack of every id.
func (c *client) acked(ids ...string) {
	c.t.Helper()
	c.until("acks "+strings.Join(ids, ","), func() bool {
		for _, id := range ids {
			if _, ok := c.acks[id]; !ok {
				return false
			}
		}
		return true
	})
}

// errorFor waits for the error frame answering id and returns it.
func (c *client) errorFor(id string) serverFrame {
	c.t.Helper()
	var found serverFrame
	c.until("an error for "+id, func() bool {
		for _, e := range c.errors {
			if e.ID == id {
				found = e
				return true
			}
		}
		return false
	})
	return found
}

// hashed waits until a hash frame at or after seq was checked.
func (c *client) hashedAt(seq int64) {
	c.t.Helper()
	checked := c.hashesChecked
	c.until(fmt.Sprintf("a hash after seq %d", seq), func() bool {
		return c.hashesChecked > checked && c.lastSeq >= seq
	})
}

func (c *client) close() { c.ws.Close(websocket.StatusNormalClosure, "") }
