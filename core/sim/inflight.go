package sim

import (
	"reflect"
	"slices"
)

// Flight is one message on the network: sent by From at SentMs, due at To
// at ArriveMs.
type Flight struct {
	From, To NodeID
	// Kind is the message's type name without its package:
	// "ProduceRequest", "Disconnected".
	Kind             string
	SentMs, ArriveMs int64
}

// InFlight returns at most limit of the messages now on the network, those
// due first, ordered by arrival time then by the order they were sent, and
// how many there are in all. Timers (events a node set for itself) and
// messages addressed to a process that has since crashed are not on the
// network. It only reads the queue: calling it changes nothing a run does.
func (s *Sim) InFlight(limit int) (flights []Flight, total int) {
	if limit < 0 {
		limit = 0
	}
	// best is a max-heap of the limit earliest keys seen so far, so that a
	// long queue costs O(n log limit) and no more than limit keys of memory.
	best := make([]eventKey, 0, min(limit, s.queue.Len()))
	later := func(a, b eventKey) bool { return less(&b, &a) }
	for _, k := range s.queue.keys {
		e := &s.queue.slots[k.slot]
		if e.from == e.to || e.incarnation != s.nodes[e.to].incarnation || !s.nodes[e.to].alive {
			continue
		}
		total++
		switch {
		case len(best) < limit:
			best = append(best, k)
			for i := len(best) - 1; i > 0; {
				parent := (i - 1) / 2
				if !later(best[i], best[parent]) {
					break
				}
				best[i], best[parent] = best[parent], best[i]
				i = parent
			}
		case limit > 0 && less(&k, &best[0]):
			best[0] = k
			for i := 0; ; {
				largest := i
				if l := 2*i + 1; l < len(best) && later(best[l], best[largest]) {
					largest = l
				}
				if r := 2*i + 2; r < len(best) && later(best[r], best[largest]) {
					largest = r
				}
				if largest == i {
					break
				}
				best[i], best[largest] = best[largest], best[i]
				i = largest
			}
		}
	}
	slices.SortFunc(best, func(a, b eventKey) int {
		switch {
		case less(&a, &b):
			return -1
		case less(&b, &a):
			return 1
		}
		return 0
	})
	flights = make([]Flight, len(best))
	for i, k := range best {
		e := &s.queue.slots[k.slot]
		flights[i] = Flight{From: e.from, To: e.to, Kind: kindOf(e.msg),
			SentMs: e.atMs - int64(e.flightMs), ArriveMs: e.atMs}
	}
	return flights, total
}

// kindOf names a message's type without its package.
func kindOf(msg Message) string {
	t := reflect.TypeOf(msg)
	if t == nil {
		return "nil"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if name := t.Name(); name != "" {
		return name
	}
	return t.String()
}
