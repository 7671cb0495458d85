package record

import (
	"reflect"
	"strings"
	"testing"
)

// sampleRecords covers every shape a field can take: null, empty and
// non-empty keys and values (a null one even with a string, which must
// come back as given), headers with null, empty and non-empty values,
// plain records before and between records that are not, and timestamps
// out of order.
func sampleRecords() []Record {
	return []Record{
		{Key: "k0", Value: "v0", TimestampMs: 1000},
		{Key: "k1", Value: "v1", TimestampMs: 1000},
		{KeyNull: true, Value: "only a value", TimestampMs: 1003},
		{Key: "tombstone", ValueNull: true, TimestampMs: 999},
		{KeyNull: true, ValueNull: true, TimestampMs: 1001},
		{Key: "odd", KeyNull: true, Value: "odd", ValueNull: true, TimestampMs: 1001},
		{Key: "", Value: "", TimestampMs: 1002},
		{Key: "h", Value: "with headers", TimestampMs: 1002, Headers: []Header{
			{Key: "a", Value: "x"}, {Key: "n", ValueNull: true}, {Key: "e", Value: ""}}},
		{Key: "after", Value: "headers", TimestampMs: 1004},
		{Key: "last", Value: strings.Repeat("v", 300), TimestampMs: 1004, Headers: []Header{{Key: "b", Value: "y"}}},
	}
}

func TestRecordsRoundTrip(t *testing.T) {
	records := sampleRecords()
	rs := NewRecords(records)
	if rs.Len() != len(records) {
		t.Fatalf("Len = %d, want %d", rs.Len(), len(records))
	}
	for i := range records {
		if got := rs.At(i); !reflect.DeepEqual(got, records[i]) {
			t.Errorf("At(%d) = %+v, want %+v", i, got, records[i])
		}
		if got := rs.TimestampMs(i); got != records[i].TimestampMs {
			t.Errorf("TimestampMs(%d) = %d, want %d", i, got, records[i].TimestampMs)
		}
	}
	count := 0
	for i, r := range rs.All() {
		if i != count || !reflect.DeepEqual(r, records[i]) {
			t.Errorf("All yielded %d %+v, want %d %+v", i, r, count, records[i])
		}
		count++
	}
	if count != len(records) {
		t.Errorf("All yielded %d records, want %d", count, len(records))
	}
	if got := NewRecords(records[:2]); got.special != nil {
		t.Errorf("plain records have special %v", got.special)
	}
	if got := rs.MaxTimestampMs(); got != 1004 {
		t.Errorf("MaxTimestampMs = %d, want 1004", got)
	}
	if got := (Records{}).MaxTimestampMs(); got != NoTimestamp {
		t.Errorf("empty MaxTimestampMs = %d, want NoTimestamp", got)
	}
}

// TestRecordsSizeMatchesRecord checks that a batch's size computed from its
// compact records is the sum of RecordSizeInBytes over the Record values.
func TestRecordsSizeMatchesRecord(t *testing.T) {
	records := sampleRecords()
	want := int32(BatchOverheadBytes)
	for i := range records {
		want += RecordSizeInBytes(int32(i), records[i].TimestampMs-records[0].TimestampMs, &records[i])
	}
	if got := NewBatch(records).SizeBytes; got != want {
		t.Errorf("SizeBytes = %d, want %d", got, want)
	}
}

