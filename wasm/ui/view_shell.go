package ui

import (
	"strconv"
	"strings"

	"github.com/kafka-playground/playground/core/lessons"
	"github.com/kafka-playground/playground/core/scenario"
)

// MaxChooserBrokers is the largest cluster the blank cluster chooser offers.
const MaxChooserBrokers = 9

// MaxJumpSeconds bounds one jump ahead: a day of virtual time.
const MaxJumpSeconds = 86_400

// RenderShell returns the page's fixed parts: the toolbar, the start
// panel, the panels the views are drawn into, the action forms and the
// help dialog. It is written once; the views fill their containers.
func RenderShell() string {
	var p page
	p.Raw(`<a class="skip" href="#panel-cluster">Skip to the cluster</a><a class="skip" href="#panel-actions">Skip to the actions</a>`)
	renderToolbar(&p)
	p.Raw(`<div id="banner" class="banner" role="alert" hidden></div>`)
	renderStartPanel(&p)
	p.Raw(`<main class="panels">`)
	p.Raw(`<section id="panel-lesson" class="panel lesson" aria-labelledby="lesson-title"><div id="view-lesson"></div></section>`)
	panel(&p, "panel-cluster", "Cluster", `<p class="view-setting"><label><input type="checkbox" id="motion-on" data-control="motion" checked> Animate messages in flight</label></p>`+
		`<div id="view-cluster" class="view"></div>`)
	panel(&p, "panel-topics", "Topics and partitions", `<div id="view-topics" class="view"></div>`)
	panel(&p, "panel-messages", "Message browser", browseForm()+`<div id="view-messages" class="view"></div>`)
	panel(&p, "panel-clients", "Producers, consumers and groups", `<div id="view-producers" class="view"></div><div id="view-consumers" class="view"></div>`)
	panel(&p, "panel-chart", "Throughput and lag", `<div id="view-chart" class="view"></div>`)
	panel(&p, "panel-timeline", "Timeline", `<div class="field inline"><label for="timeline-filter">Filter</label>`+
		`<input id="timeline-filter" type="search" data-control="timeline-filter" placeholder="isr, broker-2, orders-0 …" maxlength="200"></div>`+
		`<div id="view-timeline" class="view"></div>`)
	panel(&p, "panel-actions", "Actions", actionForms())
	panel(&p, "panel-journal", "Steps", `<p class="hint">Every action is a step of the scenario; the share link holds them all. Rewind replays the steps before a moment.</p><div id="view-journal" class="view"></div>`+
		`<details class="export"><summary>The session as a scenario file</summary><p class="hint">Save it as a .json file: <code>playground run</code> replays it to the same trace hash. Passwords are replaced by stand-ins, as in share links.</p>`+
		`<button type="button" data-action="export">Write the scenario file</button><label class="visually-hidden" for="export-json">Scenario file</label><textarea id="export-json" rows="8" readonly spellcheck="false"></textarea></details>`)
	p.Raw(`</main>`)
	renderHelp(&p)
	return p.String()
}

// panel writes one panel with a focusable heading (the digit shortcuts
// move the focus there).
func panel(p *page, id, title, body string) {
	p.Raw(`<section id="`, id, `" class="panel" aria-labelledby="`, id, `-title"><h2 id="`, id, `-title" tabindex="-1">`, esc(title), `</h2>`, body, `</section>`)
}

