package config

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
)

// kafkaFact is one default from /work/shared/KAFKA-FACTS.md.
type kafkaFact struct {
	scope Scope
	name  string
	value string
}

// kafkaFacts lists every default of KAFKA-FACTS.md, as Kafka 4.x has it.
var kafkaFacts = []kafkaFact{
	{Broker, "replica.lag.time.max.ms", "30000"},
	{Broker, "min.insync.replicas", "1"},
	{Topic, "min.insync.replicas", "1"},
	{Broker, "unclean.leader.election.enable", "false"},
	{Topic, "unclean.leader.election.enable", "false"},
	{Broker, "default.replication.factor", "1"},
	{Broker, "num.partitions", "1"},
	{Topic, "retention.ms", "604800000"},
	{Broker, "log.retention.hours", "168"},
	{Topic, "retention.bytes", "-1"},
	{Broker, "log.retention.bytes", "-1"},
	{Topic, "segment.bytes", "1073741824"},
	{Broker, "log.segment.bytes", "1073741824"},
	{Topic, "segment.ms", "604800000"},
	{Broker, "log.retention.check.interval.ms", "300000"},
	{Broker, "message.max.bytes", "1048588"},
	{Topic, "max.message.bytes", "1048588"},
	{Broker, "offsets.topic.num.partitions", "50"},
	{Broker, "offsets.retention.minutes", "10080"},
	{Broker, "transaction.state.log.num.partitions", "50"},
	{Broker, "transaction.state.log.replication.factor", "3"},
	{Broker, "transaction.state.log.min.isr", "2"},
	{Broker, "group.initial.rebalance.delay.ms", "3000"},
	{Broker, "socket.request.max.bytes", "104857600"},
	{Broker, "allow.everyone.if.no.acl.found", "false"},
	{Producer, "acks", "all"},
	{Producer, "enable.idempotence", "true"},
	{Producer, "batch.size", "16384"},
	{Producer, "linger.ms", "5"},
	{Producer, "buffer.memory", "33554432"},
	{Producer, "max.block.ms", "60000"},
	{Producer, "max.request.size", "1048576"},
	{Producer, "delivery.timeout.ms", "120000"},
	{Producer, "request.timeout.ms", "30000"},
	{Producer, "retries", "2147483647"},
	{Producer, "retry.backoff.ms", "100"},
	{Producer, "max.in.flight.requests.per.connection", "5"},
	{Producer, "transaction.timeout.ms", "60000"},
	{Consumer, "session.timeout.ms", "45000"},
	{Consumer, "heartbeat.interval.ms", "3000"},
	{Consumer, "max.poll.interval.ms", "300000"},
	{Consumer, "max.poll.records", "500"},
	{Consumer, "enable.auto.commit", "true"},
	{Consumer, "auto.commit.interval.ms", "5000"},
	{Consumer, "auto.offset.reset", "latest"},
	{Consumer, "isolation.level", "read_uncommitted"},
	{Consumer, "partition.assignment.strategy", "org.apache.kafka.clients.consumer.RangeAssignor,org.apache.kafka.clients.consumer.CooperativeStickyAssignor"},
	{Consumer, "fetch.min.bytes", "1"},
	{Consumer, "fetch.max.wait.ms", "500"},
}

func TestDefaultsMatchKafkaFacts(t *testing.T) {
	for _, fact := range kafkaFacts {
		definition, found := Lookup(fact.scope, fact.name)
		if !found {
			t.Errorf("%s config %q is missing", fact.scope, fact.name)
			continue
		}
		if definition.Default != fact.value || definition.DefaultNull {
			t.Errorf("%s config %q: default %q (null %v), want %q", fact.scope, fact.name, definition.Default, definition.DefaultNull, fact.value)
		}
		if !definition.Simulated {
			t.Errorf("%s config %q should be simulated", fact.scope, fact.name)
		}
	}
}

