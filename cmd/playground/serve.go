package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/kafka-playground/playground/backend"
	"github.com/kafka-playground/playground/backend/gateway"
	"github.com/kafka-playground/playground/core"
	"github.com/kafka-playground/playground/core/scenario"
	"github.com/kafka-playground/playground/static"
)

// serve runs the playground server: the page with its WebAssembly engine,
// shared rooms and short links persisted in SQLite under --data, and with
// --kafka a Kafka wire-protocol gateway to a simulated cluster.
func serve(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("serve", flag.ContinueOnError)
	flags.SetOutput(stderr)
	addr := flags.String("addr", "127.0.0.1:8080", "address to listen on")
	data := flags.String("data", "data", "folder for the SQLite database (created if missing)")
	kafka := flags.Bool("kafka", false, "also serve a room's simulated cluster to real Kafka clients, one port per broker, journaled like the room's other inputs")
	kafkaBasePort := flags.Int("kafka-base-port", 9090, "with --kafka: broker N listens on this port + N")
	kafkaBrokers := flags.Int("kafka-brokers", 3, "with --kafka: the brokers of the simulated cluster")
	kafkaTLS := flags.Bool("kafka-tls", true, "with --kafka: also an SSL listener, broker N on port base + 100 + N, under a certificate made at start")
	liveRooms := flags.Int("max-live-rooms", 100, "rooms held in memory at once; a join past it is refused until an idle room is evicted")
	roomIdle := flags.Duration("room-idle", 5*time.Minute, "how long an empty room stays in memory before it is evicted")
	roomExpiry := flags.Duration("room-expiry", 30*24*time.Hour, "how long a room nobody joins is kept before it is deleted; 0 keeps rooms forever")
	maxGatewayInputs := flags.Int64("max-gateway-inputs", 100_000, "inputs of real Kafka clients (connections, requests, authentications) a room journals before its gateway stops")
	maxGatewayBytes := flags.Int64("max-gateway-bytes", 32<<20, "bytes of the JSON of real Kafka clients' inputs a room journals before its gateway stops")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if *liveRooms < 1 || *roomIdle <= 0 || *roomExpiry < 0 {
		fmt.Fprintln(stderr, "playground serve: --max-live-rooms must be at least 1, --room-idle above 0 and --room-expiry 0 or more")
		return 2
	}
	if *maxGatewayInputs < 1 || *maxGatewayBytes < 1 {
		fmt.Fprintln(stderr, "playground serve: --max-gateway-inputs and --max-gateway-bytes must be at least 1")
		return 2
	}
	if *roomExpiry == 0 {
		*roomExpiry = -1 // backend.Config: negative keeps rooms forever
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "playground serve: unexpected argument %q\n", flags.Arg(0))
		return 2
	}
	if !static.HasModule() {
		fmt.Fprintln(stderr, "playground serve: this binary was built without the WebAssembly module; build it with `make run`")
		return 2
	}
	lastPort := *kafkaBasePort + *kafkaBrokers
	if *kafkaTLS {
		lastPort += gateway.ListenerPortBlock
	}
	if *kafka && (*kafkaBasePort < 1 || lastPort > 65535 || *kafkaBrokers < 1 || *kafkaBrokers > core.MaxBrokers) {
		fmt.Fprintf(stderr, "playground serve: --kafka-base-port %d with %d brokers is out of range (brokers 1..%d, ports up to 65535)\n", *kafkaBasePort, *kafkaBrokers, core.MaxBrokers)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := backend.Open(backend.Config{DataDir: *data, MaxLiveRooms: *liveRooms, IdleTimeout: *roomIdle, RoomExpiry: *roomExpiry,
		MaxGatewayInputsPerRoom: *maxGatewayInputs, MaxGatewayBytesPerRoom: *maxGatewayBytes})
	if err != nil {
		fmt.Fprintf(stderr, "playground serve: %v\n", err)
		return 1
	}
	defer srv.Close()
	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "playground serve: %v\n", err)
		return 1
	}
	if *kafka {
		options := kafkaOptions{basePort: *kafkaBasePort, brokers: *kafkaBrokers, tls: *kafkaTLS, dataDir: *data,
			site: "http://" + listener.Addr().String()}
		if _, err := startKafka(ctx, stdout, srv, options); err != nil {
			fmt.Fprintf(stderr, "playground serve: --kafka: %v\n", err)
			listener.Close()
			return 1
		}
	}
	fmt.Fprintf(stdout, "Kafka Playground at http://%s/ (data in %s)\n", listener.Addr(), filepath.Join(*data, backend.DatabaseFile))
	server := &http.Server{Handler: siteHandler(srv), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		server.Shutdown(shutdown)
	}()
	if err := server.Serve(listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "playground serve: %v\n", err)
		return 1
	}
	return 0
}

// kafkaOptions are serve's --kafka flags.
type kafkaOptions struct {
	basePort, brokers int
	tls               bool
	dataDir           string
	// site is the server's address, for the room's link.
	site string
}