// renderToolbar writes the header: time controls, the clock, the trace
// hash, sharing, theme and help.
func renderToolbar(p *page) {
	p.Raw(`<header class="toolbar"><h1>Kafka Playground</h1>`)
	p.Raw(`<div class="group" role="toolbar" aria-label="Virtual time">`)
	p.Raw(`<button type="button" id="play" data-action="play" aria-keyshortcuts="k">▶ Play</button>`)
	p.Raw(`<label class="inline">Speed <select id="speed" data-control="speed">`)
	for i, s := range Speeds {
		p.Raw(`<option value="`, strconv.Itoa(i), `"`)
		if i == defaultSpeedIndex {
			p.Raw(` selected`)
		}
		p.Raw(`>`, esc(SpeedLabel(s)), `</option>`)
	}
	p.Raw(`</select></label>`)
	p.Raw(`<button type="button" data-action="step-event" aria-keyshortcuts="n" title="Advance to the next scheduled event">Next event</button>`)
	p.Raw(`<form data-form="jump" class="inline" novalidate><label for="jump-seconds">Jump</label> <input id="jump-seconds" name="seconds" type="number" min="1" max="`,
		strconv.Itoa(MaxJumpSeconds), `" value="10" inputmode="numeric" aria-describedby="err-jump-seconds"> s <button type="submit" aria-keyshortcuts="j">Jump ahead</button>`,
		`<span class="field-error" id="err-jump-seconds" hidden></span></form>`)
	p.Raw(`<button type="button" id="back" data-action="back" aria-keyshortcuts="b" title="Rewind one step">⏮ Back</button>`)
	p.Raw(`<button type="button" id="forward" data-action="forward" aria-keyshortcuts="f" title="Forward one step after a rewind" disabled>Forward ⏭</button>`)
	p.Raw(`<button type="button" id="latest" data-action="latest" aria-keyshortcuts="l" title="Return to the latest moment" disabled>Latest</button>`)
	p.Raw(`</div>`)
	p.Raw(`<p class="clock"><span id="clock" aria-live="off">t = 0.000 s</span> <span id="speed-note"></span></p>`)
	p.Raw(`<p class="hash">trace <code id="trace-hash" data-trace-hash="" title="SHA-256 of the event trace: the same link gives the same hash"></code></p>`)
	p.Raw(`<div class="group share"><button type="button" data-action="share" aria-keyshortcuts="s">Copy share link</button>`,
		`<label class="visually-hidden" for="share-link">Share link</label><input id="share-link" type="url" readonly placeholder="the link appears here">`,
		`<span id="share-status" role="status"></span>`,
		`<button type="button" id="create-room" data-action="create-room" hidden title="A shared cluster: everyone with its link sees and acts on the same cluster">Create a room from this scenario</button></div>`)
	p.Raw(`<div class="group"><button type="button" data-action="theme" aria-keyshortcuts="t">Theme</button>`,
		`<button type="button" data-action="help" aria-keyshortcuts="?">Keys ?</button></div>`)
	p.Raw(`<p id="status" class="status" role="status"></p>`)
	p.Raw(`</header>`)
	p.Raw(`<section id="room-bar" class="room-bar" aria-label="Room" data-online="false" hidden><p><span id="room-status" role="status"></span> · <span id="room-speed"></span></p>`,
		`<p id="room-kafka" class="room-kafka" hidden></p>`,
		`<ul id="room-members" class="members" aria-label="Who is here"></ul>`,
		`<form id="form-member" data-form="member" class="inline" novalidate><label for="member-name">Your name</label> <input id="member-name" name="name" type="text" autocomplete="nickname" spellcheck="false" aria-describedby="err-member-name"> `,
		`<span class="field-error" id="err-member-name" hidden></span> `,
		`<label for="member-colour">colour</label> <input id="member-colour" name="colour" type="color" aria-describedby="err-member-colour"> `,
		`<span class="field-error" id="err-member-colour" hidden></span> <button type="submit">Save</button><span class="form-error" id="err-member" hidden></span> <span class="form-status" id="status-member" role="status"></span></form></section>`)
}

