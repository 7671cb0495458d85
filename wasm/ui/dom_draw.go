//go:build js && wasm

package ui

import (
	"strconv"
	"strings"
	"syscall/js"

	"honnef.co/go/js/dom/v2"
)

// slowViewEveryMs is how often, while time plays, the views that people
// read rather than watch (message browser, chart, timeline, steps) are
// written again; paused, every drawing writes them.
const slowViewEveryMs = 250

// draw reads the session once and writes every view whose HTML changed.
func (a *App) draw() {
	m := a.model
	f := m.Snapshot()
	f.Still = a.still()
	m.Browser.Resolve(f)
	a.syncOptions(f)
	a.syncBrowseControls()
	a.setView("view-lesson", RenderLesson(f.Scenario))
	a.setView("view-cluster", RenderCluster(f, m.Highlight))
	a.setView("view-topics", RenderTopics(f, m.Expanded))
	a.setView("view-producers", RenderProducers(f, m.Stream()))
	a.setView("view-consumers", RenderConsumers(f))
	if now := performanceNow(); !a.clock.Playing || now-a.slowViewsMs >= slowViewEveryMs {
		a.slowViewsMs = now
		a.drawSlowViews(f)
	}
	a.drawToolbar(f)
	a.drawnVersion = m.Version()
	if !a.interactive {
		a.interactive = true
		a.root.SetAttribute("data-ready", "true")
		js.Global().Get("performance").Call("mark", "playground-interactive")
	}
}

// drawSlowViews writes the message browser, the chart, the timeline and
// the steps.
func (a *App) drawSlowViews(f *Frame) {
	m := a.model
	messages, first := RenderMessages(f, m.Cluster(), m.Browser)
	a.firstShown = first
	a.setView("view-messages", messages)
	a.setView("view-chart", RenderChart(m.Chart()))
	a.setView("view-timeline", RenderTimeline(m.Timeline(), m.TimelineFilter))
	journalKey := strconv.Itoa(len(f.Scenario.Steps)) + "/" + strconv.Itoa(len(m.FutureSteps())) + "/" + strconv.FormatUint(m.JournalVersion(), 10)
	if n := len(f.Scenario.Steps); n > 0 {
		journalKey += "/" + strconv.FormatInt(f.Scenario.Steps[n-1].Ms, 10) // a growing advance
	}
	if a.journalKey != journalKey {
		a.journalKey = journalKey
		a.setView("view-journal", RenderJournal(f, m.FutureSteps()))
	}
}

// drawToolbar writes the clock, the trace hash and the state of the time
// buttons.
func (a *App) drawToolbar(f *Frame) {
	a.setText("clock", "t = "+seconds(f.NowMs)+" · step "+strconv.Itoa(len(f.Scenario.Steps))+" · "+thousands(int64(f.Events))+" events")
	if hash := a.element("trace-hash"); hash != nil && hash.GetAttribute("data-trace-hash") != f.TraceHash {
		hash.SetAttribute("data-trace-hash", f.TraceHash)
		hash.SetTextContent(f.TraceHash[:12] + "…")
	}
	a.root.SetAttribute("data-time-ms", strconv.FormatInt(f.NowMs, 10))
	a.root.SetAttribute("data-steps", strconv.Itoa(len(f.Scenario.Steps)))
	label := "▶ Play"
	if a.clock.Playing {
		label = "⏸ Pause"
	}
	if play := a.element("play"); play != nil && play.TextContent() != label {
		play.SetTextContent(label)
		play.SetAttribute("aria-pressed", strconv.FormatBool(a.clock.Playing))
	}
	a.setDisabled("forward", !a.model.CanForward())
	a.setDisabled("latest", !a.model.CanForward())
	a.setDisabled("back", len(f.Scenario.Steps) == 0)
}

// setDisabled sets a button's disabled state when it differs.
func (a *App) setDisabled(id string, disabled bool) {
	el := a.element(id)
	if el == nil || el.HasAttribute("disabled") == disabled {
		return
	}
	if disabled {
		el.SetAttribute("disabled", "")
	} else {
		el.RemoveAttribute("disabled")
	}
}

// setView writes html into the container with id unless it is already
// there, and gives the focus back to the element that had it (matched by
// its data-key).
func (a *App) setView(id, html string) {
	if a.views[id] == html {
		return
	}
	container := a.element(id)
	if container == nil {
		return
	}
	a.views[id] = html
	focusKey := ""
	if active := a.document.ActiveElement(); active != nil && container.Contains(active) {
		focusKey = active.GetAttribute("data-key")
	}
	container.SetInnerHTML(html)
	if focusKey == "" {
		return
	}
	if el, ok := container.QuerySelector(`[data-key="` + cssEscape(focusKey) + `"]`).(dom.HTMLElement); ok && el != nil {
		el.Focus()
	}
}

