package record

import (
	"iter"
	"math"
	"slices"
)

// Records are the records of one batch in the compact form the log keeps
// them: the keys and values of all of them back to back in one string,
// and per record the ends of its key and value in it and its timestamp,
// 16 bytes without a pointer. The log keeps every record the cluster was
// sent, so this is most of what a long run holds in memory and most of
// what the garbage collector would have to scan; with no pointer per
// record it scans one string per batch instead. That matters most in
// WebAssembly, where the collector shares the one thread with the
// simulation: keeping each record's key and value as strings of their
// own cost a fifth of a produce run's time there in collection. The
// price is one copy of each key and value as a batch fills.
//
// Records are immutable: batches and replicas share them as they are. The
// zero value holds no records.
type Records struct {
	// data holds each record's key, then its value, record after record.
	data    string
	entries []entry
	// special holds, one per record, what plain records lack: null flags
	// and headers. It is nil when every record is plain.
	special []special
}

// entry is one record's place in data and its timestamp: its key ends
// at keyEnd and its value at valueEnd; its key begins where the record
// before it ended (at 0 for the first).
type entry struct {
	keyEnd, valueEnd uint32
	timestampMs      int64
}

// special is the part of a record that is set only for null keys or
// values and for headers.
type special struct {
	headers   []Header
	keyNull   bool
	valueNull bool
}

// bounds returns where record i's key begins and ends, and where its
// value ends.
func bounds(entries []entry, i int) (keyStart, keyEnd, valueEnd uint32) {
	if i > 0 {
		keyStart = entries[i-1].valueEnd
	}
	return keyStart, entries[i].keyEnd, entries[i].valueEnd
}

// NewRecords returns records in compact form, with exactly the room they
// need. Header slices are shared, not copied.
func NewRecords(records []Record) Records {
	var b Builder
	b.Grow(len(records))
	bytes := 0
	for i := range records {
		bytes += len(records[i].Key) + len(records[i].Value)
	}
	b.GrowData(bytes)
	for i := range records {
		b.Append(&records[i])
	}
	return b.Records()
}

// Len returns the number of records.
func (rs Records) Len() int {
	return len(rs.entries)
}

// At returns record i. It allocates nothing: its key and value are
// substrings of the batch's, and its headers slice is the one the record
// was built from.
func (rs Records) At(i int) Record {
	keyStart, keyEnd, valueEnd := bounds(rs.entries, i)
	r := Record{Key: rs.data[keyStart:keyEnd], Value: rs.data[keyEnd:valueEnd], TimestampMs: rs.entries[i].timestampMs}
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
	keyStart, keyEnd, valueEnd := bounds(rs.entries, i)
	if rs.special == nil {
		return lengthFieldSize(int32(keyEnd-keyStart), false) + lengthFieldSize(int32(valueEnd-keyEnd), false) + sizeOfVarint(0)
	}
	s := &rs.special[i]
	return fieldsSizeBytes(rs.data[keyStart:keyEnd], s.keyNull, rs.data[keyEnd:valueEnd], s.valueNull, s.headers)
}

// Builder collects records one at a time into Records, as a producer's
// batch fills. Records returns a snapshot: records appended later are not
// in it and never change it.
type Builder struct {
	// data is Records.data as it fills.
	data    []byte
	entries []entry
	special []special
	// slab, when the Builder grew from one (GrowFrom), takes data back
	// once Records sealed it into sealed; an Append after that opens the
	// Builder again.
	slab   *Slab
	sealed *Records
	// maxTimestampMs is the largest timestamp appended.
	maxTimestampMs int64
}

// Grow makes room for records more records, so that appending them
// allocates nothing (unless they are not plain).
func (b *Builder) Grow(records int) {
	b.entries = slices.Grow(b.entries, records)
}

