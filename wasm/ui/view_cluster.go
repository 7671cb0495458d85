package ui

import (
	"slices"
	"strconv"
	"strings"
)

// Geometry of the cluster picture, in SVG user units.
const (
	nodeSpacing = 92
	rowHeight   = 86
	zonePadding = 14
	zoneGap     = 18
)

// RenderCluster draws the cluster: a summary in words, the picture of the
// network (one box per side of a partition, a shape per node whose outline
// and label say its state), and the brokers and quorum as tables whose
// buttons stop, kill and start them.
func RenderCluster(f *Frame, highlight string) string {
	var p page
	renderClusterSummary(&p, f)
	renderNetworkSummary(&p, f)
	renderFlightSummary(&p, f)
	renderPicture(&p, f, highlight)
	renderBrokerTable(&p, f)
	renderQuorumTable(&p, f)
	return p.String()
}

// renderClusterSummary says which quorum runs and who leads it.
func renderClusterSummary(p *page, f *Frame) {
	c := f.State.Controller
	p.Raw(`<p class="summary" data-controller="`, itoa(int64(c.Active)), `">`)
	p.Text(strconv.Itoa(len(f.State.Brokers)) + " brokers · ")
	if c.ZooKeeper != nil {
		p.Text("ZooKeeper mode: ensemble leader ")
		p.Text(orNone(c.ZooKeeper.Leader, "zookeeper-", "none (no quorum)"))
		p.Text(" · " + strconv.Itoa(c.ZooKeeper.Sessions) + " sessions · controller broker ")
		p.Text(orNone(c.Active, "broker-", "none"))
		p.Text(" (epoch " + strconv.Itoa(int(c.Epoch)) + ") · zxid " + itoa(c.MetadataOffset))
	} else {
		p.Text("KRaft mode: active controller ")
		p.Text(orNone(c.Active, "controller-", "none (election)"))
		p.Text(" · epoch " + strconv.Itoa(int(c.Epoch)) + " · metadata offset " + itoa(c.MetadataOffset))
		p.Text(" · " + strconv.Itoa(len(c.AliveVoters)) + " of " + strconv.Itoa(len(c.Voters)) + " controllers up")
	}
	p.Raw(`</p>`)
}

// orNone names a node, or says there is none.
func orNone(id int32, prefix, none string) string {
	if id < 0 {
		return none
	}
	return prefix + strconv.Itoa(int(id))
}

// renderNetworkSummary lists the sides of a partition and the slow nodes.
func renderNetworkSummary(p *page, f *Frame) {
	groups := f.State.Network.Partitions
	p.Raw(`<p class="network" data-partitioned="`, strconv.FormatBool(len(groups) > 0), `">`)
	if len(groups) == 0 {
		p.Text("Network: whole, every node reaches every other.")
	} else {
		parts := make([]string, len(groups))
		for i, g := range groups {
			parts[i] = sideName(i) + ": " + strings.Join(g, " ")
		}
		p.Raw(`<strong>Network split</strong> `)
		p.Text("— " + strings.Join(parts, " | ") + ". Nodes on different sides cannot reach each other; unlisted nodes reach everyone.")
	}
	var slow []string
	for _, n := range f.Nodes {
		if n.DelayMs > 0 {
			slow = append(slow, n.Name+" +"+itoa(n.DelayMs)+" ms")
		}
	}
	if len(slow) > 0 {
		p.Raw(` <span class="slow-list">`)
		p.Text("Slow: " + strings.Join(slow, ", ") + ".")
		p.Raw(`</span>`)
	}
	p.Raw(`</p>`)
}

// sideName names side i of a partition: A, B, C…
func sideName(i int) string {
	if i < 26 {
		return "side " + string(rune('A'+i))
	}
	return "side " + strconv.Itoa(i+1)
}

// zone is one box of the picture: the nodes of one side of a partition.
type zone struct {
	label string
	rows  [][]NodeView
	width int
}

