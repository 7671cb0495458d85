package security

import (
	"slices"
	"strings"
	"testing"
)

func TestEnumNamesAndParse(t *testing.T) {
	for _, rt := range resourceTypes {
		got, err := ParseResourceType(strings.ToLower(rt.String()))
		if err != nil || got != rt {
			t.Errorf("ParseResourceType(%q) = %v, %v", strings.ToLower(rt.String()), got, err)
		}
	}
	for _, op := range operations {
		got, err := ParseOperation(strings.ToLower(op.String()))
		if err != nil || got != op {
			t.Errorf("ParseOperation(%q) = %v, %v", strings.ToLower(op.String()), got, err)
		}
	}
	for _, p := range patternTypes {
		if got, err := ParsePatternType(p.String()); err != nil || got != p {
			t.Errorf("ParsePatternType(%q) = %v, %v", p, got, err)
		}
	}
	for _, p := range permissions {
		if got, err := ParsePermission(p.String()); err != nil || got != p {
			t.Errorf("ParsePermission(%q) = %v, %v", p, got, err)
		}
	}
	names := map[string]string{
		TopicResource.String(): "TOPIC", GroupResource.String(): "GROUP", ClusterResource.String(): "CLUSTER",
		TransactionalIDResource.String(): "TRANSACTIONAL_ID", OpIdempotentWrite.String(): "IDEMPOTENT_WRITE",
		OpDescribeConfigs.String(): "DESCRIBE_CONFIGS", OpClusterAction.String(): "CLUSTER_ACTION",
		Literal.String(): "LITERAL", Prefixed.String(): "PREFIXED", Allow.String(): "ALLOW", Deny.String(): "DENY",
		ResourceType(0).String(): "UNKNOWN", Operation(1).String(): "UNKNOWN", PatternType(9).String(): "UNKNOWN",
	}
	for got, want := range names {
		if got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
	// Kafka's wire codes.
	if TopicResource != 2 || TransactionalIDResource != 5 || OpAll != 2 || OpIdempotentWrite != 12 ||
		Literal != 3 || Prefixed != 4 || Deny != 2 || Allow != 3 {
		t.Error("enum values are not Kafka's codes")
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		err  error
		want []string
	}{
		{second(ParseResourceType("TOPICS")), []string{`unknown resource type "TOPICS"`, "TOPIC, GROUP, CLUSTER, TRANSACTIONAL_ID"}},
		{second(ParseOperation("ANY")), []string{`unknown operation "ANY"`, "ALL, READ, WRITE", "IDEMPOTENT_WRITE"}},
		{second(ParseOperation("")), []string{`unknown operation ""`}},
		{second(ParsePatternType("MATCH")), []string{`unknown pattern type "MATCH"`, "LITERAL, PREFIXED"}},
		{second(ParsePermission("maybe")), []string{`unknown permission "maybe"`, "ALLOW, DENY"}},
	}
	for _, c := range cases {
		if c.err == nil {
			t.Errorf("no error, want %q", c.want)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(c.err.Error(), w) {
				t.Errorf("error %q does not contain %q", c.err, w)
			}
		}
	}
}

func second[T any](_ T, err error) error { return err }

func TestValidate(t *testing.T) {
	ok := ACL{Principal: "User:alice", Host: "*", ResourceType: TopicResource, ResourceName: "orders",
		PatternType: Literal, Operation: OpRead, Permission: Allow}
	valid := []ACL{
		ok,
		with(ok, func(a *ACL) { a.Principal = "User:*"; a.ResourceName = "*" }),
		with(ok, func(a *ACL) { a.PatternType = Prefixed; a.ResourceName = "*" }), // Kafka accepts it
		with(ok, func(a *ACL) { a.Operation = OpAll; a.Permission = Deny; a.Host = "10.0.0.1" }),
		with(ok, func(a *ACL) {
			a.ResourceType, a.ResourceName, a.Operation = ClusterResource, ClusterResourceName, OpIdempotentWrite
		}),
		with(ok, func(a *ACL) { a.ResourceType, a.Operation = GroupResource, OpDescribeConfigs }),
		with(ok, func(a *ACL) { a.ResourceType, a.Operation = TransactionalIDResource, OpWrite }),
		with(ok, func(a *ACL) { a.Principal = "Group:ops:eu" }),
	}
	for _, a := range valid {
		if err := a.Validate(); err != nil {
			t.Errorf("%v: %v", a, err)
		}
	}
	invalid := []struct {
		acl  ACL
		want string
	}{
		{with(ok, func(a *ACL) { a.Principal = "alice" }), `invalid principal "alice": expected "Type:name"`},
		{with(ok, func(a *ACL) { a.Principal = "User:" }), `invalid principal "User:"`},
		{with(ok, func(a *ACL) { a.Principal = ":alice" }), `invalid principal ":alice"`},
		{with(ok, func(a *ACL) { a.Host = "" }), "host must not be empty"},
		{with(ok, func(a *ACL) { a.ResourceType = 0 }), "invalid resource type (code 0); valid values are TOPIC"},
		{with(ok, func(a *ACL) { a.PatternType = 1 }), "invalid pattern type (code 1)"},
		{with(ok, func(a *ACL) { a.Operation = 1 }), "invalid operation (code 1)"},
		{with(ok, func(a *ACL) { a.Permission = 0 }), "invalid permission (code 0)"},
		{with(ok, func(a *ACL) { a.ResourceName = "" }), "resource name must not be empty"},
		{with(ok, func(a *ACL) { a.ResourceType, a.Operation = ClusterResource, OpCreate }),
			"the only valid name for the CLUSTER resource is kafka-cluster"},
		{with(ok, func(a *ACL) { a.ResourceType, a.ResourceName = ClusterResource, ClusterResourceName }),
			"operation READ does not apply to CLUSTER resources; CLUSTER supports ALL, CREATE, ALTER, DESCRIBE, CLUSTER_ACTION"},
		{with(ok, func(a *ACL) { a.Operation = OpIdempotentWrite }), "operation IDEMPOTENT_WRITE does not apply to TOPIC"},
		{with(ok, func(a *ACL) { a.ResourceType, a.Operation = GroupResource, OpWrite }), "GROUP supports ALL, READ, DELETE, DESCRIBE"},
		{with(ok, func(a *ACL) { a.ResourceType, a.Operation = TransactionalIDResource, OpRead }),
			"TRANSACTIONAL_ID supports ALL, WRITE, DESCRIBE"},
	}
	for _, c := range invalid {
		err := c.acl.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one containing %q", c.acl, err, c.want)
		}
	}
}

