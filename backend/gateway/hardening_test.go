package gateway

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kafka-playground/playground/core"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/record"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// hardenedMaxFrameBytes is the lower socket.request.max.bytes the
// hardening tests configure.
const hardenedMaxFrameBytes = 1 << 20

// startHardenedGateway serves one broker with a 1 MiB request cap and a
// 1 MiB decompression budget, and a topic "t".
func startHardenedGateway(t *testing.T, maxIdle time.Duration) *Gateway {
	t.Helper()
	g, err := Start(context.Background(), Config{Spec: core.Spec{Seed: 5, Brokers: 1}, MaxFrameBytes: hardenedMaxFrameBytes,
		MaxDecompressedBytes: 1 << 20, MaxIdle: maxIdle})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	g.Do(func(c *core.Cluster) {
		f := c.CreateTopic("t", 1, 1, nil)
		if !c.Wait(f, 10000) || f.Error != protocol.None {
			t.Fatalf("create topic: %s", f.Error)
		}
	})
	return g
}

// dial opens a raw connection with a deadline.
func dial(t *testing.T, g *Gateway) net.Conn {
	t.Helper()
	socket, err := net.Dial("tcp", g.Addresses()[1])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { socket.Close() })
	socket.SetDeadline(time.Now().Add(15 * time.Second))
	return socket
}

// closedWithoutAnswer reports whether the gateway closed the connection
// without writing anything.
func closedWithoutAnswer(t *testing.T, socket net.Conn) {
	t.Helper()
	got, err := io.ReadAll(socket)
	if errors.Is(err, syscall.ECONNRESET) {
		// Closed with bytes it did not read: the kernel resets.
		return
	}
	if err != nil {
		t.Fatalf("%v, want the connection closed", err)
	}
	if len(got) != 0 {
		t.Fatalf("answered %d bytes, want the connection closed", len(got))
	}
}

func frame(key, version int16, correlation int32, body []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(8+2+4+len(body)))
	out = binary.BigEndian.AppendUint16(out, uint16(key))
	out = binary.BigEndian.AppendUint16(out, uint16(version))
	out = binary.BigEndian.AppendUint32(out, uint32(correlation))
	out = append(out, 0, 4, 't', 'e', 's', 't')
	return append(out, body...)
}

// produceFrame is a Produce v9 (acks=1) of raw records to t-0.
func produceFrame(correlation int32, records []byte) []byte {
	req := kmsg.NewPtrProduceRequest()
	req.Version, req.Acks, req.TimeoutMillis = 9, 1, 10000
	topic := kmsg.NewProduceRequestTopic()
	topic.Topic = "t"
	part := kmsg.NewProduceRequestTopicPartition()
	part.Records = records
	topic.Partitions = append(topic.Partitions, part)
	req.Topics = append(req.Topics, topic)
	return kmsg.NewRequestFormatter(kmsg.FormatterClientID("raw")).AppendRequest(nil, req, correlation)
}

// produceError sends a produce and returns its partition's error code;
// the connection stays open.
func produceError(t *testing.T, socket net.Conn, correlation int32, records []byte) (int16, string) {
	t.Helper()
	if _, err := socket.Write(produceFrame(correlation, records)); err != nil {
		t.Fatal(err)
	}
	raw, err := readFrame(socket, DefaultMaxFrameBytes)
	if err != nil {
		t.Fatalf("produce answer: %v", err)
	}
	if got := int32(binary.BigEndian.Uint32(raw)); got != correlation {
		t.Fatalf("correlation %d, want %d", got, correlation)
	}
	resp := kmsg.NewPtrProduceResponse()
	resp.Version = 9
	if err := resp.ReadFrom(raw[5:]); err != nil {
		t.Fatal(err)
	}
	p := resp.Topics[0].Partitions[0]
	message := ""
	if p.ErrorMessage != nil {
		message = *p.ErrorMessage
	}
	return p.ErrorCode, message
}

