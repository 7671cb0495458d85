package ui

import (
	"fmt"

	"github.com/kafka-playground/playground/core/scenario"
)

// streamTickMs is the virtual time between two produce steps of a stream.
const streamTickMs = 1000

// MaxStreamRate is the most records a stream sends per virtual second.
const MaxStreamRate = 100_000

// Stream is a producer sending records at a steady rate while time plays:
// one journaled produce step (async, count = the rate) every virtual second.
// Time run by a jump or a step to the next event sends nothing.
type Stream struct {
	// Step is the produce step of one tick.
	Step scenario.Step
	// NextAtMs is the virtual time of the next tick.
	NextAtMs int64
	// Ticks counts the produce steps sent.
	Ticks int
}

// Stream returns the running stream, or nil.
func (m *Model) Stream() *Stream { return m.stream }

// StartStream sends the first tick of a stream now and keeps sending one
// every virtual second while time plays. st is the produce step of one
// tick; its Count is the rate.
func (m *Model) StartStream(st scenario.Step) (scenario.StepResult, error) {
	if st.Op != scenario.OpProduce {
		return scenario.StepResult{}, fmt.Errorf("a stream sends produce steps, not %s", st.Op)
	}
	if st.RecordCount() > MaxStreamRate {
		return scenario.StepResult{}, &FieldError{Field: "rate", Message: fmt.Sprintf("a stream sends at most %d records per second", MaxStreamRate)}
	}
	st.Async = true
	result, err := m.Apply(st)
	if err != nil {
		return result, err
	}
	m.stream = &Stream{Step: st, NextAtMs: m.Cluster().Now() + streamTickMs, Ticks: 1}
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
	_, err := m.Apply(s.Step)
	if err != nil {
		m.stream = nil
		return fmt.Errorf("the stream stopped: %w", err)
	}
	s.Ticks++
	// A jump ahead runs time without the stream; its missed ticks are not
	// sent all at once afterwards.
	s.NextAtMs = max(s.NextAtMs, m.Cluster().Now()) + streamTickMs
	return nil
}
