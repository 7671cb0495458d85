package controller

import (
	"maps"
	"slices"

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

// startPreVote asks the other voters whether they would vote for this
// controller in the next epoch, without bumping its own (KIP-996). A node
// that was cut off cannot disturb a quorum that still has a leader.
func (c *Controller) startPreVote() {
	c.token++
	c.role = candidate
	c.preVote = true
	c.leaderID = -1
	c.votes = map[int32]bool{c.settings.ID: true}
	c.sendVotes(true)
	if len(c.votes) >= c.majority() {
		c.startElection()
		return
	}
	c.armElectionTimer()
}

// startElection stands in a new epoch once a pre-vote succeeded.
func (c *Controller) startElection() {
	c.token++
	c.role = candidate
	c.preVote = false
	c.leaderID = -1
	c.disk.Epoch++
	c.disk.VotedFor = c.settings.ID
	c.votes = map[int32]bool{c.settings.ID: true}
	c.record("election", "candidate epoch %d", c.disk.Epoch)
	c.sendVotes(false)
	if len(c.votes) >= c.majority() {
		c.becomeLeader()
		return
	}
	c.armElectionTimer()
}

func (c *Controller) sendVotes(preVote bool) {
	epoch := c.disk.Epoch
	if preVote {
		epoch++
	}
	for _, v := range c.settings.Voters {
		if v != c.settings.ID {
			c.sim.Send(c.node, c.settings.ControllerNode(v), &protocol.VoteRequest{
				CandidateID: c.settings.ID, CandidateEpoch: epoch, LastOffset: c.log.EndOffset(), PreVote: preVote})
		}
	}
}

// hasHealthyLeader reports whether this voter leads, or follows a leader
// it can still reach; such a voter refuses pre-votes.
func (c *Controller) hasHealthyLeader() bool {
	if c.role == leader {
		return c.stillLeader()
	}
	if c.role != follower || c.leaderID < 0 {
		return false
	}
	return c.leaderHealthy()
}

// leaderHealthy reports whether the leader this follower follows would
// still answer its fetches: reachable, and the same process (a restarted
// controller comes back as a follower, not as leader).
//
// Followers fetch from the leader continuously; those fetches fail once
// the leader resigned or lost its epoch. Since the stream is not simulated
// request by request, the quorum's shared state stands in for their answers.
func (c *Controller) leaderHealthy() bool {
	node := c.settings.ControllerNode(c.leaderID)
	return c.sim.Reachable(c.node, node) && c.sim.Incarnation(node) == c.leaderIncarnation &&
		c.log.Leader == c.leaderID && c.log.Epoch == c.disk.Epoch
}

func (c *Controller) onVoteRequest(from sim.NodeID, m *protocol.VoteRequest) {
	resp := &protocol.VoteResponse{VoterID: c.settings.ID, PreVote: m.PreVote, LeaderID: -1}
	if c.hasHealthyLeader() {
		resp.LeaderID = c.leaderID
	}
	switch {
	case m.PreVote:
		resp.VoteGranted = m.CandidateEpoch > c.disk.Epoch && resp.LeaderID < 0
	case m.CandidateEpoch < c.disk.Epoch:
	default:
		if m.CandidateEpoch > c.disk.Epoch {
			c.stepDown(m.CandidateEpoch, -1)
			resp.LeaderID = -1
		}
		if c.disk.VotedFor == -1 || c.disk.VotedFor == m.CandidateID {
			c.disk.VotedFor = m.CandidateID
			resp.VoteGranted = true
		}
	}
	resp.Epoch = c.disk.Epoch
	c.sim.Send(c.node, from, resp)
}

func (c *Controller) onVoteResponse(m *protocol.VoteResponse) {
	if !m.PreVote && m.Epoch > c.disk.Epoch {
		c.stepDown(m.Epoch, -1)
		return
	}
	if c.role != candidate || m.PreVote != c.preVote {
		return
	}
	if !m.VoteGranted {
		if m.LeaderID >= 0 && m.LeaderID != c.settings.ID && m.Epoch >= c.disk.Epoch {
			c.stepDown(m.Epoch, m.LeaderID)
		}
		return
	}
	if !m.PreVote && m.Epoch != c.disk.Epoch {
		return
	}
	c.votes[m.VoterID] = true
	if len(c.votes) < c.majority() {
		return
	}
	if c.preVote {
		c.startElection()
	} else {
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
		if c.log.Leader == c.settings.ID {
			c.log.Leader = -1
		}
		c.record("resign", "epoch %d", c.disk.Epoch)
		c.resetLeaderState()
	}
	if leaderID >= 0 {
		node := c.settings.ControllerNode(leaderID)
		c.leaderIncarnation = c.sim.Incarnation(node)
		c.sim.WatchLink(c.node, node, leaderLinkBroken{token: c.token})
	} else {
		c.armElectionTimer()
	}
}

// resetLeaderState forgets what only the active controller keeps and
// rebuilds the image from committed records.
func (c *Controller) resetLeaderState() {
	c.sessions = map[int32]*session{}
	c.pending = nil
	// In broker order: map order must not reach the network.
	for _, id := range slices.Sorted(maps.Keys(c.parked)) {
		p := c.parked[id]
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
	if c.leaderID >= 0 && c.leaderHealthy() {
		c.sim.WatchLink(c.node, c.settings.ControllerNode(c.leaderID), leaderLinkBroken{token: c.token})
		return
	}
	c.startPreVote()
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
