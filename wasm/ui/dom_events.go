//go:build js && wasm

package ui

import (
	"strconv"
	"strings"
	"syscall/js"

	"honnef.co/go/js/dom/v2"

	"github.com/kafka-playground/playground/core/scenario"
)

// onClick runs the action of the nearest element with a data-action.
func (a *App) onClick(event dom.Event) {
	target := event.Target()
	if target == nil {
		return
	}
	el := target.Closest("[data-action]")
	if el == nil {
		return
	}
	a.runAction(el.GetAttribute("data-action"), el)
}

// runAction runs a named page action; el is the element that asked for
// it (nil for a keyboard shortcut).
func (a *App) runAction(action string, el dom.Element) {
	attr := func(name string) string {
		if el == nil {
			return ""
		}
		return el.GetAttribute(name)
	}
	if a.room != nil && a.roomAction(action, attr) {
		return
	}
	switch action {
	case "play":
		a.togglePlay()
	case "step-event":
		a.timeAction(a.model.StepToNextEvent)
	case "jump":
		a.jump()
	case "slower", "faster":
		a.changeSpeed(map[string]int{"slower": -1, "faster": 1}[action])
	case "back":
		a.rewindAction(a.model.Back)
	case "forward":
		a.rewindAction(a.model.Forward)
	case "latest":
		a.rewindAction(a.model.Latest)
	case "rewind":
		steps, _ := strconv.Atoi(attr("data-steps"))
		a.rewindAction(func() error { return a.model.RewindTo(steps) })
	case "event":
		seq, _ := strconv.ParseUint(attr("data-seq"), 10, 64)
		a.rewindAction(func() error { return a.model.RewindToEvent(seq) })
	case "step":
		a.buttonStep(attr("data-op"), attr("data-broker"), attr("data-node"))
	default:
		a.runViewAction(action, attr)
	}
}

// runViewAction runs the actions that change what the page shows, not
// the session.
func (a *App) runViewAction(action string, attr func(string) string) {
	switch action {
	case "share":
		a.share()
	case "theme":
		a.toggleTheme()
	case "help":
		a.showHelp()
	case "toggle-topic":
		topic := attr("data-topic")
		a.model.Expanded[topic] = !isExpanded(topic, a.model.Expanded)
	case "browse":
		partition, _ := strconv.Atoi(attr("data-partition"))
		a.model.Browser = MessageBrowser{Topic: attr("data-topic"), Partition: int32(partition), Replica: -1, Mode: BrowseNewest}
		a.focusPanel("panel-messages")
	case "browse-oldest", "browse-newest":
		a.model.Browser.Mode = map[string]string{"browse-oldest": BrowseOldest, "browse-newest": BrowseNewest}[action]
	case "browse-older", "browse-newer":
		a.model.Browser.Page(max(a.firstShown, 0), map[string]int{"browse-older": -1, "browse-newer": 1}[action])
	case "preview-lesson":
		a.previewLesson(attr("data-file"))
	case "start-lesson":
		a.startLesson(attr("data-file"))
	case "export":
		a.export()
	case "create-room":
		a.createRoom()
	case "stop-stream":
		a.model.StopStream()
		a.setText("status-produce", "Stream stopped.")
	}
	a.invalidate()
}

// onSubmit runs a form: an action form becomes a step; the time, browse
// and blank cluster forms do what they say.
func (a *App) onSubmit(event dom.Event) {
	event.PreventDefault()
	form := event.Target()
	if form == nil {
		return
	}
	name := form.GetAttribute("data-form")
	values := formValues(form, event.Underlying().Get("submitter"))
	a.clearErrors(form, name)
	if a.room != nil && (name == "jump" || name == "blank" || name == "paste") {
		a.roomRefuses(map[string]string{"jump": "jumping ahead", "blank": "starting another cluster", "paste": "starting another scenario"}[name])
		return
	}
	switch name {
	case "jump":
		a.jump()
	case "browse":
		a.browseOffset(values)
	case "blank":
		a.startBlank(values)
	case "paste":
		a.startPasted(values["scenario"])
	case "member":
		a.roomMember(values)
	default:
		a.submitAction(name, values)
	}
}

// submitAction turns an action form into a step (or a stream) and applies
// it, showing a refusal beside the field at fault.
func (a *App) submitAction(name string, values Values) {
	f := a.model.Peek()
	request, err := BuildRequest(name, values, FormContext{Nodes: f.NodeNames()})
	if err != nil {
		a.showError(name, err)
		return
	}
	if a.room != nil {
		if request.Stream {
			a.showError(name, &FieldError{Field: "rate", Message: "streams are not available in a room: produce a count of records instead"})
		} else if err := a.roomInput(request.Step); err != nil {
			a.showError(name, err)
		} else {
			a.setText("status-"+name, "Sent to the room.")
		}
		return
	}
	var result scenario.StepResult
	if request.Stream {
		result, err = a.model.StartStream(request.Step)
	} else {
		result, err = a.model.Apply(request.Step)
	}
	if err != nil {
		a.showError(name, err)
		return
	}
	text := ResultText(&request.Step, result)
	if stream := a.model.Stream(); request.Stream && stream != nil {
		text = "Streaming " + thousands(int64(stream.Rate)) + " records per virtual second to " + stream.Step.Topic + " while time plays, in " +
			strconv.Itoa(stream.PerSecond) + " produce step" + plural(stream.PerSecond) + " a second. Press Play."
	}
	a.setText("status-"+name, text)
	a.changed()
}

