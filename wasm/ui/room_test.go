//go:build !js

package ui

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/twmb/franz-go/pkg/kgo"

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

// startRoomServer starts a backend with config (in a folder of the
// test's), closed when the test ends, and makes a room: it returns the
// WebSocket URL and the room's token.
func startRoomServer(t *testing.T, config backend.Config) (url, token string) {
	t.Helper()
	config.DataDir = t.TempDir()
	srv, err := backend.Open(config)
	if err != nil {
		t.Fatal(err)
	}
	server := httptest.NewServer(srv.Handler(nil))
	t.Cleanup(func() {
		server.Close()
		srv.Close()
	})
	token, err = srv.CreateRoom(context.Background(), scenario.New())
	if err != nil {
		t.Fatal(err)
	}
	return strings.Replace(server.URL, "http", "ws", 1) + "/api/ws", token
}

// TestRoomTwoPagesNatively joins two pages' Rooms to a real backend: an
// input of one is applied by both, both match the server's hash, a page
// that reconnects resumes from its last seq, and a wrong hash asks for a
// snapshot.
func TestRoomTwoPagesNatively(t *testing.T) {
	url, token := startRoomServer(t, backend.Config{})
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

// next handles one frame and returns what it changed.
func (p *roomPeer) next(what string) RoomEvent {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, data, err := p.ws.Read(ctx)
	if err != nil {
		p.t.Fatalf("%s: waiting for %s: %v", p.room.Name, what, err)
	}
	event, err := p.room.Handle(p.model, data)
	if err != nil || event.Resync {
		p.t.Fatalf("%s: %s: %v %+v", p.room.Name, what, err, event)
	}
	return event
}

// TestRoomMemberAndActorsNatively: a member frame renames a person for
// everyone and a refused one comes back by field; every journal step
// carries the name of the person who asked for it, a plain advance
// merged into the step before it keeps that step's name, and a late
// joiner's snapshot names the same people.
func TestRoomMemberAndActorsNatively(t *testing.T) {
	url, token := startRoomServer(t, backend.Config{})
	ada := &roomPeer{t: t, url: url, room: NewRoom(token, "Ada", "#3366cc"), model: NewModel()}
	bob := &roomPeer{t: t, url: url, room: NewRoom(token, "Bob", "#cc3366"), model: NewModel()}
	for _, p := range []*roomPeer{ada, bob} {
		p.connect()
		p.until("the welcome", func() bool { return p.room.Welcomed })
	}
	ada.until("Bob listed", func() bool { return len(ada.room.Members) == 2 })
	ada.send(ada.room.SpeedFrame(0))

	// Bob renames himself: both pages list the new name and colour.
	bob.send(bob.room.MemberFrame(" Robert ", "#AA0000"))
	renamed := false
	for !renamed {
		renamed = bob.next("the rename").Renamed
	}
	if bob.room.Name != "Robert" || bob.room.Colour != "#aa0000" {
		t.Fatalf("after the rename Bob is %q %q", bob.room.Name, bob.room.Colour)
	}
	ada.until("the rename listed", func() bool {
		for _, m := range ada.room.Members {
			if m.ID == bob.room.You && m.Name == "Robert" && m.Colour == "#aa0000" {
				return true
			}
		}
		return false
	})
	if !strings.Contains(string(bob.room.Hello()), `"name":"Robert"`) {
		t.Errorf("a reconnection would not carry the new name: %s", bob.room.Hello())
	}

	// A refused change names its fields and changes nothing.
	bob.send(bob.room.MemberFrame("", "red"))
	var refused RoomEvent
	for len(refused.MemberErrors) == 0 {
		refused = bob.next("the refusal")
	}
	fields := map[string]string{}
	for _, e := range refused.MemberErrors {
		fields[e.Field] = e.Message
	}
	if !strings.Contains(fields["name"], "name") || !strings.Contains(fields["colour"], "#rrggbb") || bob.room.Name != "Robert" {
		t.Fatalf("the refusal gave %+v; Bob is %q", refused.MemberErrors, bob.room.Name)
	}

	// Ada kills a broker, Robert advances, Ada advances again: the
	// second advance merges into Robert's step.
	send := func(p *roomPeer, st scenario.Step) {
		frame, err := p.room.Input(p.model, st)
		if err != nil {
			t.Fatal(err)
		}
		p.send(frame)
	}
	send(ada, scenario.Step{Op: scenario.OpKillBroker, Broker: 2})
	ada.until("the kill", func() bool { return ada.room.LastActor == "Ada" })
	send(bob, scenario.Step{Op: scenario.OpAdvance, Ms: 1000})
	ada.until("the advance", func() bool { return ada.room.LastActor == "Robert" })
	send(ada, scenario.Step{Op: scenario.OpAdvance, Ms: 500})
	for _, p := range []*roomPeer{ada, bob} {
		p.until("the merged advance", func() bool {
			steps := p.model.Session().Scenario().Steps
			return p.room.HashedSeq == p.room.LastSeq && len(steps) > 0 && steps[len(steps)-1].Ms == 1500
		})
		steps, actors := p.model.Session().Scenario().Steps, p.model.Actors()
		n := len(steps)
		if len(actors) != n || n < 2 || actors[n-2] != "Ada" || actors[n-1] != "Robert" || steps[n-2].Op != scenario.OpKillBroker {
			t.Fatalf("%s: steps %+v have actors %q", p.room.Name, steps, actors)
		}
		for i := 0; i < n-2; i++ {
			if actors[i] != "" {
				t.Errorf("%s: step %d (%s) before anyone acted has actor %q", p.room.Name, i, steps[i].Op, actors[i])
			}
		}
		journal := RenderJournal(p.model.Peek(), nil)
		if !strings.Contains(journal, "— Ada") || !strings.Contains(journal, "— Robert") {
			t.Errorf("%s: the Steps panel does not name the actors:\n%s", p.room.Name, journal)
		}
	}

	// A late joiner's snapshot names the same people for the same steps,
	// and its Steps panel shows them.
	cy := &roomPeer{t: t, url: url, room: NewRoom(token, "Cy", "#33a02c"), model: NewModel()}
	cy.connect()
	cy.until("the welcome", func() bool { return cy.room.Welcomed })
	if got, want := strings.Join(cy.model.Actors(), ","), strings.Join(ada.model.Actors(), ","); got != want ||
		len(cy.model.Actors()) != len(cy.model.Session().Scenario().Steps) {
		t.Errorf("the late joiner has actors %q for %d steps, Ada's page %q", cy.model.Actors(), len(cy.model.Session().Scenario().Steps), want)
	}
	if journal := RenderJournal(cy.model.Peek(), nil); !strings.Contains(journal, "— Ada") || !strings.Contains(journal, "— Robert") {
		t.Errorf("the late joiner's Steps panel does not name the actors:\n%s", journal)
	}
}

// TestRoomGatewayClientsNatively: a page joined to a room with a Kafka
// gateway applies its real clients' inputs with core/room, to the
// server's hash; its picture has a node for the franz-go client, named
// by its client.id and address, its timeline the client's Produce, its
// room bar the bootstrap list; a page that joins late from a snapshot
// shows the same.
func TestRoomGatewayClientsNatively(t *testing.T) {
	srv, err := backend.Open(backend.Config{DataDir: t.TempDir(), HashInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	server := httptest.NewServer(srv.Handler(nil))
	defer server.Close()
	room, err := srv.CreateGatewayRoom(context.Background(), scenario.New(), backend.GatewaySettings{})
	if err != nil {
		t.Fatal(err)
	}
	url := strings.Replace(server.URL, "http", "ws", 1) + "/api/ws"
	ada := &roomPeer{t: t, url: url, room: NewRoom(room.Token, "Ada", "#3366cc"), model: NewModel()}
	ada.connect()
	ada.until("the welcome", func() bool { return ada.room.Welcomed })
	if ada.room.Kafka == nil || !strings.Contains(ada.room.Kafka.Text(), "bootstrap.servers="+room.Listeners[0].Bootstrap) {
		t.Fatalf("the room bar would say %+v", ada.room.Kafka)
	}
	client, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(room.Listeners[0].Bootstrap, ",")...), kgo.ClientID("franz-page"),
		kgo.DefaultProduceTopic("page"), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := client.ProduceSync(ctx, &kgo.Record{Value: []byte("from a real client")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	shows := func(p *roomPeer) func() bool {
		return func() bool {
			if p.room.HashedSeq != p.room.LastSeq || p.room.LastSeq == 0 {
				return false
			}
			named := false
			for _, n := range p.model.Peek().Nodes {
				named = named || (n.Kind == "gateway" && strings.HasPrefix(n.Label, "franz-page (127.0.0.1:"))
			}
			return named && len(p.model.timeline.Recent(10, "sent Produce")) > 0
		}
	}
	ada.until("the real client's node and produce", shows(ada))
	late := &roomPeer{t: t, url: url, room: NewRoom(room.Token, "Bob", "#cc3366"), model: NewModel()}
	late.connect()
	late.until("the welcome", func() bool { return late.room.Welcomed })
	late.until("the real client's node and produce", shows(late))
	if picture := RenderCluster(late.model.Snapshot(), ""); !strings.Contains(picture, `data-label="franz-page (127.0.0.1:`) {
		t.Errorf("the picture has no node labelled by the client id:\n%.2000s", picture)
	}
}

// TestRoomJoinsFromStateNatively: a page that joins a room with a
// stored state snapshot loads it, applies the inputs after it and
// reaches the server's hash with the same steps and a filled timeline
// as the page that was there all along; a state snapshot that does not
// load makes the page ask for the journal instead.
func TestRoomJoinsFromStateNatively(t *testing.T) {
	url, token := startRoomServer(t, backend.Config{InitialSpeedHundredths: -1, SnapshotEveryInputs: 2, SnapshotMinInterval: time.Nanosecond})
	ada := &roomPeer{t: t, url: url, room: NewRoom(token, "Ada", "#3366cc"), model: NewModel()}
	ada.connect()
	ada.until("the welcome", func() bool { return ada.room.Welcomed })
	for _, st := range []scenario.Step{
		{Op: scenario.OpCreateTopic, Topic: "t", Partitions: 2, ReplicationFactor: 3},
		{Op: scenario.OpKillBroker, Broker: 2},
		{Op: scenario.OpAdvance, Ms: 40_000, Note: "the ISR shrinks"},
	} {
		frame, err := ada.room.Input(ada.model, st)
		if err != nil {
			t.Fatal(err)
		}
		ada.send(frame)
	}
	ada.until("the inputs and their hash", func() bool { return ada.room.LastSeq >= 3 && ada.room.HashedSeq == ada.room.LastSeq })

	// The snapshot is written in the background: join until one is there.
	var bob *roomPeer
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		bob = &roomPeer{t: t, url: url, room: NewRoom(token, "Bob", "#cc3366"), model: NewModel()}
		bob.connect()
		bob.until("the welcome", func() bool { return bob.room.Welcomed })
		if bob.room.StateSeq > 0 || time.Now().After(deadline) {
			break
		}
		bob.ws.Close(websocket.StatusNormalClosure, "")
	}
	if bob.room.StateSeq == 0 {
		t.Fatal("no join loaded a state snapshot")
	}
	bob.until("the room's hash", func() bool { return bob.room.HashedSeq == ada.room.LastSeq })
	if bob.room.TraceHash() != ada.room.TraceHash() || bob.model.Cluster().TraceHash() != ada.room.TraceHash() {
		t.Fatalf("the page joined from the state snapshot at %d reaches %s, the room %s", bob.room.StateSeq, bob.room.TraceHash(), ada.room.TraceHash())
	}
	if got, want := len(bob.model.Session().Scenario().Steps), len(ada.model.Session().Scenario().Steps); got != want || bob.model.Timeline().Len() == 0 {
		t.Fatalf("the page joined from the state snapshot has %d steps (want %d) and %d timeline events", got, want, bob.model.Timeline().Len())
	}

	// A state snapshot that does not load: the page asks for the journal.
	carol := NewRoom(token, "Carol", "#33cc66")
	if !strings.Contains(string(carol.Hello()), `"state":true`) {
		t.Fatalf("a page with no copy does not offer to load a state snapshot: %s", carol.Hello())
	}
	event, err := carol.Handle(NewModel(), []byte(`{"type":"welcome","you":"m9","header":{"version":1},"next_seq":4,"speed":0,
		"snapshot":{"seq":3,"state":"S1BTTg=="}}`))
	if err != nil || !event.Resync || !carol.NoState || !strings.Contains(string(carol.Hello()), `"state":false`) {
		t.Fatalf("a state snapshot that does not load gave %+v, %v; the next hello %s", event, err, carol.Hello())
	}
}
