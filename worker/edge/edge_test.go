package edge_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/kafka-playground/playground/backend/links"
	"github.com/kafka-playground/playground/backend/links/linkstest"
	"github.com/kafka-playground/playground/core/link"
	"github.com/kafka-playground/playground/worker/edge"
)

// noRedirect keeps a client from following a redirect, to read it.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func start(t *testing.T, config edge.Config) string {
	t.Helper()
	if config.Static == nil {
		config.Static = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "page "+r.URL.Path) })
	}
	server := httptest.NewServer(edge.Handler(config))
	t.Cleanup(server.Close)
	return server.URL
}

func post(t *testing.T, url, body string) (int, map[string]string) {
	t.Helper()
	response, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer response.Body.Close()
	answer := map[string]string{}
	json.NewDecoder(response.Body).Decode(&answer)
	return response.StatusCode, answer
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	response, err := noRedirect.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer response.Body.Close()
	body, _ := io.ReadAll(response.Body)
	return response, string(body)
}

// TestShortLinks: the backend's link API, answer for answer: same
// scenario same id, the id redirects to the long link of the redacted
// scenario, unknown and malformed ids are a clear 404 page, invalid and
// oversized scenarios are refused with a sentence.
func TestShortLinks(t *testing.T) {
	url := start(t, edge.Config{Store: links.NewMemoryStore(), MaxLinkBytes: 4096})
	body := `{"version":1,"name":"secret","steps":[{"op":"add_user","user":"alice","password":"hunter2","mechanism":"PLAIN"}]}`
	status, answer := post(t, url+"/api/links", body)
	if status != 200 || !links.ValidID(answer["id"]) || answer["url"] != "/s/"+answer["id"] {
		t.Fatalf("POST /api/links: %d %v", status, answer)
	}
	if _, again := post(t, url+"/api/links", "\n"+body+"  "); again["id"] != answer["id"] {
		t.Fatalf("the same scenario got id %q, then %q", answer["id"], again["id"])
	}
	response, _ := get(t, url+answer["url"])
	location := response.Header.Get("Location")
	if response.StatusCode != http.StatusFound || !strings.HasPrefix(location, "/#s=1.") {
		t.Fatalf("GET %s: %d, Location %q", answer["url"], response.StatusCode, location)
	}
	opened, err := link.Decode(location)
	if err != nil || opened.Name != "secret" || strings.Contains(location, "hunter2") {
		t.Fatalf("the long link %q decodes to %+v, %v", location, opened, err)
	}
	for _, bad := range []string{"aaaaaaaaaaaaaaaa", "nope", "AAAAAAAAAAAAAAAA", "..%2f..%2fetc%2fpasswd"} {
		if response, page := get(t, url+"/s/"+bad); response.StatusCode != 404 || !strings.Contains(page, "Unknown link") ||
			!strings.HasPrefix(response.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET /s/%s: %d %q", bad, response.StatusCode, page)
		}
	}
	if status, answer := post(t, url+"/api/links", `{"version":1,"steps":[{"op":"teleport"}]}`); status != 422 ||
		!strings.Contains(answer["error"], "teleport") {
		t.Fatalf("an invalid scenario: %d %v", status, answer)
	}
	if status, answer := post(t, url+"/api/links", `not json`); status != 422 || answer["error"] == "" {
		t.Fatalf("a body that is not JSON: %d %v", status, answer)
	}
	if status, answer := post(t, url+"/api/links", strings.Repeat(" ", 4097)); status != 413 ||
		!strings.Contains(answer["error"], "limit of 4096 bytes") {
		t.Fatalf("an oversized body: %d %v", status, answer)
	}
	unsized := io.MultiReader(strings.NewReader(strings.Repeat(" ", 4097))) // no Content-Length: read up to the limit
	if response, err := http.Post(url+"/api/links", "application/json", unsized); err != nil || response.StatusCode != 413 {
		t.Fatalf("an oversized body without Content-Length: %v %v", response, err)
	}
}

// TestInfo: the page's probe says which service this is and what works.
func TestInfo(t *testing.T) {
	for _, c := range []struct {
		store links.Store
		want  edge.Info
	}{
		{links.NewMemoryStore(), edge.Info{Service: "worker", Links: true, MaxLinkBytes: edge.DefaultMaxLinkBytes}},
		{nil, edge.Info{Service: "worker", Links: false, MaxLinkBytes: edge.DefaultMaxLinkBytes}},
	} {
		url := start(t, edge.Config{Store: c.store})
		response, body := get(t, url+"/api/info")
		var got edge.Info
		if err := json.Unmarshal([]byte(body), &got); err != nil || response.StatusCode != 200 || got != c.want ||
			response.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("GET /api/info: %d %s, want %+v", response.StatusCode, body, c.want)
		}
	}
}

