package controller

import (
	"github.com/kafka-playground/playground/core/metadata"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/sim"
)

// session is the active controller's view of one broker's heartbeats.
//
// Brokers heartbeat every broker.heartbeat.interval.ms; while nothing
// changes the simulation does not send those heartbeats one by one but
// watches the link instead: when it breaks (the broker crashed or was cut
// off), the session expires broker.session.timeout.ms later unless the
// broker is back within reach by then, which is what the heartbeats
// would have shown.
type session struct {
	brokerID         int32
	node             sim.NodeID
	incarnation      uint32
	epoch            int64
	registeredOffset int64
	token            uint64
	// lastContactMs is when the broker last registered or heartbeated.
	lastContactMs int64
	// expiring marks a session whose expiry is already scheduled.
	expiring bool
}

func newImageFrom(log *Log, end int64) *metadata.Image {
	im := metadata.NewImage()
	for off := int64(0); off < end; off++ {
		im.Apply(off, log.Entries[off].Record)
	}
	return im
}

// startSessions gives every registered, unfenced broker a fresh session,
// as a new active controller does.
func (c *Controller) startSessions() {
	for _, id := range c.image.BrokerIDs() {
		b := c.image.Brokers[id]
		if b.Fenced {
			continue
		}
		node := c.settings.BrokerNode(id)
		s := &session{brokerID: id, node: node, incarnation: c.sim.Incarnation(node), epoch: b.Epoch, registeredOffset: b.Epoch + 1}
		c.sessions[id] = s
		c.watchSession(s)
	}
}

func (c *Controller) watchSession(s *session) {
	c.sessionSequence++
	s.token = c.sessionSequence
	c.sim.WatchLink(c.node, s.node, sessionLinkBroken{broker: s.brokerID, token: s.token})
}

func (c *Controller) onSessionLinkBroken(m sessionLinkBroken) {
	s := c.sessions[m.broker]
	if c.role != leader || s == nil || s.token != m.token {
		return
	}
	c.sim.SetTimer(c.node, c.settings.SessionTimeoutMs, sessionExpiry(m))
}

func (c *Controller) onSessionExpiry(m sessionExpiry) {
	s := c.sessions[m.broker]
	if c.role != leader || s == nil || s.token != m.token || !c.stillLeader() {
		return
	}
	if c.sim.Reachable(c.node, s.node) && c.sim.Incarnation(s.node) == s.incarnation {
		c.watchSession(s)
		return
	}
	delete(c.sessions, m.broker)
	if b := c.image.Brokers[m.broker]; b != nil && !b.Fenced {
		c.record("session", "broker %d session expired after %dms", m.broker, c.settings.SessionTimeoutMs)
	}
	c.catchUp()
	b := c.image.Brokers[m.broker]
	if b == nil || b.Fenced || b.Epoch != s.epoch {
		return
	}
	records := []metadata.Record{&metadata.FenceBrokerRecord{BrokerID: m.broker, BrokerEpoch: b.Epoch}}
	records = append(records, c.partitionChangesWithout(m.broker, false)...)
	c.append(records...)
}

func (c *Controller) onBrokerRegistration(from sim.NodeID, m *protocol.BrokerRegistrationRequest) {
	c.catchUp()
	if s := c.sessions[m.BrokerID]; s != nil && s.incarnation != m.IncarnationID {
		// The old process no longer heartbeats: its session ends
		// broker.session.timeout.ms after it last did.
		if c.sim.Incarnation(s.node) != s.incarnation && !s.expiring {
			s.expiring = true
			wait := s.lastContactMs + c.settings.SessionTimeoutMs - c.sim.Now()
			c.sim.SetTimer(c.node, max(wait, 0), sessionExpiry{broker: s.brokerID, token: s.token})
		}
		c.sim.Send(c.node, from, &protocol.BrokerRegistrationResponse{CorrelationID: m.CorrelationID,
			Error: protocol.DuplicateBrokerRegistration})
		return
	}
	// A new incarnation replaces the old registration: the old one leaves
	// leaderships and ISRs first, as when it is fenced.
	var records []metadata.Record
	if old := c.image.Brokers[m.BrokerID]; old != nil && !old.Fenced {
		records = append(records, &metadata.FenceBrokerRecord{BrokerID: m.BrokerID, BrokerEpoch: old.Epoch})
		records = append(records, c.partitionChangesWithout(m.BrokerID, false)...)
		c.append(records...)
	}
	epoch := c.log.EndOffset()
	end := c.append(&metadata.RegisterBrokerRecord{BrokerID: m.BrokerID, BrokerEpoch: epoch})
	s := &session{brokerID: m.BrokerID, node: from, incarnation: m.IncarnationID, epoch: epoch, registeredOffset: end, lastContactMs: c.sim.Now()}
	c.sessions[m.BrokerID] = s
	c.watchSession(s)
	c.respondAfter(end, from, &protocol.BrokerRegistrationResponse{CorrelationID: m.CorrelationID, BrokerEpoch: epoch})
}

