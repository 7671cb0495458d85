// Command crashserver runs the backend alone on a loopback port, for the
// crash test, which kills it with SIGKILL and starts it again on the same
// data folder. It prints "listening http://ADDRESS" once it serves.
package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/kafka-playground/playground/backend"
)

func main() {
	data := flag.String("data", "data", "the data folder")
	tick := flag.Duration("tick", 100*time.Millisecond, "the rooms' clock interval")
	rate := flag.Float64("rate", 20, "frames per second per connection")
	snapshotEvery := flag.Int64("snapshot-every", 0, "inputs between two state snapshots of a room, with no least interval (0: the server's default)")
	flag.Parse()
	config := backend.Config{DataDir: *data, TickInterval: *tick, HashInterval: 20 * time.Millisecond,
		FramesPerSecond: *rate, FrameBurst: int(*rate) * 2, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		MaxGatewayInputsPerRoom: 1 << 40, MaxGatewayBytesPerRoom: 1 << 40}
	if *snapshotEvery != 0 {
		config.SnapshotEveryInputs, config.SnapshotMinInterval = *snapshotEvery, time.Nanosecond
	}
	server, err := backend.Open(config)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listening http://%s\n", listener.Addr())
	if err := http.Serve(listener, server.Handler(nil)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
