package ui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/kafka-playground/playground/core/client"
	"github.com/kafka-playground/playground/core/scenario"
)

// apply applies steps or fails the test.
func apply(t *testing.T, m *Model, steps ...scenario.Step) {
	t.Helper()
	for _, st := range steps {
		if _, err := m.Apply(st); err != nil {
			t.Fatalf("%s: %v", st.Op, err)
		}
	}
}

func TestTopicsViewMarksTheISRInWordsAndShapes(t *testing.T) {
	m := lessonModel(t, "01-topics-partitions-offsets.json")
	apply(t, m, scenario.Step{Op: scenario.OpKillBroker, Broker: 3})
	if err := m.Advance(15_000); err != nil {
		t.Fatal(err)
	}
	html := RenderTopics(m.Snapshot(), m.Expanded)
	partition := regexp.MustCompile(`<section class="partition" data-topic="orders" data-partition="0" data-leader="2" data-isr="([0-9,]*)"`)
	match := partition.FindStringSubmatch(html)
	if match == nil || match[1] != "1,2" {
		t.Fatalf("partition orders-0 after broker 3 died: %v\n%s", match, html)
	}
	for _, want := range []string{`class="replica offline" data-broker="3" data-in-sync="false"`, "✕", "offline", "under-replicated", "leader, in sync", `class="bar"`} {
		if !strings.Contains(html, want) {
			t.Errorf("the topics view lacks %q", want)
		}
	}
	if strings.Contains(html, "__consumer_offsets-0") {
		t.Errorf("internal topics list their partitions without being asked")
	}
	m.Expanded["__consumer_offsets"] = true
	if html := RenderTopics(m.Snapshot(), m.Expanded); strings.Count(html, `class="partition"`) > 3+MaxPartitionsShown {
		t.Errorf("more partitions listed than the limit")
	}
}

func TestMessageBrowserShowsRecordsEscaped(t *testing.T) {
	m := lessonModel(t, "01-topics-partitions-offsets.json")
	key, value := `<script>alert("k")</script>`, "v & w"
	apply(t, m, scenario.Step{Op: scenario.OpProduce, Producer: "p1", Topic: "orders", Key: &key, Value: &value,
		Headers: []scenario.Header{{Key: "trace", Value: "42"}}})
	if err := m.Advance(1000); err != nil {
		t.Fatal(err)
	}
	want := client.KeyPartition([]byte(key), 3)
	f := m.Snapshot()
	m.Browser = MessageBrowser{Topic: "orders", Partition: want, Replica: -1, Mode: BrowseNewest}
	m.Browser.Resolve(f)
	html, first := RenderMessages(f, m.Cluster(), m.Browser)
	if strings.Contains(html, "<script>") {
		t.Fatal("a record key reached the page unescaped")
	}
	for _, text := range []string{`data-key="&lt;script&gt;alert(&#34;k&#34;)&lt;/script&gt;"`, "v &amp; w", "trace=42", "2000000001 · 0"} {
		if !strings.Contains(html, text) {
			t.Errorf("the message browser lacks %q:\n%s", text, html)
		}
	}
	if first < 0 {
		t.Errorf("first offset shown %d", first)
	}
	m.Browser.Page(first, -1)
	if m.Browser.Mode != BrowseOffset || m.Browser.FromOffset != 0 {
		t.Errorf("paging older from %d gave %+v", first, m.Browser)
	}
	m.Browser = MessageBrowser{Topic: "gone", Partition: 7, Replica: 9}
	m.Browser.Resolve(f)
	if m.Browser.Topic != "orders" || m.Browser.Partition != 0 || m.Browser.Replica != -1 || m.Browser.Mode != BrowseNewest {
		t.Errorf("a browser pointing at nothing resolved to %+v", m.Browser)
	}
}

func TestTransactionMarkersAreShown(t *testing.T) {
	m := lessonModel(t, "13-transactions-commit-abort-fencing.json")
	f := m.Snapshot()
	found := false
	for _, topic := range f.Topics() {
		if isInternalTopic(topic) {
			continue
		}
		for _, key := range numericKeys(f.State.Topics[topic].Partitions) {
			b := MessageBrowser{Topic: topic, Replica: -1, Mode: BrowseOldest}
			if _, err := fmt.Sscan(key, &b.Partition); err != nil {
				t.Fatal(err)
			}
			b.Resolve(f)
			html, _ := RenderMessages(f, m.Cluster(), b)
			found = found || strings.Contains(html, "transaction marker: COMMIT") || strings.Contains(html, "transaction marker: ABORT")
		}
	}
	if !found {
		t.Error("no transaction marker shown for the transactions lesson")
	}
}

func TestClusterViewDrawsStatesAndTheNetwork(t *testing.T) {
	m := lessonModel(t, "01-topics-partitions-offsets.json")
	apply(t, m,
		scenario.Step{Op: scenario.OpStopBroker, Broker: 1},
		scenario.Step{Op: scenario.OpKillBroker, Broker: 3},
		scenario.Step{Op: scenario.OpDelayNode, Node: "broker-2", Ms: 300},
		scenario.Step{Op: scenario.OpPartitionNetwork, Groups: [][]string{{"controller-1"}, {"controller-2", "controller-3", "broker-2"}}},
	)
	html := RenderCluster(m.Snapshot(), "broker-2")
	for _, want := range []string{
		`data-broker="1" data-alive="false" data-state="shut down"`,
		`data-broker="3" data-alive="false" data-state="crashed"`,
		"+300 ms", "Network split", "side A: controller-1", "reaches every side", `class="cut"`, "highlight",
		`data-op="start_broker" data-broker="1"`, "active controller",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the cluster view lacks %q", want)
		}
	}
}

