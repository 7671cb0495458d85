package record

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/kafka-playground/playground/core/snapshot"
)

// Records and Builders write themselves into a state snapshot
// (core/snapshot) as their records, not as their memory: how entries sit
// in memory is the allocator's business (slab blocks in WebAssembly, one
// allocation per batch natively), and a snapshot must be the same bytes
// on every platform. Records are immutable, so nothing can tell a batch
// read back with arrays of its own from the one that shared a block.

func init() {
	snapshot.RegisterFormat("core/record Records and Builder: records, 1")
}

// MarshalBinary returns the records in the snapshot's form.
func (rs Records) MarshalBinary() ([]byte, error) {
	return appendRecords(nil, rs), nil
}

// UnmarshalBinary reads records MarshalBinary wrote.
func (rs *Records) UnmarshalBinary(data []byte) error {
	var b Builder
	rest, err := readRecords(data, &b)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return fmt.Errorf("record: %d bytes after the records", len(rest))
	}
	*rs = b.Records()
	return nil
}

// MarshalBinary returns the records appended so far, in the snapshot's
// form, and the largest timestamp.
func (b *Builder) MarshalBinary() ([]byte, error) {
	rs := Records{data: string(b.data), entries: b.entries, special: b.special}
	if b.sealed != nil {
		rs = *b.sealed
	}
	return binary.AppendVarint(appendRecords(nil, rs), b.maxTimestampMs), nil
}

// UnmarshalBinary reads a Builder MarshalBinary wrote.
func (b *Builder) UnmarshalBinary(data []byte) error {
	*b = Builder{}
	rest, err := readRecords(data, b)
	if err != nil {
		return err
	}
	maxTimestampMs, n := binary.Varint(rest)
	if n <= 0 || n != len(rest) {
		return errors.New("record: a builder without its largest timestamp")
	}
	b.maxTimestampMs = maxTimestampMs
	return nil
}

const (
	flagKeyNull = 1 << iota
	flagValueNull
	flagHeaderValueNull = 1
)

func appendString(out []byte, s string) []byte {
	out = binary.AppendUvarint(out, uint64(len(s)))
	return append(out, s...)
}

func appendRecords(out []byte, rs Records) []byte {
	out = binary.AppendUvarint(out, uint64(rs.Len()))
	for i := range rs.entries {
		keyStart, keyEnd, valueEnd := bounds(rs.entries, i)
		out = appendString(out, rs.data[keyStart:keyEnd])
		out = appendString(out, rs.data[keyEnd:valueEnd])
		out = binary.AppendVarint(out, rs.entries[i].timestampMs)
	}
	if rs.special == nil {
		return append(out, 0)
	}
	out = append(out, 1)
	for i := range rs.special {
		s := &rs.special[i]
		var flags byte
		if s.keyNull {
			flags |= flagKeyNull
		}
		if s.valueNull {
			flags |= flagValueNull
		}
		out = append(out, flags)
		out = binary.AppendUvarint(out, uint64(len(s.headers)))
		for _, h := range s.headers {
			out = appendString(out, h.Key)
			out = appendString(out, h.Value)
			flags = 0
			if h.ValueNull {
				flags = flagHeaderValueNull
			}
			out = append(out, flags)
		}
	}
	return out
}

// reader reads the snapshot form, every length checked against what is
// left.
type reader struct {
	data []byte
	err  error
}

var errShort = errors.New("record: the snapshot of records ends early")

func (r *reader) uvarint() uint64 { return readNumber(r, binary.Uvarint) }
func (r *reader) varint() int64   { return readNumber(r, binary.Varint) }

// readNumber reads one varint with decode.
func readNumber[T int64 | uint64](r *reader, decode func([]byte) (T, int)) T {
	if r.err != nil {
		return 0
	}
	x, n := decode(r.data)
	if n <= 0 {
		r.err = errShort
		return 0
	}
	r.data = r.data[n:]
	return x
}

func (r *reader) byte() byte {
	if r.err != nil || len(r.data) == 0 {
		r.err = errShort
		return 0
	}
	b := r.data[0]
	r.data = r.data[1:]
	return b
}

func (r *reader) string() string {
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.data)) {
		r.err = errShort
		return ""
	}
	s := string(r.data[:n])
	r.data = r.data[n:]
	return s
}

// count reads a count of items that take at least min bytes each.
func (r *reader) count(min int) int {
	n := r.uvarint()
	if r.err == nil && n > uint64(len(r.data)/min) {
		r.err = fmt.Errorf("record: %d items where at most %d can follow", n, len(r.data)/min)
	}
	if r.err != nil {
		return 0
	}
	return int(n)
}

// readRecords appends the records of the snapshot form to b and returns
// the bytes after them.
func readRecords(data []byte, b *Builder) ([]byte, error) {
	r := &reader{data: data}
	records := make([]Record, r.count(3))
	for i := range records {
		records[i] = Record{Key: r.string(), Value: r.string(), TimestampMs: r.varint()}
	}
	switch r.byte() {
	case 0:
	case 1:
		for i := range records {
			flags := r.byte()
			records[i].KeyNull, records[i].ValueNull = flags&flagKeyNull != 0, flags&flagValueNull != 0
			if n := r.count(3); n > 0 {
				records[i].Headers = make([]Header, n)
				for j := range records[i].Headers {
					h := &records[i].Headers[j]
					h.Key, h.Value = r.string(), r.string()
					h.ValueNull = r.byte()&flagHeaderValueNull != 0
				}
			}
		}
	default:
		if r.err == nil {
			r.err = errors.New("record: a bad flag in the snapshot of records")
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	b.Grow(len(records))
	for i := range records {
		b.Append(&records[i])
	}
	return r.data, nil
}