// stillServes checks that a client that was connected before, and one
// that connects now, both produce and read back through the gateway.
func stillServes(t *testing.T, g *Gateway, before *kgo.Client, value string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, cl := range []*kgo.Client{before, newClient(t, g)} {
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "t", Value: []byte(value)}).FirstErr(); err != nil {
			t.Fatalf("after the bad input, produce: %v", err)
		}
	}
	consumer := newClient(t, g, kgo.ConsumeTopics("t"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	seen := 0
	for seen < 2 {
		fetches := consumer.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("after the bad input, consumed %d of 2 %q: %v", seen, value, ctx.Err())
		}
		fetches.EachRecord(func(r *kgo.Record) {
			if string(r.Value) == value {
				seen++
			}
		})
	}
}

// TestHardeningFrames: frames Kafka cannot read close the connection
// without an answer, and the gateway keeps serving everyone else.
func TestHardeningFrames(t *testing.T) {
	g := startHardenedGateway(t, 0)
	before := newClient(t, g)
	metadata := kmsg.NewPtrMetadataRequest()
	metadata.Version = 12
	valid := kmsg.NewRequestFormatter(kmsg.FormatterClientID("raw")).AppendRequest(nil, metadata, 3)
	cases := []struct {
		name string
		raw  []byte
	}{
		{"over socket.request.max.bytes", binary.BigEndian.AppendUint32(nil, hardenedMaxFrameBytes+1)},
		{"negative size", []byte{0xff, 0xff, 0xff, 0xfe}},
		{"header cut short", []byte{0, 0, 0, 3, 0, 18, 0}},
		{"client id longer than the frame", []byte{0, 0, 0, 10, 0, 18, 0, 3, 0, 0, 0, 1, 0, 50}},
		{"unknown API key", frame(999, 0, 1, nil)},
		{"inter-broker API key", frame(4, 7, 1, nil)},
		{"unsupported version of a known key", frame(3, 99, 1, nil)},
		{"Produce v2, removed in Kafka 4", frame(0, 2, 1, nil)},
		{"body cut short", valid[:len(valid)-2]},
		{"length shorter than the request", append(binary.BigEndian.AppendUint32(nil, 12), valid[4:]...)},
		{"garbage", bytes.Repeat([]byte{0, 0, 0, 16, 0xde, 0xad}, 4)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			socket := dial(t, g)
			if _, err := socket.Write(c.raw); err != nil {
				t.Fatal(err)
			}
			if c.name == "body cut short" {
				// The frame's size counts the bytes not sent: close our
				// side so the gateway reads the end.
				socket.(*net.TCPConn).CloseWrite()
			}
			closedWithoutAnswer(t, socket)
		})
	}
	stillServes(t, g, before, "after bad frames")
}

