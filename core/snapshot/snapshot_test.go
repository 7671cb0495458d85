package snapshot

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// The test's own types, registered as tools/snapgen would register them.

type node struct {
	name     string
	peers    []*node
	parent   *node
	counts   map[string]int64
	message  any
	shared   map[int32]bool
	weight   float64
	Exported string
	inline   inner
	list     []inner
	array    [3]int16
	raw      []byte
	hook     func() `snapshot:"-"`
}

type inner struct {
	flag bool
	id   uint32
}

type timer struct{ token uint64 }

type code int16

type withFunc struct {
	callback func()
}

type holder struct {
	items []inner
	item  *inner
}

type seeded struct {
	pcg *rand.PCG
}

type viewsByName struct {
	byName map[string][]inner
}

func init() {
	Register((*node)(nil), func(p any, f []any) []any {
		x := p.(*node)
		return append(f, &x.name, &x.peers, &x.parent, &x.counts, &x.message, &x.shared, &x.weight, &x.Exported,
			&x.inline, &x.list, &x.array, &x.raw, &x.hook)
	})
	Register((*inner)(nil), func(p any, f []any) []any { x := p.(*inner); return append(f, &x.flag, &x.id) })
	Register((*timer)(nil), func(p any, f []any) []any { x := p.(*timer); return append(f, &x.token) })
	RegisterType((*code)(nil))
	Register((*withFunc)(nil), func(p any, f []any) []any { x := p.(*withFunc); return append(f, &x.callback) })
	Register((*holder)(nil), func(p any, f []any) []any { x := p.(*holder); return append(f, &x.items, &x.item) })
	Register((*seeded)(nil), func(p any, f []any) []any { x := p.(*seeded); return append(f, &x.pcg) })
	Register((*viewsByName)(nil), func(p any, f []any) []any { x := p.(*viewsByName); return append(f, &x.byName) })
}

// graph is a state with sharing, a cycle, maps, interfaces of several
// kinds and every scalar kind the codec writes.
func graph() *node {
	shared := map[int32]bool{1: true, 7: false}
	root := &node{name: "root", counts: map[string]int64{"a": 1, "b": -2, "c": 1 << 40}, shared: shared, weight: 0.5,
		Exported: "yes", inline: inner{flag: true, id: 9}, list: []inner{{id: 1}, {flag: true, id: 2}}, array: [3]int16{-1, 0, 1},
		raw: []byte{0, 1, 2, 255}, message: timer{token: 42}}
	a := &node{name: "a", parent: root, shared: shared, message: code(6)}
	b := &node{name: "b", parent: root, peers: []*node{a}, message: &timer{token: 7}}
	a.peers = []*node{b, a}
	root.peers = []*node{a, b}
	return root
}

func TestRoundTripKeepsValuesSharingAndCycles(t *testing.T) {
	root := graph()
	data, err := Encode(root)
	if err != nil {
		t.Fatal(err)
	}
	var back node
	if err := Decode(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(root, &back) {
		t.Fatalf("decoded state differs:\n%#v\n%#v", root, &back)
	}
	a, b := back.peers[0], back.peers[1]
	if a.parent != &back || b.parent != &back || a.peers[1] != a || b.peers[0] != a {
		t.Error("pointers to one object came back as different objects")
	}
	a.shared[99] = true
	if !back.shared[99] {
		t.Error("one map held in two places came back as two maps")
	}
	if _, ok := b.message.(*timer); !ok {
		t.Errorf("interface holding *timer came back as %T", b.message)
	}
	delete(a.shared, 99)
	again, err := Encode(&back)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, again) {
		t.Error("encoding the decoded state gives other bytes")
	}
}

func TestSameStateSameBytes(t *testing.T) {
	// Maps filled in different orders (and Go's random iteration order)
	// must not reach the bytes.
	one, two := graph(), graph()
	one.counts, two.counts = map[string]int64{}, map[string]int64{}
	for i := 0; i < 100; i++ {
		one.counts[string(rune('a'+i%26))+strings.Repeat("x", i)] = int64(i)
		two.counts[string(rune('a'+(99-i)%26))+strings.Repeat("x", 99-i)] = int64(99 - i)
	}
	first, err := Encode(one)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		other, err := Encode(two)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, other) {
			t.Fatal("equal states gave different bytes")
		}
	}
}

