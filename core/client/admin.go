// Package client holds the Kafka clients that run as nodes of the
// simulated cluster: the admin client the scenario runner uses for topic
// and config operations, and (later) producers and consumers.
package client

import (
	"fmt"

	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/security"
	"github.com/kafka-playground/playground/core/sim"
)

// Future is the outcome of an asynchronous client call. Done turns true
// once; then Error (Kafka's error, None on success) and Message are set.
type Future struct {
	Done    bool
	Error   protocol.ErrorCode
	Message string
	// Result holds the call's response, when it has one.
	Result any
}

func (f *Future) complete(code protocol.ErrorCode, message string, result any) {
	if f.Done {
		return
	}
	f.Done, f.Error, f.Message, f.Result = true, code, message, result
}

// AdminSettings configure the admin client. Times are in milliseconds.
type AdminSettings struct {
	// Bootstrap lists the broker nodes the client may contact first.
	Bootstrap        []sim.NodeID
	RequestTimeoutMs int64
	APITimeoutMs     int64
	RetryBackoffMs   int64
}

// DefaultAdminSettings are Kafka's AdminClient defaults.
func DefaultAdminSettings(bootstrap []sim.NodeID) AdminSettings {
	return AdminSettings{Bootstrap: bootstrap, RequestTimeoutMs: 30000, APITimeoutMs: 60000, RetryBackoffMs: 100}
}

// Admin is Kafka's AdminClient as a node: it sends each call to a broker
// (which forwards it to the controller), retrying retriable errors and
// moving to another broker on disconnects and timeouts until
// default.api.timeout.ms expires.
type Admin struct {
	sim         *sim.Sim
	node        sim.NodeID
	settings    AdminSettings
	correlation int32
	next        int
	calls       map[int32]*adminCall
	conns       connections
}

// adminCall is one call in progress. It is data only (no callback), so
// that a snapshot can hold it: request is sent again, with a new
// correlation id, on every try, and adminOutcome reads its answer.
type adminCall struct {
	request    protocol.AdminRequest
	future     *Future
	deadlineMs int64
	target     sim.NodeID
}

type (
	adminTimeout struct{ correlation int32 }
	adminRetry   struct{ call *adminCall }
)

// NewAdmin returns an admin client node.
func NewAdmin(s *sim.Sim, settings AdminSettings) *Admin {
	return &Admin{sim: s, settings: settings}
}

// Start implements sim.Node.
func (a *Admin) Start(self sim.NodeID) {
	a.node = self
	a.calls = map[int32]*adminCall{}
	a.conns.reset(a.sim, self)
	a.conns.security = Security{Operator: true}
	if len(a.settings.Bootstrap) > 0 {
		a.next = a.sim.Rand().IntN(len(a.settings.Bootstrap))
	}
}

// Receive implements sim.Node.
func (a *Admin) Receive(from sim.NodeID, msg sim.Message) {
	if a.conns.receive(from, msg) {
		return
	}
	switch m := msg.(type) {
	case adminTimeout:
		if call := a.calls[m.correlation]; call != nil {
			delete(a.calls, m.correlation)
			a.next++
			a.retry(call, protocol.RequestTimedOut)
		}
	case adminRetry:
		a.send(m.call)
	case sim.Disconnected:
		for _, corr := range a.sortedCalls() {
			if call := a.calls[corr]; call.target == m.Peer {
				delete(a.calls, corr)
				a.next++
				a.retry(call, protocol.NetworkException)
			}
		}
	default:
		corr := correlationOf(msg)
		call := a.calls[corr]
		if call == nil {
			return
		}
		delete(a.calls, corr)
		code, message, result := adminOutcome(call.request, msg)
		if retriableAdmin(code) {
			// Another broker may be (or know) the controller.
			a.next++
			a.retry(call, protocol.NotController)
			return
		}
		call.future.complete(code, message, result)
	}
}

// adminOutcome reads the answer to request, a call of one item: Kafka's
// error, its message, and the future's result (the item's result, or
// the whole response where the call has no single item to show).
func adminOutcome(request protocol.AdminRequest, msg sim.Message) (code protocol.ErrorCode, message string, result any) {
	switch request.(type) {
	case *protocol.CreateTopicsRequest:
		r := msg.(*protocol.CreateTopicsResponse).Topics[0]
		return r.Error, r.ErrorMessage, r
	case *protocol.CreatePartitionsRequest:
		r := msg.(*protocol.CreatePartitionsResponse).Results[0]
		return r.Error, r.ErrorMessage, r
	case *protocol.DeleteTopicsRequest:
		r := msg.(*protocol.DeleteTopicsResponse).Topics[0]
		return r.Error, r.ErrorMessage, r
	case *protocol.IncrementalAlterConfigsRequest:
		r := msg.(*protocol.IncrementalAlterConfigsResponse).Resources[0]
		return r.Error, r.ErrorMessage, r
	case *protocol.ElectLeadersRequest:
		r := msg.(*protocol.ElectLeadersResponse)
		return r.Error, "", r
	case *protocol.AlterUserScramCredentialsRequest:
		r := msg.(*protocol.AlterUserScramCredentialsResponse).Results[0]
		return r.Error, r.ErrorMessage, msg
	case *protocol.CreateAclsRequest:
		r := msg.(*protocol.CreateAclsResponse).Results[0]
		return r.Error, r.ErrorMessage, msg
	case *protocol.DeleteAclsRequest:
		r := msg.(*protocol.DeleteAclsResponse).Results[0]
		return r.Error, r.ErrorMessage, msg
	}
	panic(fmt.Sprintf("admin client: no outcome for a %T", request))
}

