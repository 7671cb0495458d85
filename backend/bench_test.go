package backend

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/kafka-playground/playground/backend/store"
	"github.com/kafka-playground/playground/core"
	replica "github.com/kafka-playground/playground/core/room"
	"github.com/kafka-playground/playground/core/scenario"
)

// BenchmarkFanOut measures the latency from a member sending an input to
// each of 50 members receiving it, over loopback WebSockets: the check,
// the commit (fsync) and the fan-out. Inputs are sent one at a time.
func BenchmarkFanOut(b *testing.B) {
	const members = 50
	s := startServer(b, Config{InitialSpeedHundredths: -1, FramesPerSecond: 1e6, FrameBurst: 1e6,
		MaxMembersPerRoom: members + 1, HashInterval: time.Hour})
	token := createRoom(b, s.url, "")
	received := make(chan time.Time, members)
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for i := 0; i < members; i++ {
		ws := joinRaw(b, s.url, token, fmt.Sprint("m", i))
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer ws.CloseNow()
			for {
				_, data, err := ws.Read(ctx)
				if err != nil {
					return
				}
				if strings.Contains(string(data), `"type":"input"`) {
					received <- time.Now()
				}
			}
		}()
	}
	sender := joinRaw(b, s.url, token, "sender")
	defer sender.CloseNow()
	input := []byte(`{"type":"input","id":"x","step":{"op":"advance","ms":1}}`)
	latencies := make([]time.Duration, 0, b.N*members)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if err := sender.Write(ctx, websocket.MessageText, input); err != nil {
			b.Fatal(err)
		}
		for j := 0; j < members; j++ {
			latencies = append(latencies, (<-received).Sub(start))
		}
	}
	b.StopTimer()
	cancel()
	wg.Wait()
	slices.Sort(latencies)
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds()), "median-µs")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds()), "p99-µs")
}

