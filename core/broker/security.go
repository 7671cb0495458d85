package broker

// Security: listeners, SASL authentication and ACL authorization.
//
// A client's connection starts with a ConnectRequest naming the listener
// its port reached and whether it speaks TLS. A listener whose protocol
// does not match closes the connection, as a TLS engine does on a
// plaintext hello or a plaintext broker on a TLS hello. On a SASL
// listener the connection then authenticates with SaslHandshake and
// SaslAuthenticate (PLAIN against the brokers' JAAS users, SCRAM against
// the credentials in the metadata); any other request first closes the
// connection. Every request of an authenticated connection is then
// authorized, when authorizer.class.name is set, with the principal of
// the connection against the ACLs in the broker's metadata image.

import (
	"fmt"
	"strings"

	"github.com/kafka-playground/playground/core/config"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/security"
	"github.com/kafka-playground/playground/core/sim"
)

// session is the broker's side of one client connection.
type session struct {
	listener config.Listener
	// principal is "User:<name>" once authenticated, User:ANONYMOUS on a
	// listener without SASL.
	principal string
	// authenticated is false while a SASL listener waits for the
	// handshake and authentication.
	authenticated bool
	// operator is the playground's own admin connection.
	operator  bool
	mechanism string
	scram     *security.ScramServer
}

// authz is the authorizer configuration, parsed when the config changes.
type authz struct {
	on       bool
	settings security.Settings
	// listeners are the broker's listeners.
	listeners  []config.Listener
	mechanisms []string
}

func (b *Broker) refreshSecurity() {
	listeners, err := config.ParseListeners(b.config.String("listeners"), b.config.String("listener.security.protocol.map"))
	if err != nil {
		listeners = []config.Listener{{Name: "PLAINTEXT", Protocol: "PLAINTEXT", Port: 9092}}
	}
	b.authz = authz{
		on: b.config.String("authorizer.class.name") != "",
		settings: security.Settings{SuperUsers: security.ParseSuperUsers(b.config.String("super.users")),
			AllowEveryoneIfNoACLFound: b.config.Bool("allow.everyone.if.no.acl.found")},
		listeners:  listeners,
		mechanisms: b.config.List("sasl.enabled.mechanisms"),
	}
}

// isClient reports whether a message comes from a client rather than
// from the broker itself or another server of the cluster.
func (b *Broker) isClient(from sim.NodeID) bool {
	return from != b.node && b.settings.IsClient(from)
}

// admit handles the connection-level messages of a client and reports
// whether msg should go on to its handler.
func (b *Broker) admit(from sim.NodeID, msg sim.Message) bool {
	switch m := msg.(type) {
	case sim.Disconnected:
		delete(b.sessions, from)
		return true
	case *protocol.ConnectRequest:
		delete(b.closedPeers, from)
		b.onConnect(from, m)
		return false
	case *protocol.SaslHandshakeRequest:
		if !b.closedPeers[from] {
			b.onSaslHandshake(from, m)
		}
		return false
	case *protocol.SaslAuthenticateRequest:
		if !b.closedPeers[from] {
			b.onSaslAuthenticate(from, m)
		}
		return false
	case *protocol.GatewayAuthentication:
		if !b.closedPeers[from] {
			b.onGatewayAuthentication(from, m)
		}
		return false
	}
	s := b.sessions[from]
	switch {
	case s == nil && b.closedPeers[from]:
		// More of what the client sent before it learned of the close.
		return false
	case s == nil:
		// The connection is not one this process accepted (it restarted
		// since): the client's packets meet a reset.
		b.closeConnection(from, "no connection")
		return false
	case !s.authenticated:
		b.closeConnection(from, fmt.Sprintf("unexpected %s during SASL handshake", requestName(msg)))
		return false
	}
	return true
}

func (b *Broker) closeConnection(peer sim.NodeID, reason string) {
	delete(b.sessions, peer)
	b.closedPeers[peer] = true
	b.record("connection", "closed connection from %s: %s", b.sim.Name(peer), reason)
	b.sim.Close(b.node, peer)
}

