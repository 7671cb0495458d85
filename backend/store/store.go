// Package store keeps rooms and their input journals in SQLite
// (mattn/go-sqlite3), in WAL mode with synchronous=FULL, so that an input
// Append has returned for is on disk and survives a crash of the process
// or of the machine.
//
// Appends from every room go through one committer, which gathers the
// appends waiting at the moment into one transaction (group commit): one
// fsync for many inputs, and still no append returns before its inputs are
// committed.
//
// A run of the room clock's identical advances is one row covering a
// range of seqs (Input.LastSeq): a room that ticks for a week keeps a
// bounded number of rows, and Inputs hands the run back trimmed to the
// seqs asked for, so that a reader can expand it into the inputs it
// stands for, each at its seq.
//
// A large gateway input (4 KiB or more: a real client's Produce request
// with its records) is not written into SQLite but appended to its
// room's payload file beside the database (<database>-payloads/room-<id>),
// s2-compressed when that saves an eighth of it, and fsync'd before the
// row that says where it is (offset, length, CRC-32C)
// is committed: each of its bytes is written once, where SQLite wrote it
// to the WAL and again at the checkpoint. A crash between the two leaves
// bytes that no row references, which Open truncates; a payload that
// does not read back whole and with its checksum is an error naming the
// room and the seq. payloads.go has the rules. Callers see the same
// Input either way.
package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"sync"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
)

// Limits of the committer.
const (
	// maxBatchInputs bounds the inputs of one transaction.
	maxBatchInputs = 4096
	// appendQueue bounds the appends waiting for the committer.
	appendQueue = 1024
	// committerCacheKiB is the page cache of the committer's connection:
	// a transaction of real clients' Produce requests writes megabytes
	// of overflow pages, which SQLite's default cache (2 MB) spills to
	// the WAL before the commit and reads back.
	committerCacheKiB = 64 << 10
)

// pageBytes is the page size of a database the store creates: 16 KiB,
// not SQLite's 4 KiB, so that a real client's megabytes of records take
// a quarter of the pages, each of which the commit writes to the WAL and
// the checkpoint copies with system calls of their own (commits of
// 1 MiB inputs went from 145 to 205 MB/s here, while commits of one
// small input became about 10% slower, as each writes whole pages). A
// database keeps the page size it was created with.
const pageBytes = 16 << 10

// Store is the SQLite database of a server.
type Store struct {
	db       *sql.DB
	now      func() time.Time
	payloads *payloadFiles
	// insert is insertInputs' statement, prepared once: preparing it in
	// every transaction took a quarter of the time of a commit of small
	// inputs.
	insert  *sql.Stmt
	appends chan *appendRequest
	done    chan struct{}
	close   sync.Once
}

// Options tune a Store; every zero field takes the default named beside
// it.
type Options struct {
	// Now is the clock that stamps when a room was created and touched;
	// time.Now.
	Now func() time.Time
	// MaxPayloadFileBytes bounds a room's payload file (payloads.go); an
	// append that would pass it fails. 64 GiB.
	MaxPayloadFileBytes int64
}

// Input is one journaled input of a room: a step in the scenario format,
// a change of the speed of time, or a gateway input (a real Kafka
// client's connection, request, authentication or disconnection).
type Input struct {
	// Seq numbers the room's inputs from 1 without gaps.
	Seq int64
	// Actor is the name of the member who sent it; empty for the room's
	// clock and for the steps the room was created with.
	Actor string
	// Step is the step's JSON, or nil for a speed change or a gateway
	// input.
	Step json.RawMessage
	// Gateway is a gateway input (core/gateway's Input) in its journal
	// form, nil for the other kinds: JSON, stored as text, or the binary
	// form (a Produce request), stored as a blob.
	Gateway []byte
	// SpeedHundredths is the new speed of a speed change, in hundredths
	// of real time.
	SpeedHundredths int64
	// LastSeq, above Seq, makes the input a run: the same input journaled
	// at every seq from Seq to LastSeq, stored as one row. Appending a run
	// whose first seq is already stored as a run of the same input
	// extends that row; 0 is one input.
	LastSeq int64
}

