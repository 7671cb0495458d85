package main

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/kafka-playground/playground/core/scenario"
)

func TestLinkCommandRoundTrip(t *testing.T) {
	file := writeScenario(t, "holds.json", holdingScenario)
	code, stdout, stderr := runCommand("link", file)
	if code != 0 {
		t.Fatalf("link FILE: exit status %d, want 0\nstderr: %s", code, stderr)
	}
	path := strings.TrimSuffix(stdout, "\n")
	if !strings.HasPrefix(path, "/#s=1.") || strings.Contains(path, "\n") || stderr != "" {
		t.Fatalf("link FILE printed %q (stderr %q), want one line /#s=1.…", stdout, stderr)
	}

	original, err := scenario.Decode("holds.json", []byte(holdingScenario))
	if err != nil {
		t.Fatal(err)
	}
	canonical, err := scenario.Encode(original)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	json.Indent(&want, canonical, "", "  ")
	want.WriteByte('\n')

	for _, url := range []string{path, "https://playground.example.com" + path} {
		code, printed, stderr := runCommand("link", "--decode", url)
		if code != 0 {
			t.Fatalf("link --decode %.50q: exit status %d, want 0\nstderr: %s", url, code, stderr)
		}
		if printed != want.String() {
			t.Fatalf("link --decode printed\n%s\nwant the canonical scenario indented by two spaces:\n%s", printed, want.String())
		}
		decoded, err := scenario.Decode("printed.json", []byte(printed))
		if err != nil || !reflect.DeepEqual(decoded, original) {
			t.Fatalf("the printed scenario is not the original (%v)", err)
		}
	}

	// The printed scenario links to the very same path.
	printedFile := writeScenario(t, "printed.json", want.String())
	if code, again, stderr := runCommand("link", printedFile); code != 0 || again != stdout {
		t.Fatalf("link of the printed scenario: exit status %d, %q (stderr %q), want %q", code, again, stderr, stdout)
	}
}

func TestLinkCommandErrors(t *testing.T) {
	invalid := writeScenario(t, "unknown-field.json", unknownFieldScenario)
	tests := []struct {
		name string
		args []string
		want []string // each must appear on standard error
	}{
		{"invalid scenario", []string{"link", invalid}, []string{invalid, `"brokr"`}},
		{"missing file", []string{"link", invalid + ".missing"}, []string{invalid + ".missing"}},
		{"newer link", []string{"link", "--decode", "/#s=2.AAAA"}, []string{"link version 2 is newer than this playground understands (1)"}},
		{"damaged link", []string{"link", "--decode", "https://playground.example.com/#s=1.ab!cd"}, []string{"the link is damaged: its data is not valid base64 at character 3"}},
		{"no parameter", []string{"link", "--decode", "https://playground.example.com/"}, []string{`the link has no "s=" parameter`}},
		{"no arguments", []string{"link"}, []string{"give one scenario file, or --decode and one link"}},
		{"file and link", []string{"link", "--decode", "/#s=1.AAAA", invalid}, []string{"give one scenario file, or --decode and one link"}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			code, stdout, stderr := runCommand(test.args...)
			if code != 2 || stdout != "" {
				t.Fatalf("exit status %d, stdout %q; want 2 and nothing\nstderr: %s", code, stdout, stderr)
			}
			for _, want := range test.want {
				if !strings.Contains(stderr, want) {
					t.Errorf("standard error does not say %q:\n%s", want, stderr)
				}
			}
		})
	}
}
