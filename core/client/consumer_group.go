package client

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/record"
	"github.com/kafka-playground/playground/core/sim"
)

// ensureGroup drives the membership: find the coordinator, join, sync.
// It reports whether the consumer is a stable member.
func (c *Consumer) ensureGroup() bool {
	switch {
	case c.coordinator < 0:
		c.lookupCoordinator()
		return false
	case c.joinInFlight != 0 || c.syncInFlight != 0:
		return false
	case (!c.joined || c.needsRejoin) && !c.haveMetadata():
		// The leader assigns from its metadata: have it before joining.
		return false
	case !c.joined || c.needsRejoin:
		// Eager protocols give up every partition before rejoining,
		// committing first (onJoinPrepare); the cooperative one keeps
		// what it owns.
		if !Cooperative(c.protocol) && len(c.assignment) > 0 {
			c.revoke(c.assignment)
		}
		if len(c.commits) == 0 {
			c.sendJoin()
		}
		return false
	}
	return true
}

// lookupCoordinator sends FindCoordinator unless one is in flight.
func (c *Consumer) lookupCoordinator() {
	if c.coordInFlight != 0 {
		return
	}
	c.coordInFlight, c.coordTo = c.next(), c.anyBroker()
	c.conns.send(c.coordTo, &protocol.FindCoordinatorRequest{CorrelationID: c.coordInFlight,
		KeyType: protocol.CoordinatorGroup, Key: c.settings.Group})
	c.sim.SetTimer(c.node, c.cfg.requestTimeoutMs, consumerTimeout{correlation: c.coordInFlight})
}

func (c *Consumer) onFindCoordinator(m *protocol.FindCoordinatorResponse) {
	if m.CorrelationID != c.coordInFlight {
		return
	}
	c.coordInFlight = 0
	if c.refusedAccess(m.Error, c.settings.Group) {
		return
	}
	if m.Error != protocol.None {
		c.retryLater()
		return
	}
	c.coordinator = m.NodeID
	c.run()
}

// coordinatorLost forgets the coordinator after NOT_COORDINATOR and the like.
func (c *Consumer) coordinatorLost() {
	c.coordinator = -1
	c.joinInFlight, c.syncInFlight, c.offsetsInFlight = 0, 0, 0
	c.retryLater()
}

func (c *Consumer) sendJoin() {
	req := &protocol.JoinGroupRequest{CorrelationID: c.next(), GroupID: c.settings.Group, SessionTimeoutMs: int32(c.cfg.sessionTimeoutMs),
		RebalanceTimeoutMs: int32(c.cfg.maxPollIntervalMs), MemberID: c.memberID, ClientID: c.settings.ClientID,
		ProtocolType: protocol.ConsumerProtocolType, RequireKnownMemberID: true, GroupInstanceID: c.GroupInstanceID(),
		SupportsSkipAssignment: true}
	for _, name := range c.cfg.assignors {
		sub := protocol.Subscription{Topics: c.settings.Topics}
		if Cooperative(name) {
			sub.OwnedPartitions = c.assignment
		}
		req.Protocols = append(req.Protocols, protocol.GroupProtocol{Name: name, Subscription: sub})
	}
	c.joinInFlight = req.CorrelationID
	c.conns.send(c.settings.BrokerNode(c.coordinator), req)
	c.sim.SetTimer(c.node, c.cfg.maxPollIntervalMs+5000, consumerTimeout{correlation: req.CorrelationID})
}

// revoke gives up partitions: their positions and fetched records go.
func (c *Consumer) revoke(tps []protocol.TopicPartition) {
	if c.cfg.autoCommit && c.joined {
		c.commit(true)
	}
	gone := map[protocol.TopicPartition]bool{}
	for _, tp := range tps {
		gone[tp] = true
		delete(c.positions, tp)
		delete(c.fetchOffsets, tp)
	}
	kept := c.buffer[:0]
	for _, r := range c.buffer {
		if !gone[r.TopicPartition] {
			kept = append(kept, r)
		}
	}
	c.buffer = kept
	var remaining []protocol.TopicPartition
	for _, tp := range c.assignment {
		if !gone[tp] {
			remaining = append(remaining, tp)
		}
	}
	c.assignment = remaining
	c.sim.Record(c.node, "revoke", describeTPs(tps))
}

