package scenario

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
)

// stepValidator checks steps one at a time against the steps before
// them, exactly as Decode checks a file's steps, without decoding the
// journal again: a session's cost per step stays constant as it grows.
type stepValidator struct {
	reader *documentReader
	// size is the encoded size of the scenario so far, held to
	// MaxScenarioBytes so the journal always fits a scenario file.
	size int
}

// newStepValidator decodes s once and keeps what its steps established.
func newStepValidator(file string, s *Scenario) (*stepValidator, error) {
	data, err := Encode(s)
	if err != nil {
		return nil, err
	}
	if len(data) > MaxScenarioBytes {
		return nil, &Error{File: file, Step: -1, Message: fmt.Sprintf("the scenario is %d bytes, more than the limit of %d bytes (4 MiB)", len(data), MaxScenarioBytes)}
	}
	r := &documentReader{file: file, data: data}
	if _, bad := r.decodeDocument(); bad != nil {
		return nil, r.locate(bad)
	}
	return &stepValidator{reader: r, size: len(data)}, nil
}

// readerState is what checking a step may change in a documentReader.
type readerState struct {
	clients       map[string]clientEntry
	clientIDs     []string
	eavesdroppers map[string]int
	topicsCreated int
	recordsTotal  int64
	timeline      timeline
}

func (r *documentReader) save() readerState {
	return readerState{clients: maps.Clone(r.clients), clientIDs: slices.Clone(r.clientIDs), eavesdroppers: maps.Clone(r.eavesdroppers),
		topicsCreated: r.topicsCreated, recordsTotal: r.recordsTotal, timeline: r.timeline}
}

func (r *documentReader) restore(s readerState) {
	r.clients, r.clientIDs, r.eavesdroppers = s.clients, s.clientIDs, s.eavesdroppers
	r.topicsCreated, r.recordsTotal, r.timeline = s.topicsCreated, s.recordsTotal, s.timeline
}

// check validates st as step index and returns it as Decode would have
// read it; a refused step changes nothing.
func (v *stepValidator) check(index int, st Step) (Step, error) {
	if index >= MaxSteps {
		return Step{}, &Error{File: v.reader.file, Step: index, Op: st.Op, Message: fmt.Sprintf("%d steps is the limit of a scenario", MaxSteps)}
	}
	var buf bytes.Buffer
	encodeStep(&buf, &st)
	raw := buf.Bytes()
	if v.size+len(raw)+1 > MaxScenarioBytes {
		return Step{}, &Error{File: v.reader.file, Step: index, Op: st.Op, Message: fmt.Sprintf("the scenario would grow past the limit of %d bytes (4 MiB)", MaxScenarioBytes)}
	}
	saved := v.reader.save()
	v.reader.data = raw
	step, bad := v.reader.decodeStep(index, value{raw: raw, offset: 0})
	if bad != nil {
		v.reader.restore(saved)
		return Step{}, v.reader.locate(bad)
	}
	v.size += len(raw) + 1
	return step, nil
}

// ParseStep reads one step in the scenario format (a JSON object) and
// checks it against the journal, as Decode would check it there, without
// applying it: hosts use it for steps that arrive as JSON (a WebSocket
// frame, a form).
func (x *Session) ParseStep(raw []byte) (Step, error) {
	v := x.validator
	index := len(x.journal.Steps)
	saved := v.reader.save()
	defer v.reader.restore(saved)
	v.reader.data = raw
	step, bad := v.reader.decodeStep(index, value{raw: raw, offset: 0})
	if bad != nil {
		return Step{}, v.reader.locate(bad)
	}
	return step, nil
}
