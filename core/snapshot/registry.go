package snapshot

import (
	"crypto/sha256"
	"encoding"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Fields lists a pointer to each field of the struct p points to, in
// declaration order, appended to dst (so that walking a struct
// allocates nothing).
type Fields func(p any, dst []any) []any

// Register makes the struct type that nilPointer points to known to
// snapshots: fields gives the codec a settable pointer to each of its
// fields, unexported ones too, and the type may sit behind an interface.
// tools/snapgen writes the calls, one per struct type of a package, into
// its snapshot_types.go. (Plain functions rather than generic ones: one
// instantiation per type would grow the WebAssembly module by a sixth.)
func Register(nilPointer any, fields Fields) {
	t := reflect.TypeOf(nilPointer).Elem()
	if t.Kind() != reflect.Struct {
		panic(fmt.Sprintf("snapshot: Register of %v, which is not a struct", t))
	}
	registry.add(t, fields)
}

// RegisterFormat names the form in which a type encodes itself
// (encoding.BinaryMarshaler), with its version: it is part of the
// Fingerprint, so that a change of the form, like a change of a type's
// fields, makes older snapshots another engine's.
func RegisterFormat(name string) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	registry.formats = append(registry.formats, name)
}

// RegisterType makes the named type that nilPointer points to, one that
// is not a struct (an integer kind, a slice type, an interface), known
// to snapshots by name, so that values of it may sit behind an
// interface.
func RegisterType(nilPointer any) {
	registry.add(reflect.TypeOf(nilPointer).Elem(), nil)
}

type typeRegistry struct {
	mu     sync.RWMutex
	byName map[string]reflect.Type
	// formats name the forms of the types that encode themselves.
	formats []string
	fields  map[reflect.Type]func(p any, dst []any) []any
	// infos caches what the codec learned of a type (see info).
	infos sync.Map
}

var registry = typeRegistry{byName: map[string]reflect.Type{}, fields: map[reflect.Type]func(any, []any) []any{}}

func (r *typeRegistry) add(t reflect.Type, fields func(any, []any) []any) {
	if t.Name() == "" || t.PkgPath() == "" {
		panic(fmt.Sprintf("snapshot: %v is not a named type of a package (unnamed types need no registering)", t))
	}
	name := typeName(t)
	r.mu.Lock()
	defer r.mu.Unlock()
	if other, taken := r.byName[name]; taken && other != t {
		panic(fmt.Sprintf("snapshot: two types named %s", name))
	}
	r.byName[name] = t
	if fields != nil {
		r.fields[t] = fields
	}
}

func (r *typeRegistry) lookup(name string) (reflect.Type, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	t, ok := r.byName[name]
	return t, ok
}

func (r *typeRegistry) accessor(t reflect.Type) func(any, []any) []any {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.fields[t]
}

// fingerprintSize is how many bytes of Fingerprint a snapshot carries.
const fingerprintSize = 16

var fingerprint = sync.OnceValue(func() []byte {
	registry.mu.RLock()
	names := make([]string, 0, len(registry.byName))
	for name := range registry.byName {
		names = append(names, name)
	}
	formats := append([]string{}, registry.formats...)
	registry.mu.RUnlock()
	sort.Strings(names)
	sort.Strings(formats)
	h := sha256.New()
	for _, format := range formats {
		fmt.Fprintf(h, "format %s\n", format)
	}
	for _, name := range names {
		t, _ := registry.lookup(name)
		fmt.Fprintf(h, "%s %v %v\n", name, t.Kind(), t)
		if t.Kind() == reflect.Struct {
			for i := 0; i < t.NumField(); i++ {
				f := t.Field(i)
				fmt.Fprintf(h, "\t%s %v %q\n", f.Name, f.Type, f.Tag)
			}
		} else if t.Kind() != reflect.Interface {
			fmt.Fprintf(h, "\t%v\n", t.Kind())
		}
	}
	return h.Sum(nil)[:fingerprintSize]
})

// Fingerprint returns a digest of the layout of every registered type:
// snapshots carry it, and Decode refuses one whose layout is not this
// build's (a snapshot is a cache of state; the journal it came from is
// the truth to replay instead).
func Fingerprint() []byte { return fingerprint() }

// typeName is a named type's registry name: its package path and name.
func typeName(t reflect.Type) string {
	if t.PkgPath() == "" {
		return t.Name()
	}
	return t.PkgPath() + "." + t.Name()
}

var (
	binaryMarshaler   = reflect.TypeFor[encoding.BinaryMarshaler]()
	binaryUnmarshaler = reflect.TypeFor[encoding.BinaryUnmarshaler]()
	emptyInterface    = reflect.TypeFor[any]()
)

// predeclared are the types named without a package.
var predeclared = map[string]reflect.Type{}

func init() {
	for _, v := range []any{false, int(0), int8(0), int16(0), int32(0), int64(0), uint(0), uint8(0), uint16(0),
		uint32(0), uint64(0), uintptr(0), float32(0), float64(0), complex64(0), complex128(0), ""} {
		t := reflect.TypeOf(v)
		predeclared[t.Name()] = t
	}
	predeclared["error"] = reflect.TypeFor[error]()
	predeclared["any"] = emptyInterface
}

