package broker

// The group coordinator (classic protocol), as Kafka's GroupCoordinator:
// the leader of the __consumer_offsets partition a group id hashes to.
// Groups move through Empty, PreparingRebalance, CompletingRebalance,
// Stable and Dead. The first member to join leads and computes the
// assignment; each rebalance starts a new generation. Committed offsets
// and the group's metadata (generation, leader, members, assignments) are
// records of the coordinator's partition, so a new coordinator reloads
// them and a Stable group survives a coordinator failover. Static members
// (group.instance.id, KIP-345) are in group_static.go.

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/record"
	"github.com/kafka-playground/playground/core/security"
	"github.com/kafka-playground/playground/core/sim"
)

// Group states.
const (
	GroupEmpty               = "Empty"
	GroupPreparingRebalance  = "PreparingRebalance"
	GroupCompletingRebalance = "CompletingRebalance"
	GroupStable              = "Stable"
	GroupDead                = "Dead"
)

// GroupMember is one member of a group.
type GroupMember struct {
	MemberID string
	// GroupInstanceID is a static member's instance id (KIP-345), ""
	// for a dynamic member.
	GroupInstanceID    string
	ClientID           string
	ClientHost         string
	Node               sim.NodeID
	SessionTimeoutMs   int64
	RebalanceTimeoutMs int64
	Protocols          []protocol.GroupProtocol
	Assignment         []protocol.TopicPartition
	// AssignmentBytes is the assignment as the leader's client encoded
	// it, nil when the leader is a simulated client.
	AssignmentBytes []byte
	lastHeartbeatMs int64
	sessionToken    uint64 // of the one live session check
	join            *pendingGroupCall
	sync            *pendingGroupCall
}

type pendingGroupCall struct {
	from        sim.NodeID
	correlation int32
}

// Group is one consumer group at its coordinator.
type Group struct {
	ID         string
	State      string
	Generation int32
	// ProtocolType is the class of protocols of its members ("consumer"),
	// taken from the first member to join an Empty group; "" for a group
	// that only ever had offsets committed.
	ProtocolType string
	Protocol     string
	Leader       string
	Members      map[string]*GroupMember
	// staticMembers maps each static member's instance id to its
	// current member id.
	staticMembers map[string]string
	Offsets       map[protocol.TopicPartition]int64
	// pendingTxnOffsets are offsets committed in a transaction not yet
	// ended, by producer id.
	pendingTxnOffsets map[int64]map[protocol.TopicPartition]int64
	joinOrder         []string
	rebalanceToken    uint64
	// initialDelay marks a rebalance of a group that was empty: it waits
	// group.initial.rebalance.delay.ms for more members even once all in.
	initialDelay bool
	// pendingMembers are member ids handed out (MEMBER_ID_REQUIRED) and
	// not yet used to join.
	pendingMembers   map[string]bool
	nextMemberNumber int
	// commitMs is when each offset was committed, and stateSinceMs when
	// the group last became Empty: offsets.retention.minutes counts from
	// them.
	commitMs     map[protocol.TopicPartition]int64
	stateSinceMs int64
}

// setOffset records a committed offset and when it was committed.
func (g *Group) setOffset(tp protocol.TopicPartition, offset, atMs int64) {
	g.Offsets[tp] = offset
	g.commitMs[tp] = atMs
}

type (
	groupRebalanceDeadline struct {
		group string
		token uint64
	}
	groupSessionCheck struct {
		group  string
		member string
		token  uint64
	}
	offsetsRetentionCheck struct{ token uint64 }
)

func (b *Broker) startGroupCoordinator() {
	b.groups = map[string]*Group{}
	b.groupLoaded = map[int32]int32{}
	b.sim.SetTimer(b.node, b.brokerInt("offsets.retention.check.interval.ms"), offsetsRetentionCheck{token: b.token})
}

// onOffsetsRetentionCheck expires committed offsets, as Kafka's
// GroupMetadataManager.cleanupGroupMetadata every
// offsets.retention.check.interval.ms: an Empty group loses its offsets
// offsets.retention.minutes after it became Empty (a group that never had
// members, after each commit), written as tombstones; an Empty group left
// without offsets is Dead and removed.
func (b *Broker) onOffsetsRetentionCheck(m offsetsRetentionCheck) {
	if m.token != b.token {
		return
	}
	b.sim.SetTimer(b.node, b.brokerInt("offsets.retention.check.interval.ms"), m)
	retentionMs := b.brokerInt("offsets.retention.minutes") * 60000
	for _, g := range b.Groups() {
		if g.State != GroupEmpty {
			continue
		}
		var expired []protocol.TopicPartition
		for _, tp := range sortedTPKeys(g.Offsets) {
			base := g.commitMs[tp]
			if g.Generation > 0 {
				base = g.stateSinceMs
			}
			if b.now()-base >= retentionMs {
				expired = append(expired, tp)
			}
		}
		if len(expired) == 0 && len(g.Offsets) > 0 {
			continue
		}
		var tombstones []record.Record
		for _, tp := range expired {
			delete(g.Offsets, tp)
			delete(g.commitMs, tp)
			tombstones = append(tombstones, record.Record{Key: offsetKey(g.ID, tp), ValueNull: true, TimestampMs: b.now()})
		}
		if len(expired) > 0 {
			b.record("group", "%s %d offsets expired (offsets.retention.minutes %d)", g.ID, len(expired), retentionMs/60000)
		}
		if len(g.Offsets) == 0 && len(g.pendingTxnOffsets) == 0 {
			g.State = GroupDead
			delete(b.groups, g.ID)
			tombstones = append(tombstones, record.Record{Key: "group|" + g.ID, ValueNull: true, TimestampMs: b.now()})
			b.record("group", "%s Dead: Empty without offsets", g.ID)
		}
		if len(tombstones) == 0 {
			continue // nothing expired; transactional offsets still pending keep the group
		}
		p, _ := b.groupCoordinatorFor(g.ID)
		b.appendLocally([]protocol.ProducePartition{{TopicPartition: p.tp, Batch: record.NewBatch(tombstones)}}, txnWriteTimeoutMs,
			appendIgnored{})
	}
}

// groupCoordinatorFor returns the group's __consumer_offsets partition if
// this broker coordinates it, or the error a client gets (an empty group
// id is INVALID_GROUP_ID, as Kafka's GroupCoordinatorService says first).
func (b *Broker) groupCoordinatorFor(id string) (*partition, protocol.ErrorCode) {
	if id == "" {
		return nil, protocol.InvalidGroupID
	}
	t := b.disk.Image.Topics[ConsumerOffsetsTopic]
	if t == nil {
		return nil, protocol.CoordinatorNotAvailable
	}
	tp := protocol.TopicPartition{Topic: ConsumerOffsetsTopic, Partition: CoordinatorPartition(id, int32(len(t.Partitions)))}
	p := b.partitions[tp]
	if p == nil || p.role != roleLeader {
		return nil, protocol.NotCoordinator
	}
	if epoch, ok := b.groupLoaded[tp.Partition]; !ok || epoch != p.leaderEpoch {
		return nil, protocol.CoordinatorLoadInProgress
	}
	return p, protocol.None
}