func TestResolvedDefaultsThroughAccessors(t *testing.T) {
	broker := mustResolve(t, Broker, nil)
	if got := broker.Int("replica.lag.time.max.ms"); got != 30000 {
		t.Errorf("replica.lag.time.max.ms = %d", got)
	}
	if got := broker.LogRetentionMs(); got != 604800000 {
		t.Errorf("LogRetentionMs = %d", got)
	}
	if got := broker.LogRollMs(); got != 604800000 {
		t.Errorf("LogRollMs = %d", got)
	}
	if broker.Bool("unclean.leader.election.enable") {
		t.Error("unclean.leader.election.enable should default to false")
	}
	consumer := mustResolve(t, Consumer, nil)
	want := []string{RangeAssignorClass, CooperativeStickyAssignorClass}
	if got := consumer.Assignors(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Assignors = %v", got)
	}
	producer := mustResolve(t, Producer, nil)
	if got := producer.Int("linger.ms"); got != 5 {
		t.Errorf("linger.ms = %d", got)
	}
	if producer.IsSet("linger.ms") || !producer.IsNull("transactional.id") {
		t.Error("defaults must not count as set, and transactional.id defaults to null")
	}
}

func TestEveryDefaultPassesItsOwnValidation(t *testing.T) {
	for scope := Broker; scope <= Consumer; scope++ {
		for _, definition := range Definitions(scope) {
			if definition.DefaultNull {
				if definition.Default != "" {
					t.Errorf("%s %q: null default with text %q", scope, definition.Name, definition.Default)
				}
				continue
			}
			canonical, err := validate(definition, definition.Default)
			if err != nil {
				t.Errorf("%s %q: default refused: %v", scope, definition.Name, err)
			} else if canonical != definition.Default {
				t.Errorf("%s %q: default %q is not canonical (%q)", scope, definition.Name, definition.Default, canonical)
			}
		}
	}
}

func TestDefinitionsAreSortedAndDocumented(t *testing.T) {
	for scope := Broker; scope <= Consumer; scope++ {
		definitions := Definitions(scope)
		if len(definitions) == 0 {
			t.Fatalf("%s has no definitions", scope)
		}
		names := make([]string, len(definitions))
		for index, definition := range definitions {
			names[index] = definition.Name
			if definition.Scope != scope {
				t.Errorf("%q has scope %s, want %s", definition.Name, definition.Scope, scope)
			}
			if definition.Doc == "" || !strings.HasSuffix(definition.Doc, ".") {
				t.Errorf("%s %q: Doc must be a sentence", scope, definition.Name)
			}
			if (definition.Dynamic || definition.PerBrokerOnly) && scope != Broker {
				t.Errorf("%s %q: only broker keys are dynamic", scope, definition.Name)
			}
			if definition.PerBrokerOnly && !definition.Dynamic {
				t.Errorf("%q: per-broker-only keys must be dynamic", definition.Name)
			}
			if (definition.Min != nil || definition.Max != nil) && !definition.Type.integral() && definition.Type != Double {
				t.Errorf("%q: a range on a non-numeric key", definition.Name)
			}
		}
		if !sort.StringsAreSorted(names) {
			t.Errorf("%s definitions are not sorted: %v", scope, names)
		}
		if strings.Join(names, ",") != strings.Join(mustResolve(t, scope, nil).Names(), ",") {
			t.Errorf("%s: Names differs from Definitions", scope)
		}
	}
}

func TestTopicSynonymsExistInBrokerTable(t *testing.T) {
	for _, definition := range Definitions(Topic) {
		if definition.BrokerSynonym == "" {
			t.Errorf("topic %q has no broker synonym", definition.Name)
			continue
		}
		synonym, found := Lookup(Broker, definition.BrokerSynonym)
		if !found {
			t.Errorf("topic %q: broker synonym %q is not in the broker table", definition.Name, definition.BrokerSynonym)
			continue
		}
		if synonym.Type != definition.Type {
			t.Errorf("topic %q is %s but its synonym %q is %s", definition.Name, definition.Type, synonym.Name, synonym.Type)
		}
		if !synonym.Dynamic {
			t.Errorf("broker synonym %q should be dynamic, as DynamicLogConfig makes it", synonym.Name)
		}
	}
}

func TestTopicDefaultsOfADefaultBrokerAreKafkasTopicDefaults(t *testing.T) {
	defaults := TopicDefaults(mustResolve(t, Broker, nil))
	for _, definition := range Definitions(Topic) {
		if got, found := defaults[definition.Name]; !found || got != definition.Default {
			t.Errorf("topic %q: broker default %q, topic default %q", definition.Name, got, definition.Default)
		}
	}
}