func TestClientsViewShowsGroupsAndLag(t *testing.T) {
	m := lessonModel(t, "15-consumer-groups-rebalance.json")
	f := m.Snapshot()
	producers := RenderProducers(f, nil)
	consumers := RenderConsumers(f)
	for _, want := range []string{`data-group="g1" data-state="Stable"`, "generation 2", "leader c1", `data-consumer="c1"`, "(lag 0)", "Committed"} {
		if !strings.Contains(consumers, want) {
			t.Errorf("the consumers view lacks %q", want)
		}
	}
	if len(f.State.Producers) > 0 && !strings.Contains(producers, "acks=") {
		t.Errorf("the producers view does not show the producers' acks")
	}
}

func TestJournalTimelineAndChart(t *testing.T) {
	m := lessonModel(t, "05-isr-shrink-min-insync-replicas.json")
	f := m.Snapshot()
	journal := RenderJournal(f, nil)
	if got := strings.Count(journal, `data-action="rewind"`); got != len(f.Scenario.Steps)+1 {
		t.Errorf("the journal has %d rewind buttons for %d steps", got, len(f.Scenario.Steps))
	}
	if !strings.Contains(journal, "retries=0 so that") {
		t.Errorf("the journal does not show the steps' notes")
	}
	timeline := RenderTimeline(m.Timeline(), "isr")
	if !strings.Contains(timeline, `data-action="event"`) || !strings.Contains(timeline, "payments-0") {
		t.Errorf("the timeline filtered on isr shows no ISR change:\n%s", timeline)
	}
	if RenderChart(m.Chart()) == "" {
		t.Error("empty chart")
	}
	for i := 0; i < 5; i++ {
		if err := m.Advance(500); err != nil {
			t.Fatal(err)
		}
		m.Snapshot()
	}
	if chart := RenderChart(m.Chart()); !strings.Contains(chart, "<polyline") {
		t.Errorf("the chart draws no line after time ran:\n%s", chart)
	}
	lesson := RenderLesson(f.Scenario)
	if !strings.Contains(lesson, "ISR shrink and min.insync.replicas") || !strings.Contains(lesson, "in-sync replicas") {
		t.Errorf("the lesson panel does not show the lesson")
	}
}

func TestStepSummariesNeverShowPasswords(t *testing.T) {
	st := scenario.Step{Op: scenario.OpAddUser, User: "alice", Password: "hunter2", Mechanism: "PLAIN"}
	if summary := StepSummary(&st); strings.Contains(summary, "hunter2") {
		t.Errorf("the summary shows the password: %s", summary)
	}
	for _, op := range scenario.Ops() {
		st := scenario.Step{Op: op}
		if StepSummary(&st) == "" {
			t.Errorf("no summary for %s", op)
		}
	}
}

func TestShellHasAnErrorSlotForEveryField(t *testing.T) {
	html := RenderShell()
	for _, group := range actionGroups() {
		for _, spec := range group.forms {
			for _, f := range spec.fields {
				slot := "err-" + spec.name + "-" + f.name
				if strings.HasPrefix(f.name, "config") {
					slot = "err-" + spec.name + "-config"
				}
				if !strings.Contains(html, `id="`+slot+`"`) {
					t.Errorf("form %s field %s has no error slot %s", spec.name, f.name, slot)
				}
			}
			if _, found := builders[spec.name]; !found {
				t.Errorf("form %s has no builder", spec.name)
			}
		}
	}
	for _, p := range Panels {
		if !strings.Contains(html, `id="`+p.ID+`-title"`) {
			t.Errorf("panel %s has no focusable title", p.ID)
		}
	}
	if strings.Count(html, `id="`) != len(regexp.MustCompile(`id="[^"]+"`).FindAllString(html, -1)) {
		t.Error("odd id attributes")
	}
	ids := map[string]bool{}
	for _, id := range regexp.MustCompile(` id="([^"]+)"`).FindAllStringSubmatch(html, -1) {
		if ids[id[1]] {
			t.Errorf("id %s is used twice", id[1])
		}
		ids[id[1]] = true
	}
}

func TestShortcuts(t *testing.T) {
	if action, _, found := ShortcutAction(" "); !found || action != "play" {
		t.Errorf("Space does %q", action)
	}
	if action, panel, found := ShortcutAction("3"); !found || action != "panel" || Panels[panel].ID != "panel-topics" {
		t.Errorf("3 does %q panel %d", action, panel)
	}
	if _, _, found := ShortcutAction("x"); found {
		t.Error("x does something")
	}
}

func TestBusyBrokersAndProducersAreMarked(t *testing.T) {
	m := lessonModel(t, "01-topics-partitions-offsets.json")
	m.Snapshot()
	value := "v-{i}"
	apply(t, m, scenario.Step{Op: scenario.OpProduce, Producer: "p1", Topic: "orders", Value: &value, Count: 100, Async: true})
	if html := RenderCluster(m.Snapshot(), ""); !strings.Contains(html, "buffered") {
		t.Errorf("a producer with records waiting does not say so in the picture")
	}
	if err := m.Advance(50); err != nil {
		t.Fatal(err)
	}
	if html := RenderCluster(m.Snapshot(), ""); !strings.Contains(html, " busy") {
		t.Errorf("no broker is marked busy after records were appended")
	}
	if html := RenderCluster(m.Snapshot(), ""); strings.Contains(html, " busy") {
		t.Errorf("brokers stay busy in a drawing where nothing was appended")
	}
}