// renderStartPanel writes the blank cluster chooser and the lesson list.
func renderStartPanel(p *page) {
	p.Raw(`<details id="start-panel" class="panel start"><summary><h2 id="start-panel-title" tabindex="-1">Start: a blank cluster or a lesson</h2></summary><div class="start-grid">`)
	p.Raw(`<form data-form="blank" class="blank" novalidate><h3>Blank cluster</h3>`)
	p.Raw(`<div class="field"><label for="blank-brokers">Brokers</label><select id="blank-brokers" name="brokers">`)
	for n := 1; n <= MaxChooserBrokers; n++ {
		p.Raw(`<option`)
		if n == scenario.DefaultBrokers {
			p.Raw(` selected`)
		}
		p.Raw(`>`, strconv.Itoa(n), `</option>`)
	}
	p.Raw(`</select></div>`)
	p.Raw(`<fieldset><legend>Metadata</legend><label><input type="radio" name="metadata" value="kraft" checked> KRaft (controller quorum)</label>`,
		`<label><input type="radio" name="metadata" value="zookeeper"> ZooKeeper (ensemble and a controller broker)</label></fieldset>`)
	p.Raw(`<div class="field"><label for="blank-seed">Seed</label><input id="blank-seed" name="seed" type="number" min="0" value="1" inputmode="numeric" aria-describedby="err-blank-seed">`,
		`<p class="field-error" id="err-blank-seed" hidden></p></div>`)
	p.Raw(`<button type="submit">Start a blank cluster</button><p class="form-error" id="err-blank" hidden></p></form>`)
	p.Raw(`<form data-form="paste" class="paste" novalidate><h3><label for="paste-scenario">Or paste a scenario</label></h3>`,
		`<textarea id="paste-scenario" name="scenario" rows="5" spellcheck="false" aria-describedby="paste-hint err-paste-scenario" placeholder='{"version": 1, "cluster": {"brokers": 3}, "steps": []}'></textarea>`,
		`<small id="paste-hint">A scenario file as <code>playground run</code> reads it (see SCENARIO.md).</small>`,
		`<p class="field-error" id="err-paste-scenario" hidden></p><button type="submit">Run this scenario</button><p class="form-error" id="err-paste" hidden></p></form>`)
	p.Raw(`<div class="lessons"><h3>Lessons</h3><ol class="lesson-list">`)
	for i, lesson := range lessons.All() {
		p.Raw(`<li><button type="button" data-action="preview-lesson" data-file="`, esc(lesson.File), `" aria-controls="lesson-preview"`)
		if i == 0 {
			p.Raw(` aria-pressed="true"`)
		} else {
			p.Raw(` aria-pressed="false"`)
		}
		p.Raw(`>`)
		p.Text(lesson.Title)
		p.Raw(`</button></li>`)
	}
	p.Raw(`</ol><div id="lesson-preview" class="lesson-preview" aria-live="polite">`)
	if all := lessons.All(); len(all) > 0 {
		p.Raw(RenderLessonPreview(all[0]))
	}
	p.Raw(`</div></div></div></details>`)
}

// RenderLessonPreview shows a lesson's explanation beside the list, with
// the button that starts it.
func RenderLessonPreview(lesson lessons.Lesson) string {
	var p page
	p.Raw(`<h4>`)
	p.Text(lesson.Title)
	p.Raw(`</h4>`)
	for _, paragraph := range paragraphs(lesson.Description) {
		p.Raw(`<p>`)
		p.Text(paragraph)
		p.Raw(`</p>`)
	}
	p.Raw(`<button type="button" data-action="start-lesson" data-file="`, esc(lesson.File), `">Start this lesson</button>`)
	return p.String()
}

// browseForm writes the message browser's controls.
func browseForm() string {
	var p page
	p.Raw(`<form data-form="browse" class="browse" novalidate>`)
	p.Raw(`<div class="field inline"><label for="browse-topic">Topic</label><select id="browse-topic" name="topic" data-options="topics" data-control="browse"></select></div>`)
	p.Raw(`<div class="field inline"><label for="browse-partition">Partition</label><select id="browse-partition" name="partition" data-options="browse-partitions" data-control="browse"></select></div>`)
	p.Raw(`<div class="field inline"><label for="browse-replica">Read at</label><select id="browse-replica" name="replica" data-options="browse-replicas" data-control="browse"></select></div>`)
	p.Raw(`<div class="buttons"><button type="button" data-action="browse-oldest">Oldest</button><button type="button" data-action="browse-older">Older</button>`,
		`<button type="button" data-action="browse-newer">Newer</button><button type="button" data-action="browse-newest">Newest</button></div>`)
	p.Raw(`<div class="field inline"><label for="browse-offset">Offset</label><input id="browse-offset" name="offset" type="number" min="0" inputmode="numeric" aria-describedby="err-browse-offset">`,
		`<button type="submit">Go</button><span class="field-error" id="err-browse-offset" hidden></span></div>`)
	p.Raw(`</form>`)
	return p.String()
}

