package scenario

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// document wraps steps (the inside of the steps list) into a scenario with
// the default cluster.
func document(steps string) string {
	return `{"version": 1, "steps": [` + steps + `]}`
}

// withClients is document with a producer p1 and a consumer c1 added first
// (steps 0 and 1).
func withClients(steps string) string {
	return document(`{"op": "add_producer", "id": "p1"}, {"op": "add_consumer", "id": "c1", "group": "g", "topics": ["t"]}, ` + steps)
}

// decodeError decodes text as orders.json and returns its *Error, failing
// the test when there is none.
func decodeError(t *testing.T, text string) *Error {
	t.Helper()
	scenario, err := Decode("orders.json", []byte(text))
	if err == nil {
		t.Fatalf("Decode accepted %s as %+v", text, scenario)
	}
	var decodeError *Error
	if !errors.As(err, &decodeError) {
		t.Fatalf("Decode returned %T, want *Error: %v", err, err)
	}
	return decodeError
}

// roundTrip checks that Encode then Decode gives scenario back, and that
// encoding again gives the same bytes.
func roundTrip(t *testing.T, scenario *Scenario) []byte {
	t.Helper()
	encoded, err := Encode(scenario)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	again, err := Decode("encoded.json", encoded)
	if err != nil {
		t.Fatalf("Decode(Encode(s)): %v\n%s", err, encoded)
	}
	if !reflect.DeepEqual(scenario, again) {
		t.Fatalf("Decode(Encode(s)) differs from s:\n%+v\n%+v", scenario, again)
	}
	encodedAgain, err := Encode(again)
	if err != nil || !bytes.Equal(encoded, encodedAgain) {
		t.Fatalf("Encode is not stable (%v):\n%s\n%s", err, encoded, encodedAgain)
	}
	return encoded
}

func TestDecodeExampleFiles(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no example files: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			scenario, err := Decode(file, data)
			if err != nil {
				t.Fatal(err)
			}
			roundTrip(t, scenario)
		})
	}
}

func TestEveryOpIsInTheExampleFiles(t *testing.T) {
	seen := map[string]bool{}
	files, _ := filepath.Glob("testdata/*.json")
	for _, file := range files {
		data, _ := os.ReadFile(file)
		scenario, err := Decode(file, data)
		if err != nil {
			t.Fatal(err)
		}
		for _, step := range scenario.Steps {
			seen[step.Op] = true
		}
	}
	for _, op := range Ops() {
		if !seen[op] {
			t.Errorf("op %s is in no example file", op)
		}
	}
}

func TestDecodeSpecificationExample(t *testing.T) {
	data, err := os.ReadFile("testdata/acks-all-min-isr.json")
	if err != nil {
		t.Fatal(err)
	}
	scenario, err := Decode("acks-all-min-isr.json", data)
	if err != nil {
		t.Fatal(err)
	}
	key, value, count, broker, atMs := "user-{i}", "order-{i}", 100, 2, (*int64)(nil)
	want := &Scenario{
		Version: 1, Name: "acks=all needs min.insync.replicas",
		Description: "optional text shown beside the scenario", Seed: 7,
		Cluster: Cluster{Brokers: 3, Metadata: "kraft", Controllers: 3, LatencyMs: 1,
			Config: map[string]string{"replica.lag.time.max.ms": "30000"}},
		Steps: []Step{
			{Op: "create_topic", Topic: "orders", Partitions: 3, ReplicationFactor: 3,
				Config: map[string]string{"min.insync.replicas": "2"}},
			{Op: "add_producer", ID: "p1", Config: map[string]string{"acks": "all"}},
			{Op: "produce", Producer: "p1", Topic: "orders", Key: &key, Value: &value, Count: count},
			{Op: "flush", Producer: "p1"},
			{Op: "kill_broker", Broker: broker, AtMs: atMs},
			{Op: "advance", Ms: 35000},
			{Op: "expect", Path: "topics.orders.partitions.0.isr", Equals: json.RawMessage(`[1,3]`)},
		},
	}
	if !reflect.DeepEqual(scenario, want) {
		t.Fatalf("got  %+v\nwant %+v", scenario, want)
	}
}

func TestDecodeDefaults(t *testing.T) {
	scenario, err := Decode("", []byte(`{"version": 1, "steps": []}`))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(scenario, New()) {
		t.Fatalf("got %+v, want New() %+v", scenario, New())
	}
	zookeeper, err := Decode("", []byte(`{"version": 1, "cluster": {"metadata": "zookeeper"}, "steps": []}`))
	if err != nil {
		t.Fatal(err)
	}
	want := Cluster{Brokers: 3, Metadata: "zookeeper", ZooKeepers: 3, LatencyMs: 1}
	if !reflect.DeepEqual(zookeeper.Cluster, want) {
		t.Fatalf("got %+v, want %+v", zookeeper.Cluster, want)
	}
	explicit, err := Decode("", []byte(`{"version": 1, "seed": 0, "cluster": {"latency_ms": 0, "config": {}}, "steps": []}`))
	if err != nil {
		t.Fatal(err)
	}
	if explicit.Seed != 0 || explicit.Cluster.LatencyMs != 0 || explicit.Cluster.Config != nil {
		t.Fatalf("explicit zero values lost: %+v", explicit)
	}
	roundTrip(t, explicit)
}

