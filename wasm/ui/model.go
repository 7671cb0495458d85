package ui

import (
	"errors"
	"fmt"
	"github.com/kafka-playground/playground/core/gateway"

	"github.com/kafka-playground/playground/core"
	"github.com/kafka-playground/playground/core/scenario"
)

// sessionFile is the file name the page's session gives in its errors.
const sessionFile = "session"

// maxChunkMs bounds one advance while playing, so that a frame can stop
// between chunks when its time budget is spent.
const maxChunkMs = 250

// Model is everything the page knows about the running session, without
// the DOM: the session itself, the timeline of its trace, the chart
// samples, the steps a rewind set aside, a running produce stream and the
// settings of the views. Every change to the cluster goes through Apply,
// Advance or Play and is therefore journaled.
type Model struct {
	session  *scenario.Session
	timeline *Timeline
	chart    *Chart
	// latest is the whole journal as it was before a rewind, or nil when
	// the session is at its own end. applied counts the steps of latest
	// that the session's journal holds; partial says the journal ends with
	// an advance that stopped part way into latest[applied].
	latest  []scenario.Step
	applied int
	partial bool
	stream  *Stream
	// Browser is where the message browser looks.
	Browser MessageBrowser
	// TimelineFilter keeps only timeline events whose line contains it.
	TimelineFilter string
	// Expanded overrides, per topic, whether its partitions are listed.
	Expanded map[string]bool
	// Highlight is the node of the event the page last rewound to.
	Highlight string
	// version counts changes the views show; the host redraws when it moves.
	version uint64
	// written is each broker's summed log end offsets at the last drawing.
	written map[string]int64
	// journalVersion counts changes of the journal other than an advance
	// growing: the steps view is written again when it moves.
	journalVersion uint64
	// actors are, in a room, the names behind the journal's steps.
	actors []string
	// gatewayClients lists, in a room with a Kafka gateway, the real
	// clients connected to it (core/gateway's state); nil elsewhere.
	gatewayClients func() []gateway.Client
}

// NewModel returns a model without a session; Start gives it one.
func NewModel() *Model {
	return &Model{Browser: MessageBrowser{Replica: -1, Mode: BrowseNewest}, Expanded: map[string]bool{}}
}

// Start replaces the session with a new one that runs s. On error the
// model keeps its previous session.
func (m *Model) Start(s *scenario.Scenario) error {
	session, timeline, err := replay(s)
	if err != nil {
		return err
	}
	m.session, m.timeline = session, timeline
	m.actors = nil
	m.chart = NewChart()
	m.latest, m.applied, m.partial = nil, 0, false
	m.stream = nil
	m.Browser = MessageBrowser{Replica: -1, Mode: BrowseNewest}
	m.Expanded = map[string]bool{}
	m.Highlight = ""
	m.version++
	m.journalVersion++
	return nil
}

// replay builds a session that runs s, with a fresh timeline receiving its
// trace.
func replay(s *scenario.Scenario) (*scenario.Session, *Timeline, error) {
	timeline := NewTimeline()
	session, err := scenario.NewSession(sessionFile, s, scenario.Options{TraceSink: timeline.Add})
	if err != nil {
		return nil, nil, err
	}
	return session, timeline, nil
}

// Session returns the running session, or nil before Start.
func (m *Model) Session() *scenario.Session { return m.session }

// Timeline returns the trace of the running session.
func (m *Model) Timeline() *Timeline { return m.timeline }

// Chart returns the samples of the lag and throughput chart.
func (m *Model) Chart() *Chart { return m.chart }

// Version changes whenever something the views show may have changed.
func (m *Model) Version() uint64 { return m.version }

// JournalVersion changes whenever a step is added, replaced or rewound.
func (m *Model) JournalVersion() uint64 { return m.journalVersion }

// Touch marks the views as changed (a view setting moved).
func (m *Model) Touch() { m.version++ }

// Cluster returns the session's cluster.
func (m *Model) Cluster() *core.Cluster { return m.session.Cluster() }

// Stopped returns the error that stopped the simulation (a limit reached),
// or nil while it runs.
func (m *Model) Stopped() error { return m.session.Cluster().Sim().Err() }

// Apply runs one step a person asked for. An invalid step is refused with
// the session's *scenario.Error and changes nothing; an accepted one ends
// any rewind (the steps set aside are forgotten).
func (m *Model) Apply(st scenario.Step) (scenario.StepResult, error) {
	if err := m.Stopped(); err != nil {
		return scenario.StepResult{}, stoppedError(err)
	}
	before := len(m.session.Results())
	result, err := m.session.Apply(st)
	if len(m.session.Results()) == before {
		return result, err // refused: nothing changed
	}
	m.forgetFuture()
	m.version++
	m.journalVersion++
	return result, err
}

// stoppedError explains that the simulation stopped and what to do.
func stoppedError(err error) error {
	return fmt.Errorf("%v; rewind to an earlier step to go on", err)
}

// Advance lets virtual time run for ms (0 delivers the events due now);
// like any new step it ends a rewind.
func (m *Model) Advance(ms int64) error {
	if ms < 0 {
		return fmt.Errorf("time only runs forward: %d ms", ms)
	}
	if err := m.Stopped(); err != nil {
		return stoppedError(err)
	}
	m.forgetFuture()
	_, err := m.session.Advance(ms)
	m.version++
	return err
}

// forgetFuture drops the steps a rewind set aside.
func (m *Model) forgetFuture() {
	m.latest, m.applied, m.partial = nil, 0, false
}