func describeTPs(tps []protocol.TopicPartition) string {
	out := "["
	for i, tp := range tps {
		if i > 0 {
			out += " "
		}
		out += tp.String()
	}
	return out + "]"
}

func (c *Consumer) onJoinGroup(m *protocol.JoinGroupResponse) {
	if m.CorrelationID != c.joinInFlight {
		return
	}
	c.joinInFlight = 0
	if c.refusedAccess(m.Error, c.settings.Group) {
		return
	}
	switch m.Error {
	case protocol.None:
	case protocol.MemberIDRequired:
		c.memberID = m.MemberID
		c.run()
		return
	case protocol.UnknownMemberID, protocol.IllegalGeneration:
		c.memberID, c.generation = "", -1
		c.retryLater()
		return
	case protocol.NotCoordinator, protocol.CoordinatorNotAvailable, protocol.CoordinatorLoadInProgress:
		c.coordinatorLost()
		return
	case protocol.FencedInstanceID:
		c.fenced()
		return
	default:
		c.retryLater()
		return
	}
	c.memberID, c.generation, c.protocol = m.MemberID, m.GenerationID, m.ProtocolName
	c.assignedCounts = nil
	req := &protocol.SyncGroupRequest{CorrelationID: c.next(), GroupID: c.settings.Group, GenerationID: m.GenerationID, MemberID: m.MemberID,
		GroupInstanceID: c.GroupInstanceID()}
	switch {
	case m.Leader == m.MemberID && m.SkipAssignment:
		// A static leader back without a rebalance (KIP-814): it keeps
		// the group's assignment and watches the partition counts from
		// now on, as Java's onLeaderElected does.
		c.assignedCounts = c.subscribedCounts(m)
		c.sim.Record(c.node, "assign", "skipped: a static leader back without a rebalance keeps the group's assignment")
	case m.Leader == m.MemberID:
		req.Assignments = c.computeAssignment(m)
	}
	c.syncInFlight = req.CorrelationID
	c.conns.send(c.settings.BrokerNode(c.coordinator), req)
	c.sim.SetTimer(c.node, c.cfg.requestTimeoutMs, consumerTimeout{correlation: req.CorrelationID})
}

// subscribedCounts are the partition counts, as this consumer knows them,
// of every topic a member of the group subscribes to.
func (c *Consumer) subscribedCounts(m *protocol.JoinGroupResponse) map[string]int32 {
	partitions := map[string]int32{}
	for _, member := range m.Members {
		for _, t := range member.Subscription.Topics {
			partitions[t] = int32(len(c.topics[t]))
		}
	}
	return partitions
}

// computeAssignment runs the group's assignor as the leader.
func (c *Consumer) computeAssignment(m *protocol.JoinGroupResponse) []protocol.SyncGroupAssignment {
	partitions := c.subscribedCounts(m)
	var members []AssignMember
	for _, member := range m.Members {
		members = append(members, AssignMember{MemberID: member.MemberID, GroupInstanceID: member.GroupInstanceID, Topics: member.Subscription.Topics,
			Owned: member.Subscription.OwnedPartitions})
	}
	c.assignedCounts = partitions
	assignment := Assign(m.ProtocolName, members, partitions)
	var out []protocol.SyncGroupAssignment
	for _, member := range m.Members {
		out = append(out, protocol.SyncGroupAssignment{MemberID: member.MemberID, Partitions: assignment[member.MemberID]})
		c.sim.Record(c.node, "assign", fmt.Sprintf("%s %s -> %s", m.ProtocolName, member.ClientID, describeTPs(assignment[member.MemberID])))
	}
	return out
}

