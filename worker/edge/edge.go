// Package edge is the playground's Cloudflare Worker without Cloudflare:
// the HTTP routes of the short-link service, over a links.Store, a rate
// Limiter and a handler for the static page, so that the routes build
// and are tested natively while worker/main.go wires them to D1, the
// rate-limiting binding and the static-assets binding in WebAssembly.
//
// The routes are the native backend's link routes (backend/http.go), with
// the same bodies, statuses and limits, plus GET /api/info, through which
// the page learns which service it is on:
//
//	GET  /api/info     {"service":"worker","links":true,"rooms":false,"max_link_bytes":262144}
//	POST /api/links    a short link: body a scenario → {"id","url"}
//	GET  /s/{id}       302 to the long link /#s=1.…; a 404 page for an unknown id
//
// A page served as plain static files gets a 404 (or the page itself)
// from /api/info, which is how it knows that only fragment links work.
package edge

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/kafka-playground/playground/backend/links"
	"github.com/kafka-playground/playground/backend/links/linkhttp"
)

// DefaultMaxLinkBytes bounds the body of POST /api/links: 256 KiB, the
// native backend's default (backend.Config.MaxLinkBytes). Anything that
// large is already far past what a long link can carry (link.MaxLinkBytes
// compressed), so the cap only keeps the Worker from reading a flood.
const DefaultMaxLinkBytes = 256 << 10

// Service is the name /api/info gives this service.
const Service = "worker"

// Config is what the routes work with.
type Config struct {
	// Store holds the links; nil means the Worker has no database bound,
	// and the link routes answer 503 while /api/info says links is false.
	Store links.Store
	// Limiter, when not nil, is asked before each link is created, with
	// the client's address as the key.
	Limiter Limiter
	// Static serves every other path (the page and its assets); nil
	// answers the 404 page.
	Static http.Handler
	// MaxLinkBytes bounds the body of POST /api/links; 0 means
	// DefaultMaxLinkBytes.
	MaxLinkBytes int64
	// Testing, when not nil, adds the routes under /api/test/ through
	// which the link store's behaviour table runs against this service's
	// own store (see RemoteStore). It is never set in a deployment.
	Testing *Testing
	// Logger receives the errors a client is not shown; nil is
	// slog.Default().
	Logger *slog.Logger
}

// Limiter decides whether a client may create one more link now.
type Limiter interface {
	// Allow reports whether the client named by key is under its limit,
	// counting this request. An error lets the request through (it is
	// logged): a broken limiter must not take the service down.
	Allow(ctx context.Context, key string) (bool, error)
}

// Testing holds the hooks of the test-only routes.
type Testing struct {
	// Reset empties the store, so that each case of the behaviour table
	// starts from an empty store as the table requires.
	Reset func(ctx context.Context) error
}

// Info is the body of GET /api/info.
type Info struct {
	// Service is "worker" here; the native backend would say "backend".
	Service string `json:"service"`
	// Links reports whether POST /api/links and GET /s/{id} work.
	Links bool `json:"links"`
	// Rooms reports whether shared rooms (/api/rooms, /api/ws) exist:
	// never on the Worker.
	Rooms bool `json:"rooms"`
	// MaxLinkBytes is the largest scenario POST /api/links reads.
	MaxLinkBytes int64 `json:"max_link_bytes"`
}

// routes is a Config with its defaults filled in.
type routes struct {
	Config
}

// Handler returns the Worker's routes.
func Handler(config Config) http.Handler {
	if config.MaxLinkBytes <= 0 {
		config.MaxLinkBytes = DefaultMaxLinkBytes
	}
	if config.Logger == nil {
		config.Logger = slog.Default()
	}
	if config.Static == nil {
		config.Static = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { NotFoundPage(w) })
	}
	s := &routes{config}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/info", s.handleInfo)
	mux.HandleFunc("POST /api/links", s.handleCreateLink)
	mux.HandleFunc("GET /s/{id}", s.handleOpenLink)
	if config.Testing != nil && config.Store != nil {
		s.handleTesting(mux)
	}
	mux.Handle("/", config.Static)
	return mux
}

// handleInfo tells the page which service it is on.
func (s *routes) handleInfo(w http.ResponseWriter, _ *http.Request) {
	linkhttp.WriteJSON(w, http.StatusOK, Info{Service: Service, Links: s.Store != nil, Rooms: false, MaxLinkBytes: s.MaxLinkBytes})
}

// handleCreateLink stores a scenario and answers its short link, as the
// backend's handler of the same name does.
func (s *routes) handleCreateLink(w http.ResponseWriter, r *http.Request) {
	if s.Store == nil {
		linkhttp.WriteError(w, http.StatusServiceUnavailable, "short links are not available here: this Worker has no database bound")
		return
	}
	if !s.allow(w, r) {
		return
	}
	linkhttp.Create(w, r, s.Store, s.MaxLinkBytes, s.Logger, "worker")
}

// allow asks the limiter about the client, answering 429 when it is over
// its limit.
func (s *routes) allow(w http.ResponseWriter, r *http.Request) bool {
	if s.Limiter == nil {
		return true
	}
	allowed, err := s.Limiter.Allow(r.Context(), r.RemoteAddr)
	if err != nil {
		s.Logger.Error("worker: the rate limiter failed; letting the request through", "err", err)
		return true
	}
	if !allowed {
		w.Header().Set("Retry-After", "60")
		linkhttp.WriteError(w, http.StatusTooManyRequests, "too many links created from this address: try again in a minute")
	}
	return allowed
}

// handleOpenLink redirects a short link to the long one.
func (s *routes) handleOpenLink(w http.ResponseWriter, r *http.Request) {
	if s.Store == nil {
		linkhttp.NotFoundPage(w, "Short links are not available", "This copy of the playground has no link database, so it cannot open short links. Fragment links (/#s=1.…) still work.")
		return
	}
	linkhttp.Open(w, r, s.Store, s.Logger, "worker")
}

// NotFoundPage answers 404 with the page for a path that is neither a
// route nor a static file.
func NotFoundPage(w http.ResponseWriter) {
	linkhttp.NotFoundPage(w, "Page not found", "There is nothing at this address.")
}
