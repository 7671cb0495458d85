package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/kafka-playground/playground/static"
)

// serve serves the playground page with the WebAssembly module embedded.
func serve(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("serve", flag.ContinueOnError)
	flags.SetOutput(stderr)
	addr := flags.String("addr", "127.0.0.1:8080", "address to listen on")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if !static.HasModule() {
		fmt.Fprintln(stderr, "playground serve: this binary was built without the WebAssembly module; build it with `make run`")
		return 2
	}
	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "playground serve: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "Kafka Playground at http://%s/\n", listener.Addr())
	server := &http.Server{Handler: staticHandler(), ReadHeaderTimeout: 10 * time.Second}
	if err := server.Serve(listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "playground serve: %v\n", err)
		return 1
	}
	return 0
}

func staticHandler() http.Handler {
	files := http.FileServerFS(static.Files())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
}