// zones groups the nodes by side, each side in rows: quorum, brokers,
// clients.
func zones(nodes []NodeView) []zone {
	sides := map[int]bool{}
	for _, n := range nodes {
		sides[n.Side] = true
	}
	order := []int{}
	for side := 0; side < len(nodes); side++ {
		if sides[side] {
			order = append(order, side)
		}
	}
	if sides[-1] {
		order = append(order, -1)
	}
	var out []zone
	for _, side := range order {
		z := zone{label: "network"}
		if len(order) > 1 || side >= 0 {
			z.label = sideName(side)
			if side < 0 {
				z.label = "reaches every side"
			}
		}
		for _, kinds := range [][]string{{"controller", "zookeeper"}, {"broker"}, {"producer", "consumer"}, {"gateway"}} {
			var row []NodeView
			for _, n := range nodes {
				if n.Side == side && slices.Contains(kinds, n.Kind) {
					row = append(row, n)
				}
			}
			if len(row) > 0 {
				z.rows = append(z.rows, row)
			}
		}
		widest := 1
		for _, row := range z.rows {
			widest = max(widest, len(row))
		}
		z.width = widest*nodeSpacing + 2*zonePadding
		out = append(out, z)
	}
	return out
}

// renderPicture draws the network as SVG.
func renderPicture(p *page, f *Frame, highlight string) {
	zs := zones(f.Nodes)
	width, height := 0, 0
	for i, z := range zs {
		if i > 0 {
			width += zoneGap
		}
		width += z.width
		height = max(height, len(z.rows)*rowHeight+2*zonePadding+16)
	}
	p.Raw(`<svg class="picture" role="img" viewBox="0 0 `, strconv.Itoa(max(width, 1)), " ", strconv.Itoa(max(height, 1)),
		`" aria-label="Picture of the cluster; the tables below give the same facts in words">`)
	x := 0
	at := map[string]point{}
	for i, z := range zs {
		if i > 0 {
			p.Raw(`<line class="cut" x1="`, strconv.Itoa(x+zoneGap/2), `" y1="4" x2="`, strconv.Itoa(x+zoneGap/2), `" y2="`, strconv.Itoa(height-4), `"/>`)
			x += zoneGap
		}
		renderZone(p, z, x, height, highlight, at)
		x += z.width
	}
	if f.Still {
		renderLinks(p, f, at, height)
	} else {
		renderFlights(p, f, at, height)
	}
	p.Raw(`</svg>`)
}

// point is where a node sits in the picture.
type point struct{ x, y int }

// renderZone draws one side of the network and its nodes, noting where
// each node sits in at.
func renderZone(p *page, z zone, x, height int, highlight string, at map[string]point) {
	p.Raw(`<rect class="zone" x="`, strconv.Itoa(x+1), `" y="1" width="`, strconv.Itoa(z.width-2), `" height="`, strconv.Itoa(height-2), `" rx="10"/>`)
	p.Raw(`<text class="zone-label" x="`, strconv.Itoa(x+zonePadding), `" y="16">`)
	p.Text(z.label)
	p.Raw(`</text>`)
	for r, row := range z.rows {
		offset := (z.width - 2*zonePadding - len(row)*nodeSpacing) / 2
		for i, n := range row {
			cx := x + zonePadding + offset + i*nodeSpacing + nodeSpacing/2
			cy := 24 + zonePadding + r*rowHeight + 24
			at[n.Name] = point{cx, cy}
			renderNode(p, n, cx, cy, n.Name == highlight)
		}
	}
}

