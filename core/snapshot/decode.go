package snapshot

import (
	"bytes"
	"encoding"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"reflect"
)

// maxZeroSizeElements bounds the length of a slice, array or map whose
// elements take no bytes in a snapshot (so their count is not bounded by
// the bytes that are left).
const maxZeroSizeElements = 1 << 20

// Decode reads a snapshot made by Encode into root, a non-nil pointer to
// a value of the type Encode was given (normally its zero value). Fields
// tagged `snapshot:"-"` are left as they are. A snapshot that is corrupt,
// truncated or of another type is an error, never a panic.
func Decode(data []byte, root any) (err error) {
	v := reflect.ValueOf(root)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return fmt.Errorf("snapshot: Decode needs a non-nil pointer, not %T", root)
	}
	header := len(magic) + 1 + fingerprintSize
	if len(data) < header+4 || string(data[:len(magic)]) != magic {
		return errors.New("snapshot: not a snapshot (no KPSN header)")
	}
	if data[len(magic)] != version {
		return fmt.Errorf("snapshot: format version %d, this build reads version %d", data[len(magic)], version)
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return errors.New("snapshot: checksum mismatch (the snapshot is damaged)")
	}
	if !bytes.Equal(data[len(magic)+1:header], Fingerprint()) {
		return ErrOtherEngine
	}
	d := &decoder{data: body, at: header, spareBytes: spareBytesBase + spareBytesPerByte*uint64(len(body)),
		emptyElements: maxEmptyElements}
	defer func() {
		// The decoder checks what it reads; this is the backstop that keeps
		// a corrupt snapshot an error whatever reflection makes of it.
		if r := recover(); r != nil {
			err = fmt.Errorf("snapshot: corrupt at byte %d: %v", d.at, r)
		}
	}()
	// The root itself is object 0, as Encode wrote it.
	if mark, err := d.uvarint(); err != nil || mark != markNew {
		return errors.New("snapshot: corrupt root")
	}
	d.objects = append(d.objects, v)
	if err := d.value(v.Elem()); err != nil {
		return wrapRoot(v.Type(), err)
	}
	if d.at != len(d.data) {
		return fmt.Errorf("snapshot: %d bytes after the state", len(d.data)-d.at)
	}
	return nil
}

type decoder struct {
	data    []byte
	at      int
	objects []reflect.Value
	types   []reflect.Type
	fields  fieldWalker
	depth   int
	infos   infoCache
	// minSizes caches minSize by type.
	minSizes map[reflect.Type]int
	// spareBytes is what the slices still to decode may hold past their
	// lengths, and emptyElements how many elements that take no bytes
	// they may still have in all: limits of the work a snapshot can ask
	// for beyond its size.
	spareBytes    uint64
	emptyElements uint64
}

// Limits of Decode's work beyond the snapshot's bytes. The room past
// slices' lengths in the snapshots of every behaviour scenario is at
// most about the snapshot's own size (a million records: 1% of it).
const (
	spareBytesBase    = 1 << 20
	spareBytesPerByte = 4
	maxEmptyElements  = 1 << 22
)

// ErrOtherEngine is the error of a snapshot written by a build whose
// types differ from this one's: its state cannot be read, and the host
// replays the journal it came from instead.
var ErrOtherEngine = errors.New("snapshot: written by another version of the engine (its types differ)")

var errTruncated = errors.New("the snapshot ends early")

func (d *decoder) uvarint() (uint64, error) {
	x, n := binary.Uvarint(d.data[d.at:])
	if n <= 0 {
		return 0, errTruncated
	}
	d.at += n
	return x, nil
}

func (d *decoder) varint() (int64, error) {
	x, n := binary.Varint(d.data[d.at:])
	if n <= 0 {
		return 0, errTruncated
	}
	d.at += n
	return x, nil
}

func (d *decoder) bytes(n uint64) ([]byte, error) {
	if n > uint64(len(d.data)-d.at) {
		return nil, errTruncated
	}
	b := d.data[d.at : d.at+int(n)]
	d.at += int(n)
	return b, nil
}