func TestResolveTopicInheritsFromBroker(t *testing.T) {
	broker := mustResolve(t, Broker, map[string]string{"log.retention.hours": "1", "min.insync.replicas": "2", "log.roll.ms": "1000"})
	topic, err := ResolveTopic(broker, map[string]string{"segment.bytes": "2097152"})
	if err != nil {
		t.Fatal(err)
	}
	if got := topic.Int("retention.ms"); got != 3600000 {
		t.Errorf("retention.ms = %d, want the broker's hour", got)
	}
	if got := topic.Int("min.insync.replicas"); got != 2 {
		t.Errorf("min.insync.replicas = %d", got)
	}
	if got := topic.Int("segment.ms"); got != 1000 {
		t.Errorf("segment.ms = %d", got)
	}
	if got := topic.Int("segment.bytes"); got != 2097152 || topic.IsSet("retention.ms") || !topic.IsSet("segment.bytes") {
		t.Errorf("explicit and inherited values mixed up: %v", topic)
	}
	unlimited := mustResolve(t, Broker, map[string]string{"log.retention.ms": "-1"})
	if got := TopicDefaults(unlimited)["retention.ms"]; got != "-1" {
		t.Errorf("unlimited broker retention gives topic retention.ms %q", got)
	}
}

func TestRetentionPrecedence(t *testing.T) {
	cases := []struct {
		given map[string]string
		want  int64
	}{
		{nil, 168 * 3600000},
		{map[string]string{"log.retention.hours": "24"}, 24 * 3600000},
		{map[string]string{"log.retention.hours": "24", "log.retention.minutes": "30"}, 30 * 60000},
		{map[string]string{"log.retention.hours": "24", "log.retention.minutes": "30", "log.retention.ms": "1234"}, 1234},
		{map[string]string{"log.retention.ms": "-1"}, -1},
		{map[string]string{"log.retention.hours": "-5"}, -1},
	}
	for _, test := range cases {
		if got := mustResolve(t, Broker, test.given).LogRetentionMs(); got != test.want {
			t.Errorf("%v: LogRetentionMs = %d, want %d", test.given, got, test.want)
		}
	}
	roll := mustResolve(t, Broker, map[string]string{"log.roll.hours": "2"})
	if got := roll.LogRollMs(); got != 2*3600000 {
		t.Errorf("LogRollMs = %d", got)
	}
	roll, _ = roll.With(map[string]string{"log.roll.ms": "500"})
	if got := roll.LogRollMs(); got != 500 {
		t.Errorf("LogRollMs with log.roll.ms = %d", got)
	}
	if got := roll.Without("log.roll.ms").LogRollMs(); got != 2*3600000 {
		t.Errorf("LogRollMs after Without = %d", got)
	}
}

