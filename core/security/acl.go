// Package security holds the playground's authentication and
// authorization logic, modelled on Apache Kafka's: ACL bindings and
// StandardAuthorizer (the KRaft authorizer) semantics, SASL/PLAIN
// (RFC 4616) and SASL/SCRAM-SHA-256 and -512 (RFC 5802, RFC 7677) as
// Kafka's ScramSaslClient and ScramSaslServer implement them, and SCRAM
// credentials stored as Kafka stores them.
//
// Everything here is deterministic: callers pass salts and nonces in.
// Passwords and secrets derived from them never appear in an error or in
// the output of a String method.
package security

import (
	"errors"
	"strconv"
	"strings"
)

// AnonymousPrincipal is the principal of a connection that did not
// authenticate (Kafka's KafkaPrincipal.ANONYMOUS).
const AnonymousPrincipal = "User:ANONYMOUS"

// WildcardPrincipal in an ACL's Principal matches every principal.
const WildcardPrincipal = "User:*"

// ClusterResourceName is the only name of the CLUSTER resource.
const ClusterResourceName = "kafka-cluster"

// WildcardResource as the name of a LITERAL pattern matches every
// resource of the pattern's type.
const WildcardResource = "*"

// WildcardHost in an ACL's Host matches every host.
const WildcardHost = "*"

// ResourceType is the type of a resource an ACL protects. The values are
// Kafka's wire codes; the zero value is Kafka's UNKNOWN and is invalid.
type ResourceType int8

// Resource types.
const (
	TopicResource           ResourceType = 2
	GroupResource           ResourceType = 3
	ClusterResource         ResourceType = 4
	TransactionalIDResource ResourceType = 5
)

var resourceTypes = []ResourceType{TopicResource, GroupResource, ClusterResource, TransactionalIDResource}

// String returns Kafka's name of the resource type, "UNKNOWN" for an
// invalid value.
func (t ResourceType) String() string {
	switch t {
	case TopicResource:
		return "TOPIC"
	case GroupResource:
		return "GROUP"
	case ClusterResource:
		return "CLUSTER"
	case TransactionalIDResource:
		return "TRANSACTIONAL_ID"
	}
	return "UNKNOWN"
}

func (t ResourceType) valid() bool { return t >= TopicResource && t <= TransactionalIDResource }

// ParseResourceType parses Kafka's name of a resource type, ignoring
// case.
func ParseResourceType(s string) (ResourceType, error) {
	return parseEnum(s, "resource type", resourceTypes)
}

// Operation is an ACL operation. The values are Kafka's wire codes; the
// zero value is Kafka's UNKNOWN and is invalid.
type Operation int8

// Operations.
const (
	OpAll             Operation = 2
	OpRead            Operation = 3
	OpWrite           Operation = 4
	OpCreate          Operation = 5
	OpDelete          Operation = 6
	OpAlter           Operation = 7
	OpDescribe        Operation = 8
	OpClusterAction   Operation = 9
	OpDescribeConfigs Operation = 10
	OpAlterConfigs    Operation = 11
	OpIdempotentWrite Operation = 12
)

var operations = []Operation{OpAll, OpRead, OpWrite, OpCreate, OpDelete, OpAlter, OpDescribe,
	OpClusterAction, OpDescribeConfigs, OpAlterConfigs, OpIdempotentWrite}

// String returns Kafka's name of the operation, "UNKNOWN" for an invalid
// value.
func (o Operation) String() string {
	switch o {
	case OpAll:
		return "ALL"
	case OpRead:
		return "READ"
	case OpWrite:
		return "WRITE"
	case OpCreate:
		return "CREATE"
	case OpDelete:
		return "DELETE"
	case OpAlter:
		return "ALTER"
	case OpDescribe:
		return "DESCRIBE"
	case OpClusterAction:
		return "CLUSTER_ACTION"
	case OpDescribeConfigs:
		return "DESCRIBE_CONFIGS"
	case OpAlterConfigs:
		return "ALTER_CONFIGS"
	case OpIdempotentWrite:
		return "IDEMPOTENT_WRITE"
	}
	return "UNKNOWN"
}

func (o Operation) valid() bool { return o >= OpAll && o <= OpIdempotentWrite }

// ParseOperation parses Kafka's name of an operation, ignoring case.
func ParseOperation(s string) (Operation, error) {
	return parseEnum(s, "operation", operations)
}

// PatternType says how an ACL's resource name matches resource names.
// The values are Kafka's wire codes; the zero value is Kafka's UNKNOWN
// and is invalid.
type PatternType int8

// Pattern types.
const (
	// Literal matches the name exactly, or every name when it is "*".
	Literal PatternType = 3
	// Prefixed matches every name that starts with it.
	Prefixed PatternType = 4
)

var patternTypes = []PatternType{Literal, Prefixed}

// String returns Kafka's name of the pattern type, "UNKNOWN" for an
// invalid value.
func (p PatternType) String() string {
	switch p {
	case Literal:
		return "LITERAL"
	case Prefixed:
		return "PREFIXED"
	}
	return "UNKNOWN"
}

// ParsePatternType parses Kafka's name of a pattern type, ignoring case.
func ParsePatternType(s string) (PatternType, error) {
	return parseEnum(s, "pattern type", patternTypes)
}

// Permission is whether an ACL allows or denies. The values are Kafka's
// wire codes; the zero value is Kafka's UNKNOWN and is invalid.
type Permission int8

// Permissions.
const (
	Deny  Permission = 2
	Allow Permission = 3
)

var permissions = []Permission{Allow, Deny}