func TestHooksAreLeftOutAndStayAsTheHostSetThem(t *testing.T) {
	root := graph()
	called := false
	root.hook = func() { called = true }
	data, err := Encode(root)
	if err != nil {
		t.Fatal(err)
	}
	var back node
	back.hook = func() {}
	if err := Decode(data, &back); err != nil {
		t.Fatal(err)
	}
	if back.hook == nil || called {
		t.Error("a field tagged snapshot:\"-\" was overwritten or called")
	}
}

func TestFuncValueIsRefusedWithItsPath(t *testing.T) {
	_, err := Encode(&holderOfFunc{inner: []withFunc{{}, {callback: func() {}}}})
	if err == nil || !strings.Contains(err.Error(), ".inner[1].callback") || !strings.Contains(err.Error(), "func value") {
		t.Fatalf("got %v, want an error naming .inner[1].callback", err)
	}
	if _, err := Encode(&holderOfFunc{inner: []withFunc{{}}}); err != nil {
		t.Errorf("a nil func is data: %v", err)
	}
}

type holderOfFunc struct{ inner []withFunc }

func init() {
	Register((*holderOfFunc)(nil), func(p any, f []any) []any { x := p.(*holderOfFunc); return append(f, &x.inner) })
}

func TestInteriorPointersKeepTheirPlace(t *testing.T) {
	h := &holder{items: make([]inner, 2, 8)}
	h.items[0].id, h.items[1].id = 1, 2
	h.item = &h.items[1]
	back := roundTrip(t, h)
	back.item.id = 20
	if back.items[1].id != 20 {
		t.Error("a pointer into a slice kept beside it came back pointing elsewhere")
	}
	if cap(back.items) != 8 || len(back.items) != 2 {
		t.Errorf("the slice came back with length %d and capacity %d", len(back.items), cap(back.items))
	}
	// A pointer past the slice's length (a slab's next free place).
	h.item = &h.items[:3][2]
	h.item.id = 3
	back = roundTrip(t, h)
	if back.item.id != 3 || &back.items[:3][2] != back.item {
		t.Error("a pointer past the length came back elsewhere or without its value")
	}
	// A pointer into a struct held by another pointer, written first.
	n := &node{inline: inner{id: 5}}
	n.message = &n.inline
	nb := roundTrip(t, n)
	if p, ok := nb.message.(*inner); !ok || p != &nb.inline || p.id != 5 {
		t.Errorf("a pointer to a field came back as %#v", nb.message)
	}
}

func roundTrip[T any](t *testing.T, x *T) *T {
	t.Helper()
	data, err := Encode(x)
	if err != nil {
		t.Fatal(err)
	}
	back := new(T)
	if err := Decode(data, back); err != nil {
		t.Fatal(err)
	}
	again, err := Encode(back)
	if err != nil || !bytes.Equal(again, data) {
		t.Fatalf("the decoded state encodes to other bytes (%v)", err)
	}
	return back
}

func TestViewsOfOneArrayStayOneArray(t *testing.T) {
	all := []inner{{id: 1}, {id: 2}, {id: 3}}
	views := &node{list: all[1:], parent: &node{list: all}}
	back := roundTrip(t, views)
	back.parent.list[2].id = 30
	if back.list[1].id != 30 {
		t.Error("two views of one array came back as two arrays")
	}
	same := roundTrip(t, &node{list: all, parent: &node{list: all}})
	same.list[0].id = 100
	if same.parent.list[0].id != 100 {
		t.Error("one slice held in two places came back as two arrays")
	}
	disjoint := roundTrip(t, &node{list: all[:1:1], parent: &node{list: all[1:]}})
	if disjoint.list[0].id != 1 || disjoint.parent.list[1].id != 3 {
		t.Error("two views that do not overlap lost their elements")
	}
	partial := &node{list: all[0:2:2], parent: &node{list: all[1:3]}}
	if _, err := Encode(partial); err == nil || !strings.Contains(err.Error(), "neither contains the other") {
		t.Errorf("two views that overlap in part: got %v, want a refusal", err)
	}
}

