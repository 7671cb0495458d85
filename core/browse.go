package core

import (
	"fmt"

	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/record"
)

// MaxBrowseRecords bounds one PartitionRecords call.
const MaxBrowseRecords = 1000

// LogRecord is one record of a partition log as the message browser shows
// it: the record, where it sits, who wrote it, and for a transaction
// marker its kind.
type LogRecord struct {
	Offset        int64           `json:"offset"`
	Key           *string         `json:"key"`
	Value         *string         `json:"value"`
	Headers       []record.Header `json:"headers,omitempty"`
	TimestampMs   int64           `json:"timestamp_ms"`
	LeaderEpoch   int32           `json:"leader_epoch"`
	ProducerID    int64           `json:"producer_id"`
	ProducerEpoch int16           `json:"producer_epoch"`
	// Sequence is the idempotent producer's sequence number, -1 without.
	Sequence      int32 `json:"sequence"`
	Transactional bool  `json:"transactional,omitempty"`
	// Marker is "COMMIT" or "ABORT" for a transaction marker, else empty.
	Marker string `json:"marker,omitempty"`
}

// PartitionRecords reads up to max records of a partition from offset
// from on, out of the log of the replica on broker, or of the current
// leader when broker is -1. It reads what the replica has, below and
// above the high watermark alike; callers compare offsets with the
// partition's high watermark to tell committed records from the rest.
func (c *Cluster) PartitionRecords(topic string, partition int32, broker int32, from int64, max int) ([]LogRecord, error) {
	if max <= 0 || max > MaxBrowseRecords {
		max = MaxBrowseRecords
	}
	p := c.CommittedImage().Partition(topic, partition)
	if p == nil {
		return nil, fmt.Errorf("there is no partition %s-%d", topic, partition)
	}
	if broker < 0 {
		broker = p.Leader
		if broker < 0 && len(p.Replicas) > 0 {
			broker = p.Replicas[0]
		}
	}
	b := c.Broker(broker)
	if b == nil {
		return nil, fmt.Errorf("there is no broker %d", broker)
	}
	log := b.Disk().Logs[protocol.TopicPartition{Topic: topic, Partition: partition}]
	if log == nil {
		return nil, fmt.Errorf("broker %d holds no replica of %s-%d", broker, topic, partition)
	}
	from = max64(from, log.LogStartOffset())
	out := []LogRecord{}
	log.EachBatch(from, func(batch *record.Batch) bool {
		for i := 0; i < batch.Records.Len(); i++ {
			offset := batch.BaseOffset + int64(i)
			if offset < from {
				continue
			}
			if len(out) == max {
				return false
			}
			rec := batch.Records.At(i)
			r := &rec
			lr := LogRecord{Offset: offset, Headers: r.Headers, TimestampMs: r.TimestampMs, LeaderEpoch: batch.PartitionLeaderEpoch,
				ProducerID: batch.ProducerID, ProducerEpoch: batch.ProducerEpoch, Sequence: -1, Transactional: batch.Transactional}
			if batch.BaseSequence >= 0 {
				lr.Sequence = batch.BaseSequence + int32(i)
			}
			if batch.Control {
				lr.Marker = batch.ControlType.String()
			} else {
				if !r.KeyNull {
					key := r.Key
					lr.Key = &key
				}
				if !r.ValueNull {
					value := r.Value
					lr.Value = &value
				}
			}
			out = append(out, lr)
		}
		return len(out) < max
	})
	return out, nil
}

func max64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}
