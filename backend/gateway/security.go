package gateway

// TLS and SASL on the wire.
//
// TLS: the SSL and SASL_SSL listeners of the cluster are served with TLS
// (1.2 or 1.3, as Kafka's ssl.enabled.protocols default) under one
// certificate made when the gateway starts: ECDSA P-256, self-signed,
// for 127.0.0.1, localhost and the gateway's host, held in memory only.
// A client trusts it by its SHA-256 fingerprint (CertificateFingerprint,
// printed by `playground serve --kafka`) or its PEM (CertificatePEM).
// The gateway's node connects to the simulated broker's SSL or SASL_SSL
// listener as a client that started TLS; the simulation models no
// certificates (an SSL listener's principal is User:ANONYMOUS, as with
// ssl.client.auth=none).
//
// SASL: SaslHandshake (17) and SaslAuthenticate (36) are not sent to
// the simulated broker: they carry passwords (PLAIN) and proofs (SCRAM),
// which must never enter the simulation, its trace or a room's journal.
// The host runs the exchange (host.go) as the broker would: PLAIN
// against the brokers' JAAS users, SCRAM against the credentials in the
// connection's broker's metadata (both salted and hashed, read through
// core/gateway), with Kafka's errors (ILLEGAL_SASL_STATE,
// UNSUPPORTED_SASL_MECHANISM, SASL_AUTHENTICATION_FAILED) and a close
// after a failure, and hands only the outcome to the simulation
// (core/gateway.Authenticate): the broker then takes the principal, or
// answers the failure and closes the connection. A client that
// does its handshake in version 0 then sends its SASL tokens as bare
// size-prefixed frames without a Kafka header (before KIP-152; sarama
// with Net.SASL.Version = SASLHandshakeV0 does, while franz-go,
// librdkafka, kafkajs and the Java client use SaslAuthenticate when the
// broker lists it in ApiVersions): the gateway carries each frame to the
// broker as a SaslAuthenticate and writes its answer back bare, until the
// mechanism's last round (one for PLAIN, two for SCRAM). A failure then
// closes the connection without an answer, as Kafka does for a client
// that cannot read one.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"strings"
	"time"

	coregateway "github.com/kafka-playground/playground/core/gateway"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/security"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// certificateValidity is how long the generated certificate is valid.
const certificateValidity = 365 * 24 * time.Hour

// tlsHandshakeTimeout bounds a client's TLS handshake.
const tlsHandshakeTimeout = 10 * time.Second

// certificate is the gateway's TLS identity.
type certificate struct {
	config *tls.Config
	leaf   *x509.Certificate
}

// newCertificate makes a self-signed ECDSA P-256 certificate for
// 127.0.0.1, localhost and host.
func newCertificate(host string) (*certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("TLS key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, fmt.Errorf("TLS certificate serial: %w", err)
	}
	now := time.Now()
	template := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "Kafka Playground gateway", Organization: []string{"Kafka Playground"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(certificateValidity),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		// Its own issuer: a client adds it to its trusted roots.
		IsCA:                  true,
		BasicConstraintsValid: true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	if ip := net.ParseIP(host); ip != nil {
		if !ip.Equal(template.IPAddresses[0]) {
			template.IPAddresses = append(template.IPAddresses, ip)
		}
	} else if host != "" && host != "localhost" {
		template.DNSNames = append(template.DNSNames, host)
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("TLS certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("TLS certificate: %w", err)
	}
	config := &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}},
		MinVersion:   tls.VersionTLS12,
	}
	return &certificate{config: config, leaf: leaf}, nil
}

// Certificate returns the certificate of the wire's TLS listeners, nil
// when the cluster has no SSL or SASL_SSL listener.
func (w *Wire) Certificate() *x509.Certificate {
	if w.tls == nil {
		return nil
	}
	return w.tls.leaf
}

// CertificatePEM returns that certificate PEM-encoded (for a client's
// ssl.ca.location), nil when there is none.
func (w *Wire) CertificatePEM() []byte {
	if w.tls == nil {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: w.tls.leaf.Raw})
}

// CertificateFingerprint returns the SHA-256 fingerprint of that
// certificate as openssl prints it (upper-case hex pairs joined by
// colons), "" when there is none.
func (w *Wire) CertificateFingerprint() string {
	if w.tls == nil {
		return ""
	}
	return Fingerprint(w.tls.leaf.Raw)
}

// Certificate returns the certificate of the gateway's TLS listeners.
func (g *Gateway) Certificate() *x509.Certificate { return g.wire.Certificate() }

// CertificatePEM returns that certificate PEM-encoded.
func (g *Gateway) CertificatePEM() []byte { return g.wire.CertificatePEM() }

// CertificateFingerprint returns that certificate's SHA-256 fingerprint.
func (g *Gateway) CertificateFingerprint() string { return g.wire.CertificateFingerprint() }

