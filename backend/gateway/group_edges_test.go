package gateway

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/kafka-playground/playground/core"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// edgeConfig lowers group.initial.rebalance.delay.ms to nothing: the
// first join of a group completes at once (its virtual time would be wall
// time here).
var edgeConfig = map[string]string{"group.initial.rebalance.delay.ms": "0"}

func joinRequest(group, member, protocolType string, protocols ...kmsg.JoinGroupRequestProtocol) *kmsg.JoinGroupRequest {
	req := kmsg.NewPtrJoinGroupRequest()
	req.Group, req.MemberID, req.ProtocolType, req.Protocols = group, member, protocolType, protocols
	req.SessionTimeoutMillis, req.RebalanceTimeoutMillis = 30000, 30000
	return req
}

func blobProtocol(name string, metadata []byte) kmsg.JoinGroupRequestProtocol {
	p := kmsg.NewJoinGroupRequestProtocol()
	p.Name, p.Metadata = name, metadata
	return p
}

// TestFindCoordinatorVersions: the single form (v0-v3, with Kafka's
// "NONE" message), the batched form (v4+, one answer per key), both key
// types, and the SHARE key type (v6) refused with INVALID_REQUEST.
func TestFindCoordinatorVersions(t *testing.T) {
	g, _ := startCheckedGateway(t, core.Spec{Seed: 21, Brokers: 3, Config: edgeConfig})
	group := coordinatorOf(t, g, protocol.CoordinatorGroup, "orders")
	txn := coordinatorOf(t, g, protocol.CoordinatorTransaction, "orders-tx")
	c := dialRaw(t, g, otherBroker(group))

	v0 := kmsg.NewPtrFindCoordinatorRequest()
	v0.CoordinatorKey = "orders" // v0 has no key type: a group
	r0 := c.do(v0, 0).(*kmsg.FindCoordinatorResponse)
	if r0.ErrorCode != 0 || r0.NodeID != group {
		t.Errorf("v0: %+v, want coordinator %d", r0, group)
	}
	v1 := kmsg.NewPtrFindCoordinatorRequest()
	v1.CoordinatorKey, v1.CoordinatorType = "orders-tx", protocol.CoordinatorTransaction
	r1 := c.do(v1, 1).(*kmsg.FindCoordinatorResponse)
	if r1.ErrorCode != 0 || r1.NodeID != txn || r1.ErrorMessage == nil || *r1.ErrorMessage != "NONE" {
		t.Errorf("v1 transaction: %+v, want coordinator %d and message NONE", r1, txn)
	}

	batched := kmsg.NewPtrFindCoordinatorRequest()
	batched.CoordinatorKeys = []string{"orders", "payments", "orders"}
	rb := c.do(batched, 4).(*kmsg.FindCoordinatorResponse)
	if len(rb.Coordinators) != 3 {
		t.Fatalf("v4: %d coordinators for 3 keys", len(rb.Coordinators))
	}
	for i, rc := range rb.Coordinators {
		if rc.Key != batched.CoordinatorKeys[i] || rc.ErrorCode != 0 || g.Addresses()[rc.NodeID] == "" {
			t.Errorf("v4 key %d: %+v", i, rc)
		}
	}
	if rb.Coordinators[0].NodeID != group {
		t.Errorf("v4: orders coordinated by %d, v3 said %d", rb.Coordinators[0].NodeID, group)
	}

	share := kmsg.NewPtrFindCoordinatorRequest()
	share.CoordinatorType, share.CoordinatorKeys = 2, []string{"g:t:0"}
	rs := c.do(share, 6).(*kmsg.FindCoordinatorResponse)
	if len(rs.Coordinators) != 1 {
		t.Fatalf("v6 share: %+v", rs)
	}
	expectCode(t, "v6 share key", rs.Coordinators[0].ErrorCode, protocol.InvalidRequest)
}

// edgeGroup is one group driven by hand over raw connections: c to its
// coordinator, wrong to another broker. Its protocol metadata and
// assignment are bytes of a made-up protocol type, "blob".
type edgeGroup struct {
	t                    *testing.T
	g                    *Gateway
	c, wrong             *rawConn
	coordinator          int32
	group, member        string
	metadata, assignment []byte
	instance             string
}

