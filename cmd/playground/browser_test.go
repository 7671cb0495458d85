package main

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kafka-playground/playground/core/client"
	"github.com/kafka-playground/playground/core/link"
	"github.com/kafka-playground/playground/core/scenario"
)

// The browser tests drive the playground in headless Chromium as a person
// would: they click its buttons, fill its forms and read what it draws.
// Each saves screenshots under artifacts/.

// TestBrowserLessonToSharedLink walks the story in one tab: start
// a lesson, kill a broker and see the ISR shrink, produce a keyed record
// and find it on its partition in the message browser, add a consumer and
// see its lag reach 0, then copy the share link, open it in a fresh tab
// and reach the same trace hash, which is also the hash of running the
// link natively.
func TestBrowserLessonToSharedLink(t *testing.T) {
	s := newSession(t)
	tb := s.open("/")
	tb.screenshot("browser-start", "")

	startLesson(tb, "01-topics-partitions-offsets.json", "Topics, partitions and offsets")
	killBrokerAndSeeISRShrink(tb, "orders", 2)
	produceAndBrowse(tb, "p1", "orders", "user-42", "hello from the browser test")
	addConsumerAndDrainLag(tb, "c1", "g1", "orders")
	tb.screenshot("browser-clients", "#panel-clients")
	tb.screenshot("browser-chart", "#panel-chart")
	tb.screenshot("browser-timeline", "#panel-timeline")
	tb.screenshot("browser-full", "")

	url, hash := shareLink(tb)
	fresh := s.open(strings.TrimPrefix(url, s.server.URL))
	if got := fresh.traceHash(); got != hash {
		fresh.fail("the shared link replays to trace hash %s in a fresh tab, the original tab shows %s", got, hash)
	}
	if native := nativeHash(t, url); native != hash {
		t.Fatalf("the link runs natively (playground run) to trace hash %s, the page shows %s", native, hash)
	}
	if got, want := fresh.attribute("#app", "data-steps"), tb.attribute("#app", "data-steps"); got != want {
		fresh.fail("the fresh tab has %s steps, the original %s", got, want)
	}
	narrow(fresh)
}

// startLesson starts a lesson from the start panel.
func startLesson(tb *tab, file, title string) {
	tb.s.t.Helper()
	tb.click(`button[data-action="preview-lesson"][data-file="` + file + `"]`)
	tb.click(`#lesson-preview button[data-action="start-lesson"]`)
	got := poll[string](tb, `(document.querySelector("#lesson-title") || {}).textContent === `+jsString(title)+` && document.querySelector("#lesson-title").textContent`, 20*time.Second)
	if got != title {
		tb.fail("the lesson panel shows %q, want %q", got, title)
	}
	tb.waitFor(`.partition[data-partition="0"]`)
}

// killBrokerAndSeeISRShrink kills a broker with its button in the cluster
// view, lets time run and checks that every ISR holding it shrinks.
func killBrokerAndSeeISRShrink(tb *tab, topic string, broker int) {
	tb.s.t.Helper()
	id := strconv.Itoa(broker)
	before := tb.attribute(`.partition[data-topic="`+topic+`"][data-partition="0"]`, "data-isr")
	if !containsID(before, id) {
		tb.fail("broker %s is not in the ISR %q before the kill", id, before)
	}
	tb.click(`#view-cluster button[data-op="kill_broker"][data-broker="` + id + `"]`)
	poll[bool](tb, `document.querySelector('#view-cluster tr[data-broker="`+id+`"]').getAttribute("data-alive") === "false"`, 10*time.Second)
	tb.jump(15)
	after := tb.attribute(`.partition[data-topic="`+topic+`"][data-partition="0"]`, "data-isr")
	if containsID(after, id) || len(strings.Split(after, ",")) != len(strings.Split(before, ","))-1 {
		tb.fail("after killing broker %s and 15 s, the ISR of %s-0 is %q (before %q)", id, topic, after, before)
	}
	if words := tb.text(`.partition[data-topic="` + topic + `"][data-partition="0"] li[data-broker="` + id + `"] .words`); !strings.Contains(words, "offline") && !strings.Contains(words, "out of sync") {
		tb.fail("the dead replica is described as %q; want offline or out of sync in words", words)
	}
	tb.screenshot("browser-cluster", "#panel-cluster")
	tb.screenshot("browser-topics", "#panel-topics")
}