func (c *Controller) onBrokerHeartbeat(from sim.NodeID, m *protocol.BrokerHeartbeatRequest) {
	c.catchUp()
	resp := &protocol.BrokerHeartbeatResponse{CorrelationID: m.CorrelationID}
	b := c.image.Brokers[m.BrokerID]
	s := c.sessions[m.BrokerID]
	if s == nil && b != nil && b.Epoch == m.BrokerEpoch {
		// A fenced broker whose session expired heartbeats again: it gets a
		// new session and, once caught up, is unfenced.
		s = &session{brokerID: b.ID, node: from, incarnation: c.sim.Incarnation(from), epoch: b.Epoch, registeredOffset: b.Epoch + 1}
		c.sessions[b.ID] = s
		c.watchSession(s)
	}
	if s != nil {
		s.lastContactMs = c.sim.Now()
	}
	if b == nil || s == nil || b.Epoch != m.BrokerEpoch {
		resp.Error = protocol.StaleBrokerEpoch
		c.sim.Send(c.node, from, resp)
		return
	}
	var records []metadata.Record
	caughtUp := m.CurrentMetadataOffset+1 >= s.registeredOffset
	if b.Fenced && caughtUp && !m.WantShutDown {
		records = append(records, &metadata.UnfenceBrokerRecord{BrokerID: b.ID, BrokerEpoch: b.Epoch})
	}
	if m.WantShutDown && !b.InControlledShutdown {
		records = append(records, &metadata.ControlledShutdownRecord{BrokerID: b.ID, BrokerEpoch: b.Epoch})
		records = append(records, c.partitionChangesWithout(b.ID, true)...)
	}
	end := c.log.Committed
	if len(records) > 0 {
		end = c.append(records...)
		if !m.WantShutDown {
			c.append(c.electionsFor(b.ID)...)
			end = c.log.EndOffset()
		}
	}
	resp.IsCaughtUp = caughtUp
	resp.ShouldShutDown = m.WantShutDown && !c.image.LeadsAnything(b.ID)
	if resp.ShouldShutDown && !c.image.Brokers[b.ID].Fenced {
		// The broker is about to stop: it is fenced now, so that a
		// restart can register at once instead of waiting for its
		// session to expire.
		end = c.append(&metadata.FenceBrokerRecord{BrokerID: b.ID, BrokerEpoch: b.Epoch})
		delete(c.sessions, b.ID)
	}
	resp.IsFenced = c.image.Brokers[b.ID].Fenced
	c.respondAfter(end, from, resp)
}

// onMetadataFetch serves a broker's fetch of committed metadata records,
// parking it while there is nothing new.
func (c *Controller) onMetadataFetch(from sim.NodeID, m *protocol.MetadataFetchRequest) {
	if m.FetchOffset >= c.log.Committed {
		c.parked[m.BrokerID] = parkedFetch{from: from, req: m}
		return
	}
	c.answerFetch(from, m)
}

const maxEntriesPerFetch = 2000

func (c *Controller) answerFetch(to sim.NodeID, m *protocol.MetadataFetchRequest) {
	end := c.log.Committed
	if end-m.FetchOffset > maxEntriesPerFetch {
		end = m.FetchOffset + maxEntriesPerFetch
	}
	start := m.FetchOffset
	if start < 0 {
		start = 0
	}
	entries := append([]protocol.MetadataEntry(nil), c.log.Entries[start:end]...)
	c.sim.Send(c.node, to, &protocol.MetadataFetchResponse{CorrelationID: m.CorrelationID,
		LeaderID: c.settings.ID, LeaderEpoch: c.disk.Epoch, HighWatermark: c.log.Committed, Entries: entries})
}

func (c *Controller) completeParkedFetches() {
	for _, id := range sortedKeys(c.parked) {
		p := c.parked[id]
		if p.req.FetchOffset < c.log.Committed {
			delete(c.parked, id)
			c.answerFetch(p.from, p.req)
		}
	}
}

func sortedKeys[V any](m map[int32]V) []int32 {
	keys := make([]int32, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
