package ui

import (
	"strconv"
	"strings"

	"github.com/kafka-playground/playground/core"
)

// RenderProducers lists the producers: their config, identity, counters of
// sends and acknowledgements, what waits in the accumulator and on the
// wire, and the errors by name.
func RenderProducers(f *Frame, stream *Stream) string {
	var p page
	ids := sortedKeys(f.State.Producers)
	if len(ids) == 0 {
		p.Raw(`<p class="empty">No producers yet. Add one under Actions → Producer.</p>`)
		return p.String()
	}
	p.Raw(`<div class="scroll"><table class="producers"><caption>Producers</caption><thead><tr><th scope="col">Producer</th><th scope="col">Config</th>`,
		`<th scope="col">Id · epoch</th><th scope="col">Sent</th><th scope="col">Acked</th><th scope="col">Failed</th><th scope="col">Retries</th>`,
		`<th scope="col">Requests</th><th scope="col">Buffered</th><th scope="col">In flight</th><th scope="col">Errors</th></tr></thead><tbody>`)
	for _, id := range ids {
		s, _ := f.State.Producers[id].(core.ProducerState)
		p.Raw(`<tr data-producer="`, esc(id), `" data-acked="`, itoa(s.Acked), `" data-failed="`, itoa(s.Failed), `"><th scope="row">`)
		p.Text(id)
		p.Raw(` `, statusMark(s.Alive))
		if !s.Alive {
			p.Raw(` <span class="tag">closed or crashed</span>`)
		}
		if stream != nil && stream.Step.Producer == id {
			p.Raw(` <span class="tag">`)
			p.Text("streaming " + thousands(int64(stream.Rate)) + "/s to " + stream.Step.Topic)
			p.Raw(`</span>`)
		}
		p.Raw(`</th><td class="config">`)
		p.Text(producerConfig(s, clientConfig(f.Scenario.Steps, id)))
		p.Raw(`</td><td>`)
		p.Text(producerIdentity(s))
		p.Raw(`</td>`)
		for _, n := range []int64{s.Sent, s.Acked, s.Failed, s.Retries, s.Requests, int64(s.Buffered), int64(s.InFlight)} {
			p.Raw(`<td class="number">`, esc(thousands(n)), `</td>`)
		}
		p.Raw(`<td>`)
		p.Text(countsText(s.Errors))
		p.Raw(`</td></tr>`)
	}
	p.Raw(`</tbody></table></div>`)
	return p.String()
}

// producerConfig describes a producer's main settings.
func producerConfig(s core.ProducerState, given string) string {
	text := "acks=" + s.Acks + ", idempotent=" + strconv.FormatBool(s.Idempotent)
	if s.TransactionState != "" {
		text += ", transaction " + s.TransactionState
	}
	if given != "" {
		text += " (given: " + given + ")"
	}
	return text
}

// producerIdentity is the producer id and epoch, or a dash.
func producerIdentity(s core.ProducerState) string {
	if s.ProducerID < 0 {
		return "—"
	}
	return itoa(s.ProducerID) + " · " + strconv.Itoa(int(s.Epoch))
}

// countsText lists counts by name: "NOT_ENOUGH_REPLICAS 2, …".
func countsText(counts map[string]int64) string {
	var parts []string
	for _, k := range sortedKeys(counts) {
		parts = append(parts, k+" "+thousands(counts[k]))
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, ", ")
}

// RenderConsumers lists the consumers and the consumer groups: state,
// generation, leader, assignment per member, and per partition the
// committed offset, the consumer's position and the lag.
func RenderConsumers(f *Frame) string {
	var p page
	ids := sortedKeys(f.State.Consumers)
	if len(ids) == 0 && len(f.State.Groups) == 0 {
		p.Raw(`<p class="empty">No consumers yet. Add one under Actions → Consumer.</p>`)
		return p.String()
	}
	if len(ids) > 0 {
		renderConsumerTable(&p, f, ids)
	}
	for _, name := range sortedKeys(f.State.Groups) {
		g, _ := f.State.Groups[name].(core.GroupState)
		renderGroup(&p, f, name, g)
	}
	return p.String()
}

// renderConsumerTable writes one row per consumer.
func renderConsumerTable(p *page, f *Frame, ids []string) {
	p.Raw(`<div class="scroll"><table class="consumers"><caption>Consumers</caption><thead><tr><th scope="col">Consumer</th><th scope="col">Group · generation</th>`,
		`<th scope="col">Assignment: position (lag)</th><th scope="col">Consumed</th><th scope="col">Config</th></tr></thead><tbody>`)
	for _, id := range ids {
		s, _ := f.State.Consumers[id].(core.ConsumerState)
		lag := consumerLag(f.State, s)
		p.Raw(`<tr data-consumer="`, esc(id), `" data-lag="`, itoa(lag), `" data-assigned="`, strconv.Itoa(len(s.Assignment)), `"><th scope="row">`)
		p.Text(id)
		p.Raw(` `, statusMark(s.Alive))
		if !s.Alive {
			p.Raw(` <span class="tag">closed or crashed</span>`)
		}
		p.Raw(`</th><td>`)
		if s.Group != "" {
			p.Text(s.Group + " · " + strconv.Itoa(int(s.Generation)))
		} else {
			p.Text("no group")
		}
		p.Raw(`</td><td>`)
		p.Text(positionsText(f.State, s))
		p.Raw(`</td><td class="number">`, esc(thousands(s.Consumed)), `</td><td class="config">`)
		p.Text(clientConfig(f.Scenario.Steps, id))
		p.Raw(`</td></tr>`)
	}
	p.Raw(`</tbody></table></div>`)
}

