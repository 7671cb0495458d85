package gateway

// The binary form of a gateway input. A journal holds each gateway input
// in one of two forms, told apart by the first byte:
//
//   - the JSON form (encoding/json of Input, an object: "{"), which every
//     input of a journal written before the binary form is in, and which
//     every input but a Produce request is still written in: they are
//     rare and small, and stay readable in the database;
//   - the binary form, which begins with binaryMarker, a byte no JSON
//     text begins with, and the form's version (binaryVersion). A
//     Produce request is written in it: it carries a real client's
//     records, most of what a producing client journals, whose keys,
//     values and header values it holds as the bytes they are, where the
//     JSON form writes them in base64 and reading them back costs a scan
//     of every byte.
//
// The binary form of version 1, where varint and uvarint are
// encoding/binary's signed (zig-zag) and unsigned varints and bytes is a
// uvarint length followed by that many bytes:
//
//	0x00 0x01                  the marker and the version
//	'P'                        the kind: a Produce request of a connection
//	varint at_ms, varint connection, varint correlation,
//	bytes client_id, byte expect_response (0 or 1)
//	the ProduceRequest:
//	  varint CorrelationID, bytes TransactionalID, varint Acks,
//	  varint TimeoutMs, uvarint the number of partitions plus one (0
//	  for none at all, which JSON writes null), each:
//	    bytes Topic, varint Partition, byte 0 (no batch) or 1, then:
//	      varint BaseOffset, PartitionLeaderEpoch, ProducerID,
//	      ProducerEpoch, BaseSequence, byte flags (1 Transactional,
//	      2 Control), varint ControlType, MaxTimestampMs, Compression,
//	      SizeBytes, uvarint the number of records, each:
//	        byte flags (1 key null, 2 value null, 4 headers),
//	        bytes key unless null, bytes value unless null,
//	        varint TimestampMs, and with flag 4 a uvarint number of
//	        headers, each: bytes key, byte 1 if its value is null or 0
//	        and bytes value.
//
// Reading checks every length and count against the bytes left (so a
// corrupt row cannot make it reserve more than the row's size), every
// number against its field's range, the number of records against
// record.MaxJSONRecords, and that nothing follows the input; what fails
// is an error naming the problem, never a panic.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"

	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/record"
)

// binaryMarker is the first byte of the binary form: no JSON text begins
// with it.
const binaryMarker = 0x00

// binaryVersion is the version of the binary form this package writes
// and reads.
const binaryVersion = 1

// binaryKindProduce is the kind byte of a Produce request.
const binaryKindProduce = 'P'

// IsBinaryForm reports whether a journaled gateway input is in the
// binary form rather than the JSON form.
func IsBinaryForm(text []byte) bool { return len(text) > 0 && text[0] == binaryMarker }

// binaryHeaderMaxBytes bounds the binary form of a request before its
// body and its client id: the marker, version and kind, the varints of
// at_ms, connection and correlation, the client id's length and
// expect_response.
const binaryHeaderMaxBytes = 3 + binary.MaxVarintLen64 + 2*binary.MaxVarintLen32 + binary.MaxVarintLen64 + 1

// uvarintBytes and varintBytes are the sizes of an unsigned and a
// signed varint.
func uvarintBytes(x uint64) int { return (bits.Len64(x|1) + 6) / 7 }

func varintBytes(n int64) int { return uvarintBytes(uint64(n<<1) ^ uint64(n>>63)) }

func bytesBytes(s string) int { return uvarintBytes(uint64(len(s))) + len(s) }

