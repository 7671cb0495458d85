package clienttest

// franz-go's own kgo tests against the gateway (make test-clients): the
// source of the franz-go version go.mod pins, copied out of the
// read-only module cache, its kgo tests built once and run one test per
// process against `playground serve --kafka`, then a summary of what
// passed, what failed and why.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	franzGoSuite       = flag.Bool("franz-go-suite", false, "run franz-go's kgo tests against playground serve --kafka (make test-clients)")
	franzGoTestTimeout = flag.Duration("franz-go-timeout", 2*time.Minute, "with -franz-go-suite: the time each kgo test may take")
	franzGoRun         = flag.String("franz-go-run", ".", "with -franz-go-suite: the kgo tests to run (a regular expression)")
)

const (
	// franzGoModule is the module whose tests are run.
	franzGoModule = "github.com/twmb/franz-go"
	// kgoRecords is KGO_TEST_RECORDS unless the environment sets it: the
	// records of kgo's ETL tests (500,000 by default, for real brokers).
	kgoRecords = "10000"
	// kgoOfflineTimeout bounds a test's run against a closed port, which
	// tells the tests that need a cluster from those that do not.
	kgoOfflineTimeout = 30 * time.Second
	// kgoOfflineParallel is how many of those runs go at once; they
	// mostly wait.
	kgoOfflineParallel = 4
	// maxReasonBytes bounds a reason in the summary.
	maxReasonBytes = 300
	// kgoMaxGatewayBytes is the room's limit of the JSON of its real
	// clients' inputs for the suite, 256 MiB instead of serve's 32 MiB:
	// kgo's tests journal about 84 MiB together (28,530 inputs, within
	// the 100,000 of the default), and a gateway stopped at its limit
	// fails every test after it at its first ApiVersions.
	kgoMaxGatewayBytes = "268435456"
	// scramScenario is the room of kgo's SCRAM tests (KGO_TEST_SCRAM_SEEDS
	// and KGO_TEST_SCRAM): a SASL_PLAINTEXT listener beside PLAINTEXT,
	// and scramUser's SCRAM-SHA-256 credential.
	scramScenario = `{"version":1,"seed":1,"cluster":{"brokers":3,"config":{
		"listeners":"PLAINTEXT://:9092,SASL_PLAINTEXT://:9093","sasl.enabled.mechanisms":"SCRAM-SHA-256"}},
		"steps":[{"op":"add_user","user":"kgo","password":"kgo-scram-secret","mechanism":"SCRAM-SHA-256"}]}`
	scramUser = "kgo:kgo-scram-secret:256"
)

// kgoResult is the outcome of one kgo test.
type kgoResult struct {
	name    string
	outcome string // "pass", "fail" or "skip"
	reason  string // the first error line of a failure, the reason of a skip
	elapsed time.Duration
	// needsCluster: the test, passed against the gateway, fails against
	// a closed port.
	needsCluster bool
}

