package snapshot

import (
	"fmt"
	"reflect"
	"sort"
)

// Memory shared between two places. Go lets a program keep a pointer
// into the middle of an object (&slice[i] from a slab, &s.field) and
// several views of one array (s[a:b] beside s). A walk that wrote every
// pointer and slice as an object of its own would give each place its
// own copy on Decode. So Encode first walks the state to learn which
// memory each pointer and slice reaches (scan), groups the regions that
// overlap under the one that contains the rest (its container), and then
// writes an interior pointer or slice as its container and a path to it
// — element indexes and field numbers, the same on every platform —
// from which Decode rebuilds the very same sharing.

// region is the memory a pointer's object or a slice's array occupies.
type region struct {
	start uintptr
	// end is where the memory ends: the object's end, or the end of the
	// slice's capacity; used is the end of what the program can read
	// without reslicing (the slice's length).
	end, used uintptr
	key       objectKey
	// value is the pointer or the slice itself.
	value reflect.Value
	// extent is, for a container, the end of the memory its interior
	// regions use: a container slice is written up to there even beyond
	// its length.
	extent uintptr
}

// memory is what scan learns.
type memory struct {
	regions []region
	visited map[objectKey]bool
	maps    map[uintptr]bool
	// interior maps the key of every region inside another to its
	// container's index in regions.
	interior map[objectKey]int
	// written holds, for a container slice whose interior regions use
	// elements past its length, how many elements to write.
	written map[objectKey]int
	infos   infoCache
	// holds caches whether values of a type hold pointers, slices, maps
	// or interfaces: only those need scanning.
	holds  map[reflect.Type]bool
	fields fieldWalker
	depth  int
}

func newMemory() *memory {
	return &memory{visited: map[objectKey]bool{}, maps: map[uintptr]bool{}, interior: map[objectKey]int{},
		written: map[objectKey]int{}, holds: map[reflect.Type]bool{}}
}

// holdsReferences reports whether a value of t may reach other memory.
func (m *memory) holdsReferences(t reflect.Type) bool {
	if h, ok := m.holds[t]; ok {
		return h
	}
	var h bool
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		h = true
	case reflect.Array:
		h = m.holdsReferences(t.Elem())
	case reflect.Struct:
		in := m.infos.get(t)
		for i := range in.fields {
			if !in.skip[i] && !in.marshal && m.holdsReferences(in.fields[i].Type) {
				h = true
				break
			}
		}
	}
	m.holds[t] = h
	return h
}

// scan walks everything v reaches, recording the regions of pointers and
// slices.
func (m *memory) scan(v reflect.Value) error {
	m.depth++
	err := m.scanAtDepth(v)
	m.depth--
	return err
}

func (m *memory) scanAtDepth(v reflect.Value) error {
	if m.depth > maxDepth {
		return fmt.Errorf("values nest deeper than %d", maxDepth)
	}
	t := v.Type()
	switch t.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		key := objectKey{address: v.Pointer(), typ: t}
		if m.visited[key] {
			return nil
		}
		m.visited[key] = true
		if size := t.Elem().Size(); size > 0 {
			m.regions = append(m.regions, region{start: key.address, end: key.address + size, used: key.address + size, key: key, value: v})
		}
		if m.holdsReferences(t.Elem()) {
			return m.scan(v.Elem())
		}
	case reflect.Slice:
		if v.IsNil() || v.Cap() == 0 {
			return nil
		}
		key := objectKey{address: v.Pointer(), typ: t, len: v.Len(), cap: v.Cap()}
		if m.visited[key] {
			return nil
		}
		m.visited[key] = true
		if size := t.Elem().Size(); size > 0 {
			m.regions = append(m.regions, region{start: key.address, end: key.address + uintptr(v.Cap())*size,
				used: key.address + uintptr(v.Len())*size, key: key, value: v})
		}
		if m.holdsReferences(t.Elem()) {
			for i := 0; i < v.Len(); i++ {
				if err := m.scan(v.Index(i)); err != nil {
					return err
				}
			}
		}
	case reflect.Array:
		if m.holdsReferences(t.Elem()) {
			for i := 0; i < v.Len(); i++ {
				if err := m.scan(v.Index(i)); err != nil {
					return err
				}
			}
		}
	case reflect.Map:
		if v.IsNil() || m.maps[v.Pointer()] {
			return nil
		}
		m.maps[v.Pointer()] = true
		if m.holdsReferences(t.Elem()) {
			iter := v.MapRange()
			for iter.Next() {
				if err := m.scan(iter.Value()); err != nil {
					return err
				}
			}
		}
	case reflect.Interface:
		if !v.IsNil() {
			return m.scan(v.Elem())
		}
	case reflect.Struct:
		return m.scanStruct(v)
	}
	return nil
}

