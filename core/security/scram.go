package security

import (
	"crypto/hmac"
	"encoding/base64"
	"errors"
	"hash"
	"strconv"
	"strings"
)

// SCRAM messages, as Kafka's ScramMessages parses them (a message's
// attributes never contain ','):
//
//	client-first: n,[a=authzid],[m=reserved,]n=saslname,r=nonce[,ext=value...]
//	server-first: [m=reserved,]r=nonce,s=salt,i=iterations[,ext=value...]
//	client-final: c=channel-binding,r=nonce[,ext=value...],p=proof
//	server-final: e=error | v=signature[,ext=value...]
//
// Kafka only supports gs2 header "n" (no channel binding), so c= is
// always "biws", base64 of "n,,".

// gs2Header is the header of a client-first message without authzid and
// channel binding.
const gs2Header = "n,,"

// ScramClient is the client side of one SCRAM exchange, as Kafka's
// ScramSaslClient runs it: FirstMessage, then FinalMessage with the
// server's first message, then Verify with the server's final message.
//
// It keeps only data between the steps (the mechanism names its hash), so
// that a snapshot of the simulation can hold a client mid-exchange.
type ScramClient struct {
	mechanism string
	user      string
	password  string
	nonce     string
	// firstBare is the client-first message without the gs2 header.
	firstBare string
	// serverSignature is the signature Verify expects; set by
	// FinalMessage.
	serverSignature []byte
	state           clientState
}

type clientState int8

const (
	clientStart clientState = iota
	clientFinalSent
	clientComplete
	clientFailed
)

// NewScramClient starts an exchange for user with mechanism
// SCRAM-SHA-256 or SCRAM-SHA-512. clientNonce must be printable ASCII
// without ','; callers draw it from the simulation's PRNG.
func NewScramClient(mechanism, user, password, clientNonce string) (*ScramClient, error) {
	if mechanism != MechanismScramSHA256 && mechanism != MechanismScramSHA512 {
		return nil, errors.New("unsupported SCRAM mechanism " + quote(mechanism) + "; valid mechanisms are " +
			MechanismScramSHA256 + ", " + MechanismScramSHA512)
	}
	if !printable(clientNonce) {
		return nil, errors.New("invalid SCRAM client nonce " + quote(clientNonce) + ": expected printable ASCII without ','")
	}
	if password == "" {
		return nil, errors.New("password must not be empty")
	}
	return &ScramClient{mechanism: mechanism, user: user, password: password, nonce: clientNonce,
		firstBare: "n=" + saslName(user) + ",r=" + clientNonce}, nil
}

// String names the mechanism and the user only.
func (c *ScramClient) String() string { return c.mechanism + " client for " + quote(c.user) }

// FirstMessage returns the client-first message, "n,,n=<user>,r=<nonce>",
// with ',' and '=' in the user escaped as =2C and =3D.
func (c *ScramClient) FirstMessage() []byte { return []byte(gs2Header + c.firstBare) }

// FinalMessage takes the server-first message and returns the
// client-final message carrying the client proof. It fails, as Kafka's
// client does, on a malformed message, a nonce that does not start with
// the client's, or fewer iterations than ScramMinIterations; and, to
// bound the work, more than ScramMaxIterations.
func (c *ScramClient) FinalMessage(serverFirst []byte) ([]byte, error) {
	if c.state != clientStart {
		return nil, errors.New("unexpected SCRAM server-first message in client state " + c.state.String())
	}
	c.state = clientFailed
	nonce, salt, iterations, err := parseServerFirst(string(serverFirst))
	switch {
	case err != nil:
		return nil, err
	case !strings.HasPrefix(nonce, c.nonce):
		return nil, errors.New("Invalid server nonce: does not start with client nonce")
	case iterations < ScramMinIterations:
		return nil, errors.New("Requested iterations " + strconv.Itoa(iterations) + " is less than the minimum " +
			strconv.Itoa(ScramMinIterations) + " for " + c.mechanism)
	case iterations > ScramMaxIterations:
		return nil, errors.New("Requested iterations " + strconv.Itoa(iterations) + " is more than the maximum " +
			strconv.Itoa(ScramMaxIterations) + " for " + c.mechanism)
	}
	h := scramHash(c.mechanism)
	salted, err := saltedPassword(h, c.password, salt, iterations)
	if err != nil {
		return nil, err
	}
	// Kafka's auth message holds the server-first message as its parser
	// re-formats it.
	withoutProof := "c=" + base64.StdEncoding.EncodeToString([]byte(gs2Header)) + ",r=" + nonce
	auth := []byte(c.firstBare + "," + formatServerFirst(nonce, salt, iterations) + "," + withoutProof)
	clientKey := hmacSum(h, salted, "Client Key")
	proof := hmacBytes(h, hashSum(h, clientKey), auth)
	for i := range proof {
		proof[i] ^= clientKey[i]
	}
	c.serverSignature = hmacBytes(h, hmacSum(h, salted, "Server Key"), auth)
	c.state = clientFinalSent
	return []byte(withoutProof + ",p=" + base64.StdEncoding.EncodeToString(proof)), nil
}

