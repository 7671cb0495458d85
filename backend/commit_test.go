package backend

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kafka-playground/playground/backend/store"
	coregateway "github.com/kafka-playground/playground/core/gateway"
)

// commitGate stands between the rooms and the store: while it is shut,
// each commit waits at it (its rows on held) until the test lets it go
// on, or fails it.
type commitGate struct {
	next func(roomID int64, inputs []store.Input) error
	mu   sync.Mutex
	shut bool
	held chan heldCommit
	// releases are every held commit's release, for the cleanup.
	releases []chan error
}

// heldCommit is one commit waiting at the gate: send nil on release to
// commit it, or an error to fail it.
type heldCommit struct {
	rows    []store.Input
	release chan error
}

// gateCommits puts a gate, open, between the server's rooms and its
// store. When the test ends it lets every commit by, so that the server
// can stop.
func gateCommits(t *testing.T, s *testServer) *commitGate {
	g := &commitGate{next: s.appendInputs, held: make(chan heldCommit, 16)}
	s.appendInputs = g.append
	t.Cleanup(func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		g.shut = false
		for _, release := range g.releases {
			select {
			case release <- nil:
			default:
			}
		}
	})
	return g
}

func (g *commitGate) append(roomID int64, inputs []store.Input) error {
	g.mu.Lock()
	shut := g.shut
	g.mu.Unlock()
	if shut {
		release := make(chan error, 1)
		g.mu.Lock()
		g.releases = append(g.releases, release)
		g.mu.Unlock()
		g.held <- heldCommit{rows: inputs, release: release}
		if err := <-release; err != nil {
			return err
		}
	}
	return g.next(roomID, inputs)
}

func (g *commitGate) setShut(shut bool) {
	g.mu.Lock()
	g.shut = shut
	g.mu.Unlock()
}

// waitHeld returns the next commit held at the gate.
func (g *commitGate) waitHeld(t *testing.T) heldCommit {
	t.Helper()
	select {
	case c := <-g.held:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("no commit reached the gate")
		return heldCommit{}
	}
}

// hasActor reports whether a commit holds an input of actor.
func (c heldCommit) hasActor(actor string) bool {
	for _, row := range c.rows {
		if row.Actor == actor && row.Step != nil {
			return true
		}
	}
	return false
}

// frameReader reads a member's frames in a goroutine of its own, so
// that a test can see that none arrives for a while (a read that times
// out would close the WebSocket).
func frameReader(c *client) <-chan serverFrame {
	frames := make(chan serverFrame, 64)
	go func() {
		defer close(frames)
		for {
			frame := c.read()
			if frame.Type == "" {
				return
			}
			frames <- frame
		}
	}()
	return frames
}

// quiet fails if a frame arrives within d but a members frame or a
// hash frame for a seq up to committed.
func quiet(t *testing.T, frames <-chan serverFrame, d time.Duration, committed int64, while string) {
	t.Helper()
	deadline := time.After(d)
	for {
		select {
		case frame := <-frames:
			if frame.Type != frameMembers && (frame.Type != frameHash || frame.Seq > committed) {
				t.Fatalf("%s, a %s frame left: %+v", while, frame.Type, frame)
			}
		case <-deadline:
			return
		}
	}
}

