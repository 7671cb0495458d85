package security

import (
	"slices"
	"strings"
	"testing"
)

// acl builds a binding from host "*" unless the principal has a "@host"
// suffix: acl("User:alice@h1", Allow, OpRead, TopicResource, "orders", Literal).
func acl(principal string, perm Permission, op Operation, rt ResourceType, name string, pt PatternType) ACL {
	host := "*"
	if p, h, ok := strings.Cut(principal, "@"); ok {
		principal, host = p, h
	}
	return ACL{Principal: principal, Host: host, ResourceType: rt, ResourceName: name, PatternType: pt,
		Operation: op, Permission: perm}
}

func topic(principal string, perm Permission, op Operation, name string, pt PatternType) ACL {
	return acl(principal, perm, op, TopicResource, name, pt)
}

func TestAuthorize(t *testing.T) {
	alice := "User:alice"
	read := func(name string) Request {
		return Request{Principal: alice, Host: "h1", Operation: OpRead, ResourceType: TopicResource, ResourceName: name}
	}
	op := func(o Operation, name string) Request {
		r := read(name)
		r.Operation = o
		return r
	}
	cases := []struct {
		name     string
		acls     []ACL
		everyone bool
		super    []string
		req      Request
		allowed  bool
		reason   string // prefix of the reason
	}{
		{name: "super user beats DENY ALL", super: []string{"User:bob", alice},
			acls: []ACL{topic(alice, Deny, OpAll, "*", Literal)}, req: read("orders"), allowed: true, reason: "super user"},
		{name: "super users match exactly", super: []string{"User:*", "User:Alice"}, req: read("orders"),
			reason: reasonDefaultDeny},
		{name: "no ACL, default deny", req: read("orders"), reason: reasonDefaultDeny},
		{name: "no ACL, allow everyone", everyone: true, req: read("orders"), allowed: true, reason: reasonDefaultAllow},
		{name: "ACLs on other resources leave the default", everyone: true,
			acls:    []ACL{topic(alice, Deny, OpAll, "payments", Literal), acl(alice, Deny, OpAll, GroupResource, "orders", Literal)},
			req:     read("orders"),
			allowed: true, reason: reasonDefaultAllow},
		{name: "an ACL for another principal on the resource disables allow everyone", everyone: true,
			acls: []ACL{topic("User:bob", Allow, OpRead, "orders", Literal)}, req: read("orders"), reason: reasonNoAllow},
		{name: "an ACL for another host disables allow everyone", everyone: true,
			acls: []ACL{topic(alice+"@h2", Allow, OpRead, "orders", Literal)}, req: read("orders"), reason: reasonNoAllow},
		{name: "an ACL for another operation disables allow everyone", everyone: true,
			acls: []ACL{topic(alice, Allow, OpWrite, "orders", Literal)}, req: read("orders"), reason: reasonNoAllow},
		{name: "a matching PREFIXED ACL disables allow everyone", everyone: true,
			acls: []ACL{topic("User:bob", Deny, OpRead, "ord", Prefixed)}, req: read("orders"), reason: reasonNoAllow},
		{name: "literal match", acls: []ACL{topic(alice, Allow, OpRead, "orders", Literal)}, req: read("orders"),
			allowed: true, reason: "ALLOW by User:alice ALLOW READ on TOPIC orders (LITERAL) from *"},
		{name: "literal is not a prefix", acls: []ACL{topic(alice, Allow, OpRead, "ord", Literal)}, req: read("orders"),
			reason: reasonDefaultDeny},
		{name: "literal does not match a longer pattern", acls: []ACL{topic(alice, Allow, OpRead, "orders-eu", Literal)},
			req: read("orders"), reason: reasonDefaultDeny},
		{name: "prefixed match", acls: []ACL{topic(alice, Allow, OpRead, "ord", Prefixed)}, req: read("orders"),
			allowed: true, reason: "ALLOW by User:alice ALLOW READ on TOPIC ord (PREFIXED)"},
		{name: "prefixed matches the whole name", acls: []ACL{topic(alice, Allow, OpRead, "orders", Prefixed)},
			req: read("orders"), allowed: true},
		{name: "prefixed longer than the name", acls: []ACL{topic(alice, Allow, OpRead, "orders-", Prefixed)},
			req: read("orders"), reason: reasonDefaultDeny},
		{name: "prefixed is case-sensitive", acls: []ACL{topic(alice, Allow, OpRead, "Ord", Prefixed)},
			req: read("orders"), reason: reasonDefaultDeny},
		{name: "literal wildcard", acls: []ACL{topic(alice, Allow, OpRead, "*", Literal)}, req: read("anything"),
			allowed: true, reason: "ALLOW by User:alice ALLOW READ on TOPIC * (LITERAL)"},
		{name: "prefixed star is no wildcard", acls: []ACL{topic(alice, Allow, OpRead, "*", Prefixed)},
			req: read("orders"), reason: reasonDefaultDeny},
		{name: "prefixed star matches names starting with a star", acls: []ACL{topic(alice, Allow, OpRead, "*", Prefixed)},
			req: read("*x"), allowed: true},
		{name: "wildcard is per resource type", acls: []ACL{acl(alice, Allow, OpRead, GroupResource, "*", Literal)},
			req: read("orders"), reason: reasonDefaultDeny},
		{name: "User:* matches everyone", acls: []ACL{topic("User:*", Allow, OpRead, "orders", Literal)},
			req: read("orders"), allowed: true, reason: "ALLOW by User:* ALLOW"},
		{name: "only User:* is a wildcard principal", acls: []ACL{topic("Group:*", Allow, OpRead, "orders", Literal)},
			req: read("orders"), reason: reasonNoAllow},
		{name: "host match", acls: []ACL{topic(alice+"@h1", Allow, OpRead, "orders", Literal)}, req: read("orders"),
			allowed: true, reason: "ALLOW by User:alice ALLOW READ on TOPIC orders (LITERAL) from h1"},
		{name: "host mismatch", acls: []ACL{topic(alice+"@h2", Allow, OpRead, "orders", Literal)}, req: read("orders"),
			reason: reasonNoAllow},
		{name: "prefixed DENY beats literal ALLOW",
			acls:   []ACL{topic(alice, Allow, OpRead, "orders", Literal), topic(alice, Deny, OpRead, "ord", Prefixed)},
			req:    read("orders"),
			reason: "DENY by User:alice DENY READ on TOPIC ord (PREFIXED) from *"},
		{name: "wildcard DENY beats literal ALLOW",
			acls:   []ACL{topic(alice, Allow, OpRead, "orders", Literal), topic("User:*", Deny, OpRead, "*", Literal)},
			req:    read("orders"),
			reason: "DENY by User:* DENY READ on TOPIC * (LITERAL)"},
		{name: "DENY for another operation does not deny",
			acls: []ACL{topic(alice, Allow, OpRead, "orders", Literal), topic(alice, Deny, OpWrite, "orders", Literal)},
			req:  read("orders"), allowed: true},
		{name: "DENY ALL denies READ",
			acls: []ACL{topic(alice, Allow, OpRead, "orders", Literal), topic(alice, Deny, OpAll, "orders", Literal)},
			req:  read("orders"), reason: "DENY by User:alice DENY ALL"},
		{name: "DENY ALL denies DESCRIBE",
			acls: []ACL{topic(alice, Allow, OpAll, "orders", Literal), topic(alice, Deny, OpAll, "orders", Literal)},
			req:  op(OpDescribe, "orders"), reason: "DENY by"},
		{name: "ALL allows WRITE", acls: []ACL{topic(alice, Allow, OpAll, "orders", Literal)}, req: op(OpWrite, "orders"),
			allowed: true},
		{name: "ALL allows DESCRIBE_CONFIGS", acls: []ACL{topic(alice, Allow, OpAll, "orders", Literal)},
			req: op(OpDescribeConfigs, "orders"), allowed: true},
		{name: "READ implies DESCRIBE", acls: []ACL{topic(alice, Allow, OpRead, "orders", Literal)},
			req: op(OpDescribe, "orders"), allowed: true},
		{name: "WRITE implies DESCRIBE", acls: []ACL{topic(alice, Allow, OpWrite, "ord", Prefixed)},
			req: op(OpDescribe, "orders"), allowed: true},
		{name: "DELETE implies DESCRIBE", acls: []ACL{topic(alice, Allow, OpDelete, "orders", Literal)},
			req: op(OpDescribe, "orders"), allowed: true},
		{name: "ALTER implies DESCRIBE", acls: []ACL{topic(alice, Allow, OpAlter, "orders", Literal)},
			req: op(OpDescribe, "orders"), allowed: true},
		{name: "CREATE does not imply DESCRIBE", acls: []ACL{topic(alice, Allow, OpCreate, "orders", Literal)},
			req: op(OpDescribe, "orders"), reason: reasonNoAllow},
		{name: "ALTER_CONFIGS does not imply DESCRIBE", acls: []ACL{topic(alice, Allow, OpAlterConfigs, "orders", Literal)},
			req: op(OpDescribe, "orders"), reason: reasonNoAllow},
		{name: "DESCRIBE does not imply READ", acls: []ACL{topic(alice, Allow, OpDescribe, "orders", Literal)},
			req: read("orders"), reason: reasonNoAllow},
		{name: "ALTER_CONFIGS implies DESCRIBE_CONFIGS", acls: []ACL{topic(alice, Allow, OpAlterConfigs, "orders", Literal)},
			req: op(OpDescribeConfigs, "orders"), allowed: true},
		{name: "DESCRIBE_CONFIGS does not imply ALTER_CONFIGS",
			acls: []ACL{topic(alice, Allow, OpDescribeConfigs, "orders", Literal)},
			req:  op(OpAlterConfigs, "orders"), reason: reasonNoAllow},
		{name: "ALTER does not imply DESCRIBE_CONFIGS", acls: []ACL{topic(alice, Allow, OpAlter, "orders", Literal)},
			req: op(OpDescribeConfigs, "orders"), reason: reasonNoAllow},
		{name: "DENY READ does not deny DESCRIBE",
			acls: []ACL{topic(alice, Allow, OpRead, "orders", Literal), topic(alice, Deny, OpRead, "orders", Literal)},
			req:  op(OpDescribe, "orders"), allowed: true},
		{name: "DENY READ denies READ",
			acls: []ACL{topic(alice, Allow, OpRead, "orders", Literal), topic(alice, Deny, OpRead, "orders", Literal)},
			req:  read("orders"), reason: "DENY by"},
		{name: "DENY ALTER_CONFIGS does not deny DESCRIBE_CONFIGS",
			acls: []ACL{topic(alice, Allow, OpAll, "orders", Literal), topic(alice, Deny, OpAlterConfigs, "orders", Literal)},
			req:  op(OpDescribeConfigs, "orders"), allowed: true},
		{name: "cluster IDEMPOTENT_WRITE",
			acls: []ACL{acl(alice, Allow, OpIdempotentWrite, ClusterResource, ClusterResourceName, Literal)},
			req: Request{Principal: alice, Host: "h1", Operation: OpIdempotentWrite, ResourceType: ClusterResource,
				ResourceName: ClusterResourceName}, allowed: true},
		{name: "first of several allowing ACLs is named",
			acls: []ACL{topic("User:*", Allow, OpRead, "orders", Literal), topic(alice, Allow, OpAll, "o", Prefixed),
				topic(alice, Allow, OpRead, "*", Literal), topic(alice, Allow, OpRead, "orders", Literal)},
			req: read("orders"), allowed: true, reason: "ALLOW by User:alice ALLOW READ on TOPIC * (LITERAL) from *"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// The index must not depend on the order of its input.
			for _, acls := range [][]ACL{c.acls, reversed(c.acls)} {
				x := NewIndex(acls)
				d := x.Authorize(Settings{SuperUsers: c.super, AllowEveryoneIfNoACLFound: c.everyone}, c.req)
				if d.Allowed != c.allowed || !strings.HasPrefix(d.Reason, c.reason) {
					t.Errorf("Authorize = %+v, want allowed %v with reason %q...", d, c.allowed, c.reason)
				}
			}
		})
	}
}

