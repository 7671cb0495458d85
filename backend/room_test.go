package backend

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// runningClock is a config whose rooms run at real time with a fast
// clock, so that ticks interleave with the members' inputs.
var runningClock = Config{TickInterval: 5 * time.Millisecond, HashInterval: 20 * time.Millisecond}

// paused is a config whose rooms start paused.
var paused = Config{InitialSpeedHundredths: -1, HashInterval: 20 * time.Millisecond}

// TestTwoClientsSeeTheSameSequenceAndHash: two members act at once while
// time runs; both receive the same inputs in the same order, replay them
// to the server's hash at every hash frame, and see each other's names
// on the inputs.
func TestTwoClientsSeeTheSameSequenceAndHash(t *testing.T) {
	s := startServer(t, runningClock)
	token := s.createRoom(t, "")
	ada := dial(t, s.url, token, "Ada", nil, false)
	bob := dial(t, s.url, token, "Bob", nil, false)
	defer ada.close()
	defer bob.close()
	ada.input("a1", `{"op":"create_topic","topic":"orders","partitions":3,"replication_factor":3}`)
	bob.input("b1", `{"op":"add_producer","id":"p1","config":{"acks":"all"}}`)
	ada.acked("a1")
	bob.acked("b1")
	bob.input("b2", `{"op":"produce","producer":"p1","topic":"orders","key":"k{i}","value":"v{i}","count":200}`)
	ada.input("a2", `{"op":"kill_broker","broker":2}`)
	bob.send(map[string]any{"type": "speed", "id": "b3", "speed": 2.5})
	ada.input("a3", `{"op":"advance","ms":5000}`)
	ada.acked("a2", "a3")
	bob.acked("b2", "b3")
	ada.input("a4", `{"op":"start_broker","broker":2}`)
	ada.acked("a4")
	last := max(ada.lastSeq, bob.lastSeq)
	ada.hashedAt(last)
	bob.hashedAt(last)
	through := min(ada.lastSeq, bob.lastSeq)
	for seq := int64(1); seq <= through; seq++ {
		a, b := ada.journal[seq], bob.journal[seq]
		if string(a.Step) != string(b.Step) || string(a.Speed) != string(b.Speed) || a.Actor != b.Actor {
			t.Fatalf("seq %d differs: %+v vs %+v", seq, a, b)
		}
	}
	if a, b := ada.journal[ada.acks["a2"]], bob.journal[ada.acks["a2"]]; a.Actor != "Ada" || b.Actor != "Ada" || b.Ack != "" {
		t.Fatalf("Ada's input reached Bob as %+v (the ack goes to its sender only)", b)
	}
	if speed := bob.journal[bob.acks["b3"]]; string(speed.Speed) != "2.5" || speed.Actor != "Bob" {
		t.Fatalf("the speed change is journaled as %+v", speed)
	}
	ticks := 0
	for seq := int64(1); seq <= through; seq++ {
		if ada.journal[seq].Actor == "" {
			ticks++
		}
	}
	if ticks == 0 {
		t.Fatal("no clock advance was journaled while the room ran")
	}
	if len(ada.errors)+len(bob.errors) > 0 {
		t.Fatalf("unexpected errors: %+v %+v", ada.errors, bob.errors)
	}
}

// TestLateJoinerConverges: members joining after activity, one from the
// journal tail and one from a snapshot, reach the server's hash.
func TestLateJoinerConverges(t *testing.T) {
	s := startServer(t, runningClock)
	token := s.createRoom(t, `{"version":1,"seed":3,"cluster":{"brokers":3},"steps":[
		{"op":"create_topic","topic":"t","partitions":2,"replication_factor":2},
		{"op":"advance","ms":100},{"op":"advance","ms":100}]}`)
	ada := dial(t, s.url, token, "Ada", nil, false)
	defer ada.close()
	ada.input("a1", `{"op":"add_producer","id":"p"}`)
	ada.input("a2", `{"op":"produce","producer":"p","topic":"t","value":"x{i}","count":50}`)
	ada.input("a3", `{"op":"flush","producer":"p"}`)
	ada.acked("a1", "a2", "a3")
	if ada.journal[1].Actor != "" || !strings.Contains(string(ada.journal[1].Step), "create_topic") {
		t.Fatalf("the room's first input is %+v, want the scenario's first step", ada.journal[1])
	}
	late := dial(t, s.url, token, "Late", nil, false)
	defer late.close()
	snap := dial(t, s.url, token, "Snap", nil, true)
	defer snap.close()
	if snap.welcome.Snapshot == nil || snap.welcome.Snapshot.Seq != snap.welcome.NextSeq-1 {
		t.Fatalf("the snapshot welcome is %+v", snap.welcome)
	}
	ada.input("a4", `{"op":"kill_broker","broker":1}`)
	ada.acked("a4")
	for _, c := range []*client{late, snap} {
		c.until("a4", func() bool { return c.lastSeq >= ada.acks["a4"] })
		c.hashedAt(ada.acks["a4"])
		if c.hashesChecked < 2 {
			t.Fatalf("%s checked %d hashes", c.name, c.hashesChecked)
		}
	}
	if late.journal[1].Seq != 1 {
		t.Fatal("the late joiner did not receive the journal from seq 1")
	}
}

