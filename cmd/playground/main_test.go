package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// holdingScenario creates a topic, kills and restarts a broker, and expects
// only what holds for it (checked against a run of this very file).
const holdingScenario = `{
  "version": 1, "name": "exit codes", "seed": 11,
  "cluster": {"brokers": 3},
  "steps": [
    {"op": "create_topic", "topic": "orders", "partitions": 3, "replication_factor": 3},
    {"op": "expect", "path": "topics.orders.partitions.0.replicas", "equals": [1, 2, 3]},
    {"op": "kill_broker", "broker": 2},
    {"op": "advance", "ms": 35000},
    {"op": "expect", "path": "brokers.2.alive", "equals": false},
    {"op": "expect", "path": "topics.orders.partitions.0.isr", "equals": [1, 3]},
    {"op": "start_broker", "broker": 2},
    {"op": "advance", "ms": 20000},
    {"op": "expect", "path": "brokers.2.alive", "equals": true},
    {"op": "expect", "path": "topics.orders.partitions.0.isr", "equals": [1, 2, 3]}
  ]
}`

// failingScenario's last expect cannot hold: the topic has three replicas.
const failingScenario = `{
  "version": 1, "name": "failing expect", "seed": 11,
  "cluster": {"brokers": 3},
  "steps": [
    {"op": "create_topic", "topic": "orders", "partitions": 3, "replication_factor": 3},
    {"op": "expect", "path": "topics.orders.partitions.0.replicas", "equals": [1, 2]}
  ]
}`

const unknownOpScenario = `{
  "version": 1, "name": "unknown op", "seed": 1,
  "cluster": {"brokers": 3},
  "steps": [
    {"op": "create_topic", "topic": "orders", "partitions": 3, "replication_factor": 3},
    {"op": "explode_broker", "broker": 2}
  ]
}`

const unknownFieldScenario = `{
  "version": 1, "name": "unknown field", "seed": 1,
  "cluster": {"brokers": 3},
  "steps": [
    {"op": "create_topic", "topic": "orders", "partitions": 3, "replication_factor": 3},
    {"op": "advance", "ms": 100},
    {"op": "kill_broker", "broker": 2, "brokr": 3}
  ]
}`

func writeScenario(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// runCommand calls run as main does and returns the exit status and output.
func runCommand(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestRunCommandExitCodes(t *testing.T) {
	t.Run("expects hold", func(t *testing.T) {
		file := writeScenario(t, "holds.json", holdingScenario)
		code, stdout, stderr := runCommand("run", file, "--json")
		if code != 0 {
			t.Fatalf("exit status %d, want 0\nstderr: %s\nstdout: %s", code, stderr, stdout)
		}
		var doc map[string]json.RawMessage
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
			t.Fatalf("stdout is not one JSON document: %v\n%s", err, stdout)
		}
		for _, key := range []string{"name", "seed", "time_ms", "trace_hash", "steps", "state"} {
			if _, ok := doc[key]; !ok {
				t.Errorf("the document has no top-level %q (keys: %v)", key, keysOf(doc))
			}
		}
		var hash string
		if err := json.Unmarshal(doc["trace_hash"], &hash); err != nil || !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(hash) {
			t.Errorf("trace_hash is %s, want 64 hex digits", doc["trace_hash"])
		}
		var name string
		if err := json.Unmarshal(doc["name"], &name); err != nil || name != "exit codes" {
			t.Errorf("name is %s, want \"exit codes\"", doc["name"])
		}
		var state map[string]json.RawMessage
		if err := json.Unmarshal(doc["state"], &state); err != nil {
			t.Fatalf("state is not an object: %v", err)
		}
		for _, key := range []string{"controller", "brokers", "topics"} {
			if _, ok := state[key]; !ok {
				t.Errorf("state has no %q (keys: %v)", key, keysOf(state))
			}
		}
		var steps []struct {
			Index int    `json:"index"`
			Op    string `json:"op"`
			OK    bool   `json:"ok"`
		}
		if err := json.Unmarshal(doc["steps"], &steps); err != nil {
			t.Fatalf("steps: %v", err)
		}
		if len(steps) != 10 {
			t.Errorf("%d steps in the document, want 10", len(steps))
		}
		for i, st := range steps {
			if st.Index != i || !st.OK {
				t.Errorf("step %d: index %d op %s ok %v, want index %d and ok", i, st.Index, st.Op, st.OK, i)
			}
		}

		// The same file without --json prints the trace and ends with the hash.
		code, text, stderr := runCommand("run", file)
		if code != 0 {
			t.Fatalf("without --json: exit status %d, want 0\nstderr: %s", code, stderr)
		}
		if !strings.HasSuffix(text, "trace_hash "+hash+"\n") {
			t.Errorf("the trace does not end with the JSON document's trace_hash %s:\n%s", hash, tail(text, 300))
		}
	})

	t.Run("expect fails", func(t *testing.T) {
		file := writeScenario(t, "fails.json", failingScenario)
		code, stdout, stderr := runCommand("run", file, "--json")
		if code != 1 {
			t.Fatalf("exit status %d, want 1\nstderr: %s", code, stderr)
		}
		var doc struct {
			ExpectFailures int `json:"expect_failures"`
		}
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
			t.Fatalf("stdout is not JSON: %v", err)
		}
		if doc.ExpectFailures != 1 {
			t.Errorf("expect_failures %d, want 1", doc.ExpectFailures)
		}
		code, text, _ := runCommand("run", file)
		if code != 1 {
			t.Errorf("without --json: exit status %d, want 1", code)
		}
		if !strings.Contains(text, "FAILED step 1") {
			t.Errorf("the trace does not report the failed step 1:\n%s", tail(text, 300))
		}
	})

	for _, c := range []struct {
		name, text, step, field string
	}{
		{"unknown op", unknownOpScenario, "step 1", `"op"`},
		{"unknown field", unknownFieldScenario, "step 2", `"brokr"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			file := writeScenario(t, "bad.json", c.text)
			code, stdout, stderr := runCommand("run", file, "--json")
			if code != 2 {
				t.Fatalf("exit status %d, want 2\nstderr: %s", code, stderr)
			}
			if stdout != "" {
				t.Errorf("an invalid file printed on stdout: %s", stdout)
			}
			for _, want := range []string{file, c.step, c.field} {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr does not name %s: %s", want, stderr)
				}
			}
		})
	}

	t.Run("missing file", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "no-such-scenario.json")
		code, _, stderr := runCommand("run", file)
		if code != 2 {
			t.Fatalf("exit status %d, want 2", code)
		}
		if !strings.Contains(stderr, file) {
			t.Errorf("stderr does not name the file: %s", stderr)
		}
	})

	t.Run("usage", func(t *testing.T) {
		if code, _, _ := runCommand(); code != 2 {
			t.Errorf("no arguments: exit status %d, want 2", code)
		}
		if code, _, _ := runCommand("run"); code != 2 {
			t.Errorf("run with no file: exit status %d, want 2", code)
		}
		if code, _, _ := runCommand("frobnicate"); code != 2 {
			t.Errorf("unknown command: exit status %d, want 2", code)
		}
	})
}

func keysOf(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
