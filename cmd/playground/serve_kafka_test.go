package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStartKafka: serve --kafka with TLS prints a bootstrap list per
// listener and the certificate's fingerprint, and writes its PEM, with
// which a TLS client reaches the SSL listener.
func TestStartKafka(t *testing.T) {
	var out bytes.Buffer
	dir := t.TempDir()
	gw, err := startKafka(context.Background(), &out, kafkaOptions{brokers: 2, tls: true, dataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	text := out.String()
	if !strings.Contains(text, "Kafka clients (PLAINTEXT): bootstrap.servers=") || !strings.Contains(text, "Kafka clients (SSL): bootstrap.servers=") {
		t.Errorf("output:\n%s", text)
	}
	if fingerprint := gw.CertificateFingerprint(); fingerprint == "" || !strings.Contains(text, "fingerprint "+fingerprint) {
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
	conn, err := tls.Dial("tcp", gw.ListenerAddresses("SSL")[1], &tls.Config{RootCAs: pool})
	if err != nil {
		t.Fatalf("TLS to the SSL listener with the PEM: %v", err)
	}
	conn.Close()
}