func (c *Consumer) onSyncGroup(m *protocol.SyncGroupResponse) {
	if m.CorrelationID != c.syncInFlight {
		return
	}
	c.syncInFlight = 0
	if c.refusedAccess(m.Error, c.settings.Group) {
		return
	}
	switch m.Error {
	case protocol.None:
	case protocol.NotCoordinator, protocol.CoordinatorNotAvailable:
		c.coordinatorLost()
		return
	case protocol.UnknownMemberID:
		c.memberID, c.generation = "", -1
		c.retryLater()
		return
	case protocol.FencedInstanceID:
		c.fenced()
		return
	default:
		c.needsRejoin = true
		c.retryLater()
		return
	}
	if topic, ok := c.unsubscribedTopic(m.Partitions); ok {
		// Java's checkAssignmentMatchedSubscription: an assignment made
		// for another subscription (a static member restarted with other
		// topics got its old one back) is not taken; the member rejoins
		// with its subscription, which rebalances.
		c.sim.Record(c.node, "rejoin", fmt.Sprintf("the assignment has %s, which this consumer does not subscribe to", topic))
		c.joined, c.needsRejoin = true, true
		c.armHeartbeat()
		c.run()
		return
	}
	owned := map[protocol.TopicPartition]bool{}
	for _, tp := range m.Partitions {
		owned[tp] = true
	}
	var revoked []protocol.TopicPartition
	for _, tp := range c.assignment {
		if !owned[tp] {
			revoked = append(revoked, tp)
		}
	}
	c.joined, c.needsRejoin = true, false
	if len(revoked) > 0 {
		c.revoke(revoked)
		// Cooperative: what was given up goes to its new owner in a
		// second rebalance.
		c.needsRejoin = Cooperative(c.protocol)
	}
	c.assignment = append([]protocol.TopicPartition(nil), m.Partitions...)
	sortTPs(c.assignment)
	c.sim.Record(c.node, "assigned", fmt.Sprintf("generation %d %s", c.generation, describeTPs(c.assignment)))
	c.armHeartbeat()
	c.run()
}

// unsubscribedTopic returns a topic of the assignment that the consumer
// does not subscribe to, if any.
func (c *Consumer) unsubscribedTopic(tps []protocol.TopicPartition) (string, bool) {
	for _, tp := range tps {
		if !slices.Contains(c.settings.Topics, tp.Topic) {
			return tp.Topic, true
		}
	}
	return "", false
}

// fenced handles FENCED_INSTANCE_ID: another process of the same
// group.instance.id took this member's place. The Java consumer throws
// FencedInstanceIdException from poll; this one's poll fails with it and
// its heartbeats stop. A later poll joins again with the old member id,
// fenced again while the other process holds the instance.
func (c *Consumer) fenced() {
	c.sim.Record(c.node, "fenced", fmt.Sprintf("group.instance.id %s was taken by another member: FENCED_INSTANCE_ID", c.cfg.instanceID))
	c.joined = false
	c.heartbeatToken++
	c.refused(protocol.FencedInstanceID, protocol.FencedInstanceID.Info().Message)
}

func (c *Consumer) armHeartbeat() {
	c.heartbeatToken++
	c.sim.SetTimer(c.node, c.cfg.heartbeatIntervalMs, heartbeatTimer{token: c.heartbeatToken})
}

// onHeartbeatTimer is the background heartbeat thread: it heartbeats,
// and leaves the group when poll was not called for max.poll.interval.ms.
func (c *Consumer) onHeartbeatTimer(m heartbeatTimer) {
	if m.token != c.heartbeatToken || c.memberID == "" {
		return
	}
	if c.coordinator < 0 {
		// The heartbeat thread looks the coordinator up itself, so a
		// member between polls learns that it moved.
		c.lookupCoordinator()
		c.armHeartbeat()
		return
	}
	if c.sim.Now()-c.lastPollMs > c.cfg.maxPollIntervalMs {
		c.pollTimeout()
		return
	}
	c.conns.send(c.settings.BrokerNode(c.coordinator), &protocol.HeartbeatRequest{CorrelationID: c.next(),
		GroupID: c.settings.Group, GenerationID: c.generation, MemberID: c.memberID, GroupInstanceID: c.GroupInstanceID()})
	c.armHeartbeat()
}

