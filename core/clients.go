package core

import (
	"fmt"
	"sort"

	"github.com/kafka-playground/playground/core/client"
	"github.com/kafka-playground/playground/core/config"
	"github.com/kafka-playground/playground/core/record"
	"github.com/kafka-playground/playground/core/sim"
)

// MaxClients bounds the producers and consumers of one cluster.
const MaxClients = 64

// ProducerState is a producer's section of the state document.
type ProducerState struct {
	Alive      bool             `json:"alive"`
	Acks       string           `json:"acks"`
	Idempotent bool             `json:"idempotent"`
	ProducerID int64            `json:"producer_id"`
	Epoch      int16            `json:"producer_epoch"`
	Sent       int64            `json:"sent"`
	Acked      int64            `json:"acked"`
	Failed     int64            `json:"failed"`
	Errors     map[string]int64 `json:"errors"`
	Retries    int64            `json:"retries"`
	Requests   int64            `json:"requests"`
	// Buffered counts records waiting in the accumulator; InFlight those
	// sent and not yet answered.
	Buffered int `json:"buffered"`
	InFlight int `json:"in_flight"`
	// TransactionState is the transaction manager's state
	// (READY, IN_TRANSACTION, FATAL_ERROR, ...), "" without transactional.id.
	TransactionState string `json:"transaction_state,omitempty"`
}

// TransactionState is one transactional id's state at its coordinator.
type TransactionState struct {
	State       string   `json:"state"`
	ProducerID  int64    `json:"producer_id"`
	Epoch       int16    `json:"producer_epoch"`
	Partitions  []string `json:"partitions"`
	Coordinator int32    `json:"coordinator"`
	TimeoutMs   int32    `json:"timeout_ms"`
}

// AddProducer adds a producer client node named id. The error is a
// configuration Kafka's producer refuses.
func (c *Cluster) AddProducer(id string, cfg map[string]string) error {
	if err := c.checkClientID(id); err != nil {
		return err
	}
	values, err := config.Resolve(config.Producer, cfg)
	if err != nil {
		return err
	}
	sec, err := c.resolveClientSecurity(values)
	if err != nil {
		return err
	}
	p, err := client.NewProducer(c.sim, client.ProducerSettings{ClientID: id, Bootstrap: c.brokerNodes,
		BrokerNodes: sim.NodeRange{First: c.brokerNodes[0]}, Config: values, Security: sec})
	if err != nil {
		return err
	}
	c.producers[id] = p
	c.producerNodes[id] = c.sim.AddNode(id, p)
	c.clientSecurity[c.producerNodes[id]] = sec
	return nil
}

func (c *Cluster) checkClientID(id string) error {
	if _, taken := c.sim.Lookup(id); taken {
		return fmt.Errorf("a node named %q already exists", id)
	}
	if len(c.producers)+len(c.consumers) >= MaxClients {
		return fmt.Errorf("a cluster may have at most %d clients", MaxClients)
	}
	return nil
}

// Producer returns the producer named id, or nil.
func (c *Cluster) Producer(id string) *client.Producer { return c.producers[id] }

// ClientAlive reports whether a client's process runs.
func (c *Cluster) ClientAlive(id string) bool {
	node, ok := c.sim.Lookup(id)
	return ok && c.sim.Alive(node)
}

// Produce sends a record through a producer (partition -1: the
// partitioner chooses).
func (c *Cluster) Produce(producer, topic string, partition int32, rec record.Record) (*client.SendResult, error) {
	p := c.producers[producer]
	if p == nil {
		return nil, fmt.Errorf("no producer %q", producer)
	}
	if !c.ClientAlive(producer) {
		return nil, fmt.Errorf("producer %q has crashed or been closed", producer)
	}
	return p.Send(topic, partition, rec), nil
}

// CrashClient kills a client process: nothing is flushed, no group is left.
func (c *Cluster) CrashClient(id string) error {
	node, ok := c.sim.Lookup(id)
	if !ok || (c.producers[id] == nil && c.consumers[id] == nil) {
		return fmt.Errorf("no client %q", id)
	}
	if !c.sim.Alive(node) {
		return fmt.Errorf("client %q is not running", id)
	}
	c.sim.RecordAs("cluster", "crash", id)
	c.sim.Crash(node)
	return nil
}

func (c *Cluster) producerStates() map[string]any {
	out := map[string]any{}
	ids := make([]string, 0, len(c.producers))
	for id := range c.producers {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		p := c.producers[id]
		counters := p.Counters()
		pid, epoch := p.ProducerID()
		accumulated, inFlight := p.Buffered()
		errs := map[string]int64{}
		for k, v := range counters.Errors {
			errs[k] = v
		}
		out[id] = ProducerState{Alive: c.ClientAlive(id), Acks: acksName(p.Acks()), Idempotent: p.Idempotent(),
			ProducerID: pid, Epoch: epoch, Sent: counters.Sent, Acked: counters.Acked, Failed: counters.Failed,
			Errors: errs, Retries: counters.Retries, Requests: counters.Requests, Buffered: accumulated, InFlight: inFlight,
			TransactionState: p.TransactionState()}
	}
	return out
}

func acksName(acks int16) string {
	switch acks {
	case 0:
		return "0"
	case 1:
		return "1"
	}
	return "all"
}

var _ sim.NodeID

func (c *Cluster) transactionStates() map[string]TransactionState {
	out := map[string]TransactionState{}
	for _, b := range c.brokers {
		if !c.BrokerRunning(b.ID()) {
			continue
		}
		for _, t := range b.Transactions() {
			ts := TransactionState{State: t.State, ProducerID: t.ProducerID, Epoch: t.ProducerEpoch, Partitions: []string{},
				Coordinator: b.ID(), TimeoutMs: t.TimeoutMs}
			for _, tp := range t.Partitions {
				ts.Partitions = append(ts.Partitions, tp.String())
			}
			out[t.TransactionalID] = ts
		}
	}
	return out
}
