package core_test

// TestRandomFaults is the playground's VOPR (after TigerBeetle's Viewstamped
// Operation Replicator): for each seed it builds a cluster, runs a random
// schedule of produce calls and faults (crashes, controlled shutdowns,
// network partitions, slow links, controller failures) drawn from the
// seed, heals everything, and then checks what the producers were told
// against what the cluster kept, Jepsen style. Every schedule is
// reproducible from its seed:
//
//	go test ./core -run TestRandomFaults -seed 17 -v
//	go test ./core -run TestRandomFaults -seed 17 -v -print-trace   # whole trace
//
// The test's own random choices come from its own PCG seeded by the seed,
// separate from the cluster's PRNG; both are deterministic, so a seed
// replays event for event.

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kafka-playground/playground/core"
	"github.com/kafka-playground/playground/core/broker"
	"github.com/kafka-playground/playground/core/client"
	"github.com/kafka-playground/playground/core/internal/runs"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/record"
	"github.com/kafka-playground/playground/core/sim"
	"github.com/kafka-playground/playground/core/storage"
)

var (
	randomSeeds = flag.Int("seeds", 300, "TestRandomFaults: how many seeds to run (1..seeds)")
	randomSeed  = flag.Uint64("seed", 0, "TestRandomFaults: run only this seed (to reproduce a failure)")
	eventBudget = flag.Uint64("event-budget", 300_000, "TestRandomFaults: events one seed may deliver before it fails as a busy loop (healthy seeds deliver ~20k-130k)")
	randomTrace = flag.Bool("print-trace", false, "TestRandomFaults: with -seed, log the whole trace")
)

// Bounds of one random schedule.
const (
	minSteps           = 40
	maxSteps           = 80
	maxAdvanceMs       = 30000
	maxDelayMs         = 200
	createTopicWaitMs  = 60000
	finalAdvanceMs     = 120000
	producerWaitMs     = 300000
	shutdownWaitMs     = 60000
	convergenceWaitMs  = 60000
	convergenceStepMs  = 1000
	traceTailOnFailure = 80
)

func reproduce(seed uint64) string {
	return fmt.Sprintf("reproduce: go test ./core -run TestRandomFaults -seed %d -v", seed)
}

func TestRandomFaults(t *testing.T) {
	if *randomSeed != 0 {
		out := runSeed(*randomSeed, true)
		for _, step := range out.steps {
			t.Log(step)
		}
		if *randomTrace {
			for _, line := range out.trace {
				t.Log(line)
			}
		}
		again := runSeed(*randomSeed, false)
		if again.hash != out.hash || again.wireHash != out.wireHash || again.stateHash != out.stateHash {
			out.failures = append(out.failures, fmt.Sprintf("not deterministic: trace %s, wire %s, state %s; then %s, %s, %s",
				out.hash, out.wireHash, out.stateHash, again.hash, again.wireHash, again.stateHash))
		}
		reportSeed(t, *randomSeed, out, true)
		t.Logf("seed %d: %d sends, %d acknowledged, %d events delivered, time %d ms, trace hash %s",
			*randomSeed, out.sends, out.acked, out.events, out.timeMs, out.hash)
		return
	}
	seeds := *randomSeeds
	results := runSeedsInParallel(seeds)
	var sends, acked, events int64
	var mostEvents uint64
	failed := 0
	for i, out := range results {
		seed := uint64(i + 1)
		sends, acked, events = sends+int64(out.sends), acked+int64(out.acked), events+int64(out.events)
		if out.events < *eventBudget {
			mostEvents = max(mostEvents, out.events)
		}
		if len(out.failures) > 0 {
			failed++
			reportSeed(t, seed, out, false)
		}
	}
	t.Logf("%d seeds, %d failed; %d sends, %d acknowledged, %d events delivered (at most %d by a seed within the budget of %d)",
		seeds, failed, sends, acked, events, mostEvents, *eventBudget)
}

// runSeedsInParallel runs seeds 1..n on every CPU (seeds are independent
// clusters; each cluster itself is single-threaded) and returns the
// outcomes in seed order. TestSameSeedSameRun runs seeds repeatedly to
// compare them.
func runSeedsInParallel(n int) []seedOutcome {
	results := make([]seedOutcome, n)
	runs.InParallel(n, func(i int) { results[i] = runSeed(uint64(i+1), false) })
	return results
}

