// Package lessons is the playground's library of lessons: scenario files
// that each teach one Kafka concept, embedded in the binary so that the CLI,
// the browser module and the tests read the same files.
//
// A lesson file is an ordinary scenario (see ../../shared/SCENARIO.md) named
// NN-slug.json, where the two-digit prefix gives the teaching order; its
// name is the lesson's title and its description the text shown beside it.
package lessons

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"

	"github.com/kafka-playground/playground/core/scenario"
)

//go:embed *.json
var files embed.FS

// Lesson is one lesson file.
type Lesson struct {
	// File is the file name, such as "01-topics-partitions-offsets.json".
	File string
	// Title is the scenario's name.
	Title string
	// Description is the scenario's description.
	Description string
	// Data is the scenario file as written.
	Data []byte
}

// library holds every lesson, sorted by file name, decoded once.
var library = load()

// load reads and decodes every embedded lesson. A lesson that does not
// decode is a build defect caught by the package's tests; it panics here so
// that it can never ship silently.
func load() []Lesson {
	names, err := fs.Glob(files, "*.json")
	if err != nil {
		panic(fmt.Sprintf("lessons: %v", err))
	}
	sort.Strings(names)
	out := make([]Lesson, 0, len(names))
	for _, name := range names {
		data, err := files.ReadFile(name)
		if err != nil {
			panic(fmt.Sprintf("lessons: %v", err))
		}
		s, err := scenario.Decode(name, data)
		if err != nil {
			panic(fmt.Sprintf("lessons: %v", err))
		}
		out = append(out, Lesson{File: name, Title: s.Name, Description: s.Description, Data: data})
	}
	return out
}

// All returns every lesson, sorted by file name (the teaching order). The
// slice is a copy; the Data of each lesson must not be modified.
func All() []Lesson {
	return append([]Lesson(nil), library...)
}

// Get returns the lesson stored in file, such as
// "02-keys-same-partition.json".
func Get(file string) (Lesson, bool) {
	for _, lesson := range library {
		if lesson.File == file {
			return lesson, true
		}
	}
	return Lesson{}, false
}
