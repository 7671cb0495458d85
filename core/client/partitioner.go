package client

// This file holds the producer's built-in partitioner, as Kafka 3.3+ has it
// (org.apache.kafka.clients.producer.internals.BuiltInPartitioner, KIP-794):
//
//   - a record with a key goes to toPositive(murmur2(key)) % numPartitions,
//     so the same key always lands on the same partition while the partition
//     count stays the same;
//   - a record without a key goes to the topic's current "sticky" partition,
//     which is replaced by a fresh random choice once batch.size bytes have
//     been appended to it.
//
// Not implemented: adaptive partitioning (partitioner.adaptive.partitioning
// .enable, on by default in Kafka), which weights the random choice by the
// inverse of each partition's queue size, and partitioner.availability
// .timeout.ms. The playground has no queue-size signal yet, so the choice is
// always uniform, which is what Kafka does when it has no load statistics.

import (
	"encoding/binary"
	"math/rand/v2"
)

// Murmur2 mixing constants of Kafka's Utils.murmur2.
const (
	murmur2Seed  uint32 = 0x9747b28c
	murmur2Mix   uint32 = 0x5bd1e995
	murmur2Shift        = 24
)

// Murmur2 returns Kafka's 32-bit murmur2 hash of data, bit for bit what
// org.apache.kafka.common.utils.Utils.murmur2 returns, so that a key lands
// on the same partition in the playground as in a real cluster. Java's int
// arithmetic wraps and >>> is a logical shift; uint32 does both, and the
// result is reinterpreted as Java's signed int.
func Murmur2(data []byte) int32 {
	length := len(data)
	hash := murmur2Seed ^ uint32(length)
	blocksEnd := length &^ 3
	for at := 0; at < blocksEnd; at += 4 {
		block := binary.LittleEndian.Uint32(data[at : at+4])
		block *= murmur2Mix
		block ^= block >> murmur2Shift
		block *= murmur2Mix
		hash *= murmur2Mix
		hash ^= block
	}
	switch length % 4 {
	case 3:
		hash ^= uint32(data[blocksEnd+2]) << 16
		fallthrough
	case 2:
		hash ^= uint32(data[blocksEnd+1]) << 8
		fallthrough
	case 1:
		hash ^= uint32(data[blocksEnd])
		hash *= murmur2Mix
	}
	hash ^= hash >> 13
	hash *= murmur2Mix
	hash ^= hash >> 15
	return int32(hash)
}

// ToPositive clears the sign bit of n, as Kafka's Utils.toPositive does. It
// is not an absolute value: -1 becomes 2147483647 and math.MinInt32 becomes
// 0. Kafka uses it because Math.abs(Integer.MIN_VALUE) stays negative.
func ToPositive(n int32) int32 {
	return n & 0x7fffffff
}

// KeyPartition returns the partition of a keyed record in a topic of
// numPartitions partitions, as Kafka's BuiltInPartitioner.partitionForKey
// computes it: ToPositive(Murmur2(key)) % numPartitions. A topic has at
// least one partition; numPartitions < 1 is a bug in the caller and panics.
func KeyPartition(key []byte, numPartitions int32) int32 {
	if numPartitions < 1 {
		panic("client: KeyPartition needs numPartitions >= 1")
	}
	return ToPositive(Murmur2(key)) % numPartitions
}

// StickyPartitioner chooses the partition of records without a key, one
// sticky partition per topic, as Kafka's BuiltInPartitioner does since 3.3
// (KIP-794). Sticking to one partition fills whole batches instead of
// spreading tiny batches over every partition; switching after batch.size
// bytes spreads the load over time.
//
// The producer drives it in two steps per keyless record:
//
//  1. Partition gives the partition to append the record to.
//  2. After appending, RecordAppended reports the record's size; once
//     batch.size bytes have gone to the sticky partition, the next call to
//     Partition makes a new uniform random choice (which may pick the same
//     partition again, as in Kafka).
//
// The choice is uniform only: Kafka's adaptive partitioning, which favours
// partitions with shorter queues, is on by default there but not
// implemented here, because the playground has no queue-size signal yet.
// Kafka also holds off the switch while the partition's last batch is not
// full (up to 2 × batch.size bytes); that refinement is not modelled
// either: the switch happens at batch.size bytes.
//
// All randomness comes from the *rand.Rand the caller passes, so a run is
// replayable from the simulation's seed. The zero value is ready to use. It
// keeps one small entry per topic it has partitioned.
type StickyPartitioner struct {
	topics map[string]*stickyPartition
}