func reportSeed(t *testing.T, seed uint64, out seedOutcome, verbose bool) {
	if len(out.failures) == 0 {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "seed %d: %d problem(s) (%s)", seed, len(out.failures), reproduce(seed))
	for _, f := range out.failures {
		b.WriteString("\n    " + f)
	}
	if verbose {
		b.WriteString("\n  trace tail:")
		for _, line := range out.tail {
			b.WriteString("\n    " + line)
		}
	}
	t.Error(b.String())
}

// seedOutcome is what one seed's run found.
type seedOutcome struct {
	failures []string
	steps    []string
	trace    []string
	tail     []string
	hash     string
	// stateHash is the SHA-256 of the final state document's JSON,
	// wireHash that of the messages sent (see watchWire).
	stateHash string
	wireHash  string
	sends     int
	acked     int
	events    uint64
	timeMs    int64
}

// producerPlan is one producer of a run and how it was configured.
type producerPlan struct {
	id         string
	config     map[string]string
	acksAll    bool
	idempotent bool
}

// sent is one send() and the value it carried (values are unique per run).
type sent struct {
	producer *producerPlan
	value    string
	result   *client.SendResult
}

// faultRun is one seed's cluster, schedule and history.
type faultRun struct {
	seed      uint64
	rng       *rand.Rand
	c         *core.Cluster
	k         *core.Checker
	brokers   int
	topics    []string
	producers []*producerPlan
	nodes     []string
	history   []sent
	steps     []string
	failures  []string
	values    int
	aborted   bool
	// epochs lists, per partition, when brokers took leadership in which
	// leader epoch (from the trace), to recognise stale leaders.
	epochs map[string][]epochAt
}

// epochAt is a leader epoch some broker took up at a time.
type epochAt struct {
	timeMs int64
	epoch  int32
}

func runSeed(seed uint64, keepTrace bool) seedOutcome {
	r := &faultRun{seed: seed, rng: rand.New(rand.NewPCG(seed, 0x766f7072))}
	r.brokers = 3 + r.rng.IntN(3)
	c, err := core.New(core.Spec{Seed: seed, Brokers: r.brokers, LatencyMs: 1})
	if err != nil {
		return seedOutcome{failures: []string{"core.New: " + err.Error()}}
	}
	r.c = c
	var trace []string
	r.epochs = map[string][]epochAt{}
	c.Sim().SetTraceSink(func(e sim.TraceEvent) {
		if keepTrace {
			trace = append(trace, e.String())
		}
		// "broker-2 leader topic-0-0 epoch 2 isr [2] log end 5 hw 0"
		var tp string
		var epoch int32
		if e.Kind == "leader" && strings.HasPrefix(e.Node, "broker-") {
			if n, err := fmt.Sscanf(e.Text, "%s epoch %d", &tp, &epoch); err == nil && n == 2 {
				r.epochs[tp] = append(r.epochs[tp], epochAt{timeMs: e.TimeMs, epoch: epoch})
			}
		}
	})
	r.k = core.NewChecker(c)
	wire := runs.WatchWire(c)
	c.Boot()
	if r.setUp() {
		steps := minSteps + r.rng.IntN(maxSteps-minSteps+1)
		for i := 0; i < steps && !r.aborted; i++ {
			r.step()
		}
		r.finish()
		if !r.aborted {
			r.check()
		}
	}
	if err := c.Sim().Err(); err != nil {
		r.failf("simulation stopped: %v", err)
	}
	out := seedOutcome{failures: r.failures, steps: r.steps, trace: trace, hash: c.TraceHash(), stateHash: stateHash(c), wireHash: wire.Sum(),
		events: c.Sim().Processed(), timeMs: c.Now(), sends: len(r.history)}
	for _, s := range r.history {
		if acknowledged(s.result) {
			out.acked++
		}
	}
	if len(r.failures) > 0 {
		events := c.Sim().TraceEvents(0)
		for _, e := range events[max(0, len(events)-traceTailOnFailure):] {
			out.tail = append(out.tail, e.String())
		}
	}
	return out
}

