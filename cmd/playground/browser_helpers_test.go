package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kafka-playground/playground/static"
)

// chromiumPath is Debian's Chromium, which tools/deps.sh installs.
const chromiumPath = "/usr/bin/chromium"

// artifactsDir receives the screenshots of the browser tests (git-ignored).
var artifactsDir = filepath.Join("..", "..", "artifacts")

// browserTimeout bounds one browser test from start to end.
const browserTimeout = 3 * time.Minute

// session is one headless Chromium serving tabs against the playground
// served by an httptest server over the embedded static files.
type session struct {
	t       *testing.T
	server  *httptest.Server
	browser context.Context
	cancel  func()
	// console collects what the pages wrote to the console, for failures.
	mu      sync.Mutex
	console []string
}

// newSession starts the server and the browser, or skips the test when
// Chromium or the module is missing (fails under CI=true).
func newSession(t *testing.T) *session {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		needForBrowser(t, fmt.Sprintf("%s is missing (%v): run tools/deps.sh (apt-get install chromium) to run the browser tests", chromiumPath, err))
	}
	if !static.HasModule() {
		needForBrowser(t, "the WebAssembly module is not built: run `make wasm` before the browser tests")
	}
	if _, err := exec.LookPath(chromiumPath); err != nil {
		needForBrowser(t, fmt.Sprintf("%s is not executable: %v", chromiumPath, err))
	}
	s := &session{t: t, server: httptest.NewServer(staticHandler())}
	options := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.NoSandbox,
		chromedp.WindowSize(1280, 1000),
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
	)
	allocator, cancelAllocator := chromedp.NewExecAllocator(context.Background(), options...)
	browser, cancelBrowser := chromedp.NewContext(allocator)
	deadline, cancelDeadline := context.WithTimeout(browser, browserTimeout)
	s.browser = deadline
	s.cancel = func() {
		cancelDeadline()
		cancelBrowser()
		cancelAllocator()
		s.server.Close()
	}
	if err := chromedp.Do(browser); err != nil {
		s.cancel()
		t.Fatalf("start %s: %v", chromiumPath, err)
	}
	t.Cleanup(s.cancel)
	return s
}

// needForBrowser stops the test for want of Chromium or the module: a
// failure in CI, a skip elsewhere.
func needForBrowser(t *testing.T, message string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(message)
	}
	t.Skip(message)
}

// tab is one browser tab on the playground.
type tab struct {
	s   *session
	ctx context.Context
}

// open opens a new tab at path (such as "/" or a share link) and waits
// until the playground has drawn its first cluster.
func (s *session) open(path string) *tab {
	s.t.Helper()
	ctx, cancel := chromedp.NewContext(s.browser)
	s.t.Cleanup(cancel)
	messages := chromedp.Console(ctx)
	tb := &tab{s: s, ctx: ctx}
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			s.mu.Lock()
			s.console = append(s.console, m.String())
			s.mu.Unlock()
		}
	}()
	tb.do("open "+path, chromedp.Navigate(s.server.URL+path))
	tb.waitFor(`#app[data-ready="true"]`)
	return tb
}

// fail stops the test with the console of the pages.
func (tb *tab) fail(format string, arguments ...any) {
	tb.s.t.Helper()
	tb.s.mu.Lock()
	console := strings.Join(tb.s.console, "\n")
	tb.s.mu.Unlock()
	tb.s.t.Fatalf(format+"\nbrowser console:\n%s", append(arguments, console)...)
}

// do runs actions in the tab.
func (tb *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.s.t.Helper()
	if err := chromedp.Do(tb.ctx, actions...); err != nil {
		tb.fail("%s: %v", what, err)
	}
}

// waitFor waits until an element matching the CSS selector exists.
func (tb *tab) waitFor(selector string) {
	tb.s.t.Helper()
	tb.do("wait for "+selector, chromedp.WaitReady(chromedp.CSS(selector)))
}

// eval evaluates a JavaScript expression and decodes its value into T.
func eval[T any](tb *tab, expression string) T {
	tb.s.t.Helper()
	value, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expression))
	if err != nil {
		tb.fail("evaluate %s: %v", expression, err)
	}
	return value
}

// poll waits until a JavaScript expression is truthy and returns its value.
func poll[T any](tb *tab, expression string, timeout time.Duration) T {
	tb.s.t.Helper()
	value, err := chromedp.Run(tb.ctx, chromedp.Poll[T](expression, chromedp.WithPollingTimeout(timeout), chromedp.WithPollingInterval(50*time.Millisecond)))
	if err != nil {
		tb.fail("waiting %s for %s: %v", timeout, expression, err)
	}
	return value
}

// jsString quotes a Go string as a JavaScript string literal.
func jsString(text string) string {
	data, _ := json.Marshal(text)
	return string(data)
}

// click clicks the element matching the CSS selector, as a person would.
func (tb *tab) click(selector string) {
	tb.s.t.Helper()
	tb.do("click "+selector, chromedp.Click(chromedp.CSS(selector)))
}

// fill sets a field's value and fires the input and change events a
// person's typing or choosing would.
func (tb *tab) fill(selector, value string) {
	tb.s.t.Helper()
	ok := eval[bool](tb, `(() => { const el = document.querySelector(`+jsString(selector)+`); if (!el) return false;
		el.value = `+jsString(value)+`; el.dispatchEvent(new Event("input", {bubbles: true}));
		el.dispatchEvent(new Event("change", {bubbles: true})); return el.value === `+jsString(value)+`; })()`)
	if !ok {
		tb.fail("could not set %s to %q (missing element or option)", selector, value)
	}
}

// text returns the text of the first element matching the selector.
func (tb *tab) text(selector string) string {
	tb.s.t.Helper()
	return eval[string](tb, `(document.querySelector(`+jsString(selector)+`) || {textContent: ""}).textContent`)
}

// attribute returns an attribute of the first element matching the
// selector, or "" when there is none.
func (tb *tab) attribute(selector, name string) string {
	tb.s.t.Helper()
	return eval[string](tb, `((el) => el ? (el.getAttribute(`+jsString(name)+`) || "") : "")(document.querySelector(`+jsString(selector)+`))`)
}

// traceHash returns the trace hash the page shows.
func (tb *tab) traceHash() string {
	tb.s.t.Helper()
	return tb.attribute("#trace-hash", "data-trace-hash")
}

// jump advances virtual time by seconds through the toolbar's Jump form.
func (tb *tab) jump(seconds int) {
	tb.s.t.Helper()
	before := tb.attribute("#app", "data-time-ms")
	tb.fill("#jump-seconds", fmt.Sprint(seconds))
	tb.click(`form[data-form="jump"] button[type="submit"]`)
	poll[bool](tb, `document.querySelector("#app").getAttribute("data-time-ms") !== `+jsString(before), 20*time.Second)
}

// screenshot saves a screenshot of the element matching the selector (or
// the whole page for "") under artifacts/.
func (tb *tab) screenshot(name, selector string) {
	tb.s.t.Helper()
	var data []byte
	var err error
	if selector == "" {
		data, err = chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	} else {
		data, err = chromedp.Run(tb.ctx, chromedp.Screenshot(chromedp.CSS(selector)))
	}
	if err != nil {
		tb.fail("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(artifactsDir, 0o755); err != nil {
		tb.s.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(artifactsDir, name+".png"), data, 0o644); err != nil {
		tb.s.t.Fatal(err)
	}
}