// TestGroupMembershipEdges drives one group through JoinGroup,
// SyncGroup, Heartbeat, OffsetCommit, OffsetFetch, DescribeGroups,
// ListGroups and LeaveGroup, asking what clients get wrong: an unknown
// group, a wrong generation, an unknown member, the wrong coordinator,
// an instance id of no static member, inconsistent protocols. The
// metadata and assignment bytes must come back untouched.
func TestGroupMembershipEdges(t *testing.T) {
	g, _ := startCheckedGateway(t, core.Spec{Seed: 22, Brokers: 3, Config: edgeConfig})
	admin := newClient(t, g)
	createTopic(t, context.Background(), admin, "events", 2, 3)
	produceValues(t, context.Background(), admin, "events", "e", 40) // the offsets committed below exist
	coordinatorOf(t, g, protocol.CoordinatorGroup, "warmup")
	e := &edgeGroup{t: t, g: g, coordinator: 1, metadata: []byte{0xde, 0xad, 0x00, 0x01}, assignment: []byte{0xbe, 0xef}, instance: "instance-1"}
	e.group = groupOn(t, g, e.coordinator, "edge")
	e.c, e.wrong = dialRaw(t, g, e.coordinator), dialRaw(t, g, otherBroker(e.coordinator))

	e.join()
	e.sync()
	e.heartbeats()
	simpleGroup := e.commits()
	checkOffsetFetchShapes(t, e.c, e.wrong, e.group, simpleGroup)
	e.describe()
	e.leave(simpleGroup)
}

// join: the wrong broker, a bad session timeout, no
// protocol, then the KIP-394 two-step join, and a second member of
// another protocol type.
func (e *edgeGroup) join() {
	t, c := e.t, e.c
	protocol1 := blobProtocol("p1", e.metadata)
	expectCode(t, "JoinGroup at the wrong broker", e.wrong.do(joinRequest(e.group, "", "blob", protocol1), 5).(*kmsg.JoinGroupResponse).ErrorCode,
		protocol.NotCoordinator)
	short := joinRequest(e.group, "", "blob", protocol1)
	short.SessionTimeoutMillis = 1000
	expectCode(t, "JoinGroup session 1 s", c.do(short, 5).(*kmsg.JoinGroupResponse).ErrorCode, protocol.InvalidSessionTimeout)
	expectCode(t, "JoinGroup without protocols", c.do(joinRequest(e.group, "", "blob"), 5).(*kmsg.JoinGroupResponse).ErrorCode,
		protocol.InconsistentGroupProtocol)
	first := c.do(joinRequest(e.group, "", "blob", protocol1), 5).(*kmsg.JoinGroupResponse)
	expectCode(t, "JoinGroup v5 without member id", first.ErrorCode, protocol.MemberIDRequired)
	e.member = first.MemberID
	joined := c.do(joinRequest(e.group, e.member, "blob", protocol1), 7).(*kmsg.JoinGroupResponse)
	if joined.ErrorCode != 0 || joined.Generation != 1 || joined.LeaderID != e.member || joined.MemberID != e.member ||
		joined.ProtocolType == nil || *joined.ProtocolType != "blob" || joined.Protocol == nil || *joined.Protocol != "p1" {
		t.Fatalf("JoinGroup with the member id: %+v", joined)
	}
	if len(joined.Members) != 1 || joined.Members[0].MemberID != e.member || !bytes.Equal(joined.Members[0].ProtocolMetadata, e.metadata) {
		t.Errorf("the leader's members: %+v, want %s with metadata %x", joined.Members, e.member, e.metadata)
	}
	expectCode(t, "JoinGroup of another protocol type", c.do(joinRequest(e.group, "", "other", blobProtocol("p1", nil)), 3).(*kmsg.JoinGroupResponse).ErrorCode,
		protocol.InconsistentGroupProtocol)
}