// containsID reports whether a "1,2,3" list holds id.
func containsID(list, id string) bool {
	for _, x := range strings.Split(list, ",") {
		if x == id {
			return true
		}
	}
	return false
}

// produceAndBrowse produces one keyed record through the Produce form and
// finds it in the message browser on the partition murmur2 gives its key.
func produceAndBrowse(tb *tab, producer, topic, key, value string) {
	tb.s.t.Helper()
	partitions := eval[int](tb, `document.querySelectorAll('.partition[data-topic="`+topic+`"]').length`)
	want := client.KeyPartition([]byte(key), int32(partitions))
	tb.fill("#f-produce-producer", producer)
	tb.fill("#f-produce-topic", topic)
	tb.fill("#f-produce-key", key)
	tb.fill("#f-produce-value", value)
	tb.fill("#f-produce-count", "1")
	tb.click(`#form-produce button[value="produce"]`)
	status := poll[string](tb, `document.querySelector("#status-produce").textContent`, 10*time.Second)
	if !strings.HasPrefix(status, "✓") {
		tb.fail("produce: %s", status)
	}
	tb.jump(1)
	tb.fill("#browse-topic", topic)
	tb.fill("#browse-partition", strconv.Itoa(int(want)))
	tb.click(`button[data-action="browse-newest"]`)
	row := `#view-messages tr[data-key="` + key + `"]`
	poll[bool](tb, `!!document.querySelector(`+jsString(row)+`)`, 10*time.Second)
	if got := tb.attribute("#view-messages .summary", "data-browse-partition"); got != strconv.Itoa(int(want)) {
		tb.fail("the record with key %s is shown on partition %s, murmur2 puts it on %d", key, got, want)
	}
	if cells := tb.text(row); !strings.Contains(cells, value) {
		tb.fail("the row of key %s reads %q, without its value %q", key, cells, value)
	}
	tb.screenshot("browser-messages", "#panel-messages")
}

// addConsumerAndDrainLag adds a consumer in a group, polls and commits
// until the group's lag is 0.
func addConsumerAndDrainLag(tb *tab, id, groupID, topic string) {
	tb.s.t.Helper()
	tb.fill("#f-add_consumer-id", id)
	tb.fill("#f-add_consumer-group", groupID)
	tb.fill("#f-add_consumer-topics", topic)
	tb.fill("#f-add_consumer-config-auto-offset-reset", "earliest")
	tb.click(`#form-add_consumer button[value="add_consumer"]`)
	tb.waitFor(`#view-consumers tr[data-consumer="` + id + `"]`)
	tb.fill("#f-consumer_op-consumer", id)
	partitions := strconv.Itoa(eval[int](tb, `document.querySelectorAll('.partition[data-topic="`+topic+`"]').length`))
	group := `#view-consumers article.group[data-group="` + groupID + `"]`
	consumer := `#view-consumers tr[data-consumer="` + id + `"]`
	for round := 0; round < 20; round++ {
		tb.click(`#form-consumer_op button[value="poll"]`)
		tb.click(`#form-consumer_op button[value="commit"]`)
		if tb.attribute(group, "data-state") == "Stable" && tb.attribute(group, "data-committed-partitions") == partitions &&
			tb.attribute(consumer, "data-assigned") == partitions &&
			tb.attribute(group, "data-total-lag") == "0" && tb.attribute(consumer, "data-lag") == "0" {
			return
		}
	}
	tb.fail("group %s did not reach lag 0 on all %s partitions after 20 polls and commits: %s", groupID, partitions, tb.text("#view-consumers"))
}

