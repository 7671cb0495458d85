//go:build js && wasm

package ui

import (
	"fmt"
	"runtime/debug"
	"syscall/js"

	"honnef.co/go/js/dom/v2"
)

// App is the page: the model, the clock that plays it, and what was last
// written into each container, so that a frame touches only what changed.
type App struct {
	window   dom.Window
	document dom.HTMLDocument
	root     dom.HTMLElement
	model    *Model
	clock    Clock
	// views holds the HTML last written into each view container.
	views map[string]string
	// options holds the option signature last written into each select.
	options map[string]string
	// selects are the selects whose options follow the cluster.
	selects []dom.Element
	// frameRequested says a requestAnimationFrame callback is pending.
	frameRequested bool
	// lastFrameMs is the timestamp of the previous frame while playing.
	lastFrameMs float64
	// drawnVersion is the model version of the last drawing.
	drawnVersion uint64
	// firstShown is the first offset the message browser shows.
	firstShown int64
	// slowViewsMs is when the slow views were last written; journalKey
	// names the journal they last showed.
	slowViewsMs float64
	journalKey  string
	// drawSkipped says the previous frame left its drawing to this one.
	drawSkipped bool
	// interactive says the first cluster has been drawn.
	interactive bool
	// urlDirty says the address bar lags behind the session;
	// urlWrittenMs is when it was last written (performance.now()).
	urlDirty     bool
	urlWrittenMs float64
	// writtenHash is the fragment the page last wrote into the address.
	writtenHash string
	// shortcutsOn says whether single-key shortcuts act.
	shortcutsOn bool
	// motion is the person's choice for moving messages in flight: "on",
	// "off", or "" to follow reducedMotion, the prefers-reduced-motion
	// media query.
	motion        string
	reducedMotion js.Value
	// frames records frame timing for the budget tests.
	frames frameStats
	// internalError is the message of a recovered panic, shown once.
	internalError string
	// room is the shared room the page joined (opened at /r/TOKEN), or
	// nil; roomOut queues frames for its connection, nil while offline.
	room    *Room
	roomOut chan []byte
}

// Mount builds the page inside the element with id "app" (or the body),
// starts the session the address asks for (a share link) or a blank
// cluster, and draws it.
func Mount() {
	window := dom.GetWindow()
	document, ok := window.Document().(dom.HTMLDocument)
	if !ok {
		return
	}
	root, _ := document.GetElementByID("app").(dom.HTMLElement)
	if root == nil {
		root = document.Body()
	}
	a := &App{window: window, document: document, root: root, model: NewModel(), clock: NewClock(),
		views: map[string]string{}, options: map[string]string{}, firstShown: -1}
	root.SetInnerHTML(RenderShell())
	for _, el := range root.QuerySelectorAll("select[data-options]") {
		a.selects = append(a.selects, el)
	}
	a.loadSettings()
	a.bindEvents()
	a.installDebugHook()
	a.startFromLocation()
	if a.room == nil {
		a.checkRooms()
	}
	a.requestFrame()
}

// bindEvents delegates every event of the page to one handler per kind.
func (a *App) bindEvents() {
	a.root.AddEventListener("click", false, a.guard(a.onClick))
	a.root.AddEventListener("submit", false, a.guard(a.onSubmit))
	a.root.AddEventListener("change", false, a.guard(a.onChange))
	a.root.AddEventListener("input", false, a.guard(a.onInput))
	a.document.AddEventListener("keydown", false, a.guard(a.onKeyDown))
	a.window.AddEventListener("hashchange", false, a.guard(func(dom.Event) { a.onHashChange() }))
}

// guard runs an event handler so that a panic is reported on the page
// instead of ending the program: the session stays as it was.
func (a *App) guard(handler func(dom.Event)) func(dom.Event) {
	return func(event dom.Event) {
		defer a.recoverPanic()
		handler(event)
	}
}

// recoverPanic turns a panic into a message on the page and the console.
func (a *App) recoverPanic() {
	if r := recover(); r != nil {
		a.clock.Pause()
		message := fmt.Sprintf("Something went wrong inside the playground (%v). The session is kept: rewind a step or reload the page.", r)
		js.Global().Get("console").Call("error", message+"\n"+string(debug.Stack()))
		a.internalError = message
		a.showBanner(message)
		a.requestFrame()
	}
}

// element returns the element with id, or nil.
func (a *App) element(id string) dom.Element {
	return a.document.GetElementByID(id)
}

// setText sets the text of the element with id.
func (a *App) setText(id, text string) {
	if el := a.element(id); el != nil {
		el.SetTextContent(text)
	}
}

// showBanner shows a message above the panels; "" hides it.
func (a *App) showBanner(message string) {
	el := a.element("banner")
	if el == nil {
		return
	}
	el.SetTextContent(message)
	if message == "" {
		el.SetAttribute("hidden", "")
	} else {
		el.RemoveAttribute("hidden")
	}
}

// status shows a short message in the toolbar's status line.
func (a *App) status(message string) { a.setText("status", message) }

// invalidate asks for a drawing in the next frame.
func (a *App) invalidate() {
	a.model.Touch()
	a.requestFrame()
}

// changed records that the session changed: redraw, and let the address
// bar follow.
func (a *App) changed() {
	a.urlDirty = true
	a.invalidate()
}