// produceBodyBytes is the size of a Produce request's binary form, so
// that it is written into one allocation of the right size.
func produceBodyBytes(r *protocol.ProduceRequest) int {
	n := varintBytes(int64(r.CorrelationID)) + bytesBytes(r.TransactionalID) + varintBytes(int64(r.Acks)) +
		varintBytes(int64(r.TimeoutMs)) + uvarintBytes(uint64(len(r.Partitions))+1)
	for i := range r.Partitions {
		p := &r.Partitions[i]
		n += bytesBytes(p.Topic) + varintBytes(int64(p.Partition)) + 1
		if b := p.Batch; b != nil {
			n += varintBytes(b.BaseOffset) + varintBytes(int64(b.PartitionLeaderEpoch)) + varintBytes(b.ProducerID) +
				varintBytes(int64(b.ProducerEpoch)) + varintBytes(int64(b.BaseSequence)) + 1 + varintBytes(int64(b.ControlType)) +
				varintBytes(b.MaxTimestampMs) + varintBytes(int64(b.Compression)) + varintBytes(int64(b.SizeBytes)) +
				uvarintBytes(uint64(b.Records.Len()))
			for _, r := range b.Records.All() {
				n += recordBytes(&r)
			}
		}
	}
	return n
}

func recordBytes(r *record.Record) int {
	n := 1 + varintBytes(r.TimestampMs)
	if !r.KeyNull {
		n += bytesBytes(r.Key)
	}
	if !r.ValueNull {
		n += bytesBytes(r.Value)
	}
	if len(r.Headers) > 0 {
		n += uvarintBytes(uint64(len(r.Headers)))
		for _, h := range r.Headers {
			n += bytesBytes(h.Key) + 1
			if !h.ValueNull {
				n += bytesBytes(h.Value)
			}
		}
	}
	return n
}

// appendBytes appends s as bytes: its uvarint length, then s.
func appendBytes(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// appendCount appends the length of a list as a uvarint one above it,
// or 0 for a nil list, which the JSON form tells from an empty one too.
func appendCount(dst []byte, n int, null bool) []byte {
	if null {
		return append(dst, 0)
	}
	return binary.AppendUvarint(dst, uint64(n)+1)
}

func appendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, 1)
	}
	return append(dst, 0)
}

// appendProduceBody appends a Produce request in the binary form.
func appendProduceBody(dst []byte, r *protocol.ProduceRequest) []byte {
	dst = binary.AppendVarint(dst, int64(r.CorrelationID))
	dst = appendBytes(dst, r.TransactionalID)
	dst = binary.AppendVarint(dst, int64(r.Acks))
	dst = binary.AppendVarint(dst, int64(r.TimeoutMs))
	dst = appendCount(dst, len(r.Partitions), r.Partitions == nil)
	for i := range r.Partitions {
		p := &r.Partitions[i]
		dst = appendBytes(dst, p.Topic)
		dst = binary.AppendVarint(dst, int64(p.Partition))
		dst = appendBool(dst, p.Batch != nil)
		if p.Batch != nil {
			dst = appendBatch(dst, p.Batch)
		}
	}
	return dst
}

// Flags of a batch and of a record in the binary form.
const (
	batchTransactional = 1
	batchControl       = 2
	recordKeyNull      = 1
	recordValueNull    = 2
	recordHeaders      = 4
)

func appendBatch(dst []byte, b *record.Batch) []byte {
	for _, n := range []int64{b.BaseOffset, int64(b.PartitionLeaderEpoch), b.ProducerID, int64(b.ProducerEpoch), int64(b.BaseSequence)} {
		dst = binary.AppendVarint(dst, n)
	}
	var flags byte
	if b.Transactional {
		flags |= batchTransactional
	}
	if b.Control {
		flags |= batchControl
	}
	dst = append(dst, flags)
	for _, n := range []int64{int64(b.ControlType), b.MaxTimestampMs, int64(b.Compression), int64(b.SizeBytes)} {
		dst = binary.AppendVarint(dst, n)
	}
	dst = binary.AppendUvarint(dst, uint64(b.Records.Len()))
	for _, r := range b.Records.All() {
		dst = appendRecord(dst, &r)
	}
	return dst
}

