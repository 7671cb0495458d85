package core_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/kafka-playground/playground/core"
	"github.com/kafka-playground/playground/core/client"
	"github.com/kafka-playground/playground/core/protocol"
)

// staticCluster is a booted three-broker cluster with a topic "orders" of
// three partitions, for the static membership tests (group.instance.id,
// KIP-345), whose consumers are simulated Java consumers.
type staticCluster struct {
	t *testing.T
	c *core.Cluster
	k *core.Checker
}

func newStaticCluster(t *testing.T, seed uint64) *staticCluster {
	t.Helper()
	c, err := core.New(core.Spec{Seed: seed, Brokers: 3, LatencyMs: 1})
	if err != nil {
		t.Fatal(err)
	}
	k := core.NewChecker(c)
	c.Boot()
	for _, topic := range []string{"orders", "payments"} {
		if f := c.CreateTopic(topic, 3, 3, nil); !c.Wait(f, 60000) || f.Error != protocol.None {
			t.Fatalf("create %s: %s", topic, f.Error)
		}
	}
	t.Cleanup(func() {
		k.Final()
		for _, v := range k.Violations() {
			t.Errorf("invariant: %s", v)
		}
	})
	return &staticCluster{t: t, c: c, k: k}
}

// add adds a consumer of group g1, static when instance is not empty.
func (s *staticCluster) add(id, instance string, topics []string, cfg map[string]string) {
	s.t.Helper()
	config := map[string]string{"auto.offset.reset": "earliest"}
	if instance != "" {
		config["group.instance.id"] = instance
	}
	for k, v := range cfg {
		config[k] = v
	}
	if err := s.c.AddConsumer(id, "g1", topics, config); err != nil {
		s.t.Fatal(err)
	}
}

// poll lets the consumers poll, one second at a time, for ms of virtual
// time; it returns the last error each one's poll reported.
func (s *staticCluster) poll(ms int64, ids ...string) map[string]protocol.ErrorCode {
	errs := map[string]protocol.ErrorCode{}
	end := s.c.Now() + ms
	for s.c.Now() < end {
		polls := map[string]*client.PollResult{}
		for _, id := range ids {
			polls[id] = s.c.Consumer(id).Poll(0, 1000)
		}
		s.c.Sim().RunWhile(func() bool {
			for _, p := range polls {
				if !p.Done {
					return true
				}
			}
			return false
		}, s.c.Now()+1001)
		for id, p := range polls {
			if p.Error != protocol.None {
				errs[id] = p.Error
			}
		}
		s.c.Advance(max(0, min(100, end-s.c.Now())))
	}
	return errs
}

func (s *staticCluster) group() core.GroupState {
	s.t.Helper()
	g, ok := s.c.State().Groups["g1"].(core.GroupState)
	if !ok {
		s.t.Fatal("no group g1")
	}
	return g
}

func (s *staticCluster) consumer(id string) core.ConsumerState {
	return s.c.State().Consumers[id].(core.ConsumerState)
}

// stable checks that g1 is Stable at the generation with the members.
func (s *staticCluster) stable(what string, generation int32, members ...string) core.GroupState {
	s.t.Helper()
	g := s.group()
	var have []string
	for m := range g.Members {
		have = append(have, m)
	}
	slices.Sort(have)
	slices.Sort(members)
	if g.State != "Stable" || g.Generation != generation || !slices.Equal(have, members) {
		s.t.Fatalf("%s: group %s generation %d members %v, want Stable generation %d members %v", what, g.State, g.Generation, have,
			generation, members)
	}
	return g
}