func TestStepAccessors(t *testing.T) {
	scenario, err := Decode("", []byte(withClients(`{"op": "produce", "producer": "p1", "topic": "t", "value": "v"},
		{"op": "poll", "consumer": "c1"}, {"op": "poll", "consumer": "c1", "timeout_ms": 0},
		{"op": "create_acl", "principal": "User:a", "resource_type": "TOPIC", "resource_name": "t",
		 "pattern_type": "LITERAL", "operation": "READ", "permission": "ALLOW"},
		{"op": "expect", "path": "a", "equals": {"n": 1.50, "list": [null, true]}}`)))
	if err != nil {
		t.Fatal(err)
	}
	steps := scenario.Steps
	if steps[2].RecordCount() != 1 || steps[2].Key != nil || *steps[2].Value != "v" {
		t.Errorf("produce defaults: %+v", steps[2])
	}
	if steps[3].PollTimeoutMs() != 1000 || steps[4].PollTimeoutMs() != 0 {
		t.Errorf("poll timeouts %d, %d", steps[3].PollTimeoutMs(), steps[4].PollTimeoutMs())
	}
	if steps[5].ACLHost() != "*" {
		t.Errorf("ACL host %q", steps[5].ACLHost())
	}
	if string(steps[6].Equals) != `{"n":1.50,"list":[null,true]}` {
		t.Errorf("equals not compacted as given: %s", steps[6].Equals)
	}
	expected, err := steps[6].ExpectedValue()
	if err != nil {
		t.Fatal(err)
	}
	if !Equal(expected, map[string]any{"n": 1.5, "list": []any{nil, true}}) {
		t.Errorf("ExpectedValue %#v", expected)
	}
}

