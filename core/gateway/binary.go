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
// The binary form of version 2, which this package writes, where varint
// and uvarint are encoding/binary's signed (zig-zag) and unsigned
// varints and bytes is a uvarint length followed by that many bytes:
//
//	0x00 0x02                  the marker and the version
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
//	        uvarint the key's length unless null, uvarint the value's
//	        length unless null, varint TimestampMs less the batch's
//	        MaxTimestampMs (in two's complement, wrapping), and with
//	        flag 4 a uvarint number of headers, each: bytes key, byte 1
//	        if its value is null or 0 and bytes value;
//	      then the records' keys and values back to back, each
//	      record's key then its value, of the lengths given.
//
// Keeping a batch's keys and values together, after its records, lets a
// reader take them with one copy as the batch's record.Records data
// (record.Framer), and a writer copy each of them once, straight from
// the bytes a client sent (ProduceWriter).
//
// Version 1, which journals written before version 2 hold and which is
// still read, is the same but for a batch's records: each record is its
// byte flags, then bytes key unless null, bytes value unless null,
// varint TimestampMs, and the headers as in version 2.
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
	"slices"

	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/record"
)

// binaryMarker is the first byte of the binary form: no JSON text begins
// with it.
const binaryMarker = 0x00

// Versions of the binary form: binaryVersion is the one this package
// writes; binaryVersionInlineRecords, whose records hold their own keys
// and values, is still read.
const (
	binaryVersionInlineRecords = 1
	binaryVersion              = 2
)

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

// produceHeadMaxBytes bounds a Produce request's binary form before its
// partitions and its transactional id: the varints of CorrelationID,
// the transactional id's length, Acks, TimeoutMs and the number of
// partitions.
const produceHeadMaxBytes = binary.MaxVarintLen32 + binary.MaxVarintLen64 + binary.MaxVarintLen16 + binary.MaxVarintLen32 + binary.MaxVarintLen64

// uvarintBytes and varintBytes are the sizes of an unsigned and a
// signed varint.
func uvarintBytes(x uint64) int { return (bits.Len64(x|1) + 6) / 7 }

func varintBytes(n int64) int { return uvarintBytes(uint64(n<<1) ^ uint64(n>>63)) }

func bytesBytes(s string) int { return uvarintBytes(uint64(len(s))) + len(s) }

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

// Flags of a batch and of a record in the binary form.
const (
	batchTransactional = 1
	batchControl       = 2
	recordKeyNull      = 1
	recordValueNull    = 2
	recordHeaders      = 4
)

// ProducedRecord is one record of a batch as ProduceWriter takes it: its
// key and value are the bytes a client sent, which the writer copies
// into the form and does not keep.
type ProducedRecord struct {
	Key, Value         []byte
	KeyNull, ValueNull bool
	TimestampMs        int64
	// Headers are kept by the request the form decodes to, not copied.
	Headers []record.Header
}

// data returns the record's key and value as the form holds them: a
// null one has no bytes.
func (r *ProducedRecord) data() (key, value []byte) {
	if !r.KeyNull {
		key = r.Key
	}
	if !r.ValueNull {
		value = r.Value
	}
	return key, value
}

// ProduceWriter writes a Produce request in the binary form as a host
// reads a client's batches, so that each key and value is copied once,
// from the client's bytes into the form, and once more, a batch at a
// time, into the string the simulation keeps (Input decodes the form,
// as a replay does). Partitions are added one by one; the request's
// first fields, which end with their number, are written last, in
// front of them, and the input's header in front of those.
type ProduceWriter struct {
	head     protocol.ProduceRequest
	clientID string
	// buffer holds room for the header and the request's first fields,
	// then from partitionsAt the partitions.
	buffer       []byte
	partitionsAt int
	partitions   int
	// listed says the request's list of partitions is not nil (JSON
	// tells a null list from an empty one).
	listed bool
}

// NewProduceWriter begins a Produce request of clientID with the fields
// of head but its partitions (whose being nil or not it keeps), with
// room for sizeHint bytes of partitions.
func NewProduceWriter(clientID string, head *protocol.ProduceRequest, sizeHint int) *ProduceWriter {
	w := &ProduceWriter{head: *head, clientID: clientID, listed: head.Partitions != nil}
	w.head.Partitions = nil
	w.partitionsAt = binaryHeaderMaxBytes + len(clientID) + produceHeadMaxBytes + len(head.TransactionalID)
	w.buffer = make([]byte, w.partitionsAt, w.partitionsAt+max(sizeHint, 0))
	return w
}

