package ui

import "strconv"

// TimelineShown is how many events the timeline view lists.
const TimelineShown = 150

// RenderTimeline lists the newest trace events in words, newest first.
// Each is a button: choosing it replays the session to that moment.
func RenderTimeline(t *Timeline, filter string) string {
	var p page
	events := t.Recent(TimelineShown, filter)
	p.Raw(`<p class="summary">`)
	p.Text("Newest first; " + strconv.Itoa(len(events)) + " shown of " + strconv.Itoa(t.Len()) + " kept. Choose an event to rewind to its moment.")
	p.Raw(`</p>`)
	if len(events) == 0 {
		p.Raw(`<p class="empty">No event matches.</p>`)
		return p.String()
	}
	p.Raw(`<ol class="timeline" reversed>`)
	for _, e := range events {
		seq := strconv.FormatUint(e.Seq, 10)
		p.Raw(`<li class="kind-`, esc(e.Kind), `"><button type="button" data-action="event" data-seq="`, seq, `" data-key="event-`, seq,
			`" data-node="`, esc(e.Node), `"><span class="time">`)
		p.Text(seconds(e.TimeMs))
		p.Raw(`</span> <span class="node">`)
		p.Text(e.Node)
		p.Raw(`</span> <span class="kind">`)
		p.Text(e.Kind)
		p.Raw(`</span> `)
		p.Text(shorten(e.Text, 240))
		p.Raw(`</button></li>`)
	}
	p.Raw(`</ol>`)
	return p.String()
}