// shareLink presses Copy share link and returns the link and the hash
// the page shows.
func shareLink(tb *tab) (url, hash string) {
	tb.s.t.Helper()
	tb.click(`button[data-action="share"]`)
	url = poll[string](tb, `document.querySelector("#share-link").value`, 10*time.Second)
	if !strings.HasPrefix(url, tb.s.server.URL+"/#s=1.") {
		tb.fail("the share link is %q; want %s/#s=1.…", url, tb.s.server.URL)
	}
	address := eval[string](tb, `location.href`)
	if address != url {
		tb.fail("the address bar (%s) does not follow the session (%s)", address, url)
	}
	return url, tb.traceHash()
}

// nativeHash runs a share link natively, as `playground run` would.
func nativeHash(t *testing.T, url string) string {
	t.Helper()
	s, err := link.Decode(url)
	if err != nil {
		t.Fatalf("the page's link does not decode natively: %v", err)
	}
	out, err := scenario.Run("link", s, scenario.Options{})
	if err != nil {
		t.Fatalf("the page's link does not run natively: %v", err)
	}
	return out.TraceHash
}

// narrow checks the page at 360 px wide: no horizontal scrolling of the
// page, and a screenshot.
func narrow(tb *tab) {
	tb.s.t.Helper()
	tb.do("narrow viewport", chromedp.EmulateViewport(360, 780, chromedp.EmulateMobile))
	poll[bool](tb, `document.documentElement.clientWidth === 360`, 5*time.Second)
	if width := eval[int](tb, `document.documentElement.scrollWidth`); width > 360 {
		wide := eval[string](tb, `[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > 361).slice(0, 8).map(e => e.tagName + "#" + e.id + "." + e.className + " " + Math.round(e.getBoundingClientRect().right)).join("; ")`)
		tb.fail("at 360 px wide the page is %d px wide: it scrolls sideways (%s)", width, wide)
	}
	tb.screenshot("browser-360px", "")
}

// TestBrowserRewindReplaysTheJournal rewinds with a timeline event and
// with the Steps panel, and checks that every moment the page shows is
// the one its own link replays to natively.
func TestBrowserRewindReplaysTheJournal(t *testing.T) {
	s := newSession(t)
	tb := s.open("/")
	startLesson(tb, "05-isr-shrink-min-insync-replicas.json", "ISR shrink and min.insync.replicas")
	end := tb.traceHash()

	tb.click(`#view-journal li[data-step="5"] button[data-action="rewind"]`)
	poll[bool](tb, `document.querySelector("#app").getAttribute("data-steps") === "6"`, 20*time.Second)
	url, hash := shareLink(tb)
	if native := nativeHash(t, url); native != hash {
		tb.fail("after rewinding to step 5 the page shows trace hash %s, its link replays natively to %s", hash, native)
	}
	isr := tb.attribute(`.partition[data-topic="payments"][data-partition="0"]`, "data-isr")
	if isr != "1,2" {
		tb.fail("after step 5 (10 s after killing broker 3) the ISR is %q, want 1,2", isr)
	}

	tb.click(`#timeline-filter`)
	tb.fill("#timeline-filter", "isr payments-0")
	event := `#view-timeline button[data-action="event"]`
	tb.waitFor(event)
	tb.click(event)
	poll[bool](tb, `document.querySelector("#status").textContent.startsWith("Replayed")`, 20*time.Second)
	url, hash = shareLink(tb)
	if native := nativeHash(t, url); native != hash {
		tb.fail("after rewinding to an event the page shows trace hash %s, its link replays natively to %s", hash, native)
	}

	tb.click(`#latest`)
	poll[bool](tb, `document.querySelector("#trace-hash").getAttribute("data-trace-hash") === `+jsString(end), 20*time.Second)

	tb.click(`#panel-journal details.export > summary`)
	tb.click(`button[data-action="export"]`)
	file := poll[string](tb, `document.querySelector("#export-json").value`, 5*time.Second)
	exported, err := scenario.Decode("exported.json", []byte(file))
	if err != nil {
		tb.fail("the exported scenario file does not decode: %v\n%s", err, file)
	}
	out, err := scenario.Run("exported.json", exported, scenario.Options{})
	if err != nil || out.TraceHash != end {
		tb.fail("the exported scenario file runs to %v (%v); the page is at %s", out, err, end)
	}
}

