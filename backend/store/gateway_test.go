package store

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
)

// TestGatewayInputs: a gateway input is a row of its own kind between
// runs of ticks, read back as it was written; it never extends a run nor
// is extended by one; a room keeps its gateway settings, and the server
// its settings.
func TestGatewayInputs(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	id, err := s.CreateRoom(ctx, Room{Token: "kafka", Header: []byte(`{}`), Gateway: []byte(`{"base_port":0}`)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	connect := json.RawMessage(`{"at_ms":200,"connect":{"connection":1,"broker":1,"listener":"PLAINTEXT","address":"127.0.0.1:5"}}`)
	for _, batch := range [][]Input{
		{{Seq: 1, Step: tick}},
		{{Seq: 1, LastSeq: 2, Step: tick}},
		{{Seq: 3, Gateway: connect}},
		{{Seq: 4, Step: tick}},
		{{Seq: 4, LastSeq: 5, Step: tick}},
	} {
		if err := s.Append(id, batch); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Append(id, []Input{{Seq: 3, LastSeq: 6, Step: tick}}); err == nil {
		t.Fatal("a run of ticks extended over a gateway input")
	}
	var read []Input
	s.Inputs(ctx, id, 0, 1<<62, 0, func(input Input) error { read = append(read, input); return nil })
	if len(read) != 3 || read[0].Last() != 2 || string(read[1].Gateway) != string(connect) || read[1].Step != nil || read[2].Last() != 5 {
		t.Fatalf("read back %+v", read)
	}
	room, err := s.Room(ctx, "kafka")
	if err != nil || string(room.Gateway) != `{"base_port":0}` {
		t.Fatalf("the room's gateway settings: %q (%v)", room.Gateway, err)
	}
	if _, found, err := s.Setting(ctx, "kafka_room"); found || err != nil {
		t.Fatalf("a setting before it was set: %v %v", found, err)
	}
	for _, value := range []string{"a", "b"} {
		if err := s.SetSetting(ctx, "kafka_room", value); err != nil {
			t.Fatal(err)
		}
	}
	if value, found, err := s.Setting(ctx, "kafka_room"); value != "b" || !found || err != nil {
		t.Fatalf("setting %q %v %v, want b", value, found, err)
	}
}