// field describes one input of an action form.
type field struct {
	name, label, kind, value, hint string
	// options are value|label pairs of a select ("" label = the value).
	options []string
	// dynamic names the list a select is filled from (producers, topics…).
	dynamic string
	// errorSlot is the field whose errors are shown under this input
	// ("" = the input's own name; none for config.* inputs, which share
	// the config slot).
	errorSlot  string
	attributes string
}

// formSpec is one action form.
type formSpec struct {
	name, title string
	fields      []field
	// buttons are op|label pairs of submit buttons.
	buttons []string
	extra   string
}

// actionForms writes every action form, grouped in disclosure sections.
func actionForms() string {
	var p page
	p.Raw(`<p class="hint">Each action becomes a step of the scenario. Fields say what they need; a refused action says why beside the field.</p>`)
	for _, group := range actionGroups() {
		p.Raw(`<details class="action-group"`)
		if group.open {
			p.Raw(` open`)
		}
		p.Raw(`><summary>`, esc(group.title), `</summary>`)
		for _, spec := range group.forms {
			renderForm(&p, spec)
		}
		p.Raw(`</details>`)
	}
	return p.String()
}

// actionGroup is a disclosure section of related forms.
type actionGroup struct {
	title string
	open  bool
	forms []formSpec
}

// actionGroups lists the forms.
func actionGroups() []actionGroup {
	return []actionGroup{
		{"Topic", true, []formSpec{createTopicForm()}},
		{"Producer", true, []formSpec{addProducerForm(), produceForm(), producerOpForm()}},
		{"Consumer", true, []formSpec{addConsumerForm(), consumerOpForm(), clientOpForm()}},
		{"Brokers and quorum", false, []formSpec{brokerOpForm(), nodeOpForm()}},
		{"Network", false, []formSpec{networkForm(), delayForm()}},
		{"Security", false, []formSpec{addUserForm(), createACLForm()}},
	}
}

func createTopicForm() formSpec {
	return formSpec{name: "create_topic", title: "Create a topic", fields: []field{
		{name: "topic", label: "Name", kind: "text", value: "orders", attributes: `maxlength="249" autocomplete="off"`},
		{name: "partitions", label: "Partitions", kind: "number", value: "3", attributes: `min="1" max="1000"`},
		{name: "replication_factor", label: "Replication factor", kind: "number", value: "3", attributes: `min="1" max="16"`},
		{name: "config.min.insync.replicas", label: "min.insync.replicas", kind: "number", hint: "empty: Kafka's default, 1", errorSlot: "-", attributes: `min="1"`},
		{name: "config", label: "More topic config", kind: "textarea", hint: "key=value per line, e.g. retention.ms=60000"},
	}, buttons: []string{"create_topic|Create topic"}}
}

func addProducerForm() formSpec {
	return formSpec{name: "add_producer", title: "Add a producer", fields: []field{
		{name: "id", label: "Client id", kind: "text", value: "p1", attributes: `maxlength="64" autocomplete="off"`},
		{name: "config.acks", label: "acks", kind: "select", options: []string{"|default (all)", "all|all", "1|1", "0|0"}, errorSlot: "-"},
		{name: "config.enable.idempotence", label: "enable.idempotence", kind: "select", options: []string{"|default (true)", "true|true", "false|false"}, errorSlot: "-"},
		{name: "config.linger.ms", label: "linger.ms", kind: "number", hint: "empty: 5", errorSlot: "-", attributes: `min="0"`},
		{name: "config.batch.size", label: "batch.size", kind: "number", hint: "empty: 16384", errorSlot: "-", attributes: `min="0"`},
		{name: "config.transactional.id", label: "transactional.id", kind: "text", hint: "empty: not transactional", errorSlot: "-", attributes: `maxlength="255" autocomplete="off"`},
		{name: "config", label: "More producer config", kind: "textarea", hint: "key=value per line, e.g. retries=0"},
	}, buttons: []string{"add_producer|Add producer"}}
}