// StepToNextEvent advances virtual time to the next scheduled event.
func (m *Model) StepToNextEvent() error {
	c := m.Cluster()
	next := c.Sim().NextEventMs()
	if next < 0 {
		return errors.New("nothing is scheduled: the cluster is idle")
	}
	return m.Advance(max(next-c.Now(), 0))
}

// CanForward reports whether a rewind set steps aside that Forward and
// Latest can bring back.
func (m *Model) CanForward() bool { return m.latest != nil }

// FutureSteps returns the steps a rewind set aside, in order: what Forward
// and Latest would run again.
func (m *Model) FutureSteps() []scenario.Step {
	if m.latest == nil {
		return nil
	}
	return m.latest[m.applied:]
}

// fullJournal is the journal including the steps a rewind set aside.
func (m *Model) fullJournal() []scenario.Step {
	if m.latest != nil {
		return m.latest
	}
	return m.session.Scenario().Steps
}

// RewindTo replays the first steps steps of the full journal: the moment
// right after step steps-1 (0 is the fresh cluster). The steps after it
// are kept for Forward and Latest until something new is done.
func (m *Model) RewindTo(steps int) error {
	full := m.fullJournal()
	if steps < 0 || steps > len(full) {
		return fmt.Errorf("there is no step %d: the session has %d steps", steps, len(full))
	}
	if err := m.replayPrefix(full, steps, -1); err != nil {
		return err
	}
	m.Highlight = ""
	return nil
}

// replayPrefix replaces the session with one that ran full[:steps] and,
// when untilMs >= 0, then advanced to untilMs.
func (m *Model) replayPrefix(full []scenario.Step, steps int, untilMs int64) error {
	s := m.session.Scenario()
	s.Steps = append([]scenario.Step(nil), full[:steps]...)
	session, timeline, err := replay(s)
	if err != nil {
		return err
	}
	partial := false
	if untilMs > session.Cluster().Now() {
		if _, err := session.Advance(untilMs - session.Cluster().Now()); err != nil {
			return err
		}
		partial = true
	}
	m.session, m.timeline = session, timeline
	m.latest, m.applied, m.partial = full, steps, partial
	if steps == len(full) && !partial {
		m.forgetFuture()
	}
	m.chart = NewChart()
	m.stream = nil
	m.version++
	m.journalVersion++
	return nil
}

// RewindToEvent replays to the moment of the timeline event seq: for an
// event during an advance, the instant the event happened; for an event
// during another step, the end of that step.
func (m *Model) RewindToEvent(seq uint64) error {
	event, found := m.timeline.Find(seq)
	if !found {
		return fmt.Errorf("event %d is no longer kept in the timeline", seq)
	}
	full := m.fullJournal()
	journal := m.session.Scenario().Steps
	k := event.Step
	switch {
	case k < 0:
		err := m.replayPrefix(full, 0, -1)
		m.Highlight = event.Node
		return err
	case k >= len(journal):
		return fmt.Errorf("event %d belongs to step %d, which the session does not have", seq, k)
	}
	var err error
	if journal[k].Op == scenario.OpAdvance {
		err = m.replayPrefix(full, k, event.TimeMs)
		if err == nil && m.latest == nil {
			// The event is in the last step: keep that step for Forward.
			m.latest, m.applied, m.partial = full, k, true
		}
	} else {
		err = m.replayPrefix(full, k+1, -1)
	}
	if err == nil {
		m.Highlight = event.Node
	}
	return err
}

// Back rewinds one step: it drops the last step of the journal (or the
// part of a step a rewind to an event replayed).
func (m *Model) Back() error {
	journal := m.session.Scenario().Steps
	if len(journal) == 0 {
		return errors.New("this is the first moment of the session: there is no step before it")
	}
	if m.partial {
		return m.RewindTo(m.applied)
	}
	return m.RewindTo(len(journal) - 1)
}

// Forward runs the next step a rewind set aside.
func (m *Model) Forward() error {
	if m.latest == nil {
		return errors.New("this is the latest moment: no step was rewound")
	}
	if m.partial {
		return m.replayPrefix(m.latest, m.applied+1, -1)
	}
	latest, next := m.latest, m.latest[m.applied]
	if _, err := m.session.Apply(next); err != nil {
		return err
	}
	m.latest, m.applied = latest, m.applied+1
	if m.applied == len(m.latest) {
		m.forgetFuture()
	}
	m.version++
	m.journalVersion++
	return nil
}

// Latest runs every step a rewind set aside, back to where the session was.
func (m *Model) Latest() error {
	if m.latest == nil {
		return nil
	}
	if m.partial {
		return m.replayPrefix(m.latest, len(m.latest), -1)
	}
	for m.latest != nil {
		if err := m.Forward(); err != nil {
			return err
		}
	}
	m.Highlight = ""
	return nil
}

// BlankScenario returns the scenario of a blank cluster: brokers brokers,
// KRaft or ZooKeeper metadata, and a seed, checked as a file would be.
func BlankScenario(brokers int, metadata string, seed uint64) (*scenario.Scenario, error) {
	s := scenario.New()
	s.Name = "Blank cluster"
	s.Seed = seed
	s.Cluster.Brokers = brokers
	switch metadata {
	case "", scenario.MetadataKRaft:
	case scenario.MetadataZooKeeper:
		s.Cluster.Metadata = scenario.MetadataZooKeeper
		s.Cluster.Controllers = 0
		s.Cluster.ZooKeepers = scenario.DefaultZooKeepers
	default:
		return nil, &FieldError{Field: "metadata", Message: fmt.Sprintf("%q is neither kraft nor zookeeper", metadata)}
	}
	data, err := scenario.Encode(s)
	if err != nil {
		return nil, err
	}
	return scenario.Decode("blank cluster", data)
}