// TestStaticLeaderRestart: the group's leader, a static member, crashes
// and a new process with its instance id comes back within
// session.timeout.ms. Nothing rebalances: the newcomer is told it leads
// without assigning (KIP-814), keeps the leader's partitions, and as
// leader still watches the partition counts: partitions added later
// make it rejoin, which rebalances.
func TestStaticLeaderRestart(t *testing.T) {
	s := newStaticCluster(t, 61)
	s.add("c1", "host-1", []string{"orders"}, nil)
	s.add("c2", "host-2", []string{"orders"}, nil)
	s.poll(6000, "c1", "c2")
	before := s.stable("started", 1, "c1", "c2")
	if before.Leader != "c1" || before.Members["c1"].GroupInstanceID != "host-1" || !strings.HasPrefix(before.Members["c1"].MemberID, "host-1-") {
		t.Fatalf("leader %s, members %+v: want c1 leading as host-1", before.Leader, before.Members)
	}
	if err := s.c.CrashClient("c1"); err != nil {
		t.Fatal(err)
	}
	s.poll(10000, "c2")
	s.add("c1-again", "host-1", []string{"orders"}, nil)
	s.poll(3000, "c1-again", "c2")
	after := s.stable("after the leader's restart", 1, "c1", "c2")
	newcomer := s.consumer("c1-again")
	if newcomer.MemberID == before.Members["c1"].MemberID || after.Members["c1"].MemberID != newcomer.MemberID {
		t.Errorf("member of host-1: %s, the newcomer is %s, the crashed one was %s", after.Members["c1"].MemberID, newcomer.MemberID,
			before.Members["c1"].MemberID)
	}
	if !slices.Equal(newcomer.Assignment, before.Members["c1"].Assignment) || newcomer.Generation != 1 || newcomer.GroupInstanceID != "host-1" {
		t.Errorf("the newcomer: %+v, want generation 1 and %v", newcomer, before.Members["c1"].Assignment)
	}
	if f := s.c.CreatePartitions("orders", 4); !s.c.Wait(f, 10000) || f.Error != protocol.None {
		t.Fatalf("create partitions: %s", f.Error)
	}
	s.poll(310000, "c1-again", "c2") // metadata.max.age.ms is 300 s
	grown := s.stable("after orders grew", 2, "c1", "c2")
	if n := len(grown.Members["c1"].Assignment) + len(grown.Members["c2"].Assignment); n != 4 {
		t.Errorf("after orders grew to 4 partitions: %+v", grown.Members)
	}
}

// TestStaticMemberClosedAndGone: a static member's close sends no
// LeaveGroup, so the group keeps it (and its partitions) until its
// session times out; then it is removed and the rest rebalances.
func TestStaticMemberClosedAndGone(t *testing.T) {
	s := newStaticCluster(t, 62)
	s.add("c1", "host-1", []string{"orders"}, map[string]string{"session.timeout.ms": "20000"})
	s.add("c2", "host-2", []string{"orders"}, map[string]string{"session.timeout.ms": "20000"})
	s.poll(6000, "c1", "c2")
	s.stable("started", 1, "c1", "c2")
	s.c.Consumer("c2").Close()
	s.poll(15000, "c1")
	s.stable("15 s after c2 closed", 1, "c1", "c2")
	s.poll(10000, "c1")
	g := s.stable("25 s after c2 closed", 2, "c1")
	if len(g.Members["c1"].Assignment) != 3 {
		t.Errorf("c1 alone: %v", g.Members["c1"].Assignment)
	}
}

// TestStaticMemberFailover: the coordinator fails over; the new one
// reloads the group with its static members from __consumer_offsets, so
// a restart of one of them after the failover still finds its old place
// without a rebalance.
func TestStaticMemberFailover(t *testing.T) {
	s := newStaticCluster(t, 63)
	s.add("c1", "host-1", []string{"orders"}, nil)
	s.add("c2", "host-2", []string{"orders"}, nil)
	s.poll(6000, "c1", "c2")
	before := s.stable("started", 1, "c1", "c2")
	if err := s.c.KillBroker(before.Coordinator); err != nil {
		t.Fatal(err)
	}
	s.poll(15000, "c1", "c2")
	moved := s.stable("after the coordinator died", 1, "c1", "c2")
	if moved.Coordinator == before.Coordinator || moved.Members["c2"].GroupInstanceID != "host-2" {
		t.Fatalf("after the failover: coordinator %d (was %d), members %+v", moved.Coordinator, before.Coordinator, moved.Members)
	}
	if err := s.c.CrashClient("c2"); err != nil {
		t.Fatal(err)
	}
	s.add("c2-again", "host-2", []string{"orders"}, nil)
	s.poll(3000, "c1", "c2-again")
	s.stable("after c2's restart", 1, "c1", "c2")
	if got := s.consumer("c2-again"); got.Generation != 1 || !slices.Equal(got.Assignment, before.Members["c2"].Assignment) {
		t.Errorf("c2-again: %+v, want generation 1 and %v", got, before.Members["c2"].Assignment)
	}
}