// AddPartition adds a partition without a batch.
func (w *ProduceWriter) AddPartition(tp protocol.TopicPartition) {
	w.buffer = slices.Grow(w.buffer, partitionBytes(tp))
	w.buffer = appendBool(w.appendPartition(tp), false)
}

func (w *ProduceWriter) appendPartition(tp protocol.TopicPartition) []byte {
	w.partitions++
	w.listed = true
	dst := appendBytes(w.buffer, tp.Topic)
	return binary.AppendVarint(dst, int64(tp.Partition))
}

// AddBatch adds a partition with a batch: the fields of b but its
// Records, and records. It refuses more records than a batch may hold
// (record.MaxJSONRecords) and keys and values over 4 GiB.
func (w *ProduceWriter) AddBatch(tp protocol.TopicPartition, b *record.Batch, records []ProducedRecord) error {
	if len(records) > record.MaxJSONRecords {
		return fmt.Errorf("gateway: a batch of %d records, more than the %d one may hold", len(records), record.MaxJSONRecords)
	}
	size := partitionBytes(tp) + batchFieldsBytes(b) + uvarintBytes(uint64(len(records)))
	data := 0
	for i := range records {
		size += recordMetaBytes(&records[i], b.MaxTimestampMs)
		key, value := records[i].data()
		data += len(key) + len(value)
	}
	if data > math.MaxUint32 {
		return fmt.Errorf("gateway: a batch of %d bytes of keys and values, more than 4 GiB", data)
	}
	w.buffer = slices.Grow(w.buffer, size+data)
	dst := appendBool(w.appendPartition(tp), true)
	dst = appendBatchFields(dst, b)
	dst = binary.AppendUvarint(dst, uint64(len(records)))
	for i := range records {
		dst = appendRecordMeta(dst, &records[i], b.MaxTimestampMs)
	}
	for i := range records {
		key, value := records[i].data()
		dst = append(dst, key...)
		dst = append(dst, value...)
	}
	w.buffer = dst
	return nil
}

// partitionBytes is the size of a partition in the form, before its
// batch.
func partitionBytes(tp protocol.TopicPartition) int {
	return bytesBytes(tp.Topic) + varintBytes(int64(tp.Partition)) + 1
}

// batchFieldsBytes is the size of a batch's fields in the form, before
// its records.
func batchFieldsBytes(b *record.Batch) int {
	return varintBytes(b.BaseOffset) + varintBytes(int64(b.PartitionLeaderEpoch)) + varintBytes(b.ProducerID) +
		varintBytes(int64(b.ProducerEpoch)) + varintBytes(int64(b.BaseSequence)) + 1 + varintBytes(int64(b.ControlType)) +
		varintBytes(b.MaxTimestampMs) + varintBytes(int64(b.Compression)) + varintBytes(int64(b.SizeBytes))
}

func appendBatchFields(dst []byte, b *record.Batch) []byte {
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
	return dst
}

