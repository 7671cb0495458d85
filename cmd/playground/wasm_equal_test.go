package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/kafka-playground/playground/core/scenario"
)

// The module and its loader, as `make wasm` builds them, and the Node
// script that runs scenario files through them.
var (
	wasmModule = filepath.Join("..", "..", "static", "dist", "playground.wasm")
	wasmExecJS = filepath.Join("..", "..", "static", "dist", "wasm_exec.js")
	nodeRunJS  = filepath.Join("..", "..", "wasm", "node_run.js")
)

// wasmScenarioGlobs are the scenario files compared natively and in
// WebAssembly; a folder that does not exist yet contributes nothing.
var wasmScenarioGlobs = []string{
	filepath.Join("..", "..", "core", "scenario", "testdata", "behaviour", "*.json"),
	filepath.Join("..", "..", "core", "lessons", "*.json"),
}

// TestWasmMatchesNative checks SCENARIO.md's promise: the same scenario
// gives the same trace hash and the same output document natively and in
// WebAssembly (the module run by Node, with no DOM); and the state
// snapshot of the session that ran it has the same bytes on both.
func TestWasmMatchesNative(t *testing.T) {
	var files []string
	for _, pattern := range wasmScenarioGlobs {
		matches, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatalf("glob %s: %v", pattern, err)
		}
		files = append(files, matches...)
	}
	sort.Strings(files)
	if len(files) == 0 {
		t.Fatalf("no scenario files found under %v", wasmScenarioGlobs)
	}

	for _, path := range []string{wasmModule, wasmExecJS} {
		if _, err := os.Stat(path); err != nil {
			needForWasm(t, fmt.Sprintf("%s is missing (%v): run `make wasm` to build the WebAssembly module", path, err))
		}
	}
	node, err := exec.LookPath("node")
	if err != nil {
		needForWasm(t, fmt.Sprintf("node is not on PATH (%v): install Node.js and run `make wasm` to compare native and WebAssembly runs", err))
	}

	wasmOutputs := runInNode(t, node, files)

	for _, file := range files {
		file := file
		t.Run(filepath.Base(file), func(t *testing.T) {
			wasm, ok := wasmOutputs[file]
			if !ok {
				t.Fatalf("node printed no line for %s", file)
			}
			compareWithNative(t, file, wasm.Output)
			compareSnapshots(t, file, wasm.Snapshot)
		})
	}
}

// needForWasm stops the test for want of a build output or tool: a failure
// in CI, where `make test` builds the module first, a skip elsewhere.
func needForWasm(t *testing.T, message string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(message)
	}
	t.Skip(message)
}

// wasmRun is what Node printed of one file: the output document and the
// hex SHA-256 of the session's state snapshot.
type wasmRun struct {
	Output   json.RawMessage `json:"output"`
	Snapshot string          `json:"snapshot"`
}

// runInNode runs every file through the WebAssembly module in one Node
// process and returns what it printed of each, keyed by the path given.
func runInNode(t *testing.T, node string, files []string) map[string]wasmRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	args := append([]string{nodeRunJS, wasmExecJS, wasmModule}, files...)
	cmd := exec.CommandContext(ctx, node, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			t.Fatalf("node %s timed out (%v)\nstderr:\n%s", nodeRunJS, ctx.Err(), stderr.String())
		}
		t.Fatalf("node %s: %v\nstderr:\n%s", nodeRunJS, err, stderr.String())
	}

	outputs := make(map[string]wasmRun, len(files))
	scanner := bufio.NewScanner(&stdout)
	scanner.Buffer(make([]byte, 0, 1<<20), 256<<20)
	for scanner.Scan() {
		line := bytes.TrimSpace(scanner.Bytes())
		if len(line) == 0 {
			continue
		}
		var entry struct {
			File string `json:"file"`
			wasmRun
		}
		if err := json.Unmarshal(line, &entry); err != nil {
			t.Fatalf("node printed a line that is not {\"file\", \"output\"}: %v\n%s", err, truncate(string(line), 400))
		}
		if _, dup := outputs[entry.File]; dup {
			t.Fatalf("node printed two lines for %s", entry.File)
		}
		if len(entry.Output) == 0 {
			t.Fatalf("node printed no output for %s", entry.File)
		}
		outputs[entry.File] = entry.wasmRun
	}
	if err := scanner.Err(); err != nil {
		t.Fatalf("reading node's output: %v", err)
	}
	if len(outputs) != len(files) {
		t.Fatalf("node printed %d documents for %d files\nstderr:\n%s", len(outputs), len(files), stderr.String())
	}
	return outputs
}

// compareSnapshots checks that the state snapshot of a session that ran
// file natively, as wasm/run.go runs it, hashes as WebAssembly's did.
func compareSnapshots(t *testing.T, file, wasmHash string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	s, err := scenario.Decode("scenario", data)
	if err != nil {
		return // compareWithNative reports an invalid scenario
	}
	session, err := scenario.NewSession("scenario", s, scenario.Options{})
	if err != nil {
		return
	}
	snapshot, err := session.Snapshot()
	if err != nil {
		t.Fatalf("native snapshot: %v", err)
	}
	sum := sha256.Sum256(snapshot)
	if native := hex.EncodeToString(sum[:]); native != wasmHash {
		t.Errorf("the state snapshot differs: native SHA-256 %s, WebAssembly %s", native, wasmHash)
	}
}