// renderNode draws one node: its shape by kind, its outline by state, and
// its name, state and delay in words beneath.
func renderNode(p *page, n NodeView, cx, cy int, highlighted bool) {
	classes := []string{"node", n.Kind, upStatus(n.Up, "up", "down"), strings.ReplaceAll(n.Status, " ", "-")}
	if n.Active {
		classes = append(classes, "active")
	}
	if n.DelayMs > 0 {
		classes = append(classes, "slow")
	}
	if highlighted {
		classes = append(classes, "highlight")
	}
	if n.Busy {
		classes = append(classes, "busy")
	}
	name := n.Name
	if n.Label != "" {
		name = n.Label
	}
	p.Raw(`<g class="`, esc(strings.Join(classes, " ")), `" data-node="`, esc(n.Name), `" data-label="`, esc(n.Label), `">`)
	p.Raw(`<title>`)
	p.Text(name + ": " + n.Status)
	p.Raw(`</title>`)
	x, y := strconv.Itoa(cx), strconv.Itoa(cy)
	switch n.Kind {
	case "broker":
		p.Raw(`<circle class="shape" cx="`, x, `" cy="`, y, `" r="20"/>`)
	case "controller", "zookeeper":
		p.Raw(`<polygon class="shape" points="`, strconv.Itoa(cx), ",", strconv.Itoa(cy-22), " ", strconv.Itoa(cx+22), ",", y, " ",
			x, ",", strconv.Itoa(cy+22), " ", strconv.Itoa(cx-22), ",", y, `"/>`)
	default:
		p.Raw(`<rect class="shape" x="`, strconv.Itoa(cx-20), `" y="`, strconv.Itoa(cy-13), `" width="40" height="26" rx="6"/>`)
	}
	if !n.Up {
		p.Raw(`<path class="cross" d="M`, strconv.Itoa(cx-11), " ", strconv.Itoa(cy-11), "L", strconv.Itoa(cx+11), " ", strconv.Itoa(cy+11),
			"M", strconv.Itoa(cx+11), " ", strconv.Itoa(cy-11), "L", strconv.Itoa(cx-11), " ", strconv.Itoa(cy+11), `"/>`)
	}
	if n.Active {
		p.Raw(`<text class="badge" x="`, strconv.Itoa(cx+17), `" y="`, strconv.Itoa(cy-15), `">★</text>`)
	}
	p.Raw(`<text class="glyph" x="`, x, `" y="`, strconv.Itoa(cy+4), `">`)
	p.Text(glyph(n))
	p.Raw(`</text><text class="name" x="`, x, `" y="`, strconv.Itoa(cy+36), `">`)
	if n.Caption != "" {
		p.Text(clip(n.Caption, 12))
	} else {
		p.Text(shorten(name, 12))
	}
	p.Raw(`</text><text class="status" x="`, x, `" y="`, strconv.Itoa(cy+49), `">`)
	status := n.Status
	if n.DelayMs > 0 {
		status += " · +" + itoa(n.DelayMs) + "ms"
	}
	p.Text(status)
	p.Raw(`</text>`)
	if n.Detail != "" {
		p.Raw(`<text class="status" x="`, x, `" y="`, strconv.Itoa(cy+61), `">`)
		p.Text(n.Detail)
		p.Raw(`</text>`)
	}
	p.Raw(`</g>`)
}

// clip cuts text to limit characters with an ellipsis, for a caption
// whose whole text is in the node's title.
func clip(text string, limit int) string {
	runes := []rune(text)
	if len(runes) <= limit {
		return text
	}
	return string(runes[:limit-1]) + "…"
}

// glyph is the short label inside a node's shape: B1, C2, Z3, or the
// start of a client id.
func glyph(n NodeView) string {
	_, number, found := strings.Cut(n.Name, "-")
	switch {
	case n.Kind == "broker" && found:
		return "B" + number
	case n.Kind == "controller" && found:
		return "C" + number
	case n.Kind == "zookeeper" && found:
		return "Z" + number
	case n.Kind == "gateway":
		return "K" + number // a real Kafka client
	}
	return string([]rune(n.Name)[:min(4, len([]rune(n.Name)))])
}