// length reads a count of elements of type elem and checks it against
// what is left.
func (d *decoder) length(elem reflect.Type) (int, error) {
	n, err := d.uvarint()
	if err != nil {
		return 0, err
	}
	size, ok := d.minSizes[elem]
	if !ok {
		if d.minSizes == nil {
			d.minSizes = map[reflect.Type]int{}
		}
		size = minSize(elem, 0)
		d.minSizes[elem] = size
	}
	if size == 0 {
		// Elements that take no bytes (arrays of them counted whole):
		// bounded for the whole decode.
		cost := n * uint64(max(arrayElements(elem), 1))
		if n > maxEmptyElements || cost > d.emptyElements {
			return 0, fmt.Errorf("%d elements that take no bytes, past the %d a snapshot may hold", n, maxEmptyElements)
		}
		d.emptyElements -= cost
		return int(n), nil
	}
	if limit := uint64(len(d.data)-d.at) / uint64(size); n > limit {
		return 0, fmt.Errorf("a length of %d where at most %d can follow", n, limit)
	}
	return int(n), nil
}

// fits refuses a type named by the snapshot whose values take more bytes
// than are left, before a value of it is made.
func (d *decoder) fits(t reflect.Type) error {
	if minSize(t, 0) > len(d.data)-d.at {
		return fmt.Errorf("a %v, which takes more bytes than are left", t)
	}
	return nil
}

// minSize is the fewest bytes a value of t takes in a snapshot.
func minSize(t reflect.Type, depth int) int {
	if depth > 8 {
		return 0
	}
	switch t.Kind() {
	case reflect.Func:
		return 0
	case reflect.Array:
		return t.Len() * minSize(t.Elem(), depth+1)
	case reflect.Struct:
		in := info(t)
		if in.marshal {
			return 1
		}
		n := 0
		for i := range in.fields {
			if !in.skip[i] {
				n += minSize(in.fields[i].Type, depth+1)
			}
		}
		return n
	}
	return 1
}

// object reads the object marker of v, a pointer, slice or map: it sets
// v to nil, to the object it references or to the place inside one, or
// reports that a new object's contents follow.
func (d *decoder) object(v reflect.Value) (isNew bool, err error) {
	t := v.Type()
	mark, err := d.uvarint()
	if err != nil {
		return false, err
	}
	switch mark {
	case markNil:
		v.SetZero()
		return false, nil
	case markNew:
		return true, nil
	case markInterior, markInteriorNew:
		place, err := d.interior(t, mark == markInteriorNew)
		if err != nil {
			return false, err
		}
		v.Set(place)
		return false, nil
	}
	id := mark - refBase
	if id >= uint64(len(d.objects)) {
		return false, fmt.Errorf("a reference to object %d of %d", id, len(d.objects))
	}
	o := d.objects[id]
	if o.Type() != t {
		return false, fmt.Errorf("a reference to a %v where a %v belongs", o.Type(), t)
	}
	v.Set(o)
	return false, nil
}

// interior reads a pointer or slice that lies inside another object
// (see memory.go): the container, when it comes first, then its id and
// the path to the place.
func (d *decoder) interior(t reflect.Type, containerFirst bool) (reflect.Value, error) {
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Slice {
		return reflect.Value{}, fmt.Errorf("a place inside an object where a %v belongs", t)
	}
	if containerFirst {
		ct, err := d.typeName()
		if err != nil {
			return reflect.Value{}, err
		}
		if ct.Kind() != reflect.Pointer && ct.Kind() != reflect.Slice {
			return reflect.Value{}, fmt.Errorf("a container of type %v", ct)
		}
		if err := d.fits(ct.Elem()); err != nil {
			return reflect.Value{}, err
		}
		if err := d.value(reflect.New(ct).Elem()); err != nil {
			return reflect.Value{}, err
		}
	}
	id, err := d.uvarint()
	if err != nil {
		return reflect.Value{}, err
	}
	if id >= uint64(len(d.objects)) {
		return reflect.Value{}, fmt.Errorf("a place inside object %d of %d", id, len(d.objects))
	}
	steps, err := d.uvarint()
	if err != nil {
		return reflect.Value{}, err
	}
	if steps > maxDepth || steps > uint64(len(d.data)-d.at) {
		return reflect.Value{}, fmt.Errorf("a path of %d steps", steps)
	}
	path := make([]int, steps)
	for i := range path {
		step, err := d.uvarint()
		if err != nil {
			return reflect.Value{}, err
		}
		if step > math.MaxInt32 {
			return reflect.Value{}, fmt.Errorf("a path step of %d", step)
		}
		path[i] = int(step)
	}
	var n, c uint64
	if t.Kind() == reflect.Slice {
		if n, err = d.uvarint(); err == nil {
			c, err = d.uvarint()
		}
		if err != nil {
			return reflect.Value{}, err
		}
		if c > math.MaxInt32 || n > c {
			return reflect.Value{}, fmt.Errorf("a view of length %d and capacity %d", n, c)
		}
	}
	return resolve(&d.infos, d.objects[id], path, t, int(n), int(c))
}

