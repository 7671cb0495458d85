package backend

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/kafka-playground/playground/backend/store"
)

// A room lives in memory only while someone uses it. Server.rooms maps
// the token of each live room to it, under Server.mu:
//
//   - acquire finds the room of a token, or puts a placeholder in the map
//     and restores the room from the store outside the lock; others who
//     acquire it meanwhile wait on its ready channel. Every acquire
//     counts one user until release.
//   - A room's goroutine evicts its room once it has had no member for
//     Config.IdleTimeout: under the lock, and only while the room has no
//     user, it leaves the map and its goroutine returns. A join that
//     counted itself a user first keeps the room; one that comes after
//     restores a new copy from the store, which holds every input
//     (inputs are committed before they are sent), so eviction drops
//     only memory.
//   - Expiry deletes a room only while no copy of it is in the map,
//     holding a placeholder there while it deletes, so that a join
//     waits for the deletion and then finds the room or its absence.

// errNoRoom answers a join of a token no stored room has.
var errNoRoom = errors.New("no room has this token: it expired (a room nobody uses is deleted after a while) or never existed")

// errRetry is the loadErr of an expiry's placeholder: whoever waited on
// it looks the room up again.
var errRetry = errors.New("look the room up again")

// errServerClosing answers a join while the server stops.
var errServerClosing = errors.New("the server is shutting down; reconnect later")

// liveRoomsError answers a join that would pass Config.MaxLiveRooms.
type liveRoomsError struct{ limit int }

func (e liveRoomsError) Error() string {
	return fmt.Sprintf("the server has %d rooms open at once, its limit; try again in a few minutes, when a room nobody is in has closed", e.limit)
}

// acquire returns the live room of a token, restoring it from the store
// if needed, counted as one more user until release.
func (s *Server) acquire(token string) (*room, error) {
	for {
		s.mu.Lock()
		if s.closing {
			s.mu.Unlock()
			return nil, errServerClosing
		}
		r := s.rooms[token]
		if r == nil {
			if len(s.rooms) >= s.config.MaxLiveRooms {
				s.mu.Unlock()
				return nil, liveRoomsError{s.config.MaxLiveRooms}
			}
			r = &room{server: s, token: token, ready: make(chan struct{}), users: 1}
			s.rooms[token] = r
			s.mu.Unlock()
			s.load(r)
		} else {
			r.users++
			s.mu.Unlock()
		}
		<-r.ready
		if r.loadErr == nil {
			return r, nil
		}
		s.release(r)
		if !errors.Is(r.loadErr, errRetry) {
			return nil, r.loadErr
		}
	}
}

// release ends a use that acquire counted.
func (s *Server) release(r *room) {
	s.mu.Lock()
	r.users--
	s.mu.Unlock()
}

// load restores a placeholder's room from the store and starts it, or
// takes the placeholder out of the map with the reason in loadErr.
func (s *Server) load(r *room) {
	start := time.Now()
	record, err := s.store.Room(context.Background(), r.token)
	if errors.Is(err, store.ErrNoRoom) {
		err = errNoRoom
	} else if err == nil {
		if err = s.restoreRoom(r, record); err != nil {
			s.logger.Error("backend: a room does not restore", "room", r.token, "err", err)
			err = fmt.Errorf("the room's journal does not restore (%v); the server's log has more", err)
		}
	}
	if err != nil {
		s.mu.Lock()
		if s.rooms[r.token] == r {
			delete(s.rooms, r.token)
		}
		r.loadErr = err
		close(r.ready)
		s.mu.Unlock()
		return
	}
	s.logger.Info("backend: room restored", "room", r.token, "inputs", r.nextSeq-1,
		"steps", r.replica.Steps(), "from_snapshot_seq", r.snapshotSeq, "ms", time.Since(start).Milliseconds())
	r.prepare()
	if record.Gateway != nil {
		var settings GatewaySettings
		err := json.Unmarshal(record.Gateway, &settings)
		if err == nil {
			err = r.attachGateway(settings, false)
		}
		if err != nil {
			s.logger.Warn("backend: a room's Kafka gateway does not open; the room runs without it", "room", r.token, "err", err)
		}
	}
	r.start()
	close(r.ready)
}

// adopt makes a room just created live, if the server has room for it;
// otherwise its first join restores it.
func (s *Server) adopt(r *room) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing || s.rooms[r.token] != nil || len(s.rooms) >= s.config.MaxLiveRooms {
		return
	}
	r.ready = make(chan struct{})
	close(r.ready)
	s.rooms[r.token] = r
	r.start()
}

// evict takes an idle room out of the map, unless someone acquired it
// meanwhile or the server is stopping (Close stops it then); true means
// the room's goroutine must return.
func (s *Server) evict(r *room) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing || r.users > 0 || s.rooms[r.token] != r {
		return false
	}
	delete(s.rooms, r.token)
	s.evictions++
	return true
}

// liveRooms returns the number of rooms in memory and how many
// evictions there were, for tests and logs.
func (s *Server) liveRooms() (live int, evictions int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.rooms), s.evictions
}

// expireEvery deletes expired rooms every interval until Close.
func (s *Server) expireEvery(interval time.Duration) {
	defer close(s.expiryDone)
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ticker.C:
			if _, err := s.expireRooms(context.Background()); err != nil {
				s.logger.Error("backend: deleting expired rooms failed; trying again later", "err", err)
			}
		case <-s.expiryStop:
			return
		}
	}
}

// expireRooms deletes the rooms nobody touched for Config.RoomExpiry,
// except live ones, and returns how many it deleted.
func (s *Server) expireRooms(ctx context.Context) (int, error) {
	if s.config.RoomExpiry < 0 {
		return 0, nil
	}
	cutoff := s.config.Now().Add(-s.config.RoomExpiry).UnixMilli()
	records, err := s.store.UntouchedRooms(ctx, cutoff, s.config.MaxRooms)
	if err != nil {
		return 0, err
	}
	deleted := 0
	for _, record := range records {
		gone, err := s.expireRoom(ctx, record, cutoff)
		if err != nil {
			return deleted, err
		}
		if gone {
			deleted++
			s.logger.Info("backend: room expired", "room", record.Token,
				"touched", time.UnixMilli(record.TouchedMs).UTC().Format(time.RFC3339))
		}
	}
	return deleted, nil
}

// expireRoom deletes one untouched room unless it is live, holding a
// placeholder in the map meanwhile.
func (s *Server) expireRoom(ctx context.Context, record store.Room, cutoff int64) (bool, error) {
	s.mu.Lock()
	if s.closing || s.rooms[record.Token] != nil {
		s.mu.Unlock()
		return false, nil
	}
	placeholder := &room{server: s, token: record.Token, ready: make(chan struct{})}
	s.rooms[record.Token] = placeholder
	s.mu.Unlock()
	deleted, err := s.store.DeleteRoom(ctx, record.ID, cutoff)
	s.mu.Lock()
	delete(s.rooms, record.Token)
	placeholder.loadErr = errRetry
	close(placeholder.ready)
	s.mu.Unlock()
	return deleted, err
}