// runWhile delivers events while cond holds, up to deadlineMs, and
// within the event budget; it reports whether cond became false. Past the
// budget the run is aborted and reported.
func (r *faultRun) runWhile(cond func() bool, deadlineMs int64) bool {
	if r.aborted {
		return false
	}
	s := r.c.Sim()
	withinBudget := func() bool { return s.Processed() < *eventBudget }
	done := s.RunWhile(func() bool { return withinBudget() && cond() }, deadlineMs)
	if !withinBudget() {
		r.aborted = true
		r.failf("busy loop: %d events delivered by t=%d, where a healthy seed delivers ~20k-130k (rerun with -event-budget 2000000 to see whether it ends)",
			s.Processed(), r.c.Now())
		return false
	}
	return done
}

// runUntil lets virtual time run to timeMs, within the event budget.
func (r *faultRun) runUntil(timeMs int64) {
	r.runWhile(func() bool { return true }, timeMs)
	if !r.aborted && r.c.Now() < timeMs {
		r.c.RunUntil(timeMs)
	}
}

func (r *faultRun) failf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

// note records a step in the run's step list and in the trace, so that the
// trace reads as the schedule it ran.
func (r *faultRun) note(format string, args ...any) {
	text := fmt.Sprintf(format, args...)
	r.steps = append(r.steps, fmt.Sprintf("t=%d %s", r.c.Now(), text))
	r.c.Sim().RecordAs("vopr", "step", text)
}

// setUp creates 1-2 topics and 1-2 producers; false when a topic could not
// be created (reported as a failure).
func (r *faultRun) setUp() bool {
	topics := 1 + r.rng.IntN(2)
	uncleanTopic := -1
	if r.rng.IntN(3) == 0 {
		uncleanTopic = r.rng.IntN(topics)
	}
	for i := 0; i < topics; i++ {
		name := "topic-" + strconv.Itoa(i)
		partitions := int32(1 + r.rng.IntN(4))
		cfg := map[string]string{}
		if r.rng.IntN(2) == 0 {
			cfg["min.insync.replicas"] = "2"
		}
		if i == uncleanTopic {
			cfg["unclean.leader.election.enable"] = "true"
		}
		r.note("create topic %s partitions=%d rf=3 config=%v", name, partitions, cfg)
		f := r.c.CreateTopic(name, partitions, 3, cfg)
		if !r.runWhile(func() bool { return !f.Done }, r.c.Now()+createTopicWaitMs) || f.Error != protocol.None {
			r.failf("create topic %s: done=%v error=%s %s", name, f.Done, f.Error, f.Message)
			return false
		}
		r.topics = append(r.topics, name)
	}
	producers := 1 + r.rng.IntN(2)
	for i := 1; i <= producers; i++ {
		p := &producerPlan{id: "producer-" + strconv.Itoa(i)}
		switch n := r.rng.IntN(10); {
		case n < 5: // Kafka's defaults: acks=all, idempotent.
			p.config = map[string]string{}
			p.acksAll, p.idempotent = true, true
		case n < 8:
			p.config = map[string]string{"acks": "1", "enable.idempotence": "false"}
		default:
			p.config = map[string]string{"acks": "all", "enable.idempotence": "false"}
			p.acksAll = true
		}
		r.note("add producer %s config=%v", p.id, p.config)
		if err := r.c.AddProducer(p.id, p.config); err != nil {
			r.failf("add producer %s: %v", p.id, err)
			return false
		}
		r.producers = append(r.producers, p)
	}
	for i := 1; i <= r.brokers; i++ {
		r.nodes = append(r.nodes, "broker-"+strconv.Itoa(i))
	}
	for _, ctl := range r.c.Controllers() {
		r.nodes = append(r.nodes, "controller-"+strconv.Itoa(int(ctl.ID())))
	}
	for _, p := range r.producers {
		r.nodes = append(r.nodes, p.id)
	}
	return true
}

// stepWeights are the relative odds of each kind of step.
var stepWeights = []struct {
	weight int
	run    func(*faultRun)
}{
	{30, (*faultRun).produce},
	{25, (*faultRun).advance},
	{5, (*faultRun).killBroker},
	{7, (*faultRun).startBroker},
	{4, (*faultRun).stopBroker},
	{5, (*faultRun).partition},
	{6, (*faultRun).heal},
	{5, (*faultRun).delay},
	{4, (*faultRun).killController},
	{5, (*faultRun).startController},
}