// TestFranzGoSuite runs franz-go's kgo tests against the gateway and
// prints a summary: how many pass, which fail and the first error line
// of each. It fails when one fails.
func TestFranzGoSuite(t *testing.T) {
	if !*franzGoSuite {
		t.Skip("run with -franz-go-suite (make test-clients)")
	}
	version, source := franzGoSource(t)
	binary := buildKgoTests(t, source)
	names := listKgoTests(t, binary, *franzGoRun)
	records := os.Getenv("KGO_TEST_RECORDS")
	if records == "" {
		records = kgoRecords
	}
	const brokers = 3
	limits := []string{"--max-gateway-bytes", kgoMaxGatewayBytes}
	s := startServer(t, brokers, limits...)
	scramSeeds := scramRoom(t, s)
	fmt.Printf("franz-go %s: %d kgo tests against playground serve --kafka (%d brokers at %s, SCRAM at %s), KGO_TEST_RECORDS=%s, %v a test\n",
		version, len(names), brokers, s.seeds(), scramSeeds, records, *franzGoTestTimeout)
	var results []kgoResult
	stopped := false
	for _, name := range names {
		select {
		case <-s.exited:
			fmt.Printf("  the gateway's process exited (%v); starting another\n", s.command.ProcessState)
			t.Errorf("playground serve exited during kgo's tests, before %s", name)
			s = startServer(t, brokers, limits...)
			scramSeeds = scramRoom(t, s)
		default:
		}
		env := []string{"KGO_SEEDS=" + s.seeds(), "KGO_TEST_RECORDS=" + records, "KGO_TEST_SCRAM_SEEDS=" + scramSeeds, "KGO_TEST_SCRAM=" + scramUser}
		r := runKgoTest(binary, name, env, *franzGoTestTimeout)
		fmt.Printf("  %-4s %-60s %6.1fs %s\n", strings.ToUpper(r.outcome), r.name, r.elapsed.Seconds(), r.reason)
		results = append(results, r)
		if line := gatewayStopped(s); line != "" && !stopped {
			stopped = true
			fmt.Printf("  the room's gateway stopped during %s, and refuses the tests after it: %s\n", name, line)
			t.Errorf("the room's gateway stopped during %s; the tests after it could not connect", name)
		}
	}
	markClusterTests(t, binary, results)
	printKgoSummary(version, results)
	failed := 0
	for _, r := range results {
		if r.outcome == "fail" {
			failed++
		}
	}
	if failed > 0 {
		t.Errorf("%d of kgo's %d tests failed against the gateway", failed, len(results))
	}
}

// scramRoom creates the room of kgo's SCRAM tests on the server (the
// HTTP API, as the page would) and returns its SASL_PLAINTEXT listener's
// bootstrap list.
func scramRoom(t *testing.T, s *server) string {
	t.Helper()
	// serve prints its site's address just after its brokers'.
	site := s.site()
	for deadline := time.Now().Add(serveStartTimeout); site == "" && time.Now().Before(deadline); site = s.site() {
		time.Sleep(10 * time.Millisecond)
	}
	if site == "" {
		t.Fatalf("playground serve printed no site address; stdout:\n%s", s.stdout.String())
	}
	body := `{"kafka":true,"scenario":` + scramScenario + `}`
	response, err := http.Post(site+"/api/rooms", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("creating the SCRAM room: %v", err)
	}
	defer response.Body.Close()
	var created struct {
		Error string `json:"error"`
		Kafka struct {
			Listeners []struct{ Name, Bootstrap string } `json:"listeners"`
		} `json:"kafka"`
	}
	if err := json.NewDecoder(response.Body).Decode(&created); err != nil || response.StatusCode != http.StatusCreated {
		t.Fatalf("creating the SCRAM room: %s %+v (%v)", response.Status, created, err)
	}
	for _, l := range created.Kafka.Listeners {
		if l.Name == "SASL_PLAINTEXT" {
			return l.Bootstrap
		}
	}
	t.Fatalf("the SCRAM room has no SASL_PLAINTEXT listener: %+v", created.Kafka.Listeners)
	return ""
}

// gatewayStoppedLog is what the server logs when its room's gateway
// reaches a limit of its real clients' inputs and stops.
const gatewayStoppedLog = "a room's Kafka gateway stopped accepting"

// gatewayStopped is the server's log line saying that its room's
// gateway stopped, "" while it accepts.
func gatewayStopped(s *server) string {
	for _, line := range strings.Split(s.stderr.String(), "\n") {
		if strings.Contains(line, gatewayStoppedLog) {
			return strings.TrimSpace(line)
		}
	}
	return ""
}

// franzGoSource copies the source of the franz-go version go.mod pins
// from the module cache into a temporary folder and returns the version
// and the folder.
func franzGoSource(t *testing.T) (string, string) {
	t.Helper()
	list := exec.Command(goTool(), "list", "-m", "-f", "{{.Version}}", franzGoModule)
	list.Dir = moduleRoot
	out, err := list.Output()
	if err != nil {
		t.Fatalf("go list -m %s: %v", franzGoModule, err)
	}
	version := strings.TrimSpace(string(out))
	download := exec.Command(goTool(), "mod", "download", "-json", franzGoModule+"@"+version)
	download.Dir = moduleRoot
	out, err = download.Output()
	if err != nil {
		t.Fatalf("go mod download %s@%s: %v", franzGoModule, version, err)
	}
	var module struct{ Dir, Error string }
	if err := json.Unmarshal(out, &module); err != nil || module.Dir == "" {
		t.Fatalf("go mod download -json %s@%s printed %s (%v)", franzGoModule, version, out, err)
	}
	copied := filepath.Join(t.TempDir(), "franz-go")
	if err := os.CopyFS(copied, os.DirFS(module.Dir)); err != nil {
		t.Fatalf("copying %s: %v", module.Dir, err)
	}
	return version, copied
}

