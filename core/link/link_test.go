package link

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kafka-playground/playground/core/scenario"
)

// typicalScenario is a 40-step scenario of the size people share: two
// topics, two producers and a consumer group, brokers killed and restarted,
// a network partition, and the expects that tell the story.
const typicalScenario = `{
  "version": 1,
  "name": "acks=all survives a broker loss, acks=1 loses records after an unclean failover",
  "description": "Two producers write to a replicated topic while brokers die and return; watch the ISR shrink and grow and compare what each producer got acknowledged.",
  "seed": 7,
  "cluster": { "brokers": 3, "config": { "replica.lag.time.max.ms": "30000", "unclean.leader.election.enable": "false" } },
  "steps": [
    { "op": "create_topic", "topic": "orders", "partitions": 3, "replication_factor": 3, "config": { "min.insync.replicas": "2" } },
    { "op": "create_topic", "topic": "payments", "partitions": 6, "replication_factor": 3 },
    { "op": "add_producer", "id": "safe", "config": { "acks": "all", "enable.idempotence": "true" } },
    { "op": "add_producer", "id": "fast", "config": { "acks": "1", "linger.ms": "5" } },
    { "op": "add_consumer", "id": "reader", "group": "billing", "topics": ["orders", "payments"], "config": { "auto.offset.reset": "earliest" } },
    { "op": "produce", "producer": "safe", "topic": "orders", "key": "user-{i}", "value": "order-{i}", "count": 100 },
    { "op": "produce", "producer": "fast", "topic": "payments", "key": "card-{i}", "value": "payment-{i}", "count": 50 },
    { "op": "flush", "producer": "safe" },
    { "op": "flush", "producer": "fast" },
    { "op": "expect", "path": "producers.safe.acked", "equals": 100 },
    { "op": "expect", "path": "producers.fast.acked", "equals": 50 },
    { "op": "poll", "consumer": "reader", "max_records": 500 },
    { "op": "commit", "consumer": "reader" },
    { "op": "expect", "path": "topics.orders.partitions.0.isr", "equals": [1, 2, 3] },
    { "op": "kill_broker", "broker": 2 },
    { "op": "advance", "ms": 35000 },
    { "op": "expect", "path": "brokers.2.alive", "equals": false },
    { "op": "expect", "path": "topics.orders.partitions.0.isr", "equals": [1, 3] },
    { "op": "produce", "producer": "safe", "topic": "orders", "key": "user-{i}", "value": "order-late-{i}", "count": 20 },
    { "op": "flush", "producer": "safe" },
    { "op": "expect", "path": "producers.safe.acked", "equals": 120 },
    { "op": "kill_broker", "broker": 3 },
    { "op": "advance", "ms": 35000 },
    { "op": "produce", "producer": "safe", "topic": "orders", "key": "user-{i}", "value": "order-lost-{i}", "count": 10 },
    { "op": "flush", "producer": "safe" },
    { "op": "expect", "path": "producers.safe.failed", "equals": 10 },
    { "op": "start_broker", "broker": 2 },
    { "op": "start_broker", "broker": 3 },
    { "op": "advance", "ms": 20000 },
    { "op": "expect", "path": "brokers.2.alive", "equals": true },
    { "op": "expect", "path": "topics.orders.partitions.0.isr", "equals": [1, 2, 3] },
    { "op": "partition_network", "groups": [["broker-1", "safe"], ["broker-2", "broker-3", "fast", "reader"]] },
    { "op": "advance", "ms": 10000 },
    { "op": "heal_network" },
    { "op": "advance", "ms": 15000 },
    { "op": "poll", "consumer": "reader", "max_records": 500, "timeout_ms": 2000 },
    { "op": "commit", "consumer": "reader" },
    { "op": "expect", "path": "groups.billing.state", "equals": "Stable" },
    { "op": "close", "client": "reader" },
    { "op": "expect", "path": "topics.orders.partitions.1.high_watermark", "equals": 43 }
  ]
}`

// decodeFile decodes one scenario file or stops the test.
func decodeFile(t testing.TB, file string) *scenario.Scenario {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	decoded, err := scenario.Decode(file, data)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return decoded
}

// decodeText decodes scenario JSON text or stops the test.
func decodeText(t testing.TB, text string) *scenario.Scenario {
	t.Helper()
	decoded, err := scenario.Decode("typical.json", []byte(text))
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return decoded
}

// encode makes the link of s or stops the test.
func encode(t testing.TB, s *scenario.Scenario) string {
	t.Helper()
	link, err := Encode(s)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	return link
}

// rawLink makes a version 1 link of data as it is, valid scenario or not.
func rawLink(data []byte) string {
	var compressed bytes.Buffer
	writer, _ := flate.NewWriter(&compressed, flate.BestCompression)
	writer.Write(data)
	writer.Close()
	return "/#s=1." + base64.RawURLEncoding.EncodeToString(compressed.Bytes())
}

