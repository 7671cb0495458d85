package ui

import (
	"strconv"
	"strings"
)

// Geometry of a chart, in SVG user units.
const (
	chartWidth  = 600
	chartHeight = 110
	chartLeft   = 56
	chartTop    = 8
	chartBottom = 22
)

// RenderChart draws throughput (records written per virtual second) and
// the summed lag of the consumer groups over virtual time, each as its
// own small chart with its scale, and the latest values in words.
func RenderChart(c *Chart) string {
	var p page
	samples := c.Samples()
	if len(samples) < 2 {
		p.Raw(`<p class="empty">The chart fills in as virtual time runs: press Play.</p>`)
		return p.String()
	}
	throughput := c.Throughput()
	times := make([]int64, len(throughput))
	lag := make([]int64, len(throughput))
	for i := range throughput {
		times[i] = samples[i+1].TimeMs
		lag[i] = samples[i+1].Lag
	}
	last := len(throughput) - 1
	p.Raw(`<p class="summary" data-throughput="`, itoa(throughput[last]), `" data-lag="`, itoa(lag[last]), `">`)
	p.Text("Now: " + thousands(throughput[last]) + " records/s written, total group lag " + thousands(lag[last]) +
		" · from " + seconds(times[0]) + " to " + seconds(times[last]))
	p.Raw(`</p>`)
	renderSeries(&p, "Records written per virtual second", "throughput", times, throughput)
	renderSeries(&p, "Total consumer group lag (records)", "lag", times, lag)
	return p.String()
}

// renderSeries draws one series as a polyline with its axis labels.
func renderSeries(p *page, title, class string, times, values []int64) {
	top := int64(1)
	for _, v := range values {
		top = max(top, v)
	}
	first, last := times[0], times[len(times)-1]
	span := max(last-first, 1)
	plotWidth := int64(chartWidth - chartLeft - 8)
	plotHeight := int64(chartHeight - chartTop - chartBottom)
	var points strings.Builder
	for i, v := range values {
		x := int64(chartLeft) + (times[i]-first)*plotWidth/span
		y := int64(chartTop) + plotHeight - v*plotHeight/top
		if i > 0 {
			points.WriteByte(' ')
		}
		points.WriteString(itoa(x) + "," + itoa(y))
	}
	bottom := strconv.Itoa(chartTop + int(plotHeight))
	p.Raw(`<figure class="chart `, class, `"><figcaption>`)
	p.Text(title)
	p.Raw(`</figcaption><svg viewBox="0 0 `, strconv.Itoa(chartWidth), " ", strconv.Itoa(chartHeight), `" role="img"`)
	p.Attr("aria-label", title+": latest "+itoa(values[len(values)-1])+", highest "+itoa(top))
	p.Raw(`><line class="axis" x1="`, strconv.Itoa(chartLeft), `" y1="`, strconv.Itoa(chartTop), `" x2="`, strconv.Itoa(chartLeft), `" y2="`, bottom, `"/>`)
	p.Raw(`<line class="axis" x1="`, strconv.Itoa(chartLeft), `" y1="`, bottom, `" x2="`, strconv.Itoa(chartWidth-8), `" y2="`, bottom, `"/>`)
	p.Raw(`<text class="tick" x="`, strconv.Itoa(chartLeft-4), `" y="`, strconv.Itoa(chartTop+8), `" text-anchor="end">`, esc(thousands(top)), `</text>`)
	p.Raw(`<text class="tick" x="`, strconv.Itoa(chartLeft-4), `" y="`, bottom, `" text-anchor="end">0</text>`)
	p.Raw(`<text class="tick" x="`, strconv.Itoa(chartLeft), `" y="`, strconv.Itoa(chartHeight-6), `">`, esc(seconds(first)), `</text>`)
	p.Raw(`<text class="tick" x="`, strconv.Itoa(chartWidth-8), `" y="`, strconv.Itoa(chartHeight-6), `" text-anchor="end">`, esc(seconds(last)), `</text>`)
	p.Raw(`<polyline class="series" points="`, points.String(), `"/></svg></figure>`)
}
