//go:build js && wasm

package ui

import (
	"encoding/json"
	"runtime/metrics"
	"syscall/js"

	"github.com/kafka-playground/playground/core"
)

// slowFrameMs is the frame time the budget allows at most.
const slowFrameMs = 100

// frameStats measures frames while time plays, for the budget test
// (`make bench`): the time between animation frames, which includes every
// task the page ran in between, and the work of the frame itself.
type frameStats struct {
	Frames      int     `json:"frames"`
	MaxDeltaMs  float64 `json:"max_delta_ms"`
	MeanDeltaMs float64 `json:"mean_delta_ms"`
	MaxWorkMs   float64 `json:"max_work_ms"`
	SlowFrames  int     `json:"slow_frames"`
	VirtualMs   int64   `json:"virtual_ms"`
	// MaxPlayMs and MaxDrawMs split the work: running the simulation and
	// writing the views.
	MaxPlayMs float64 `json:"max_play_ms"`
	MaxDrawMs float64 `json:"max_draw_ms"`
	// GCCycles counts the Go garbage collections, and SlowFramesWithGC
	// the slow frames during which one ended: in WebAssembly the
	// collector runs on the page's only thread.
	GCCycles         uint64 `json:"gc_cycles"`
	SlowFramesWithGC int    `json:"slow_frames_with_gc"`
	HeapMB           uint64 `json:"heap_mb"`
	gcAtFrameStart   uint64
	totalDelta       float64
	previousMs       float64
}

// record adds one frame.
func (s *frameStats) record(timestampMs, workMs float64, playing bool) {
	if !playing {
		s.previousMs = 0
		return
	}
	cycles := gcCycles()
	if s.previousMs > 0 {
		delta := timestampMs - s.previousMs
		s.Frames++
		s.totalDelta += delta
		s.MeanDeltaMs = s.totalDelta / float64(s.Frames)
		s.MaxDeltaMs = max(s.MaxDeltaMs, delta)
		if delta > slowFrameMs {
			s.SlowFrames++
			if cycles > s.gcAtFrameStart {
				s.SlowFramesWithGC++
			}
		}
		s.GCCycles += cycles - s.gcAtFrameStart
	}
	s.gcAtFrameStart = cycles
	s.MaxWorkMs = max(s.MaxWorkMs, workMs)
	s.previousMs = timestampMs
}

// gcCycles reads how many garbage collections have completed.
func gcCycles() uint64 {
	sample := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return sample[0].Value.Uint64()
}

// virtual adds virtual time run.
func (s *frameStats) virtual(ms int64) { s.VirtualMs += ms }

// parts records the time a frame spent playing and drawing.
func (s *frameStats) parts(playMs, drawMs float64) {
	s.MaxPlayMs = max(s.MaxPlayMs, playMs)
	s.MaxDrawMs = max(s.MaxDrawMs, drawMs)
}

// installDebugHook defines globalThis.playgroundDebug for tests:
// frames() returns the frame statistics as JSON, resetFrames() starts
// them again, and state() returns the state document as JSON.
func (a *App) installDebugHook() {
	hook := js.Global().Get("Object").New()
	hook.Set("frames", js.FuncOf(func(js.Value, []js.Value) any {
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 {
			a.frames.HeapMB = sample[0].Value.Uint64() >> 20
		}
		data, _ := json.Marshal(a.frames)
		return string(data)
	}))
	hook.Set("resetFrames", js.FuncOf(func(js.Value, []js.Value) any {
		a.frames = frameStats{}
		return nil
	}))
	hook.Set("state", js.FuncOf(func(js.Value, []js.Value) any {
		if a.model.Session() == nil {
			return "null"
		}
		data, _ := json.Marshal(struct {
			TimeMs    int64       `json:"time_ms"`
			TraceHash string      `json:"trace_hash"`
			State     *core.State `json:"state"`
		}{a.model.Cluster().Now(), a.model.Cluster().TraceHash(), a.model.Cluster().State()})
		return string(data)
	}))
	js.Global().Set("playgroundDebug", hook)
}
