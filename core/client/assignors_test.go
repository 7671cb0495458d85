package client

import (
	"reflect"
	"testing"

	"github.com/kafka-playground/playground/core/protocol"
)

// TestStaticMembersAssignedByInstanceID: range and roundrobin order
// static members first, by group.instance.id, then dynamic ones by member
// id (Kafka's MemberInfo order), so that a static member that comes back
// under a new member id gets the same partitions.
func TestStaticMembersAssignedByInstanceID(t *testing.T) {
	tps := func(ps ...int32) []protocol.TopicPartition {
		out := []protocol.TopicPartition{}
		for _, p := range ps {
			out = append(out, protocol.TopicPartition{Topic: "t", Partition: p})
		}
		return out
	}
	members := func(restarted string) []AssignMember {
		return []AssignMember{
			{MemberID: "a-dynamic", Topics: []string{"t"}},
			{MemberID: restarted, GroupInstanceID: "host-2", Topics: []string{"t"}},
			{MemberID: "m-static", GroupInstanceID: "host-1", Topics: []string{"t"}},
		}
	}
	for _, tc := range []struct {
		assignor string
		want     map[string][]protocol.TopicPartition
	}{
		{AssignorRange, map[string][]protocol.TopicPartition{"m-static": tps(0, 1), "host-2": tps(2, 3), "a-dynamic": tps(4)}},
		{AssignorRoundRobin, map[string][]protocol.TopicPartition{"m-static": tps(0, 3), "host-2": tps(1, 4), "a-dynamic": tps(2)}},
	} {
		for _, restarted := range []string{"b-first", "z-later"} {
			got := Assign(tc.assignor, members(restarted), map[string]int32{"t": 5})
			got["host-2"] = got[restarted]
			delete(got, restarted)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s with host-2 as member %s: %v, want %v", tc.assignor, restarted, got, tc.want)
			}
		}
	}
}