func (b *Broker) onConnect(from sim.NodeID, m *protocol.ConnectRequest) {
	if m.Operator {
		b.sessions[from] = &session{principal: security.AnonymousPrincipal, authenticated: true, operator: true}
		return
	}
	var l *config.Listener
	for i := range b.authz.listeners {
		if b.authz.listeners[i].Name == m.Listener {
			l = &b.authz.listeners[i]
		}
	}
	switch {
	case l == nil:
		b.closeConnection(from, "connection refused: no listener on that port")
		return
	case l.TLS() && !m.TLS:
		b.closeConnection(from, fmt.Sprintf("SSL handshake failed on %s listener: the client did not start TLS", l.Name))
		return
	case !l.TLS() && m.TLS:
		b.closeConnection(from, fmt.Sprintf("invalid request on %s listener: the client sent a TLS handshake to a plaintext port", l.Name))
		return
	}
	b.sessions[from] = &session{listener: *l, principal: security.AnonymousPrincipal, authenticated: !l.SASL()}
}

func (b *Broker) onSaslHandshake(from sim.NodeID, m *protocol.SaslHandshakeRequest) {
	s := b.sessions[from]
	if s == nil {
		b.closeConnection(from, "no connection")
		return
	}
	resp := &protocol.SaslHandshakeResponse{CorrelationID: m.CorrelationID, Mechanisms: b.authz.mechanisms}
	switch {
	case !s.listener.SASL() || s.authenticated || s.mechanism != "":
		resp.Error = protocol.IllegalSaslState
	case !contains(b.authz.mechanisms, m.Mechanism):
		resp.Error = protocol.UnsupportedSaslMechanism
	default:
		s.mechanism = m.Mechanism
	}
	b.sim.Send(b.node, from, resp)
	if resp.Error != protocol.None {
		b.closeConnection(from, fmt.Sprintf("SASL handshake with mechanism %s failed: %s", m.Mechanism, resp.Error))
	}
}

func (b *Broker) onSaslAuthenticate(from sim.NodeID, m *protocol.SaslAuthenticateRequest) {
	s := b.sessions[from]
	if s == nil || s.mechanism == "" || s.authenticated {
		b.sim.Send(b.node, from, &protocol.SaslAuthenticateResponse{CorrelationID: m.CorrelationID, Error: protocol.IllegalSaslState,
			ErrorMessage: "Unexpected SaslAuthenticate request before a SaslHandshake"})
		b.closeConnection(from, "SaslAuthenticate without a handshake")
		return
	}
	fail := func(user string, err error) {
		message := fmt.Sprintf("Authentication failed during authentication due to invalid credentials with SASL mechanism %s", s.mechanism)
		if authErr, ok := err.(*security.AuthError); ok {
			message = authErr.ClientMessage()
		}
		b.sim.Send(b.node, from, &protocol.SaslAuthenticateResponse{CorrelationID: m.CorrelationID,
			Error: protocol.SaslAuthenticationFailed, ErrorMessage: message})
		who := ""
		if user != "" {
			who = " of " + user
		}
		b.closeConnection(from, fmt.Sprintf("authentication%s with %s failed", who, s.mechanism))
	}
	succeed := func(user string, reply []byte) {
		s.principal, s.authenticated, s.scram = "User:"+user, true, nil
		b.record("auth", "%s authenticated %s with %s on %s", b.sim.Name(from), s.principal, s.mechanism, s.listener.Name)
		b.sim.Send(b.node, from, &protocol.SaslAuthenticateResponse{CorrelationID: m.CorrelationID, AuthBytes: reply})
	}
	if s.mechanism == security.MechanismPlain {
		user, err := security.AuthenticatePlain(m.AuthBytes, b.plainUser)
		if err != nil {
			fail(user, err)
			return
		}
		succeed(user, nil)
		return
	}
	if s.scram == nil {
		server, err := security.NewScramServer(s.mechanism, nonce(b.sim))
		if err != nil {
			fail("", err)
			return
		}
		s.scram = server
	}
	reply, done, err := s.scram.Step(m.AuthBytes, func(user string) (security.Credential, bool) {
		return b.disk.Image.ScramCredential(user, s.mechanism)
	})
	switch {
	case err != nil:
		fail(s.scram.User(), err)
	case done:
		succeed(s.scram.User(), reply)
	default:
		b.sim.Send(b.node, from, &protocol.SaslAuthenticateResponse{CorrelationID: m.CorrelationID, AuthBytes: reply})
	}
}

