//go:build !js

package ui

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/kafka-playground/playground/backend"
	"github.com/kafka-playground/playground/core/scenario"
)

// roomPeer is a page's Room and Model over a real WebSocket, natively.
type roomPeer struct {
	t     *testing.T
	url   string
	room  *Room
	model *Model
	ws    *websocket.Conn
}

func (p *roomPeer) connect() {
	p.t.Helper()
	ws, _, err := websocket.Dial(context.Background(), p.url, nil)
	if err != nil {
		p.t.Fatal(err)
	}
	ws.SetReadLimit(64 << 20)
	p.ws = ws
	p.send(p.room.Hello())
}

func (p *roomPeer) send(data []byte) {
	p.t.Helper()
	if err := p.ws.Write(context.Background(), websocket.MessageText, data); err != nil {
		p.t.Fatal(err)
	}
}

// until handles frames until done says so.
func (p *roomPeer) until(what string, done func() bool) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for !done() {
		_, data, err := p.ws.Read(ctx)
		if err != nil {
			p.t.Fatalf("%s: waiting for %s: %v", p.room.Name, what, err)
		}
		event, err := p.room.Handle(p.model, data)
		if err != nil || event.Resync {
			p.t.Fatalf("%s: %s: %v %+v", p.room.Name, what, err, event)
		}
	}
}

// TestRoomTwoPagesNatively joins two pages' Rooms to a real backend: an
// input of one is applied by both, both match the server's hash, a page
// that reconnects resumes from its last seq, and a wrong hash asks for a
// snapshot.
func TestRoomTwoPagesNatively(t *testing.T) {
	srv, err := backend.Open(backend.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	server := httptest.NewServer(srv.Handler(nil))
	defer server.Close()
	token, err := srv.CreateRoom(context.Background(), scenario.New())
	if err != nil {
		t.Fatal(err)
	}
	url := strings.Replace(server.URL, "http", "ws", 1) + "/api/ws"
	peers := []*roomPeer{
		{t: t, url: url, room: NewRoom(token, "Ada", "#3366cc"), model: NewModel()},
		{t: t, url: url, room: NewRoom(token, "Bob", "#cc3366"), model: NewModel()},
	}
	for _, p := range peers {
		p.connect()
		p.until("the welcome", func() bool { return p.room.Welcomed })
	}
	ada, bob := peers[0], peers[1]
	ada.send(ada.room.SpeedFrame(0))
	frame, err := ada.room.Input(ada.model, scenario.Step{Op: scenario.OpKillBroker, Broker: 2})
	if err != nil {
		t.Fatal(err)
	}
	ada.send(frame)
	killed := func(p *roomPeer) func() bool {
		return func() bool {
			steps := p.model.Session().Scenario().Steps
			return len(steps) > 0 && steps[len(steps)-1].Op == scenario.OpKillBroker && p.room.HashedSeq == p.room.LastSeq
		}
	}
	for _, p := range peers {
		p.until("the kill and its hash", killed(p))
	}
	if ada.room.LastSeq != bob.room.LastSeq || ada.room.TraceHash() != bob.room.TraceHash() || ada.model.Cluster().TraceHash() != ada.room.TraceHash() {
		t.Fatalf("the pages differ: seq %d/%d, hash %s/%s", ada.room.LastSeq, bob.room.LastSeq, ada.room.TraceHash(), bob.room.TraceHash())
	}

	// Bob drops; Ada acts meanwhile; Bob resumes from his last seq.
	bob.ws.Close(websocket.StatusNormalClosure, "")
	frame, _ = ada.room.Input(ada.model, scenario.Step{Op: scenario.OpStartBroker, Broker: 2})
	ada.send(frame)
	ada.until("the start", func() bool {
		return ada.room.HashedSeq == ada.room.LastSeq && len(ada.model.Session().Scenario().Steps) > 0 &&
			ada.model.Session().Scenario().Steps[len(ada.model.Session().Scenario().Steps)-1].Op == scenario.OpStartBroker
	})
	resumedFrom := bob.room.LastSeq
	bob.connect()
	bob.until("the resumption", func() bool { return bob.room.Welcomed && bob.room.HashedSeq >= ada.room.LastSeq })
	if bob.room.TraceHash() != ada.room.TraceHash() || resumedFrom == 0 {
		t.Fatalf("after resuming from %d, Bob's hash %s differs from Ada's %s", resumedFrom, bob.room.TraceHash(), ada.room.TraceHash())
	}

	// A hash that differs is a divergence: the next hello asks for a snapshot.
	event, err := bob.room.Handle(bob.model, []byte(`{"type":"hash","seq":`+itoa(bob.room.LastSeq)+`,"trace_hash":"00"}`))
	if err != nil || !event.Resync || bob.room.Diverged == "" || !strings.Contains(string(bob.room.Hello()), `"snapshot":true`) {
		t.Fatalf("a wrong hash gave %+v, %v; hello %s", event, err, bob.room.Hello())
	}
}
