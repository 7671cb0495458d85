package gateway

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/kafka-playground/playground/core"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// secureSpec is a cluster with every kind of listener, SASL PLAIN and
// SCRAM, and the StandardAuthorizer with admin as super user.
func secureSpec() core.Spec {
	return core.Spec{Seed: 11, Brokers: 3, Config: map[string]string{
		"listeners":               "PLAINTEXT://:9092,SASL_PLAINTEXT://:9093,SSL://:9094,SASL_SSL://:9095",
		"sasl.enabled.mechanisms": "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
		"authorizer.class.name":   "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
		"super.users":             "User:admin",
	}}
}

// startSecureGateway serves secureSpec with the users admin and alice
// (PLAIN), bob (SCRAM-SHA-256) and carol (SCRAM-SHA-512).
func startSecureGateway(t *testing.T) *Gateway {
	t.Helper()
	g, err := Start(context.Background(), Config{Spec: secureSpec()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	g.Do(func(c *core.Cluster) {
		for _, u := range []struct{ user, mechanism string }{{"admin", "PLAIN"}, {"alice", "PLAIN"}, {"bob", "SCRAM-SHA-256"}, {"carol", "SCRAM-SHA-512"}} {
			f, err := c.AddUser(u.user, u.user+"-secret", u.mechanism)
			if err != nil {
				t.Fatal(err)
			}
			if !c.Wait(f, 10000) || f.Error != protocol.None {
				t.Fatalf("user %s: %s %s", u.user, f.Error, f.Message)
			}
		}
	})
	return g
}

func listenerSeeds(g *Gateway, listener string) []string {
	var out []string
	for _, addr := range g.ListenerAddresses(listener) {
		out = append(out, addr)
	}
	sort.Strings(out)
	return out
}

// trustGateway is a TLS configuration that trusts the gateway's
// certificate as a root, as a client given its PEM does.
func trustGateway(g *Gateway) *tls.Config {
	pool := x509.NewCertPool()
	pool.AddCert(g.Certificate())
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

// pinGateway is a TLS configuration that trusts exactly the certificate
// whose SHA-256 fingerprint the gateway printed.
func pinGateway(fingerprint string) *tls.Config {
	return &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12,
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 || Fingerprint(raw[0]) != fingerprint {
				return errors.New("certificate fingerprint does not match")
			}
			return nil
		}}
}

func metadata(ctx context.Context, cl *kgo.Client) (*kmsg.MetadataResponse, error) {
	req := kmsg.NewPtrMetadataRequest()
	return req.RequestWith(ctx, cl)
}

// TestSaslMechanisms: franz-go authenticates over SASL_PLAINTEXT with
// PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 against the simulated brokers'
// users; a wrong password gets SASL_AUTHENTICATION_FAILED and an unknown
// mechanism UNSUPPORTED_SASL_MECHANISM, and clients that authenticated
// keep working after.
func TestSaslMechanisms(t *testing.T) {
	g := startSecureGateway(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	seeds := listenerSeeds(g, "SASL_PLAINTEXT")
	client := func(m sasl.Mechanism) *kgo.Client {
		return newClient(t, g, kgo.SeedBrokers(seeds...), kgo.SASL(m), kgo.RequestRetries(0))
	}
	mechanisms := map[string]sasl.Mechanism{
		"PLAIN":         plain.Auth{User: "alice", Pass: "alice-secret"}.AsMechanism(),
		"SCRAM-SHA-256": scram.Auth{User: "bob", Pass: "bob-secret"}.AsSha256Mechanism(),
		"SCRAM-SHA-512": scram.Auth{User: "carol", Pass: "carol-secret"}.AsSha512Mechanism(),
	}
	for name, m := range mechanisms {
		resp, err := metadata(ctx, client(m))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(resp.Brokers) != 3 {
			t.Errorf("%s: %d brokers", name, len(resp.Brokers))
		}
		for _, b := range resp.Brokers {
			if want := g.ListenerAddresses("SASL_PLAINTEXT")[b.NodeID]; net.JoinHostPort(b.Host, strconv.Itoa(int(b.Port))) != want {
				t.Errorf("%s: broker %d advertised at %s:%d, want its SASL_PLAINTEXT port %s", name, b.NodeID, b.Host, b.Port, want)
			}
		}
	}
	wrong := map[string]sasl.Mechanism{
		"PLAIN":         plain.Auth{User: "alice", Pass: "wrong"}.AsMechanism(),
		"SCRAM-SHA-256": scram.Auth{User: "bob", Pass: "wrong"}.AsSha256Mechanism(),
		"SCRAM-SHA-512": scram.Auth{User: "nobody", Pass: "x"}.AsSha512Mechanism(),
	}
	for name, m := range wrong {
		if _, err := metadata(ctx, client(m)); !errors.Is(err, kerr.SaslAuthenticationFailed) {
			t.Errorf("%s with a wrong password: %v, want SASL_AUTHENTICATION_FAILED", name, err)
		}
	}
	if _, err := metadata(ctx, client(unknownMechanism{})); !errors.Is(err, kerr.UnsupportedSaslMechanism) {
		t.Errorf("unknown mechanism: %v, want UNSUPPORTED_SASL_MECHANISM", err)
	}
	// No SASL on a SASL listener: the broker closes the connection at the
	// first request that is not ApiVersions or SaslHandshake.
	if _, err := metadata(ctx, newClient(t, g, kgo.SeedBrokers(seeds...), kgo.RequestRetries(0))); err == nil {
		t.Error("a client without SASL was served on a SASL_PLAINTEXT listener")
	}
	if _, err := metadata(ctx, client(mechanisms["PLAIN"])); err != nil {
		t.Errorf("after the failures: %v", err)
	}
}

// unknownMechanism is a SASL mechanism the brokers do not enable.
type unknownMechanism struct{}

func (unknownMechanism) Name() string { return "OAUTHBEARER" }
func (unknownMechanism) Authenticate(context.Context, string) (sasl.Session, []byte, error) {
	return nil, nil, errors.New("never reached")
}

// TestTLSListeners: franz-go produces and consumes over the SSL listener,
// trusting the gateway's certificate as a root, and over SASL_SSL with
// PLAIN and SCRAM-SHA-512, trusting it by the fingerprint the gateway
// gives; Metadata
// advertises each listener's own ports; a plaintext client on a TLS port
// and a TLS client on a plaintext port are closed.
func TestTLSListeners(t *testing.T) {
	g := startSecureGateway(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cert := g.Certificate()
	if cert == nil || len(g.CertificatePEM()) == 0 || len(g.CertificateFingerprint()) != 95 {
		t.Fatalf("certificate %v, fingerprint %q", cert, g.CertificateFingerprint())
	}
	if err := cert.VerifyHostname("127.0.0.1"); err != nil {
		t.Error(err)
	}
	if err := cert.VerifyHostname("localhost"); err != nil {
		t.Error(err)
	}
	ssl := newClient(t, g, kgo.SeedBrokers(listenerSeeds(g, "SSL")...), kgo.DialTLSConfig(trustGateway(g)))
	admin := newClient(t, g, kgo.SeedBrokers(listenerSeeds(g, "SASL_SSL")...), kgo.DialTLSConfig(pinGateway(g.CertificateFingerprint())),
		kgo.SASL(plain.Auth{User: "admin", Pass: "admin-secret"}.AsMechanism()))
	createTopic(t, ctx, admin, "secrets", 1, 3)
	resp, err := metadata(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range resp.Brokers {
		if want := g.ListenerAddresses("SASL_SSL")[b.NodeID]; net.JoinHostPort(b.Host, strconv.Itoa(int(b.Port))) != want {
			t.Errorf("broker %d advertised at %s:%d, want its SASL_SSL port %s", b.NodeID, b.Host, b.Port, want)
		}
	}
	carol := newClient(t, g, kgo.SeedBrokers(listenerSeeds(g, "SASL_SSL")...), kgo.DialTLSConfig(pinGateway(g.CertificateFingerprint())),
		kgo.SASL(scram.Auth{User: "carol", Pass: "carol-secret"}.AsSha512Mechanism()))
	if _, err := metadata(ctx, carol); err != nil {
		t.Errorf("SCRAM-SHA-512 over SASL_SSL: %v", err)
	}
	if err := admin.ProduceSync(ctx, &kgo.Record{Topic: "secrets", Value: []byte("over SASL_SSL")}).FirstErr(); err != nil {
		t.Fatalf("produce over SASL_SSL: %v", err)
	}
	// SSL's principal is User:ANONYMOUS: an ACL lets it read.
	createACLs(t, ctx, admin, aclCreation("User:ANONYMOUS", kmsg.ACLResourceTypeTopic, "secrets", kmsg.ACLOperationRead),
		aclCreation("User:ANONYMOUS", kmsg.ACLResourceTypeTopic, "secrets", kmsg.ACLOperationWrite))
	if err := ssl.ProduceSync(ctx, &kgo.Record{Topic: "secrets", Value: []byte("over SSL")}).FirstErr(); err != nil {
		t.Fatalf("produce over SSL: %v", err)
	}
	consumer := newClient(t, g, kgo.SeedBrokers(listenerSeeds(g, "SSL")...), kgo.DialTLSConfig(trustGateway(g)),
		kgo.ConsumeTopics("secrets"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	var values []string
	for len(values) < 2 {
		fetches := consumer.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("consumed %v: %v", values, ctx.Err())
		}
		fetches.EachRecord(func(r *kgo.Record) { values = append(values, string(r.Value)) })
	}
	if values[0] != "over SASL_SSL" || values[1] != "over SSL" {
		t.Errorf("consumed %q", values)
	}

	// A plaintext request on the SSL port fails the TLS handshake.
	expectClosed(t, g.ListenerAddresses("SSL")[1], apiVersionsFrame(1))
	// A TLS hello on the PLAINTEXT port is a frame of some 369 MB.
	socket, err := tls.Dial("tcp", g.ListenerAddresses("PLAINTEXT")[1], trustGateway(g))
	if err == nil {
		socket.Close()
		t.Error("a TLS handshake succeeded on the PLAINTEXT port")
	}
}

// expectClosed sends raw bytes to an address and expects the connection
// to be closed without an answer.
func expectClosed(t *testing.T, address string, raw []byte) {
	t.Helper()
	socket, err := net.Dial("tcp", address)
	if err != nil {
		t.Fatal(err)
	}
	defer socket.Close()
	socket.Write(raw)
	socket.SetReadDeadline(time.Now().Add(10 * time.Second))
	got, err := io.ReadAll(socket)
	if err != nil {
		t.Fatalf("%s: %v, want the connection closed", address, err)
	}
	if len(got) > 0 && !bytes.HasPrefix(got, []byte{0x15}) {
		// A TLS alert (0x15) is the TLS listener's way of closing.
		t.Errorf("%s answered %d bytes", address, len(got))
	}
}

func apiVersionsFrame(correlation int32) []byte {
	req := kmsg.NewPtrApiVersionsRequest()
	req.Version = 3
	req.ClientSoftwareName, req.ClientSoftwareVersion = "test", "1.0"
	return kmsg.NewRequestFormatter(kmsg.FormatterClientID("test")).AppendRequest(nil, req, correlation)
}

// rawSaslClient authenticates the way a client with a version 0
// SaslHandshake does: bare SASL frames, no Kafka headers.
func rawSaslClient(t *testing.T, address string, m sasl.Mechanism) (net.Conn, error) {
	t.Helper()
	socket, err := net.Dial("tcp", address)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { socket.Close() })
	socket.SetDeadline(time.Now().Add(20 * time.Second))
	handshake := kmsg.NewPtrSASLHandshakeRequest()
	handshake.Version, handshake.Mechanism = 0, m.Name()
	raw := kmsg.NewRequestFormatter(kmsg.FormatterClientID("raw")).AppendRequest(nil, handshake, 1)
	if _, err := socket.Write(raw); err != nil {
		return nil, err
	}
	frame, err := readFrame(socket, DefaultMaxFrameBytes)
	if err != nil {
		return nil, err
	}
	resp := kmsg.NewPtrSASLHandshakeResponse()
	resp.Version = 0
	if err := resp.ReadFrom(frame[4:]); err != nil {
		return nil, err
	}
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		return nil, err
	}
	session, token, err := m.Authenticate(context.Background(), address)
	if err != nil {
		return nil, err
	}
	for done := false; !done; {
		bare := binary.BigEndian.AppendUint32(nil, uint32(len(token)))
		if _, err := socket.Write(append(bare, token...)); err != nil {
			return nil, err
		}
		challenge, err := readFrame(socket, DefaultMaxFrameBytes)
		if err != nil {
			return nil, fmt.Errorf("reading the SASL answer: %w", err)
		}
		if done, token, err = session.Challenge(challenge); err != nil {
			return nil, err
		}
	}
	return socket, nil
}

// TestRawSaslFrames: after a version 0 SaslHandshake the tokens travel
// as bare frames (PLAIN in one round, SCRAM in two), then the connection
// speaks Kafka requests as that user; a wrong password closes it.
func TestRawSaslFrames(t *testing.T) {
	g := startSecureGateway(t)
	address := g.ListenerAddresses("SASL_PLAINTEXT")[2]
	for name, m := range map[string]sasl.Mechanism{
		"PLAIN":         plain.Auth{User: "alice", Pass: "alice-secret"}.AsMechanism(),
		"SCRAM-SHA-256": scram.Auth{User: "bob", Pass: "bob-secret"}.AsSha256Mechanism(),
		"SCRAM-SHA-512": scram.Auth{User: "carol", Pass: "carol-secret"}.AsSha512Mechanism(),
	} {
		socket, err := rawSaslClient(t, address, m)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		req := kmsg.NewPtrMetadataRequest()
		req.Version = 9
		socket.Write(kmsg.NewRequestFormatter(kmsg.FormatterClientID("raw")).AppendRequest(nil, req, 2))
		frame, err := readFrame(socket, DefaultMaxFrameBytes)
		if err != nil {
			t.Fatalf("%s: metadata after raw SASL: %v", name, err)
		}
		resp := kmsg.NewPtrMetadataResponse()
		resp.Version = 9
		if err := resp.ReadFrom(frame[5:]); err != nil || len(resp.Brokers) != 3 {
			t.Errorf("%s: metadata %v, %d brokers", name, err, len(resp.Brokers))
		}
	}
	// A client may send its token right behind the version 0 handshake.
	socket, err := net.Dial("tcp", address)
	if err != nil {
		t.Fatal(err)
	}
	defer socket.Close()
	socket.SetDeadline(time.Now().Add(20 * time.Second))
	handshake := kmsg.NewPtrSASLHandshakeRequest()
	handshake.Version, handshake.Mechanism = 0, "PLAIN"
	pipelined := kmsg.NewRequestFormatter().AppendRequest(nil, handshake, 1)
	token := []byte("\x00alice\x00alice-secret")
	pipelined = append(binary.BigEndian.AppendUint32(pipelined, uint32(len(token))), token...)
	socket.Write(pipelined)
	if _, err := readFrame(socket, DefaultMaxFrameBytes); err != nil {
		t.Fatalf("pipelined handshake: %v", err)
	}
	if answer, err := readFrame(socket, DefaultMaxFrameBytes); err != nil || len(answer) != 0 {
		t.Fatalf("pipelined PLAIN token: %q %v, want an empty frame", answer, err)
	}

	for name, m := range map[string]sasl.Mechanism{
		"PLAIN":         plain.Auth{User: "alice", Pass: "wrong"}.AsMechanism(),
		"SCRAM-SHA-256": scram.Auth{User: "bob", Pass: "wrong"}.AsSha256Mechanism(),
	} {
		if _, err := rawSaslClient(t, address, m); err == nil {
			t.Errorf("%s with a wrong password authenticated", name)
		}
	}
}
