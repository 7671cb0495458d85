package security

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// RFC 7677 section 3: SCRAM-SHA-256, user "user", password "pencil".
const (
	rfcClientNonce = "rOprNGfwEbeRWgbNEkqO"
	rfcServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
	rfcSalt        = "W22ZaJ0SNY7soEsUEjb6gQ=="
	rfcClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"
	rfcServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
	rfcClientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
	rfcServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
)

var rfcCredential = sync.OnceValue(func() Credential {
	salt, _ := base64.StdEncoding.DecodeString(rfcSalt)
	c, err := NewCredential(MechanismScramSHA256, "pencil", salt, 4096)
	if err != nil {
		panic(err)
	}
	return c
})

// credentials derives each (mechanism, user, password) once.
var credentials sync.Map

func credential(t testing.TB, mechanism, user, password string) Credential {
	key := mechanism + "\x00" + user + "\x00" + password
	if c, ok := credentials.Load(key); ok {
		return c.(Credential)
	}
	c, err := NewCredential(mechanism, password, []byte("salt of "+user), ScramMinIterations)
	if err != nil {
		t.Fatal(err)
	}
	credentials.Store(key, c)
	return c
}

func lookupOf(creds map[string]Credential) func(string) (Credential, bool) {
	return func(user string) (Credential, bool) {
		c, ok := creds[user]
		return c, ok
	}
}

func TestScramRFC7677Client(t *testing.T) {
	c, err := NewScramClient(MechanismScramSHA256, "user", "pencil", rfcClientNonce)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(c.FirstMessage()); got != rfcClientFirst {
		t.Fatalf("client-first = %q, want %q", got, rfcClientFirst)
	}
	final, err := c.FinalMessage([]byte(rfcServerFirst))
	if err != nil {
		t.Fatal(err)
	}
	if string(final) != rfcClientFinal {
		t.Fatalf("client-final = %q, want %q", final, rfcClientFinal)
	}
	if err := c.Verify([]byte(rfcServerFinal)); err != nil {
		t.Fatal(err)
	}
}

func TestScramRFC7677Server(t *testing.T) {
	lookup := lookupOf(map[string]Credential{"user": rfcCredential()})
	s, err := NewScramServer(MechanismScramSHA256, rfcServerNonce)
	if err != nil {
		t.Fatal(err)
	}
	reply, done, err := s.Step([]byte(rfcClientFirst), lookup)
	if err != nil || done || string(reply) != rfcServerFirst {
		t.Fatalf("Step(client-first) = %q, %v, %v; want %q", reply, done, err, rfcServerFirst)
	}
	if s.User() != "" {
		t.Fatalf("User() = %q before the end", s.User())
	}
	reply, done, err = s.Step([]byte(rfcClientFinal), lookup)
	if err != nil || !done || string(reply) != rfcServerFinal {
		t.Fatalf("Step(client-final) = %q, %v, %v; want %q", reply, done, err, rfcServerFinal)
	}
	if s.User() != "user" {
		t.Fatalf("User() = %q", s.User())
	}
	// Nothing more is expected.
	if _, done, err := s.Step([]byte(rfcClientFinal), lookup); err == nil || !done || s.User() != "" {
		t.Fatalf("Step after the end = %v, %v, user %q", done, err, s.User())
	}
}

// exchange runs a whole SCRAM exchange and returns the client's and the
// server's errors (the first error stops it).
func exchange(t *testing.T, mechanism, user, password string, creds map[string]Credential) (clientErr, serverErr error, s *ScramServer) {
	t.Helper()
	c, err := NewScramClient(mechanism, user, password, "client-nonce")
	if err != nil {
		t.Fatal(err)
	}
	lookup := lookupOf(creds)
	s, err = NewScramServer(mechanism, "server-nonce")
	if err != nil {
		t.Fatal(err)
	}
	serverFirst, done, err := s.Step(c.FirstMessage(), lookup)
	if err != nil {
		if !done || serverFirst != nil {
			t.Errorf("failed Step returned %q, done %v", serverFirst, done)
		}
		return nil, err, s
	}
	clientFinal, err := c.FinalMessage(serverFirst)
	if err != nil {
		return err, nil, s
	}
	serverFinal, done, err := s.Step(clientFinal, lookup)
	if !done {
		t.Errorf("Step(client-final) not done")
	}
	if err != nil {
		if serverFinal != nil {
			t.Errorf("failed Step returned %q", serverFinal)
		}
		return nil, err, s
	}
	return c.Verify(serverFinal), nil, s
}

