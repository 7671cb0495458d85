package clienttest

// kafkajs in Node.js against the gateway: an idempotent producer, and a
// consumer group of two. The scripts are in kafkajs/, with kafkajs pinned
// in its package.json and package-lock.json.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/kafka-playground/playground/core/client"
	"github.com/twmb/franz-go/pkg/kgo"
)

const (
	// kafkajsFolder holds the scripts and, once installed, node_modules.
	kafkajsFolder = "kafkajs"
	// kafkajsTimeout bounds one script's run; the script ends itself
	// just before.
	kafkajsTimeout = 90 * time.Second
)

// kafkajsNode returns the node command, once kafkajs is installed in
// kafkajs/node_modules (tools/npm-ci.sh: npm ci, the first time and again
// only when the lockfile changes).
func kafkajsNode(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		need(t, fmt.Sprintf("node is not on PATH (%v): tools/deps.sh installs Node.js", err))
	}
	if _, err := exec.LookPath("npm"); err != nil {
		need(t, fmt.Sprintf("npm is not on PATH (%v): tools/deps.sh installs it", err))
	}
	install := exec.Command("bash", filepath.Join(moduleRoot, "tools", "npm-ci.sh"), kafkajsFolder, "kafkajs")
	if output, err := install.CombinedOutput(); err != nil {
		t.Fatalf("installing kafkajs (tools/npm-ci.sh %s kafkajs): %v\n%s", kafkajsFolder, err, output)
	}
	return node
}

// runKafkajs runs one of the scripts with its arguments as JSON and
// decodes what it prints into result.
func runKafkajs(t *testing.T, script string, args map[string]any, result any) {
	t.Helper()
	node := kafkajsNode(t)
	args["timeoutMs"] = (kafkajsTimeout - 5*time.Second).Milliseconds()
	encoded, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), kafkajsTimeout)
	defer cancel()
	command := exec.CommandContext(ctx, node, script, string(encoded))
	command.Dir = kafkajsFolder
	var stdout, stderr bytes.Buffer
	command.Stdout, command.Stderr = &stdout, &stderr
	if err := command.Run(); err != nil {
		t.Fatalf("node %s: %v; its stderr:\n%s", script, err, lastBytes(stderr.String(), 4000))
	}
	if err := json.Unmarshal(stdout.Bytes(), result); err != nil {
		t.Fatalf("node %s printed %q: %v", script, stdout.String(), err)
	}
}

// lastBytes is at most the last n bytes of s.
func lastBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// kafkajsSent is produce.js's result.
type kafkajsSent struct {
	Sent []struct {
		Key       string `json:"key"`
		Value     string `json:"value"`
		Partition int32  `json:"partition"`
		Offset    int64  `json:"offset"`
	} `json:"sent"`
}

// TestKafkajsProduce: kafkajs's idempotent producer (acks=all) sends keyed
// records, each to the partition murmur2 gives its key (kafkajs's
// Java-compatible partitioner over the partition count the gateway
// reports), and franz-go reads every one back from the partition and
// offset kafkajs was told, with its key and value.
func TestKafkajsProduce(t *testing.T) {
	kafkajsNode(t)
	s := startServer(t, 3)
	const partitions, count = 3, 20
	createTopic(t, s.brokers, "kafkajs-produced", partitions, 3)
	var result kafkajsSent
	runKafkajs(t, "produce.js", map[string]any{"brokers": s.brokers, "topic": "kafkajs-produced", "count": count}, &result)
	if len(result.Sent) != count {
		t.Fatalf("kafkajs sent %d records, want %d", len(result.Sent), count)
	}
	type position struct {
		partition int32
		offset    int64
	}
	sentAt := map[position]string{}
	for _, r := range result.Sent {
		if want := murmur2Partition(r.Key, partitions); r.Partition != want {
			t.Errorf("key %s went to partition %d, murmur2 says %d", r.Key, r.Partition, want)
		}
		if r.Offset < 0 {
			t.Errorf("%s acknowledged at offset %d", r.Value, r.Offset)
		}
		sentAt[position{r.Partition, r.Offset}] = r.Key + "=" + r.Value
	}
	read := readAll(t, s, "kafkajs-produced", partitions, count)
	for _, r := range read {
		at := position{r.Partition, r.Offset}
		if got := string(r.Key) + "=" + string(r.Value); sentAt[at] != got {
			t.Errorf("partition %d offset %d holds %s; kafkajs was told %q", r.Partition, r.Offset, got, sentAt[at])
		}
		if r.ProducerID < 0 {
			t.Errorf("%s written without a producer id, though kafkajs's producer is idempotent", r.Value)
		}
	}
}

