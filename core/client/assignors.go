package client

// The consumer's partition assignors, run by the group leader: range,
// roundrobin, sticky and cooperative-sticky, as Kafka's RangeAssignor,
// RoundRobinAssignor, StickyAssignor and CooperativeStickyAssignor assign
// (simplified where noted). Members and partitions are sorted first, so an
// assignment depends only on who subscribes to what: range and roundrobin
// take static members first, by group.instance.id, then the others by
// member id (Kafka's MemberInfo order), so that a static member keeps its
// partitions across restarts; the sticky assignors sort by member id.

import (
	"sort"

	"github.com/kafka-playground/playground/core/protocol"
)

// Assignor short names, as partition.assignment.strategy accepts them.
const (
	AssignorRange             = "range"
	AssignorRoundRobin        = "roundrobin"
	AssignorSticky            = "sticky"
	AssignorCooperativeSticky = "cooperative-sticky"
)

// Cooperative reports whether an assignor rebalances incrementally
// (KIP-429): members keep what they own and give up only what moves.
func Cooperative(assignor string) bool { return assignor == AssignorCooperativeSticky }

// AssignMember is one member as an assignor sees it.
type AssignMember struct {
	MemberID string
	// GroupInstanceID is a static member's group.instance.id, "" for a
	// dynamic member.
	GroupInstanceID string
	Topics          []string
	Owned           []protocol.TopicPartition
}

// memberInfoLess is Kafka's MemberInfo.compareTo: static members first,
// by instance id, then dynamic ones by member id.
func memberInfoLess(a, b AssignMember) bool {
	switch {
	case a.GroupInstanceID != "" && b.GroupInstanceID != "":
		return a.GroupInstanceID < b.GroupInstanceID
	case a.GroupInstanceID != "" || b.GroupInstanceID != "":
		return a.GroupInstanceID != ""
	}
	return a.MemberID < b.MemberID
}

// Assign computes an assignment; partitions maps each topic to its
// partition count.
func Assign(assignor string, members []AssignMember, partitions map[string]int32) map[string][]protocol.TopicPartition {
	sorted := append([]AssignMember(nil), members...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].MemberID < sorted[j].MemberID })
	out := map[string][]protocol.TopicPartition{}
	for _, m := range sorted {
		out[m.MemberID] = []protocol.TopicPartition{}
	}
	byMemberInfo := append([]AssignMember(nil), sorted...)
	sort.SliceStable(byMemberInfo, func(i, j int) bool { return memberInfoLess(byMemberInfo[i], byMemberInfo[j]) })
	switch assignor {
	case AssignorRoundRobin:
		assignRoundRobin(byMemberInfo, partitions, out)
	case AssignorSticky, AssignorCooperativeSticky:
		assignSticky(sorted, partitions, out)
		if Cooperative(assignor) {
			holdMovedPartitions(sorted, out)
		}
	default:
		assignRange(byMemberInfo, partitions, out)
	}
	for id := range out {
		sortTPs(out[id])
	}
	return out
}

func subscribes(m AssignMember, topic string) bool {
	for _, t := range m.Topics {
		if t == topic {
			return true
		}
	}
	return false
}

func sortedTopics(partitions map[string]int32) []string {
	topics := make([]string, 0, len(partitions))
	for t := range partitions {
		topics = append(topics, t)
	}
	sort.Strings(topics)
	return topics
}

// assignRange gives each member a contiguous range of each topic's
// partitions; the first members get one more when they do not divide evenly.
func assignRange(members []AssignMember, partitions map[string]int32, out map[string][]protocol.TopicPartition) {
	for _, topic := range sortedTopics(partitions) {
		var subscribers []AssignMember
		for _, m := range members {
			if subscribes(m, topic) {
				subscribers = append(subscribers, m)
			}
		}
		if len(subscribers) == 0 {
			continue
		}
		n := partitions[topic]
		per, extra := n/int32(len(subscribers)), n%int32(len(subscribers))
		next := int32(0)
		for i, m := range subscribers {
			count := per
			if int32(i) < extra {
				count++
			}
			for p := next; p < next+count; p++ {
				out[m.MemberID] = append(out[m.MemberID], protocol.TopicPartition{Topic: topic, Partition: p})
			}
			next += count
		}
	}
}

