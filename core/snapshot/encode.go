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
	"slices"
	"sort"
	"strconv"
)

// magic opens every snapshot, then the format's version and the
// Fingerprint of the types it was written with.
const (
	magic   = "KPSN"
	version = 1
)

// maxDepth bounds how deeply values nest, in Encode and in Decode.
const maxDepth = 20_000

// Object-table markers: a pointer, map or slice is nil, a new object
// (its contents follow), a place inside object k (interior: k and a
// path follow; interiorNew: object k itself first, with its type), or a
// reference to object k written as k+refBase.
const (
	markNil         = 0
	markNew         = 1
	markInterior    = 2
	markInteriorNew = 3
	refBase         = 4
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Encode returns the snapshot of everything reachable from root, which
// must be a non-nil pointer. The same state always gives the same bytes.
func Encode(root any) ([]byte, error) { return EncodeAtMost(root, 0) }

// ErrTooLarge is the error of EncodeAtMost when the snapshot would pass
// its limit.
var ErrTooLarge = errors.New("snapshot: larger than its limit")

// EncodeAtMost is Encode of a snapshot of at most limit bytes (none for
// 0 or less): past the limit it stops and returns ErrTooLarge, having
// written at most one value (a batch of records, say) more, rather than
// going on over a state it will not keep.
func EncodeAtMost(root any, limit int) ([]byte, error) {
	v := reflect.ValueOf(root)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return nil, fmt.Errorf("snapshot: Encode needs a non-nil pointer, not %T", root)
	}
	m := newMemory()
	if err := m.scan(v); err != nil {
		return nil, wrapRoot(v.Type(), err)
	}
	if err := m.group(); err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	e := &encoder{objects: map[objectKey]uint64{}, types: map[reflect.Type]uint64{}, memory: m, infos: m.infos, limit: limit}
	e.buf = append(e.buf, magic...)
	e.buf = append(e.buf, version)
	e.buf = append(e.buf, Fingerprint()...)
	if err := e.value(v); err != nil {
		if errors.Is(err, ErrTooLarge) {
			return nil, ErrTooLarge
		}
		return nil, wrapRoot(v.Type(), err)
	}
	if limit > 0 && len(e.buf)+4 > limit {
		return nil, ErrTooLarge
	}
	return binary.LittleEndian.AppendUint32(e.buf, crc32.Checksum(e.buf, castagnoli)), nil
}

// objectKey identifies a pointer's, map's or slice's object: where its
// memory starts, its type, and for a slice its length and capacity (the
// same view of an array is one object; other views are interior to the
// view that contains them, see memory.go).
type objectKey struct {
	address  uintptr
	typ      reflect.Type
	len, cap int
}

type encoder struct {
	buf []byte
	// limit bounds buf, none when 0 or less (EncodeAtMost).
	limit   int
	objects map[objectKey]uint64
	// count is how many objects were written: the next one's id.
	count  uint64
	types  map[reflect.Type]uint64
	memory *memory
	fields fieldWalker
	depth  int
	infos  infoCache
}

func (e *encoder) uvarint(x uint64) { e.buf = binary.AppendUvarint(e.buf, x) }
func (e *encoder) varint(x int64)   { e.buf = binary.AppendVarint(e.buf, x) }

// object writes the marker of an object with identity and reports
// whether its contents must follow (it is new).
func (e *encoder) object(key objectKey) bool {
	if id, seen := e.objects[key]; seen {
		e.uvarint(id + refBase)
		return false
	}
	e.objects[key] = e.count
	e.count++
	e.uvarint(markNew)
	return true
}

// interior writes a pointer or slice v that lies inside the container
// region c: the container (first, if it was not written yet), then the
// path to v in it, and for a slice its length and capacity.
func (e *encoder) interior(v reflect.Value, c *region) error {
	id, written := e.objects[c.key]
	if !written {
		e.uvarint(markInteriorNew)
		if err := e.typeName(c.value.Type()); err != nil {
			return err
		}
		if err := e.value(c.value); err != nil {
			return err
		}
		id = e.objects[c.key]
	} else {
		e.uvarint(markInterior)
	}
	e.uvarint(id)
	path, err := e.memory.locate(c.value, v)
	if err != nil {
		return err
	}
	e.uvarint(uint64(len(path)))
	for _, step := range path {
		e.uvarint(uint64(step))
	}
	if v.Kind() == reflect.Slice {
		e.uvarint(uint64(v.Len()))
		e.uvarint(uint64(v.Cap()))
	}
	return nil
}

