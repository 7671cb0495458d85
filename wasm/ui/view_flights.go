package ui

import (
	"math"
	"strconv"
	"strings"
)

// renderFlightSummary says in words how many messages are on the network
// and how many of them the picture leaves out.
func renderFlightSummary(p *page, f *Frame) {
	p.Raw(`<p class="in-flight" data-in-flight="`, strconv.Itoa(f.FlightsTotal), `" data-drawn="`, strconv.Itoa(len(f.Flights)), `">`)
	switch f.FlightsTotal {
	case 0:
		p.Text("No message on the network.")
	case 1:
		p.Text("1 message on the network")
	default:
		p.Text(thousands(int64(f.FlightsTotal)) + " messages on the network")
	}
	if f.FlightsTotal > 0 {
		if f.Still {
			p.Text(", counted on each link")
		} else {
			p.Text(", each a dot moving from sender to receiver")
		}
		if more := f.FlightsTotal - len(f.Flights); more > 0 {
			p.Text(" (the " + strconv.Itoa(len(f.Flights)) + " due first are drawn, +" + thousands(int64(more)) + " more)")
		}
		p.Text(".")
	}
	p.Raw(`</p>`)
}

// flightFraction is how far along its link a message is at nowMs, from 0
// (just sent) to 1 (arriving).
func flightFraction(fl FlightView, nowMs int64) float64 {
	if fl.ArriveMs <= fl.SentMs {
		return 1
	}
	return min(max(float64(nowMs-fl.SentMs)/float64(fl.ArriveMs-fl.SentMs), 0), 1)
}

// offsetOf moves a point on the link from a to b a few units to its right,
// so that the two directions of a link run side by side.
func offsetOf(a, b point, x, y float64) (float64, float64) {
	dx, dy := float64(b.x-a.x), float64(b.y-a.y)
	length := dx*dx + dy*dy
	if length == 0 {
		return x, y
	}
	const side = 5
	scale := side / math.Sqrt(length)
	return x - dy*scale, y + dx*scale
}

// coord formats a picture coordinate to a tenth of a unit.
func coord(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// flightTitle describes one message in words.
func flightTitle(fl FlightView) string {
	return fl.Kind + ": " + fl.From + " → " + fl.To + ", sent at " + seconds(fl.SentMs) + ", due at " + seconds(fl.ArriveMs)
}

// renderFlights draws each message in flight as a dot on the way from its
// sender to its receiver, as far along as virtual time has carried it.
// Messages to or from nodes the picture does not show are left out.
func renderFlights(p *page, f *Frame, at map[string]point, height int) {
	drawn := 0
	p.Raw(`<g class="flights" aria-hidden="true">`)
	for _, fl := range f.Flights {
		from, okFrom := at[fl.From]
		to, okTo := at[fl.To]
		if !okFrom || !okTo {
			continue
		}
		drawn++
		t := flightFraction(fl, f.NowMs)
		x, y := offsetOf(from, to, float64(from.x)+t*float64(to.x-from.x), float64(from.y)+t*float64(to.y-from.y))
		p.Raw(`<circle class="flight `, kindClass(fl.Kind), `" cx="`, coord(x), `" cy="`, coord(y), `" r="4" data-kind="`, esc(fl.Kind), `"><title>`)
		p.Text(flightTitle(fl))
		p.Raw(`</title></circle>`)
	}
	p.Raw(`</g>`)
	renderMore(p, f.FlightsTotal-drawn, height)
}

// wire is the messages in flight from one node to another.
type wire struct {
	from, to string
	count    int
	kinds    []string
	counts   []int
}

// renderLinks draws, without motion, one arrow per link that carries
// messages and how many it carries, the kinds in its title.
func renderLinks(p *page, f *Frame, at map[string]point, height int) {
	var links []wire
	index := map[string]int{}
	drawn := 0
	for _, fl := range f.Flights {
		if _, ok := at[fl.From]; !ok {
			continue
		}
		if _, ok := at[fl.To]; !ok {
			continue
		}
		drawn++
		key := fl.From + "\x00" + fl.To
		i, found := index[key]
		if !found {
			i = len(links)
			index[key] = i
			links = append(links, wire{from: fl.From, to: fl.To})
		}
		l := &links[i]
		l.count++
		k := 0
		for k < len(l.kinds) && l.kinds[k] != fl.Kind {
			k++
		}
		if k == len(l.kinds) {
			l.kinds = append(l.kinds, fl.Kind)
			l.counts = append(l.counts, 0)
		}
		l.counts[k]++
	}
	p.Raw(`<defs><marker id="flight-arrow" viewBox="0 0 6 6" refX="5" refY="3" markerWidth="6" markerHeight="6" orient="auto">`,
		`<path d="M0,0 L6,3 L0,6 z"/></marker></defs><g class="links">`)
	for _, l := range links {
		a, b := at[l.from], at[l.to]
		x1, y1 := along(a, b, nodeClearance)
		x1, y1 = offsetOf(a, b, x1, y1)
		x2, y2 := along(b, a, nodeClearance)
		x2, y2 = offsetOf(a, b, x2, y2)
		mx, my := offsetOf(a, b, (x1+x2)/2, (y1+y2)/2)
		parts := make([]string, len(l.kinds))
		for i, kind := range l.kinds {
			parts[i] = strconv.Itoa(l.counts[i]) + " " + kind
		}
		p.Raw(`<g class="link" data-from="`, esc(l.from), `" data-to="`, esc(l.to), `" data-count="`, strconv.Itoa(l.count), `"><title>`)
		p.Text(l.from + " → " + l.to + ": " + strings.Join(parts, ", "))
		p.Raw(`</title><line x1="`, coord(x1), `" y1="`, coord(y1), `" x2="`, coord(x2), `" y2="`, coord(y2), `" marker-end="url(#flight-arrow)"/>`)
		p.Raw(`<text x="`, coord(mx), `" y="`, coord(my), `">`, strconv.Itoa(l.count), `</text></g>`)
	}
	p.Raw(`</g>`)
	renderMore(p, f.FlightsTotal-drawn, height)
}

// nodeClearance is how far from a node's centre a link's line stops, so
// that its arrow shows outside the node's shape.
const nodeClearance = 26

// along returns the point d units from a towards b (a itself when they
// are closer than twice d).
func along(a, b point, d float64) (float64, float64) {
	dx, dy := float64(b.x-a.x), float64(b.y-a.y)
	length := math.Sqrt(dx*dx + dy*dy)
	if length < 2*d {
		return float64(a.x), float64(a.y)
	}
	return float64(a.x) + dx*d/length, float64(a.y) + dy*d/length
}

// renderMore says how many messages in flight the picture leaves out.
func renderMore(p *page, more, height int) {
	if more <= 0 {
		return
	}
	p.Raw(`<text class="flights-more" x="6" y="`, strconv.Itoa(height-6), `">+`, thousands(int64(more)), ` more</text>`)
}

// kindClass turns a message kind into a class name: the requests, the
// responses and the rest are coloured apart.
func kindClass(kind string) string {
	switch {
	case strings.HasSuffix(kind, "Request"):
		return "request"
	case strings.HasSuffix(kind, "Response"):
		return "response"
	}
	return "other"
}
