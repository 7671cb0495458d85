package backend

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	coregateway "github.com/kafka-playground/playground/core/gateway"
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
