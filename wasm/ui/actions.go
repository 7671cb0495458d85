package ui

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kafka-playground/playground/core/scenario"
)

// Values are a form's fields by name, as the browser's FormData gives
// them (the button that submitted the form under "op").
type Values map[string]string

// FieldError is a form field that does not hold what its action needs.
// Field is the name of the input at fault (the step's field name, or
// "config" for any config key); Message says what is wrong.
type FieldError struct {
	Field   string
	Message string
}

// Error returns "field: message".
func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Request is what a submitted form asks for: one step, or a stream whose
// every tick is that step.
type Request struct {
	Step   scenario.Step
	Stream bool
}

// FormContext is what some forms need to know about the cluster.
type FormContext struct {
	// Nodes are the node names a network step may use.
	Nodes []string
}

// Limits of the forms, beyond those of the scenario format.
const (
	// MaxConfigLines bounds the lines of a config or headers text area.
	MaxConfigLines = scenario.MaxConfigEntries
	// MaxFieldBytes bounds any one field of a form.
	MaxFieldBytes = 1 << 20
)

// builders turn each form into a request.
var builders = map[string]func(Values, FormContext) (Request, error){
	"create_topic": buildCreateTopic,
	"add_producer": buildAddProducer,
	"produce":      buildProduce,
	"producer_op":  buildProducerOp,
	"add_consumer": buildAddConsumer,
	"consumer_op":  buildConsumerOp,
	"client_op":    buildClientOp,
	"broker_op":    buildBrokerOp,
	"node_op":      buildNodeOp,
	"network":      buildNetwork,
	"delay_node":   buildDelayNode,
	"add_user":     buildAddUser,
	"create_acl":   buildCreateACL,
}

// BuildRequest turns the fields of the form named form into a request.
// Every error is a *FieldError.
func BuildRequest(form string, v Values, context FormContext) (Request, error) {
	build, found := builders[form]
	if !found {
		return Request{}, &FieldError{Field: "", Message: fmt.Sprintf("there is no form %q", form)}
	}
	for name, value := range v {
		if len(value) > MaxFieldBytes {
			return Request{}, &FieldError{Field: fieldOf(name), Message: fmt.Sprintf("is %d bytes, more than the %d a field may hold", len(value), MaxFieldBytes)}
		}
	}
	return build(v, context)
}

// fieldOf maps an input name to the field its errors are shown beside.
func fieldOf(name string) string {
	if strings.HasPrefix(name, "config.") {
		return "config"
	}
	return name
}

// one wraps a step as a request.
func one(st scenario.Step) (Request, error) { return Request{Step: st}, nil }

func buildCreateTopic(v Values, _ FormContext) (Request, error) {
	partitions, err := v.number("partitions", 1, scenario.MaxPartitions, true)
	if err != nil {
		return Request{}, err
	}
	factor, err := v.number("replication_factor", 1, scenario.MaxReplicationFactor, true)
	if err != nil {
		return Request{}, err
	}
	config, err := v.config()
	if err != nil {
		return Request{}, err
	}
	return one(scenario.Step{Op: scenario.OpCreateTopic, Topic: v.text("topic"), Partitions: int(partitions),
		ReplicationFactor: int(factor), Config: config})
}

func buildAddProducer(v Values, _ FormContext) (Request, error) {
	config, err := v.config()
	if err != nil {
		return Request{}, err
	}
	return one(scenario.Step{Op: scenario.OpAddProducer, ID: v.text("id"), Config: config})
}

func buildProduce(v Values, _ FormContext) (Request, error) {
	st := scenario.Step{Op: scenario.OpProduce, Producer: v.text("producer"), Topic: v.text("topic"), Async: true}
	if key := v["key"]; key != "" {
		st.Key = &key
	}
	value := v["value"]
	st.Value = &value
	if partition, err := v.number("partition", 0, scenario.MaxPartitions-1, false); err != nil {
		return Request{}, err
	} else if v.text("partition") != "" {
		p := int(partition)
		st.Partition = &p
	}
	headers, err := parseHeaders(v["headers"])
	if err != nil {
		return Request{}, err
	}
	st.Headers = headers
	if v["op"] == "stream" {
		rate, err := v.number("rate", 1, MaxStreamRate, true)
		if err != nil {
			return Request{}, err
		}
		st.Count = int(rate)
		return Request{Step: st, Stream: true}, nil
	}
	count, err := v.number("count", 1, scenario.MaxRecordsPerStep, false)
	if err != nil {
		return Request{}, err
	}
	st.Count = int(count)
	return one(st)
}

func buildProducerOp(v Values, _ FormContext) (Request, error) {
	op, err := v.choice("op", scenario.OpFlush, scenario.OpInitTransactions, scenario.OpBeginTransaction,
		scenario.OpCommitTransaction, scenario.OpAbortTransaction)
	if err != nil {
		return Request{}, err
	}
	return one(scenario.Step{Op: op, Producer: v.text("producer")})
}