// compareWithNative runs file natively the way the WebAssembly host does
// (wasm/run.go: file name "scenario", zero Options) and compares the result
// with the document the module returned.
func compareWithNative(t *testing.T, file string, wasmDoc json.RawMessage) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	wasmValue, err := decodeGeneric(wasmDoc)
	if err != nil {
		t.Fatalf("the WebAssembly document is not JSON: %v", err)
	}
	wasmError, wasmFailed := errorOf(wasmValue)

	s, err := scenario.Decode("scenario", data)
	var out *scenario.Output
	if err == nil {
		out, err = scenario.Run("scenario", s, scenario.Options{})
	}
	if err != nil {
		if !wasmFailed {
			t.Fatalf("natively the scenario is invalid (%v), but WebAssembly ran it and gave no {\"error\"} document: %s",
				err, truncate(string(wasmDoc), 400))
		}
		if wasmError != err.Error() {
			t.Errorf("the error differs:\n  native: %s\n  wasm:   %s", err.Error(), wasmError)
		}
		return
	}
	if wasmFailed {
		t.Fatalf("natively the scenario ran, but WebAssembly gave an error: %s", wasmError)
	}

	nativeJSON, err := json.Marshal(out)
	if err != nil {
		t.Fatalf("marshal the native output: %v", err)
	}
	nativeValue, err := decodeGeneric(nativeJSON)
	if err != nil {
		t.Fatalf("the native document does not decode: %v", err)
	}

	wasmObject, ok := wasmValue.(map[string]any)
	if !ok {
		t.Fatalf("the WebAssembly document is not an object: %s", truncate(string(wasmDoc), 400))
	}
	wasmHash, _ := wasmObject["trace_hash"].(string)
	if out.TraceHash == "" {
		t.Errorf("the native trace_hash is empty")
	}
	if wasmHash != out.TraceHash {
		t.Errorf("trace_hash differs: native %s, wasm %q", out.TraceHash, wasmHash)
	}

	nativeCanonical, err := json.Marshal(nativeValue)
	if err != nil {
		t.Fatal(err)
	}
	wasmCanonical, err := json.Marshal(wasmValue)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(nativeCanonical, wasmCanonical) {
		path, detail := firstDifference("$", nativeValue, wasmValue)
		t.Errorf("the output documents differ; first difference at %s: %s", path, detail)
	}
}

// decodeGeneric decodes a JSON document into any, keeping numbers as their
// literal text.
func decodeGeneric(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("data after the document")
	}
	return v, nil
}

// errorOf reports whether v is an {"error": "..."} document, and its message.
func errorOf(v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	message, ok := m["error"].(string)
	if !ok || len(m) != 1 {
		return "", false
	}
	return message, true
}

// firstDifference returns the path of the first place where a (native) and
// b (wasm), both decoded by decodeGeneric, differ, and what differs there.
// Object keys are visited in sorted order.
func firstDifference(path string, a, b any) (string, string) {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			return path, fmt.Sprintf("native has an object, wasm has %s", brief(b))
		}
		keys := make([]string, 0, len(av)+len(bv))
		for k := range av {
			keys = append(keys, k)
		}
		for k := range bv {
			if _, ok := av[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			ak, aok := av[k]
			bk, bok := bv[k]
			switch {
			case !aok:
				return path + "." + k, fmt.Sprintf("only wasm has it: %s", brief(bk))
			case !bok:
				return path + "." + k, fmt.Sprintf("only native has it: %s", brief(ak))
			}
			if p, d := firstDifference(path+"."+k, ak, bk); p != "" {
				return p, d
			}
		}
		return "", ""
	case []any:
		bv, ok := b.([]any)
		if !ok {
			return path, fmt.Sprintf("native has an array, wasm has %s", brief(b))
		}
		for i := 0; i < len(av) && i < len(bv); i++ {
			if p, d := firstDifference(fmt.Sprintf("%s[%d]", path, i), av[i], bv[i]); p != "" {
				return p, d
			}
		}
		if len(av) != len(bv) {
			return path, fmt.Sprintf("native has %d elements, wasm has %d", len(av), len(bv))
		}
		return "", ""
	default:
		aj, _ := json.Marshal(a)
		bj, _ := json.Marshal(b)
		if !bytes.Equal(aj, bj) {
			return path, fmt.Sprintf("native %s, wasm %s", truncate(string(aj), 200), truncate(string(bj), 200))
		}
		return "", ""
	}
}

func brief(v any) string {
	data, _ := json.Marshal(v)
	return truncate(string(data), 200)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// TestFirstDifference checks the diff helper that reports where the
// native and WebAssembly documents part.
func TestFirstDifference(t *testing.T) {
	decode := func(s string) any {
		v, err := decodeGeneric([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct{ a, b, path string }{
		{`{"a": 1, "b": [1, 2]}`, `{"b": [1, 2], "a": 1}`, ""},
		{`{"a": 1, "b": [1, 2]}`, `{"a": 1, "b": [1, 3]}`, "$.b[1]"},
		{`{"a": 1, "b": [1, 2]}`, `{"a": 1, "b": [1]}`, "$.b"},
		{`{"a": {"x": 1}}`, `{"a": {"x": 1, "y": 2}}`, "$.a.y"},
		{`{"a": 1}`, `{"a": 1.0}`, "$.a"},
		{`{"a": null}`, `{"a": []}`, "$.a"},
	} {
		if path, _ := firstDifference("$", decode(c.a), decode(c.b)); path != c.path {
			t.Errorf("firstDifference(%s, %s) = %q, want %q", c.a, c.b, path, c.path)
		}
	}
}
