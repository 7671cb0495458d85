// Package record holds Kafka's record and record batch model (the v2 "magic 2"
// format) as the simulation stores it: immutable values shared by every
// replica that holds them, with sizes computed exactly as Kafka computes the
// encoded size, so that batch.size, message.max.bytes and retention.bytes
// behave as they do in a real cluster.
package record

// Header is one record header: a key and an optional value.
type Header struct {
	Key   string
	Value string
	// ValueNull marks a null header value (distinct from an empty one).
	ValueNull bool
}

// Record is one record as a client sends or receives it. Key and Value are
// strings; KeyNull and ValueNull mark null (as opposed to empty) keys and
// values, which Kafka distinguishes. Batches keep their records in the
// compact form of Records, which gives back Record values.
type Record struct {
	Key         string
	Value       string
	Headers     []Header
	TimestampMs int64
	KeyNull     bool
	ValueNull   bool
}

// ControlType is the kind of a control record written by a transaction
// coordinator: a commit or an abort marker.
type ControlType int8

const (
	// ControlAbort is the control record type of an abort marker (type 0 in Kafka).
	ControlAbort ControlType = 0
	// ControlCommit is the control record type of a commit marker (type 1 in Kafka).
	ControlCommit ControlType = 1
)

// String returns Kafka's name of the marker: "ABORT" or "COMMIT".
func (t ControlType) String() string {
	if t == ControlCommit {
		return "COMMIT"
	}
	return "ABORT"
}

// NoProducerID is the producer id of a batch written without idempotence.
const NoProducerID int64 = -1

// NoProducerEpoch is the producer epoch of a batch written without idempotence.
const NoProducerEpoch int16 = -1

// NoSequence is the base sequence of a batch written without idempotence.
const NoSequence int32 = -1

// Batch is a record batch. Once a broker has appended it, a Batch is never
// modified: leaders and followers share the same value.
type Batch struct {
	// BaseOffset is the offset of the first record, assigned by the leader.
	BaseOffset int64
	// PartitionLeaderEpoch is the leader epoch of the leader that appended it.
	PartitionLeaderEpoch int32
	// ProducerID is the idempotent or transactional producer's id, or NoProducerID.
	ProducerID int64
	// ProducerEpoch is the producer's epoch, or NoProducerEpoch.
	ProducerEpoch int16
	// BaseSequence is the idempotent producer's sequence of the first record.
	BaseSequence int32
	// Transactional marks a batch written inside a transaction.
	Transactional bool
	// Control marks a batch holding one control record (a transaction marker).
	Control bool
	// ControlType is the marker's kind when Control is set.
	ControlType ControlType
	// MaxTimestampMs is the largest record timestamp in the batch.
	MaxTimestampMs int64
	// Compression is the codec the batch is stored and sent with: the
	// producer's, or the topic's compression.type when that is not
	// "producer". Its records and SizeBytes are uncompressed.
	Compression Compression
	// Records are the batch's records, shared (never copied) by every holder.
	Records Records
	// SizeBytes is the encoded size of the whole batch, header included.
	SizeBytes int32
}
