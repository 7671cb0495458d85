//go:build !js

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kafka-playground/playground/backend/links"
	"github.com/kafka-playground/playground/backend/links/linkstest"
	"github.com/kafka-playground/playground/core/link"
	"github.com/kafka-playground/playground/core/scenario"
	"github.com/kafka-playground/playground/worker/edge"
)

// The Worker's test builds it (build.sh, which also checks its size),
// runs it on this machine with wrangler and workerd from package.json
// over a fresh local D1 database made from the backend's migrations, and
// uses it as the page and a person would. Without Node.js or Chromium it
// is skipped, and under CI=true it fails instead.

// scenarioFile is the scenario linked in the test, relative to worker/.
const scenarioFile = "../core/lessons/04-acks-and-leader-crash.json"

// chromiumPath is Debian's Chromium, which tools/deps.sh installs.
const chromiumPath = "/usr/bin/chromium"

// TestWorker: links are created, the same scenario gets the same id,
// a link opens the page on its scenario in Chromium with the trace hash
// of `playground run`, a 1 MB and a malformed scenario are refused with a
// sentence, the link store's behaviour table holds on D1, and a client
// past the rate limit is refused.
func TestWorker(t *testing.T) {
	w := startWorker(t)
	t.Run("info", func(t *testing.T) { checkInfo(t, w) })
	t.Run("store table on D1", func(t *testing.T) {
		remote := edge.RemoteStore{URL: w.url}
		linkstest.Run(t, func(t *testing.T) links.Store {
			if err := remote.Reset(context.Background()); err != nil {
				t.Fatal(err)
			}
			return remote
		})
	})
	var id string
	t.Run("links", func(t *testing.T) { id = checkLinks(t, w) })
	t.Run("refusals", func(t *testing.T) { checkRefusals(t, w) })
	t.Run("page in Chromium", func(t *testing.T) {
		if id == "" {
			t.Skip("no link was created")
		}
		checkPage(t, w, id)
	})
	t.Run("rate limit", func(t *testing.T) { checkRateLimit(t, w) })
}

// TestDeployRefusesWithoutToken: `make deploy` says what it needs and
// stops, before building anything, when no Cloudflare token is set.
func TestDeployRefusesWithoutToken(t *testing.T) {
	deploy := exec.Command("bash", "deploy.sh")
	for _, variable := range os.Environ() {
		if !strings.HasPrefix(variable, "CLOUDFLARE_") {
			deploy.Env = append(deploy.Env, variable)
		}
	}
	output, err := deploy.CombinedOutput()
	if err == nil || !strings.Contains(string(output), "CLOUDFLARE_API_TOKEN is not set") {
		t.Fatalf("deploy.sh without a token: %v\n%s", err, output)
	}
}

// TestShimMatchesTheCompiler: the wasm_exec.js of syumai/workers' shim is
// Go's own, but for its passing of the Worker's context to the program
// (run(instance, context) and a proxy of globalThis). Go's copy changes
// with the compiler; when this fails, the shim no longer matches the Go
// that builds app.wasm, and the library must follow before the Worker
// can be trusted.
func TestShimMatchesTheCompiler(t *testing.T) {
	moduleDir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/syumai/workers").Output()
	if err != nil {
		t.Fatal(err)
	}
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatal(err)
	}
	shim, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(moduleDir)), "cmd", "workers-assets-gen", "assets", "wasm_exec_go.js"))
	if err != nil {
		t.Fatal(err)
	}
	own, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(shim), "async run(instance, context) {", "async run(instance) {", 1)
	const proxy = `			const globalProxy = new Proxy(globalThis, {
				get(target, prop) {
					if (prop === 'context') {
						return context;
					}
					return Reflect.get(target, prop, target);
				}
			})
`
	if !strings.Contains(text, proxy) {
		t.Fatal("the shim's wasm_exec.js no longer has the context proxy this test knows: compare it with Go's by hand")
	}
	text = strings.ReplaceAll(strings.Replace(text, proxy, "", 1), "globalProxy", "globalThis")
	if text != string(own) {
		t.Fatal("syumai/workers' wasm_exec.js differs from this Go's lib/wasm/wasm_exec.js beyond passing the context")
	}
}

// worker is a running `wrangler dev`.
type worker struct {
	url string
	// output is what wrangler printed, for failures.
	output *lockedBuffer
}

