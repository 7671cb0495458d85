package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"sync"
	"testing"

	"github.com/kafka-playground/playground/backend/links"
	"github.com/kafka-playground/playground/backend/links/linkstest"
)

func openTemp(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "playground.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

// TestDurabilitySettings: every connection runs in WAL mode with
// synchronous=FULL (2), which is what makes a committed input survive.
func TestDurabilitySettings(t *testing.T) {
	s, _ := openTemp(t)
	var mode string
	var synchronous int
	for i := 0; i < 3; i++ { // several connections of the pool
		if err := s.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if err := s.db.QueryRow(`PRAGMA synchronous`).Scan(&synchronous); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" || synchronous != 2 {
			t.Fatalf("journal_mode=%s synchronous=%d, want wal and 2 (FULL)", mode, synchronous)
		}
	}
}

// TestMigrations: applied in order once, recorded, and a reopened
// database is not migrated again.
func TestMigrations(t *testing.T) {
	s, path := openTemp(t)
	all, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	version, err := s.SchemaVersion(context.Background())
	if err != nil || version != len(all) || version < 2 {
		t.Fatalf("schema version %d (%v), want %d", version, err, len(all))
	}
	s.Close()
	again, err := Open(path)
	if err != nil {
		t.Fatalf("reopening a migrated database: %v", err)
	}
	var rows int
	again.db.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&rows)
	again.Close()
	if rows != len(all) {
		t.Fatalf("schema_migrations has %d rows, want %d", rows, len(all))
	}
}