// describe returns the name under which t is written behind an
// interface: a registered or predeclared name, or a pointer, slice,
// array or map of those.
func describe(t reflect.Type) (string, error) {
	if t == emptyInterface {
		return "any", nil
	}
	if t.Name() != "" {
		name := typeName(t)
		if t.PkgPath() == "" {
			if _, ok := predeclared[name]; ok {
				return name, nil
			}
		} else if registered, ok := registry.lookup(name); ok && registered == t {
			return name, nil
		}
		return "", fmt.Errorf("type %v is not registered", t)
	}
	var elem string
	var err error
	if t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		if elem, err = describe(t.Elem()); err != nil {
			return "", err
		}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return "*" + elem, nil
	case reflect.Slice:
		return "[]" + elem, nil
	case reflect.Array:
		return "[" + strconv.Itoa(t.Len()) + "]" + elem, nil
	case reflect.Map:
		key, err := describe(t.Key())
		if err != nil {
			return "", err
		}
		return "map[" + key + "]" + elem, nil
	}
	return "", fmt.Errorf("type %v has no name a snapshot can carry", t)
}

// maxDescribeDepth bounds the nesting of a type name read from a snapshot.
const maxDescribeDepth = 32

// parseType reads a name written by describe back into its type. A type
// read from a snapshot is made before any of its bytes are read, so its
// size and the elements its arrays hold are bounded.
func parseType(name string) (reflect.Type, error) {
	t, rest, err := parseTypePrefix(name, 0)
	if err != nil {
		return nil, err
	}
	if rest != "" {
		return nil, fmt.Errorf("type name %q has %q after its end", name, rest)
	}
	if t.Size() > maxNamedTypeBytes || arrayElements(t) > maxNamedTypeElements {
		return nil, fmt.Errorf("type name %q names a type too large to read from a snapshot", name)
	}
	return t, nil
}

// Bounds of a type named in a snapshot: its size, and how many elements
// its arrays hold in all (so that arrays of empty elements, which take
// no bytes to read, cannot make Decode loop).
const (
	maxNamedTypeBytes    = 1 << 20
	maxNamedTypeElements = 1 << 16
)

// arrayElements counts the array elements a value of t holds inline.
func arrayElements(t reflect.Type) uintptr {
	switch t.Kind() {
	case reflect.Array:
		return uintptr(t.Len()) * max(arrayElements(t.Elem()), 1)
	case reflect.Struct:
		var n uintptr
		for i := 0; i < t.NumField(); i++ {
			n += arrayElements(t.Field(i).Type)
		}
		return n
	}
	return 0
}

func parseTypePrefix(name string, depth int) (t reflect.Type, rest string, err error) {
	if depth > maxDescribeDepth {
		return nil, "", fmt.Errorf("type name nested deeper than %d", maxDescribeDepth)
	}
	switch {
	case strings.HasPrefix(name, "*"):
		elem, rest, err := parseTypePrefix(name[1:], depth+1)
		if err != nil {
			return nil, "", err
		}
		return reflect.PointerTo(elem), rest, nil
	case strings.HasPrefix(name, "[]"):
		elem, rest, err := parseTypePrefix(name[2:], depth+1)
		if err != nil {
			return nil, "", err
		}
		return reflect.SliceOf(elem), rest, nil
	case strings.HasPrefix(name, "["):
		end := strings.IndexByte(name, ']')
		n, convErr := strconv.Atoi(name[1:max(end, 1)])
		if end < 0 || convErr != nil || n < 0 || n > maxArrayLength {
			return nil, "", fmt.Errorf("type name %q has a bad array length", name)
		}
		elem, rest, err := parseTypePrefix(name[end+1:], depth+1)
		if err != nil {
			return nil, "", err
		}
		// Bounded before the type is made: making a huge array type
		// costs time and memory in itself.
		if size := elem.Size(); size > 0 && uintptr(n) > maxNamedTypeBytes/size ||
			uintptr(n)*max(arrayElements(elem), 1) > maxNamedTypeElements {
			return nil, "", fmt.Errorf("type name %q names a type too large to read from a snapshot", name)
		}
		return reflect.ArrayOf(n, elem), rest, nil
	case strings.HasPrefix(name, "map["):
		key, rest, err := parseTypePrefix(name[4:], depth+1)
		if err != nil {
			return nil, "", err
		}
		if !strings.HasPrefix(rest, "]") || !key.Comparable() {
			return nil, "", fmt.Errorf("type name %q has a bad map key", name)
		}
		elem, rest, err := parseTypePrefix(rest[1:], depth+1)
		if err != nil {
			return nil, "", err
		}
		return reflect.MapOf(key, elem), rest, nil
	}
	end := strings.IndexAny(name, "]")
	if end < 0 {
		end = len(name)
	}
	word := name[:end]
	if t, ok := predeclared[word]; ok {
		return t, name[end:], nil
	}
	if t, ok := registry.lookup(word); ok {
		return t, name[end:], nil
	}
	return nil, "", fmt.Errorf("type %q is not registered", word)
}

