package backend

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kafka-playground/playground/backend/links"
	"github.com/kafka-playground/playground/backend/store"
	replica "github.com/kafka-playground/playground/core/room"
	"github.com/kafka-playground/playground/core/scenario"
)

// DatabaseFile is the name of the SQLite file inside Config.DataDir.
const DatabaseFile = "playground.db"

// Config tunes a Server; every zero field takes the default named beside
// it.
type Config struct {
	// DataDir is the folder of the SQLite file and of the folder of its
	// rooms' payload files (DatabaseFile + "-payloads"), created if
	// missing; "data" by default.
	DataDir string
	// AllowedOrigins are host patterns (path.Match syntax, as
	// websocket.AcceptOptions.OriginPatterns) whose pages may open a room's
	// WebSocket besides the server's own host, which always may.
	AllowedOrigins []string
	// MaxRooms bounds the rooms the server stores; 1000.
	MaxRooms int
	// MaxLiveRooms bounds the rooms held in memory at once (restored and
	// running, or being restored); 100. A join that would pass it is
	// refused with a sentence saying so.
	MaxLiveRooms int
	// IdleTimeout is how long a room stays in memory once nobody is in
	// it; 5 minutes. It is then evicted: its sequencer stops and its
	// memory is freed, and the next join restores it from the journal.
	IdleTimeout time.Duration
	// RoomExpiry is how long a room nobody uses (no join, no input) is
	// kept before it is deleted with its journal; 30 days. Negative
	// keeps rooms forever.
	RoomExpiry time.Duration
	// ExpiryInterval is how often expired rooms are looked for, besides
	// at start; 1 hour.
	ExpiryInterval time.Duration
	// MaxTailInputs bounds the inputs a resuming member is sent one by
	// one; 100,000. A member further behind gets a snapshot instead.
	MaxTailInputs int64
	// Now is the clock of the rooms' created and touched times, which
	// expiry compares; time.Now. Idle times are measured on the
	// monotonic clock.
	Now func() time.Time
	// MaxMembersPerRoom bounds the connections joined to one room; 32.
	MaxMembersPerRoom int
	// MaxStepsPerRoom bounds the steps of a room's journal (plain
	// advances merged); by default a scenario's limit, so that a room's
	// journal is always a scenario file.
	MaxStepsPerRoom int
	// MaxFrameBytes bounds one WebSocket frame from a client; 128 KiB.
	MaxFrameBytes int64
	// MaxRoomScenarioBytes bounds the scenario a room is created from; 1 MiB.
	MaxRoomScenarioBytes int64
	// MaxLinkBytes bounds the scenario of a short link; 256 KiB.
	MaxLinkBytes int64
	// FramesPerSecond and FrameBurst are each connection's token bucket;
	// 20 frames per second, bursts of 40.
	FramesPerSecond float64
	FrameBurst      int
	// SendQueueFrames bounds the frames waiting to be written to one
	// connection; 4096. A connection whose queue is full is closed.
	SendQueueFrames int
	// TickInterval is how often a running room's clock advances time;
	// 100 ms of wall time, that is speed × 100 ms of virtual time.
	TickInterval time.Duration
	// HashInterval is how often members receive the trace hash; 1 s.
	HashInterval time.Duration
	// HelloTimeout bounds the wait for a connection's hello; 10 s.
	HelloTimeout time.Duration
	// WriteTimeout bounds one frame's write; 10 s.
	WriteTimeout time.Duration
	// InitialSpeedHundredths is the speed of time of a new room, in
	// hundredths of real time; 100 (real time). Negative means paused. A
	// room with a Kafka gateway always runs at real time.
	InitialSpeedHundredths int64
	// MaxGatewayRooms bounds the rooms with an open Kafka gateway (each
	// holds a port per broker and listener); 8.
	MaxGatewayRooms int
	// MaxGatewayInputsPerRoom and MaxGatewayBytesPerRoom bound the
	// inputs of real clients one room journals (connections, requests,
	// authentications), by count and by the bytes of their journal
	// form; 100,000 and 32 MiB, so that a late joiner's snapshot stays
	// small. Past them the room's gateway stops accepting: its
	// connections close, new ones are refused, and the log, the members
	// and the welcome say why.
	MaxGatewayInputsPerRoom int64
	MaxGatewayBytesPerRoom  int64
	// SnapshotEveryInputs is how many inputs a room applies between two
	// state snapshots (snapshots.go); 10,000. A room also writes one
	// when it is evicted or the server stops, if it has inputs since its
	// last. Negative turns snapshots off: restores replay whole journals.
	SnapshotEveryInputs int64
	// SnapshotMinInterval is the shortest time between two snapshots of
	// a room taken for SnapshotEveryInputs; 1 minute.
	SnapshotMinInterval time.Duration
	// Logger receives the server's log; slog.Default() by default.
	Logger *slog.Logger
}

