package scenario

import (
	"encoding/json"
	"errors"

	"github.com/kafka-playground/playground/core/snapshot"
)

func init() {
	// Step results and expectations hold values decoded from JSON.
	snapshot.RegisterType((*json.Number)(nil))
}

// Snapshot returns the session's whole state (its journal, results and
// cluster) as bytes, the same bytes for the same state: RestoreSession
// reads them back into a session that goes on exactly as this one would,
// to the same trace hash.
func (x *Session) Snapshot() ([]byte, error) { return snapshot.Encode(x) }

// RestoreSession reads back a session's Snapshot. options are the host's
// hooks as NewSession takes them; Prepare runs on the restored cluster.
// A snapshot that is damaged or was written by another version of the
// engine is an error.
func RestoreSession(data []byte, options Options) (*Session, error) {
	x := &Session{}
	if err := snapshot.Decode(data, x); err != nil {
		return nil, err
	}
	if err := x.Restored(options); err != nil {
		return nil, err
	}
	return x, nil
}

// Restored finishes a session read back from a snapshot as part of a
// larger state (a room's replica): the cluster is set up again and the
// host's hooks installed. A session missing its parts (a snapshot that
// decoded but is not a session's) is an error.
func (x *Session) Restored(options Options) error {
	if x == nil || x.runner == nil || x.runner.cluster == nil || x.validator == nil || x.runner.cluster.Sim() == nil {
		return errors.New("snapshot: not the snapshot of a session")
	}
	c := x.runner.cluster
	c.Restored()
	if options.TraceSink != nil {
		c.Sim().SetTraceSink(options.TraceSink)
	}
	if options.Prepare != nil {
		options.Prepare(c)
	}
	x.runner.onSend, x.runner.onPoll = options.OnSend, options.OnPoll
	return nil
}
