package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kafka-playground/playground/backend"
)

// TestStartKafka: serve --kafka with TLS prints a bootstrap list per
// listener, the room's link and the certificate's fingerprint, and
// writes its PEM, with which a TLS client reaches the SSL listener; a
// second start on the same data reopens the same room.
func TestStartKafka(t *testing.T) {
	var out bytes.Buffer
	dir := t.TempDir()
	srv, err := backend.Open(backend.Config{DataDir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	room, err := startKafka(context.Background(), &out, srv, kafkaOptions{brokers: 2, tls: true, dataDir: dir, site: "http://site"})
	if err != nil {
		t.Fatal(err)
	}
	text := out.String()
	if !strings.Contains(text, "Kafka clients (PLAINTEXT): bootstrap.servers=") || !strings.Contains(text, "Kafka clients (SSL): bootstrap.servers=") ||
		!strings.Contains(text, "Kafka room (created): http://site/r/"+room.Token) {
		t.Errorf("output:\n%s", text)
	}
	if fingerprint := room.Fingerprint; fingerprint == "" || !strings.Contains(text, "fingerprint "+fingerprint) {
		t.Errorf("fingerprint %q not printed:\n%s", fingerprint, text)
	}
	pem, err := os.ReadFile(filepath.Join(dir, "kafka-gateway.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("the PEM holds no certificate")
	}
	conn, err := tls.Dial("tcp", strings.Split(room.Listeners[1].Bootstrap, ",")[0], &tls.Config{RootCAs: pool})
	if err != nil {
		t.Fatalf("TLS to the SSL listener with the PEM: %v", err)
	}
	conn.Close()
	srv.Close()

	out.Reset()
	srv, err = backend.Open(backend.Config{DataDir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	again, err := startKafka(context.Background(), &out, srv, kafkaOptions{brokers: 3, tls: true, dataDir: dir, site: "http://site"})
	if err != nil || again.Token != room.Token || !strings.Contains(out.String(), "reopened from the journal") ||
		!strings.Contains(out.String(), "it has 2 brokers") {
		t.Errorf("a second start: %+v %v\n%s", again, err, out.String())
	}
}
