package scenario

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kafka-playground/playground/core"
	"github.com/kafka-playground/playground/core/sim"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden trace files of behaviour scenarios")

// TestBehaviourScenarios runs every scenario of testdata/behaviour: each
// must hold all its expect steps, keep the invariant checker silent, and
// print the trace in its .trace golden file (rewritten with -rewrite and
// reviewed as a diff).
func TestBehaviourScenarios(t *testing.T) {
	files, err := filepath.Glob("testdata/behaviour/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no behaviour scenarios: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			runBehaviour(t, file)
		})
	}
}

func runBehaviour(t *testing.T, file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Decode(file, data)
	if err != nil {
		t.Fatal(err)
	}
	var trace bytes.Buffer
	var checker *core.Checker
	out, err := Run(file, s, Options{
		TraceSink: func(e sim.TraceEvent) { trace.WriteString(e.String() + "\n") },
		Prepare:   func(c *core.Cluster) { checker = core.NewChecker(c) },
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range out.Steps {
		if st.Op == OpExpect && !st.OK {
			t.Errorf("step %d: %s", st.Index, st.Error)
		}
	}
	checker.Final()
	for _, v := range checker.Violations() {
		t.Errorf("invariant violated: %s", v)
	}
	trace.WriteString("trace_hash " + out.TraceHash + "\n")
	golden := strings.TrimSuffix(file, ".json") + ".trace"
	if *rewrite {
		if err := os.WriteFile(golden, trace.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./core/scenario -run TestBehaviourScenarios -rewrite, then review the diff)", err)
	}
	if !bytes.Equal(want, trace.Bytes()) {
		t.Errorf("trace differs from %s (rewrite with -rewrite and review the diff):\n%s", golden, firstDifference(string(want), trace.String()))
	}
}

func firstDifference(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + w + "\n  got:  " + g
		}
	}
	return ""
}