// cssEscape escapes text for a CSS attribute selector in double quotes.
func cssEscape(text string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(text)
}

// option is one entry of a select.
type option struct{ value, label string }

// optionsFor lists what a select with data-options=kind offers.
func (a *App) optionsFor(kind string, f *Frame) []option {
	st := f.State
	var out []option
	add := func(values ...string) {
		for _, v := range values {
			out = append(out, option{v, v})
		}
	}
	switch kind {
	case "producers":
		add(sortedKeys(st.Producers)...)
	case "consumers":
		add(sortedKeys(st.Consumers)...)
	case "clients":
		add(sortedKeys(st.Producers)...)
		add(sortedKeys(st.Consumers)...)
	case "topics":
		add(f.Topics()...)
	case "brokers":
		for _, key := range numericKeys(st.Brokers) {
			out = append(out, option{key, "broker-" + key})
		}
	case "quorum":
		for _, n := range f.Nodes {
			if n.Kind == "controller" || n.Kind == "zookeeper" {
				add(n.Name)
			}
		}
	case "nodes":
		add(f.NodeNames()...)
	case "browse-partitions":
		add(numericKeys(st.Topics[a.model.Browser.Topic].Partitions)...)
	case "browse-replicas":
		out = append(out, option{"-1", "the leader"})
		part := st.Topics[a.model.Browser.Topic].Partitions[strconv.Itoa(int(a.model.Browser.Partition))]
		for _, r := range part.Replicas {
			out = append(out, option{strconv.Itoa(int(r)), "broker " + strconv.Itoa(int(r))})
		}
	}
	return out
}

// syncOptions rewrites the options of the selects that follow the
// cluster, when their list changed, keeping the chosen value.
func (a *App) syncOptions(f *Frame) {
	for _, el := range a.selects {
		kind := el.GetAttribute("data-options")
		options := a.optionsFor(kind, f)
		var signature strings.Builder
		var p page
		for _, o := range options {
			signature.WriteString(o.value + "\x00" + o.label + "\x00")
			p.Raw(`<option value="`, esc(o.value), `">`, esc(o.label), `</option>`)
		}
		if len(options) == 0 {
			p.Raw(`<option value="">(none yet)</option>`)
		}
		key := el.ID()
		if old, written := a.options[key]; written && old == signature.String() {
			continue
		}
		a.options[key] = signature.String()
		select_ := el.Underlying()
		chosen := select_.Get("value").String()
		el.SetInnerHTML(p.String())
		for _, o := range options {
			if o.value == chosen {
				select_.Set("value", chosen)
				break
			}
		}
	}
}

// syncBrowseControls shows the message browser's place in its selects.
func (a *App) syncBrowseControls() {
	b := a.model.Browser
	set := func(id, value string) {
		if el := a.element(id); el != nil && el.Underlying().Get("value").String() != value {
			el.Underlying().Set("value", value)
		}
	}
	set("browse-topic", b.Topic)
	set("browse-partition", strconv.Itoa(int(b.Partition)))
	set("browse-replica", strconv.Itoa(int(b.Replica)))
}

// readBrowseControls follows a change of the message browser's selects.
func (a *App) readBrowseControls() {
	value := func(id string) string {
		if el := a.element(id); el != nil {
			return el.Underlying().Get("value").String()
		}
		return ""
	}
	b := &a.model.Browser
	topic := value("browse-topic")
	if topic != b.Topic {
		*b = MessageBrowser{Topic: topic, Replica: -1, Mode: BrowseNewest}
	} else {
		partition, _ := strconv.Atoi(value("browse-partition"))
		replica, err := strconv.Atoi(value("browse-replica"))
		if err != nil {
			replica = -1
		}
		if int32(partition) != b.Partition {
			replica = -1
		}
		b.Partition, b.Replica = int32(partition), int32(replica)
	}
	a.invalidate()
}

// browseOffset follows the message browser's offset field.
func (a *App) browseOffset(values Values) {
	a.setFieldError("err-browse-offset", "")
	offset, err := values.number("offset", 0, 1<<62, true)
	if err != nil {
		a.setFieldError("err-browse-offset", err.(*FieldError).Message)
		return
	}
	a.model.Browser.Mode = BrowseOffset
	a.model.Browser.FromOffset = offset
	a.invalidate()
}