func with(a ACL, f func(*ACL)) ACL {
	f(&a)
	return a
}

func TestACLStringAndOrder(t *testing.T) {
	a := ACL{Principal: "User:alice", Host: "*", ResourceType: TopicResource, ResourceName: "orders",
		PatternType: Literal, Operation: OpWrite, Permission: Allow}
	if got, want := a.String(), "User:alice ALLOW WRITE on TOPIC orders (LITERAL) from *"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	want := []ACL{
		{Principal: "User:b", Host: "*", ResourceType: TopicResource, ResourceName: "a", PatternType: Literal, Operation: OpRead, Permission: Allow},
		{Principal: "User:b", Host: "*", ResourceType: TopicResource, ResourceName: "b", PatternType: Literal, Operation: OpRead, Permission: Deny},
		{Principal: "User:b", Host: "*", ResourceType: TopicResource, ResourceName: "b", PatternType: Literal, Operation: OpRead, Permission: Allow},
		{Principal: "User:b", Host: "*", ResourceType: TopicResource, ResourceName: "b", PatternType: Literal, Operation: OpWrite, Permission: Allow},
		{Principal: "User:b", Host: "h", ResourceType: TopicResource, ResourceName: "b", PatternType: Literal, Operation: OpRead, Permission: Allow},
		{Principal: "User:c", Host: "*", ResourceType: TopicResource, ResourceName: "b", PatternType: Literal, Operation: OpRead, Permission: Allow},
		{Principal: "User:a", Host: "*", ResourceType: TopicResource, ResourceName: "a", PatternType: Prefixed, Operation: OpRead, Permission: Allow},
		{Principal: "User:a", Host: "*", ResourceType: GroupResource, ResourceName: "a", PatternType: Literal, Operation: OpRead, Permission: Allow},
	}
	for i := range want {
		for j := range want {
			if got := want[i].Less(want[j]); got != (i < j) {
				t.Errorf("%v.Less(%v) = %v", want[i], want[j], got)
			}
		}
	}
	shuffled := []ACL{want[5], want[7], want[0], want[3], want[6], want[1], want[4], want[2], want[3], want[0]}
	x := NewIndex(shuffled)
	if got := x.ACLs(); !slices.Equal(got, want) {
		t.Errorf("ACLs() =\n%v\nwant\n%v", got, want)
	}
	if x.Len() != len(want) {
		t.Errorf("Len() = %d, want %d", x.Len(), len(want))
	}
	x.ACLs()[0].ResourceName = "changed"
	if x.ACLs()[0].ResourceName != "a" {
		t.Error("ACLs() does not return a copy")
	}
}

func TestParseSuperUsers(t *testing.T) {
	got := ParseSuperUsers(" User:a ;;User:b;  ; User:c:d")
	if want := []string{"User:a", "User:b", "User:c:d"}; !slices.Equal(got, want) {
		t.Errorf("ParseSuperUsers = %q, want %q", got, want)
	}
	if got := ParseSuperUsers(""); len(got) != 0 {
		t.Errorf("ParseSuperUsers(\"\") = %q", got)
	}
}