func TestErrorMessages(t *testing.T) {
	cases := []struct {
		scope Scope
		given map[string]string
		want  string
	}{
		{Broker, map[string]string{"min.insync.replica": "2"}, `unknown config "min.insync.replica" (did you mean "min.insync.replicas"?)`},
		{Producer, map[string]string{"acks": "2"}, `config "acks": value "2" is not one of all, -1, 0, 1`},
		{Producer, map[string]string{"batch.size": "x"}, `config "batch.size": value "x" is not an integer`},
		{Producer, map[string]string{"batch.size": "-1"}, `config "batch.size": value "-1" must be at least 0`},
		{Producer, map[string]string{"batch.size": "3000000000"}, `config "batch.size": value "3000000000" is not a 32-bit integer`},
		{Broker, map[string]string{"offsets.topic.replication.factor": "40000"}, `config "offsets.topic.replication.factor": value "40000" is not a 16-bit integer`},
		{Broker, map[string]string{"num.partitions": "0"}, `config "num.partitions": value "0" must be at least 1`},
		{Broker, map[string]string{"auto.create.topics.enable": "yes"}, `config "auto.create.topics.enable": value "yes" is not a boolean (true or false)`},
		{Topic, map[string]string{"min.cleanable.dirty.ratio": "1.5"}, `config "min.cleanable.dirty.ratio": value "1.5" must be between 0 and 1`},
		{Topic, map[string]string{"min.cleanable.dirty.ratio": "half"}, `config "min.cleanable.dirty.ratio": value "half" is not a number`},
		{Topic, map[string]string{"cleanup.policy": "compact,remove"}, `config "cleanup.policy": value "compact,remove" has element "remove" that is not one of compact, delete`},
		{Topic, map[string]string{"retention.ms": "-2"}, `config "retention.ms": value "-2" must be at least -1`},
		{Topic, map[string]string{"segment.bytes": "1000"}, `config "segment.bytes": value "1000" must be at least 1048576`},
		{Topic, map[string]string{"log.retention.ms": "1"}, `unknown config "log.retention.ms" (did you mean "retention.ms"? "log.retention.ms" is its broker default)`},
		{Producer, map[string]string{"group.id": "g"}, `unknown config "group.id" (it is a consumer config, not a producer config)`},
		{Producer, map[string]string{"transactional.id": " "}, `config "transactional.id": value "" must be a non-empty string`},
		{Consumer, map[string]string{"auto.offset.reset": "LATEST"}, `config "auto.offset.reset": value "LATEST" is not one of earliest, latest, none, by_duration:<ISO-8601 duration>`},
		{Consumer, map[string]string{"auto.offset.reset": "by_duration:-PT1H"}, `config "auto.offset.reset": value "by_duration:-PT1H" holds a negative duration`},
		{Consumer, map[string]string{"isolation.level": "READ_COMMITTED"}, `config "isolation.level": value "READ_COMMITTED" is not one of read_committed, read_uncommitted`},
		{Consumer, map[string]string{"group.instance.id": " "}, `config "group.instance.id": value "" must be a non-empty string`},
		{Consumer, map[string]string{"group.instance.id": ".."}, `config "group.instance.id": value ".." is invalid: '..' is not allowed`},
		{Consumer, map[string]string{"group.instance.id": "host 1"}, `config "group.instance.id": value "host 1" is invalid: it contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'`},
		{Consumer, map[string]string{"group.instance.id": strings.Repeat("i", 250)}, `config "group.instance.id": value "` + strings.Repeat("i", 250) + `" is invalid: longer than the max allowed length 249`},
		{Broker, map[string]string{"zz": "1", "num.partitions": "0"}, `config "num.partitions": value "0" must be at least 1`},
	}
	for _, test := range cases {
		_, err := Resolve(test.scope, test.given)
		var configError *Error
		if !errors.As(err, &configError) {
			t.Errorf("%v: error %v is not an *Error", test.given, err)
			continue
		}
		if err.Error() != test.want {
			t.Errorf("%v:\n got %s\nwant %s", test.given, err, test.want)
		}
	}
}

func TestAcceptedValuesAreCanonical(t *testing.T) {
	cases := []struct {
		scope       Scope
		name, value string
		want        string
	}{
		{Producer, "acks", "-1", "-1"},
		{Producer, "acks", " all ", "all"},
		{Broker, "auto.create.topics.enable", "TRUE", "true"},
		{Broker, "num.partitions", "007", "7"},
		{Consumer, "group.instance.id", " web-1.eu_west ", "web-1.eu_west"},
		{Consumer, "group.instance.id", strings.Repeat("i", 249), strings.Repeat("i", 249)},
		{Producer, "security.protocol", "sasl_plaintext", "SASL_PLAINTEXT"},
		{Consumer, "group.protocol", "CONSUMER", "consumer"},
		{Consumer, "auto.offset.reset", "by_duration:PT1H", "by_duration:PT1H"},
		{Consumer, "partition.assignment.strategy", "cooperative-sticky, range", CooperativeStickyAssignorClass + "," + RangeAssignorClass},
		{Consumer, "partition.assignment.strategy", "org.apache.kafka.clients.consumer.StickyAssignor,roundrobin", StickyAssignorClass + "," + RoundRobinAssignorClass},
		{Topic, "cleanup.policy", "compact, delete", "compact,delete"},
		{Topic, "cleanup.policy", "", ""},
		{Topic, "min.cleanable.dirty.ratio", "0.01", "0.01"},
		{Topic, "min.cleanable.dirty.ratio", "1.000", "1.000"},
		{Topic, "retention.ms", "-1", "-1"},
		{Broker, "log.retention.check.interval.ms", "9223372036854775807", "9223372036854775807"},
	}
	for _, test := range cases {
		values, err := Resolve(test.scope, map[string]string{test.name: test.value})
		if err != nil {
			t.Errorf("%s %s=%q refused: %v", test.scope, test.name, test.value, err)
			continue
		}
		if got := values.String(test.name); got != test.want {
			t.Errorf("%s %s=%q stored as %q, want %q", test.scope, test.name, test.value, got, test.want)
		}
	}
}