// Last returns the last seq the input covers: LastSeq for a run, Seq
// otherwise.
func (i Input) Last() int64 { return max(i.Seq, i.LastSeq) }

// Count returns the number of seqs the input covers.
func (i Input) Count() int64 { return i.Last() - i.Seq + 1 }

// Room is a stored room.
type Room struct {
	ID              int64
	Token           string
	Header          []byte
	SpeedHundredths int64
	CreatedMs       int64
	// TouchedMs is when the room was last used: created, joined, left or
	// given an input.
	TouchedMs int64
	// Gateway, when not nil, attaches a Kafka gateway to the room: its
	// settings as JSON.
	Gateway []byte
}

// ErrNoRoom is the error of Room for a token no stored room has.
var ErrNoRoom = errors.New("store: no room has this token")

// Open opens (creating it if needed) the database file at path and
// applies the migrations it lacks.
func Open(path string) (*Store, error) { return OpenWith(path, Options{}) }

// OpenWith is Open with options.
func OpenWith(path string, options Options) (*Store, error) {
	if options.Now == nil {
		options.Now = time.Now
	}
	if options.MaxPayloadFileBytes <= 0 {
		options.MaxPayloadFileBytes = defaultMaxPayloadFileBytes
	}
	if err := create(path); err != nil {
		return nil, fmt.Errorf("store: creating %s: %w", path, err)
	}
	parameters := url.Values{}
	parameters.Set("_journal_mode", "WAL")
	parameters.Set("_synchronous", "FULL")
	parameters.Set("_busy_timeout", "10000")
	parameters.Set("_foreign_keys", "on")
	parameters.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite3", "file:"+path+"?"+parameters.Encode())
	if err != nil {
		return nil, err
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: opening %s: %w", path, err)
	}
	if err := migrate(context.Background(), db); err != nil {
		db.Close()
		return nil, err
	}
	payloads, err := openPayloadFiles(context.Background(), db, payloadFolder(path), options.MaxPayloadFileBytes)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("store: the payload files of %s: %w", path, err)
	}
	insert, err := db.PrepareContext(context.Background(), insertInputSQL)
	if err != nil {
		db.Close()
		return nil, err
	}
	s := &Store{db: db, now: options.Now, payloads: payloads, insert: insert, appends: make(chan *appendRequest, appendQueue), done: make(chan struct{})}
	conn, err := db.Conn(context.Background())
	if err == nil {
		_, err = conn.ExecContext(context.Background(), fmt.Sprintf("PRAGMA cache_size = -%d", committerCacheKiB))
	}
	if err != nil {
		if conn != nil {
			conn.Close()
		}
		db.Close()
		return nil, err
	}
	go s.commit(conn)
	return s, nil
}

// create makes the database file if there is none, with pageBytes pages
// and in WAL mode: the page size of a database in WAL mode no longer
// changes, so it is set before.
func create(path string) error {
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=10000")
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec(fmt.Sprintf("PRAGMA page_size = %d; PRAGMA journal_mode = WAL", pageBytes))
	return err
}

// SQL returns the database, for stores that keep their own tables in it
// (share links).
func (s *Store) SQL() *sql.DB { return s.db }

// Close waits for the appends already queued, then closes the payload
// files and the database. Appends after Close fail.
func (s *Store) Close() error {
	s.close.Do(func() { close(s.appends) })
	<-s.done
	s.payloads.close()
	s.insert.Close()
	return s.db.Close()
}

// CreateRoom stores a new room with the inputs it starts with and
// returns its id. The room counts as touched when it was created.
func (s *Store) CreateRoom(ctx context.Context, room Room, inputs []Input) (int64, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	result, err := tx.ExecContext(ctx,
		`INSERT INTO rooms (token, header, speed_hundredths, created_ms, touched_ms, gateway) VALUES (?, ?, ?, ?, ?, ?)`,
		room.Token, string(room.Header), room.SpeedHundredths, room.CreatedMs, room.CreatedMs, nullableText(room.Gateway))
	if err != nil {
		return 0, err
	}
	id, err := result.LastInsertId()
	if err != nil {
		return 0, err
	}
	if err := s.insertInputs(ctx, tx, id, inputs, nil); err != nil {
		return 0, err
	}
	return id, tx.Commit()
}

