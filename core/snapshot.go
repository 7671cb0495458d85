package core

// Restored finishes a cluster read back from a snapshot (core/snapshot):
// what a snapshot does not carry — the PRNG's view of its state and the
// wire observer of eavesdroppers — is set up again. The host's own hooks
// (a trace sink, an invariant checker) are the host's to set again.
func (c *Cluster) Restored() {
	c.sim.Restored()
	if len(c.eavesdroppers) > 0 {
		c.sim.SetTap(c.tap)
	}
}
