package gateway

// Record batches (the v2 "magic 2" format) between the wire and the
// core's record.Batch, through kmsg.RecordBatch and kmsg.Record. The
// CRC-32C of every batch a client sends is checked, and its records are
// decompressed (compression.go) within a budget of decompressed bytes
// per request, so that a small batch that inflates enormously (a zip
// bomb) is refused with CORRUPT_MESSAGE instead of filling memory.
//
// A batch keeps its codec in the core (record.Batch.Compression): the
// producer's, or the topic's compression.type when that names one, as
// Kafka's LogValidator recompresses only then. A fetched batch is
// compressed again with that codec. Kafka hands back the very bytes the
// producer sent; here the records are equal, the compressed bytes may
// not be.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"slices"

	coregateway "github.com/kafka-playground/playground/core/gateway"
	"github.com/kafka-playground/playground/core/record"
	"github.com/twmb/franz-go/pkg/kmsg"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Batch attributes of the v2 format.
const (
	attributeCompressionMask = 0x07
	attributeTransactional   = 0x10
	attributeControl         = 0x20
)

// batchHeaderBytes is the size of a batch before its records; the Length
// field counts from byte 12 (batchLengthOffset), the CRC from byte 21.
const (
	batchHeaderBytes  = 61
	batchLengthOffset = 12
	batchCRCStart     = 21
	batchCRCOffset    = 17
)

// Errors of a produced batch, each answered with a Kafka error code:
// errCorruptBatch with CORRUPT_MESSAGE (Kafka's CorruptRecordException,
// which its LogValidator also makes of a record it cannot read),
// errInvalidBatch with INVALID_RECORD.
var (
	errCorruptBatch = errors.New("corrupt record batch")
	errInvalidBatch = errors.New("invalid record batch")
	errOldMagic     = fmt.Errorf("%w: only record batches of magic 2 are supported", errInvalidBatch)
	errShortBatch   = fmt.Errorf("%w: Record batch is corrupt (smaller than the minimum allowed overhead %d)", errCorruptBatch, batchHeaderBytes)
)

// maxPreallocatedRecords bounds the records a batch's stated count
// reserves room for before they decode.
const maxPreallocatedRecords = 1024

// DefaultMaxDecompressedBytes bounds the records one produce request may
// decompress to, over all its partitions: 64 MiB, 64 times Kafka's
// message.max.bytes default, so that every batch a topic accepts fits
// while a zip bomb is cut off.
const DefaultMaxDecompressedBytes = 64 * 1024 * 1024

// inflateBudget is what is left of a request's decompression limit.
type inflateBudget struct{ remaining int }

// Sizes of ByteBufferLogInputStream's checks: the offset and size
// fields, the header up to the magic byte, and the smallest record of
// any magic.
const (
	logOverheadBytes      = 12
	headerUpToMagicBytes  = 17
	batchMagicOffset      = 16
	minimumRecordOverhead = 14
	currentMagic          = 2
)

// splitBatches cuts a partition's records into whole batches as Kafka's
// ByteBufferLogInputStream does: a partial batch at the end is left out,
// a size below the smallest record overhead or an unknown magic is
// corrupt.
func splitBatches(raw []byte) ([][]byte, error) {
	var out [][]byte
	for len(raw) >= logOverheadBytes {
		size := int32(binary.BigEndian.Uint32(raw[8:12]))
		if size < minimumRecordOverhead {
			return nil, fmt.Errorf("%w: Record size %d is less than the minimum record overhead (%d)", errCorruptBatch, size, minimumRecordOverhead)
		}
		if len(raw) < headerUpToMagicBytes {
			break
		}
		if magic := int8(raw[batchMagicOffset]); magic < 0 || magic > currentMagic {
			return nil, fmt.Errorf("%w: Invalid magic found in record: %d", errCorruptBatch, magic)
		}
		total := int64(size) + logOverheadBytes
		if int64(len(raw)) < total {
			break
		}
		out = append(out, raw[:total])
		raw = raw[total:]
	}
	return out, nil
}

