package scenario

import (
	"errors"

	"github.com/kafka-playground/playground/core"
)

// Session is a scenario run one step at a time: what a host does when a
// person builds the scenario by acting (the browser playground). Every
// step applied is journaled, so Scenario() is a scenario that replays to
// the same state, trace hash included; that is what a share link holds.
type Session struct {
	file           string
	validator      *stepValidator
	journal        Scenario
	results        []StepResult
	runner         *runner
	expectFailures int
}

// NewSession builds the cluster of s and runs its steps. The error is a
// *Error for a scenario that is not valid or a run the simulation had to
// stop (a limit reached).
func NewSession(file string, s *Scenario, options Options) (*Session, error) {
	if err := checkConfigs(file, s); err != nil {
		return nil, err
	}
	validator, err := newStepValidator(file, s)
	if err != nil {
		return nil, err
	}
	spec := core.Spec{Seed: s.Seed, Brokers: s.Cluster.Brokers, Metadata: s.Cluster.Metadata,
		Controllers: s.Cluster.Controllers, ZooKeepers: s.Cluster.ZooKeepers, LatencyMs: s.Cluster.LatencyMs, Config: s.Cluster.Config}
	cluster, err := core.New(spec)
	if err != nil {
		return nil, &Error{File: file, Step: -1, Field: "cluster", Message: err.Error()}
	}
	if options.TraceSink != nil {
		cluster.Sim().SetTraceSink(options.TraceSink)
	}
	if options.Prepare != nil {
		options.Prepare(cluster)
	}
	cluster.Boot()
	x := &Session{file: file, validator: validator, journal: *s, results: []StepResult{},
		runner: &runner{file: file, cluster: cluster, onSend: options.OnSend, onPoll: options.OnPoll}}
	x.journal.Steps = make([]Step, 0, len(s.Steps))
	for i := range s.Steps {
		if _, err := x.run(s.Steps[i]); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// run applies one step that is known to be valid.
func (x *Session) run(st Step) (StepResult, error) {
	index := len(x.journal.Steps)
	x.journal.Steps = append(x.journal.Steps, st)
	result := x.runner.step(index, &x.journal.Steps[index])
	if st.Op == OpExpect && !result.OK {
		x.expectFailures++
	}
	x.results = append(x.results, result)
	if err := x.runner.cluster.Sim().Err(); err != nil {
		return result, &Error{File: x.file, Step: index, Op: st.Op, Message: err.Error()}
	}
	return result, nil
}

// Apply validates one more step against the steps before it, as Decode
// would in a file, then runs it. An invalid step is refused with a *Error
// naming the problem and changes nothing; a step Kafka refuses is a
// result with OK false, journaled like any other.
func (x *Session) Apply(st Step) (StepResult, error) {
	index := len(x.journal.Steps)
	saved := x.validator.reader.save()
	checked, err := x.validator.check(index, st)
	if err != nil {
		return StepResult{}, err
	}
	one := Scenario{Cluster: x.journal.Cluster, Steps: []Step{checked}}
	if err := checkConfigs(x.file, &one); err != nil {
		x.validator.reader.restore(saved)
		var e *Error
		if errors.As(err, &e) {
			e.Step = index
		}
		return StepResult{}, err
	}
	return x.run(checked)
}

// Advance lets virtual time run; consecutive advances are one journal
// step, so playing time does not grow the journal.
func (x *Session) Advance(ms int64) (StepResult, error) {
	n := len(x.journal.Steps)
	if n > 0 && x.journal.Steps[n-1].Op == OpAdvance && x.journal.Steps[n-1].AtMs == nil &&
		x.journal.Steps[n-1].Ms+ms <= MaxAdvanceMs && ms >= 0 {
		x.journal.Steps[n-1].Ms += ms
		x.validator.reader.timeline.earliestMs += ms
		x.validator.reader.timeline.advancedMs += ms
		x.runner.cluster.Advance(ms)
		x.results[n-1].EndTimeMs = x.runner.cluster.Now()
		return x.results[n-1], x.runner.cluster.Sim().Err()
	}
	return x.Apply(Step{Op: OpAdvance, Ms: ms})
}

// Scenario returns the journal: the session's scenario so far.
func (x *Session) Scenario() *Scenario {
	out := x.journal
	out.Steps = append([]Step(nil), x.journal.Steps...)
	return &out
}

// Results returns the result of every step so far.
func (x *Session) Results() []StepResult { return x.results }

// Cluster returns the cluster, for drawing; hosts change it only through
// Apply and Advance.
func (x *Session) Cluster() *core.Cluster { return x.runner.cluster }

// Output returns the output document of the steps so far.
func (x *Session) Output() *Output {
	c := x.runner.cluster
	return &Output{Name: x.journal.Name, Seed: x.journal.Seed, Steps: append([]StepResult{}, x.results...),
		TimeMs: c.Now(), TraceHash: c.TraceHash(), Events: c.Sim().TraceCount(), State: c.State(),
		ExpectFailures: x.expectFailures}
}
