package backend

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/kafka-playground/playground/backend/links/linkhttp"
	"github.com/kafka-playground/playground/backend/store"
	"github.com/kafka-playground/playground/core/scenario"
)

// Handler serves the backend's routes and passes every other request to
// static (the page and its assets; nil answers 404):
//
//	POST /api/rooms    create a room: body blank or a scenario → {"token","url"}
//	GET  /api/ws       a room's WebSocket (see the protocol in doc.go)
//	GET  /r/{token}    the page, for a room's link; 404 for an unknown room
//	POST /api/links    a short link: body a scenario → {"id","url"}
//	GET  /s/{id}       302 to the long link /#s=1.…; 404 for an unknown id
func (s *Server) Handler(static http.Handler) http.Handler {
	if static == nil {
		static = http.NotFoundHandler()
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/rooms", s.handleCreateRoom)
	mux.HandleFunc("GET /api/ws", s.serveWebSocket)
	mux.HandleFunc("GET /r/{token}", func(w http.ResponseWriter, r *http.Request) {
		if token := r.PathValue("token"); !validToken(token) || !s.roomExists(r.Context(), token) {
			linkhttp.NotFoundPage(w, "No room here", s.unknownRoomText())
			return
		}
		page := r.Clone(r.Context())
		page.URL.Path, page.URL.RawPath = "/", ""
		static.ServeHTTP(w, page)
	})
	mux.HandleFunc("POST /api/links", s.handleCreateLink)
	mux.HandleFunc("GET /s/{id}", s.handleOpenLink)
	mux.Handle("/", static)
	return mux
}

// roomExists reports whether a room of the token is stored, without
// restoring it.
func (s *Server) roomExists(ctx context.Context, token string) bool {
	_, err := s.store.Room(ctx, token)
	if err != nil && !errors.Is(err, store.ErrNoRoom) {
		s.logger.Error("backend: looking a room up failed", "room", token, "err", err)
	}
	return err == nil
}

// unknownRoomText is the page's sentence for a room link that names no
// stored room.
func (s *Server) unknownRoomText() string {
	if s.config.RoomExpiry < 0 {
		return "This room does not exist: check that its link was copied whole, or create a new room."
	}
	return "This room expired or does not exist: a room nobody joins for " + durationText(s.config.RoomExpiry) +
		" is deleted with its journal, and a link copied in part names no room. Create a new room from a scenario."
}

// durationText writes a duration in the largest whole unit it has.
func durationText(d time.Duration) string {
	switch {
	case d >= 48*time.Hour && d%(24*time.Hour) == 0:
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	case d >= 2*time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%d hours", d/time.Hour)
	case d >= 2*time.Minute && d%time.Minute == 0:
		return fmt.Sprintf("%d minutes", d/time.Minute)
	}
	return d.String()
}

// handleCreateRoom creates a room from the body's scenario, or a default
// three-broker KRaft cluster when the body is blank.
func (s *Server) handleCreateRoom(w http.ResponseWriter, r *http.Request) {
	body, ok := linkhttp.ReadBody(w, r, s.config.MaxRoomScenarioBytes, "a room's scenario")
	if !ok {
		return
	}
	source := scenario.New()
	if len(bytes.TrimSpace(body)) > 0 {
		decoded, err := scenario.Decode("scenario", body)
		if err != nil {
			linkhttp.WriteError(w, http.StatusUnprocessableEntity, err.Error())
			return
		}
		source = decoded
	}
	token, err := s.CreateRoom(r.Context(), source)
	switch {
	case errors.Is(err, ErrTooManyRooms):
		linkhttp.WriteError(w, http.StatusServiceUnavailable, fmt.Sprintf("%v (%d); try again later", err, s.config.MaxRooms))
	case err != nil:
		linkhttp.WriteError(w, http.StatusUnprocessableEntity, err.Error())
	default:
		linkhttp.WriteJSON(w, http.StatusCreated, map[string]string{"token": token, "url": "/r/" + token})
	}
}

// handleCreateLink stores a scenario and answers its short link.
func (s *Server) handleCreateLink(w http.ResponseWriter, r *http.Request) {
	linkhttp.Create(w, r, s.links, s.config.MaxLinkBytes, s.logger, "backend")
}

// handleOpenLink redirects a short link to the long one.
func (s *Server) handleOpenLink(w http.ResponseWriter, r *http.Request) {
	linkhttp.Open(w, r, s.links, s.logger, "backend")
}
