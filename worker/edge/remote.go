package edge

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/kafka-playground/playground/backend/links"
	"github.com/kafka-playground/playground/backend/links/linkhttp"
)

// The test-only routes, added when Config.Testing is set: the two
// methods of links.Store and a reset, over HTTP, so that a test outside
// the Worker runs the link store's behaviour table (linkstest) on the
// Worker's own store, which is D1 in the Worker.
//
//	PUT  /api/test/links/{id}   Store.Put: 204; 409 for ErrConflict
//	GET  /api/test/links/{id}   Store.Get: 200 and the bytes; 404 for ErrNotFound
//	POST /api/test/reset        empty the store: 204
func (s *routes) handleTesting(mux *http.ServeMux) {
	mux.HandleFunc("PUT /api/test/links/{id}", func(w http.ResponseWriter, r *http.Request) {
		body, ok := linkhttp.ReadBody(w, r, s.MaxLinkBytes, "a stored scenario")
		if !ok {
			return
		}
		err := s.Store.Put(r.Context(), r.PathValue("id"), body)
		switch {
		case errors.Is(err, links.ErrConflict):
			linkhttp.WriteError(w, http.StatusConflict, err.Error())
		case err != nil:
			linkhttp.WriteError(w, http.StatusInternalServerError, err.Error())
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	})
	mux.HandleFunc("GET /api/test/links/{id}", func(w http.ResponseWriter, r *http.Request) {
		data, err := s.Store.Get(r.Context(), r.PathValue("id"))
		switch {
		case errors.Is(err, links.ErrNotFound):
			linkhttp.WriteError(w, http.StatusNotFound, err.Error())
		case err != nil:
			linkhttp.WriteError(w, http.StatusInternalServerError, err.Error())
		default:
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write(data)
		}
	})
	mux.HandleFunc("POST /api/test/reset", func(w http.ResponseWriter, r *http.Request) {
		if err := s.Testing.Reset(r.Context()); err != nil {
			linkhttp.WriteError(w, http.StatusInternalServerError, err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// RemoteStore is a links.Store whose Put and Get are those of a service
// with the test-only routes, at URL (such as "http://127.0.0.1:8787"):
// a test's handle on the store inside a Worker.
type RemoteStore struct {
	URL    string
	Client *http.Client
}

// Put implements links.Store.
func (s RemoteStore) Put(ctx context.Context, id string, scenario []byte) error {
	status, body, err := s.do(ctx, http.MethodPut, "/api/test/links/"+id, scenario)
	switch {
	case err != nil:
		return err
	case status == http.StatusConflict:
		return links.ErrConflict
	case status != http.StatusNoContent:
		return fmt.Errorf("PUT /api/test/links/%s: %d %s", id, status, body)
	}
	return nil
}

// Get implements links.Store.
func (s RemoteStore) Get(ctx context.Context, id string) ([]byte, error) {
	status, body, err := s.do(ctx, http.MethodGet, "/api/test/links/"+id, nil)
	switch {
	case err != nil:
		return nil, err
	case status == http.StatusNotFound:
		return nil, links.ErrNotFound
	case status != http.StatusOK:
		return nil, fmt.Errorf("GET /api/test/links/%s: %d %s", id, status, body)
	}
	return body, nil
}

// Reset empties the remote store.
func (s RemoteStore) Reset(ctx context.Context) error {
	status, body, err := s.do(ctx, http.MethodPost, "/api/test/reset", nil)
	if err == nil && status != http.StatusNoContent {
		err = fmt.Errorf("POST /api/test/reset: %d %s (is the service running with its test routes?)", status, body)
	}
	return err
}

func (s RemoteStore) do(ctx context.Context, method, path string, body []byte) (int, []byte, error) {
	request, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(s.URL, "/")+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	client := s.Client
	if client == nil {
		client = http.DefaultClient
	}
	response, err := client.Do(request)
	if err != nil {
		return 0, nil, err
	}
	defer response.Body.Close()
	data, err := io.ReadAll(io.LimitReader(response.Body, 1<<20))
	return response.StatusCode, data, err
}
