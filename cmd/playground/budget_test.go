package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// budgets turns on TestBrowserBudgets; `make bench` sets it.
var budgets = flag.Bool("budgets", false, "measure the browser budgets (module size, time to interactive, frame times)")

// The budgets of the browser playground.
const (
	// moduleGzipBudgetBytes bounds the gzipped WebAssembly module.
	moduleGzipBudgetBytes = 3_000_000
	// interactiveBudgetMs bounds the time from navigation to the first
	// cluster drawn (median of several loads).
	interactiveBudgetMs = 2000
	// frameBudgetMs bounds every frame while the simulation moves
	// streamRate records per virtual second at ×1.
	frameBudgetMs = 100
	// streamRate is the records per virtual second of the frame test.
	streamRate = 10_000
	// measuredSeconds is how long frames are measured.
	measuredSeconds = 10
)

// TestBrowserBudgets measures and prints the budgets of the issue: the
// module's gzipped size, the time to the first interactive cluster in
// headless Chromium, and the frame times while 10,000 records per virtual
// second flow. It fails when a budget is exceeded.
func TestBrowserBudgets(t *testing.T) {
	if !*budgets {
		t.Skip("run with -budgets (make bench)")
	}
	moduleSize(t)
	s := newSession(t)
	timeToInteractive(t, s)
	frameTimes(t, s)
}

// moduleSize prints the module's size, plain and gzipped.
func moduleSize(t *testing.T) {
	dist := filepath.Join("..", "..", "static", "dist")
	plain, err := os.Stat(filepath.Join(dist, "playground.wasm"))
	if err != nil {
		t.Fatalf("the module is not built (make wasm): %v", err)
	}
	gzipped, err := os.Stat(filepath.Join(dist, "playground.wasm.gz"))
	if err != nil {
		t.Fatalf("the gzipped module is not built (make wasm): %v", err)
	}
	fmt.Printf("budget module size: %d bytes, %d gzipped (budget %d gzipped)\n", plain.Size(), gzipped.Size(), moduleGzipBudgetBytes)
	if gzipped.Size() > moduleGzipBudgetBytes {
		t.Errorf("the gzipped module is %d bytes, over the budget of %d", gzipped.Size(), moduleGzipBudgetBytes)
	}
}

// timeToInteractive loads the page in fresh browser contexts (no cache)
// and reads the time from navigation to the page's
// "playground-interactive" mark.
func timeToInteractive(t *testing.T, s *session) {
	const loads = 5
	var times []float64
	for i := 0; i < loads; i++ {
		ctx, cancel := chromedp.NewContext(s.browser, chromedp.WithNewBrowserContext())
		tb := &tab{s: s, ctx: ctx}
		tb.do("open", chromedp.Navigate(s.server.URL+"/"))
		tb.waitFor(`#app[data-ready="true"]`)
		times = append(times, eval[float64](tb, `performance.getEntriesByName("playground-interactive")[0].startTime`))
		cancel()
	}
	slices.Sort(times)
	median := times[len(times)/2]
	fmt.Printf("budget first interactive cluster: median %.0f ms, min %.0f ms, max %.0f ms over %d cold loads (budget %d ms)\n",
		median, times[0], times[len(times)-1], loads, interactiveBudgetMs)
	if median > interactiveBudgetMs {
		t.Errorf("the first cluster is interactive after %.0f ms (median), over the budget of %d ms", median, interactiveBudgetMs)
	}
}

// frameStats is the page's frame statistics (playgroundDebug.frames()).
type frameStats struct {
	Frames      int     `json:"frames"`
	MaxDeltaMs  float64 `json:"max_delta_ms"`
	MeanDeltaMs float64 `json:"mean_delta_ms"`
	MaxWorkMs   float64 `json:"max_work_ms"`
	SlowFrames  int     `json:"slow_frames"`
	VirtualMs   int64   `json:"virtual_ms"`
	MaxPlayMs   float64 `json:"max_play_ms"`
	MaxDrawMs   float64 `json:"max_draw_ms"`
	GCCycles    uint64  `json:"gc_cycles"`
	SlowWithGC  int     `json:"slow_frames_with_gc"`
	HeapMB      uint64  `json:"heap_mb"`
}

// frameTimes streams 10,000 records per virtual second at ×1 and reads
// the frame statistics the page keeps.
func frameTimes(t *testing.T, s *session) {
	tb := s.open("/")
	tb.fill("#f-create_topic-topic", "load")
	tb.fill("#f-create_topic-partitions", "6")
	tb.click(`#form-create_topic button[value="create_topic"]`)
	tb.waitFor(`.partition[data-topic="load"][data-partition="5"]`)
	tb.fill("#f-add_producer-id", "loader")
	tb.fill("#f-add_producer-config-acks", "1")
	tb.click(`#form-add_producer button[value="add_producer"]`)
	tb.waitFor(`#view-producers tr[data-producer="loader"]`)
	tb.fill("#f-produce-producer", "loader")
	tb.fill("#f-produce-topic", "load")
	tb.fill("#f-produce-key", "key-{i}")
	tb.fill("#f-produce-rate", strconv.Itoa(streamRate))
	tb.click(`#form-produce button[value="stream"]`)
	tb.fill("#speed", "3") // ×1
	tb.click("#play")
	time.Sleep(time.Second)
	ackedBefore := acked(tb)
	tb.do("reset the frame statistics", chromedp.Evaluate[chromedp.Void](`playgroundDebug.resetFrames()`))
	time.Sleep(measuredSeconds * time.Second)
	var stats frameStats
	if err := json.Unmarshal([]byte(eval[string](tb, `playgroundDebug.frames()`)), &stats); err != nil {
		t.Fatal(err)
	}
	ackedAfter := acked(tb)
	tb.click("#play")
	rate := int64(0)
	if stats.VirtualMs > 0 {
		rate = (ackedAfter - ackedBefore) * 1000 / stats.VirtualMs
	}
	fmt.Printf("budget frames at %d records per virtual second: %d frames in %d s, mean %.1f ms, max %.1f ms between frames, max %.1f ms of work (%.1f running the simulation, %.1f drawing), %d over %d ms (%d during a garbage collection; %d collections, heap %d MB at the end); %d ms of virtual time, %d records acknowledged per virtual second (budget: no frame over %d ms)\n",
		streamRate, stats.Frames, measuredSeconds, stats.MeanDeltaMs, stats.MaxDeltaMs, stats.MaxWorkMs, stats.MaxPlayMs, stats.MaxDrawMs, stats.SlowFrames, frameBudgetMs, stats.SlowWithGC, stats.GCCycles, stats.HeapMB,
		stats.VirtualMs, rate, frameBudgetMs)
	if stats.Frames < measuredSeconds*20 {
		t.Errorf("only %d frames in %d s", stats.Frames, measuredSeconds)
	}
	if stats.MaxDeltaMs > frameBudgetMs {
		t.Errorf("a frame took %.1f ms, over the budget of %d ms", stats.MaxDeltaMs, frameBudgetMs)
	}
	if rate < streamRate*8/10 {
		t.Errorf("the simulation moved %d records per virtual second, not about %d", rate, streamRate)
	}
}

// acked reads the records the loader producer has had acknowledged.
func acked(tb *tab) int64 {
	n, err := strconv.ParseInt(tb.attribute(`#view-producers tr[data-producer="loader"]`, "data-acked"), 10, 64)
	if err != nil {
		tb.fail("the producer's acked count: %v", err)
	}
	return n
}
