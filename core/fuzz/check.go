package fuzz

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/kafka-playground/playground/core"
	"github.com/kafka-playground/playground/core/client"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/scenario"
)

// Kinds of problems, the first word of every problem string. Shrinking
// keeps a scenario failing with the same kind.
const (
	KindInvariant     = "invariant"
	KindLostWrite     = "lost-write"
	KindDuplicate     = "duplicate"
	KindInconsistent  = "inconsistent-offsets"
	KindNonMonotonic  = "non-monotonic-poll"
	KindAbortedRead   = "aborted-read"
	KindIncomplete    = "incomplete-audit"
	KindInvalid       = "invalid-scenario"
	KindPanic         = "panic"
	maxProblemsOfKind = 5
)

// Report is the outcome of checking one scenario.
type Report struct {
	// Problems are the violations found, each starting with its kind.
	Problems  []string
	TraceHash string
	Events    uint64
	TimeMs    int64
}

// Failed reports whether anything was violated.
func (r Report) Failed() bool { return len(r.Problems) > 0 }

// Kinds returns the distinct kinds of the problems, sorted.
func (r Report) Kinds() []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range r.Problems {
		kind, _, _ := strings.Cut(p, ":")
		if !seen[kind] {
			seen[kind] = true
			out = append(out, kind)
		}
	}
	sort.Strings(out)
	return out
}

// Send is one record a produce step sent, with its outcome.
type Send struct {
	Step     int
	Producer string
	Value    string
	Result   *client.SendResult
}

// Poll is one record a poll step returned.
type Poll struct {
	Step      int
	Consumer  string
	Partition protocol.TopicPartition
	Offset    int64
	Value     string
}

// History is what the clients were told: sends with their outcomes,
// records polled, and the outcome of each transaction's end.
type History struct {
	Sends []Send
	Polls []Poll
	// Aborted and Committed are the steps of produce steps whose
	// transaction an abort_transaction or commit_transaction step ended
	// successfully.
	Aborted   map[int]bool
	Committed map[int]bool
	// AuditEnd is where the audit consumer stopped per partition, and
	// HighWatermark the partition's end at the last step.
	AuditEnd      map[protocol.TopicPartition]int64
	HighWatermark map[protocol.TopicPartition]int64
}

// Check runs a scenario with the invariant checker after every event and
// then checks its history.
func Check(s *scenario.Scenario) (report Report) {
	defer func() {
		// A panic is a bug of the engine: report it like any violation,
		// so that the seed is kept and shrunk.
		if v := recover(); v != nil {
			report = Report{Problems: []string{fmt.Sprintf("%s: %v", KindPanic, v)}}
		}
	}()
	h := &History{Aborted: map[int]bool{}, Committed: map[int]bool{}, AuditEnd: map[protocol.TopicPartition]int64{},
		HighWatermark: map[protocol.TopicPartition]int64{}}
	var checker *core.Checker
	producers := map[int]string{}
	for i, st := range s.Steps {
		if st.Op == scenario.OpProduce {
			producers[i] = st.Producer
		}
	}
	out, err := scenario.Run("fuzz", s, scenario.Options{
		Prepare: func(c *core.Cluster) { checker = core.NewChecker(c) },
		OnSend: func(step int, value string, _ bool, result *client.SendResult) {
			h.Sends = append(h.Sends, Send{Step: step, Producer: producers[step], Value: value, Result: result})
		},
		OnPoll: func(step int, consumer string, records []client.ConsumerRecord) {
			for _, r := range records {
				h.Polls = append(h.Polls, Poll{Step: step, Consumer: consumer, Partition: r.TopicPartition, Offset: r.Offset, Value: r.Value})
				if consumer == auditConsumer {
					h.AuditEnd[r.TopicPartition] = r.Offset + 1
				}
			}
		},
	})
	if err != nil {
		return Report{Problems: []string{KindInvalid + ": " + err.Error()}}
	}
	checker.Final()
	report = Report{TraceHash: out.TraceHash, Events: out.Events, TimeMs: out.TimeMs}
	for _, v := range checker.Violations() {
		report.Problems = append(report.Problems, KindInvariant+": "+v)
	}
	// A transaction's produce steps are those between its begin and end.
	var open []int
	for i, st := range s.Steps {
		switch st.Op {
		case scenario.OpBeginTransaction:
			open = nil
		case scenario.OpProduce:
			if st.Producer == txnProducer {
				open = append(open, i)
			}
		case scenario.OpCommitTransaction, scenario.OpAbortTransaction:
			if i < len(out.Steps) && out.Steps[i].OK {
				for _, p := range open {
					if st.Op == scenario.OpCommitTransaction {
						h.Committed[p] = true
					} else {
						h.Aborted[p] = true
					}
				}
			}
			open = nil
		}
	}
	if t, ok := out.State.Topics[Topic]; ok {
		for p, ps := range t.Partitions {
			n, _ := strconv.Atoi(p)
			h.HighWatermark[protocol.TopicPartition{Topic: Topic, Partition: int32(n)}] = ps.HighWatermark
		}
	}
	audited := false
	for _, st := range s.Steps {
		audited = audited || (st.Op == scenario.OpAddConsumer && st.ID == auditConsumer)
	}
	report.Problems = append(report.Problems, h.Check(audited)...)
	return report
}