// renderBrokerTable lists the brokers with their numbers and buttons.
func renderBrokerTable(p *page, f *Frame) {
	p.Raw(`<div class="scroll"><table class="brokers"><caption>Brokers</caption><thead><tr><th scope="col">Broker</th><th scope="col">State</th>`,
		`<th scope="col">Leads</th><th scope="col">Delay</th><th scope="col">Actions</th></tr></thead><tbody>`)
	for _, key := range numericKeys(f.State.Brokers) {
		b := f.State.Brokers[key]
		n := nodeNamed(f.Nodes, "broker-"+key)
		p.Raw(`<tr data-broker="`, esc(key), `" data-alive="`, strconv.FormatBool(b.Alive), `" data-state="`, esc(n.Status), `">`)
		p.Raw(`<th scope="row">broker-`, esc(key))
		if n.Active {
			p.Raw(` <span class="tag">controller</span>`)
		}
		p.Raw(`</th><td>`, statusMark(n.Up), ` `)
		p.Text(n.Status)
		p.Raw(`</td><td>`, strconv.Itoa(b.Leaders), `</td><td>`)
		p.Text(delayText(b.DelayMs))
		p.Raw(`</td><td class="actions">`)
		brokerButton(p, key, "stop_broker", "Stop", "Controlled shutdown of broker-"+key, !b.Alive)
		brokerButton(p, key, "kill_broker", "Kill", "Crash broker-"+key, !b.Alive)
		brokerButton(p, key, "start_broker", "Start", "Start broker-"+key, b.Alive)
		p.Raw(`</td></tr>`)
	}
	p.Raw(`</tbody></table></div>`)
}

// statusMark is a shape that says up or down without colour.
func statusMark(up bool) string {
	if up {
		return `<span class="mark up" aria-hidden="true">●</span>`
	}
	return `<span class="mark down" aria-hidden="true">✕</span>`
}

// delayText describes a node's added latency.
func delayText(ms int64) string {
	if ms <= 0 {
		return "—"
	}
	return "+" + itoa(ms) + " ms"
}

// brokerButton writes a button that applies an op to a broker.
func brokerButton(p *page, broker, op, label, title string, disabled bool) {
	p.Raw(`<button type="button" data-action="step" data-op="`, op, `" data-broker="`, esc(broker), `" data-key="`, op, "-", esc(broker), `"`)
	p.Attr("title", title)
	if disabled {
		p.Raw(` disabled`)
	}
	p.Raw(`>`, label, `</button>`)
}

// nodeNamed finds a node by name.
func nodeNamed(nodes []NodeView, name string) NodeView {
	for _, n := range nodes {
		if n.Name == name {
			return n
		}
	}
	return NodeView{Name: name, Side: -1}
}

// renderQuorumTable lists the KRaft controllers or ZooKeeper servers.
func renderQuorumTable(p *page, f *Frame) {
	caption := "KRaft controller quorum"
	if f.State.Controller.ZooKeeper != nil {
		caption = "ZooKeeper ensemble"
	}
	p.Raw(`<div class="scroll"><table class="quorum"><caption>`, caption, `</caption><thead><tr><th scope="col">Node</th><th scope="col">State</th>`,
		`<th scope="col">Role</th><th scope="col">Delay</th><th scope="col">Actions</th></tr></thead><tbody>`)
	for _, n := range f.Nodes {
		if n.Kind != "controller" && n.Kind != "zookeeper" {
			continue
		}
		p.Raw(`<tr data-node="`, esc(n.Name), `"><th scope="row">`)
		p.Text(n.Name)
		p.Raw(`</th><td>`, statusMark(n.Up), ` `)
		p.Text(n.Status)
		p.Raw(`</td><td>`)
		p.Text(quorumRole(n))
		p.Raw(`</td><td>`)
		p.Text(delayText(n.DelayMs))
		p.Raw(`</td><td class="actions">`)
		nodeButton(p, n.Name, "kill_node", "Kill", !n.Up)
		nodeButton(p, n.Name, "start_node", "Start", n.Up)
		p.Raw(`</td></tr>`)
	}
	p.Raw(`</tbody></table></div>`)
}

// quorumRole names a quorum member's role.
func quorumRole(n NodeView) string {
	switch {
	case n.Kind == "zookeeper" && n.Active:
		return "leader"
	case n.Kind == "zookeeper":
		return "follower"
	case n.Active:
		return "active controller"
	}
	return "voter"
}

// nodeButton writes a button that applies an op to a named node.
func nodeButton(p *page, node, op, label string, disabled bool) {
	p.Raw(`<button type="button" data-action="step" data-op="`, op, `" data-node="`, esc(node), `" data-key="`, op, "-", esc(node), `"`)
	p.Attr("title", label+" "+node)
	if disabled {
		p.Raw(` disabled`)
	}
	p.Raw(`>`, label, `</button>`)
}