func (r *faultRun) step() {
	total := 0
	for _, w := range stepWeights {
		total += w.weight
	}
	n := r.rng.IntN(total)
	for _, w := range stepWeights {
		if n < w.weight {
			w.run(r)
			return
		}
		n -= w.weight
	}
}

func (r *faultRun) produce() {
	p := r.producers[r.rng.IntN(len(r.producers))]
	topic := r.topics[r.rng.IntN(len(r.topics))]
	count := 1 + r.rng.IntN(8)
	r.note("produce %s %s x%d", p.id, topic, count)
	for i := 0; i < count; i++ {
		r.values++
		value := p.id + "-" + strconv.Itoa(r.values)
		rec := record.Record{Value: value}
		if r.rng.IntN(3) == 0 {
			rec.KeyNull = true
		} else {
			rec.Key = "key-" + strconv.Itoa(r.rng.IntN(16))
		}
		result, err := r.c.Produce(p.id, topic, -1, rec)
		if err != nil {
			r.failf("produce %s: %v", p.id, err)
			return
		}
		r.history = append(r.history, sent{producer: p, value: value, result: result})
	}
}

// advance lets time run: often briefly (so faults interleave with
// requests in flight), sometimes past session and lag timeouts.
func (r *faultRun) advance() {
	var ms int64
	switch r.rng.IntN(3) {
	case 0:
		ms = 1 + r.rng.Int64N(100)
	case 1:
		ms = 1 + r.rng.Int64N(3000)
	default:
		ms = 1 + r.rng.Int64N(maxAdvanceMs)
	}
	r.note("advance %d ms", ms)
	r.runUntil(r.c.Now() + ms)
}

// servingBrokers returns the brokers running and not shutting down.
func (r *faultRun) servingBrokers() []int32 {
	var ids []int32
	for id := int32(1); id <= int32(r.brokers); id++ {
		if r.c.BrokerRunning(id) && r.c.Broker(id).State() != broker.ShuttingDown {
			ids = append(ids, id)
		}
	}
	return ids
}

func (r *faultRun) stoppedBrokers() []int32 {
	var ids []int32
	for id := int32(1); id <= int32(r.brokers); id++ {
		if !r.c.BrokerRunning(id) {
			ids = append(ids, id)
		}
	}
	return ids
}

// killBroker crashes a broker, keeping at least one serving.
func (r *faultRun) killBroker() {
	ids := r.servingBrokers()
	if len(ids) < 2 {
		return
	}
	id := ids[r.rng.IntN(len(ids))]
	r.note("kill broker-%d", id)
	if err := r.c.KillBroker(id); err != nil {
		r.failf("kill broker-%d: %v", id, err)
	}
}

// stopBroker begins a controlled shutdown, keeping at least one serving.
func (r *faultRun) stopBroker() {
	ids := r.servingBrokers()
	if len(ids) < 2 {
		return
	}
	id := ids[r.rng.IntN(len(ids))]
	r.note("stop broker-%d (controlled shutdown)", id)
	if err := r.c.StopBroker(id); err != nil {
		r.failf("stop broker-%d: %v", id, err)
	}
}

func (r *faultRun) startBroker() {
	ids := r.stoppedBrokers()
	if len(ids) == 0 {
		return
	}
	id := ids[r.rng.IntN(len(ids))]
	r.note("start broker-%d", id)
	if err := r.c.StartBroker(id); err != nil {
		r.failf("start broker-%d: %v", id, err)
	}
}

// partition cuts the network in two: half the time one node alone against
// the rest, otherwise a random split.
func (r *faultRun) partition() {
	names := slices.Clone(r.nodes)
	r.rng.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	var a, b []string
	if r.rng.IntN(2) == 0 {
		a, b = names[:1], names[1:]
	} else {
		for _, name := range names {
			if r.rng.IntN(2) == 0 {
				a = append(a, name)
			} else {
				b = append(b, name)
			}
		}
		if len(a) == 0 || len(b) == 0 {
			a, b = names[:1], names[1:]
		}
	}
	slices.Sort(a)
	slices.Sort(b)
	r.note("partition %v | %v", a, b)
	if err := r.c.PartitionNetwork([][]string{a, b}); err != nil {
		r.failf("partition: %v", err)
	}
}

func (r *faultRun) heal() {
	r.note("heal")
	r.c.HealNetwork()
}