// TestBrowserBadInputIsExplained submits forms with bad fields and opens
// a damaged link: each gets a message beside the field or above the page,
// and nothing accepted is lost.
func TestBrowserBadInputIsExplained(t *testing.T) {
	s := newSession(t)
	tb := s.open("/")
	steps := tb.attribute("#app", "data-steps")

	tb.fill("#f-create_topic-topic", "bad!name")
	tb.click(`#form-create_topic button[value="create_topic"]`)
	message := poll[string](tb, `document.querySelector("#err-create_topic-topic").textContent`, 5*time.Second)
	if !strings.Contains(message, "'!'") {
		tb.fail("a topic name with ! is refused with %q; want a message naming the character", message)
	}
	if invalid := tb.attribute("#f-create_topic-topic", "aria-invalid"); invalid != "true" {
		tb.fail("the topic field is not marked aria-invalid")
	}
	tb.fill("#f-create_topic-topic", "orders")
	tb.fill("#f-create_topic-partitions", "5000")
	tb.click(`#form-create_topic button[value="create_topic"]`)
	message = poll[string](tb, `document.querySelector("#err-create_topic-partitions").textContent`, 5*time.Second)
	if !strings.Contains(message, "whole number") {
		tb.fail("partitions=5000 is refused with %q", message)
	}
	tb.fill("#f-create_topic-partitions", "2")
	tb.fill("#f-create_topic-config", "min.insync.replicas")
	tb.click(`#form-create_topic button[value="create_topic"]`)
	message = poll[string](tb, `document.querySelector("#err-create_topic-config").textContent`, 5*time.Second)
	if !strings.Contains(message, "line 1") {
		tb.fail("a config line without = is refused with %q", message)
	}
	if got := tb.attribute("#app", "data-steps"); got != steps {
		tb.fail("refused forms changed the journal from %s to %s steps", steps, got)
	}
	tb.fill("#f-create_topic-config", "")
	tb.click(`#form-create_topic button[value="create_topic"]`)
	tb.waitFor(`.partition[data-topic="orders"][data-partition="1"]`)

	tb.fill("#paste-scenario", "{\"version\": 1,\n  \"steps\": [{\"op\": \"kill_broker\", \"broker\": 4}]}")
	tb.click(`form[data-form="paste"] button[type="submit"]`)
	message = poll[string](tb, `document.querySelector("#err-paste-scenario").textContent`, 5*time.Second)
	if !strings.Contains(message, "step 0") || !strings.Contains(message, "line 2") {
		tb.fail("a pasted scenario with broker 4 of 3 is refused with %q; want its step and line", message)
	}
	tb.fill("#paste-scenario", `{"version": 1, "name": "pasted", "cluster": {"brokers": 2}, "steps": [{"op": "kill_broker", "broker": 2}]}`)
	tb.click(`form[data-form="paste"] button[type="submit"]`)
	poll[bool](tb, `document.querySelector("#lesson-title").textContent === "pasted" && document.querySelector('#view-cluster tr[data-broker="2"]').getAttribute("data-alive") === "false"`, 10*time.Second)

	damaged := "/#s=1.not*base64"
	_, want := link.Decode(damaged)
	page := s.open(damaged)
	banner := poll[string](page, `document.querySelector("#banner").hidden ? "" : document.querySelector("#banner").textContent`, 10*time.Second)
	if want == nil || !strings.Contains(banner, want.Error()) {
		page.fail("a damaged link shows %q; want the link package's message %v", banner, want)
	}
	page.screenshot("browser-damaged-link", "#banner")
}