func appendRecord(dst []byte, r *record.Record) []byte {
	var flags byte
	if r.KeyNull {
		flags |= recordKeyNull
	}
	if r.ValueNull {
		flags |= recordValueNull
	}
	if len(r.Headers) > 0 {
		flags |= recordHeaders
	}
	dst = append(dst, flags)
	if !r.KeyNull {
		dst = appendBytes(dst, r.Key)
	}
	if !r.ValueNull {
		dst = appendBytes(dst, r.Value)
	}
	dst = binary.AppendVarint(dst, r.TimestampMs)
	if len(r.Headers) > 0 {
		dst = binary.AppendUvarint(dst, uint64(len(r.Headers)))
		for _, h := range r.Headers {
			dst = appendBytes(dst, h.Key)
			dst = appendBool(dst, h.ValueNull)
			if !h.ValueNull {
				dst = appendBytes(dst, h.Value)
			}
		}
	}
	return dst
}

// appendBinaryHeader appends the binary form of a request input up to
// its body (the Produce request's binary form).
func appendBinaryHeader(dst []byte, atMs int64, r *RequestInput) []byte {
	dst = append(dst, binaryMarker, binaryVersion, binaryKindProduce)
	dst = binary.AppendVarint(dst, atMs)
	dst = binary.AppendVarint(dst, int64(r.Connection))
	dst = binary.AppendVarint(dst, int64(r.Correlation))
	dst = appendBytes(dst, r.ClientID)
	return appendBool(dst, r.ExpectResponse)
}

// binaryForm is a Produce request made in the binary form by
// NewRequestInput: its body, written once, after room for the rest of
// the form, which EncodeInput writes in front of it, so that the form
// is never copied.
type binaryForm struct {
	// buffer holds room for the header, then from bodyAt the body.
	buffer []byte
	bodyAt int
	// form is the whole form once written.
	form []byte
}

// newBinaryForm writes a Produce request's body after room for the
// header of a request of clientID.
func newBinaryForm(r *protocol.ProduceRequest, clientID string) *binaryForm {
	room := binaryHeaderMaxBytes + len(clientID)
	buffer := make([]byte, room, room+produceBodyBytes(r))
	return &binaryForm{buffer: appendProduceBody(buffer, r), bodyAt: room}
}

// body returns the request's body.
func (f *binaryForm) body() []byte { return f.buffer[f.bodyAt:] }

// encode returns the whole form of the input: written in front of the
// body the first time, and the same again while the input is the same;
// a copy if the input changed since (a form once returned never
// changes).
func (f *binaryForm) encode(atMs int64, r *RequestInput) []byte {
	header := appendBinaryHeader(make([]byte, 0, binaryHeaderMaxBytes+len(r.ClientID)), atMs, r)
	switch {
	case f.form != nil && len(f.form) >= len(header) && bytes.Equal(f.form[:len(header)], header):
		return f.form
	case f.form == nil && len(header) <= f.bodyAt:
		start := f.bodyAt - len(header)
		copy(f.buffer[start:], header)
		f.form = f.buffer[start:]
		return f.form
	default:
		return append(header, f.body()...)
	}
}

// errBinaryShort is the error of a binary form cut short.
var errBinaryShort = errors.New("cut short")

// binaryReader reads the binary form from a string, so that the keys,
// values and header values it reads share the string's bytes instead
// of being copied one by one. Its first error sticks: later reads give
// zero values, and err says what went wrong first.
type binaryReader struct {
	text string
	at   int
	err  error
}

func (d *binaryReader) fail(format string, arguments ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("at byte %d: %s", d.at, fmt.Sprintf(format, arguments...))
	}
}

func (d *binaryReader) left() int { return len(d.text) - d.at }

func (d *binaryReader) byte() byte {
	if d.err != nil || d.left() < 1 {
		d.fail("%v", errBinaryShort)
		return 0
	}
	d.at++
	return d.text[d.at-1]
}