// Fingerprint returns the SHA-256 fingerprint of a DER certificate as
// openssl prints it.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	pairs := make([]string, len(sum))
	for i, b := range sum {
		pairs[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(pairs, ":")
}

// handshakeTLS runs the server side of a TLS connection's handshake; a
// client that does not speak TLS fails it and is closed.
func (c *Conn) handshakeTLS() error {
	conn, ok := c.socket.(*tls.Conn)
	if !ok {
		return nil
	}
	conn.SetDeadline(time.Now().Add(tlsHandshakeTimeout))
	defer conn.SetDeadline(time.Time{})
	if err := conn.Handshake(); err != nil {
		return fmt.Errorf("SSL handshake failed: %w", err)
	}
	return nil
}

// rawSasl is a connection's SASL exchange in bare frames after a version
// 0 SaslHandshake. Guarded by Conn.mu.
type rawSasl struct {
	// rounds is how many of the client's tokens are still to come as
	// bare frames; 0 when the connection speaks Kafka requests.
	rounds int
	// correlation numbers the SaslAuthenticate requests made of them,
	// downwards from -1 so as never to meet a client's correlation id.
	correlation int32
	// pending are the correlations of those requests not answered yet.
	pending map[int32]bool
}

// saslRounds is how many tokens a client of a mechanism sends.
func saslRounds(mechanism string) int {
	if mechanism == security.MechanismPlain {
		return 1
	}
	return 2
}

// translateSaslHandshake forwards a SaslHandshake. After version 0 the
// next frames are bare tokens at once, as Kafka's authenticator reads
// them, even before the answer is back: a client may send its first
// token right behind the handshake. A failed handshake closes the
// connection anyway.
func translateSaslHandshake(req *kmsg.SASLHandshakeRequest, correlation int32, c *Conn) translation {
	if req.Version == 0 {
		c.mu.Lock()
		c.sasl.rounds = saslRounds(req.Mechanism)
		c.mu.Unlock()
	}
	core := &protocol.SaslHandshakeRequest{CorrelationID: correlation, Mechanism: req.Mechanism}
	return translation{Request: core, ExpectResponse: true, Finish: func(answer any) kmsg.Response {
		m := answer.(*protocol.SaslHandshakeResponse)
		resp := kmsg.NewPtrSASLHandshakeResponse()
		resp.Version, resp.ErrorCode = req.Version, int16(m.Error)
		resp.SupportedMechanisms = append([]string{}, m.Mechanisms...)
		return resp
	}}
}

func translateSaslAuthenticate(req *kmsg.SASLAuthenticateRequest, correlation int32) translation {
	core := &protocol.SaslAuthenticateRequest{CorrelationID: correlation, AuthBytes: req.SASLAuthBytes}
	return translation{Request: core, ExpectResponse: true, Finish: func(answer any) kmsg.Response {
		m := answer.(*protocol.SaslAuthenticateResponse)
		resp := kmsg.NewPtrSASLAuthenticateResponse()
		resp.Version, resp.ErrorCode, resp.SASLAuthBytes = req.Version, int16(m.Error), m.AuthBytes
		if resp.SASLAuthBytes == nil {
			resp.SASLAuthBytes = []byte{}
		}
		if m.ErrorMessage != "" {
			message := m.ErrorMessage
			resp.ErrorMessage = &message
		}
		return resp
	}}
}

// takeRawSasl reports whether the next frame is a bare SASL token, and
// counts it. Called with c.mu held.
func (c *Conn) takeRawSasl() (int32, bool) {
	if c.sasl.rounds == 0 {
		return 0, false
	}
	c.sasl.rounds--
	c.sasl.correlation--
	if c.sasl.pending == nil {
		c.sasl.pending = map[int32]bool{}
	}
	c.sasl.pending[c.sasl.correlation] = true
	return c.sasl.correlation, true
}

// submitRawSasl hands a bare SASL token to the host as a
// SaslAuthenticate.
func (c *Conn) submitRawSasl(token []byte) (bool, error) {
	c.mu.Lock()
	correlation, ok := c.takeRawSasl()
	closed := c.closed
	c.mu.Unlock()
	if !ok {
		return false, nil
	}
	if closed {
		return true, fmt.Errorf("connection closed")
	}
	c.wire.host.Submit(c, Submission{Correlation: correlation, ClientID: c.clientID,
		Request: &protocol.SaslAuthenticateRequest{CorrelationID: correlation, AuthBytes: token}, ExpectResponse: true})
	return true, nil
}

// respondRawSasl writes the answer to a bare token as a bare frame, or
// nothing when it failed (the connection is closed). It reports whether
// r was such an answer. Called with c.mu held.
func (c *Conn) respondRawSasl(r coregateway.Response) bool {
	if !c.sasl.pending[r.CorrelationID] {
		return false
	}
	delete(c.sasl.pending, r.CorrelationID)
	m, ok := r.Message.(*protocol.SaslAuthenticateResponse)
	if !ok || m.Error != protocol.None {
		c.sasl.rounds = 0
		return true
	}
	frame := make([]byte, 4, 4+len(m.AuthBytes))
	binary.BigEndian.PutUint32(frame, uint32(len(m.AuthBytes)))
	c.queue(append(frame, m.AuthBytes...))
	return true
}