func TestScramExchange(t *testing.T) {
	for _, mech := range []string{MechanismScramSHA256, MechanismScramSHA512} {
		t.Run(mech, func(t *testing.T) {
			creds := map[string]Credential{
				"alice":  credential(t, mech, "alice", "secret-1"),
				"a,b=c":  credential(t, mech, "a,b=c", "secret-2"),
				"=2C=3D": credential(t, mech, "=2C=3D", "secret-3"),
			}
			for user, password := range map[string]string{"alice": "secret-1", "a,b=c": "secret-2", "=2C=3D": "secret-3"} {
				cErr, sErr, s := exchange(t, mech, user, password, creds)
				if cErr != nil || sErr != nil || s.User() != user {
					t.Errorf("%q: client %v, server %v, user %q", user, cErr, sErr, s.User())
				}
			}

			cErr, sErr, s := exchange(t, mech, "alice", "secret-2", creds)
			if cErr != nil || sErr == nil || s.User() != "" {
				t.Errorf("wrong password: client %v, server %v, user %q", cErr, sErr, s.User())
			}
			checkAuthError(t, sErr, mech, "Invalid client credentials", false)
			if strings.Contains(sErr.Error(), "secret") {
				t.Errorf("error %q holds the password", sErr)
			}

			cErr, sErr, s = exchange(t, mech, "mallory", "secret-1", creds)
			if cErr != nil || sErr == nil || s.User() != "" {
				t.Errorf("unknown user: client %v, server %v, user %q", cErr, sErr, s.User())
			}
			checkAuthError(t, sErr, mech, "Authentication failed: Invalid user credentials", false)

			// A user whose credential is for the other SCRAM mechanism is
			// unknown to this one.
			other := MechanismScramSHA512
			if mech == other {
				other = MechanismScramSHA256
			}
			_, sErr, _ = exchange(t, mech, "bob", "pw", map[string]Credential{"bob": credential(t, other, "bob", "pw")})
			checkAuthError(t, sErr, mech, "Invalid user credentials", false)
		})
	}
}

func checkAuthError(t *testing.T, err error, mech, reason string, public bool) {
	t.Helper()
	var ae *AuthError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not an *AuthError", err, err)
	}
	if !strings.Contains(ae.Reason, reason) || ae.Public != public || ae.Mechanism != mech {
		t.Errorf("error %+v, want reason %q, public %v, mechanism %s", ae, reason, public, mech)
	}
	want := "Authentication failed during authentication due to invalid credentials with SASL mechanism " + mech
	if public {
		want = ae.Reason
	}
	if ae.ClientMessage() != want {
		t.Errorf("ClientMessage() = %q, want %q", ae.ClientMessage(), want)
	}
}

func TestScramUsernameEscaping(t *testing.T) {
	c, err := NewScramClient(MechanismScramSHA256, "a,b=c", "pw", "nonce")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(c.FirstMessage()), "n,,n=a=2Cb=3Dc,r=nonce"; got != want {
		t.Errorf("client-first = %q, want %q", got, want)
	}
	for name, want := range map[string]string{"a=2Cb=3Dc": "a,b=c", "=3D2C": "=2C", "=2C3D": ",3D", "x": "x"} {
		if !validSaslName(name) || username(name) != want {
			t.Errorf("username(%q) = %q, valid %v; want %q", name, username(name), validSaslName(name), want)
		}
	}
	for _, name := range []string{"", "a=b", "a=2c", "a=", "a=3", "a,b", "\x00", "é"} {
		if validSaslName(name) {
			t.Errorf("validSaslName(%q) = true", name)
		}
	}
}