// onGatewayAuthentication takes the outcome of the SASL exchange a
// gateway host ran for a real client: the same principal, trace and
// refusal as onSaslAuthenticate's, without the secrets.
func (b *Broker) onGatewayAuthentication(from sim.NodeID, m *protocol.GatewayAuthentication) {
	s := b.sessions[from]
	if s == nil || !s.listener.SASL() || s.authenticated {
		b.sim.Send(b.node, from, &protocol.SaslAuthenticateResponse{CorrelationID: m.CorrelationID, Error: protocol.IllegalSaslState,
			ErrorMessage: "Unexpected SaslAuthenticate request"})
		b.closeConnection(from, "SASL authentication outside a SASL handshake")
		return
	}
	s.mechanism = m.Mechanism
	if m.Error != protocol.None {
		b.sim.Send(b.node, from, &protocol.SaslAuthenticateResponse{CorrelationID: m.CorrelationID, Error: m.Error, ErrorMessage: m.ErrorMessage})
		who := ""
		if m.User != "" {
			who = " of " + m.User
		}
		b.closeConnection(from, fmt.Sprintf("authentication%s with %s failed", who, s.mechanism))
		return
	}
	s.principal, s.authenticated = "User:"+m.User, true
	b.record("auth", "%s authenticated %s with %s on %s", b.sim.Name(from), s.principal, s.mechanism, s.listener.Name)
}

// SaslMechanisms returns the broker's sasl.enabled.mechanisms.
func (b *Broker) SaslMechanisms() []string { return append([]string(nil), b.authz.mechanisms...) }

// ScramCredential returns a user's SCRAM credential for a mechanism as
// the broker's metadata holds it, for a host that authenticates real
// clients itself (core/gateway).
func (b *Broker) ScramCredential(user, mechanism string) (security.Credential, bool) {
	return b.disk.Image.ScramCredential(user, mechanism)
}

func (b *Broker) plainUser(user string) (security.Credential, bool) {
	return b.settings.PlainUser(user)
}

// nonce draws a SCRAM nonce from the simulation's PRNG.
func nonce(s *sim.Sim) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	out := make([]byte, 24)
	for i := range out {
		out[i] = alphabet[s.Rand().IntN(len(alphabet))]
	}
	return string(out)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func requestName(msg sim.Message) string {
	name := fmt.Sprintf("%T", msg)
	name = strings.TrimPrefix(name, "*protocol.")
	return strings.TrimSuffix(name, "Request")
}

// listenerPort is the port clients of a connection are told brokers
// listen on: the port of the listener the connection came in on.
func (b *Broker) listenerPort(from sim.NodeID) int32 {
	if s := b.sessions[from]; s != nil && !s.operator {
		return int32(s.listener.Port)
	}
	return int32(b.authz.listeners[0].Port)
}

// authorize answers whether the client on from may do op on a resource,
// recording a denial in the trace. Without an authorizer, and for the
// cluster's own nodes and the operator's connection, everything is
// allowed.
func (b *Broker) authorize(from sim.NodeID, op security.Operation, rt security.ResourceType, name string) bool {
	return b.authorizeLogged(from, op, rt, name, true)
}

// authorizeLogged is authorize; a denial is recorded only when logDenied
// is set (Kafka does not log the topics an all-topics Metadata request
// leaves out).
func (b *Broker) authorizeLogged(from sim.NodeID, op security.Operation, rt security.ResourceType, name string, logDenied bool) bool {
	if !b.authz.on || !b.isClient(from) {
		return true
	}
	principal, operator := b.principal(from)
	if operator {
		return true
	}
	d := b.disk.Image.ACLIndex().Authorize(b.authz.settings, security.Request{Principal: principal, Host: b.sim.Name(from),
		Operation: op, ResourceType: rt, ResourceName: name})
	if !d.Allowed && logDenied {
		b.record("authz", "denied %s %s on %s %s: %s", principal, op, rt, name, d.Reason)
	}
	return d.Allowed
}

// principal returns the principal of a client connection, User:ANONYMOUS
// when there is none (authorization fails closed), and whether it is the
// operator's connection.
func (b *Broker) principal(from sim.NodeID) (string, bool) {
	s := b.sessions[from]
	if s == nil {
		return security.AnonymousPrincipal, false
	}
	return s.principal, s.operator
}

