package controller

import (
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/sim"
)

// armElectionTimer waits controller.quorum.election.timeout.ms plus a
// random jitter of up to as much again, as KRaft does, before standing.
func (c *Controller) armElectionTimer() {
	jitter := c.sim.Rand().Int64N(c.settings.ElectionTimeoutMs + 1)
	c.sim.SetTimer(c.node, c.settings.ElectionTimeoutMs+jitter, electionTimeout{token: c.token})
}

func (c *Controller) majority() int { return len(c.settings.Voters)/2 + 1 }

// stillLeader reports whether this controller leads the quorum's current
// epoch: a deposed leader that has not noticed yet may not append.
func (c *Controller) stillLeader() bool {
	return c.role == leader && c.log.Epoch == c.disk.Epoch && c.log.Leader == c.settings.ID
}

func (c *Controller) startElection() {
	c.token++
	c.role = candidate
	c.leaderID = -1
	c.disk.Epoch++
	c.disk.VotedFor = c.settings.ID
	c.votes = map[int32]bool{c.settings.ID: true}
	c.record("election", "candidate epoch %d", c.disk.Epoch)
	for _, v := range c.settings.Voters {
		if v != c.settings.ID {
			c.sim.Send(c.node, c.settings.ControllerNode(v), &protocol.VoteRequest{
				CandidateID: c.settings.ID, CandidateEpoch: c.disk.Epoch, LastOffset: c.log.EndOffset()})
		}
	}
	if len(c.votes) >= c.majority() {
		c.becomeLeader()
		return
	}
	c.armElectionTimer()
}

// hasHealthyLeader reports whether this voter is following a leader it can
// still reach; such a voter refuses to vote (KIP-996 pre-vote), so that a
// node cut off for a while cannot depose a working leader on its return.
func (c *Controller) hasHealthyLeader() bool {
	if c.role == leader {
		return true
	}
	if c.role != follower || c.leaderID < 0 {
		return false
	}
	return c.sim.Reachable(c.node, c.settings.ControllerNode(c.leaderID))
}

func (c *Controller) onVoteRequest(from sim.NodeID, m *protocol.VoteRequest) {
	granted := false
	switch {
	case m.CandidateEpoch < c.disk.Epoch:
	case c.hasHealthyLeader():
	default:
		if m.CandidateEpoch > c.disk.Epoch {
			c.stepDown(m.CandidateEpoch, -1)
		}
		if c.disk.VotedFor == -1 || c.disk.VotedFor == m.CandidateID {
			c.disk.VotedFor = m.CandidateID
			granted = true
		}
	}
	c.sim.Send(c.node, from, &protocol.VoteResponse{VoterID: c.settings.ID, Epoch: c.disk.Epoch, VoteGranted: granted})
	if !granted && c.role == leader {
		// Tell the candidate who leads, as a fetch response would.
		c.sim.Send(c.node, from, &protocol.BeginQuorumEpochRequest{LeaderID: c.settings.ID, LeaderEpoch: c.disk.Epoch})
	}
}

func (c *Controller) onVoteResponse(m *protocol.VoteResponse) {
	if m.Epoch > c.disk.Epoch {
		c.stepDown(m.Epoch, -1)
		c.armElectionTimer()
		return
	}
	if c.role != candidate || m.Epoch != c.disk.Epoch || !m.VoteGranted {
		return
	}
	c.votes[m.VoterID] = true
	if len(c.votes) >= c.majority() {
		c.becomeLeader()
	}
}

// stepDown moves to epoch as a follower of leaderID (-1: unknown).
func (c *Controller) stepDown(epoch int32, leaderID int32) {
	wasLeader := c.role == leader
	if epoch > c.disk.Epoch {
		c.disk.Epoch = epoch
		c.disk.VotedFor = -1
	}
	c.token++
	c.role = follower
	c.leaderID = leaderID
	if wasLeader {
		c.record("resign", "epoch %d", c.disk.Epoch)
		c.resetLeaderState()
	}
	if leaderID >= 0 {
		c.sim.WatchLink(c.node, c.settings.ControllerNode(leaderID), leaderLinkBroken{token: c.token})
	} else {
		c.armElectionTimer()
	}
}