// TestHardeningBatches: a wrong CRC, a batch cut short, a control batch
// and a zip bomb are refused with Kafka's error for their partition; the
// connection stays open and the log holds nothing of them.
func TestHardeningBatches(t *testing.T) {
	g := startHardenedGateway(t, 0)
	before := newClient(t, g)
	socket := dial(t, g)
	plain := sampleBatch()
	plain.ProducerID, plain.ProducerEpoch, plain.BaseSequence = record.NoProducerID, record.NoProducerEpoch, record.NoSequence
	good := encodeBatch(nil, plain)
	wrongCRC := append([]byte(nil), good...)
	wrongCRC[len(wrongCRC)-2] ^= 0x40
	control := append([]byte(nil), good...)
	control[22] |= attributeControl
	bomb := record.NewBatch([]record.Record{{Value: strings.Repeat("0", 4<<20), TimestampMs: 1}})
	bomb.Compression = record.CompressionGzip
	cases := []struct {
		name    string
		records []byte
		code    protocol.ErrorCode
		says    string
	}{
		{"wrong CRC", wrongCRC, protocol.CorruptMessage, "CRC"},
		{"batch cut short", good[:len(good)-7], protocol.InvalidRecord, "at least one record batch"},
		{"size below any record", append(binary.BigEndian.AppendUint64(nil, 0), 0, 0, 0, 9), protocol.CorruptMessage, "minimum record overhead"},
		{"control batch", withCRC(control), protocol.InvalidRecord, "control"},
		{"zip bomb", encodeBatch(nil, bomb), protocol.CorruptMessage, "decompress"},
	}
	for i, c := range cases {
		code, message := produceError(t, socket, int32(10+i), c.records)
		if code != int16(c.code) || !strings.Contains(message, c.says) {
			t.Errorf("%s: error %s %q, want %s saying %q", c.name, protocol.ErrorCode(code), message, c.code, c.says)
		}
	}
	if code, message := produceError(t, socket, 99, good); code != 0 {
		t.Errorf("a good batch on the same connection: %s %s", protocol.ErrorCode(code), message)
	}
	g.Do(func(c *core.Cluster) {
		records, err := c.PartitionRecords("t", 0, -1, 0, 100)
		if err != nil || len(records) != 3 {
			t.Errorf("the log holds %d records (%v), want the good batch's 3", len(records), err)
		}
	})
	stillServes(t, g, before, "after bad batches")
}

// TestClusterRequestCap: without MaxFrameBytes, the cluster's
// socket.request.max.bytes caps requests.
func TestClusterRequestCap(t *testing.T) {
	g, err := Start(context.Background(), Config{Spec: core.Spec{Seed: 5, Brokers: 1, Config: map[string]string{"socket.request.max.bytes": "4096"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	socket := dial(t, g)
	socket.Write(binary.BigEndian.AppendUint32(nil, 4097))
	closedWithoutAnswer(t, socket)
	socket = dial(t, g)
	socket.Write(apiVersionsFrame(1))
	if _, err := readFrame(socket, DefaultMaxFrameBytes); err != nil {
		t.Errorf("a small request: %v", err)
	}
}

// TestIdleConnectionClosed: a connection that sends nothing for
// connections.max.idle.ms is closed.
func TestIdleConnectionClosed(t *testing.T) {
	g := startHardenedGateway(t, 300*time.Millisecond)
	socket := dial(t, g)
	start := time.Now()
	closedWithoutAnswer(t, socket)
	if waited := time.Since(start); waited < 250*time.Millisecond {
		t.Errorf("closed after %v, before the idle time", waited)
	}
}

// TestApiVersionsSoftwareName: ApiVersions v3 with a client software name
// outside Kafka's pattern is INVALID_REQUEST, and the connection goes on.
func TestApiVersionsSoftwareName(t *testing.T) {
	g := startHardenedGateway(t, 0)
	socket := dial(t, g)
	req := kmsg.NewPtrApiVersionsRequest()
	req.Version, req.ClientSoftwareName, req.ClientSoftwareVersion = 3, "bad name!", "1.0"
	socket.Write(kmsg.NewRequestFormatter().AppendRequest(nil, req, 1))
	raw, err := readFrame(socket, DefaultMaxFrameBytes)
	if err != nil {
		t.Fatal(err)
	}
	resp := kmsg.NewPtrApiVersionsResponse()
	resp.Version = 3
	if err := resp.ReadFrom(raw[4:]); err != nil {
		t.Fatal(err)
	}
	if resp.ErrorCode != int16(protocol.InvalidRequest) || len(resp.ApiKeys) != 0 {
		t.Errorf("error %d with %d keys, want INVALID_REQUEST", resp.ErrorCode, len(resp.ApiKeys))
	}
	socket.Write(apiVersionsFrame(2))
	if _, err := readFrame(socket, DefaultMaxFrameBytes); err != nil {
		t.Errorf("a valid ApiVersions after: %v", err)
	}
}
