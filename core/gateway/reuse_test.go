package gateway

import (
	"strings"
	"testing"

	"github.com/kafka-playground/playground/core/protocol"
)

// TestReusedNodeGetsNoStaleAnswer: a connection closes while its
// JoinGroup waits for the group's first rebalance; the next connection
// on the same gateway node sends a JoinGroup of another group with the
// same wire correlation id. The first group's answer, sent to the node
// once its rebalance ends, must not pass for the second's.
func TestReusedNodeGetsNoStaleAnswer(t *testing.T) {
	c, g, _ := coordinatedGroup(t, "first")
	join := func(id ConnID, group, client string) {
		t.Helper()
		req := &protocol.JoinGroupRequest{CorrelationID: 7, GroupID: group, SessionTimeoutMs: 30000, RebalanceTimeoutMs: 30000,
			ClientID: client, ProtocolType: "consumer", Protocols: []protocol.GroupProtocol{{Name: "range"}}}
		if err := g.Request(id, 7, req, true); err != nil {
			t.Fatal(err)
		}
	}
	first, err := g.Connect(1, "127.0.0.1:5001")
	if err != nil {
		t.Fatal(err)
	}
	join(first, "first", "client-a")
	c.Advance(1000) // the first group waits group.initial.rebalance.delay.ms (3 s)
	g.Disconnect(first)
	second, err := g.Connect(1, "127.0.0.1:5002") // on the node the first connection left
	if err != nil {
		t.Fatal(err)
	}
	join(second, "second", "client-b")
	c.Advance(2500) // the first group's rebalance ends, not yet the second's
	if ready := g.Ready(second); len(ready) != 0 {
		t.Fatalf("the second connection got %+v before its group's rebalance ended", ready[0].Message)
	}
	c.Advance(1000)
	ready := g.Ready(second)
	if len(ready) != 1 || ready[0].CorrelationID != 7 {
		t.Fatalf("the second connection got %+v", ready)
	}
	resp := ready[0].Message.(*protocol.JoinGroupResponse)
	if resp.Error != protocol.None || !strings.HasPrefix(resp.MemberID, "client-b-") {
		t.Errorf("the second connection's JoinGroup answered %+v, want client-b's member id", resp)
	}
}
