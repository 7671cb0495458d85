package metadata

import (
	"errors"
	"fmt"
	"math/rand/v2"
)

// PlacementRand returns the random source of one topic's replica
// placement. Kafka draws the start index and shift at random; here they
// come from the cluster seed and the topic name, so a topic lands the same
// way whatever else the run did before (and a scenario that names the
// leader of "orders-0" keeps holding as the engine evolves).
func PlacementRand(seed uint64, topic string) *rand.Rand {
	h := uint64(14695981039346656037)
	for i := 0; i < len(topic); i++ {
		h ^= uint64(topic[i])
		h *= 1099511628211
	}
	return rand.New(rand.NewPCG(seed, h))
}

// PlaceReplicas assigns replicas to brokers as Kafka's rack-unaware
// assignment does (AdminUtils.assignReplicasToBrokersRackUnaware): the
// first replica of each partition goes round-robin over the brokers from a
// random start, the others follow at a shift that grows every time the
// partitions wrap around, so leaders and followers both spread evenly.
func PlaceReplicas(rng *rand.Rand, brokers []int32, partitions int32, replicationFactor int16) ([][]int32, error) {
	n := int32(len(brokers))
	if replicationFactor < 1 || int32(replicationFactor) > n {
		return nil, fmt.Errorf("Unable to replicate the partition %d time(s): The target replication factor of %d cannot be reached because only %d broker(s) are registered.",
			replicationFactor, replicationFactor, n)
	}
	startIndex := rng.Int32N(n)
	nextReplicaShift := rng.Int32N(n)
	out := make([][]int32, partitions)
	for p := int32(0); p < partitions; p++ {
		if p > 0 && p%n == 0 {
			nextReplicaShift++
		}
		first := (p + startIndex) % n
		replicas := []int32{brokers[first]}
		for j := int32(0); j < int32(replicationFactor)-1; j++ {
			replicas = append(replicas, brokers[replicaIndex(first, nextReplicaShift, j, n)])
		}
		out[p] = replicas
	}
	return out, nil
}

func replicaIndex(first, secondReplicaShift, replicaIndex, n int32) int32 {
	shift := 1 + (secondReplicaShift+replicaIndex)%(n-1)
	return (first + shift) % n
}

// Election is the outcome of a leader election.
type Election struct {
	Leader  int32
	Isr     []int32
	Unclean bool
}

// ElectLeader chooses a partition's leader as Kafka's controllers do: the
// first replica, in assignment order, that is usable and in the ISR; failing
// that, when unclean election is allowed, the first usable replica at all
// (whose log may miss acknowledged records). The ISR never becomes empty:
// without a leader it keeps its last member, as Kafka does.
func ElectLeader(p *Partition, usable func(int32) bool, uncleanAllowed bool) Election {
	for _, r := range p.Replicas {
		if usable(r) && Contains(p.Isr, r) {
			isr := make([]int32, 0, len(p.Isr))
			for _, m := range p.Isr {
				if usable(m) {
					isr = append(isr, m)
				}
			}
			return Election{Leader: r, Isr: isr}
		}
	}
	if uncleanAllowed {
		for _, r := range p.Replicas {
			if usable(r) {
				return Election{Leader: r, Isr: []int32{r}, Unclean: true}
			}
		}
	}
	isr := make([]int32, 0, len(p.Isr))
	for _, m := range p.Isr {
		if usable(m) {
			isr = append(isr, m)
		}
	}
	if len(isr) == 0 && len(p.Isr) > 0 {
		isr = []int32{p.Isr[len(p.Isr)-1]}
		if Contains(p.Isr, p.Leader) {
			isr = []int32{p.Leader}
		}
	}
	return Election{Leader: -1, Isr: isr}
}

// Policy answers the per-topic questions elections ask.
type Policy struct {
	// UncleanAllowed reports whether a topic allows unclean leader election.
	UncleanAllowed func(topic string) bool
}

// EachPartition calls fn for every partition, in topic then partition order.
func (im *Image) EachPartition(fn func(topic string, index int32, p *Partition)) {
	for _, name := range im.TopicNames() {
		t := im.Topics[name]
		for i := range t.Partitions {
			fn(name, int32(i), &t.Partitions[i])
		}
	}
}

// Change returns the record moving p to election e, or nil if nothing
// changes.
func Change(topic string, index int32, p *Partition, e Election) Record {
	r := &PartitionChangeRecord{Topic: topic, Partition: index, Leader: NoLeaderChange, Unclean: e.Unclean}
	changed := false
	if e.Leader != p.Leader {
		r.Leader = e.Leader
		changed = true
	}
	if !EqualIDs(e.Isr, p.Isr) {
		r.Isr = e.Isr
		changed = true
	}
	if !changed {
		return nil
	}
	return r
}