func TestScramTamperedNonce(t *testing.T) {
	creds := map[string]Credential{"user": rfcCredential()}
	lookup := lookupOf(creds)

	// The client refuses a server nonce that does not extend its own.
	c, _ := NewScramClient(MechanismScramSHA256, "user", "pencil", rfcClientNonce)
	_, err := c.FinalMessage([]byte(strings.Replace(rfcServerFirst, "r=rOpr", "r=XOpr", 1)))
	if err == nil || !strings.Contains(err.Error(), "Invalid server nonce") {
		t.Errorf("FinalMessage with a foreign nonce: %v", err)
	}
	if _, err := c.FinalMessage([]byte(rfcServerFirst)); err == nil {
		t.Error("FinalMessage after a failure succeeded")
	}

	// The server refuses a client-final nonce that is not the combined
	// one.
	for _, final := range []string{
		strings.Replace(rfcClientFinal, "hNlF$k0", "hNlF$k1", 1),
		strings.Replace(rfcClientFinal, "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0", "r=rOprNGfwEbeRWgbNEkqO", 1),
	} {
		s, _ := NewScramServer(MechanismScramSHA256, rfcServerNonce)
		s.Step([]byte(rfcClientFirst), lookup)
		reply, done, err := s.Step([]byte(final), lookup)
		if err == nil || !done || reply != nil || s.User() != "" {
			t.Errorf("tampered final %q: %q, %v, %v", final, reply, done, err)
		}
		checkAuthError(t, err, MechanismScramSHA256, "Invalid client nonce in the final client message.", false)
	}

	// A longer nonce ending with the combined one passes Kafka's nonce
	// check but not the proof.
	s, _ := NewScramServer(MechanismScramSHA256, rfcServerNonce)
	s.Step([]byte(rfcClientFirst), lookup)
	_, _, err = s.Step([]byte(strings.Replace(rfcClientFinal, "r=", "r=X", 1)), lookup)
	checkAuthError(t, err, MechanismScramSHA256, "Invalid client credentials", false)

	// A proof that is not the right size fails the same way.
	s, _ = NewScramServer(MechanismScramSHA256, rfcServerNonce)
	s.Step([]byte(rfcClientFirst), lookup)
	_, _, err = s.Step([]byte(rfcClientFinal[:strings.Index(rfcClientFinal, ",p=")]+",p=AAAA"), lookup)
	checkAuthError(t, err, MechanismScramSHA256, "Invalid client credentials", false)
}

func TestScramServerFailures(t *testing.T) {
	weak := rfcCredential()
	weak.Iterations = ScramMinIterations - 1
	short := rfcCredential()
	short.StoredKey = short.StoredKey[:16]
	creds := map[string]Credential{"user": rfcCredential(), "weak": weak, "short": short}
	lookup := lookupOf(creds)
	cases := []struct {
		first  string
		reason string
		public bool
	}{
		{"", "Invalid SCRAM client first message format", false},
		{"n,,n=user", "Invalid SCRAM client first message format", false},
		{"y,,n=user,r=abc", "Invalid SCRAM client first message format", false},
		{"p=tls-unique,,n=user,r=abc", "Invalid SCRAM client first message format", false},
		{"n,,n=us=er,r=abc", "Invalid SCRAM client first message format", false},
		{"n,,n=user,r=a b", "Invalid SCRAM client first message format", false},
		{"n,,n=user,r=abc,1=x", "Invalid SCRAM client first message format", false},
		{"n,,n=user,r=abc,ext=", "Invalid SCRAM client first message format", false},
		{"n,a=,n=user,r=abc", "Invalid SCRAM client first message format", false},
		{"n,,n=nobody,r=abc", "Authentication failed: Invalid user credentials", false},
		{"n,a=other,n=user,r=abc", "Client requested an authorization id that is different from username", true},
		{"n,,n=weak,r=abc", "Iterations 4095 is less than the minimum 4096 for SCRAM-SHA-256", false},
		{"n,,n=short,r=abc", "Credentials could not be obtained", false},
		{"n,,n=user,r=abc,tokenauth=TRUE", "Token Authentication failed: Invalid tokenId : user", false},
	}
	for _, c := range cases {
		s, _ := NewScramServer(MechanismScramSHA256, "srv")
		reply, done, err := s.Step([]byte(c.first), lookup)
		if err == nil || !done || reply != nil {
			t.Errorf("Step(%q) = %q, %v, %v", c.first, reply, done, err)
			continue
		}
		checkAuthError(t, err, MechanismScramSHA256, c.reason, c.public)
		if _, _, err := s.Step([]byte(c.first), lookup); err == nil {
			t.Errorf("Step after failing on %q succeeded", c.first)
		}
	}
	// Accepted variants of the client-first message.
	for _, first := range []string{"n,a=user,n=user,r=abc", "n,,m=x,n=user,r=abc", "n,,n=user,r=abc,tokenauth=false,x=a=b"} {
		s, _ := NewScramServer(MechanismScramSHA256, "srv")
		if reply, done, err := s.Step([]byte(first), lookup); err != nil || done || !strings.HasPrefix(string(reply), "r=abcsrv,s=") {
			t.Errorf("Step(%q) = %q, %v, %v", first, reply, done, err)
		}
	}
	// Malformed client-final messages.
	for _, final := range []string{"", "c=biws,r=x", "c=biws,p=AAAA", "c=biw,r=x,p=AAAA", "r=x,c=biws,p=AAAA", "c=biws,r=x,p=AAA="} {
		s, _ := NewScramServer(MechanismScramSHA256, rfcServerNonce)
		s.Step([]byte(rfcClientFirst), lookup)
		_, done, err := s.Step([]byte(final), lookup)
		if !done {
			t.Errorf("Step(%q) not done", final)
		}
		checkAuthError(t, err, MechanismScramSHA256, "", false)
	}
}