// murmur2Partition is the partition Kafka's producers pick for a key.
func murmur2Partition(key string, partitions int32) int32 {
	return int32(uint32(client.Murmur2([]byte(key)))&0x7fffffff) % partitions
}

// readAll reads a topic's partitions from the start with franz-go until
// count records have come.
func readAll(t *testing.T, s *server, topic string, partitions int32, count int) []*kgo.Record {
	t.Helper()
	offsets := map[int32]kgo.Offset{}
	for p := int32(0); p < partitions; p++ {
		offsets[p] = kgo.NewOffset().AtStart()
	}
	consumer, err := kgo.NewClient(kgo.SeedBrokers(s.brokers...),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: offsets}))
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var records []*kgo.Record
	for len(records) < count {
		fetches := consumer.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("franz-go read %d of %d records: %v", len(records), count, ctx.Err())
		}
		fetches.EachError(func(topic string, partition int32, err error) { t.Logf("fetch %s-%d: %v", topic, partition, err) })
		records = append(records, fetches.Records()...)
	}
	return records
}

// kafkajsGroup is group.js's result.
type kafkajsGroup struct {
	Assignments [][]int32 `json:"assignments"`
	Consumed    []struct {
		Consumer  int    `json:"consumer"`
		Partition int32  `json:"partition"`
		Offset    int64  `json:"offset"`
		Key       string `json:"key"`
		Value     string `json:"value"`
	} `json:"consumed"`
}

// TestKafkajsConsumerGroup: two kafkajs consumers join one group over a
// topic of four partitions (FindCoordinator, JoinGroup, SyncGroup,
// Heartbeat, OffsetCommit through the gateway); the group splits the
// partitions between them, and every record produced afterwards is
// consumed exactly once, by the consumer that owns its partition, in
// offset order.
func TestKafkajsConsumerGroup(t *testing.T) {
	kafkajsNode(t)
	s := startServer(t, 3)
	const partitions, count = 4, 40
	createTopic(t, s.brokers, "kafkajs-grouped", partitions, 3)
	var result kafkajsGroup
	runKafkajs(t, "group.js", map[string]any{"brokers": s.brokers, "topic": "kafkajs-grouped", "partitions": partitions,
		"groupId": "kafkajs-group", "count": count, "quietMs": 2000}, &result)
	if len(result.Assignments) != 2 || len(result.Assignments[0]) == 0 || len(result.Assignments[1]) == 0 {
		t.Fatalf("assignments %v: both consumers should own partitions", result.Assignments)
	}
	owner := map[int32]int{}
	for n, owned := range result.Assignments {
		for _, p := range owned {
			if previous, taken := owner[p]; taken {
				t.Errorf("partition %d assigned to consumers %d and %d", p, previous, n)
			}
			owner[p] = n
		}
	}
	seen := map[string]int{}
	lastOffset := map[int32]int64{}
	for _, r := range result.Consumed {
		seen[r.Value]++
		if owner[r.Partition] != r.Consumer {
			t.Errorf("%s (partition %d) consumed by consumer %d; partition owned by %d", r.Value, r.Partition, r.Consumer, owner[r.Partition])
		}
		if last, ok := lastOffset[r.Partition]; ok && r.Offset <= last {
			t.Errorf("partition %d: offset %d after %d", r.Partition, r.Offset, last)
		}
		lastOffset[r.Partition] = r.Offset
		if want := murmur2Partition(r.Key, partitions); r.Partition != want {
			t.Errorf("%s with key %s on partition %d, murmur2 says %d", r.Value, r.Key, r.Partition, want)
		}
	}
	for i := 0; i < count; i++ {
		if n := seen[fmt.Sprintf("record-%d", i)]; n != 1 {
			t.Errorf("record-%d consumed %d times", i, n)
		}
	}
	consumers := map[int]bool{}
	for _, r := range result.Consumed {
		consumers[r.Consumer] = true
	}
	if ids := mapKeys(consumers); len(ids) != 2 {
		t.Errorf("records consumed by consumers %v only", ids)
	}
}

// mapKeys returns a map's keys, sorted.
func mapKeys(m map[int]bool) []int {
	var keys []int
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
