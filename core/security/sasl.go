package security

import (
	"bytes"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"hash"
	"strconv"
	"strings"
)

// SASL mechanisms.
const (
	MechanismPlain       = "PLAIN"
	MechanismScramSHA256 = "SCRAM-SHA-256"
	MechanismScramSHA512 = "SCRAM-SHA-512"
)

// SCRAM iteration bounds (Kafka's ScramMechanism and
// ScramControlManager.MAX_ITERATIONS), for both SCRAM mechanisms.
const (
	ScramMinIterations = 4096
	ScramMaxIterations = 16384
)

// ValidMechanism reports whether m is one of the three mechanisms,
// compared exactly as Kafka does (upper case).
func ValidMechanism(m string) bool {
	return m == MechanismPlain || m == MechanismScramSHA256 || m == MechanismScramSHA512
}

const validMechanisms = MechanismPlain + ", " + MechanismScramSHA256 + ", " + MechanismScramSHA512

// mechanismHash returns the hash a mechanism's credentials use: SHA-512
// for SCRAM-SHA-512, SHA-256 for SCRAM-SHA-256 and PLAIN.
func mechanismHash(mechanism string) (func() hash.Hash, bool) {
	switch mechanism {
	case MechanismScramSHA256, MechanismPlain:
		return sha256.New, true
	case MechanismScramSHA512:
		return sha512.New, true
	}
	return nil, false
}

// AuthError is a failed SASL authentication on the server side.
type AuthError struct {
	Mechanism string
	// Reason says what failed, for the broker's log; it never holds a
	// password or a secret derived from one.
	Reason string
	// Public is whether Kafka sends Reason to the client
	// (SaslAuthenticationException); otherwise the client gets the
	// generic ClientMessage so that it cannot probe which users exist.
	Public bool
}

// Error returns the reason.
func (e *AuthError) Error() string { return e.Reason }

// ClientMessage returns the error message Kafka's broker puts in its
// SaslAuthenticate response.
func (e *AuthError) ClientMessage() string {
	if e.Public {
		return e.Reason
	}
	return "Authentication failed during authentication due to invalid credentials with SASL mechanism " + e.Mechanism
}

// Credential is what a broker stores for a user: salted and hashed as
// Kafka stores SCRAM credentials, never the password.
type Credential struct {
	// Mechanism is SCRAM-SHA-256 or SCRAM-SHA-512, or PLAIN for a PLAIN
	// user (hashed as SCRAM-SHA-256).
	Mechanism string
	Salt      []byte
	// StoredKey is H(HMAC(SaltedPassword, "Client Key")).
	StoredKey []byte
	// ServerKey is HMAC(SaltedPassword, "Server Key").
	ServerKey  []byte
	Iterations int32
}

// String names the mechanism and iteration count only.
func (c Credential) String() string {
	return c.Mechanism + " credential, " + strconv.Itoa(int(c.Iterations)) + " iterations"
}

// NewCredential derives a credential from a password and a salt as
// Kafka's ScramFormatter does (RFC 5802: SaltedPassword is
// PBKDF2-HMAC(password, salt, iterations)). mechanism is PLAIN or a
// SCRAM mechanism; iterations must lie within [ScramMinIterations,
// ScramMaxIterations], the password and the salt must not be empty.
func NewCredential(mechanism, password string, salt []byte, iterations int) (Credential, error) {
	h, ok := mechanismHash(mechanism)
	switch {
	case !ok:
		return Credential{}, errors.New("unsupported SASL mechanism " + quote(mechanism) + "; valid mechanisms are " + validMechanisms)
	case password == "":
		return Credential{}, errors.New("password must not be empty")
	case len(salt) == 0:
		return Credential{}, errors.New("salt must not be empty")
	case iterations < ScramMinIterations:
		return Credential{}, errors.New("too few iterations: " + strconv.Itoa(iterations) + " is less than the minimum " +
			strconv.Itoa(ScramMinIterations))
	case iterations > ScramMaxIterations:
		return Credential{}, errors.New("too many iterations: " + strconv.Itoa(iterations) + " is more than the maximum " +
			strconv.Itoa(ScramMaxIterations))
	}
	salted, err := saltedPassword(h, password, salt, iterations)
	if err != nil {
		return Credential{}, err
	}
	clientKey := hmacSum(h, salted, "Client Key")
	return Credential{
		Mechanism:  mechanism,
		Salt:       bytes.Clone(salt),
		StoredKey:  hashSum(h, clientKey),
		ServerKey:  hmacSum(h, salted, "Server Key"),
		Iterations: int32(iterations),
	}, nil
}

// Validate reports what makes a received credential unusable: an unknown
// mechanism, iterations out of bounds (Kafka's "Too few iterations" and
// "Too many iterations"), an empty salt, or keys of the wrong size.
func (c Credential) Validate() error {
	h, ok := mechanismHash(c.Mechanism)
	switch {
	case !ok:
		return errors.New("unsupported SASL mechanism " + quote(c.Mechanism) + "; valid mechanisms are " + validMechanisms)
	case c.Iterations < ScramMinIterations:
		return errors.New("Too few iterations")
	case c.Iterations > ScramMaxIterations:
		return errors.New("Too many iterations")
	case len(c.Salt) == 0:
		return errors.New("salt must not be empty")
	case len(c.StoredKey) != h().Size() || len(c.ServerKey) != h().Size():
		return errors.New("stored key and server key must be " + strconv.Itoa(h().Size()) + " bytes long for " + c.Mechanism)
	}
	return nil
}