func TestScramClientFailures(t *testing.T) {
	newClient := func() *ScramClient {
		c, err := NewScramClient(MechanismScramSHA256, "user", "pencil", rfcClientNonce)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for first, want := range map[string]string{
		"":                                               "Invalid SCRAM server first message format",
		"r=rOprNGfwEbeRWgbNEkqOx,s=AAAA":                 "Invalid SCRAM server first message format",
		"r=rOprNGfwEbeRWgbNEkqOx,s=AAA,i=1":              "Invalid SCRAM server first message format",
		"r=rOprNGfwEbeRWgbNEkqOx,s=AA==,i=x":             "Invalid SCRAM server first message format",
		"r=rOprNGfwEbeRWgbNEkqOx,s=AA==,i=0":             "invalid iterations",
		"r=rOprNGfwEbeRWgbNEkqOx,s=AA==,i=99999999999":   "invalid iterations",
		"r=rOprNGfwEbeRWgbNEkqOx,s=AA==,i=4095":          "Requested iterations 4095 is less than the minimum 4096 for SCRAM-SHA-256",
		"r=rOprNGfwEbeRWgbNEkqOx,s=AA==,i=16385":         "Requested iterations 16385 is more than the maximum 16384",
		"r=rOprNGfwEbeRWgbNEkqOx,s=AA==,i=4096,e":        "Invalid SCRAM server first message format",
		"r=XOprNGfwEbeRWgbNEkqOx,s=AA==,i=4096":          "Invalid server nonce",
		"m=ext,r=XOprNGfwEbeRWgbNEkqOx,s=AA==,i=4096,a=": "Invalid SCRAM server first message format",
	} {
		if _, err := newClient().FinalMessage([]byte(first)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("FinalMessage(%q) = %v, want %q", first, err, want)
		}
	}
	// Reserved attribute and extensions are accepted, and ignored.
	if _, err := newClient().FinalMessage([]byte("m=ext," + rfcServerFirst + ",x=y")); err != nil {
		t.Errorf("FinalMessage with m= and an extension: %v", err)
	}

	if err := newClient().Verify([]byte(rfcServerFinal)); err == nil {
		t.Error("Verify before FinalMessage succeeded")
	}
	for final, want := range map[string]string{
		"e=invalid-proof":  "Sasl authentication using SCRAM-SHA-256 failed with error: invalid-proof",
		"e=a=b":            "Invalid SCRAM server final message format",
		"v=6rriTRBi23WpRR": "Invalid SCRAM server final message format",
		"v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=": "Invalid server signature in server final message",
		"v=6rr":                         "Invalid SCRAM server final message format",
		"":                              "Invalid SCRAM server final message format",
		rfcServerFinal + ",1=x":         "Invalid SCRAM server final message format",
		"x" + rfcServerFinal:            "Invalid SCRAM server final message format",
		strings.ToUpper(rfcServerFinal): "Invalid SCRAM server final message format",
	} {
		c := newClient()
		if _, err := c.FinalMessage([]byte(rfcServerFirst)); err != nil {
			t.Fatal(err)
		}
		if err := c.Verify([]byte(final)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Verify(%q) = %v, want %q", final, err, want)
		}
		if err := c.Verify([]byte(rfcServerFinal)); err == nil {
			t.Errorf("Verify after failing on %q succeeded", final)
		}
	}
	c := newClient()
	c.FinalMessage([]byte(rfcServerFirst))
	if err := c.Verify([]byte(rfcServerFinal + ",ext=1")); err != nil {
		t.Errorf("Verify with an extension: %v", err)
	}
}

func TestNewScramClientAndServerArguments(t *testing.T) {
	for _, bad := range []struct{ mech, nonce, password string }{
		{MechanismPlain, "n", "p"}, {"scram-sha-256", "n", "p"}, {MechanismScramSHA256, "", "p"},
		{MechanismScramSHA256, "a,b", "p"}, {MechanismScramSHA256, "a b", "p"}, {MechanismScramSHA256, "n", ""},
	} {
		if _, err := NewScramClient(bad.mech, "u", bad.password, bad.nonce); err == nil {
			t.Errorf("NewScramClient(%q, nonce %q) succeeded", bad.mech, bad.nonce)
		}
		if bad.password == "" {
			continue
		}
		if _, err := NewScramServer(bad.mech, bad.nonce); err == nil {
			t.Errorf("NewScramServer(%q, nonce %q) succeeded", bad.mech, bad.nonce)
		}
	}
	s, err := NewScramServer(MechanismScramSHA256, rfcServerNonce)
	if err != nil {
		t.Fatal(err)
	}
	if _, done, err := s.Step([]byte(rfcClientFirst), nil); err == nil || !done {
		t.Error("Step without lookup succeeded")
	}
}

func TestCredential(t *testing.T) {
	salt := []byte("0123456789abcdef")
	for _, c := range []struct {
		mech string
		size int
	}{{MechanismScramSHA256, 32}, {MechanismScramSHA512, 64}, {MechanismPlain, 32}} {
		cred, err := NewCredential(c.mech, "hunter2", salt, 4096)
		if err != nil {
			t.Fatal(err)
		}
		if cred.Mechanism != c.mech || len(cred.StoredKey) != c.size || len(cred.ServerKey) != c.size ||
			cred.Iterations != 4096 || !bytes.Equal(cred.Salt, salt) {
			t.Errorf("%s credential %+v", c.mech, cred)
		}
		if err := cred.Validate(); err != nil {
			t.Errorf("%s: Validate: %v", c.mech, err)
		}
		if !VerifyPassword(cred, "hunter2") {
			t.Errorf("%s: VerifyPassword(right) = false", c.mech)
		}
		for _, wrong := range []string{"hunter3", "", "hunter2 ", "Hunter2"} {
			if VerifyPassword(cred, wrong) {
				t.Errorf("%s: VerifyPassword(%q) = true", c.mech, wrong)
			}
		}
		for _, s := range []string{cred.String(), fmt.Sprintf("%v %+v %s", cred, cred, cred)} {
			if strings.Contains(s, "hunter2") || strings.Contains(s, "[") {
				t.Errorf("%s: String() shows secrets: %q", c.mech, s)
			}
		}
	}
	plain, _ := NewCredential(MechanismPlain, "hunter2", salt, 4096)
	sha, _ := NewCredential(MechanismScramSHA256, "hunter2", salt, 4096)
	if !bytes.Equal(plain.StoredKey, sha.StoredKey) || !bytes.Equal(plain.ServerKey, sha.ServerKey) {
		t.Error("a PLAIN credential is not hashed as SCRAM-SHA-256")
	}
	// The salt is copied.
	salt[0] = 'X'
	if plain.Salt[0] != '0' {
		t.Error("NewCredential keeps the caller's salt")
	}

	for _, bad := range []struct {
		mech, password string
		salt           []byte
		iterations     int
		want           string
	}{
		{"GSSAPI", "pw", salt, 4096, `unsupported SASL mechanism "GSSAPI"`},
		{"scram-sha-256", "pw", salt, 4096, "unsupported SASL mechanism"},
		{MechanismScramSHA256, "", salt, 4096, "password must not be empty"},
		{MechanismScramSHA256, "pw-secret", nil, 4096, "salt must not be empty"},
		{MechanismScramSHA256, "pw-secret", salt, 4095, "too few iterations: 4095 is less than the minimum 4096"},
		{MechanismScramSHA512, "pw-secret", salt, 16385, "too many iterations: 16385 is more than the maximum 16384"},
	} {
		_, err := NewCredential(bad.mech, bad.password, bad.salt, bad.iterations)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("NewCredential(%q, %d) = %v, want %q", bad.mech, bad.iterations, err, bad.want)
		} else if strings.Contains(err.Error(), "secret") {
			t.Errorf("error %q holds the password", err)
		}
	}

	good := sha
	for _, bad := range []struct {
		c    Credential
		want string
	}{
		{with2(good, func(c *Credential) { c.Iterations = 4095 }), "Too few iterations"},
		{with2(good, func(c *Credential) { c.Iterations = 16385 }), "Too many iterations"},
		{with2(good, func(c *Credential) { c.Mechanism = "MD5" }), "unsupported SASL mechanism"},
		{with2(good, func(c *Credential) { c.Salt = nil }), "salt must not be empty"},
		{with2(good, func(c *Credential) { c.Mechanism = MechanismScramSHA512 }), "must be 64 bytes long"},
	} {
		if err := bad.c.Validate(); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("Validate() = %v, want %q", err, bad.want)
		}
		if VerifyPassword(bad.c, "hunter2") {
			t.Errorf("VerifyPassword accepts an invalid credential (%s)", bad.want)
		}
	}
	if !ValidMechanism(MechanismPlain) || !ValidMechanism(MechanismScramSHA512) || ValidMechanism("plain") ||
		ValidMechanism("SCRAM-SHA-1") {
		t.Error("ValidMechanism")
	}
}

