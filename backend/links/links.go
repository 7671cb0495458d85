// Package links keeps short share links: a scenario, checked and redacted,
// stored under an id made from its content (same scenario, same id), and
// turned back into the playground's long link (/#s=1.…) when opened.
//
// The store works over database/sql with portable SQL and does not import
// a driver, so that the server's SQLite and Cloudflare D1 can both hold
// it; MemoryStore is its in-memory twin for tests. linkstest holds the
// table of behaviours every Store must pass.
package links

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/kafka-playground/playground/core/link"
	"github.com/kafka-playground/playground/core/scenario"
)

// IDLength is the length of a link id: 16 base32 characters, 80 bits of
// the SHA-256 of the canonical redacted scenario.
const IDLength = 16

// Schema creates the table a SQLStore uses; the server's migrations hold
// the same statement.
const Schema = `CREATE TABLE IF NOT EXISTS links (
    id TEXT PRIMARY KEY,
    scenario TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);`

// ErrNotFound is the error of Get for an id nobody stored.
var ErrNotFound = errors.New("links: no scenario has this id")

// ErrConflict is the error of Put when the id already holds a different
// scenario: two scenarios whose hashes share 80 bits, which should never
// be seen.
var ErrConflict = errors.New("links: the id already holds another scenario")

// Store holds scenarios by id.
type Store interface {
	// Put stores scenario under id; storing the same scenario again is
	// not an error.
	Put(ctx context.Context, id string, scenario []byte) error
	// Get returns the scenario stored under id, or ErrNotFound.
	Get(ctx context.Context, id string) ([]byte, error)
}

// Canonical decodes a scenario as `playground run` would, with every
// limit of the format, and returns its canonical form without passwords:
// what a link holds. The error is a *scenario.Error naming the problem.
// A scenario whose long link would pass link.MaxLinkBytes is refused
// too (a *link.Error), since the short link could not be opened.
func Canonical(data []byte) ([]byte, error) {
	decoded, err := scenario.Decode("scenario", data)
	if err != nil {
		return nil, err
	}
	if _, err := link.Encode(decoded); err != nil {
		return nil, err
	}
	return scenario.Encode(scenario.Redacted(decoded))
}

// ID returns the id of a canonical scenario.
func ID(canonical []byte) string {
	sum := sha256.Sum256(canonical)
	encoded := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:])
	return strings.ToLower(encoded[:IDLength])
}

// ValidID reports whether id has the shape of a link id, so that a
// malformed one is refused before any lookup.
func ValidID(id string) bool {
	if len(id) != IDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z') && !('2' <= c && c <= '7') {
			return false
		}
	}
	return true
}

// Save checks and redacts a scenario, stores it and returns its id.
func Save(ctx context.Context, store Store, data []byte) (string, error) {
	canonical, err := Canonical(data)
	if err != nil {
		return "", err
	}
	id := ID(canonical)
	return id, store.Put(ctx, id, canonical)
}

// Open returns the long link path (/#s=1.…) of a stored id.
func Open(ctx context.Context, store Store, id string) (string, error) {
	if !ValidID(id) {
		return "", ErrNotFound
	}
	data, err := store.Get(ctx, id)
	if err != nil {
		return "", err
	}
	decoded, err := scenario.Decode("link "+id, data)
	if err != nil {
		return "", err
	}
	return link.Encode(decoded)
}

// SQLStore is a Store over database/sql, in the table Schema creates.
type SQLStore struct {
	db  *sql.DB
	now func() time.Time
}

// NewSQLStore returns a store over db, whose links table must exist.
func NewSQLStore(db *sql.DB) *SQLStore { return &SQLStore{db: db, now: time.Now} }

// Put implements Store.
func (s *SQLStore) Put(ctx context.Context, id string, scenario []byte) error {
	_, err := s.db.ExecContext(ctx,
		`INSERT INTO links (id, scenario, created_ms) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		id, string(scenario), s.now().UnixMilli())
	if err != nil {
		return err
	}
	stored, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if string(stored) != string(scenario) {
		return ErrConflict
	}
	return nil
}

// Get implements Store.
func (s *SQLStore) Get(ctx context.Context, id string) ([]byte, error) {
	var text string
	err := s.db.QueryRowContext(ctx, `SELECT scenario FROM links WHERE id = ?`, id).Scan(&text)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return []byte(text), nil
}

// MemoryStore is a Store in memory, for tests.
type MemoryStore struct {
	mu        sync.Mutex
	scenarios map[string]string
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{scenarios: map[string]string{}} }

// Put implements Store.
func (m *MemoryStore) Put(_ context.Context, id string, scenario []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if stored, ok := m.scenarios[id]; ok {
		if stored != string(scenario) {
			return ErrConflict
		}
		return nil
	}
	m.scenarios[id] = string(scenario)
	return nil
}

// Get implements Store.
func (m *MemoryStore) Get(_ context.Context, id string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	stored, ok := m.scenarios[id]
	if !ok {
		return nil, ErrNotFound
	}
	return []byte(stored), nil
}
