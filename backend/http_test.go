package backend

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kafka-playground/playground/core/link"
)

// noRedirect keeps a client from following a redirect, to read it.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

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

// TestRoomRoutes: rooms are created blank or from a scenario, bad bodies
// are refused with a sentence, the count is capped, and a room's link
// serves the page.
func TestRoomRoutes(t *testing.T) {
	s := startServer(t, Config{InitialSpeedHundredths: -1, MaxRooms: 2, MaxRoomScenarioBytes: 2048})
	token := s.createRoom(t, "")
	if !validToken(token) {
		t.Fatalf("token %q is not 128 random bits", token)
	}
	if status, answer := post(t, s.url+"/api/rooms", `{"version":1,"steps":[{"op":"teleport"}]}`); status != 422 ||
		!strings.Contains(answer["error"], "teleport") {
		t.Fatalf("an invalid scenario: %d %v", status, answer)
	}
	if status, answer := post(t, s.url+"/api/rooms", strings.Repeat(" ", 4096)); status != 413 ||
		!strings.Contains(answer["error"], "limit") {
		t.Fatalf("an oversized body: %d %v", status, answer)
	}
	s.createRoom(t, `{"version":1,"seed":5,"cluster":{"brokers":1},"steps":[{"op":"advance","ms":10}]}`)
	if status, answer := post(t, s.url+"/api/rooms", ""); status != 503 || !strings.Contains(answer["error"], "limit") {
		t.Fatalf("a room past the cap: %d %v", status, answer)
	}
	if response, body := get(t, s.url+"/r/"+token); response.StatusCode != 200 || body != "page /" {
		t.Fatalf("GET /r/<token>: %d %q", response.StatusCode, body)
	}
	for _, bad := range []string{"AAAAAAAAAAAAAAAAAAAAAA", "nope", "..%2f..%2fetc"} {
		if response, body := get(t, s.url+"/r/"+bad); response.StatusCode != 404 || !strings.Contains(body, "No room") {
			t.Fatalf("GET /r/%s: %d %q", bad, response.StatusCode, body)
		}
	}
	if response, body := get(t, s.url+"/index.html"); response.StatusCode != 200 || body != "page /index.html" {
		t.Fatalf("other paths do not reach the static handler: %d %q", response.StatusCode, body)
	}
}

// TestShortLinks: same scenario same id, the id redirects to the long
// link of the redacted scenario, unknown and malformed ids are a clear
// 404, invalid and oversized scenarios are refused with a sentence.
func TestShortLinks(t *testing.T) {
	s := startServer(t, Config{MaxLinkBytes: 4096})
	body := `{"version":1,"name":"secret","steps":[{"op":"add_user","user":"alice","password":"hunter2","mechanism":"PLAIN"}]}`
	status, first := post(t, s.url+"/api/links", body)
	if status != 200 || first["url"] != "/s/"+first["id"] {
		t.Fatalf("POST /api/links: %d %v", status, first)
	}
	_, second := post(t, s.url+"/api/links", "\n"+body+"\n")
	if second["id"] != first["id"] {
		t.Fatalf("the same scenario got ids %s and %s", first["id"], second["id"])
	}
	_, other := post(t, s.url+"/api/links", `{"version":1,"seed":2,"steps":[]}`)
	if other["id"] == first["id"] {
		t.Fatal("two scenarios got the same id")
	}
	response, _ := get(t, s.url+"/s/"+first["id"])
	location := response.Header.Get("Location")
	if response.StatusCode != http.StatusFound || !strings.HasPrefix(location, "/#s=1.") {
		t.Fatalf("GET /s/<id>: %d %q", response.StatusCode, location)
	}
	decoded, err := link.Decode(location)
	if err != nil || decoded.Name != "secret" || decoded.Steps[0].Password == "hunter2" {
		t.Fatalf("the link opens %+v (%v); want the scenario without its password", decoded, err)
	}
	for _, bad := range []string{"aaaaaaaaaaaaaaaa", "short", "AAAAAAAAAAAAAAAA"} {
		if response, body := get(t, s.url+"/s/"+bad); response.StatusCode != 404 || !strings.Contains(body, "Unknown link") {
			t.Fatalf("GET /s/%s: %d %q", bad, response.StatusCode, body)
		}
	}
	if status, answer := post(t, s.url+"/api/links", `{"version":2}`); status != 422 || answer["error"] == "" {
		t.Fatalf("an invalid scenario: %d %v", status, answer)
	}
	if status, answer := post(t, s.url+"/api/links", strings.Repeat(" ", 5000)); status != 413 ||
		!strings.Contains(answer["error"], "4 KiB") {
		t.Fatalf("an oversized scenario: %d %v", status, answer)
	}
}

// TestRestartRestoresRooms: a server opened again on the same folder has
// every room, at the same seq and trace hash, and keeps its links.
func TestRestartRestoresRooms(t *testing.T) {
	folder := filepath.Join(t.TempDir(), "nested", "data")
	s := startServer(t, Config{DataDir: folder, InitialSpeedHundredths: -1})
	if _, err := os.Stat(filepath.Join(folder, DatabaseFile)); err != nil {
		t.Fatalf("the data folder was not created with the database: %v", err)
	}
	token := s.createRoom(t, "")
	ada := dial(t, s.url, token, "Ada", nil, false)
	ada.input("a1", `{"op":"create_topic","topic":"t","partitions":2,"replication_factor":3}`)
	ada.send(map[string]any{"type": "speed", "id": "a2", "speed": 3})
	ada.input("a3", `{"op":"advance","ms":1500}`)
	ada.acked("a1", "a2", "a3")
	ada.hashedAt(ada.lastSeq)
	status, linked := post(t, s.url+"/api/links", `{"version":1,"steps":[]}`)
	if status != 200 {
		t.Fatalf("POST /api/links: %d %v", status, linked)
	}
	ada.close()
	s.http.CloseClientConnections()
	s.http.Close()
	if err := s.Server.Close(); err != nil {
		t.Fatal(err)
	}
	again := startServer(t, Config{DataDir: folder, InitialSpeedHundredths: -1})
	late := dial(t, again.url, token, "Late", nil, false)
	defer late.close()
	if string(late.welcome.Header) == "" || string(late.welcome.Speed) != "3" {
		t.Fatalf("the restored room's welcome: %+v", late.welcome)
	}
	late.until("the journal", func() bool { return late.lastSeq == ada.lastSeq })
	late.hashedAt(ada.lastSeq)
	if late.replica.TraceHash() != ada.replica.TraceHash() {
		t.Fatal("the restored room replays differently")
	}
	if response, _ := get(t, again.url+"/s/"+linked["id"]); response.StatusCode != http.StatusFound {
		t.Fatalf("the link did not survive the restart: %d", response.StatusCode)
	}
}