// authorizeIdempotent is InitProducerId's check for a producer without a
// transactional id (KIP-679): IDEMPOTENT_WRITE on the cluster, or WRITE
// on any topic.
func (b *Broker) authorizeIdempotent(from sim.NodeID) bool {
	if !b.authz.on || !b.isClient(from) {
		return true
	}
	principal, operator := b.principal(from)
	if operator {
		return true
	}
	index := b.disk.Image.ACLIndex()
	request := security.Request{Principal: principal, Host: b.sim.Name(from), Operation: security.OpIdempotentWrite,
		ResourceType: security.ClusterResource, ResourceName: security.ClusterResourceName}
	if index.Authorize(b.authz.settings, request).Allowed {
		return true
	}
	d := index.AuthorizeAny(b.authz.settings, principal, b.sim.Name(from), security.OpWrite, security.TopicResource)
	if !d.Allowed {
		b.record("authz", "denied %s IDEMPOTENT_WRITE on CLUSTER (and WRITE on every topic): %s", principal, d.Reason)
	}
	return d.Allowed
}

// authorizeRequest checks the group, transactional id and cluster
// permissions a request needs as a whole, and answers it with the error
// when they are missing. Topic permissions are checked per partition by
// the handlers. It reports whether the request may go on.
func (b *Broker) authorizeRequest(from sim.NodeID, msg sim.Message) bool {
	if !b.authz.on || !b.isClient(from) {
		return true
	}
	group := func(op security.Operation, id string) bool { return b.authorize(from, op, security.GroupResource, id) }
	txn := func(op security.Operation, id string) bool {
		return b.authorize(from, op, security.TransactionalIDResource, id)
	}
	topics := func(op security.Operation, tps []protocol.TopicPartition) bool {
		for _, tp := range tps {
			if !b.authorize(from, op, security.TopicResource, tp.Topic) {
				return false
			}
		}
		return true
	}
	var reply sim.Message
	switch m := msg.(type) {
	case *protocol.FindCoordinatorRequest:
		if len(m.Keys) > 0 {
			break // batched: each key is checked by the handler
		}
		if m.KeyType == protocol.CoordinatorTransaction && !txn(security.OpDescribe, m.Key) {
			reply = &protocol.FindCoordinatorResponse{CorrelationID: m.CorrelationID, Error: protocol.TransactionalIDAuthorizationFailed, NodeID: -1}
		} else if m.KeyType == protocol.CoordinatorGroup && !group(security.OpDescribe, m.Key) {
			reply = &protocol.FindCoordinatorResponse{CorrelationID: m.CorrelationID, Error: protocol.GroupAuthorizationFailed, NodeID: -1}
		}
	case *protocol.InitProducerIDRequest:
		if m.TransactionalID != "" && !txn(security.OpWrite, m.TransactionalID) {
			reply = &protocol.InitProducerIDResponse{CorrelationID: m.CorrelationID, Error: protocol.TransactionalIDAuthorizationFailed, ProducerID: -1, ProducerEpoch: -1}
		} else if m.TransactionalID == "" && !b.authorizeIdempotent(from) {
			reply = &protocol.InitProducerIDResponse{CorrelationID: m.CorrelationID, Error: protocol.ClusterAuthorizationFailed, ProducerID: -1, ProducerEpoch: -1}
		}
	case *protocol.JoinGroupRequest:
		if !group(security.OpRead, m.GroupID) {
			reply = &protocol.JoinGroupResponse{CorrelationID: m.CorrelationID, Error: protocol.GroupAuthorizationFailed, GenerationID: -1}
		}
	case *protocol.SyncGroupRequest:
		if !group(security.OpRead, m.GroupID) {
			reply = &protocol.SyncGroupResponse{CorrelationID: m.CorrelationID, Error: protocol.GroupAuthorizationFailed}
		}
	case *protocol.HeartbeatRequest:
		if !group(security.OpRead, m.GroupID) {
			reply = &protocol.HeartbeatResponse{CorrelationID: m.CorrelationID, Error: protocol.GroupAuthorizationFailed}
		}
	case *protocol.LeaveGroupRequest:
		if !group(security.OpRead, m.GroupID) {
			reply = &protocol.LeaveGroupResponse{CorrelationID: m.CorrelationID, Error: protocol.GroupAuthorizationFailed}
		}
	case *protocol.OffsetCommitRequest:
		if !group(security.OpRead, m.GroupID) {
			reply = &protocol.OffsetCommitResponse{CorrelationID: m.CorrelationID, Error: protocol.GroupAuthorizationFailed}
		} else if !topics(security.OpRead, commitPartitions(m.Offsets)) {
			reply = &protocol.OffsetCommitResponse{CorrelationID: m.CorrelationID, Error: protocol.TopicAuthorizationFailed}
		}
	case *protocol.OffsetFetchRequest:
		if len(m.Groups) > 0 {
			break // batched: each group is checked by the handler
		}
		if !group(security.OpDescribe, m.GroupID) {
			reply = &protocol.OffsetFetchResponse{CorrelationID: m.CorrelationID, Error: protocol.GroupAuthorizationFailed}
		} else if !topics(security.OpDescribe, m.Partitions) {
			reply = &protocol.OffsetFetchResponse{CorrelationID: m.CorrelationID, Error: protocol.TopicAuthorizationFailed}
		}
	case *protocol.AddPartitionsToTxnRequest:
		if !txn(security.OpWrite, m.TransactionalID) {
			reply = &protocol.AddPartitionsToTxnResponse{CorrelationID: m.CorrelationID, Error: protocol.TransactionalIDAuthorizationFailed}
		} else if !topics(security.OpWrite, m.Partitions) {
			reply = &protocol.AddPartitionsToTxnResponse{CorrelationID: m.CorrelationID, Error: protocol.TopicAuthorizationFailed}
		}
	case *protocol.AddOffsetsToTxnRequest:
		if !txn(security.OpWrite, m.TransactionalID) {
			reply = &protocol.AddOffsetsToTxnResponse{CorrelationID: m.CorrelationID, Error: protocol.TransactionalIDAuthorizationFailed}
		} else if !group(security.OpRead, m.GroupID) {
			reply = &protocol.AddOffsetsToTxnResponse{CorrelationID: m.CorrelationID, Error: protocol.GroupAuthorizationFailed}
		}
	case *protocol.TxnOffsetCommitRequest:
		if !txn(security.OpWrite, m.TransactionalID) {
			reply = &protocol.TxnOffsetCommitResponse{CorrelationID: m.CorrelationID, Error: protocol.TransactionalIDAuthorizationFailed}
		} else if !group(security.OpRead, m.GroupID) {
			reply = &protocol.TxnOffsetCommitResponse{CorrelationID: m.CorrelationID, Error: protocol.GroupAuthorizationFailed}
		} else if !topics(security.OpRead, commitPartitions(m.Offsets)) {
			reply = &protocol.TxnOffsetCommitResponse{CorrelationID: m.CorrelationID, Error: protocol.TopicAuthorizationFailed}
		}
	case *protocol.EndTxnRequest:
		if !txn(security.OpWrite, m.TransactionalID) {
			reply = &protocol.EndTxnResponse{CorrelationID: m.CorrelationID, Error: protocol.TransactionalIDAuthorizationFailed}
		}
	case *protocol.ProduceRequest:
		if m.TransactionalID != "" && !txn(security.OpWrite, m.TransactionalID) {
			resp := &protocol.ProduceResponse{CorrelationID: m.CorrelationID}
			for _, pp := range m.Partitions {
				resp.Partitions = append(resp.Partitions, protocol.ProducePartitionResponse{TopicPartition: pp.TopicPartition,
					Error: protocol.TransactionalIDAuthorizationFailed, BaseOffset: -1, LogAppendTimeMs: -1, LogStartOffset: -1,
					CurrentLeader: -1, CurrentLeaderEpoch: -1})
			}
			if m.Acks != protocol.AcksNone {
				reply = resp
			} else {
				return false
			}
		}
	}
	if reply == nil {
		return true
	}
	b.sim.Send(b.node, from, reply)
	return false
}

func commitPartitions(offsets []protocol.OffsetCommitPartition) []protocol.TopicPartition {
	out := make([]protocol.TopicPartition, len(offsets))
	for i, o := range offsets {
		out[i] = o.TopicPartition
	}
	return out
}