func TestAutoOffsetResetDuration(t *testing.T) {
	consumer := mustResolve(t, Consumer, map[string]string{"auto.offset.reset": "by_duration:P1DT2H3M4.5S"})
	strategy, milliseconds := consumer.AutoOffsetReset()
	if strategy != OffsetResetByDuration || milliseconds != ((24+2)*3600+3*60+4)*1000+500 {
		t.Errorf("AutoOffsetReset = %s, %d", strategy, milliseconds)
	}
	if strategy, _ := mustResolve(t, Consumer, nil).AutoOffsetReset(); strategy != OffsetResetLatest {
		t.Errorf("default strategy %s", strategy)
	}
	for _, bad := range []string{"by_duration:", "by_duration:P", "by_duration:PT", "by_duration:1H", "by_duration"} {
		if _, err := Resolve(Consumer, map[string]string{"auto.offset.reset": bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestPasswordIsNeverShown(t *testing.T) {
	const secret = "s3cr3t-password"
	consumer := mustResolve(t, Consumer, map[string]string{"sasl.username": "alice", "sasl.password": secret})
	if got := consumer.Secret("sasl.password"); got != secret {
		t.Fatalf("Secret = %q", got)
	}
	shown := []string{
		consumer.String("sasl.password"),
		fmt.Sprint(consumer),
		fmt.Sprintf("%v %+v %#v %s", consumer, consumer, consumer, &consumer),
		fmt.Sprint(consumer.Explicit()),
	}
	for _, text := range shown {
		if strings.Contains(text, secret) {
			t.Errorf("secret shown in %q", text)
		}
	}
	if got := consumer.Explicit()["sasl.password"]; got != "[hidden]" {
		t.Errorf("Explicit shows %q", got)
	}
	if got := consumer.Explicit()["sasl.username"]; got != "alice" {
		t.Errorf("Explicit sasl.username = %q", got)
	}
	if got := mustResolve(t, Consumer, nil).String("sasl.password"); got != "" {
		t.Errorf("unset password shows %q", got)
	}
	definition, _ := Lookup(Consumer, "sasl.password")
	if err := newValueError(definition, secret, "is wrong"); strings.Contains(err.Error(), secret) || err.Value != "[hidden]" {
		t.Errorf("error shows the secret: %v", err)
	}
}

func TestWithAndWithoutAreImmutable(t *testing.T) {
	original := mustResolve(t, Broker, map[string]string{"min.insync.replicas": "2"})
	changed, err := original.With(map[string]string{"min.insync.replicas": "3", "num.partitions": "6"})
	if err != nil {
		t.Fatal(err)
	}
	if original.Int("min.insync.replicas") != 2 || original.IsSet("num.partitions") {
		t.Error("With changed the original")
	}
	if changed.Int("min.insync.replicas") != 3 || changed.Int("num.partitions") != 6 {
		t.Error("With did not apply")
	}
	if _, err := changed.With(map[string]string{"num.partitions": "0"}); err == nil || changed.Int("num.partitions") != 6 {
		t.Error("a refused With must change nothing")
	}
	reverted := changed.Without("num.partitions", "not.a.key")
	if reverted.IsSet("num.partitions") || reverted.Int("num.partitions") != 1 || !changed.IsSet("num.partitions") {
		t.Error("Without did not revert only its copy")
	}
	explicit := changed.Explicit()
	explicit["min.insync.replicas"] = "9"
	if changed.Int("min.insync.replicas") != 3 {
		t.Error("Explicit returned the internal map")
	}
	definition, _ := Lookup(Topic, "retention.ms")
	*definition.Min = 100
	definition.OneOf = append(definition.OneOf, "x")
	if again, _ := Lookup(Topic, "retention.ms"); *again.Min != -1 {
		t.Error("Lookup returned a pointer into the table")
	}
}

func TestProducerIdempotence(t *testing.T) {
	cases := []struct {
		given   map[string]string
		enabled bool
		failure string
	}{
		{nil, true, ""},
		{map[string]string{"acks": "1"}, false, ""},
		{map[string]string{"acks": "-1"}, true, ""},
		{map[string]string{"acks": "1", "enable.idempotence": "true"}, false, "acks"},
		{map[string]string{"retries": "0"}, false, ""},
		{map[string]string{"retries": "0", "enable.idempotence": "true"}, false, "retries"},
		{map[string]string{"max.in.flight.requests.per.connection": "6"}, false, "max.in.flight.requests.per.connection"},
		{map[string]string{"max.in.flight.requests.per.connection": "6", "enable.idempotence": "false"}, false, ""},
		{map[string]string{"transactional.id": "tx", "acks": "1"}, false, "transactional.id"},
		{map[string]string{"transactional.id": "tx"}, true, ""},
	}
	for _, test := range cases {
		enabled, err := mustResolve(t, Producer, test.given).ProducerIdempotence()
		var configError *Error
		switch {
		case test.failure == "" && err != nil:
			t.Errorf("%v: unexpected error %v", test.given, err)
		case test.failure != "" && (!errors.As(err, &configError) || configError.Key != test.failure):
			t.Errorf("%v: error %v, want one about %s", test.given, err, test.failure)
		case enabled != test.enabled:
			t.Errorf("%v: enabled %v", test.given, enabled)
		}
	}
}

func TestDynamicFollowsDynamicBrokerConfig(t *testing.T) {
	dynamic := map[string]bool{
		"log.retention.ms": true, "log.retention.hours": false, "log.retention.minutes": false,
		"log.roll.ms": true, "log.roll.hours": false, "min.insync.replicas": true,
		"unclean.leader.election.enable": true, "message.max.bytes": true, "num.partitions": false,
		"default.replication.factor": false, "replica.lag.time.max.ms": false, "listeners": true,
		"advertised.listeners": true, "sasl.enabled.mechanisms": true, "producer.id.expiration.ms": true,
	}
	for name, want := range dynamic {
		definition, found := Lookup(Broker, name)
		if !found || definition.Dynamic != want {
			t.Errorf("broker %q: dynamic %v, want %v", name, definition.Dynamic, want)
		}
	}
}

func TestRemovedZooKeeperKeyKeepsLastDefault(t *testing.T) {
	definition, found := Lookup(Broker, "zookeeper.session.timeout.ms")
	if !found || definition.Default != "18000" || definition.Removed != "4.0" || !strings.Contains(definition.Doc, "removed in Kafka 4.0") {
		t.Errorf("zookeeper.session.timeout.ms = %+v", definition)
	}
}

func TestMisuseIsAProgrammingError(t *testing.T) {
	broker := mustResolve(t, Broker, nil)
	expectPanic(t, "unknown key", func() { broker.Int("no.such.key") })
	expectPanic(t, "wrong type", func() { broker.Int("auto.create.topics.enable") })
	expectPanic(t, "null value", func() { broker.Int("log.retention.ms") })
	expectPanic(t, "wrong scope", func() { mustResolve(t, Topic, nil).LogRetentionMs() })
	expectPanic(t, "secret of a string", func() { broker.Secret("listeners") })
	if _, found := Lookup(Scope(9), "acks"); found {
		t.Error("Lookup of an unknown scope found a key")
	}
}

func TestDecimalComparison(t *testing.T) {
	cases := []struct {
		value string
		bound int64
		want  int
	}{
		{"0.5", 0, 1}, {"0.5", 1, -1}, {"1", 1, 0}, {"1.0", 1, 0}, {"1.01", 1, 1},
		{"-0.0", 0, 0}, {"-0.1", 0, -1}, {"-2", -1, -1}, {"-1", -1, 0}, {"-0.5", -1, 1},
		{".5", 0, 1}, {"99999999999999999999", 1, 1},
	}
	for _, test := range cases {
		negative, digits, fraction, ok := parseDecimal(test.value)
		if !ok {
			t.Errorf("%q not parsed", test.value)
			continue
		}
		if got := compareDecimal(negative, digits, fraction, test.bound); got != test.want {
			t.Errorf("compare(%q, %d) = %d, want %d", test.value, test.bound, got, test.want)
		}
	}
}

func mustResolve(t *testing.T, scope Scope, given map[string]string) Values {
	t.Helper()
	values, err := Resolve(scope, given)
	if err != nil {
		t.Fatalf("Resolve(%s, %v): %v", scope, given, err)
	}
	return values
}

func expectPanic(t *testing.T, what string, function func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s: no panic", what)
		}
	}()
	function()
}
