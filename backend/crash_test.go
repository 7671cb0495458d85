package backend

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kafka-playground/playground/backend/store"
	replica "github.com/kafka-playground/playground/core/room"
	"github.com/kafka-playground/playground/core/scenario"
)

// crashCycles is the number of kill-and-restart cycles of the crash test.
const crashCycles = 20

// TestCrashLosesNothingAcknowledged kills the server process with
// SIGKILL in the middle of a stream of inputs, twenty times, restarting
// it on the same SQLite file each time. After every restart:
//
//   - every input any client saw (acknowledged to its sender or sent to
//     a member; both happen only after its commit) is in the journal at
//     the same seq with the same content;
//   - a member resuming across the crash gets the tail without gap or
//     repeat, and its replay equals the server's hash;
//
// and at the end a replay of the whole journal from seq 1, and a restore
// of the database file read directly, equal the server's hash. The server
// writes a state snapshot every 25 inputs, so most restarts begin from a
// snapshot (whose write a kill may also cut short) and replay only the
// journal after it. In half
// the cycles the writer falls quiet early, so that the kill lands while
// the clock's ticks are being compacted into one row (a run's row
// extended in each commit); the file must hold such runs at the end.
func TestCrashLosesNothingAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a server process")
	}
	binary := buildCrashServer(t)
	data := t.TempDir()
	random := rand.New(rand.NewPCG(1, 2))
	var token string
	// seen holds every input a client received, by seq, across cycles.
	seen := map[int64]serverFrame{}
	var checker *client
	acknowledged := 0
	for cycle := 0; cycle < crashCycles; cycle++ {
		server := startCrashServer(t, binary, data)
		if cycle == 0 {
			token = createRoom(t, server.url, `{"version":1,"seed":11,"steps":[
				{"op":"create_topic","topic":"t","partitions":3,"replication_factor":3},
				{"op":"add_producer","id":"p","config":{"acks":"all"}}]}`)
		}
		checker = resumeChecker(t, server.url, token, checker, seen)
		killAfter := time.Duration(50+random.IntN(250)) * time.Millisecond
		acknowledged += streamUntilKilled(t, server, token, cycle, killAfter, random, seen)
	}
	server := startCrashServer(t, binary, data)
	checker = resumeChecker(t, server.url, token, checker, seen)
	fresh := dial(t, server.url, token, "Fresh", nil, false)
	fresh.until("the whole journal and its hash", func() bool {
		return fresh.lastSeq == fresh.welcome.NextSeq-1 && fresh.hashesChecked > 0
	})
	// Pause the room, so that its clock journals nothing after what the
	// fresh member has: the file and the member then hold the same journal.
	fresh.send(map[string]any{"type": "speed", "id": "pause", "speed": 0})
	fresh.acked("pause")
	fresh.hashedAt(fresh.lastSeq)
	fresh.close()
	checkSeen(t, fresh, seen)
	server.kill()
	restored, rows, runs := restoreFromFile(t, filepath.Join(data, DatabaseFile), token)
	if restored != fresh.replica.TraceHash() {
		t.Fatalf("the database file restores to %s, the server's journal replays to %s", restored, fresh.replica.TraceHash())
	}
	if runs == 0 || rows >= fresh.lastSeq {
		t.Fatalf("the journal of %d inputs is %d rows with %d runs: the clock's ticks were not compacted", fresh.lastSeq, rows, runs)
	}
	if acknowledged < crashCycles {
		t.Fatalf("only %d inputs were acknowledged in %d cycles: the stream hardly ran", acknowledged, crashCycles)
	}
	snapshotSeq := storedSnapshotSeq(t, filepath.Join(data, DatabaseFile))
	if snapshotSeq == 0 {
		t.Fatal("the server stored no state snapshot: the restarts replayed whole journals, and snapshots were not tested")
	}
	t.Logf("last state snapshot at seq %d", snapshotSeq)
	t.Logf("%d cycles, %d inputs acknowledged, journal of %d inputs in %d rows (%d runs), %d steps", crashCycles, acknowledged,
		fresh.lastSeq, rows, runs, fresh.replica.Steps())
}

// openOneRoom opens the database file of a killed server, closed when
// the test ends, and returns its one room.
func openOneRoom(t *testing.T, path string) (*store.Store, store.Room) {
	t.Helper()
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	rooms, err := db.Rooms(t.Context())
	if err != nil || len(rooms) != 1 {
		t.Fatalf("rooms %+v, %v", rooms, err)
	}
	return db, rooms[0]
}

// storedSnapshotSeq returns the seq of the one room's stored snapshot,
// 0 for none.
func storedSnapshotSeq(t *testing.T, path string) int64 {
	t.Helper()
	db, room := openOneRoom(t, path)
	snapshot, _, err := db.LatestSnapshot(t.Context(), room.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	return snapshot.Seq
}

// buildCrashServer builds backend/internal/crashserver.
func buildCrashServer(t *testing.T) string {
	t.Helper()
	binary := filepath.Join(t.TempDir(), "crashserver")
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	build := exec.Command(goTool, "build", "-o", binary, "./internal/crashserver")
	if output, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the crash server: %v\n%s", err, output)
	}
	return binary
}

