package record

import (
	"reflect"
	"testing"
)

func TestRecordsSnapshotRoundTrip(t *testing.T) {
	plain := NewRecords([]Record{{Key: "k", Value: "v", TimestampMs: 5}, {Key: "", Value: "x", TimestampMs: -1}})
	mixed := NewRecords([]Record{
		{Key: "a", Value: "1", TimestampMs: 1},
		{KeyNull: true, ValueNull: true, TimestampMs: 2},
		{Key: "b", Value: "2", Headers: []Header{{Key: "h", Value: "v"}, {Key: "n", ValueNull: true}}, TimestampMs: 3},
	})
	for _, rs := range []Records{{}, plain, mixed} {
		data, err := rs.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var back Records
		if err := back.UnmarshalBinary(data); err != nil {
			t.Fatal(err)
		}
		if back.Len() != rs.Len() {
			t.Fatalf("%d records back of %d", back.Len(), rs.Len())
		}
		for i := range rs.Len() {
			if !reflect.DeepEqual(back.At(i), rs.At(i)) {
				t.Errorf("record %d: %+v, want %+v", i, back.At(i), rs.At(i))
			}
		}
		for cut := 0; cut < len(data); cut++ {
			if err := back.UnmarshalBinary(data[:cut]); err == nil {
				t.Errorf("%d of %d bytes decoded", cut, len(data))
			}
		}
	}
	var b Builder
	b.Append(&Record{Key: "k", Value: "v", TimestampMs: 9})
	b.Append(&Record{ValueNull: true, TimestampMs: 4})
	data, _ := b.MarshalBinary()
	var back Builder
	if err := back.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if back.Len() != 2 || back.MaxTimestampMs() != 9 || !reflect.DeepEqual(back.Records().At(1), b.Records().At(1)) {
		t.Errorf("builder came back as %+v", back)
	}
}
