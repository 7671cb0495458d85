package scenario

import (
	"os"
	"strings"
	"testing"
)

// TestCredentialStepsReplayAsPasswords: a scenario whose add_user steps
// carry credentials (made from the passwords, with salts of their own)
// instead of passwords runs as the original does, to the same trace
// hash: simulated clients authenticate with the passwords, wrong ones
// are refused. The credential form holds no password.
func TestCredentialStepsReplayAsPasswords(t *testing.T) {
	file := "testdata/behaviour/sasl-authentication.json"
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	original, err := Decode(file, data)
	if err != nil {
		t.Fatal(err)
	}
	converted := *original
	converted.Steps = nil
	for i, st := range original.Steps {
		changed, err := WithCredential(st, []byte{byte(i), 1, 2, 3, 4, 5, 6, 7})
		if err != nil {
			t.Fatal(err)
		}
		if st.Op == OpAddUser && (changed.Password != "" || !strings.HasPrefix(changed.Credential, "salt=")) {
			t.Fatalf("step %d became %+v", i, changed)
		}
		converted.Steps = append(converted.Steps, changed)
	}
	encoded, err := Encode(&converted)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"bob-secret", "alice-secret"} {
		if strings.Contains(strings.ReplaceAll(string(encoded), `"sasl.password":"bob-secret"`, ""), secret) {
			t.Errorf("the credential form holds the password %q:\n%s", secret, encoded)
		}
	}
	decoded, err := Decode("converted", encoded)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Run(file, original, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Run("converted", decoded, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got.TraceHash != want.TraceHash || got.ExpectFailures != 0 {
		t.Fatalf("with credentials: hash %s, %d expect failures; with passwords: %s", got.TraceHash, got.ExpectFailures, want.TraceHash)
	}
}

// TestCredentialFieldChecked: add_user takes exactly one of password and
// credential, and a credential that is not Kafka's form, or does not
// fit its mechanism, is refused with a sentence.
func TestCredentialFieldChecked(t *testing.T) {
	good, _ := WithCredential(Step{Op: OpAddUser, User: "a", Password: "p", Mechanism: "SCRAM-SHA-256"}, []byte("salt"))
	for _, c := range []struct{ step, want string }{
		{`{"op":"add_user","user":"a","mechanism":"PLAIN"}`, "exactly one of"},
		{`{"op":"add_user","user":"a","password":"p","credential":"` + good.Credential + `","mechanism":"SCRAM-SHA-256"}`, "exactly one of"},
		{`{"op":"add_user","user":"a","credential":"salt=AA==","mechanism":"PLAIN"}`, "salt=…,stored_key="},
		{`{"op":"add_user","user":"a","credential":"` + good.Credential + `","mechanism":"SCRAM-SHA-512"}`, "bytes long"},
	} {
		_, err := Decode("f", []byte(`{"version":1,"steps":[`+c.step+`]}`))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", c.step, err, c.want)
		}
	}
	if _, err := Decode("f", []byte(`{"version":1,"steps":[{"op":"add_user","user":"a","credential":"`+good.Credential+`","mechanism":"SCRAM-SHA-256"}]}`)); err != nil {
		t.Errorf("a credential step: %v", err)
	}
}
