// Package linkstest is the table of behaviours every links.Store must
// show, shared by the SQLite store's tests, the in-memory twin's and a
// later Cloudflare D1 store's.
package linkstest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kafka-playground/playground/backend/links"
)

// Case is one behaviour of a store.
type Case struct {
	Name string
	Run  func(t *testing.T, store links.Store)
}

// Cases are the behaviours, each run on a fresh empty store.
var Cases = []Case{
	{"get of an unknown id is ErrNotFound", func(t *testing.T, store links.Store) {
		if _, err := store.Get(context.Background(), "aaaaaaaaaaaaaaaa"); !errors.Is(err, links.ErrNotFound) {
			t.Fatalf("Get of an unknown id: %v, want ErrNotFound", err)
		}
	}},
	{"put then get returns the same bytes", func(t *testing.T, store links.Store) {
		ctx := context.Background()
		scenario := []byte(`{"version":1,"seed":1,"cluster":{"brokers":3,"metadata":"kraft"},"steps":[]}`)
		id := links.ID(scenario)
		if err := store.Put(ctx, id, scenario); err != nil {
			t.Fatal(err)
		}
		got, err := store.Get(ctx, id)
		if err != nil || string(got) != string(scenario) {
			t.Fatalf("Get = %q, %v; want %q", got, err, scenario)
		}
	}},
	{"putting the same scenario twice is not an error", func(t *testing.T, store links.Store) {
		ctx := context.Background()
		scenario := []byte(`{"version":1,"seed":2,"cluster":{"brokers":1,"metadata":"kraft"},"steps":[]}`)
		id := links.ID(scenario)
		for i := 0; i < 2; i++ {
			if err := store.Put(ctx, id, scenario); err != nil {
				t.Fatalf("put %d: %v", i+1, err)
			}
		}
	}},
	{"an id holding another scenario is ErrConflict and keeps the first", func(t *testing.T, store links.Store) {
		ctx := context.Background()
		first, second := []byte(`{"a":1}`), []byte(`{"b":2}`)
		id := links.ID(first)
		if err := store.Put(ctx, id, first); err != nil {
			t.Fatal(err)
		}
		if err := store.Put(ctx, id, second); !errors.Is(err, links.ErrConflict) {
			t.Fatalf("Put of another scenario under the same id: %v, want ErrConflict", err)
		}
		if got, _ := store.Get(ctx, id); string(got) != string(first) {
			t.Fatalf("the first scenario was replaced by %q", got)
		}
	}},
	{"save and open: same scenario same id, passwords never stored", func(t *testing.T, store links.Store) {
		ctx := context.Background()
		withSecret := []byte(`{"version":1,"steps":[{"op":"add_user","user":"alice","password":"hunter2","mechanism":"PLAIN"}]}`)
		id, err := links.Save(ctx, store, withSecret)
		if err != nil {
			t.Fatal(err)
		}
		again, err := links.Save(ctx, store, []byte("  "+string(withSecret)+"\n"))
		if err != nil || again != id {
			t.Fatalf("the same scenario saved again got id %q (%v), want %q", again, err, id)
		}
		stored, _ := store.Get(ctx, id)
		if len(stored) == 0 || strings.Contains(string(stored), "hunter2") {
			t.Fatalf("the stored scenario is %q; it must exist and hold no password", stored)
		}
		path, err := links.Open(ctx, store, id)
		if err != nil || len(path) < 6 || path[:6] != "/#s=1." {
			t.Fatalf("Open = %q, %v; want a /#s=1. link", path, err)
		}
	}},
}

// Run runs every case, each on a store newStore returns empty.
func Run(t *testing.T, newStore func(t *testing.T) links.Store) {
	for _, c := range Cases {
		t.Run(c.Name, func(t *testing.T) { c.Run(t, newStore(t)) })
	}
}
