package ui

import (
	"testing"

	"github.com/kafka-playground/playground/core"
	"github.com/kafka-playground/playground/core/sim"
)

func TestTimelineTagsStepsAndKeepsTheNewest(t *testing.T) {
	tl := NewTimeline()
	tl.Add(sim.TraceEvent{Seq: 1, Node: "broker-1", Kind: "registered", Text: "boot"})
	tl.Add(sim.TraceEvent{Seq: 2, Node: "scenario", Kind: "step", Text: "0 create_topic"})
	tl.Add(sim.TraceEvent{Seq: 3, Node: "broker-1", Kind: "isr", Text: "orders-0 [1 2] -> [1]"})
	if e, _ := tl.Find(1); e.Step != -1 {
		t.Errorf("an event before any step has step %d", e.Step)
	}
	if e, _ := tl.Find(3); e.Step != 0 {
		t.Errorf("an event after step 0 began has step %d", e.Step)
	}
	if got := tl.Recent(10, "ISR"); len(got) != 1 || got[0].Seq != 3 {
		t.Errorf("filter isr: %v", got)
	}
	for seq := uint64(4); seq < 4+2*TimelineCapacity; seq++ {
		tl.Add(sim.TraceEvent{Seq: seq, Node: "broker-2", Kind: "append", Text: "x"})
	}
	if tl.Len() != TimelineCapacity {
		t.Fatalf("kept %d events", tl.Len())
	}
	recent := tl.Recent(3, "")
	if recent[0].Seq != 3+2*TimelineCapacity || recent[2].Seq != 1+2*TimelineCapacity {
		t.Errorf("newest first: %d %d", recent[0].Seq, recent[2].Seq)
	}
	if _, found := tl.Find(3); found {
		t.Error("an event that fell off is still found")
	}
}

func TestChartKeepsSpacedSamplesAndTheirThroughput(t *testing.T) {
	c := NewChart()
	state := func(produced int64) *core.State {
		return &core.State{Topics: map[string]core.TopicState{
			"orders":             {Partitions: map[string]core.PartitionState{"0": {LogEndOffset: produced}}},
			"__consumer_offsets": {Partitions: map[string]core.PartitionState{"0": {LogEndOffset: 1_000_000}}},
		}}
	}
	for ms := int64(0); ms <= 1000; ms += 10 {
		c.Add(ms, state(ms*10))
	}
	samples := c.Samples()
	for i := 1; i+1 < len(samples); i++ {
		if samples[i].TimeMs-samples[i-1].TimeMs < chartMinGapMs {
			t.Fatalf("samples %d and %d are %d ms apart", i-1, i, samples[i].TimeMs-samples[i-1].TimeMs)
		}
	}
	if last := samples[len(samples)-1]; last.TimeMs != 1000 || last.Produced != 10_000 {
		t.Errorf("the last sample is %+v, not the present", last)
	}
	for _, rate := range c.Throughput() {
		if rate != 10_000 {
			t.Fatalf("throughput %d, want 10000 records/s: %v", rate, c.Throughput())
		}
	}
	for ms := int64(2000); ms < 2000+int64(ChartCapacity+50)*200; ms += 200 {
		c.Add(ms, state(0))
	}
	if len(c.Samples()) != ChartCapacity {
		t.Errorf("the chart keeps %d samples", len(c.Samples()))
	}
}

func TestClockTurnsWallTimeIntoWholeMilliseconds(t *testing.T) {
	c := NewClock()
	if c.Due(16.7) != 0 {
		t.Error("a paused clock runs")
	}
	c.Playing = true
	c.SetSpeed(0) // ×0.1
	total := int64(0)
	for i := 0; i < 100; i++ {
		total += c.Due(16)
	}
	if total != 160 {
		t.Errorf("100 frames of 16 ms at ×0.1 ran %d ms, want 160", total)
	}
	c.SetSpeed(len(Speeds) + 5)
	if c.Speed() != 100 {
		t.Errorf("the fastest speed is %v", c.Speed())
	}
	if got := c.Due(5000); got != maxFrameWallMs*100 {
		t.Errorf("a 5 s frame at ×100 ran %d ms; a frame counts at most %d ms of wall time", got, maxFrameWallMs)
	}
}