// typeName reads a type written by the encoder's typeName.
func (d *decoder) typeName() (reflect.Type, error) {
	mark, err := d.uvarint()
	if err != nil {
		return nil, err
	}
	switch id := mark - 1; {
	case mark == 0:
		return nil, errors.New("a type index of 0")
	case id < uint64(len(d.types)):
		return d.types[id], nil
	case id == uint64(len(d.types)):
		n, err := d.uvarint()
		if err != nil {
			return nil, err
		}
		name, err := d.bytes(n)
		if err != nil {
			return nil, err
		}
		t, err := parseType(string(name))
		if err != nil {
			return nil, err
		}
		d.types = append(d.types, t)
		return t, nil
	default:
		return nil, fmt.Errorf("type %d of %d", id, len(d.types))
	}
}

func (d *decoder) value(v reflect.Value) error {
	d.depth++
	err := d.valueAtDepth(v)
	d.depth--
	return err
}

func (d *decoder) valueAtDepth(v reflect.Value) error {
	if d.depth > maxDepth {
		return fmt.Errorf("values nest deeper than %d", maxDepth)
	}
	t := v.Type()
	switch t.Kind() {
	case reflect.Bool:
		b, err := d.bytes(1)
		if err != nil {
			return err
		}
		if b[0] > 1 {
			return fmt.Errorf("a bool of %d", b[0])
		}
		v.SetBool(b[0] == 1)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		x, err := d.varint()
		if err != nil {
			return err
		}
		if v.OverflowInt(x) {
			return fmt.Errorf("%d overflows a %v", x, t)
		}
		v.SetInt(x)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		x, err := d.uvarint()
		if err != nil {
			return err
		}
		if v.OverflowUint(x) {
			return fmt.Errorf("%d overflows a %v", x, t)
		}
		v.SetUint(x)
	case reflect.Float32, reflect.Float64:
		b, err := d.bytes(8)
		if err != nil {
			return err
		}
		v.SetFloat(math.Float64frombits(binary.LittleEndian.Uint64(b)))
	case reflect.Complex64, reflect.Complex128:
		b, err := d.bytes(16)
		if err != nil {
			return err
		}
		v.SetComplex(complex(math.Float64frombits(binary.LittleEndian.Uint64(b)), math.Float64frombits(binary.LittleEndian.Uint64(b[8:]))))
	case reflect.String:
		n, err := d.uvarint()
		if err != nil {
			return err
		}
		b, err := d.bytes(n)
		if err != nil {
			return err
		}
		v.SetString(string(b))
	case reflect.Pointer:
		if isNew, err := d.object(v); !isNew || err != nil {
			return err
		}
		p := reflect.New(t.Elem())
		d.objects = append(d.objects, p)
		v.Set(p)
		return d.value(p.Elem())
	case reflect.Map:
		return d.mapValue(v)
	case reflect.Slice:
		return d.sliceValue(v)
	case reflect.Array:
		return d.elements(v, v.Len())
	case reflect.Interface:
		return d.interfaceValue(v)
	case reflect.Struct:
		return d.structValue(v)
	case reflect.Func:
		v.SetZero()
	default:
		return fmt.Errorf("a %v, which snapshots cannot carry", t.Kind())
	}
	return nil
}

func (d *decoder) elements(v reflect.Value, n int) error {
	if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
		b, err := d.bytes(uint64(n))
		if err != nil {
			return err
		}
		copy(v.Bytes(), b)
		return nil
	}
	for i := 0; i < n; i++ {
		if err := d.value(v.Index(i)); err != nil {
			return wrapIndex(i, err)
		}
	}
	return nil
}

