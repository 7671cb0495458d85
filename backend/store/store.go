// Package store keeps rooms and their input journals in SQLite
// (mattn/go-sqlite3), in WAL mode with synchronous=FULL, so that an input
// Append has returned for is on disk and survives a crash of the process
// or of the machine.
//
// Appends from every room go through one committer, which gathers the
// appends waiting at the moment into one transaction (group commit): one
// fsync for many inputs, and still no append returns before its inputs are
// committed.
package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sync"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
)

// Limits of the committer.
const (
	// maxBatchInputs bounds the inputs of one transaction.
	maxBatchInputs = 4096
	// appendQueue bounds the appends waiting for the committer.
	appendQueue = 1024
)

// Store is the SQLite database of a server.
type Store struct {
	db      *sql.DB
	appends chan *appendRequest
	done    chan struct{}
	close   sync.Once
}

// Input is one journaled input of a room: a step in the scenario format,
// or a change of the speed of time.
type Input struct {
	// Seq numbers the room's inputs from 1 without gaps.
	Seq int64
	// Actor is the name of the member who sent it; empty for the room's
	// clock and for the steps the room was created with.
	Actor string
	// Step is the step's JSON, or nil for a speed change.
	Step json.RawMessage
	// SpeedHundredths is the new speed of a speed change, in hundredths
	// of real time.
	SpeedHundredths int64
}

// Room is a stored room.
type Room struct {
	ID              int64
	Token           string
	Header          []byte
	SpeedHundredths int64
	CreatedMs       int64
}

// Open opens (creating it if needed) the database file at path and
// applies the migrations it lacks.
func Open(path string) (*Store, error) {
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
	s := &Store{db: db, appends: make(chan *appendRequest, appendQueue), done: make(chan struct{})}
	conn, err := db.Conn(context.Background())
	if err != nil {
		db.Close()
		return nil, err
	}
	go s.commit(conn)
	return s, nil
}

// SQL returns the database, for stores that keep their own tables in it
// (share links).
func (s *Store) SQL() *sql.DB { return s.db }

// Close waits for the appends already queued, then closes the database.
// Appends after Close fail.
func (s *Store) Close() error {
	s.close.Do(func() { close(s.appends) })
	<-s.done
	return s.db.Close()
}

// CreateRoom stores a new room with the inputs it starts with and
// returns its id.
func (s *Store) CreateRoom(ctx context.Context, room Room, inputs []Input) (int64, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	result, err := tx.ExecContext(ctx,
		`INSERT INTO rooms (token, header, speed_hundredths, created_ms) VALUES (?, ?, ?, ?)`,
		room.Token, string(room.Header), room.SpeedHundredths, room.CreatedMs)
	if err != nil {
		return 0, err
	}
	id, err := result.LastInsertId()
	if err != nil {
		return 0, err
	}
	if err := insertInputs(ctx, tx, id, inputs); err != nil {
		return 0, err
	}
	return id, tx.Commit()
}

// Rooms returns every stored room, oldest first.
func (s *Store) Rooms(ctx context.Context) ([]Room, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, token, header, speed_hundredths, created_ms FROM rooms ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var rooms []Room
	for rows.Next() {
		var room Room
		var header string
		if err := rows.Scan(&room.ID, &room.Token, &header, &room.SpeedHundredths, &room.CreatedMs); err != nil {
			return nil, err
		}
		room.Header = []byte(header)
		rooms = append(rooms, room)
	}
	return rooms, rows.Err()
}

// Inputs calls visit with the room's inputs whose seq is in
// (afterSeq, beforeSeq), in order, at most limit of them (no limit when
// limit is 0), and stops at visit's first error.
func (s *Store) Inputs(ctx context.Context, roomID, afterSeq, beforeSeq int64, limit int, visit func(Input) error) error {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := s.db.QueryContext(ctx,
		`SELECT seq, actor, step, speed_hundredths FROM inputs WHERE room_id = ? AND seq > ? AND seq < ? ORDER BY seq LIMIT ?`,
		roomID, afterSeq, beforeSeq, limit)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var input Input
		var step sql.NullString
		var speed sql.NullInt64
		if err := rows.Scan(&input.Seq, &input.Actor, &step, &speed); err != nil {
			return err
		}
		if step.Valid {
			input.Step = json.RawMessage(step.String)
		}
		input.SpeedHundredths = speed.Int64
		if err := visit(input); err != nil {
			return err
		}
	}
	return rows.Err()
}

// insertInputs inserts inputs of one room inside tx.
func insertInputs(ctx context.Context, tx *sql.Tx, roomID int64, inputs []Input) error {
	if len(inputs) == 0 {
		return nil
	}
	statement, err := tx.PrepareContext(ctx,
		`INSERT INTO inputs (room_id, seq, actor, step, speed_hundredths) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer statement.Close()
	for _, input := range inputs {
		var step, speed any
		if input.Step != nil {
			step = string(input.Step)
		} else {
			speed = input.SpeedHundredths
		}
		if _, err := statement.ExecContext(ctx, roomID, input.Seq, input.Actor, step, speed); err != nil {
			return fmt.Errorf("store: input %d of room %d: %w", input.Seq, roomID, err)
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
		err := commitBatch(conn, batch)
		for _, request := range batch {
			if err != nil && len(batch) > 1 {
				// Commit each alone, so that one bad append fails alone.
				request.done <- commitBatch(conn, []*appendRequest{request})
				continue
			}
			request.done <- err
		}
	}
}

// commitBatch commits the inputs of every request in one transaction.
func commitBatch(conn *sql.Conn, batch []*appendRequest) error {
	ctx := context.Background()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, request := range batch {
		if err := insertInputs(ctx, tx, request.roomID, request.inputs); err != nil {
			return err
		}
	}
	return tx.Commit()
}