func TestDecodeErrorMessages(t *testing.T) {
	produce := `{"op": "produce", "producer": "p1", "topic": "t", "value": "v", `
	tests := []struct {
		name string
		text string
		want string
	}{
		{"unknown step field", withClients(`{"op": "flush", "producer": "p1"}, {"op": "advance", "ms": 1}, ` + produce + `"kee": "k"}`),
			`orders.json: step 4 (produce): field "kee": unknown field (did you mean "key"?)`},
		{"brokers out of range", `{"version": 1, "cluster": {"brokers": 0}, "steps": []}`,
			`orders.json: cluster.brokers: 0 is out of range 1..16`},
		{"newer version", `{"version": 2, "whatever": true}`,
			`orders.json: version 2 is newer than this playground understands (1)`},
		{"old version", `{"version": 0, "steps": []}`,
			`orders.json: version 0 does not exist; this playground understands version 1`},
		{"missing version", `{"steps": []}`,
			`orders.json: version: missing required field (this playground reads version 1)`},
		{"version as string", `{"version": "1", "steps": []}`,
			`orders.json: version: must be a whole number, got a string`},
		{"missing steps", `{"version": 1}`,
			`orders.json: steps: missing required field (use [] for a scenario without steps)`},
		{"unknown top-level field", `{"version": 1, "steps": [], "sede": 3}`,
			`orders.json: sede: unknown field (did you mean "seed"?)`},
		{"unknown top-level field without suggestion", `{"version": 1, "steps": [], "clusterfield": 3}`,
			`orders.json: clusterfield: unknown field; allowed: version, name, description, seed, cluster, steps`},
		{"unknown cluster field", `{"version": 1, "cluster": {"broker": 3}, "steps": []}`,
			`orders.json: cluster.broker: unknown field (did you mean "brokers"?)`},
		{"duplicate field", `{"version": 1, "seed": 1, "seed": 2, "steps": []}`,
			`orders.json: seed: field appears twice`},
		{"metadata", `{"version": 1, "cluster": {"metadata": "KRaft"}, "steps": []}`,
			`orders.json: cluster.metadata: "KRaft" is not one of kraft, zookeeper (did you mean "kraft"?)`},
		{"controllers in zookeeper mode", `{"version": 1, "cluster": {"metadata": "zookeeper", "controllers": 3}, "steps": []}`,
			`orders.json: cluster.controllers: only a KRaft cluster has a controller quorum (metadata is "zookeeper")`},
		{"zookeepers in kraft mode", `{"version": 1, "cluster": {"zookeepers": 3}, "steps": []}`,
			`orders.json: cluster.zookeepers: only a ZooKeeper-mode cluster has a ZooKeeper ensemble (metadata is "kraft")`},
		{"config value not a string", `{"version": 1, "cluster": {"config": {"min.insync.replicas": 2}}, "steps": []}`,
			`orders.json: cluster.config: key "min.insync.replicas": must be a string, got a number (config values are strings, as in Kafka: write "2")`},
		{"seed negative", `{"version": 1, "seed": -1, "steps": []}`,
			`orders.json: seed: -1 is out of range 0..18446744073709551615`},
		{"seed fraction", `{"version": 1, "seed": 1.5, "steps": []}`,
			`orders.json: seed: must be a whole number, got 1.5`},
		{"trailing data", `{"version": 1, "steps": []} {}`,
			`orders.json: unexpected data after the end of the document (line 1, column 29)`},
		{"syntax error", "{\"version\": 1,\n \"steps\": [}",
			`orders.json: invalid JSON at line 2, column 12: invalid character '}' looking for beginning of value`},
		{"truncated", `{"version": 1, "steps": [`,
			`orders.json: invalid JSON at line 1, column 26: unexpected end of file`},
		{"not an object", `[1, 2]`, `orders.json: a scenario is a JSON object, got a list`},
		{"empty", "  \n", `orders.json: the file is empty; a scenario is a JSON object such as {"version": 1, "steps": []}`},
		{"step not an object", document(`"advance"`), `orders.json: step 0: a step is a JSON object, got a string`},
		{"missing op", document(`{"ms": 5}`), `orders.json: step 0: field "op": missing required field`},
		{"unknown op", document(`{"op": "produc"}`), `orders.json: step 0: field "op": unknown op "produc" (did you mean "produce"?)`},
		{"unknown op without suggestion", document(`{"op": "rebalance_everything"}`),
			`orders.json: step 0: field "op": unknown op "rebalance_everything"; the ops are ` + strings.Join(Ops(), ", ")},
		{"field of another op", withClients(produce + `"partitions": 3}`),
			`orders.json: step 2 (produce): field "partitions": not a field of produce (did you mean "partition"?)`},
		{"field of another op without suggestion", withClients(produce + `"replication_factor": 3}`),
			`orders.json: step 2 (produce): field "replication_factor": not a field of produce; produce takes producer, topic, key, value, partition, headers, count, op, at_ms, async, note`},
		{"missing required field", withClients(`{"op": "produce", "producer": "p1", "topic": "t"}`),
			`orders.json: step 2 (produce): field "value": missing required field`},
		{"wrong type", document(`{"op": "advance", "ms": "1000"}`),
			`orders.json: step 0 (advance): field "ms": must be a whole number, got a string`},
		{"advance too long", document(`{"op": "advance", "ms": 34560000001}`),
			`orders.json: step 0 (advance): field "ms": 34560000001 is out of range 0..34560000000`},
		{"delay too long", document(`{"op": "delay_node", "node": "broker-1", "ms": 60001}`),
			`orders.json: step 0 (delay_node): field "ms": 60001 is out of range 0..60000`},
		{"at_ms in the past", document(`{"op": "advance", "ms": 1}, {"op": "heal_network", "at_ms": 400}, {"op": "heal_network"},
			{"op": "heal_network", "at_ms": 400}, {"op": "heal_network", "at_ms": 100}`),
			`orders.json: step 4 (heal_network): field "at_ms": 100 is before step 3's at_ms 400`},
		{"at_ms before an advance", document(`{"op": "heal_network", "at_ms": 400}, {"op": "advance", "ms": 1000}, {"op": "heal_network", "at_ms": 1399}`),
			`orders.json: step 2 (heal_network): field "at_ms": 1399 is before 1400, the earliest time this step can run (step 0's at_ms 400, then 1000 ms of advance steps)`},
		{"at_ms negative", document(`{"op": "heal_network", "at_ms": -1}`),
			`orders.json: step 0 (heal_network): field "at_ms": -1 is out of range 0..34560000000`},
		{"duplicate client", withClients(`{"op": "add_consumer", "id": "p1", "topics": ["t"]}`),
			`orders.json: step 2 (add_consumer): field "id": client "p1" was already added by step 0`},
		{"client named like a broker", document(`{"op": "add_producer", "id": "broker-7"}`),
			`orders.json: step 0 (add_producer): field "id": client id "broker-7" looks like a node name; broker-N, controller-N and zookeeper-N are reserved for the cluster's nodes`},
		{"client named admin", document(`{"op": "add_consumer", "id": "admin", "topics": ["t"]}`),
			`orders.json: step 0 (add_consumer): field "id": "admin" is reserved for the playground's own admin client`},
		{"client id characters", document(`{"op": "add_producer", "id": "my producer"}`),
			`orders.json: step 0 (add_producer): field "id": client id "my producer" contains ' '; the legal characters are ASCII letters, digits, '.', '_' and '-'`},
		{"unknown producer", withClients(`{"op": "flush", "producer": "p2"}`),
			`orders.json: step 2 (flush): field "producer": no producer "p2" was added before this step (did you mean "p1"?)`},
		{"producer added later", document(`{"op": "flush", "producer": "p1"}, {"op": "add_producer", "id": "p1"}`),
			`orders.json: step 0 (flush): field "producer": no producer "p1" was added before this step`},
		{"consumer used as producer", withClients(`{"op": "init_transactions", "producer": "c1"}`),
			`orders.json: step 2 (init_transactions): field "producer": "c1" is a consumer (added by step 1), not a producer`},
		{"unknown client", withClients(`{"op": "crash", "client": "c2"}`),
			`orders.json: step 2 (crash): field "client": no client "c2" was added before this step (did you mean "c1"?)`},
		{"broker out of cluster", document(`{"op": "kill_broker", "broker": 4}`),
			`orders.json: step 0 (kill_broker): field "broker": there is no broker 4; the cluster has brokers 1..3`},
		{"broker zero", document(`{"op": "start_broker", "broker": 0}`),
			`orders.json: step 0 (start_broker): field "broker": 0 is out of range 1..16`},
		{"alter_config both", document(`{"op": "alter_config", "topic": "t", "broker": 1, "config": {"a": "b"}}`),
			`orders.json: step 0 (alter_config): needs exactly one of "topic" or "broker"`},
		{"alter_config neither", document(`{"op": "alter_config", "config": {"a": "b"}}`),
			`orders.json: step 0 (alter_config): needs exactly one of "topic" or "broker"`},
		{"alter_config empty", document(`{"op": "alter_config", "broker": 1, "config": {}}`),
			`orders.json: step 0 (alter_config): field "config": must set at least one config key`},
		{"partition without topic", document(`{"op": "elect_leaders", "partition": 0}`),
			`orders.json: step 0 (elect_leaders): field "partition": needs "topic" too`},
		{"unknown node", withClients(`{"op": "partition_network", "groups": [["broker-1"], ["brokr-2", "c1"]]}`),
			`orders.json: step 2 (partition_network): field "groups": group 1: unknown node "brokr-2" (did you mean "broker-2"?)`},
		{"node out of range", document(`{"op": "partition_network", "groups": [["broker-1"], ["controller-4"]]}`),
			`orders.json: step 0 (partition_network): field "groups": group 1: there is no "controller-4"; this cluster's controllers are controller-1..controller-3`},
		{"zookeeper node in kraft mode", document(`{"op": "delay_node", "node": "zookeeper-1", "ms": 5}`),
			`orders.json: step 0 (delay_node): field "node": there is no zookeeper-1: a cluster with "kraft" metadata has no zookeeper nodes`},
		{"node in two groups", document(`{"op": "partition_network", "groups": [["broker-1"], ["broker-2", "broker-1"]]}`),
			`orders.json: step 0 (partition_network): field "groups": node "broker-1" is in group 0 and in group 1; a node belongs to one group`},
		{"groups of numbers", document(`{"op": "partition_network", "groups": [[1], [2]]}`),
			`orders.json: step 0 (partition_network): field "groups": must be a list of lists of node names (strings)`},
		{"empty group", document(`{"op": "partition_network", "groups": [[]]}`),
			`orders.json: step 0 (partition_network): field "groups": group 0 is empty (a group is a list of node names)`},
		{"unknown node without suggestion", document(`{"op": "delay_node", "node": "somewhere-else", "ms": 5}`),
			`orders.json: step 0 (delay_node): field "node": unknown node "somewhere-else"; node names are broker-1..broker-3, controller-1..controller-3, admin and the ids of clients added before this step`},
		{"expect without equals", document(`{"op": "expect", "path": "topics"}`),
			`orders.json: step 0 (expect): field "equals": missing required field`},
		{"expect with empty path", document(`{"op": "expect", "path": "", "equals": 1}`),
			`orders.json: step 0 (expect): field "path": must not be empty`},
		{"topic name", document(`{"op": "create_topic", "topic": "..", "partitions": 1, "replication_factor": 1}`),
			`orders.json: step 0 (create_topic): field "topic": a topic name cannot be ".."`},
		{"topic characters", document(`{"op": "delete_topic", "topic": "orders/eu"}`),
			`orders.json: step 0 (delete_topic): field "topic": topic name "orders/eu" contains '/'; the legal characters are ASCII letters, digits, '.', '_' and '-'`},
		{"replication factor", document(`{"op": "create_topic", "topic": "t", "partitions": 1, "replication_factor": 17}`),
			`orders.json: step 0 (create_topic): field "replication_factor": 17 is out of range 1..16`},
		{"partitions fraction", document(`{"op": "create_topic", "topic": "t", "partitions": 1.0, "replication_factor": 1}`),
			`orders.json: step 0 (create_topic): field "partitions": must be a whole number, got 1.0`},
		{"mechanism", document(`{"op": "add_user", "user": "u", "password": "p", "mechanism": "scram-sha-256"}`),
			`orders.json: step 0 (add_user): field "mechanism": "scram-sha-256" is not one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 (did you mean "SCRAM-SHA-256"?)`},
		{"principal", document(`{"op": "create_acl", "principal": "alice", "resource_type": "TOPIC", "resource_name": "t", "pattern_type": "LITERAL", "operation": "READ", "permission": "ALLOW"}`),
			`orders.json: step 0 (create_acl): field "principal": "alice" is not a principal; write Type:name, such as "User:alice" or "User:*"`},
		{"ANY only in delete_acl", document(`{"op": "create_acl", "principal": "User:a", "resource_type": "ANY", "resource_name": "t", "pattern_type": "LITERAL", "operation": "READ", "permission": "ALLOW"}`),
			`orders.json: step 0 (create_acl): field "resource_type": "ANY" is not one of TOPIC, GROUP, CLUSTER, TRANSACTIONAL_ID, DELEGATION_TOKEN, USER`},
		{"headers value", withClients(produce + `"headers": {"a": 1}}`),
			`orders.json: step 2 (produce): field "headers": header "a": must be a string, got a number`},
		{"duplicate header", withClients(produce + `"headers": {"a": "1", "a": "2"}}`),
			`orders.json: step 2 (produce): field "headers": header "a" appears twice`},
		{"key of wrong type", withClients(produce + `"key": 5}`),
			`orders.json: step 2 (produce): field "key": must be a string or null, got a number`},
		{"async of wrong type", document(`{"op": "heal_network", "async": "yes"}`),
			`orders.json: step 0 (heal_network): field "async": must be true or false, got a string`},
		{"duplicate step field", document(`{"op": "advance", "ms": 1, "ms": 2}`),
			`orders.json: step 0 (advance): field "ms": field appears twice`},
		{"topics empty", document(`{"op": "add_consumer", "id": "c", "topics": []}`),
			`orders.json: step 0 (add_consumer): field "topics": must name at least one topic`},
		{"topics twice", document(`{"op": "add_consumer", "id": "c", "topics": ["a", "a"]}`),
			`orders.json: step 0 (add_consumer): field "topics": topic "a" is listed twice`},
		{"poll max_records", withClients(`{"op": "poll", "consumer": "c1", "max_records": 0}`),
			`orders.json: step 2 (poll): field "max_records": 0 is out of range 1..100000`},
		{"poll timeout", withClients(`{"op": "poll", "consumer": "c1", "timeout_ms": 3600001}`),
			`orders.json: step 2 (poll): field "timeout_ms": 3600001 is out of range 0..3600000`},
		{"config duplicate key", document(`{"op": "add_producer", "id": "p", "config": {"acks": "1", "acks": "all"}}`),
			`orders.json: step 0 (add_producer): field "config": key "acks" appears twice`},
		{"null for optional field", withClients(produce + `"partition": null}`),
			`orders.json: step 2 (produce): field "partition": must be a whole number, got null`},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			if got := decodeError(t, test.text).Error(); got != test.want {
				t.Errorf("got  %s\nwant %s", got, test.want)
			}
		})
	}
}

