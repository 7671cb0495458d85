package ui

import (
	"fmt"

	"github.com/kafka-playground/playground/core/scenario"
)

// MaxStreamRate is the most records a stream sends per virtual second.
const MaxStreamRate = 100_000

// maxRecordsPerTick is the most records one tick of a stream sends when
// ticking more often allows it: a tick runs in one frame, so its size
// bounds that frame's work.
const maxRecordsPerTick = 2500

// ticksPerSecond are the tick rates a stream may use; each divides a
// second into whole milliseconds.
var ticksPerSecond = []int{1, 2, 4, 5, 10}

// Stream is a producer sending records at a steady rate while time plays:
// one journaled produce step (async) per tick, one to ten ticks per virtual
// second (as few as keep a tick at most maxRecordsPerTick records). Time
// run by a jump or a step to the next event sends nothing.
type Stream struct {
	// Step is the produce step of one tick; its Count is set per tick.
	Step scenario.Step
	// Rate is the records per virtual second.
	Rate int
	// PerSecond is the ticks per virtual second.
	PerSecond int
	// NextAtMs is the virtual time of the next tick.
	NextAtMs int64
	// Ticks counts the produce steps sent.
	Ticks int
}

// newStream plans a stream of rate records per second.
func newStream(st scenario.Step, rate int) *Stream {
	s := &Stream{Step: st, Rate: rate, PerSecond: ticksPerSecond[len(ticksPerSecond)-1]}
	for _, n := range ticksPerSecond {
		if (rate+n-1)/n <= maxRecordsPerTick {
			s.PerSecond = n
			break
		}
	}
	return s
}

// tickMs is the virtual time between two ticks.
func (s *Stream) tickMs() int64 { return int64(1000 / s.PerSecond) }

// nextCount is the number of records of the next tick: the rate spread
// over the ticks of a second, the remainder on the first ones.
func (s *Stream) nextCount() int {
	i := s.Ticks % s.PerSecond
	return s.Rate*(i+1)/s.PerSecond - s.Rate*i/s.PerSecond
}

// Stream returns the running stream, or nil.
func (m *Model) Stream() *Stream { return m.stream }

// StartStream sends the first tick of a stream now and keeps ticking while
// time plays. st is the produce step of the stream; its Count is the rate
// per virtual second.
func (m *Model) StartStream(st scenario.Step) (scenario.StepResult, error) {
	if st.Op != scenario.OpProduce {
		return scenario.StepResult{}, fmt.Errorf("a stream sends produce steps, not %s", st.Op)
	}
	if st.RecordCount() > MaxStreamRate {
		return scenario.StepResult{}, &FieldError{Field: "rate", Message: fmt.Sprintf("a stream sends at most %d records per second", MaxStreamRate)}
	}
	st.Async = true
	stream := newStream(st, st.RecordCount())
	first := st
	first.Count = stream.nextCount()
	result, err := m.Apply(first)
	if err != nil {
		return result, err
	}
	stream.Ticks = 1
	stream.NextAtMs = m.Cluster().Now() + stream.tickMs()
	m.stream = stream
	return result, nil
}

// StopStream stops the running stream, if any.
func (m *Model) StopStream() {
	if m.stream != nil {
		m.stream = nil
		m.version++
	}
}

// Play lets virtual time run for ms in chunks, sending the stream's ticks
// when their time comes, while more() allows (the host's frame budget). It
// returns the virtual time it ran. An error stops the stream and is the
// reason; time already run stays run.
func (m *Model) Play(ms int64, more func() bool) (int64, error) {
	c := m.Cluster()
	start := c.Now()
	target := start + ms
	for c.Now() < target && more() {
		stop := min(target, c.Now()+maxChunkMs)
		if m.stream != nil && m.stream.NextAtMs < stop {
			stop = max(m.stream.NextAtMs, c.Now())
		}
		if stop > c.Now() {
			if err := m.Advance(stop - c.Now()); err != nil {
				m.stream = nil
				return c.Now() - start, err
			}
		}
		if err := m.tick(); err != nil {
			return c.Now() - start, err
		}
	}
	return c.Now() - start, nil
}

// tick sends the stream's produce step when its time has come.
func (m *Model) tick() error {
	s := m.stream
	if s == nil || m.Cluster().Now() < s.NextAtMs {
		return nil
	}
	st := s.Step
	st.Count = s.nextCount()
	_, err := m.Apply(st)
	if err != nil {
		m.stream = nil
		return fmt.Errorf("the stream stopped: %w", err)
	}
	s.Ticks++
	// A jump ahead runs time without the stream; its missed ticks are not
	// sent all at once afterwards.
	s.NextAtMs = max(s.NextAtMs, m.Cluster().Now()) + s.tickMs()
	return nil
}
