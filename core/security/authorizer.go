package security

import (
	"slices"
	"strings"
)

// Settings configures the authorizer.
type Settings struct {
	// SuperUsers are principals allowed everything (super.users, see
	// ParseSuperUsers).
	SuperUsers []string
	// AllowEveryoneIfNoACLFound allows a request when no ACL at all
	// matches its resource (allow.everyone.if.no.acl.found).
	AllowEveryoneIfNoACLFound bool
}

// ParseSuperUsers splits a super.users value on ';', trimming spaces and
// dropping empty entries: "User:a; User:b" -> ["User:a", "User:b"].
func ParseSuperUsers(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ";") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Request is one authorization question: may Principal, connected from
// Host, do Operation on the named resource?
type Request struct {
	Principal    string
	Host         string
	Operation    Operation
	ResourceType ResourceType
	ResourceName string
}

// Decision is an authorization answer with a short reason for the trace.
type Decision struct {
	Allowed bool
	Reason  string
}

// Reasons of decisions not due to one ACL.
const (
	reasonSuperUser    = "super user"
	reasonDefaultAllow = "no ACL matches the resource and allow.everyone.if.no.acl.found=true"
	reasonDefaultDeny  = "no ACL matches the resource and allow.everyone.if.no.acl.found=false"
	reasonNoAllow      = "no ACL allows it"
)

// Index holds a set of ACLs for fast lookup. It is immutable once built
// and safe to share.
type Index struct {
	// acls is sorted by Less, without duplicates.
	acls  []ACL
	types map[ResourceType]*typeIndex
}

// typeIndex locates the ACLs of one resource type; the ints index
// Index.acls and are increasing.
type typeIndex struct {
	// lo and hi delimit the type's ACLs in Index.acls.
	lo, hi int
	// literal maps a LITERAL name other than "*" to its ACLs.
	literal map[string][]int
	// wildcard lists the LITERAL "*" ACLs.
	wildcard []int
	// prefixed maps a PREFIXED name to its ACLs.
	prefixed map[string][]int
	// maxPrefix is the length of the longest PREFIXED name.
	maxPrefix int
}

// NewIndex builds an index of acls, in any order; duplicates count once.
// It does not validate: an invalid binding matches as Kafka would match
// it, or not at all.
func NewIndex(acls []ACL) *Index {
	sorted := slices.Clone(acls)
	slices.SortFunc(sorted, compare)
	sorted = slices.Compact(sorted)
	x := &Index{acls: sorted, types: make(map[ResourceType]*typeIndex)}
	for i, a := range sorted {
		t := x.types[a.ResourceType]
		if t == nil {
			t = &typeIndex{lo: i, literal: make(map[string][]int), prefixed: make(map[string][]int)}
			x.types[a.ResourceType] = t
		}
		t.hi = i + 1
		switch {
		case a.PatternType == Literal && a.ResourceName == WildcardResource:
			t.wildcard = append(t.wildcard, i)
		case a.PatternType == Literal:
			t.literal[a.ResourceName] = append(t.literal[a.ResourceName], i)
		case a.PatternType == Prefixed:
			t.prefixed[a.ResourceName] = append(t.prefixed[a.ResourceName], i)
			t.maxPrefix = max(t.maxPrefix, len(a.ResourceName))
		}
	}
	return x
}

// ACLs returns the bindings, sorted by Less.
func (x *Index) ACLs() []ACL { return slices.Clone(x.acls) }

// Len returns the number of bindings.
func (x *Index) Len() int { return len(x.acls) }

// Authorize answers r as Kafka's StandardAuthorizer does:
//   - a super user is allowed everything;
//   - the ACLs that apply are those of r's resource type whose pattern
//     matches r's name (LITERAL equal, LITERAL "*", or PREFIXED a prefix
//     of it), whose principal is r's or "User:*" and whose host is r's or
//     "*";
//   - a DENY applies to its own operation, or to every one when ALL;
//   - an ALLOW applies to its own operation, to every one when ALL, to
//     DESCRIBE when READ, WRITE, DELETE or ALTER, and to DESCRIBE_CONFIGS
//     when ALTER_CONFIGS;
//   - any applicable DENY denies, else any applicable ALLOW allows;
//   - otherwise the request is denied, unless no ACL at all matches the
//     resource (whatever its principal, host, operation or permission) and
//     AllowEveryoneIfNoACLFound is set.
//
// The reason names the deciding ACL, the first in Less order when several
// do.
func (x *Index) Authorize(s Settings, r Request) Decision {
	if slices.Contains(s.SuperUsers, r.Principal) {
		return Decision{Allowed: true, Reason: reasonSuperUser}
	}
	m := matcher{x: x, principal: r.Principal, host: r.Host, op: r.Operation, allow: -1, deny: -1}
	if t := x.types[r.ResourceType]; t != nil {
		name := r.ResourceName
		m.scan(t.literal[name])
		m.scan(t.wildcard)
		if len(t.prefixed) > 0 {
			for i := 0; i <= len(name) && i <= t.maxPrefix; i++ {
				m.scan(t.prefixed[name[:i]])
			}
		}
	}
	switch {
	case m.deny >= 0:
		return Decision{Allowed: false, Reason: "DENY by " + x.acls[m.deny].String()}
	case m.allow >= 0:
		return Decision{Allowed: true, Reason: "ALLOW by " + x.acls[m.allow].String()}
	case m.resourceACLs:
		return Decision{Allowed: false, Reason: reasonNoAllow}
	case s.AllowEveryoneIfNoACLFound:
		return Decision{Allowed: true, Reason: reasonDefaultAllow}
	}
	return Decision{Allowed: false, Reason: reasonDefaultDeny}
}

