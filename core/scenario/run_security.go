package scenario

// The security ops: users, ACLs, eavesdroppers.

import (
	"github.com/kafka-playground/playground/core/client"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/security"
)

// securityOp runs add_user, create_acl, delete_acl and add_eavesdropper;
// it reports whether st was one of them.
func (r *runner) securityOp(st *Step, result *StepResult) bool {
	c := r.cluster
	switch st.Op {
	case OpAddUser:
		// {"op": "add_user", "user": "alice", "password": "alice-secret", "mechanism": "SCRAM-SHA-256"}
		// {"op": "add_user", "user": "alice", "mechanism": "PLAIN", "credential": "salt=…,stored_key=…,server_key=…,iterations=4096"}
		var f *client.Future
		var err error
		if st.Credential != "" {
			var cred security.Credential
			if cred, err = security.ParseCredential(st.Mechanism, st.Credential); err == nil {
				f, err = c.AddUserCredential(st.User, st.Mechanism, cred)
			}
		} else {
			f, err = c.AddUser(st.User, st.Password, st.Mechanism)
		}
		if err != nil {
			result.OK, result.Error = false, err.Error()
			return true
		}
		r.await(st, result, f, adminWaitMs)
	case OpCreateACL:
		// {"op": "create_acl", "principal": "User:alice", "resource_type": "TOPIC", "resource_name": "orders",
		//  "pattern_type": "LITERAL", "operation": "WRITE", "permission": "ALLOW"}
		filter, err := aclFilter(st)
		if err == nil && (filter.AnyResourceType || filter.AnyPattern || filter.MatchPattern || filter.AnyOperation || filter.AnyPermission) {
			err = errANYInCreate
		}
		if err == nil {
			err = filter.ACL.Validate()
		}
		if err != nil {
			result.OK, result.Error, result.Message = false, protocol.InvalidRequest.String(), err.Error()
			return true
		}
		r.await(st, result, c.CreateACL(filter.ACL), adminWaitMs)
	case OpDeleteACL:
		// {"op": "delete_acl", "principal": "User:alice", "resource_type": "ANY", "resource_name": "orders",
		//  "pattern_type": "MATCH", "operation": "ANY", "permission": "ANY"}
		filter, err := aclFilter(st)
		if err != nil {
			result.OK, result.Error, result.Message = false, protocol.InvalidRequest.String(), err.Error()
			return true
		}
		f := c.DeleteACLs(filter)
		r.await(st, result, f, adminWaitMs)
		if resp, ok := f.Result.(*protocol.DeleteAclsResponse); ok && len(resp.Results) > 0 {
			result.Result = map[string]any{"deleted": resp.Results[0].Matched}
		}
	case OpAddEavesdropper:
		// {"op": "add_eavesdropper", "id": "eve", "node": "broker-1"}
		r.fail(result, c.AddEavesdropper(st.ID, st.Node))
	default:
		return false
	}
	return true
}

type stepError string

func (e stepError) Error() string { return string(e) }

const errANYInCreate = stepError("create_acl takes exact values: ANY and MATCH are for delete_acl filters")

// aclFilter reads the ACL fields of a create_acl or delete_acl step.
func aclFilter(st *Step) (protocol.AclFilter, error) {
	f := protocol.AclFilter{ACL: security.ACL{Principal: st.Principal, Host: st.ACLHost(), ResourceName: st.ResourceName}}
	var err error
	if st.ResourceType == "ANY" {
		f.AnyResourceType = true
	} else if f.ACL.ResourceType, err = security.ParseResourceType(st.ResourceType); err != nil {
		return f, err
	}
	switch st.PatternType {
	case "ANY":
		f.AnyPattern = true
	case "MATCH":
		f.MatchPattern = true
	default:
		if f.ACL.PatternType, err = security.ParsePatternType(st.PatternType); err != nil {
			return f, err
		}
	}
	if st.Operation == "ANY" {
		f.AnyOperation = true
	} else if f.ACL.Operation, err = security.ParseOperation(st.Operation); err != nil {
		return f, err
	}
	if st.Permission == "ANY" {
		f.AnyPermission = true
	} else if f.ACL.Permission, err = security.ParsePermission(st.Permission); err != nil {
		return f, err
	}
	return f, nil
}
