package backend

// State snapshots. A room's journal is the truth, and replaying it is
// always a correct restore (rule 5 of doc.go), but its cost grows with
// the journal: with the simulated time, the records and the real
// clients' requests. So a room also stores, now and then, its replica's
// state (core/room's StateSnapshot, store.Snapshot) for the last seq it
// has applied and committed; a restore reads the latest one of this
// build's engine and applies only the inputs after it. A snapshot that
// is missing, of another engine, damaged, or that the inputs after it
// do not apply to, is passed over for a full replay, and the room writes
// a new one later: nothing depends on snapshots but speed.
//
// When: after Config.SnapshotEveryInputs inputs since the room's last
// snapshot (at most once per Config.SnapshotMinInterval), and when a
// room with inputs since its last snapshot is evicted or the server
// stops. The state is encoded in the room's goroutine, which holds the
// replica (for a million records, a few hundred milliseconds during
// which its inputs wait), and written to SQLite in the background.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"sync"
	"time"

	"github.com/kafka-playground/playground/backend/store"
	replica "github.com/kafka-playground/playground/core/room"
	"github.com/kafka-playground/playground/core/scenario"
	"github.com/kafka-playground/playground/core/snapshot"
)

// engineID names this build of the engine in stored snapshots: the
// snapshot codec's fingerprint of the core's types and a digest of this
// executable, so that a rebuilt server, whose engine may behave
// otherwise, replays its rooms' journals once rather than trust a state
// an older engine computed.
var engineID = sync.OnceValue(func() string {
	id := hex.EncodeToString(snapshot.Fingerprint())
	path, err := os.Executable()
	if err != nil {
		return id
	}
	file, err := os.Open(path)
	if err != nil {
		return id
	}
	defer file.Close()
	digest := sha256.New()
	if _, err := io.Copy(digest, file); err != nil {
		return id
	}
	return id + "-" + hex.EncodeToString(digest.Sum(nil)[:8])
})

// errNoSnapshot is restoreSnapshot's answer when the room has no
// snapshot it can use; the reason, if any, is logged.
var errNoSnapshot = errors.New("no usable snapshot")

// restoreSnapshot returns the replica of a room's latest stored
// snapshot, the seq it covers and the speed of time after it.
func (s *Server) restoreSnapshot(record store.Room) (*replica.Replica, store.Snapshot, error) {
	stored, found, err := s.store.LatestSnapshot(context.Background(), record.ID)
	if err != nil {
		s.logger.Warn("backend: a room's snapshot cannot be read; its journal is replayed", "room", record.Token, "err", err)
		return nil, store.Snapshot{}, errNoSnapshot
	}
	if !found {
		return nil, store.Snapshot{}, errNoSnapshot
	}
	if stored.Engine != engineID() {
		s.logger.Info("backend: a room's snapshot is of another build of the engine; its journal is replayed",
			"room", record.Token, "snapshot_engine", stored.Engine)
		return nil, store.Snapshot{}, errNoSnapshot
	}
	restored, err := replica.RestoreState(stored.Data, scenario.Options{})
	if err != nil {
		s.logger.Warn("backend: a room's snapshot does not restore; its journal is replayed", "room", record.Token, "seq", stored.Seq, "err", err)
		return nil, store.Snapshot{}, errNoSnapshot
	}
	stored.Data = nil
	return restored, stored, nil
}

// snapshotTaker writes rooms' snapshots to the store in the background,
// one at a time, so that a burst of evictions holds one encoded state
// in memory per room at most while they wait.
type snapshotTaker struct {
	// wg counts the writes under way; closed, under Server.mu, is set
	// when Close waits for them, after which none begins.
	wg     sync.WaitGroup
	closed bool
	// writing serializes the writes.
	writing sync.Mutex
}

// maxSnapshotBytes bounds one stored snapshot; a room whose state is
// larger replays its journal instead.
const maxSnapshotBytes = 512 << 20