// stickyPartition is the state of one topic: Kafka's StickyPartitionInfo.
type stickyPartition struct {
	partition     int32
	producedBytes int64
}

// Partition returns the sticky partition of topic for a record without a
// key. When the topic has none yet, or its previous one reached batch.size
// bytes, it chooses one uniformly at random with rng: among available (the
// partitions that have a leader, in a deterministic order) or, when none is
// available, among all numPartitions partitions. numPartitions < 1, a nil
// rng or an available partition outside [0, numPartitions) is a caller bug
// and panics.
func (s *StickyPartitioner) Partition(topic string, available []int32, numPartitions int32, rng *rand.Rand) int32 {
	if numPartitions < 1 {
		panic("client: StickyPartitioner.Partition needs numPartitions >= 1")
	}
	if rng == nil {
		panic("client: StickyPartitioner.Partition needs a *rand.Rand")
	}
	// A sticky partition beyond the current count can only be left over
	// from a deleted topic of the same name; choose afresh.
	if current, ok := s.topics[topic]; ok && current.partition < numPartitions {
		return current.partition
	}
	partition := nextStickyPartition(available, numPartitions, rng)
	if s.topics == nil {
		s.topics = make(map[string]*stickyPartition)
	}
	s.topics[topic] = &stickyPartition{partition: partition}
	return partition
}

// nextStickyPartition is Kafka's BuiltInPartitioner.nextPartition without
// load statistics: a uniform choice among the available partitions, or
// among all partitions when none is available.
func nextStickyPartition(available []int32, numPartitions int32, rng *rand.Rand) int32 {
	if len(available) == 0 {
		return rng.Int32N(numPartitions)
	}
	partition := available[rng.IntN(len(available))]
	if partition < 0 || partition >= numPartitions {
		panic("client: StickyPartitioner got an available partition outside [0, numPartitions)")
	}
	return partition
}

// RecordAppended reports that bytes bytes of a keyless record were appended
// to partition of topic, where Partition placed it; batchSize is the
// producer's batch.size (Kafka's stickyBatchSize, default 16384). Once at
// least batchSize bytes have gone to the sticky partition, the next call to
// Partition chooses a new one (Kafka: producedBytes >= stickyBatchSize).
// Only records placed by Partition count, as in Kafka: the producer must not
// report keyed records or records with an explicit partition, and a report
// for a partition that is no longer the sticky one is ignored. batchSize < 1
// or bytes < 0 is a caller bug and panics.
func (s *StickyPartitioner) RecordAppended(topic string, partition int32, bytes int32, batchSize int32) {
	if batchSize < 1 {
		panic("client: StickyPartitioner.RecordAppended needs batchSize >= 1")
	}
	if bytes < 0 {
		panic("client: StickyPartitioner.RecordAppended needs bytes >= 0")
	}
	current, ok := s.topics[topic]
	if !ok || current.partition != partition {
		return
	}
	current.producedBytes += int64(bytes)
	if current.producedBytes >= int64(batchSize) {
		delete(s.topics, topic)
	}
}

// Current returns the sticky partition of topic and the bytes appended to
// it so far, for display and tests; ok is false when the next call to
// Partition will choose a new partition.
func (s *StickyPartitioner) Current(topic string) (partition int32, producedBytes int64, ok bool) {
	current, ok := s.topics[topic]
	if !ok {
		return 0, 0, false
	}
	return current.partition, current.producedBytes, true
}