// recordMetaBytes is the size of a record in the form but its key and
// value.
func recordMetaBytes(r *ProducedRecord, maxTimestampMs int64) int {
	n := 1 + varintBytes(r.TimestampMs-maxTimestampMs)
	if !r.KeyNull {
		n += uvarintBytes(uint64(len(r.Key)))
	}
	if !r.ValueNull {
		n += uvarintBytes(uint64(len(r.Value)))
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

// appendRecordMeta appends a record but its key and value. A null key
// or value has no length, and no bytes in the data.
func appendRecordMeta(dst []byte, r *ProducedRecord, maxTimestampMs int64) []byte {
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
		dst = binary.AppendUvarint(dst, uint64(len(r.Key)))
	}
	if !r.ValueNull {
		dst = binary.AppendUvarint(dst, uint64(len(r.Value)))
	}
	dst = binary.AppendVarint(dst, r.TimestampMs-maxTimestampMs)
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

// finish writes the request's first fields in front of its partitions
// and returns its form. The writer is not used afterwards.
func (w *ProduceWriter) finish() *binaryForm {
	head := make([]byte, 0, produceHeadMaxBytes+len(w.head.TransactionalID))
	head = binary.AppendVarint(head, int64(w.head.CorrelationID))
	head = appendBytes(head, w.head.TransactionalID)
	head = binary.AppendVarint(head, int64(w.head.Acks))
	head = binary.AppendVarint(head, int64(w.head.TimeoutMs))
	head = appendCount(head, w.partitions, !w.listed)
	bodyAt := w.partitionsAt - len(head)
	copy(w.buffer[bodyAt:], head)
	form := &binaryForm{buffer: w.buffer, bodyAt: bodyAt}
	w.buffer = nil
	return form
}

// Input ends the request and returns it as the input of a connection's
// request with correlation, decoded from the form as a replay decodes
// it (Apply applies that). The writer is not used afterwards.
func (w *ProduceWriter) Input(id ConnID, correlation int32, expectResponse bool) (*Input, error) {
	form := w.finish()
	body := form.body()
	decoded, err := decodeProduceBody(body, binaryVersion)
	if err != nil {
		return nil, err
	}
	return &Input{Request: &RequestInput{Connection: id, Correlation: correlation, ClientID: w.clientID, API: "Produce",
		ExpectResponse: expectResponse, binary: body, version: binaryVersion, made: form, decoded: decoded}}, nil
}

// newProduceInput writes a Produce request the simulation made (its
// records already Records) in the binary form, and decodes it back.
func newProduceInput(id ConnID, correlation int32, clientID string, r *protocol.ProduceRequest, expectResponse bool) (*Input, error) {
	w, err := writeProduce(clientID, r)
	if err != nil {
		return nil, err
	}
	return w.Input(id, correlation, expectResponse)
}

// writeProduce writes a Produce request whose records are Records, into
// one allocation of the form's size.
func writeProduce(clientID string, r *protocol.ProduceRequest) (*ProduceWriter, error) {
	batches := make([][]ProducedRecord, len(r.Partitions))
	size := 0
	for i := range r.Partitions {
		p := &r.Partitions[i]
		size += partitionBytes(p.TopicPartition)
		if p.Batch == nil {
			continue
		}
		records := make([]ProducedRecord, 0, p.Batch.Records.Len())
		for _, rec := range p.Batch.Records.All() {
			produced := ProducedRecord{Key: []byte(rec.Key), Value: []byte(rec.Value), KeyNull: rec.KeyNull,
				ValueNull: rec.ValueNull, TimestampMs: rec.TimestampMs, Headers: rec.Headers}
			key, value := produced.data()
			size += recordMetaBytes(&produced, p.Batch.MaxTimestampMs) + len(key) + len(value)
			records = append(records, produced)
		}
		batches[i] = records
		size += batchFieldsBytes(p.Batch) + uvarintBytes(uint64(len(records)))
	}
	w := NewProduceWriter(clientID, r, size)
	for i := range r.Partitions {
		p := &r.Partitions[i]
		if p.Batch == nil {
			w.AddPartition(p.TopicPartition)
			continue
		}
		if err := w.AddBatch(p.TopicPartition, p.Batch, batches[i]); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// appendBinaryHeader appends the binary form of a request input up to
// its body, whose version is version.
func appendBinaryHeader(dst []byte, version byte, atMs int64, r *RequestInput) []byte {
	dst = append(dst, binaryMarker, version, binaryKindProduce)
	dst = binary.AppendVarint(dst, atMs)
	dst = binary.AppendVarint(dst, int64(r.Connection))
	dst = binary.AppendVarint(dst, int64(r.Correlation))
	dst = appendBytes(dst, r.ClientID)
	return appendBool(dst, r.ExpectResponse)
}

// binaryForm is a Produce request written in the binary form by a
// ProduceWriter: its body, written once, after room for the rest of the
// form, which EncodeInput writes in front of it, so that the form is
// never copied.
type binaryForm struct {
	// buffer holds room for the header, then from bodyAt the body.
	buffer []byte
	bodyAt int
	// form is the whole form once written.
	form []byte
}

// body returns the request's body.
func (f *binaryForm) body() []byte { return f.buffer[f.bodyAt:] }

// encode returns the whole form of the input: written in front of the
// body the first time, and the same again while the input is the same;
// a copy if the input changed since (a form once returned never
// changes).
func (f *binaryForm) encode(atMs int64, r *RequestInput) []byte {
	header := appendBinaryHeader(make([]byte, 0, binaryHeaderMaxBytes+len(r.ClientID)), binaryVersion, atMs, r)
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

// binaryReader reads the binary form of a version. Strings it reads are
// copies; a batch's keys and values are one copy, the string its
// Records share. Its first error sticks: later reads give zero values,
// and err says what went wrong first.
type binaryReader struct {
	buffer  []byte
	at      int
	err     error
	version byte
}

func (d *binaryReader) fail(format string, arguments ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("at byte %d: %s", d.at, fmt.Sprintf(format, arguments...))
	}
}

func (d *binaryReader) left() int { return len(d.buffer) - d.at }

func (d *binaryReader) byte() byte {
	if d.err != nil || d.left() < 1 {
		d.fail("%v", errBinaryShort)
		return 0
	}
	d.at++
	return d.buffer[d.at-1]
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

// length reads the length of something that follows later, at most the
// bytes left.
func (d *binaryReader) length(name string) int {
	n := d.uvarint()
	if d.err == nil && n > uint64(d.left()) {
		d.fail("%s of %d bytes, with %d left", name, n, d.left())
	}
	if d.err != nil {
		return 0
	}
	return int(n)
}

// take reads the next n bytes as a string, n at most the bytes left.
func (d *binaryReader) take(n int) string {
	s := string(d.buffer[d.at : d.at+n])
	d.at += n
	return s
}

// bytes reads bytes, as a string.
func (d *binaryReader) bytes(name string) string {
	n := d.length(name)
	if d.err != nil {
		return ""
	}
	return d.take(n)
}

// parseBinary reads an input in the binary form.
func parseBinary(text []byte) (*Input, error) {
	d := &binaryReader{buffer: text}
	d.byte() // the marker
	version := d.byte()
	if d.err == nil && version != binaryVersion && version != binaryVersionInlineRecords {
		return nil, fmt.Errorf("gateway: an input in the binary form of version %d, which this server does not read (it reads versions %d and %d)",
			version, binaryVersionInlineRecords, binaryVersion)
	}
	d.version = version
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
	request.binary, request.version, request.decoded = text[bodyAt:], version, produce
	in.Request = request
	return in, nil
}

// decodeProduceBody reads a Produce request's binary form of version.
func decodeProduceBody(body []byte, version byte) (*protocol.ProduceRequest, error) {
	d := &binaryReader{buffer: body, version: version}
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
	if d.version == binaryVersionInlineRecords {
		b.Records = d.inlineRecords(n)
	} else {
		b.Records = d.records(n, b.MaxTimestampMs)
	}
	if d.err != nil {
		return nil
	}
	return b
}

// records reads n records of version 2: each but its key and value,
// then their keys and values, which become the records' data.
func (d *binaryReader) records(n int, maxTimestampMs int64) record.Records {
	var framer record.Framer
	framer.Grow(n)
	for i := 0; i < n && d.err == nil; i++ {
		flags := d.recordFlags()
		keyNull, valueNull := flags&recordKeyNull != 0, flags&recordValueNull != 0
		keyLength, valueLength := 0, 0
		if !keyNull {
			keyLength = d.length("a key")
		}
		if !valueNull {
			valueLength = d.length("a value")
		}
		timestampMs := maxTimestampMs + d.varint()
		headers := d.headers(flags)
		if d.err == nil && !framer.Add(keyLength, valueLength, timestampMs, keyNull, valueNull, headers) {
			d.fail("keys and values of more than 4 GiB")
		}
	}
	if d.err == nil && framer.DataBytes() > d.left() {
		d.fail("keys and values of %d bytes, with %d left", framer.DataBytes(), d.left())
	}
	if d.err != nil {
		return record.Records{}
	}
	records, _ := framer.Records(d.take(framer.DataBytes()))
	return records
}

// inlineRecords reads n records of version 1, each with its key and
// value.
func (d *binaryReader) inlineRecords(n int) record.Records {
	var builder record.Builder
	builder.Grow(n)
	// The records' keys and values are at most the bytes left.
	builder.GrowData(d.left())
	for i := 0; i < n && d.err == nil; i++ {
		flags := d.recordFlags()
		r := record.Record{KeyNull: flags&recordKeyNull != 0, ValueNull: flags&recordValueNull != 0}
		if !r.KeyNull {
			r.Key = d.bytes("a key")
		}
		if !r.ValueNull {
			r.Value = d.bytes("a value")
		}
		r.TimestampMs = d.varint()
		r.Headers = d.headers(flags)
		builder.Append(&r)
	}
	return builder.Records()
}

func (d *binaryReader) recordFlags() byte {
	flags := d.byte()
	if flags&^(recordKeyNull|recordValueNull|recordHeaders) != 0 {
		d.fail("record flags %#x", flags)
	}
	return flags
}

// headers reads a record's headers, which it has with flag
// recordHeaders.
func (d *binaryReader) headers(flags byte) []record.Header {
	if flags&recordHeaders == 0 {
		return nil
	}
	// A header takes at least 2 bytes: its key's length and whether its
	// value is null.
	n := d.count("headers", 2)
	if d.err == nil && n == 0 {
		d.fail("a record flagged with headers has none")
	}
	if d.err != nil {
		return nil
	}
	headers := make([]record.Header, n)
	for i := range headers {
		h := &headers[i]
		h.Key, h.ValueNull = d.bytes("a header key"), d.bool("whether a header value is null")
		if !h.ValueNull {
			h.Value = d.bytes("a header value")
		}
	}
	return headers
}