func TestErrorFieldsAndPosition(t *testing.T) {
	text := "{\"version\": 1,\n  \"steps\": [\n    {\"op\": \"advance\",\n     \"mss\": 5}\n  ]\n}\n"
	got := decodeError(t, text)
	want := &Error{File: "orders.json", Step: 0, Op: "advance", Field: "mss",
		Message: `unknown field (did you mean "ms"?)`, Line: 4, Column: 6}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
	outside := decodeError(t, "{\"version\": 1,\n\"cluster\": {\"brokers\": 17}, \"steps\": []}")
	if outside.Step != -1 || outside.Field != "cluster.brokers" || outside.Line != 2 || outside.Column != 24 {
		t.Fatalf("got %+v", outside)
	}
	withoutFile, err := Decode("", []byte(`{"version": 1, "steps": [{"op": "nope"}]}`))
	if withoutFile != nil || err == nil || strings.HasPrefix(err.Error(), ":") || !strings.HasPrefix(err.Error(), "step 0: ") {
		t.Fatalf("error without a file name: %v", err)
	}
}

func TestDecodeLimits(t *testing.T) {
	repeat := func(step string, count int) string {
		return strings.TrimSuffix(strings.Repeat(step+",", count), ",")
	}
	tests := []struct {
		name string
		text string
		want string
	}{
		{"file size", `{"version": 1, "steps": [], "name": "` + strings.Repeat("x", MaxScenarioBytes) + `"}`,
			"orders.json: the file is 4194343 bytes, more than the limit of 4194304 bytes (4 MiB)"},
		{"steps", document(repeat(`{"op":"heal_network"}`, MaxSteps+1)),
			"orders.json: steps: 10001 steps is more than the limit of 10000"},
		{"topics created", document(repeat(`{"op":"create_topic","topic":"t","partitions":1,"replication_factor":1}`, MaxTopicsCreated+1)),
			"orders.json: step 100 (create_topic): a scenario creates at most 100 topics"},
		{"records per step", withClients(`{"op":"produce","producer":"p1","topic":"t","value":"v","count":1000001}`),
			`orders.json: step 2 (produce): field "count": 1000001 is out of range 1..1000000`},
		{"records in all", withClients(repeat(`{"op":"produce","producer":"p1","topic":"t","value":"v","count":1000000}`, 10) + `,{"op":"produce","producer":"p1","topic":"t","value":"v"}`),
			`orders.json: step 12 (produce): field "count": the scenario would produce 10000001 records, more than the limit of 10000000 in all`},
		{"key size", withClients(`{"op":"produce","producer":"p1","topic":"t","value":"v","key":"` + strings.Repeat("k", MaxKeyBytes+1) + `"}`),
			`orders.json: step 2 (produce): field "key": is 1048577 bytes, more than the limit of 1048576`},
		{"value size", withClients(`{"op":"produce","producer":"p1","topic":"t","value":"` + strings.Repeat("é", MaxValueBytes/2+1) + `"}`),
			`orders.json: step 2 (produce): field "value": is 1048578 bytes, more than the limit of 1048576`},
		{"header size", withClients(`{"op":"produce","producer":"p1","topic":"t","value":"v","headers":{"h":"` + strings.Repeat("v", MaxHeaderBytes+1) + `"}}`),
			`orders.json: step 2 (produce): field "headers": header "h": is 1048577 bytes, more than the limit of 1048576`},
		{"brokers", `{"version": 1, "cluster": {"brokers": 17}, "steps": []}`, "orders.json: cluster.brokers: 17 is out of range 1..16"},
		{"controllers", `{"version": 1, "cluster": {"controllers": 8}, "steps": []}`, "orders.json: cluster.controllers: 8 is out of range 1..7"},
		{"zookeepers", `{"version": 1, "cluster": {"metadata": "zookeeper", "zookeepers": 0}, "steps": []}`, "orders.json: cluster.zookeepers: 0 is out of range 1..7"},
		{"latency", `{"version": 1, "cluster": {"latency_ms": 10001}, "steps": []}`, "orders.json: cluster.latency_ms: 10001 is out of range 0..10000"},
		{"partitions", document(`{"op":"create_topic","topic":"t","partitions":1001,"replication_factor":1}`),
			`orders.json: step 0 (create_topic): field "partitions": 1001 is out of range 1..1000`},
		{"produce partition", withClients(`{"op":"produce","producer":"p1","topic":"t","value":"v","partition":1000}`),
			`orders.json: step 2 (produce): field "partition": 1000 is out of range 0..999`},
		{"at_ms", document(`{"op":"heal_network","at_ms":34560000001}`),
			`orders.json: step 0 (heal_network): field "at_ms": 34560000001 is out of range 0..34560000000`},
		{"config entries", `{"version": 1, "cluster": {"config": {` + configEntries(MaxConfigEntries+1) + `}}, "steps": []}`,
			"orders.json: cluster.config: 101 entries is more than the limit of 100"},
		{"config key", document(`{"op":"add_producer","id":"p","config":{"` + strings.Repeat("k", MaxConfigKeyLength+1) + `":"v"}}`),
			`orders.json: step 0 (add_producer): field "config": a config key is 1..255 characters, "` + strings.Repeat("k", 60) + `"… is not`},
		{"config value", document(`{"op":"add_producer","id":"p","config":{"k":"` + strings.Repeat("v", MaxConfigValueBytes+1) + `"}}`),
			`orders.json: step 0 (add_producer): field "config": key "k": the value is 65537 bytes, more than the limit of 65536`},
		{"name", `{"version": 1, "name": "` + strings.Repeat("n", MaxNameLength+1) + `", "steps": []}`,
			"orders.json: name: is 201 characters, more than the limit of 200"},
		{"description", `{"version": 1, "description": "` + strings.Repeat("d", MaxDescriptionLength+1) + `", "steps": []}`,
			"orders.json: description: is 10001 characters, more than the limit of 10000"},
		{"topic name length", document(`{"op":"delete_topic","topic":"` + strings.Repeat("t", MaxTopicNameLength+1) + `"}`),
			`orders.json: step 0 (delete_topic): field "topic": a topic name is at most 249 characters, this one has 250`},
		{"client id length", document(`{"op":"add_producer","id":"` + strings.Repeat("p", MaxClientIDLength+1) + `"}`),
			`orders.json: step 0 (add_producer): field "id": a client id is at most 64 characters, this one has 65`},
		{"network groups", document(`{"op":"partition_network","groups":[` + repeat(`["broker-1"]`, MaxNetworkGroups+1) + `]}`),
			`orders.json: step 0 (partition_network): field "groups": 65 groups is more than the limit of 64`},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			if got := decodeError(t, test.text).Error(); got != test.want {
				t.Errorf("got  %s\nwant %s", shorten(got), shorten(test.want))
			}
		})
	}
}

