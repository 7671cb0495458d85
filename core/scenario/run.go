package scenario

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/kafka-playground/playground/core"
	"github.com/kafka-playground/playground/core/client"
	"github.com/kafka-playground/playground/core/config"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/sim"
)

// Output is the document `playground run FILE --json` prints (see
// ../shared/SCENARIO.md).
type Output struct {
	Name      string       `json:"name"`
	Seed      uint64       `json:"seed"`
	TimeMs    int64        `json:"time_ms"`
	TraceHash string       `json:"trace_hash"`
	Steps     []StepResult `json:"steps"`
	State     *core.State  `json:"state"`
	// ExpectFailures counts expect steps that did not hold.
	ExpectFailures int `json:"expect_failures"`
	// Events counts the trace events of the run.
	Events uint64 `json:"events"`
}

// StepResult is the outcome of one step.
type StepResult struct {
	Index int    `json:"index"`
	Op    string `json:"op"`
	// TimeMs is the virtual time at which the step started.
	TimeMs int64 `json:"time_ms"`
	// EndTimeMs is the virtual time at which it finished.
	EndTimeMs int64 `json:"end_time_ms"`
	OK        bool  `json:"ok"`
	// Error is Kafka's error name, or a sentence for a step that could not run.
	Error string `json:"error"`
	// Message is the error's detail, as the broker or client gave it.
	Message string `json:"message,omitempty"`
	Result  any    `json:"result"`
}

// Options tune a run.
type Options struct {
	// TraceSink, when set, receives every trace event as it happens.
	TraceSink func(sim.TraceEvent)
	// Prepare, when set, is called with the new cluster before any step
	// (tests install the invariant checker here).
	Prepare func(*core.Cluster)
	// OnSend, when set, receives every record a produce step sends, with
	// the future that will hold its outcome (history checkers keep them).
	OnSend func(step int, value string, valueNull bool, result *client.SendResult)
	// OnPoll, when set, receives every record a poll step returns.
	OnPoll func(step int, consumer string, records []client.ConsumerRecord)
}

// adminWaitMs bounds how long a step waits for an admin call: Kafka's
// default.api.timeout.ms plus a margin for the final response.
const adminWaitMs = 61000

// stopWaitMs bounds how long stop_broker waits for a controlled shutdown
// before the broker gives up and stops anyway.
const stopWaitMs = 30000

// Run executes a decoded scenario and returns its output document. The
// error is a *Error for inputs that are not valid (exit status 2); a step
// that Kafka refuses is a result, not an error.
func Run(file string, s *Scenario, options Options) (*Output, error) {
	session, err := NewSession(file, s, options)
	if err != nil {
		return nil, err
	}
	return session.Output(), nil
}

// checkConfigs validates every config map of the scenario against Kafka's
// keys before anything runs, so a typo is an invalid file (exit 2), not a
// run that fails half way.
func checkConfigs(file string, s *Scenario) error {
	broker, err := config.Resolve(config.Broker, s.Cluster.Config)
	if err != nil {
		return &Error{File: file, Step: -1, Field: "cluster.config", Message: err.Error()}
	}
	for i := range s.Steps {
		st := &s.Steps[i]
		if len(st.Config) == 0 {
			continue
		}
		var err error
		switch {
		case st.Op == OpCreateTopic || (st.Op == OpAlterConfig && st.Topic != ""):
			_, err = config.ResolveTopic(broker, st.Config)
		case st.Op == OpAlterConfig:
			_, err = broker.With(st.Config)
		case st.Op == OpAddProducer:
			_, err = config.Resolve(config.Producer, st.Config)
		case st.Op == OpAddConsumer:
			_, err = config.Resolve(config.Consumer, st.Config)
		}
		if err != nil {
			return &Error{File: file, Step: i, Op: st.Op, Field: "config", Message: err.Error()}
		}
	}
	return nil
}

type runner struct {
	file    string
	cluster *core.Cluster
	// onSend and onPoll are the host's hooks (Options).
	onSend func(step int, value string, valueNull bool, result *client.SendResult) `snapshot:"-"`
	onPoll func(step int, consumer string, records []client.ConsumerRecord)        `snapshot:"-"`
	// index is the step running.
	index int
}

func (r *runner) step(index int, st *Step) StepResult {
	c := r.cluster
	if st.AtMs != nil && *st.AtMs > c.Now() {
		c.RunUntil(*st.AtMs)
	}
	result := StepResult{Index: index, Op: st.Op, TimeMs: c.Now(), OK: true, Result: map[string]any{}}
	if st.AtMs != nil && *st.AtMs < result.TimeMs {
		result.OK = false
		result.Error = fmt.Sprintf("at_ms %d is in the past: the previous steps ran until %d", *st.AtMs, result.TimeMs)
		result.EndTimeMs = result.TimeMs
		return result
	}
	c.Sim().RecordAs("scenario", "step", strconv.Itoa(index)+" "+st.Op)
	r.index = index
	r.dispatch(st, &result)
	result.EndTimeMs = c.Now()
	return result
}