func (e *edgeGroup) syncRequest(generation int32, memberID string, withProtocol bool) *kmsg.SyncGroupRequest {
	req := kmsg.NewPtrSyncGroupRequest()
	req.Group, req.Generation, req.MemberID = e.group, generation, memberID
	if withProtocol {
		protocolType, name := "blob", "p1"
		req.ProtocolType, req.Protocol = &protocolType, &name
	}
	a := kmsg.NewSyncGroupRequestGroupAssignment()
	a.MemberID, a.MemberAssignment = e.member, e.assignment
	req.GroupAssignment = append(req.GroupAssignment, a)
	return req
}

// sync: what SyncGroup refuses, then the leader's assignment, back as sent.
func (e *edgeGroup) sync() {
	t, c := e.t, e.c
	expectCode(t, "SyncGroup v5 without protocol type and name", c.do(e.syncRequest(1, e.member, false), 5).(*kmsg.SyncGroupResponse).ErrorCode,
		protocol.InconsistentGroupProtocol)
	expectCode(t, "SyncGroup at a wrong generation", c.do(e.syncRequest(7, e.member, true), 5).(*kmsg.SyncGroupResponse).ErrorCode, protocol.IllegalGeneration)
	expectCode(t, "SyncGroup of an unknown member", c.do(e.syncRequest(1, "nobody", true), 5).(*kmsg.SyncGroupResponse).ErrorCode, protocol.UnknownMemberID)
	static := e.syncRequest(1, e.member, false)
	static.InstanceID = &e.instance
	expectCode(t, "SyncGroup with an instance id no static member has", c.do(static, 3).(*kmsg.SyncGroupResponse).ErrorCode, protocol.UnknownMemberID)
	synced := c.do(e.syncRequest(1, e.member, true), 5).(*kmsg.SyncGroupResponse)
	if synced.ErrorCode != 0 || !bytes.Equal(synced.MemberAssignment, e.assignment) || synced.Protocol == nil || *synced.Protocol != "p1" {
		t.Fatalf("SyncGroup: %+v, want assignment %x", synced, e.assignment)
	}
}

// memberCase is one request of a member, and the error it must get.
type memberCase struct {
	name       string
	conn       *rawConn
	group      string
	generation int32
	member     string
	want       protocol.ErrorCode
}

func (e *edgeGroup) heartbeats() {
	for _, tc := range []memberCase{
		{"Heartbeat", e.c, e.group, 1, e.member, protocol.None},
		{"Heartbeat at a wrong generation", e.c, e.group, 9, e.member, protocol.IllegalGeneration},
		{"Heartbeat of an unknown member", e.c, e.group, 1, "nobody", protocol.UnknownMemberID},
		{"Heartbeat to an unknown group", e.c, groupOn(e.t, e.g, e.coordinator, "nogroup"), 1, e.member, protocol.UnknownMemberID},
		{"Heartbeat at the wrong broker", e.wrong, e.group, 1, e.member, protocol.NotCoordinator},
		{"Heartbeat without a group id", e.c, "", 1, e.member, protocol.InvalidGroupID},
	} {
		req := kmsg.NewPtrHeartbeatRequest()
		req.Group, req.Generation, req.MemberID = tc.group, tc.generation, tc.member
		expectCode(e.t, tc.name, tc.conn.do(req, 4).(*kmsg.HeartbeatResponse).ErrorCode, tc.want)
	}
}