// scenarioFiles are the project's example scenarios.
func scenarioFiles(t testing.TB) []string {
	t.Helper()
	behaviour, err := filepath.Glob("../scenario/testdata/behaviour/*.json")
	if err != nil || len(behaviour) == 0 {
		t.Fatalf("no behaviour scenarios: %v", err)
	}
	return append(behaviour, "../scenario/testdata/every-op.json")
}

func TestRoundTripExampleScenarios(t *testing.T) {
	for _, file := range scenarioFiles(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			// A link carries the scenario without its passwords.
			original := scenario.Redacted(decodeFile(t, file))
			link := encode(t, original)
			if !strings.HasPrefix(link, "/#s=1.") {
				t.Fatalf("link %q does not begin with /#s=1.", link)
			}
			t.Logf("%d bytes of JSON, a link of %d characters", fileSize(t, file), len(link))
			fragment := strings.TrimPrefix(link, "/")
			parameter := strings.TrimPrefix(fragment, "#")
			forms := []string{
				link,
				"https://playground.example.com" + link,
				"https://playground.example.com/lessons?x=1" + link + "\n",
				fragment,
				parameter,
				"#view=trace&" + parameter + "&step=3",
			}
			for _, form := range forms {
				decoded, err := Decode(form)
				if err != nil {
					t.Fatalf("Decode(%.60q): %v", form, err)
				}
				if !reflect.DeepEqual(original, decoded) {
					t.Fatalf("Decode(%.60q) differs from the original:\n%+v\n%+v", form, original, decoded)
				}
			}
		})
	}
}

func fileSize(t testing.TB, file string) int {
	info, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	return int(info.Size())
}

func TestTypicalScenarioLinkIsShort(t *testing.T) {
	typical := decodeText(t, typicalScenario)
	if len(typical.Steps) != 40 {
		t.Fatalf("the typical scenario has %d steps, want 40", len(typical.Steps))
	}
	link := encode(t, typical)
	canonical, _ := scenario.Encode(typical)
	t.Logf("40-step scenario: %d bytes of canonical JSON, a link of %d characters", len(canonical), len(link))
	if len(link) >= 2000 {
		t.Errorf("the link of a typical 40-step scenario is %d characters, want fewer than 2000", len(link))
	}
}

func TestSameScenarioSameLink(t *testing.T) {
	var compact, indented bytes.Buffer
	if err := json.Compact(&compact, []byte(typicalScenario)); err != nil {
		t.Fatal(err)
	}
	if err := json.Indent(&indented, []byte(typicalScenario), "", "\t"); err != nil {
		t.Fatal(err)
	}
	want := encode(t, decodeText(t, typicalScenario))
	for _, text := range []string{typicalScenario, compact.String(), indented.String()} {
		if got := encode(t, decodeText(t, text)); got != want {
			t.Fatalf("the same scenario gave two links:\n%s\n%s", want, got)
		}
	}
	decoded, err := Decode(want)
	if err != nil {
		t.Fatal(err)
	}
	if again := encode(t, decoded); again != want {
		t.Fatalf("Encode(Decode(link)) is another link:\n%s\n%s", want, again)
	}
}

func TestDecodeErrors(t *testing.T) {
	tooLong := "/#s=1." + strings.Repeat("A", MaxLinkBytes)
	tests := []struct {
		name, link, want string
	}{
		{"empty", "", `the link has no "s=" parameter: a playground link looks like /#s=1.…`},
		{"no fragment", "https://playground.example.com/", `the link has no "s=" parameter: a playground link looks like /#s=1.…`},
		{"other parameters", "/#view=trace&step=3", `the link has no "s=" parameter: a playground link looks like /#s=1.…`},
		{"newer version", "/#s=2.eJyrVkrOzy0oSi0uTk1RslIqS8wpTQUAPmsGfQ", "link version 2 is newer than this playground understands (1)"},
		{"far newer version", "#s=123456789012345678901234567890.AAAA", "link version 123456789012345678901234567890 is newer than this playground understands (1)"},
		{"version 0", "#s=0.AAAA", "link version 0 does not exist: this playground understands version 1"},
		{"no version", "#s=AAAA", `the link is damaged: its "s=" parameter does not begin with a version number and a dot, like s=1.…`},
		{"version not a number", "#s=v1.AAAA", `the link is damaged: its "s=" parameter does not begin with a version number and a dot, like s=1.…`},
		{"no data", "/#s=1.", `the link is damaged: it has no data after "s=1."`},
		{"bad character", "/#s=1.ab!cd", "the link is damaged: its data is not valid base64 at character 3"},
		{"standard base64", "/#s=1.ab+/", "the link is damaged: its data is not valid base64 at character 3"},
		{"padding", "/#s=1.YWJj=", "the link is damaged: its data is not valid base64 at character 5"},
		{"impossible length", "/#s=1.YWJjZ", "the link is damaged: its data is not valid base64 at character 5"},
		{"not DEFLATE", "/#s=1.AAAA", "the link is damaged: its data does not decompress"},
		{"cut short", rawLink([]byte(typicalScenario))[:200], "the link is damaged: its data does not decompress"},
		{"too long", tooLong, "the link is 65542 bytes, more than the limit of 65536 bytes (64 KiB)"},
		{"expands too far", rawLink(bytes.Repeat([]byte(" "), scenario.MaxScenarioBytes+1)), "the link expands to more than 4 MiB"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			checkDecodeError(t, test.link, test.want)
		})
	}
}

