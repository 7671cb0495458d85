package backend

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// payloadRecordBytes is the size of the records TestGatewayPayloadFile
// produces one by one: each Produce request is above the store's 4 KiB,
// so that it is kept in the room's payload file.
const payloadRecordBytes = 6000

// payloadValue is record i of TestGatewayPayloadFile.
func payloadValue(i int) []byte {
	value := bytes.Repeat([]byte{byte(i)}, payloadRecordBytes)
	copy(value, fmt.Sprintf("record-%d;", i))
	return value
}

// TestGatewayPayloadFile: a gateway room's large Produce requests are
// journaled in the room's payload file, not in SQLite. A restarted
// server with no state snapshot restores the room by replaying them
// from the file, serves their records, and a member that joins from seq
// 0 (every input frame read back from the file) reaches its hash. With
// a byte of one payload changed, the restore fails and the join is
// refused with an error naming the input, and the log names the room:
// no panic, and no state built on a damaged journal.
func TestGatewayPayloadFile(t *testing.T) {
	dir := t.TempDir()
	config := Config{DataDir: dir, HashInterval: 50 * time.Millisecond, SnapshotEveryInputs: -1}
	first := startServer(t, config)
	token, seeds := createKafkaRoom(t, first.url, gatewayScenario)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	producer := kafkaClient(t, seeds, kgo.DefaultProduceTopic("big"), kgo.AllowAutoTopicCreation())
	const records = 12
	for i := 0; i < records; i++ {
		if err := producer.ProduceSync(ctx, &kgo.Record{Value: payloadValue(i)}).FirstErr(); err != nil {
			t.Fatalf("produce %d: %v", i, err)
		}
	}
	producer.Close()
	record, err := first.store.Room(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	var inFile int
	var lastPayloadSeq, lastPayloadOffset, lastPayloadBytes int64
	first.store.SQL().QueryRow(`SELECT COUNT(*), MAX(seq) FROM inputs WHERE room_id = ? AND payload_bytes IS NOT NULL`,
		record.ID).Scan(&inFile, &lastPayloadSeq)
	first.store.SQL().QueryRow(`SELECT payload_offset, payload_bytes FROM inputs WHERE room_id = ? AND seq = ?`,
		record.ID, lastPayloadSeq).Scan(&lastPayloadOffset, &lastPayloadBytes)
	if inFile < records {
		t.Fatalf("%d inputs are in the payload file, want at least the %d Produce requests", inFile, records)
	}
	first.http.CloseClientConnections()
	first.http.Close()
	if err := first.Server.Close(); err != nil {
		t.Fatal(err)
	}

	second := startServer(t, config)
	fresh := dial(t, second.url, token, "Fresh", nil, false)
	settle(t, fresh)
	if second.snapshotRestores.Load() != 0 {
		t.Fatal("the room was restored from a state snapshot, not from its journal")
	}
	if kinds := gatewayInputs(t, fresh); kinds["Produce"] < records {
		t.Fatalf("the member from seq 0 received %d Produce requests, want %d: %v", kinds["Produce"], records, kinds)
	}
	readBack(t, ctx, fresh.welcome.Kafka.Listeners[0].Bootstrap, records)
	fresh.close()
	second.http.CloseClientConnections()
	second.http.Close()
	if err := second.Server.Close(); err != nil {
		t.Fatal(err)
	}

	file := filepath.Join(dir, DatabaseFile+"-payloads", fmt.Sprint("room-", record.ID))
	damaged, err := os.OpenFile(file, os.O_RDWR, 0)
	if err == nil {
		_, err = damaged.WriteAt([]byte{0xff}, lastPayloadOffset+lastPayloadBytes/2)
		damaged.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	var log syncBuffer
	config.Logger = slog.New(slog.NewTextHandler(&log, nil))
	third := startServer(t, config)
	refused, _ := refusedHello(t, third.url, token)
	named := fmt.Sprintf("input %d: its payload", lastPayloadSeq)
	if refused.Type != frameError || !strings.Contains(refused.Message, named) || !strings.Contains(refused.Message, "is damaged") {
		t.Errorf("the join of a room with a damaged payload got %+v, want an error naming %q", refused, named)
	}
	if text := log.String(); !strings.Contains(text, token) || !strings.Contains(text, named) {
		t.Errorf("the server's log does not name the room and the input:\n%s", text)
	}
}

// readBack consumes the topic big through a gateway and checks its
// records against payloadValue.
func readBack(t *testing.T, ctx context.Context, bootstrap string, records int) {
	t.Helper()
	consumer := kafkaClient(t, strings.Split(bootstrap, ","), kgo.ConsumeTopics("big"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	defer consumer.Close()
	seen := map[string]bool{}
	for len(seen) < records {
		fetches := consumer.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read back %d of %d records: %v", len(seen), records, ctx.Err())
		}
		fetches.EachRecord(func(r *kgo.Record) {
			name, _, _ := strings.Cut(string(r.Value[:16]), ";")
			var i int
			if _, err := fmt.Sscanf(name, "record-%d", &i); err != nil || !bytes.Equal(r.Value, payloadValue(i)) {
				t.Errorf("a record read back is not one produced: %q", r.Value[:16])
			}
			seen[name] = true
		})
	}
}
