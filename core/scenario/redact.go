package scenario

import (
	"sort"
	"strconv"

	"github.com/kafka-playground/playground/core/config"
	"github.com/kafka-playground/playground/core/security"
)

// Redacted returns a copy of s without its secrets: every add_user
// password and every password-typed config value (sasl.password,
// sasl.jaas.config, ...) becomes a stand-in, "secret-1", "secret-2", ...
// in order of first appearance, equal where the originals were equal. The
// simulation never shows a password and draws salts and nonces from its
// seed, so the copy replays exactly as s does: same trace, same state.
// Share links carry the redacted copy. Redacted(nil) is nil.
func Redacted(s *Scenario) *Scenario {
	if s == nil {
		return nil
	}
	out := *s
	standIns := map[string]string{}
	standIn := func(secret string) string {
		if secret == "" {
			return ""
		}
		if v, ok := standIns[secret]; ok {
			return v
		}
		v := "secret-" + strconv.Itoa(len(standIns)+1)
		standIns[secret] = v
		return v
	}
	redactConfig := func(scope config.Scope, m map[string]string) map[string]string {
		var copied map[string]string
		for _, key := range sortedKeys(m) {
			if d, ok := config.Lookup(scope, key); ok && d.Type == config.Password {
				if copied == nil {
					copied = make(map[string]string, len(m))
					for k, v := range m {
						copied[k] = v
					}
				}
				copied[key] = standIn(m[key])
			}
		}
		if copied == nil {
			return m
		}
		return copied
	}
	out.Cluster.Config = redactConfig(config.Broker, s.Cluster.Config)
	out.Steps = make([]Step, len(s.Steps))
	for i, st := range s.Steps {
		switch st.Op {
		case OpAddUser:
			st.Password = standIn(st.Password)
		case OpAddProducer:
			st.Config = redactConfig(config.Producer, st.Config)
		case OpAddConsumer:
			st.Config = redactConfig(config.Consumer, st.Config)
		}
		out.Steps[i] = st
	}
	return &out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// WithCredential returns an add_user step with the credential a broker
// would store for its password (salted with salt, hashed as Kafka's
// ScramFormatter does; PLAIN as SCRAM-SHA-256) in place of the password:
// the step a room with a Kafka gateway journals, so that no password of
// its users is in the journal, while the run goes on as with the
// password. Other steps come back as they are.
func WithCredential(st Step, salt []byte) (Step, error) {
	if st.Op != OpAddUser || st.Credential != "" {
		return st, nil
	}
	hash := st.Mechanism
	if hash == security.MechanismPlain {
		hash = security.MechanismScramSHA256
	}
	cred, err := security.NewCredential(hash, st.Password, salt, security.ScramMinIterations)
	if err != nil {
		return st, err
	}
	st.Password, st.Credential = "", security.FormatCredential(cred)
	return st, nil
}