// joinRaw opens a WebSocket, joins a room and reads up to its hash frame.
func joinRaw(b *testing.B, url, token, name string) *websocket.Conn {
	ws, _, err := websocket.Dial(context.Background(), strings.Replace(url, "http", "ws", 1)+"/api/ws", nil)
	if err != nil {
		b.Fatal(err)
	}
	hello, _ := json.Marshal(map[string]any{"type": "hello", "room": token, "name": name, "colour": "#000000", "since": 0})
	ws.Write(context.Background(), websocket.MessageText, hello)
	for {
		_, data, err := ws.Read(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if strings.Contains(string(data), `"type":"hash"`) {
			return ws
		}
	}
}

// BenchmarkRestartMillionRecords measures a restart of a server whose
// one room holds a million records (100 produce steps of 10,000): Open,
// then the first join's restore (acquire), from the room's state
// snapshot ("snapshot") and, with snapshots turned off, by replaying
// the whole journal ("replay").
func BenchmarkRestartMillionRecords(b *testing.B) {
	source := scenario.New()
	value := "value-{i}"
	source.Steps = []scenario.Step{
		{Op: scenario.OpCreateTopic, Topic: "orders", Partitions: 6, ReplicationFactor: 3},
		{Op: scenario.OpAddProducer, ID: "p", Config: map[string]string{"acks": "all"}},
	}
	for i := 0; i < 100; i++ {
		source.Steps = append(source.Steps, scenario.Step{Op: scenario.OpProduce, Producer: "p", Topic: "orders", Value: &value, Count: 10_000})
	}
	source.Steps = append(source.Steps, scenario.Step{Op: scenario.OpFlush, Producer: "p"})
	folder, token := benchRoom(b, source, nil)
	benchRestoreBoth(b, folder, token, "ms/restart", func(r *room) {
		state, _ := r.replica.Session().Output().State.Producers["p"].(core.ProducerState)
		if acked := state.Acked; acked != 1_000_000 {
			b.Fatalf("the restored room has %d records acknowledged, want 1,000,000", acked)
		}
	})
}

// BenchmarkRestoreWeekOfTicks measures the first join's restore of a
// room whose clock ran for a week at real time: 6,048,000 ticks of
// 100 ms, a member's step every hour (so 168 runs of ticks, each one
// row), restored without expanding the runs.
func BenchmarkRestoreWeekOfTicks(b *testing.B) {
	source := scenario.New()
	source.Steps = []scenario.Step{{Op: scenario.OpCreateTopic, Topic: "orders", Partitions: 6, ReplicationFactor: 3}}
	const hours, ticksPerHour = 168, 36_000
	folder, token := benchRoom(b, source, func(db *store.Store, roomID int64) {
		seq := int64(2)
		for hour := 0; hour < hours; hour++ {
			run := store.Input{Seq: seq, LastSeq: seq + ticksPerHour - 1, Step: replica.AdvanceText(100)}
			step := store.Input{Seq: seq + ticksPerHour, Actor: "Ada", Step: json.RawMessage(`{"op":"stop_broker","broker":1}`)}
			if hour%2 == 1 {
				step.Step = json.RawMessage(`{"op":"start_broker","broker":1}`)
			}
			if err := db.Append(roomID, []store.Input{run, step}); err != nil {
				b.Fatal(err)
			}
			seq += ticksPerHour + 1
		}
	})
	benchRestoreBoth(b, folder, token, "ms/restore", func(r *room) {
		if now := r.replica.Session().Cluster().Now(); now < hours*ticksPerHour*100 {
			b.Fatalf("the restored room is at %d ms, want a week", now)
		}
	})
}

// BenchmarkStartThousandRooms measures Open of a server that stores
// 1,000 rooms: it restores none, so the time does not depend on their
// journals.
func BenchmarkStartThousandRooms(b *testing.B) {
	folder := b.TempDir()
	db, err := store.Open(filepath.Join(folder, DatabaseFile))
	if err != nil {
		b.Fatal(err)
	}
	header, _ := scenario.Encode(scenario.New())
	step := json.RawMessage(`{"op":"create_topic","topic":"orders","partitions":6,"replication_factor":3}`)
	for i := 0; i < 1000; i++ {
		inputs := []store.Input{{Seq: 1, Step: step}, {Seq: 2, LastSeq: 1_000_000, Step: replica.AdvanceText(100)}}
		record := store.Room{Token: newToken(), Header: header, CreatedMs: time.Now().UnixMilli()}
		if _, err := db.CreateRoom(context.Background(), record, inputs); err != nil {
			b.Fatal(err)
		}
	}
	db.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		server, err := Open(Config{DataDir: folder, Logger: quietLogger})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if live, _ := server.liveRooms(); live != 0 {
			b.Fatalf("%d rooms restored at start", live)
		}
		server.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/start")
}

// benchRoom stores a room of a scenario, to which more adds inputs
// straight into the store, and returns its data folder and token.
func benchRoom(b *testing.B, source *scenario.Scenario, more func(*store.Store, int64)) (string, string) {
	folder := b.TempDir()
	server, err := Open(Config{DataDir: folder, Logger: quietLogger, InitialSpeedHundredths: -1, MaxLiveRooms: 1})
	if err != nil {
		b.Fatal(err)
	}
	token, err := server.CreateRoom(context.Background(), source)
	if err != nil {
		b.Fatal(err)
	}
	record, err := server.store.Room(context.Background(), token)
	if err != nil {
		b.Fatal(err)
	}
	if more != nil {
		more(server.store, record.ID)
	}
	server.Close()
	return folder, token
}

// benchRestoreBoth runs benchRestore with snapshots turned off
// ("replay"), then once a restore and a stop stored one ("snapshot"),
// reporting the snapshot's size and how long encoding it took.
func benchRestoreBoth(b *testing.B, folder, token, metric string, check func(*room)) {
	b.Run("replay", func(b *testing.B) {
		benchRestore(b, Config{DataDir: folder, Logger: quietLogger, SnapshotEveryInputs: -1}, token, metric, check)
	})
	b.Run("snapshot", func(b *testing.B) {
		config := Config{DataDir: folder, Logger: quietLogger}
		server, err := Open(config)
		if err != nil {
			b.Fatal(err)
		}
		r, err := server.acquire(token)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		data, err := r.replica.StateSnapshot()
		if err != nil {
			b.Fatal(err)
		}
		encodeMs := time.Since(start).Milliseconds()
		server.release(r)
		server.Close() // stores the room's snapshot
		restores := int64(0)
		benchRestore(b, config, token, metric, func(r *room) {
			check(r)
			restores += r.server.snapshotRestores.Load()
		})
		if restores != int64(b.N) {
			b.Fatalf("%d of %d restores began from the snapshot", restores, b.N)
		}
		b.ReportMetric(float64(len(data))/(1<<20), "MiB/snapshot")
		b.ReportMetric(float64(encodeMs), "ms/encode")
	})
}

// benchRestore measures Open and the first acquire of a room, checked by
// check, and reports the mean as metric.
func benchRestore(b *testing.B, config Config, token, metric string, check func(*room)) {
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		server, err := Open(config)
		if err != nil {
			b.Fatal(err)
		}
		r, err := server.acquire(token)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		check(r)
		server.release(r)
		server.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), metric)
}