// commits commits events-0 and -1 at 10 and 11 as members and
// non-members, and a partition that does not exist; it returns the group
// that a commit outside the group protocol created.
func (e *edgeGroup) commits() string {
	t := e.t
	simpleGroup := groupOn(t, e.g, e.coordinator, "simple")
	commit := func(tc memberCase) {
		req := kmsg.NewPtrOffsetCommitRequest()
		req.Group, req.Generation, req.MemberID = tc.group, tc.generation, tc.member
		topic := kmsg.NewOffsetCommitRequestTopic()
		topic.Topic = "events"
		for p := int32(0); p < 2; p++ {
			part := kmsg.NewOffsetCommitRequestTopicPartition()
			part.Partition, part.Offset = p, int64(10+p)
			topic.Partitions = append(topic.Partitions, part)
		}
		req.Topics = append(req.Topics, topic)
		resp := tc.conn.do(req, 8).(*kmsg.OffsetCommitResponse)
		if len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 2 || resp.Topics[0].Partitions[0].ErrorCode != resp.Topics[0].Partitions[1].ErrorCode {
			t.Fatalf("%s: response %+v", tc.name, resp)
		}
		expectCode(t, tc.name, resp.Topics[0].Partitions[0].ErrorCode, tc.want)
	}
	for _, tc := range []memberCase{
		{"OffsetCommit at a wrong generation", e.c, e.group, 2, e.member, protocol.IllegalGeneration},
		{"OffsetCommit of an unknown member", e.c, e.group, 1, "nobody", protocol.UnknownMemberID},
		{"OffsetCommit outside the protocol to a group with members", e.c, e.group, -1, "", protocol.UnknownMemberID},
		{"OffsetCommit with a generation to an unknown group", e.c, groupOn(t, e.g, e.coordinator, "nocommit"), 3, "someone", protocol.IllegalGeneration},
		{"OffsetCommit at the wrong broker", e.wrong, e.group, 1, e.member, protocol.NotCoordinator},
		{"OffsetCommit", e.c, e.group, 1, e.member, protocol.None},
		{"OffsetCommit outside the protocol to a new group", e.c, simpleGroup, -1, "", protocol.None},
	} {
		commit(tc)
	}
	mixed := kmsg.NewPtrOffsetCommitRequest()
	mixed.Group, mixed.Generation, mixed.MemberID = simpleGroup, -1, ""
	for _, name := range []string{"events", "no-such-topic"} {
		topic := kmsg.NewOffsetCommitRequestTopic()
		part := kmsg.NewOffsetCommitRequestTopicPartition()
		topic.Topic, part.Partition, part.Offset = name, 0, 3
		topic.Partitions = append(topic.Partitions, part)
		mixed.Topics = append(mixed.Topics, topic)
	}
	resp := e.wrong.do(mixed, 2).(*kmsg.OffsetCommitResponse)
	expectCode(t, "OffsetCommit v2 of an existing partition at the wrong broker", resp.Topics[0].Partitions[0].ErrorCode, protocol.NotCoordinator)
	expectCode(t, "OffsetCommit v2 of an unknown topic", resp.Topics[1].Partitions[0].ErrorCode, protocol.UnknownTopicOrPartition)
	return simpleGroup
}

// describe: the Stable group as its coordinator holds it, an unknown
// group (Dead, or GROUP_ID_NOT_FOUND from v6), the wrong broker.
func (e *edgeGroup) describe() {
	t, c := e.t, e.c
	missing := groupOn(t, e.g, e.coordinator, "missing")
	req := kmsg.NewPtrDescribeGroupsRequest()
	req.Groups = []string{e.group, missing}
	described := c.do(req, 5).(*kmsg.DescribeGroupsResponse)
	if len(described.Groups) != 2 {
		t.Fatalf("DescribeGroups: %+v", described)
	}
	dg := described.Groups[0]
	if dg.ErrorCode != 0 || dg.State != "Stable" || dg.ProtocolType != "blob" || dg.Protocol != "p1" || len(dg.Members) != 1 {
		t.Errorf("DescribeGroups %s: %+v", e.group, dg)
	} else if m := dg.Members[0]; m.MemberID != e.member || m.ClientID != "raw-client" || m.ClientHost != "/127.0.0.1" ||
		!bytes.Equal(m.ProtocolMetadata, e.metadata) || !bytes.Equal(m.MemberAssignment, e.assignment) {
		t.Errorf("DescribeGroups member: %+v", m)
	}
	if dm := described.Groups[1]; dm.ErrorCode != 0 || dm.State != "Dead" || len(dm.Members) != 0 {
		t.Errorf("DescribeGroups v5 of an unknown group: %+v, want Dead without error", dm)
	}
	req.Groups = []string{missing}
	expectCode(t, "DescribeGroups v6 of an unknown group", c.do(req, 6).(*kmsg.DescribeGroupsResponse).Groups[0].ErrorCode, protocol.GroupIDNotFound)
	expectCode(t, "DescribeGroups at the wrong broker", e.wrong.do(req, 5).(*kmsg.DescribeGroupsResponse).Groups[0].ErrorCode, protocol.NotCoordinator)
}