// errUnsupportedCompression is a zstd batch in a produce request older
// than version 7 (UNSUPPORTED_COMPRESSION_TYPE).
var errUnsupportedCompression = errors.New("unsupported compression type")

// decodeProduced reads the one record batch a partition of a produce
// request of version carries, checked as ProduceRequest.validateRecords
// and then Kafka's LogValidator check it: its fields, and its records
// appended to records (whose keys and values are raw's bytes, or those
// it decompressed to).
func decodeProduced(raw []byte, version int16, budget *inflateBudget, records []coregateway.ProducedRecord) (*record.Batch, []coregateway.ProducedRecord, error) {
	batches, err := splitBatches(raw)
	switch {
	case err != nil:
		return nil, records, err
	case len(batches) == 0:
		return nil, records, fmt.Errorf("%w: Produce requests with version %d must have at least one record batch per partition", errInvalidBatch, version)
	case batches[0][batchMagicOffset] != currentMagic:
		return nil, records, fmt.Errorf("%w: Produce requests with version %d are only allowed to contain record batches with magic version 2", errInvalidBatch, version)
	case version < 7 && len(batches[0]) > batchCRCStart+1 && record.Compression(batches[0][batchCRCStart+1]&attributeCompressionMask) == record.CompressionZstd:
		return nil, records, fmt.Errorf("%w: Produce requests with version %d are not allowed to use ZStandard compression", errUnsupportedCompression, version)
	case len(batches) > 1:
		return nil, records, fmt.Errorf("%w: Produce requests with version %d are only allowed to contain exactly one record batch per partition", errInvalidBatch, version)
	}
	return decodeBatch(batches[0], budget, records)
}

// decodeBatch reads one batch: its fields (all but Records), and its
// records appended to records.
func decodeBatch(raw []byte, budget *inflateBudget, records []coregateway.ProducedRecord) (*record.Batch, []coregateway.ProducedRecord, error) {
	if len(raw) < batchHeaderBytes {
		return nil, records, errShortBatch
	}
	var wire kmsg.RecordBatch
	if err := wire.ReadFrom(raw); err != nil {
		return nil, records, fmt.Errorf("%w: %v", errCorruptBatch, err)
	}
	if wire.Magic != 2 {
		return nil, records, errOldMagic
	}
	if crc32.Checksum(raw[batchCRCStart:], castagnoli) != uint32(wire.CRC) {
		return nil, records, fmt.Errorf("%w: CRC-32C mismatch", errCorruptBatch)
	}
	if wire.Attributes&attributeControl != 0 {
		return nil, records, fmt.Errorf("%w: clients may not produce control batches", errInvalidBatch)
	}
	codec := record.Compression(wire.Attributes & attributeCompressionMask)
	body, err := inflate(codec, wire.Records, budget)
	if err != nil {
		return nil, records, err
	}
	if wire.NumRecords <= 0 || int(wire.NumRecords) > len(body) {
		return nil, records, fmt.Errorf("%w: %d records in %d bytes", errCorruptBatch, wire.NumRecords, len(body))
	}
	// A batch's size is its size on the wire, compressed or not, as Kafka
	// measures it against max.message.bytes and keeps it in its segments:
	// 3 MB of records that compress to 3 KB are a 3 KB batch.
	b := &record.Batch{PartitionLeaderEpoch: wire.PartitionLeaderEpoch, ProducerID: wire.ProducerID,
		ProducerEpoch: wire.ProducerEpoch, BaseSequence: wire.FirstSequence,
		Transactional: wire.Attributes&attributeTransactional != 0, MaxTimestampMs: wire.MaxTimestamp, Compression: codec,
		SizeBytes: int32(len(raw))}
	// The count is the client's word: records are appended as they
	// decode rather than allocated for it up front.
	records = slices.Grow(records, min(int(wire.NumRecords), maxPreallocatedRecords))
	for i := int32(0); i < wire.NumRecords; i++ {
		r, n, err := decodeRecord(body, wire.FirstTimestamp)
		if err != nil {
			return nil, records, err
		}
		records = append(records, r)
		body = body[n:]
	}
	if len(body) != 0 {
		return nil, records, fmt.Errorf("%w: record count %d does not match the records", errCorruptBatch, wire.NumRecords)
	}
	return b, records, nil
}