// withDefaults fills in the zero fields.
func (c Config) withDefaults() Config {
	setDefault(&c.DataDir, "data")
	setDefault(&c.MaxRooms, 1000)
	setDefault(&c.MaxLiveRooms, 100)
	setDefault(&c.IdleTimeout, 5*time.Minute)
	setDefault(&c.RoomExpiry, 30*24*time.Hour)
	setDefault(&c.ExpiryInterval, time.Hour)
	setDefault(&c.MaxTailInputs, 100_000)
	setDefault(&c.MaxMembersPerRoom, 32)
	setDefault(&c.MaxStepsPerRoom, scenario.MaxSteps-1)
	setDefault(&c.MaxFrameBytes, 128<<10)
	setDefault(&c.MaxRoomScenarioBytes, 1<<20)
	setDefault(&c.MaxLinkBytes, 256<<10)
	setDefault(&c.FramesPerSecond, 20)
	setDefault(&c.FrameBurst, 40)
	setDefault(&c.SendQueueFrames, 4096)
	setDefault(&c.TickInterval, 100*time.Millisecond)
	setDefault(&c.HashInterval, time.Second)
	setDefault(&c.HelloTimeout, 10*time.Second)
	setDefault(&c.WriteTimeout, 10*time.Second)
	setDefault(&c.InitialSpeedHundredths, 100)
	setDefault(&c.MaxGatewayRooms, 8)
	setDefault(&c.MaxGatewayInputsPerRoom, 100_000)
	setDefault(&c.MaxGatewayBytesPerRoom, 32<<20)
	setDefault(&c.SnapshotEveryInputs, 10_000)
	setDefault(&c.SnapshotMinInterval, time.Minute)
	if c.InitialSpeedHundredths < 0 {
		c.InitialSpeedHundredths = 0
	}
	c.MaxStepsPerRoom = min(c.MaxStepsPerRoom, scenario.MaxSteps-1)
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

func setDefault[T comparable](field *T, value T) {
	var zero T
	if *field == zero {
		*field = value
	}
}

// Server holds the rooms and the stores; Handler serves them.
type Server struct {
	config Config
	store  *store.Store
	links  links.Store
	logger *slog.Logger
	// appendInputs commits inputs of a room, returning once they are on
	// disk: the store's Append (tests hold or fail it).
	appendInputs func(roomID int64, inputs []store.Input) error

	// mu guards rooms, closing and every room's users.
	mu sync.Mutex
	// rooms holds the live rooms: running, being restored, or being
	// deleted by expiry (see registry.go).
	rooms     map[string]*room
	closing   bool
	evictions int64
	// gatewayRooms are the rooms with an open Kafka gateway.
	gatewayRooms map[*room]bool
	// createMu makes counting the stored rooms and creating one atomic.
	createMu sync.Mutex
	// expiryStop ends the expiry loop, which closes expiryDone.
	expiryStop chan struct{}
	expiryDone chan struct{}
	// snapshots writes rooms' state snapshots (snapshots.go);
	// snapshotRestores counts the restores that began from one;
	// engineID names this build's engine in them.
	snapshots        snapshotTaker
	snapshotRestores atomic.Int64
	engineID         string
}

// Open opens (or creates) the database in config.DataDir and deletes
// the rooms that expired. It restores no room: a room is restored when
// someone joins it.
func Open(config Config) (*Server, error) {
	config = config.withDefaults()
	if err := os.MkdirAll(config.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("backend: data folder: %w", err)
	}
	db, err := store.OpenWith(filepath.Join(config.DataDir, DatabaseFile), store.Options{Now: config.Now})
	if err != nil {
		return nil, err
	}
	s := &Server{config: config, store: db, links: links.NewSQLStore(db.SQL()), logger: config.Logger, engineID: newEngineID(),
		rooms: map[string]*room{}, gatewayRooms: map[*room]bool{}, expiryStop: make(chan struct{}), expiryDone: make(chan struct{})}
	s.appendInputs = db.Append
	if _, err := s.expireRooms(context.Background()); err != nil {
		db.Close()
		return nil, fmt.Errorf("backend: deleting expired rooms: %w", err)
	}
	go s.expireEvery(config.ExpiryInterval)
	return s, nil
}

// restoreRoom replays a stored room's journal into r: the snapshot is a
// replay. Runs of clock advances are restored without expanding them.
func (s *Server) restoreRoom(r *room, record store.Room) error {
	header, err := scenario.Decode("room "+record.Token, record.Header)
	if err != nil {
		return err
	}
	last, _, err := s.store.LastInput(context.Background(), record.ID)
	if err != nil {
		return err
	}
	// The latest snapshot and the inputs after it, or the whole journal.
	restored, base, speed := s.restoreFromSnapshot(record, last.Last())
	if restored != nil {
		s.snapshotRestores.Add(1)
	} else {
		var tail []replica.Input
		if speed, tail, err = s.readJournal(record.ID, 0, record.SpeedHundredths); err != nil {
			return err
		}
		if restored, err = replica.RestoreInputs("room", header, tail, scenario.Options{}); err != nil {
			return err
		}
		base = store.Snapshot{}
	}
	r.record, r.id, r.header, r.replica = record, record.ID, record.Header, restored
	r.nextSeq, r.speed, r.hashedSeq, r.clockRun = last.Last()+1, speed, -1, nil
	r.snapshotSeq, r.snapshotAt, r.unstored = base.Seq, time.Now(), nil
	if isClockTick(last) {
		r.clockRun = &store.Input{Seq: last.Seq, LastSeq: last.LastSeq, Step: last.Step}
	}
	if record.Gateway != nil {
		r.speed = 100
		r.replica.TrackGatewayResponses()
		if err := r.closeStaleConnections(); err != nil {
			return err
		}
	}
	r.markDurable()
	return nil
}

// readJournal reads a room's inputs after afterSeq for a replica, runs
// of ticks whole, and the speed of time after them (speed after
// afterSeq).
func (s *Server) readJournal(roomID, afterSeq, speed int64) (int64, []replica.Input, error) {
	var inputs []replica.Input
	previous := afterSeq
	err := s.store.Inputs(context.Background(), roomID, afterSeq, 1<<62, 0, func(input store.Input) error {
		if input.Seq != previous+1 {
			return fmt.Errorf("the journal jumps from seq %d to %d", previous, input.Seq)
		}
		previous = input.Last()
		switch {
		case input.Gateway != nil:
			inputs = append(inputs, replica.Input{Gateway: input.Gateway, Actor: input.Actor})
		case input.Step == nil:
			speed = input.SpeedHundredths
		default:
			inputs = append(inputs, replica.Input{Text: input.Step, Actor: input.Actor, Count: input.Count()})
		}
		return nil
	})
	return speed, inputs, err
}

// isClockTick reports whether a stored input is one the room's clock
// journals: no actor, and the canonical text of a plain advance.
func isClockTick(input store.Input) bool {
	var advance struct {
		Op string `json:"op"`
		Ms int64  `json:"ms"`
	}
	return input.Actor == "" && input.Step != nil && json.Unmarshal(input.Step, &advance) == nil &&
		advance.Ms > 0 && bytes.Equal(input.Step, replica.AdvanceText(advance.Ms))
}

// ErrTooManyRooms is the error of CreateRoom when the server holds
// Config.MaxRooms rooms.
var ErrTooManyRooms = errors.New("the server holds its limit of rooms")

// CreateRoom makes a room of a scenario: its header (version, seed,
// cluster) and its steps as the first inputs. It returns the room's
// token. The room is live at once if the server has room for it, so that
// its first join does not replay it again.
func (s *Server) CreateRoom(ctx context.Context, source *scenario.Scenario) (string, error) {
	r, err := s.newRoom(ctx, source, nil)
	if err != nil {
		return "", err
	}
	s.adopt(r)
	return r.token, nil
}

// newRoom stores a new room of a scenario, with a gateway's settings or
// nil, and returns it, not live yet.
func (s *Server) newRoom(ctx context.Context, source *scenario.Scenario, gatewaySettings []byte) (*room, error) {
	if gatewaySettings != nil {
		var err error
		if source, err = withCredentialSteps(source); err != nil {
			return nil, err
		}
	}
	header := *source
	header.Steps = nil
	headerJSON, err := scenario.Encode(&header)
	if err != nil {
		return nil, err
	}
	steps, err := stepTexts(source)
	if err != nil {
		return nil, err
	}
	initial, err := replica.Restore("room", &header, steps)
	if err != nil {
		return nil, err
	}
	if initial.Steps() > s.config.MaxStepsPerRoom {
		return nil, fmt.Errorf("the scenario has %d steps, more than a room's limit of %d", initial.Steps(), s.config.MaxStepsPerRoom)
	}
	if gatewaySettings != nil {
		if _, err := initial.Gateway(); err != nil {
			return nil, fmt.Errorf("the cluster cannot have a Kafka gateway: %w", err)
		}
	}
	inputs := make([]store.Input, len(steps))
	for i, step := range steps {
		inputs[i] = store.Input{Seq: int64(i + 1), Step: step}
	}
	speed := s.config.InitialSpeedHundredths
	if gatewaySettings != nil {
		speed = 100 // a gateway room's time is the wall clock's
	}
	record := store.Room{Token: newToken(), Header: headerJSON, SpeedHundredths: speed,
		CreatedMs: s.config.Now().UnixMilli(), Gateway: gatewaySettings}
	if record.ID, err = s.storeRoom(ctx, record, inputs); err != nil {
		return nil, err
	}
	record.TouchedMs = record.CreatedMs
	r := &room{server: s, record: record, id: record.ID, token: record.Token, header: headerJSON,
		replica: initial, nextSeq: int64(len(inputs)) + 1, hashedSeq: -1, speed: record.SpeedHundredths}
	r.markDurable()
	return r, nil
}

// storeRoom stores a new room unless the server stores Config.MaxRooms.
func (s *Server) storeRoom(ctx context.Context, record store.Room, inputs []store.Input) (int64, error) {
	s.createMu.Lock()
	defer s.createMu.Unlock()
	count, err := s.store.CountRooms(ctx)
	if err != nil {
		return 0, err
	}
	if count >= s.config.MaxRooms {
		return 0, ErrTooManyRooms
	}
	return s.store.CreateRoom(ctx, record, inputs)
}

// stepTexts returns the canonical text of each step of a scenario.
func stepTexts(s *scenario.Scenario) ([]json.RawMessage, error) {
	encoded, err := scenario.Encode(s)
	if err != nil {
		return nil, err
	}
	var document struct {
		Steps []json.RawMessage `json:"steps"`
	}
	if err := json.Unmarshal(encoded, &document); err != nil {
		return nil, err
	}
	return document.Steps, nil
}

// newToken returns 128 random bits, URL-safe.
func newToken() string {
	var bits [16]byte
	rand.Read(bits[:]) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(bits[:])
}

// validToken reports whether text has the shape of a token.
func validToken(text string) bool {
	bits, err := base64.RawURLEncoding.DecodeString(text)
	return err == nil && len(bits) == 16 && len(text) == 22
}

// Close stops every live room (its members are told to reconnect
// later) and closes the database once the rooms' last commits are done.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return nil
	}
	s.closing = true
	rooms := make([]*room, 0, len(s.rooms))
	for _, r := range s.rooms {
		rooms = append(rooms, r)
	}
	s.mu.Unlock()
	close(s.expiryStop)
	<-s.expiryDone
	for _, r := range rooms {
		if <-r.ready; r.loadErr == nil {
			close(r.stop)
		}
	}
	for _, r := range rooms {
		if r.loadErr == nil {
			<-r.finished
		}
	}
	s.closeSnapshots()
	return s.store.Close()
}

// join asks the room to admit a connection; false if the room stopped.
func (r *room) join(q request) (joinReply, bool) {
	q.reply = make(chan joinReply, 1)
	select {
	case r.requests <- q:
	case <-r.stopped:
		return joinReply{}, false
	}
	select {
	case reply := <-q.reply:
		return reply, true
	case <-r.stopped:
		return joinReply{}, false
	}
}

// send hands a request to the room, waiting while its queue is full;
// false if the connection or the room ended meanwhile.
func (r *room) send(ctx context.Context, q request) bool {
	select {
	case r.requests <- q:
		return true
	case <-ctx.Done():
		return false
	case <-r.stopped:
		return false
	}
}

// leave tells the room a connection ended.
func (r *room) leave(c *conn) {
	select {
	case r.requests <- request{kind: requestLeave, conn: c}:
	case <-r.stopped:
	}
}