// nullableText is NULL for nil bytes, their text otherwise.
func nullableText(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// roomColumns are the columns scanRoom reads.
const roomColumns = `id, token, header, speed_hundredths, created_ms, touched_ms, gateway`

// scanRoom reads one row of roomColumns.
func scanRoom(row interface{ Scan(...any) error }) (Room, error) {
	var room Room
	var header string
	var gateway sql.NullString
	err := row.Scan(&room.ID, &room.Token, &header, &room.SpeedHundredths, &room.CreatedMs, &room.TouchedMs, &gateway)
	room.Header = []byte(header)
	if gateway.Valid {
		room.Gateway = []byte(gateway.String)
	}
	return room, err
}

// Setting returns a value the server stored under key, and false when
// none is.
func (s *Store) Setting(ctx context.Context, key string) (string, bool, error) {
	var value string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM server_settings WHERE key = ?`, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return value, err == nil, err
}

// SetSetting stores a value under key, replacing the one there.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO server_settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// Rooms returns every stored room, oldest first.
func (s *Store) Rooms(ctx context.Context) ([]Room, error) {
	return s.queryRooms(ctx, `SELECT `+roomColumns+` FROM rooms ORDER BY id`)
}

// queryRooms returns the rooms a query of roomColumns selects.
func (s *Store) queryRooms(ctx context.Context, query string, arguments ...any) ([]Room, error) {
	rows, err := s.db.QueryContext(ctx, query, arguments...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var rooms []Room
	for rows.Next() {
		room, err := scanRoom(rows)
		if err != nil {
			return nil, err
		}
		rooms = append(rooms, room)
	}
	return rooms, rows.Err()
}

// Room returns the stored room of a token, or ErrNoRoom.
func (s *Store) Room(ctx context.Context, token string) (Room, error) {
	room, err := scanRoom(s.db.QueryRowContext(ctx, `SELECT `+roomColumns+` FROM rooms WHERE token = ?`, token))
	if errors.Is(err, sql.ErrNoRows) {
		return Room{}, ErrNoRoom
	}
	return room, err
}

// CountRooms returns the number of stored rooms.
func (s *Store) CountRooms(ctx context.Context) (int, error) {
	var count int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM rooms`).Scan(&count)
	return count, err
}

// Touch records that a room is being used now.
func (s *Store) Touch(ctx context.Context, roomID int64) error {
	_, err := s.db.ExecContext(ctx, `UPDATE rooms SET touched_ms = MAX(touched_ms, ?) WHERE id = ?`,
		s.now().UnixMilli(), roomID)
	return err
}

// UntouchedRooms returns, oldest touch first, at most limit rooms last
// touched before touchedBeforeMs.
func (s *Store) UntouchedRooms(ctx context.Context, touchedBeforeMs int64, limit int) ([]Room, error) {
	return s.queryRooms(ctx, `SELECT `+roomColumns+` FROM rooms WHERE touched_ms < ? ORDER BY touched_ms LIMIT ?`,
		touchedBeforeMs, limit)
}

