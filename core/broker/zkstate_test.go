package broker

// The ZooKeeper-mode state must be data: core/snapshot writes a cluster's
// whole object graph to bytes, and a func value (a stored closure, a
// callback field, a queue of funcs) cannot be written. Func values passed
// down and called within one event (sort comparators, iteration
// callbacks) are not state and are not types of anything stored, so the
// check below looks at types only.

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// TestZooKeeperStateHoldsNoFuncs type-checks this package and fails if a
// func, chan or unsafe.Pointer is reachable from a type declared in
// zk*.go: through struct fields, pointers, slices, arrays, map keys and
// values, named types (this package's and others'), and this package's
// own interfaces, whose every implementation in the package is followed
// (an interface declared elsewhere, such as sim.Message, is not: its
// values are messages). It does not follow the pointers back to the
// Broker that owns the state: the rest of the broker is not ZooKeeper
// mode's (its wiring settings, the KRaft control plane, produce and
// transaction state are checked, or re-wired, on their own).
func TestZooKeeperStateHoldsNoFuncs(t *testing.T) {
	if runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("type-checking from source needs the go command")
	}
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	var roots []string
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
		if strings.HasPrefix(name, "zk") {
			roots = append(roots, declaredTypes(f)...)
		}
	}
	if len(roots) == 0 {
		t.Fatal("no types declared in zk*.go")
	}
	conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil)}
	pkg, err := conf.Check("github.com/kafka-playground/playground/core/broker", fset, files, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, problem := range unstorable(pkg, roots, "Broker") {
		t.Error(problem)
	}
}

// TestUnstorableFindsFuncs makes sure the check above can fail: each
// planted func, chan or unsafe.Pointer is found, however deep.
func TestUnstorableFindsFuncs(t *testing.T) {
	const src = `package p

import "unsafe"

type zkGood struct {
	n     int
	next  *zkGood
	ok    map[string][]int32
	event zkEvent
}

type zkEvent interface{ process() }

type fine struct{}

func (fine) process() {}

type hidden struct{ f func() }

func (*hidden) process() {}

type zkField struct{ onDone func(bool) }
type zkQueue struct{ queue []func() }
type zkTable struct{ pending map[int32]struct{ lost func() } }
type zkChan struct{ c *[2]chan int }
type zkRaw struct{ p unsafe.Pointer }
type zkNamed callback
type callback func()

type owner struct{ wiring func() }
type zkOwned struct{ o *owner }
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := (&types.Config{Importer: importer.Default()}).Check("p", fset, []*ast.File{f}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := unstorable(pkg, declaredTypes(f), "owner")
	want := []string{
		"callback: p.callback",
		"zkChan.c[]: chan int",
		"zkField.onDone: func(bool)",
		"zkGood.event (zkEvent) → *hidden.f: func()",
		"zkNamed: p.zkNamed",
		"zkQueue.queue[]: func()",
		"zkRaw.p: unsafe.Pointer",
		"zkTable.pending[value].lost: func()",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("found\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// declaredTypes returns the names of the types a file declares.
func declaredTypes(f *ast.File) []string {
	var names []string
	for _, decl := range f.Decls {
		if gen, ok := decl.(*ast.GenDecl); ok && gen.Tok == token.TYPE {
			for _, spec := range gen.Specs {
				names = append(names, spec.(*ast.TypeSpec).Name.Name)
			}
		}
	}
	return names
}

// unstorable returns, sorted, a path to each func, chan or unsafe.Pointer
// reachable from the named types roots of pkg, not following the named
// types of pkg stops.
func unstorable(pkg *types.Package, roots []string, stops ...string) []string {
	w := &stateWalk{pkg: pkg, seen: map[types.Type]bool{}}
	for _, name := range stops {
		w.seen[pkg.Scope().Lookup(name).Type()] = true
	}
	for _, name := range roots {
		w.walk(pkg.Scope().Lookup(name).Type(), name)
	}
	sort.Strings(w.problems)
	return w.problems
}

type stateWalk struct {
	pkg      *types.Package
	seen     map[types.Type]bool
	problems []string
}

func (w *stateWalk) walk(t types.Type, path string) {
	t = types.Unalias(t)
	if w.seen[t] {
		return
	}
	w.seen[t] = true
	switch t := t.(type) {
	case *types.Named:
		iface, ok := t.Underlying().(*types.Interface)
		switch {
		case !ok:
			if _, isFunc := t.Underlying().(*types.Signature); isFunc {
				w.problems = append(w.problems, path+": "+t.String())
				return
			}
			w.walk(t.Underlying(), path)
		case t.Obj().Pkg() == w.pkg:
			w.walkImplementations(iface, path+" ("+t.Obj().Name()+")")
		}
	case *types.Pointer:
		w.walk(t.Elem(), path)
	case *types.Slice:
		w.walk(t.Elem(), path+"[]")
	case *types.Array:
		w.walk(t.Elem(), path+"[]")
	case *types.Map:
		w.walk(t.Key(), path+"[key]")
		w.walk(t.Elem(), path+"[value]")
	case *types.Struct:
		for i := 0; i < t.NumFields(); i++ {
			w.walk(t.Field(i).Type(), path+"."+t.Field(i).Name())
		}
	case *types.Signature, *types.Chan:
		w.problems = append(w.problems, path+": "+t.String())
	case *types.Basic:
		if t.Kind() == types.UnsafePointer {
			w.problems = append(w.problems, path+": "+t.String())
		}
	}
}

// walkImplementations follows every type of the package that implements
// iface, by value or by pointer.
func (w *stateWalk) walkImplementations(iface *types.Interface, path string) {
	scope := w.pkg.Scope()
	for _, name := range scope.Names() {
		obj, ok := scope.Lookup(name).(*types.TypeName)
		if !ok || types.IsInterface(obj.Type()) {
			continue
		}
		switch {
		case types.Implements(obj.Type(), iface):
			w.walk(obj.Type(), path+" → "+name)
		case types.Implements(types.NewPointer(obj.Type()), iface):
			w.walk(obj.Type(), path+" → *"+name)
		}
	}
}