func (m *memory) scanStruct(v reflect.Value) error {
	in := m.infos.get(v.Type())
	if in.err != nil || in.marshal {
		return in.err
	}
	if !v.CanAddr() {
		c := reflect.New(v.Type()).Elem()
		c.Set(v)
		v = c
	}
	return m.fields.walk(in, v, m.depth, m.scanIfNeeded)
}

// scanIfNeeded scans v unless its type reaches no other memory.
func (m *memory) scanIfNeeded(v reflect.Value) error {
	if !m.holdsReferences(v.Type()) {
		return nil
	}
	return m.scan(v)
}

// group finds each region's container: regions sorted by where they
// start, the larger first, and among regions of the same memory the one
// whose type holds the others' at its start (containerRank), then the
// longer view; each region that starts inside the current container is
// interior to it and must end inside it too. The order must be total:
// scan walks maps in Go's random order, and a tie would let that order
// choose the container, and with it the snapshot's bytes.
func (m *memory) group() error {
	r := m.regions
	sort.Slice(r, func(i, j int) bool {
		if r[i].start != r[j].start {
			return r[i].start < r[j].start
		}
		if r[i].end != r[j].end {
			return r[i].end > r[j].end
		}
		if ri, rj := containerRank(r[i].key), containerRank(r[j].key); ri != rj {
			return ri > rj
		}
		if r[i].used != r[j].used {
			// Views of one array from one place to its capacity: they
			// differ only in length.
			return r[i].used > r[j].used
		}
		return r[i].key.typ.String() < r[j].key.typ.String()
	})
	container := -1
	for i := range r {
		if container >= 0 && r[i].start < r[container].end {
			if r[i].end > r[container].end {
				return fmt.Errorf("a %v and a %v share part of their memory, and neither contains the other", r[container].key.typ, r[i].key.typ)
			}
			m.interior[r[i].key] = container
			r[container].extent = max(r[container].extent, r[i].used)
			continue
		}
		container = i
		r[i].extent = r[i].used
	}
	for i := range r {
		if _, inside := m.interior[r[i].key]; !inside && r[i].key.typ.Kind() == reflect.Slice && r[i].extent > r[i].used {
			size := r[i].key.typ.Elem().Size()
			m.written[r[i].key] = int((r[i].extent - r[i].start + size - 1) / size)
		}
	}
	return nil
}

// containerRank orders regions of the same memory: a type that holds
// another at its start (a struct its first field, an array its first
// element, a slice's array its element) ranks above it, by how many
// levels of values begin at that start; at a tie a pointer to an array
// ranks above a slice over the same array, which ranks above any other
// pointer.
func containerRank(key objectKey) int {
	t := key.typ
	depth := nestedAtStart(t.Elem())
	kind := 0
	switch {
	case t.Kind() == reflect.Slice:
		depth++ // the array the slice is a view of
		kind = 1
	case t.Elem().Kind() == reflect.Array:
		kind = 2
	}
	return depth*4 + kind
}

// nestedAtStart counts the levels of values that begin where a value of
// t begins: t itself, then its first non-empty field or first element,
// and so on.
func nestedAtStart(t reflect.Type) int {
	for depth := 1; ; depth++ {
		switch {
		case t.Kind() == reflect.Array && t.Len() > 0 && t.Elem().Size() > 0:
			t = t.Elem()
		case t.Kind() == reflect.Struct:
			var next reflect.Type
			for i := 0; i < t.NumField() && next == nil; i++ {
				if f := t.Field(i); f.Offset == 0 && f.Type.Size() > 0 {
					next = f.Type
				}
			}
			if next == nil {
				return depth
			}
			t = next
		default:
			return depth
		}
	}
}

