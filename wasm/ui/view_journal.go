package ui

import (
	"strconv"
	"strings"

	"github.com/kafka-playground/playground/core/scenario"
)

// Limits of the journal view.
const (
	// JournalShown is how many of the latest steps the journal lists.
	JournalShown = 200
	// FutureShown is how many set-aside steps it lists after them.
	FutureShown = 50
)

// RenderJournal lists the session's steps with their time and outcome,
// each with a button that rewinds to the moment after it; then, greyed,
// the steps a rewind set aside, each with a button to go forward to it.
func RenderJournal(f *Frame, future []scenario.Step) string {
	var p page
	steps := f.Scenario.Steps
	p.Raw(`<ol class="journal" start="0">`)
	first := max(len(steps)-JournalShown, 0)
	p.Raw(`<li class="step"><span class="what">The cluster starts</span> <button type="button" class="small" data-action="rewind" data-steps="0" data-key="rewind-0">Rewind here</button></li>`)
	if first > 0 {
		p.Raw(`<li class="more">`)
		p.Text(strconv.Itoa(first) + " earlier steps not listed")
		p.Raw(`</li>`)
	}
	for i := first; i < len(steps); i++ {
		renderJournalStep(&p, i, &steps[i], resultAt(f.Results, i), actorAt(f.Actors, i), false)
	}
	for j := 0; j < len(future) && j < FutureShown; j++ {
		renderJournalStep(&p, len(steps)+j, &future[j], nil, "", true)
	}
	if len(future) > FutureShown {
		p.Raw(`<li class="more future">`)
		p.Text(strconv.Itoa(len(future)-FutureShown) + " more steps set aside")
		p.Raw(`</li>`)
	}
	p.Raw(`</ol>`)
	return p.String()
}

// resultAt returns the result of step i, or nil.
func resultAt(results []scenario.StepResult, i int) *scenario.StepResult {
	if i < len(results) {
		return &results[i]
	}
	return nil
}

// actorAt returns the name behind step i in a room, or "".
func actorAt(actors []string, i int) string {
	if i < len(actors) {
		return actors[i]
	}
	return ""
}

// renderJournalStep writes one step of the journal, with the name of the
// person who asked for it in a room.
func renderJournalStep(p *page, i int, st *scenario.Step, result *scenario.StepResult, actor string, future bool) {
	class := "step"
	if future {
		class += " future"
	} else if result != nil && !result.OK {
		class += " refused"
	}
	index := strconv.Itoa(i)
	p.Raw(`<li class="`, class, `" data-step="`, index, `" data-op="`, esc(st.Op), `"><span class="index">#`, index, `</span> `)
	if result != nil {
		p.Raw(`<span class="time">`)
		p.Text(seconds(result.TimeMs))
		p.Raw(`</span> `)
	}
	p.Raw(`<span class="what">`)
	p.Text(StepSummary(st))
	p.Raw(`</span> `)
	if actor != "" {
		p.Raw(`<span class="actor">— `)
		p.Text(actor)
		p.Raw(`</span> `)
	}
	switch {
	case future:
		p.Raw(`<span class="outcome">set aside</span>`)
	case result != nil && result.OK:
		p.Raw(`<span class="outcome ok">✓ ok</span>`)
	case result != nil:
		p.Raw(`<span class="outcome refused">✕ `)
		p.Text(result.Error)
		if result.Message != "" {
			p.Text(": " + shorten(result.Message, 200))
		}
		p.Raw(`</span>`)
	}
	label, action := "Rewind here", "rewind"
	if future {
		label, action = "Forward to here", "rewind"
	}
	p.Raw(` <button type="button" class="small" data-action="`, action, `" data-steps="`, strconv.Itoa(i+1), `" data-key="rewind-`, strconv.Itoa(i+1), `">`, label, `</button>`)
	if st.Note != "" {
		p.Raw(`<p class="note">`)
		p.Text(st.Note)
		p.Raw(`</p>`)
	}
	p.Raw(`</li>`)
}

// RenderLesson shows the scenario's name and description: a lesson's
// explanation, or a line about a blank cluster.
func RenderLesson(s *scenario.Scenario) string {
	var p page
	title := s.Name
	if title == "" {
		title = "Your cluster"
	}
	p.Raw(`<h2 id="lesson-title" tabindex="-1">`)
	p.Text(title)
	p.Raw(`</h2>`)
	mode := "KRaft"
	if s.Cluster.Metadata == scenario.MetadataZooKeeper {
		mode = "ZooKeeper"
	}
	p.Raw(`<p class="facts">`)
	p.Text(strconv.Itoa(s.Cluster.Brokers) + " brokers · " + mode + " · seed " + strconv.FormatUint(s.Seed, 10))
	p.Raw(`</p>`)
	for _, paragraph := range paragraphs(s.Description) {
		p.Raw(`<p>`)
		p.Text(paragraph)
		p.Raw(`</p>`)
	}
	return p.String()
}

// paragraphs splits text at blank lines.
func paragraphs(text string) []string {
	var out []string
	current := ""
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			if current != "" {
				out = append(out, current)
			}
			current = ""
			continue
		}
		if current != "" {
			current += " "
		}
		current += line
	}
	if current != "" {
		out = append(out, current)
	}
	return out
}
