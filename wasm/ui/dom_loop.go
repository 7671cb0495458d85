//go:build js && wasm

package ui

import (
	"errors"
	"strconv"
	"syscall/js"
	"time"

	"github.com/kafka-playground/playground/core/scenario"
)

// playBudgetMs is the wall time a frame may spend running the simulation;
// the rest of the frame is left for drawing. When the simulation cannot
// keep up with the chosen speed it runs slower, and the page says so.
const playBudgetMs = 40

// urlEveryMs is the least wall time between two writes of the address bar
// while time plays (browsers throttle history.replaceState).
const urlEveryMs = 2000

// performanceNow returns the page's monotonic wall clock in milliseconds;
// it paces frames and is never given to the simulation.
func performanceNow() float64 {
	return js.Global().Get("performance").Call("now").Float()
}

// requestFrame schedules one frame, unless one is pending.
func (a *App) requestFrame() {
	if a.frameRequested {
		return
	}
	a.frameRequested = true
	a.window.RequestAnimationFrame(func(timestamp time.Duration) {
		defer a.recoverPanic()
		a.frame(float64(timestamp) / float64(time.Millisecond))
	})
}

// frame is one animation frame: run the virtual time due, draw what
// changed, keep the address bar following, and ask for the next frame
// while playing.
func (a *App) frame(timestampMs float64) {
	a.frameRequested = false
	start := performanceNow()
	if a.clock.Playing && a.room == nil {
		wall := 0.0
		if a.lastFrameMs > 0 {
			wall = timestampMs - a.lastFrameMs
		}
		a.lastFrameMs = timestampMs
		a.play(wall, start)
	}
	played := performanceNow()
	// A frame that spent most of its time running the simulation leaves
	// the drawing to the next one, but never two in a row.
	busy := a.clock.Playing && played-start > playBudgetMs/2 && !a.drawSkipped
	a.drawSkipped = busy
	if !busy && a.model.Session() != nil && (a.model.Version() != a.drawnVersion || a.clock.Playing) {
		a.draw()
	}
	a.frames.parts(played-start, performanceNow()-played)
	a.followURL(start)
	if a.clock.Playing {
		a.requestFrame()
	}
	a.frames.record(timestampMs, performanceNow()-start, a.clock.Playing)
}

// play runs the virtual time due for a frame that took wallMs.
func (a *App) play(wallMs, start float64) {
	due := a.clock.Due(wallMs)
	if due <= 0 {
		return
	}
	ran, err := a.model.Play(due, func() bool { return performanceNow()-start < playBudgetMs })
	a.frames.virtual(ran)
	a.urlDirty = true
	if ran < due {
		a.setText("speed-note", "(running slower than "+SpeedLabel(a.clock.Speed())+": the simulation needs more time than a frame has)")
	} else {
		a.setText("speed-note", "")
	}
	if err != nil {
		a.pause()
		a.status("✕ " + err.Error())
	}
}

// togglePlay starts or pauses virtual time.
func (a *App) togglePlay() {
	if a.clock.Playing {
		a.pause()
		return
	}
	if err := a.model.Stopped(); err != nil {
		a.status("✕ " + stoppedError(err).Error())
		return
	}
	a.clock.Playing = true
	a.lastFrameMs = 0
	a.status("Playing at " + SpeedLabel(a.clock.Speed()) + ".")
	a.invalidate()
}

// pause stops virtual time and lets the address bar catch up.
func (a *App) pause() {
	a.clock.Pause()
	a.lastFrameMs = 0
	a.setText("speed-note", "")
	a.urlWrittenMs = 0
	a.invalidate()
}

// changeSpeed moves the speed by steps along Speeds.
func (a *App) changeSpeed(steps int) {
	a.clock.SetSpeed(a.clock.SpeedIndex + steps)
	if speed := a.element("speed"); speed != nil {
		speed.Underlying().Set("value", strconv.Itoa(a.clock.SpeedIndex))
	}
	a.status("Speed " + SpeedLabel(a.clock.Speed()) + ".")
	a.invalidate()
}

// timeAction runs an action that moves virtual time, pausing first.
func (a *App) timeAction(action func() error) {
	a.pause()
	if err := action(); err != nil {
		a.status("✕ " + err.Error())
		return
	}
	a.status("Now at " + seconds(a.model.Cluster().Now()) + ".")
	a.changed()
}

// jump advances virtual time by the seconds in the Jump field.
func (a *App) jump() {
	a.setFieldError("err-jump-seconds", "")
	input := a.element("jump-seconds")
	if input == nil {
		return
	}
	text := input.Underlying().Get("value").String()
	seconds, err := Values{"seconds": text}.number("seconds", 1, MaxJumpSeconds, true)
	if err != nil {
		var field *FieldError
		if errors.As(err, &field) {
			a.setFieldError("err-jump-seconds", field.Message)
		}
		return
	}
	a.timeAction(func() error { return a.model.Advance(seconds * 1000) })
}

// rewindAction runs a rewind or forward, pausing first.
func (a *App) rewindAction(action func() error) {
	a.pause()
	if err := action(); err != nil {
		a.status("✕ " + err.Error())
		return
	}
	steps := len(a.model.Session().Scenario().Steps)
	text := "Replayed " + strconv.Itoa(steps) + " step" + plural(steps) + ": now at " + seconds(a.model.Cluster().Now()) + "."
	if future := len(a.model.FutureSteps()); future > 0 {
		text += " " + strconv.Itoa(future) + " later step" + plural(future) + " set aside: Forward or Latest bring them back; a new action forgets them."
	}
	a.status(text)
	a.changed()
}

// startScenario replaces the session, paused, and draws it.
func (a *App) startScenario(s *scenario.Scenario) error {
	a.pause()
	if err := a.model.Start(s); err != nil {
		return err
	}
	a.views = map[string]string{}
	a.showBanner("")
	a.internalError = ""
	return nil
}
