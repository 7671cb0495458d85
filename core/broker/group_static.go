package broker

// Static group membership (KIP-345), as Kafka's ClassicGroup and
// GroupMetadataManager keep it: a member that joins with a
// group.instance.id is a static member, and the instance id, not the
// member id, is what the group remembers. When the instance joins again
// without a member id (its process restarted), it takes its old member's
// place under a new member id: the old id is fenced (FENCED_INSTANCE_ID on
// anything it sends), and while the group is Stable and the group's
// protocol stays the one chosen, nothing rebalances: the member keeps its
// assignment and the generation stays. A static member is never removed
// for not rejoining a rebalance in time, only when its session expires or
// when it, or an admin by instance id, sends LeaveGroup.

import (
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/sim"
)

// staticNote names a member's instance id in the trace ("" for a dynamic member).
func staticNote(instanceID string) string {
	if instanceID == "" {
		return ""
	}
	return " with group.instance.id " + instanceID
}

// reasonNote adds a join's reason to the trace.
func reasonNote(reason string) string {
	if reason == "" {
		return ""
	}
	return " (" + reason + ")"
}

// validateMember is Kafka's ClassicGroup.validateMember: an instance id
// given must be a static member's (else UNKNOWN_MEMBER_ID) whose member
// id is this one (else FENCED_INSTANCE_ID: another process of the same
// instance took its place), and the member id must be in the group.
func (g *Group) validateMember(memberID, instanceID string) protocol.ErrorCode {
	if instanceID != "" {
		current, ok := g.staticMembers[instanceID]
		if !ok {
			return protocol.UnknownMemberID
		}
		if current != memberID {
			return protocol.FencedInstanceID
		}
	}
	if g.Members[memberID] == nil {
		return protocol.UnknownMemberID
	}
	return protocol.None
}

// joinStaticMember handles a JoinGroup without a member id and with an
// instance id: a new instance joins as a new member; a known one gets a
// new member id in its old member's place (Kafka's
// updateStaticMemberThenRebalanceOrCompleteJoin), and rebalances only
// when that changes the group's protocol (Stable), or when the old
// member's id may already be in the leader's assignment
// (CompletingRebalance).
func (b *Broker) joinStaticMember(g *Group, from sim.NodeID, req *protocol.JoinGroupRequest) {
	oldID, known := g.staticMembers[req.GroupInstanceID]
	if !known {
		b.joinMember(g, from, req)
		return
	}
	leaderBefore := g.Leader
	m := b.replaceStaticMember(g, oldID, b.newMemberID(req.GroupInstanceID))
	before := staticRejoin{oldID: oldID, leader: leaderBefore, protocols: m.Protocols, sessionTimeoutMs: m.SessionTimeoutMs,
		rebalanceTimeoutMs: m.RebalanceTimeoutMs}
	b.record("group-join", "%s static member %s joins again as %s (was %s) in %s%s", g.ID, req.GroupInstanceID, req.ClientID, oldID,
		g.State, reasonNote(req.Reason))
	m.Node, m.Protocols = from, req.Protocols
	m.SessionTimeoutMs, m.RebalanceTimeoutMs = int64(req.SessionTimeoutMs), int64(req.RebalanceTimeoutMs)
	m.lastHeartbeatMs = b.now()
	m.join = &pendingGroupCall{from: from, correlation: req.CorrelationID}
	b.armSession(g, m)
	switch g.State {
	case GroupStable:
		if chooseProtocol(g) == g.Protocol {
			b.keepStaticMember(g, m, before, req)
			return
		}
		b.prepareRebalance(g, "static member "+req.GroupInstanceID+" joined again with another protocol")
	case GroupCompletingRebalance:
		b.prepareRebalance(g, "static member "+req.GroupInstanceID+" joined again while the assignment was being made")
	case GroupPreparingRebalance:
		b.maybeCompleteJoin(g)
	}
}