// snapshotNow encodes the room's state after its last applied input.
// It is stored in the background once that input is committed (at once
// if it is): a snapshot is never of a state the journal may lose.
func (r *room) snapshotNow(reason string) {
	seq := r.nextSeq - 1
	if seq <= r.snapshotSeq || r.server.config.SnapshotEveryInputs < 0 {
		return
	}
	start := time.Now()
	data, err := r.replica.StateSnapshot()
	r.snapshotSeq, r.snapshotAt = seq, time.Now()
	switch {
	case err != nil:
		r.server.logger.Error("backend: a room's state cannot be snapshotted (a bug); its journal is replayed at restore",
			"room", r.token, "seq", seq, "err", err)
		return
	case len(data) > maxSnapshotBytes:
		r.server.logger.Warn("backend: a room's state is too large to store as a snapshot", "room", r.token, "bytes", len(data))
		return
	}
	r.unstored = &pendingSnapshot{reason: reason, encodeMs: time.Since(start).Milliseconds(),
		Snapshot: store.Snapshot{Seq: seq, Engine: engineID(), SpeedHundredths: r.speed, CreatedMs: r.server.config.Now().UnixMilli(), Data: data}}
	r.storeSnapshot()
}

// pendingSnapshot is a snapshot waiting for its seq's commit.
type pendingSnapshot struct {
	store.Snapshot
	reason   string
	encodeMs int64
}

// storeSnapshot stores the snapshot that waits, if its seq is committed;
// the commit pipeline calls it after every commit, and drops the
// snapshot when a commit fails.
func (r *room) storeSnapshot() {
	p := r.unstored
	if p == nil || p.Seq > r.durableSeq {
		return
	}
	r.unstored = nil
	server, id, token := r.server, r.id, r.token
	server.mu.Lock()
	if server.snapshots.closed {
		server.mu.Unlock()
		return
	}
	server.snapshots.wg.Add(1)
	server.mu.Unlock()
	go func() {
		defer server.snapshots.wg.Done()
		server.snapshots.writing.Lock()
		defer server.snapshots.writing.Unlock()
		start := time.Now()
		if _, err := server.store.SaveSnapshot(context.Background(), id, p.Snapshot); err != nil {
			server.logger.Error("backend: a room's snapshot could not be stored", "room", token, "seq", p.Seq, "err", err)
			return
		}
		server.logger.Info("backend: room snapshot stored", "room", token, "seq", p.Seq, "reason", p.reason,
			"bytes", len(p.Data), "encode_ms", p.encodeMs, "store_ms", time.Since(start).Milliseconds())
	}()
}

// snapshotDue reports whether the room has applied enough inputs since
// its last snapshot, long enough ago, to take another.
func (r *room) snapshotDue() bool {
	every := r.server.config.SnapshotEveryInputs
	return every > 0 && r.nextSeq-1-r.snapshotSeq >= every && time.Since(r.snapshotAt) >= r.server.config.SnapshotMinInterval
}

// maxJoinerStateBytes bounds a state snapshot sent to a joining member;
// a room whose state is larger sends its journal.
const maxJoinerStateBytes = 64 << 20

// stateForJoiner returns the room's stored state snapshot for a member
// that asked for a snapshot and can read a state one, and the seq it
// covers: one of this engine, at most Config.MaxTailInputs behind the
// last input. The room's inputs are all committed (a join drains them),
// so the stored snapshot is of a state they reach.
func (r *room) stateForJoiner(q request, last int64) ([]byte, int64, bool) {
	if !q.state {
		return nil, 0, false
	}
	stored, found, err := r.server.store.LatestSnapshot(context.Background(), r.id)
	if err != nil {
		r.server.logger.Warn("backend: a room's snapshot cannot be read for a joining member; it gets the journal", "room", r.token, "err", err)
		return nil, 0, false
	}
	if !found || stored.Engine != engineID() || stored.Seq > last || last-stored.Seq > r.server.config.MaxTailInputs ||
		len(stored.Data) > maxJoinerStateBytes {
		return nil, 0, false
	}
	return stored.Data, stored.Seq, true
}