func produceForm() formSpec {
	return formSpec{name: "produce", title: "Produce", fields: []field{
		{name: "producer", label: "Producer", kind: "select", dynamic: "producers"},
		{name: "topic", label: "Topic", kind: "select", dynamic: "topics"},
		{name: "key", label: "Key", kind: "text", hint: "empty: a null key (the sticky partitioner picks the partition); {i} counts 0, 1, 2…", attributes: `autocomplete="off"`},
		{name: "value", label: "Value", kind: "text", value: "value-{i}", attributes: `autocomplete="off"`},
		{name: "partition", label: "Partition", kind: "number", hint: "empty: the partitioner chooses", attributes: `min="0"`},
		{name: "headers", label: "Headers", kind: "textarea", hint: "key=value per line"},
		{name: "count", label: "Records", kind: "number", value: "1", attributes: `min="1" max="1000000"`},
		{name: "rate", label: "Stream rate", kind: "number", value: "100", hint: "records per virtual second while time plays", attributes: `min="1" max="100000"`},
	}, buttons: []string{"produce|Produce once", "stream|Start stream"},
		extra: `<button type="button" data-action="stop-stream">Stop stream</button>`}
}

func producerOpForm() formSpec {
	return formSpec{name: "producer_op", title: "Producer calls", fields: []field{
		{name: "producer", label: "Producer", kind: "select", dynamic: "producers"},
	}, buttons: []string{"flush|Flush", "init_transactions|Init transactions", "begin_transaction|Begin transaction",
		"commit_transaction|Commit transaction", "abort_transaction|Abort transaction"}}
}

func addConsumerForm() formSpec {
	return formSpec{name: "add_consumer", title: "Add a consumer", fields: []field{
		{name: "id", label: "Client id", kind: "text", value: "c1", attributes: `maxlength="64" autocomplete="off"`},
		{name: "group", label: "Group", kind: "text", value: "g1", hint: "empty: no group (reads every partition itself)", attributes: `maxlength="255" autocomplete="off"`},
		{name: "topics", label: "Topics", kind: "text", value: "orders", hint: "separated by commas", attributes: `autocomplete="off"`},
		{name: "config.auto.offset.reset", label: "auto.offset.reset", kind: "select", options: []string{"|default (latest)", "earliest|earliest", "latest|latest", "none|none"}, errorSlot: "-"},
		{name: "config.enable.auto.commit", label: "enable.auto.commit", kind: "select", options: []string{"|default (true)", "true|true", "false|false"}, errorSlot: "-"},
		{name: "config.isolation.level", label: "isolation.level", kind: "select", options: []string{"|default (read_uncommitted)", "read_committed|read_committed", "read_uncommitted|read_uncommitted"}, errorSlot: "-"},
		{name: "config.partition.assignment.strategy", label: "partition.assignment.strategy", kind: "select",
			options: []string{"|default (range, cooperative-sticky)", "range|range", "roundrobin|roundrobin", "sticky|sticky", "cooperative-sticky|cooperative-sticky"}, errorSlot: "-"},
		{name: "config", label: "More consumer config", kind: "textarea", hint: "key=value per line, e.g. session.timeout.ms=10000"},
	}, buttons: []string{"add_consumer|Add consumer"}}
}

func consumerOpForm() formSpec {
	return formSpec{name: "consumer_op", title: "Consumer calls", fields: []field{
		{name: "consumer", label: "Consumer", kind: "select", dynamic: "consumers"},
		{name: "max_records", label: "Max records", kind: "number", hint: "empty: max.poll.records", attributes: `min="1"`},
		{name: "timeout_ms", label: "Poll timeout (ms)", kind: "number", hint: "empty: 1000", attributes: `min="0"`},
	}, buttons: []string{"poll|Poll", "commit|Commit", "process|Process"}}
}