// onGroupPartitionsChanged loads the offsets of __consumer_offsets
// partitions this broker now leads and forgets groups it no longer
// coordinates.
func (b *Broker) onGroupPartitionsChanged() {
	count := int32(1)
	if t := b.disk.Image.Topics[ConsumerOffsetsTopic]; t != nil {
		count = int32(len(t.Partitions))
	}
	for _, tp := range b.sortedPartitions() {
		if tp.Topic != ConsumerOffsetsTopic {
			continue
		}
		p := b.partitions[tp]
		epoch, loaded := b.groupLoaded[tp.Partition]
		switch {
		case p.role == roleLeader && (!loaded || epoch != p.leaderEpoch):
			b.loadGroupPartition(p, count)
		case p.role != roleLeader && loaded:
			delete(b.groupLoaded, tp.Partition)
			for _, id := range b.sortedGroupIDs() {
				if CoordinatorPartition(id, count) == tp.Partition {
					b.unloadGroup(b.groups[id])
				}
			}
		}
	}
}

// unloadGroup drops a group this broker no longer coordinates, answering
// its members' JoinGroup and SyncGroup requests in waiting with
// NOT_COORDINATOR, as Kafka's GroupCoordinator.onGroupUnloaded does, so
// that they find the new coordinator now rather than at their request
// timeout.
func (b *Broker) unloadGroup(g *Group) {
	for _, id := range g.SortedMemberIDs() { // sends: in a fixed order
		m := g.Members[id]
		if m.join != nil {
			b.record("group", "%s unloaded: member %s's JoinGroup answered NOT_COORDINATOR", g.ID, m.ClientID)
			b.sendGroup(m.join.from, &protocol.JoinGroupResponse{CorrelationID: m.join.correlation, GenerationID: -1, MemberID: id,
				Error: protocol.NotCoordinator})
			m.join = nil
		}
		if m.sync != nil {
			b.record("group", "%s unloaded: member %s's SyncGroup answered NOT_COORDINATOR", g.ID, m.ClientID)
			b.sendGroup(m.sync.from, &protocol.SyncGroupResponse{CorrelationID: m.sync.correlation, Error: protocol.NotCoordinator})
			m.sync = nil
		}
	}
	g.State = GroupDead
	delete(b.groups, g.ID)
}

