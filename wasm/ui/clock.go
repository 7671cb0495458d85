package ui

import "fmt"

// Speeds are the play speeds a person can choose: virtual time per wall
// time.
var Speeds = []float64{0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100}

// defaultSpeedIndex is ×1.
const defaultSpeedIndex = 3

// maxFrameWallMs bounds the wall time one frame accounts for, so that a
// frame after a pause of the tab (hidden, debugger) does not jump ahead.
const maxFrameWallMs = 100

// Clock turns wall time into virtual time while playing. Wall time is only
// ever turned into the length of an advance step, which the session
// journals; replaying the journal never reads a clock.
type Clock struct {
	// Playing says whether time runs.
	Playing bool
	// SpeedIndex is an index into Speeds.
	SpeedIndex int
	// carry is the fraction of a virtual millisecond not yet advanced.
	carry float64
}

// NewClock returns a paused clock at ×1.
func NewClock() Clock { return Clock{SpeedIndex: defaultSpeedIndex} }

// Speed returns the current speed.
func (c *Clock) Speed() float64 { return Speeds[c.SpeedIndex] }

// SpeedLabel names a speed as the page shows it, such as "×0.1" or "×10".
func SpeedLabel(speed float64) string {
	return "×" + fmt.Sprint(speed)
}

// SetSpeed moves to the speed at index, kept within Speeds.
func (c *Clock) SetSpeed(index int) {
	c.SpeedIndex = min(max(index, 0), len(Speeds)-1)
}

// Due returns the whole virtual milliseconds to advance for a frame that
// took wallMs, keeping the fraction for the next frame.
func (c *Clock) Due(wallMs float64) int64 {
	if !c.Playing || wallMs <= 0 {
		return 0
	}
	virtual := min(wallMs, maxFrameWallMs)*c.Speed() + c.carry
	whole := int64(virtual)
	c.carry = virtual - float64(whole)
	return whole
}

// Pause stops time and forgets the fraction carried.
func (c *Clock) Pause() {
	c.Playing = false
	c.carry = 0
}
