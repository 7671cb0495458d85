package record

import (
	"reflect"
	"testing"
)

// TestSlabTake checks that the room a Slab hands out is empty, exactly as
// large as asked, carved from blocks that double up to the limit (or
// larger when asked for more), and never overlaps other room.
func TestSlabTake(t *testing.T) {
	var s Slab
	var rooms [][]entry
	for _, n := range []int{100, 100, 100, 300, 5000, 2000, 2000, 2000} {
		room := s.take(n, 4096)
		if len(room) != 0 || cap(room) != n {
			t.Fatalf("take(%d): len %d cap %d", n, len(room), cap(room))
		}
		rooms = append(rooms, room[:n])
	}
	if s.blockEntries != 4096 {
		t.Errorf("blocks grew to %d entries, want the limit 4096", s.blockEntries)
	}
	// Fill every room with its own mark and check that no other room
	// sees it.
	for i, room := range rooms {
		for j := range room {
			room[j].timestampMs = int64(i)
		}
	}
	for i, room := range rooms {
		for j := range room {
			if room[j].timestampMs != int64(i) {
				t.Fatalf("room %d entry %d overwritten by room %d", i, j, room[j].timestampMs)
			}
		}
	}
}

// TestBuilderFromSlab checks that Builders taking room from one Slab keep
// their records apart, even when one outgrows its room, and that a
// snapshot does not keep a mostly unused room.
func TestBuilderFromSlab(t *testing.T) {
	var s Slab
	builders := make([]Builder, 3)
	for i := range builders {
		builders[i].entries = s.take(4, 64)
	}
	var want [3][]Record
	for round := 0; round < 6; round++ {
		for i := range builders {
			r := Record{Key: string(rune('a' + i)), Value: string(rune('0' + round)), TimestampMs: int64(round)}
			builders[i].Append(&r)
			want[i] = append(want[i], r)
		}
	}
	for i := range builders {
		rs := builders[i].Records()
		for j, r := range want[i] {
			if got := rs.At(j); !reflect.DeepEqual(got, r) {
				t.Errorf("builder %d record %d = %+v, want %+v", i, j, got, r)
			}
		}
	}
	var small Builder
	small.entries = s.take(50, 64)
	small.Append(&Record{Key: "k"})
	if rs := small.Records(); cap(rs.entries) != 1 {
		t.Errorf("snapshot of 1 record in room for 50 keeps capacity %d", cap(rs.entries))
	}
}
