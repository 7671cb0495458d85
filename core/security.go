package core

// Security of the cluster: the brokers' listeners, SASL users, ACLs, and
// eavesdroppers that show what travels on the wire in clear text.

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kafka-playground/playground/core/client"
	"github.com/kafka-playground/playground/core/config"
	"github.com/kafka-playground/playground/core/metadata"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/security"
)

// securitySetup checks the listeners and SASL mechanisms of the cluster's
// configuration and keeps the listeners.
func (c *Cluster) securitySetup() error {
	listeners, err := config.ParseListeners(c.brokerConfig.String("listeners"), c.brokerConfig.String("listener.security.protocol.map"))
	if err != nil {
		return fmt.Errorf("cluster.config: %w", err)
	}
	c.listeners = listeners
	c.plainUsers = map[string]security.Credential{}
	mechanisms := c.brokerConfig.List("sasl.enabled.mechanisms")
	for _, l := range listeners {
		if !l.SASL() {
			continue
		}
		for _, m := range mechanisms {
			if !security.ValidMechanism(m) {
				return fmt.Errorf("cluster.config: sasl.enabled.mechanisms: %s is not simulated (listener %s uses SASL); use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", m, l.Name)
			}
		}
	}
	// Kafka refuses to start without a listener for brokers to talk to
	// each other on, and without its SASL mechanism enabled.
	inter, err := c.interBrokerListener()
	if err != nil {
		return fmt.Errorf("cluster.config: %w", err)
	}
	if inter.SASL() {
		m := c.brokerConfig.String("sasl.mechanism.inter.broker.protocol")
		if !containsString(mechanisms, m) {
			return fmt.Errorf("cluster.config: sasl.mechanism.inter.broker.protocol %s must be included in sasl.enabled.mechanisms when SASL is used for inter-broker communication", m)
		}
	}
	switch name := c.brokerConfig.String("authorizer.class.name"); name {
	case "", standardAuthorizer:
	case aclAuthorizer:
		if c.spec.Metadata != ZooKeeper {
			return fmt.Errorf("cluster.config: authorizer.class.name %s works with ZooKeeper only; KRaft uses %s", name, standardAuthorizer)
		}
	default:
		return fmt.Errorf("cluster.config: authorizer.class.name %s is not simulated; use %s (or %s with ZooKeeper)", name, standardAuthorizer, aclAuthorizer)
	}
	return nil
}

// Kafka's authorizers.
const (
	standardAuthorizer = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
	aclAuthorizer      = "kafka.security.authorizer.AclAuthorizer"
)