// TestReconnectResumes: a member that drops and reconnects with since=N
// receives exactly N+1… while others went on acting.
func TestReconnectResumes(t *testing.T) {
	s := startServer(t, runningClock)
	token := s.createRoom(t, "")
	ada := dial(t, s.url, token, "Ada", nil, false)
	defer ada.close()
	bob := dial(t, s.url, token, "Bob", nil, false)
	bob.input("b1", `{"op":"create_topic","topic":"t","partitions":1,"replication_factor":3}`)
	bob.acked("b1")
	resumeFrom := bob.lastSeq
	bob.close()
	ada.input("a1", `{"op":"add_producer","id":"p"}`)
	ada.input("a2", `{"op":"produce","producer":"p","topic":"t","value":"v","count":10}`)
	ada.input("a3", `{"op":"stop_broker","broker":3}`)
	ada.acked("a1", "a2", "a3")
	again := dial(t, s.url, token, "Bob", bob, false)
	defer again.close()
	first := true
	again.until("Ada's inputs", func() bool { return again.lastSeq >= ada.acks["a3"] })
	for seq := resumeFrom + 1; seq <= ada.acks["a3"]; seq++ {
		if again.journal[seq].Seq != seq {
			t.Fatalf("seq %d missing after the reconnect", seq)
		}
		first = false
	}
	if first {
		t.Fatal("nothing was resumed")
	}
	again.hashedAt(ada.acks["a3"])
	// A reconnect claiming a seq the room does not have is refused.
	bad := &client{lastSeq: 1 << 40, journal: map[int64]serverFrame{}, replica: again.replica}
	ws, _, err := websocket.Dial(context.Background(), strings.Replace(s.url, "http", "ws", 1)+"/api/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	bad.ws, bad.t, bad.name = ws, t, "bad"
	bad.send(map[string]any{"type": "hello", "room": token, "name": "x", "colour": "#000000", "since": bad.lastSeq})
	if frame := bad.read(); frame.Type != frameError || !strings.Contains(frame.Message, "since") {
		t.Fatalf("a hello with a future since got %+v", frame)
	}
}

// TestInvalidInputsAreRefusedAndNotJournaled: each bad frame is answered
// with an error frame naming the problem; nothing reaches the journal.
func TestInvalidInputsAreRefusedAndNotJournaled(t *testing.T) {
	s := startServer(t, paused)
	token := s.createRoom(t, "")
	ada := dial(t, s.url, token, "Ada", nil, false)
	defer ada.close()
	bob := dial(t, s.url, token, "Bob", nil, false)
	defer bob.close()
	ada.input("ok", `{"op":"add_producer","id":"p1"}`)
	ada.acked("ok")
	before := ada.lastSeq
	cases := map[string]string{
		`{"type":"input","id":"e1","step":{"op":"produce","producer":"ghost","topic":"t","value":"v"}}`: "ghost",
		`{"type":"input","id":"e2","step":{"op":"teleport"}}`:                                           "teleport",
		`{"type":"input","id":"e3","step":{"op":"kill_broker","broker":7}}`:                             "broker",
		`{"type":"input","id":"e4","step":{"op":"add_producer","id":"p1"}}`:                             "p1",
		`{"type":"input","id":"e5","step":"kill everything"}`:                                           "object",
		`{"type":"input","id":"e6"}`:                                                                    "step",
		`{"type":"input","id":"e7","step":{"op":"advance","ms":1},"extra":1}`:                           "extra",
		`{"type":"speed","id":"e8","speed":-1}`:                                                         "speed",
		`{"type":"speed","id":"e9","speed":"fast"}`:                                                     "type",
		`{"type":"teleport","id":"e10"}`:                                                                "teleport",
		`{"type":"hello","id":"e11"}`:                                                                   "hello",
		`{"type":"input","id":"e12","step":{"op":"add_producer","id":"p2","config":{"acks":"most"}}}`:   "acks",
	}
	for frame, word := range cases {
		var id struct{ ID string }
		json.Unmarshal([]byte(frame), &id)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := ada.ws.Write(ctx, websocket.MessageText, []byte(frame)); err != nil {
			t.Fatal(err)
		}
		cancel()
		e := ada.errorFor(id.ID)
		if !strings.Contains(strings.ToLower(e.Message), word) {
			t.Errorf("%s: the error %q does not name %q", frame, e.Message, word)
		}
	}
	for _, garbage := range []string{`not json`, `[1,2]`, `{"no":"type"}`} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		ada.ws.Write(ctx, websocket.MessageText, []byte(garbage))
		cancel()
	}
	ada.until("three more errors", func() bool { return len(ada.errors) >= len(cases)+3 })
	ada.input("ok2", `{"op":"kill_broker","broker":1}`)
	ada.acked("ok2")
	if ada.acks["ok2"] != before+1 {
		t.Fatalf("the next valid input got seq %d, want %d: refused inputs reached the journal", ada.acks["ok2"], before+1)
	}
	bob.until("ok2", func() bool { return bob.lastSeq >= before+1 })
	if len(bob.errors) != 0 {
		t.Fatalf("another member saw error frames: %+v", bob.errors)
	}
	bob.hashedAt(before + 1)
}

