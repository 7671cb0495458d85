package core_test

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"testing"

	"github.com/kafka-playground/playground/core"
	"github.com/kafka-playground/playground/core/client"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/record"
	"github.com/kafka-playground/playground/core/sim"
)

// hook and hookCluster, when set, see each run's simulation and cluster
// (debugging aids: install a trace sink, dump state).
var (
	hook        func(*sim.Sim)
	hookCluster func(*core.Cluster)
)

var txnSeeds = flag.Int("txn-seeds", 20, "TestRandomTransactions: how many seeds to run")

// txn is one transaction of a run and what its producer was told.
type txn struct {
	values  []string
	results []*client.SendResult
	end     *client.Future
	commit  bool
}

// TestRandomTransactions runs transactional producers (and a zombie that a
// newer producer with the same transactional.id fences) under random
// broker crashes, restarts and partitions, then reads everything back with
// a read_committed consumer group: every transaction whose commit
// succeeded is read exactly once, none that aborted (or whose producer was
// fenced) is read at all, and no record is read twice.
func TestRandomTransactions(t *testing.T) {
	failed := 0
	for seed := uint64(1); seed <= uint64(wasmScaled(*txnSeeds)); seed++ {
		if problems := runTxnSeed(seed); len(problems) > 0 {
			failed++
			t.Errorf("seed %d (go test ./core -run TestRandomTransactions -txn-seeds %d):\n  %v", seed, seed, problems)
			if failed > 5 {
				return
			}
		}
	}
}

func runTxnSeed(seed uint64) []string {
	r := &faultRun{seed: seed, rng: rand.New(rand.NewPCG(seed, 0x74786e)), brokers: 3}
	c, err := core.New(core.Spec{Seed: seed, Brokers: 3, LatencyMs: 1})
	if err != nil {
		return []string{err.Error()}
	}
	r.c = c
	if hook != nil {
		hook(c.Sim())
	}
	if hookCluster != nil {
		hookCluster(c)
	}
	r.k = core.NewChecker(c)
	c.Boot()
	if f := c.CreateTopic("out", 3, 3, map[string]string{"min.insync.replicas": "2"}); !c.Wait(f, 60000) || f.Error != protocol.None {
		return []string{"create topic: " + f.Error.String()}
	}
	for i := 1; i <= 3; i++ {
		r.nodes = append(r.nodes, "broker-"+strconv.Itoa(i))
	}
	producers := []string{"txn-a"}
	if err := c.AddProducer("txn-a", map[string]string{"transactional.id": "writer"}); err != nil {
		return []string{err.Error()}
	}
	var txns []*txn
	var zombieFenced bool
	value := 0
	wait := func(f *client.Future, ms int64) { c.Wait(f, ms) }
	for step := 0; step < 25; step++ {
		id := producers[len(producers)-1]
		p := c.Producer(id)
		switch state := p.TransactionState(); state {
		case client.TxnUninitialized:
			wait(p.InitTransactions(), 120000)
			continue
		case client.TxnReady:
			wait(p.BeginTransaction(), 1000)
		}
		if p.TransactionState() != client.TxnInTransaction {
			continue
		}
		tx := &txn{}
		for i := 0; i < 1+r.rng.IntN(5); i++ {
			value++
			v := fmt.Sprintf("%s-%d", id, value)
			res, _ := c.Produce(id, "out", -1, record.Record{Key: "k" + strconv.Itoa(r.rng.IntN(9)), Value: v})
			tx.values, tx.results = append(tx.values, v), append(tx.results, res)
		}
		switch r.rng.IntN(6) {
		case 0:
			r.killBroker()
		case 1:
			r.startBroker()
		case 2:
			r.partition()
		case 3:
			r.heal()
		}
		r.advance()
		if r.rng.IntN(8) == 0 && !zombieFenced && len(producers) == 1 {
			// A second instance with the same transactional.id fences the first.
			if err := c.AddProducer("txn-b", map[string]string{"transactional.id": "writer"}); err == nil {
				producers = append(producers, "txn-b")
				zombieFenced = true
			}
		}
		tx.commit = r.rng.IntN(3) != 0
		if tx.commit {
			tx.end = p.CommitTransaction()
		} else {
			tx.end = p.AbortTransaction()
		}
		txns = append(txns, tx)
		wait(tx.end, 130000)
		if p.TransactionState() == client.TxnAbortableErr {
			wait(p.AbortTransaction(), 130000)
		}
	}
	r.finish()
	return checkTransactions(r, txns)
}

func checkTransactions(r *faultRun, txns []*txn) []string {
	c := r.c
	var problems []string
	r.k.Final()
	for _, v := range r.k.Violations() {
		if !r.staleLeaderReport(v) {
			problems = append(problems, "invariant: "+v)
			break
		}
	}
	if err := c.AddConsumer("verify", "verify", []string{"out"}, map[string]string{"auto.offset.reset": "earliest", "isolation.level": "read_committed"}); err != nil {
		return append(problems, err.Error())
	}
	read := map[string]int{}
	cons := c.Consumer("verify")
	// Joining takes a few seconds (the coordinator's topic may not exist
	// yet, and an empty group waits group.initial.rebalance.delay.ms):
	// stop only after three empty polls once the consumer has partitions.
	for empty, polls := 0, 0; empty < 3 && polls < 40; polls++ {
		res := cons.Poll(500, 3000)
		c.Sim().RunWhile(func() bool { return !res.Done }, c.Now()+3001)
		if len(res.Records) == 0 && len(cons.Assignment()) > 0 {
			empty++
		}
		for _, rec := range res.Records {
			read[rec.Value]++
		}
	}
	for v, n := range read {
		if n > 1 {
			problems = append(problems, fmt.Sprintf("value %s read %d times", v, n))
		}
	}
	for i, tx := range txns {
		if tx.end == nil || !tx.end.Done {
			continue
		}
		committed := tx.commit && tx.end.Error == protocol.None
		aborted := !tx.commit && tx.end.Error == protocol.None || tx.end.Error == protocol.ProducerFenced
		for _, v := range tx.values {
			switch {
			case committed && read[v] != 1:
				problems = append(problems, fmt.Sprintf("transaction %d committed but %s read %d times", i, v, read[v]))
			case aborted && read[v] != 0:
				problems = append(problems, fmt.Sprintf("transaction %d aborted (%s) but %s was read", i, tx.end.Error, v))
			}
		}
	}
	return problems
}

// wasmScaled runs fewer seeds under WebAssembly, where a seed costs
// about three times as much (make test-long runs the full counts natively).
func wasmScaled(n int) int {
	if runtime.GOARCH == "wasm" {
		return max(n/4, 2)
	}
	return n
}