// startKafka opens the room the server serves on the Kafka ports (the
// one the database remembers, or a new one of --kafka-brokers brokers
// with an SSL listener under --kafka-tls) and prints each listener's
// bootstrap list, the room's link and, with TLS, the certificate's
// SHA-256 fingerprint and where its PEM was written (for a client's
// ssl.ca.location). The room lives until the server closes.
func startKafka(ctx context.Context, stdout io.Writer, srv *backend.Server, o kafkaOptions) (backend.GatewayRoom, error) {
	source := scenario.New()
	source.Seed, source.Cluster.Brokers = 1, o.brokers
	if o.tls {
		source.Cluster.Config = map[string]string{"listeners": "PLAINTEXT://:9092,SSL://:9093"}
	}
	room, err := srv.ServeKafka(ctx, source, backend.GatewaySettings{BasePort: o.basePort})
	if err != nil {
		return backend.GatewayRoom{}, err
	}
	for _, l := range room.Listeners {
		fmt.Fprintf(stdout, "Kafka clients (%s): bootstrap.servers=%s\n", l.Protocol, l.Bootstrap)
	}
	how := "created"
	if !room.Created {
		how = "reopened from the journal; --kafka-brokers and --kafka-tls shape a room only when it is created"
		if brokers := len(strings.Split(room.Listeners[0].Bootstrap, ",")); brokers != o.brokers {
			how += fmt.Sprintf(": it has %d brokers", brokers)
		}
	}
	fmt.Fprintf(stdout, "Kafka room (%s): %s/r/%s\n", how, o.site, room.Token)
	if room.Fingerprint != "" {
		pemFile := filepath.Join(o.dataDir, "kafka-gateway.pem")
		if err := os.WriteFile(pemFile, room.CertificatePEM, 0o644); err != nil {
			return backend.GatewayRoom{}, err
		}
		fmt.Fprintf(stdout, "Kafka TLS certificate: SHA-256 fingerprint %s (PEM in %s)\n", room.Fingerprint, pemFile)
	}
	return room, nil
}

// siteHandler is everything the server answers: the backend's routes,
// /api/info, and the embedded page and assets.
func siteHandler(srv *backend.Server) http.Handler { return withInfo(srv.Handler(staticHandler())) }

// withInfo answers GET /api/info, through which the page learns which
// service it runs on (the Worker answers the same route).
func withInfo(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/info" {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprint(w, `{"service":"backend","links":true,"rooms":true}`)
	})
}

// staticHandler serves the embedded page and assets.
func staticHandler() http.Handler {
	return newAssetHandler(static.Files())
}

// assetHandler serves files of an fs.FS. A file with a precompressed
// twin NAME.gz (`make wasm` writes dist/playground.wasm.gz) is sent
// compressed, with Content-Encoding: gzip, to clients that accept it. Every
// response carries an ETag (the SHA-256 of the bytes sent) so that a
// reload revalidates instead of downloading the module again.
type assetHandler struct {
	files fs.FS
	// etags caches the ETag of each file, computed on first use.
	mu    sync.Mutex
	etags map[string]string
}

// newAssetHandler returns a handler over files.
func newAssetHandler(files fs.FS) *assetHandler {
	return &assetHandler{files: files, etags: map[string]string{}}
}

// ServeHTTP serves GET and HEAD requests for the files.
func (h *assetHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name == "" || strings.HasSuffix(r.URL.Path, "/") {
		name = path.Join(name, "index.html")
	}
	if strings.HasSuffix(name, ".gz") {
		http.NotFound(w, r) // the twins are served through their originals only
		return
	}
	served := name
	if acceptsGzip(r) && h.exists(name+".gz") {
		served = name + ".gz"
		w.Header().Set("Content-Encoding", "gzip")
	}
	w.Header().Add("Vary", "Accept-Encoding")
	data, err := fs.ReadFile(h.files, served)
	if err != nil {
		w.Header().Del("Content-Encoding")
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", contentType(name))
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("ETag", h.etag(served, data))
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
}

// exists reports whether a regular file is in the FS.
func (h *assetHandler) exists(name string) bool {
	info, err := fs.Stat(h.files, name)
	return err == nil && info.Mode().IsRegular()
}

// etag returns the strong ETag of a file's bytes.
func (h *assetHandler) etag(name string, data []byte) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if tag, found := h.etags[name]; found {
		return tag
	}
	sum := sha256.Sum256(data)
	tag := `"` + hex.EncodeToString(sum[:16]) + `"`
	h.etags[name] = tag
	return tag
}

// contentType names a file's type by its extension; WebAssembly must be
// application/wasm for WebAssembly.instantiateStreaming.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".wasm":
		return "application/wasm"
	case ".html":
		return "text/html; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip
// (and does not refuse it with q=0).
func acceptsGzip(r *http.Request) bool {
	for _, field := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, parameters, _ := strings.Cut(strings.TrimSpace(field), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") && strings.TrimSpace(coding) != "*" {
			continue
		}
		quality := strings.ReplaceAll(strings.TrimSpace(parameters), " ", "")
		return quality != "q=0" && quality != "q=0.0" && quality != "q=0.00" && quality != "q=0.000"
	}
	return false
}
