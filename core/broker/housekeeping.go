package broker

import (
	"strconv"
	"strings"
)

// housekeeping is a periodic task of the broker.
type housekeeping struct {
	token uint64
	task  housekeepingTask
}

type housekeepingTask int

const (
	// isrExpiration runs every replica.lag.time.max.ms / 2.
	isrExpiration housekeepingTask = iota
	// logRetention runs every log.retention.check.interval.ms.
	logRetention
)

func (b *Broker) scheduleHousekeeping() {
	b.sim.SetTimer(b.node, b.brokerInt("replica.lag.time.max.ms")/2, housekeeping{token: b.token, task: isrExpiration})
	b.sim.SetTimer(b.node, b.brokerInt("log.retention.check.interval.ms"), housekeeping{token: b.token, task: logRetention})
}

func (b *Broker) onHousekeeping(m housekeeping) {
	if m.token != b.token {
		return
	}
	switch m.task {
	case isrExpiration:
		for _, tp := range b.sortedPartitions() {
			if p := b.partitions[tp]; p.role == roleLeader {
				b.maybeShrinkIsr(p)
			}
		}
		b.sim.SetTimer(b.node, b.brokerInt("replica.lag.time.max.ms")/2, m)
	case logRetention:
		for _, tp := range b.sortedPartitions() {
			b.applyRetention(b.partitions[tp])
		}
		b.sim.SetTimer(b.node, b.brokerInt("log.retention.check.interval.ms"), m)
	}
}

// applyRetention deletes whole segments past retention.ms or
// retention.bytes; offsets never change, the log start offset moves.
func (b *Broker) applyRetention(p *partition) {
	deleted := p.log.DeleteOldSegments(b.now())
	if len(deleted) == 0 {
		return
	}
	first, last := deleted[0].BaseOffset, deleted[len(deleted)-1].NextOffset-1
	b.record("retention", "%s deleted %d segment(s) offsets %d..%d, log start %d", p.tp, len(deleted), first, last, p.log.LogStartOffset())
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func formatSet(ids []int32) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.Itoa(int(id))
	}
	return "[" + strings.Join(parts, ",") + "]"
}