func (a *Admin) sortedCalls() []int32 {
	keys := make([]int32, 0, len(a.calls))
	for k := range a.calls {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

func correlationOf(msg sim.Message) int32 {
	switch m := msg.(type) {
	case protocol.AdminResponse:
		return m.Correlation()
	case *protocol.MetadataResponse:
		return m.CorrelationID
	}
	return -1
}

// start sends a call of request (whose correlation id each try sets)
// and returns its future.
func (a *Admin) start(request protocol.AdminRequest) *Future {
	call := &adminCall{request: request, future: &Future{}, deadlineMs: a.sim.Now() + a.settings.APITimeoutMs}
	a.send(call)
	return call.future
}

func (a *Admin) send(call *adminCall) {
	if len(a.settings.Bootstrap) == 0 {
		call.future.complete(protocol.ClientTimeout, "no broker to send to", nil)
		return
	}
	a.correlation++
	corr := a.correlation
	call.target = a.settings.Bootstrap[a.next%len(a.settings.Bootstrap)]
	a.calls[corr] = call
	a.conns.send(call.target, call.request.WithCorrelation(corr))
	timeout := min(a.settings.RequestTimeoutMs, call.deadlineMs-a.sim.Now())
	a.sim.SetTimer(a.node, timeout, adminTimeout{correlation: corr})
}

// retry sends the call again after retry.backoff.ms, or fails it with a
// TimeoutException once default.api.timeout.ms has passed.
func (a *Admin) retry(call *adminCall, cause protocol.ErrorCode) {
	if a.sim.Now()+a.settings.RetryBackoffMs >= call.deadlineMs {
		call.future.complete(protocol.ClientTimeout, "Timed out waiting for a node assignment (last error: "+cause.String()+")", nil)
		return
	}
	a.sim.SetTimer(a.node, a.settings.RetryBackoffMs, adminRetry{call: call})
}

func retriableAdmin(code protocol.ErrorCode) bool {
	switch code {
	case protocol.NotController, protocol.RequestTimedOut, protocol.NetworkException:
		return true
	}
	return false
}

// CreateTopic creates one topic.
func (a *Admin) CreateTopic(topic protocol.CreatableTopic) *Future {
	return a.start(&protocol.CreateTopicsRequest{TimeoutMs: int32(a.settings.RequestTimeoutMs), Topics: []protocol.CreatableTopic{topic}})
}

// CreatePartitions takes a topic to count partitions in all.
func (a *Admin) CreatePartitions(name string, count int32) *Future {
	return a.start(&protocol.CreatePartitionsRequest{TimeoutMs: int32(a.settings.RequestTimeoutMs),
		Topics: []protocol.CreatePartitionsTopic{{Name: name, Count: count}}})
}

// DeleteTopic deletes one topic.
func (a *Admin) DeleteTopic(name string) *Future {
	return a.start(&protocol.DeleteTopicsRequest{TimeoutMs: int32(a.settings.RequestTimeoutMs), Topics: []string{name}})
}

// AlterConfigs changes one resource's configs incrementally.
func (a *Admin) AlterConfigs(resource protocol.AlterConfigsResource) *Future {
	return a.start(&protocol.IncrementalAlterConfigsRequest{Resources: []protocol.AlterConfigsResource{resource}})
}

// ElectLeaders runs a preferred or unclean election; nil partitions means all.
func (a *Admin) ElectLeaders(electionType int8, partitions []protocol.TopicPartition) *Future {
	return a.start(&protocol.ElectLeadersRequest{ElectionType: electionType, Partitions: partitions, TimeoutMs: int32(a.settings.RequestTimeoutMs)})
}

// AlterUserScramCredentials sets one user's SCRAM credential.
func (a *Admin) AlterUserScramCredentials(user string, credential security.Credential) *Future {
	return a.start(&protocol.AlterUserScramCredentialsRequest{Upsertions: []protocol.ScramUpsertion{{User: user, Credential: credential}}})
}

// CreateACL creates one ACL binding.
func (a *Admin) CreateACL(acl security.ACL) *Future {
	return a.start(&protocol.CreateAclsRequest{Creations: []security.ACL{acl}})
}

// DeleteACLs deletes the bindings a filter matches.
func (a *Admin) DeleteACLs(filter protocol.AclFilter) *Future {
	return a.start(&protocol.DeleteAclsRequest{Filters: []protocol.AclFilter{filter}})
}
