package client

import (
	"bufio"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestMurmur2KafkaVectors checks the vectors of Kafka's own UtilsTest.
func TestMurmur2KafkaVectors(t *testing.T) {
	cases := []struct {
		key  string
		want int32
	}{
		{"21", -973932308},
		{"foobar", -790332482},
		{"a-little-bit-long-string", -985981536},
		{"a-little-bit-longer-string", -1486304829},
		{"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
		{"abc", 479470107},
	}
	for _, c := range cases {
		if got := Murmur2([]byte(c.key)); got != c.want {
			t.Errorf("Murmur2(%q) = %d, want %d", c.key, got, c.want)
		}
	}
}

// vectorPartitionCounts are the partition counts of the columns of
// testdata/murmur2/vectors.tsv, after the key and the hash.
var vectorPartitionCounts = []int32{1, 3, 6, 7, 50}

// TestMurmur2JavaVectors checks 1,000 keys against where the JVM places
// them: testdata/murmur2/vectors.tsv is written by Murmur2Vectors.java
// (see its first line to regenerate).
func TestMurmur2JavaVectors(t *testing.T) {
	file, err := os.Open("testdata/murmur2/vectors.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	rows := 0
	tailLengths := map[int]bool{}
	highBytes := false
	scanner := bufio.NewScanner(file)
	for line := 1; scanner.Scan(); line++ {
		text := scanner.Text()
		if strings.HasPrefix(text, "#") {
			continue
		}
		key, hash, partitions := parseVectorRow(t, line, text)
		rows++
		tailLengths[len(key)%4] = true
		highBytes = highBytes || slices.ContainsFunc(key, func(b byte) bool { return b >= 0x80 })
		if got := Murmur2(key); got != hash {
			t.Errorf("line %d: Murmur2(%x) = %d, want %d", line, key, got, hash)
		}
		for i, count := range vectorPartitionCounts {
			if got := KeyPartition(key, count); got != partitions[i] {
				t.Errorf("line %d: KeyPartition(%x, %d) = %d, want %d", line, key, count, got, partitions[i])
			}
		}
	}
	if err := scanner.Err(); err != nil {
		t.Fatal(err)
	}
	// Guard the coverage of the generated file, not only its agreement.
	if rows != 1000 {
		t.Errorf("vectors.tsv has %d rows, want 1000", rows)
	}
	if len(tailLengths) != 4 || !highBytes {
		t.Errorf("vectors.tsv should cover every tail length (got %v) and bytes >= 0x80 (got %v)", tailLengths, highBytes)
	}
}

// parseVectorRow parses "keyhex TAB hash TAB p1 TAB p3 TAB p6 TAB p7 TAB p50".
func parseVectorRow(t *testing.T, line int, text string) (key []byte, hash int32, partitions []int32) {
	t.Helper()
	fields := strings.Split(text, "\t")
	if len(fields) != 2+len(vectorPartitionCounts) {
		t.Fatalf("line %d: %d fields, want %d", line, len(fields), 2+len(vectorPartitionCounts))
	}
	key, err := hex.DecodeString(fields[0])
	if err != nil {
		t.Fatalf("line %d: key: %v", line, err)
	}
	numbers := make([]int32, len(fields)-1)
	for i, field := range fields[1:] {
		n, err := strconv.ParseInt(field, 10, 32)
		if err != nil {
			t.Fatalf("line %d: field %d: %v", line, i+2, err)
		}
		numbers[i] = int32(n)
	}
	return key, numbers[0], numbers[1:]
}

func TestPartitionToPositive(t *testing.T) {
	cases := []struct{ in, want int32 }{
		{0, 0},
		{5, 5},
		{-1, math.MaxInt32},
		{math.MinInt32, 0},
		{math.MaxInt32, math.MaxInt32},
		{-973932308, 1173551340},
	}
	for _, c := range cases {
		if got := ToPositive(c.in); got != c.want {
			t.Errorf("ToPositive(%d) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestKeyPartitionPanicsWithoutPartitions(t *testing.T) {
	assertPanics(t, "KeyPartition(0 partitions)", func() { KeyPartition([]byte("k"), 0) })
}

func newTestRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

var allSix = []int32{0, 1, 2, 3, 4, 5}

func TestStickyPartitionerSticks(t *testing.T) {
	var sticky StickyPartitioner
	rng := newTestRand(1)
	first := sticky.Partition("orders", allSix, 6, rng)
	for i := range 100 {
		// 100 records of 100 bytes stay under batch.size 16384.
		if got := sticky.Partition("orders", allSix, 6, rng); got != first {
			t.Fatalf("record %d went to %d, want sticky partition %d", i, got, first)
		}
		sticky.RecordAppended("orders", first, 100, 16384)
	}
	if partition, producedBytes, ok := sticky.Current("orders"); !ok || partition != first || producedBytes != 10000 {
		t.Errorf("Current = %d, %d, %v; want %d, 10000, true", partition, producedBytes, ok, first)
	}
}

// TestStickyPartitionerSwitchesAfterBatchSize replays the partitioner's
// random choices with a second generator of the same seed: each choice must
// be made exactly when batch.size bytes have gone to the sticky partition.
func TestStickyPartitionerSwitchesAfterBatchSize(t *testing.T) {
	const batchSize, recordBytes = 4096, 1000 // 5 records reach batch.size
	available := []int32{0, 2, 3, 5}
	var sticky StickyPartitioner
	rng, replay := newTestRand(7), newTestRand(7)
	var want int32
	for record := range 100 {
		if record%5 == 0 {
			want = available[replay.IntN(len(available))]
		}
		got := sticky.Partition("t", available, 6, rng)
		if got != want {
			t.Fatalf("record %d went to %d, want %d", record, got, want)
		}
		sticky.RecordAppended("t", got, recordBytes, batchSize)
		_, producedBytes, ok := sticky.Current("t")
		if switched := record%5 == 4; ok == switched {
			t.Fatalf("record %d: sticky partition kept = %v, want %v", record, ok, !switched)
		}
		if ok && producedBytes != int64(record%5+1)*recordBytes {
			t.Fatalf("record %d: producedBytes = %d", record, producedBytes)
		}
	}
}

func TestStickyPartitionerSwitchesAtExactlyBatchSize(t *testing.T) {
	var sticky StickyPartitioner
	partition := sticky.Partition("t", nil, 3, newTestRand(3))
	sticky.RecordAppended("t", partition, 2999, 3000)
	if _, _, ok := sticky.Current("t"); !ok {
		t.Fatal("switched below batch.size")
	}
	sticky.RecordAppended("t", partition, 1, 3000)
	if _, _, ok := sticky.Current("t"); ok {
		t.Fatal("did not switch at producedBytes == batch.size")
	}
}

func TestStickyPartitionerIgnoresOtherPartitions(t *testing.T) {
	var sticky StickyPartitioner
	partition := sticky.Partition("t", allSix, 6, newTestRand(4))
	other := (partition + 1) % 6
	sticky.RecordAppended("t", other, 1<<20, 16384)       // a keyed record elsewhere
	sticky.RecordAppended("unknown", other, 1<<20, 16384) // a topic never partitioned
	if got, producedBytes, ok := sticky.Current("t"); !ok || got != partition || producedBytes != 0 {
		t.Errorf("Current = %d, %d, %v; want %d, 0, true", got, producedBytes, ok, partition)
	}
}

func TestStickyPartitionerTopicsAreIndependent(t *testing.T) {
	var sticky StickyPartitioner
	rng := newTestRand(5)
	a := sticky.Partition("a", allSix, 6, rng)
	sticky.Partition("b", allSix, 6, rng)
	sticky.RecordAppended("b", mustCurrent(t, &sticky, "b"), 16384, 16384)
	if got := sticky.Partition("a", allSix, 6, rng); got != a {
		t.Errorf("topic a moved from %d to %d when b switched", a, got)
	}
}

func mustCurrent(t *testing.T, sticky *StickyPartitioner, topic string) int32 {
	t.Helper()
	partition, _, ok := sticky.Current(topic)
	if !ok {
		t.Fatalf("no sticky partition for %q", topic)
	}
	return partition
}

// chooseMany makes count fresh sticky choices (batch.size 1, so every
// record switches) and returns how many went to each partition.
func chooseMany(seed uint64, count int, available []int32, numPartitions int32) []int {
	var sticky StickyPartitioner
	rng := newTestRand(seed)
	counts := make([]int, numPartitions)
	for range count {
		partition := sticky.Partition("t", available, numPartitions, rng)
		counts[partition]++
		sticky.RecordAppended("t", partition, 1, 1)
	}
	return counts
}

func TestStickyPartitionerSpreadsChoices(t *testing.T) {
	counts := chooseMany(11, 6000, allSix, 6)
	for partition, count := range counts {
		if count < 850 || count > 1150 {
			t.Errorf("partition %d chosen %d times of 6000, want about 1000 (all: %v)", partition, count, counts)
		}
	}
}

func TestStickyPartitionerPrefersAvailable(t *testing.T) {
	counts := chooseMany(12, 1000, []int32{1, 4}, 6)
	if counts[1]+counts[4] != 1000 || counts[1] < 400 || counts[4] < 400 {
		t.Errorf("with only 1 and 4 available, counts = %v", counts)
	}
	// With no partition available Kafka picks among all of them.
	for partition, count := range chooseMany(13, 600, nil, 6) {
		if count == 0 {
			t.Errorf("partition %d never chosen with none available", partition)
		}
	}
}

func TestStickyPartitionerDeterministicForSeed(t *testing.T) {
	sequence := func(seed uint64) []int32 {
		var sticky StickyPartitioner
		rng := newTestRand(seed)
		var out []int32
		for range 500 {
			partition := sticky.Partition("t", allSix, 6, rng)
			out = append(out, partition)
			sticky.RecordAppended("t", partition, 700, 16384)
		}
		return out
	}
	if !slices.Equal(sequence(42), sequence(42)) {
		t.Error("same seed gave different partition sequences")
	}
	if slices.Equal(sequence(42), sequence(43)) {
		t.Error("different seeds gave the same partition sequence")
	}
}

func TestStickyPartitionerRechoosesWhenOutOfRange(t *testing.T) {
	var sticky StickyPartitioner
	rng := newTestRand(6)
	partition := sticky.Partition("t", []int32{9}, 10, rng)
	if partition != 9 {
		t.Fatalf("Partition = %d, want 9", partition)
	}
	// The topic was deleted and recreated with 2 partitions.
	if got := sticky.Partition("t", nil, 2, rng); got >= 2 {
		t.Errorf("Partition = %d with 2 partitions", got)
	}
}

func TestStickyPartitionerPanicsOnCallerBugs(t *testing.T) {
	var sticky StickyPartitioner
	rng := newTestRand(8)
	assertPanics(t, "no partitions", func() { sticky.Partition("t", nil, 0, rng) })
	assertPanics(t, "nil rng", func() { sticky.Partition("t", nil, 3, nil) })
	assertPanics(t, "available out of range", func() { sticky.Partition("t", []int32{3}, 3, rng) })
	assertPanics(t, "batch size 0", func() { sticky.RecordAppended("t", 0, 1, 0) })
	assertPanics(t, "negative bytes", func() { sticky.RecordAppended("t", 0, -1, 16384) })
}

func assertPanics(t *testing.T, name string, call func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s: did not panic", name)
		}
	}()
	call()
}
