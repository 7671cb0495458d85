// Command playground is the Kafka Playground's one binary:
//
//	playground run FILE [--json]   replay a scenario; print its trace, or the JSON result
//	playground serve [--addr A]    serve the playground page with its WebAssembly engine
//	playground link FILE           print the share link path of a scenario
//	playground link --decode URL   print the scenario JSON of a share link
//	playground fuzz [--seeds N]    deterministic simulation testing: random scenarios with faults
//
// Exit status of run: 0 when every expect held, 1 when one failed, 2 when
// the file is not a valid scenario. Exit status of link: 0, or 2 for a file
// that is not a valid scenario or a link that does not open. Exit status of
// fuzz: 0 when every seed held, 1 when one failed, 2 for bad flags.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/kafka-playground/playground/core/scenario"
	"github.com/kafka-playground/playground/core/sim"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "run":
		return runScenario(args[1:], stdout, stderr)
	case "serve":
		return serve(args[1:], stdout, stderr)
	case "link":
		return linkCommand(args[1:], stdout, stderr)
	case "fuzz":
		return fuzzCommand(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	default:
		fmt.Fprintf(stderr, "playground: unknown command %q\n", args[0])
		usage(stderr)
		return 2
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage:
  playground run FILE [--json]   replay a scenario: print its trace, or (--json) the result document
  playground serve [--addr A]    serve the playground (default 127.0.0.1:8080)
  playground link FILE           print the share link path /#s=1.… of a scenario
  playground link --decode URL   print the scenario JSON of a share link
  playground fuzz [--seeds N] [--from S] [--out DIR]
                                 random scenarios with faults through the invariant and history
                                 checkers; a failure prints its seed and writes a minimal failing scenario
`)
}

func runScenario(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("run", flag.ContinueOnError)
	flags.SetOutput(stderr)
	asJSON := flags.Bool("json", false, "print the result document as JSON instead of the trace")
	var file string
	var rest []string
	for _, a := range args {
		if file == "" && len(a) > 0 && a[0] != '-' {
			file = a
			continue
		}
		rest = append(rest, a)
	}
	if err := flags.Parse(rest); err != nil {
		return 2
	}
	if file == "" || flags.NArg() > 0 {
		fmt.Fprintln(stderr, "playground run: give exactly one scenario file")
		return 2
	}
	data, err := readLimited(file)
	if err != nil {
		fmt.Fprintf(stderr, "playground run: %v\n", err)
		return 2
	}
	s, err := scenario.Decode(file, data)
	if err != nil {
		fmt.Fprintf(stderr, "playground run: %v\n", err)
		return 2
	}
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	options := scenario.Options{}
	if !*asJSON {
		options.TraceSink = func(e sim.TraceEvent) { fmt.Fprintln(out, e.String()) }
	}
	result, err := scenario.Run(file, s, options)
	if err != nil {
		out.Flush()
		fmt.Fprintf(stderr, "playground run: %v\n", err)
		return 2
	}
	if *asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(result); err != nil {
			fmt.Fprintf(stderr, "playground run: %v\n", err)
			return 2
		}
	} else {
		for _, st := range result.Steps {
			if st.Op == scenario.OpExpect && !st.OK {
				fmt.Fprintf(out, "FAILED step %d: %s\n", st.Index, st.Error)
			}
		}
		fmt.Fprintf(out, "trace_hash %s\n", result.TraceHash)
	}
	if result.ExpectFailures > 0 {
		return 1
	}
	return 0
}

// readLimited reads a scenario file, refusing one larger than the format allows.
func readLimited(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, scenario.MaxScenarioBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > scenario.MaxScenarioBytes {
		return nil, errors.New(name + ": larger than the " + fmt.Sprint(scenario.MaxScenarioBytes) + " bytes a scenario may have")
	}
	return data, nil
}