// resetLeaderState forgets what only the active controller keeps and
// rebuilds the image from committed records.
func (c *Controller) resetLeaderState() {
	c.sessions = map[int32]*session{}
	c.pending = nil
	for _, p := range c.parked {
		c.sim.Send(c.node, p.from, &protocol.MetadataFetchResponse{CorrelationID: p.req.CorrelationID,
			Error: protocol.NotLeaderOrFollower, LeaderID: c.leaderID, LeaderEpoch: c.disk.Epoch})
	}
	c.parked = map[int32]parkedFetch{}
	c.image = newImageFrom(c.log, c.log.Committed)
}

func (c *Controller) onBeginQuorumEpoch(m *protocol.BeginQuorumEpochRequest) {
	if m.LeaderEpoch < c.disk.Epoch || (m.LeaderEpoch == c.disk.Epoch && c.role == leader) {
		return
	}
	c.stepDown(m.LeaderEpoch, m.LeaderID)
}

func (c *Controller) becomeLeader() {
	c.token++
	c.role = leader
	c.leaderID = c.settings.ID
	c.log.Epoch = c.disk.Epoch
	c.log.Leader = c.settings.ID
	c.record("elected", "active controller epoch %d", c.disk.Epoch)
	for _, v := range c.settings.Voters {
		if v == c.settings.ID {
			continue
		}
		node := c.settings.ControllerNode(v)
		c.sim.Send(c.node, node, &protocol.BeginQuorumEpochRequest{LeaderID: c.settings.ID, LeaderEpoch: c.disk.Epoch})
	}
	c.watchedVoters = map[int32]bool{}
	c.quorumCheckPending = false
	c.watchVoters()
	// Records a previous leader appended are committed by the new one.
	c.sim.SetTimer(c.node, c.settings.CommitDelayMs, commitDone{epoch: c.disk.Epoch, upTo: c.log.EndOffset()})
	c.catchUp()
	c.startSessions()
	if c.settings.LeaderImbalanceCheckIntervalMs > 0 {
		c.sim.SetTimer(c.node, c.settings.LeaderImbalanceCheckIntervalMs, rebalanceTick{token: c.token})
	}
}

// onLeaderCheck runs controller.quorum.fetch.timeout.ms after the link to
// the leader broke: if the leader is still out of reach, stand for election.
func (c *Controller) onLeaderCheck(token uint64) {
	if token != c.token || c.role != follower {
		return
	}
	if c.leaderID >= 0 && c.sim.Reachable(c.node, c.settings.ControllerNode(c.leaderID)) {
		c.sim.WatchLink(c.node, c.settings.ControllerNode(c.leaderID), leaderLinkBroken{token: c.token})
		return
	}
	c.startElection()
}

// watchVoters watches the link to every reachable voter not yet watched,
// and schedules a quorum check while some voter is out of reach.
func (c *Controller) watchVoters() {
	unreachable := false
	for _, v := range c.settings.Voters {
		if v == c.settings.ID {
			continue
		}
		node := c.settings.ControllerNode(v)
		if !c.sim.Reachable(c.node, node) {
			unreachable = true
			continue
		}
		if !c.watchedVoters[v] {
			c.watchedVoters[v] = true
			c.sim.WatchLink(c.node, node, voterLinkBroken{token: c.token, voter: v})
		}
	}
	if unreachable {
		c.scheduleQuorumCheck()
	}
}

func (c *Controller) scheduleQuorumCheck() {
	if !c.quorumCheckPending {
		c.quorumCheckPending = true
		c.sim.SetTimer(c.node, c.settings.FetchTimeoutMs*3/2, quorumCheck{token: c.token})
	}
}

// onQuorumCheck runs 1.5 x fetch timeout after a voter's link broke: a
// leader that cannot reach a majority resigns (KRaft's check quorum).
func (c *Controller) onQuorumCheck(token uint64) {
	if token != c.token || c.role != leader {
		return
	}
	c.quorumCheckPending = false
	reachable := 1
	for _, v := range c.settings.Voters {
		if v != c.settings.ID && c.sim.Reachable(c.node, c.settings.ControllerNode(v)) {
			reachable++
		}
	}
	if reachable < c.majority() || !c.stillLeader() {
		c.stepDown(c.disk.Epoch, -1)
		return
	}
	c.watchVoters()
}
