package metadata

import (
	"fmt"
	"math/rand/v2"
)

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
