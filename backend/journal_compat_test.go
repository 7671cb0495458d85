package backend

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kafka-playground/playground/backend/store"
)

// jsonJournalFixture is testdata/gateway-journal-json.json: a gateway
// room's journal as a server stored it before gateway inputs had a
// binary form (every one as JSON, record values in base64), written by
// that server from a franz-go session (a topic created, twelve records
// produced with null keys, null and empty values and headers, read back
// by a consumer group), and the trace hash its members reached.
type jsonJournalFixture struct {
	Header  json.RawMessage `json:"header"`
	Gateway json.RawMessage `json:"gateway"`
	Rows    []struct {
		Seq             int64  `json:"seq"`
		LastSeq         int64  `json:"last_seq"`
		Actor           string `json:"actor"`
		Step            string `json:"step"`
		SpeedHundredths *int64 `json:"speed_hundredths"`
		Gateway         string `json:"gateway"`
	} `json:"rows"`
	LastSeq   int64  `json:"last_seq"`
	TraceHash string `json:"trace_hash"`
}

// TestJSONGatewayJournalStillReplays: a database holding a journal of
// the JSON form opens; members who resume from seq 0 (every row as an
// input frame) and from a snapshot both reach the trace hash the old
// server gave at its last seq; the restored gateway serves the records
// produced then, and takes new ones (journaled in the binary form) that
// a late joiner replays, after the old rows, to the server's hash.
func TestJSONGatewayJournalStillReplays(t *testing.T) {
	text, err := os.ReadFile("testdata/gateway-journal-json.json")
	if err != nil {
		t.Fatal(err)
	}
	var fixture jsonJournalFixture
	if err := json.Unmarshal(text, &fixture); err != nil {
		t.Fatal(err)
	}
	inputs := make([]store.Input, len(fixture.Rows))
	for i, row := range fixture.Rows {
		input := store.Input{Seq: row.Seq, LastSeq: row.LastSeq, Actor: row.Actor}
		switch {
		case row.Gateway != "":
			input.Gateway = []byte(row.Gateway)
		case row.Step != "":
			input.Step = json.RawMessage(row.Step)
		default:
			input.SpeedHundredths = *row.SpeedHundredths
		}
		inputs[i] = input
	}
	s := startServer(t, Config{HashInterval: 50 * time.Millisecond})
	ctx := context.Background()
	token := newToken()
	if _, err := s.store.CreateRoom(ctx, store.Room{Token: token, Header: fixture.Header, SpeedHundredths: 100,
		CreatedMs: time.Now().UnixMilli(), Gateway: fixture.Gateway}, inputs); err != nil {
		t.Fatal(err)
	}
	resumed := dial(t, s.url, token, "Ada", nil, false)
	defer resumed.close()
	snapshot := dial(t, s.url, token, "Bob", nil, true)
	defer snapshot.close()
	for _, c := range []*client{resumed, snapshot} {
		c.hashedAt(fixture.LastSeq)
		if c.lastSeq != fixture.LastSeq || c.replica.TraceHash() != fixture.TraceHash {
			t.Fatalf("%s: seq %d, trace hash %s; the old server had %s at seq %d", c.name, c.lastSeq, c.replica.TraceHash(),
				fixture.TraceHash, fixture.LastSeq)
		}
	}
	if resumed.welcome.Kafka == nil {
		t.Fatal("the restored room has no gateway")
	}
	seeds := strings.Split(resumed.welcome.Kafka.Listeners[0].Bootstrap, ",")
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	producer := kafkaClient(t, seeds, kgo.DefaultProduceTopic("orders"))
	if err := producer.ProduceSync(ctx, &kgo.Record{Key: []byte("after"), Value: []byte{0, 1, 2}}).FirstErr(); err != nil {
		t.Fatalf("produce after the restore: %v", err)
	}
	consumer := kafkaClient(t, seeds, kgo.ConsumeTopics("orders"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	for seen := 0; seen < 13; {
		fetches := consumer.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read %d of the 13 records: %v", seen, ctx.Err())
		}
		seen += fetches.NumRecords()
	}
	settle(t, resumed)
	late := dial(t, s.url, token, "Cy", nil, false)
	defer late.close()
	settle(t, late)
	if kinds := gatewayInputs(t, late); kinds["Produce"] < 13 {
		t.Errorf("the late joiner's journal: %v", kinds)
	}
}
