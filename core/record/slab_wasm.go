//go:build wasm

package record

// slabBlockEntries is the largest block a Slab takes (see Slab): in
// WebAssembly 16384 entries, 640 KB.
const slabBlockEntries = 1 << 14