func (r *faultRun) delay() {
	name := r.nodes[r.rng.IntN(len(r.nodes))]
	ms := r.rng.Int64N(maxDelayMs + 1)
	r.note("delay %s %d ms", name, ms)
	if err := r.c.DelayNode(name, ms); err != nil {
		r.failf("delay %s: %v", name, err)
	}
}

func (r *faultRun) controllerNames(alive bool) []string {
	var names []string
	for _, ctl := range r.c.Controllers() {
		name := "controller-" + strconv.Itoa(int(ctl.ID()))
		id, _ := r.c.Sim().Lookup(name)
		if r.c.Sim().Alive(id) == alive {
			names = append(names, name)
		}
	}
	return names
}

// killController crashes a controller; it takes the quorum's majority
// away only one time in five.
func (r *faultRun) killController() {
	alive := r.controllerNames(true)
	if len(alive) == 0 {
		return
	}
	majority := len(r.c.Controllers())/2 + 1
	if len(alive)-1 < majority && r.rng.IntN(5) != 0 {
		return
	}
	name := alive[r.rng.IntN(len(alive))]
	r.note("kill %s", name)
	if err := r.c.KillNode(name); err != nil {
		r.failf("kill %s: %v", name, err)
	}
}

func (r *faultRun) startController() {
	dead := r.controllerNames(false)
	if len(dead) == 0 {
		return
	}
	name := dead[r.rng.IntN(len(dead))]
	r.note("start %s", name)
	if err := r.c.StartNode(name); err != nil {
		r.failf("start %s: %v", name, err)
	}
}

// finish heals every fault, lets controlled shutdowns complete, restarts
// everything, lets the cluster settle and the producers drain.
func (r *faultRun) finish() {
	c := r.c
	r.note("final: heal, start everything, delays 0")
	c.HealNetwork()
	for _, name := range r.nodes {
		if err := c.DelayNode(name, 0); err != nil {
			r.failf("delay %s 0: %v", name, err)
		}
	}
	for _, name := range r.controllerNames(false) {
		if err := c.StartNode(name); err != nil {
			r.failf("start %s: %v", name, err)
		}
	}
	shuttingDown := func() bool {
		for _, b := range c.Brokers() {
			if c.BrokerRunning(b.ID()) && b.State() == broker.ShuttingDown {
				return true
			}
		}
		return false
	}
	if r.runWhile(shuttingDown, c.Now()+shutdownWaitMs); !r.aborted && shuttingDown() {
		for _, b := range c.Brokers() {
			if c.BrokerRunning(b.ID()) && b.State() == broker.ShuttingDown {
				r.failf("broker-%d: controlled shutdown did not complete within %d ms of healing", b.ID(), shutdownWaitMs)
			}
		}
	}
	for _, id := range r.stoppedBrokers() {
		if err := c.StartBroker(id); err != nil {
			r.failf("start broker-%d: %v", id, err)
		}
	}
	r.runUntil(c.Now() + finalAdvanceMs)
	for _, p := range r.producers {
		if producer := c.Producer(p.id); producer != nil {
			r.runWhile(producer.Outstanding, c.Now()+producerWaitMs)
			if !r.aborted && producer.Outstanding() {
				accumulated, inFlight := producer.Buffered()
				r.failf("%s still has records outstanding %d ms after healing (%d accumulated, %d in flight)",
					p.id, producerWaitMs, accumulated, inFlight)
			}
		}
	}
	for waited := int64(0); waited < convergenceWaitMs && !r.aborted && !r.converged(c.State()); waited += convergenceStepMs {
		r.runUntil(c.Now() + convergenceStepMs)
	}
	r.k.Final()
}

// converged reports whether every partition has a leader and, every broker
// being up, a full ISR.
func (r *faultRun) converged(state *core.State) bool {
	return len(r.convergenceProblems(state)) == 0
}

func (r *faultRun) convergenceProblems(state *core.State) []string {
	allUp := len(r.stoppedBrokers()) == 0
	var problems []string
	for _, topic := range r.topics {
		ts, ok := state.Topics[topic]
		if !ok {
			problems = append(problems, "topic "+topic+" missing from the committed metadata")
			continue
		}
		for i := 0; i < len(ts.Partitions); i++ {
			ps := ts.Partitions[strconv.Itoa(i)]
			switch {
			case ps.Leader < 0:
				problems = append(problems, fmt.Sprintf("%s-%d has no leader (isr %v)", topic, i, ps.Isr))
			case allUp && !slices.Equal(ps.Isr, ps.Replicas):
				problems = append(problems, fmt.Sprintf("%s-%d isr %v != replicas %v with every broker up", topic, i, ps.Isr, ps.Replicas))
			}
		}
	}
	return problems
}