// buildKgoTests builds the kgo package's test binary in the copied source.
func buildKgoTests(t *testing.T, source string) string {
	t.Helper()
	binary := filepath.Join(source, "pkg", "kgo", "kgo.test")
	build := exec.Command(goTool(), "test", "-c", "-o", binary, "./pkg/kgo")
	build.Dir = source
	build.Env = append(os.Environ(), "GOWORK=off")
	if output, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go test -c ./pkg/kgo in franz-go's source: %v\n%s", err, output)
	}
	return binary
}

// listKgoTests lists the test functions of the binary that match run.
func listKgoTests(t *testing.T, binary, run string) []string {
	t.Helper()
	pattern, err := regexp.Compile(run)
	if err != nil {
		t.Fatalf("-franz-go-run %q: %v", run, err)
	}
	list := exec.Command(binary, "-test.list", ".")
	list.Dir = filepath.Dir(binary)
	out, err := list.Output()
	if err != nil {
		t.Fatalf("%s -test.list: %v", binary, err)
	}
	var names []string
	for _, name := range strings.Fields(string(out)) {
		if strings.HasPrefix(name, "Test") && pattern.MatchString(name) {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		t.Fatalf("no kgo test matches %q", run)
	}
	return names
}

// testEvent is one line of `go tool test2json`.
type testEvent struct {
	Action  string
	Test    string
	Output  string
	Elapsed float64
}

// runKgoTest runs one kgo test in a process of its own, through
// test2json, and reads its outcome.
func runKgoTest(binary, name string, env []string, timeout time.Duration) kgoResult {
	ctx, cancel := context.WithTimeout(context.Background(), timeout+30*time.Second)
	defer cancel()
	command := exec.CommandContext(ctx, goTool(), "tool", "test2json", "-t", "-p", "kgo", binary,
		"-test.v=test2json", "-test.run", "^"+regexp.QuoteMeta(name)+"$", "-test.timeout", timeout.String())
	command.Dir = filepath.Dir(binary)
	command.Env = append(os.Environ(), env...)
	var stdout bytes.Buffer
	command.Stdout = &stdout
	started := time.Now()
	runErr := command.Run()
	r := readKgoEvents(name, stdout.Bytes())
	if r.elapsed == 0 {
		r.elapsed = time.Since(started)
	}
	if r.outcome == "fail" && r.reason == "" {
		r.reason = fmt.Sprintf("no error line (%v)", runErr)
	}
	if len(r.reason) > maxReasonBytes {
		r.reason = r.reason[:maxReasonBytes] + "…"
	}
	return r
}

// noise are output lines of kgo's tests that are never the reason.
var noise = regexp.MustCompile(`FAILED TESTING -- NOT DELETING TOPIC|deleting topic|completed in`)

// errorLine matches the lines t.Error, t.Fatal (and t.Log) print.
var errorLine = regexp.MustCompile(`^\s*[\w.-]+\.go:\d+: `)

// readKgoEvents makes a result of one test's test2json events: its
// outcome, and for a failure the first error line of the first subtest
// (or test) that failed, or its panic.
func readKgoEvents(name string, events []byte) kgoResult {
	r := kgoResult{name: name, outcome: "fail"}
	outputs := map[string][]string{}
	var failed []string
	var panicked string
	scanner := bufio.NewScanner(bytes.NewReader(events))
	scanner.Buffer(make([]byte, 0, 64*1024), 16<<20)
	for scanner.Scan() {
		var e testEvent
		if json.Unmarshal(scanner.Bytes(), &e) != nil {
			continue
		}
		switch e.Action {
		case "output":
			line := strings.TrimRight(e.Output, "\n")
			outputs[e.Test] = append(outputs[e.Test], line)
			if panicked == "" && strings.HasPrefix(line, "panic: ") {
				panicked = line
			}
		case "fail":
			if e.Test != "" {
				failed = append(failed, e.Test)
			}
		}
		if e.Test == name && (e.Action == "pass" || e.Action == "fail" || e.Action == "skip") {
			r.outcome, r.elapsed = e.Action, time.Duration(e.Elapsed*float64(time.Second))
		}
	}
	switch r.outcome {
	case "skip":
		r.reason = firstMatching(outputs[name], false)
	case "fail":
		r.reason = failureReason(name, failed, outputs, panicked)
	}
	return r
}

// failureReason is the first error line of the first test or subtest
// that failed, and whether the test then panicked.
func failureReason(name string, failed []string, outputs map[string][]string, panicked string) string {
	var reason string
	for _, test := range append(failed, name) {
		if line := firstMatching(outputs[test], true); line != "" {
			reason = line
			if test != name {
				reason = strings.TrimPrefix(test, name+"/") + ": " + line
			}
			break
		}
	}
	switch {
	case reason == "":
		return panicked
	case panicked != "" && !strings.Contains(reason, panicked):
		return reason + "; then " + panicked
	}
	return reason
}

// firstMatching is the first line that t.Error or t.Log printed (or, when
// errorsOnly is false and there is none, the first line that is not a
// test2json marker), without the noise.
func firstMatching(lines []string, errorsOnly bool) string {
	var fallback string
	for _, line := range lines {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "=== ") || strings.HasPrefix(trimmed, "--- ") || noise.MatchString(trimmed) {
			continue
		}
		if errorLine.MatchString(line) {
			return trimmed
		}
		if fallback == "" {
			fallback = trimmed
		}
	}
	if errorsOnly {
		return ""
	}
	return fallback
}