// pollTimeout is max.poll.interval.ms passing without a poll: the member
// leaves its group (Java's maybeLeaveGroup) and forgets its member id. A
// static member sends no LeaveGroup: its next poll joins again with its
// instance id, in its old place.
func (c *Consumer) pollTimeout() {
	idleMs := c.sim.Now() - c.lastPollMs
	if c.GroupInstanceID() != "" {
		c.sim.Record(c.node, "leave", fmt.Sprintf("poll timeout: no poll for %dms > max.poll.interval.ms %d; a static member sends no LeaveGroup",
			idleMs, c.cfg.maxPollIntervalMs))
	} else {
		c.sim.Record(c.node, "leave", fmt.Sprintf("poll timeout: no poll for %dms > max.poll.interval.ms %d", idleMs, c.cfg.maxPollIntervalMs))
		c.conns.send(c.settings.BrokerNode(c.coordinator), &protocol.LeaveGroupRequest{CorrelationID: c.next(),
			GroupID: c.settings.Group, MemberID: c.memberID, Reason: "consumer poll timeout has expired"})
	}
	c.memberID, c.generation, c.joined = "", -1, false
}

func (c *Consumer) onHeartbeat(m *protocol.HeartbeatResponse) {
	if c.refusedAccess(m.Error, c.settings.Group) {
		return
	}
	switch m.Error {
	case protocol.None:
	case protocol.RebalanceInProgress:
		c.needsRejoin = true
	case protocol.UnknownMemberID, protocol.IllegalGeneration:
		c.memberID, c.generation, c.joined = "", -1, false
	case protocol.NotCoordinator, protocol.CoordinatorNotAvailable:
		c.coordinatorLost()
		return
	case protocol.FencedInstanceID:
		c.fenced()
		return
	default:
		return
	}
	// A poll in progress rejoins now, as the Java poll loop wakes up at
	// the latest at the next heartbeat.
	c.run()
}

// ensurePositions finds where to read each assigned partition: the
// committed offset (OffsetFetch), else auto.offset.reset (ListOffsets).
func (c *Consumer) ensurePositions() {
	var unknown []protocol.TopicPartition
	for _, tp := range c.assignment {
		if _, ok := c.positions[tp]; !ok && !c.resetInFlight[tp] {
			unknown = append(unknown, tp)
		}
	}
	if len(unknown) == 0 {
		return
	}
	if c.settings.Group != "" && c.coordinator >= 0 && c.offsetsInFlight == 0 {
		c.offsetsInFlight = c.next()
		c.conns.send(c.settings.BrokerNode(c.coordinator), &protocol.OffsetFetchRequest{CorrelationID: c.offsetsInFlight,
			GroupID: c.settings.Group, Partitions: unknown, RequireStable: c.cfg.readCommitted})
		c.sim.SetTimer(c.node, c.cfg.requestTimeoutMs, consumerTimeout{correlation: c.offsetsInFlight})
		return
	}
	if c.settings.Group == "" {
		c.resetPositions(unknown)
	}
}

