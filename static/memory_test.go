package static

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// memoryCases runs memory.js in Node.js against memories of several
// shapes and prints what playgroundReserveMemory made of each, one line a
// case: the bytes it returned, then the memory's size.
const memoryCases = `
const reserve = require("./memory.js");
const mb = (bytes) => bytes / (1 << 20);
const cases = {
  "unbounded": new WebAssembly.Memory({ initial: 1 }),
  "at most 200 MB": new WebAssembly.Memory({ initial: 1, maximum: 3200 }),
  "at most 10 MB": new WebAssembly.Memory({ initial: 1, maximum: 160 }),
  "already 300 MB": new WebAssembly.Memory({ initial: 4800 }),
};
for (const [name, mem] of Object.entries(cases)) {
  const returned = reserve({ exports: { mem } });
  console.log(name + ": " + mb(returned) + " " + mb(mem.buffer.byteLength));
}
console.log("no memory: " + reserve({ exports: {} }));
console.log("global: " + (typeof globalThis.playgroundReserveMemory));
`

// TestReserveMemory checks the page's memory reservation: the largest of
// 256, 128 and 64 MB that the memory can grow to, nothing taken from a
// memory already larger or one that cannot grow that far, and no error
// for a module without an exported memory.
func TestReserveMemory(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("node is not on PATH: %v", err)
		}
		t.Skipf("node is not on PATH: %v", err)
	}
	cmd := exec.Command(node, "-e", memoryCases)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	want := strings.Join([]string{
		"unbounded: 256 256",
		"at most 200 MB: 128 128",
		"at most 10 MB: 0.0625 0.0625",
		"already 300 MB: 300 300",
		"no memory: 0",
		"global: function",
	}, "\n") + "\n"
	if string(out) != want {
		t.Errorf("memory.js gave\n%s\nwant\n%s", out, want)
	}
}

// TestPageReservesMemoryBeforeRunning checks that the embedded page loads
// memory.js and reserves the module's memory before go.run starts Go's
// runtime, which reads the memory's size once, as it starts.
func TestPageReservesMemoryBeforeRunning(t *testing.T) {
	if _, err := fs.Stat(Files(), "memory.js"); err != nil {
		t.Fatalf("memory.js is not embedded: %v", err)
	}
	page, err := fs.ReadFile(Files(), "index.html")
	if err != nil {
		t.Fatal(err)
	}
	html := string(page)
	load, reserve, run := strings.Index(html, `<script src="memory.js">`), strings.Index(html, "playgroundReserveMemory(result.instance)"), strings.Index(html, "go.run(result.instance)")
	if load < 0 || reserve < 0 || run < 0 || !(load < reserve && reserve < run) {
		t.Errorf("index.html must load memory.js (at %d) and call playgroundReserveMemory (at %d) before go.run (at %d)", load, reserve, run)
	}
}
