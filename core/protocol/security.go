package protocol

import (
	"strings"

	"github.com/kafka-playground/playground/core/metadata"
	"github.com/kafka-playground/playground/core/security"
)

// ConnectRequest opens a client's connection to a broker listener. It
// stands for what happens before any Kafka request: the TCP connect to
// the listener's port and, when the client speaks TLS, the TLS handshake.
// A broker that cannot accept the connection closes it (the client sees
// sim.Disconnected); otherwise nothing is answered and requests follow on
// the same connection.
type ConnectRequest struct {
	// Listener is the name of the listener the client's bootstrap port
	// reaches; empty when no listener has that port.
	Listener string
	// TLS is whether the client starts a TLS handshake (security.protocol
	// SSL or SASL_SSL).
	TLS bool
	// Operator marks the playground's own admin connection, which acts as
	// the cluster operator (over the inter-broker listener, as a super
	// user) rather than as a client.
	Operator bool
}

// SaslHandshakeRequest (API key 17) names the SASL mechanism the client
// wants to authenticate with.
type SaslHandshakeRequest struct {
	CorrelationID int32
	Mechanism     string
}

// SaslHandshakeResponse answers it with the broker's enabled mechanisms.
type SaslHandshakeResponse struct {
	CorrelationID int32
	Error         ErrorCode
	Mechanisms    []string
}

// SaslAuthenticateRequest (API key 36) carries one SASL message.
type SaslAuthenticateRequest struct {
	CorrelationID int32
	AuthBytes     []byte
}

// SaslAuthenticateResponse carries the broker's SASL reply.
type SaslAuthenticateResponse struct {
	CorrelationID int32
	Error         ErrorCode
	ErrorMessage  string
	AuthBytes     []byte
}

// GatewayAuthentication is the outcome of a SASL exchange that a gateway
// host (core/gateway) ran for a real client's connection, in place of
// SaslHandshake and SaslAuthenticate, so that no password or SCRAM proof
// enters the simulation or a room's journal. With Error None the broker
// takes User:<User> as the connection's principal, as after its own
// successful SaslAuthenticate; otherwise it answers a
// SaslAuthenticateResponse of CorrelationID with Error and ErrorMessage
// and closes the connection.
type GatewayAuthentication struct {
	CorrelationID int32
	Mechanism     string
	User          string
	Error         ErrorCode
	ErrorMessage  string
}

// ScramUpsertion sets one user's SCRAM credential. Kafka's client sends
// the salt and salted password and the controller derives the stored and
// server keys; here the client derives them: the password never leaves
// the client either way.
type ScramUpsertion struct {
	User       string
	Credential security.Credential
}

// AlterUserScramCredentialsRequest (API key 51) adds or replaces SCRAM
// credentials.
type AlterUserScramCredentialsRequest struct {
	CorrelationID int32
	Upsertions    []ScramUpsertion
}

// AlterUserScramCredentialsResponse answers it, one result per user.
type AlterUserScramCredentialsResponse struct {
	CorrelationID int32
	Results       []ScramResult
}

// ScramResult is one user's outcome.
type ScramResult struct {
	User         string
	Error        ErrorCode
	ErrorMessage string
}

// CreateAclsRequest (API key 30) adds ACL bindings.
type CreateAclsRequest struct {
	CorrelationID int32
	Creations     []security.ACL
}

// CreateAclsResponse answers it, one result per creation.
type CreateAclsResponse struct {
	CorrelationID int32
	Results       []AclResult
}

// AclResult is one creation's or deletion's outcome.
type AclResult struct {
	Error        ErrorCode
	ErrorMessage string
	// Matched counts the bindings a deletion removed, and Deleted lists
	// them.
	Matched int
	Deleted []security.ACL
}

// DeleteAclsRequest (API key 31) removes the bindings each filter
// matches.
type DeleteAclsRequest struct {
	CorrelationID int32
	Filters       []AclFilter
}