// TestOriginIsChecked: a page of another site cannot open a room's
// WebSocket unless that origin is allowed.
func TestOriginIsChecked(t *testing.T) {
	s := startServer(t, paused)
	u := strings.Replace(s.url, "http", "ws", 1) + "/api/ws"
	_, response, err := websocket.Dial(context.Background(), u,
		&websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"https://evil.example"}}})
	if err == nil || response == nil || response.StatusCode != http.StatusForbidden {
		t.Fatalf("a foreign origin was not refused: %v", err)
	}
	allowed := startServer(t, Config{AllowedOrigins: []string{"playground.example"}})
	ws, _, err := websocket.Dial(context.Background(), strings.Replace(allowed.url, "http", "ws", 1)+"/api/ws",
		&websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"https://playground.example"}}})
	if err != nil {
		t.Fatalf("an allowed origin was refused: %v", err)
	}
	ws.CloseNow()
}

// TestOversizedFrameIsRefused: a frame over the limit closes the
// connection with 1009 and is not journaled.
func TestOversizedFrameIsRefused(t *testing.T) {
	s := startServer(t, Config{InitialSpeedHundredths: -1, MaxFrameBytes: 4096})
	token := s.createRoom(t, "")
	ada := dial(t, s.url, token, "Ada", nil, false)
	ada.input("big", `{"op":"create_topic","topic":"`+strings.Repeat("x", 5000)+`","partitions":1,"replication_factor":1}`)
	for ada.process() {
	}
	if status := websocket.CloseStatus(ada.closeErr); status != websocket.StatusMessageTooBig {
		t.Fatalf("the connection ended with %v (%v), want 1009", status, ada.closeErr)
	}
	again := dial(t, s.url, token, "Ada", nil, false)
	defer again.close()
	if again.welcome.NextSeq != 1 {
		t.Fatalf("next_seq is %d: the oversized input was journaled", again.welcome.NextSeq)
	}
}

// TestRateLimit: frames beyond a connection's token bucket are dropped
// with an error frame.
func TestRateLimit(t *testing.T) {
	s := startServer(t, Config{InitialSpeedHundredths: -1, FramesPerSecond: 1, FrameBurst: 3})
	token := s.createRoom(t, "")
	ada := dial(t, s.url, token, "Ada", nil, false)
	defer ada.close()
	for i := 0; i < 10; i++ {
		ada.input(fmt.Sprintf("i%d", i), `{"op":"advance","ms":10}`)
	}
	ada.until("rate-limit errors", func() bool { return len(ada.errors) >= 5 })
	for _, e := range ada.errors {
		if !strings.Contains(e.Message, "rate limit") {
			t.Fatalf("unexpected error %q", e.Message)
		}
	}
	ada.until("the accepted inputs", func() bool { return len(ada.acks) >= 3 })
	if len(ada.acks) > 5 {
		t.Fatalf("%d of 10 frames sent at once were accepted with a burst of 3", len(ada.acks))
	}
}