func (r *runner) dispatch(st *Step, result *StepResult) {
	c := r.cluster
	switch st.Op {
	case OpCreateTopic:
		// {"op": "create_topic", "topic": "orders", "partitions": 3, "replication_factor": 3}
		r.await(st, result, c.CreateTopic(st.Topic, int32(st.Partitions), int16(st.ReplicationFactor), st.Config), adminWaitMs)
	case OpDeleteTopic:
		// {"op": "delete_topic", "topic": "orders"}
		r.await(st, result, c.DeleteTopic(st.Topic), adminWaitMs)
	case OpCreatePartitions:
		// {"op": "create_partitions", "topic": "orders", "partitions": 6}
		r.await(st, result, c.CreatePartitions(st.Topic, int32(st.Partitions)), adminWaitMs)
	case OpAlterConfig:
		// {"op": "alter_config", "topic": "orders", "config": {"retention.ms": "60000"}}
		if st.Topic != "" {
			r.await(st, result, c.AlterTopicConfig(st.Topic, st.Config), adminWaitMs)
		} else {
			r.await(st, result, c.AlterBrokerConfig(int32(st.Broker), st.Config), adminWaitMs)
		}
	case OpElectLeaders:
		// {"op": "elect_leaders", "topic": "orders", "partition": 0}
		r.electLeaders(st, result)
	case OpKillBroker:
		// {"op": "kill_broker", "broker": 2}
		r.fail(result, c.KillBroker(int32(st.Broker)))
	case OpStopBroker:
		// {"op": "stop_broker", "broker": 2}
		r.stopBroker(st, result)
	case OpStartBroker:
		// {"op": "start_broker", "broker": 2}
		r.fail(result, c.StartBroker(int32(st.Broker)))
	case OpKillNode:
		// {"op": "kill_node", "node": "controller-1"}
		r.fail(result, c.KillNode(st.Node))
	case OpStartNode:
		// {"op": "start_node", "node": "controller-1"}
		r.fail(result, c.StartNode(st.Node))
	case OpPartitionNetwork:
		// {"op": "partition_network", "groups": [["broker-1"], ["broker-2", "broker-3"]]}
		r.fail(result, c.PartitionNetwork(st.Groups))
	case OpHealNetwork:
		// {"op": "heal_network"}
		c.HealNetwork()
	case OpDelayNode:
		// {"op": "delay_node", "node": "broker-1", "ms": 200}
		r.fail(result, c.DelayNode(st.Node, st.Ms))
	case OpAdvance:
		// {"op": "advance", "ms": 35000}
		c.Advance(st.Ms)
	case OpExpect:
		// {"op": "expect", "path": "topics.orders.partitions.0.isr", "equals": [1, 3]}
		r.expect(st, result)
	default:
		r.clientOp(st, result)
	}
}

func (r *runner) fail(result *StepResult, err error) {
	if err != nil {
		result.OK = false
		result.Error = err.Error()
	}
}

// await waits for an admin call unless the step is async.
func (r *runner) await(st *Step, result *StepResult, f *client.Future, waitMs int64) {
	if st.Async {
		result.Result = map[string]any{"started": true}
		return
	}
	if !r.cluster.Wait(f, waitMs) {
		result.OK = false
		result.Error = protocol.ClientTimeout.String()
		return
	}
	if f.Error != protocol.None {
		result.OK = false
		result.Error = f.Error.String()
		result.Message = f.Message
	}
}

func (r *runner) electLeaders(st *Step, result *StepResult) {
	var partitions []protocol.TopicPartition
	if st.Topic != "" {
		image := r.cluster.CommittedImage()
		t := image.Topics[st.Topic]
		if t == nil {
			result.OK, result.Error = false, protocol.UnknownTopicOrPartition.String()
			return
		}
		for i := range t.Partitions {
			if st.Partition == nil || *st.Partition == i {
				partitions = append(partitions, protocol.TopicPartition{Topic: st.Topic, Partition: int32(i)})
			}
		}
	}
	f := r.cluster.ElectLeaders(partitions)
	r.await(st, result, f, adminWaitMs)
	if resp, ok := f.Result.(*protocol.ElectLeadersResponse); ok {
		elected := map[string]string{}
		for _, res := range resp.Results {
			elected[res.TopicPartition.String()] = res.Error.Name()
		}
		result.Result = map[string]any{"partitions": elected}
	}
}

func (r *runner) stopBroker(st *Step, result *StepResult) {
	c := r.cluster
	id := int32(st.Broker)
	if err := c.StopBroker(id); err != nil {
		r.fail(result, err)
		return
	}
	if st.Async {
		return
	}
	c.Sim().RunWhile(func() bool { return c.BrokerRunning(id) }, c.Now()+stopWaitMs)
	if c.BrokerRunning(id) {
		c.Sim().RecordAs("cluster", "stop", "broker-"+strconv.Itoa(int(id))+" controlled shutdown did not complete, stopping anyway")
		_ = c.KillBroker(id)
		result.Message = "controlled shutdown did not complete within 30000 ms; the broker stopped without it"
	}
}

func (r *runner) expect(st *Step, result *StepResult) {
	want, err := st.ExpectedValue()
	if err != nil {
		result.OK, result.Error = false, err.Error()
		return
	}
	doc, err := StateDocument(r.cluster.State())
	if err != nil {
		result.OK, result.Error = false, err.Error()
		return
	}
	got, err := Lookup(doc, st.Path)
	if err != nil {
		result.OK, result.Error = false, err.Error()
		result.Result = map[string]any{"path": st.Path, "expected": want}
		return
	}
	result.Result = map[string]any{"path": st.Path, "expected": want, "actual": got}
	if !Equal(got, want) {
		result.OK = false
		result.Error = fmt.Sprintf("%s is %s, expected %s", st.Path, compact(got), compact(want))
	}
}

// StateDocument turns the state into the generic JSON value that expect
// paths read, numbers kept exact.
func StateDocument(state *core.State) (any, error) {
	data, err := json.Marshal(state)
	if err != nil {
		return nil, err
	}
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.UseNumber()
	var doc any
	if err := decoder.Decode(&doc); err != nil {
		return nil, err
	}
	return doc, nil
}

func compact(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(data)
}