// decodeRecord reads one record and returns the bytes it took. Its key
// and value are src's bytes.
func decodeRecord(src []byte, firstTimestampMs int64) (coregateway.ProducedRecord, int, error) {
	length, n := binary.Varint(src)
	if n <= 0 || length < 0 || int64(len(src)-n) < length {
		return coregateway.ProducedRecord{}, 0, fmt.Errorf("%w: bad record length", errCorruptBatch)
	}
	size := n + int(length)
	var wire kmsg.Record
	if err := wire.ReadFrom(src[:size]); err != nil {
		return coregateway.ProducedRecord{}, 0, fmt.Errorf("%w: %v", errCorruptBatch, err)
	}
	r := coregateway.ProducedRecord{Key: wire.Key, KeyNull: wire.Key == nil, Value: wire.Value, ValueNull: wire.Value == nil,
		TimestampMs: firstTimestampMs + wire.TimestampDelta64}
	for _, h := range wire.Headers {
		r.Headers = append(r.Headers, record.Header{Key: h.Key, Value: string(h.Value), ValueNull: h.Value == nil})
	}
	return r, size, nil
}

// encodeBatch writes a stored batch in the v2 format, its records
// compressed with its codec, CRC included.
func encodeBatch(dst []byte, b *record.Batch) []byte {
	firstTimestampMs := int64(0)
	count := b.Records.Len()
	if count > 0 {
		firstTimestampMs = b.Records.TimestampMs(0)
	}
	var records []byte
	for i := 0; i < count; i++ {
		r := b.Records.At(i)
		records = appendRecord(records, &r, int32(i), firstTimestampMs)
	}
	attributes := int16(0)
	if b.Compression != record.CompressionNone {
		compressed, err := deflate(b.Compression, records)
		if err == nil {
			records, attributes = compressed, int16(b.Compression)
		}
	}
	if b.Transactional {
		attributes |= attributeTransactional
	}
	if b.Control {
		attributes |= attributeControl
	}
	wire := kmsg.RecordBatch{FirstOffset: b.BaseOffset, Length: int32(batchHeaderBytes - batchLengthOffset + len(records)),
		PartitionLeaderEpoch: b.PartitionLeaderEpoch, Magic: 2, Attributes: attributes,
		LastOffsetDelta: int32(count - 1), FirstTimestamp: firstTimestampMs, MaxTimestamp: b.MaxTimestampMs,
		ProducerID: b.ProducerID, ProducerEpoch: b.ProducerEpoch, FirstSequence: b.BaseSequence,
		NumRecords: int32(count), Records: records}
	start := len(dst)
	dst = wire.AppendTo(dst)
	crc := crc32.Checksum(dst[start+batchCRCStart:], castagnoli)
	binary.BigEndian.PutUint32(dst[start+batchCRCOffset:], crc)
	return dst
}

// appendRecord writes one record with its varint length.
func appendRecord(dst []byte, r *record.Record, offsetDelta int32, firstTimestampMs int64) []byte {
	wire := kmsg.Record{TimestampDelta64: r.TimestampMs - firstTimestampMs, OffsetDelta: offsetDelta}
	if !r.KeyNull {
		wire.Key = []byte(r.Key)
	}
	if !r.ValueNull {
		wire.Value = []byte(r.Value)
	}
	for _, h := range r.Headers {
		header := kmsg.Header{Key: h.Key}
		if !h.ValueNull {
			header.Value = []byte(h.Value)
		}
		wire.Headers = append(wire.Headers, header)
	}
	// Length 0 takes one varint byte; what follows it is the body.
	body := wire.AppendTo(nil)[1:]
	dst = binary.AppendVarint(dst, int64(len(body)))
	return append(dst, body...)
}
