package metadata

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Config resource types, with the values of Kafka's ConfigResource.Type.
const (
	ResourceTopic  int8 = 2
	ResourceBroker int8 = 4
)

// Broker is one broker's registration.
type Broker struct {
	ID                   int32
	Epoch                int64
	Fenced               bool
	InControlledShutdown bool
}

// Usable reports whether the broker may lead partitions and be in ISRs.
func (b *Broker) Usable() bool { return b != nil && !b.Fenced && !b.InControlledShutdown }

// Partition is one partition's replication state.
type Partition struct {
	Replicas       []int32
	Isr            []int32
	Leader         int32
	LeaderEpoch    int32
	PartitionEpoch int32
	// UncleanElections counts leaders elected from outside the ISR, so the
	// data loss they may cause is shown rather than hidden.
	UncleanElections int32
}

// Topic is one topic: its id, partitions and explicitly set configs.
type Topic struct {
	Name       string
	ID         string
	Partitions []Partition
	Config     map[string]string
}

// Image is the metadata as of Offset, the last applied record.
type Image struct {
	Brokers map[int32]*Broker
	Topics  map[string]*Topic
	// BrokerConfig holds dynamic broker configs; key "" is the cluster default.
	BrokerConfig map[string]map[string]string
	Offset       int64
	// security holds SCRAM credentials and ACLs.
	security securityState
}

// NewImage returns an empty image.
func NewImage() *Image {
	return &Image{Brokers: map[int32]*Broker{}, Topics: map[string]*Topic{},
		BrokerConfig: map[string]map[string]string{}, Offset: -1}
}

// Clone returns a deep copy.
func (im *Image) Clone() *Image {
	out := NewImage()
	out.Offset = im.Offset
	for id, b := range im.Brokers {
		c := *b
		out.Brokers[id] = &c
	}
	for name, t := range im.Topics {
		c := &Topic{Name: t.Name, ID: t.ID, Config: copyMap(t.Config)}
		c.Partitions = make([]Partition, len(t.Partitions))
		for i, p := range t.Partitions {
			c.Partitions[i] = p
			c.Partitions[i].Replicas = append([]int32(nil), p.Replicas...)
			c.Partitions[i].Isr = append([]int32(nil), p.Isr...)
		}
		out.Topics[name] = c
	}
	for k, m := range im.BrokerConfig {
		out.BrokerConfig[k] = copyMap(m)
	}
	out.security = im.security.clone()
	return out
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Apply applies one record at offset.
func (im *Image) Apply(offset int64, r Record) {
	im.Offset = offset
	switch r := r.(type) {
	case *RegisterBrokerRecord:
		im.Brokers[r.BrokerID] = &Broker{ID: r.BrokerID, Epoch: r.BrokerEpoch, Fenced: true}
	case *FenceBrokerRecord:
		if b := im.Brokers[r.BrokerID]; b != nil && b.Epoch == r.BrokerEpoch {
			b.Fenced = true
		}
	case *UnfenceBrokerRecord:
		if b := im.Brokers[r.BrokerID]; b != nil && b.Epoch == r.BrokerEpoch {
			b.Fenced = false
		}
	case *ControlledShutdownRecord:
		if b := im.Brokers[r.BrokerID]; b != nil && b.Epoch == r.BrokerEpoch {
			b.InControlledShutdown = true
		}
	case *TopicRecord:
		im.Topics[r.Name] = &Topic{Name: r.Name, ID: r.TopicID, Config: map[string]string{}}
	case *PartitionRecord:
		t := im.Topics[r.Topic]
		if t == nil {
			return // the topic is gone (a record for it arrived late)
		}
		for int32(len(t.Partitions)) <= r.Partition {
			t.Partitions = append(t.Partitions, Partition{})
		}
		t.Partitions[r.Partition] = Partition{Replicas: r.Replicas, Isr: r.Isr, Leader: r.Leader,
			LeaderEpoch: r.LeaderEpoch, PartitionEpoch: r.PartitionEpoch}
	case *PartitionChangeRecord:
		t := im.Topics[r.Topic]
		if t == nil || r.Partition < 0 || int(r.Partition) >= len(t.Partitions) {
			return // the topic is gone (a record for it arrived late)
		}
		p := &t.Partitions[r.Partition]
		if r.Leader != NoLeaderChange {
			p.Leader = r.Leader
			p.LeaderEpoch++
		}
		if r.Isr != nil {
			p.Isr = r.Isr
		}
		if r.Unclean {
			p.UncleanElections++
		}
		if r.PartitionEpoch > 0 {
			p.PartitionEpoch = r.PartitionEpoch
		} else {
			p.PartitionEpoch++
		}
	case *RemoveTopicRecord:
		delete(im.Topics, r.Name)
	case *ConfigRecord:
		im.applyConfig(r)
	default:
		if im.security.apply(r) {
			return
		}
		panic(fmt.Sprintf("metadata: unknown record %T", r))
	}
}

func (im *Image) applyConfig(r *ConfigRecord) {
	var m map[string]string
	if r.ResourceType == ResourceTopic {
		t := im.Topics[r.ResourceName]
		if t == nil {
			return
		}
		m = t.Config
	} else {
		m = im.BrokerConfig[r.ResourceName]
		if m == nil {
			m = map[string]string{}
			im.BrokerConfig[r.ResourceName] = m
		}
	}
	if r.Delete {
		delete(m, r.Name)
	} else {
		m[r.Name] = r.Value
	}
}

// TopicNames returns the topic names, sorted.
func (im *Image) TopicNames() []string {
	names := make([]string, 0, len(im.Topics))
	for n := range im.Topics {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// BrokerIDs returns the registered broker ids, sorted.
func (im *Image) BrokerIDs() []int32 {
	ids := make([]int32, 0, len(im.Brokers))
	for id := range im.Brokers {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// UsableBrokers returns the ids of unfenced brokers not shutting down, sorted.
func (im *Image) UsableBrokers() []int32 {
	var ids []int32
	for _, id := range im.BrokerIDs() {
		if im.Brokers[id].Usable() {
			ids = append(ids, id)
		}
	}
	return ids
}

// Usable reports whether broker id may lead and be in ISRs.
func (im *Image) Usable(id int32) bool { return im.Brokers[id].Usable() }

// Partition returns a partition's state, or nil.
func (im *Image) Partition(topic string, partition int32) *Partition {
	t := im.Topics[topic]
	if t == nil || partition < 0 || int(partition) >= len(t.Partitions) {
		return nil
	}
	return &t.Partitions[partition]
}

// Describe methods give the trace text of each record.

// Describe implements Record.
func (r *RegisterBrokerRecord) Describe() string {
	return fmt.Sprintf("register broker %d epoch %d", r.BrokerID, r.BrokerEpoch)
}

// Describe implements Record.
func (r *FenceBrokerRecord) Describe() string { return fmt.Sprintf("fence broker %d", r.BrokerID) }

// Describe implements Record.
func (r *UnfenceBrokerRecord) Describe() string { return fmt.Sprintf("unfence broker %d", r.BrokerID) }

// Describe implements Record.
func (r *ControlledShutdownRecord) Describe() string {
	return fmt.Sprintf("controlled shutdown broker %d", r.BrokerID)
}

// Describe implements Record.
func (r *TopicRecord) Describe() string { return "topic " + r.Name }

// Describe implements Record.
func (r *PartitionRecord) Describe() string {
	return fmt.Sprintf("partition %s-%d replicas %s isr %s leader %d", r.Topic, r.Partition,
		FormatIDs(r.Replicas), FormatIDs(r.Isr), r.Leader)
}

// Describe implements Record.
func (r *PartitionChangeRecord) Describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "partition change %s-%d", r.Topic, r.Partition)
	if r.Leader != NoLeaderChange {
		fmt.Fprintf(&b, " leader %d", r.Leader)
	}
	if r.Isr != nil {
		b.WriteString(" isr " + FormatIDs(r.Isr))
	}
	if r.Unclean {
		b.WriteString(" unclean")
	}
	return b.String()
}

// Describe implements Record.
func (r *RemoveTopicRecord) Describe() string { return "remove topic " + r.Name }

// Describe implements Record.
func (r *ConfigRecord) Describe() string {
	target := "cluster"
	switch {
	case r.ResourceType == ResourceTopic:
		target = "topic " + r.ResourceName
	case r.ResourceName != "":
		target = "broker " + r.ResourceName
	}
	if r.Delete {
		return fmt.Sprintf("config %s delete %s", target, r.Name)
	}
	return fmt.Sprintf("config %s %s=%s", target, r.Name, r.Value)
}

// FormatIDs prints broker ids as the trace does: "[1 2 3]".
func FormatIDs(ids []int32) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Itoa(int(id)))
	}
	b.WriteByte(']')
	return b.String()
}

