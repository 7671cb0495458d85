package room

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/kafka-playground/playground/core/scenario"
	"github.com/kafka-playground/playground/core/snapshot"
)

// TestStateSnapshotAnywhere: a replica restored from the stored inputs up
// to any point of a journal with steps, runs of ticks and gateway
// inputs, then saved as a state snapshot and restored from it, applies
// the rest of the journal to the live replica's trace hash, steps,
// actors and inputs; the restored state snapshots to the same bytes.
func TestStateSnapshotAnywhere(t *testing.T) {
	live, err := New("room", header())
	if err != nil {
		t.Fatal(err)
	}
	journal := driveGatewayRoom(t, live)
	for cut := 0; cut <= len(journal); cut++ {
		partial, err := RestoreInputs("room", header(), journal[:cut], scenario.Options{})
		if err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		data, err := partial.StateSnapshot()
		if err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		restored, err := RestoreState(data, scenario.Options{})
		if err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		if again, err := restored.StateSnapshot(); err != nil || !bytes.Equal(again, data) {
			t.Fatalf("cut %d: the restored state snapshots to other bytes (%v)", cut, err)
		}
		if err := restored.ApplyStored(journal[cut:]); err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		if restored.TraceHash() != live.TraceHash() || !reflect.DeepEqual(restored.Texts(), live.Texts()) ||
			!reflect.DeepEqual(restored.Actors(), live.Actors()) || !reflect.DeepEqual(restored.Inputs(), live.Inputs()) {
			t.Errorf("cut %d: the restored replica ends otherwise than the live one", cut)
		}
	}
}

// TestStateSnapshotInsideARun cuts a journal inside a stored run of
// ticks, as a server's snapshot after any tick does: the snapshot covers
// the run's first ticks and the rest of the run applies after it.
func TestStateSnapshotInsideARun(t *testing.T) {
	live, err := New("room", header())
	if err != nil {
		t.Fatal(err)
	}
	journal := driveGatewayRoom(t, live)
	for i, input := range journal {
		for first := int64(1); first < input.Count; first++ {
			head := append(append([]Input{}, journal[:i]...), Input{Text: input.Text, Actor: input.Actor, Count: first})
			tail := append([]Input{{Text: input.Text, Actor: input.Actor, Count: input.Count - first}}, journal[i+1:]...)
			partial, err := RestoreInputs("room", header(), head, scenario.Options{})
			if err != nil {
				t.Fatal(err)
			}
			data, err := partial.StateSnapshot()
			if err != nil {
				t.Fatal(err)
			}
			restored, err := RestoreState(data, scenario.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := restored.ApplyStored(tail); err != nil {
				t.Fatal(err)
			}
			if restored.TraceHash() != live.TraceHash() || !reflect.DeepEqual(restored.Inputs(), live.Inputs()) {
				t.Errorf("cut after %d of the %d ticks of input %d: the restored replica ends otherwise", first, input.Count, i)
			}
		}
	}
}

func TestRestoreStateRefusesOtherSnapshots(t *testing.T) {
	x, err := scenario.NewSession("s", header(), scenario.Options{})
	if err != nil {
		t.Fatal(err)
	}
	session, err := x.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := RestoreState(session, scenario.Options{}); err == nil {
		t.Error("a session's snapshot restored as a replica")
	}
	if _, err := RestoreState([]byte("KPSN?"), scenario.Options{}); err == nil || errors.Is(err, snapshot.ErrOtherEngine) {
		t.Errorf("garbage: %v", err)
	}
}

// TestStateSnapshotOfALiveReplica snapshots the replica a server keeps:
// live, its gateway keeping responses for real sockets. The restored
// replica keeps none until asked, and goes on with the live one.
func TestStateSnapshotOfALiveReplica(t *testing.T) {
	live, err := New("room", header())
	if err != nil {
		t.Fatal(err)
	}
	live.TrackGatewayResponses()
	driveGatewayRoom(t, live)
	data, err := live.StateSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	restored, err := RestoreState(data, scenario.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if restored.gateway.track || (restored.gateway.gateway != nil && restored.gateway.gateway.TracksResponses()) {
		t.Error("a restored replica keeps gateway responses nobody asked for")
	}
	for _, text := range []string{`{"op":"start_broker","broker":3}`, `{"op":"advance","ms":5000}`} {
		if _, _, err := live.ApplyBy([]byte(text), "Ada"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := restored.ApplyBy([]byte(text), "Ada"); err != nil {
			t.Fatal(err)
		}
	}
	if restored.TraceHash() != live.TraceHash() || !reflect.DeepEqual(restored.Inputs(), live.Inputs()) {
		t.Error("the replica restored from a live one's state goes on otherwise")
	}
}

// FuzzRestoreState feeds RestoreState snapshots of a real replica with
// their bodies changed (and their checksums made to match): it must
// return, with or without an error, never panic.
func FuzzRestoreState(f *testing.F) {
	live, err := New("room", header())
	if err != nil {
		f.Fatal(err)
	}
	live.TrackGatewayResponses()
	driveGatewayRoom(f, live)
	data, err := live.StateSnapshot()
	if err != nil {
		f.Fatal(err)
	}
	body := snapshot.Body(data)
	f.Add(body)
	f.Add(body[:len(body)/2])
	f.Fuzz(func(t *testing.T, body []byte) {
		if r, err := RestoreState(snapshot.WithBody(data, body), scenario.Options{}); err == nil && r == nil {
			t.Fatal("no replica and no error")
		}
	})
}