// AclFilter selects ACL bindings, as Kafka's AclBindingFilter: ACL holds
// the values to match; the Any flags make a field match every value (a
// null name, principal or host on the wire), and MatchPattern matches
// every pattern that applies to ACL.ResourceName (the literal name, the
// literal wildcard "*", and prefixes of it).
type AclFilter struct {
	ACL             security.ACL
	AnyResourceType bool
	AnyResourceName bool
	AnyPattern      bool
	MatchPattern    bool
	AnyPrincipal    bool
	AnyHost         bool
	AnyOperation    bool
	AnyPermission   bool
}

// Matches reports whether the filter selects a binding.
func (f AclFilter) Matches(a security.ACL) bool {
	want := f.ACL
	switch {
	case !f.AnyResourceType && a.ResourceType != want.ResourceType,
		!f.AnyOperation && a.Operation != want.Operation,
		!f.AnyPermission && a.Permission != want.Permission,
		!f.AnyPrincipal && a.Principal != want.Principal, !f.AnyHost && a.Host != want.Host:
		return false
	case !f.AnyPattern && !f.MatchPattern && a.PatternType != want.PatternType:
		return false
	case f.AnyResourceName:
		return true
	case f.AnyPattern:
		return a.ResourceName == want.ResourceName
	case f.MatchPattern:
		if a.PatternType == security.Prefixed {
			return strings.HasPrefix(want.ResourceName, a.ResourceName)
		}
		return a.ResourceName == want.ResourceName || a.ResourceName == security.WildcardResource
	}
	return a.PatternType == want.PatternType && a.ResourceName == want.ResourceName
}

// DeleteAclsResponse answers it, one result per filter.
type DeleteAclsResponse struct {
	CorrelationID int32
	Results       []AclResult
}

// Correlation implements AdminRequest.
func (m *AlterUserScramCredentialsRequest) Correlation() int32 { return m.CorrelationID }

// WithCorrelation implements AdminRequest.
func (m *AlterUserScramCredentialsRequest) WithCorrelation(id int32) AdminRequest {
	c := *m
	c.CorrelationID = id
	return &c
}

// Failed implements AdminRequest.
func (m *AlterUserScramCredentialsRequest) Failed(code ErrorCode) AdminResponse {
	resp := &AlterUserScramCredentialsResponse{CorrelationID: m.CorrelationID}
	for _, u := range m.Upsertions {
		resp.Results = append(resp.Results, ScramResult{User: u.User, Error: code})
	}
	return resp
}

// Correlation implements AdminResponse.
func (m *AlterUserScramCredentialsResponse) Correlation() int32 { return m.CorrelationID }

// WithCorrelation implements AdminResponse.
func (m *AlterUserScramCredentialsResponse) WithCorrelation(id int32) AdminResponse {
	c := *m
	c.CorrelationID = id
	return &c
}

// FirstError implements AdminResponse.
func (m *AlterUserScramCredentialsResponse) FirstError() ErrorCode {
	if len(m.Results) == 0 {
		return None
	}
	return m.Results[0].Error
}

// Correlation implements AdminRequest.
func (m *CreateAclsRequest) Correlation() int32 { return m.CorrelationID }

// WithCorrelation implements AdminRequest.
func (m *CreateAclsRequest) WithCorrelation(id int32) AdminRequest {
	c := *m
	c.CorrelationID = id
	return &c
}

// Failed implements AdminRequest.
func (m *CreateAclsRequest) Failed(code ErrorCode) AdminResponse {
	return &CreateAclsResponse{CorrelationID: m.CorrelationID, Results: failedAcls(len(m.Creations), code)}
}

// Correlation implements AdminResponse.
func (m *CreateAclsResponse) Correlation() int32 { return m.CorrelationID }

// WithCorrelation implements AdminResponse.
func (m *CreateAclsResponse) WithCorrelation(id int32) AdminResponse {
	c := *m
	c.CorrelationID = id
	return &c
}

// FirstError implements AdminResponse.
func (m *CreateAclsResponse) FirstError() ErrorCode { return firstAclError(m.Results) }

// Correlation implements AdminRequest.
func (m *DeleteAclsRequest) Correlation() int32 { return m.CorrelationID }

