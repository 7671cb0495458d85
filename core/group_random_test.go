package core_test

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/kafka-playground/playground/core"
	"github.com/kafka-playground/playground/core/client"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/record"
	"github.com/kafka-playground/playground/core/sim"
)

// maxEventsPerSecond bounds a group run's average event rate; healthy runs
// stay far below it.
const maxEventsPerSecond = 500

// groupHook, when set, sees each run's simulation (debugging aid).
var groupHook func(*sim.Sim)

var groupSeeds = flag.Int("group-seeds", 10, "TestRandomConsumerGroups: how many seeds to run")

// TestRandomConsumerGroups runs a consumer group of three (at least once:
// commit after processing) beside an idempotent producer, under broker
// crashes, restarts, partitions and consumer crashes, checked as Jepsen's
// Kafka workload checks: no acknowledged write is never consumed, each
// consumer's polls move forward within a partition while it keeps it, no
// two members own a partition in one generation. In even seeds the members
// are static (group.instance.id), and a crashed one is restarted under its
// instance id.
func TestRandomConsumerGroups(t *testing.T) {
	failed := 0
	for seed := uint64(1); seed <= uint64(wasmScaled(*groupSeeds)); seed++ {
		if problems := runGroupSeed(seed); len(problems) > 0 {
			failed++
			t.Errorf("seed %d (go test ./core -run TestRandomConsumerGroups -group-seeds %d):\n  %v", seed, seed, problems)
			if failed > 5 {
				return
			}
		}
	}
}

type groupRun struct {
	*faultRun
	members  []string
	next     int
	acked    []*client.SendResult
	values   map[*client.SendResult]string
	consumed map[string]int
	// last is each member's last offset polled per partition, with the
	// generation it polled in.
	last     map[string]map[protocol.TopicPartition]int64
	lastGen  map[string]string
	problems []string
	values0  int
	// static gives members a group.instance.id, kept by the member that
	// replaces a crashed one; instances holds each member's.
	static    bool
	instances map[string]string
}

func runGroupSeed(seed uint64) []string {
	r := &groupRun{faultRun: &faultRun{seed: seed, rng: rand.New(rand.NewPCG(seed, 0x67727570)), brokers: 3},
		values: map[*client.SendResult]string{}, consumed: map[string]int{},
		last: map[string]map[protocol.TopicPartition]int64{}, lastGen: map[string]string{}, static: seed%2 == 0, instances: map[string]string{}}
	c, err := core.New(core.Spec{Seed: seed, Brokers: 3, LatencyMs: 1})
	if err != nil {
		return []string{err.Error()}
	}
	r.c = c
	if groupHook != nil {
		groupHook(c.Sim())
	}
	r.k = core.NewChecker(c)
	c.Boot()
	partitions := int32(3 + r.rng.IntN(4))
	if f := c.CreateTopic("events", partitions, 3, nil); !c.Wait(f, 60000) || f.Error != protocol.None {
		return []string{"create topic: " + f.Error.String()}
	}
	for i := 1; i <= 3; i++ {
		r.nodes = append(r.nodes, "broker-"+strconv.Itoa(i))
	}
	if err := c.AddProducer("writer", nil); err != nil {
		return []string{err.Error()}
	}
	for i := 0; i < 3; i++ {
		r.addMember("worker-" + strconv.Itoa(i))
	}
	for step := 0; step < 40; step++ {
		r.produce()
		r.pollAll(300)
		switch r.rng.IntN(10) {
		case 0:
			r.killBroker()
		case 1:
			r.startBroker()
		case 2:
			r.partition()
		case 3:
			r.heal()
		case 4:
			r.crashMember()
		}
		r.c.Advance(int64(r.rng.IntN(3000)))
		r.checkOwners()
	}
	r.finish()
	p := c.Producer("writer")
	c.Sim().RunWhile(p.Outstanding, c.Now()+300000)
	for round := 0; round < 60 && r.unconsumed() > 0; round++ {
		r.pollAll(1000)
		c.Advance(1000)
	}
	if missing := r.unconsumedRecords(); len(missing) > 0 {
		r.problems = append(r.problems, fmt.Sprintf("%d acknowledged records never consumed by the group, first %s", len(missing), missing[0]))
	}
	// A timer that re-arms itself too eagerly shows as an event storm
	// long before it shows as a wrong answer (a session check once ran
	// every millisecond): bound the events per virtual second.
	if seconds := (c.Now() + 10000) / 1000; c.Sim().Processed() > maxEventsPerSecond*uint64(seconds) {
		r.problems = append(r.problems, fmt.Sprintf("%d events in %d virtual seconds: more than %d a second", c.Sim().Processed(), seconds, maxEventsPerSecond))
	}
	r.k.Final()
	for _, v := range r.k.Violations() {
		if !r.staleLeaderReport(v) {
			r.problems = append(r.problems, "invariant: "+v)
			break
		}
	}
	return r.problems
}