// TestStaticMemberFenced: a static member cut off from the cluster is
// replaced by a new process with its instance id; once the network heals
// the old one's requests are FENCED_INSTANCE_ID, and its poll fails with
// it, as the Java consumer's throws FencedInstanceIdException.
func TestStaticMemberFenced(t *testing.T) {
	s := newStaticCluster(t, 64)
	s.add("c1", "host-1", []string{"orders"}, nil)
	s.add("c2", "host-2", []string{"orders"}, nil)
	s.poll(6000, "c1", "c2")
	s.stable("started", 1, "c1", "c2")
	if err := s.c.PartitionNetwork([][]string{{"c2"}, {"broker-1", "broker-2", "broker-3"}}); err != nil {
		t.Fatal(err)
	}
	s.add("c2-twin", "host-2", []string{"orders"}, nil)
	s.poll(3000, "c1", "c2-twin")
	s.stable("after the twin joined", 1, "c1", "c2")
	s.c.HealNetwork()
	errs := s.poll(40000, "c1", "c2", "c2-twin")
	if errs["c2"] != protocol.FencedInstanceID || errs["c1"] != protocol.None || errs["c2-twin"] != protocol.None {
		t.Errorf("poll errors %v, want FENCED_INSTANCE_ID for c2 alone", errs)
	}
	g := s.stable("after the heal", 1, "c1", "c2")
	if g.Members["c2"].MemberID != s.consumer("c2-twin").MemberID {
		t.Errorf("host-2 is member %s, the twin %s", g.Members["c2"].MemberID, s.consumer("c2-twin").MemberID)
	}
}

// TestStaticMemberKeptThroughRebalance: a rebalance does not remove a
// static member that did not rejoin within the rebalance timeout
// (max.poll.interval.ms), as it does a dynamic one; the generation goes
// on with its partitions assigned to it, until its session times out.
func TestStaticMemberKeptThroughRebalance(t *testing.T) {
	s := newStaticCluster(t, 65)
	cfg := map[string]string{"max.poll.interval.ms": "10000", "session.timeout.ms": "60000"}
	s.add("c1", "host-1", []string{"orders"}, cfg)
	s.add("c2", "host-2", []string{"orders"}, cfg)
	s.poll(6000, "c1", "c2")
	s.stable("started", 1, "c1", "c2")
	if err := s.c.CrashClient("c2"); err != nil {
		t.Fatal(err)
	}
	s.add("d3", "", []string{"orders"}, cfg)
	s.poll(15000, "c1", "d3")
	g := s.stable("after the rebalance timeout", 2, "c1", "c2", "d3")
	if len(g.Members["c2"].Assignment) == 0 {
		t.Errorf("the static member that did not rejoin got nothing: %+v", g.Members)
	}
	s.poll(60000, "c1", "d3")
	g = s.stable("after c2's session timed out", 3, "c1", "d3")
	if n := len(g.Members["c1"].Assignment) + len(g.Members["d3"].Assignment); n != 3 {
		t.Errorf("after c2 left: %+v", g.Members)
	}
}

// TestStaticMemberPollTimeout: a static member that misses
// max.poll.interval.ms sends no LeaveGroup; its next poll joins again
// under its instance id, in its old place, without a rebalance.
func TestStaticMemberPollTimeout(t *testing.T) {
	s := newStaticCluster(t, 66)
	s.add("c1", "host-1", []string{"orders"}, nil)
	s.add("c2", "host-2", []string{"orders"}, map[string]string{"max.poll.interval.ms": "10000"})
	s.poll(6000, "c1", "c2")
	before := s.stable("started", 1, "c1", "c2")
	s.poll(15000, "c1")
	s.stable("after c2's poll timeout", 1, "c1", "c2")
	if member, _ := s.c.Consumer("c2").Member(); member != "" {
		t.Errorf("c2 still has member id %s after its poll timeout", member)
	}
	s.poll(3000, "c1", "c2")
	after := s.stable("after c2 polled again", 1, "c1", "c2")
	if after.Members["c2"].MemberID == before.Members["c2"].MemberID || !slices.Equal(after.Members["c2"].Assignment, before.Members["c2"].Assignment) {
		t.Errorf("c2 before %+v, after %+v: want a new member id with the same partitions", before.Members["c2"], after.Members["c2"])
	}
}

