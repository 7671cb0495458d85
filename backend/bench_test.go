package backend

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/kafka-playground/playground/core"
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

// BenchmarkRestartMillionRecords measures a restart (Open) of a server
// whose one room holds a million records: a journal of 100 produce steps
// of 10,000 records each, replayed whole, since snapshots are replays.
func BenchmarkRestartMillionRecords(b *testing.B) {
	folder := b.TempDir()
	server, err := Open(Config{DataDir: folder, Logger: quietLogger, InitialSpeedHundredths: -1})
	if err != nil {
		b.Fatal(err)
	}
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
	if _, err := server.CreateRoom(context.Background(), source); err != nil {
		b.Fatal(err)
	}
	server.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		restarted, err := Open(Config{DataDir: folder, Logger: quietLogger})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		for range 0 { var r *room
			state, _ := r.replica.Session().Output().State.Producers["p"].(core.ProducerState)
			if acked := state.Acked; acked != 1_000_000 {
				b.Fatalf("the restored room has %d records acknowledged, want 1,000,000", acked)
			}
		}
		restarted.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/restart")
}
