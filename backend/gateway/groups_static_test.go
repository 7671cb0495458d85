package gateway

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kafka-playground/playground/core"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// staticGroup is one group of static members driven by hand over a raw
// connection to its coordinator, with a made-up protocol type, "blob".
type staticGroup struct {
	t                    *testing.T
	c                    *rawConn
	group                string
	metadata, assignment []byte
}

// join sends a JoinGroup without a member id for an instance id.
func (s *staticGroup) join(instance string, version int16) *kmsg.JoinGroupResponse {
	req := joinRequest(s.group, "", "blob", blobProtocol("p1", s.metadata))
	req.InstanceID = &instance
	return s.c.do(req, version).(*kmsg.JoinGroupResponse)
}

// sync sends a SyncGroup of generation 1, with the leader's assignment
// for member when assign is set.
func (s *staticGroup) sync(member, instance string, assign bool) *kmsg.SyncGroupResponse {
	req := kmsg.NewPtrSyncGroupRequest()
	protocolType, name := "blob", "p1"
	req.Group, req.Generation, req.MemberID, req.InstanceID = s.group, 1, member, &instance
	req.ProtocolType, req.Protocol = &protocolType, &name
	if assign {
		a := kmsg.NewSyncGroupRequestGroupAssignment()
		a.MemberID, a.MemberAssignment = member, s.assignment
		req.GroupAssignment = append(req.GroupAssignment, a)
	}
	return s.c.do(req, 5).(*kmsg.SyncGroupResponse)
}

func (s *staticGroup) heartbeat(member, instance string) int16 {
	req := kmsg.NewPtrHeartbeatRequest()
	req.Group, req.Generation, req.MemberID, req.InstanceID = s.group, 1, member, &instance
	return s.c.do(req, 4).(*kmsg.HeartbeatResponse).ErrorCode
}

func (s *staticGroup) commit(member, instance string) int16 {
	req := kmsg.NewPtrOffsetCommitRequest()
	req.Group, req.Generation, req.MemberID, req.InstanceID = s.group, 1, member, &instance
	topic := kmsg.NewOffsetCommitRequestTopic()
	part := kmsg.NewOffsetCommitRequestTopicPartition()
	topic.Topic, part.Partition, part.Offset = "events", 0, 5
	topic.Partitions = append(topic.Partitions, part)
	req.Topics = append(req.Topics, topic)
	return s.c.do(req, 8).(*kmsg.OffsetCommitResponse).Topics[0].Partitions[0].ErrorCode
}

func (s *staticGroup) txnCommit(member, instance string) int16 {
	req := kmsg.NewPtrTxnOffsetCommitRequest()
	req.TransactionalID, req.Group, req.ProducerID, req.ProducerEpoch = "static-tx", s.group, 1, 0
	req.Generation, req.MemberID, req.InstanceID = 1, member, &instance
	topic := kmsg.NewTxnOffsetCommitRequestTopic()
	part := kmsg.NewTxnOffsetCommitRequestTopicPartition()
	topic.Topic, part.Partition, part.Offset = "events", 0, 5
	topic.Partitions = append(topic.Partitions, part)
	req.Topics = append(req.Topics, topic)
	return s.c.do(req, 3).(*kmsg.TxnOffsetCommitResponse).Topics[0].Partitions[0].ErrorCode
}