// matcher accumulates the outcome of the ACLs that match a resource.
type matcher struct {
	x         *Index
	principal string
	host      string
	op        Operation
	// allow and deny are the first applicable ALLOW and DENY, -1 if none.
	allow, deny int
	// resourceACLs is whether any ACL matched the resource at all.
	resourceACLs bool
}

func (m *matcher) scan(list []int) {
	for _, i := range list {
		m.resourceACLs = true
		a := &m.x.acls[i]
		if !matchesPrincipalHost(a, m.principal, m.host) {
			continue
		}
		switch {
		case a.Permission == Deny && (a.Operation == OpAll || a.Operation == m.op):
			if m.deny < 0 || i < m.deny {
				m.deny = i
			}
		case a.Permission == Allow && allows(a.Operation, m.op):
			if m.allow < 0 || i < m.allow {
				m.allow = i
			}
		}
	}
}

func matchesPrincipalHost(a *ACL, principal, host string) bool {
	return (a.Principal == principal || a.Principal == WildcardPrincipal) &&
		(a.Host == host || a.Host == WildcardHost)
}

// allows reports whether an ALLOW ACL for operation acl applies to
// operation op (StandardAuthorizerData.findResult).
func allows(acl, op Operation) bool {
	switch {
	case acl == OpAll || acl == op:
		return true
	case op == OpDescribe:
		return acl == OpRead || acl == OpWrite || acl == OpDelete || acl == OpAlter
	case op == OpDescribeConfigs:
		return acl == OpAlterConfigs
	}
	return false
}

// hardcodedResourceName is the name Kafka's authorizeByResourceType
// authorizes first, so that super users pass regardless of DENY ACLs.
const hardcodedResourceName = "hardcode"

// AuthorizeAny answers whether principal, connected from host, may do op
// on at least one resource of type rt, as Kafka's
// Authorizer.authorizeByResourceType does (InitProducerId without a
// transactional id needs IDEMPOTENT_WRITE on the cluster or WRITE on
// some topic, KIP-679):
//   - allowed if Authorize allows op on a resource named "hardcode" (so
//     super users, and allow.everyone.if.no.acl.found when no ACL matches
//     that name);
//   - only ACLs of type rt for principal or "User:*", host or "*", and
//     operation op or ALL count: no implied operations;
//   - denied if a DENY has the LITERAL "*" pattern;
//   - allowed if an ALLOW has the LITERAL "*" pattern;
//   - allowed if an ALLOW's LITERAL name has no LITERAL DENY of the same
//     name and no PREFIXED DENY that is a prefix of it, or an ALLOW's
//     PREFIXED name has no PREFIXED DENY that is a prefix of it;
//   - denied otherwise.
func (x *Index) AuthorizeAny(s Settings, principal, host string, op Operation, rt ResourceType) Decision {
	if !op.valid() || !rt.valid() {
		return Decision{Allowed: false, Reason: "invalid operation or resource type"}
	}
	d := x.Authorize(s, Request{Principal: principal, Host: host, Operation: op, ResourceType: rt,
		ResourceName: hardcodedResourceName})
	if d.Allowed {
		return d
	}
	t := x.types[rt]
	if t == nil {
		return Decision{Allowed: false, Reason: "no ACL allows it on any " + rt.String()}
	}
	counts := func(a *ACL) bool {
		return matchesPrincipalHost(a, principal, host) && (a.Operation == op || a.Operation == OpAll)
	}
	hasDeny := func(list []int) bool {
		for _, i := range list {
			if a := &x.acls[i]; a.Permission == Deny && counts(a) {
				return true
			}
		}
		return false
	}
	for _, i := range t.wildcard {
		if a := &x.acls[i]; a.Permission == Deny && counts(a) {
			return Decision{Allowed: false, Reason: "DENY by " + a.String()}
		}
	}
	for _, i := range t.wildcard {
		if a := &x.acls[i]; a.Permission == Allow && counts(a) {
			return Decision{Allowed: true, Reason: "ALLOW by " + a.String()}
		}
	}
	// dominated reports whether a PREFIXED DENY is a non-empty prefix of
	// name.
	dominated := func(name string) bool {
		for n := 1; n <= len(name) && n <= t.maxPrefix; n++ {
			if hasDeny(t.prefixed[name[:n]]) {
				return true
			}
		}
		return false
	}
	overridden := false
	for i := t.lo; i < t.hi; i++ {
		a := &x.acls[i]
		if a.Permission != Allow || !counts(a) || (a.PatternType == Literal && a.ResourceName == WildcardResource) {
			continue
		}
		switch a.PatternType {
		case Literal:
			if hasDeny(t.literal[a.ResourceName]) || dominated(a.ResourceName) {
				overridden = true
				continue
			}
		case Prefixed:
			if dominated(a.ResourceName) {
				overridden = true
				continue
			}
		default:
			continue
		}
		return Decision{Allowed: true, Reason: "ALLOW by " + a.String()}
	}
	if overridden {
		return Decision{Allowed: false, Reason: "every ACL allowing it on a " + rt.String() + " is overridden by a DENY"}
	}
	return Decision{Allowed: false, Reason: "no ACL allows it on any " + rt.String()}
}