// uvarint reads an unsigned varint, as binary.Uvarint does.
func (d *binaryReader) uvarint() uint64 {
	var x uint64
	for shift := uint(0); ; shift += 7 {
		if d.err != nil {
			return 0
		}
		if shift >= 64 {
			d.fail("a varint longer than 64 bits")
			return 0
		}
		b := d.byte()
		if shift == 63 && b > 1 {
			d.fail("a varint longer than 64 bits")
			return 0
		}
		x |= uint64(b&0x7f) << shift
		if b < 0x80 {
			return x
		}
	}
}

func (d *binaryReader) varint() int64 {
	u := d.uvarint()
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x
}

// ranged reads a varint that must lie in [low, high], named for errors.
func (d *binaryReader) ranged(name string, low, high int64) int64 {
	n := d.varint()
	if n < low || n > high {
		d.fail("%s %d is out of its range [%d, %d]", name, n, low, high)
		return 0
	}
	return n
}

func (d *binaryReader) int32(name string) int32 {
	return int32(d.ranged(name, math.MinInt32, math.MaxInt32))
}

func (d *binaryReader) int16(name string) int16 {
	return int16(d.ranged(name, math.MinInt16, math.MaxInt16))
}

func (d *binaryReader) int8(name string) int8 {
	return int8(d.ranged(name, math.MinInt8, math.MaxInt8))
}

func (d *binaryReader) bool(name string) bool {
	switch b := d.byte(); b {
	case 0:
		return false
	case 1:
		return true
	default:
		d.fail("%s is %d, neither 0 nor 1", name, b)
		return false
	}
}

// count reads a number of elements, each of which takes at least
// minBytes of what is left: a count the rest cannot hold is an error
// before anything is reserved for it.
func (d *binaryReader) count(name string, minBytes int) int {
	return d.checkCount(name, d.uvarint(), minBytes)
}

// nullableCount reads the count appendCount writes: -1 for a nil list.
func (d *binaryReader) nullableCount(name string, minBytes int) int {
	n := d.uvarint()
	if n == 0 || d.err != nil {
		return -1
	}
	return d.checkCount(name, n-1, minBytes)
}

func (d *binaryReader) checkCount(name string, n uint64, minBytes int) int {
	if d.err == nil && n > uint64(d.left()/minBytes) {
		d.fail("%d %s, more than the %d bytes left can hold", n, name, d.left())
	}
	if d.err != nil {
		return 0
	}
	return int(n)
}

// bytes reads bytes, as a string that shares the text's memory.
func (d *binaryReader) bytes(name string) string {
	n := d.uvarint()
	if d.err == nil && n > uint64(d.left()) {
		d.fail("%s of %d bytes, with %d left", name, n, d.left())
	}
	if d.err != nil {
		return ""
	}
	s := d.text[d.at : d.at+int(n)]
	d.at += int(n)
	return s
}

// parseBinary reads an input in the binary form.
func parseBinary(text []byte) (*Input, error) {
	d := &binaryReader{text: string(text)}
	d.byte() // the marker
	if version := d.byte(); d.err == nil && version != binaryVersion {
		return nil, fmt.Errorf("gateway: an input in the binary form of version %d, which this server does not read (it reads version %d)", version, binaryVersion)
	}
	if kind := d.byte(); d.err == nil && kind != binaryKindProduce {
		return nil, fmt.Errorf("gateway: an input in the binary form of kind %q, which is not one", kind)
	}
	in := &Input{AtMs: d.varint()}
	request := &RequestInput{Connection: ConnID(d.int32("connection")), Correlation: d.int32("correlation"), ClientID: d.bytes("client_id"),
		API: "Produce", ExpectResponse: d.bool("expect_response")}
	bodyAt := d.at
	produce := d.produceRequest()
	if d.err == nil && d.left() > 0 {
		d.fail("%d bytes after the input", d.left())
	}
	if d.err != nil {
		return nil, fmt.Errorf("gateway: an input in the binary form does not read: %w", d.err)
	}
	request.binary, request.decoded = text[bodyAt:], produce
	in.Request = request
	return in, nil
}

