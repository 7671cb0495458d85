//go:build js && wasm

package ui

import (
	"fmt"
	"strconv"
	"strings"
	"syscall/js"

	"honnef.co/go/js/dom/v2"

	"github.com/kafka-playground/playground/core/lessons"
	"github.com/kafka-playground/playground/core/link"
	"github.com/kafka-playground/playground/core/scenario"
)

// currentLink returns the share link path ("/#s=1.…") of the session.
func (a *App) currentLink() (string, error) {
	return link.Encode(a.model.Session().Scenario())
}

// shareURL turns a link path into a whole URL on this page's address.
func (a *App) shareURL(path string) string {
	location := a.window.Location()
	return location.Origin() + location.Pathname() + strings.TrimPrefix(path, "/")
}

// share puts the session's link in the share field, selects it and copies
// it to the clipboard when the browser allows.
func (a *App) share() {
	path, err := a.currentLink()
	if err != nil {
		a.setText("share-status", "✕ "+err.Error())
		return
	}
	url := a.shareURL(path)
	if input := a.element("share-link"); input != nil {
		input.Underlying().Set("value", url)
		input.Underlying().Call("select")
	}
	a.writeURL(path)
	a.urlDirty = false
	clipboard := js.Global().Get("navigator").Get("clipboard")
	if !clipboard.Truthy() {
		a.setText("share-status", "The link is selected above: copy it with Ctrl+C.")
		return
	}
	a.setText("share-status", "Copying…")
	var done, failed js.Func
	done = js.FuncOf(func(js.Value, []js.Value) any {
		a.setText("share-status", "Link copied.")
		done.Release()
		failed.Release()
		return nil
	})
	failed = js.FuncOf(func(js.Value, []js.Value) any {
		a.setText("share-status", "The browser did not allow copying: the link is selected above, copy it with Ctrl+C.")
		done.Release()
		failed.Release()
		return nil
	})
	clipboard.Call("writeText", url).Call("then", done, failed)
}

// followURL writes the session's link into the address bar when it lags
// behind: at once when paused, every urlEveryMs while playing.
func (a *App) followURL(nowMs float64) {
	if !a.urlDirty || a.model.Session() == nil || a.room != nil {
		return // a room's address is its link
	}
	if a.clock.Playing && nowMs-a.urlWrittenMs < urlEveryMs {
		return
	}
	a.urlDirty = false
	a.urlWrittenMs = nowMs
	path, err := a.currentLink()
	if err != nil {
		a.setText("share-status", "✕ "+err.Error())
		return
	}
	a.writeURL(path)
}

// writeURL replaces the address's fragment with a link's.
func (a *App) writeURL(path string) {
	hash := strings.TrimPrefix(path, "/")
	location := a.window.Location()
	if location.Hash() == hash {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			// Browsers refuse replaceState calls that come too often; the
			// next change writes the address again.
			a.urlDirty = true
		}
	}()
	js.Global().Get("history").Call("replaceState", js.Null(), "", location.Pathname()+location.Search()+hash)
	a.writtenHash = hash
}

// startFromLocation opens the share link in the address, or a blank
// cluster with the start panel open.
func (a *App) startFromLocation() {
	location := a.window.Location()
	if token := roomToken(location.Pathname()); token != "" {
		a.startDefault() // shown until the room's welcome replaces it
		a.joinRoom(token)
		return
	}
	if strings.Contains(location.Hash(), "s=") {
		a.openLink(location.Href())
		if a.model.Session() != nil {
			return
		}
	}
	a.startDefault()
	if start := a.element("start-panel"); start != nil {
		start.Underlying().Set("open", true)
	}
}

// startDefault starts a blank three-broker KRaft cluster.
func (a *App) startDefault() {
	s, err := BlankScenario(scenario.DefaultBrokers, scenario.MetadataKRaft, scenario.DefaultSeed)
	if err == nil {
		err = a.startScenario(s)
	}
	if err != nil {
		a.showBanner("The blank cluster does not start: " + err.Error())
	}
}

