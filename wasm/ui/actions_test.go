package ui

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/kafka-playground/playground/core/scenario"
)

func TestFormsBecomeSteps(t *testing.T) {
	key := "user-{i}"
	value := "order-{i}"
	empty := ""
	partition := 2
	timeout := int64(250)
	nodes := FormContext{Nodes: []string{"controller-1", "broker-1", "broker-2", "p1", "admin"}}
	cases := []struct {
		form   string
		values Values
		want   Request
	}{
		{"create_topic", Values{"topic": " orders ", "partitions": "3", "replication_factor": "2", "config.min.insync.replicas": "2", "config": "retention.ms = 60000\n# a comment\n"},
			Request{Step: scenario.Step{Op: scenario.OpCreateTopic, Topic: "orders", Partitions: 3, ReplicationFactor: 2,
				Config: map[string]string{"min.insync.replicas": "2", "retention.ms": "60000"}}}},
		{"add_producer", Values{"id": "p1", "config.acks": "1", "config.linger.ms": "", "config": ""},
			Request{Step: scenario.Step{Op: scenario.OpAddProducer, ID: "p1", Config: map[string]string{"acks": "1"}}}},
		{"add_producer", Values{"id": "p2", "config.acks": ""},
			Request{Step: scenario.Step{Op: scenario.OpAddProducer, ID: "p2"}}},
		{"produce", Values{"op": "produce", "producer": "p1", "topic": "orders", "key": key, "value": value, "count": "10", "partition": "2", "headers": "b=2\na=1"},
			Request{Step: scenario.Step{Op: scenario.OpProduce, Producer: "p1", Topic: "orders", Key: &key, Value: &value, Count: 10, Partition: &partition,
				Headers: []scenario.Header{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}}, Async: true}}},
		{"produce", Values{"op": "produce", "producer": "p1", "topic": "orders", "key": "", "value": "", "count": ""},
			Request{Step: scenario.Step{Op: scenario.OpProduce, Producer: "p1", Topic: "orders", Value: &empty, Async: true}}},
		{"produce", Values{"op": "stream", "producer": "p1", "topic": "orders", "value": value, "rate": "10000", "count": "ignored"},
			Request{Step: scenario.Step{Op: scenario.OpProduce, Producer: "p1", Topic: "orders", Value: &value, Count: 10000, Async: true}, Stream: true}},
		{"producer_op", Values{"op": "commit_transaction", "producer": "p1"},
			Request{Step: scenario.Step{Op: scenario.OpCommitTransaction, Producer: "p1"}}},
		{"add_consumer", Values{"id": "c1", "group": "g1", "topics": "orders, payments", "config.auto.offset.reset": "earliest"},
			Request{Step: scenario.Step{Op: scenario.OpAddConsumer, ID: "c1", Group: "g1", Topics: []string{"orders", "payments"}, Config: map[string]string{"auto.offset.reset": "earliest"}}}},
		{"consumer_op", Values{"op": "poll", "consumer": "c1", "max_records": "5", "timeout_ms": "250"},
			Request{Step: scenario.Step{Op: scenario.OpPoll, Consumer: "c1", MaxRecords: 5, TimeoutMs: &timeout}}},
		{"consumer_op", Values{"op": "commit", "consumer": "c1", "max_records": "not read for a commit"},
			Request{Step: scenario.Step{Op: scenario.OpCommit, Consumer: "c1"}}},
		{"client_op", Values{"op": "crash", "client": "p1"}, Request{Step: scenario.Step{Op: scenario.OpCrash, Client: "p1"}}},
		{"broker_op", Values{"op": "kill_broker", "broker": "2"}, Request{Step: scenario.Step{Op: scenario.OpKillBroker, Broker: 2}}},
		{"node_op", Values{"op": "kill_node", "node": "controller-1"}, Request{Step: scenario.Step{Op: scenario.OpKillNode, Node: "controller-1"}}},
		{"network", Values{"op": "isolate", "node": "broker-1"},
			Request{Step: scenario.Step{Op: scenario.OpPartitionNetwork, Groups: [][]string{{"broker-1"}, {"controller-1", "broker-2", "p1", "admin"}}}}},
		{"network", Values{"op": "split", "groups": "broker-1, controller-1 | broker-2\np1"},
			Request{Step: scenario.Step{Op: scenario.OpPartitionNetwork, Groups: [][]string{{"broker-1", "controller-1"}, {"broker-2"}, {"p1"}}}}},
		{"network", Values{"op": "heal_network"}, Request{Step: scenario.Step{Op: scenario.OpHealNetwork}}},
		{"delay_node", Values{"node": "broker-2", "ms": "200"}, Request{Step: scenario.Step{Op: scenario.OpDelayNode, Node: "broker-2", Ms: 200}}},
		{"add_user", Values{"user": "alice", "password": " secret ", "mechanism": "PLAIN"},
			Request{Step: scenario.Step{Op: scenario.OpAddUser, User: "alice", Password: " secret ", Mechanism: "PLAIN"}}},
		{"create_acl", Values{"principal": "User:alice", "resource_type": "TOPIC", "resource_name": "orders", "pattern_type": "LITERAL", "operation": "READ", "permission": "ALLOW", "host": ""},
			Request{Step: scenario.Step{Op: scenario.OpCreateACL, Principal: "User:alice", ResourceType: "TOPIC", ResourceName: "orders", PatternType: "LITERAL", Operation: "READ", Permission: "ALLOW"}}},
	}
	for _, c := range cases {
		got, err := BuildRequest(c.form, c.values, nodes)
		if err != nil {
			t.Errorf("%s %v: %v", c.form, c.values, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s %v:\n got %+v\nwant %+v", c.form, c.values, got, c.want)
		}
	}
}

