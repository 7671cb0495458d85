package link

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kafka-playground/playground/core/config"
	"github.com/kafka-playground/playground/core/scenario"
	"github.com/kafka-playground/playground/core/sim"
)

// TestNoSecretEscapes runs every scenario that has SASL users and looks
// for their passwords in everything the playground shows: the trace, the
// output document with its state, the share link and the scenario the
// link opens. The link's stand-ins must replay to the same trace hash and
// state.
func TestNoSecretEscapes(t *testing.T) {
	files, err := filepath.Glob("../scenario/testdata/behaviour/*.json")
	if err != nil {
		t.Fatal(err)
	}
	lessons, _ := filepath.Glob("../lessons/*.json")
	checked := 0
	for _, file := range append(files, lessons...) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		s, err := scenario.Decode(file, data)
		if err != nil {
			t.Fatal(err)
		}
		secrets := secretsOf(s)
		if len(secrets) == 0 {
			continue
		}
		checked++
		t.Run(filepath.Base(file), func(t *testing.T) {
			var trace strings.Builder
			out, err := scenario.Run(file, s, scenario.Options{TraceSink: func(e sim.TraceEvent) { trace.WriteString(e.String() + "\n") }})
			if err != nil {
				t.Fatal(err)
			}
			document, err := json.Marshal(out)
			if err != nil {
				t.Fatal(err)
			}
			url, err := Encode(s)
			if err != nil {
				t.Fatal(err)
			}
			opened, err := Decode(url)
			if err != nil {
				t.Fatal(err)
			}
			reopened, err := scenario.Encode(opened)
			if err != nil {
				t.Fatal(err)
			}
			for _, secret := range secrets {
				for name, text := range map[string]string{"trace": trace.String(), "output document": string(document),
					"link": url, "scenario opened from the link": string(reopened)} {
					if strings.Contains(text, secret) {
						t.Errorf("the password %q appears in the %s", secret, name)
					}
				}
			}
			replay, err := scenario.Run(file, opened, scenario.Options{})
			if err != nil {
				t.Fatal(err)
			}
			again, _ := json.Marshal(replay.State)
			first, _ := json.Marshal(out.State)
			if replay.TraceHash != out.TraceHash || string(again) != string(first) {
				t.Errorf("the redacted scenario replays differently: trace %s vs %s", replay.TraceHash, out.TraceHash)
			}
		})
	}
	if checked < 4 {
		t.Fatalf("only %d scenarios have SASL users; the security scenarios are missing", checked)
	}
}

// secretsOf returns the passwords a scenario holds.
func secretsOf(s *scenario.Scenario) []string {
	var out []string
	add := func(scope config.Scope, m map[string]string) {
		for k, v := range m {
			if d, ok := config.Lookup(scope, k); ok && d.Type == config.Password && v != "" {
				out = append(out, v)
			}
		}
	}
	add(config.Broker, s.Cluster.Config)
	for _, st := range s.Steps {
		switch st.Op {
		case scenario.OpAddUser:
			out = append(out, st.Password)
		case scenario.OpAddProducer:
			add(config.Producer, st.Config)
		case scenario.OpAddConsumer:
			add(config.Consumer, st.Config)
		}
	}
	return out
}