func buildAddConsumer(v Values, _ FormContext) (Request, error) {
	config, err := v.config()
	if err != nil {
		return Request{}, err
	}
	topics := strings.FieldsFunc(v["topics"], func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' })
	if len(topics) == 0 {
		return Request{}, &FieldError{Field: "topics", Message: "name at least one topic to read"}
	}
	return one(scenario.Step{Op: scenario.OpAddConsumer, ID: v.text("id"), Group: v.text("group"), Topics: topics, Config: config})
}

func buildConsumerOp(v Values, _ FormContext) (Request, error) {
	op, err := v.choice("op", scenario.OpPoll, scenario.OpCommit, scenario.OpProcess)
	if err != nil {
		return Request{}, err
	}
	st := scenario.Step{Op: op, Consumer: v.text("consumer")}
	if op != scenario.OpPoll {
		return one(st)
	}
	maxRecords, err := v.number("max_records", 1, scenario.MaxPollRecords, false)
	if err != nil {
		return Request{}, err
	}
	st.MaxRecords = int(maxRecords)
	if v.text("timeout_ms") != "" {
		timeout, err := v.number("timeout_ms", 0, scenario.MaxPollTimeoutMs, true)
		if err != nil {
			return Request{}, err
		}
		st.TimeoutMs = &timeout
	}
	return one(st)
}

func buildClientOp(v Values, _ FormContext) (Request, error) {
	op, err := v.choice("op", scenario.OpClose, scenario.OpCrash)
	if err != nil {
		return Request{}, err
	}
	return one(scenario.Step{Op: op, Client: v.text("client")})
}

func buildBrokerOp(v Values, _ FormContext) (Request, error) {
	op, err := v.choice("op", scenario.OpStopBroker, scenario.OpKillBroker, scenario.OpStartBroker)
	if err != nil {
		return Request{}, err
	}
	broker, err := v.number("broker", 1, scenario.MaxBrokers, true)
	if err != nil {
		return Request{}, err
	}
	return one(scenario.Step{Op: op, Broker: int(broker)})
}

func buildNodeOp(v Values, _ FormContext) (Request, error) {
	op, err := v.choice("op", scenario.OpKillNode, scenario.OpStartNode)
	if err != nil {
		return Request{}, err
	}
	return one(scenario.Step{Op: op, Node: v.text("node")})
}

func buildNetwork(v Values, context FormContext) (Request, error) {
	op, err := v.choice("op", "isolate", "split", scenario.OpHealNetwork)
	if err != nil {
		return Request{}, err
	}
	switch op {
	case scenario.OpHealNetwork:
		return one(scenario.Step{Op: scenario.OpHealNetwork})
	case "isolate":
		node := v.text("node")
		if node == "" {
			return Request{}, &FieldError{Field: "node", Message: "choose the node to cut off"}
		}
		rest := make([]string, 0, len(context.Nodes))
		for _, n := range context.Nodes {
			if n != node {
				rest = append(rest, n)
			}
		}
		if len(rest) == len(context.Nodes) {
			return Request{}, &FieldError{Field: "node", Message: fmt.Sprintf("there is no node %q", node)}
		}
		return one(scenario.Step{Op: scenario.OpPartitionNetwork, Groups: [][]string{{node}, rest}})
	}
	groups, err := parseGroups(v["groups"])
	if err != nil {
		return Request{}, err
	}
	return one(scenario.Step{Op: scenario.OpPartitionNetwork, Groups: groups})
}

func buildDelayNode(v Values, _ FormContext) (Request, error) {
	ms, err := v.number("ms", 0, scenario.MaxNodeDelayMs, true)
	if err != nil {
		return Request{}, err
	}
	return one(scenario.Step{Op: scenario.OpDelayNode, Node: v.text("node"), Ms: ms})
}

func buildAddUser(v Values, _ FormContext) (Request, error) {
	return one(scenario.Step{Op: scenario.OpAddUser, User: v.text("user"), Password: v["password"], Mechanism: v.text("mechanism")})
}

func buildCreateACL(v Values, _ FormContext) (Request, error) {
	return one(scenario.Step{Op: scenario.OpCreateACL, Principal: v.text("principal"), ResourceType: v.text("resource_type"),
		ResourceName: v.text("resource_name"), PatternType: v.text("pattern_type"), Operation: v.text("operation"),
		Permission: v.text("permission"), Host: v.text("host")})
}

// StepFromButton builds the step of a button in a view, which names its op
// and the broker or node it acts on.
func StepFromButton(op, broker, node string) (scenario.Step, error) {
	switch op {
	case scenario.OpStopBroker, scenario.OpKillBroker, scenario.OpStartBroker:
		id, err := strconv.Atoi(broker)
		if err != nil {
			return scenario.Step{}, &FieldError{Field: "broker", Message: fmt.Sprintf("%q is not a broker id", broker)}
		}
		return scenario.Step{Op: op, Broker: id}, nil
	case scenario.OpKillNode, scenario.OpStartNode:
		return scenario.Step{Op: op, Node: node}, nil
	}
	return scenario.Step{}, &FieldError{Field: "op", Message: fmt.Sprintf("a button cannot run %q", op)}
}

// text returns a field with the space around it removed.
func (v Values) text(name string) string { return strings.TrimSpace(v[name]) }

// number parses a whole number field within minimum..maximum; an empty
// optional field gives 0.
func (v Values) number(name string, minimum, maximum int64, required bool) (int64, error) {
	text := v.text(name)
	if text == "" {
		if required {
			return 0, &FieldError{Field: name, Message: fmt.Sprintf("enter a whole number from %s to %s", thousands(minimum), thousands(maximum))}
		}
		return 0, nil
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(text, "_", ""), 10, 64)
	if err != nil || n < minimum || n > maximum {
		return 0, &FieldError{Field: name, Message: fmt.Sprintf("%s is not a whole number from %s to %s", strconv.Quote(shorten(text, 30)), thousands(minimum), thousands(maximum))}
	}
	return n, nil
}

// choice returns a field that must be one of allowed.
func (v Values) choice(name string, allowed ...string) (string, error) {
	value := v.text(name)
	for _, a := range allowed {
		if value == a {
			return value, nil
		}
	}
	return "", &FieldError{Field: name, Message: fmt.Sprintf("%q is not one of %s", value, strings.Join(allowed, ", "))}
}

// config gathers the config of a form: every non-empty field named
// "config.KEY", and the KEY=VALUE lines of the "config" text area.
func (v Values) config() (map[string]string, error) {
	config, err := parseLines(v["config"], "config", "a config line")
	if err != nil {
		return nil, err
	}
	for _, name := range sortedKeys(v) {
		key, found := strings.CutPrefix(name, "config.")
		value := v.text(name)
		if !found || value == "" {
			continue
		}
		if _, twice := config[key]; twice {
			return nil, &FieldError{Field: "config", Message: fmt.Sprintf("%s is set both in its own field and in the extra config lines", key)}
		}
		config[key] = value
	}
	if len(config) == 0 {
		return nil, nil
	}
	if len(config) > scenario.MaxConfigEntries {
		return nil, &FieldError{Field: "config", Message: fmt.Sprintf("%d config keys is more than the limit of %d", len(config), scenario.MaxConfigEntries)}
	}
	return config, nil
}

// parseLines reads KEY=VALUE lines; blank lines and lines starting with #
// are skipped.
func parseLines(text, field, what string) (map[string]string, error) {
	out := map[string]string{}
	lines := strings.Split(text, "\n")
	if len(lines) > MaxConfigLines*2 {
		return nil, &FieldError{Field: field, Message: fmt.Sprintf("%d lines is more than the %d this field takes", len(lines), MaxConfigLines*2)}
	}
	for i, line := range lines {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, found := strings.Cut(line, "=")
		key = strings.TrimSpace(key)
		if !found || key == "" {
			return nil, &FieldError{Field: field, Message: fmt.Sprintf("line %d: %s looks like key=value, not %s", i+1, what, strconv.Quote(shorten(line, 40)))}
		}
		if _, twice := out[key]; twice {
			return nil, &FieldError{Field: field, Message: fmt.Sprintf("line %d: %s is given twice", i+1, key)}
		}
		out[key] = strings.TrimSpace(value)
	}
	return out, nil
}

// parseHeaders reads record headers as KEY=VALUE lines.
func parseHeaders(text string) ([]scenario.Header, error) {
	lines, err := parseLines(text, "headers", "a header")
	if err != nil {
		return nil, err
	}
	if len(lines) > scenario.MaxHeaders {
		return nil, &FieldError{Field: "headers", Message: fmt.Sprintf("%d headers is more than the limit of %d", len(lines), scenario.MaxHeaders)}
	}
	var headers []scenario.Header
	for _, key := range sortedKeys(lines) {
		headers = append(headers, scenario.Header{Key: key, Value: lines[key]})
	}
	return headers, nil
}

// parseGroups reads the sides of a network partition: sides separated by
// "|" or new lines, node names by spaces or commas.
func parseGroups(text string) ([][]string, error) {
	var groups [][]string
	for _, side := range strings.FieldsFunc(text, func(r rune) bool { return r == '|' || r == '\n' }) {
		names := strings.FieldsFunc(side, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\r' })
		if len(names) > 0 {
			groups = append(groups, names)
		}
	}
	if len(groups) < 2 {
		return nil, &FieldError{Field: "groups", Message: "give at least two sides separated by |, such as: broker-1 | broker-2 broker-3"}
	}
	return groups, nil
}
