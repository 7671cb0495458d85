package record

import (
	"iter"
	"slices"
)

// Records are the records of one batch in the compact form the log keeps
// them. A plain record (key and value not null, no headers) takes 40 bytes
// and two pointers, its key and value, which are shared with the strings
// the producer was given and never copied; a Record value takes 72 bytes
// and three pointers. The log keeps every record the cluster was sent,
// so this is most of what a long run holds in memory and most of what the
// garbage collector must scan; in WebAssembly, where the collector shares
// the one thread with the simulation and every growth of the linear memory
// is costly, it is most of the cost of storing a record.
//
// Records are immutable: batches and replicas share them as they are. The
// zero value holds no records.
type Records struct {
	entries []entry
	// special holds, one per record, what plain records lack: null flags
	// and headers. It is nil when every record is plain.
	special []special
}

// entry is one record's key, value and timestamp.
type entry struct {
	key, value  string
	timestampMs int64
}

// special is the part of a record that is set only for null keys or
// values and for headers.
type special struct {
	headers   []Header
	keyNull   bool
	valueNull bool
}

// NewRecords returns records in compact form, with exactly the room they
// need. Header slices are shared, not copied.
func NewRecords(records []Record) Records {
	var b Builder
	b.Grow(len(records))
	for i := range records {
		b.Append(&records[i])
	}
	return b.Records()
}

// Len returns the number of records.
func (rs Records) Len() int {
	return len(rs.entries)
}

// At returns record i. It allocates nothing: the strings and the headers
// slice are those the record was built from.
func (rs Records) At(i int) Record {
	e := &rs.entries[i]
	r := Record{Key: e.key, Value: e.value, TimestampMs: e.timestampMs}
	if rs.special != nil {
		s := &rs.special[i]
		r.Headers, r.KeyNull, r.ValueNull = s.headers, s.keyNull, s.valueNull
	}
	return r
}

// All yields each record with its index, in order.
func (rs Records) All() iter.Seq2[int, Record] {
	return func(yield func(int, Record) bool) {
		for i := range rs.entries {
			if !yield(i, rs.At(i)) {
				return
			}
		}
	}
}

// TimestampMs returns record i's timestamp.
func (rs Records) TimestampMs(i int) int64 {
	return rs.entries[i].timestampMs
}

// MaxTimestampMs returns the largest record timestamp, or NoTimestamp when
// there are no records.
func (rs Records) MaxTimestampMs() int64 {
	m := NoTimestamp
	for i := range rs.entries {
		m = max(m, rs.entries[i].timestampMs)
	}
	return m
}

// payloadSizeBytes is PayloadSizeBytes of record i.
func (rs Records) payloadSizeBytes(i int) int32 {
	e := &rs.entries[i]
	if rs.special == nil {
		return bytesFieldSize(e.key, false) + bytesFieldSize(e.value, false) + sizeOfVarint(0)
	}
	s := &rs.special[i]
	return fieldsSizeBytes(e.key, s.keyNull, e.value, s.valueNull, s.headers)
}

// Builder collects records one at a time into Records, as a producer's
// batch fills. Records returns a snapshot: records appended later are not
// in it and never change it.
type Builder struct {
	entries []entry
	special []special
	// maxTimestampMs is the largest timestamp appended.
	maxTimestampMs int64
}

// Grow makes room for records more records, so that appending them
// allocates nothing (unless they are not plain).
func (b *Builder) Grow(records int) {
	b.entries = slices.Grow(b.entries, records)
}

// Len returns the number of records appended.
func (b *Builder) Len() int {
	return len(b.entries)
}

// TimestampMs returns the timestamp of appended record i.
func (b *Builder) TimestampMs(i int) int64 {
	return b.entries[i].timestampMs
}

// MaxTimestampMs returns the largest timestamp appended, as
// Records.MaxTimestampMs would: NoTimestamp when there are no records or
// every timestamp is below it.
func (b *Builder) MaxTimestampMs() int64 {
	if len(b.entries) == 0 {
		return NoTimestamp
	}
	return max(NoTimestamp, b.maxTimestampMs)
}

// Append adds r. Its strings and headers slice are kept, not copied; the
// caller must not modify the headers afterwards. A null key or value keeps
// its string as given, so that At returns r exactly.
func (b *Builder) Append(r *Record) {
	plain := !r.KeyNull && !r.ValueNull && len(r.Headers) == 0
	if !plain && b.special == nil {
		// The first record that is not plain: the records before it
		// were plain.
		b.special = make([]special, len(b.entries), cap(b.entries))
	}
	if b.special != nil {
		b.special = append(b.special, special{headers: r.Headers, keyNull: r.KeyNull, valueNull: r.ValueNull})
	}
	n := len(b.entries)
	if n == 0 || r.TimestampMs > b.maxTimestampMs {
		b.maxTimestampMs = r.TimestampMs
	}
	// Fields are set one by one in the new slot: appending an entry
	// literal copies it in with a bulk write barrier while the collector
	// is marking, which costs more, above all in WebAssembly.
	if n == cap(b.entries) {
		b.entries = slices.Grow(b.entries, 1)
	}
	b.entries = b.entries[:n+1]
	e := &b.entries[n]
	e.key, e.value, e.timestampMs = r.Key, r.Value, r.TimestampMs
}

// Records returns the records appended so far. It copies nothing unless
// the Builder reserved more than twice the room its records take: the
// snapshot then gets its own exact copy, so that a stored batch never
// keeps a mostly empty buffer alive.
func (b *Builder) Records() Records {
	n := len(b.entries)
	rs := Records{entries: b.entries[:n:n]}
	if b.special != nil {
		rs.special = b.special[:n:n]
	}
	if cap(b.entries) > 2*n {
		rs.entries = slices.Clone(rs.entries)
		rs.special = slices.Clone(rs.special)
	}
	return rs
}
