package backend

import (
	"bytes"
	"context"
	"encoding/json"
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
//	POST /api/rooms    create a room: body blank or a scenario → {"token","url"};
//	                   {"kafka":true,"scenario":…} → also "kafka": the gateway's bootstrap lists
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
// three-broker KRaft cluster when the body is blank. A body
// {"kafka": true, "scenario": {…}} (the scenario optional) attaches a
// Kafka gateway on free ports, and the answer gives its bootstrap lists.
func (s *Server) handleCreateRoom(w http.ResponseWriter, r *http.Request) {
	body, ok := linkhttp.ReadBody(w, r, s.config.MaxRoomScenarioBytes, "a room's scenario")
	if !ok {
		return
	}
	request, err := parseRoomRequest(body)
	if err != nil {
		linkhttp.WriteError(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	source := scenario.New()
	if len(bytes.TrimSpace(request.Scenario)) > 0 {
		decoded, err := scenario.Decode("scenario", request.Scenario)
		if err != nil {
			linkhttp.WriteError(w, http.StatusUnprocessableEntity, err.Error())
			return
		}
		source = decoded
	}
	if request.Kafka {
		s.createKafkaRoom(w, r, source)
		return
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

// roomRequest is what POST /api/rooms asks for.
type roomRequest struct {
	Kafka    bool
	Scenario []byte
}

// parseRoomRequest reads a body that is a scenario, blank, or the object
// {"kafka": true|false, "scenario": {…}} (told apart by its "kafka").
func parseRoomRequest(body []byte) (roomRequest, error) {
	var members map[string]json.RawMessage
	if json.Unmarshal(body, &members) != nil || members["kafka"] == nil {
		return roomRequest{Scenario: body}, nil
	}
	var request struct {
		Kafka    bool            `json:"kafka"`
		Scenario json.RawMessage `json:"scenario"`
	}
	for name := range members {
		if name != "kafka" && name != "scenario" {
			return roomRequest{}, fmt.Errorf("a room request with \"kafka\" takes \"kafka\" and \"scenario\" only, not %q", name)
		}
	}
	if err := json.Unmarshal(body, &request); err != nil {
		return roomRequest{}, fmt.Errorf("\"kafka\" is true or false: %v", err)
	}
	return roomRequest{Kafka: request.Kafka, Scenario: request.Scenario}, nil
}

// createKafkaRoom creates a room with a Kafka gateway on free ports and
// answers its link and bootstrap lists.
func (s *Server) createKafkaRoom(w http.ResponseWriter, r *http.Request, source *scenario.Scenario) {
	room, err := s.CreateGatewayRoom(r.Context(), source, GatewaySettings{})
	var gatewayFull gatewayRoomsError
	var liveFull liveRoomsError
	switch {
	case errors.Is(err, ErrTooManyRooms):
		linkhttp.WriteError(w, http.StatusServiceUnavailable, fmt.Sprintf("%v (%d); try again later", err, s.config.MaxRooms))
	case errors.As(err, &gatewayFull), errors.As(err, &liveFull):
		linkhttp.WriteError(w, http.StatusServiceUnavailable, err.Error())
	case err != nil:
		linkhttp.WriteError(w, http.StatusUnprocessableEntity, err.Error())
	default:
		listeners := make([]gatewayListenerView, len(room.Listeners))
		for i, l := range room.Listeners {
			listeners[i] = gatewayListenerView{Name: l.Name, Protocol: l.Protocol, Bootstrap: l.Bootstrap}
		}
		linkhttp.WriteJSON(w, http.StatusCreated, map[string]any{"token": room.Token, "url": "/r/" + room.Token,
			"kafka": gatewayView{Listeners: listeners, Fingerprint: room.Fingerprint, Accepting: true}})
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
