// Package static holds the playground's web page and style sheet and, once
// `make wasm` has built them into dist/, the WebAssembly module (plain and
// gzipped) and wasm_exec.js, embedded so that one binary serves everything.
package static

import (
	"embed"
	"io/fs"
)

//go:embed index.html playground.css memory.js all:dist
var files embed.FS

// Files returns the page and the built assets, rooted so that "index.html"
// and "dist/playground.wasm" are at the top.
func Files() fs.FS { return files }

// HasModule reports whether the WebAssembly module was built into the binary.
func HasModule() bool {
	_, err := fs.Stat(files, "dist/playground.wasm")
	return err == nil
}