// TestStaticMemberChanges: a restart that changes what the group must
// decide rebalances. A new process of the instance preferring another
// assignor changes the group's protocol (the coordinator rebalances); one
// subscribing to another topic gets the old assignment back, which does
// not match its subscription, and rejoins (the Java consumer's
// checkAssignmentMatchedSubscription).
func TestStaticMemberChanges(t *testing.T) {
	t.Run("protocol", func(t *testing.T) {
		s := newStaticCluster(t, 67)
		s.add("c1", "host-1", []string{"orders"}, nil)
		s.poll(6000, "c1")
		if g := s.stable("started", 1, "c1"); g.Protocol != "range" {
			t.Fatalf("protocol %s", g.Protocol)
		}
		if err := s.c.CrashClient("c1"); err != nil {
			t.Fatal(err)
		}
		s.add("c1-again", "host-1", []string{"orders"}, map[string]string{"partition.assignment.strategy": "cooperative-sticky,range"})
		s.poll(5000, "c1-again")
		if g := s.stable("after the restart", 2, "c1"); g.Protocol != "cooperative-sticky" {
			t.Errorf("protocol %s after the restart, want cooperative-sticky", g.Protocol)
		}
	})
	t.Run("subscription", func(t *testing.T) {
		s := newStaticCluster(t, 68)
		s.add("c1", "host-1", []string{"orders"}, nil)
		s.poll(6000, "c1")
		s.stable("started", 1, "c1")
		if err := s.c.CrashClient("c1"); err != nil {
			t.Fatal(err)
		}
		s.add("c1-again", "host-1", []string{"payments"}, nil)
		s.poll(5000, "c1-again")
		g := s.stable("after the restart", 2, "c1")
		if !slices.Equal(g.Members["c1"].Assignment, []string{"payments-0", "payments-1", "payments-2"}) {
			t.Errorf("assignment %v after the restart, want payments'", g.Members["c1"].Assignment)
		}
	})
}

// TestStaticRejoinWriteFails: when the coordinator cannot write the group
// record that names a static member's new member id (here its partition
// of __consumer_offsets is below min.insync.replicas), the old member id
// comes back and the newcomer gets COORDINATOR_NOT_AVAILABLE, as Kafka
// answers NOT_ENOUGH_REPLICAS of a group write; once the write succeeds
// the newcomer takes the old place.
func TestStaticRejoinWriteFails(t *testing.T) {
	c, err := core.New(core.Spec{Seed: 69, Brokers: 3, LatencyMs: 1, Config: map[string]string{"min.insync.replicas": "2"}})
	if err != nil {
		t.Fatal(err)
	}
	c.Boot()
	if f := c.CreateTopic("orders", 3, 3, nil); !c.Wait(f, 60000) || f.Error != protocol.None {
		t.Fatalf("create: %s", f.Error)
	}
	s := &staticCluster{t: t, c: c}
	s.add("c1", "host-1", []string{"orders"}, map[string]string{"session.timeout.ms": "120000"})
	s.poll(6000, "c1")
	before := s.stable("started", 1, "c1")
	var others []int32
	for id := int32(1); id <= 3; id++ {
		if id != before.Coordinator {
			others = append(others, id)
			if err := c.KillBroker(id); err != nil {
				t.Fatal(err)
			}
		}
	}
	s.poll(20000, "c1")
	if err := c.CrashClient("c1"); err != nil {
		t.Fatal(err)
	}
	s.add("c1-again", "host-1", []string{"orders"}, map[string]string{"session.timeout.ms": "120000"})
	s.poll(40000, "c1-again")
	if g := s.stable("while the group record cannot be written", 1, "c1"); g.Members["c1"].MemberID != before.Members["c1"].MemberID {
		t.Errorf("host-1 is member %s, want the old %s back", g.Members["c1"].MemberID, before.Members["c1"].MemberID)
	}
	if _, generation := c.Consumer("c1-again").Member(); generation != -1 {
		t.Errorf("the newcomer joined generation %d while the group record could not be written", generation)
	}
	for _, id := range others {
		if err := c.StartBroker(id); err != nil {
			t.Fatal(err)
		}
	}
	s.poll(60000, "c1-again")
	g := s.stable("after the brokers came back", 1, "c1")
	if got := s.consumer("c1-again"); got.MemberID != g.Members["c1"].MemberID || got.Generation != 1 {
		t.Errorf("the newcomer %+v, host-1 is member %s", got, g.Members["c1"].MemberID)
	}
}