// leave: a batched LeaveGroup of the member, an unknown one and one by
// instance id; then the group is Empty, listed with the offsets-only one.
func (e *edgeGroup) leave(simpleGroup string) {
	t, c := e.t, e.c
	req := kmsg.NewPtrLeaveGroupRequest()
	req.Group = e.group
	for _, id := range []string{e.member, "nobody", ""} {
		m := kmsg.NewLeaveGroupRequestMember()
		m.MemberID = id
		if id == "" {
			m.InstanceID = &e.instance
		}
		req.Members = append(req.Members, m)
	}
	left := c.do(req, 5).(*kmsg.LeaveGroupResponse)
	var codes []protocol.ErrorCode
	for _, m := range left.Members {
		codes = append(codes, protocol.ErrorCode(m.ErrorCode))
	}
	if left.ErrorCode != 0 || !slices.Equal(codes, []protocol.ErrorCode{protocol.None, protocol.UnknownMemberID, protocol.UnknownMemberID}) {
		t.Errorf("LeaveGroup v5: %+v, codes %v", left, codes)
	}
	single := kmsg.NewPtrLeaveGroupRequest()
	single.Group, single.MemberID = e.group, e.member
	expectCode(t, "LeaveGroup v1 of a member gone", c.do(single, 1).(*kmsg.LeaveGroupResponse).ErrorCode, protocol.UnknownMemberID)

	list := kmsg.NewPtrListGroupsRequest()
	list.StatesFilter = []string{"empty"}
	var empty []string
	for _, lg := range c.do(list, 4).(*kmsg.ListGroupsResponse).Groups {
		empty = append(empty, lg.Group)
		if lg.GroupState != "Empty" {
			t.Errorf("ListGroups filtered on Empty lists %+v", lg)
		}
	}
	if !slices.Contains(empty, e.group) || !slices.Contains(empty, simpleGroup) {
		t.Errorf("ListGroups Empty: %v, want %s (left) and %s (offsets only)", empty, e.group, simpleGroup)
	}
	if gs, ok := groupState(e.g, e.group); !ok || gs.State != "Empty" || gs.Offsets["events-0"] != 10 || gs.Offsets["events-1"] != 11 {
		t.Errorf("state document: %+v", gs)
	}
}

// checkOffsetFetchShapes fetches the committed offsets of group (10 and
// 11 on events-0 and -1) as v1 (errors per partition), v7 (a top-level
// error) and v8 (batched groups, one of them all partitions).
func checkOffsetFetchShapes(t *testing.T, c, wrong *rawConn, group, simpleGroup string) {
	t.Helper()
	single := kmsg.NewPtrOffsetFetchRequest()
	single.Group = group
	topic := kmsg.NewOffsetFetchRequestTopic()
	topic.Topic, topic.Partitions = "events", []int32{0, 1, 2}
	single.Topics = append(single.Topics, topic)

	v1 := wrong.do(single, 1).(*kmsg.OffsetFetchResponse)
	if len(v1.Topics) != 1 || len(v1.Topics[0].Partitions) != 3 {
		t.Fatalf("OffsetFetch v1 at the wrong broker: %+v", v1)
	}
	for _, p := range v1.Topics[0].Partitions {
		expectCode(t, "OffsetFetch v1 at the wrong broker, partition", p.ErrorCode, protocol.NotCoordinator)
	}
	expectCode(t, "OffsetFetch v7 at the wrong broker", wrong.do(single, 7).(*kmsg.OffsetFetchResponse).ErrorCode, protocol.NotCoordinator)
	v7 := c.do(single, 7).(*kmsg.OffsetFetchResponse)
	var offsets []int64
	for _, p := range v7.Topics[0].Partitions {
		offsets = append(offsets, p.Offset)
	}
	if v7.ErrorCode != 0 || !slices.Equal(offsets, []int64{10, 11, -1}) {
		t.Errorf("OffsetFetch v7: %+v, offsets %v, want 10 11 -1", v7, offsets)
	}

	batched := kmsg.NewPtrOffsetFetchRequest()
	all := kmsg.NewOffsetFetchRequestGroup()
	all.Group = group // Topics nil: all
	some := kmsg.NewOffsetFetchRequestGroup()
	some.Group = simpleGroup
	someTopic := kmsg.NewOffsetFetchRequestGroupTopic()
	someTopic.Topic, someTopic.Partitions = "events", []int32{1}
	some.Topics = append(some.Topics, someTopic)
	batched.Groups = append(batched.Groups, all, some)
	v8 := c.do(batched, 8).(*kmsg.OffsetFetchResponse)
	if len(v8.Groups) != 2 || v8.Groups[0].Group != group || v8.Groups[1].Group != simpleGroup {
		t.Fatalf("OffsetFetch v8: %+v", v8)
	}
	offsets = nil
	for _, rt := range v8.Groups[0].Topics {
		for _, p := range rt.Partitions {
			offsets = append(offsets, p.Offset)
		}
	}
	if !slices.Equal(offsets, []int64{10, 11}) {
		t.Errorf("OffsetFetch v8 all partitions of %s: %v, want 10 11", group, offsets)
	}
	if p := v8.Groups[1].Topics[0].Partitions[0]; p.Offset != 11 || p.LeaderEpoch != -1 || p.Metadata == nil {
		t.Errorf("OffsetFetch v8 %s events-1: %+v", simpleGroup, p)
	}
}

