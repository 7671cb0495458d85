package main

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kafka-playground/playground/backend"
)

// newRoomSession is newSession against the whole site playground serve
// answers: the real backend (rooms in SQLite under a temporary folder),
// /api/info and the page.
func newRoomSession(t *testing.T) *session {
	t.Helper()
	srv, err := backend.Open(backend.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() }) // after the browser and the HTTP server
	s := newSession(t)
	s.server.Close()
	s.server = httptest.NewServer(siteHandler(srv))
	return s
}

// roomState is what a page shows of its room, read in one evaluation.
type roomState struct {
	Online  string `json:"online"`
	Seq     string `json:"seq"`
	Hash    string `json:"hash"`
	Members int    `json:"members"`
	Banner  string `json:"banner"`
	// Hashed is the last input whose trace hash the server sent and the
	// page's copy matched.
	Hashed string `json:"hashed"`
}

func (tb *tab) roomState() roomState {
	tb.s.t.Helper()
	return eval[roomState](tb, `({online: document.querySelector("#room-bar").getAttribute("data-online"),
		seq: document.querySelector("#app").getAttribute("data-room-seq") || "",
		hash: document.querySelector("#trace-hash").getAttribute("data-trace-hash"),
		members: document.querySelectorAll("#room-members li").length,
		hashed: document.querySelector("#app").getAttribute("data-room-hashed-seq") || "",
		banner: document.querySelector("#banner").hidden ? "" : document.querySelector("#banner").textContent})`)
}

// TestBrowserRoomTwoPages creates a room from the page, joins it from a
// second tab, kills a broker in one and sees it dead in the other, pauses
// the room's time from the other and checks that both pages reach the
// same input and the same trace hash, which is the server's (each page
// matched the server's hash frame for that input), with no divergence;
// a third page, joining late from a snapshot, names the step's author.
func TestBrowserRoomTwoPages(t *testing.T) {
	s := newRoomSession(t)
	ada := s.open("/")
	poll[bool](ada, `!document.querySelector("#create-room").hidden`, 10*time.Second)
	ada.click("#create-room")
	path := ""
	for deadline := time.Now().Add(10 * time.Second); !strings.HasPrefix(path, "/r/"); {
		if time.Now().After(deadline) {
			ada.fail("creating a room did not open its link: the page is at %q", path)
		}
		time.Sleep(100 * time.Millisecond)
		path, _ = chromedp.Run(ada.ctx, chromedp.Evaluate[string](`location.pathname`)) // fails while navigating
	}
	ada.waitFor(`#app[data-ready="true"]`)
	poll[bool](ada, `document.querySelector("#room-bar").getAttribute("data-online") === "true"`, 10*time.Second)

	bob := s.open(path)
	poll[bool](bob, `document.querySelector("#room-bar").getAttribute("data-online") === "true"`, 10*time.Second)
	for _, tb := range []*tab{ada, bob} {
		poll[bool](tb, `document.querySelectorAll("#room-members li").length === 2`, 10*time.Second)
	}
	if got := bob.text("#room-members"); !strings.Contains(got, "(you)") {
		bob.fail("the members list %q does not mark this page's person", got)
	}

	// An action in one page is applied in the other.
	ada.click(`#view-cluster button[data-op="kill_broker"][data-broker="2"]`)
	for _, tb := range []*tab{bob, ada} {
		poll[bool](tb, `document.querySelector('#view-cluster tr[data-broker="2"]').getAttribute("data-alive") === "false"`, 10*time.Second)
	}
	poll[bool](bob, `document.querySelector("#status").textContent.includes("Guest")`, 10*time.Second)

	// Bob renames himself from the room bar: Ada's members list shows the
	// new name, Bob's page remembers it, and Ada's Steps name her action.
	bob.fill("#member-name", "Robert")
	bob.click(`#form-member button[type="submit"]`)
	poll[bool](ada, `document.querySelector("#room-members").textContent.includes("Robert")`, 10*time.Second)
	poll[bool](bob, `localStorage.getItem("playground.name") === "Robert"`, 10*time.Second)
	poll[bool](bob, `[...document.querySelectorAll("#view-journal .actor")].some(e => e.textContent.includes("Guest"))`, 10*time.Second)

	// Time is the room's: a pause from the other page stops both.
	bob.click("#play")
	for _, tb := range []*tab{ada, bob} {
		poll[bool](tb, `document.querySelector("#room-speed").textContent === "time paused"`, 10*time.Second)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		a, b := ada.roomState(), bob.roomState()
		if a.Seq == b.Seq && a.Hash == b.Hash && a.Hash != "" && a.Hashed == a.Seq && b.Hashed == b.Seq {
			if a.Banner != "" || b.Banner != "" {
				t.Fatalf("a page shows a problem: %q / %q", a.Banner, b.Banner)
			}
			break
		}
		if time.Now().After(deadline) {
			ada.fail("the pages do not agree: %+v and %+v", a, b)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// A page that joins late loads a snapshot, whose Steps name who did
	// each step too.
	cy := s.open(path)
	poll[bool](cy, `document.querySelector("#room-bar").getAttribute("data-online") === "true"`, 10*time.Second)
	poll[bool](cy, `[...document.querySelectorAll("#view-journal .actor")].some(e => e.textContent.includes("Guest"))`, 10*time.Second)
	ada.screenshot("browser-room", "")
}