// assignRoundRobin deals all partitions, sorted, to the members in turn,
// skipping members not subscribed to a partition's topic.
func assignRoundRobin(members []AssignMember, partitions map[string]int32, out map[string][]protocol.TopicPartition) {
	next := 0
	for _, topic := range sortedTopics(partitions) {
		for p := int32(0); p < partitions[topic]; p++ {
			for tries := 0; tries < len(members); tries++ {
				m := members[next%len(members)]
				next++
				if subscribes(m, topic) {
					out[m.MemberID] = append(out[m.MemberID], protocol.TopicPartition{Topic: topic, Partition: p})
					break
				}
			}
		}
	}
}

// assignSticky keeps every partition with its current owner where that
// owner still subscribes, hands the rest to the least loaded members, then
// moves partitions from the most to the least loaded until no member has
// two more than another (a simplification of Kafka's StickyAssignor,
// balanced the same way).
func assignSticky(members []AssignMember, partitions map[string]int32, out map[string][]protocol.TopicPartition) {
	taken := map[protocol.TopicPartition]bool{}
	for _, m := range members {
		for _, tp := range m.Owned {
			if n, ok := partitions[tp.Topic]; ok && tp.Partition < n && subscribes(m, tp.Topic) && !taken[tp] {
				out[m.MemberID] = append(out[m.MemberID], tp)
				taken[tp] = true
			}
		}
	}
	for _, topic := range sortedTopics(partitions) {
		for p := int32(0); p < partitions[topic]; p++ {
			tp := protocol.TopicPartition{Topic: topic, Partition: p}
			if taken[tp] {
				continue
			}
			if m := leastLoaded(members, out, topic); m != "" {
				out[m] = append(out[m], tp)
				taken[tp] = true
			}
		}
	}
	for {
		most, least := mostLoaded(members, out), ""
		if most == "" {
			return
		}
		moved := false
		for i := len(out[most]) - 1; i >= 0 && !moved; i-- {
			tp := out[most][i]
			least = leastLoaded(members, out, tp.Topic)
			if least != "" && len(out[most])-len(out[least]) > 1 {
				out[most] = append(out[most][:i:i], out[most][i+1:]...)
				out[least] = append(out[least], tp)
				moved = true
			}
		}
		if !moved {
			return
		}
	}
}

func leastLoaded(members []AssignMember, out map[string][]protocol.TopicPartition, topic string) string {
	best := ""
	for _, m := range members {
		if subscribes(m, topic) && (best == "" || len(out[m.MemberID]) < len(out[best])) {
			best = m.MemberID
		}
	}
	return best
}

func mostLoaded(members []AssignMember, out map[string][]protocol.TopicPartition) string {
	best := ""
	for _, m := range members {
		if best == "" || len(out[m.MemberID]) > len(out[best]) {
			best = m.MemberID
		}
	}
	return best
}

// holdMovedPartitions makes a sticky assignment cooperative: a partition
// another member still owns is left out this round; its owner revokes it
// and rejoins, and the next rebalance hands it over.
func holdMovedPartitions(members []AssignMember, out map[string][]protocol.TopicPartition) {
	owner := map[protocol.TopicPartition]string{}
	for _, m := range members {
		for _, tp := range m.Owned {
			owner[tp] = m.MemberID
		}
	}
	for _, m := range members {
		kept := out[m.MemberID][:0]
		for _, tp := range out[m.MemberID] {
			if o, owned := owner[tp]; !owned || o == m.MemberID {
				kept = append(kept, tp)
			}
		}
		out[m.MemberID] = kept
	}
}
