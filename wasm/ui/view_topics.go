package ui

import (
	"strconv"

	"github.com/kafka-playground/playground/core"
)

// MaxPartitionsShown bounds the partitions listed per topic; the topic's
// summary still counts them all.
const MaxPartitionsShown = 64

// RenderTopics lists every topic with its partitions: leader, epoch,
// replicas and ISR (in-sync replicas marked ● and out-of-sync ○, in words
// too), each replica's log as a bar from log start offset to log end
// offset with the high watermark marked, and the under-replicated and
// leaderless partitions flagged.
func RenderTopics(f *Frame, expanded map[string]bool) string {
	var p page
	topics := f.Topics()
	if len(topics) == 0 {
		p.Raw(`<p class="empty">No topics yet. Create one under Actions → Topic.</p>`)
		return p.String()
	}
	for _, name := range topics {
		renderTopic(&p, name, f.State.Topics[name], isExpanded(name, expanded))
	}
	return p.String()
}

// isExpanded says whether a topic's partitions are listed: people's topics
// by default, internal topics on request.
func isExpanded(name string, expanded map[string]bool) bool {
	if open, set := expanded[name]; set {
		return open
	}
	return !isInternalTopic(name)
}

// renderTopic writes one topic.
func renderTopic(p *page, name string, t core.TopicState, open bool) {
	keys := numericKeys(t.Partitions)
	under, leaderless := 0, 0
	for _, key := range keys {
		part := t.Partitions[key]
		if part.UnderReplicated {
			under++
		}
		if part.Leader < 0 {
			leaderless++
		}
	}
	p.Raw(`<article class="topic" data-topic="`, esc(name), `"><header><h3>`)
	p.Text(name)
	p.Raw(`</h3> <span class="facts">`)
	p.Text(strconv.Itoa(len(keys)) + " partitions")
	if len(keys) > 0 {
		p.Text(" · replication factor " + strconv.Itoa(len(t.Partitions[keys[0]].Replicas)))
	}
	p.Raw(`</span>`)
	if under > 0 {
		p.Raw(` <span class="flag warn">⚠ `, strconv.Itoa(under), ` under-replicated</span>`)
	}
	if leaderless > 0 {
		p.Raw(` <span class="flag bad">✕ `, strconv.Itoa(leaderless), ` without leader</span>`)
	}
	label := "Show partitions"
	if open {
		label = "Hide partitions"
	}
	p.Raw(` <button type="button" class="small" data-action="toggle-topic" data-topic="`, esc(name), `" data-key="toggle-`, esc(name),
		`" aria-expanded="`, strconv.FormatBool(open), `">`, label, `</button></header>`)
	if cfg := configText(t.Config); cfg != "" {
		p.Raw(`<p class="config">`)
		p.Text(cfg)
		p.Raw(`</p>`)
	}
	if open {
		for i, key := range keys {
			if i == MaxPartitionsShown {
				p.Raw(`<p class="more">`)
				p.Text("… and " + strconv.Itoa(len(keys)-i) + " more partitions, not listed.")
				p.Raw(`</p>`)
				break
			}
			renderPartition(p, name, key, t.Partitions[key])
		}
	}
	p.Raw(`</article>`)
}

// configText lists a topic's config overrides.
func configText(config map[string]string) string {
	text := ""
	for _, k := range sortedKeys(config) {
		if text != "" {
			text += ", "
		}
		text += k + "=" + config[k]
	}
	return text
}

