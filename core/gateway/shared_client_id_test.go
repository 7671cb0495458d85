package gateway

import (
	"slices"
	"strconv"
	"testing"

	"github.com/kafka-playground/playground/core"
	"github.com/kafka-playground/playground/core/protocol"
)

// TestMembersSharingAClientIDShowInOneOrder: real clients often keep
// their library's default client id, so several members of one group may
// share it. The state document lists members by client id; the one it
// shows must be the same every time (the greatest member id), not
// whichever Go's map iteration met last.
func TestMembersSharingAClientIDShowInOneOrder(t *testing.T) {
	c, g, _ := coordinatedGroup(t, "shared")
	var conns []ConnID
	for i := 0; i < 6; i++ {
		id, err := g.Connect(1, "127.0.0.1:"+strconv.Itoa(5001+i))
		if err != nil {
			t.Fatal(err)
		}
		req := &protocol.JoinGroupRequest{CorrelationID: 7, GroupID: "shared", SessionTimeoutMs: 30000, RebalanceTimeoutMs: 30000,
			ClientID: "rdkafka", ProtocolType: "consumer", Protocols: []protocol.GroupProtocol{{Name: "range"}}}
		if err := g.Request(id, 7, req, true); err != nil {
			t.Fatal(err)
		}
		conns = append(conns, id)
	}
	c.Advance(5000) // past group.initial.rebalance.delay.ms: every member joined
	var memberIDs []string
	for _, id := range conns {
		ready := g.Ready(id)
		if len(ready) != 1 {
			t.Fatalf("connection %d: %d answers to its JoinGroup", id, len(ready))
		}
		resp := ready[0].Message.(*protocol.JoinGroupResponse)
		if resp.Error != protocol.None {
			t.Fatalf("connection %d: JoinGroup answered %s", id, resp.Error)
		}
		memberIDs = append(memberIDs, resp.MemberID)
	}
	shown := map[string]int{}
	for i := 0; i < 50; i++ {
		gs, ok := c.State().Groups["shared"].(core.GroupState)
		if !ok || len(gs.Members) != 1 {
			t.Fatalf("group state: %+v", c.State().Groups["shared"])
		}
		shown[gs.Members["rdkafka"].MemberID]++
	}
	if want := slices.Max(memberIDs); len(shown) != 1 || shown[want] == 0 {
		t.Errorf("50 states showed %v under client id rdkafka, want always %s (the greatest of %v)", shown, want, memberIDs)
	}
}
