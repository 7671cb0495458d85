package gateway

// Record batches (the v2 "magic 2" format) between the wire and the
// core's record.Batch, through kmsg.RecordBatch and kmsg.Record. The
// CRC-32C of every batch a client sends is checked; compressed batches
// are refused (the gateway does not decompress yet).

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"

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

// Errors of a produced batch, each answered with a Kafka error code.
var (
	errCorruptBatch    = errors.New("corrupt record batch")
	errCompressedBatch = errors.New("compressed record batches are not supported by the gateway yet; set compression.type=none")
	errOldMagic        = errors.New("only record batches of magic 2 are supported")
)

// decodeBatches reads the record batches of one partition of a produce
// request.
func decodeBatches(raw []byte) ([]*record.Batch, error) {
	var out []*record.Batch
	for len(raw) > 0 {
		if len(raw) < batchHeaderBytes {
			return nil, fmt.Errorf("%w: %d bytes left, a batch header is %d", errCorruptBatch, len(raw), batchHeaderBytes)
		}
		length := int64(int32(binary.BigEndian.Uint32(raw[8:12])))
		total := batchLengthOffset + length
		if length < batchHeaderBytes-batchLengthOffset || total > int64(len(raw)) {
			return nil, fmt.Errorf("%w: batch length %d does not fit in %d bytes", errCorruptBatch, length, len(raw))
		}
		b, err := decodeBatch(raw[:total])
		if err != nil {
			return nil, err
		}
		out = append(out, b)
		raw = raw[total:]
	}
	return out, nil
}

func decodeBatch(raw []byte) (*record.Batch, error) {
	var wire kmsg.RecordBatch
	if err := wire.ReadFrom(raw); err != nil {
		return nil, fmt.Errorf("%w: %v", errCorruptBatch, err)
	}
	if wire.Magic != 2 {
		return nil, errOldMagic
	}
	if crc32.Checksum(raw[batchCRCStart:], castagnoli) != uint32(wire.CRC) {
		return nil, fmt.Errorf("%w: CRC-32C mismatch", errCorruptBatch)
	}
	if wire.Attributes&attributeCompressionMask != 0 {
		return nil, errCompressedBatch
	}
	if wire.NumRecords < 0 || int(wire.NumRecords) > len(wire.Records) {
		return nil, fmt.Errorf("%w: %d records in %d bytes", errCorruptBatch, wire.NumRecords, len(wire.Records))
	}
	b := &record.Batch{PartitionLeaderEpoch: wire.PartitionLeaderEpoch, ProducerID: wire.ProducerID,
		ProducerEpoch: wire.ProducerEpoch, BaseSequence: wire.FirstSequence,
		Transactional: wire.Attributes&attributeTransactional != 0, Control: wire.Attributes&attributeControl != 0,
		MaxTimestampMs: wire.MaxTimestamp}
	records := make([]record.Record, 0, wire.NumRecords)
	rest := wire.Records
	for i := int32(0); i < wire.NumRecords; i++ {
		r, n, err := decodeRecord(rest, wire.FirstTimestamp)
		if err != nil {
			return nil, err
		}
		records = append(records, r)
		rest = rest[n:]
	}
	b.Records = record.NewRecords(records)
	if len(rest) != 0 || len(records) == 0 {
		return nil, fmt.Errorf("%w: record count %d does not match the records", errCorruptBatch, wire.NumRecords)
	}
	if b.Control {
		return nil, fmt.Errorf("%w: clients may not produce control batches", errCorruptBatch)
	}
	b.SizeBytes = b.ComputeSize()
	return b, nil
}

// decodeRecord reads one record and returns the bytes it took.
func decodeRecord(src []byte, firstTimestampMs int64) (record.Record, int, error) {
	length, n := binary.Varint(src)
	if n <= 0 || length < 0 || int64(len(src)-n) < length {
		return record.Record{}, 0, fmt.Errorf("%w: bad record length", errCorruptBatch)
	}
	size := n + int(length)
	var wire kmsg.Record
	if err := wire.ReadFrom(src[:size]); err != nil {
		return record.Record{}, 0, fmt.Errorf("%w: %v", errCorruptBatch, err)
	}
	r := record.Record{Key: string(wire.Key), KeyNull: wire.Key == nil, Value: string(wire.Value), ValueNull: wire.Value == nil,
		TimestampMs: firstTimestampMs + wire.TimestampDelta64}
	for _, h := range wire.Headers {
		r.Headers = append(r.Headers, record.Header{Key: h.Key, Value: string(h.Value), ValueNull: h.Value == nil})
	}
	return r, size, nil
}

// encodeBatch writes a stored batch in the v2 format, CRC included.
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
	var attributes int16
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
