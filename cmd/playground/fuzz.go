package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/kafka-playground/playground/core/fuzz"
)

// Limits of the fuzz command.
const (
	maxFuzzSeeds        = 1_000_000
	defaultShrinkBudget = 400
	maxShrinkBudget     = 10_000
)

// fuzzCommand is `playground fuzz`: random scenarios with faults, checked
// by the invariant and history checkers; a failing seed is shrunk to a
// minimal scenario written as a file.
func fuzzCommand(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("fuzz", flag.ContinueOnError)
	flags.SetOutput(stderr)
	seeds := flags.Int("seeds", 100, "how many seeds to run")
	from := flags.Uint64("from", 1, "the first seed")
	out := flags.String("out", ".", "the folder failing scenarios are written to")
	budget := flags.Int("shrink-budget", defaultShrinkBudget, "how many candidate scenarios shrinking may run (0: do not shrink)")
	workers := flags.Int("workers", runtime.NumCPU(), "seeds checked at once")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	switch {
	case flags.NArg() > 0:
		fmt.Fprintf(stderr, "playground fuzz: unexpected argument %q\n", flags.Arg(0))
		return 2
	case *seeds < 1 || *seeds > maxFuzzSeeds:
		fmt.Fprintf(stderr, "playground fuzz: --seeds %d is out of range 1..%d\n", *seeds, maxFuzzSeeds)
		return 2
	case *from < 1 || *from > 1<<62:
		fmt.Fprintf(stderr, "playground fuzz: --from %d is out of range 1..%d\n", *from, uint64(1)<<62)
		return 2
	case *budget < 0 || *budget > maxShrinkBudget:
		fmt.Fprintf(stderr, "playground fuzz: --shrink-budget %d is out of range 0..%d\n", *budget, maxShrinkBudget)
		return 2
	case *workers < 1:
		*workers = 1
	}
	if info, err := os.Stat(*out); err != nil || !info.IsDir() {
		fmt.Fprintf(stderr, "playground fuzz: --out %s is not a folder\n", *out)
		return 2
	}
	reports := make([]fuzz.Report, *seeds)
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				reports[i] = fuzz.Check(fuzz.Generate(*from + uint64(i)))
			}
		}()
	}
	for i := 0; i < *seeds; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	failed := 0
	var events uint64
	for i, r := range reports {
		events += r.Events
		if !r.Failed() {
			continue
		}
		failed++
		seed := *from + uint64(i)
		fmt.Fprintf(stdout, "seed %d FAILED (%s):\n", seed, strings.Join(r.Kinds(), ", "))
		for _, p := range r.Problems {
			fmt.Fprintf(stdout, "  %s\n", p)
		}
		s := fuzz.Generate(seed)
		if *budget > 0 {
			s = fuzz.Shrink(s, fuzz.FailsLike(r.Kinds()), *budget)
		}
		s.Description = fmt.Sprintf("playground fuzz seed %d, shrunk to %d steps; it fails with: %s", seed, len(s.Steps), strings.Join(r.Kinds(), ", "))
		data, err := fuzz.Canonical(s)
		if err != nil {
			fmt.Fprintf(stderr, "playground fuzz: seed %d: %v\n", seed, err)
			return 2
		}
		file := filepath.Join(*out, "fuzz-seed-"+strconv.FormatUint(seed, 10)+".json")
		if err := os.WriteFile(file, data, 0o644); err != nil {
			fmt.Fprintf(stderr, "playground fuzz: %v\n", err)
			return 2
		}
		fmt.Fprintf(stdout, "  minimal failing scenario (%d steps): %s\n  replay: playground run %s\n", len(s.Steps), file, file)
	}
	fmt.Fprintf(stdout, "%d seeds (%d..%d), %d failed, %d trace events\n", *seeds, *from, *from+uint64(*seeds)-1, failed, events)
	if failed > 0 {
		return 1
	}
	return 0
}