// configEntries writes count distinct config entries.
func configEntries(count int) string {
	entries := make([]string, count)
	for index := range entries {
		entries[index] = fmt.Sprintf(`"key.%d": "%d"`, index, index)
	}
	return strings.Join(entries, ", ")
}

// shorten cuts a long message for a test failure.
func shorten(text string) string {
	if len(text) > 300 {
		return text[:300] + "…"
	}
	return text
}

func TestDecodeAcceptsLimits(t *testing.T) {
	repeat := func(step string, count int) string {
		return strings.TrimSuffix(strings.Repeat(step+",", count), ",")
	}
	texts := []string{
		document(repeat(`{"op":"heal_network"}`, MaxSteps)),
		withClients(repeat(`{"op":"produce","producer":"p1","topic":"t","value":"v","count":1000000}`, 10)),
		document(repeat(`{"op":"create_topic","topic":"t","partitions":1000,"replication_factor":16}`, MaxTopicsCreated)),
		`{"version": 1, "cluster": {"brokers": 16, "controllers": 7, "latency_ms": 10000, "config": {` + configEntries(MaxConfigEntries) + `}}, "steps": [
			{"op": "kill_broker", "broker": 16}, {"op": "delay_node", "node": "controller-7", "ms": 60000},
			{"op": "advance", "ms": 34560000000}, {"op": "heal_network", "at_ms": 34560000000}]}`,
		document(`{"op":"partition_network","groups":[` + repeat(`["broker-1"]`, 1) + `,` + repeat(`["admin"]`, 1) + `]}`),
	}
	for index, text := range texts {
		scenario, err := Decode("limits.json", []byte(text))
		if err != nil {
			t.Fatalf("text %d: %v", index, shorten(err.Error()))
		}
		roundTrip(t, scenario)
	}
}

