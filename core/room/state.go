package room

import (
	"errors"
	"fmt"

	"github.com/kafka-playground/playground/core/scenario"
	"github.com/kafka-playground/playground/core/snapshot"
)

// StateSnapshot returns the replica's whole state — its journal's texts
// and actors, its session with the cluster, its gateway — as bytes
// (core/snapshot): RestoreState reads them back into a replica that
// applies the inputs after them exactly as this one would. It is what a
// host stores so that a restart need not replay the journal (rule 3);
// the journal stays the truth, and a state snapshot of another build of
// the engine is refused (snapshot.ErrOtherEngine).
func (r *Replica) StateSnapshot() ([]byte, error) { return snapshot.Encode(r) }

// StateSnapshotAtMost is StateSnapshot of at most limit bytes: past it,
// snapshot.ErrTooLarge, found without encoding the rest of the state.
func (r *Replica) StateSnapshotAtMost(limit int) ([]byte, error) {
	return snapshot.EncodeAtMost(r, limit)
}

// RestoreState reads a StateSnapshot back; options are the host's hooks
// on the session, as RestoreWith takes them. Its gateway keeps no
// responses, as a new replica's does not, whatever the replica that took
// the snapshot did (a host that writes them to sockets calls
// TrackGatewayResponses).
func RestoreState(data []byte, options scenario.Options) (*Replica, error) {
	r := &Replica{}
	if err := snapshot.Decode(data, r); err != nil {
		return nil, err
	}
	if r.header == nil || len(r.actors) != len(r.texts) {
		return nil, errors.New("room: not the state snapshot of a replica")
	}
	if err := r.session.Restored(options); err != nil {
		return nil, err
	}
	r.options = options
	r.gateway.track = false
	if r.gateway.gateway != nil {
		r.gateway.gateway.TrackResponses(false)
	}
	return r, nil
}

// ApplyStored applies stored inputs of a journal, one by one, as they
// were applied live (a run of ticks as its ticks): what a host does with
// the inputs stored after a state snapshot once RestoreState has read it.
func (r *Replica) ApplyStored(inputs []Input) error {
	for i, input := range inputs {
		if err := r.replay(input); err != nil {
			return fmt.Errorf("room: stored input %d after the snapshot does not apply: %w", i, err)
		}
	}
	return nil
}