func clientOpForm() formSpec {
	return formSpec{name: "client_op", title: "Stop a client", fields: []field{
		{name: "client", label: "Client", kind: "select", dynamic: "clients"},
	}, buttons: []string{"close|Close", "crash|Crash"}}
}

func brokerOpForm() formSpec {
	return formSpec{name: "broker_op", title: "A broker", fields: []field{
		{name: "broker", label: "Broker", kind: "select", dynamic: "brokers"},
	}, buttons: []string{"stop_broker|Stop (controlled)", "kill_broker|Kill", "start_broker|Start"}}
}

func nodeOpForm() formSpec {
	return formSpec{name: "node_op", title: "A controller or ZooKeeper server", fields: []field{
		{name: "node", label: "Node", kind: "select", dynamic: "quorum"},
	}, buttons: []string{"kill_node|Kill", "start_node|Start"}}
}

func networkForm() formSpec {
	return formSpec{name: "network", title: "Cut or heal the network", fields: []field{
		{name: "node", label: "Cut off one node", kind: "select", dynamic: "nodes"},
		{name: "groups", label: "Or split into sides", kind: "text", hint: "sides separated by |, e.g. broker-1 controller-1 | broker-2 broker-3", attributes: `autocomplete="off"`},
	}, buttons: []string{"isolate|Cut off node", "split|Split", "heal_network|Heal network"}}
}

func delayForm() formSpec {
	return formSpec{name: "delay_node", title: "Slow a node", fields: []field{
		{name: "node", label: "Node", kind: "select", dynamic: "nodes"},
		{name: "ms", label: "Added latency (ms)", kind: "number", value: "200", hint: "0 removes it", attributes: `min="0" max="60000"`},
	}, buttons: []string{"delay_node|Set latency"}}
}

func addUserForm() formSpec {
	return formSpec{name: "add_user", title: "Add a SASL user", fields: []field{
		{name: "user", label: "User", kind: "text", value: "alice", attributes: `maxlength="255" autocomplete="off"`},
		{name: "password", label: "Password", kind: "password", hint: "share links replace it with a stand-in", attributes: `maxlength="255" autocomplete="off"`},
		{name: "mechanism", label: "Mechanism", kind: "select", options: []string{"SCRAM-SHA-256|SCRAM-SHA-256", "SCRAM-SHA-512|SCRAM-SHA-512", "PLAIN|PLAIN"}},
	}, buttons: []string{"add_user|Add user"}}
}

func createACLForm() formSpec {
	return formSpec{name: "create_acl", title: "Create an ACL", fields: []field{
		{name: "principal", label: "Principal", kind: "text", value: "User:alice", attributes: `autocomplete="off"`},
		{name: "resource_type", label: "Resource type", kind: "select", options: pairs("TOPIC", "GROUP", "CLUSTER", "TRANSACTIONAL_ID")},
		{name: "resource_name", label: "Resource name", kind: "text", value: "orders", attributes: `autocomplete="off"`},
		{name: "pattern_type", label: "Pattern", kind: "select", options: pairs("LITERAL", "PREFIXED")},
		{name: "operation", label: "Operation", kind: "select", options: pairs("READ", "WRITE", "CREATE", "DELETE", "ALTER", "DESCRIBE",
			"DESCRIBE_CONFIGS", "ALTER_CONFIGS", "IDEMPOTENT_WRITE", "CLUSTER_ACTION", "ALL")},
		{name: "permission", label: "Permission", kind: "select", options: pairs("ALLOW", "DENY")},
		{name: "host", label: "Host", kind: "text", hint: "empty: every host (*)", attributes: `autocomplete="off"`},
	}, buttons: []string{"create_acl|Create ACL"}}
}

// pairs turns values into value|label pairs with the same text.
func pairs(values ...string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = v + "|" + v
	}
	return out
}