// WithCorrelation implements AdminRequest.
func (m *DeleteAclsRequest) WithCorrelation(id int32) AdminRequest {
	c := *m
	c.CorrelationID = id
	return &c
}

// Failed implements AdminRequest.
func (m *DeleteAclsRequest) Failed(code ErrorCode) AdminResponse {
	return &DeleteAclsResponse{CorrelationID: m.CorrelationID, Results: failedAcls(len(m.Filters), code)}
}

// Correlation implements AdminResponse.
func (m *DeleteAclsResponse) Correlation() int32 { return m.CorrelationID }

// WithCorrelation implements AdminResponse.
func (m *DeleteAclsResponse) WithCorrelation(id int32) AdminResponse {
	c := *m
	c.CorrelationID = id
	return &c
}

// FirstError implements AdminResponse.
func (m *DeleteAclsResponse) FirstError() ErrorCode { return firstAclError(m.Results) }

func failedAcls(n int, code ErrorCode) []AclResult {
	out := make([]AclResult, n)
	for i := range out {
		out[i].Error = code
	}
	return out
}

func firstAclError(results []AclResult) ErrorCode {
	if len(results) == 0 {
		return None
	}
	return results[0].Error
}

// Records answers a CreateAcls request against the image and returns the
// records that apply it. An invalid binding is refused with
// INVALID_REQUEST; one that exists already succeeds without a record.
// Both controllers use it.
func (m *CreateAclsRequest) Records(im *metadata.Image) (*CreateAclsResponse, []metadata.Record) {
	resp := &CreateAclsResponse{CorrelationID: m.CorrelationID}
	var records []metadata.Record
	added := map[security.ACL]bool{}
	for _, acl := range m.Creations {
		result := AclResult{}
		if err := acl.Validate(); err != nil {
			result.Error, result.ErrorMessage = InvalidRequest, err.Error()
		} else if !im.HasACL(acl) && !added[acl] {
			added[acl] = true
			records = append(records, &metadata.AccessControlEntryRecord{ACL: acl})
		}
		resp.Results = append(resp.Results, result)
	}
	return resp, records
}

// Records answers a DeleteAcls request against the image and returns the
// records that apply it; a filter that matches nothing succeeds with no
// match.
func (m *DeleteAclsRequest) Records(im *metadata.Image) (*DeleteAclsResponse, []metadata.Record) {
	resp := &DeleteAclsResponse{CorrelationID: m.CorrelationID}
	var records []metadata.Record
	removed := map[security.ACL]bool{}
	existing := im.ACLIndex().ACLs()
	for _, filter := range m.Filters {
		result := AclResult{}
		for _, acl := range existing {
			if filter.Matches(acl) && !removed[acl] {
				removed[acl] = true
				result.Matched++
				result.Deleted = append(result.Deleted, acl)
				records = append(records, &metadata.RemoveAccessControlEntryRecord{ACL: acl})
			}
		}
		resp.Results = append(resp.Results, result)
	}
	return resp, records
}

// Records answers an AlterUserScramCredentials request and returns the
// records that apply it.
func (m *AlterUserScramCredentialsRequest) Records() (*AlterUserScramCredentialsResponse, []metadata.Record) {
	resp := &AlterUserScramCredentialsResponse{CorrelationID: m.CorrelationID}
	var records []metadata.Record
	for _, u := range m.Upsertions {
		result := ScramResult{User: u.User}
		switch {
		case u.User == "":
			result.Error, result.ErrorMessage = InvalidRequest, "A user name must not be empty."
		case u.Credential.Mechanism != security.MechanismScramSHA256 && u.Credential.Mechanism != security.MechanismScramSHA512:
			result.Error, result.ErrorMessage = UnsupportedSaslMechanism, "Unknown SCRAM mechanism "+u.Credential.Mechanism
		case u.Credential.Iterations < security.ScramMinIterations:
			result.Error, result.ErrorMessage = InvalidRequest, "Too few iterations"
		default:
			records = append(records, &metadata.UserScramCredentialRecord{User: u.User, Credential: u.Credential})
		}
		resp.Results = append(resp.Results, result)
	}
	return resp, records
}
