//go:build js && wasm

package ui

import (
	"encoding/json"
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
	totalDelta  float64
	previousMs  float64
}

// record adds one frame.
func (s *frameStats) record(timestampMs, workMs float64, playing bool) {
	if !playing {
		s.previousMs = 0
		return
	}
	if s.previousMs > 0 {
		delta := timestampMs - s.previousMs
		s.Frames++
		s.totalDelta += delta
		s.MeanDeltaMs = s.totalDelta / float64(s.Frames)
		s.MaxDeltaMs = max(s.MaxDeltaMs, delta)
		if delta > slowFrameMs {
			s.SlowFrames++
		}
	}
	s.MaxWorkMs = max(s.MaxWorkMs, workMs)
	s.previousMs = timestampMs
}

// virtual adds virtual time run.
func (s *frameStats) virtual(ms int64) { s.VirtualMs += ms }

// installDebugHook defines globalThis.playgroundDebug for tests:
// frames() returns the frame statistics as JSON, resetFrames() starts
// them again, and state() returns the state document as JSON.
func (a *App) installDebugHook() {
	hook := js.Global().Get("Object").New()
	hook.Set("frames", js.FuncOf(func(js.Value, []js.Value) any {
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
