// Package linkhttp is the HTTP face of short links, shared by the native
// backend and the Cloudflare Worker so that both answer alike: POST
// /api/links and GET /s/{id}, with the same statuses, sentences and pages.
// It imports no database driver and builds for WebAssembly.
package linkhttp

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"

	"github.com/kafka-playground/playground/backend/links"
	"github.com/kafka-playground/playground/core/link"
	"github.com/kafka-playground/playground/core/scenario"
)

// Create answers POST /api/links: the body, at most maxBytes, is a
// scenario; the answer is {"id", "url": "/s/<id>"}, 413 for a body too
// large, 422 with the decoder's sentence for one that is not a scenario.
// service names the host in log lines.
func Create(w http.ResponseWriter, r *http.Request, store links.Store, maxBytes int64, logger *slog.Logger, service string) {
	body, ok := ReadBody(w, r, maxBytes, "a link's scenario")
	if !ok {
		return
	}
	id, err := links.Save(r.Context(), store, body)
	var invalid *scenario.Error
	var tooLong *link.Error
	switch {
	case errors.As(err, &invalid) || errors.As(err, &tooLong):
		WriteError(w, http.StatusUnprocessableEntity, err.Error())
	case err != nil:
		logger.Error(service+": storing a link", "err", err)
		WriteError(w, http.StatusInternalServerError, "the link could not be stored")
	default:
		WriteJSON(w, http.StatusOK, map[string]string{"id": id, "url": "/s/" + id})
	}
}

// Open answers GET /s/{id}: a redirect to the long link (/#s=1.…), or a
// page saying the link is unknown.
func Open(w http.ResponseWriter, r *http.Request, store links.Store, logger *slog.Logger, service string) {
	path, err := links.Open(r.Context(), store, r.PathValue("id"))
	switch {
	case errors.Is(err, links.ErrNotFound):
		NotFoundPage(w, "Unknown link", "No scenario has this short link: check that it was copied whole.")
	case err != nil:
		logger.Error(service+": opening a link", "id", r.PathValue("id"), "err", err)
		WriteError(w, http.StatusInternalServerError, "the link could not be opened")
	default:
		http.Redirect(w, r, path, http.StatusFound)
	}
}

// ReadBody reads a request body of at most limit bytes, answering 413
// with a sentence when it is larger. A body whose Content-Length is
// already over the limit is refused unread.
func ReadBody(w http.ResponseWriter, r *http.Request, limit int64, what string) ([]byte, bool) {
	var body []byte
	var err error
	if r.ContentLength > limit {
		err = &http.MaxBytesError{Limit: limit}
	} else {
		body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		WriteError(w, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("%s is larger than the limit of %d bytes (%d KiB)", what, limit, limit>>10))
		return nil, false
	case err != nil:
		WriteError(w, http.StatusBadRequest, "the request body could not be read")
		return nil, false
	}
	return body, true
}

// WriteJSON answers with a JSON value, never cached.
func WriteJSON(w http.ResponseWriter, status int, value any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(value)
}

// WriteError answers {"error": message}.
func WriteError(w http.ResponseWriter, status int, message string) {
	WriteJSON(w, status, map[string]string{"error": message})
}

// NotFoundPage answers 404 with a small page a person can read.
func NotFoundPage(w http.ResponseWriter, title, message string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprintf(w, `<!doctype html><meta charset="utf-8"><title>%s · Kafka Playground</title>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 4em auto">
<h1>%s</h1><p>%s</p><p><a href="/">Open the playground</a></p></body>
`, html.EscapeString(title), html.EscapeString(title), html.EscapeString(message))
}