// TestStaticMembershipRaw drives static members (group.instance.id,
// KIP-345) with raw requests: a static member joins at once, without
// MEMBER_ID_REQUIRED; the same instance joining again without its
// member id (a restart) takes its old place under a new member id in the
// same generation, told by JoinGroup v9 that it leads but must not
// assign (KIP-814) and by v5 that the replaced id leads; every request
// of a replaced member id is FENCED_INSTANCE_ID; DescribeGroups shows
// the instance id; a batched LeaveGroup removes a member by instance id
// alone, as an admin's RemoveMembersFromConsumerGroup does.
func TestStaticMembershipRaw(t *testing.T) {
	g, _ := startCheckedGateway(t, core.Spec{Seed: 23, Brokers: 3, Config: edgeConfig})
	admin := newClient(t, g)
	createTopic(t, context.Background(), admin, "events", 2, 3)
	produceValues(t, context.Background(), admin, "events", "e", 20) // the offsets committed below exist
	coordinatorOf(t, g, protocol.CoordinatorGroup, "warmup")
	s := &staticGroup{t: t, c: dialRaw(t, g, 1), group: groupOn(t, g, 1, "static"), metadata: []byte{0x01, 0x02}, assignment: []byte{0xa1}}
	const instance = "instance-1"

	first := s.join(instance, 5)
	if first.ErrorCode != 0 || first.Generation != 1 || !strings.HasPrefix(first.MemberID, instance+"-") || first.LeaderID != first.MemberID {
		t.Fatalf("first JoinGroup of %s: %+v", instance, first)
	}
	if len(first.Members) != 1 || first.Members[0].InstanceID == nil || *first.Members[0].InstanceID != instance {
		t.Errorf("the leader's members: %+v, want %s with its instance id", first.Members, first.MemberID)
	}
	if synced := s.sync(first.MemberID, instance, true); synced.ErrorCode != 0 || !bytes.Equal(synced.MemberAssignment, s.assignment) {
		t.Fatalf("SyncGroup: %+v", synced)
	}

	second := s.join(instance, 9) // the process restarted: no member id
	if second.ErrorCode != 0 || second.Generation != 1 || second.MemberID == first.MemberID || !strings.HasPrefix(second.MemberID, instance+"-") {
		t.Fatalf("JoinGroup v9 of %s again: %+v, want generation 1 under a new member id", instance, second)
	}
	if second.LeaderID != second.MemberID || !second.SkipAssignment || len(second.Members) != 1 || !bytes.Equal(second.Members[0].ProtocolMetadata, s.metadata) {
		t.Errorf("JoinGroup v9 of the returning leader: %+v, want it told to lead without assigning", second)
	}
	if synced := s.sync(second.MemberID, instance, false); synced.ErrorCode != 0 || !bytes.Equal(synced.MemberAssignment, s.assignment) {
		t.Errorf("SyncGroup of the returning leader: %+v, want the group's assignment %x", synced, s.assignment)
	}
	expectCode(t, "Heartbeat of the replaced member id", s.heartbeat(first.MemberID, instance), protocol.FencedInstanceID)
	expectCode(t, "Heartbeat of the new member id", s.heartbeat(second.MemberID, instance), protocol.None)
	expectCode(t, "Heartbeat with another instance id", s.heartbeat(second.MemberID, "instance-9"), protocol.UnknownMemberID)
	expectCode(t, "SyncGroup of the replaced member id", s.sync(first.MemberID, instance, false).ErrorCode, protocol.FencedInstanceID)
	expectCode(t, "OffsetCommit v8 of the replaced member id", s.commit(first.MemberID, instance), protocol.FencedInstanceID)
	expectCode(t, "OffsetCommit v8 of the new member id", s.commit(second.MemberID, instance), protocol.None)
	expectCode(t, "TxnOffsetCommit v3 of the replaced member id", s.txnCommit(first.MemberID, instance), protocol.FencedInstanceID)

	third := s.join(instance, 5) // restarted again, an older client
	if third.ErrorCode != 0 || third.Generation != 1 || third.LeaderID != second.MemberID || len(third.Members) != 0 {
		t.Errorf("JoinGroup v5 of %s again: %+v, want generation 1 with the replaced id %s as leader", instance, third, second.MemberID)
	}
	describe := kmsg.NewPtrDescribeGroupsRequest()
	describe.Groups = []string{s.group}
	dg := s.c.do(describe, 5).(*kmsg.DescribeGroupsResponse).Groups[0]
	if dg.State != "Stable" || len(dg.Members) != 1 || dg.Members[0].MemberID != third.MemberID ||
		dg.Members[0].InstanceID == nil || *dg.Members[0].InstanceID != instance || dg.Members[0].ClientID != "raw-client" {
		t.Errorf("DescribeGroups v5: %+v, want %s of %s", dg, third.MemberID, instance)
	}

	leave := kmsg.NewPtrLeaveGroupRequest()
	leave.Group = s.group
	for _, m := range []struct{ member, instance string }{{second.MemberID, instance}, {"", "instance-9"}, {"", instance}} {
		member := kmsg.NewLeaveGroupRequestMember()
		member.MemberID, member.InstanceID = m.member, kmsg.StringPtr(m.instance)
		leave.Members = append(leave.Members, member)
	}
	left := s.c.do(leave, 5).(*kmsg.LeaveGroupResponse)
	var codes []protocol.ErrorCode
	for _, m := range left.Members {
		codes = append(codes, protocol.ErrorCode(m.ErrorCode))
	}
	if !slices.Equal(codes, []protocol.ErrorCode{protocol.FencedInstanceID, protocol.UnknownMemberID, protocol.None}) {
		t.Errorf("LeaveGroup v5 of a replaced id, an unknown instance and %s by instance id: %v", instance, codes)
	}
	if gs, ok := groupState(g, s.group); !ok || gs.State != "Empty" || len(gs.Members) != 0 {
		t.Errorf("after the admin's removal: %+v, want an Empty group", gs)
	}
}