// TestViewsOfOneLengthApartSameBytes holds, in a map, views of one array
// that start at one place and differ only in length. Encode walks maps
// in Go's random order; which view contains the others must not depend
// on that walk, or one state gives several snapshots.
func TestViewsOfOneLengthApartSameBytes(t *testing.T) {
	all := make([]inner, 6)
	for i := range all {
		all[i].id = uint32(i)
	}
	state := &viewsByName{byName: map[string][]inner{}}
	for n := 1; n <= len(all); n++ {
		state.byName[strings.Repeat("v", n)] = all[:n]
	}
	first := roundTrip(t, state)
	first.byName["v"][0].id = 100
	if first.byName["vvvvvv"][0].id != 100 {
		t.Error("views of one array came back as several arrays")
	}
	want, err := Encode(state)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		if got, err := Encode(state); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("encoding %d of one state gave other bytes (%v)", i+2, err)
		}
	}
}

func TestStaleAccessorIsCaught(t *testing.T) {
	type later struct{ a, b int }
	Register((*later)(nil), func(p any, f []any) []any { x := p.(*later); return append(f, &x.a) })
	if _, err := Encode(&later{}); err == nil || !strings.Contains(err.Error(), "lists 1 fields where 2 are declared") {
		t.Fatalf("got %v, want the stale accessor named", err)
	}
	type swapped struct{ a, b int }
	Register((*swapped)(nil), func(p any, f []any) []any { x := p.(*swapped); return append(f, &x.b, &x.a) })
	if _, err := Encode(&swapped{}); err == nil || !strings.Contains(err.Error(), "does not list field a") {
		t.Fatalf("got %v, want the misordered accessor named", err)
	}
}

func TestUnregisteredTypesAreNamed(t *testing.T) {
	type local struct{ x int }
	if _, err := Encode(&node{message: local{}}); err == nil || !strings.Contains(err.Error(), "not registered") {
		t.Fatalf("got %v", err)
	}
	type hidden struct{ x int }
	if _, err := Encode(&struct{ H hidden }{}); err == nil || !strings.Contains(err.Error(), "not registered") {
		t.Fatalf("got %v", err)
	}
}

func TestBinaryMarshalerKeepsPRNGState(t *testing.T) {
	s := &seeded{pcg: rand.NewPCG(1, 2)}
	r := rand.New(s.pcg)
	r.Uint64()
	data, err := Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	var back seeded
	if err := Decode(data, &back); err != nil {
		t.Fatal(err)
	}
	want, got := r.Uint64(), rand.New(back.pcg).Uint64()
	if want != got {
		t.Errorf("the restored PRNG draws %d, the original %d", got, want)
	}
}

func TestCorruptSnapshotsAreErrors(t *testing.T) {
	data, err := Encode(graph())
	if err != nil {
		t.Fatal(err)
	}
	var back node
	if err := Decode(data[:len(data)-1], &back); err == nil {
		t.Error("a truncated snapshot decoded")
	}
	damaged := bytes.Clone(data)
	damaged[len(damaged)/2] ^= 0x40
	if err := Decode(damaged, &back); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("a damaged snapshot: %v", err)
	}
	if err := Decode([]byte("not a snapshot"), &back); err == nil {
		t.Error("garbage decoded")
	}
	var wrong timer
	if err := Decode(data, &wrong); err == nil {
		t.Error("a node snapshot decoded into a timer")
	}
}

// FuzzDecode feeds Decode arbitrary bytes behind a valid header and
// checksum: it must return, with or without an error, never panic or
// hang.
func FuzzDecode(f *testing.F) {
	data, _ := Encode(graph())
	f.Add(data[len(magic)+1+fingerprintSize : len(data)-4])
	f.Add([]byte{1, 0})
	f.Fuzz(func(t *testing.T, body []byte) {
		framed := append([]byte(magic+string(rune(version))), Fingerprint()...)
		framed = append(framed, body...)
		framed = appendChecksum(framed)
		var back node
		_ = Decode(framed, &back)
	})
}