// Verify checks the server-final message: the server's signature must be
// the expected one. A message "e=<error>" fails with the server's error
// text.
func (c *ScramClient) Verify(serverFinal []byte) error {
	if c.state != clientFinalSent {
		return errors.New("unexpected SCRAM server-final message in client state " + c.state.String())
	}
	c.state = clientFailed
	msg := string(serverFinal)
	if text, ok := strings.CutPrefix(msg, "e="); ok && valueSafe(text) {
		return errors.New("Sasl authentication using " + c.mechanism + " failed with error: " + text)
	}
	parts := strings.Split(msg, ",")
	sig, ok := strings.CutPrefix(parts[0], "v=")
	if !ok || !isBase64(sig) || !extensions(parts[1:]) {
		return errors.New("Invalid SCRAM server final message format")
	}
	signature, _ := base64.StdEncoding.DecodeString(sig)
	if !hmac.Equal(signature, c.serverSignature) {
		return errors.New("Invalid server signature in server final message")
	}
	c.state = clientComplete
	return nil
}

func (s clientState) String() string {
	switch s {
	case clientStart:
		return "SEND_CLIENT_FIRST_MESSAGE"
	case clientFinalSent:
		return "RECEIVE_SERVER_FINAL_MESSAGE"
	case clientComplete:
		return "COMPLETE"
	}
	return "FAILED"
}

// ScramServer is the server side of one SCRAM exchange, as Kafka's
// ScramSaslServer runs it. Like ScramClient it keeps only data between
// the steps: the credential lookup is an argument of Step, not a field.
type ScramServer struct {
	mechanism   string
	serverNonce string
	state       serverState
	cred        Credential
	// clientFirstBare and serverFirst are the first two messages of the
	// auth message; nonce is the combined nonce.
	clientFirstBare string
	serverFirst     string
	nonce           string
	user            string
}

type serverState int8

const (
	serverReceiveFirst serverState = iota
	serverReceiveFinal
	serverComplete
	serverFailed
)

// NewScramServer starts an exchange for mechanism SCRAM-SHA-256 or
// SCRAM-SHA-512. serverNonce must be printable ASCII without ','; callers
// draw it from the simulation's PRNG.
func NewScramServer(mechanism, serverNonce string) (*ScramServer, error) {
	if mechanism != MechanismScramSHA256 && mechanism != MechanismScramSHA512 {
		return nil, errors.New("unsupported SCRAM mechanism " + quote(mechanism) + "; valid mechanisms are " +
			MechanismScramSHA256 + ", " + MechanismScramSHA512)
	}
	if !printable(serverNonce) {
		return nil, errors.New("invalid SCRAM server nonce " + quote(serverNonce) + ": expected printable ASCII without ','")
	}
	return &ScramServer{mechanism: mechanism, serverNonce: serverNonce}, nil
}

// String names the mechanism, and the user once authenticated.
func (s *ScramServer) String() string {
	if s.state == serverComplete {
		return s.mechanism + " server, authenticated " + quote(s.user)
	}
	return s.mechanism + " server"
}

// User returns the authenticated user; empty until the exchange
// succeeded.
func (s *ScramServer) User() string {
	if s.state != serverComplete {
		return ""
	}
	return s.user
}

// Step consumes one client message and returns the reply. lookup returns
// a user's stored credential, one whose Mechanism is not the exchange's
// counting as missing; only the client-first message reads it, in this
// call. The client-first message gets the server-first message (done
// false). The
// client-final message gets the server-final message "v=<signature>"
// with done true and User set. On a failure done is true, reply is nil
// and err is an *AuthError: like Kafka's server this one sends no "e="
// message, and it fails at once, on the client-first message, for an
// unknown user, a different authzid, a token-authenticated request
// (delegation tokens do not exist here) or a credential with too few
// iterations; on the client-final message for a wrong nonce or proof.
// Any message after done fails.
func (s *ScramServer) Step(msg []byte, lookup func(user string) (Credential, bool)) (reply []byte, done bool, err error) {
	switch s.state {
	case serverReceiveFirst:
		reply, err = s.receiveFirst(string(msg), lookup)
		if err == nil {
			s.state = serverReceiveFinal
			return reply, false, nil
		}
	case serverReceiveFinal:
		reply, err = s.receiveFinal(string(msg))
		if err == nil {
			s.state = serverComplete
			s.cred = Credential{}
			return reply, true, nil
		}
	default:
		state := "FAILED"
		if s.state == serverComplete {
			state = "COMPLETE"
		}
		err = s.fail(true, "Unexpected challenge in Sasl server state "+state)
	}
	s.state = serverFailed
	s.cred = Credential{}
	return nil, true, err
}

