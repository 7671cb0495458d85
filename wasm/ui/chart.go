package ui

import (
	"strings"

	"github.com/kafka-playground/playground/core"
)

// ChartCapacity is how many samples the lag and throughput chart keeps.
const ChartCapacity = 240

// chartMinGapMs is the least virtual time between two kept samples.
const chartMinGapMs = 100

// Sample is one point of the chart: the records written so far (the sum
// of the log end offsets of the non-internal topics) and the summed lag
// of every consumer group, at a virtual time.
type Sample struct {
	TimeMs   int64
	Produced int64
	Lag      int64
}

// Chart holds the samples, oldest first.
type Chart struct {
	samples []Sample
}

// NewChart returns an empty chart.
func NewChart() *Chart { return &Chart{} }

// Samples returns the samples, oldest first.
func (c *Chart) Samples() []Sample { return c.samples }

// Add records a sample taken from a state document.
func (c *Chart) Add(timeMs int64, state *core.State) {
	s := Sample{TimeMs: timeMs, Produced: producedRecords(state), Lag: totalGroupLag(state)}
	n := len(c.samples)
	// The last sample is provisional while it is closer than the gap to
	// the one before it: it follows the present until the gap is reached.
	if n > 0 && (s.TimeMs == c.samples[n-1].TimeMs || n >= 2 && c.samples[n-1].TimeMs-c.samples[n-2].TimeMs < chartMinGapMs) {
		c.samples[n-1] = s
		return
	}
	if n == ChartCapacity {
		copy(c.samples, c.samples[1:])
		c.samples = c.samples[:n-1]
	}
	c.samples = append(c.samples, s)
}

// Throughput returns the records per virtual second between consecutive
// samples, one value per sample after the first.
func (c *Chart) Throughput() []int64 {
	out := make([]int64, 0, len(c.samples))
	for i := 1; i < len(c.samples); i++ {
		a, b := c.samples[i-1], c.samples[i]
		if b.TimeMs <= a.TimeMs {
			out = append(out, 0)
			continue
		}
		out = append(out, max(b.Produced-a.Produced, 0)*1000/(b.TimeMs-a.TimeMs))
	}
	return out
}

// producedRecords sums the log end offsets of the topics people made.
func producedRecords(state *core.State) int64 {
	var total int64
	for name, topic := range state.Topics {
		if isInternalTopic(name) {
			continue
		}
		for _, p := range topic.Partitions {
			total += max(p.LogEndOffset, 0)
		}
	}
	return total
}

// totalGroupLag sums the lag of every partition of every group.
func totalGroupLag(state *core.State) int64 {
	var total int64
	for _, value := range state.Groups {
		if g, ok := value.(core.GroupState); ok {
			for _, lag := range g.Lag {
				total += lag
			}
		}
	}
	return total
}

// isInternalTopic reports whether a topic is one Kafka keeps for itself.
func isInternalTopic(name string) bool { return strings.HasPrefix(name, "__") }
