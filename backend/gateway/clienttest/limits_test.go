package clienttest

// The limits of a room's real clients, set by serve's flags.

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// TestServeMaxGatewayBytes: `serve --max-gateway-bytes` is the room's
// limit of its real clients' inputs. With 64 KiB, a producer of 4 KiB
// records is cut off before 256 KiB of them are produced, and the
// server's log says which limit stopped the gateway.
func TestServeMaxGatewayBytes(t *testing.T) {
	const limit, recordBytes, records = 65536, 4096, 64
	s := startServer(t, 1, "--max-gateway-bytes", "65536")
	// Not idempotent: an idempotent producer keeps retrying a batch it
	// sent (its sequence numbers depend on it) whatever its context says.
	client, err := kgo.NewClient(kgo.SeedBrokers(s.brokers...), kgo.DefaultProduceTopic("limited"), kgo.AllowAutoTopicCreation(),
		kgo.DisableIdempotentWrite())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	value := bytes.Repeat([]byte("x"), recordBytes)
	produced := 0
	var failure error
	for produced < records && failure == nil {
		// A refused producer retries until the record's context ends.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if failure = client.ProduceSync(ctx, &kgo.Record{Value: value}).FirstErr(); failure == nil {
			produced++
		}
		cancel()
	}
	if failure == nil {
		t.Fatalf("%d records of %d bytes were produced through a room limited to %d bytes of its clients' inputs", records, recordBytes, limit)
	}
	if produced*recordBytes > limit {
		t.Errorf("%d records of %d bytes were produced before the gateway stopped at %d bytes", produced, recordBytes, limit)
	}
	const stopped = "reached its limit of 65536 bytes"
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(s.stderr.String(), stopped) {
		if time.Now().After(deadline) {
			t.Fatalf("the producer failed after %d records (%v), but the server's log does not say %q:\n%s", produced, failure, stopped, s.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
