package ui

import (
	"strconv"
	"strings"

	"github.com/kafka-playground/playground/core"
)

// Modes of the message browser.
const (
	// BrowseNewest follows the end of the log: the last page.
	BrowseNewest = "newest"
	// BrowseOldest shows the first page from the log start offset.
	BrowseOldest = "oldest"
	// BrowseOffset shows the page from FromOffset.
	BrowseOffset = "offset"
)

// BrowsePageSize is how many records the message browser shows at once.
const BrowsePageSize = 25

// maxValueShown bounds the characters of a key, value or header shown in
// a cell.
const maxValueShown = 120

// MessageBrowser is where the message browser looks: a partition, read at
// its leader or at one replica, from an offset or following its end.
type MessageBrowser struct {
	Topic     string
	Partition int32
	// Replica is the broker whose log is read, -1 for the leader.
	Replica int32
	// FromOffset is the first offset shown in BrowseOffset mode.
	FromOffset int64
	// Mode is BrowseNewest, BrowseOldest or BrowseOffset.
	Mode string
}

// Resolve makes the browser point at something that exists: the first
// topic when its own is gone, partition 0 when its partition is, the
// leader when its replica is.
func (b *MessageBrowser) Resolve(f *Frame) {
	topics := f.Topics()
	if _, found := f.State.Topics[b.Topic]; !found {
		b.Topic = ""
		if len(topics) > 0 {
			b.Topic = topics[0]
		}
	}
	if b.Topic == "" {
		return
	}
	t := f.State.Topics[b.Topic]
	part, found := t.Partitions[strconv.Itoa(int(b.Partition))]
	if !found {
		b.Partition = 0
		part = t.Partitions["0"]
	}
	if b.Replica >= 0 && !contains(part.Replicas, b.Replica) {
		b.Replica = -1
	}
	switch b.Mode {
	case BrowseNewest, BrowseOldest, BrowseOffset:
	default:
		b.Mode = BrowseNewest
	}
}

// Page moves the browser one page older (-1) or newer (+1) than what it
// shows now (first is the first offset shown).
func (b *MessageBrowser) Page(first int64, direction int) {
	b.Mode = BrowseOffset
	b.FromOffset = max(first+int64(direction*BrowsePageSize), 0)
}

// RenderMessages shows one page of the chosen partition's log, read at the
// chosen replica. It returns the HTML and the first offset shown (-1 for
// none), which paging starts from.
func RenderMessages(f *Frame, c *core.Cluster, b MessageBrowser) (string, int64) {
	var p page
	if b.Topic == "" {
		p.Raw(`<p class="empty">No topics yet: nothing to browse.</p>`)
		return p.String(), -1
	}
	part := f.State.Topics[b.Topic].Partitions[strconv.Itoa(int(b.Partition))]
	broker := b.Replica
	if broker < 0 {
		broker = part.Leader
	}
	from := browseStart(b, part, broker)
	records, err := c.PartitionRecords(b.Topic, b.Partition, b.Replica, from, BrowsePageSize)
	p.Raw(`<p class="summary" data-browse-topic="`, esc(b.Topic), `" data-browse-partition="`, itoa(int64(b.Partition)), `">`)
	p.Text(b.Topic + "-" + strconv.Itoa(int(b.Partition)) + " read at ")
	p.Text(replicaName(b.Replica, part.Leader))
	p.Text(" · log start " + itoa(part.LogStartOffset) + " · HW " + itoa(part.HighWatermark) + " · LEO " + itoa(part.LogEndOffset))
	p.Raw(`</p>`)
	if err != nil {
		p.Raw(`<p class="empty">`)
		p.Text(err.Error() + ".")
		p.Raw(`</p>`)
		return p.String(), -1
	}
	if len(records) == 0 {
		p.Raw(`<p class="empty">`)
		p.Text("No records from offset " + itoa(from) + " on.")
		p.Raw(`</p>`)
		return p.String(), from
	}
	renderRecordTable(&p, records, part.HighWatermark)
	return p.String(), records[0].Offset
}

