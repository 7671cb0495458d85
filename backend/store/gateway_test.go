package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestGatewayInputs: a gateway input is a row of its own kind between
// runs of ticks, read back byte for byte as it was written, in the JSON
// form as text and in the binary form (NUL bytes and all) as a blob (a
// small one: payloads_test.go has those kept in the payload file); it
// never extends a run nor is extended by one; a room keeps its gateway
// settings, and the server its settings.
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
	binaryForm := []byte("\x00\x01P\x00\x02\x00\xff\xfe binary")
	connect := []byte(`{"at_ms":200,"connect":{"connection":1,"broker":1,"listener":"PLAINTEXT","address":"127.0.0.1:5"}}`)
	for _, batch := range [][]Input{
		{{Seq: 1, Step: tick}},
		{{Seq: 1, LastSeq: 2, Step: tick}},
		{{Seq: 3, Gateway: connect}},
		{{Seq: 4, Step: tick}},
		{{Seq: 4, LastSeq: 5, Step: tick}},
		{{Seq: 6, Gateway: binaryForm}},
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
	if len(read) != 4 || read[0].Last() != 2 || string(read[1].Gateway) != string(connect) || read[1].Step != nil || read[2].Last() != 5 ||
		string(read[3].Gateway) != string(binaryForm) {
		t.Fatalf("read back %+v", read)
	}
	var types []string
	rows, err := s.SQL().QueryContext(ctx, `SELECT typeof(gateway) FROM inputs WHERE gateway IS NOT NULL ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var kind string
		rows.Scan(&kind)
		types = append(types, kind)
	}
	rows.Close()
	if strings.Join(types, ",") != "text,blob" {
		t.Errorf("the gateway inputs are stored as %v, want text (JSON) and blob (binary)", types)
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
