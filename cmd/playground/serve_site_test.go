package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/kafka-playground/playground/backend"
)

// TestSiteServesBackendAndPage checks what `playground serve` wires
// together: the page, /api/info, rooms and short links over SQLite.
func TestSiteServesBackendAndPage(t *testing.T) {
	srv, err := backend.Open(backend.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	site := httptest.NewServer(siteHandler(srv))
	defer site.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	resp, err := client.Get(site.URL + "/api/info")
	if err != nil {
		t.Fatal(err)
	}
	var info map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil || info["service"] != "backend" || info["links"] != true {
		t.Fatalf("/api/info: %v %v", info, err)
	}
	resp.Body.Close()

	scenarioJSON := `{"version":1,"seed":3,"cluster":{"brokers":3},"steps":[{"op":"create_topic","topic":"t","partitions":1,"replication_factor":3}]}`
	resp, err = client.Post(site.URL+"/api/links", "application/json", strings.NewReader(scenarioJSON))
	if err != nil {
		t.Fatal(err)
	}
	var link struct{ ID, URL string }
	if err := json.NewDecoder(resp.Body).Decode(&link); err != nil || !strings.HasPrefix(link.URL, "/s/") {
		t.Fatalf("POST /api/links: %d %+v %v", resp.StatusCode, link, err)
	}
	resp.Body.Close()
	resp, err = client.Get(site.URL + link.URL)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), "/#s=1.") {
		t.Fatalf("GET %s: %d to %q", link.URL, resp.StatusCode, resp.Header.Get("Location"))
	}
	resp.Body.Close()

	resp, err = client.Post(site.URL+"/api/rooms", "application/json", strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	var room struct{ Token, URL string }
	if err := json.NewDecoder(resp.Body).Decode(&room); err != nil || !strings.HasPrefix(room.URL, "/r/") {
		t.Fatalf("POST /api/rooms: %d %+v %v", resp.StatusCode, room, err)
	}
	resp.Body.Close()

	resp, err = client.Get(site.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "<html") {
		t.Fatalf("GET /: %d", resp.StatusCode)
	}
}