// Contains reports whether ids holds id.
func Contains(ids []int32, id int32) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// Without returns ids less id, in order, as a new slice.
func Without(ids []int32, id int32) []int32 {
	out := make([]int32, 0, len(ids))
	for _, x := range ids {
		if x != id {
			out = append(out, x)
		}
	}
	return out
}

// Sorted returns a sorted copy of ids.
func Sorted(ids []int32) []int32 {
	out := append([]int32(nil), ids...)
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Records returns records that rebuild the image from nothing: what a new
// ZooKeeper-mode controller sends brokers.
func (im *Image) Records() []Record {
	var out []Record
	for _, id := range im.BrokerIDs() {
		b := im.Brokers[id]
		out = append(out, &RegisterBrokerRecord{BrokerID: id, BrokerEpoch: b.Epoch})
		if !b.Fenced {
			out = append(out, &UnfenceBrokerRecord{BrokerID: id, BrokerEpoch: b.Epoch})
		}
		if b.InControlledShutdown {
			out = append(out, &ControlledShutdownRecord{BrokerID: id, BrokerEpoch: b.Epoch})
		}
	}
	for _, name := range im.TopicNames() {
		t := im.Topics[name]
		out = append(out, &TopicRecord{Name: name, TopicID: t.ID})
		for i, p := range t.Partitions {
			out = append(out, &PartitionRecord{Topic: name, Partition: int32(i), Replicas: p.Replicas, Isr: p.Isr,
				Leader: p.Leader, LeaderEpoch: p.LeaderEpoch, PartitionEpoch: p.PartitionEpoch})
		}
		for _, k := range sortedConfigKeys(t.Config) {
			out = append(out, &ConfigRecord{ResourceType: ResourceTopic, ResourceName: name, Name: k, Value: t.Config[k]})
		}
	}
	var resources []string
	for r := range im.BrokerConfig {
		resources = append(resources, r)
	}
	sort.Strings(resources)
	for _, r := range resources {
		for _, k := range sortedConfigKeys(im.BrokerConfig[r]) {
			out = append(out, &ConfigRecord{ResourceType: ResourceBroker, ResourceName: r, Name: k, Value: im.BrokerConfig[r][k]})
		}
	}
	return append(out, im.securityRecords()...)
}

func sortedConfigKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
