package ui

import (
	"strconv"
	"strings"

	"github.com/kafka-playground/playground/core/sim"
)

// TimelineCapacity is how many trace events the page keeps; older ones
// fall off (the trace hash still covers them).
const TimelineCapacity = 5000

// Event is one trace event and the journal step during which it happened:
// -1 for the cluster's start before the first step.
type Event struct {
	sim.TraceEvent
	Step int
}

// Timeline keeps the most recent trace events of a session, each tagged
// with its step, so that a click on one can replay to its moment.
type Timeline struct {
	ring []Event
	next int
	step int
}

// NewTimeline returns an empty timeline.
func NewTimeline() *Timeline { return &Timeline{step: -1} }

// Add records one event; it is the session's trace sink. The runner marks
// the start of every step with a "scenario step N op" event, which is how
// events learn their step.
func (t *Timeline) Add(e sim.TraceEvent) {
	if e.Node == "scenario" && e.Kind == "step" {
		number, _, _ := strings.Cut(e.Text, " ")
		if n, err := strconv.Atoi(number); err == nil {
			t.step = n
		}
	}
	event := Event{TraceEvent: e, Step: t.step}
	if len(t.ring) < TimelineCapacity {
		t.ring = append(t.ring, event)
		return
	}
	t.ring[t.next] = event
	t.next = (t.next + 1) % TimelineCapacity
}

// Len returns how many events are kept.
func (t *Timeline) Len() int { return len(t.ring) }

// at returns the i-th kept event, oldest first.
func (t *Timeline) at(i int) Event {
	if len(t.ring) < TimelineCapacity {
		return t.ring[i]
	}
	return t.ring[(t.next+i)%TimelineCapacity]
}

// Recent returns up to limit events, newest first, whose line contains
// filter (ignoring case; empty keeps all).
func (t *Timeline) Recent(limit int, filter string) []Event {
	filter = strings.ToLower(strings.TrimSpace(filter))
	out := make([]Event, 0, min(limit, len(t.ring)))
	for i := len(t.ring) - 1; i >= 0 && len(out) < limit; i-- {
		e := t.at(i)
		if filter == "" || strings.Contains(strings.ToLower(e.String()), filter) {
			out = append(out, e)
		}
	}
	return out
}

// Find returns the kept event with sequence number seq.
func (t *Timeline) Find(seq uint64) (Event, bool) {
	for i := range t.ring {
		if t.ring[i].Seq == seq {
			return t.ring[i], true
		}
	}
	return Event{}, false
}