// startWorker builds the Worker and starts it with its test routes on a
// free port, stopping it when the test ends.
func startWorker(t *testing.T) *worker {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			need(t, tool+" is missing: run tools/deps.sh")
		}
	}
	if _, err := os.Stat("../static/dist/playground.wasm"); err != nil {
		need(t, "the page's module is not built: run `make wasm` first")
	}
	build := exec.Command("bash", "build.sh")
	if output, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build.sh: %v\n%s", err, output)
	} else {
		t.Logf("build.sh:\n%s", output)
	}
	port, inspectorPort := freePort(t), freePort(t)
	w := &worker{url: fmt.Sprintf("http://127.0.0.1:%d", port), output: &lockedBuffer{}}
	dev := exec.Command("bash", "dev.sh", "--var", "PLAYGROUND_TEST_ENDPOINTS:1", "--inspector-port", fmt.Sprint(inspectorPort))
	dev.Env = append(os.Environ(), fmt.Sprintf("WORKER_PORT=%d", port), "WORKER_STATE="+t.TempDir())
	dev.Stdout, dev.Stderr = w.output, w.output
	dev.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := dev.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- dev.Wait() }()
	t.Cleanup(func() { stop(t, dev, exited) })
	w.waitReady(t, exited)
	return w
}

// waitReady waits until the Worker answers GET /api/info.
func (w *worker) waitReady(t *testing.T, exited chan error) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("wrangler dev exited (%v):\n%s", err, w.output)
		case <-time.After(250 * time.Millisecond):
		}
		response, err := http.Get(w.url + "/api/info")
		if err == nil {
			response.Body.Close()
			if response.StatusCode == http.StatusOK {
				return
			}
		}
	}
	t.Fatalf("the Worker did not answer on %s within 2 minutes:\n%s", w.url, w.output)
}

// stop ends wrangler and the workerd it started: the whole process group.
func stop(t *testing.T, dev *exec.Cmd, exited chan error) {
	syscall.Kill(-dev.Process.Pid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		syscall.Kill(-dev.Process.Pid, syscall.SIGKILL)
		<-exited
	}
	// workerd may outlive its parent for a moment; the group is gone
	// once a signal to it fails.
	for i := 0; i < 50 && syscall.Kill(-dev.Process.Pid, 0) == nil; i++ {
		time.Sleep(100 * time.Millisecond)
	}
	syscall.Kill(-dev.Process.Pid, syscall.SIGKILL)
}

func checkInfo(t *testing.T, w *worker) {
	response, body := w.get(t, "/api/info")
	var info edge.Info
	if err := json.Unmarshal(body, &info); err != nil || response.StatusCode != 200 ||
		info != (edge.Info{Service: "worker", Links: true, MaxLinkBytes: edge.DefaultMaxLinkBytes}) {
		t.Fatalf("GET /api/info: %d %s", response.StatusCode, body)
	}
}

// checkLinks creates the link of scenarioFile twice, checks that it
// redirects to the scenario's long link, and returns its id.
func checkLinks(t *testing.T, w *worker) string {
	data, err := os.ReadFile(scenarioFile)
	if err != nil {
		t.Fatal(err)
	}
	status, answer := w.post(t, "/api/links", data)
	id := answer["id"]
	if status != 200 || !links.ValidID(id) || answer["url"] != "/s/"+id {
		t.Fatalf("POST /api/links: %d %v", status, answer)
	}
	if _, again := w.post(t, "/api/links", append([]byte("\n  "), data...)); again["id"] != id {
		t.Fatalf("the same scenario got id %s, then %v", id, again)
	}
	canonical, err := links.Canonical(data)
	if err != nil || links.ID(canonical) != id {
		t.Fatalf("the Worker's id %s is not the content address %s (%v) the backend gives", id, links.ID(canonical), err)
	}
	response, _ := w.get(t, "/s/"+id)
	decoded, _ := scenario.Decode("scenario", canonical)
	want, _ := link.Encode(decoded)
	if location := response.Header.Get("Location"); response.StatusCode != http.StatusFound || location != want {
		t.Fatalf("GET /s/%s: %d, Location %.60q…, want the long link %.60q…", id, response.StatusCode, location, want)
	}
	for _, unknown := range []string{"aaaaaaaaaaaaaaaa", "not-an-id", "AAAAAAAAAAAAAAAA"} {
		response, body := w.get(t, "/s/"+unknown)
		if response.StatusCode != 404 || !strings.Contains(string(body), "Unknown link") ||
			!strings.HasPrefix(response.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET /s/%s: %d %s", unknown, response.StatusCode, body)
		}
	}
	return id
}

// checkRefusals: a 1 MB scenario and a malformed one are refused with a
// sentence that says why.
func checkRefusals(t *testing.T, w *worker) {
	large := []byte(`{"version":1,"name":"` + strings.Repeat("x", 1<<20) + `","steps":[]}`)
	if status, answer := w.post(t, "/api/links", large); status != http.StatusRequestEntityTooLarge ||
		!strings.Contains(answer["error"], "larger than the limit of 262144 bytes") {
		t.Fatalf("a 1 MB scenario: %d %v", status, answer)
	}
	malformed := []byte(`{"version":1,"steps":[{"op":"advance","ms":100},{"op":"teleport","broker":1}]}`)
	if status, answer := w.post(t, "/api/links", malformed); status != http.StatusUnprocessableEntity ||
		!strings.Contains(answer["error"], `step 1`) || !strings.Contains(answer["error"], `unknown op "teleport"`) {
		t.Fatalf("a malformed scenario: %d %v", status, answer)
	}
	if status, answer := w.post(t, "/api/links", []byte(`{"version":1,`)); status != http.StatusUnprocessableEntity || answer["error"] == "" {
		t.Fatalf("a scenario that is not whole JSON: %d %v", status, answer)
	}
}