// checkDecodeError checks that link does not decode and says want.
func checkDecodeError(t *testing.T, link, want string) *Error {
	t.Helper()
	decoded, err := Decode(link)
	if err == nil {
		t.Fatalf("Decode(%.60q) = %+v, want the error %q", link, decoded, want)
	}
	var linkError *Error
	if !errors.As(err, &linkError) {
		t.Fatalf("Decode(%.60q): error of type %T, want *Error: %v", link, err, err)
	}
	if err.Error() != want {
		t.Fatalf("Decode(%.60q):\n got %q\nwant %q", link, err.Error(), want)
	}
	return linkError
}

func TestDecodeInvalidScenario(t *testing.T) {
	tests := []struct {
		name, json, want string
	}{
		{"not JSON", "order-1,order-2", "the link is damaged: its data is not a valid scenario: link: "},
		{"no steps", `{"version":1}`, `the link is damaged: its data is not a valid scenario: link: steps: missing required field (use [] for a scenario without steps)`},
		{"unknown op", `{"version":1,"steps":[{"op":"explode_broker","broker":2}]}`, `the link is damaged: its data is not a valid scenario: link: step 0`},
		{"exactly 4 MiB of nothing", strings.Repeat(" ", scenario.MaxScenarioBytes), "the link is damaged: its data is not a valid scenario: link: "},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			_, err := Decode(rawLink([]byte(test.json)))
			if err == nil || !strings.HasPrefix(err.Error(), test.want) {
				t.Fatalf("got %v, want an error beginning %q", err, test.want)
			}
			var scenarioError *scenario.Error
			if !errors.As(err, &scenarioError) || scenarioError.File != "link" {
				t.Fatalf("the error does not wrap a *scenario.Error for the file \"link\": %#v", err)
			}
		})
	}
}

func TestEncodeRefusesTooLargeScenario(t *testing.T) {
	// Notes of text that does not compress make the link too long.
	large := scenario.New()
	state := uint64(88172645463325252)
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
	for range 10 {
		note := make([]byte, scenario.MaxNoteLength)
		for index := range note {
			state ^= state << 13
			state ^= state >> 7
			state ^= state << 17
			note[index] = alphabet[state%uint64(len(alphabet))]
		}
		large.Steps = append(large.Steps, scenario.Step{Op: scenario.OpHealNetwork, Note: string(note)})
	}
	link, err := Encode(large)
	var linkError *Error
	if !errors.As(err, &linkError) || !strings.HasPrefix(err.Error(), "the scenario is too large for a link: its link would be ") {
		t.Fatalf("Encode = %d characters, %v; want the error that the scenario is too large", len(link), err)
	}
}

func TestEncodeRefusesInvalidScenario(t *testing.T) {
	invalid := scenario.New()
	invalid.Cluster.Brokers = 0
	if _, err := Encode(invalid); err == nil {
		t.Fatal("Encode of a cluster of 0 brokers succeeded")
	}
	if _, err := Encode(nil); err == nil {
		t.Fatal("Encode(nil) succeeded")
	}
}

func FuzzDecodeLink(f *testing.F) {
	for _, file := range scenarioFiles(f) {
		f.Add(encode(f, decodeFile(f, file)))
	}
	typical := encode(f, decodeText(f, typicalScenario))
	f.Add(typical)
	f.Add("https://playground.example.com/#view=trace&" + strings.TrimPrefix(typical, "/#") + "&step=2")
	f.Add(typical[:len(typical)/2])
	f.Add(rawLink([]byte(`{"version":1,"steps":[]}`)))
	f.Add(rawLink([]byte(`{"version":1,"steps":[{"op":"advance","ms":-1}]}`)))
	for _, junk := range []string{"", "#", "s=", "s=1.", "/#s=2.AAAA", "/#s=1.AAAA", "/#s=1.ab!cd", "#s=00001.eJw", "&&s=1.%%", "s=1.////"} {
		f.Add(junk)
	}
	f.Fuzz(func(t *testing.T, link string) {
		decoded, err := Decode(link)
		if err != nil {
			var linkError *Error
			if !errors.As(err, &linkError) || err.Error() == "" {
				t.Fatalf("error of type %T: %q", err, err)
			}
			return
		}
		again, err := Encode(decoded)
		if err != nil {
			var linkError *Error
			if errors.As(err, &linkError) && strings.HasPrefix(err.Error(), "the scenario is too large for a link") {
				return // a link of highly compressible text may grow when made canonical
			}
			t.Fatalf("Encode of a decoded link: %v", err)
		}
		redecoded, err := Decode(again)
		if err != nil {
			t.Fatalf("Decode(Encode(Decode(link))): %v", err)
		}
		if !reflect.DeepEqual(decoded, redecoded) {
			t.Fatalf("Decode(Encode(s)) differs from s:\n%+v\n%+v", decoded, redecoded)
		}
	})
}
