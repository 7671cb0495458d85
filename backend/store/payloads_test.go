package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	coregateway "github.com/kafka-playground/playground/core/gateway"
)

// binaryInput is a gateway input in the binary form (its marker and
// version, then bytes drawn from seed) of size bytes.
func binaryInput(seed uint64, size int) []byte {
	random := rand.New(rand.NewPCG(seed, 7))
	out := make([]byte, size)
	for i := range out {
		out[i] = byte(random.Uint32())
	}
	out[0], out[1] = 0x00, 0x01
	return out
}

// jsonInput is a gateway input in the JSON form of size bytes.
func jsonInput(size int) []byte {
	head := `{"at_ms":1,"request":{"body":"`
	return []byte(head + strings.Repeat("a", size-len(head)-3) + `"}}`)
}

// readJournal reads a room's whole journal, failing the test on error.
func readJournal(t *testing.T, s *Store, roomID int64) []Input {
	t.Helper()
	var inputs []Input
	if err := s.Inputs(context.Background(), roomID, 0, 1<<62, 0, func(input Input) error {
		inputs = append(inputs, input)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return inputs
}

// sameInputs reports how two journals differ, "" when they do not.
func sameInputs(got, want []Input) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d inputs, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Seq != w.Seq || g.Last() != w.Last() || g.Actor != w.Actor || string(g.Step) != string(w.Step) ||
			!bytes.Equal(g.Gateway, w.Gateway) || g.SpeedHundredths != w.SpeedHundredths {
			return fmt.Sprintf("input %d reads back as seq %d..%d actor %q step %q, %d gateway bytes, speed %d", w.Seq,
				g.Seq, g.Last(), g.Actor, g.Step, len(g.Gateway), g.SpeedHundredths)
		}
	}
	return ""
}

// fileSize is the size of the file at path, -1 when there is none.
func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	info, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return -1
	}
	if err != nil {
		t.Fatal(err)
	}
	return info.Size()
}

// payloadRow is where a row says its input is, offset -1 for inline.
type payloadRow struct {
	offset, bytes int64
	inline        string // typeof(gateway) of a row without a payload
}

// payloadRows returns the payload columns of a room's rows by seq.
func payloadRows(t *testing.T, db *sql.DB, roomID int64) map[int64]payloadRow {
	t.Helper()
	rows, err := db.Query(`SELECT seq, COALESCE(payload_offset, -1), COALESCE(payload_bytes, -1), typeof(gateway), length(gateway)
		FROM inputs WHERE room_id = ?`, roomID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]payloadRow{}
	for rows.Next() {
		var seq, length sql.NullInt64
		var row payloadRow
		if err := rows.Scan(&seq, &row.offset, &row.bytes, &row.inline, &length); err != nil {
			t.Fatal(err)
		}
		if row.offset >= 0 && (row.inline != "blob" || length.Int64 != 0) {
			t.Errorf("row %d has a payload and a gateway of type %s and %d bytes, want an empty blob", seq.Int64, row.inline, length.Int64)
		}
		out[seq.Int64] = row
	}
	return out
}