// DeleteRoom deletes a room and its journal, in one transaction, if it
// was last touched before touchedBeforeMs, then its payload file; it
// reports whether it deleted the room. A payload file that cannot be
// deleted is an error (the room is deleted all the same; the next Open
// deletes the file).
func (s *Store) DeleteRoom(ctx context.Context, roomID, touchedBeforeMs int64) (bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var touched int64
	err = tx.QueryRowContext(ctx, `SELECT touched_ms FROM rooms WHERE id = ?`, roomID).Scan(&touched)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && touched >= touchedBeforeMs) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM inputs WHERE room_id = ?`, roomID); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM room_snapshots WHERE room_id = ?`, roomID); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM rooms WHERE id = ?`, roomID); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, err
	}
	if err := s.payloads.remove(roomID); err != nil {
		return true, fmt.Errorf("store: room %d is deleted, but not its payload file: %w", roomID, err)
	}
	return true, nil
}

// Snapshot is a room's stored state snapshot.
type Snapshot struct {
	// Seq is the last input the state has applied.
	Seq int64
	// Engine names the build of the engine that wrote it; a server uses
	// only a snapshot of its own engine.
	Engine string
	// SpeedHundredths is the room's speed of time after Seq.
	SpeedHundredths int64
	CreatedMs       int64
	Data            []byte
}

// SaveSnapshot stores the state snapshot of the room of id roomID and
// token, unless a snapshot of a later seq is stored already, or the
// room is gone (or its id now another room's); it reports whether it
// stored it.
func (s *Store) SaveSnapshot(ctx context.Context, roomID int64, token string, snapshot Snapshot) (bool, error) {
	result, err := s.db.ExecContext(ctx, `INSERT INTO room_snapshots (room_id, seq, engine, speed_hundredths, created_ms, data)
		SELECT id, ?, ?, ?, ?, ? FROM rooms WHERE id = ? AND token = ?
		ON CONFLICT (room_id) DO UPDATE SET seq = excluded.seq, engine = excluded.engine,
			speed_hundredths = excluded.speed_hundredths, created_ms = excluded.created_ms, data = excluded.data
		WHERE excluded.seq >= room_snapshots.seq OR excluded.engine != room_snapshots.engine`,
		snapshot.Seq, snapshot.Engine, snapshot.SpeedHundredths, snapshot.CreatedMs, snapshot.Data, roomID, token)
	if err != nil {
		return false, fmt.Errorf("store: snapshot of room %d: %w", roomID, err)
	}
	changed, err := result.RowsAffected()
	return changed == 1, err
}

// LatestSnapshot returns a room's stored state snapshot, and false when
// it has none; its Data is nil when it is longer than maxBytes (which
// are then not read).
func (s *Store) LatestSnapshot(ctx context.Context, roomID int64, maxBytes int) (Snapshot, bool, error) {
	var snapshot Snapshot
	err := s.db.QueryRowContext(ctx, `SELECT seq, engine, speed_hundredths, created_ms,
		CASE WHEN length(data) <= ? THEN data END FROM room_snapshots WHERE room_id = ?`, maxBytes, roomID).
		Scan(&snapshot.Seq, &snapshot.Engine, &snapshot.SpeedHundredths, &snapshot.CreatedMs, &snapshot.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return Snapshot{}, false, nil
	}
	return snapshot, err == nil, err
}

// Inputs calls visit with the room's inputs whose seq is in
// (afterSeq, beforeSeq), in order, at most limit rows of them (no limit
// when limit is 0), and stops at visit's first error. A run is trimmed
// to the seqs asked for: a run from 5 to 9 read after 6 is visited as the
// run from 7 to 9. An input kept in the room's payload file is read from
// there and checked; a payload that is missing, short or damaged is an
// error naming the room and the seq.
func (s *Store) Inputs(ctx context.Context, roomID, afterSeq, beforeSeq int64, limit int, visit func(Input) error) error {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	payloads := &payloadReader{files: s.payloads, roomID: roomID}
	defer payloads.close()
	trim := func(stored storedInput) error {
		input, err := payloads.resolve(stored)
		if err != nil {
			return err
		}
		first, last := max(input.Seq, afterSeq+1), min(input.Last(), beforeSeq-1)
		input.Seq, input.LastSeq = first, 0
		if last > first {
			input.LastSeq = last
		}
		return visit(input)
	}
	// A run that began at or before afterSeq may cover afterSeq+1.
	covering, err := s.queryInputs(ctx, `SELECT `+inputColumns+` FROM inputs
		WHERE room_id = ? AND seq <= ? ORDER BY seq DESC LIMIT 1`, roomID, afterSeq)
	if err != nil {
		return err
	}
	if len(covering) == 1 && covering[0].Last() > afterSeq && afterSeq+1 < beforeSeq {
		if err := trim(covering[0]); err != nil {
			return err
		}
		limit = max(limit-1, -1)
		if limit == 0 {
			return nil
		}
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+inputColumns+` FROM inputs
		WHERE room_id = ? AND seq > ? AND seq < ? ORDER BY seq LIMIT ?`, roomID, afterSeq, beforeSeq, limit)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		input, err := scanInput(rows)
		if err != nil {
			return err
		}
		if err := trim(input); err != nil {
			return err
		}
	}
	return rows.Err()
}

// LastInput returns the room's last stored row as it is stored (a run
// whole, not trimmed), and false for an empty journal.
func (s *Store) LastInput(ctx context.Context, roomID int64) (Input, bool, error) {
	inputs, err := s.queryInputs(ctx, `SELECT `+inputColumns+` FROM inputs
		WHERE room_id = ? ORDER BY seq DESC LIMIT 1`, roomID)
	if err != nil || len(inputs) == 0 {
		return Input{}, false, err
	}
	payloads := &payloadReader{files: s.payloads, roomID: roomID}
	defer payloads.close()
	input, err := payloads.resolve(inputs[0])
	return input, err == nil, err
}

// inputColumns are the columns of an input's row that scanInput reads.
const inputColumns = `seq, last_seq, actor, step, speed_hundredths, gateway, payload_offset, payload_bytes, payload_crc32c`

// storedInput is an input as its row holds it: payload, when not nil,
// says where in the room's payload file its gateway input is.
type storedInput struct {
	Input
	payload *payloadRef
}

// queryInputs returns the rows of inputColumns a query selects.
func (s *Store) queryInputs(ctx context.Context, query string, arguments ...any) ([]storedInput, error) {
	rows, err := s.db.QueryContext(ctx, query, arguments...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var inputs []storedInput
	for rows.Next() {
		input, err := scanInput(rows)
		if err != nil {
			return nil, err
		}
		inputs = append(inputs, input)
	}
	return inputs, rows.Err()
}

// scanInput reads one row of inputColumns.
func scanInput(rows *sql.Rows) (storedInput, error) {
	var input Input
	var last, speed, offset, size, checksum sql.NullInt64
	var step sql.NullString
	if err := rows.Scan(&input.Seq, &last, &input.Actor, &step, &speed, &input.Gateway, &offset, &size, &checksum); err != nil {
		return storedInput{}, err
	}
	if step.Valid {
		input.Step = json.RawMessage(step.String)
	}
	input.SpeedHundredths, input.LastSeq = speed.Int64, last.Int64
	stored := storedInput{Input: input}
	if size.Valid {
		stored.Gateway = nil
		stored.payload = &payloadRef{offset: offset.Int64, bytes: size.Int64, checksum: uint32(checksum.Int64)}
	}
	return stored, nil
}

// insertInputSQL inserts one input's row. A run whose first seq is
// stored already as a run of the same input extends that row instead.
const insertInputSQL = `INSERT INTO inputs (room_id, seq, actor, step, speed_hundredths, last_seq, gateway, payload_offset, payload_bytes, payload_crc32c)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (room_id, seq) DO UPDATE SET last_seq = excluded.last_seq
	WHERE excluded.last_seq IS NOT NULL AND inputs.actor = excluded.actor AND inputs.step IS excluded.step
		AND inputs.speed_hundredths IS excluded.speed_hundredths AND inputs.gateway IS NULL AND excluded.gateway IS NULL
		AND COALESCE(inputs.last_seq, inputs.seq) < excluded.last_seq`

// insertInputs inserts inputs of one room inside tx; payloads, when not
// nil, holds the place in the room's payload file of each input kept
// there (nil for one kept in its row). A run whose first seq is stored
// already as a run of the same input extends that row; any other clash
// of seqs fails.
func (s *Store) insertInputs(ctx context.Context, tx *sql.Tx, roomID int64, inputs []Input, payloads []*payloadRef) error {
	if len(inputs) == 0 {
		return nil
	}
	statement := tx.StmtContext(ctx, s.insert)
	defer statement.Close()
	for i, input := range inputs {
		var step, speed, last, gateway, offset, size, checksum any
		switch {
		case input.Step != nil:
			step = string(input.Step)
		case payloads != nil && payloads[i] != nil:
			gateway = []byte{} // the input is in the payload file
			offset, size, checksum = payloads[i].offset, payloads[i].bytes, int64(payloads[i].checksum)
		case len(input.Gateway) > 0 && input.Gateway[0] == '{':
			gateway = string(input.Gateway) // the JSON form, as text
		case input.Gateway != nil:
			gateway = input.Gateway // the binary form, as a blob
		default:
			speed = input.SpeedHundredths
		}
		if input.LastSeq > input.Seq {
			last = input.LastSeq
		}
		result, err := statement.ExecContext(ctx, roomID, input.Seq, input.Actor, step, speed, last, gateway, offset, size, checksum)
		if err == nil {
			var changed int64
			if changed, err = result.RowsAffected(); err == nil && changed != 1 {
				err = errors.New("the seq is stored already, and not as a shorter run of the same input")
			}
		}
		if err != nil {
			return fmt.Errorf("store: input %d of room %d: %w", input.Seq, roomID, err)
		}
	}
	return nil
}

// touchRooms records, inside tx, that the rooms of a batch were used.
func touchRooms(ctx context.Context, tx *sql.Tx, batch []*appendRequest, nowMs int64) error {
	done := map[int64]bool{}
	for _, request := range batch {
		if done[request.roomID] {
			continue
		}
		done[request.roomID] = true
		if _, err := tx.ExecContext(ctx, `UPDATE rooms SET touched_ms = MAX(touched_ms, ?) WHERE id = ?`,
			nowMs, request.roomID); err != nil {
			return err
		}
	}
	return nil
}

// ErrClosed is the error of an Append after Close.
var ErrClosed = errors.New("store: closed")

// appendRequest is one Append waiting for the committer.
type appendRequest struct {
	roomID int64
	inputs []Input
	done   chan error
}

// Append stores inputs of one room and returns once they are committed
// (or failed to be): on return without error they are on disk.
func (s *Store) Append(roomID int64, inputs []Input) (err error) {
	request := &appendRequest{roomID: roomID, inputs: inputs, done: make(chan error, 1)}
	defer func() {
		if recover() != nil { // the queue was closed by Close
			err = ErrClosed
		}
	}()
	s.appends <- request
	return <-request.done
}

// commit is the committer: it takes the appends waiting, commits them in
// one transaction and answers each.
func (s *Store) commit(conn *sql.Conn) {
	defer close(s.done)
	defer conn.Close()
	for first := range s.appends {
		batch := []*appendRequest{first}
		count := len(first.inputs)
	gather:
		for count < maxBatchInputs {
			select {
			case next, ok := <-s.appends:
				if !ok {
					break gather
				}
				batch = append(batch, next)
				count += len(next.inputs)
			default:
				break gather
			}
		}
		nowMs := s.now().UnixMilli()
		err := s.commitBatch(conn, batch, nowMs)
		for _, request := range batch {
			if err != nil && len(batch) > 1 {
				// Commit each alone, so that one bad append fails alone.
				request.done <- s.commitBatch(conn, []*appendRequest{request}, nowMs)
				continue
			}
			request.done <- err
		}
	}
}

// commitBatch commits the inputs of every request in one transaction,
// and that their rooms were touched at nowMs. The inputs kept in payload
// files are written there and fsync'd before the rows that reference
// them are committed (payloads.go); if the commit fails, the committer
// forgets what it knew of those files.
func (s *Store) commitBatch(conn *sql.Conn, batch []*appendRequest, nowMs int64) (err error) {
	ctx := context.Background()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	s.payloads.mu.Lock()
	defer s.payloads.mu.Unlock()
	payloads, writes, err := s.payloads.place(ctx, tx, batch)
	defer func() {
		for _, w := range writes {
			if err != nil {
				s.payloads.forget(w.roomID)
			} else {
				w.file.end = w.end
			}
		}
	}()
	if err != nil {
		return err
	}
	for _, w := range writes {
		if err := w.write(); err != nil {
			return fmt.Errorf("store: the payload file of room %d: %w", w.roomID, err)
		}
	}
	if testHookPayloadsDurable != nil && len(writes) > 0 {
		if err := testHookPayloadsDurable(); err != nil {
			return err
		}
	}
	for i, request := range batch {
		if err := s.insertInputs(ctx, tx, request.roomID, request.inputs, payloads[i]); err != nil {
			return err
		}
	}
	if err := touchRooms(ctx, tx, batch, nowMs); err != nil {
		return err
	}
	return tx.Commit()
}