// EqualIDs reports whether two id lists are equal, in order.
func EqualIDs(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// ChangesWithout takes broker out of every partition's leadership and
// ISR, electing new leaders from the ISR: what a fenced, dead or
// shutting-down broker gets. A partition whose only ISR member it is keeps
// it in the ISR, leaderless.
func (im *Image) ChangesWithout(broker int32, policy Policy) []Record {
	usable := func(id int32) bool { return id != broker && im.Usable(id) }
	var records []Record
	im.EachPartition(func(topic string, index int32, p *Partition) {
		if p.Leader != broker && !Contains(p.Isr, broker) {
			return
		}
		var e Election
		if p.Leader == broker || p.Leader == -1 {
			e = ElectLeader(p, usable, policy.UncleanAllowed(topic))
		} else {
			e = Election{Leader: p.Leader, Isr: Without(p.Isr, broker)}
		}
		if r := Change(topic, index, p, e); r != nil {
			records = append(records, r)
		}
	})
	return records
}

// ElectionsFor elects leaders for leaderless partitions once broker is
// usable again (it was the last in their ISR, or unclean election allows it).
func (im *Image) ElectionsFor(broker int32, policy Policy) []Record {
	var records []Record
	im.EachPartition(func(topic string, index int32, p *Partition) {
		if p.Leader != -1 || !Contains(p.Replicas, broker) {
			return
		}
		e := ElectLeader(p, im.Usable, policy.UncleanAllowed(topic))
		if r := Change(topic, index, p, e); r != nil {
			records = append(records, r)
		}
	})
	return records
}

// UncleanElections elects leaders for every leaderless partition whose
// topic allows unclean election.
func (im *Image) UncleanElections(policy Policy) []Record {
	var records []Record
	im.EachPartition(func(topic string, index int32, p *Partition) {
		if p.Leader != -1 || !policy.UncleanAllowed(topic) {
			return
		}
		e := ElectLeader(p, im.Usable, true)
		if r := Change(topic, index, p, e); r != nil {
			records = append(records, r)
		}
	})
	return records
}

// PreferredElection moves leadership back to the first replica when it is
// usable and in the ISR; ok is false with the reason's name otherwise.
func (im *Image) PreferredElection(topic string, index int32) (Record, string) {
	p := im.Partition(topic, index)
	preferred := p.Replicas[0]
	if p.Leader == preferred {
		return nil, "ELECTION_NOT_NEEDED"
	}
	if !im.Usable(preferred) || !Contains(p.Isr, preferred) {
		return nil, "PREFERRED_LEADER_NOT_AVAILABLE"
	}
	return &PartitionChangeRecord{Topic: topic, Partition: index, Leader: preferred}, ""
}

// ImbalancedPreferredElections returns the preferred elections that
// auto.leader.rebalance.enable's check makes: for brokers whose share of
// partitions they should lead but do not exceeds percentage.
func (im *Image) ImbalancedPreferredElections(percentage int64) []Record {
	preferredCount := map[int32]int64{}
	notLeading := map[int32]int64{}
	im.EachPartition(func(topic string, index int32, p *Partition) {
		preferred := p.Replicas[0]
		preferredCount[preferred]++
		if p.Leader != preferred {
			notLeading[preferred]++
		}
	})
	var records []Record
	im.EachPartition(func(topic string, index int32, p *Partition) {
		preferred := p.Replicas[0]
		if notLeading[preferred]*100 <= percentage*preferredCount[preferred] {
			return
		}
		if r, reason := im.PreferredElection(topic, index); reason == "" {
			records = append(records, r)
		}
	})
	return records
}

// LeadsAnything reports whether broker leads any partition.
func (im *Image) LeadsAnything(broker int32) bool {
	leads := false
	im.EachPartition(func(topic string, index int32, p *Partition) {
		leads = leads || p.Leader == broker
	})
	return leads
}

// Errors of AddPartitions besides placement errors; they wrap the message.
var (
	ErrUnknownTopic      = errors.New("unknown topic")
	ErrInvalidPartitions = errors.New("invalid partition count")
)

// AddPartitions plans CreatePartitions for one topic: the records of the
// partitions that take it to count in all, placed over the usable brokers
// as its first ones were (leaders round-robin, followers staggered) with
// the topic's replication factor. A count not above the current one fails,
// as Kafka never removes partitions.
func (im *Image) AddPartitions(seed uint64, topic string, count int32) ([]Record, error) {
	t := im.Topics[topic]
	if t == nil {
		return nil, fmt.Errorf("%w: The topic '%s' does not exist.", ErrUnknownTopic, topic)
	}
	have := int32(len(t.Partitions))
	switch {
	case count < have:
		return nil, fmt.Errorf("%w: Topic currently has %d partitions, which is higher than the requested %d.", ErrInvalidPartitions, have, count)
	case count == have:
		return nil, fmt.Errorf("%w: Topic already has %d partitions.", ErrInvalidPartitions, have)
	}
	rf := int16(len(t.Partitions[0].Replicas))
	assignment, err := PlaceReplicas(PlacementRand(seed, fmt.Sprintf("%s#%d", topic, have)), im.UsableBrokers(), count, rf)
	if err != nil {
		return nil, err
	}
	var records []Record
	for p := have; p < count; p++ {
		replicas := assignment[p]
		records = append(records, &PartitionRecord{Topic: topic, Partition: p, Replicas: replicas,
			Isr: append([]int32(nil), replicas...), Leader: replicas[0]})
	}
	return records, nil
}
