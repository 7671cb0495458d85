// Package runs holds what the core's tests of many simulation runs
// share: running them on every CPU, and hashing the messages each run
// sends, so that two runs that send the same messages in another order
// tell apart even when their traces do not.
package runs

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"runtime"
	"sync"

	"github.com/kafka-playground/playground/core"
	"github.com/kafka-playground/playground/core/sim"
)

// InParallel calls job(0..n-1) on every CPU. Each job is a cluster of
// its own, single-threaded; jobs share nothing.
func InParallel(n int, job func(int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				job(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

// Wire is a running SHA-256 of every message a run puts on the wire, in
// the order it is sent: when, from which node, to which, of what type.
// Two messages sent in one event in the other order reach the trace only
// if something downstream records the difference; here they always show.
type Wire struct{ h hash.Hash }

// WatchWire installs a Wire as the simulation's tap (the cluster takes
// the tap only for eavesdroppers, which these runs do not add).
func WatchWire(c *core.Cluster) *Wire {
	w := &Wire{h: sha256.New()}
	c.Sim().SetTap(func(from, to sim.NodeID, msg sim.Message) {
		fmt.Fprintf(w.h, "%d %d %d %T\n", c.Now(), from, to, msg)
	})
	return w
}

// Sum returns the hash so far, in hex.
func (w *Wire) Sum() string { return hex.EncodeToString(w.h.Sum(nil)) }