func reversed(acls []ACL) []ACL {
	out := slices.Clone(acls)
	slices.Reverse(out)
	return out
}

func TestAuthorizeAny(t *testing.T) {
	alice := "User:alice"
	cases := []struct {
		name     string
		acls     []ACL
		everyone bool
		super    []string
		op       Operation
		allowed  bool
		reason   string
	}{
		{name: "no ACL", reason: "no ACL allows it on any TOPIC"},
		{name: "no ACL, allow everyone", everyone: true, allowed: true, reason: reasonDefaultAllow},
		{name: "allow everyone applies when no ACL matches the hardcoded name", everyone: true,
			acls: []ACL{topic("User:bob", Allow, OpRead, "orders", Literal)}, allowed: true, reason: reasonDefaultAllow},
		{name: "super user beats a wildcard DENY", super: []string{alice},
			acls: []ACL{topic(alice, Deny, OpAll, "*", Literal)}, allowed: true, reason: reasonSuperUser},
		{name: "WRITE on one topic", acls: []ACL{topic(alice, Allow, OpWrite, "orders", Literal)}, allowed: true,
			reason: "ALLOW by User:alice ALLOW WRITE on TOPIC orders (LITERAL) from *"},
		{name: "ALL on one topic", acls: []ACL{topic(alice, Allow, OpAll, "orders", Literal)}, allowed: true},
		{name: "WRITE via User:*", acls: []ACL{topic("User:*", Allow, OpWrite, "orders", Prefixed)}, allowed: true},
		{name: "WRITE for another principal", acls: []ACL{topic("User:bob", Allow, OpWrite, "orders", Literal)},
			reason: "no ACL allows it on any TOPIC"},
		{name: "WRITE from another host", acls: []ACL{topic(alice+"@h2", Allow, OpWrite, "orders", Literal)},
			reason: "no ACL allows it on any TOPIC"},
		{name: "READ is not WRITE", acls: []ACL{topic(alice, Allow, OpRead, "orders", Literal)},
			reason: "no ACL allows it on any TOPIC"},
		{name: "no implied DESCRIBE", op: OpDescribe, acls: []ACL{topic(alice, Allow, OpRead, "orders", Literal)},
			reason: "no ACL allows it on any TOPIC"},
		{name: "literal DENY on the same name",
			acls:   []ACL{topic(alice, Allow, OpWrite, "orders", Literal), topic(alice, Deny, OpWrite, "orders", Literal)},
			reason: "every ACL allowing it on a TOPIC is overridden by a DENY"},
		{name: "DENY ALL on the same name",
			acls:   []ACL{topic(alice, Allow, OpWrite, "orders", Literal), topic("User:*", Deny, OpAll, "orders", Literal)},
			reason: "every ACL allowing it"},
		{name: "prefixed DENY overrides a literal ALLOW",
			acls:   []ACL{topic(alice, Allow, OpWrite, "orders", Literal), topic(alice, Deny, OpWrite, "ord", Prefixed)},
			reason: "every ACL allowing it"},
		{name: "prefixed DENY overrides a longer prefixed ALLOW",
			acls:   []ACL{topic(alice, Allow, OpWrite, "orders-", Prefixed), topic(alice, Deny, OpWrite, "orders", Prefixed)},
			reason: "every ACL allowing it"},
		{name: "prefixed DENY overrides the same prefixed ALLOW",
			acls:   []ACL{topic(alice, Allow, OpWrite, "orders", Prefixed), topic(alice, Deny, OpWrite, "orders", Prefixed)},
			reason: "every ACL allowing it"},
		{name: "longer prefixed DENY leaves a prefixed ALLOW", allowed: true,
			acls:   []ACL{topic(alice, Allow, OpWrite, "orders", Prefixed), topic(alice, Deny, OpWrite, "orders-eu", Prefixed)},
			reason: "ALLOW by User:alice ALLOW WRITE on TOPIC orders (PREFIXED)"},
		{name: "literal DENY leaves a prefixed ALLOW", allowed: true,
			acls: []ACL{topic(alice, Allow, OpWrite, "orders", Prefixed), topic(alice, Deny, OpWrite, "orders", Literal)}},
		{name: "prefixed DENY of another principal leaves the ALLOW", allowed: true,
			acls: []ACL{topic(alice, Allow, OpWrite, "orders", Literal), topic("User:bob", Deny, OpWrite, "o", Prefixed)}},
		{name: "prefixed DENY for READ leaves a WRITE ALLOW", allowed: true,
			acls: []ACL{topic(alice, Allow, OpWrite, "orders", Literal), topic(alice, Deny, OpRead, "o", Prefixed)}},
		{name: "one undominated ALLOW is enough", allowed: true,
			acls: []ACL{topic(alice, Allow, OpWrite, "orders", Literal), topic(alice, Deny, OpWrite, "ord", Prefixed),
				topic(alice, Allow, OpWrite, "payments", Literal)},
			reason: "ALLOW by User:alice ALLOW WRITE on TOPIC payments (LITERAL)"},
		{name: "wildcard DENY denies at once",
			acls:   []ACL{topic(alice, Allow, OpWrite, "orders", Literal), topic(alice, Deny, OpWrite, "*", Literal)},
			reason: "DENY by User:alice DENY WRITE on TOPIC * (LITERAL)"},
		{name: "wildcard DENY beats wildcard ALLOW",
			acls:   []ACL{topic(alice, Allow, OpWrite, "*", Literal), topic("User:*", Deny, OpAll, "*", Literal)},
			reason: "DENY by User:* DENY ALL on TOPIC * (LITERAL)"},
		{name: "wildcard ALLOW beats prefixed DENY", allowed: true,
			acls: []ACL{topic(alice, Allow, OpWrite, "*", Literal), topic(alice, Deny, OpWrite, "a", Prefixed)}},
		{name: "ACLs of other resource types do not count",
			acls:   []ACL{acl(alice, Allow, OpWrite, TransactionalIDResource, "tx", Literal)},
			reason: "no ACL allows it on any TOPIC"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			op := c.op
			if op == 0 {
				op = OpWrite
			}
			for _, acls := range [][]ACL{c.acls, reversed(c.acls)} {
				x := NewIndex(acls)
				d := x.AuthorizeAny(Settings{SuperUsers: c.super, AllowEveryoneIfNoACLFound: c.everyone}, alice, "h1", op,
					TopicResource)
				if d.Allowed != c.allowed || !strings.HasPrefix(d.Reason, c.reason) {
					t.Errorf("AuthorizeAny = %+v, want allowed %v with reason %q...", d, c.allowed, c.reason)
				}
			}
		})
	}
	if d := NewIndex(nil).AuthorizeAny(Settings{AllowEveryoneIfNoACLFound: true}, alice, "h1", 0, TopicResource); d.Allowed {
		t.Errorf("AuthorizeAny with an invalid operation = %+v", d)
	}
}

