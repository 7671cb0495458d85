package main

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kafka-playground/playground/backend"
	"github.com/kafka-playground/playground/core/scenario"
)

// TestBrowserGatewayRoom joins a page to a room with a Kafka gateway: the
// room bar gives the bootstrap list; when a franz-go client produces
// through the gateway, the cluster picture has a node for it named by
// its client.id and address, and the timeline shows its Produce, while
// the page's copy keeps matching the server's trace hash.
func TestBrowserGatewayRoom(t *testing.T) {
	srv, err := backend.Open(backend.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	s := newSession(t)
	s.server.Close()
	s.server = httptest.NewServer(siteHandler(srv))
	room, err := srv.CreateGatewayRoom(context.Background(), scenario.New(), backend.GatewaySettings{})
	if err != nil {
		t.Fatal(err)
	}
	page := s.open("/r/" + room.Token)
	poll[bool](page, `document.querySelector("#room-bar").getAttribute("data-online") === "true"`, 10*time.Second)
	bootstrap := room.Listeners[0].Bootstrap
	poll[bool](page, `document.querySelector("#room-kafka").textContent.includes(`+jsString("bootstrap.servers="+bootstrap)+`)`, 10*time.Second)

	client, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(bootstrap, ",")...), kgo.ClientID("franz-browser"),
		kgo.DefaultProduceTopic("from-franz"), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := client.ProduceSync(ctx, &kgo.Record{Key: []byte("k"), Value: []byte("through the gateway")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	poll[bool](page, `document.querySelector('#view-cluster g[data-label^="franz-browser (127.0.0.1:"]') !== null`, 15*time.Second)
	poll[bool](page, `[...document.querySelectorAll("#view-timeline li")].some(e => e.textContent.includes("franz-browser") && e.textContent.includes("sent Produce"))`, 15*time.Second)
	deadline := time.Now().Add(15 * time.Second)
	for {
		state := page.roomState()
		if state.Banner != "" {
			page.fail("the page shows a problem: %q", state.Banner)
		}
		if state.Hashed != "" && state.Hashed == state.Seq && state.Seq != "0" {
			break
		}
		if time.Now().After(deadline) {
			page.fail("the page did not match the server's hash at its last input: %+v", state)
		}
		time.Sleep(50 * time.Millisecond)
	}
	page.screenshot("browser-gateway-room", "")
}
