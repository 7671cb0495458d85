// Package snapshot writes the whole state of a simulation to bytes and
// reads it back: the deterministic snapshot under a room's fast restart
// and a late joiner's fast join.
//
// A snapshot is the object graph reachable from one root pointer, walked
// with reflection: integers, strings, slices, arrays, maps (entries in
// the order of their encoded keys, so the same state always gives the
// same bytes), structs, pointers (each object once; every later pointer
// to it is a reference, so sharing and cycles survive) and interfaces
// (their dynamic type by name, from a registry). Nothing else: a func,
// a chan or an unsafe.Pointer in the state is an error that names where
// it is, so state must be data — a pending callback is a value of a named
// type, not a closure.
//
// The codec sets unexported fields without package unsafe: each package
// of the core registers, for every struct type it declares, a function
// listing a pointer to each field (Register, written by tools/snapgen),
// and the codec checks that the list matches the struct's declaration the
// first time it meets the type. A field tagged `snapshot:"-"` is left out
// and is zero after Decode: hooks set by a host and wiring set by a
// constructor, which the owner of the root sets again after Decode.
//
// Two things a reflective walk cannot see are found instead of assumed:
// a pointer into the middle of another object (say &slice[i] kept beside
// the slice, or &s.field beside s) and two views of one array. Encode
// first walks the state to learn the memory every pointer and slice
// reaches (memory.go), and writes a place inside another object as that
// object and a path to the place, so that Decode rebuilds the same
// sharing; only two views that overlap in part, neither containing the
// other, are refused.
//
// The encoding: "KPSN", a format version byte, the Fingerprint of the
// types (and of the forms of the types that encode themselves,
// RegisterFormat), the root's value, and a CRC-32C of everything before
// it. Decode checks lengths against the bytes that are left, bounds the
// types a snapshot may name and the work it may ask for beyond its size
// (room past slices' lengths, elements that take no bytes), and turns
// any other failure into an error: bad input is an error, never a panic
// or a runaway allocation.
package snapshot
