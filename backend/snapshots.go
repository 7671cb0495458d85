package backend

// State snapshots. A room's journal is the truth, and replaying it is
// always a correct restore (rule 5 of doc.go), but its cost grows with
// the journal: with the simulated time, the records and the real
// clients' requests. So a room also stores, now and then, its replica's
// state (core/room's StateSnapshot, store.Snapshot) for the last seq it
// has applied and committed; a restore reads the latest one of this
// build's engine and applies only the inputs after it. A snapshot that
// is missing, of another engine, damaged, ahead of the journal, or that
// the inputs after it do not apply to (even if the engine panics on
// them), is passed over for a full replay, and the room writes a new one
// later: nothing depends on snapshots but speed.
//
// When: after Config.SnapshotEveryInputs inputs since the room's last
// snapshot (at most once per Config.SnapshotMinInterval), and when a
// room with inputs since its last snapshot is evicted or the server
// stops. The state is encoded in the room's goroutine, which holds the
// replica (for a million records, a few hundred milliseconds during
// which its inputs wait), and written to SQLite in the background by one
// writer, which keeps only the latest snapshot of each room waiting.
// A state over maxSnapshotBytes is not stored: the room replays its
// journal. While a snapshot is written, SQLite's one write lock makes
// every room's commits wait for it (about 0.1 s for 18 MiB here).

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"time"

	"github.com/kafka-playground/playground/backend/store"
	replica "github.com/kafka-playground/playground/core/room"
	"github.com/kafka-playground/playground/core/scenario"
	"github.com/kafka-playground/playground/core/snapshot"
)

// maxSnapshotBytes bounds one stored snapshot; a room whose state is
// larger replays its journal instead.
const maxSnapshotBytes = 64 << 20

// maxJoinerStateBytes bounds a state snapshot sent to a joining member;
// a room whose state is larger sends its journal.
const maxJoinerStateBytes = maxSnapshotBytes

// newEngineID names this build of the engine in stored snapshots: the
// snapshot codec's fingerprint of the core's types and a digest of the
// running executable, so that a rebuilt server, whose engine may behave
// otherwise, replays its rooms' journals once rather than trust a state
// an older engine computed. It is taken when the server opens, from the
// running image (/proc/self/exe, which stays that image when the file is
// replaced by a deploy); where no digest can be taken, the id is this
// process's own, which no stored snapshot matches.
func newEngineID() string {
	id := hex.EncodeToString(snapshot.Fingerprint())
	for _, path := range []string{"/proc/self/exe", executablePath()} {
		if digest, err := fileDigest(path); err == nil {
			return id + "-" + digest
		}
	}
	return fmt.Sprintf("%s-unverifiable-%d-%d", id, os.Getpid(), time.Now().UnixNano())
}

func executablePath() string {
	path, _ := os.Executable()
	return path
}

func fileDigest(path string) (string, error) {
	file, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer file.Close()
	digest := sha256.New()
	if _, err := io.Copy(digest, file); err != nil {
		return "", err
	}
	return hex.EncodeToString(digest.Sum(nil)[:8]), nil
}

// restoreFromSnapshot restores a room from its latest stored snapshot
// and the inputs after it, applied as they were live. It returns nil
// when the room has no usable snapshot, or the snapshot does not restore
// (the reason logged): the caller replays the whole journal.
func (s *Server) restoreFromSnapshot(record store.Room, lastSeq int64) (restored *replica.Replica, base store.Snapshot, speed int64) {
	defer func() {
		if recovered := recover(); recovered != nil {
			s.logger.Error("backend: the engine panicked restoring a room's snapshot (a bug); its journal is replayed",
				"room", record.Token, "seq", base.Seq, "panic", recovered)
			restored = nil
		}
	}()
	stored, found, err := s.store.LatestSnapshot(context.Background(), record.ID, maxSnapshotBytes)
	switch {
	case err != nil:
		s.logger.Warn("backend: a room's snapshot cannot be read; its journal is replayed", "room", record.Token, "err", err)
		return nil, base, 0
	case !found || stored.Data == nil:
		return nil, base, 0
	case stored.Engine != s.engineID:
		s.logger.Info("backend: a room's snapshot is of another build of the engine; its journal is replayed",
			"room", record.Token, "snapshot_engine", stored.Engine)
		return nil, base, 0
	case stored.Seq > lastSeq:
		s.logger.Warn("backend: a room's snapshot is ahead of its journal; the journal is replayed", "room", record.Token, "seq", stored.Seq)
		return nil, base, 0
	}
	base = stored
	restored, err = replica.RestoreState(stored.Data, scenario.Options{})
	base.Data = nil
	if err != nil {
		s.logger.Warn("backend: a room's snapshot does not restore; its journal is replayed", "room", record.Token, "seq", base.Seq, "err", err)
		return nil, base, 0
	}
	speed, tail, err := s.readJournal(record.ID, base.Seq, base.SpeedHundredths)
	if err == nil {
		err = restored.ApplyStored(tail)
	}
	if err != nil {
		s.logger.Warn("backend: a room's journal does not apply after its snapshot; it is replayed whole", "room", record.Token, "err", err)
		return nil, base, 0
	}
	return restored, base, speed
}

// snapshotTaker writes rooms' snapshots to the store in the background:
// one writer, and for each room only the latest snapshot waiting, so
// that a burst of snapshots holds one encoded state per room at most.
type snapshotTaker struct {
	// waiting, writing and closed are under Server.mu: the snapshots
	// waiting by room, whether the writer runs, and whether Close waits
	// for it (after which no snapshot is queued).
	waiting map[int64]queuedSnapshot
	writing bool
	closed  bool
	// done is closed when the writer stops.
	done chan struct{}
}