// TestBuilderSnapshots checks that Records taken from a Builder never
// change when more records are appended afterwards, whether the snapshot
// shares the Builder's buffers or copies them.
func TestBuilderSnapshots(t *testing.T) {
	records := sampleRecords()
	for _, reserve := range []int{0, 4, 1 << 12} {
		var b Builder
		b.Grow(reserve)
		if got := b.MaxTimestampMs(); got != NoTimestamp {
			t.Fatalf("empty Builder MaxTimestampMs = %d", got)
		}
		var snapshots []Records
		for i := range records {
			b.Append(&records[i])
			if got, want := b.MaxTimestampMs(), NewRecords(records[:i+1]).MaxTimestampMs(); got != want {
				t.Fatalf("reserve %d: MaxTimestampMs %d after %d appends, want %d", reserve, got, i+1, want)
			}
			if b.Len() != i+1 || b.TimestampMs(i) != records[i].TimestampMs {
				t.Fatalf("reserve %d: Len %d, TimestampMs(%d) %d after %d appends", reserve, b.Len(), i, b.TimestampMs(i), i+1)
			}
			snapshots = append(snapshots, b.Records())
		}
		for n, rs := range snapshots {
			if rs.Len() != n+1 {
				t.Fatalf("reserve %d: snapshot %d has %d records", reserve, n, rs.Len())
			}
			for i := 0; i <= n; i++ {
				if got := rs.At(i); !reflect.DeepEqual(got, records[i]) {
					t.Errorf("reserve %d: snapshot %d record %d = %+v, want %+v", reserve, n, i, got, records[i])
				}
			}
		}
	}
}

// TestBuilderTrimsWaste checks that a snapshot of a Builder that reserved
// far more room than its records use does not keep that room.
func TestBuilderTrimsWaste(t *testing.T) {
	var b Builder
	b.Grow(1000)
	b.Append(&Record{Key: "k", Value: "v"})
	b.Append(&Record{Key: "k", ValueNull: true})
	rs := b.Records()
	if cap(rs.entries) != 2 || cap(rs.special) != 2 {
		t.Errorf("snapshot keeps capacity %d and %d", cap(rs.entries), cap(rs.special))
	}
	if got := rs.At(1); got.Key != "k" || !got.ValueNull {
		t.Errorf("trimmed snapshot record 1 = %+v", got)
	}
}

// TestMaxTimestampBelowNoTimestamp checks that the largest timestamp is
// never below NoTimestamp, as when it was computed from NoTimestamp up
// (the simulated clock is negative while a cluster boots).
func TestMaxTimestampBelowNoTimestamp(t *testing.T) {
	var b Builder
	for _, ts := range []int64{-5, -9, -2} {
		b.Append(&Record{TimestampMs: ts})
		if got, want := b.MaxTimestampMs(), b.Records().MaxTimestampMs(); got != NoTimestamp || want != NoTimestamp {
			t.Errorf("after %d: Builder %d, Records %d, want NoTimestamp", ts, got, want)
		}
	}
}

// TestFramerMatchesBuilder: records framed over their keys and values
// laid back to back are the Records a Builder makes of them, field for
// field; data of another length, or a null key or value with bytes, is
// refused.
func TestFramerMatchesBuilder(t *testing.T) {
	var records []Record
	for _, r := range sampleRecords() {
		if r.KeyNull {
			r.Key = "" // the journal form gives a null key no bytes
		}
		if r.ValueNull {
			r.Value = ""
		}
		records = append(records, r)
	}
	for _, n := range []int{0, 1, 2, len(records)} {
		want := NewRecords(records[:n])
		var f Framer
		f.Grow(n)
		var data strings.Builder
		for _, r := range records[:n] {
			if !f.Add(len(r.Key), len(r.Value), r.TimestampMs, r.KeyNull, r.ValueNull, r.Headers) {
				t.Fatalf("%d records: %+v was refused", n, r)
			}
			data.WriteString(r.Key)
			data.WriteString(r.Value)
		}
		if f.DataBytes() != data.Len() || f.Len() != n {
			t.Fatalf("%d records: the framer counts %d records of %d bytes, want %d of %d", n, f.Len(), f.DataBytes(), n, data.Len())
		}
		if _, ok := f.Records(data.String() + "x"); ok {
			t.Fatalf("%d records: data a byte too long was taken", n)
		}
		text := data.String()
		got, ok := f.Records(text)
		if !ok || !reflect.DeepEqual(got, want) {
			t.Fatalf("%d records: framed %+v, built %+v", n, got, want)
		}
	}
	var f Framer
	if f.Add(1, 0, 0, true, false, nil) || f.Add(0, 1, 0, false, true, nil) || f.Add(-1, 0, 0, false, false, nil) {
		t.Fatal("a null key or value with bytes, or a negative length, was framed")
	}
}
