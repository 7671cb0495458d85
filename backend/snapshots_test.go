package backend

import (
	"context"
	"errors"
	"testing"
	"time"
)

// waitSnapshot waits until the room's stored snapshot, of this engine,
// covers seq.
func waitSnapshot(t *testing.T, s *testServer, token string, seq int64) {
	t.Helper()
	record, err := s.store.Room(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		stored, found, err := s.store.LatestSnapshot(context.Background(), record.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if found && stored.Seq >= seq && stored.Engine == s.engineID {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the room's snapshot covers seq %d (found %v), want %d", stored.Seq, found, seq)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestRoomRestoresFromItsSnapshot: a room writes state snapshots as its
// inputs go by and when it is evicted; its next restore begins from the
// snapshot, and the members who rejoin — resuming, and fresh with the
// journal as one scenario — reach the hash the room had, then go on in
// lockstep. A snapshot of another build of the engine, or a damaged one,
// is passed over for a full replay, which reaches the same hash.
func TestRoomRestoresFromItsSnapshot(t *testing.T) {
	s := startServer(t, Config{TickInterval: 5 * time.Millisecond, HashInterval: 20 * time.Millisecond,
		IdleTimeout: 30 * time.Millisecond, SnapshotEveryInputs: 7, SnapshotMinInterval: time.Nanosecond})
	token := s.createRoom(t, `{"version":1,"seed":9,"steps":[{"op":"create_topic","topic":"t","partitions":3,"replication_factor":3}]}`)
	ada := dial(t, s.url, token, "Ada", nil, false)
	ada.input("a1", `{"op":"add_producer","id":"p","config":{"acks":"all"}}`)
	ada.input("a2", `{"op":"produce","producer":"p","topic":"t","key":"k{i}","value":"v{i}","count":50}`)
	ada.input("a3", `{"op":"add_consumer","id":"c","group":"g","topics":["t"]}`)
	ada.acked("a1", "a2", "a3")
	ada.until("more ticks than the snapshot interval", func() bool { return ada.lastSeq > 40 })
	ada.send(map[string]any{"type": "speed", "id": "pause", "speed": 0})
	ada.acked("pause")
	ada.hashedAt(ada.lastSeq)
	before, lastSeq := ada.replica.TraceHash(), ada.lastSeq
	ada.close()

	// rejoin restores the evicted room with two members.
	rejoin := func(wantFromSnapshot bool) *client {
		t.Helper()
		restores := s.snapshotRestores.Load()
		resumed := dial(t, s.url, token, "Ada", ada, false)
		resumed.hashedAt(lastSeq)
		fresh := dial(t, s.url, token, "Fresh", nil, true)
		fresh.hashedAt(lastSeq)
		if resumed.replica.TraceHash() != before || fresh.replica.TraceHash() != before {
			t.Fatalf("after the restore the room's members reach %s and %s, want %s", resumed.replica.TraceHash(), fresh.replica.TraceHash(), before)
		}
		fresh.close()
		if got := s.snapshotRestores.Load() > restores; got != wantFromSnapshot {
			t.Fatalf("the restore began from a snapshot: %v, want %v", got, wantFromSnapshot)
		}
		return resumed
	}

	waitEvicted(t, s.Server, 0, 1)
	waitSnapshot(t, s, token, lastSeq)
	ada = rejoin(true)
	// A member that can read a state snapshot joins from it.
	late := dialHello(t, s.url, token, "Late", nil, true, true)
	if late.welcome.Snapshot == nil || late.welcome.Snapshot.State == nil || late.welcome.Snapshot.Seq > lastSeq {
		t.Fatal("a member that asked for a state snapshot did not get one")
	}
	late.hashedAt(lastSeq)
	if late.replica.TraceHash() != before {
		t.Fatalf("a member joined from the state snapshot reaches %s, want %s", late.replica.TraceHash(), before)
	}
	// The restored room goes on in lockstep with its members.
	ada.input("a4", `{"op":"poll","consumer":"c"}`)
	ada.input("a5", `{"op":"kill_broker","broker":2}`)
	ada.acked("a4", "a5")
	ada.hashedAt(ada.lastSeq)
	late.hashedAt(ada.lastSeq)
	if late.replica.TraceHash() != ada.replica.TraceHash() {
		t.Fatal("the member joined from the state snapshot left the room's lockstep")
	}
	late.close()
	before, lastSeq = ada.replica.TraceHash(), ada.lastSeq
	ada.close()
	waitEvicted(t, s.Server, 0, 2)
	waitSnapshot(t, s, token, lastSeq)

	record, _ := s.store.Room(context.Background(), token)
	db := s.store.SQL()
	if _, err := db.Exec(`UPDATE room_snapshots SET engine = 'another build' WHERE room_id = ?`, record.ID); err != nil {
		t.Fatal(err)
	}
	ada = rejoin(false)
	ada.close()
	waitEvicted(t, s.Server, 0, 3)
	waitSnapshot(t, s, token, lastSeq) // written again, by this engine, at the eviction

	if _, err := db.Exec(`UPDATE room_snapshots SET data = CAST(substr(data, 1, length(data) / 2) AS BLOB) WHERE room_id = ?`, record.ID); err != nil {
		t.Fatal(err)
	}
	ada = rejoin(false)
	ada.close()
}

// TestJoinerWithoutStoredSnapshotGetsTheJournal: a member that can read
// a state snapshot, joining a room that has stored none, gets the
// journal as one scenario, and reaches the room's hash.
func TestJoinerWithoutStoredSnapshotGetsTheJournal(t *testing.T) {
	s := startServer(t, Config{InitialSpeedHundredths: -1, HashInterval: 20 * time.Millisecond, SnapshotEveryInputs: -1})
	token := s.createRoom(t, `{"version":1,"steps":[{"op":"create_topic","topic":"t","partitions":1,"replication_factor":3},
		{"op":"kill_broker","broker":3}]}`)
	member := dialHello(t, s.url, token, "Ada", nil, true, true)
	defer member.close()
	if snapshot := member.welcome.Snapshot; snapshot == nil || snapshot.State != nil || snapshot.Scenario == nil {
		t.Fatal("a room with no stored snapshot did not send its journal")
	}
	member.hashedAt(member.lastSeq)
}

// storedSeq returns the seq of the room's stored snapshot, 0 for none.
func storedSeq(t *testing.T, s *testServer, token string) int64 {
	t.Helper()
	record, err := s.store.Room(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	stored, _, err := s.store.LatestSnapshot(context.Background(), record.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	return stored.Seq
}

// TestSnapshotWaitsForItsCommit: a snapshot taken while the inputs it
// holds are being committed is stored once their commit returns, and
// never when it fails, so no stored snapshot holds an input the journal
// lost.
func TestSnapshotWaitsForItsCommit(t *testing.T) {
	s := startServer(t, Config{InitialSpeedHundredths: -1, SnapshotEveryInputs: 1, SnapshotMinInterval: time.Nanosecond})
	token := s.createRoom(t, "")
	ada := dial(t, s.url, token, "Ada", nil, false)
	defer ada.close()
	gate := gateCommits(t, s)
	gate.setShut(true)

	ada.input("a1", `{"op":"create_topic","topic":"t","partitions":1,"replication_factor":3}`)
	held := gate.waitHeld(t)
	time.Sleep(100 * time.Millisecond) // the room takes its snapshot meanwhile
	if seq := storedSeq(t, s, token); seq != 0 {
		t.Fatalf("a snapshot of seq %d was stored before its input's commit returned", seq)
	}
	held.release <- nil
	ada.acked("a1")
	waitSnapshot(t, s, token, ada.acks["a1"])

	ada.input("a2", `{"op":"kill_broker","broker":1}`)
	held = gate.waitHeld(t)
	time.Sleep(100 * time.Millisecond)
	held.release <- errors.New("the disk is full")
	if frame := ada.errorFor("a2"); frame.Type != frameError {
		t.Fatalf("the failed input was answered %+v", frame)
	}
	time.Sleep(100 * time.Millisecond) // a snapshot of it, were one stored, would be by now
	if seq := storedSeq(t, s, token); seq != ada.acks["a1"] {
		t.Fatalf("after a failed commit the stored snapshot is of seq %d, want %d", seq, ada.acks["a1"])
	}
}
