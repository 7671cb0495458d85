//go:build !wasm

package record

// slabBlockEntries is the largest block a Slab takes (see Slab): natively
// 0, one allocation per batch.
const slabBlockEntries = 0