// renderForm writes one action form.
func renderForm(p *page, spec formSpec) {
	p.Raw(`<form data-form="`, spec.name, `" id="form-`, spec.name, `" class="action" novalidate aria-labelledby="form-`, spec.name, `-title">`)
	p.Raw(`<h3 id="form-`, spec.name, `-title">`, esc(spec.title), `</h3><div class="fields">`)
	hasConfig := false
	for _, f := range spec.fields {
		renderField(p, spec.name, f)
		hasConfig = hasConfig || strings.HasPrefix(f.name, "config")
	}
	p.Raw(`</div>`)
	if hasConfig && !hasField(spec.fields, "config") {
		p.Raw(`<p class="field-error" id="err-`, spec.name, `-config" hidden></p>`)
	}
	p.Raw(`<div class="buttons">`)
	for _, b := range spec.buttons {
		op, label, _ := strings.Cut(b, "|")
		p.Raw(`<button type="submit" name="op" value="`, esc(op), `">`, esc(label), `</button>`)
	}
	p.Raw(spec.extra, `</div><p class="form-error" id="err-`, spec.name, `" hidden></p><p class="form-status" id="status-`, spec.name, `" role="status"></p></form>`)
}

// hasField reports whether a form has a field named name.
func hasField(fields []field, name string) bool {
	for _, f := range fields {
		if f.name == name {
			return true
		}
	}
	return false
}

// renderField writes one labelled input with its hint and error slot.
func renderField(p *page, form string, f field) {
	id := "f-" + form + "-" + strings.ReplaceAll(f.name, ".", "-")
	slot := f.errorSlot
	if slot == "" {
		slot = f.name
	}
	errorID := "err-" + form + "-" + slot
	if slot == "-" {
		errorID = "err-" + form + "-config"
	}
	described := errorID
	if f.hint != "" {
		described = id + "-hint " + errorID
	}
	p.Raw(`<div class="field"><label for="`, id, `">`, esc(f.label), `</label>`)
	common := ` id="` + id + `" name="` + esc(f.name) + `" aria-describedby="` + described + `" ` + f.attributes
	switch f.kind {
	case "select":
		p.Raw(`<select`, common)
		if f.dynamic != "" {
			p.Raw(` data-options="`, f.dynamic, `"`)
		}
		p.Raw(`>`)
		for _, o := range f.options {
			value, label, _ := strings.Cut(o, "|")
			p.Raw(`<option value="`, esc(value), `">`, esc(label), `</option>`)
		}
		p.Raw(`</select>`)
	case "textarea":
		p.Raw(`<textarea rows="2"`, common, ` spellcheck="false">`, esc(f.value), `</textarea>`)
	default:
		inputMode := ""
		if f.kind == "number" {
			inputMode = ` inputmode="numeric"`
		}
		p.Raw(`<input type="`, f.kind, `"`, common, inputMode, ` value="`, esc(f.value), `">`)
	}
	if f.hint != "" {
		p.Raw(`<small id="`, id, `-hint">`, esc(f.hint), `</small>`)
	}
	if slot != "-" {
		p.Raw(`<p class="field-error" id="`, errorID, `" hidden></p>`)
	}
	p.Raw(`</div>`)
}

// renderHelp writes the keyboard help dialog.
func renderHelp(p *page) {
	p.Raw(`<dialog id="help" aria-labelledby="help-title"><h2 id="help-title">Keyboard</h2>`)
	p.Raw(`<p>Every control is reachable with Tab and Shift+Tab; Enter or Space presses a button. These single keys work when the focus is not in a field:</p>`)
	p.Raw(`<table class="keys"><thead><tr><th scope="col">Key</th><th scope="col">Does</th></tr></thead><tbody>`)
	for _, s := range Shortcuts {
		labels := make([]string, len(s.Keys))
		for i, k := range s.Keys {
			labels[i] = "<kbd>" + esc(keyLabel(k)) + "</kbd>"
		}
		p.Raw(`<tr><td>`, strings.Join(labels, " "), `</td><td>`, esc(s.Description), `</td></tr>`)
	}
	p.Raw(`</tbody></table>`)
	p.Raw(`<p><label><input type="checkbox" id="shortcuts-on" data-control="shortcuts" checked> Single-key shortcuts on</label></p>`)
	p.Raw(`<form method="dialog"><button type="submit" autofocus>Close</button></form></dialog>`)
}