// TestStaticMembersKeepGeneration: two franz-go consumers with
// kgo.InstanceID share a topic. One closes (a static member sends no
// LeaveGroup) and a new client with the same instance id takes its place:
// the group stays at its generation and the newcomer gets the same
// partitions, reading on from the committed offsets. When it closes
// again and nobody comes back, session.timeout.ms removes it and the
// other member takes every partition in a new generation.
func TestStaticMembersKeepGeneration(t *testing.T) {
	g, _ := startCheckedGateway(t, core.Spec{Seed: 24, Brokers: 3, Config: groupTestConfig})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	producer := newClient(t, g)
	createTopic(t, ctx, producer, "events", 4, 3)

	into := &consumed{by: map[string][]string{}}
	var polling sync.WaitGroup
	member := func(id string) *kgo.Client {
		cl := newClient(t, g, kgo.ClientID(id), kgo.InstanceID(id), kgo.ConsumerGroup("statics"), kgo.ConsumeTopics("events"),
			kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.DisableAutoCommit(), kgo.HeartbeatInterval(200*time.Millisecond),
			kgo.SessionTimeout(6*time.Second))
		polling.Add(1)
		go pollInto(ctx, cl, id, into, &polling)
		return cl
	}
	members := []string{"static-1", "static-2"}
	one := member("static-1")
	waitGroup(t, ctx, g, "statics", members[:1], 4)
	two := member("static-2")
	before := waitGroup(t, ctx, g, "statics", members, 4)
	produceValues(t, ctx, producer, "events", "first", 40)
	waitConsumed(t, ctx, into, "first-", 40)
	for _, cl := range []*kgo.Client{one, two} {
		if err := cl.CommitUncommittedOffsets(ctx); err != nil {
			t.Fatalf("commit: %v", err)
		}
	}

	two.Close()
	time.Sleep(time.Second)
	if gs, _ := groupState(g, "statics"); gs.State != "Stable" || gs.Generation != before.Generation || len(gs.Members) != 2 {
		t.Fatalf("a second after static-2 closed: %+v, want generation %d with both members", gs, before.Generation)
	}
	restarted := member("static-2") // the restarted process
	var after core.GroupState
	for {
		after = waitGroup(t, ctx, g, "statics", members, 4)
		if after.Members["static-2"].MemberID != before.Members["static-2"].MemberID {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if after.Generation != before.Generation || !slices.Equal(after.Members["static-2"].Assignment, before.Members["static-2"].Assignment) ||
		after.Members["static-2"].GroupInstanceID != "static-2" {
		t.Errorf("after static-2 came back: %+v, before %+v: want the same generation and assignment", after, before)
	}
	produceValues(t, ctx, producer, "events", "second", 40)
	waitConsumed(t, ctx, into, "second-", 40)
	checkExactlyOnce(t, into, "first", 40, members)
	checkExactlyOnce(t, into, "second", 40, members)

	// static-2 goes for good: its session runs out and static-1 takes all.
	restarted.Close()
	alone := waitGroup(t, ctx, g, "statics", members[:1], 4)
	if alone.Generation <= before.Generation {
		t.Errorf("generation %d after static-2's session expired, %d before", alone.Generation, before.Generation)
	}
	one.Close()
	cancel()
	polling.Wait()
}

// waitConsumed waits until count records with the prefix were consumed.
func waitConsumed(t *testing.T, ctx context.Context, into *consumed, prefix string, count int) {
	t.Helper()
	for into.count(prefix) < count {
		if ctx.Err() != nil {
			t.Fatalf("consumed %d of %d %s records", into.count(prefix), count, prefix)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
