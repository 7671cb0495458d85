package backend

import (
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
	// DataDir is the folder of the SQLite file, created if missing;
	// "data" by default.
	DataDir string
	// AllowedOrigins are host patterns (path.Match syntax, as
	// websocket.AcceptOptions.OriginPatterns) whose pages may open a room's
	// WebSocket besides the server's own host, which always may.
	AllowedOrigins []string
	// MaxRooms bounds the rooms the server holds; 1000.
	MaxRooms int
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
	// hundredths of real time; 100 (real time). Negative means paused.
	InitialSpeedHundredths int64
	// Logger receives the server's log; slog.Default() by default.
	Logger *slog.Logger
}

// withDefaults fills in the zero fields.
func (c Config) withDefaults() Config {
	setDefault(&c.DataDir, "data")
	setDefault(&c.MaxRooms, 1000)
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
	if c.InitialSpeedHundredths < 0 {
		c.InitialSpeedHundredths = 0
	}
	c.MaxStepsPerRoom = min(c.MaxStepsPerRoom, scenario.MaxSteps-1)
	if c.Logger == nil {
		c.Logger = slog.Default()
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

	mu      sync.RWMutex
	rooms   map[string]*room
	closing bool
}

// Open opens (or creates) the database in config.DataDir and restores
// every room by replaying its journal.
func Open(config Config) (*Server, error) {
	config = config.withDefaults()
	if err := os.MkdirAll(config.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("backend: data folder: %w", err)
	}
	db, err := store.Open(filepath.Join(config.DataDir, DatabaseFile))
	if err != nil {
		return nil, err
	}
	s := &Server{config: config, store: db, links: links.NewSQLStore(db.SQL()), logger: config.Logger,
		rooms: map[string]*room{}}
	if err := s.restoreRooms(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// restoreRooms loads every stored room and starts it.
func (s *Server) restoreRooms() error {
	records, err := s.store.Rooms(context.Background())
	if err != nil {
		return err
	}
	for _, record := range records {
		start := time.Now()
		r, err := s.restoreRoom(record)
		if err != nil {
			return fmt.Errorf("backend: room %s does not restore: %w", record.Token, err)
		}
		s.logger.Info("backend: room restored", "room", record.Token, "inputs", r.nextSeq-1,
			"steps", r.replica.Steps(), "ms", time.Since(start).Milliseconds())
		s.startRoom(r)
	}
	return nil
}

// restoreRoom replays a stored room's journal: the snapshot is a replay.
func (s *Server) restoreRoom(record store.Room) (*room, error) {
	header, err := scenario.Decode("room "+record.Token, record.Header)
	if err != nil {
		return nil, err
	}
	speed := record.SpeedHundredths
	var steps []json.RawMessage
	var last int64
	err = s.store.Inputs(context.Background(), record.ID, 0, 1<<62, 0, func(input store.Input) error {
		if input.Seq != last+1 {
			return fmt.Errorf("the journal jumps from seq %d to %d", last, input.Seq)
		}
		last = input.Seq
		if input.Step == nil {
			speed = input.SpeedHundredths
		} else {
			steps = append(steps, input.Step)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	restored, err := replica.Restore("room", header, steps)
	if err != nil {
		return nil, err
	}
	return &room{server: s, record: record, id: record.ID, token: record.Token, header: record.Header,
		replica: restored, nextSeq: last + 1, hashedSeq: -1, speed: speed}, nil
}

// startRoom registers a room and starts its goroutine.
func (s *Server) startRoom(r *room) {
	r.requests = make(chan request, 1024)
	r.stop = make(chan struct{})
	r.stopped = make(chan struct{})
	s.mu.Lock()
	s.rooms[r.token] = r
	s.mu.Unlock()
	go r.run()
}

// room returns the room of a token, or nil.
func (s *Server) room(token string) *room {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closing {
		return nil
	}
	return s.rooms[token]
}

// ErrTooManyRooms is the error of CreateRoom when the server holds
// Config.MaxRooms rooms.
var ErrTooManyRooms = errors.New("the server holds its limit of rooms")

// CreateRoom makes a room of a scenario: its header (version, seed,
// cluster) and its steps as the first inputs. It returns the room's
// token.
func (s *Server) CreateRoom(ctx context.Context, source *scenario.Scenario) (string, error) {
	s.mu.RLock()
	count, closing := len(s.rooms), s.closing
	s.mu.RUnlock()
	if closing || count >= s.config.MaxRooms {
		return "", ErrTooManyRooms
	}
	header := *source
	header.Steps = nil
	headerJSON, err := scenario.Encode(&header)
	if err != nil {
		return "", err
	}
	steps, err := stepTexts(source)
	if err != nil {
		return "", err
	}
	initial, err := replica.Restore("room", &header, steps)
	if err != nil {
		return "", err
	}
	if initial.Steps() > s.config.MaxStepsPerRoom {
		return "", fmt.Errorf("the scenario has %d steps, more than a room's limit of %d", initial.Steps(), s.config.MaxStepsPerRoom)
	}
	inputs := make([]store.Input, len(steps))
	for i, step := range steps {
		inputs[i] = store.Input{Seq: int64(i + 1), Step: step}
	}
	record := store.Room{Token: newToken(), Header: headerJSON, SpeedHundredths: s.config.InitialSpeedHundredths,
		CreatedMs: time.Now().UnixMilli()}
	record.ID, err = s.store.CreateRoom(ctx, record, inputs)
	if err != nil {
		return "", err
	}
	s.startRoom(&room{server: s, record: record, id: record.ID, token: record.Token, header: headerJSON,
		replica: initial, nextSeq: int64(len(inputs)) + 1, hashedSeq: -1, speed: record.SpeedHundredths})
	return record.Token, nil
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

// Close stops every room (its members are told to reconnect later) and
// closes the database once the rooms' last commits are done.
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
	for _, r := range rooms {
		close(r.stop)
	}
	for _, r := range rooms {
		<-r.stopped
	}
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
