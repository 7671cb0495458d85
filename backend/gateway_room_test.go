package backend

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/kafka-playground/playground/backend/store"
	coregateway "github.com/kafka-playground/playground/core/gateway"
	replica "github.com/kafka-playground/playground/core/room"
	"github.com/kafka-playground/playground/core/scenario"
	"github.com/kafka-playground/playground/core/sim"
)

// gatewayScenario is a small cluster whose first rebalance waits little,
// so that groups form quickly in wall time (time follows the wall clock).
const gatewayScenario = `{"version":1,"seed":5,"cluster":{"brokers":3,"config":{"group.initial.rebalance.delay.ms":"100"}},"steps":[]}`

// createKafkaRoom posts a room with a gateway and returns its token and
// its PLAINTEXT bootstrap list.
func createKafkaRoom(t testing.TB, baseURL, scenarioJSON string) (string, []string) {
	t.Helper()
	body := `{"kafka":true}`
	if scenarioJSON != "" {
		body = `{"kafka":true,"scenario":` + scenarioJSON + `}`
	}
	response, err := http.Post(baseURL+"/api/rooms", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer response.Body.Close()
	var answer struct {
		Token, URL, Error string
		Kafka             gatewayView
	}
	json.NewDecoder(response.Body).Decode(&answer)
	if response.StatusCode != http.StatusCreated || answer.URL != "/r/"+answer.Token || len(answer.Kafka.Listeners) == 0 {
		t.Fatalf("POST /api/rooms with kafka: %d %+v", response.StatusCode, answer)
	}
	return answer.Token, strings.Split(answer.Kafka.Listeners[0].Bootstrap, ",")
}

// kafkaClient is a franz-go client of a gateway room.
func kafkaClient(t testing.TB, seeds []string, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	opts = append([]kgo.Opt{kgo.SeedBrokers(seeds...), kgo.ProducerBatchCompression(kgo.NoCompression()),
		kgo.RetryTimeout(30 * time.Second), kgo.ClientID("franz-test")}, opts...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// createGatewayTopic creates a topic through the gateway.
func createGatewayTopic(t testing.TB, ctx context.Context, cl *kgo.Client, name string, partitions int32) {
	t.Helper()
	req := kmsg.NewPtrCreateTopicsRequest()
	topic := kmsg.NewCreateTopicsRequestTopic()
	topic.Topic, topic.NumPartitions, topic.ReplicationFactor = name, partitions, 3
	req.Topics = append(req.Topics, topic)
	req.TimeoutMillis = 10000
	resp, err := req.RequestWith(ctx, cl)
	if err != nil || resp.Topics[0].ErrorCode != 0 {
		t.Fatalf("CreateTopics: %v %+v", err, resp)
	}
}

// produceAndConsume produces count keyed records with binary values and
// reads them back from the start, each once.
func produceAndConsume(t testing.TB, ctx context.Context, seeds []string, topic string, count int) {
	t.Helper()
	producer := kafkaClient(t, seeds, kgo.DefaultProduceTopic(topic))
	for i := 0; i < count; i++ {
		value := []byte{0, 0xff, byte(i)}
		if err := producer.ProduceSync(ctx, &kgo.Record{Key: []byte(fmt.Sprintf("k%d", i)), Value: value}).FirstErr(); err != nil {
			t.Fatalf("produce %d: %v", i, err)
		}
	}
	consumer := kafkaClient(t, seeds, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	seen := map[string]int{}
	for len(seen) < count {
		fetches := consumer.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("consumed %d of %d: %v", len(seen), count, ctx.Err())
		}
		fetches.EachRecord(func(r *kgo.Record) {
			if len(r.Value) != 3 || r.Value[0] != 0 || r.Value[1] != 0xff {
				t.Errorf("record %s has value %x", r.Key, r.Value)
			}
			seen[string(r.Key)]++
		})
	}
	for key, n := range seen {
		if n != 1 {
			t.Errorf("record %s read %d times", key, n)
		}
	}
}

// gatewayInputs counts a member's journal's gateway inputs by kind.
func gatewayInputs(t testing.TB, c *client) map[string]int {
	t.Helper()
	kinds := map[string]int{}
	for _, frame := range c.journal {
		if frame.Gateway == nil {
			continue
		}
		in, err := coregateway.ParseInput(frame.Gateway)
		if err != nil {
			t.Fatalf("input %d: %v", frame.Seq, err)
		}
		switch {
		case in.Connect != nil:
			kinds["connect"]++
		case in.Request != nil:
			kinds[in.Request.API]++
		case in.Authenticate != nil:
			kinds["authenticate"]++
		case in.Disconnect != nil:
			kinds["disconnect"]++
		}
	}
	return kinds
}

// settle sends a mark (an advance of 1 ms) and waits for its ack and a
// hash frame after it: the member then holds every input the room had
// applied before, and matched the server's trace hash there (every hash
// frame is compared: a difference fails the test).
func settle(t testing.TB, c *client) {
	t.Helper()
	marks++
	id := fmt.Sprintf("mark-%d", marks)
	c.input(id, `{"op":"advance","ms":1}`)
	c.acked(id)
	c.hashedAt(c.acks[id])
}

// marks numbers settle's marks.
var marks int

// TestGatewayRoomFranzGo: a franz-go client creates a topic, produces
// records with binary values and consumes them back through a room's
// gateway; a member of the room receives the journal (connections and
// requests among the inputs) and replays it with core/room to the
// server's trace hash; the page's state shows the clients by client.id.
func TestGatewayRoomFranzGo(t *testing.T) {
	s := startServer(t, Config{HashInterval: 50 * time.Millisecond})
	token, seeds := createKafkaRoom(t, s.url, gatewayScenario)
	ada := dial(t, s.url, token, "Ada", nil, false)
	defer ada.close()
	if ada.welcome.Kafka == nil || ada.welcome.Kafka.Listeners[0].Bootstrap != strings.Join(seeds, ",") || !ada.welcome.Kafka.Accepting {
		t.Fatalf("the welcome's gateway: %+v", ada.welcome.Kafka)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	admin := kafkaClient(t, seeds)
	createGatewayTopic(t, ctx, admin, "orders", 3)
	produceAndConsume(t, ctx, seeds, "orders", 20)

	settle(t, ada)
	kinds := gatewayInputs(t, ada)
	if kinds["connect"] < 3 || kinds["Produce"] == 0 || kinds["Fetch"] == 0 || kinds["Metadata"] == 0 || kinds["CreateTopics"] != 1 {
		t.Errorf("the journal's gateway inputs: %v", kinds)
	}
	if hw := ada.replica.Session().Cluster().State().Topics["orders"]; len(hw.Partitions) != 3 {
		t.Errorf("the member's copy has the topic as %+v", hw)
	}
	g, err := ada.replica.Gateway()
	if err != nil {
		t.Fatal(err)
	}
	named := 0
	for _, c := range g.Clients() {
		if strings.HasPrefix(c.Label, "franz-test (127.0.0.1:") {
			named++
		}
	}
	if named == 0 {
		t.Errorf("the member's copy names no client by its client.id: %+v", g.Clients())
	}
	if speed := ada.welcome.Speed; string(speed) != "1" {
		t.Errorf("a gateway room's speed is %s", speed)
	}
	ada.send(map[string]any{"type": "speed", "id": "s1", "speed": 2})
	if refused := ada.errorFor("s1"); !strings.Contains(refused.Message, "wall clock") {
		t.Errorf("a speed change: %+v", refused)
	}
}

// openServer opens a server on a data folder behind httptest.
func openServer(t *testing.T, dir string) *testServer {
	t.Helper()
	return startServer(t, Config{DataDir: dir, HashInterval: 50 * time.Millisecond})
}

// TestGatewayRoomRestart: the room `serve --kafka` serves is remembered
// by the database; a server restarted on the same file restores it by
// replaying its journal, journals the connections left open as closed,
// and serves again (the records produced before are read back through
// the new gateway); a member that resumes and a late joiner from a
// snapshot both reach the restored server's trace hash.
func TestGatewayRoomRestart(t *testing.T) {
	dir := t.TempDir()
	source, err := scenario.Decode("kafka", []byte(gatewayScenario))
	if err != nil {
		t.Fatal(err)
	}
	first := openServer(t, dir)
	served, err := first.ServeKafka(context.Background(), source, GatewaySettings{})
	if err != nil || !served.Created {
		t.Fatalf("first start: %+v %v", served, err)
	}
	ada := dial(t, first.url, served.Token, "Ada", nil, false)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	seeds := strings.Split(served.Listeners[0].Bootstrap, ",")
	producer := kafkaClient(t, seeds, kgo.DefaultProduceTopic("kept"), kgo.AllowAutoTopicCreation())
	for i := 0; i < 5; i++ {
		if err := producer.ProduceSync(ctx, &kgo.Record{Value: []byte(fmt.Sprintf("before-%d", i))}).FirstErr(); err != nil {
			t.Fatalf("produce before the restart: %v", err)
		}
	}
	settle(t, ada)
	open := len(mustGateway(t, ada).Connections())
	if open == 0 {
		t.Fatal("the producer's connections are not open in the member's copy")
	}
	ada.close()
	first.http.CloseClientConnections()
	first.http.Close()
	if err := first.Server.Close(); err != nil {
		t.Fatal(err)
	}
	producer.Close()

	second := openServer(t, dir)
	again, err := second.ServeKafka(context.Background(), source, GatewaySettings{})
	if err != nil || again.Created || again.Token != served.Token {
		t.Fatalf("second start: %+v %v, want the room %s reopened", again, err, served.Token)
	}
	resumed := dial(t, second.url, served.Token, "Ada", ada, false)
	defer resumed.close()
	settle(t, resumed)
	if left := mustGateway(t, resumed).Connections(); len(left) != 0 {
		t.Errorf("connections still open after the restart: %v", left)
	}
	if kinds := gatewayInputs(t, resumed); kinds["disconnect"] < open {
		t.Errorf("%d connections were open, the journal closes %d: %v", open, kinds["disconnect"], kinds)
	}
	seeds = strings.Split(again.Listeners[0].Bootstrap, ",")
	consumer := kafkaClient(t, seeds, kgo.ConsumeTopics("kept"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	for seen := 0; seen < 5; {
		fetches := consumer.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read %d of the 5 records from before the restart: %v", seen, ctx.Err())
		}
		seen += fetches.NumRecords()
	}
	late := dial(t, second.url, served.Token, "Bob", nil, true)
	defer late.close()
	if late.welcome.Snapshot == nil || len(late.welcome.Snapshot.Inputs) == 0 {
		t.Fatalf("the late joiner's snapshot has no inputs after its scenario: %+v", late.welcome.Snapshot)
	}
	settle(t, late)
	settle(t, resumed)
	if late.replica.TraceHash() != resumed.replica.TraceHash() && late.lastSeq == resumed.lastSeq {
		t.Errorf("the late joiner and the resumed member differ at seq %d", late.lastSeq)
	}
}

// mustGateway returns a member's copy's gateway.
func mustGateway(t testing.TB, c *client) *coregateway.Gateway {
	t.Helper()
	g, err := c.replica.Gateway()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// syncBuffer is a log the server writes while the test reads it.
type syncBuffer struct {
	mu   sync.Mutex
	text strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.text.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.text.String()
}

// rawKafka is a TCP connection that writes hand-made Kafka frames.
type rawKafka struct {
	t      *testing.T
	socket net.Conn
}

func dialKafka(t *testing.T, address string) *rawKafka {
	t.Helper()
	socket, err := net.DialTimeout("tcp", address, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { socket.Close() })
	return &rawKafka{t: t, socket: socket}
}

// roundTrip writes a request's frame (or raw bytes) and reads one
// response frame, nil when the connection was closed instead.
func (k *rawKafka) roundTrip(frame []byte) []byte {
	k.t.Helper()
	if _, err := k.socket.Write(frame); err != nil {
		return nil
	}
	k.socket.SetReadDeadline(time.Now().Add(10 * time.Second))
	var size [4]byte
	if _, err := io.ReadFull(k.socket, size[:]); err != nil {
		return nil
	}
	body := make([]byte, binary.BigEndian.Uint32(size[:]))
	if _, err := io.ReadFull(k.socket, body); err != nil {
		return nil
	}
	return body
}

// journaledSince lists the gateway inputs a member received after seq
// (the clock's advances and the member's own marks aside).
func journaledSince(t testing.TB, c *client, seq int64) []*coregateway.Input {
	t.Helper()
	var out []*coregateway.Input
	for s := seq + 1; s <= c.lastSeq; s++ {
		frame := c.journal[s]
		if frame.Gateway == nil {
			if !strings.HasPrefix(string(frame.Step), `{"op":"advance","ms":`) {
				t.Errorf("input %d is neither an advance nor a gateway input: %s", s, frame.Step)
			}
			continue
		}
		in, err := coregateway.ParseInput(frame.Gateway)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, in)
	}
	return out
}

// TestGatewayRoomMalformedFrames: a produce whose batch has a wrong
// CRC-32C is answered CORRUPT_MESSAGE by the gateway and journals
// nothing (the room's journal, hence its hash, is as before but for
// the member's mark); a frame Kafka cannot parse closes its connection, which is
// all the journal learns (its disconnection), with the error in the log
// only; the room and its other clients go on.
func TestGatewayRoomMalformedFrames(t *testing.T) {
	var log syncBuffer
	s := startServer(t, Config{HashInterval: 50 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	token, seeds := createKafkaRoom(t, s.url, gatewayScenario)
	ada := dial(t, s.url, token, "Ada", nil, false)
	defer ada.close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	good := kafkaClient(t, seeds, kgo.DefaultProduceTopic("t"), kgo.AllowAutoTopicCreation())
	if err := good.ProduceSync(ctx, &kgo.Record{Value: []byte("first")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	raw := dialKafka(t, seeds[0])
	formatter := kmsg.NewRequestFormatter(kmsg.FormatterClientID("raw"))
	if raw.roundTrip(formatter.AppendRequest(nil, kmsg.NewPtrApiVersionsRequest(), 1)) == nil {
		t.Fatal("no ApiVersions answer")
	}
	settle(t, ada)
	before := ada.lastSeq
	endOffsets := func() int64 {
		var total int64
		for _, p := range ada.replica.Session().Cluster().State().Topics["t"].Partitions {
			total += p.LogEndOffset
		}
		return total
	}
	stored := endOffsets()

	produce := kmsg.NewPtrProduceRequest()
	produce.Acks, produce.TimeoutMillis = -1, 5000
	topic := kmsg.NewProduceRequestTopic()
	topic.Topic = "t"
	batch := kmsg.NewRecordBatch()
	batch.Magic, batch.NumRecords, batch.Records = 2, 1, []byte{0x10, 0, 0, 0, 2, 'x', 2, 'y', 0}
	batch.CRC = 12345 // wrong
	partition := kmsg.NewProduceRequestTopicPartition()
	partition.Records = batch.AppendTo(nil)
	topic.Partitions = append(topic.Partitions, partition)
	produce.Topics = append(produce.Topics, topic)
	produce.SetVersion(9)
	answer := raw.roundTrip(formatter.AppendRequest(nil, produce, 2))
	resp := kmsg.NewPtrProduceResponse()
	resp.Version = 9
	if answer == nil || resp.ReadFrom(answer[5:]) != nil || resp.Topics[0].Partitions[0].ErrorCode != 2 {
		t.Fatalf("the corrupt batch was answered %x (%+v), want CORRUPT_MESSAGE", answer, resp)
	}
	settle(t, ada)
	if inputs := journaledSince(t, ada, before); len(inputs) != 0 {
		t.Errorf("a corrupt batch journaled %d gateway inputs: %+v", len(inputs), inputs[0])
	}
	// Nothing but the mark came: the room's hash before the mark is the
	// hash it had before the corrupt batch (idle clients have no event
	// due, so the clock added nothing either).
	if ada.lastSeq != before+1 {
		t.Errorf("%d inputs after the corrupt batch, want only settle's mark", ada.lastSeq-before)
	}
	before = ada.lastSeq

	if raw.roundTrip([]byte{0, 0, 0, 10, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1, 0, 50}) != nil {
		t.Fatal("a frame Kafka cannot parse was answered")
	}
	if err := good.ProduceSync(ctx, &kgo.Record{Value: []byte("second")}).FirstErr(); err != nil {
		t.Fatalf("another client after the bad frame: %v", err)
	}
	settle(t, ada)
	disconnects, rawID := 0, raw.connection(t, ada)
	for _, in := range journaledSince(t, ada, before) {
		switch {
		case in.Disconnect != nil && in.Disconnect.Connection == rawID:
			disconnects++
		case in.Request != nil && in.Request.Connection == rawID, in.Authenticate != nil && in.Authenticate.Connection == rawID:
			t.Errorf("the bad frame journaled %+v", in)
		}
	}
	if disconnects != 1 || endOffsets() != stored+1 {
		t.Errorf("after the bad frame: %d disconnections journaled, %d records stored (were %d, one more produced)", disconnects, endOffsets(), stored)
	}
	if !strings.Contains(log.String(), "is not served") && !strings.Contains(log.String(), "closing the connection") {
		t.Errorf("the server's log does not say why the connection closed:\n%s", log.String())
	}
}

// connection finds the raw socket's connection id in a member's copy,
// by its address.
func (k *rawKafka) connection(t testing.TB, c *client) coregateway.ConnID {
	for _, frame := range c.journal {
		if frame.Gateway == nil {
			continue
		}
		in, _ := coregateway.ParseInput(frame.Gateway)
		if in != nil && in.Connect != nil && in.Connect.Address == k.socket.LocalAddr().String() {
			return in.Connect.Connection
		}
	}
	t.Fatalf("no connection from %s in the journal", k.socket.LocalAddr())
	return 0
}

// TestGatewayRoomLimits: a room stops its gateway once it holds its
// limit of real clients' inputs: the clients' connections close, new
// ones are refused, the members are told and a later welcome says why;
// the room itself goes on. The server refuses a gateway room past its
// limit of them with a sentence.
func TestGatewayRoomLimits(t *testing.T) {
	s := startServer(t, Config{HashInterval: 50 * time.Millisecond, MaxGatewayInputsPerRoom: 5, MaxGatewayRooms: 1})
	token, seeds := createKafkaRoom(t, s.url, gatewayScenario)
	ada := dial(t, s.url, token, "Ada", nil, false)
	defer ada.close()
	raw := dialKafka(t, seeds[0])
	formatter := kmsg.NewRequestFormatter(kmsg.FormatterClientID("raw"))
	answered := 0
	for correlation := int32(1); correlation <= 10; correlation++ {
		metadata := kmsg.NewPtrMetadataRequest()
		metadata.SetVersion(12)
		if raw.roundTrip(formatter.AppendRequest(nil, metadata, correlation)) == nil {
			break // the gateway stopped: the connection is closed
		}
		answered++
	}
	if answered != 4 {
		t.Errorf("%d requests answered before the limit of 5 inputs (the connection is one), want 4", answered)
	}
	ada.until("the members are told the gateway stopped", func() bool {
		for _, e := range ada.errors {
			if strings.Contains(e.Message, "limit of 5 inputs from real clients") {
				return true
			}
		}
		return false
	})
	if socket, err := net.DialTimeout("tcp", seeds[0], time.Second); err == nil {
		socket.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := socket.Read(make([]byte, 1)); err == nil {
			t.Error("a full gateway's port answered")
		}
		socket.Close()
	}
	settle(t, ada)
	taken := 0
	for kind, n := range gatewayInputs(t, ada) {
		if kind != "disconnect" {
			taken += n
		}
	}
	if taken != 5 {
		t.Errorf("%d gateway inputs journaled besides disconnections, with a limit of 5", taken)
	}
	bob := dial(t, s.url, token, "Bob", nil, true)
	defer bob.close()
	if bob.welcome.Kafka == nil || bob.welcome.Kafka.Accepting || !strings.Contains(bob.welcome.Kafka.Message, "limit") {
		t.Errorf("a later welcome: %+v", bob.welcome.Kafka)
	}
	response, err := http.Post(s.url+"/api/rooms", "application/json", strings.NewReader(`{"kafka":true}`))
	if err != nil {
		t.Fatal(err)
	}
	var refused struct{ Error string }
	json.NewDecoder(response.Body).Decode(&refused)
	response.Body.Close()
	if response.StatusCode != http.StatusServiceUnavailable || !strings.Contains(refused.Error, "its limit") {
		t.Errorf("a second gateway room: %d %q", response.StatusCode, refused.Error)
	}
	for _, body := range []string{`{"kafka":"yes"}`, `{"kafka":true,"other":1}`} {
		response, _ := http.Post(s.url+"/api/rooms", "application/json", strings.NewReader(body))
		if response.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422", body, response.StatusCode)
		}
		response.Body.Close()
	}
}

// secureGatewayScenario has a SASL_PLAINTEXT listener beside PLAINTEXT
// and a user of each mechanism.
const secureGatewayScenario = `{"version":1,"seed":9,"cluster":{"brokers":3,"config":{
	"listeners":"PLAINTEXT://:9092,SASL_PLAINTEXT://:9093",
	"sasl.enabled.mechanisms":"PLAIN,SCRAM-SHA-256,SCRAM-SHA-512"}},
	"steps":[
	{"op":"add_user","user":"alice","password":"alice-pass-7f3a","mechanism":"PLAIN"},
	{"op":"add_user","user":"bob","password":"bob-pass-91c2","mechanism":"SCRAM-SHA-256"},
	{"op":"add_user","user":"carol","password":"carol-pass-0d44","mechanism":"SCRAM-SHA-512"}]}`

// TestNoSecretEscapesGatewayRoom: in a room with a gateway, the
// passwords of its users (from its scenario and from a member's step)
// and those its real clients authenticate with, right and wrong, are in
// none of the journal's rows in SQLite, the frames members receive (the
// welcome, a late joiner's snapshot, inputs, errors) or the trace of a
// replay; the journal holds each SASL exchange's outcome instead, and
// the clients that gave the right password are served.
func TestNoSecretEscapesGatewayRoom(t *testing.T) {
	var frames []string
	recordFrames = &frames
	defer func() { recordFrames = nil }()
	s := startServer(t, Config{HashInterval: 50 * time.Millisecond})
	response, err := http.Post(s.url+"/api/rooms", "application/json", strings.NewReader(`{"kafka":true,"scenario":`+secureGatewayScenario+`}`))
	if err != nil {
		t.Fatal(err)
	}
	var created struct {
		Token string
		Kafka gatewayView
	}
	json.NewDecoder(response.Body).Decode(&created)
	response.Body.Close()
	if len(created.Kafka.Listeners) != 2 || created.Kafka.Listeners[1].Name != "SASL_PLAINTEXT" {
		t.Fatalf("the room's listeners: %+v", created.Kafka)
	}
	ada := dial(t, s.url, created.Token, "Ada", nil, false)
	defer ada.close()
	ada.input("dave", `{"op":"add_user","user":"dave","password":"dave-pass-55e1","mechanism":"SCRAM-SHA-256"}`)
	ada.acked("dave")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	seeds := strings.Split(created.Kafka.Listeners[1].Bootstrap, ",")
	users := []struct{ user, password, mechanism string }{
		{"alice", "alice-pass-7f3a", "PLAIN"}, {"bob", "bob-pass-91c2", "SCRAM-SHA-256"},
		{"carol", "carol-pass-0d44", "SCRAM-SHA-512"}, {"dave", "dave-pass-55e1", "SCRAM-SHA-256"},
	}
	secrets := []string{"wrong-pass-aa11"}
	for _, u := range users {
		secrets = append(secrets, u.password)
		if _, err := saslMetadata(ctx, seeds, u.user, u.password, u.mechanism); err != nil {
			t.Errorf("%s with %s: %v", u.user, u.mechanism, err)
		}
		if _, err := saslMetadata(ctx, seeds, u.user, "wrong-pass-aa11", u.mechanism); !errors.Is(err, kerr.SaslAuthenticationFailed) {
			t.Errorf("%s with a wrong password: %v, want SASL_AUTHENTICATION_FAILED", u.user, err)
		}
	}
	settle(t, ada)
	late := dial(t, s.url, created.Token, "Bob", nil, true)
	defer late.close()
	settle(t, late)

	kinds := gatewayInputs(t, ada)
	if kinds["authenticate"] < 2*len(users) {
		t.Errorf("the journal holds %d authentication outcomes for %d exchanges", kinds["authenticate"], 2*len(users))
	}
	var stored strings.Builder
	room, _ := s.store.Room(ctx, created.Token)
	stored.Write(room.Header)
	s.store.Inputs(ctx, room.ID, 0, 1<<62, 0, func(input store.Input) error {
		stored.Write(input.Step)
		stored.Write(input.Gateway)
		return nil
	})
	var trace strings.Builder
	replayed, err := replica.RestoreInputs("room", ada.replica.Header(), ada.replica.Inputs(),
		scenario.Options{TraceSink: func(e sim.TraceEvent) { trace.WriteString(e.String() + "\n") }})
	if err != nil || replayed.TraceHash() != ada.replica.TraceHash() {
		t.Fatalf("a replay of the journal: %v", err)
	}
	if !strings.Contains(trace.String(), "authenticated User:dave with SCRAM-SHA-256") {
		t.Errorf("the trace names no authentication of dave")
	}
	for _, secret := range secrets {
		for name, text := range map[string]string{"journal in SQLite": stored.String(), "frames": strings.Join(frames, "\n"),
			"trace": trace.String()} {
			if strings.Contains(text, secret) {
				t.Errorf("the password %q appears in the %s", secret, name)
			}
		}
	}
}

// saslMetadata asks for metadata as user over SASL.
func saslMetadata(ctx context.Context, seeds []string, user, password, mechanism string) (*kmsg.MetadataResponse, error) {
	var m sasl.Mechanism
	switch mechanism {
	case "PLAIN":
		m = plain.Auth{User: user, Pass: password}.AsMechanism()
	case "SCRAM-SHA-256":
		m = scram.Auth{User: user, Pass: password}.AsSha256Mechanism()
	default:
		m = scram.Auth{User: user, Pass: password}.AsSha512Mechanism()
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.SASL(m), kgo.RequestRetries(0))
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	return kmsg.NewPtrMetadataRequest().RequestWith(ctx, cl)
}

// TestGatewayRoomClock: with members and no real client, a gateway
// room's clock ticks at real time and its ticks are stored as runs; once
// a real client connects the ticks stop and time advances on demand,
// before each of its inputs and when an event is due, and resumes
// ticking once it left.
func TestGatewayRoomClock(t *testing.T) {
	s := startServer(t, Config{HashInterval: 50 * time.Millisecond, TickInterval: 5 * time.Millisecond})
	token, seeds := createKafkaRoom(t, s.url, gatewayScenario)
	ada := dial(t, s.url, token, "Ada", nil, false)
	defer ada.close()
	ada.until("forty ticks", func() bool { return ada.lastSeq >= 40 })
	room, err := s.store.Room(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	rows := func() int {
		n := 0
		s.store.Inputs(context.Background(), room.ID, 0, 1<<62, 0, func(store.Input) error { n++; return nil })
		return n
	}
	if stored := rows(); stored > 3 {
		t.Errorf("%d ticks are stored as %d rows, not as a run", ada.lastSeq, stored)
	}
	raw := dialKafka(t, seeds[0])
	formatter := kmsg.NewRequestFormatter(kmsg.FormatterClientID("idle"))
	if raw.roundTrip(formatter.AppendRequest(nil, kmsg.NewPtrApiVersionsRequest(), 1)) == nil {
		t.Fatal("no ApiVersions answer")
	}
	settle(t, ada)
	connected := ada.lastSeq
	time.Sleep(300 * time.Millisecond) // 60 ticks' worth
	settle(t, ada)
	if grown := ada.lastSeq - connected; grown > 20 {
		t.Errorf("%d inputs in 300 ms with an idle real client: the clock still ticks", grown)
	}
	raw.socket.Close()
	ada.until("ticks again", func() bool { return ada.lastSeq > connected+60 })
}

// TestGatewayRoomEvicted: a gateway room nobody (member or real client)
// uses leaves memory after the idle time with its ports, which counts
// it out of the server's gateway rooms; a join restores it with its
// gateway open again, and a client produces through it.
func TestGatewayRoomEvicted(t *testing.T) {
	s := startServer(t, Config{HashInterval: 50 * time.Millisecond, IdleTimeout: 30 * time.Millisecond, MaxGatewayRooms: 1})
	token, seeds := createKafkaRoom(t, s.url, gatewayScenario)
	waitEvicted(t, s.Server, 0, 1)
	// The room's goroutine closes its ports as it ends, just after it
	// left the registry.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		socket, err := net.DialTimeout("tcp", seeds[0], time.Second)
		if err != nil {
			break
		}
		socket.Close()
		if time.Now().After(deadline) {
			t.Fatal("an evicted room's port still accepts connections")
		}
	}
	// It counts itself out just after its ports are closed.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		s.mu.Lock()
		open := len(s.gatewayRooms)
		s.mu.Unlock()
		if open == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d gateway rooms counted after the eviction", open)
		}
	}
	ada := dial(t, s.url, token, "Ada", nil, false)
	defer ada.close()
	if ada.welcome.Kafka == nil || len(ada.welcome.Kafka.Listeners) == 0 {
		t.Fatalf("the restored room's welcome has no gateway: %+v", ada.welcome.Kafka)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client := kafkaClient(t, strings.Split(ada.welcome.Kafka.Listeners[0].Bootstrap, ","), kgo.DefaultProduceTopic("again"), kgo.AllowAutoTopicCreation())
	if err := client.ProduceSync(ctx, &kgo.Record{Value: []byte("after the eviction")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	settle(t, ada)
}