// maxArrayLength bounds an array type named in a snapshot.
const maxArrayLength = 1 << 16

// typeInfo is what the codec learned of a struct type: which fields it
// walks, and how to get settable pointers to them.
type typeInfo struct {
	// fields lists every field; skip marks those tagged snapshot:"-".
	fields []reflect.StructField
	skip   []bool
	// accessor lists pointers to the fields; nil when every field is
	// exported (reflection then sets them directly).
	accessor func(any, []any) []any
	// marshal is set when the type encodes itself (encoding.BinaryMarshaler
	// and BinaryUnmarshaler on its pointer).
	marshal bool
	err     error
}

// infoCache is one Encode's or Decode's own view of info, without the
// registry's synchronisation.
type infoCache map[reflect.Type]*typeInfo

func (c *infoCache) get(t reflect.Type) *typeInfo {
	if in, ok := (*c)[t]; ok {
		return in
	}
	if *c == nil {
		*c = infoCache{}
	}
	in := info(t)
	(*c)[t] = in
	return in
}

// info returns the codec's description of a type, built once.
func info(t reflect.Type) *typeInfo {
	if cached, ok := registry.infos.Load(t); ok {
		return cached.(*typeInfo)
	}
	in := &typeInfo{}
	pointer := reflect.PointerTo(t)
	if pointer.Implements(binaryUnmarshaler) && (t.Implements(binaryMarshaler) || pointer.Implements(binaryMarshaler)) {
		in.marshal = true
		in.err = checkNotPromoted(t)
	} else if t.Kind() == reflect.Struct {
		exported := true
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			in.fields = append(in.fields, f)
			in.skip = append(in.skip, f.Tag.Get("snapshot") == "-")
			if !f.IsExported() {
				exported = false
			}
		}
		if !exported {
			in.accessor = registry.accessor(t)
			if in.accessor == nil {
				in.err = fmt.Errorf("struct %v has unexported fields and is not registered (run tools/snapgen)", t)
			} else {
				zero := reflect.New(t)
				in.err = in.checkAccessor(zero.Elem(), in.accessor(zero.Interface(), nil))
			}
		}
	}
	actual, _ := registry.infos.LoadOrStore(t, in)
	return actual.(*typeInfo)
}

// fieldWalker visits the fields of structs, reusing per nesting depth
// the slice an accessor appends field pointers to, so that walking a
// struct allocates nothing.
type fieldWalker struct {
	scratch [][]any
}

// walk calls visit with each field of v (addressable) that snapshots
// carry, settable even when unexported, in declaration order; an error
// names the field it came from.
func (w *fieldWalker) walk(in *typeInfo, v reflect.Value, depth int, visit func(reflect.Value) error) error {
	var pointers []any
	if in.accessor != nil {
		for len(w.scratch) <= depth {
			w.scratch = append(w.scratch, nil)
		}
		pointers = in.accessor(v.Addr().Interface(), w.scratch[depth][:0])
		w.scratch[depth] = pointers
	}
	for i := range in.fields {
		if in.skip[i] {
			continue
		}
		field := v.Field(i)
		if pointers != nil {
			field = reflect.ValueOf(pointers[i]).Elem()
		}
		if err := visit(field); err != nil {
			return wrapField(in.fields[i].Name, err)
		}
	}
	return nil
}

// checkNotPromoted refuses a struct that encodes itself only through an
// embedded field's methods while it has fields of its own: they would be
// left out of the snapshot.
func checkNotPromoted(t reflect.Type) error {
	if t.Kind() != reflect.Struct || t.NumField() < 2 {
		return nil
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && reflect.PointerTo(f.Type).Implements(binaryUnmarshaler) {
			return fmt.Errorf("struct %v embeds %v, which encodes itself, beside other fields that its encoding would leave out: give %v MarshalBinary and UnmarshalBinary of its own", t, f.Type, t)
		}
	}
	return nil
}

// checkAccessor compares the pointers an accessor lists for the struct at
// v (addressable) with the struct's declaration: one per field, in order.
func (in *typeInfo) checkAccessor(v reflect.Value, pointers []any) error {
	if len(pointers) != len(in.fields) {
		return fmt.Errorf("the snapshot accessor of %v lists %d fields where %d are declared (run tools/snapgen)", v.Type(), len(pointers), len(in.fields))
	}
	base := v.Addr().Pointer()
	for i, p := range pointers {
		pv := reflect.ValueOf(p)
		f := in.fields[i]
		if pv.Kind() != reflect.Pointer || pv.Type().Elem() != f.Type || pv.Pointer() != base+f.Offset {
			return fmt.Errorf("the snapshot accessor of %v does not list field %s at position %d (run tools/snapgen)", v.Type(), f.Name, i)
		}
	}
	return nil
}