// Check compares the history with what the audit read. Without an audit
// (a shrunk scenario may drop it) only the checks on polls run.
func (h *History) Check(audited bool) []string {
	var problems []string
	counts := map[string]int{}
	fail := func(kind, format string, args ...any) {
		counts[kind]++
		if counts[kind] <= maxProblemsOfKind {
			problems = append(problems, kind+": "+fmt.Sprintf(format, args...))
		}
	}
	sentBy := map[string]int{}
	for _, s := range h.Sends {
		sentBy[s.Value] = s.Step
	}
	// Inconsistent offsets: one offset, two values.
	at := map[protocol.TopicPartition]map[int64]string{}
	// Non-monotonic polls: within a poll, and across the audit's polls.
	last := map[string]map[protocol.TopicPartition]int64{}
	lastStep := map[string]int{}
	for _, p := range h.Polls {
		if at[p.Partition] == nil {
			at[p.Partition] = map[int64]string{}
		}
		if v, ok := at[p.Partition][p.Offset]; ok && v != p.Value {
			fail(KindInconsistent, "%s offset %d read as %q and as %q (step %d, %s)", p.Partition, p.Offset, v, p.Value, p.Step, p.Consumer)
		}
		at[p.Partition][p.Offset] = p.Value
		key := p.Consumer
		if p.Consumer != auditConsumer {
			key = fmt.Sprintf("%s@%d", p.Consumer, p.Step) // members may rewind across rebalances
		}
		if last[key] == nil {
			last[key] = map[protocol.TopicPartition]int64{}
		}
		if prev, ok := last[key][p.Partition]; ok && p.Offset <= prev {
			fail(KindNonMonotonic, "%s read %s offset %d after offset %d (step %d, previous poll step %d)", p.Consumer, p.Partition, p.Offset, prev, p.Step, lastStep[key])
		}
		last[key][p.Partition] = p.Offset
		lastStep[key] = p.Step
		if step, ok := sentBy[p.Value]; ok && h.Aborted[step] {
			fail(KindAbortedRead, "%s read %q at %s offset %d, written in an aborted transaction", p.Consumer, p.Value, p.Partition, p.Offset)
		}
	}
	if !audited {
		return problems
	}
	// By partition: past maxProblemsOfKind, map order would choose
	// which partitions the report names.
	for _, tp := range sortedPartitions(h.HighWatermark) {
		hw := h.HighWatermark[tp]
		if end := h.AuditEnd[tp]; end < hw && hw > 0 && !onlyControlAfter(h, tp, end) {
			fail(KindIncomplete, "the audit read %s up to offset %d of %d", tp, end, hw)
		}
	}
	audit := map[string][]Poll{}
	for _, p := range h.Polls {
		if p.Consumer == auditConsumer {
			audit[p.Value] = append(audit[p.Value], p)
		}
	}
	for _, s := range h.Sends {
		tp := protocol.TopicPartition{Topic: s.Result.Topic, Partition: s.Result.Partition}
		// An acknowledged record is lost when the audit read past its
		// offset without it, or the log no longer reaches its offset;
		// one the audit did not reach is incomplete-audit's business.
		passed := s.Result.Offset < h.AuditEnd[tp] || s.Result.Offset >= h.HighWatermark[tp]
		if h.mustRead(s) && passed {
			if len(audit[s.Value]) == 0 {
				fail(KindLostWrite, "%s was acknowledged (%s offset %d, step %d) but the audit never read it", s.Value,
					protocol.TopicPartition{Topic: s.Result.Topic, Partition: s.Result.Partition}, s.Result.Offset, s.Step)
			}
		}
		if s.Producer == safeProducer || s.Producer == txnProducer {
			if reads := audit[s.Value]; len(reads) > 1 && (reads[0].Partition != reads[1].Partition || reads[0].Offset != reads[1].Offset) {
				fail(KindDuplicate, "%s is in the log twice: %s offset %d and %s offset %d", s.Value, reads[0].Partition, reads[0].Offset, reads[1].Partition, reads[1].Offset)
			}
		}
	}
	for kind, n := range counts {
		if n > maxProblemsOfKind {
			problems = append(problems, fmt.Sprintf("%s: and %d more", kind, n-maxProblemsOfKind))
		}
	}
	sort.Strings(problems)
	return problems
}

// sortedPartitions returns the keys of m by topic, then number.
func sortedPartitions(m map[protocol.TopicPartition]int64) []protocol.TopicPartition {
	out := make([]protocol.TopicPartition, 0, len(m))
	for tp := range m {
		out = append(out, tp)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Less(out[j]) })
	return out
}

// onlyControlAfter reports whether the audit's stop at end is explained:
// nothing but transaction markers and aborted records follow it, which a
// read_committed consumer skips without returning.
func onlyControlAfter(h *History, tp protocol.TopicPartition, end int64) bool {
	for _, s := range h.Sends {
		if h.mustRead(s) && s.Result.Partition == tp.Partition && s.Result.Offset >= end {
			return false
		}
	}
	return true
}

// mustRead reports whether a send must be in the log for a
// read_committed reader: acknowledged with acks=all, outside a
// transaction or in one that committed. (acks=1 may lose acknowledged
// records in a failover; a transaction whose end failed may still abort.)
func (h *History) mustRead(s Send) bool {
	acked := s.Result.Done && s.Result.Error == protocol.None
	return acked && (s.Producer == safeProducer || s.Producer == txnProducer && h.Committed[s.Step])
}
