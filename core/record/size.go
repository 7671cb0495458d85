package record

// This file computes encoded sizes exactly as Kafka's v2 record format does
// (org.apache.kafka.common.record.DefaultRecord and DefaultRecordBatch).
// A record inside a batch is written as:
//
//	Length          varint  (size of everything below)
//	Attributes      int8
//	TimestampDelta  varlong (relative to the batch's first record timestamp)
//	OffsetDelta     varint  (relative to the batch's base offset)
//	KeyLength       varint  (-1 for a null key)
//	Key             bytes
//	ValueLength     varint  (-1 for a null value)
//	Value           bytes
//	HeadersCount    varint
//	Headers         [HeaderKeyLength varint, HeaderKey, HeaderValueLength varint (-1 for null), HeaderValue]
//
// Varints use Kafka's zig-zag encoding, so -1 takes one byte.

import "math/bits"

// BatchOverheadBytes is the size of a v2 record batch header (Kafka's
// RECORD_BATCH_OVERHEAD): base offset, length, leader epoch, magic, CRC,
// attributes, last offset delta, base and max timestamps, producer id and
// epoch, base sequence and record count.
const BatchOverheadBytes = 61

// MaxRecordOverheadBytes is the largest size of a record's fields other than
// its key, value and headers (Kafka's DefaultRecord.MAX_RECORD_OVERHEAD):
// 5 bytes of length, 1 of attributes, 10 of timestamp delta, 5 of offset delta.
const MaxRecordOverheadBytes = 21

// nullVarintSizeBytes is the size of the varint -1 that encodes a null key,
// value or header value.
const nullVarintSizeBytes = 1

// NoTimestamp is Kafka's RecordBatch.NO_TIMESTAMP: a timestamp that is absent.
const NoTimestamp int64 = -1

// RecordSizeInBytes returns the size of one record as written in a batch,
// including its leading varint length, given its offset delta and timestamp
// delta (DefaultRecord.sizeInBytes plus the size of the length varint).
func RecordSizeInBytes(offsetDelta int32, timestampDeltaMs int64, r *Record) int32 {
	return RecordSizeFromPayload(offsetDelta, timestampDeltaMs, PayloadSizeBytes(r))
}

// RecordSizeFromPayload is RecordSizeInBytes for a record whose
// PayloadSizeBytes is payloadBytes. A producer computes the payload size of
// a record once and derives its other sizes from it.
func RecordSizeFromPayload(offsetDelta int32, timestampDeltaMs int64, payloadBytes int32) int32 {
	bodyBytes := 1 + sizeOfVarlong(timestampDeltaMs) + sizeOfVarint(offsetDelta) + payloadBytes
	return sizeOfVarint(bodyBytes) + bodyBytes
}

// RecordSizeUpperBound returns the largest size the record can take in any
// batch (DefaultRecord.recordSizeUpperBound), which the producer's record
// accumulator uses to decide whether a record still fits in a batch.
func RecordSizeUpperBound(r *Record) int32 {
	return MaxRecordOverheadBytes + PayloadSizeBytes(r)
}

// PayloadSizeBytes returns the size of the key, value and headers of a
// record with their length prefixes (the fields DefaultRecord.sizeOf adds
// to the deltas): the part of a record's size that does not depend on its
// place in a batch.
func PayloadSizeBytes(r *Record) int32 {
	return fieldsSizeBytes(r.Key, r.KeyNull, r.Value, r.ValueNull, r.Headers)
}

// fieldsSizeBytes is PayloadSizeBytes of a record with these fields.
func fieldsSizeBytes(key string, keyNull bool, value string, valueNull bool, headers []Header) int32 {
	size := bytesFieldSize(key, keyNull) + bytesFieldSize(value, valueNull)
	size += sizeOfVarint(int32(len(headers)))
	for i := range headers {
		header := &headers[i]
		size += bytesFieldSize(header.Key, false) + bytesFieldSize(header.Value, header.ValueNull)
	}
	return size
}

// bytesFieldSize is the size of a varint length followed by the bytes, or of
// the varint -1 alone when the field is null.
func bytesFieldSize(data string, null bool) int32 {
	return lengthFieldSize(int32(len(data)), null)
}

// lengthFieldSize is bytesFieldSize of a field of length bytes.
func lengthFieldSize(length int32, null bool) int32 {
	if null {
		return nullVarintSizeBytes
	}
	return sizeOfVarint(length) + length
}

// sizeOfVarint is Kafka's ByteUtils.sizeOfVarint: the size of the zig-zag
// encoding of a 32-bit value.
func sizeOfVarint(value int32) int32 {
	return sizeOfUnsignedVarint(uint64(uint32(value<<1) ^ uint32(value>>31)))
}

// sizeOfVarlong is Kafka's ByteUtils.sizeOfVarlong: the size of the zig-zag
// encoding of a 64-bit value.
func sizeOfVarlong(value int64) int32 {
	return sizeOfUnsignedVarint(uint64(value<<1) ^ uint64(value>>63))
}

// sizeOfUnsignedVarint counts the 7-bit groups needed to write value (at
// least one, for zero). It counts bits rather than looping over groups:
// the same result, without a branch per group, which WebAssembly runs
// markedly slower than native code does.
func sizeOfUnsignedVarint(value uint64) int32 {
	return int32(bits.Len64(value|1)+6) / 7
}

// NewBatch returns a batch of records written without idempotence, with its
// largest timestamp and encoded size computed. The batch keeps the records'
// strings and headers; the caller must not modify the headers afterwards.
func NewBatch(records []Record) *Batch {
	b := &Batch{
		ProducerID:    NoProducerID,
		ProducerEpoch: NoProducerEpoch,
		BaseSequence:  NoSequence,
		Records:       NewRecords(records),
	}
	b.MaxTimestampMs = b.Records.MaxTimestampMs()
	b.SizeBytes = b.ComputeSize()
	return b
}

// ComputeSize returns the encoded size of the batch: the batch header plus
// each record with its offset delta and its timestamp delta relative to the
// first record's timestamp, as DefaultRecordBatch writes them.
func (b *Batch) ComputeSize() int32 {
	size := int32(BatchOverheadBytes)
	rs := b.Records
	if rs.Len() == 0 {
		return size
	}
	baseTimestampMs := rs.TimestampMs(0)
	for i := range rs.entries {
		size += RecordSizeFromPayload(int32(i), rs.entries[i].timestampMs-baseTimestampMs, rs.payloadSizeBytes(i))
	}
	return size
}

// RecordCount returns the number of records in the batch.
func (b *Batch) RecordCount() int32 {
	return int32(b.Records.Len())
}

// LastOffset returns the offset of the batch's last record (BaseOffset - 1
// for a batch without records).
func (b *Batch) LastOffset() int64 {
	return b.BaseOffset + int64(b.Records.Len()) - 1
}

// NextOffset returns the offset that follows the batch's last record.
func (b *Batch) NextOffset() int64 {
	return b.BaseOffset + int64(b.Records.Len())
}