func TestDecodeAcceptsByteOrderMarkAndNullValue(t *testing.T) {
	scenario, err := Decode("bom.json", []byte("\xef\xbb\xbf"+withClients(`{"op":"produce","producer":"p1","topic":"t","key":null,"value":null}`)))
	if err != nil {
		t.Fatal(err)
	}
	step := scenario.Steps[2]
	if step.Key != nil || step.Value != nil {
		t.Fatalf("null key and value: %+v", step)
	}
	encoded := roundTrip(t, scenario)
	if !bytes.Contains(encoded, []byte(`"value":null`)) || bytes.Contains(encoded, []byte(`"key"`)) {
		t.Fatalf("encoded %s", encoded)
	}
}

func TestEncodeRoundTripOfALargeScenario(t *testing.T) {
	scenario := largeScenario()
	encoded := roundTrip(t, scenario)
	if len(encoded) > MaxScenarioBytes {
		t.Fatalf("large scenario is %d bytes", len(encoded))
	}
}

// largeScenario builds a valid scenario of 5000 steps using every op.
func largeScenario() *Scenario {
	scenario := New()
	scenario.Name = "large <&> \u2603"
	scenario.Seed = 1<<64 - 1
	scenario.Cluster.Brokers = 7
	scenario.Cluster.Controllers = 5
	scenario.Cluster.LatencyMs = 0
	scenario.Cluster.Config = map[string]string{"b": "2", "a": "1"}
	pointer := func(number int64) *int64 { return &number }
	text := func(value string) *string { return &value }
	add := func(step Step) { scenario.Steps = append(scenario.Steps, step) }
	for round := range 100 {
		producer, consumer := fmt.Sprintf("p%d", round), fmt.Sprintf("c%d", round)
		topic := fmt.Sprintf("topic.%d", round)
		partition := round % 7
		add(Step{Op: OpCreateTopic, Topic: topic, Partitions: 7, ReplicationFactor: 3, AtMs: pointer(int64(round) * 1000)})
		add(Step{Op: OpAddProducer, ID: producer, Config: map[string]string{"acks": "all", "linger.ms": "0"}})
		add(Step{Op: OpAddConsumer, ID: consumer, Group: "group", Topics: []string{topic}, Note: "joins"})
		add(Step{Op: OpInitTransactions, Producer: producer})
		add(Step{Op: OpBeginTransaction, Producer: producer})
		add(Step{Op: OpProduce, Producer: producer, Topic: topic, Key: text("k-{i}"), Value: text("v"),
			Partition: &partition, Count: 1000, Headers: []Header{{Key: "a", Value: "1"}, {Key: "b", Value: ""}}})
		add(Step{Op: OpProduce, Producer: producer, Topic: topic, Async: true})
		add(Step{Op: OpSendOffsetsToTransaction, Producer: producer, Consumer: consumer})
		add(Step{Op: OpCommitTransaction, Producer: producer})
		add(Step{Op: OpAbortTransaction, Producer: producer, Async: true})
		add(Step{Op: OpFlush, Producer: producer})
		add(Step{Op: OpPoll, Consumer: consumer, MaxRecords: 10, TimeoutMs: pointer(0)})
		add(Step{Op: OpCommit, Consumer: consumer})
		add(Step{Op: OpAlterConfig, Topic: topic, Config: map[string]string{"retention.ms": "1"}})
		add(Step{Op: OpAlterConfig, Broker: 1 + round%7, Config: map[string]string{"x": "y"}})
		add(Step{Op: OpStopBroker, Broker: 1})
		add(Step{Op: OpStartBroker, Broker: 1})
		add(Step{Op: OpKillBroker, Broker: 7})
		add(Step{Op: OpPartitionNetwork, Groups: [][]string{{"broker-1", "controller-5", producer}, {"admin", consumer}}})
		add(Step{Op: OpDelayNode, Node: producer, Ms: 10})
		add(Step{Op: OpHealNetwork})
		add(Step{Op: OpAdvance, Ms: 100})
		add(Step{Op: OpAddUser, User: "user" + producer, Password: "", Mechanism: "PLAIN"})
		add(Step{Op: OpCreateACL, Principal: "User:" + producer, ResourceType: "TOPIC", ResourceName: topic,
			PatternType: "LITERAL", Operation: "WRITE", Permission: "ALLOW", Host: "*"})
		add(Step{Op: OpDeleteACL, Principal: "User:" + producer, ResourceType: "ANY", ResourceName: topic,
			PatternType: "ANY", Operation: "ANY", Permission: "ANY"})
		add(Step{Op: OpElectLeaders, Topic: topic, Partition: &partition})
		add(Step{Op: OpElectLeaders})
		add(Step{Op: OpExpect, Path: "topics." + topic + ".partitions.0.isr", Equals: json.RawMessage(`[1,2,{"a":null}]`)})
		add(Step{Op: OpClose, Client: consumer})
		add(Step{Op: OpCrash, Client: producer})
		add(Step{Op: OpDeleteTopic, Topic: topic})
	}
	for len(scenario.Steps) < 5000 {
		add(Step{Op: OpAdvance, Ms: int64(len(scenario.Steps))})
	}
	return scenario
}