// positionsText lists a consumer's partitions with position and lag.
func positionsText(st *core.State, s core.ConsumerState) string {
	if len(s.Assignment) == 0 {
		return "nothing assigned"
	}
	parts := make([]string, len(s.Assignment))
	for i, tp := range s.Assignment {
		position, found := s.Positions[tp]
		if !found {
			parts[i] = tp + ": no position yet"
			continue
		}
		parts[i] = tp + ": " + itoa(position) + " (lag " + itoa(partitionLag(st, tp, position)) + ")"
	}
	return strings.Join(parts, ", ")
}

// consumerLag sums the lag of a consumer's positions.
func consumerLag(st *core.State, s core.ConsumerState) int64 {
	var total int64
	for _, tp := range s.Assignment {
		if position, found := s.Positions[tp]; found {
			total += partitionLag(st, tp, position)
		}
	}
	return total
}

// partitionLag is the high watermark of "topic-N" minus an offset.
func partitionLag(st *core.State, tp string, offset int64) int64 {
	cut := strings.LastIndexByte(tp, '-')
	if cut < 0 {
		return 0
	}
	part, found := st.Topics[tp[:cut]].Partitions[tp[cut+1:]]
	if !found {
		return 0
	}
	return max(part.HighWatermark-offset, 0)
}

// renderGroup writes one consumer group.
func renderGroup(p *page, f *Frame, name string, g core.GroupState) {
	var total int64
	for _, lag := range g.Lag {
		total += lag
	}
	p.Raw(`<article class="group" data-group="`, esc(name), `" data-state="`, esc(g.State), `" data-total-lag="`, itoa(total), `" data-committed-partitions="`, strconv.Itoa(len(g.Offsets)), `"><h3>Group `)
	p.Text(name)
	p.Raw(`</h3><p class="facts">`)
	p.Text(g.State + " · generation " + strconv.Itoa(int(g.Generation)) + " · protocol " + orDash(g.Protocol) + " · leader " + orDash(g.Leader) +
		" · coordinator broker-" + strconv.Itoa(int(g.Coordinator)) + " · total lag " + thousands(total))
	if g.Processed > 0 || g.Duplicates > 0 || g.Lost > 0 {
		p.Text(" · processed " + thousands(g.Processed) + ", duplicates " + thousands(g.Duplicates) + ", lost " + thousands(g.Lost))
	}
	p.Raw(`</p>`)
	renderGroupPartitions(p, f, name, g)
	p.Raw(`</article>`)
}

// renderGroupPartitions writes a row per partition the group has an
// offset for or a member owns.
func renderGroupPartitions(p *page, f *Frame, name string, g core.GroupState) {
	owner := map[string]string{}
	for _, member := range sortedKeys(g.Members) {
		for _, tp := range g.Members[member].Assignment {
			owner[tp] = member
		}
	}
	partitions := map[string]bool{}
	for tp := range g.Offsets {
		partitions[tp] = true
	}
	for tp := range owner {
		partitions[tp] = true
	}
	p.Raw(`<div class="scroll"><table class="group-partitions"><thead><tr><th scope="col">Partition</th><th scope="col">Member</th>`,
		`<th scope="col">Committed</th><th scope="col">Position</th><th scope="col">High watermark</th><th scope="col">Lag</th></tr></thead><tbody>`)
	for _, tp := range sortedKeys(partitions) {
		committed, hasOffset := g.Offsets[tp]
		p.Raw(`<tr data-partition="`, esc(tp), `" data-lag="`, itoa(g.Lag[tp]), `"><th scope="row">`)
		p.Text(tp)
		p.Raw(`</th><td>`)
		p.Text(orDash(owner[tp]))
		p.Raw(`</td><td class="number">`)
		p.Text(offsetText(committed, hasOffset))
		p.Raw(`</td><td class="number">`)
		p.Text(memberPosition(f.State, owner[tp], tp))
		p.Raw(`</td><td class="number">`)
		p.Text(highWatermarkText(f.State, tp))
		p.Raw(`</td><td class="number">`)
		p.Text(lagText(g.Lag, tp))
		p.Raw(`</td></tr>`)
	}
	p.Raw(`</tbody></table></div>`)
}

// offsetText is an offset, or a dash when there is none.
func offsetText(offset int64, found bool) string {
	if !found {
		return "—"
	}
	return itoa(offset)
}

// memberPosition is the position of the member that owns tp.
func memberPosition(st *core.State, member, tp string) string {
	s, found := st.Consumers[member].(core.ConsumerState)
	if !found {
		return "—"
	}
	position, found := s.Positions[tp]
	return offsetText(position, found)
}

// highWatermarkText is the high watermark of "topic-N".
func highWatermarkText(st *core.State, tp string) string {
	cut := strings.LastIndexByte(tp, '-')
	if cut < 0 {
		return "—"
	}
	part, found := st.Topics[tp[:cut]].Partitions[tp[cut+1:]]
	return offsetText(part.HighWatermark, found)
}

// lagText is the group's lag for tp, or a dash.
func lagText(lag map[string]int64, tp string) string {
	n, found := lag[tp]
	return offsetText(n, found)
}

// orDash returns text, or a dash when it is empty.
func orDash(text string) string {
	if text == "" {
		return "—"
	}
	return text
}