// TestIdempotentProducer is InitProducerId's check without a
// transactional id (KIP-679): IDEMPOTENT_WRITE on the cluster, or else
// WRITE on any topic.
func TestIdempotentProducer(t *testing.T) {
	alice := "User:alice"
	check := func(acls []ACL) bool {
		x := NewIndex(acls)
		s := Settings{}
		if x.Authorize(s, Request{Principal: alice, Host: "h", Operation: OpIdempotentWrite, ResourceType: ClusterResource,
			ResourceName: ClusterResourceName}).Allowed {
			return true
		}
		return x.AuthorizeAny(s, alice, "h", OpWrite, TopicResource).Allowed
	}
	cluster := acl(alice, Allow, OpIdempotentWrite, ClusterResource, ClusterResourceName, Literal)
	if !check([]ACL{cluster}) {
		t.Error("IDEMPOTENT_WRITE on the cluster is not enough")
	}
	if !check([]ACL{topic(alice, Allow, OpWrite, "orders", Literal)}) {
		t.Error("WRITE on a topic is not enough")
	}
	if check([]ACL{topic(alice, Allow, OpWrite, "orders", Literal), topic(alice, Deny, OpWrite, "o", Prefixed)}) {
		t.Error("WRITE on a topic denied by a prefixed DENY is enough")
	}
	if check([]ACL{topic(alice, Allow, OpRead, "orders", Literal), acl(alice, Allow, OpWrite, TransactionalIDResource, "t", Literal)}) {
		t.Error("READ on a topic is enough")
	}
}

func BenchmarkAuthorize(b *testing.B) {
	var acls []ACL
	for _, name := range []string{"orders", "payments", "users", "audit", "o", "pay", "logs-"} {
		acls = append(acls, topic("User:alice", Allow, OpRead, name, Literal), topic("User:bob", Allow, OpWrite, name, Prefixed),
			topic("User:*", Deny, OpDelete, name, Prefixed))
	}
	x := NewIndex(acls)
	r := Request{Principal: "User:carol", Host: "h", Operation: OpRead, ResourceType: TopicResource, ResourceName: "payments-eu-west"}
	b.ReportAllocs()
	for b.Loop() {
		x.Authorize(Settings{}, r)
	}
}