// renderPartition writes one partition and a line per replica.
func renderPartition(p *page, topic, key string, part core.PartitionState) {
	p.Raw(`<section class="partition" data-topic="`, esc(topic), `" data-partition="`, esc(key), `" data-leader="`, itoa(int64(part.Leader)),
		`" data-isr="`, ids(part.Isr), `" data-replicas="`, ids(part.Replicas), `" data-hw="`, itoa(part.HighWatermark),
		`" data-leo="`, itoa(part.LogEndOffset), `">`)
	p.Raw(`<h4>`)
	p.Text(topic + "-" + key)
	p.Raw(`</h4> <span class="facts">leader `)
	p.Text(orNone(part.Leader, "", "none"))
	p.Text(" · epoch " + strconv.Itoa(int(part.LeaderEpoch)) + " · ISR " + idList(part.Isr) + " of " + idList(part.Replicas))
	p.Text(" · log start " + itoa(part.LogStartOffset) + " · HW " + itoa(part.HighWatermark) + " · LEO " + itoa(part.LogEndOffset))
	if part.LastStableOffset != part.HighWatermark {
		p.Text(" · LSO " + itoa(part.LastStableOffset))
	}
	p.Raw(`</span>`)
	if part.UnderReplicated {
		p.Raw(` <span class="flag warn">⚠ under-replicated</span>`)
	}
	if part.Leader < 0 {
		p.Raw(` <span class="flag bad">✕ no leader</span>`)
	}
	if part.UncleanElections > 0 {
		p.Raw(` <span class="flag bad">`, strconv.Itoa(int(part.UncleanElections)), ` unclean election(s)</span>`)
	}
	p.Raw(` <button type="button" class="small" data-action="browse" data-topic="`, esc(topic), `" data-partition="`, esc(key),
		`" data-key="browse-`, esc(topic), "-", esc(key), `">Messages</button>`)
	renderReplicas(p, part)
	p.Raw(`</section>`)
}

// renderReplicas writes a line per replica with its log as a bar.
func renderReplicas(p *page, part core.PartitionState) {
	low, high := part.LogStartOffset, part.LogEndOffset
	for _, log := range part.ReplicaLogs {
		low, high = min(low, log.LogStartOffset), max(high, log.LogEndOffset)
	}
	low = max(low, 0)
	p.Raw(`<ul class="replicas">`)
	for _, r := range part.Replicas {
		mark, words, class := replicaStatus(part, r)
		log, hasLog := part.ReplicaLogs[strconv.Itoa(int(r))]
		p.Raw(`<li class="replica `, class, `" data-broker="`, itoa(int64(r)), `" data-in-sync="`, strconv.FormatBool(contains(part.Isr, r)), `">`)
		p.Raw(`<span class="mark" aria-hidden="true">`, mark, `</span> <span class="who">broker `, itoa(int64(r)), `</span> <span class="words">`)
		p.Text(words)
		p.Raw(`</span>`)
		if hasLog {
			renderBar(p, log, low, high)
			p.Raw(`<span class="offsets">`)
			p.Text("start " + itoa(log.LogStartOffset) + " · HW " + itoa(log.HighWatermark) + " · LEO " + itoa(log.LogEndOffset) +
				" · " + strconv.Itoa(log.Segments) + " segment" + plural(log.Segments) + " · " + thousands(log.SizeBytes) + " B")
			p.Raw(`</span>`)
		} else {
			p.Raw(`<span class="offsets">no log on this broker</span>`)
		}
		p.Raw(`</li>`)
	}
	p.Raw(`</ul>`)
}

// replicaStatus returns a replica's mark, its role in words and a class.
func replicaStatus(part core.PartitionState, r int32) (mark, words, class string) {
	inSync := contains(part.Isr, r)
	switch {
	case contains(part.OfflineReplicas, r):
		mark, words, class = "✕", "offline", "offline"
	case inSync:
		mark, words, class = "●", "in sync", "in-sync"
	default:
		mark, words, class = "○", "out of sync", "out-of-sync"
	}
	if contains(part.OfflineReplicas, r) && inSync {
		words = "offline, still listed in the ISR"
	}
	if part.Leader == r {
		words = "leader, " + words
		class += " leader"
	}
	return mark, words, class
}

// renderBar draws a replica's log from log start to log end offset on the
// partition's common scale, with its high watermark as a tick.
func renderBar(p *page, log core.ReplicaLog, low, high int64) {
	span := max(high-low, 1)
	left := percent(log.LogStartOffset-low, span)
	width := percent(max(log.LogEndOffset-log.LogStartOffset, 0), span)
	hw := percent(log.HighWatermark-low, span)
	p.Raw(`<span class="bar" role="img" aria-label="log from `, itoa(log.LogStartOffset), ` to `, itoa(log.LogEndOffset), `, high watermark `,
		itoa(log.HighWatermark), `"><span class="log" style="left:`, left, `;width:`, width, `"></span><span class="hw" style="left:`, hw, `"></span></span>`)
}

// percent formats part/whole as a CSS percentage with one decimal.
func percent(part, whole int64) string {
	permille := min(max(part*1000/whole, 0), 1000)
	return itoa(permille/10) + "." + itoa(permille%10) + "%"
}

// plural returns "s" unless n is 1.
func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