// crashServer is a running server process.
type crashServer struct {
	command *exec.Cmd
	url     string
}

func startCrashServer(t *testing.T, binary, data string) *crashServer {
	t.Helper()
	command := exec.Command(binary, "-data", data, "-tick", "5ms", "-rate", "10000", "-snapshot-every", "25")
	command.Stderr = os.Stderr
	stdout, err := command.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := command.Start(); err != nil {
		t.Fatal(err)
	}
	s := &crashServer{command: command}
	t.Cleanup(s.kill)
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "listening ") {
		t.Fatalf("the server did not start: %q %v", line, err)
	}
	s.url = strings.TrimSpace(strings.TrimPrefix(line, "listening "))
	return s
}

// kill sends SIGKILL and waits for the process to end.
func (s *crashServer) kill() {
	if s.command.ProcessState == nil {
		s.command.Process.Signal(syscall.SIGKILL)
		s.command.Wait()
	}
}

// resumeChecker reconnects the checking member from the last seq it
// applied (or joins it from seq 0) and catches up to the server's hash,
// then checks the inputs seen before the crash.
func resumeChecker(t *testing.T, url, token string, previous *client, seen map[int64]serverFrame) *client {
	t.Helper()
	checker := dial(t, url, token, "Checker", previous, false)
	checker.until("the journal tail and its hash", func() bool {
		return checker.lastSeq == checker.welcome.NextSeq-1 && checker.hashesChecked > 0
	})
	checker.close()
	checkSeen(t, checker, seen)
	return checker
}

// checkSeen fails unless every input in seen is in c's journal,
// unchanged.
func checkSeen(t *testing.T, c *client, seen map[int64]serverFrame) {
	t.Helper()
	for seq, frame := range seen {
		got, ok := c.journal[seq]
		if !ok {
			t.Fatalf("input %d, seen before a crash, is not in the journal of %d inputs", seq, c.lastSeq)
		}
		if string(got.Step) != string(frame.Step) || string(got.Speed) != string(frame.Speed) || got.Actor != frame.Actor {
			t.Fatalf("input %d changed across a crash: %+v, now %+v", seq, frame, got)
		}
	}
}

// streamUntilKilled sends inputs as fast as they are acknowledged, a few
// in flight, and kills the server after killAfter; it returns the number
// of inputs acknowledged and adds every input received to seen.
// maxInputsPerCycle bounds what one cycle sends, so that twenty cycles
// stay within a room's journal limit however fast the server is; once it
// is reached the writer only reads until the kill.
const maxInputsPerCycle = 400

func streamUntilKilled(t *testing.T, server *crashServer, token string, cycle int, killAfter time.Duration,
	random *rand.Rand, seen map[int64]serverFrame) int {
	t.Helper()
	writer := dial(t, server.url, token, fmt.Sprintf("Writer-%d", cycle), nil, true)
	timer := time.AfterFunc(killAfter, server.kill)
	defer timer.Stop()
	limit := maxInputsPerCycle
	if random.IntN(2) == 0 {
		limit = random.IntN(20) // then only the clock journals, in runs
	}
	sent, inFlight := 0, 0
	for {
		for ; inFlight < 4 && sent < limit; inFlight++ {
			sent++
			id := fmt.Sprintf("c%d-%d", cycle, sent)
			frame := map[string]any{"type": "input", "id": id}
			switch random.IntN(5) {
			case 0:
				frame = map[string]any{"type": "speed", "id": id, "speed": []float64{0.5, 1, 2}[random.IntN(3)]}
			case 1:
				frame["step"] = json.RawMessage(fmt.Sprintf(`{"op":"advance","ms":%d}`, 1+random.IntN(100)))
			default:
				frame["step"] = json.RawMessage(fmt.Sprintf(
					`{"op":"produce","producer":"p","topic":"t","value":"c%d-{i}","count":%d}`, cycle, 1+random.IntN(20)))
			}
			if !writer.trySend(frame) {
				break
			}
		}
		acks := len(writer.acks)
		if !writer.process() {
			break
		}
		inFlight -= len(writer.acks) - acks
	}
	if len(writer.errors) > 0 {
		t.Fatalf("inputs refused: %+v", writer.errors)
	}
	for seq, frame := range writer.journal {
		seen[seq] = frame
	}
	return len(writer.acks)
}

// restoreFromFile restores a room straight from the database file, as
// a restart does, and returns its trace hash, its rows of inputs and how
// many of them are runs.
func restoreFromFile(t *testing.T, path, token string) (hash string, rows, runs int64) {
	t.Helper()
	db, room := openOneRoom(t, path)
	if room.Token != token {
		t.Fatalf("the file's room is %s, want %s", room.Token, token)
	}
	header, err := scenario.Decode("header", room.Header)
	if err != nil {
		t.Fatal(err)
	}
	var inputs []replica.Input
	err = db.Inputs(t.Context(), room.ID, 0, 1<<62, 0, func(input store.Input) error {
		rows++
		if input.Count() > 1 {
			runs++
		}
		if input.Step != nil {
			inputs = append(inputs, replica.Input{Text: input.Step, Actor: input.Actor, Count: input.Count()})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	restored, err := replica.RestoreInputs("room", header, inputs, scenario.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return restored.TraceHash(), rows, runs
}