// TestNewerSchemaRefused: a database from a newer server is not touched.
func TestNewerSchemaRefused(t *testing.T) {
	s, path := openTemp(t)
	if _, err := s.db.Exec(`INSERT INTO schema_migrations (version, name, applied_ms) VALUES (999, '0999_future', 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if again, err := Open(path); err == nil {
		again.Close()
		t.Fatal("a database with schema version 999 was opened")
	}
}

// TestAppendAndRead: concurrent appends of several rooms are all
// committed, in order, and a duplicate seq fails alone.
func TestAppendAndRead(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	var ids []int64
	for i := 0; i < 4; i++ {
		id, err := s.CreateRoom(ctx, Room{Token: string(rune('a' + i)), Header: []byte(`{}`), SpeedHundredths: 100},
			[]Input{{Seq: 1, Step: json.RawMessage(`{"op":"advance","ms":1}`)}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := int64(2); seq <= 200; seq++ {
				input := Input{Seq: seq, Actor: "alice", Step: json.RawMessage(`{"op":"advance","ms":5}`)}
				if seq%10 == 0 {
					input = Input{Seq: seq, Actor: "bob", SpeedHundredths: 250}
				}
				if err := s.Append(id, []Input{input}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := s.Append(ids[0], []Input{{Seq: 5, Step: json.RawMessage(`{}`)}}); err == nil {
		t.Fatal("a duplicate seq was accepted")
	}
	for _, id := range ids {
		var seqs []int64
		err := s.Inputs(ctx, id, 0, 1<<62, 0, func(input Input) error {
			if input.Seq%10 == 0 && (input.Step != nil || input.SpeedHundredths != 250) {
				t.Errorf("input %d read back as %+v", input.Seq, input)
			}
			seqs = append(seqs, input.Seq)
			return nil
		})
		if err != nil || len(seqs) != 200 || seqs[0] != 1 || seqs[199] != 200 {
			t.Fatalf("room %d: %d inputs (%v)", id, len(seqs), err)
		}
	}
	rooms, err := s.Rooms(ctx)
	if err != nil || len(rooms) != 4 || rooms[2].Token != "c" {
		t.Fatalf("rooms %+v, %v", rooms, err)
	}
}

// TestLinkStore runs the link store behaviours on the SQLite database,
// in the table the migrations create, and on a table made by
// links.Schema, which a D1 database would use.
func TestLinkStore(t *testing.T) {
	t.Run("migrated", func(t *testing.T) {
		linkstest.Run(t, func(t *testing.T) links.Store {
			s, _ := openTemp(t)
			return links.NewSQLStore(s.SQL())
		})
	})
	t.Run("schema", func(t *testing.T) {
		linkstest.Run(t, func(t *testing.T) links.Store {
			s, _ := openTemp(t)
			if _, err := s.db.Exec(`DROP TABLE links`); err != nil {
				t.Fatal(err)
			}
			if _, err := s.db.Exec(links.Schema); err != nil {
				t.Fatal(err)
			}
			return links.NewSQLStore(s.SQL())
		})
	})
}

// TestSnapshots: a room keeps its latest state snapshot; an older one
// does not replace it, one of another engine does.
func TestSnapshots(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	id, err := s.CreateRoom(ctx, Room{Token: "r", Header: []byte(`{}`)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, found, err := s.LatestSnapshot(ctx, id, 1<<20); found || err != nil {
		t.Fatalf("a new room has a snapshot (%v)", err)
	}
	save := func(seq int64, engine, data string) bool {
		t.Helper()
		stored, err := s.SaveSnapshot(ctx, id, "r", Snapshot{Seq: seq, Engine: engine, SpeedHundredths: 2 * seq, CreatedMs: seq, Data: []byte(data)})
		if err != nil {
			t.Fatal(err)
		}
		return stored
	}
	latest := func() Snapshot {
		t.Helper()
		snapshot, found, err := s.LatestSnapshot(ctx, id, 1<<20)
		if !found || err != nil {
			t.Fatalf("no snapshot (%v)", err)
		}
		return snapshot
	}
	if !save(10, "a", "ten") || !save(20, "a", "twenty") {
		t.Fatal("a newer snapshot was not stored")
	}
	if save(15, "a", "fifteen") {
		t.Error("an older snapshot replaced a newer one")
	}
	if got := latest(); got.Seq != 20 || string(got.Data) != "twenty" || got.Engine != "a" || got.SpeedHundredths != 40 {
		t.Errorf("latest %+v, want seq 20 of engine a", got)
	}
	if !save(5, "b", "other engine") || latest().Engine != "b" {
		t.Error("a snapshot of the server's new engine did not replace one of another")
	}
	if stored, err := s.SaveSnapshot(ctx, id, "another room", Snapshot{Seq: 99, Engine: "b", Data: []byte("x")}); stored || err != nil {
		t.Errorf("a snapshot for another room's token was stored (%v)", err)
	}
	if small, found, err := s.LatestSnapshot(ctx, id, 3); !found || err != nil || small.Data != nil || small.Seq != 5 {
		t.Errorf("a snapshot longer than asked: %+v (%v), want its seq without its data", small, err)
	}
	if _, found, err := s.LastInput(ctx, id); found || err != nil {
		t.Fatalf("an empty journal has a last input (%v)", err)
	}
	tick := json.RawMessage(`{"op":"advance","ms":100}`)
	if err := s.Append(id, []Input{{Seq: 1, Step: tick}, {Seq: 2, Step: tick, LastSeq: 9}}); err != nil {
		t.Fatal(err)
	}
	if last, found, err := s.LastInput(ctx, id); !found || err != nil || last.Seq != 2 || last.LastSeq != 9 {
		t.Errorf("last input %+v (%v), want the run 2..9 whole", last, err)
	}
}

// TestPageSize: a database the store creates has pages of pageBytes; one
// created before with SQLite's 4 KiB pages keeps them, and opens.
func TestPageSize(t *testing.T) {
	dir := t.TempDir()
	pageSize := func(s *Store) int {
		var size int
		if err := s.SQL().QueryRow(`PRAGMA page_size`).Scan(&size); err != nil {
			t.Fatal(err)
		}
		return size
	}
	created, err := Open(filepath.Join(dir, "new.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer created.Close()
	if size := pageSize(created); size != pageBytes {
		t.Errorf("a new database has pages of %d bytes, want %d", size, pageBytes)
	}
	old := filepath.Join(dir, "old.db")
	db, err := sql.Open("sqlite3", "file:"+old+"?_journal_mode=WAL")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE before (x)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	reopened, err := Open(old)
	if err != nil {
		t.Fatal(err)
	}
	defer reopened.Close()
	if size := pageSize(reopened); size != 4096 {
		t.Errorf("an existing database's pages became %d bytes", size)
	}
	if _, err := reopened.CreateRoom(context.Background(), Room{Token: "r", Header: []byte(`{}`)}, nil); err != nil {
		t.Fatal(err)
	}
}
