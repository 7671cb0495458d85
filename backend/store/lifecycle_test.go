package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// tick is the text of one clock advance.
var tick = json.RawMessage(`{"op":"advance","ms":100}`)

// expand reads a room's journal in (after, before) and returns one line
// per seq, runs expanded, checking that seqs follow one another.
func expand(t *testing.T, s *Store, roomID, after, before int64) []string {
	t.Helper()
	var lines []string
	next := after + 1
	err := s.Inputs(context.Background(), roomID, after, before, 0, func(input Input) error {
		if input.Seq != next {
			return fmt.Errorf("seq %d after %d", input.Seq, next-1)
		}
		for seq := input.Seq; seq <= input.Last(); seq++ {
			lines = append(lines, fmt.Sprintf("%d %s %s %d", seq, input.Actor, input.Step, input.SpeedHundredths))
		}
		next = input.Last() + 1
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return lines
}

// rowCount counts a room's rows of inputs.
func rowCount(t *testing.T, db *sql.DB, roomID int64) int {
	t.Helper()
	var rows int
	if err := db.QueryRow(`SELECT COUNT(*) FROM inputs WHERE room_id = ?`, roomID).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestRunsAreOneRow: appending a run that begins at a stored run of the
// same input extends its row; a read from any seq gets the rest of the
// run without gap or repeat; a run cannot overwrite another input.
func TestRunsAreOneRow(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	id, err := s.CreateRoom(ctx, Room{Token: "r", Header: []byte(`{}`)},
		[]Input{{Seq: 1, Step: json.RawMessage(`{"op":"kill_broker","broker":1}`)}})
	if err != nil {
		t.Fatal(err)
	}
	appendInputs := func(inputs ...Input) error { return s.Append(id, inputs) }
	if err := appendInputs(Input{Seq: 2, Step: tick}); err != nil {
		t.Fatal(err)
	}
	for last := int64(3); last <= 50; last++ {
		if err := appendInputs(Input{Seq: 2, LastSeq: last, Step: tick}); err != nil {
			t.Fatal(err)
		}
	}
	if err := appendInputs(Input{Seq: 51, Actor: "Ada", SpeedHundredths: 200}, Input{Seq: 52, Step: tick, LastSeq: 60}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []Input{
		{Seq: 2, LastSeq: 40, Step: tick},                                       // shorter than stored
		{Seq: 2, LastSeq: 70, Step: json.RawMessage(`{"op":"advance","ms":5}`)}, // another input
		{Seq: 51, LastSeq: 70, SpeedHundredths: 200, Actor: "Bob"},              // another actor
		{Seq: 1, Step: tick}, // a single input again
	} {
		if err := appendInputs(bad); err == nil {
			t.Errorf("%+v was accepted over the stored journal", bad)
		}
	}
	if rows := rowCount(t, s.db, id); rows != 4 {
		t.Fatalf("%d rows for a step, two runs and a speed change", rows)
	}
	all := expand(t, s, id, 0, 1<<62)
	if len(all) != 60 || all[1] != "2  "+string(tick)+" 0" || all[50] != "51 Ada  200" || all[59] != "60  "+string(tick)+" 0" {
		t.Fatalf("the journal reads back as %q", all)
	}
	for after := int64(0); after <= 60; after++ {
		for _, before := range []int64{after + 1, after + 2, 30, 55, 61} {
			if before <= after {
				continue
			}
			got := expand(t, s, id, after, before)
			if fmt.Sprint(got) != fmt.Sprint(all[after:before-1]) {
				t.Fatalf("inputs in (%d, %d): %q, want %q", after, before, got, all[after:before-1])
			}
		}
	}
	var first []Input
	s.Inputs(ctx, id, 10, 1<<62, 1, func(input Input) error { first = append(first, input); return nil })
	if len(first) != 1 || first[0].Seq != 11 || first[0].Last() != 50 {
		t.Fatalf("a read of one row after seq 10 gave %+v, want the run's rest 11..50", first)
	}
}

// databaseAtSchema opens the SQLite database of dsn with the first
// schema migrations applied, as a server of that schema left it, and
// returns it with the number of migrations this server has.
func databaseAtSchema(t *testing.T, dsn string, schema int) (db *sql.DB, latest int) {
	t.Helper()
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	all, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, m := range all[:schema] {
		if err := apply(context.Background(), db, m); err != nil {
			t.Fatal(err)
		}
	}
	return db, len(all)
}

// TestOldDatabaseUpgrades: a database written by the previous schema
// (one row per clock tick, no touched_ms) is migrated: its rooms count
// as touched at the upgrade, and its runs of ticks become one row each
// that read back as the same inputs.
func TestOldDatabaseUpgrades(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, latest := databaseAtSchema(t, "file:"+path, 2)
	// Room 1: steps, ticks, a member's advance (not the clock's), ticks of
	// another speed, a speed change, ticks. Room 2: ticks only.
	oldRows := []string{
		`(1, 1, '', '{"op":"create_topic","topic":"t","partitions":1,"replication_factor":1}', NULL)`,
		`(1, 2, '', '{"op":"advance","ms":100}', NULL)`, `(1, 3, '', '{"op":"advance","ms":100}', NULL)`,
		`(1, 4, '', '{"op":"advance","ms":100}', NULL)`, `(1, 5, 'Ada', '{"op":"advance","ms":100}', NULL)`,
		`(1, 6, '', '{"op":"advance","ms":100}', NULL)`, `(1, 7, '', '{"op":"advance","ms":200}', NULL)`,
		`(1, 8, '', '{"op":"advance","ms":200}', NULL)`, `(1, 9, 'Bob', NULL, 50)`,
		`(1, 10, '', '{"op":"advance","ms":50}', NULL)`, `(1, 11, '', '{"op":"advance","ms":50,"note":"x"}', NULL)`,
		`(1, 12, '', '{"op":"advance","ms":50}', NULL)`, `(1, 13, '', '{"op":"advance","ms":50}', NULL)`,
		`(2, 1, '', '{"op":"advance","ms":100}', NULL)`, `(2, 2, '', '{"op":"advance","ms":100}', NULL)`,
	}
	if _, err := db.Exec(`INSERT INTO rooms (id, token, header, speed_hundredths, created_ms) VALUES
		(1, 'one', '{}', 100, 1000), (2, 'two', '{}', 100, 2000)`); err != nil {
		t.Fatal(err)
	}
	for _, row := range oldRows {
		if _, err := db.Exec(`INSERT INTO inputs (room_id, seq, actor, step, speed_hundredths) VALUES ` + row); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if version, _ := s.SchemaVersion(context.Background()); version != latest {
		t.Fatalf("schema version %d after the upgrade, want %d", version, latest)
	}
	one := expand(t, s, 1, 0, 1<<62)
	if len(one) != 13 || one[4] != `5 Ada {"op":"advance","ms":100} 0` || one[8] != "9 Bob  50" ||
		one[10] != `11  {"op":"advance","ms":50,"note":"x"} 0` || one[12] != `13  {"op":"advance","ms":50} 0` {
		t.Fatalf("room one reads back as %q", one)
	}
	// Rows: step, 2-4, Ada, 6, 7-8, Bob, 10, note, 12-13.
	if rows := rowCount(t, s.db, 1); rows != 9 {
		t.Fatalf("room one has %d rows after compaction, want 9", rows)
	}
	if rows := rowCount(t, s.db, 2); rows != 1 || len(expand(t, s, 2, 0, 1<<62)) != 2 {
		t.Fatalf("room two has %d rows after compaction, want 1", rows)
	}
	rooms, err := s.Rooms(context.Background())
	if err != nil || len(rooms) != 2 || time.Since(time.UnixMilli(rooms[0].TouchedMs)) > time.Minute {
		t.Fatalf("after the upgrade the rooms are %+v (%v): touched at the upgrade", rooms, err)
	}
}

// TestDeleteUntouchedRooms: only rooms touched before the cut-off are
// listed and deleted, with their journal; a touch saves a room.
func TestDeleteUntouchedRooms(t *testing.T) {
	now := time.UnixMilli(1_000_000)
	s, err := OpenWith(filepath.Join(t.TempDir(), "p.db"), Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	old, _ := s.CreateRoom(ctx, Room{Token: "old", Header: []byte(`{}`), CreatedMs: 10}, []Input{{Seq: 1, Step: tick}})
	if _, err := s.SaveSnapshot(ctx, old, "old", Snapshot{Seq: 1, Engine: "e", Data: []byte("state")}); err != nil {
		t.Fatal(err)
	}
	saved, _ := s.CreateRoom(ctx, Room{Token: "saved", Header: []byte(`{}`), CreatedMs: 20}, nil)
	appended, _ := s.CreateRoom(ctx, Room{Token: "appended", Header: []byte(`{}`), CreatedMs: 30}, nil)
	recent, _ := s.CreateRoom(ctx, Room{Token: "recent", Header: []byte(`{}`), CreatedMs: 999_000}, nil)
	if err := s.Touch(ctx, saved); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(appended, []Input{{Seq: 1, Step: tick}}); err != nil {
		t.Fatal(err)
	}
	cutoff := int64(500_000)
	untouched, err := s.UntouchedRooms(ctx, cutoff, 10)
	if err != nil || len(untouched) != 1 || untouched[0].ID != old {
		t.Fatalf("untouched rooms %+v (%v), want only the old one", untouched, err)
	}
	for _, id := range []int64{saved, appended, recent} {
		if deleted, err := s.DeleteRoom(ctx, id, cutoff); deleted || err != nil {
			t.Fatalf("room %d, touched after the cut-off, was deleted (%v)", id, err)
		}
	}
	if deleted, err := s.DeleteRoom(ctx, old, cutoff); !deleted || err != nil {
		t.Fatalf("the old room was not deleted: %v", err)
	}
	if _, err := s.Room(ctx, "old"); err != ErrNoRoom || rowCount(t, s.db, old) != 0 {
		t.Fatalf("the old room or its journal is still there: %v", err)
	}
	if _, found, err := s.LatestSnapshot(ctx, old, 1<<20); found || err != nil {
		t.Fatalf("the old room's snapshot is still there (%v)", err)
	}
	if count, _ := s.CountRooms(ctx); count != 3 {
		t.Fatalf("%d rooms left, want 3", count)
	}
}