func (c *Consumer) onOffsetFetch(m *protocol.OffsetFetchResponse) {
	if m.CorrelationID != c.offsetsInFlight {
		return
	}
	c.offsetsInFlight = 0
	resource := c.settings.Group
	if m.Error == protocol.TopicAuthorizationFailed {
		resource = strings.Join(c.settings.Topics, ", ")
	}
	if c.refusedAccess(m.Error, resource) {
		return
	}
	if m.Error != protocol.None {
		if m.Error == protocol.NotCoordinator || m.Error == protocol.CoordinatorNotAvailable {
			c.coordinatorLost()
		} else {
			c.retryLater()
		}
		return
	}
	var reset []protocol.TopicPartition
	for _, o := range m.Offsets {
		if !c.assigned(o.TopicPartition) {
			continue
		}
		if o.Offset >= 0 {
			c.positions[o.TopicPartition] = o.Offset
			c.fetchOffsets[o.TopicPartition] = o.Offset
		} else {
			reset = append(reset, o.TopicPartition)
		}
	}
	c.resetPositions(reset)
	c.run()
}

func (c *Consumer) assigned(tp protocol.TopicPartition) bool {
	for _, x := range c.assignment {
		if x == tp {
			return true
		}
	}
	return false
}

// resetPositions applies auto.offset.reset where no offset is committed.
func (c *Consumer) resetPositions(tps []protocol.TopicPartition) {
	if len(tps) == 0 {
		return
	}
	if c.cfg.reset == "none" {
		c.failPoll(protocol.NoOffsetForPartition, "Undefined offset with no reset policy for partitions: "+describeTPs(tps))
		return
	}
	timestamp := protocol.LatestTimestamp
	if c.cfg.reset == "earliest" {
		timestamp = protocol.EarliestTimestamp
	}
	byLeader := map[int32]*protocol.ListOffsetsRequest{}
	for _, tp := range tps {
		leader := c.leaderOf(tp)
		if leader < 0 {
			continue
		}
		req := byLeader[leader]
		if req == nil {
			req = &protocol.ListOffsetsRequest{CorrelationID: c.next(), ReplicaID: -1}
			if c.cfg.readCommitted {
				req.IsolationLevel = protocol.ReadCommitted
			}
			byLeader[leader] = req
		}
		req.Partitions = append(req.Partitions, protocol.ListOffsetsPartition{TopicPartition: tp, CurrentLeaderEpoch: -1, TimestampMs: timestamp})
		c.resetInFlight[tp] = true
	}
	for _, leader := range sortedLeaderKeys(byLeader) {
		req := byLeader[leader]
		c.conns.send(c.settings.BrokerNode(leader), req)
		c.sim.SetTimer(c.node, c.cfg.requestTimeoutMs, consumerTimeout{correlation: req.CorrelationID})
	}
}

