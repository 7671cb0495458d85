package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/kafka-playground/playground/core/link"
	"github.com/kafka-playground/playground/core/scenario"
)

// linkCommand is `playground link FILE`, which prints the share link path of
// a scenario file, and `playground link --decode URL`, which prints the
// scenario of a link as indented canonical JSON. Exit status 2 for a file
// that is not a valid scenario or a link that does not open.
func linkCommand(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("link", flag.ContinueOnError)
	flags.SetOutput(stderr)
	decode := flags.String("decode", "", "print the scenario JSON of a share link instead")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	decodeGiven := false
	flags.Visit(func(f *flag.Flag) { decodeGiven = decodeGiven || f.Name == "decode" })
	switch {
	case decodeGiven && flags.NArg() == 0:
		return decodeLink(*decode, stdout, stderr)
	case !decodeGiven && flags.NArg() == 1:
		return encodeLink(flags.Arg(0), stdout, stderr)
	}
	fmt.Fprintln(stderr, "playground link: give one scenario file, or --decode and one link")
	return 2
}

// encodeLink prints the link path of the scenario file.
func encodeLink(file string, stdout, stderr io.Writer) int {
	data, err := readLimited(file)
	if err != nil {
		fmt.Fprintf(stderr, "playground link: %v\n", err)
		return 2
	}
	s, err := scenario.Decode(file, data)
	if err != nil {
		fmt.Fprintf(stderr, "playground link: %v\n", err)
		return 2
	}
	path, err := link.Encode(s)
	if err != nil {
		fmt.Fprintf(stderr, "playground link: %s: %v\n", file, err)
		return 2
	}
	fmt.Fprintln(stdout, path)
	return 0
}

// decodeLink prints the scenario of a link as canonical JSON indented by two
// spaces.
func decodeLink(url string, stdout, stderr io.Writer) int {
	s, err := link.Decode(url)
	if err != nil {
		fmt.Fprintf(stderr, "playground link: %v\n", err)
		return 2
	}
	canonical, err := scenario.Encode(s)
	if err != nil {
		fmt.Fprintf(stderr, "playground link: %v\n", err)
		return 2
	}
	var indented bytes.Buffer
	if err := json.Indent(&indented, canonical, "", "  "); err != nil {
		fmt.Fprintf(stderr, "playground link: %v\n", err)
		return 2
	}
	indented.WriteByte('\n')
	stdout.Write(indented.Bytes())
	return 0
}