func with2(c Credential, f func(*Credential)) Credential {
	f(&c)
	return c
}

func TestStringsHideSecrets(t *testing.T) {
	c, _ := NewScramClient(MechanismScramSHA256, "alice", "hunter2", "nonce")
	s, _ := NewScramServer(MechanismScramSHA256, "srv")
	for _, out := range []string{fmt.Sprint(c), fmt.Sprintf("%v %+v %s", c, c, s)} {
		if strings.Contains(out, "hunter2") || !strings.Contains(out, "alice") {
			t.Errorf("String output %q", out)
		}
	}
}

func TestPlain(t *testing.T) {
	msg := PlainMessage("alice", "pw\x01é")
	if !bytes.Equal(msg, []byte("\x00alice\x00pw\x01é")) {
		t.Errorf("PlainMessage = %q", msg)
	}
	authzid, user, password, err := ParsePlain(msg)
	if err != nil || authzid != "" || user != "alice" || password != "pw\x01é" {
		t.Errorf("ParsePlain = %q, %q, %q, %v", authzid, user, password, err)
	}
	authzid, user, password, err = ParsePlain([]byte("admin\x00alice\x00pw"))
	if err != nil || authzid != "admin" || user != "alice" || password != "pw" {
		t.Errorf("ParsePlain with authzid = %q, %q, %q, %v", authzid, user, password, err)
	}
	for msg, want := range map[string]string{
		"":                      "Invalid SASL/PLAIN response: expected 3 tokens, got 1",
		"alice":                 "expected 3 tokens, got 1",
		"\x00alice":             "expected 3 tokens, got 2",
		"\x00alice\x00pw\x00":   "expected 3 tokens, got 4",
		"a\x00b\x00c\x00d\x00e": "expected 3 tokens, got 4",
		"\x00\x00secret":        "Authentication failed: username not specified",
		"\x00alice\x00":         "Authentication failed: password not specified",
	} {
		_, _, _, err := ParsePlain([]byte(msg))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParsePlain(%q) = %v, want %q", msg, err, want)
			continue
		}
		checkAuthError(t, err, MechanismPlain, want, true)
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("error %q holds the password", err)
		}
	}

	creds := map[string]Credential{"alice": credential(t, MechanismPlain, "alice", "secret")}
	lookup := lookupOf(creds)
	if user, err := AuthenticatePlain(PlainMessage("alice", "secret"), lookup); err != nil || user != "alice" {
		t.Errorf("AuthenticatePlain = %q, %v", user, err)
	}
	if user, err := AuthenticatePlain([]byte("alice\x00alice\x00secret"), lookup); err != nil || user != "alice" {
		t.Errorf("AuthenticatePlain with authzid = %q, %v", user, err)
	}
	for msg, want := range map[string]string{
		"\x00alice\x00wrong":       "Authentication failed: Invalid username or password",
		"\x00bob\x00secret":        "Authentication failed: Invalid username or password",
		"bob\x00alice\x00secret":   "Authentication failed: Client requested an authorization id that is different from username",
		"\x00alice\x00secret\x00x": "expected 3 tokens, got 4",
	} {
		user, err := AuthenticatePlain([]byte(msg), lookup)
		if err == nil || user != "" {
			t.Errorf("AuthenticatePlain(%q) = %q, %v", msg, user, err)
			continue
		}
		checkAuthError(t, err, MechanismPlain, want, true)
	}
}
