package sim

// event is one entry of the queue: a message or timer due at atMs. Ties are
// broken by seq, the order in which events were queued.
type event struct {
	atMs        int64
	seq         uint64
	from, to    NodeID
	incarnation uint32
	// flightMs is how long before atMs the event was queued (its time on
	// the wire, for InFlight), saturated at the largest uint32. It sits in
	// what would otherwise be padding, so events stay 48 bytes.
	flightMs uint32
	msg      Message
}

// eventKey is what the heap orders: an event's (atMs, seq) and the slot
// holding the event.
type eventKey struct {
	atMs int64
	seq  uint64
	slot int32
}

// eventQueue is a binary min-heap of events ordered by (atMs, seq). It is
// written out rather than built on container/heap to avoid boxing every
// event in an interface.
//
// The heap holds only keys, which have no pointers; the events themselves
// (with their messages) sit in slots that never move while queued. Timers
// that are never cancelled (request timeouts, say) keep the queue tens of
// thousands of events long in a busy run, and every push and pop moves
// O(log n) entries: moving small pointer-free keys costs no write
// barriers while the garbage collector marks, and the collector never
// scans the heap array.
type eventQueue struct {
	keys  []eventKey
	slots []event
	// free lists the slots not in use, reused last freed first.
	free []int32
}

func (q *eventQueue) Len() int { return len(q.keys) }

func (q *eventQueue) peek() *event { return &q.slots[q.keys[0].slot] }

func less(a, b *eventKey) bool {
	if a.atMs != b.atMs {
		return a.atMs < b.atMs
	}
	return a.seq < b.seq
}

func (q *eventQueue) push(e event) {
	var slot int32
	if n := len(q.free); n > 0 {
		slot = q.free[n-1]
		q.free = q.free[:n-1]
		q.slots[slot] = e
	} else {
		slot = int32(len(q.slots))
		q.slots = append(q.slots, e)
	}
	key := eventKey{atMs: e.atMs, seq: e.seq, slot: slot}
	// Sift up: move parents down into the hole until key fits.
	q.keys = append(q.keys, key)
	i := len(q.keys) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if !less(&key, &q.keys[parent]) {
			break
		}
		q.keys[i] = q.keys[parent]
		i = parent
	}
	q.keys[i] = key
}

func (q *eventQueue) pop() event {
	top := q.keys[0]
	e := q.slots[top.slot]
	q.slots[top.slot] = event{}
	q.free = append(q.free, top.slot)
	last := len(q.keys) - 1
	key := q.keys[last]
	q.keys = q.keys[:last]
	if last == 0 {
		return e
	}
	// Sift down: move the smaller child up into the hole until the last
	// key fits there.
	i := 0
	for {
		smallest := 2*i + 1
		if smallest >= last {
			break
		}
		if right := smallest + 1; right < last && less(&q.keys[right], &q.keys[smallest]) {
			smallest = right
		}
		if !less(&q.keys[smallest], &key) {
			break
		}
		q.keys[i] = q.keys[smallest]
		i = smallest
	}
	q.keys[i] = key
	return e
}