func (b *Broker) sortedGroupIDs() []string {
	ids := make([]string, 0, len(b.groups))
	for id := range b.groups {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func (b *Broker) group(id string) *Group {
	g := b.groups[id]
	if g == nil {
		g = &Group{ID: id, State: GroupEmpty, Members: map[string]*GroupMember{}, Offsets: map[protocol.TopicPartition]int64{},
			pendingTxnOffsets: map[int64]map[protocol.TopicPartition]int64{}, pendingMembers: map[string]bool{},
			staticMembers: map[string]string{}, commitMs: map[protocol.TopicPartition]int64{}, stateSinceMs: b.now()}
		b.groups[id] = g
	}
	return g
}

// offsetKey is the key of an offset record: "offset|group|topic|partition".
func offsetKey(group string, tp protocol.TopicPartition) string {
	return "offset|" + group + "|" + tp.Topic + "|" + strconv.Itoa(int(tp.Partition))
}

func parseOffsetKey(key string) (string, protocol.TopicPartition, bool) {
	parts := strings.Split(key, "|")
	if len(parts) != 4 || parts[0] != "offset" {
		return "", protocol.TopicPartition{}, false
	}
	n, err := strconv.Atoi(parts[3])
	return parts[1], protocol.TopicPartition{Topic: parts[2], Partition: int32(n)}, err == nil
}

// loadGroupPartition replays a __consumer_offsets partition: committed
// offsets, and transactional ones settled by their markers.
func (b *Broker) loadGroupPartition(p *partition, count int32) {
	b.groupLoaded[p.tp.Partition] = p.leaderEpoch
	pending := map[int64][]*record.Batch{}
	p.log.EachBatch(p.log.LogStartOffset(), func(batch *record.Batch) bool {
		switch {
		case batch.Control:
			if batch.ControlType == record.ControlCommit {
				for _, tb := range pending[batch.ProducerID] {
					b.applyOffsetRecords(tb)
				}
			}
			delete(pending, batch.ProducerID)
		case batch.Transactional:
			pending[batch.ProducerID] = append(pending[batch.ProducerID], batch)
		default:
			b.applyOffsetRecords(batch)
		}
		return true
	})
	for _, pid := range sortedPIDs(pending) {
		for _, tb := range pending[pid] {
			for _, r := range tb.Records.All() {
				if group, tp, ok := parseOffsetKey(r.Key); ok {
					g := b.group(group)
					if g.pendingTxnOffsets[pid] == nil {
						g.pendingTxnOffsets[pid] = map[protocol.TopicPartition]int64{}
					}
					n, _ := strconv.ParseInt(r.Value, 10, 64)
					g.pendingTxnOffsets[pid][tp] = n
				}
			}
		}
	}
	for _, id := range b.sortedGroupIDs() {
		g := b.groups[id]
		if CoordinatorPartition(id, count) != p.tp.Partition {
			continue
		}
		for _, mid := range g.joinOrder {
			m := g.Members[mid]
			m.lastHeartbeatMs = b.now()
			b.armSession(g, m)
		}
	}
	b.record("group-load", "%s loaded, coordinator epoch %d", p.tp, p.leaderEpoch)
}

func sortedPIDs[V any](m map[int64]V) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func (b *Broker) applyOffsetRecords(batch *record.Batch) {
	for _, r := range batch.Records.All() {
		if group, tp, ok := parseOffsetKey(r.Key); ok {
			g := b.group(group)
			if r.ValueNull {
				delete(g.Offsets, tp)
				delete(g.commitMs, tp)
				continue
			}
			n, _ := strconv.ParseInt(r.Value, 10, 64)
			g.setOffset(tp, n, r.TimestampMs)
		} else if id, found := strings.CutPrefix(r.Key, "group|"); found {
			if r.ValueNull {
				// The group's metadata is gone; offsets committed after
				// the tombstone was decided stay (their own tombstones
				// remove expired ones).
				g := b.group(id)
				g.Generation, g.State, g.ProtocolType, g.Protocol, g.Leader = 0, GroupEmpty, "", "", ""
				g.Members, g.staticMembers, g.joinOrder = map[string]*GroupMember{}, map[string]string{}, nil
				if len(g.Offsets) == 0 && len(g.pendingTxnOffsets) == 0 {
					delete(b.groups, id)
				}
				continue
			}
			b.applyGroupRecord(id, r.Value, r.TimestampMs)
		}
	}
}

// groupRecord is the value of a group's metadata record ("group|<id>"),
// as Kafka's GroupMetadataValue: written when a generation starts (without
// members, so a new coordinator continues the numbering) and when the
// group becomes Stable or Empty (with its members and their assignments,
// so a new coordinator restores the group without a rebalance).
type groupRecord struct {
	Generation   int32          `json:"generation"`
	ProtocolType string         `json:"protocol_type,omitempty"`
	Stable       bool           `json:"stable,omitempty"`
	Protocol     string         `json:"protocol,omitempty"`
	Leader       string         `json:"leader,omitempty"`
	Members      []memberRecord `json:"members,omitempty"`
}

type memberRecord struct {
	MemberID           string                    `json:"member_id"`
	GroupInstanceID    string                    `json:"group_instance_id,omitempty"`
	ClientID           string                    `json:"client_id"`
	ClientHost         string                    `json:"client_host,omitempty"`
	Node               sim.NodeID                `json:"node"`
	SessionTimeoutMs   int64                     `json:"session_timeout_ms"`
	RebalanceTimeoutMs int64                     `json:"rebalance_timeout_ms"`
	Protocols          []protocol.GroupProtocol  `json:"protocols"`
	Assignment         []protocol.TopicPartition `json:"assignment"`
	AssignmentBytes    []byte                    `json:"assignment_bytes,omitempty"`
}

// persistGroup writes the group's metadata record to its partition.
func (b *Broker) persistGroup(g *Group) { b.persistGroupThen(g, nil) }

// groupWriteDone is what follows the write of a group's metadata record;
// a value, not a closure, so that a waiting write can be in a snapshot.
type groupWriteDone interface {
	// groupWritten takes the error a member gets when the write failed
	// (Kafka's appendGroupMetadataErrorToResponseError), NONE once it is
	// written.
	groupWritten(b *Broker, code protocol.ErrorCode)
}

// persistGroupThen writes the group's metadata record, then (when not
// nil) tells done how it went.
func (b *Broker) persistGroupThen(g *Group, done groupWriteDone) {
	p, code := b.groupCoordinatorFor(g.ID)
	if code != protocol.None {
		if done != nil {
			done.groupWritten(b, code)
		}
		return
	}
	rec := groupRecord{Generation: g.Generation, ProtocolType: g.ProtocolType}
	if g.State == GroupStable {
		rec.Stable, rec.Protocol, rec.Leader = true, g.Protocol, g.Leader
		for _, id := range g.joinOrder {
			m := g.Members[id]
			rec.Members = append(rec.Members, memberRecord{MemberID: id, GroupInstanceID: m.GroupInstanceID, ClientID: m.ClientID,
				ClientHost: m.ClientHost, Node: m.Node,
				SessionTimeoutMs: m.SessionTimeoutMs, RebalanceTimeoutMs: m.RebalanceTimeoutMs, Protocols: m.Protocols, Assignment: m.Assignment,
				AssignmentBytes: m.AssignmentBytes})
		}
	}
	value, err := json.Marshal(rec)
	if err != nil {
		panic(fmt.Sprintf("group record of %s: %v", g.ID, err)) // only plain data: cannot happen
	}
	batch := record.NewBatch([]record.Record{{Key: "group|" + g.ID, Value: string(value), TimestampMs: b.now()}})
	b.appendLocally([]protocol.ProducePartition{{TopicPartition: p.tp, Batch: batch}}, txnWriteTimeoutMs, groupAppended{then: done})
}

// groupAppended follows the append of a group's metadata record.
type groupAppended struct{ then groupWriteDone }

func (a groupAppended) appended(b *Broker, results []protocol.ProducePartitionResponse) {
	if a.then != nil {
		a.then.groupWritten(b, groupWriteError(results[0].Error))
	}
}

// appendIgnored follows an append whose outcome nobody waits for (the
// tombstones of expired offsets).
type appendIgnored struct{}

func (appendIgnored) appended(*Broker, []protocol.ProducePartitionResponse) {}

// groupWriteError is the error a group member gets for a failed write of
// its group's metadata, as Kafka's appendGroupMetadataErrorToResponseError.
func groupWriteError(code protocol.ErrorCode) protocol.ErrorCode {
	switch code {
	case protocol.UnknownTopicOrPartition, protocol.NotEnoughReplicas, protocol.RequestTimedOut:
		return protocol.CoordinatorNotAvailable
	case protocol.NotLeaderOrFollower:
		return protocol.NotCoordinator
	case protocol.MessageTooLarge, protocol.RecordListTooLarge:
		return protocol.UnknownServerError
	}
	return code
}

// applyGroupRecord restores a group from its latest metadata record. A
// Stable group comes back with its members, whose sessions start now.
func (b *Broker) applyGroupRecord(id, value string, atMs int64) {
	var rec groupRecord
	if json.Unmarshal([]byte(value), &rec) != nil {
		return
	}
	g := b.group(id)
	g.Generation, g.ProtocolType, g.Protocol, g.Leader = rec.Generation, rec.ProtocolType, rec.Protocol, rec.Leader
	g.Members, g.staticMembers, g.joinOrder, g.State, g.stateSinceMs = map[string]*GroupMember{}, map[string]string{}, nil, GroupEmpty, atMs
	if !rec.Stable || len(rec.Members) == 0 {
		g.Protocol, g.Leader = "", ""
		return
	}
	g.State = GroupStable
	if g.ProtocolType == "" {
		g.ProtocolType = protocol.ConsumerProtocolType // a record written before protocol types were kept
	}
	for _, m := range rec.Members {
		g.Members[m.MemberID] = &GroupMember{MemberID: m.MemberID, GroupInstanceID: m.GroupInstanceID, ClientID: m.ClientID,
			ClientHost: m.ClientHost, Node: m.Node, SessionTimeoutMs: m.SessionTimeoutMs, RebalanceTimeoutMs: m.RebalanceTimeoutMs,
			Protocols: m.Protocols, Assignment: m.Assignment, AssignmentBytes: m.AssignmentBytes}
		g.joinOrder = append(g.joinOrder, m.MemberID)
		if m.GroupInstanceID != "" {
			g.staticMembers[m.GroupInstanceID] = m.MemberID
		}
	}
}

// onOffsetsMarker settles transactional offsets when a transaction marker
// lands in a __consumer_offsets partition this broker coordinates.
func (b *Broker) onOffsetsMarker(tp protocol.TopicPartition, producerID int64, committed bool) {
	for _, id := range b.sortedGroupIDs() {
		g := b.groups[id]
		offsets := g.pendingTxnOffsets[producerID]
		if offsets == nil {
			continue
		}
		delete(g.pendingTxnOffsets, producerID)
		if committed {
			for _, otp := range sortedTPKeys(offsets) {
				g.setOffset(otp, offsets[otp], b.now())
			}
			b.record("group-offsets", "%s transactional offsets of producer %d committed", id, producerID)
		}
	}
}

func sortedTPKeys(m map[protocol.TopicPartition]int64) []protocol.TopicPartition {
	out := make([]protocol.TopicPartition, 0, len(m))
	for tp := range m {
		out = append(out, tp)
	}
	sortPartitions(out)
	return out
}

func (b *Broker) sendGroup(to sim.NodeID, msg sim.Message) { b.sim.Send(b.node, to, msg) }

func (b *Broker) handleJoinGroup(from sim.NodeID, req *protocol.JoinGroupRequest) {
	resp := &protocol.JoinGroupResponse{CorrelationID: req.CorrelationID, GenerationID: -1}
	if code := b.checkJoinGroup(req); code != protocol.None {
		resp.Error = code
		b.sendGroup(from, resp)
		return
	}
	g := b.groups[req.GroupID]
	if g == nil && req.MemberID != "" {
		// A member id for a group this coordinator does not have (the
		// group expired, or the coordinator moved): join again without one.
		resp.Error = protocol.UnknownMemberID
		b.sendGroup(from, resp)
		return
	}
	g = b.group(req.GroupID)
	m := g.Members[req.MemberID]
	switch {
	case m == nil && int64(len(g.Members)) >= b.brokerInt("group.max.size"):
		resp.Error = protocol.GroupMaxSizeReached
	case !supportsProtocols(g, req.ProtocolType, req.Protocols):
		resp.Error = protocol.InconsistentGroupProtocol
	case req.MemberID == "" && req.GroupInstanceID != "":
		// A static member joins at once, in its old place if it had one.
		b.joinStaticMember(g, from, req)
		return
	case req.MemberID == "" && req.RequireKnownMemberID:
		// KIP-394: the coordinator hands out the member id, the member
		// joins again with it.
		resp.MemberID = b.newMemberID(req.ClientID)
		g.pendingMembers[resp.MemberID] = true
		resp.Error = protocol.MemberIDRequired
	case req.MemberID != "" && g.pendingMembers[req.MemberID]:
		if req.GroupInstanceID != "" {
			// Kafka's IllegalStateException: a pending member id is
			// only ever handed to a dynamic member.
			resp.Error = protocol.UnknownServerError
		}
	case req.MemberID != "":
		// A member id this coordinator did not hand out (the member was
		// removed, or the coordinator moved: join again without one), or
		// one that another member id of its instance replaced.
		resp.Error = g.validateMember(req.MemberID, req.GroupInstanceID)
	}
	if resp.Error != protocol.None {
		b.sendGroup(from, resp)
		return
	}
	b.joinMember(g, from, req)
}

// checkJoinGroup is what Kafka checks of a JoinGroup before the group:
// its id, its session timeout and this broker coordinating it.
func (b *Broker) checkJoinGroup(req *protocol.JoinGroupRequest) protocol.ErrorCode {
	switch {
	case req.GroupID == "":
		return protocol.InvalidGroupID
	case int64(req.SessionTimeoutMs) < b.brokerInt("group.min.session.timeout.ms"),
		int64(req.SessionTimeoutMs) > b.brokerInt("group.max.session.timeout.ms"):
		return protocol.InvalidSessionTimeout
	}
	_, code := b.groupCoordinatorFor(req.GroupID)
	return code
}

// newMemberID makes a member id: the client id and a number unique
// across coordinators, as Kafka's client id and UUID.
func (b *Broker) newMemberID(clientID string) string {
	return fmt.Sprintf("%s-%d-%d", clientID, b.settings.ID, b.nextToken())
}

// supportsProtocols is Kafka's ClassicGroup.supportsProtocols: an Empty
// group takes any protocol type with at least one protocol; otherwise the
// type must be the group's and one protocol supported by every member.
func supportsProtocols(g *Group, protocolType string, protocols []protocol.GroupProtocol) bool {
	if g.State == GroupEmpty || len(g.Members) == 0 {
		return protocolType != "" && len(protocols) > 0
	}
	if protocolType != g.ProtocolType {
		return false
	}
	for _, p := range protocols {
		all := true
		for _, id := range g.joinOrder {
			all = all && supports(g.Members[id], p.Name)
		}
		if all {
			return true
		}
	}
	return false
}

func supports(m *GroupMember, name string) bool {
	for _, p := range m.Protocols {
		if p.Name == name {
			return true
		}
	}
	return false
}

// joinMember adds the member (or updates it) and starts or completes the
// rebalance its join calls for.
func (b *Broker) joinMember(g *Group, from sim.NodeID, req *protocol.JoinGroupRequest) {
	id := req.MemberID
	switch {
	case id == "" && req.GroupInstanceID != "":
		id = b.newMemberID(req.GroupInstanceID) // a new static member: named after its instance, as in Kafka
	case id == "":
		id = b.newMemberID(req.ClientID) // JoinGroup v0-v3: joined at once
	}
	m := g.Members[id]
	if m == nil {
		delete(g.pendingMembers, id)
		if len(g.Members) == 0 {
			g.ProtocolType = req.ProtocolType
		}
		// The client id and host stay those of the first join, as in
		// Kafka (a static member's new process keeps them too).
		m = &GroupMember{MemberID: id, GroupInstanceID: req.GroupInstanceID, ClientID: req.ClientID, ClientHost: req.ClientHost}
		if m.ClientHost == "" {
			m.ClientHost = "/" + b.sim.Name(from)
		}
		g.Members[id] = m
		g.joinOrder = append(g.joinOrder, id)
		if m.GroupInstanceID != "" {
			g.staticMembers[m.GroupInstanceID] = id
		}
		b.record("group-join", "%s member %s joins%s%s", g.ID, req.ClientID, staticNote(m.GroupInstanceID), reasonNote(req.Reason))
	}
	m.Node, m.Protocols = from, req.Protocols
	m.SessionTimeoutMs, m.RebalanceTimeoutMs = int64(req.SessionTimeoutMs), int64(req.RebalanceTimeoutMs)
	m.lastHeartbeatMs = b.now()
	m.join = &pendingGroupCall{from: from, correlation: req.CorrelationID}
	b.armSession(g, m)
	switch g.State {
	case GroupEmpty, GroupStable, GroupCompletingRebalance:
		b.prepareRebalance(g, "member "+req.ClientID+" joined")
	case GroupPreparingRebalance:
		b.maybeCompleteJoin(g)
	}
}

// prepareRebalance starts a rebalance: members must (re)join within the
// rebalance timeout. An empty group's first rebalance waits
// group.initial.rebalance.delay.ms for more members.
func (b *Broker) prepareRebalance(g *Group, reason string) {
	wasEmpty := g.State == GroupEmpty
	g.State = GroupPreparingRebalance
	for _, id := range g.SortedMemberIDs() { // sends: in a fixed order
		m := g.Members[id]
		if m.sync != nil {
			b.sendGroup(m.sync.from, &protocol.SyncGroupResponse{CorrelationID: m.sync.correlation, Error: protocol.RebalanceInProgress})
			m.sync = nil
		}
	}
	b.record("group", "%s PreparingRebalance (generation %d): %s", g.ID, g.Generation, reason)
	g.rebalanceToken = b.nextToken()
	delay := g.rebalanceTimeoutMs()
	g.initialDelay = wasEmpty
	if wasEmpty {
		delay = min(b.brokerInt("group.initial.rebalance.delay.ms"), delay)
	}
	b.sim.SetTimer(b.node, delay, groupRebalanceDeadline{group: g.ID, token: g.rebalanceToken})
	if !wasEmpty {
		b.maybeCompleteJoin(g)
	}
}

// maybeCompleteJoin ends the join phase once every member has rejoined.
func (b *Broker) maybeCompleteJoin(g *Group) {
	if g.State != GroupPreparingRebalance {
		return
	}
	for _, m := range g.Members {
		if m.join == nil {
			return
		}
	}
	if g.initialDelay {
		return
	}
	b.completeJoin(g)
}

func (b *Broker) onGroupRebalanceDeadline(m groupRebalanceDeadline) {
	g := b.groups[m.group]
	if g == nil || g.rebalanceToken != m.token || g.State != GroupPreparingRebalance {
		return
	}
	joined := false
	for _, id := range g.SortedMemberIDs() {
		m := g.Members[id]
		switch {
		case m.join != nil:
			joined = true
		case m.GroupInstanceID == "":
			b.record("group", "%s member %s did not rejoin in time: removed", g.ID, m.ClientID)
			b.removeMember(g, id)
		}
	}
	if !joined && len(g.Members) > 0 {
		// Only static members, none of them back: Kafka waits another
		// rebalance timeout, until their sessions expire.
		b.record("group", "%s no member rejoined in time: static members wait for their session timeouts", g.ID)
		g.rebalanceToken = b.nextToken()
		b.sim.SetTimer(b.node, g.rebalanceTimeoutMs(), groupRebalanceDeadline{group: g.ID, token: g.rebalanceToken})
		return
	}
	b.completeJoin(g)
}

// rebalanceTimeoutMs is the longest rebalance timeout of the members.
func (g *Group) rebalanceTimeoutMs() int64 {
	delay := int64(0)
	for _, m := range g.Members {
		delay = max(delay, m.RebalanceTimeoutMs)
	}
	return delay
}

// SortedMemberIDs returns the member ids in order, for anything that
// iterates members and must stay deterministic.
func (g *Group) SortedMemberIDs() []string {
	ids := make([]string, 0, len(g.Members))
	for id := range g.Members {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// removeMember takes a member out of its group; a JoinGroup or SyncGroup
// it still waits on is answered UNKNOWN_MEMBER_ID, as Kafka does.
func (b *Broker) removeMember(g *Group, id string) {
	if m := g.Members[id]; m != nil {
		if m.join != nil {
			b.sendGroup(m.join.from, &protocol.JoinGroupResponse{CorrelationID: m.join.correlation, Error: protocol.UnknownMemberID,
				GenerationID: -1, MemberID: id})
		}
		if m.sync != nil {
			b.sendGroup(m.sync.from, &protocol.SyncGroupResponse{CorrelationID: m.sync.correlation, Error: protocol.UnknownMemberID})
		}
	}
	if m := g.Members[id]; m != nil && m.GroupInstanceID != "" && g.staticMembers[m.GroupInstanceID] == id {
		delete(g.staticMembers, m.GroupInstanceID)
	}
	delete(g.Members, id)
	kept := g.joinOrder[:0]
	for _, x := range g.joinOrder {
		if x != id {
			kept = append(kept, x)
		}
	}
	g.joinOrder = kept
	if g.Leader == id {
		g.Leader = ""
	}
}

// completeJoin starts the next generation: the protocol all members
// support, the leader (kept if still there, else the first to have
// joined), and the join responses; the leader gets every member.
func (b *Broker) completeJoin(g *Group) {
	if len(g.Members) == 0 {
		g.State, g.Protocol, g.Leader, g.stateSinceMs = GroupEmpty, "", "", b.now()
		g.Generation++
		b.record("group", "%s Empty (generation %d)", g.ID, g.Generation)
		b.persistGroup(g)
		return
	}
	g.initialDelay = false
	g.Generation++
	b.persistGroup(g)
	g.Protocol = chooseProtocol(g)
	g.electJoinedLeader()
	g.State = GroupCompletingRebalance
	members := joinMembers(g)
	b.record("group", "%s CompletingRebalance generation %d protocol %s leader %s members %d", g.ID, g.Generation, g.Protocol,
		g.Members[g.Leader].ClientID, len(g.Members))
	for _, id := range g.joinOrder {
		m := g.Members[id]
		m.lastHeartbeatMs = b.now() // the generation starts: every member's session starts over, as in Kafka
		if m.join == nil {
			continue // a static member that did not rejoin keeps its place
		}
		resp := &protocol.JoinGroupResponse{CorrelationID: m.join.correlation, GenerationID: g.Generation, ProtocolType: g.ProtocolType,
			ProtocolName: g.Protocol, Leader: g.Leader, MemberID: id}
		if id == g.Leader {
			resp.Members = members
		}
		b.sendGroup(m.join.from, resp)
		m.join = nil
	}
}

// electJoinedLeader keeps the leader if it rejoined, else makes the
// first member that rejoined lead (Kafka's maybeElectNewJoinedLeader).
func (g *Group) electJoinedLeader() {
	if leader := g.Members[g.Leader]; leader != nil && leader.join != nil {
		return
	}
	for _, id := range g.joinOrder {
		if g.Members[id].join != nil {
			g.Leader = id
			return
		}
	}
	if g.Members[g.Leader] == nil {
		g.Leader = g.joinOrder[0]
	}
}

// joinMembers are the members as the leader gets them: each with its
// metadata for the group's protocol, in join order.
func joinMembers(g *Group) []protocol.JoinGroupMember {
	var members []protocol.JoinGroupMember
	for _, id := range g.joinOrder {
		m := g.Members[id]
		for _, p := range m.Protocols {
			if p.Name == g.Protocol {
				members = append(members, protocol.JoinGroupMember{MemberID: id, GroupInstanceID: m.GroupInstanceID, ClientID: m.ClientID,
					Subscription: p.Subscription, Metadata: p.Metadata})
			}
		}
	}
	return members
}

// chooseProtocol picks the first assignor of the leader's preference that
// every member supports (Kafka votes; with equal preferences it is the same).
func chooseProtocol(g *Group) string {
	first := g.Members[g.joinOrder[0]]
	for _, p := range first.Protocols {
		all := true
		for _, m := range g.Members {
			found := false
			for _, q := range m.Protocols {
				found = found || q.Name == p.Name
			}
			all = all && found
		}
		if all {
			return p.Name
		}
	}
	return first.Protocols[0].Name
}

func (b *Broker) handleSyncGroup(from sim.NodeID, req *protocol.SyncGroupRequest) {
	resp := &protocol.SyncGroupResponse{CorrelationID: req.CorrelationID}
	g, m, code := b.groupMember(req.GroupID, req.MemberID, req.GroupInstanceID, req.GenerationID)
	if code == protocol.None && (inconsistent(req.ProtocolType, g.ProtocolType) || inconsistent(req.ProtocolName, g.Protocol)) {
		code = protocol.InconsistentGroupProtocol
	}
	if code != protocol.None {
		resp.Error = code
		b.sendGroup(from, resp)
		return
	}
	switch g.State {
	case GroupPreparingRebalance:
		resp.Error = protocol.RebalanceInProgress
		b.sendGroup(from, resp)
		return
	case GroupStable:
		b.sendGroup(from, syncResponse(g, m, req.CorrelationID))
		return
	}
	m.sync = &pendingGroupCall{from: from, correlation: req.CorrelationID}
	if req.MemberID != g.Leader {
		return
	}
	// Members the leader left out get an empty assignment, as in Kafka.
	for _, member := range g.Members {
		member.Assignment, member.AssignmentBytes = nil, nil
	}
	for _, a := range req.Assignments {
		if member := g.Members[a.MemberID]; member != nil {
			member.Assignment, member.AssignmentBytes = a.Partitions, a.Assignment
		}
	}
	g.State = GroupStable
	b.record("group", "%s Stable generation %d", g.ID, g.Generation)
	b.persistGroup(g)
	for _, id := range g.SortedMemberIDs() {
		member := g.Members[id]
		if member.sync != nil {
			b.sendGroup(member.sync.from, syncResponse(g, member, member.sync.correlation))
			member.sync = nil
		}
	}
}

// inconsistent is Kafka's isProtocolInconsistent: a protocol type or name
// a SyncGroup gave (v5+) that is not the group's.
func inconsistent(given, group string) bool { return given != "" && given != group }

func syncResponse(g *Group, m *GroupMember, correlation int32) *protocol.SyncGroupResponse {
	return &protocol.SyncGroupResponse{CorrelationID: correlation, ProtocolType: g.ProtocolType, ProtocolName: g.Protocol,
		Partitions: m.Assignment, Assignment: m.AssignmentBytes}
}

// groupMember validates a member's group, id (and instance id) and
// generation.
func (b *Broker) groupMember(groupID, memberID, instanceID string, generation int32) (*Group, *GroupMember, protocol.ErrorCode) {
	if _, code := b.groupCoordinatorFor(groupID); code != protocol.None {
		return nil, nil, code
	}
	g := b.groups[groupID]
	if g == nil {
		return g, nil, protocol.UnknownMemberID
	}
	if code := g.validateMember(memberID, instanceID); code != protocol.None {
		return g, nil, code
	}
	if generation != g.Generation {
		return g, g.Members[memberID], protocol.IllegalGeneration
	}
	return g, g.Members[memberID], protocol.None
}

func (b *Broker) handleHeartbeat(from sim.NodeID, req *protocol.HeartbeatRequest) {
	resp := &protocol.HeartbeatResponse{CorrelationID: req.CorrelationID}
	g, m, code := b.groupMember(req.GroupID, req.MemberID, req.GroupInstanceID, req.GenerationID)
	switch {
	case code == protocol.IllegalGeneration && g != nil && g.State == GroupPreparingRebalance:
		resp.Error = protocol.RebalanceInProgress
	case code != protocol.None:
		resp.Error = code
	case g.State == GroupPreparingRebalance:
		resp.Error = protocol.RebalanceInProgress
	}
	if m != nil {
		m.lastHeartbeatMs = b.now()
	}
	b.sendGroup(from, resp)
}

// armSession checks the member's session session.timeout.ms from now,
// replacing any check already pending for it.
func (b *Broker) armSession(g *Group, m *GroupMember) {
	m.sessionToken = b.nextToken()
	b.sim.SetTimer(b.node, m.SessionTimeoutMs, groupSessionCheck{group: g.ID, member: m.MemberID, token: m.sessionToken})
}

func (b *Broker) onGroupSessionCheck(c groupSessionCheck) {
	g := b.groups[c.group]
	if g == nil {
		return
	}
	m := g.Members[c.member]
	if m == nil || c.token != m.sessionToken {
		return
	}
	if m.join != nil || m.sync != nil {
		// A member awaiting the join's or the sync's end counts as alive
		// (Kafka's hasSatisfiedHeartbeat); look again a session later.
		b.sim.SetTimer(b.node, m.SessionTimeoutMs, c)
		return
	}
	if idle := b.now() - m.lastHeartbeatMs; idle < m.SessionTimeoutMs {
		b.sim.SetTimer(b.node, m.SessionTimeoutMs-idle, c)
		return
	}
	b.record("group", "%s member %s%s session expired after %dms", g.ID, m.ClientID, staticNote(m.GroupInstanceID), m.SessionTimeoutMs)
	b.removeMember(g, c.member)
	b.memberLeft(g, "session timeout of "+m.ClientID)
}

// memberLeft rebalances what remains of a group after a member left.
func (b *Broker) memberLeft(g *Group, reason string) {
	switch g.State {
	case GroupStable, GroupCompletingRebalance:
		if len(g.Members) == 0 {
			g.State = GroupPreparingRebalance
			b.completeJoin(g)
			return
		}
		b.prepareRebalance(g, reason)
	case GroupPreparingRebalance:
		b.maybeCompleteJoin(g)
	}
}

func (b *Broker) handleLeaveGroup(from sim.NodeID, req *protocol.LeaveGroupRequest) {
	resp := &protocol.LeaveGroupResponse{CorrelationID: req.CorrelationID}
	if _, code := b.groupCoordinatorFor(req.GroupID); code != protocol.None {
		resp.Error = code
		b.sendGroup(from, resp)
		return
	}
	g := b.groups[req.GroupID]
	switch {
	case g == nil:
		resp.Error = protocol.UnknownMemberID
	case len(req.Members) > 0:
		resp.Members = b.leaveGroup(g, req.Members)
	default:
		resp.Error = b.leaveGroup(g, []protocol.LeaveGroupMember{{MemberID: req.MemberID, Reason: req.Reason}})[0].Error
	}
	b.sendGroup(from, resp)
}

// leaveGroup removes the members that leave, each answered on its own as
// Kafka's classicGroupLeave answers them: a member named by its instance
// id alone (an admin's RemoveMembersFromConsumerGroup) is the static
// member of that instance, a member id handed out but not yet used
// leaves quietly, any other must be a member (and its instance's current
// member id). What remains rebalances once.
func (b *Broker) leaveGroup(g *Group, members []protocol.LeaveGroupMember) []protocol.LeaveGroupMemberResponse {
	out := make([]protocol.LeaveGroupMemberResponse, 0, len(members))
	var left []string
	for _, lm := range members {
		r := protocol.LeaveGroupMemberResponse{MemberID: lm.MemberID, GroupInstanceID: lm.GroupInstanceID}
		id, isStatic := g.staticMembers[lm.GroupInstanceID]
		switch {
		case lm.MemberID == "" && (lm.GroupInstanceID == "" || !isStatic):
			r.Error = protocol.UnknownMemberID
		case lm.MemberID == "":
			left = append(left, b.removeLeaving(g, id, lm.Reason))
		case g.pendingMembers[lm.MemberID]:
			delete(g.pendingMembers, lm.MemberID)
			b.record("group-leave", "%s pending member %s leaves (%s)", g.ID, lm.MemberID, leaveReason(lm.Reason))
			left = append(left, lm.MemberID)
		default:
			if r.Error = g.validateMember(lm.MemberID, lm.GroupInstanceID); r.Error == protocol.None {
				left = append(left, b.removeLeaving(g, lm.MemberID, lm.Reason))
			}
		}
		out = append(out, r)
	}
	if len(left) > 0 {
		b.memberLeft(g, strings.Join(left, ", ")+" left the group")
	}
	return out
}

// removeLeaving removes a member that leaves and returns its client id.
func (b *Broker) removeLeaving(g *Group, memberID, reason string) string {
	m := g.Members[memberID]
	b.record("group-leave", "%s member %s leaves%s (%s)", g.ID, m.ClientID, staticNote(m.GroupInstanceID), leaveReason(reason))
	b.removeMember(g, memberID)
	return m.ClientID
}

// leaveReason is a LeaveGroup's reason as Kafka logs it.
func leaveReason(reason string) string {
	if reason == "" {
		return "not provided"
	}
	return reason
}

func (b *Broker) handleOffsetCommit(from sim.NodeID, req *protocol.OffsetCommitRequest) {
	resp := &protocol.OffsetCommitResponse{CorrelationID: req.CorrelationID}
	offsets, refused := b.existingOffsets(req.Offsets)
	resp.Refused = refused
	if len(offsets) == 0 && len(refused) > 0 {
		b.sendGroup(from, resp)
		return
	}
	p, code := b.groupCoordinatorFor(req.GroupID)
	if code == protocol.None {
		code = validateOffsetCommit(b.groups[req.GroupID], req.MemberID, req.GroupInstanceID, req.GenerationID, false)
	}
	if code != protocol.None || len(offsets) == 0 {
		resp.Error = code
		b.sendGroup(from, resp)
		return
	}
	records := make([]record.Record, 0, len(offsets))
	for _, o := range offsets {
		records = append(records, record.Record{Key: offsetKey(req.GroupID, o.TopicPartition), Value: strconv.FormatInt(o.Offset, 10), TimestampMs: b.now()})
	}
	b.appendLocally([]protocol.ProducePartition{{TopicPartition: p.tp, Batch: record.NewBatch(records)}}, txnWriteTimeoutMs,
		offsetsAppended{from: from, req: req, resp: resp, offsets: offsets})
}

// offsetsAppended answers an OffsetCommit once its offsets are written,
// and then applies them.
type offsetsAppended struct {
	from    sim.NodeID
	req     *protocol.OffsetCommitRequest
	resp    *protocol.OffsetCommitResponse
	offsets []protocol.OffsetCommitPartition
}

func (a offsetsAppended) appended(b *Broker, results []protocol.ProducePartitionResponse) {
	if results[0].Error != protocol.None {
		a.resp.Error = protocol.CoordinatorNotAvailable
	} else {
		g := b.group(a.req.GroupID)
		for _, o := range a.offsets {
			g.setOffset(o.TopicPartition, o.Offset, b.now())
		}
	}
	b.sendGroup(a.from, a.resp)
}

// existingOffsets splits a commit into the partitions that exist and the
// others, refused with UNKNOWN_TOPIC_OR_PARTITION before the coordinator
// is asked, as Kafka's KafkaApis refuses them.
func (b *Broker) existingOffsets(offsets []protocol.OffsetCommitPartition) ([]protocol.OffsetCommitPartition, []protocol.PartitionError) {
	var known []protocol.OffsetCommitPartition
	var refused []protocol.PartitionError
	for _, o := range offsets {
		if b.disk.Image.Partition(o.Topic, o.Partition) == nil {
			refused = append(refused, protocol.PartitionError{TopicPartition: o.TopicPartition, Error: protocol.UnknownTopicOrPartition})
		} else {
			known = append(known, o)
		}
	}
	return known, refused
}

// validateOffsetCommit is Kafka's ClassicGroup.validateOffsetCommit. A
// commit without a generation (-1) is one from outside the group protocol
// (manual assignment, an admin): a group that does not exist is then
// created for it, and an Empty group takes it. With a generation or a
// member id, the member must be in the group's current generation;
// without either, a group with members refuses an OffsetCommit
// (UNKNOWN_MEMBER_ID) but not a TxnOffsetCommit (older transactional
// clients send neither); a static member's instance id must be that of
// its member id (FENCED_INSTANCE_ID). Members may commit while a rebalance prepares
// (that is how they save their positions before rejoining), not while it
// completes, except transactionally.
func validateOffsetCommit(g *Group, memberID, instanceID string, generation int32, transactional bool) protocol.ErrorCode {
	switch {
	case g == nil && generation < 0:
		return protocol.None
	case g == nil:
		return protocol.IllegalGeneration
	case generation < 0 && g.State == GroupEmpty:
		return protocol.None
	case generation >= 0 || memberID != "" || instanceID != "":
		if code := g.validateMember(memberID, instanceID); code != protocol.None {
			return code
		}
		if generation != g.Generation {
			return protocol.IllegalGeneration
		}
	case !transactional && g.State != GroupEmpty:
		return protocol.UnknownMemberID
	}
	if !transactional && g.State == GroupCompletingRebalance {
		return protocol.RebalanceInProgress
	}
	return protocol.None
}

func (b *Broker) handleOffsetFetch(from sim.NodeID, req *protocol.OffsetFetchRequest) {
	resp := &protocol.OffsetFetchResponse{CorrelationID: req.CorrelationID}
	if len(req.Groups) > 0 {
		for _, fg := range req.Groups {
			resp.Groups = append(resp.Groups, b.offsetFetchGroup(from, fg, req.RequireStable, true))
		}
		b.sendGroup(from, resp)
		return
	}
	one := b.offsetFetchGroup(from, protocol.OffsetFetchGroup{GroupID: req.GroupID, Partitions: req.Partitions}, req.RequireStable, false)
	resp.Error = one.Error
	for _, p := range one.Partitions {
		resp.Offsets = append(resp.Offsets, protocol.OffsetCommitPartition{TopicPartition: p.TopicPartition, Offset: p.Offset})
		if p.Error != protocol.None && resp.Error == protocol.None {
			resp.Error = p.Error
		}
	}
	b.sendGroup(from, resp)
}

// offsetFetchGroup answers one group of an OffsetFetch: the committed
// offset of each partition asked for (or of every partition committed),
// -1 for none. With requireStable a partition with a transactional
// commit still pending gets UNSTABLE_OFFSET_COMMIT. Batched, the group's
// and the topics' DESCRIBE are checked here, group by group, as Kafka
// does (a single group was checked as a whole with the request), and an
// unstable offset is -1, Kafka's answer; alone it is kept, for the
// simulated consumer.
func (b *Broker) offsetFetchGroup(from sim.NodeID, fg protocol.OffsetFetchGroup, requireStable, batched bool) protocol.OffsetFetchGroupResponse {
	out := protocol.OffsetFetchGroupResponse{GroupID: fg.GroupID}
	if batched && !b.authorize(from, security.OpDescribe, security.GroupResource, fg.GroupID) {
		out.Error = protocol.GroupAuthorizationFailed
		return out
	}
	if _, code := b.groupCoordinatorFor(fg.GroupID); code != protocol.None {
		out.Error = code
		return out
	}
	g := b.groups[fg.GroupID]
	partitions := fg.Partitions
	if fg.AllPartitions {
		partitions = nil
		if g != nil {
			for _, tp := range sortedTPKeys(g.Offsets) {
				if b.authorizeLogged(from, security.OpDescribe, security.TopicResource, tp.Topic, false) {
					partitions = append(partitions, tp)
				}
			}
		}
	}
	for _, tp := range partitions {
		o := protocol.OffsetFetchPartition{TopicPartition: tp, Offset: -1}
		switch {
		case batched && !fg.AllPartitions && !b.authorize(from, security.OpDescribe, security.TopicResource, tp.Topic):
			o.Error = protocol.TopicAuthorizationFailed
		case g != nil:
			if n, ok := g.Offsets[tp]; ok {
				o.Offset = n
			}
			if requireStable && g.pendingOffset(tp) {
				o.Error = protocol.UnstableOffsetCommit
				if batched {
					o.Offset = -1
				}
			}
		}
		out.Partitions = append(out.Partitions, o)
	}
	return out
}

// pendingOffset reports whether a transaction not yet ended committed an
// offset of tp.
func (g *Group) pendingOffset(tp protocol.TopicPartition) bool {
	for _, pending := range g.pendingTxnOffsets {
		if _, ok := pending[tp]; ok {
			return true
		}
	}
	return false
}

// handleTxnOffsetCommit stores offsets as part of a transaction: written
// as transactional records to the group's partition, applied when the
// transaction's commit marker lands there.
func (b *Broker) handleTxnOffsetCommit(from sim.NodeID, req *protocol.TxnOffsetCommitRequest) {
	resp := &protocol.TxnOffsetCommitResponse{CorrelationID: req.CorrelationID}
	offsets, refused := b.existingOffsets(req.Offsets)
	resp.Refused = refused
	if len(offsets) == 0 && len(refused) > 0 {
		b.sendGroup(from, resp)
		return
	}
	p, code := b.groupCoordinatorFor(req.GroupID)
	if code == protocol.None {
		code = validateOffsetCommit(b.groups[req.GroupID], req.MemberID, req.GroupInstanceID, req.GenerationID, true)
	}
	if code != protocol.None || len(offsets) == 0 {
		resp.Error = code
		b.sendGroup(from, resp)
		return
	}
	records := make([]record.Record, 0, len(offsets))
	for _, o := range offsets {
		records = append(records, record.Record{Key: offsetKey(req.GroupID, o.TopicPartition), Value: strconv.FormatInt(o.Offset, 10), TimestampMs: b.now()})
	}
	batch := record.NewBatch(records)
	batch.ProducerID, batch.ProducerEpoch, batch.Transactional = req.ProducerID, req.ProducerEpoch, true
	batch.SizeBytes = batch.ComputeSize()
	b.appendLocally([]protocol.ProducePartition{{TopicPartition: p.tp, Batch: batch}}, txnWriteTimeoutMs,
		txnOffsetsAppended{from: from, req: req, resp: resp, offsets: offsets})
}

// txnOffsetsAppended answers a TxnOffsetCommit once its offsets are
// written, and keeps them pending until the transaction's marker.
type txnOffsetsAppended struct {
	from    sim.NodeID
	req     *protocol.TxnOffsetCommitRequest
	resp    *protocol.TxnOffsetCommitResponse
	offsets []protocol.OffsetCommitPartition
}

func (a txnOffsetsAppended) appended(b *Broker, results []protocol.ProducePartitionResponse) {
	a.resp.Error = results[0].Error
	if a.resp.Error == protocol.None {
		g := b.group(a.req.GroupID)
		if g.pendingTxnOffsets[a.req.ProducerID] == nil {
			g.pendingTxnOffsets[a.req.ProducerID] = map[protocol.TopicPartition]int64{}
		}
		for _, o := range a.offsets {
			g.pendingTxnOffsets[a.req.ProducerID][o.TopicPartition] = o.Offset
		}
	}
	b.sendGroup(a.from, a.resp)
}

// Groups returns the groups this broker coordinates, for the state document.
func (b *Broker) Groups() []*Group {
	var out []*Group
	for _, id := range b.sortedGroupIDs() {
		if _, code := b.groupCoordinatorFor(id); code == protocol.None {
			out = append(out, b.groups[id])
		}
	}
	return out
}