// queuedSnapshot is a snapshot waiting for the writer.
type queuedSnapshot struct {
	pendingSnapshot
	token string
}

// queue hands a committed snapshot to the writer, replacing an older
// one of the same room that still waits.
func (s *Server) queueSnapshot(roomID int64, token string, p *pendingSnapshot) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &s.snapshots
	if t.closed {
		return
	}
	if t.waiting == nil {
		t.waiting = map[int64]queuedSnapshot{}
	}
	if old, ok := t.waiting[roomID]; ok && old.Seq > p.Seq {
		return
	}
	t.waiting[roomID] = queuedSnapshot{pendingSnapshot: *p, token: token}
	if !t.writing {
		t.writing, t.done = true, make(chan struct{})
		go s.writeSnapshots()
	}
}

// writeSnapshots is the writer: it stores the waiting snapshots, rooms
// in id order, until none waits.
func (s *Server) writeSnapshots() {
	for {
		s.mu.Lock()
		t := &s.snapshots
		if len(t.waiting) == 0 {
			t.writing = false
			close(t.done)
			s.mu.Unlock()
			return
		}
		roomID := slices.Min(slices.Collect(maps.Keys(t.waiting)))
		q := t.waiting[roomID]
		delete(t.waiting, roomID)
		s.mu.Unlock()
		start := time.Now()
		stored, err := s.store.SaveSnapshot(context.Background(), roomID, q.token, q.Snapshot)
		switch {
		case err != nil:
			s.logger.Error("backend: a room's snapshot could not be stored", "room", q.token, "seq", q.Seq, "err", err)
		case stored:
			s.logger.Info("backend: room snapshot stored", "room", q.token, "seq", q.Seq, "reason", q.reason,
				"bytes", len(q.Data), "encode_ms", q.encodeMs, "store_ms", time.Since(start).Milliseconds())
		}
	}
}

// closeSnapshots waits for the writer and stops taking snapshots.
func (s *Server) closeSnapshots() {
	s.mu.Lock()
	s.snapshots.closed = true
	writing, done := s.snapshots.writing, s.snapshots.done
	s.mu.Unlock()
	if writing {
		<-done
	}
}

// snapshotNow encodes the room's state after its last applied input.
// It is stored in the background once that input is committed (at once
// if it is): a snapshot is never of a state the journal may lose.
func (r *room) snapshotNow(reason string) {
	seq := r.nextSeq - 1
	if seq <= r.snapshotSeq || r.server.config.SnapshotEveryInputs < 0 {
		return
	}
	start := time.Now()
	data, err := r.replica.StateSnapshotAtMost(maxSnapshotBytes)
	// Taken, stored or not: the next one waits for more inputs.
	r.snapshotSeq, r.snapshotAt = seq, time.Now()
	switch {
	case errors.Is(err, snapshot.ErrTooLarge):
		r.server.logger.Warn("backend: a room's state is too large to store as a snapshot; its journal is replayed at restore",
			"room", r.token, "limit_bytes", maxSnapshotBytes, "ms", time.Since(start).Milliseconds())
		return
	case err != nil:
		r.server.logger.Error("backend: a room's state cannot be snapshotted (a bug); its journal is replayed at restore",
			"room", r.token, "seq", seq, "err", err)
		return
	}
	r.unstored = &pendingSnapshot{reason: reason, encodeMs: time.Since(start).Milliseconds(),
		Snapshot: store.Snapshot{Seq: seq, Engine: r.server.engineID, SpeedHundredths: r.speed, CreatedMs: r.server.config.Now().UnixMilli(), Data: data}}
	r.storeSnapshot()
}

// pendingSnapshot is a snapshot waiting for its seq's commit.
type pendingSnapshot struct {
	store.Snapshot
	reason   string
	encodeMs int64
}

// storeSnapshot queues the snapshot that waits, if its seq is committed;
// the commit pipeline calls it after every commit, and drops the
// snapshot when a commit fails.
func (r *room) storeSnapshot() {
	if p := r.unstored; p != nil && p.Seq <= r.durableSeq {
		r.unstored = nil
		r.server.queueSnapshot(r.id, r.token, p)
	}
}

// snapshotDue reports whether the room has applied enough inputs since
// its last snapshot, long enough ago, to take another.
func (r *room) snapshotDue() bool {
	every := r.server.config.SnapshotEveryInputs
	return every > 0 && r.nextSeq-1-r.snapshotSeq >= every && time.Since(r.snapshotAt) >= r.server.config.SnapshotMinInterval
}

// stateForJoiner returns the room's stored state snapshot for a member
// that asked for a snapshot and can read a state one, and the seq it
// covers: one of this engine, at most Config.MaxTailInputs behind the
// last input and maxJoinerStateBytes long. The room's inputs are all
// committed (a join drains them), so the stored snapshot is of a state
// they reach.
func (r *room) stateForJoiner(q request, last int64) ([]byte, int64, bool) {
	if !q.state {
		return nil, 0, false
	}
	stored, found, err := r.server.store.LatestSnapshot(context.Background(), r.id, maxJoinerStateBytes)
	if err != nil {
		r.server.logger.Warn("backend: a room's snapshot cannot be read for a joining member; it gets the journal", "room", r.token, "err", err)
		return nil, 0, false
	}
	if !found || stored.Data == nil || stored.Engine != r.server.engineID || stored.Seq > last || last-stored.Seq > r.server.config.MaxTailInputs {
		return nil, 0, false
	}
	return stored.Data, stored.Seq, true
}