// interBrokerListener is the listener brokers use: inter.broker.listener.name,
// else the listener named after security.inter.broker.protocol.
func (c *Cluster) interBrokerListener() (config.Listener, error) {
	name := strings.ToUpper(c.brokerConfig.String("security.inter.broker.protocol"))
	key := "security.inter.broker.protocol"
	if !c.brokerConfig.IsNull("inter.broker.listener.name") {
		name, key = strings.ToUpper(c.brokerConfig.String("inter.broker.listener.name")), "inter.broker.listener.name"
	}
	for _, l := range c.listeners {
		if l.Name == name {
			return l, nil
		}
	}
	return config.Listener{}, fmt.Errorf("inter.broker.listener.name must be a listener name defined in listeners: %s (from %s) is not one of them; set inter.broker.listener.name or security.inter.broker.protocol", name, key)
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// plainUser looks a PLAIN user up in the brokers' JAAS configuration.
func (c *Cluster) plainUser(user string) (security.Credential, bool) {
	cred, ok := c.plainUsers[user]
	return cred, ok
}

// PlainUser returns a PLAIN user's credential as the brokers' JAAS
// configuration holds it (salted and hashed), for a host that
// authenticates real clients itself (core/gateway).
func (c *Cluster) PlainUser(user string) (security.Credential, bool) { return c.plainUser(user) }

// resolveClientSecurity returns how a client with this configuration connects:
// the listener its bootstrap.servers port reaches (the first listener
// when it gives none) and its security settings.
func (c *Cluster) resolveClientSecurity(values config.Values) (client.Security, error) {
	port := -1
	if !values.IsNull("bootstrap.servers") {
		p, err := config.BootstrapPort(strings.Join(values.List("bootstrap.servers"), ","))
		if err != nil {
			return client.Security{}, err
		}
		port = p
	}
	listener := ""
	for _, l := range c.listeners {
		if port < 0 || l.Port == port {
			listener = l.Name
			break
		}
	}
	s := client.SecurityFrom(values, listener)
	if s.SASL() && (s.Username == "" || s.Password == "") {
		return client.Security{}, fmt.Errorf("security.protocol %s needs sasl.username and sasl.password (Kafka reads them from sasl.jaas.config)", s.Protocol)
	}
	return s, nil
}

// AddUser adds a SASL user. A PLAIN user goes into every broker's JAAS
// configuration at once; a SCRAM user is an AlterUserScramCredentials
// call whose credential (salted and hashed, never the password) the
// controller writes to the metadata.
func (c *Cluster) AddUser(user, password, mechanism string) (*client.Future, error) {
	if user == "" || password == "" {
		return nil, fmt.Errorf("a user needs a name and a password")
	}
	if !security.ValidMechanism(mechanism) {
		return nil, fmt.Errorf("mechanism %q is not PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", mechanism)
	}
	salt := c.drawSalt()
	hash := mechanism
	if mechanism == security.MechanismPlain {
		hash = security.MechanismScramSHA256
	}
	cred, err := security.NewCredential(hash, password, salt, security.ScramMinIterations)
	if err != nil {
		return nil, err
	}
	cred.Mechanism = mechanism
	return c.addCredential(user, cred), nil
}

// AddUserCredential adds a SASL user by its credential (salted and
// hashed, as a broker stores it) instead of its password: what a room
// with real clients journals, so that no password is in its journal.
// It draws from the PRNG what AddUser draws, so that the run goes on as
// after AddUser.
func (c *Cluster) AddUserCredential(user, mechanism string, cred security.Credential) (*client.Future, error) {
	if user == "" {
		return nil, fmt.Errorf("a user needs a name")
	}
	if !security.ValidMechanism(mechanism) {
		return nil, fmt.Errorf("mechanism %q is not PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", mechanism)
	}
	cred.Mechanism = mechanism
	if err := cred.Validate(); err != nil {
		return nil, err
	}
	c.drawSalt()
	return c.addCredential(user, cred), nil
}

// drawSalt draws a credential's salt from the simulation's PRNG.
func (c *Cluster) drawSalt() []byte {
	salt := make([]byte, 16)
	for i := range salt {
		salt[i] = byte(c.sim.Rand().Uint32())
	}
	return salt
}

// addCredential puts a PLAIN user into the brokers' JAAS configuration,
// or has the controller store a SCRAM user's credential.
func (c *Cluster) addCredential(user string, cred security.Credential) *client.Future {
	if cred.Mechanism == security.MechanismPlain {
		c.plainUsers[user] = cred
		c.sim.Record(c.adminNode, "jaas", "PLAIN user "+user+" added to every broker's JAAS configuration")
		return &client.Future{Done: true}
	}
	return c.admin.AlterUserScramCredentials(user, cred)
}

// CreateACL creates an ACL binding through the controller.
func (c *Cluster) CreateACL(acl security.ACL) *client.Future { return c.admin.CreateACL(acl) }

// DeleteACLs deletes the ACL bindings a filter matches.
func (c *Cluster) DeleteACLs(filter protocol.AclFilter) *client.Future {
	return c.admin.DeleteACLs(filter)
}

// UserState is one SASL user of the state document: its mechanisms,
// never a password or credential.
type UserState struct {
	Mechanisms []string `json:"mechanisms"`
}

// ACLState is one ACL binding of the state document.
type ACLState struct {
	Principal    string `json:"principal"`
	Host         string `json:"host"`
	ResourceType string `json:"resource_type"`
	ResourceName string `json:"resource_name"`
	PatternType  string `json:"pattern_type"`
	Operation    string `json:"operation"`
	Permission   string `json:"permission"`
}

func (c *Cluster) userStates(image *metadata.Image) map[string]UserState {
	out := map[string]UserState{}
	for user, mechanisms := range image.ScramUsers() {
		out[user] = UserState{Mechanisms: mechanisms}
	}
	for user := range c.plainUsers {
		us := out[user]
		us.Mechanisms = append(us.Mechanisms, security.MechanismPlain)
		sort.Strings(us.Mechanisms)
		out[user] = us
	}
	return out
}

func aclStates(image *metadata.Image) []ACLState {
	out := []ACLState{}
	for _, a := range image.ACLIndex().ACLs() {
		out = append(out, ACLState{Principal: a.Principal, Host: a.Host, ResourceType: a.ResourceType.String(),
			ResourceName: a.ResourceName, PatternType: a.PatternType.String(), Operation: a.Operation.String(),
			Permission: a.Permission.String()})
	}
	return out
}

// interBrokerTLS reports whether brokers talk to each other over TLS.
func (c *Cluster) interBrokerTLS() bool {
	l, err := c.interBrokerListener()
	return err == nil && l.TLS()
}
