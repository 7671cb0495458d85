package metadata

import (
	"sort"

	"github.com/kafka-playground/playground/core/security"
)

// UserScramCredentialRecord sets a user's SCRAM credential for one
// mechanism: salt, stored key, server key and iterations, never the
// password (KRaft's UserScramCredentialRecord).
type UserScramCredentialRecord struct {
	User       string
	Credential security.Credential
}

// AccessControlEntryRecord adds one ACL binding.
type AccessControlEntryRecord struct {
	ACL security.ACL
}

// RemoveAccessControlEntryRecord removes one ACL binding.
type RemoveAccessControlEntryRecord struct {
	ACL security.ACL
}

// Describe implements Record; it names the user and mechanism only.
func (r *UserScramCredentialRecord) Describe() string {
	return "scram credential " + r.User + " " + r.Credential.Mechanism
}

// Describe implements Record.
func (r *AccessControlEntryRecord) Describe() string { return "acl + " + r.ACL.String() }

// Describe implements Record.
func (r *RemoveAccessControlEntryRecord) Describe() string { return "acl - " + r.ACL.String() }

// securityState is the part of the image the authenticator and the
// authorizer read.
type securityState struct {
	// Scram maps user -> mechanism -> credential.
	Scram map[string]map[string]security.Credential
	// ACLs is the set of bindings.
	ACLs map[security.ACL]bool
	// aclIndex caches the index built from ACLs; nil when stale.
	aclIndex *security.Index
}

func (s *securityState) clone() securityState {
	out := securityState{Scram: make(map[string]map[string]security.Credential, len(s.Scram)),
		ACLs: make(map[security.ACL]bool, len(s.ACLs)), aclIndex: s.aclIndex}
	for user, creds := range s.Scram {
		m := make(map[string]security.Credential, len(creds))
		for k, v := range creds {
			m[k] = v
		}
		out.Scram[user] = m
	}
	for a := range s.ACLs {
		out.ACLs[a] = true
	}
	return out
}

func (s *securityState) apply(r Record) bool {
	switch r := r.(type) {
	case *UserScramCredentialRecord:
		if s.Scram == nil {
			s.Scram = map[string]map[string]security.Credential{}
		}
		if s.Scram[r.User] == nil {
			s.Scram[r.User] = map[string]security.Credential{}
		}
		s.Scram[r.User][r.Credential.Mechanism] = r.Credential
	case *AccessControlEntryRecord:
		if s.ACLs == nil {
			s.ACLs = map[security.ACL]bool{}
		}
		s.ACLs[r.ACL] = true
		s.aclIndex = nil
	case *RemoveAccessControlEntryRecord:
		delete(s.ACLs, r.ACL)
		s.aclIndex = nil
	default:
		return false
	}
	return true
}

// ScramCredential returns a user's credential for a SCRAM mechanism.
func (im *Image) ScramCredential(user, mechanism string) (security.Credential, bool) {
	c, ok := im.security.Scram[user][mechanism]
	return c, ok
}

// ScramCredentials returns a copy of a user's credentials by mechanism.
func (im *Image) ScramCredentials(user string) map[string]security.Credential {
	out := map[string]security.Credential{}
	for k, v := range im.security.Scram[user] {
		out[k] = v
	}
	return out
}

// ScramUsers returns the users with SCRAM credentials and, for each, its
// mechanisms, sorted.
func (im *Image) ScramUsers() map[string][]string {
	out := map[string][]string{}
	for user, creds := range im.security.Scram {
		for m := range creds {
			out[user] = append(out[user], m)
		}
		sort.Strings(out[user])
	}
	return out
}

// ACLIndex returns the ACL bindings as an authorizer index.
func (im *Image) ACLIndex() *security.Index {
	if im.security.aclIndex == nil {
		acls := make([]security.ACL, 0, len(im.security.ACLs))
		for a := range im.security.ACLs {
			acls = append(acls, a)
		}
		im.security.aclIndex = security.NewIndex(acls)
	}
	return im.security.aclIndex
}

// HasACL reports whether the binding exists.
func (im *Image) HasACL(a security.ACL) bool { return im.security.ACLs[a] }

// securityRecords returns records that rebuild the security state.
func (im *Image) securityRecords() []Record {
	var out []Record
	users := make([]string, 0, len(im.security.Scram))
	for u := range im.security.Scram {
		users = append(users, u)
	}
	sort.Strings(users)
	for _, u := range users {
		for _, m := range SortedMechanisms(im.security.Scram[u]) {
			out = append(out, &UserScramCredentialRecord{User: u, Credential: im.security.Scram[u][m]})
		}
	}
	for _, a := range im.ACLIndex().ACLs() {
		out = append(out, &AccessControlEntryRecord{ACL: a})
	}
	return out
}

// SortedMechanisms returns the mechanisms of a user's credentials, sorted.
func SortedMechanisms(m map[string]security.Credential) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