// replaceStaticMember puts a new member id in the place of a static
// member's old one (Kafka's ClassicGroup.replaceStaticMember): the same
// client id and host, timeouts, protocols and assignment, the same place
// in the join order and the leadership if it led. A JoinGroup or
// SyncGroup the old id still waits on is answered FENCED_INSTANCE_ID.
func (b *Broker) replaceStaticMember(g *Group, oldID, newID string) *GroupMember {
	old := g.Members[oldID]
	if old.join != nil {
		b.sendGroup(old.join.from, &protocol.JoinGroupResponse{CorrelationID: old.join.correlation, Error: protocol.FencedInstanceID,
			GenerationID: -1, MemberID: oldID})
	}
	if old.sync != nil {
		b.sendGroup(old.sync.from, &protocol.SyncGroupResponse{CorrelationID: old.sync.correlation, Error: protocol.FencedInstanceID})
	}
	m := &GroupMember{MemberID: newID, GroupInstanceID: old.GroupInstanceID, ClientID: old.ClientID, ClientHost: old.ClientHost,
		Node: old.Node, SessionTimeoutMs: old.SessionTimeoutMs, RebalanceTimeoutMs: old.RebalanceTimeoutMs, Protocols: old.Protocols,
		Assignment: old.Assignment, AssignmentBytes: old.AssignmentBytes, lastHeartbeatMs: old.lastHeartbeatMs}
	delete(g.Members, oldID)
	g.Members[newID] = m
	for i, id := range g.joinOrder {
		if id == oldID {
			g.joinOrder[i] = newID
		}
	}
	if g.Leader == oldID {
		g.Leader = newID
	}
	g.staticMembers[m.GroupInstanceID] = newID
	return m
}

// staticRejoin is what a static member's replacement changed: the member
// id it replaced, the group's leader before (the old id when it led), and
// the old member's protocols and timeouts.
type staticRejoin struct {
	oldID, leader                        string
	protocols                            []protocol.GroupProtocol
	sessionTimeoutMs, rebalanceTimeoutMs int64
}

// keepStaticMember ends the join of a static member that took its old
// place in a Stable group without a rebalance: the group's metadata,
// with the new member id, is written first, then the member gets the
// current generation. A leader that reads SkipAssignment (KIP-814) is
// told it leads but must not assign; an older client is told that the
// old member id leads, so that it does not assign either. If the write
// fails the old member comes back as it was and the new one gets the
// error, as in Kafka.
func (b *Broker) keepStaticMember(g *Group, m *GroupMember, before staticRejoin, req *protocol.JoinGroupRequest) {
	b.persistGroupThen(g, &staticMemberKept{g: g, m: m, pending: m.join, generation: g.Generation, before: before, req: req})
}

// staticMemberKept ends keepStaticMember once the group's metadata is
// written: m's join was pending, and g in generation, when the write
// started.
type staticMemberKept struct {
	g          *Group
	m          *GroupMember
	pending    *pendingGroupCall
	generation int32
	before     staticRejoin
	req        *protocol.JoinGroupRequest
}

func (k *staticMemberKept) groupWritten(b *Broker, code protocol.ErrorCode) {
	g, m, pending, before := k.g, k.m, k.pending, k.before
	if m.join != pending || g.Members[m.MemberID] != m {
		return // a rebalance, or the member's removal, answered the join meanwhile
	}
	m.join = nil
	resp := &protocol.JoinGroupResponse{CorrelationID: pending.correlation, GenerationID: g.Generation, ProtocolType: g.ProtocolType,
		ProtocolName: g.Protocol, Leader: before.leader, MemberID: m.MemberID}
	if code != protocol.None {
		if g.Generation == k.generation {
			old := b.replaceStaticMember(g, m.MemberID, before.oldID)
			old.Protocols, old.SessionTimeoutMs, old.RebalanceTimeoutMs = before.protocols, before.sessionTimeoutMs, before.rebalanceTimeoutMs
			b.armSession(g, old)
		}
		resp.Error, resp.MemberID = code, ""
		b.sendGroup(pending.from, resp)
		return
	}
	if k.req.SupportsSkipAssignment {
		resp.Leader = g.Leader
		if g.Leader == m.MemberID {
			resp.Members, resp.SkipAssignment = joinMembers(g), true
		}
	}
	b.record("group", "%s static member %s back without a rebalance: generation %d, assignment %s", g.ID, m.GroupInstanceID,
		g.Generation, describePartitions(m.Assignment))
	b.sendGroup(pending.from, resp)
}