// typeName writes t as interfaces name their dynamic types: an index
// into the types written so far, or the next index and its name.
func (e *encoder) typeName(t reflect.Type) error {
	if id, seen := e.types[t]; seen {
		e.uvarint(id + 1)
		return nil
	}
	name, err := describe(t)
	if err != nil {
		return fmt.Errorf("(%v): %w", t, err)
	}
	e.types[t] = uint64(len(e.types))
	e.uvarint(uint64(len(e.types)))
	e.uvarint(uint64(len(name)))
	e.buf = append(e.buf, name...)
	return nil
}

func (e *encoder) value(v reflect.Value) error {
	if e.limit > 0 && len(e.buf) > e.limit {
		return ErrTooLarge
	}
	e.depth++
	err := e.valueAtDepth(v)
	e.depth--
	return err
}

func (e *encoder) valueAtDepth(v reflect.Value) error {
	if e.depth > maxDepth {
		return fmt.Errorf("values nest deeper than %d", maxDepth)
	}
	t := v.Type()
	switch t.Kind() {
	case reflect.Bool:
		if v.Bool() {
			e.buf = append(e.buf, 1)
		} else {
			e.buf = append(e.buf, 0)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.varint(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.uvarint(v.Uint())
	case reflect.Float32, reflect.Float64:
		e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(v.Float()))
	case reflect.Complex64, reflect.Complex128:
		c := v.Complex()
		e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(real(c)))
		e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(imag(c)))
	case reflect.String:
		s := v.String()
		e.uvarint(uint64(len(s)))
		e.buf = append(e.buf, s...)
	case reflect.Pointer:
		if v.IsNil() {
			e.uvarint(markNil)
			return nil
		}
		key := objectKey{address: v.Pointer(), typ: t}
		if c, inside := e.memory.interior[key]; inside {
			return e.interior(v, &e.memory.regions[c])
		}
		if e.object(key) {
			return e.value(v.Elem())
		}
	case reflect.Map:
		return e.mapValue(v)
	case reflect.Slice:
		return e.sliceValue(v)
	case reflect.Array:
		return e.elements(v, v.Len())
	case reflect.Interface:
		return e.interfaceValue(v)
	case reflect.Struct:
		return e.structValue(v)
	case reflect.Func:
		if !v.IsNil() {
			return errors.New("a func value: snapshots carry data, not code (make it a value of a named type, or tag the field `snapshot:\"-\"` if a host or constructor sets it)")
		}
	default:
		return fmt.Errorf("a %v, which snapshots cannot carry", t.Kind())
	}
	return nil
}

func (e *encoder) elements(v reflect.Value, n int) error {
	if v.Type().Elem().Kind() == reflect.Uint8 && n > 0 {
		if v.Kind() == reflect.Slice {
			e.buf = append(e.buf, v.Bytes()...)
			return nil
		}
	}
	for i := 0; i < n; i++ {
		if err := e.value(v.Index(i)); err != nil {
			return wrapIndex(i, err)
		}
	}
	return nil
}

func (e *encoder) sliceValue(v reflect.Value) error {
	if v.IsNil() {
		e.uvarint(markNil)
		return nil
	}
	t := v.Type()
	key := objectKey{address: v.Pointer(), typ: t, len: v.Len(), cap: v.Cap()}
	if c, inside := e.memory.interior[key]; inside {
		return e.interior(v, &e.memory.regions[c])
	}
	if v.Cap() == 0 {
		// Empty arrays may all start at one address: each is its own
		// object, never referenced.
		e.count++
		e.uvarint(markNew)
	} else if !e.object(key) {
		return nil
	}
	// Elements past the length are written when an interior pointer or
	// view uses them.
	n := max(v.Len(), e.memory.written[key])
	e.uvarint(uint64(v.Len()))
	e.uvarint(uint64(v.Cap()))
	e.uvarint(uint64(n - v.Len()))
	return e.elements(v.Slice3(0, n, v.Cap()), n)
}

