package protocol

import (
	"testing"

	"github.com/kafka-playground/playground/core/security"
)

// TestAclFilterMatches: filters match as Kafka's AclBindingFilter: ANY
// and MATCH pattern types, and null names, principals and hosts.
func TestAclFilterMatches(t *testing.T) {
	literal := security.ACL{Principal: "User:alice", Host: "*", ResourceType: security.TopicResource, ResourceName: "orders",
		PatternType: security.Literal, Operation: security.OpRead, Permission: security.Allow}
	prefixed := literal
	prefixed.ResourceName, prefixed.PatternType, prefixed.Principal = "ord", security.Prefixed, "User:bob"
	wildcard := literal
	wildcard.ResourceName, wildcard.Operation = "*", security.OpWrite
	group := literal
	group.ResourceType = security.GroupResource
	bindings := []security.ACL{literal, prefixed, wildcard, group}
	cases := []struct {
		name   string
		filter AclFilter
		want   []bool
	}{
		{"everything", AclFilter{AnyResourceType: true, AnyResourceName: true, AnyPattern: true, AnyPrincipal: true, AnyHost: true,
			AnyOperation: true, AnyPermission: true}, []bool{true, true, true, true}},
		{"exact", AclFilter{ACL: literal}, []bool{true, false, false, false}},
		{"any principal, topics, any pattern named orders", AclFilter{ACL: security.ACL{ResourceType: security.TopicResource, ResourceName: "orders"},
			AnyPattern: true, AnyPrincipal: true, AnyHost: true, AnyOperation: true, AnyPermission: true}, []bool{true, false, false, false}},
		{"what applies to topic orders", AclFilter{ACL: security.ACL{ResourceType: security.TopicResource, ResourceName: "orders"},
			MatchPattern: true, AnyPrincipal: true, AnyHost: true, AnyOperation: true, AnyPermission: true}, []bool{true, true, true, false}},
		{"prefixed only, any name", AclFilter{ACL: security.ACL{PatternType: security.Prefixed}, AnyResourceType: true,
			AnyResourceName: true, AnyPrincipal: true, AnyHost: true, AnyOperation: true, AnyPermission: true}, []bool{false, true, false, false}},
		{"alice's writes", AclFilter{ACL: security.ACL{Principal: "User:alice", Operation: security.OpWrite}, AnyResourceType: true,
			AnyResourceName: true, AnyPattern: true, AnyHost: true, AnyPermission: true}, []bool{false, false, true, false}},
	}
	for _, c := range cases {
		for i, b := range bindings {
			if got := c.filter.Matches(b); got != c.want[i] {
				t.Errorf("%s: %s matched %v, want %v", c.name, b, got, c.want[i])
			}
		}
	}
}
