package backend

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/kafka-playground/playground/backend/store"
	replica "github.com/kafka-playground/playground/core/room"
	"github.com/kafka-playground/playground/core/scenario"
)

// waitEvicted waits until the server holds at most live rooms in memory
// and has evicted at least evictions rooms.
func waitEvicted(t *testing.T, s *Server, live int, evictions int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		gotLive, gotEvictions := s.liveRooms()
		if gotLive <= live && gotEvictions >= evictions {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d rooms live after %d evictions; waited for at most %d live after %d", gotLive, gotEvictions, live, evictions)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// refusedHello dials a room and returns the error frame and close status of
// a hello the server refuses.
func refusedHello(t *testing.T, baseURL, token string) (serverFrame, websocket.StatusCode) {
	t.Helper()
	ws, _, err := websocket.Dial(context.Background(), strings.Replace(baseURL, "http", "ws", 1)+"/api/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &client{t: t, name: "refused", ws: ws}
	c.send(map[string]any{"type": "hello", "room": token, "name": "X", "colour": "#000000", "since": 0})
	frame := c.read()
	c.read()
	return frame, websocket.CloseStatus(c.closeErr)
}

// TestEvictedRoomRejoins: a room nobody is in leaves memory after the
// idle time; a member who rejoins resumes from its last seq without gap,
// and everyone reaches the hash the room had before it was evicted.
func TestEvictedRoomRejoins(t *testing.T) {
	s := startServer(t, Config{TickInterval: 5 * time.Millisecond, HashInterval: 20 * time.Millisecond,
		IdleTimeout: 30 * time.Millisecond, MaxTailInputs: 10})
	token := s.createRoom(t, `{"version":1,"seed":4,"steps":[{"op":"create_topic","topic":"t","partitions":2,"replication_factor":3}]}`)
	ada := dial(t, s.url, token, "Ada", nil, false)
	ada.input("a1", `{"op":"add_producer","id":"p"}`)
	ada.input("a2", `{"op":"produce","producer":"p","topic":"t","value":"v{i}","count":30}`)
	ada.acked("a1", "a2")
	ada.send(map[string]any{"type": "speed", "id": "pause", "speed": 0})
	ada.acked("pause")
	ada.hashedAt(ada.lastSeq)
	before, lastSeq := ada.replica.TraceHash(), ada.lastSeq
	ada.close()
	waitEvicted(t, s.Server, 0, 1)

	again := dial(t, s.url, token, "Ada", ada, false)
	defer again.close()
	if again.welcome.NextSeq != lastSeq+1 {
		t.Fatalf("after the eviction next_seq is %d, want %d", again.welcome.NextSeq, lastSeq+1)
	}
	again.hashedAt(lastSeq)
	fresh := dial(t, s.url, token, "Fresh", nil, true)
	defer fresh.close()
	fresh.until("the journal and its hash", func() bool { return fresh.lastSeq == lastSeq && fresh.hashesChecked > 0 })
	if fresh.replica.TraceHash() != before || again.replica.TraceHash() != before {
		t.Fatalf("the restored room's hash is %s, %s; before the eviction %s", fresh.replica.TraceHash(), again.replica.TraceHash(), before)
	}
	// Time runs again once someone is in: the clock's ticks come without gap.
	again.send(map[string]any{"type": "speed", "id": "play", "speed": 1})
	again.acked("play")
	again.until("ticks", func() bool { return again.lastSeq > again.acks["play"]+20 })
	again.hashedAt(again.lastSeq)
	// A member further behind than MaxTailInputs gets a snapshot.
	behind := dial(t, s.url, token, "Behind", &client{lastSeq: again.lastSeq - 11, journal: map[int64]serverFrame{}}, false)
	defer behind.close()
	if behind.welcome.Snapshot == nil || behind.welcome.Snapshot.Seq != behind.welcome.NextSeq-1 {
		t.Fatalf("a member 11 inputs behind got %+v, want a snapshot", behind.welcome)
	}
	behind.hashedAt(behind.welcome.NextSeq - 1)
}

// TestJoinRacingEvictionLosesNothing: with an idle time of a
// millisecond, a member leaves and comes back at once, over and over, so
// that joins race evictions; no join fails, every input is acknowledged,
// and the journal is whole at the end.
func TestJoinRacingEvictionLosesNothing(t *testing.T) {
	s := startServer(t, Config{InitialSpeedHundredths: -1, HashInterval: time.Millisecond, IdleTimeout: time.Millisecond})
	token := s.createRoom(t, `{"version":1,"steps":[{"op":"add_producer","id":"p"},
		{"op":"create_topic","topic":"t","partitions":1,"replication_factor":1}]}`)
	var member *client
	acks := map[string]int64{}
	const rounds = 150
	for round := 0; round < rounds; round++ {
		member = dial(t, s.url, token, "Racer", member, false)
		id := fmt.Sprint("r", round)
		member.input(id, `{"op":"produce","producer":"p","topic":"t","value":"`+id+`"}`)
		member.acked(id)
		acks[id] = member.acks[id]
		member.close()
		time.Sleep(time.Duration(round%4) * time.Millisecond) // let some evictions win the race
	}
	_, evictions := s.liveRooms()
	if evictions < 10 {
		t.Fatalf("%d evictions in %d rounds: joins did not race evictions", evictions, rounds)
	}
	check := dial(t, s.url, token, "Check", nil, false)
	defer check.close()
	check.until("the whole journal", func() bool { return check.lastSeq == check.welcome.NextSeq-1 && check.hashesChecked > 0 })
	for round := 0; round < rounds; round++ {
		id := fmt.Sprint("r", round)
		if got := check.journal[acks[id]]; !strings.Contains(string(got.Step), `"`+id+`"`) {
			t.Fatalf("input %s, acknowledged as seq %d, is %+v in the journal", id, acks[id], got)
		}
	}
	if check.lastSeq != 2+rounds {
		t.Fatalf("the journal has %d inputs, want %d", check.lastSeq, 2+rounds)
	}
	t.Logf("%d rounds, %d evictions", rounds, evictions)
}

// TestLiveRoomBound: a join that would pass MaxLiveRooms is refused
// with a sentence saying so, and succeeds once an idle room was evicted.
func TestLiveRoomBound(t *testing.T) {
	s := startServer(t, Config{InitialSpeedHundredths: -1, MaxLiveRooms: 2, IdleTimeout: 50 * time.Millisecond})
	one, two, three := s.createRoom(t, ""), s.createRoom(t, ""), s.createRoom(t, "")
	ada := dial(t, s.url, one, "Ada", nil, false)
	bob := dial(t, s.url, two, "Bob", nil, false)
	defer bob.close()
	frame, status := refusedHello(t, s.url, three)
	if frame.Type != frameError || !strings.Contains(frame.Message, "2 rooms open at once") || status != statusTryAgainLater {
		t.Fatalf("a join past the bound got %+v and close %v", frame, status)
	}
	ada.close()
	waitEvicted(t, s.Server, 1, 1)
	cy := dial(t, s.url, three, "Cy", nil, false)
	cy.close()
}

// fakeClock is a settable Config.Now.
type fakeClock struct{ ms atomic.Int64 }

func (c *fakeClock) now() time.Time           { return time.UnixMilli(c.ms.Load()) }
func (c *fakeClock) advance(by time.Duration) { c.ms.Add(by.Milliseconds()) }

// TestExpiry: a room nobody touched for RoomExpiry is deleted with its
// journal, and its link answers as an unknown room does; a room joined
// since, and a live one, are kept; expiry runs at start too.
func TestExpiry(t *testing.T) {
	clock := &fakeClock{}
	clock.ms.Store(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli())
	config := Config{DataDir: t.TempDir(), InitialSpeedHundredths: -1, RoomExpiry: 24 * time.Hour,
		ExpiryInterval: 5 * time.Millisecond, Now: clock.now}
	config.IdleTimeout = 10 * time.Millisecond
	s := startServer(t, config)
	old, joined, live := s.createRoom(t, ""), s.createRoom(t, ""), s.createRoom(t, "")
	stays := dial(t, s.url, live, "Stays", nil, false)
	waitEvicted(t, s.Server, 1, 2) // an eviction counts as a use: let them happen now
	clock.advance(20 * time.Hour)
	dial(t, s.url, joined, "Visitor", nil, false).close()
	waitEvicted(t, s.Server, 1, 3)
	clock.advance(5 * time.Hour)
	deadline := time.Now().Add(10 * time.Second)
	for s.roomExists(context.Background(), old) {
		if time.Now().After(deadline) {
			t.Fatal("the untouched room was not deleted")
		}
		time.Sleep(5 * time.Millisecond)
	}
	response, body := get(t, s.url+"/r/"+old)
	if response.StatusCode != http.StatusNotFound || !strings.Contains(body, "expired or does not exist") {
		t.Fatalf("an expired room's link answers %d %q", response.StatusCode, body)
	}
	if frame, status := refusedHello(t, s.url, old); !strings.Contains(frame.Message, "expired") || status != statusPolicyViolation {
		t.Fatalf("a join of an expired room got %+v, close %v", frame, status)
	}
	var rows int
	s.store.SQL().QueryRow(`SELECT COUNT(*) FROM inputs JOIN rooms ON rooms.id = inputs.room_id WHERE token = ?`, old).Scan(&rows)
	for _, token := range []string{joined, live} {
		if response, _ := get(t, s.url+"/r/"+token); response.StatusCode != http.StatusOK {
			t.Fatalf("room %s, joined within a day or live, answers %d", token, response.StatusCode)
		}
	}
	// The live room's member leaves; a day later, the next start deletes it.
	stays.close()
	s.Close()
	clock.advance(25 * time.Hour)
	config.ExpiryInterval = time.Hour
	restarted := startServer(t, config)
	for _, token := range []string{joined, live} {
		if restarted.roomExists(context.Background(), token) {
			t.Fatalf("room %s, untouched for a day, survived a start", token)
		}
	}
}

// TestOldDatabaseOpens: a database written by the previous schema, its
// clock's ticks one row each, opens; its room restores to the hash of
// its journal, and its ticks are compacted.
func TestOldDatabaseOpens(t *testing.T) {
	folder := t.TempDir()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(folder, DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for version, name := range []string{"0001_rooms", "0002_links"} {
		text, err := os.ReadFile(filepath.Join("store", "migrations", name+".sql"))
		if err == nil {
			_, err = db.Exec(string(text))
		}
		if err == nil {
			_, err = db.Exec(`INSERT INTO schema_migrations VALUES (?, ?, 0)`, version+1, name)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	header := scenario.New()
	headerJSON, _ := scenario.Encode(header)
	token := newToken()
	texts := []json.RawMessage{json.RawMessage(`{"op":"create_topic","topic":"t","partitions":1,"replication_factor":3}`)}
	db.Exec(`INSERT INTO rooms (id, token, header, speed_hundredths, created_ms) VALUES (1, ?, ?, 100, 0)`, token, string(headerJSON))
	db.Exec(`INSERT INTO inputs VALUES (1, 1, '', ?, NULL)`, string(texts[0]))
	for seq := 2; seq <= 501; seq++ {
		tick := replica.AdvanceText(100)
		if _, err := db.Exec(`INSERT INTO inputs VALUES (1, ?, '', ?, NULL)`, seq, string(tick)); err != nil {
			t.Fatal(err)
		}
		texts = append(texts, tick)
	}
	db.Close()
	want, err := replica.Restore("room", header, texts)
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t, Config{DataDir: folder, InitialSpeedHundredths: -1})
	var rows int
	s.store.SQL().QueryRow(`SELECT COUNT(*) FROM inputs`).Scan(&rows)
	if rows != 2 {
		t.Fatalf("the upgraded journal has %d rows, want 2 (a step and one run of 500 ticks)", rows)
	}
	c := dial(t, s.url, token, "Ada", nil, false)
	defer c.close()
	c.until("the journal and its hash", func() bool { return c.lastSeq == 501 && c.hashesChecked > 0 })
	if c.replica.TraceHash() != want.TraceHash() {
		t.Fatalf("the upgraded room restores to %s, its old journal to %s", c.replica.TraceHash(), want.TraceHash())
	}
}

// TestLateJoinerSnapshotNamesAuthors: the snapshot lists who began each
// step, from the live room and from a room restored after an eviction.
func TestLateJoinerSnapshotNamesAuthors(t *testing.T) {
	s := startServer(t, Config{InitialSpeedHundredths: -1, HashInterval: 20 * time.Millisecond, IdleTimeout: 20 * time.Millisecond})
	token := s.createRoom(t, `{"version":1,"steps":[{"op":"create_topic","topic":"t","partitions":1,"replication_factor":3}]}`)
	ada := dial(t, s.url, token, "Ada", nil, false)
	bob := dial(t, s.url, token, "Bob", nil, false)
	ada.input("a1", `{"op":"kill_broker","broker":2}`)
	ada.acked("a1")
	bob.input("b1", `{"op":"advance","ms":500}`)
	bob.acked("b1")
	ada.input("a2", `{"op":"advance","ms":300}`) // merges into Bob's step
	ada.acked("a2")
	bob.until("a2", func() bool { return bob.lastSeq == ada.lastSeq })
	want := []string{"", "Ada", "Bob"}
	check := func(when string) {
		t.Helper()
		late := dial(t, s.url, token, "Late", nil, true)
		defer late.close()
		snapshot := late.welcome.Snapshot
		if snapshot == nil || strings.Join(snapshot.Actors, ",") != strings.Join(want, ",") || late.replica.Steps() != len(want) {
			t.Fatalf("%s: the snapshot names %q for %d steps, want %q", when, snapshot.Actors, late.replica.Steps(), want)
		}
		late.hashedAt(snapshot.Seq)
	}
	check("live")
	ada.close()
	bob.close()
	waitEvicted(t, s.Server, 0, 1)
	check("after an eviction")
}

// TestWeekOfTicksIsBoundedRows: a week of virtual time ticked by the
// room's clock (at 100 times real time, fed straight into the sequencer;
// a speed change ends each day's run, the last day is short) leaves a
// handful of rows: one per run of ticks. A member resuming from
// any seq of a run gets the rest without gap or repeat, and reaches the
// server's hash.
func TestWeekOfTicksIsBoundedRows(t *testing.T) {
	s := startServer(t, Config{InitialSpeedHundredths: 100_00, HashInterval: 20 * time.Millisecond})
	token := s.createRoom(t, `{"version":1,"steps":[{"op":"create_topic","topic":"t","partitions":3,"replication_factor":3}]}`)
	r, err := s.acquire(token)
	if err != nil {
		t.Fatal(err)
	}
	defer s.release(r)
	// Ticks of 10 s (100 ms at 100×), sent by hand: the room's own clock
	// ticks only while someone is in it.
	const perDay, lastDay = 8_640, 50
	for day := 0; day < 7; day++ {
		ticks := perDay
		if day == 6 {
			ticks = lastDay
		}
		for i := 0; i < ticks; i++ {
			r.requests <- request{kind: requestTick}
		}
		r.requests <- request{kind: requestSpeed, speed: 100_00}
	}
	last := int64(1 + 6*(perDay+1) + lastDay + 1)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var committed int64
		s.store.SQL().QueryRow(`SELECT MAX(COALESCE(last_seq, seq)) FROM inputs`).Scan(&committed)
		if committed == last {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d inputs committed", committed, last)
		}
		time.Sleep(10 * time.Millisecond)
	}
	var rows int64
	s.store.SQL().QueryRow(`SELECT COUNT(*) FROM inputs`).Scan(&rows)
	if rows != 1+7*2 {
		t.Fatalf("a week of ticks is %d rows, want 15: a step, then 7 runs each followed by a speed change", rows)
	}
	// Resume from every seq of the last run, and from a few seqs of the
	// runs of whole days.
	lastRun := 1 + 6*(perDay+1)
	seqs := []int64{2, 5*(perDay+1) + 1, 6 * (perDay + 1)}
	for seq := int64(lastRun); seq <= last; seq++ {
		seqs = append(seqs, seq)
	}
	for _, since := range seqs {
		resumed := dial(t, s.url, token, "Resumed", resumeAt(t, s.store, r.id, since), false)
		resumed.until("the tail and its hash", func() bool { return resumed.lastSeq >= last && resumed.hashesChecked > 0 })
		resumed.close()
	}
}

// resumeAt returns a client that applied a room's inputs 1..since, as if
// it had been a member until then.
func resumeAt(t *testing.T, db *store.Store, roomID, since int64) *client {
	t.Helper()
	var inputs []replica.Input
	err := db.Inputs(context.Background(), roomID, 0, since+1, 0, func(input store.Input) error {
		if input.Step != nil {
			inputs = append(inputs, replica.Input{Text: input.Step, Actor: input.Actor, Count: input.Count()})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rooms, _ := db.Rooms(context.Background())
	header, _ := scenario.Decode("header", rooms[0].Header)
	restored, err := replica.RestoreInputs("room", header, inputs, scenario.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return &client{replica: restored, lastSeq: since, journal: map[int64]serverFrame{}}
}