// String returns Kafka's name of the permission, "UNKNOWN" for an
// invalid value.
func (p Permission) String() string {
	switch p {
	case Allow:
		return "ALLOW"
	case Deny:
		return "DENY"
	}
	return "UNKNOWN"
}

// ParsePermission parses Kafka's name of a permission, ignoring case.
func ParsePermission(s string) (Permission, error) {
	return parseEnum(s, "permission", permissions)
}

func parseEnum[T interface {
	~int8
	String() string
}](s, what string, values []T) (T, error) {
	for _, v := range values {
		if strings.EqualFold(s, v.String()) {
			return v, nil
		}
	}
	return 0, errors.New("unknown " + what + " " + quote(s) + "; valid values are " + names(values))
}

func names[T interface{ String() string }](values []T) string {
	var b strings.Builder
	for i, v := range values {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(v.String())
	}
	return b.String()
}

// quote returns s in double quotes, with control and non-ASCII bytes
// escaped, for error messages.
func quote(s string) string {
	const hex = "0123456789abcdef"
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c >= 0x7f:
			b.WriteString(`\x`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func invalidCode(what string, code int8, valid string) error {
	return errors.New("invalid " + what + " (code " + strconv.Itoa(int(code)) + "); valid values are " + valid)
}

// supportedOperations are the operations each resource type accepts
// besides ALL (Kafka's AclEntry.supportedOperations), in code order.
var supportedOperations = map[ResourceType][]Operation{
	TopicResource: {OpRead, OpWrite, OpCreate, OpDelete, OpAlter, OpDescribe, OpDescribeConfigs, OpAlterConfigs},
	GroupResource: {OpRead, OpDelete, OpDescribe, OpDescribeConfigs, OpAlterConfigs},
	ClusterResource: {OpCreate, OpAlter, OpDescribe, OpClusterAction, OpDescribeConfigs, OpAlterConfigs,
		OpIdempotentWrite},
	TransactionalIDResource: {OpWrite, OpDescribe},
}

// ACL is one access control entry bound to a resource pattern (Kafka's
// AclBinding). ACL values are comparable; two bindings are the same when
// every field is equal.
type ACL struct {
	// Principal is "Type:name", e.g. "User:alice"; "User:*" matches every
	// principal.
	Principal string
	// Host is an exact host, or "*" for every host.
	Host         string
	ResourceType ResourceType
	// ResourceName is the name or, for a PREFIXED pattern, the prefix;
	// a LITERAL "*" matches every name.
	ResourceName string
	PatternType  PatternType
	Operation    Operation
	Permission   Permission
}

// Validate reports what makes a binding unacceptable, as Kafka's broker
// (AclApis), controller (AclControlManager.validateNewAcl) and
// kafka-acls.sh check it: a "Type:name" principal, a host, known enum
// values, a non-empty resource name, "kafka-cluster" as the only CLUSTER
// name, and an operation the resource type supports.
func (a ACL) Validate() error {
	typ, name, ok := strings.Cut(a.Principal, ":")
	if !ok || typ == "" || name == "" {
		return errors.New("invalid principal " + quote(a.Principal) + `: expected "Type:name", e.g. "User:alice"`)
	}
	if a.Host == "" {
		return errors.New(`host must not be empty: use "*" for every host`)
	}
	if !a.ResourceType.valid() {
		return invalidCode("resource type", int8(a.ResourceType), names(resourceTypes))
	}
	if a.PatternType != Literal && a.PatternType != Prefixed {
		return invalidCode("pattern type", int8(a.PatternType), names(patternTypes))
	}
	if !a.Operation.valid() {
		return invalidCode("operation", int8(a.Operation), names(operations))
	}
	if a.Permission != Allow && a.Permission != Deny {
		return invalidCode("permission", int8(a.Permission), names(permissions))
	}
	if a.ResourceName == "" {
		return errors.New("resource name must not be empty")
	}
	if a.ResourceType == ClusterResource && a.ResourceName != ClusterResourceName {
		return errors.New("the only valid name for the CLUSTER resource is " + ClusterResourceName)
	}
	if a.Operation != OpAll {
		ops := supportedOperations[a.ResourceType]
		supported := false
		for _, op := range ops {
			supported = supported || op == a.Operation
		}
		if !supported {
			return errors.New("operation " + a.Operation.String() + " does not apply to " + a.ResourceType.String() +
				" resources; " + a.ResourceType.String() + " supports ALL, " + names(ops))
		}
	}
	return nil
}

// String describes the binding compactly and stably, e.g.
// "User:alice ALLOW WRITE on TOPIC orders (LITERAL) from *".
func (a ACL) String() string {
	return a.Principal + " " + a.Permission.String() + " " + a.Operation.String() + " on " +
		a.ResourceType.String() + " " + a.ResourceName + " (" + a.PatternType.String() + ") from " + a.Host
}

// Less orders bindings by resource type, pattern type, resource name,
// principal, host, operation and permission: a total order on ACL
// values.
func (a ACL) Less(b ACL) bool {
	switch {
	case a.ResourceType != b.ResourceType:
		return a.ResourceType < b.ResourceType
	case a.PatternType != b.PatternType:
		return a.PatternType < b.PatternType
	case a.ResourceName != b.ResourceName:
		return a.ResourceName < b.ResourceName
	case a.Principal != b.Principal:
		return a.Principal < b.Principal
	case a.Host != b.Host:
		return a.Host < b.Host
	case a.Operation != b.Operation:
		return a.Operation < b.Operation
	}
	return a.Permission < b.Permission
}

// compare is Less as a three-way comparison, for slices.SortFunc.
func compare(a, b ACL) int {
	switch {
	case a.Less(b):
		return -1
	case b.Less(a):
		return 1
	}
	return 0
}