func (s *ScramServer) fail(public bool, reason string) error {
	return &AuthError{Mechanism: s.mechanism, Reason: reason, Public: public}
}

func (s *ScramServer) receiveFirst(msg string, lookup func(user string) (Credential, bool)) ([]byte, error) {
	authzid, name, nonce, bare, tokenAuth, ok := parseClientFirst(msg)
	if !ok {
		return nil, s.fail(false, "Invalid SCRAM client first message format")
	}
	user := username(name)
	if tokenAuth {
		return nil, s.fail(false, "Token Authentication failed: Invalid tokenId : "+user)
	}
	if lookup == nil {
		return nil, s.fail(false, "SCRAM server needs a credential lookup")
	}
	cred, found := lookup(user)
	if !found || cred.Mechanism != s.mechanism {
		return nil, s.fail(false, "Authentication failed: Invalid user credentials")
	}
	if authzid != "" && authzid != user {
		return nil, s.fail(true, "Authentication failed: Client requested an authorization id that is different from username")
	}
	if cred.Iterations < ScramMinIterations {
		return nil, s.fail(false, "Iterations "+strconv.Itoa(int(cred.Iterations))+" is less than the minimum "+
			strconv.Itoa(ScramMinIterations)+" for "+s.mechanism)
	}
	if size := scramHash(s.mechanism)().Size(); len(cred.StoredKey) != size || len(cred.ServerKey) != size {
		return nil, s.fail(false, "Authentication failed: Credentials could not be obtained")
	}
	s.cred, s.user, s.clientFirstBare = cred, user, bare
	s.nonce = nonce + s.serverNonce
	s.serverFirst = formatServerFirst(s.nonce, cred.Salt, int(cred.Iterations))
	return []byte(s.serverFirst), nil
}

func (s *ScramServer) receiveFinal(msg string) ([]byte, error) {
	channel, nonce, proof, ok := parseClientFinal(msg)
	if !ok {
		return nil, s.fail(false, "Invalid SCRAM client final message format")
	}
	// Kafka checks that the nonce ends with (not equals) the combined
	// nonce; the proof covers the nonce anyway.
	if !strings.HasSuffix(nonce, s.nonce) {
		return nil, s.fail(false, "Invalid client nonce in the final client message.")
	}
	withoutProof := "c=" + base64.StdEncoding.EncodeToString(channel) + ",r=" + nonce
	auth := []byte(s.clientFirstBare + "," + s.serverFirst + "," + withoutProof)
	h := scramHash(s.mechanism)
	signature := hmacBytes(h, s.cred.StoredKey, auth)
	if len(proof) != len(signature) {
		return nil, s.fail(false, "Invalid client credentials")
	}
	for i := range signature {
		signature[i] ^= proof[i] // now the client key
	}
	if !hmac.Equal(hashSum(h, signature), s.cred.StoredKey) {
		return nil, s.fail(false, "Invalid client credentials")
	}
	return []byte("v=" + base64.StdEncoding.EncodeToString(hmacBytes(h, s.cred.ServerKey, auth))), nil
}

// scramHash returns the hash of a SCRAM mechanism the exchange was
// started with (so one mechanismHash knows).
func scramHash(mechanism string) func() hash.Hash {
	h, _ := mechanismHash(mechanism)
	return h
}

func hmacBytes(h func() hash.Hash, key, msg []byte) []byte {
	m := hmac.New(h, key)
	m.Write(msg)
	return m.Sum(nil)
}

func formatServerFirst(nonce string, salt []byte, iterations int) string {
	return "r=" + nonce + ",s=" + base64.StdEncoding.EncodeToString(salt) + ",i=" + strconv.Itoa(iterations)
}

// parseClientFirst parses a client-first message. bare is the message
// from "n=" on (the reserved m= attribute, which Kafka drops, is not in
// it); tokenAuth is whether the tokenauth extension is "true".
func parseClientFirst(msg string) (authzid, name, nonce, bare string, tokenAuth, ok bool) {
	parts := strings.Split(msg, ",")
	if len(parts) < 4 || parts[0] != "n" {
		return
	}
	if parts[1] != "" {
		a, found := strings.CutPrefix(parts[1], "a=")
		if !found || !validSaslName(a) {
			return
		}
		authzid = a
	}
	i := 2
	if m, found := strings.CutPrefix(parts[i], "m="); found {
		if !value(m) {
			return
		}
		i++
	}
	if len(parts) < i+2 {
		return
	}
	name, found := strings.CutPrefix(parts[i], "n=")
	if !found || !validSaslName(name) {
		return
	}
	nonce, found = strings.CutPrefix(parts[i+1], "r=")
	if !found || !printable(nonce) || !extensions(parts[i+2:]) {
		return
	}
	for _, ext := range parts[i+2:] {
		// Kafka keeps the last value of a repeated key and parses it
		// with Boolean.parseBoolean.
		if k, v, _ := strings.Cut(ext, "="); k == "tokenauth" {
			tokenAuth = strings.EqualFold(v, "true")
		}
	}
	return authzid, name, nonce, strings.Join(parts[i:], ","), tokenAuth, true
}