// markClusterTests runs every passed test again against a closed port:
// those that then fail need a cluster, and so passed through the gateway.
func markClusterTests(t *testing.T, binary string, results []kgoResult) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "127.0.0.1:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	var wg sync.WaitGroup
	slots := make(chan struct{}, kgoOfflineParallel)
	for i := range results {
		if results[i].outcome != "pass" {
			continue
		}
		wg.Add(1)
		go func(r *kgoResult) {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			offline := runKgoTest(binary, r.name, []string{"KGO_SEEDS=" + closed, "KGO_TEST_RECORDS=" + kgoRecords, "KGO_TEST_SCRAM_SEEDS=" + closed, "KGO_TEST_SCRAM=" + scramUser}, kgoOfflineTimeout)
			r.needsCluster = offline.outcome != "pass"
		}(&results[i])
	}
	wg.Wait()
}

// printKgoSummary prints the counts, then each failure and skip with its
// reason, and ends with one line of counts.
func printKgoSummary(version string, results []kgoResult) {
	count := map[string]int{}
	var clusterPassed []string
	for _, r := range results {
		count[r.outcome]++
		if r.outcome == "pass" && r.needsCluster {
			clusterPassed = append(clusterPassed, r.name)
		}
	}
	fmt.Printf("\nfranz-go %s kgo tests against the gateway: %d tests, %d passed (%d of them need a cluster: they fail against a closed port), %d failed, %d skipped\n",
		version, len(results), count["pass"], len(clusterPassed), count["fail"], count["skip"])
	fmt.Printf("passed through the gateway: %s\n", strings.Join(clusterPassed, " "))
	sorted := slices.Clone(results)
	slices.SortFunc(sorted, func(a, b kgoResult) int { return strings.Compare(a.name, b.name) })
	for _, outcome := range []string{"fail", "skip"} {
		if count[outcome] == 0 {
			continue
		}
		fmt.Printf("%s:\n", map[string]string{"fail": "failed", "skip": "skipped"}[outcome])
		for _, r := range sorted {
			if r.outcome == outcome {
				fmt.Printf("  %-48s %s\n", r.name, r.reason)
			}
		}
	}
	fmt.Printf("kgo: %d passed, %d failed, %d skipped\n", count["pass"], count["fail"], count["skip"])
}
