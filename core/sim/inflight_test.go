package sim

import (
	"reflect"
	"testing"
)

type ping struct{ n int }

type tick struct{}

// quiet is a node that keeps nothing and answers nothing.
type quiet struct{ got int }

func (q *quiet) Start(NodeID)            {}
func (q *quiet) Receive(NodeID, Message) { q.got++ }

// TestInFlight checks that InFlight lists the messages on the wire, not
// timers nor messages to a crashed process, earliest arrival first, with
// their send times, bounded by its limit, and that reading it changes no
// run.
func TestInFlight(t *testing.T) {
	run := func(look bool) (*Sim, []Flight, int) {
		s := New(7, 1000, Limits{})
		s.SetBaseLatency(10)
		a, b, c := s.AddNode("a", &quiet{}), s.AddNode("b", &quiet{}), s.AddNode("c", &quiet{})
		s.SetNodeDelay(c, 30)
		s.SetTimer(a, 5, tick{})
		s.Send(a, b, ping{1})
		s.Send(a, c, &ping{2})
		s.RunUntil(1004)
		s.Send(b, a, ping{3})
		s.Send(b, c, ping{4})
		s.Crash(c)
		var flights []Flight
		total := 0
		if look {
			flights, total = s.InFlight(10)
		}
		s.RunUntil(2000)
		return s, flights, total
	}
	s, flights, total := run(true)
	want := []Flight{
		{From: 0, To: 1, Kind: "ping", SentMs: 1000, ArriveMs: 1010},
		{From: 1, To: 0, Kind: "ping", SentMs: 1004, ArriveMs: 1014},
		// c's crash resets its connections: a and b learn of it after
		// c's latency. The ping on its way to c is gone with its process.
		{From: 2, To: 0, Kind: "Disconnected", SentMs: 1004, ArriveMs: 1044},
		{From: 2, To: 1, Kind: "Disconnected", SentMs: 1004, ArriveMs: 1044},
	}
	if total != 4 || !reflect.DeepEqual(flights, want) {
		t.Fatalf("InFlight = %+v (total %d), want %+v", flights, total, want)
	}
	quietRun, _, _ := run(false)
	if s.TraceHash() != quietRun.TraceHash() || s.Processed() != quietRun.Processed() {
		t.Errorf("reading InFlight changed the run")
	}

	// Bounded and ordered: of many messages, the limit earliest come back
	// in (arrival, send order).
	s = New(1, 0, Limits{})
	s.SetBaseLatency(1)
	nodes := []NodeID{s.AddNode("a", &quiet{}), s.AddNode("b", &quiet{}), s.AddNode("c", &quiet{})}
	for i := 0; i < 300; i++ {
		from, to := nodes[i%3], nodes[(i+1)%3]
		s.SetNodeDelay(to, int64((i*37)%50))
		s.Send(from, to, ping{i})
		s.SetTimer(from, int64(i%20), tick{})
	}
	flights, total = s.InFlight(25)
	all, allTotal := s.InFlight(1000)
	if total != 300 || allTotal != 300 || len(flights) != 25 || len(all) != 300 {
		t.Fatalf("got %d of %d and %d of %d, want 25 and 300 of 300", len(flights), total, len(all), allTotal)
	}
	if !reflect.DeepEqual(flights, all[:25]) {
		t.Errorf("the bounded list is not the start of the whole list")
	}
	for i := 1; i < len(all); i++ {
		if all[i].ArriveMs < all[i-1].ArriveMs {
			t.Fatalf("flight %d arrives at %d, before flight %d at %d", i, all[i].ArriveMs, i-1, all[i-1].ArriveMs)
		}
	}
	if none, n := s.InFlight(0); len(none) != 0 || n != 300 {
		t.Errorf("InFlight(0) = %d flights of %d", len(none), n)
	}
}