// parseServerFirst parses a server-first message.
func parseServerFirst(msg string) (nonce string, salt []byte, iterations int, err error) {
	parts := strings.Split(msg, ",")
	if len(parts) > 0 {
		if m, found := strings.CutPrefix(parts[0], "m="); found && value(m) {
			parts = parts[1:]
		}
	}
	bad := errors.New("Invalid SCRAM server first message format")
	if len(parts) < 3 || !extensions(parts[3:]) {
		return "", nil, 0, bad
	}
	nonce, okNonce := strings.CutPrefix(parts[0], "r=")
	s, okSalt := strings.CutPrefix(parts[1], "s=")
	i, okIter := strings.CutPrefix(parts[2], "i=")
	if !okNonce || !printable(nonce) || !okSalt || !isBase64(s) || !okIter || !digits(i) {
		return "", nil, 0, bad
	}
	iterations, convErr := strconv.Atoi(i)
	if convErr != nil || iterations <= 0 || iterations > 1<<31-1 {
		return "", nil, 0, errors.New("Invalid SCRAM server first message format: invalid iterations")
	}
	salt, _ = base64.StdEncoding.DecodeString(s)
	return nonce, salt, iterations, nil
}

// parseClientFinal parses a client-final message.
func parseClientFinal(msg string) (channel []byte, nonce string, proof []byte, ok bool) {
	parts := strings.Split(msg, ",")
	if len(parts) < 3 {
		return nil, "", nil, false
	}
	c, okC := strings.CutPrefix(parts[0], "c=")
	nonce, okR := strings.CutPrefix(parts[1], "r=")
	p, okP := strings.CutPrefix(parts[len(parts)-1], "p=")
	if !okC || !isBase64(c) || !okR || !printable(nonce) || !extensions(parts[2:len(parts)-1]) || !okP || !isBase64(p) {
		return nil, "", nil, false
	}
	channel, _ = base64.StdEncoding.DecodeString(c)
	proof, _ = base64.StdEncoding.DecodeString(p)
	return channel, nonce, proof, true
}

// saslName escapes a user name for a SCRAM message: '=' as "=3D", ',' as
// "=2C" (Kafka's ScramFormatter.saslName).
func saslName(user string) string {
	return strings.ReplaceAll(strings.ReplaceAll(user, "=", "=3D"), ",", "=2C")
}

// username reverses saslName on a name validSaslName accepted.
func username(name string) string {
	return strings.ReplaceAll(strings.ReplaceAll(name, "=2C", ","), "=3D", "=")
}

// validSaslName reports whether s is a non-empty run of ASCII characters
// other than NUL and ',', with '=' only in "=2C" and "=3D".
func validSaslName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '=':
			if !strings.HasPrefix(s[i:], "=2C") && !strings.HasPrefix(s[i:], "=3D") {
				return false
			}
			i += 2
		case c == 0 || c > 0x7f || c == ',':
			return false
		}
	}
	return true
}

// printable reports whether s is a non-empty run of printable ASCII
// characters other than ','.
func printable(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c > 0x7e || c == ',' {
			return false
		}
	}
	return true
}

// value reports whether s is a non-empty run of ASCII characters other
// than NUL and ','.
func value(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == 0 || c > 0x7f || c == ',' {
			return false
		}
	}
	return true
}

// valueSafe is value without '='.
func valueSafe(s string) bool { return value(s) && !strings.Contains(s, "=") }

// extensions reports whether every part is "<letters>=<value>".
func extensions(parts []string) bool {
	for _, p := range parts {
		k, v, found := strings.Cut(p, "=")
		if !found || k == "" || !value(v) {
			return false
		}
		for i := 0; i < len(k); i++ {
			if c := k[i] | 0x20; c < 'a' || c > 'z' {
				return false
			}
		}
	}
	return true
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isBase64 reports whether s is padded standard base64 (possibly empty),
// as Kafka's message patterns require.
func isBase64(s string) bool {
	if len(s)%4 != 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
		case c == '=' && (i == len(s)-1 || (i == len(s)-2 && s[i+1] == '=')):
		default:
			return false
		}
	}
	return true
}