// TestWithoutDatabase: a Worker with no D1 bound still serves the page
// and says plainly that short links are not there.
func TestWithoutDatabase(t *testing.T) {
	url := start(t, edge.Config{})
	if status, answer := post(t, url+"/api/links", `{"version":1,"steps":[]}`); status != 503 || !strings.Contains(answer["error"], "no database") {
		t.Fatalf("POST /api/links without a store: %d %v", status, answer)
	}
	if response, page := get(t, url+"/s/aaaaaaaaaaaaaaaa"); response.StatusCode != 404 || !strings.Contains(page, "Fragment links") {
		t.Fatalf("GET /s/<id> without a store: %d %q", response.StatusCode, page)
	}
	if response, body := get(t, url+"/index.html"); response.StatusCode != 200 || body != "page /index.html" {
		t.Fatalf("the static handler: %d %q", response.StatusCode, body)
	}
}

// TestStaticFallback: paths that are no route reach the static handler,
// and without one they get the 404 page.
func TestStaticFallback(t *testing.T) {
	url := start(t, edge.Config{Store: links.NewMemoryStore()})
	for _, path := range []string{"/", "/dist/playground.wasm", "/api/unknown", "/s/"} {
		if response, body := get(t, url+path); response.StatusCode != 200 || body != "page "+path {
			t.Fatalf("GET %s: %d %q", path, response.StatusCode, body)
		}
	}
	server := httptest.NewServer(edge.Handler(edge.Config{}))
	defer server.Close()
	if response, page := get(t, server.URL+"/nothing"); response.StatusCode != 404 || !strings.Contains(page, "Page not found") {
		t.Fatalf("GET /nothing without a static handler: %d %q", response.StatusCode, page)
	}
}

// countingLimiter allows limit links per key, or fails every call.
type countingLimiter struct {
	mu     sync.Mutex
	limit  int
	counts map[string]int
	fail   bool
}

func (l *countingLimiter) Allow(_ context.Context, key string) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fail {
		return false, errors.New("the binding is down")
	}
	l.counts[key]++
	return l.counts[key] <= l.limit, nil
}

// TestRateLimit: past the limiter's count a client gets 429 with a
// sentence and Retry-After; a failing limiter lets requests through.
func TestRateLimit(t *testing.T) {
	limiter := &countingLimiter{limit: 2, counts: map[string]int{}}
	url := start(t, edge.Config{Store: links.NewMemoryStore(), Limiter: limiter})
	scenario := `{"version":1,"steps":[]}`
	for i := 0; i < 2; i++ {
		if status, answer := post(t, url+"/api/links", scenario); status != 200 {
			t.Fatalf("link %d under the limit: %d %v", i+1, status, answer)
		}
	}
	response, err := http.Post(url+"/api/links", "application/json", strings.NewReader(scenario))
	if err != nil {
		t.Fatal(err)
	}
	defer response.Body.Close()
	body, _ := io.ReadAll(response.Body)
	if response.StatusCode != 429 || response.Header.Get("Retry-After") == "" || !strings.Contains(string(body), "too many links") {
		t.Fatalf("a link past the limit: %d %s", response.StatusCode, body)
	}
	limiter.fail = true
	if status, answer := post(t, url+"/api/links", scenario); status != 200 {
		t.Fatalf("with a failing limiter: %d %v", status, answer)
	}
}

// resettableStore is an in-memory store that can be emptied.
type resettableStore struct {
	mu      sync.Mutex
	current *links.MemoryStore
}

func (s *resettableStore) store() *links.MemoryStore {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current
}

func (s *resettableStore) Put(ctx context.Context, id string, scenario []byte) error {
	return s.store().Put(ctx, id, scenario)
}

func (s *resettableStore) Get(ctx context.Context, id string) ([]byte, error) {
	return s.store().Get(ctx, id)
}

func (s *resettableStore) reset(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.current = links.NewMemoryStore()
	return nil
}

// TestRemoteStoreTable runs the link store's behaviour table through the
// test-only routes on the in-memory twin: the same path the Worker's D1
// store is tested by (worker_test.go), checked here natively.
func TestRemoteStoreTable(t *testing.T) {
	store := &resettableStore{current: links.NewMemoryStore()}
	url := start(t, edge.Config{Store: store, Testing: &edge.Testing{Reset: store.reset}})
	linkstest.Run(t, func(t *testing.T) links.Store {
		remote := edge.RemoteStore{URL: url}
		if err := remote.Reset(context.Background()); err != nil {
			t.Fatal(err)
		}
		return remote
	})
}

// TestNoTestRoutesByDefault: the test-only routes exist only when asked
// for.
func TestNoTestRoutesByDefault(t *testing.T) {
	url := start(t, edge.Config{Store: links.NewMemoryStore()})
	if err := (edge.RemoteStore{URL: url}).Reset(context.Background()); err == nil {
		t.Fatal("POST /api/test/reset worked without Config.Testing")
	}
}