func acknowledged(result *client.SendResult) bool {
	return result.Done && result.Error == protocol.None && result.Offset >= 0
}

// check compares the history with the final state.
func (r *faultRun) check() {
	// The Checker reports a broken invariant after every event while it
	// stays broken: list each once, with when it was first seen.
	var order []string
	first, repeats := map[string]string{}, map[string]int{}
	for _, v := range r.k.Violations() {
		if r.staleLeaderReport(v) {
			continue
		}
		_, what, _ := strings.Cut(v, " ")
		key := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return '#'
			}
			return r
		}, what)
		if _, seen := first[key]; !seen {
			order = append(order, key)
			first[key] = v
		}
		repeats[key]++
	}
	for _, key := range order {
		r.failf("invariant (reported %d times, first): %s", repeats[key], first[key])
	}
	state := r.c.State()
	for _, problem := range r.convergenceProblems(state) {
		r.failf("not converged %d ms after healing: %s", convergenceWaitMs, problem)
	}
	if len(r.stoppedBrokers()) > 0 {
		r.failf("brokers %v still stopped at the end", r.stoppedBrokers())
	}
	r.checkAcknowledged(state)
	r.checkDuplicates(state)
	r.checkReplicas(state)
	for _, s := range r.history {
		if !s.result.Done {
			r.failf("%s: send of %s never completed", s.producer.id, s.value)
		}
	}
}

// leaderLog returns the log of the partition's leader, nil without one.
func (r *faultRun) leaderLog(state *core.State, tp protocol.TopicPartition) (*core.PartitionState, logView) {
	ts, ok := state.Topics[tp.Topic]
	if !ok {
		return nil, logView{}
	}
	ps, ok := ts.Partitions[strconv.Itoa(int(tp.Partition))]
	if !ok {
		return nil, logView{}
	}
	if ps.Leader < 0 {
		return &ps, logView{}
	}
	return &ps, logView{broker: ps.Leader, log: r.c.Broker(ps.Leader).Disk().Logs[tp]}
}

// checkAcknowledged asserts that every write acknowledged to an acks=all
// producer is in its partition's final log, at its offset, below the high
// watermark: unless an unclean election allowed its loss or retention
// deleted it.
func (r *faultRun) checkAcknowledged(state *core.State) {
	lost := 0
	leaderless := map[protocol.TopicPartition]int{}
	for _, s := range r.history {
		if !s.producer.acksAll || !acknowledged(s.result) {
			continue
		}
		tp := protocol.TopicPartition{Topic: s.result.Topic, Partition: s.result.Partition}
		ps, view := r.leaderLog(state, tp)
		if ps == nil || view.log == nil {
			leaderless[tp]++ // The convergence check reports the partition.
			continue
		}
		if ps.UncleanElections > 0 || s.result.Offset < view.log.LogStartOffset() {
			continue
		}
		got, ok := view.recordAt(s.result.Offset)
		switch {
		case !ok:
			lost++
			r.failf("lost write: %s acknowledged %s at %s@%d; leader broker-%d's log ends at %d",
				s.producer.id, s.value, tp, s.result.Offset, view.broker, view.log.LogEndOffset())
		case got.Value != s.value:
			lost++
			r.failf("lost write: %s acknowledged %s at %s@%d; leader broker-%d holds %q there",
				s.producer.id, s.value, tp, s.result.Offset, view.broker, got.Value)
		case s.result.Offset >= view.log.HighWatermark():
			r.failf("acknowledged write %s at %s@%d is above leader broker-%d's high watermark %d",
				s.value, tp, s.result.Offset, view.broker, view.log.HighWatermark())
		}
		if lost > 20 {
			r.failf("... more lost writes not listed")
			return
		}
	}
	for _, tp := range r.partitions(state) {
		if n := leaderless[tp]; n > 0 {
			r.failf("%d acknowledged writes to %s cannot be checked: it has no leader", n, tp)
		}
	}
}

