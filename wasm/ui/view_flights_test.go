package ui

import (
	"strings"
	"testing"

	"github.com/kafka-playground/playground/core/scenario"
)

func TestClusterViewDrawsMessagesInFlight(t *testing.T) {
	m := lessonModel(t, "01-topics-partitions-offsets.json")
	value := "v-{i}"
	apply(t, m, scenario.Step{Op: scenario.OpProduce, Producer: "p1", Topic: "orders", Value: &value, Count: 100, Async: true})
	f := m.Snapshot()
	for tries := 0; f.FlightsTotal == 0 && tries < 50; tries++ {
		if err := m.Advance(1); err != nil {
			t.Fatal(err)
		}
		f = m.Snapshot()
	}
	if f.FlightsTotal == 0 || len(f.Flights) == 0 || len(f.Flights) > maxFlights || len(f.Flights) > f.FlightsTotal {
		t.Fatalf("a producing cluster has %d of %d messages in flight", len(f.Flights), f.FlightsTotal)
	}
	for i, fl := range f.Flights {
		if fl.From == fl.To || fl.Kind == "" || fl.SentMs > f.NowMs || fl.ArriveMs < f.NowMs || i > 0 && fl.ArriveMs < f.Flights[i-1].ArriveMs {
			t.Errorf("flight %d is %+v at t=%d", i, fl, f.NowMs)
		}
	}
	if html := RenderCluster(f, ""); !strings.Contains(html, `class="flight `) || !strings.Contains(html, `data-in-flight="`) {
		t.Errorf("the picture draws no message in flight")
	}

	// One message half way, 249 more than drawn.
	f.NowMs = 1005
	f.Flights = []FlightView{{From: "p1", To: "broker-1", Kind: "ProduceRequest", SentMs: 1000, ArriveMs: 1010}}
	f.FlightsTotal = 250
	moving := RenderCluster(f, "")
	for _, want := range []string{
		`<circle class="flight request"`, `data-kind="ProduceRequest"`,
		"<title>ProduceRequest: p1 → broker-1, sent at 1.000 s, due at 1.010 s</title>",
		`class="flights-more"`, "+249 more", "250 messages on the network, each a dot moving", "(the 1 due first are drawn, +249 more)",
	} {
		if !strings.Contains(moving, want) {
			t.Errorf("the moving picture lacks %q", want)
		}
	}
	if again := RenderCluster(f, ""); again != moving {
		t.Error("the same frame draws differently twice")
	}
	if got := flightFraction(f.Flights[0], 1005); got != 0.5 {
		t.Errorf("half way is %v", got)
	}
	if got := flightFraction(f.Flights[0], 2000); got != 1 {
		t.Errorf("a late message is at %v", got)
	}
	if got := flightFraction(FlightView{SentMs: 5, ArriveMs: 5}, 5); got != 1 {
		t.Errorf("an instant message is at %v", got)
	}

	// Without motion: a count on the link, no dot; the kinds in its title.
	f.Still = true
	f.Flights = append(f.Flights, FlightView{From: "p1", To: "broker-1", Kind: "ProduceRequest", SentMs: 1003, ArriveMs: 1013},
		FlightView{From: "broker-1", To: "p1", Kind: "ProduceResponse", SentMs: 1001, ArriveMs: 1011},
		FlightView{From: "admin", To: "broker-1", Kind: "MetadataRequest", SentMs: 1001, ArriveMs: 1011})
	still := RenderCluster(f, "")
	if strings.Contains(still, `class="flight `) {
		t.Error("messages move although motion is off")
	}
	for _, want := range []string{
		`<g class="link" data-from="p1" data-to="broker-1" data-count="2"><title>p1 → broker-1: 2 ProduceRequest</title>`,
		`<g class="link" data-from="broker-1" data-to="p1" data-count="1">`,
		`marker-end="url(#flight-arrow)"`, "counted on each link", "+247 more",
	} {
		if !strings.Contains(still, want) {
			t.Errorf("the still picture lacks %q", want)
		}
	}

	f.Flights, f.FlightsTotal = nil, 0
	if html := RenderCluster(f, ""); !strings.Contains(html, "No message on the network.") || strings.Contains(html, "flights-more") {
		t.Error("an idle network is not said to be idle")
	}
}