// decodeProduceBody reads a Produce request's binary form.
func decodeProduceBody(body []byte) (*protocol.ProduceRequest, error) {
	d := &binaryReader{text: string(body)}
	produce := d.produceRequest()
	if d.err == nil && d.left() > 0 {
		d.fail("%d bytes after the request", d.left())
	}
	if d.err != nil {
		return nil, fmt.Errorf("gateway: a Produce request in the binary form does not read: %w", d.err)
	}
	return produce, nil
}

func (d *binaryReader) produceRequest() *protocol.ProduceRequest {
	r := &protocol.ProduceRequest{CorrelationID: d.int32("CorrelationID"), TransactionalID: d.bytes("TransactionalID"),
		Acks: d.int16("Acks"), TimeoutMs: d.int32("TimeoutMs")}
	// A partition takes at least 3 bytes: its topic's length, its
	// number and whether it has a batch.
	if n := d.nullableCount("partitions", 3); n >= 0 {
		r.Partitions = make([]protocol.ProducePartition, n)
		for i := range r.Partitions {
			p := &r.Partitions[i]
			p.Topic, p.Partition = d.bytes("Topic"), d.int32("Partition")
			if d.bool("whether a batch follows") {
				p.Batch = d.batch()
			}
			if d.err != nil {
				return nil
			}
		}
	}
	if d.err != nil {
		return nil
	}
	return r
}

func (d *binaryReader) batch() *record.Batch {
	b := &record.Batch{BaseOffset: d.varint(), PartitionLeaderEpoch: d.int32("PartitionLeaderEpoch"), ProducerID: d.varint(),
		ProducerEpoch: d.int16("ProducerEpoch"), BaseSequence: d.int32("BaseSequence")}
	flags := d.byte()
	if flags&^(batchTransactional|batchControl) != 0 {
		d.fail("batch flags %#x", flags)
	}
	b.Transactional, b.Control = flags&batchTransactional != 0, flags&batchControl != 0
	b.ControlType, b.MaxTimestampMs = record.ControlType(d.int8("ControlType")), d.varint()
	b.Compression, b.SizeBytes = record.Compression(d.int8("Compression")), d.int32("SizeBytes")
	// A record takes at least 2 bytes: its flags and its timestamp.
	n := d.count("records", 2)
	if n > record.MaxJSONRecords {
		d.fail("%d records, more than the %d one batch may hold", n, record.MaxJSONRecords)
	}
	if d.err != nil {
		return nil
	}
	var builder record.Builder
	builder.Grow(n)
	// The records' keys and values are at most the bytes left.
	builder.GrowData(len(d.text) - d.at)
	for i := 0; i < n && d.err == nil; i++ {
		r := d.record()
		builder.Append(&r)
	}
	b.Records = builder.Records()
	return b
}

func (d *binaryReader) record() record.Record {
	flags := d.byte()
	if flags&^(recordKeyNull|recordValueNull|recordHeaders) != 0 {
		d.fail("record flags %#x", flags)
	}
	r := record.Record{KeyNull: flags&recordKeyNull != 0, ValueNull: flags&recordValueNull != 0}
	if !r.KeyNull {
		r.Key = d.bytes("a key")
	}
	if !r.ValueNull {
		r.Value = d.bytes("a value")
	}
	r.TimestampMs = d.varint()
	if flags&recordHeaders == 0 {
		return r
	}
	// A header takes at least 2 bytes: its key's length and whether its
	// value is null.
	n := d.count("headers", 2)
	if d.err == nil && n == 0 {
		d.fail("a record flagged with headers has none")
	}
	if d.err != nil {
		return r
	}
	r.Headers = make([]record.Header, n)
	for i := range r.Headers {
		h := &r.Headers[i]
		h.Key, h.ValueNull = d.bytes("a header key"), d.bool("whether a header value is null")
		if !h.ValueNull {
			h.Value = d.bytes("a header value")
		}
	}
	return r
}