// locate returns the path from a container to the object a pointer
// points to, or to the first element of a slice's view: at each level an
// element index (arrays and slices) or a field number (structs).
func (m *memory) locate(container, target reflect.Value) ([]int, error) {
	address := target.Pointer()
	want := target.Type().Elem()
	isSlice := target.Kind() == reflect.Slice
	cur := container
	if container.Kind() == reflect.Pointer {
		cur = container.Elem()
	}
	var path []int
	for depth := 0; depth < maxDepth; depth++ {
		if !isSlice && cur.CanAddr() && cur.Type() == want && cur.Addr().Pointer() == address {
			return path, nil
		}
		switch cur.Kind() {
		case reflect.Slice, reflect.Array:
			var base uintptr
			limit := cur.Len()
			if cur.Kind() == reflect.Slice {
				base, limit = cur.Pointer(), cur.Cap()
				cur = cur.Slice3(0, limit, limit)
			} else {
				base = cur.Addr().Pointer()
			}
			size := cur.Type().Elem().Size()
			k := int((address - base) / size)
			if address < base || k >= limit {
				return nil, fmt.Errorf("a %v lies outside the %v that contains it", target.Type(), cur.Type())
			}
			path = append(path, k)
			if isSlice && cur.Type().Elem() == want && (address-base)%size == 0 {
				return path, nil
			}
			cur = cur.Index(k)
		case reflect.Struct:
			offset := address - cur.Addr().Pointer()
			t := cur.Type()
			next := -1
			for i := 0; i < t.NumField(); i++ {
				f := t.Field(i)
				if f.Offset <= offset && offset < f.Offset+f.Type.Size() {
					next = i
					break
				}
			}
			if next < 0 {
				return nil, fmt.Errorf("a %v points into a %v where no field is", target.Type(), t)
			}
			path = append(path, next)
			cur = m.field(cur, next)
		default:
			return nil, fmt.Errorf("a %v points into a %v, which a snapshot cannot follow", target.Type(), cur.Type())
		}
	}
	return nil, fmt.Errorf("a %v lies deeper than %d levels inside its container", target.Type(), maxDepth)
}

// field returns field i of an addressable struct, settable even when
// unexported (through the type's accessor).
func (m *memory) field(v reflect.Value, i int) reflect.Value {
	return fieldOf(m.infos.get(v.Type()), v, i)
}

func fieldOf(in *typeInfo, v reflect.Value, i int) reflect.Value {
	if in.accessor == nil {
		return v.Field(i)
	}
	return reflect.ValueOf(in.accessor(v.Addr().Interface(), nil)[i]).Elem()
}

// resolve follows a path written by locate from a decoded container to
// a pointer of type t, or a slice of type t with length n and capacity c.
func resolve(infos *infoCache, container reflect.Value, path []int, t reflect.Type, n, c int) (reflect.Value, error) {
	cur := container
	if container.Kind() == reflect.Pointer {
		cur = container.Elem()
	}
	isSlice := t.Kind() == reflect.Slice
	last := len(path)
	if isSlice {
		last--
	}
	if last < 0 {
		return reflect.Value{}, fmt.Errorf("an empty path to a %v", t)
	}
	for _, step := range path[:last] {
		switch cur.Kind() {
		case reflect.Slice:
			if step >= cur.Cap() {
				return reflect.Value{}, fmt.Errorf("index %d of a %v of capacity %d", step, cur.Type(), cur.Cap())
			}
			cur = cur.Slice3(0, cur.Cap(), cur.Cap()).Index(step)
		case reflect.Array:
			if step >= cur.Len() {
				return reflect.Value{}, fmt.Errorf("index %d of a %v", step, cur.Type())
			}
			cur = cur.Index(step)
		case reflect.Struct:
			if step >= cur.NumField() {
				return reflect.Value{}, fmt.Errorf("field %d of a %v", step, cur.Type())
			}
			cur = fieldOf(infos.get(cur.Type()), cur, step)
		default:
			return reflect.Value{}, fmt.Errorf("a path through a %v", cur.Type())
		}
	}
	if !isSlice {
		if cur.Type() != t.Elem() || !cur.CanAddr() {
			return reflect.Value{}, fmt.Errorf("a path to a %v ends at a %v", t, cur.Type())
		}
		return cur.Addr(), nil
	}
	k := path[last]
	if (cur.Kind() != reflect.Slice && cur.Kind() != reflect.Array) || cur.Type().Elem() != t.Elem() {
		return reflect.Value{}, fmt.Errorf("a path to a %v ends at a %v", t, cur.Type())
	}
	capacity := cur.Len()
	if cur.Kind() == reflect.Slice {
		capacity = cur.Cap()
	}
	if k < 0 || n < 0 || n > c || c > capacity-k {
		return reflect.Value{}, fmt.Errorf("a view [%d:%d:%d] of a %v of capacity %d", k, k+n, k+c, cur.Type(), capacity)
	}
	return cur.Slice3(k, k+n, k+c).Convert(t), nil
}
