package backend

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kafka-playground/playground/backend/store"
)

// gatewayCrashCycles is the number of kill-and-restart cycles of the
// gateway's crash test, and crashRecordBytes the size of its records:
// 1 KB, so that commits take megabytes and a good part of the run.
const (
	gatewayCrashCycles = 8
	crashRecordBytes   = 1024
)

// TestCrashLosesNoAcknowledgedRecord kills the server process with
// SIGKILL while a franz-go producer (acks=all, idempotent, many records
// in flight) produces through a room's gateway, eight times, restarting
// it on the same SQLite file each time; the room's sequencer commits a
// batch while it applies the next. At the end every record whose produce
// was acknowledged is read back from the topic, and a member replaying
// the whole journal reaches the server's hash: an answer never left
// before the commit of the request it answered. The database file,
// opened directly after a last kill, reads back its whole journal, the
// Produce requests kept in the room's payload file among them.
func TestCrashLosesNoAcknowledgedRecord(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a server process")
	}
	binary := buildCrashServer(t)
	data := t.TempDir()
	random := rand.New(rand.NewPCG(3, 4))
	var token string
	acknowledged := map[string]bool{}
	for cycle := 0; cycle < gatewayCrashCycles; cycle++ {
		server := startCrashServer(t, binary, data)
		var seeds []string
		if cycle == 0 {
			token, seeds = createKafkaRoom(t, server.url, gatewayScenario)
			createCrashTopic(t, seeds)
		} else {
			seeds = restoredSeeds(t, server.url, token)
		}
		killAfter := time.Duration(150+random.IntN(450)) * time.Millisecond
		for _, value := range produceUntilKilled(t, server, seeds, cycle, killAfter) {
			acknowledged[value] = true
		}
	}
	if len(acknowledged) < gatewayCrashCycles*10 {
		t.Fatalf("only %d records were acknowledged in %d cycles: the producer hardly ran", len(acknowledged), gatewayCrashCycles)
	}
	server := startCrashServer(t, binary, data)
	seeds := restoredSeeds(t, server.url, token)
	consumer, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.ConsumeTopics("crash"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	missing := len(acknowledged)
	read := map[string]bool{}
	for missing > 0 {
		fetches := consumer.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("%d of the %d acknowledged records are not in the topic after the crashes", missing, len(acknowledged))
		}
		fetches.EachRecord(func(r *kgo.Record) {
			if value := string(bytes.TrimRight(r.Value, "\x00")); acknowledged[value] && !read[value] {
				read[value] = true
				missing--
			}
		})
	}
	fresh := dial(t, server.url, token, "Fresh", nil, false)
	defer fresh.close()
	fresh.until("the whole journal and its hash", func() bool {
		return fresh.lastSeq >= fresh.welcome.NextSeq-1 && fresh.hashesChecked > 0
	})
	server.kill()
	inFile := payloadInputs(t, filepath.Join(data, DatabaseFile))
	t.Logf("%d cycles, %d records acknowledged and read back, journal of %d inputs, %d of them in the payload file",
		gatewayCrashCycles, len(acknowledged), fresh.lastSeq, inFile)
}

// payloadInputs opens the database file of a killed server, reads its
// room's whole journal and counts the inputs kept in the payload file:
// there must be some, or the test no longer kills a server while it
// writes them.
func payloadInputs(t *testing.T, path string) int {
	t.Helper()
	db, room := openOneRoom(t, path)
	if err := db.Inputs(t.Context(), room.ID, 0, 1<<62, 0, func(store.Input) error { return nil }); err != nil {
		t.Fatalf("the journal does not read back from the file: %v", err)
	}
	var inFile int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM inputs WHERE payload_bytes IS NOT NULL`).Scan(&inFile); err != nil || inFile == 0 {
		t.Fatalf("%d inputs of the journal are in the payload file (%v)", inFile, err)
	}
	return inFile
}

// createCrashTopic creates the topic the crash test produces to.
func createCrashTopic(t *testing.T, seeds []string) {
	t.Helper()
	admin, err := kgo.NewClient(kgo.SeedBrokers(seeds...))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	createGatewayTopic(t, ctx, admin, "crash", 3)
}

// restoredSeeds joins a restarted server's room, which restores it and
// opens its gateway on new ports, and returns its bootstrap list.
func restoredSeeds(t *testing.T, url, token string) []string {
	t.Helper()
	member := dial(t, url, token, "Opener", nil, false)
	defer member.close()
	if member.welcome.Kafka == nil || !member.welcome.Kafka.Accepting {
		t.Fatalf("the restored room's gateway: %+v", member.welcome.Kafka)
	}
	return strings.Split(member.welcome.Kafka.Listeners[0].Bootstrap, ",")
}

// produceUntilKilled produces records with values unique to the cycle,
// up to 256 in flight, and kills the server after killAfter; it returns
// the values whose produce was acknowledged.
func produceUntilKilled(t *testing.T, server *crashServer, seeds []string, cycle int, killAfter time.Duration) []string {
	t.Helper()
	producer, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.DefaultProduceTopic("crash"),
		kgo.RequiredAcks(kgo.AllISRAcks()), kgo.AllowIdempotentProduceCancellation(), kgo.RecordDeliveryTimeout(3*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var acknowledged []string
	inFlight := make(chan struct{}, 256)
	killed := make(chan struct{})
	timer := time.AfterFunc(killAfter, func() { server.kill(); close(killed) })
	defer timer.Stop()
	for i := 0; ; i++ {
		select {
		case inFlight <- struct{}{}:
		case <-killed:
		}
		select {
		case <-killed:
		default:
			value := fmt.Sprintf("cycle-%d-record-%d", cycle, i)
			padded := append([]byte(value), make([]byte, crashRecordBytes-len(value))...)
			producer.Produce(ctx, &kgo.Record{Value: padded}, func(_ *kgo.Record, err error) {
				if err == nil {
					mu.Lock()
					acknowledged = append(acknowledged, value)
					mu.Unlock()
				}
				<-inFlight
			})
			continue
		}
		break
	}
	cancel()
	producer.Close()
	mu.Lock()
	defer mu.Unlock()
	return acknowledged
}