// buttonStep applies the step of a button in a view.
func (a *App) buttonStep(op, broker, node string) {
	st, err := StepFromButton(op, broker, node)
	if err == nil && a.room != nil {
		err = a.roomInput(st)
		if err == nil {
			return
		}
	}
	if err == nil {
		var result scenario.StepResult
		result, err = a.model.Apply(st)
		if err == nil {
			a.status(ResultText(&st, result))
			a.changed()
			return
		}
	}
	a.status("✕ " + err.Error())
}

// onChange follows the controls that are not forms: speed, the message
// browser's selects and the shortcut switch.
func (a *App) onChange(event dom.Event) {
	target := event.Target()
	if target == nil {
		return
	}
	switch target.GetAttribute("data-control") {
	case "speed":
		index, _ := strconv.Atoi(target.Underlying().Get("value").String())
		a.clock.SetSpeed(index)
		if a.room != nil && a.room.Speed > 0 {
			a.roomSpeed(a.clock.Speed())
		}
		a.invalidate()
	case "browse":
		a.readBrowseControls()
	case "shortcuts":
		a.shortcutsOn = target.Underlying().Get("checked").Bool()
		a.saveSetting("playground.shortcuts", map[bool]string{true: "on", false: "off"}[a.shortcutsOn])
	case "motion":
		a.setMotion(target.Underlying().Get("checked").Bool())
	}
}

// onInput follows the timeline filter as it is typed.
func (a *App) onInput(event dom.Event) {
	target := event.Target()
	if target != nil && target.GetAttribute("data-control") == "timeline-filter" {
		a.model.TimelineFilter = target.Underlying().Get("value").String()
		a.invalidate()
	}
}

// onKeyDown runs single-key shortcuts.
func (a *App) onKeyDown(event dom.Event) {
	if !a.shortcutsOn {
		return
	}
	ev := event.Underlying()
	if ev.Get("ctrlKey").Bool() || ev.Get("altKey").Bool() || ev.Get("metaKey").Bool() || ev.Get("defaultPrevented").Bool() {
		return
	}
	if help := a.element("help"); help != nil && help.Underlying().Get("open").Bool() {
		return
	}
	key := ev.Get("key").String()
	if typing(event.Target(), key) {
		return
	}
	action, panel, found := ShortcutAction(key)
	if !found {
		return
	}
	event.PreventDefault()
	if action == "panel" {
		if panel < len(Panels) {
			a.focusPanel(Panels[panel].ID)
		}
		return
	}
	a.runAction(action, nil)
}

// typing reports whether a key belongs to the element that has the focus:
// any key in a field, Space and Enter on a button, link or summary.
func typing(target dom.Element, key string) bool {
	if target == nil {
		return false
	}
	if target.Matches("input, textarea, select, [contenteditable], [contenteditable] *") {
		return true
	}
	return (key == " " || key == "Enter") && target.Matches("button, a, summary")
}

// focusPanel moves the focus to a panel's heading (opening the start
// panel when it is the one).
func (a *App) focusPanel(id string) {
	panel := a.element(id)
	if panel == nil {
		return
	}
	if panel.TagName() == "DETAILS" {
		panel.Underlying().Set("open", true)
	}
	if heading, ok := a.element(id + "-title").(dom.HTMLElement); ok {
		heading.Focus()
		heading.Underlying().Call("scrollIntoView", map[string]any{"block": "start"})
	}
}

// onHashChange opens a share link typed or pasted into the address bar.
func (a *App) onHashChange() {
	location := a.window.Location()
	if location.Hash() == a.writtenHash || !strings.Contains(location.Hash(), "s=") {
		return // the page wrote this address itself, or it is no link
	}
	a.openLink(location.Href())
}

// formValues reads a form's fields as FormData does, including the
// button that submitted it.
func formValues(form dom.Element, submitter js.Value) Values {
	var data js.Value
	if submitter.Truthy() {
		data = js.Global().Get("FormData").New(form.Underlying(), submitter)
	} else {
		data = js.Global().Get("FormData").New(form.Underlying())
	}
	entries := js.Global().Get("Array").Call("from", data.Call("entries"))
	values := Values{}
	for i := 0; i < entries.Length(); i++ {
		entry := entries.Index(i)
		if value := entry.Index(1); value.Type() == js.TypeString {
			values[entry.Index(0).String()] = value.String()
		}
	}
	return values
}

// roomAction runs the actions that work differently in a room; it
// reports whether it handled action.
func (a *App) roomAction(action string, attr func(string) string) bool {
	switch action {
	case "play":
		if a.room.Speed > 0 {
			a.roomSpeed(0)
		} else {
			a.roomSpeed(a.clock.Speed())
		}
	case "slower", "faster":
		a.clock.SetSpeed(a.clock.SpeedIndex + map[string]int{"slower": -1, "faster": 1}[action])
		if speed := a.element("speed"); speed != nil {
			speed.Underlying().Set("value", strconv.Itoa(a.clock.SpeedIndex))
		}
		if a.room.Speed > 0 {
			a.roomSpeed(a.clock.Speed())
		}
	case "step-event":
		a.roomRefuses("stepping to the next event")
	case "back", "forward", "latest", "rewind", "event":
		a.roomRefuses("rewinding")
	case "start-lesson":
		a.roomRefuses("starting a lesson")
	case "stop-stream", "create-room":
		return true
	default:
		return false
	}
	return true
}