func TestEncodeRefusesWhatDecodeRefuses(t *testing.T) {
	if _, err := Encode(nil); err == nil {
		t.Fatal("Encode(nil) succeeded")
	}
	bad := New()
	bad.Steps = []Step{{Op: OpProduce, Producer: "nobody", Topic: "t"}}
	_, err := Encode(bad)
	var encodeError *Error
	if !errors.As(err, &encodeError) || encodeError.Step != 0 || encodeError.Field != "producer" {
		t.Fatalf("got %v", err)
	}
	zero := &Scenario{Version: 1}
	if _, err := Encode(zero); err == nil || err.Error() != `cluster.metadata: "" is not one of kraft, zookeeper` {
		t.Fatalf("got %v", err)
	}
	noEquals := New()
	noEquals.Steps = []Step{{Op: OpExpect, Path: "a"}}
	if _, err := Encode(noEquals); err == nil || err.Error() != `step 0 (expect): field "equals": missing required field` {
		t.Fatalf("got %v", err)
	}
}

func TestEncodeIsCanonical(t *testing.T) {
	first, err := Decode("", []byte(`{"steps": [{"ms": 5, "op": "advance"}], "cluster": {"config": {"z": "1", "a": "2"}, "brokers": 3}, "version": 1}`))
	if err != nil {
		t.Fatal(err)
	}
	encoded, err := Encode(first)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"version":1,"seed":1,"cluster":{"brokers":3,"metadata":"kraft","config":{"a":"2","z":"1"}},"steps":[{"op":"advance","ms":5}]}`
	if string(encoded) != want {
		t.Fatalf("got  %s\nwant %s", encoded, want)
	}
}

func TestOpsAreDistinctAndDocumented(t *testing.T) {
	ops := Ops()
	sorted := slices.Clone(ops)
	slices.Sort(sorted)
	if len(slices.Compact(sorted)) != len(ops) || len(ops) != 33 {
		t.Fatalf("ops %v", ops)
	}
}

func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, file := range files {
		data, _ := os.ReadFile(file)
		f.Add(data)
	}
	f.Add([]byte(withClients(`{"op":"produce","producer":"p1","topic":"t","value":null,"headers":{"b":"1","a":"2"}}`)))
	f.Add([]byte(`{"version":1,"steps":[{"op":"expect","path":"a.b","equals":{"x":[1.0,-0,1e5]}}]}`))
	f.Add([]byte(`{"version":1,"seed":0,"cluster":{"metadata":"zookeeper","zookeepers":1,"latency_ms":0},"steps":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		scenario, err := Decode("fuzz.json", data)
		if err != nil {
			var decodeError *Error
			if !errors.As(err, &decodeError) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		roundTrip(t, scenario)
	})
}