// TestPayloadsKeptOutOfSQLite: a gateway input of payloadMinBytes or more,
// in either form, is written to the room's payload file, back to back in
// seq order, and its row holds where; a smaller one stays in its row.
// Every input reads back byte for byte, whole and from any seq, after a
// reopen too; no run of ticks extends over an input in the file.
func TestPayloadsKeptOutOfSQLite(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	id, err := s.CreateRoom(ctx, Room{Token: "kafka", Header: []byte(`{}`)}, []Input{{Seq: 1, Step: tick}})
	if err != nil {
		t.Fatal(err)
	}
	journal := []Input{{Seq: 1, Step: tick},
		{Seq: 2, Gateway: binaryInput(2, 100)},
		{Seq: 3, Gateway: binaryInput(3, 64<<10)},
		{Seq: 4, Gateway: jsonInput(5000)},
		{Seq: 5, Step: tick, LastSeq: 9},
		{Seq: 10, Actor: "Ada", Gateway: binaryInput(10, 1<<20)},
		{Seq: 11, Gateway: binaryInput(11, payloadMinBytes-1)},
		{Seq: 12, Gateway: binaryInput(12, payloadMinBytes)},
	}
	for _, batch := range [][]Input{journal[1:5], journal[5:6], journal[6:]} {
		if err := s.Append(id, batch); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Append(id, []Input{{Seq: 3, LastSeq: 20, Step: tick}}); err == nil {
		t.Fatal("a run of ticks was written over an input in the payload file")
	}
	rows := payloadRows(t, s.db, id)
	// The JSON input compresses (rule 6), the random ones do not.
	compressed, _ := compressPayload(nil, journal[3].Gateway)
	jsonStored := int64(len(compressed))
	if jsonStored >= 5000 {
		t.Fatalf("the JSON input of 5000 bytes is stored in %d", jsonStored)
	}
	end := 64<<10 + jsonStored + 1<<20 + payloadMinBytes
	want := map[int64]payloadRow{2: {-1, -1, "blob"}, 3: {0, 64 << 10, ""}, 4: {64 << 10, jsonStored, ""},
		10: {64<<10 + jsonStored, 1 << 20, ""}, 11: {-1, -1, "blob"}, 12: {64<<10 + jsonStored + 1<<20, payloadMinBytes, ""}}
	for seq, w := range want {
		if got := rows[seq]; got.offset != w.offset || got.bytes != w.bytes || (w.offset < 0 && got.inline != w.inline) {
			t.Errorf("row %d: %+v, want %+v", seq, got, w)
		}
	}
	file := filepath.Join(payloadFolder(path), fmt.Sprint("room-", id))
	if size := fileSize(t, file); size != end {
		t.Errorf("the payload file has %d bytes, want the four payloads' %d", size, end)
	}
	if diff := sameInputs(readJournal(t, s, id), journal); diff != "" {
		t.Fatal(diff)
	}
	var after []Input
	s.Inputs(ctx, id, 3, 12, 1, func(input Input) error { after = append(after, input); return nil })
	if diff := sameInputs(after, journal[3:4]); diff != "" {
		t.Errorf("one row after seq 3: %s", diff)
	}
	if last, found, err := s.LastInput(ctx, id); !found || err != nil || !bytes.Equal(last.Gateway, journal[7].Gateway) {
		t.Errorf("the last input: %d bytes, %v %v", len(last.Gateway), found, err)
	}
	s.Close()
	again, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if diff := sameInputs(readJournal(t, again, id), journal); diff != "" {
		t.Fatalf("after a reopen: %s", diff)
	}
	if err := again.Append(id, []Input{{Seq: 13, Gateway: binaryInput(13, 8<<10)}}); err != nil {
		t.Fatal(err)
	}
	if got := payloadRows(t, again.db, id)[13]; got.offset != end {
		t.Errorf("after a reopen the next payload went at %d, not at the end of the last", got.offset)
	}
}

// TestPayloadCommitFailsAfterTheFile: a commit that fails after its
// payloads are written and fsync'd, before its rows are committed (the
// hook checks that the bytes are in the file and no row references them
// yet), leaves bytes no row references; the next commit writes at the
// end of the last referenced payload, over them, and the journal reads
// back without the failed inputs, after a reopen too.
func TestPayloadCommitFailsAfterTheFile(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	id, err := s.CreateRoom(ctx, Room{Token: "kafka", Header: []byte(`{}`)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	first := Input{Seq: 1, Gateway: binaryInput(1, 10000)}
	if err := s.Append(id, []Input{first}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(payloadFolder(path), fmt.Sprint("room-", id))
	failed := errors.New("the disk is gone")
	testHookPayloadsDurable = func() error {
		testHookPayloadsDurable = nil
		if size := fileSize(t, file); size != 10000+30000 {
			t.Errorf("before the rows' commit the file has %d bytes, want both payloads'", size)
		}
		if rows := rowCount(t, s.db, id); rows != 1 {
			t.Errorf("before the rows' commit %d rows are visible, want 1", rows)
		}
		return failed
	}
	t.Cleanup(func() { testHookPayloadsDurable = nil })
	lost := []Input{{Seq: 2, Gateway: binaryInput(2, 20000)}, {Seq: 3, Gateway: binaryInput(3, 10000)}}
	if err := s.Append(id, lost); !errors.Is(err, failed) {
		t.Fatalf("the failed commit returned %v", err)
	}
	if size := fileSize(t, file); size != 40000 {
		t.Errorf("after the failed commit the file has %d bytes, want 40000 (its unreferenced bytes included)", size)
	}
	if diff := sameInputs(readJournal(t, s, id), []Input{first}); diff != "" {
		t.Fatalf("after the failed commit: %s", diff)
	}
	next := Input{Seq: 2, Gateway: binaryInput(4, 5000)}
	if err := s.Append(id, []Input{next}); err != nil {
		t.Fatal(err)
	}
	if size := fileSize(t, file); size != 15000 {
		t.Errorf("after the next commit the file has %d bytes, want 15000", size)
	}
	s.Close()
	again, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if diff := sameInputs(readJournal(t, again, id), []Input{first, next}); diff != "" {
		t.Fatalf("after a reopen: %s", diff)
	}
}

// crashChildDatabase names, in the environment, the database of the
// child process of TestPayloadCrashBeforeTheRows.
const crashChildDatabase = "STORE_PAYLOAD_CRASH_DATABASE"

// crashJournal is what the child of TestPayloadCrashBeforeTheRows
// commits, and crashLost what it is killed while committing.
var (
	crashJournal = []Input{{Seq: 1, Step: tick}, {Seq: 2, Gateway: binaryInput(2, 50000)}, {Seq: 3, Gateway: binaryInput(3, 7000)}}
	crashLost    = []Input{{Seq: 4, Gateway: binaryInput(4, 300000)}, {Seq: 5, Gateway: binaryInput(5, 9000)}}
)

// TestPayloadCrashChild is the child process of
// TestPayloadCrashBeforeTheRows: it commits crashJournal, then kills
// itself with SIGKILL during the commit of crashLost, once its payloads
// are fsync'd and before its rows are committed.
func TestPayloadCrashChild(t *testing.T) {
	path := os.Getenv(crashChildDatabase)
	if path == "" {
		t.Skip("the child process of TestPayloadCrashBeforeTheRows")
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.CreateRoom(context.Background(), Room{Token: "kafka", Header: []byte(`{}`)}, crashJournal[:1])
	if err == nil {
		err = s.Append(id, crashJournal[1:2])
	}
	if err == nil {
		err = s.Append(id, crashJournal[2:])
	}
	if err != nil {
		t.Fatal(err)
	}
	testHookPayloadsDurable = func() error {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
	s.Append(id, crashLost)
	t.Fatal("the child outlived its SIGKILL")
}

// TestPayloadCrashBeforeTheRows: a process killed with SIGKILL between
// the fsync of a commit's payloads and the commit of their rows leaves
// their bytes in the file, referenced by no row. Open truncates the file
// to the end of the last committed payload; the journal is what was
// committed before the kill, and the next payload goes where the lost
// ones were.
func TestPayloadCrashBeforeTheRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "playground.db")
	child := exec.Command(os.Args[0], "-test.run", "^TestPayloadCrashChild$", "-test.count", "1")
	child.Env = append(os.Environ(), crashChildDatabase+"="+path)
	output, err := child.CombinedOutput()
	status, _ := child.ProcessState.Sys().(syscall.WaitStatus)
	if err == nil || !status.Signaled() || status.Signal() != syscall.SIGKILL {
		t.Fatalf("the child was not killed by SIGKILL: %v\n%s", err, output)
	}
	file := filepath.Join(payloadFolder(path), "room-1")
	committed := int64(50000 + 7000)
	if size := fileSize(t, file); size != committed+300000+9000 {
		t.Fatalf("after the kill the payload file has %d bytes, want %d (the lost payloads were fsync'd)", size, committed+300000+9000)
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if size := fileSize(t, file); size != committed {
		t.Errorf("after Open the payload file has %d bytes, want %d, the committed payloads'", size, committed)
	}
	if diff := sameInputs(readJournal(t, s, 1), crashJournal); diff != "" {
		t.Fatalf("after the crash: %s", diff)
	}
	next := Input{Seq: 4, Gateway: binaryInput(9, 6000)}
	if err := s.Append(1, []Input{next}); err != nil {
		t.Fatal(err)
	}
	if got := payloadRows(t, s.db, 1)[4]; got.offset != committed {
		t.Errorf("the next payload went at %d, want %d", got.offset, committed)
	}
	if diff := sameInputs(readJournal(t, s, 1), append(crashJournal[:3:3], next)); diff != "" {
		t.Fatal(diff)
	}
}

// TestDamagedPayloads: a payload whose bytes changed, that the file no
// longer holds whole, whose file is gone, or whose row gives an
// impossible place, is an error naming the room and the seq (never a
// panic, nor a huge allocation); the inputs before it read as before.
func TestDamagedPayloads(t *testing.T) {
	journal := []Input{{Seq: 1, Gateway: binaryInput(1, 6000)}, {Seq: 2, Gateway: binaryInput(2, 9000)}, {Seq: 3, Step: tick}}
	for _, damage := range []struct {
		name, want string
		apply      func(s *Store, file string) error
	}{
		{"a changed byte", "is damaged", func(s *Store, file string) error {
			f, err := os.OpenFile(file, os.O_RDWR, 0)
			if err == nil {
				_, err = f.WriteAt([]byte{0xfe}, 6000+4321)
				f.Close()
			}
			return err
		}},
		{"a short file", "is cut short: the file holds 3000 of its bytes", func(s *Store, file string) error {
			return os.Truncate(file, 9000)
		}},
		{"no file", "cannot be read", func(s *Store, file string) error { return os.Remove(file) }},
		{"an impossible length", "is not a valid place", func(s *Store, file string) error {
			_, err := s.db.Exec(`UPDATE inputs SET payload_bytes = 1099511627776 WHERE seq = 2`)
			return err
		}},
	} {
		t.Run(damage.name, func(t *testing.T) {
			s, path := openTemp(t)
			ctx := context.Background()
			id, err := s.CreateRoom(ctx, Room{Token: "kafka", Header: []byte(`{}`)}, nil)
			if err == nil {
				err = s.Append(id, journal)
			}
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(payloadFolder(path), fmt.Sprint("room-", id))
			if err := damage.apply(s, file); err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("room %d, input 2: its payload", id)
			err = s.Inputs(ctx, id, 1, 1<<62, 0, func(Input) error { return nil })
			if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), damage.want) {
				t.Errorf("reading the damaged input: %v, want an error naming %q that %s", err, name, damage.want)
			}
			if damage.name == "no file" {
				return // the input before is in the file too
			}
			var before []Input
			err = s.Inputs(ctx, id, 0, 2, 0, func(input Input) error { before = append(before, input); return nil })
			if diff := sameInputs(before, journal[:1]); err != nil || diff != "" {
				t.Errorf("the input before the damaged one: %v %s", err, diff)
			}
		})
	}
}

// TestPayloadsCompressed: an input that compresses by an eighth or more
// is stored compressed and reads back byte for byte; one that does not
// is stored as it is. A compressed payload that does not decompress, or
// claims to decompress past the limit, is an error naming the input,
// even with a CRC-32C that matches.
func TestPayloadsCompressed(t *testing.T) {
	random := binaryInput(1, 64<<10)
	if stored, _ := compressPayload(nil, random); &stored[0] != &random[0] {
		t.Errorf("random bytes were stored in %d bytes rather than as they are", len(stored))
	}
	half := append(binaryInput(2, 32<<10), make([]byte, 32<<10)...)
	if stored, _ := compressPayload(nil, half); stored[0] != payloadS2 || len(stored) > 40<<10 {
		t.Errorf("an input of 64 KiB, half zeros, was stored in %d bytes (first byte %#x)", len(stored), stored[0])
	}
	// Several compressed in one commit share the committer's arena, which
	// grows as they come, and the next commit reuses it: each reads back
	// as it was.
	s, _ := openTemp(t)
	id, err := s.CreateRoom(context.Background(), Room{Token: "many", Header: []byte(`{}`)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var journal []Input
	for seq := int64(1); seq <= 12; seq++ {
		input := append(binaryInput(uint64(seq), int(seq)*3000), make([]byte, int(seq)*5000)...)
		journal = append(journal, Input{Seq: seq, Gateway: input})
	}
	for _, batch := range [][]Input{journal[:5], journal[5:6], journal[6:]} {
		if err := s.Append(id, batch); err != nil {
			t.Fatal(err)
		}
	}
	if diff := sameInputs(readJournal(t, s, id), journal); diff != "" {
		t.Fatal(diff)
	}
	for _, c := range []struct {
		name, want string
		stored     []byte
	}{
		{"a damaged block", "does not decompress", append([]byte{payloadS2, 0x80, 0x80, 0x04}, bytes.Repeat([]byte{0xff}, 64)...)},
		{"too large", "more than the limit", append([]byte{payloadS2}, binary.AppendUvarint(nil, maxPayloadBytes+1)...)},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, path := openTemp(t)
			ctx := context.Background()
			id, err := s.CreateRoom(ctx, Room{Token: "kafka", Header: []byte(`{}`)}, nil)
			if err == nil {
				err = s.Append(id, []Input{{Seq: 1, Gateway: half}, {Seq: 2, Gateway: random}})
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := sameInputs(readJournal(t, s, id), []Input{{Seq: 1, Gateway: half}, {Seq: 2, Gateway: random}}); diff != "" {
				t.Fatal(diff)
			}
			// The first payload replaced by a bad one whose CRC matches.
			file := filepath.Join(payloadFolder(path), fmt.Sprint("room-", id))
			f, err := os.OpenFile(file, os.O_RDWR, 0)
			if err == nil {
				_, err = f.WriteAt(c.stored, 0)
				f.Close()
			}
			if err == nil {
				_, err = s.db.Exec(`UPDATE inputs SET payload_bytes = ?, payload_crc32c = ? WHERE seq = 1`, len(c.stored), crc32.Checksum(c.stored, castagnoli))
			}
			if err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("room %d, input 1: its payload", id)
			err = s.Inputs(ctx, id, 0, 1<<62, 0, func(Input) error { return nil })
			if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("reading the bad payload: %v, want an error naming %q that %s", err, name, c.want)
			}
		})
	}
}

// TestPayloadFilesOnOpen: Open deletes the payload file of a room that
// is gone (a crash between a room's deletion and its file's), truncates
// a file longer than its committed payloads, and leaves other files in
// the folder alone; deleting a room deletes its file.
func TestPayloadFilesOnOpen(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	kept, _ := s.CreateRoom(ctx, Room{Token: "kept", Header: []byte(`{}`)}, nil)
	deleted, _ := s.CreateRoom(ctx, Room{Token: "deleted", Header: []byte(`{}`)}, nil)
	for _, id := range []int64{kept, deleted} {
		if err := s.Append(id, []Input{{Seq: 1, Gateway: binaryInput(uint64(id), 5000)}}); err != nil {
			t.Fatal(err)
		}
	}
	folder := payloadFolder(path)
	keptFile, deletedFile := filepath.Join(folder, fmt.Sprint("room-", kept)), filepath.Join(folder, fmt.Sprint("room-", deleted))
	if gone, err := s.DeleteRoom(ctx, deleted, 1<<62); !gone || err != nil {
		t.Fatalf("deleting a room: %v %v", gone, err)
	}
	if size := fileSize(t, deletedFile); size != -1 {
		t.Errorf("the deleted room's payload file is still there (%d bytes)", size)
	}
	s.Close()
	orphan, other := filepath.Join(folder, "room-99"), filepath.Join(folder, "notes.txt")
	for _, file := range []string{orphan, other} {
		if err := os.WriteFile(file, []byte("left over"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.OpenFile(keptFile, os.O_WRONLY|os.O_APPEND, 0)
	if err == nil {
		_, err = f.Write(make([]byte, 777))
		f.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	again, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if fileSize(t, orphan) != -1 || fileSize(t, other) != 9 || fileSize(t, keptFile) != 5000 {
		t.Errorf("after Open: the orphan has %d bytes (want none), the other file %d (want 9), the kept room's %d (want 5000)",
			fileSize(t, orphan), fileSize(t, other), fileSize(t, keptFile))
	}
	if journal := readJournal(t, again, kept); len(journal) != 1 || !bytes.Equal(journal[0].Gateway, binaryInput(uint64(kept), 5000)) {
		t.Error("the kept room's input does not read back")
	}
}

// TestPayloadLimits: a payload that would take a room's file past
// Options.MaxPayloadFileBytes fails its commit, saying so, and the room
// goes on with inputs kept in rows; no input core/gateway journals is
// above maxPayloadBytes.
func TestPayloadLimits(t *testing.T) {
	if maxPayloadBytes < coregateway.MaxInputBytes {
		t.Errorf("maxPayloadBytes (%d) is below the largest gateway input (%d)", maxPayloadBytes, coregateway.MaxInputBytes)
	}
	s, err := OpenWith(filepath.Join(t.TempDir(), "p.db"), Options{MaxPayloadFileBytes: 100 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	id, _ := s.CreateRoom(context.Background(), Room{Token: "kafka", Header: []byte(`{}`)}, nil)
	journal := []Input{{Seq: 1, Gateway: binaryInput(1, 64<<10)}}
	if err := s.Append(id, journal); err != nil {
		t.Fatal(err)
	}
	err = s.Append(id, []Input{{Seq: 2, Gateway: binaryInput(2, 64<<10)}})
	if err == nil || !strings.Contains(err.Error(), "would pass its limit of 102400 bytes") {
		t.Fatalf("a payload past the file's limit: %v", err)
	}
	journal = append(journal, Input{Seq: 2, Gateway: binaryInput(3, 1000)}, Input{Seq: 3, Step: json.RawMessage(`{"op":"kill_broker","broker":1}`)})
	if err := s.Append(id, journal[1:]); err != nil {
		t.Fatal(err)
	}
	if diff := sameInputs(readJournal(t, s, id), journal); diff != "" {
		t.Fatal(diff)
	}
}

// TestSchema5RowsStayInline: a database of schema 5, whose gateway
// inputs are all in their rows (binary ones of megabytes too), is
// migrated without touching them: they read back as they were, and the
// inputs appended after go to the payload file.
func TestSchema5RowsStayInline(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, latest := databaseAtSchema(t, "file:"+path+"?_foreign_keys=on", 5)
	journal := []Input{{Seq: 1, Step: tick}, {Seq: 2, Gateway: binaryInput(2, 2<<20)}, {Seq: 3, Gateway: jsonInput(9000)},
		{Seq: 4, Gateway: binaryInput(4, 50)}}
	_, err := db.Exec(`INSERT INTO rooms (id, token, header, speed_hundredths, created_ms, touched_ms, gateway) VALUES (1, 'kafka', '{}', 100, 0, 0, '{}')`)
	for _, input := range journal {
		if err != nil {
			break
		}
		switch {
		case input.Step != nil:
			_, err = db.Exec(`INSERT INTO inputs (room_id, seq, actor, step) VALUES (1, ?, '', ?)`, input.Seq, string(input.Step))
		case input.Gateway[0] == '{':
			_, err = db.Exec(`INSERT INTO inputs (room_id, seq, actor, gateway) VALUES (1, ?, '', ?)`, input.Seq, string(input.Gateway))
		default:
			_, err = db.Exec(`INSERT INTO inputs (room_id, seq, actor, gateway) VALUES (1, ?, '', ?)`, input.Seq, input.Gateway)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if version, _ := s.SchemaVersion(context.Background()); version != latest || version < 6 {
		t.Fatalf("schema version %d after the upgrade, want %d", version, latest)
	}
	rows := payloadRows(t, s.db, 1)
	if rows[2] != (payloadRow{-1, -1, "blob"}) || rows[3] != (payloadRow{-1, -1, "text"}) || rows[4] != (payloadRow{-1, -1, "blob"}) {
		t.Errorf("the old rows after the upgrade: %+v, want them inline as they were", rows)
	}
	journal = append(journal, Input{Seq: 5, Gateway: binaryInput(5, 2<<20)})
	if err := s.Append(1, journal[4:]); err != nil {
		t.Fatal(err)
	}
	if got := payloadRows(t, s.db, 1)[5]; got.offset != 0 || got.bytes != 2<<20 {
		t.Errorf("the input appended after the upgrade: %+v, want the payload file's first", got)
	}
	if diff := sameInputs(readJournal(t, s, 1), journal); diff != "" {
		t.Fatal(diff)
	}
}
