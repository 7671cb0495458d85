package clienttest

// kcat, Debian's build on librdkafka, against the gateway: metadata,
// and a keyed produce read back.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// kcatTimeout bounds one kcat command.
const kcatTimeout = 30 * time.Second

// kcatPath finds kcat, which tools/deps.sh installs.
func kcatPath(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("kcat")
	if err != nil {
		need(t, fmt.Sprintf("kcat is not on PATH (%v): tools/deps.sh installs Debian's kcat", err))
	}
	return path
}

// runKcat runs kcat with stdin, failing the test with its stderr when it
// fails or outlasts kcatTimeout.
func runKcat(t *testing.T, stdin string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), kcatTimeout)
	defer cancel()
	command := exec.CommandContext(ctx, kcatPath(t), args...)
	command.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	command.Stdout, command.Stderr = &stdout, &stderr
	err := command.Run()
	if ctx.Err() != nil {
		t.Fatalf("kcat %s did not finish in %v; the first lines of its stderr:\n%s\nstdout:\n%s",
			strings.Join(args, " "), kcatTimeout, firstLines(stderr.String(), 3), stdout.String())
	}
	if err != nil {
		t.Fatalf("kcat %s: %v\nstderr:\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes()
}

// firstLines is the first n non-empty lines of s.
func firstLines(s string, n int) string {
	var lines []string
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" && len(lines) < n {
			lines = append(lines, line)
		}
	}
	if len(lines) == 0 {
		return "(empty)"
	}
	return strings.Join(lines, "\n")
}

// kcatMetadata is what is read here of `kcat -L -J`.
type kcatMetadata struct {
	Brokers []struct {
		ID   int32  `json:"id"`
		Name string `json:"name"`
	} `json:"brokers"`
	Topics []struct {
		Topic      string `json:"topic"`
		Error      string `json:"error"`
		Partitions []struct {
			Partition int32    `json:"partition"`
			Leader    int32    `json:"leader"`
			Replicas  []kcatID `json:"replicas"`
			ISRs      []kcatID `json:"isrs"`
		} `json:"partitions"`
	} `json:"topics"`
}

// kcatID is a broker in kcat's JSON.
type kcatID struct {
	ID int32 `json:"id"`
}

// TestKcatMetadata: `kcat -L` lists every broker at the address the
// gateway listens on for it, and every partition of a topic with its
// leader among three replicas, all in sync.
func TestKcatMetadata(t *testing.T) {
	kcatPath(t)
	s := startServer(t, 3)
	createTopic(t, s.brokers, "kcat-listed", 5, 3)
	var metadata kcatMetadata
	if err := json.Unmarshal(runKcat(t, "", "-b", s.brokers[1], "-L", "-J", "-t", "kcat-listed"), &metadata); err != nil {
		t.Fatalf("kcat -L -J: %v", err)
	}
	if len(metadata.Brokers) != len(s.brokers) {
		t.Errorf("kcat lists %d brokers, the gateway has %d", len(metadata.Brokers), len(s.brokers))
	}
	for _, b := range metadata.Brokers {
		if b.ID < 1 || int(b.ID) > len(s.brokers) || s.brokers[b.ID-1] != b.Name {
			t.Errorf("kcat lists broker %d at %s; the gateway listens for it at %v", b.ID, b.Name, s.brokers)
		}
	}
	if len(metadata.Topics) != 1 || metadata.Topics[0].Topic != "kcat-listed" || metadata.Topics[0].Error != "" {
		t.Fatalf("kcat lists topics %+v, want kcat-listed alone", metadata.Topics)
	}
	var seen []int32
	for _, p := range metadata.Topics[0].Partitions {
		seen = append(seen, p.Partition)
		replicas := kcatIDs(p.Replicas)
		if len(replicas) != 3 || !slices.Contains(replicas, p.Leader) {
			t.Errorf("partition %d: leader %d, replicas %v", p.Partition, p.Leader, replicas)
		}
		if isrs := kcatIDs(p.ISRs); !sameMembers(isrs, replicas) {
			t.Errorf("partition %d: ISR %v, replicas %v", p.Partition, isrs, replicas)
		}
	}
	slices.Sort(seen)
	if !slices.Equal(seen, []int32{0, 1, 2, 3, 4}) {
		t.Errorf("kcat lists partitions %v, want 0 to 4", seen)
	}
}

func kcatIDs(ids []kcatID) []int32 {
	var out []int32
	for _, id := range ids {
		out = append(out, id.ID)
	}
	return out
}

// sameMembers reports whether a and b hold the same ids in any order.
func sameMembers(a, b []int32) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// kcatRecord is one line of `kcat -C -J`.
type kcatRecord struct {
	Partition int32   `json:"partition"`
	Offset    int64   `json:"offset"`
	Key       *string `json:"key"`
	Payload   *string `json:"payload"`
}

// TestKcatProduceConsumeKeyed: keyed messages produced with `kcat -P -K`
// (acks=all, librdkafka's default) are read back with `kcat -C -o
// beginning -e`, which ends at the end of every partition, each once,
// with its key and value, a key always on one partition.
func TestKcatProduceConsumeKeyed(t *testing.T) {
	kcatPath(t)
	s := startServer(t, 3)
	createTopic(t, s.brokers, "kcat-keyed", 3, 3)
	const count = 12
	var input strings.Builder
	want := map[string]string{}
	for i := 0; i < count; i++ {
		key, value := fmt.Sprintf("user-%d", i%4), fmt.Sprintf("order-%d", i)
		fmt.Fprintf(&input, "%s:%s\n", key, value)
		want[value] = key
	}
	runKcat(t, input.String(), "-b", s.seeds(), "-P", "-t", "kcat-keyed", "-K:")

	output := runKcat(t, "", "-b", s.seeds(), "-C", "-t", "kcat-keyed", "-o", "beginning", "-e", "-J", "-u")
	records, err := readKcatRecords(output)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	partitionOf := map[string]int32{}
	for _, r := range records {
		if r.Key == nil || r.Payload == nil {
			t.Errorf("partition %d offset %d: key %v, value %v", r.Partition, r.Offset, r.Key, r.Payload)
			continue
		}
		if _, twice := got[*r.Payload]; twice {
			t.Errorf("%s read twice", *r.Payload)
		}
		got[*r.Payload] = *r.Key
		if p, seen := partitionOf[*r.Key]; seen && p != r.Partition {
			t.Errorf("key %s on partitions %d and %d", *r.Key, p, r.Partition)
		}
		partitionOf[*r.Key] = r.Partition
	}
	for value, key := range want {
		if got[value] != key {
			t.Errorf("%s: read with key %q, produced with %q", value, got[value], key)
		}
	}
	if len(records) != count {
		t.Errorf("read %d records, produced %d", len(records), count)
	}
}

// readKcatRecords parses kcat's JSON lines.
func readKcatRecords(output []byte) ([]kcatRecord, error) {
	var records []kcatRecord
	scanner := bufio.NewScanner(bytes.NewReader(output))
	for scanner.Scan() {
		line := bytes.TrimSpace(scanner.Bytes())
		if len(line) == 0 {
			continue
		}
		var r kcatRecord
		if err := json.Unmarshal(line, &r); err != nil {
			return nil, fmt.Errorf("kcat -C -J printed %q: %v", line, err)
		}
		records = append(records, r)
	}
	if err := scanner.Err(); err != nil {
		return nil, errors.New("reading kcat's output: " + err.Error())
	}
	return records, nil
}