func appendChecksum(b []byte) []byte {
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

func TestDecodeNeedsAPointer(t *testing.T) {
	if _, err := Encode(node{}); err == nil {
		t.Error("Encode of a non-pointer")
	}
	var n *node
	if err := Decode(nil, n); err == nil {
		t.Error("Decode into a nil pointer")
	}
}

func TestOtherEngineIsRecognised(t *testing.T) {
	data, err := Encode(graph())
	if err != nil {
		t.Fatal(err)
	}
	other := bytes.Clone(data[:len(data)-4])
	other[len(magic)+1] ^= 1
	other = appendChecksum(other)
	var back node
	if err := Decode(other, &back); !errors.Is(err, ErrOtherEngine) {
		t.Fatalf("a snapshot of other types: got %v, want ErrOtherEngine", err)
	}
}

type wrapper struct{ value int64 }

type ring struct{ buf [4]int64 }

type sharing struct {
	w     *wrapper
	inner *int64
	r     *ring
	view  []int64
	array *[4]int64
	all   []int64
}

type flag uint8

type flags struct{ list []flag }

type slot struct {
	id   uint32
	used bool
}

type slab struct {
	slots []slot
	next  *bool
}

func init() {
	Register((*wrapper)(nil), func(p any, f []any) []any { x := p.(*wrapper); return append(f, &x.value) })
	Register((*ring)(nil), func(p any, f []any) []any { x := p.(*ring); return append(f, &x.buf) })
	Register((*sharing)(nil), func(p any, f []any) []any {
		x := p.(*sharing)
		return append(f, &x.w, &x.inner, &x.r, &x.view, &x.array, &x.all)
	})
	RegisterType((*flag)(nil))
	Register((*flags)(nil), func(p any, f []any) []any { x := p.(*flags); return append(f, &x.list) })
	Register((*slot)(nil), func(p any, f []any) []any { x := p.(*slot); return append(f, &x.id, &x.used) })
	Register((*slab)(nil), func(p any, f []any) []any { x := p.(*slab); return append(f, &x.slots, &x.next) })
}

// TestSameMemoryUnderTwoTypes: a pointer to a struct and one to its
// first field, a struct holding an array and a slice over the array, a
// pointer to an array and a slice over it — each pair covers the same
// memory, and comes back sharing it, whatever the types' names.
func TestSameMemoryUnderTwoTypes(t *testing.T) {
	s := &sharing{w: &wrapper{value: 1}, r: &ring{buf: [4]int64{1, 2, 3, 4}}, array: &[4]int64{5, 6, 7, 8}}
	s.inner = &s.w.value
	s.view = s.r.buf[:]
	s.all = s.array[:]
	back := roundTrip(t, s)
	*back.inner = 10
	back.view[0] = 20
	back.all[3] = 30
	if back.w.value != 10 || back.r.buf[0] != 20 || back.array[3] != 30 {
		t.Errorf("shared memory came back as copies: %d %d %d", back.w.value, back.r.buf[0], back.array[3])
	}
}

// TestPointerToAFieldPastTheLength: a pointer into an element of a
// slab past the slab's length keeps the element's whole value.
func TestPointerToAFieldPastTheLength(t *testing.T) {
	s := &slab{slots: make([]slot, 1, 4)}
	s.slots[:3][2] = slot{id: 7, used: true}
	s.next = &s.slots[:3][2].used
	back := roundTrip(t, s)
	if got := back.slots[:3][2]; got.id != 7 || !got.used || back.next != &back.slots[:3][2].used {
		t.Errorf("the element behind the pointer came back as %+v", got)
	}
}

func TestSliceOfANamedByteType(t *testing.T) {
	back := roundTrip(t, &flags{list: []flag{1, 2, 3}})
	if len(back.list) != 3 || back.list[2] != 3 {
		t.Errorf("came back as %v", back.list)
	}
}

type embedsSelfEncoding struct {
	seeded
	count int
}

func (s *seeded) MarshalBinary() ([]byte, error) { return s.pcg.MarshalBinary() }
func (s *seeded) UnmarshalBinary(b []byte) error {
	s.pcg = rand.NewPCG(0, 0)
	return s.pcg.UnmarshalBinary(b)
}

func init() {
	Register((*embedsSelfEncoding)(nil), func(p any, f []any) []any { x := p.(*embedsSelfEncoding); return append(f, &x.seeded, &x.count) })
}

func TestEmbeddedSelfEncodingIsRefused(t *testing.T) {
	if _, err := Encode(&embedsSelfEncoding{seeded: seeded{pcg: rand.NewPCG(1, 2)}, count: 3}); err == nil || !strings.Contains(err.Error(), "embeds") {
		t.Fatalf("got %v, want a refusal naming the embedded field", err)
	}
}

// TestHostileTypeNamesAreRefused: a snapshot that names a type too large
// to make, or arrays of empty elements that would take long to walk, is
// an error before any of it is allocated or walked.
func TestHostileTypeNamesAreRefused(t *testing.T) {
	for _, name := range []string{"[65536][65536][4096]uint8", "[65536][65536][65536][0]uint8", "[][65536][0]uint8"} {
		if _, err := parseType(name); err == nil && name != "[][65536][0]uint8" {
			t.Errorf("%s: parsed", name)
		}
	}
	var e encoder
	e.uvarint(1 << 20) // a slice of a million arrays of 65,536 empty elements
	if _, err := (&decoder{data: e.buf, emptyElements: maxEmptyElements}).length(reflect.TypeFor[[65536][0]uint8]()); err == nil {
		t.Error("a length of 2^40 elements of an empty type was accepted")
	}
}

// TestSpareCapacityIsBounded: slices claiming room past their length
// cannot make a small snapshot allocate without bound.
func TestSpareCapacityIsBounded(t *testing.T) {
	var e encoder
	const slices = 20
	for i := 0; i < slices; i++ {
		e.uvarint(markNew)
		e.uvarint(0)
		e.uvarint(maxZeroSizeElements) // capacity: 8 MiB of int64s
		e.uvarint(0)
	}
	d := &decoder{data: e.buf, spareBytes: spareBytesBase + spareBytesPerByte*uint64(len(e.buf))}
	var list []int64
	v := reflect.ValueOf(&list).Elem()
	decoded := 0
	for ; decoded < slices && d.value(v) == nil; decoded++ {
	}
	if decoded == slices || decoded*8 > spareBytesBase>>20 {
		t.Errorf("%d slices of 8 MiB of room each were accepted from %d bytes", decoded, len(e.buf))
	}
}

// TestEncodeAtMostStopsAtItsLimit: a snapshot that fits its limit is
// Encode's bytes; one that does not is ErrTooLarge, however far past the
// limit the state goes, and the limit counts the whole snapshot.
func TestEncodeAtMostStopsAtItsLimit(t *testing.T) {
	state := graph()
	state.counts = map[string]int64{}
	for i := 0; i < 1000; i++ {
		state.counts[strings.Repeat("k", i)] = int64(i)
	}
	whole, err := Encode(state)
	if err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int{0, len(whole), len(whole) + 1, 1 << 30} {
		if got, err := EncodeAtMost(state, limit); err != nil || !bytes.Equal(got, whole) {
			t.Errorf("limit %d of a %d-byte snapshot: %d bytes, %v", limit, len(whole), len(got), err)
		}
	}
	for _, limit := range []int{1, 100, len(whole) / 2, len(whole) - 1} {
		if got, err := EncodeAtMost(state, limit); !errors.Is(err, ErrTooLarge) || got != nil {
			t.Errorf("limit %d of a %d-byte snapshot: %d bytes, %v; want ErrTooLarge", limit, len(whole), len(got), err)
		}
	}
}

// countedBlob is 100 bytes in a snapshot, and counts how many times it
// was encoded.
type countedBlob struct{ encoded *int }

func (c countedBlob) MarshalBinary() ([]byte, error) {
	*c.encoded++
	return make([]byte, 100), nil
}

func (c *countedBlob) UnmarshalBinary([]byte) error { return nil }

// TestEncodeAtMostStopsEncoding: past its limit, EncodeAtMost encodes no
// more of the state: of a thousand values of 100 bytes, it encodes about
// as many as the limit holds, not all of them.
func TestEncodeAtMostStopsEncoding(t *testing.T) {
	encoded := 0
	state := &struct{ Blobs []countedBlob }{}
	for i := 0; i < 1000; i++ {
		state.Blobs = append(state.Blobs, countedBlob{&encoded})
	}
	if _, err := EncodeAtMost(state, 1000); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("a state of 100 KB under a limit of 1000 bytes: %v", err)
	}
	if encoded > 12 {
		t.Errorf("%d of the 1000 values were encoded under a limit that holds 10", encoded)
	}
}