// TestCoordinatorMoved: the group coordinator's broker dies; another
// broker takes over the group's __consumer_offsets partition and keeps
// the Stable group; the old coordinator, back, answers NOT_COORDINATOR.
func TestCoordinatorMoved(t *testing.T) {
	config := map[string]string{"group.initial.rebalance.delay.ms": "0", "broker.session.timeout.ms": "3000", "broker.heartbeat.interval.ms": "500"}
	g, _ := startCheckedGateway(t, core.Spec{Seed: 23, Brokers: 3, Config: config})
	coordinatorOf(t, g, protocol.CoordinatorGroup, "warmup")
	old := int32(2)
	group := groupOn(t, g, old, "moving")
	c := dialRaw(t, g, old)
	member := c.do(joinRequest(group, "", "blob", blobProtocol("p1", []byte{1})), 5).(*kmsg.JoinGroupResponse).MemberID
	joined := c.do(joinRequest(group, member, "blob", blobProtocol("p1", []byte{1})), 5).(*kmsg.JoinGroupResponse)
	sync := kmsg.NewPtrSyncGroupRequest()
	sync.Group, sync.Generation, sync.MemberID = group, joined.Generation, member
	if code := c.do(sync, 3).(*kmsg.SyncGroupResponse).ErrorCode; joined.ErrorCode != 0 || code != 0 {
		t.Fatalf("join %s, sync %s", protocol.ErrorCode(joined.ErrorCode), protocol.ErrorCode(code))
	}

	g.Do(func(cl *core.Cluster) {
		if err := cl.KillBroker(old); err != nil {
			t.Fatal(err)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var moved int32
	for moved == 0 || moved == old {
		if ctx.Err() != nil {
			t.Fatalf("the coordinator of %s never moved from broker %d", group, old)
		}
		time.Sleep(100 * time.Millisecond)
		moved = coordinatorOf(t, g, protocol.CoordinatorGroup, group)
	}
	heartbeat := kmsg.NewPtrHeartbeatRequest()
	heartbeat.Group, heartbeat.Generation, heartbeat.MemberID = group, joined.Generation, member
	expectCode(t, "Heartbeat at the new coordinator", dialRaw(t, g, moved).do(heartbeat, 4).(*kmsg.HeartbeatResponse).ErrorCode, protocol.None)

	g.Do(func(cl *core.Cluster) {
		if err := cl.StartBroker(old); err != nil {
			t.Fatal(err)
		}
	})
	for {
		c, err := dialRawOnce(t, g, old)
		if err == nil {
			expectCode(t, "Heartbeat at the old coordinator", c.do(heartbeat, 4).(*kmsg.HeartbeatResponse).ErrorCode, protocol.NotCoordinator)
			expectCode(t, "JoinGroup at the old coordinator", c.do(joinRequest(group, member, "blob", blobProtocol("p1", []byte{1})), 5).(*kmsg.JoinGroupResponse).ErrorCode,
				protocol.NotCoordinator)
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("broker %d restarted but its port refuses: %v", old, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestTransactionEdges: the requests a client may get wrong, and the
// PRODUCER_FENCED older clients do not know.
func TestTransactionEdges(t *testing.T) {
	g, _ := startCheckedGateway(t, core.Spec{Seed: 24, Brokers: 3})
	c := dialRaw(t, g, 1)

	v4 := kmsg.NewPtrAddPartitionsToTxnRequest()
	expectCode(t, "AddPartitionsToTxn v4 (broker-only)", c.do(v4, 4).(*kmsg.AddPartitionsToTxnResponse).ErrorCode, protocol.ClusterAuthorizationFailed)
	empty := kmsg.NewPtrInitProducerIDRequest()
	blank := ""
	empty.TransactionalID, empty.TransactionTimeoutMillis = &blank, 60000
	expectCode(t, "InitProducerId with an empty transactional id", c.do(empty, 4).(*kmsg.InitProducerIDResponse).ErrorCode, protocol.InvalidRequest)
	half := kmsg.NewPtrInitProducerIDRequest()
	half.ProducerID, half.ProducerEpoch = -1, 3
	expectCode(t, "InitProducerId with an epoch and no producer id", c.do(half, 3).(*kmsg.InitProducerIDResponse).ErrorCode, protocol.InvalidRequest)

	unknown := kmsg.NewPtrAddPartitionsToTxnRequest()
	unknown.TransactionalID, unknown.ProducerID, unknown.ProducerEpoch = "tx", 1, 0
	createTopic(t, context.Background(), newClient(t, g), "known", 1, 3)
	for _, name := range []string{"known", "unknown-topic"} {
		topic := kmsg.NewAddPartitionsToTxnRequestTopic()
		topic.Topic, topic.Partitions = name, []int32{0}
		unknown.Topics = append(unknown.Topics, topic)
	}
	added := c.do(unknown, 3).(*kmsg.AddPartitionsToTxnResponse)
	if len(added.Topics) != 2 {
		t.Fatalf("AddPartitionsToTxn: %+v", added)
	}
	expectCode(t, "AddPartitionsToTxn of an existing partition beside an unknown one", added.Topics[0].Partitions[0].ErrorCode, protocol.OperationNotAttempted)
	expectCode(t, "AddPartitionsToTxn of an unknown partition", added.Topics[1].Partitions[0].ErrorCode, protocol.UnknownTopicOrPartition)

	// Fence a producer: a second InitProducerId bumps the epoch.
	coordinator := coordinatorOf(t, g, protocol.CoordinatorTransaction, "fenced-tx")
	tc := dialRaw(t, g, coordinator)
	init := kmsg.NewPtrInitProducerIDRequest()
	id := "fenced-tx"
	init.TransactionalID, init.TransactionTimeoutMillis = &id, 60000
	var first *kmsg.InitProducerIDResponse
	for {
		first = tc.do(init, 4).(*kmsg.InitProducerIDResponse)
		if first.ErrorCode == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond) // the coordinator loads its partition
	}
	second := tc.do(init, 4).(*kmsg.InitProducerIDResponse)
	if second.ErrorCode != 0 || second.ProducerID != first.ProducerID || second.ProducerEpoch != first.ProducerEpoch+1 {
		t.Fatalf("second InitProducerId: %+v after %+v", second, first)
	}
	end := kmsg.NewPtrEndTxnRequest()
	end.TransactionalID, end.ProducerID, end.ProducerEpoch, end.Commit = id, first.ProducerID, first.ProducerEpoch, true
	expectCode(t, "EndTxn v2 of a fenced producer", tc.do(end, 2).(*kmsg.EndTxnResponse).ErrorCode, protocol.ProducerFenced)
	expectCode(t, "EndTxn v1 of a fenced producer", tc.do(end, 1).(*kmsg.EndTxnResponse).ErrorCode, protocol.InvalidProducerEpoch)
	expectCode(t, "EndTxn at the wrong broker", dialRaw(t, g, otherBroker(coordinator)).do(end, 3).(*kmsg.EndTxnResponse).ErrorCode, protocol.NotCoordinator)
}