func (d *decoder) sliceValue(v reflect.Value) error {
	t := v.Type()
	if isNew, err := d.object(v); !isNew || err != nil {
		return err
	}
	n, err := d.length(t.Elem())
	if err != nil {
		return err
	}
	c, err := d.uvarint()
	if err != nil {
		return err
	}
	if c < uint64(n) || c-uint64(n) > maxZeroSizeElements {
		return fmt.Errorf("a slice of length %d with capacity %d", n, c)
	}
	// Room past the length takes no bytes of the snapshot: it is bounded
	// for the whole decode.
	spare := (c - uint64(n)) * uint64(t.Elem().Size())
	if spare > d.spareBytes {
		return fmt.Errorf("slices with more room past their length than a snapshot of %d bytes may hold", len(d.data))
	}
	d.spareBytes -= spare
	// Elements past the length, used by places inside the array.
	extra, err := d.length(t.Elem())
	if err != nil {
		return err
	}
	if uint64(n+extra) > c {
		return fmt.Errorf("%d elements written of a slice of capacity %d", n+extra, c)
	}
	s := reflect.MakeSlice(t, n, int(c))
	d.objects = append(d.objects, s)
	if err := d.elements(s.Slice3(0, n+extra, int(c)), n+extra); err != nil {
		return err
	}
	v.Set(s)
	return nil
}

func (d *decoder) mapValue(v reflect.Value) error {
	t := v.Type()
	if isNew, err := d.object(v); !isNew || err != nil {
		return err
	}
	m := reflect.MakeMap(t)
	d.objects = append(d.objects, m)
	v.Set(m)
	n, err := d.length(t.Key())
	if err != nil {
		return err
	}
	key, value := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
	for i := 0; i < n; i++ {
		key.SetZero()
		if err := d.value(key); err != nil {
			return err
		}
		if m.MapIndex(key).IsValid() {
			return fmt.Errorf("map key %v twice", key)
		}
		// A fresh value each time: pointers into it must not be shared
		// between entries.
		value = reflect.New(t.Elem()).Elem()
		if err := d.value(value); err != nil {
			return prefix(fmt.Sprintf("[%v]", key), err)
		}
		m.SetMapIndex(key, value)
	}
	return nil
}

func (d *decoder) interfaceValue(v reflect.Value) error {
	if len(d.data) > d.at && d.data[d.at] == markNil {
		d.at++
		v.SetZero()
		return nil
	}
	t, err := d.typeName()
	if err != nil {
		return err
	}
	if !t.AssignableTo(v.Type()) {
		return fmt.Errorf("a %v cannot be a %v", t, v.Type())
	}
	if err := d.fits(t); err != nil {
		return err
	}
	dynamic := reflect.New(t).Elem()
	if err := d.value(dynamic); err != nil {
		return err
	}
	v.Set(dynamic)
	return nil
}

func (d *decoder) structValue(v reflect.Value) error {
	t := v.Type()
	in := d.infos.get(t)
	if in.err != nil {
		return in.err
	}
	if in.marshal {
		n, err := d.uvarint()
		if err != nil {
			return err
		}
		b, err := d.bytes(n)
		if err != nil {
			return err
		}
		if err := v.Addr().Interface().(encoding.BinaryUnmarshaler).UnmarshalBinary(b); err != nil {
			return fmt.Errorf("(%v).UnmarshalBinary: %w", t, err)
		}
		return nil
	}
	return d.fields.walk(in, v, d.depth, d.value)
}

// Body returns the encoded state of a snapshot, between its header and
// its checksum, or nil for bytes too short to be one.
func Body(data []byte) []byte {
	header := len(magic) + 1 + fingerprintSize
	if len(data) < header+4 {
		return nil
	}
	return data[header : len(data)-4]
}

// WithBody returns a snapshot of data's header and body, with its
// checksum made to match: for tests that change a snapshot's state and
// want Decode to read it rather than stop at the checksum.
func WithBody(data, body []byte) []byte {
	header := min(len(data), len(magic)+1+fingerprintSize)
	out := append(append([]byte{}, data[:header]...), body...)
	return binary.LittleEndian.AppendUint32(out, crc32.Checksum(out, castagnoli))
}