// openLink replays a share link. A link that does not open leaves the
// session as it was (a blank cluster when there was none) and says why.
func (a *App) openLink(href string) {
	s, err := link.Decode(href)
	if err == nil {
		err = a.startScenario(s)
	}
	if err != nil {
		_, message := errorField(err)
		if a.model.Session() == nil {
			a.startDefault()
		}
		a.showBanner("This link does not open: " + message + ". Nothing was replayed; the page shows a blank cluster instead.")
		return
	}
	a.writtenHash = a.window.Location().Hash()
	steps := len(s.Steps)
	a.status("Opened a share link: replayed " + strconv.Itoa(steps) + " step" + plural(steps) + ".")
	a.invalidate()
}

// startBlank starts the blank cluster the chooser describes.
func (a *App) startBlank(values Values) {
	brokers, err := values.number("brokers", 1, MaxChooserBrokers, true)
	if err != nil {
		a.showError("blank", err)
		return
	}
	seed, err := values.number("seed", 0, 1<<53, false)
	if err != nil {
		a.showError("blank", err)
		return
	}
	if values.text("seed") == "" {
		seed = scenario.DefaultSeed
	}
	s, err := BlankScenario(int(brokers), values.text("metadata"), uint64(seed))
	if err == nil {
		err = a.startScenario(s)
	}
	if err != nil {
		a.showError("blank", err)
		return
	}
	a.afterStart(fmt.Sprintf("A blank cluster of %d broker%s started.", brokers, plural(int(brokers))))
}

// startLesson starts a lesson: its steps all run, and the Steps panel
// lets a person rewind to any of them.
func (a *App) startLesson(file string) {
	lesson, found := lessons.Get(file)
	if !found {
		a.status("✕ There is no lesson " + file + ".")
		return
	}
	s, err := scenario.Decode(file, lesson.Data)
	if err == nil {
		err = a.startScenario(s)
	}
	if err != nil {
		a.status("✕ The lesson does not start: " + err.Error())
		return
	}
	a.afterStart("Lesson started: its " + strconv.Itoa(len(s.Steps)) + " steps ran. Use Rewind in Steps to replay it step by step.")
}

// afterStart closes the start panel and moves the focus to the scenario.
func (a *App) afterStart(message string) {
	if start := a.element("start-panel"); start != nil {
		start.Underlying().Set("open", false)
	}
	a.status(message)
	a.changed()
	a.draw()
	if title, ok := a.element("lesson-title").(dom.HTMLElement); ok && title != nil {
		title.Focus()
	}
}

// previewLesson shows a lesson's explanation beside the list.
func (a *App) previewLesson(file string) {
	lesson, found := lessons.Get(file)
	if !found {
		return
	}
	if preview := a.element("lesson-preview"); preview != nil {
		preview.SetInnerHTML(RenderLessonPreview(lesson))
	}
	for _, button := range a.root.QuerySelectorAll(`[data-action="preview-lesson"]`) {
		button.SetAttribute("aria-pressed", strconv.FormatBool(button.GetAttribute("data-file") == file))
	}
}

// startPasted runs a scenario pasted into the start panel.
func (a *App) startPasted(text string) {
	s, err := DecodePasted(text)
	if err == nil {
		err = a.startScenario(s)
	}
	if err != nil {
		a.showError("paste", err)
		return
	}
	a.afterStart("The pasted scenario ran: " + strconv.Itoa(len(s.Steps)) + " step" + plural(len(s.Steps)) + ".")
}

// export writes the session's journal as a scenario file into the Steps
// panel's text area and selects it.
func (a *App) export() {
	text, err := ExportJSON(a.model.Session().Scenario())
	if err != nil {
		text = "The session cannot be written as a scenario: " + err.Error()
	}
	if area := a.element("export-json"); area != nil {
		area.Underlying().Set("value", text)
		area.Underlying().Call("select")
	}
}