// addMember adds a member, with the instance id in a static run.
func (r *groupRun) addMember(instance string) {
	r.next++
	id := "member-" + strconv.Itoa(r.next)
	cfg := map[string]string{"auto.offset.reset": "earliest", "enable.auto.commit": "false", "session.timeout.ms": "10000",
		"heartbeat.interval.ms": "1000"}
	if r.static {
		cfg["group.instance.id"] = instance
	}
	if err := r.c.AddConsumer(id, "workers", []string{"events"}, cfg); err != nil {
		r.problems = append(r.problems, err.Error())
		return
	}
	r.members = append(r.members, id)
	r.instances[id] = instance
}

// crashMember crashes a member and starts another in its place (under
// its instance id in a static run).
func (r *groupRun) crashMember() {
	i := r.rng.IntN(len(r.members))
	crashed := r.members[i]
	_ = r.c.CrashClient(crashed)
	r.members = append(r.members[:i:i], r.members[i+1:]...)
	r.addMember(r.instances[crashed])
}

func (r *groupRun) produce() {
	for i := 0; i < 1+r.rng.IntN(10); i++ {
		r.values0++
		v := "v-" + strconv.Itoa(r.values0)
		res, err := r.c.Produce("writer", "events", -1, record.Record{Key: "k" + strconv.Itoa(r.rng.IntN(20)), Value: v})
		if err == nil {
			r.acked = append(r.acked, res)
			r.values[res] = v
		}
	}
}

// pollAll polls every member at once, processes what came back, then
// commits (at least once).
func (r *groupRun) pollAll(timeoutMs int64) {
	c := r.c
	polls := map[string]*client.PollResult{}
	for _, id := range r.members {
		polls[id] = c.Consumer(id).Poll(0, timeoutMs)
	}
	c.Sim().RunWhile(func() bool {
		for _, p := range polls {
			if !p.Done {
				return true
			}
		}
		return false
	}, c.Now()+timeoutMs+1)
	for _, id := range r.members {
		cons := c.Consumer(id)
		member, generation := cons.Member()
		gen := fmt.Sprintf("%s/%d", member, generation)
		if r.lastGen[id] != gen {
			r.last[id] = map[protocol.TopicPartition]int64{}
			r.lastGen[id] = gen
		}
		for _, rec := range polls[id].Records {
			if prev, ok := r.last[id][rec.TopicPartition]; ok && rec.Offset <= prev {
				r.problems = append(r.problems, fmt.Sprintf("%s polled %s offset %d after %d as member/generation %s", id, rec.TopicPartition, rec.Offset, prev, gen))
			}
			r.last[id][rec.TopicPartition] = rec.Offset
			r.consumed[rec.Value]++
		}
		cons.CommitSync()
	}
}

// checkOwners asserts that no partition has two owners in the group's
// current generation (as the coordinator assigned them).
func (r *groupRun) checkOwners() {
	st := r.c.State()
	g, ok := st.Groups["workers"].(core.GroupState)
	if !ok || g.State != "Stable" {
		return
	}
	owner := map[string]string{}
	for member, m := range g.Members {
		for _, tp := range m.Assignment {
			if other, taken := owner[tp]; taken {
				r.problems = append(r.problems, fmt.Sprintf("%s owned by %s and %s in generation %d", tp, other, member, g.Generation))
			}
			owner[tp] = member
		}
	}
}

func (r *groupRun) unconsumed() int { return len(r.unconsumedRecords()) }

// unconsumedRecords names the acknowledged records no member polled.
func (r *groupRun) unconsumedRecords() []string {
	var out []string
	for _, res := range r.acked {
		if res.Done && res.Error == protocol.None && r.consumed[r.values[res]] == 0 {
			out = append(out, fmt.Sprintf("%s at %s-%d offset %d", r.values[res], res.Topic, res.Partition, res.Offset))
		}
	}
	return out
}