func sortedLeaderKeys[V any](m map[int32]V) []int32 {
	out := make([]int32, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func (c *Consumer) onListOffsets(m *protocol.ListOffsetsResponse) {
	for _, r := range m.Partitions {
		delete(c.resetInFlight, r.TopicPartition)
		if c.refusedAccess(r.Error, r.Topic) {
			continue
		}
		if r.Error != protocol.None {
			// A stale leader: look the partition up again.
			c.topics[r.Topic] = nil
			continue
		}
		if !c.assigned(r.TopicPartition) {
			continue
		}
		c.positions[r.TopicPartition] = r.Offset
		c.fetchOffsets[r.TopicPartition] = r.Offset
		c.sim.Record(c.node, "reset", fmt.Sprintf("%s to %d (auto.offset.reset=%s)", r.TopicPartition, r.Offset, c.cfg.reset))
	}
	c.retryLater()
}

// sendFetches sends one FetchRequest per leader for assigned partitions
// with a known position.
func (c *Consumer) sendFetches() {
	byLeader := map[int32]*protocol.FetchRequest{}
	wait := c.cfg.fetchMaxWaitMs
	if c.poll != nil {
		wait = max(min(wait, c.poll.deadlineMs-c.sim.Now()), 0)
	}
	for _, tp := range c.assignment {
		offset, ok := c.fetchOffsets[tp]
		leader := c.leaderOf(tp)
		if !ok || leader < 0 || c.fetching[c.settings.BrokerNode(leader)] != 0 {
			continue
		}
		req := byLeader[leader]
		if req == nil {
			req = &protocol.FetchRequest{CorrelationID: c.next(), ReplicaID: protocol.ConsumerReplicaID, MaxWaitMs: int32(wait),
				MinBytes: c.cfg.fetchMinBytes, MaxBytes: c.cfg.fetchMaxBytes}
			if c.cfg.readCommitted {
				req.IsolationLevel = protocol.ReadCommitted
			}
			byLeader[leader] = req
		}
		req.Partitions = append(req.Partitions, protocol.FetchPartition{TopicPartition: tp, CurrentLeaderEpoch: -1, FetchOffset: offset,
			LastFetchedEpoch: -1, PartitionMaxBytes: c.cfg.maxPartitionFetchBytes})
	}
	for _, leader := range sortedLeaderKeys(byLeader) {
		req := byLeader[leader]
		node := c.settings.BrokerNode(leader)
		c.fetching[node] = req.CorrelationID
		c.conns.send(node, req)
		c.sim.SetTimer(c.node, c.cfg.requestTimeoutMs, consumerTimeout{correlation: req.CorrelationID})
	}
}

func (c *Consumer) onFetch(from sim.NodeID, m *protocol.FetchResponse) {
	if c.fetching[from] != m.CorrelationID {
		return
	}
	delete(c.fetching, from)
	for _, r := range m.Partitions {
		offset, ok := c.fetchOffsets[r.TopicPartition]
		if !ok || !c.assigned(r.TopicPartition) {
			continue
		}
		switch r.Error {
		case protocol.None:
			c.aborted[r.TopicPartition] = append(c.aborted[r.TopicPartition], r.AbortedTransactions...)
			c.fetchOffsets[r.TopicPartition] = c.takeRecords(r, offset)
		case protocol.OffsetOutOfRange:
			c.sim.Record(c.node, "out-of-range", fmt.Sprintf("%s offset %d (log start %d)", r.TopicPartition, offset, r.LogStartOffset))
			delete(c.positions, r.TopicPartition)
			delete(c.fetchOffsets, r.TopicPartition)
			c.resetPositions([]protocol.TopicPartition{r.TopicPartition})
		case protocol.TopicAuthorizationFailed:
			c.refusedAccess(r.Error, r.Topic)
		default:
			c.topics[r.Topic] = nil
		}
	}
	c.run()
}

// takeRecords buffers a partition's fetched records from offset on and
// returns the next fetch offset. Control records never reach the
// application; read_committed skips aborted transactions' records.
func (c *Consumer) takeRecords(r protocol.FetchPartitionResponse, offset int64) int64 {
	next := offset
	for _, batch := range r.Batches {
		next = max(next, batch.NextOffset())
		if batch.Control {
			c.dropAborted(r.TopicPartition, batch)
			continue
		}
		if c.cfg.readCommitted && batch.Transactional && c.isAborted(r.TopicPartition, batch) {
			continue
		}
		for i, rec := range batch.Records.All() {
			if o := batch.BaseOffset + int64(i); o >= offset {
				c.buffer = append(c.buffer, ConsumerRecord{TopicPartition: r.TopicPartition, Offset: o, Record: rec})
			}
		}
	}
	return next
}

func (c *Consumer) isAborted(tp protocol.TopicPartition, batch *record.Batch) bool {
	for _, a := range c.aborted[tp] {
		if a.ProducerID == batch.ProducerID && a.FirstOffset <= batch.BaseOffset {
			return true
		}
	}
	return false
}

// dropAborted forgets an aborted transaction once its marker is read.
func (c *Consumer) dropAborted(tp protocol.TopicPartition, marker *record.Batch) {
	list := c.aborted[tp]
	for i, a := range list {
		if a.ProducerID == marker.ProducerID && a.FirstOffset <= marker.BaseOffset {
			c.aborted[tp] = append(list[:i:i], list[i+1:]...)
			return
		}
	}
}

func (c *Consumer) onOffsetCommit(m *protocol.OffsetCommitResponse) {
	f := c.commits[m.CorrelationID]
	if f == nil {
		return
	}
	delete(c.commits, m.CorrelationID)
	switch m.Error {
	case protocol.RebalanceInProgress:
		c.needsRejoin = true
	case protocol.IllegalGeneration, protocol.UnknownMemberID:
		// CommitFailedException: the member is no longer one; it
		// rejoins with a fresh member id.
		c.memberID, c.generation, c.joined = "", -1, false
	case protocol.NotCoordinator, protocol.CoordinatorNotAvailable:
		c.coordinatorLost()
	}
	f.complete(m.Error, m.Error.Info().Message, nil)
	c.run()
}

func (c *Consumer) onTimeout(corr int32) {
	switch corr {
	case c.metaInFlight:
		c.metaInFlight = 0
	case c.coordInFlight:
		c.coordInFlight = 0
	case c.joinInFlight, c.syncInFlight:
		c.coordinatorLost()
	case c.offsetsInFlight:
		c.offsetsInFlight = 0
	default:
		for node, inFlight := range c.fetching {
			if inFlight == corr {
				delete(c.fetching, node)
			}
		}
		if f := c.commits[corr]; f != nil {
			delete(c.commits, corr)
			f.complete(protocol.RequestTimedOut, "Timeout of the commit request", nil)
		}
		// A lost ListOffsets: look the positions up again.
		c.resetInFlight = map[protocol.TopicPartition]bool{}
	}
	c.retryLater()
}

// onDisconnected forgets what was in flight to the peer, as a closed
// connection fails its requests at once (NetworkClient's disconnect), so
// that the retry goes elsewhere instead of waiting out request.timeout.ms.
func (c *Consumer) onDisconnected(peer sim.NodeID) {
	delete(c.fetching, peer)
	if c.metaInFlight != 0 && c.metaTo == peer {
		c.metaInFlight = 0
	}
	if c.coordInFlight != 0 && c.coordTo == peer {
		c.coordInFlight = 0
	}
	if c.coordinator >= 0 && c.settings.BrokerNode(c.coordinator) == peer {
		c.coordinatorLost()
	}
	c.forgetLeader(peer)
	c.retryLater()
}

// forgetLeader marks the partitions led by a broker that went away as
// leaderless, which asks for fresh metadata; their count stays known, so
// a leader computing an assignment meanwhile still sees every partition.
func (c *Consumer) forgetLeader(peer sim.NodeID) {
	for _, t := range c.settings.Topics {
		copied := false
		parts := c.topics[t]
		for i, pm := range parts {
			if pm.Leader < 0 || c.settings.BrokerNode(pm.Leader) != peer {
				continue
			}
			if !copied { // the slice came from a response: copy before writing
				parts, copied = append([]protocol.PartitionMetadata(nil), parts...), true
			}
			parts[i].Leader = -1
		}
		c.topics[t] = parts
	}
}

// checkAssignedCounts makes the group leader rejoin when a subscribed
// topic's partition count differs from the one it assigned from, as the
// Java consumer compares its assignment snapshot with fresh metadata, so
// partitions added to a topic get an owner.
func (c *Consumer) checkAssignedCounts() {
	for _, t := range c.settings.Topics {
		want, ok := c.assignedCounts[t]
		if have := int32(len(c.topics[t])); ok && have > 0 && have != want {
			c.sim.Record(c.node, "rejoin", fmt.Sprintf("partitions of %s changed %d -> %d since the assignment", t, want, have))
			c.assignedCounts, c.needsRejoin = nil, true
			return
		}
	}
}

// haveMetadata reports whether every subscribed topic's partitions are known.
func (c *Consumer) haveMetadata() bool {
	for _, t := range c.settings.Topics {
		if len(c.topics[t]) == 0 {
			return false
		}
	}
	return true
}