// VerifyPassword reports whether password is the one c was derived from,
// comparing in constant time. A credential that fails Validate matches
// no password.
func VerifyPassword(c Credential, password string) bool {
	if c.Validate() != nil || password == "" {
		return false
	}
	h, _ := mechanismHash(c.Mechanism)
	salted, err := saltedPassword(h, password, c.Salt, int(c.Iterations))
	if err != nil {
		return false
	}
	return hmac.Equal(hashSum(h, hmacSum(h, salted, "Client Key")), c.StoredKey)
}

// saltedPassword is RFC 5802's Hi(password, salt, iterations).
func saltedPassword(h func() hash.Hash, password string, salt []byte, iterations int) ([]byte, error) {
	out, err := pbkdf2.Key(h, password, salt, iterations, h().Size())
	if err != nil {
		return nil, errors.New("cannot derive the salted password: " + err.Error())
	}
	return out, nil
}

func hmacSum(h func() hash.Hash, key []byte, msg string) []byte {
	m := hmac.New(h, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

func hashSum(h func() hash.Hash, b []byte) []byte {
	d := h()
	d.Write(b)
	return d.Sum(nil)
}

// PlainMessage returns the SASL/PLAIN message a client sends (RFC 4616):
// an empty authzid, NUL, user, NUL, password.
func PlainMessage(user, password string) []byte {
	out := make([]byte, 0, len(user)+len(password)+2)
	out = append(out, 0)
	out = append(out, user...)
	out = append(out, 0)
	return append(out, password...)
}

// ParsePlain splits a SASL/PLAIN message (authzid NUL authcid NUL passwd)
// as Kafka's PlainSaslServer does: exactly three NUL-separated tokens, a
// non-empty user and a non-empty password. The error is an *AuthError
// and never holds the password.
func ParsePlain(msg []byte) (authzid, user, password string, err error) {
	tokens := bytes.SplitN(msg, []byte{0}, 4)
	if len(tokens) != 3 {
		return "", "", "", &AuthError{Mechanism: MechanismPlain, Public: true,
			Reason: "Invalid SASL/PLAIN response: expected 3 tokens, got " + strconv.Itoa(len(tokens))}
	}
	authzid, user, password = string(tokens[0]), string(tokens[1]), string(tokens[2])
	switch {
	case user == "":
		return authzid, "", "", &AuthError{Mechanism: MechanismPlain, Public: true,
			Reason: "Authentication failed: username not specified"}
	case password == "":
		return authzid, user, "", &AuthError{Mechanism: MechanismPlain, Public: true,
			Reason: "Authentication failed: password not specified"}
	}
	return authzid, user, password, nil
}

// AuthenticatePlain runs Kafka's PlainSaslServer on one client message:
// it parses msg, checks the password against the user's credential from
// lookup, then that the authzid, if any, is the user. It returns the
// authenticated user, or an *AuthError.
func AuthenticatePlain(msg []byte, lookup func(user string) (Credential, bool)) (string, error) {
	authzid, user, password, err := ParsePlain(msg)
	if err != nil {
		return "", err
	}
	c, ok := lookup(user)
	if !ok || !VerifyPassword(c, password) {
		return "", &AuthError{Mechanism: MechanismPlain, Public: true,
			Reason: "Authentication failed: Invalid username or password"}
	}
	if authzid != "" && authzid != user {
		return "", &AuthError{Mechanism: MechanismPlain, Public: true,
			Reason: "Authentication failed: Client requested an authorization id that is different from username"}
	}
	return user, nil
}

// FormatCredential writes a credential as Kafka's ScramCredentialUtils
// does: salt=…,stored_key=…,server_key=…,iterations=N, the bytes in
// standard base64. It holds no password.
func FormatCredential(c Credential) string {
	encode := base64.StdEncoding.EncodeToString
	return "salt=" + encode(c.Salt) + ",stored_key=" + encode(c.StoredKey) + ",server_key=" + encode(c.ServerKey) +
		",iterations=" + strconv.Itoa(int(c.Iterations))
}

// ParseCredential reads a credential of mechanism (PLAIN, hashed as
// SCRAM-SHA-256, or a SCRAM mechanism) in FormatCredential's form; a
// credential Validate refuses is an error.
func ParseCredential(mechanism, text string) (Credential, error) {
	c := Credential{Mechanism: mechanism}
	fields := strings.Split(text, ",")
	names := []string{"salt", "stored_key", "server_key", "iterations"}
	if len(fields) != len(names) {
		return Credential{}, errors.New("a credential is salt=…,stored_key=…,server_key=…,iterations=N")
	}
	for i, field := range fields {
		name, value, found := strings.Cut(field, "=")
		if !found || name != names[i] {
			return Credential{}, errors.New("a credential is salt=…,stored_key=…,server_key=…,iterations=N; field " +
				strconv.Itoa(i+1) + " is not " + names[i])
		}
		var err error
		switch name {
		case "salt":
			c.Salt, err = base64.StdEncoding.DecodeString(value)
		case "stored_key":
			c.StoredKey, err = base64.StdEncoding.DecodeString(value)
		case "server_key":
			c.ServerKey, err = base64.StdEncoding.DecodeString(value)
		case "iterations":
			var n int
			n, err = strconv.Atoi(value)
			c.Iterations = int32(min(max(n, 0), ScramMaxIterations+1))
		}
		if err != nil {
			return Credential{}, errors.New("the credential's " + name + " is not valid: " + err.Error())
		}
	}
	return c, c.Validate()
}