func TestBadFormsNameTheirField(t *testing.T) {
	cases := []struct {
		form   string
		values Values
		field  string
		words  string
	}{
		{"create_topic", Values{"topic": "t", "partitions": "", "replication_factor": "1"}, "partitions", "whole number"},
		{"create_topic", Values{"topic": "t", "partitions": "0", "replication_factor": "1"}, "partitions", "from 1 to 1\u202f000"},
		{"create_topic", Values{"topic": "t", "partitions": "2", "replication_factor": "x"}, "replication_factor", `"x"`},
		{"create_topic", Values{"topic": "t", "partitions": "2", "replication_factor": "1", "config": "a=1\nnonsense"}, "config", "line 2"},
		{"create_topic", Values{"topic": "t", "partitions": "2", "replication_factor": "1", "config": "a=1\na=2"}, "config", "twice"},
		{"create_topic", Values{"topic": "t", "partitions": "2", "replication_factor": "1", "config.min.insync.replicas": "2", "config": "min.insync.replicas=1"}, "config", "both"},
		{"produce", Values{"op": "produce", "count": "2000000"}, "count", "1\u202f000\u202f000"},
		{"produce", Values{"op": "stream", "rate": "0"}, "rate", "from 1"},
		{"produce", Values{"op": "produce", "partition": "-1"}, "partition", "from 0"},
		{"producer_op", Values{"op": "explode"}, "op", "not one of"},
		{"add_consumer", Values{"id": "c1", "topics": " , "}, "topics", "at least one topic"},
		{"network", Values{"op": "isolate", "node": ""}, "node", "choose"},
		{"network", Values{"op": "isolate", "node": "broker-9"}, "node", "no node"},
		{"network", Values{"op": "split", "groups": "broker-1 broker-2"}, "groups", "two sides"},
		{"delay_node", Values{"node": "broker-1", "ms": "70000"}, "ms", "60\u202f000"},
		{"nothing", Values{}, "", "no form"},
		{"add_user", Values{"user": strings.Repeat("x", MaxFieldBytes+1)}, "user", "more than"},
	}
	for _, c := range cases {
		_, err := BuildRequest(c.form, c.values, FormContext{Nodes: []string{"broker-1", "broker-2"}})
		var field *FieldError
		if !errors.As(err, &field) {
			t.Errorf("%s %v: error %v, want a *FieldError", c.form, c.values, err)
			continue
		}
		if field.Field != c.field || !strings.Contains(field.Message, c.words) {
			t.Errorf("%s %v: %q on field %q; want field %q saying %q", c.form, c.values, field.Message, field.Field, c.field, c.words)
		}
	}
}

func TestButtonsInViewsBecomeSteps(t *testing.T) {
	st, err := StepFromButton(scenario.OpStartBroker, "3", "")
	if err != nil || st.Op != scenario.OpStartBroker || st.Broker != 3 {
		t.Errorf("start broker 3: %+v %v", st, err)
	}
	st, err = StepFromButton(scenario.OpStartNode, "", "zookeeper-2")
	if err != nil || st.Node != "zookeeper-2" {
		t.Errorf("start zookeeper-2: %+v %v", st, err)
	}
	if _, err := StepFromButton(scenario.OpKillBroker, "two", ""); err == nil {
		t.Error("a broker id that is not a number was accepted")
	}
	if _, err := StepFromButton("delete_topic", "", ""); err == nil {
		t.Error("a button may not run delete_topic")
	}
}

// TestSessionRefusalsNameTheFormField checks that the session's own
// validation names a field the forms have, so that the page shows it in
// place.
func TestSessionRefusalsNameTheFormField(t *testing.T) {
	m := lessonModel(t, "01-topics-partitions-offsets.json")
	cases := []struct {
		form   string
		values Values
		field  string
	}{
		{"create_topic", Values{"topic": "bad!name", "partitions": "1", "replication_factor": "1"}, "topic"},
		{"create_topic", Values{"topic": "x", "partitions": "1", "replication_factor": "1", "config": "no.such.key=1"}, "config"},
		{"add_producer", Values{"id": "p1"}, "id"},
		{"add_producer", Values{"id": "p9", "config.acks": "2"}, "config"},
		{"produce", Values{"op": "produce", "producer": "ghost", "topic": "orders", "value": "v"}, "producer"},
		{"add_consumer", Values{"id": "broker-1", "topics": "orders"}, "id"},
		{"delay_node", Values{"node": "broker-7", "ms": "5"}, "node"},
	}
	for _, c := range cases {
		request, err := BuildRequest(c.form, c.values, FormContext{})
		if err != nil {
			t.Errorf("%s: %v", c.form, err)
			continue
		}
		_, err = m.Apply(request.Step)
		var invalid *scenario.Error
		if !errors.As(err, &invalid) || invalid.Field != c.field {
			t.Errorf("%s %v: %v; want a refusal on field %q", c.form, c.values, err, c.field)
		}
	}
}
