package gateway

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	coregateway "github.com/kafka-playground/playground/core/gateway"
	"github.com/kafka-playground/playground/core/record"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// fuzzMaxFrameBytes and fuzzBudget keep one fuzz input's memory small.
const (
	fuzzMaxFrameBytes = 1 << 20
	fuzzBudget        = 1 << 20
)

// fuzzSeeds are whole request streams: one or more size-prefixed frames.
func fuzzSeeds() [][]byte {
	formatter := kmsg.NewRequestFormatter(kmsg.FormatterClientID("fuzz"))
	var seeds [][]byte
	add := func(req kmsg.Request, version int16) {
		req.SetVersion(version)
		seeds = append(seeds, formatter.AppendRequest(nil, req, 7))
	}
	add(kmsg.NewPtrApiVersionsRequest(), 3)
	add(kmsg.NewPtrApiVersionsRequest(), 0)
	add(kmsg.NewPtrMetadataRequest(), 12)
	add(kmsg.NewPtrSASLHandshakeRequest(), 1)
	add(kmsg.NewPtrDescribeClusterRequest(), 2)
	find := kmsg.NewPtrFindCoordinatorRequest()
	find.CoordinatorKey = "group-\xff\xfe" // not UTF-8
	add(find, 3)
	describe := kmsg.NewPtrDescribeConfigsRequest()
	describe.Resources = append(describe.Resources, kmsg.DescribeConfigsRequestResource{ResourceType: kmsg.ConfigResourceTypeTopic, ResourceName: "t"})
	add(describe, 4)
	acls := kmsg.NewPtrDescribeACLsRequest()
	acls.ResourceType, acls.ResourcePatternType, acls.Operation, acls.PermissionType = 1, 1, 1, 1
	add(acls, 3)
	for _, codec := range []record.Compression{record.CompressionNone, record.CompressionGzip, record.CompressionSnappy,
		record.CompressionLZ4, record.CompressionZstd} {
		b := sampleBatch()
		b.Compression = codec
		produce := kmsg.NewPtrProduceRequest()
		produce.Acks = -1
		topic := kmsg.NewProduceRequestTopic()
		topic.Topic = "t"
		topic.Partitions = append(topic.Partitions, kmsg.ProduceRequestTopicPartition{Records: encodeBatch(nil, b)})
		produce.Topics = append(produce.Topics, topic)
		add(produce, 9)
		seeds = append(seeds, encodeBatch(nil, b))
	}
	two := append(append([]byte(nil), seeds[0]...), seeds[2]...)
	return append(seeds, two, seeds[len(seeds)-2][:70], []byte{0, 0, 0, 8, 0, 18, 0, 3, 0, 0, 0, 1})
}

// FuzzRequest: whatever bytes a client sends, the frame reader, the
// header parser, kmsg's decoding of the served keys, their translation
// into core requests and the record batch decoder (all codecs) return
// or refuse, never panic, within the frame and decompression limits.
// `make test` runs it for 10 seconds (fuzz-short).
func FuzzRequest(f *testing.F) {
	for _, seed := range fuzzSeeds() {
		f.Add(seed)
	}
	c := &Conn{wire: &Wire{config: WireConfig{MaxDecompressedBytes: fuzzBudget}}}
	f.Fuzz(func(t *testing.T, data []byte) {
		decodeBatches(data, &inflateBudget{remaining: fuzzBudget})
		decodeProduced(data, 9, &inflateBudget{remaining: fuzzBudget}, nil)
		stream := bytes.NewReader(data)
		for i := 0; i < 4; i++ {
			frame, err := readFrame(stream, fuzzMaxFrameBytes)
			if err != nil {
				return
			}
			fuzzFrame(t, c, frame)
		}
	})
}

// fuzzFrame parses and translates one frame as Conn.handle does,
// without a simulation behind it, and checks that the core request it
// becomes comes back equal from its journal form.
func fuzzFrame(t *testing.T, c *Conn, frame []byte) {
	h, err := parseHeader(frame, requestFlexible)
	if err != nil {
		return
	}
	served, ok := supported[h.key]
	if !ok || h.version < served.min || h.version > served.max {
		return
	}
	req := kmsg.RequestForKey(h.key)
	req.SetVersion(h.version)
	if req.ReadFrom(h.body) != nil {
		return
	}
	c.clientID = h.clientID
	translated := c.translate(req, h.correlation)
	if translated.produce != nil {
		fuzzBinaryForm(t, h, translated.produce)
		return
	}
	if _, journaled := coregateway.APIName(translated.Request); !journaled {
		return
	}
	api, body, err := coregateway.EncodeRequest(translated.Request)
	if err != nil {
		t.Fatalf("%T has no journal form: %v", translated.Request, err)
	}
	decoded, err := coregateway.DecodeRequest(api, body)
	if err == nil && !reflect.DeepEqual(decoded, translated.Request) && bytes.Contains(body, []byte(`\ufffd`)) {
		// A string that was not UTF-8 travels with U+FFFD in place of
		// its bad bytes, as Kafka's own string decoding gives it; every
		// copy applies that same decoded request.
		again, _ := json.Marshal(decoded)
		if twice, err := coregateway.DecodeRequest(api, again); err == nil && reflect.DeepEqual(twice, decoded) {
			return
		}
	}
	if err != nil || !reflect.DeepEqual(decoded, translated.Request) {
		t.Fatalf("%s does not come back from its journal form (%v):\n%#v\n%#v", api, err, translated.Request, decoded)
	}
}

// fuzzBinaryForm checks that a Produce request written in its binary
// journal form as its batches were read comes back exactly from it,
// every string's bytes as they are.
func fuzzBinaryForm(t *testing.T, h header, writer *coregateway.ProduceWriter) {
	in, err := writer.Input(1, h.correlation, true)
	if err != nil {
		t.Fatalf("a Produce request's binary form does not read: %v", err)
	}
	request, _ := in.Request.Message()
	in.AtMs = 42
	form, err := coregateway.EncodeInput(in)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := coregateway.ParseInput(form)
	if err != nil {
		t.Fatalf("the binary form does not read back: %v", err)
	}
	decoded, err := parsed.Request.Message()
	if err != nil || !reflect.DeepEqual(decoded, request) || parsed.AtMs != 42 || parsed.Request.ClientID != h.clientID {
		t.Fatalf("a Produce request does not come back from its binary form (%v):\n%#v\n%#v", err, request, decoded)
	}
}
