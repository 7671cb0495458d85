package gateway

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/kafka-playground/playground/core"
	"github.com/kafka-playground/playground/core/client"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// groupTestConfig is the brokers' configuration of the group tests. The
// first rebalance of an empty group waits group.initial.rebalance.delay.ms
// (3 s by default) of virtual time, which follows the wall clock here:
// the tests lower it to keep their wall time short.
var groupTestConfig = map[string]string{"group.initial.rebalance.delay.ms": "100"}

// startCheckedGateway serves a cluster that runs the core's invariant
// checker (one owner per partition per generation, committed offsets
// within high watermarks, ...) and fails the test on a violation.
func startCheckedGateway(t *testing.T, spec core.Spec) (*Gateway, *core.Checker) {
	t.Helper()
	cluster, err := core.New(spec)
	if err != nil {
		t.Fatal(err)
	}
	cluster.Boot()
	checker := core.NewChecker(cluster)
	g, err := Start(context.Background(), Config{Cluster: cluster})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		g.Do(func(*core.Cluster) {
			checker.Final()
			for _, v := range checker.Violations() {
				t.Errorf("invariant: %s", v)
			}
		})
		g.Close()
	})
	return g, checker
}

// groupState reads a group of the simulated cluster's state document.
func groupState(g *Gateway, group string) (core.GroupState, bool) {
	var gs core.GroupState
	var ok bool
	g.Do(func(c *core.Cluster) {
		gs, ok = c.State().Groups[group].(core.GroupState)
	})
	return gs, ok
}

