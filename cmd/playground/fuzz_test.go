package main

import (
	"strings"
	"testing"
)

func TestFuzzCommand(t *testing.T) {
	t.Run("seeds that hold", func(t *testing.T) {
		dir := t.TempDir()
		code, stdout, stderr := runCommand("fuzz", "--seeds", "3", "--from", "5", "--out", dir)
		if code != 0 {
			t.Fatalf("exit status %d, want 0\nstdout: %s\nstderr: %s", code, stdout, stderr)
		}
		if !strings.Contains(stdout, "3 seeds (5..7), 0 failed") {
			t.Errorf("no summary in %q", stdout)
		}
	})
	for _, bad := range [][]string{
		{"fuzz", "--seeds", "0"},
		{"fuzz", "--seeds", "2000000"},
		{"fuzz", "--from", "0"},
		{"fuzz", "--shrink-budget", "-1"},
		{"fuzz", "--out", "/nonexistent/folder"},
		{"fuzz", "extra"},
	} {
		code, _, stderr := runCommand(bad...)
		if code != 2 || !strings.Contains(stderr, "playground fuzz") && !strings.Contains(stderr, "invalid") {
			t.Errorf("%v: exit status %d, stderr %q; want 2 with a message", bad, code, stderr)
		}
	}
}