// TestBrowserKeyboard plays, pauses, switches the theme and opens the
// help with single keys, then turns the shortcuts off.
func TestBrowserKeyboard(t *testing.T) {
	s := newSession(t)
	tb := s.open("/")
	tb.do("focus the page", chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur()`))
	start := tb.attribute("#app", "data-time-ms")
	tb.do("press k", chromedp.KeyEvent("k"))
	poll[bool](tb, `document.querySelector("#play").getAttribute("aria-pressed") === "true"`, 5*time.Second)
	poll[bool](tb, `document.querySelector("#app").getAttribute("data-time-ms") !== `+jsString(start), 10*time.Second)
	tb.do("press k", chromedp.KeyEvent("k"))
	poll[bool](tb, `document.querySelector("#play").getAttribute("aria-pressed") === "false"`, 5*time.Second)

	theme := tb.attribute("html", "data-theme")
	tb.do("press t", chromedp.KeyEvent("t"))
	if got := tb.attribute("html", "data-theme"); got == theme || (got != "dark" && got != "light") {
		tb.fail("t switched the theme from %q to %q", theme, got)
	}
	tb.screenshot("browser-theme-"+tb.attribute("html", "data-theme"), "")

	tb.do("press ?", chromedp.KeyEvent("?"))
	poll[bool](tb, `document.querySelector("#help").open`, 5*time.Second)
	tb.screenshot("browser-keyboard-help", "#help")
	tb.click("#shortcuts-on")
	tb.do("press Escape", chromedp.KeyEvent("\u001b"))
	poll[bool](tb, `!document.querySelector("#help").open`, 5*time.Second)
	tb.do("press k", chromedp.KeyEvent("k"))
	time.Sleep(300 * time.Millisecond)
	if pressed := tb.attribute("#play", "aria-pressed"); pressed == "true" {
		tb.fail("k still plays with the shortcuts turned off")
	}
	if stored := eval[string](tb, `localStorage.getItem("playground.shortcuts")`); stored != "off" {
		tb.fail("the shortcut switch is not remembered: %q", stored)
	}
}

// TestBrowserBlankZooKeeperClusterAndTheNetwork starts a blank ZooKeeper
// cluster from the chooser, cuts a broker off, slows another and heals
// the network, reading each change in the cluster view.
func TestBrowserBlankZooKeeperClusterAndTheNetwork(t *testing.T) {
	s := newSession(t)
	tb := s.open("/")
	tb.fill("#blank-brokers", "5")
	tb.click(`input[name="metadata"][value="zookeeper"]`)
	tb.click(`form[data-form="blank"] button[type="submit"]`)
	poll[bool](tb, `document.querySelectorAll("#view-cluster tr[data-broker]").length === 5 && document.querySelector("#view-cluster .summary").textContent.includes("ZooKeeper mode")`, 20*time.Second)

	tb.click(`#panel-actions details:has(#form-network) > summary`)
	tb.fill("#f-network-node", "broker-1")
	tb.click(`#form-network button[value="isolate"]`)
	poll[bool](tb, `document.querySelector("#view-cluster .network").getAttribute("data-partitioned") === "true"`, 10*time.Second)
	if summary := tb.text("#view-cluster .network"); !strings.Contains(summary, "side A: broker-1") {
		tb.fail("after cutting broker-1 off the network reads %q", summary)
	}
	tb.fill("#f-delay_node-node", "broker-2")
	tb.fill("#f-delay_node-ms", "250")
	tb.click(`#form-delay_node button[value="delay_node"]`)
	poll[bool](tb, `document.querySelector("#view-cluster .network").textContent.includes("broker-2 +250 ms")`, 10*time.Second)
	tb.jump(20)
	tb.screenshot("browser-network-split", "#panel-cluster")
	tb.click(`#form-network button[value="heal_network"]`)
	poll[bool](tb, `document.querySelector("#view-cluster .network").getAttribute("data-partitioned") === "false"`, 10*time.Second)
	url, hash := shareLink(tb)
	if native := nativeHash(t, url); native != hash {
		tb.fail("the ZooKeeper session shows trace hash %s, its link replays natively to %s", hash, native)
	}
}