// waitGroup waits until the group is Stable with the given members
// (client ids) and every partition of the topic assigned to one of them.
func waitGroup(t *testing.T, ctx context.Context, g *Gateway, group string, members []string, partitions int) core.GroupState {
	t.Helper()
	for {
		gs, ok := groupState(g, group)
		if ok && gs.State == "Stable" && len(gs.Members) == len(members) {
			assigned := 0
			all := true
			for _, m := range members {
				member, in := gs.Members[m]
				all = all && in && len(member.Assignment) > 0
				assigned += len(member.Assignment)
			}
			if all && assigned == partitions {
				return gs
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("group %s never became Stable with members %v over %d partitions: %+v", group, members, partitions, gs)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// consumed collects what a group's members consumed.
type consumed struct {
	mu sync.Mutex
	by map[string][]string // value -> members that got it
}

func (c *consumed) add(member, value string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.by[value] = append(c.by[value], member)
}

func (c *consumed) count(prefix string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for v := range c.by {
		if len(v) >= len(prefix) && v[:len(prefix)] == prefix {
			n++
		}
	}
	return n
}

// pollInto polls a group member until its client closes.
func pollInto(ctx context.Context, cl *kgo.Client, member string, into *consumed, done *sync.WaitGroup) {
	defer done.Done()
	for {
		fetches := cl.PollFetches(ctx)
		if fetches.IsClientClosed() || ctx.Err() != nil {
			return
		}
		fetches.EachRecord(func(r *kgo.Record) { into.add(member, string(r.Value)) })
	}
}

func produceValues(t *testing.T, ctx context.Context, cl *kgo.Client, topic, prefix string, count int) {
	t.Helper()
	for i := 0; i < count; i++ {
		r := &kgo.Record{Topic: topic, Key: []byte(fmt.Sprintf("k-%d", i)), Value: []byte(fmt.Sprintf("%s-%d", prefix, i))}
		if err := cl.ProduceSync(ctx, r).FirstErr(); err != nil {
			t.Fatalf("produce %s-%d: %v", prefix, i, err)
		}
	}
}

// TestConsumerGroup: three franz-go consumers in one group share a topic
// of six partitions, each record is consumed exactly once among them,
// their commits are visible with OffsetFetch and in the state document;
// DescribeGroups and ListGroups show what the coordinator holds; when one
// member leaves, the others take over its partitions.
func TestConsumerGroup(t *testing.T) {
	g, _ := startCheckedGateway(t, core.Spec{Seed: 11, Brokers: 3, Config: groupTestConfig})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	producer := newClient(t, g)
	createTopic(t, ctx, producer, "events", 6, 3)

	into := &consumed{by: map[string][]string{}}
	var polling sync.WaitGroup
	members := []string{"member-0", "member-1", "member-2"}
	clients := map[string]*kgo.Client{}
	for _, id := range members {
		cl := newClient(t, g, kgo.ClientID(id), kgo.ConsumerGroup("g1"), kgo.ConsumeTopics("events"),
			kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.DisableAutoCommit(), kgo.HeartbeatInterval(200*time.Millisecond))
		clients[id] = cl
		polling.Add(1)
		go pollInto(ctx, cl, id, into, &polling)
	}
	before := waitGroup(t, ctx, g, "g1", members, 6)

	const first = 60
	produceValues(t, ctx, producer, "events", "first", first)
	for into.count("first-") < first {
		if ctx.Err() != nil {
			t.Fatalf("consumed %d of %d records", into.count("first-"), first)
		}
		time.Sleep(20 * time.Millisecond)
	}
	checkExactlyOnce(t, into, "first", first, members)
	for _, id := range members {
		if err := clients[id].CommitUncommittedOffsets(ctx); err != nil {
			t.Fatalf("%s commit: %v", id, err)
		}
	}
	checkCommitted(t, ctx, g, producer, "g1", "events", 6)
	checkDescribeAndList(t, ctx, g, producer, "g1", members)

	// member-2 leaves (LeaveGroup): the two others take its partitions.
	left := before.Members["member-2"].Assignment
	clients["member-2"].Close()
	after := waitGroup(t, ctx, g, "g1", members[:2], 6)
	if after.Generation <= before.Generation {
		t.Errorf("generation %d after the leave, %d before", after.Generation, before.Generation)
	}
	for _, tp := range left {
		if !slices.Contains(after.Members["member-0"].Assignment, tp) && !slices.Contains(after.Members["member-1"].Assignment, tp) {
			t.Errorf("%s of member-2 was taken over by nobody: %+v", tp, after.Members)
		}
	}
	const second = 30
	produceValues(t, ctx, producer, "events", "second", second)
	for into.count("second-") < second {
		if ctx.Err() != nil {
			t.Fatalf("consumed %d of %d records after the leave", into.count("second-"), second)
		}
		time.Sleep(20 * time.Millisecond)
	}
	checkExactlyOnce(t, into, "second", second, members[:2])
	checkExactlyOnce(t, into, "first", first, members) // committed: nothing was consumed again
	for _, id := range members[:2] {
		clients[id].Close()
	}
	polling.Wait()
}

func checkExactlyOnce(t *testing.T, into *consumed, prefix string, count int, members []string) {
	t.Helper()
	into.mu.Lock()
	defer into.mu.Unlock()
	for i := 0; i < count; i++ {
		v := fmt.Sprintf("%s-%d", prefix, i)
		got := into.by[v]
		if len(got) != 1 {
			t.Errorf("%s consumed %d times (by %v)", v, len(got), got)
			continue
		}
		if !slices.Contains(members, got[0]) {
			t.Errorf("%s consumed by %s, not one of %v", v, got[0], members)
		}
	}
}

// checkCommitted compares the committed offsets an OffsetFetch returns
// (all partitions) with the log
// ends and with the state document.
func checkCommitted(t *testing.T, ctx context.Context, g *Gateway, cl *kgo.Client, group, topic string, partitions int32) {
	t.Helper()
	req := kmsg.NewPtrOffsetFetchRequest()
	req.Group = group // Topics nil: every committed partition
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		t.Fatalf("OffsetFetch: %v", err)
	}
	fetched := map[string]int64{}
	switch {
	case resp.Version >= 8 && len(resp.Groups) == 1 && resp.Groups[0].ErrorCode == 0:
		for _, rt := range resp.Groups[0].Topics {
			for _, p := range rt.Partitions {
				fetched[fmt.Sprintf("%s-%d", rt.Topic, p.Partition)] = p.Offset
			}
		}
	case resp.Version < 8 && resp.ErrorCode == 0:
		for _, rt := range resp.Topics {
			for _, p := range rt.Partitions {
				fetched[fmt.Sprintf("%s-%d", rt.Topic, p.Partition)] = p.Offset
			}
		}
	default:
		t.Fatalf("OffsetFetch v%d: %+v", resp.Version, resp)
	}
	state, _ := groupState(g, group)
	g.Do(func(c *core.Cluster) {
		for p := int32(0); p < partitions; p++ {
			name := fmt.Sprintf("%s-%d", topic, p)
			end := c.State().Topics[topic].Partitions[fmt.Sprint(p)].HighWatermark
			if fetched[name] != end {
				t.Errorf("%s: OffsetFetch committed %d, high watermark %d", name, fetched[name], end)
			}
			if state.Offsets[name] != end {
				t.Errorf("%s: state document committed %d, high watermark %d", name, state.Offsets[name], end)
			}
		}
	})
}

// checkDescribeAndList asks DescribeGroups and ListGroups and compares
// them with the coordinator's group in the state document; the member
// metadata and assignments are the bytes franz-go encoded.
func checkDescribeAndList(t *testing.T, ctx context.Context, g *Gateway, cl *kgo.Client, group string, members []string) {
	t.Helper()
	state, _ := groupState(g, group)
	describe := kmsg.NewPtrDescribeGroupsRequest()
	describe.Groups = []string{group}
	dresp, err := describe.RequestWith(ctx, cl)
	if err != nil {
		t.Fatalf("DescribeGroups: %v", err)
	}
	if len(dresp.Groups) != 1 {
		t.Fatalf("DescribeGroups: %d groups", len(dresp.Groups))
	}
	dg := dresp.Groups[0]
	if dg.ErrorCode != 0 || dg.State != "Stable" || dg.ProtocolType != "consumer" || dg.Protocol != state.Protocol || len(dg.Members) != len(members) {
		t.Fatalf("DescribeGroups: %+v, state document %+v", dg, state)
	}
	for _, m := range dg.Members {
		ms, ok := state.Members[m.ClientID]
		if !ok || ms.MemberID != m.MemberID {
			t.Errorf("described member %s (%s) is not the coordinator's: %+v", m.MemberID, m.ClientID, state.Members)
		}
		if m.ClientHost != "/127.0.0.1" {
			t.Errorf("member %s client host %q", m.ClientID, m.ClientHost)
		}
		var meta kmsg.ConsumerMemberMetadata
		if err := meta.ReadFrom(m.ProtocolMetadata); err != nil || !slices.Equal(meta.Topics, []string{"events"}) {
			t.Errorf("member %s metadata: %v %+v", m.ClientID, err, meta)
		}
		var assignment kmsg.ConsumerMemberAssignment
		if err := assignment.ReadFrom(m.MemberAssignment); err != nil {
			t.Errorf("member %s assignment: %v", m.ClientID, err)
		}
		var got []string
		for _, at := range assignment.Topics {
			for _, p := range at.Partitions {
				got = append(got, fmt.Sprintf("%s-%d", at.Topic, p))
			}
		}
		sort.Strings(got)
		if !slices.Equal(got, ms.Assignment) {
			t.Errorf("member %s: assignment bytes say %v, the coordinator %v", m.ClientID, got, ms.Assignment)
		}
	}

	list := kmsg.NewPtrListGroupsRequest()
	lresp, err := list.RequestWith(ctx, cl)
	if err != nil {
		t.Fatalf("ListGroups: %v", err)
	}
	found := false
	for _, lg := range lresp.Groups {
		if lg.Group == group {
			found = true
			if lg.ProtocolType != "consumer" || lg.GroupState != "Stable" || lg.GroupType != "classic" {
				t.Errorf("ListGroups: %+v", lg)
			}
		}
	}
	if !found {
		t.Errorf("ListGroups does not list %s: %+v", group, lresp.Groups)
	}
	for _, filter := range []struct {
		states, types []string
		listed        bool
	}{{[]string{" stable "}, nil, true}, {[]string{"Empty"}, nil, false}, {nil, []string{"Classic"}, true}, {nil, []string{"consumer"}, false}} {
		list := kmsg.NewPtrListGroupsRequest()
		list.StatesFilter, list.TypesFilter = filter.states, filter.types
		lresp, err := list.RequestWith(ctx, cl)
		if err != nil {
			t.Fatalf("ListGroups %v %v: %v", filter.states, filter.types, err)
		}
		listed := slices.ContainsFunc(lresp.Groups, func(lg kmsg.ListGroupsResponseGroup) bool { return lg.Group == group })
		if listed != filter.listed {
			t.Errorf("ListGroups states %q types %q: listed %v, want %v", filter.states, filter.types, listed, filter.listed)
		}
	}
}

// TestMixedGroup: a franz-go consumer and a simulated consumer share one
// group, each in turn first in and so leader. A franz-go leader assigns
// from the simulated member's metadata, which the gateway encodes (the
// simulated client keeps only the decoded subscription); a simulated
// leader's assignment reaches franz-go encoded by the gateway. Each
// record is consumed once between them.
func TestMixedGroup(t *testing.T) {
	for _, first := range []string{"real", "simulated"} {
		t.Run(first+" leads", func(t *testing.T) { testMixedGroup(t, first) })
	}
}

func testMixedGroup(t *testing.T, first string) {
	g, _ := startCheckedGateway(t, core.Spec{Seed: 17, Brokers: 3, Config: groupTestConfig})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	producer := newClient(t, g)
	createTopic(t, ctx, producer, "shared", 4, 3)

	into := &consumed{by: map[string][]string{}}
	var polling sync.WaitGroup
	stop := make(chan struct{})
	var real *kgo.Client
	join := map[string]func(){
		"real": func() {
			real = newClient(t, g, kgo.ClientID("real"), kgo.ConsumerGroup("mixed"), kgo.ConsumeTopics("shared"),
				kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.HeartbeatInterval(200*time.Millisecond))
			polling.Add(1)
			go pollInto(ctx, real, "real", into, &polling)
		},
		"simulated": func() {
			g.Do(func(c *core.Cluster) {
				if err := c.AddConsumer("simulated", "mixed", []string{"shared"}, map[string]string{"auto.offset.reset": "earliest",
					"heartbeat.interval.ms": "200"}); err != nil {
					t.Fatal(err)
				}
			})
			polling.Add(1)
			go pollSimulated(g, "simulated", into, stop, &polling)
		},
	}
	second := map[string]string{"real": "simulated", "simulated": "real"}[first]
	join[first]()
	waitGroup(t, ctx, g, "mixed", []string{first}, 4)
	join[second]()
	gs := waitGroup(t, ctx, g, "mixed", []string{"real", "simulated"}, 4)
	if gs.Leader != first {
		t.Errorf("leader %s, want %s, first in", gs.Leader, first)
	}

	const count = 40
	produceValues(t, ctx, producer, "shared", "mixed", count)
	for into.count("mixed-") < count {
		if ctx.Err() != nil {
			t.Fatalf("consumed %d of %d records", into.count("mixed-"), count)
		}
		time.Sleep(20 * time.Millisecond)
	}
	checkExactlyOnce(t, into, "mixed", count, []string{"real", "simulated"})
	into.mu.Lock()
	by := map[string]int{}
	for _, members := range into.by {
		by[members[0]]++
	}
	into.mu.Unlock()
	if by["real"] == 0 || by["simulated"] == 0 {
		t.Errorf("records consumed by member: %v, want both to have some", by)
	}

	describe := kmsg.NewPtrDescribeGroupsRequest()
	describe.Groups = []string{"mixed"}
	dresp, err := describe.RequestWith(ctx, producer)
	if err != nil || len(dresp.Groups) != 1 {
		t.Fatalf("DescribeGroups: %v %+v", err, dresp)
	}
	for _, m := range dresp.Groups[0].Members {
		var meta kmsg.ConsumerMemberMetadata
		if err := meta.ReadFrom(m.ProtocolMetadata); err != nil || !slices.Equal(meta.Topics, []string{"shared"}) {
			t.Errorf("member %s metadata: %v %+v", m.ClientID, err, meta)
		}
		var assignment kmsg.ConsumerMemberAssignment
		if err := assignment.ReadFrom(m.MemberAssignment); err != nil || len(assignment.Topics) != 1 {
			t.Errorf("member %s assignment: %v %+v", m.ClientID, err, assignment)
		}
	}
	close(stop)
	real.Close()
	polling.Wait()
}

// pollSimulated polls a simulated consumer of the gateway's cluster, as
// its application would, until stop closes.
func pollSimulated(g *Gateway, id string, into *consumed, stop chan struct{}, done *sync.WaitGroup) {
	defer done.Done()
	var pending *client.PollResult
	for {
		select {
		case <-stop:
			return
		case <-time.After(20 * time.Millisecond):
		}
		g.Do(func(c *core.Cluster) {
			if pending != nil && !pending.Done {
				return
			}
			if pending != nil {
				for _, r := range pending.Records {
					into.add(id, r.Value)
				}
			}
			pending = c.Consumer(id).Poll(100, 200)
		})
	}
}

// TestConsumerProtocolCodec: what the gateway encodes for simulated
// members decodes back, and bytes of another protocol decode to nothing.
func TestConsumerProtocolCodec(t *testing.T) {
	sub := protocol.Subscription{Topics: []string{"a", "b"}, OwnedPartitions: []protocol.TopicPartition{{Topic: "a", Partition: 0}, {Topic: "a", Partition: 2}, {Topic: "b", Partition: 1}}}
	if got := decodeSubscription(encodeSubscription(sub)); !slices.Equal(got.Topics, sub.Topics) || !slices.Equal(got.OwnedPartitions, sub.OwnedPartitions) {
		t.Errorf("subscription %+v came back as %+v", sub, got)
	}
	tps := []protocol.TopicPartition{{Topic: "a", Partition: 1}, {Topic: "b", Partition: 0}, {Topic: "b", Partition: 3}}
	if got := decodeAssignment(encodeAssignment(tps)); !slices.Equal(got, tps) {
		t.Errorf("assignment %v came back as %v", tps, got)
	}
	if got := decodeAssignment(encodeAssignment(nil)); len(got) != 0 {
		t.Errorf("an empty assignment came back as %v", got)
	}
	for _, junk := range [][]byte{nil, {}, {0xff}, {0x00, 0x00, 0x7f, 0xff, 0xff, 0xff}} {
		if got := decodeSubscription(junk); len(got.Topics) != 0 {
			t.Errorf("subscription from %x: %+v", junk, got)
		}
		if got := decodeAssignment(junk); got != nil {
			t.Errorf("assignment from %x: %v", junk, got)
		}
	}
}
