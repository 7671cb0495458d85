package sim

import (
	"math/rand/v2"
	"sort"
	"testing"
)

// TestEventQueueOrder pushes and pops events in a random interleaving and
// checks that they come out in (atMs, seq) order with their own payloads,
// slots being reused along the way.
func TestEventQueueOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var q eventQueue
	var pending []event
	seq := uint64(0)
	for round := 0; round < 20000; round++ {
		if len(pending) == 0 || rng.IntN(3) > 0 {
			seq++
			e := event{atMs: rng.Int64N(50), seq: seq, from: NodeID(seq % 7), msg: seq}
			q.push(e)
			pending = append(pending, e)
			continue
		}
		sort.Slice(pending, func(i, j int) bool {
			a, b := eventKey{atMs: pending[i].atMs, seq: pending[i].seq}, eventKey{atMs: pending[j].atMs, seq: pending[j].seq}
			return less(&a, &b)
		})
		if got := q.peek(); got.seq != pending[0].seq {
			t.Fatalf("round %d: peek seq %d, want %d", round, got.seq, pending[0].seq)
		}
		got := q.pop()
		if got != pending[0] {
			t.Fatalf("round %d: popped %+v, want %+v", round, got, pending[0])
		}
		pending = pending[1:]
		if q.Len() != len(pending) {
			t.Fatalf("round %d: Len %d, want %d", round, q.Len(), len(pending))
		}
	}
	if len(q.slots) != q.Len()+len(q.free) {
		t.Errorf("slots %d, queued %d, free %d", len(q.slots), q.Len(), len(q.free))
	}
}
