package backend

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"

	"github.com/kafka-playground/playground/backend/links"
	"github.com/kafka-playground/playground/core/link"
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
		if token := r.PathValue("token"); !validToken(token) || s.room(token) == nil {
			notFoundPage(w, "No room here", "This room link is unknown: check that it was copied whole, or create a new room.")
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

// handleCreateRoom creates a room from the body's scenario, or a default
// three-broker KRaft cluster when the body is blank.
func (s *Server) handleCreateRoom(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r, s.config.MaxRoomScenarioBytes, "a room's scenario")
	if !ok {
		return
	}
	source := scenario.New()
	if len(bytes.TrimSpace(body)) > 0 {
		decoded, err := scenario.Decode("scenario", body)
		if err != nil {
			writeError(w, http.StatusUnprocessableEntity, err.Error())
			return
		}
		source = decoded
	}
	token, err := s.CreateRoom(r.Context(), source)
	switch {
	case errors.Is(err, ErrTooManyRooms):
		writeError(w, http.StatusServiceUnavailable, fmt.Sprintf("%v (%d); try again later", err, s.config.MaxRooms))
	case err != nil:
		writeError(w, http.StatusUnprocessableEntity, err.Error())
	default:
		writeJSON(w, http.StatusCreated, map[string]string{"token": token, "url": "/r/" + token})
	}
}

// handleCreateLink stores a scenario and answers its short link.
func (s *Server) handleCreateLink(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r, s.config.MaxLinkBytes, "a link's scenario")
	if !ok {
		return
	}
	id, err := links.Save(r.Context(), s.links, body)
	var invalid *scenario.Error
	var tooLong *link.Error
	switch {
	case errors.As(err, &invalid) || errors.As(err, &tooLong):
		writeError(w, http.StatusUnprocessableEntity, err.Error())
	case err != nil:
		s.logger.Error("backend: storing a link", "err", err)
		writeError(w, http.StatusInternalServerError, "the link could not be stored")
	default:
		writeJSON(w, http.StatusOK, map[string]string{"id": id, "url": "/s/" + id})
	}
}

// handleOpenLink redirects a short link to the long one.
func (s *Server) handleOpenLink(w http.ResponseWriter, r *http.Request) {
	path, err := links.Open(r.Context(), s.links, r.PathValue("id"))
	switch {
	case errors.Is(err, links.ErrNotFound):
		notFoundPage(w, "Unknown link", "No scenario has this short link: check that it was copied whole.")
	case err != nil:
		s.logger.Error("backend: opening a link", "id", r.PathValue("id"), "err", err)
		writeError(w, http.StatusInternalServerError, "the link could not be opened")
	default:
		http.Redirect(w, r, path, http.StatusFound)
	}
}

// readBody reads a request body of at most limit bytes, answering 413
// with a sentence when it is larger.
func readBody(w http.ResponseWriter, r *http.Request, limit int64, what string) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		writeError(w, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("%s is larger than the limit of %d bytes (%d KiB)", what, limit, limit>>10))
		return nil, false
	case err != nil:
		writeError(w, http.StatusBadRequest, "the request body could not be read")
		return nil, false
	}
	return body, true
}

func writeJSON(w http.ResponseWriter, status int, value any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(value)
}

func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]string{"error": message})
}

// notFoundPage answers 404 with a small page a person can read.
func notFoundPage(w http.ResponseWriter, title, message string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprintf(w, `<!doctype html><meta charset="utf-8"><title>%s · Kafka Playground</title>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 4em auto">
<h1>%s</h1><p>%s</p><p><a href="/">Open the playground</a></p></body>
`, html.EscapeString(title), html.EscapeString(title), html.EscapeString(message))
}