// browseStart is the first offset to read.
func browseStart(b MessageBrowser, part core.PartitionState, broker int32) int64 {
	switch b.Mode {
	case BrowseOldest:
		return 0
	case BrowseOffset:
		return b.FromOffset
	}
	end := part.LogEndOffset
	if log, found := part.ReplicaLogs[strconv.Itoa(int(broker))]; found {
		end = log.LogEndOffset
	}
	return max(end-BrowsePageSize, 0)
}

// replicaName says whose log is read.
func replicaName(replica, leader int32) string {
	if replica < 0 {
		if leader < 0 {
			return "the first replica (no leader now)"
		}
		return "the leader, broker " + itoa(int64(leader))
	}
	if replica == leader {
		return "broker " + itoa(int64(replica)) + " (the leader)"
	}
	return "broker " + itoa(int64(replica)) + " (a follower)"
}

// renderRecordTable writes the records as a table.
func renderRecordTable(p *page, records []core.LogRecord, highWatermark int64) {
	p.Raw(`<div class="scroll"><table class="records"><caption>Records `, itoa(records[0].Offset), `–`, itoa(records[len(records)-1].Offset),
		`</caption><thead><tr><th scope="col">Offset</th><th scope="col">Key</th><th scope="col">Value</th><th scope="col">Headers</th>`,
		`<th scope="col">Time</th><th scope="col">Producer id · epoch</th><th scope="col">Sequence</th><th scope="col">Notes</th></tr></thead><tbody>`)
	for _, r := range records {
		notes := recordNotes(r, highWatermark)
		p.Raw(`<tr data-offset="`, itoa(r.Offset), `"`)
		if r.Key != nil {
			p.Attr("data-key", *r.Key)
		}
		if r.Marker != "" {
			p.Raw(` class="marker"`)
		} else if r.Offset >= highWatermark {
			p.Raw(` class="uncommitted"`)
		}
		p.Raw(`><td>`, itoa(r.Offset), `</td><td>`)
		writeNullable(p, r.Key, r.Marker != "")
		p.Raw(`</td><td>`)
		writeNullable(p, r.Value, r.Marker != "")
		p.Raw(`</td><td>`)
		p.Text(headerText(r))
		p.Raw(`</td><td>`)
		p.Text(seconds(r.TimestampMs))
		p.Raw(`</td><td>`)
		p.Text(producerText(r))
		p.Raw(`</td><td>`)
		p.Text(sequenceText(r.Sequence))
		p.Raw(`</td><td>`)
		p.Text(strings.Join(notes, "; "))
		p.Raw(`</td></tr>`)
	}
	p.Raw(`</tbody></table></div>`)
}

// writeNullable writes a key or value, or says it is null.
func writeNullable(p *page, text *string, marker bool) {
	switch {
	case marker:
		p.Raw(`<span class="null">—</span>`)
	case text == nil:
		p.Raw(`<span class="null">null</span>`)
	default:
		p.Text(shorten(*text, maxValueShown))
	}
}

// headerText lists a record's headers.
func headerText(r core.LogRecord) string {
	parts := make([]string, len(r.Headers))
	for i, h := range r.Headers {
		parts[i] = shorten(h.Key, maxValueShown) + "=" + shorten(h.Value, maxValueShown)
	}
	return strings.Join(parts, ", ")
}

// producerText is the producer id and epoch, or a dash without one.
func producerText(r core.LogRecord) string {
	if r.ProducerID < 0 {
		return "—"
	}
	return itoa(r.ProducerID) + " · " + strconv.Itoa(int(r.ProducerEpoch))
}

// sequenceText is the idempotent sequence, or a dash without one.
func sequenceText(sequence int32) string {
	if sequence < 0 {
		return "—"
	}
	return strconv.Itoa(int(sequence))
}

// recordNotes says what is special about a record.
func recordNotes(r core.LogRecord, highWatermark int64) []string {
	var notes []string
	if r.Marker != "" {
		notes = append(notes, "transaction marker: "+r.Marker)
	} else if r.Transactional {
		notes = append(notes, "in a transaction")
	}
	if r.Offset >= highWatermark {
		notes = append(notes, "above the high watermark: not yet committed, consumers cannot read it")
	}
	return notes
}