// checkDuplicates asserts that no value an idempotent producer sent
// appears twice in one partition's final log.
func (r *faultRun) checkDuplicates(state *core.State) {
	idempotent := map[string]bool{}
	for _, s := range r.history {
		if s.producer.idempotent {
			idempotent[s.value] = true
		}
	}
	for _, tp := range r.partitions(state) {
		_, view := r.leaderLog(state, tp)
		if view.log == nil {
			continue
		}
		offsets := map[string]int64{}
		view.log.EachBatch(0, func(b *record.Batch) bool {
			for i, rec := range b.Records.All() {
				if !idempotent[rec.Value] {
					continue
				}
				offset := b.BaseOffset + int64(i)
				if first, seen := offsets[rec.Value]; seen {
					r.failf("duplicate: %s holds idempotent value %s at offsets %d and %d (leader broker-%d)",
						tp, rec.Value, first, offset, view.broker)
					continue
				}
				offsets[rec.Value] = offset
			}
			return true
		})
	}
}

// checkReplicas asserts that every in-sync replica holds the leader's
// committed batches (the very same batch values, as replication shares
// them).
func (r *faultRun) checkReplicas(state *core.State) {
	for _, tp := range r.partitions(state) {
		ps, view := r.leaderLog(state, tp)
		if view.log == nil {
			continue
		}
		hw := view.log.HighWatermark()
		for _, id := range ps.Isr {
			if id == view.broker {
				continue
			}
			follower := r.c.Broker(id).Disk().Logs[tp]
			if follower == nil {
				r.failf("%s: in-sync replica broker-%d has no log", tp, id)
				continue
			}
			view.log.EachBatch(follower.LogStartOffset(), func(b *record.Batch) bool {
				if b.NextOffset() > hw {
					return false
				}
				if got, ok := follower.BatchAt(b.BaseOffset); !ok || got != b {
					r.failf("%s: in-sync replica broker-%d differs from leader broker-%d at offset %d (below HW %d)",
						tp, id, view.broker, b.BaseOffset, hw)
					return false
				}
				return true
			})
		}
	}
}

// partitions lists the partitions of the run's topics, in order.
func (r *faultRun) partitions(state *core.State) []protocol.TopicPartition {
	var out []protocol.TopicPartition
	for _, topic := range r.topics {
		for i := 0; i < len(state.Topics[topic].Partitions); i++ {
			out = append(out, protocol.TopicPartition{Topic: topic, Partition: int32(i)})
		}
	}
	return out
}

// logView is a broker's log of one partition.
type logView struct {
	broker int32
	log    *storage.Log
}

func (v logView) recordAt(offset int64) (record.Record, bool) {
	b, ok := v.log.BatchAt(offset)
	if !ok || offset-b.BaseOffset >= int64(b.Records.Len()) {
		return record.Record{}, false
	}
	return b.Records.At(int(offset - b.BaseOffset)), true
}

// staleLeaderReport recognises a Checker report that is not a violation:
// "committed batch at offset O (epoch E) missing on leader broker-B epoch
// L" where, by then, some broker had already taken up a leader epoch above
// L (or E > L). Broker B is then a deposed leader that has not yet learned
// of the newer epoch (cut off from the controller, or shutting down):
// Kafka's zombie leader. It lacks batches that a later leader committed
// (even batches of an older epoch that it never had, which a later leader
// kept and committed), and cannot commit new ones, since its followers
// fetch from the new leader. The Checker's contract is that every *later*
// leader holds committed batches; it compares every broker that believes
// it leads. (Reported; the fix belongs in check.go: skip leaders whose
// epoch is below the committed image's.)
func (r *faultRun) staleLeaderReport(violation string) bool {
	var t int64
	var name string
	var offset int64
	var batchEpoch, broker, leaderEpoch int32
	n, err := fmt.Sscanf(violation, "t=%d %s committed batch at offset %d (epoch %d) missing on leader broker-%d epoch %d",
		&t, &name, &offset, &batchEpoch, &broker, &leaderEpoch)
	if err != nil || n != 6 {
		return false
	}
	if leaderEpoch < batchEpoch {
		return true
	}
	for _, e := range r.epochs[strings.TrimSuffix(name, ":")] {
		if e.timeMs <= t && e.epoch > leaderEpoch {
			return true
		}
	}
	return false
}
