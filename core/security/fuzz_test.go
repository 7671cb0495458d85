package security

import (
	"bytes"
	"strings"
	"testing"
)

func FuzzScramServer(f *testing.F) {
	f.Add([]byte(rfcClientFirst), []byte(rfcClientFinal))
	f.Add([]byte("n,a=user,m=x,n=user,r=abc,tokenauth=true"), []byte("c=biws,r=abc,x=y,p=AAAA"))
	f.Add([]byte("n,,n=us=2Cer,r=a"), []byte("c=,r=a%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p="))
	f.Add([]byte(""), []byte("\xff\x00,,,="))
	lookup := lookupOf(map[string]Credential{"user": rfcCredential(), "us,er": rfcCredential()})
	f.Fuzz(func(t *testing.T, first, final []byte) {
		s, err := NewScramServer(MechanismScramSHA256, rfcServerNonce)
		if err != nil {
			t.Fatal(err)
		}
		reply, done, err := s.Step(first, lookup)
		if err != nil {
			if !done || reply != nil || s.User() != "" {
				t.Fatalf("failed first step: reply %q, done %v, user %q", reply, done, s.User())
			}
			return
		}
		if done || !strings.HasPrefix(string(reply), "r=") || !strings.Contains(string(reply), rfcServerNonce+",s=") {
			t.Fatalf("first step: reply %q, done %v", reply, done)
		}
		reply, done, err = s.Step(final, lookup)
		if !done {
			t.Fatal("second step not done")
		}
		if err != nil {
			if reply != nil || s.User() != "" {
				t.Fatalf("failed second step: reply %q, user %q", reply, s.User())
			}
			return
		}
		// Only the client that knows the password gets this far.
		if s.User() != "user" || !bytes.Equal(reply, []byte(rfcServerFinal)) {
			t.Fatalf("authenticated %q with reply %q", s.User(), reply)
		}
	})
}

func FuzzScramClient(f *testing.F) {
	f.Add([]byte(rfcServerFirst), []byte(rfcServerFinal))
	f.Add([]byte("m=x,r=rOprNGfwEbeRWgbNEkqO,s=,i=4096,a=b"), []byte("e=other-error"))
	f.Add([]byte("r=rOprNGfwEbeRWgbNEkqO,s=AA==,i=2147483648"), []byte("v="))
	f.Fuzz(func(t *testing.T, first, final []byte) {
		c, err := NewScramClient(MechanismScramSHA256, "user", "pencil", rfcClientNonce)
		if err != nil {
			t.Fatal(err)
		}
		msg, err := c.FinalMessage(first)
		if err != nil {
			if strings.Contains(err.Error(), "pencil") {
				t.Fatalf("error %q holds the password", err)
			}
			return
		}
		if !strings.HasPrefix(string(msg), "c=biws,r="+rfcClientNonce) {
			t.Fatalf("client-final %q", msg)
		}
		_ = c.Verify(final)
	})
}

func FuzzParsePlain(f *testing.F) {
	f.Add([]byte("\x00alice\x00secret"))
	f.Add([]byte("admin\x00alice\x00secret"))
	f.Add([]byte("\x00\x00"))
	f.Add([]byte("a\x00b\x00c\x00d"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		authzid, user, password, err := ParsePlain(msg)
		if err != nil {
			if password != "" {
				t.Fatalf("password %q returned with error %v", password, err)
			}
			return
		}
		if user == "" || password == "" {
			t.Fatalf("empty user %q or password %q accepted", user, password)
		}
		joined := append([]byte(authzid+"\x00"), PlainMessage(user, password)[1:]...)
		if !bytes.Equal(joined, msg) {
			t.Fatalf("ParsePlain(%q) = %q, %q, %q", msg, authzid, user, password)
		}
	})
}