// checkRateLimit creates links until the limit (20 a minute in
// wrangler.jsonc, this test's own included) and expects the refusal.
func checkRateLimit(t *testing.T, w *worker) {
	for i := 0; i < 25; i++ {
		status, answer := w.post(t, "/api/links", []byte(`{"version":1,"steps":[]}`))
		if status == http.StatusTooManyRequests {
			if !strings.Contains(answer["error"], "too many links") {
				t.Fatalf("429 without its sentence: %v", answer)
			}
			return
		}
		if status != 200 {
			t.Fatalf("link %d: %d %v", i+1, status, answer)
		}
	}
	t.Fatal("25 links in a row were all created: the rate limit does not hold")
}

// checkPage opens the short link in headless Chromium and waits until the
// page has replayed it: the trace hash it shows must be the one
// `playground run` prints for the same file.
func checkPage(t *testing.T, w *worker, id string) {
	if _, err := os.Stat(chromiumPath); err != nil {
		need(t, chromiumPath+" is missing: run tools/deps.sh")
	}
	want := cliTraceHash(t, scenarioFile)
	options := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.NoSandbox,
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
	)
	allocator, cancelAllocator := chromedp.NewExecAllocator(context.Background(), options...)
	defer cancelAllocator()
	browser, cancelBrowser := chromedp.NewContext(allocator)
	defer cancelBrowser()
	ctx, cancel := context.WithTimeout(browser, 2*time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(w.url+"/s/"+id), chromedp.WaitReady(chromedp.CSS(`#app[data-ready="true"]`))); err != nil {
		t.Fatalf("open /s/%s: %v\n%s", id, err, w.output)
	}
	address, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`))
	if err != nil || !strings.HasPrefix(address, w.url+"/#s=1.") {
		t.Fatalf("the short link led to %q (%v), want %s/#s=1.…", address, err, w.url)
	}
	got, err := chromedp.Run(ctx, chromedp.Poll[string](`document.querySelector("#trace-hash").getAttribute("data-trace-hash")`,
		chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil || got != want {
		status, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText.slice(0, 2000)`))
		t.Fatalf("the page opened from the Worker shows trace hash %q (%v); `playground run` gives %s\npage:\n%s", got, err, want, status)
	}
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err == nil && os.MkdirAll("../artifacts", 0o755) == nil {
		os.WriteFile(filepath.Join("..", "artifacts", "worker-short-link.png"), shot, 0o644)
	}
}

// cliTraceHash runs `playground run FILE --json` and returns its trace_hash.
func cliTraceHash(t *testing.T, file string) string {
	t.Helper()
	absolute, err := filepath.Abs(file)
	if err != nil {
		t.Fatal(err)
	}
	run := exec.Command("go", "run", "./cmd/playground", "run", absolute, "--json")
	run.Dir = ".."
	var stderr bytes.Buffer
	run.Stderr = &stderr
	output, err := run.Output()
	if err != nil {
		t.Fatalf("playground run %s: %v\n%s", file, err, stderr.Bytes())
	}
	var result struct {
		TraceHash string `json:"trace_hash"`
	}
	if err := json.Unmarshal(output, &result); err != nil || result.TraceHash == "" {
		t.Fatalf("playground run %s --json: no trace_hash (%v)", file, err)
	}
	return result.TraceHash
}

// noRedirect keeps a client from following a redirect, to read it.
var noRedirect = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       30 * time.Second,
}

func (w *worker) get(t *testing.T, path string) (*http.Response, []byte) {
	t.Helper()
	response, err := noRedirect.Get(w.url + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer response.Body.Close()
	body, _ := io.ReadAll(response.Body)
	return response, body
}

func (w *worker) post(t *testing.T, path string, body []byte) (int, map[string]string) {
	t.Helper()
	response, err := noRedirect.Post(w.url+path, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer response.Body.Close()
	answer := map[string]string{}
	json.NewDecoder(response.Body).Decode(&answer)
	return response.StatusCode, answer
}

// freePort returns a port on 127.0.0.1 that nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	return listener.Addr().(*net.TCPAddr).Port
}

// need stops the test for want of a tool: a failure in CI, a skip
// elsewhere.
func need(t *testing.T, message string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(message)
	}
	t.Skip(message)
}

// lockedBuffer collects a process's output from two pipes.
type lockedBuffer struct {
	mu     sync.Mutex
	buffer bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buffer.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buffer.String()
}