func (e *encoder) mapValue(v reflect.Value) error {
	if v.IsNil() {
		e.uvarint(markNil)
		return nil
	}
	if !e.object(objectKey{address: v.Pointer(), typ: v.Type()}) {
		return nil
	}
	if err := checkKeyType(v.Type().Key()); err != nil {
		return err
	}
	// Entries go in the order of their keys' encodings: the same map
	// always gives the same bytes, whatever Go's iteration order.
	type entry struct {
		encoded    []byte
		key, value reflect.Value
	}
	entries := make([]entry, 0, v.Len())
	keys := &encoder{objects: map[objectKey]uint64{}, types: map[reflect.Type]uint64{}, memory: newMemory()}
	iter := v.MapRange()
	for iter.Next() {
		keys.buf = keys.buf[:0]
		if err := keys.value(iter.Key()); err != nil {
			return err
		}
		entries = append(entries, entry{encoded: slices.Clone(keys.buf), key: iter.Key(), value: iter.Value()})
	}
	sort.Slice(entries, func(i, j int) bool { return bytes.Compare(entries[i].encoded, entries[j].encoded) < 0 })
	e.uvarint(uint64(len(entries)))
	for _, en := range entries {
		e.buf = append(e.buf, en.encoded...)
		if err := e.value(en.value); err != nil {
			return prefix(fmt.Sprintf("[%v]", en.key), err)
		}
	}
	return nil
}

// checkKeyType refuses map keys whose encoding would depend on object
// identity (pointers, interfaces) rather than on their value.
func checkKeyType(t reflect.Type) error {
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Chan, reflect.UnsafePointer:
		return fmt.Errorf("a map keyed by %v: snapshots need keys that are values", t)
	case reflect.Array:
		return checkKeyType(t.Elem())
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if err := checkKeyType(t.Field(i).Type); err != nil {
				return err
			}
		}
	}
	return nil
}

func (e *encoder) interfaceValue(v reflect.Value) error {
	if v.IsNil() {
		e.uvarint(markNil)
		return nil
	}
	dynamic := v.Elem()
	if err := e.typeName(dynamic.Type()); err != nil {
		return err
	}
	return e.value(dynamic)
}

func (e *encoder) structValue(v reflect.Value) error {
	t := v.Type()
	in := e.infos.get(t)
	if in.err != nil {
		return in.err
	}
	if in.marshal {
		return e.marshalValue(v)
	}
	if !v.CanAddr() {
		// A struct held by value in an interface or a map: walk a copy.
		c := reflect.New(t).Elem()
		c.Set(v)
		v = c
	}
	return e.fields.walk(in, v, e.depth, e.value)
}

func (e *encoder) marshalValue(v reflect.Value) error {
	var m encoding.BinaryMarshaler
	if v.CanAddr() {
		m, _ = v.Addr().Interface().(encoding.BinaryMarshaler)
	}
	if m == nil {
		m, _ = v.Interface().(encoding.BinaryMarshaler)
	}
	if m == nil {
		c := reflect.New(v.Type())
		c.Elem().Set(v)
		m = c.Interface().(encoding.BinaryMarshaler)
	}
	data, err := m.MarshalBinary()
	if err != nil {
		return fmt.Errorf("(%v).MarshalBinary: %w", v.Type(), err)
	}
	e.uvarint(uint64(len(data)))
	e.buf = append(e.buf, data...)
	return nil
}

// pathError is an error with the path to the value it is about, built
// as the error returns through the walk.
type pathError struct {
	path string
	err  error
}

func (p *pathError) Error() string { return p.path + ": " + p.err.Error() }
func (p *pathError) Unwrap() error { return p.err }

func wrapField(name string, err error) error { return prefix("."+name, err) }
func wrapIndex(i int, err error) error       { return prefix("["+strconv.Itoa(i)+"]", err) }

func prefix(step string, err error) error {
	var p *pathError
	if errors.As(err, &p) {
		return &pathError{path: step + p.path, err: p.err}
	}
	return &pathError{path: step, err: err}
}

func wrapRoot(t reflect.Type, err error) error {
	var p *pathError
	if errors.As(err, &p) {
		return fmt.Errorf("snapshot: at (%v)%s: %w", t, p.path, p.err)
	}
	return fmt.Errorf("snapshot: at (%v): %w", t, err)
}