// next returns the next frame that is not a members or hash frame.
func next(t *testing.T, frames <-chan serverFrame) serverFrame {
	t.Helper()
	for {
		select {
		case frame, ok := <-frames:
			if !ok {
				t.Fatal("the connection ended")
			}
			if frame.Type != frameMembers && frame.Type != frameHash {
				return frame
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no frame came")
		}
	}
}

// TestMemberFramesWaitForTheirCommit: while a member's input is being
// committed (its commit held), the room goes on applying the inputs
// that arrive, and nothing that depends on them leaves: no input frame
// (the sender's ack), no error frame, no hash frame. Once the commit
// returns, its input's frame leaves, and the inputs applied meanwhile
// are the next commit, whose frames wait for it in turn: an input
// refused because of one of them is answered only once it is committed.
func TestMemberFramesWaitForTheirCommit(t *testing.T) {
	s := startServer(t, Config{InitialSpeedHundredths: -1, HashInterval: 20 * time.Millisecond})
	gate := gateCommits(t, s)
	token := s.createRoom(t, "")
	ada := dial(t, s.url, token, "Ada", nil, false)
	defer ada.close()
	frames := frameReader(ada)
	gate.setShut(true)
	ada.input("a1", `{"op":"create_topic","topic":"orders","partitions":1,"replication_factor":1}`)
	first := gate.waitHeld(t)
	if len(first.rows) != 1 || !first.hasActor("Ada") {
		t.Fatalf("the first commit holds %+v", first.rows)
	}
	ada.input("a2", `{"op":"add_producer","id":"p1"}`)
	ada.input("bad", `{"op":"add_producer","id":"p1"}`) // refused because of a2
	quiet(t, frames, 300*time.Millisecond, 0, "while the first commit was held")
	first.release <- nil
	if frame := next(t, frames); frame.Type != frameInput || frame.Ack != "a1" {
		t.Fatalf("after the first commit: %+v, want the input frame of a1", frame)
	}
	second := gate.waitHeld(t)
	if len(second.rows) != 1 || !second.hasActor("Ada") || !strings.Contains(string(second.rows[0].Step), "p1") {
		t.Fatalf("the second commit holds %+v, want a2, applied while the first was held", second.rows)
	}
	quiet(t, frames, 300*time.Millisecond, 1, "while the second commit was held")
	gate.setShut(false)
	second.release <- nil
	if frame := next(t, frames); frame.Type != frameInput || frame.Ack != "a2" {
		t.Fatalf("after the second commit: %+v, want the input frame of a2", frame)
	}
	if frame := next(t, frames); frame.Type != frameError || frame.ID != "bad" {
		t.Fatalf("then %+v, want the error frame of bad", frame)
	}
}

// TestFailedCommitLosesTheBatchAfterIt: when a commit fails, the inputs
// applied while it was in flight are lost with it (they are never
// committed, so the journal has no gap); both senders are told, the
// room goes back to its stored journal, and the next input takes the
// first seq lost; a member joining then replays to the server's hash.
func TestFailedCommitLosesTheBatchAfterIt(t *testing.T) {
	s := startServer(t, Config{InitialSpeedHundredths: -1, HashInterval: 20 * time.Millisecond})
	gate := gateCommits(t, s)
	token := s.createRoom(t, "")
	ada := dial(t, s.url, token, "Ada", nil, false)
	defer ada.close()
	ada.input("a0", `{"op":"create_topic","topic":"orders","partitions":1,"replication_factor":1}`)
	ada.acked("a0")
	gate.setShut(true)
	ada.input("a1", `{"op":"kill_broker","broker":2}`)
	held := gate.waitHeld(t)
	ada.input("a2", `{"op":"kill_broker","broker":3}`)
	time.Sleep(100 * time.Millisecond) // a2 is applied meanwhile
	gate.setShut(false)
	held.release <- errors.New("disk full")
	for _, id := range []string{"a1", "a2"} {
		if refused := ada.errorFor(id); !strings.Contains(refused.Message, "could not be stored") {
			t.Errorf("%s: %+v", id, refused)
		}
	}
	ada.input("a3", `{"op":"kill_broker","broker":2}`)
	ada.acked("a3")
	if seq := ada.acks["a3"]; seq != ada.acks["a0"]+1 {
		t.Errorf("a3 is seq %d, after a0 at %d: a gap", seq, ada.acks["a0"])
	}
	late := dial(t, s.url, token, "Bob", nil, false)
	defer late.close()
	settle(t, late)
	if state := late.replica.Session().Cluster().State(); !state.Brokers["3"].Alive || state.Brokers["2"].Alive {
		t.Errorf("the room's brokers after the lost commit: %+v", state.Brokers)
	}
}

// TestGatewayResponseWaitsForItsCommit: a real client's produce is not
// answered while the commit of its Produce request is held, though the
// room goes on (the advances that replicate it are applied meanwhile);
// once the commit returns the answer leaves, and the record is in the
// store.
func TestGatewayResponseWaitsForItsCommit(t *testing.T) {
	s := startServer(t, Config{HashInterval: 50 * time.Millisecond})
	gate := gateCommits(t, s)
	token, seeds := createKafkaRoom(t, s.url, gatewayScenario)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	producer := kafkaClient(t, seeds, kgo.DefaultProduceTopic("held"), kgo.AllowAutoTopicCreation())
	if err := producer.ProduceSync(ctx, &kgo.Record{Value: []byte("warm")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	gate.setShut(true)
	done := make(chan error, 1)
	go func() { done <- producer.ProduceSync(ctx, &kgo.Record{Value: []byte("held-record")}).FirstErr() }()
	var held heldCommit
	for {
		held = gate.waitHeld(t)
		if producesValue(held.rows, "held-record") {
			break
		}
		held.release <- nil // an advance of the clock: let it by
	}
	select {
	case err := <-done:
		t.Fatalf("the produce was answered (%v) while its commit was held", err)
	case <-time.After(500 * time.Millisecond):
	}
	gate.setShut(false)
	released := time.Now()
	held.release <- nil
	if err := <-done; err != nil {
		t.Fatalf("the produce after its commit: %v", err)
	}
	t.Logf("answered %v after its commit was let go", time.Since(released))
	room, err := s.store.Room(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	stored := false
	s.store.Inputs(ctx, room.ID, 0, 1<<62, 0, func(input store.Input) error {
		stored = stored || producesValue([]store.Input{input}, "held-record")
		return nil
	})
	if !stored {
		t.Error("the answered record is not in the store")
	}
}

// producesValue reports whether rows hold a Produce request with a
// record of value.
func producesValue(rows []store.Input, value string) bool {
	for _, row := range rows {
		if row.Gateway == nil {
			continue
		}
		in, err := coregateway.ParseInput(row.Gateway)
		if err != nil || in.Request == nil || in.Request.API != "Produce" {
			continue
		}
		if strings.Contains(string(row.Gateway), value) {
			return true
		}
	}
	return false
}
