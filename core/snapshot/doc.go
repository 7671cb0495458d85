// Package snapshot writes the whole state of a simulation to bytes and
// reads it back: the deterministic snapshot under a room's fast restart
// and the playground's fast rewinding.
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
// Two things a reflective walk cannot see are checked instead of assumed:
// a pointer into the middle of another object (say &slice[i] kept beside
// the slice) and two slices over one array would come back as separate
// copies, so Encode refuses any two places whose memory overlaps.
//
// The encoding: "KPSN", a format version byte, the root's value, and a
// CRC-32C of everything before it. Decode checks every length against
// the bytes that are left and never panics on corrupt input.
package snapshot