// GrowData makes room for bytes more bytes of keys and values, so that
// a batch filling to about that size copies them once.
func (b *Builder) GrowData(bytes int) {
	b.data = slices.Grow(b.data, bytes)
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
	if b.sealed != nil {
		// Sealed, and appended to again: gather the data anew.
		b.data, b.sealed = append(b.data, b.sealed.data...), nil
	}
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
	if len(b.data)+len(r.Key)+len(r.Value) > math.MaxUint32 {
		panic("record: a batch of more than 4 GiB of keys and values")
	}
	b.data = append(b.data, r.Key...)
	keyEnd := uint32(len(b.data))
	b.data = append(b.data, r.Value...)
	b.entries = append(b.entries, entry{keyEnd: keyEnd, valueEnd: uint32(len(b.data)), timestampMs: r.TimestampMs})
}

// Records returns the records appended so far: their keys and values
// copied into one string, their entries shared unless the Builder
// reserved more than twice the room they take (the snapshot then gets
// its own exact copy, so that a stored batch never keeps a mostly empty
// buffer alive).
func (b *Builder) Records() Records {
	if b.sealed != nil {
		return *b.sealed
	}
	n := len(b.entries)
	rs := Records{data: string(b.data), entries: b.entries[:n:n]}
	if b.special != nil {
		rs.special = b.special[:n:n]
	}
	if cap(b.entries) > 2*n {
		rs.entries = slices.Clone(rs.entries)
		rs.special = slices.Clone(rs.special)
	}
	if b.slab != nil {
		// Sealed: the data buffer goes back to the slab for the next
		// batch, and the records are kept for the next call.
		b.slab.giveBack(b.data)
		b.data, b.sealed = nil, &rs
	}
	return rs
}

// Framer builds Records over keys and values that arrive already back to
// back in one buffer, each record's key then its value, as the Kafka
// gateway's journal form keeps a batch: each record is described by the
// lengths of its key and value (Add), and the buffer, given last
// (Records), becomes the records' data as it is. Decoding a batch that
// way copies its keys and values once, into the string of the buffer,
// where a Builder copies each of them into its data and then the data
// into a string.
type Framer struct {
	entries []entry
	special []special
	// end is where the next record's key begins: the data bytes framed.
	end uint32
}

// Grow makes room for records more records.
func (f *Framer) Grow(records int) {
	f.entries = slices.Grow(f.entries, records)
}

// Add frames the next record: its key is the next keyLength bytes of
// the data, its value the valueLength bytes after them. A null key or
// value has length 0. The headers slice is kept, not copied. False when
// the data of all records would pass 4 GiB.
func (f *Framer) Add(keyLength, valueLength int, timestampMs int64, keyNull, valueNull bool, headers []Header) bool {
	if keyLength < 0 || valueLength < 0 || uint64(f.end)+uint64(keyLength)+uint64(valueLength) > math.MaxUint32 ||
		(keyNull && keyLength > 0) || (valueNull && valueLength > 0) {
		return false
	}
	plain := !keyNull && !valueNull && len(headers) == 0
	if !plain && f.special == nil {
		f.special = make([]special, len(f.entries), cap(f.entries))
	}
	if f.special != nil {
		f.special = append(f.special, special{headers: headers, keyNull: keyNull, valueNull: valueNull})
	}
	keyEnd := f.end + uint32(keyLength)
	f.end = keyEnd + uint32(valueLength)
	f.entries = append(f.entries, entry{keyEnd: keyEnd, valueEnd: f.end, timestampMs: timestampMs})
	return true
}

// Len returns the number of records framed.
func (f *Framer) Len() int { return len(f.entries) }

// DataBytes returns the bytes of keys and values the records framed so
// far take: the length Records wants its data to have.
func (f *Framer) DataBytes() int { return int(f.end) }

// Records returns the framed records over data, which holds their keys
// and values back to back; false unless it is exactly DataBytes long.
// The Framer is empty afterwards.
func (f *Framer) Records(data string) (Records, bool) {
	if len(data) != int(f.end) {
		return Records{}, false
	}
	n := len(f.entries)
	rs := Records{data: data, entries: f.entries[:n:n]}
	if f.special != nil {
		rs.special = f.special[:n:n]
	}
	if cap(f.entries) > 2*n {
		rs.entries = slices.Clone(rs.entries)
		rs.special = slices.Clone(rs.special)
	}
	*f = Framer{}
	return rs, true
}
