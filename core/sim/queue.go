package sim

// event is one entry of the queue: a message or timer due at atMs. Ties are
// broken by seq, the order in which events were queued.
type event struct {
	atMs        int64
	seq         uint64
	from, to    NodeID
	incarnation uint32
	msg         Message
}

// eventQueue is a binary min-heap of events ordered by (atMs, seq). It is
// written out rather than built on container/heap to avoid boxing every
// event in an interface.
type eventQueue struct{ items []event }

func (q *eventQueue) Len() int { return len(q.items) }

func (q *eventQueue) peek() *event { return &q.items[0] }

func less(a, b *event) bool {
	if a.atMs != b.atMs {
		return a.atMs < b.atMs
	}
	return a.seq < b.seq
}

func (q *eventQueue) push(e event) {
	q.items = append(q.items, e)
	i := len(q.items) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if !less(&q.items[i], &q.items[parent]) {
			break
		}
		q.items[i], q.items[parent] = q.items[parent], q.items[i]
		i = parent
	}
}

func (q *eventQueue) pop() event {
	top := q.items[0]
	last := len(q.items) - 1
	q.items[0] = q.items[last]
	q.items[last] = event{}
	q.items = q.items[:last]
	i := 0
	for {
		left, right, smallest := 2*i+1, 2*i+2, i
		if left < last && less(&q.items[left], &q.items[smallest]) {
			smallest = left
		}
		if right < last && less(&q.items[right], &q.items[smallest]) {
			smallest = right
		}
		if smallest == i {
			return top
		}
		q.items[i], q.items[smallest] = q.items[smallest], q.items[i]
		i = smallest
	}
}
