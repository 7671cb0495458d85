package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestGeneratedFilesAreFresh fails when a type of the core changed and
// its snapshot_types.go was not written again.
func TestGeneratedFilesAreFresh(t *testing.T) {
	for _, pkg := range Packages {
		dir := filepath.Join("..", "..", pkg)
		want, err := Generate(dir)
		if err != nil {
			t.Fatal(err)
		}
		have, err := os.ReadFile(filepath.Join(dir, FileName))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(have, want) {
			t.Errorf("%s/%s is stale: run go run ./tools/snapgen", pkg, FileName)
		}
	}
}