// TestSlowClientDoesNotStallTheRoom: a member that never reads is
// dropped when its queue fills, while another member's inputs go on
// being acknowledged promptly.
func TestSlowClientDoesNotStallTheRoom(t *testing.T) {
	smallSendBuffers = true
	s := startServer(t, Config{InitialSpeedHundredths: -1, SendQueueFrames: 4, FrameBurst: 100, FramesPerSecond: 100})
	smallSendBuffers = false
	token := s.createRoom(t, `{"version":1,"steps":[{"op":"add_producer","id":"p"},
		{"op":"create_topic","topic":"t","partitions":1,"replication_factor":1}]}`)
	// The slow member never reads, and its socket's receive buffer is
	// tiny, so the server's writes to it block soon.
	dialOptions = &websocket.DialOptions{HTTPClient: &http.Client{Transport: &http.Transport{
		DialContext: (&net.Dialer{Control: smallReceiveBuffer}).DialContext}}}
	slow := dial(t, s.url, token, "Slow", nil, false)
	dialOptions = nil
	ada := dial(t, s.url, token, "Ada", nil, false)
	defer ada.close()
	value := strings.Repeat("v", 8<<10)
	start := time.Now()
	for i := 0; i < 30; i++ {
		id := fmt.Sprintf("p%d", i)
		ada.input(id, `{"op":"produce","producer":"p","topic":"t","value":"`+value+`"}`)
		ada.acked(id)
	}
	if elapsed := time.Since(start); elapsed > 20*time.Second {
		t.Fatalf("30 inputs took %v with a member not reading", elapsed)
	}
	ada.until("the slow member to be dropped", func() bool {
		for _, m := range ada.members {
			if m.Name == "Slow" {
				return false
			}
		}
		return true
	})
	// Its connection is closed: with status 4000 when the close frame
	// could still be written, cut otherwise (the socket was full).
	for slow.process() {
	}
	if status := websocket.CloseStatus(slow.closeErr); status != statusTooSlow && status != -1 {
		t.Fatalf("the slow member was closed with %v (%v), want %d", status, slow.closeErr, statusTooSlow)
	}
}

// smallReceiveBuffer sets a socket's receive buffer to 4 KiB before it
// connects, which keeps the TCP window small.
func smallReceiveBuffer(network, address string, raw syscall.RawConn) error {
	var err error
	raw.Control(func(fd uintptr) {
		err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
	})
	return err
}

// TestMembers: names and colours are listed to everyone and editable;
// the room caps its members.
func TestMembers(t *testing.T) {
	s := startServer(t, Config{InitialSpeedHundredths: -1, MaxMembersPerRoom: 2})
	token := s.createRoom(t, "")
	ada := dial(t, s.url, token, "Ada", nil, false)
	defer ada.close()
	bob := dial(t, s.url, token, "Bob", nil, false)
	defer bob.close()
	ada.until("Bob listed", func() bool { return len(ada.members) == 2 })
	bob.send(map[string]any{"type": "member", "name": "Robert", "colour": "#AA0000"})
	ada.until("the rename", func() bool { return len(ada.members) == 2 && ada.members[1].Name == "Robert" })
	if ada.members[1].Colour != "#aa0000" || ada.members[0].Name != "Ada" || ada.members[0].ID == ada.members[1].ID {
		t.Fatalf("members %+v", ada.members)
	}
	bob.send(map[string]any{"type": "member", "name": "", "colour": "red"})
	bob.until("an error", func() bool { return len(bob.errors) == 1 })
	ws, _, err := websocket.Dial(context.Background(), strings.Replace(s.url, "http", "ws", 1)+"/api/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	third := &client{t: t, name: "Cy", ws: ws}
	third.send(map[string]any{"type": "hello", "room": token, "name": "Cy", "colour": "#000000", "since": 0})
	if frame := third.read(); frame.Type != frameError || !strings.Contains(frame.Message, "full") {
		t.Fatalf("a third member of a room of 2 got %+v", frame)
	}
	bob.close()
	ada.until("Bob gone", func() bool { return len(ada.members) == 1 })
}

// TestHelloIsRequired: a connection that does not open with a valid
// hello gets an error frame and is closed.
func TestHelloIsRequired(t *testing.T) {
	s := startServer(t, paused)
	token := s.createRoom(t, "")
	for frame, word := range map[string]string{
		`{"type":"input","id":"x","step":{"op":"advance","ms":1}}`:                     "hello",
		`{"type":"hello","room":"nope","name":"A","colour":"#000000","since":0}`:       "no room",
		`{"type":"hello","room":"` + token + `","name":"A","colour":"blue","since":0}`: "colour",
		`{"type":"hello","room":"` + token + `","name":"A","colour":"#000000"}`:        "since",
	} {
		ws, _, err := websocket.Dial(context.Background(), strings.Replace(s.url, "http", "ws", 1)+"/api/ws", nil)
		if err != nil {
			t.Fatal(err)
		}
		c := &client{t: t, name: "x", ws: ws}
		c.ws.Write(context.Background(), websocket.MessageText, []byte(frame))
		if got := c.read(); got.Type != frameError || !strings.Contains(got.Message, word) {
			t.Errorf("%s: got %+v, want an error naming %q", frame, got, word)
		}
		if c.read().Type != "" || websocket.CloseStatus(c.closeErr) != statusPolicyViolation {
			t.Errorf("%s: the connection was not closed with 1008: %v", frame, c.closeErr)
		}
	}
}
