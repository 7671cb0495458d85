package gateway

import (
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/record"
)

// goldenProduce is a Produce request whose binary form
// TestBinaryFormGolden pins.
func goldenProduce() *Input {
	batch := record.NewBatch([]record.Record{
		{Key: "k", Value: "\x00\xff", TimestampMs: 1700000000000},
		{KeyNull: true, ValueNull: true, TimestampMs: -1, Headers: []record.Header{{Key: "h", Value: "v"}, {Key: "n", ValueNull: true}}},
	})
	batch.ProducerID, batch.ProducerEpoch, batch.BaseSequence, batch.Compression = 4000, 2, 17, record.CompressionLZ4
	in, err := NewRequestInput(0, 3, 7, "cid", &protocol.ProduceRequest{CorrelationID: 7, Acks: protocol.AcksAll, TimeoutMs: 30000,
		Partitions: []protocol.ProducePartition{{TopicPartition: protocol.TopicPartition{Topic: "t", Partition: 1}, Batch: batch}}}, true)
	if err != nil {
		panic(err)
	}
	in.AtMs = 1234
	return in
}

// TestBinaryFormGolden: the binary form of a Produce request is these
// bytes. Journals keep it: a change here is a new version of the form
// (binaryVersion), and the old ones must still read.
func TestBinaryFormGolden(t *testing.T) {
	text, err := EncodeInput(goldenProduce())
	if err != nil {
		t.Fatal(err)
	}
	const want = "0002" + "50" + "a413" + "06" + "0e" + "03636964" + "01" + // marker, version, kind, at_ms, connection, correlation, client_id, expect_response
		"0e" + "00" + "01" + "e0d403" + "02" + // CorrelationID, TransactionalID, Acks, TimeoutMs, one partition
		"0174" + "02" + "01" + // Topic, Partition, a batch
		"00" + "00" + "c03e" + "04" + "22" + "00" + "00" + "80a0abfef962" + "06" + "b401" + "02" + // the batch's fields, two records
		"00" + "01" + "02" + "00" + // a plain record: its key's and value's lengths, at the batch's largest timestamp
		"07" + "81a0abfef962" + "02" + "016800" + "0176" + "016e01" + // nulls, a timestamp 1700000000001 ms before, headers
		"6b" + "00ff" // the keys and values
	if got := hex.EncodeToString(text); got != want {
		t.Fatalf("the binary form:\n%s\nwant\n%s", got, want)
	}
	parsed, err := ParseInput(text)
	if err != nil || !reflect.DeepEqual(parsed.Request.decoded, goldenProduce().Request.decoded) || parsed.AtMs != 1234 {
		t.Fatalf("the golden form reads back as %+v (%v)", parsed, err)
	}
}

// TestBinaryFormVersion1StillReads: the same request in version 1 of
// the form, as journals written before version 2 hold it, reads as the
// same request, and is written back in version 1.
func TestBinaryFormVersion1StillReads(t *testing.T) {
	const version1 = "0001" + "50" + "a413" + "06" + "0e" + "03636964" + "01" +
		"0e" + "00" + "01" + "e0d403" + "02" +
		"0174" + "02" + "01" +
		"00" + "00" + "c03e" + "04" + "22" + "00" + "00" + "80a0abfef962" + "06" + "b401" + "02" +
		"00" + "016b" + "0200ff" + "80a0abfef962" + // a plain record
		"07" + "01" + "02" + "016800" + "0176" + "016e01" // nulls and headers
	text, _ := hex.DecodeString(version1)
	parsed, err := ParseInput(text)
	if err != nil || !reflect.DeepEqual(parsed.Request.decoded, goldenProduce().Request.decoded) || parsed.AtMs != 1234 {
		t.Fatalf("version 1 reads as %+v (%v)", parsed, err)
	}
	again, err := EncodeInput(parsed)
	if err != nil || hex.EncodeToString(again) != version1 {
		t.Fatalf("version 1 is written back as %x (%v)", again, err)
	}
}

// TestBinaryFormWrittenOnce: NewRequestInput writes a Produce request's
// body into one allocation of its exact size, and EncodeInput writes the
// rest of the form in front of it rather than copying it; encoded again
// at another time, the input gets a form of its own, and the first one
// does not change.
func TestBinaryFormWrittenOnce(t *testing.T) {
	for seed := uint64(0); seed < 40; seed++ {
		f := &filler{rng: rand.New(rand.NewPCG(seed, 2)), empty: seed%2 == 1}
		var produce protocol.ProduceRequest
		f.fill(reflect.ValueOf(&produce).Elem(), 0)
		in, err := NewRequestInput(0, 5, 9, "franz-go", &produce, true)
		if err != nil {
			t.Fatal(err)
		}
		if made := in.Request.made; len(made.buffer) != cap(made.buffer) {
			t.Fatalf("seed %d: the body took %d bytes of the %d reserved", seed, len(made.buffer), cap(made.buffer))
		}
		in.AtMs = 1 << 40
		first, _ := EncodeInput(in)
		again, _ := EncodeInput(in)
		if &first[len(first)-1] != &in.Request.binary[len(in.Request.binary)-1] || &again[0] != &first[0] {
			t.Fatalf("seed %d: the form was copied", seed)
		}
		// What a journal keeps of the input writes the same form again,
		// even after the simulation changed the request's batches.
		journal := Keep(in, first, false)
		if journal.input == nil {
			t.Fatalf("seed %d: the Produce request was kept as its form", seed)
		}
		kept := string(first)
		in.AtMs = 7
		other, _ := EncodeInput(in)
		if string(first) != kept || &other[0] == &first[0] {
			t.Fatalf("seed %d: encoding at another time changed the first form", seed)
		}
		for at, text := range map[int64][]byte{1 << 40: first, 7: other} {
			parsed, err := ParseInput(text)
			if err != nil || parsed.AtMs != at || !reflect.DeepEqual(parsed.Request.decoded, in.Request.decoded) {
				t.Fatalf("seed %d: the form at %d reads back as %+v (%v)", seed, at, parsed, err)
			}
		}
		for _, p := range in.Request.decoded.(*protocol.ProduceRequest).Partitions {
			if p.Batch != nil {
				p.Batch.BaseOffset, p.Batch.PartitionLeaderEpoch = 1234, 5
			}
		}
		if again := journal.Form(); string(again) != string(first) {
			t.Fatalf("seed %d: the kept request writes\n%x\nnot\n%x", seed, again, first)
		}
	}
}

// TestBinaryFormKnowsEveryField: the binary form writes every field of a
// Produce request, a batch, a record and a header; a field added to one
// of them must be added to the form (a new version) or it is lost from
// journals.
func TestBinaryFormKnowsEveryField(t *testing.T) {
	for _, c := range []struct {
		value any
		want  string
	}{
		{protocol.ProduceRequest{}, "CorrelationID TransactionalID Acks TimeoutMs Partitions"},
		{protocol.ProducePartition{}, "TopicPartition Batch"},
		{protocol.TopicPartition{}, "Topic Partition"},
		{record.Batch{}, "BaseOffset PartitionLeaderEpoch ProducerID ProducerEpoch BaseSequence Transactional Control ControlType MaxTimestampMs Compression Records SizeBytes"},
		{record.Record{}, "Key Value Headers TimestampMs KeyNull ValueNull"},
		{record.Header{}, "Key Value ValueNull"},
	} {
		ty := reflect.TypeOf(c.value)
		var names []string
		for i := 0; i < ty.NumField(); i++ {
			names = append(names, ty.Field(i).Name)
		}
		if got := strings.Join(names, " "); got != c.want {
			t.Errorf("%s has the fields %s; the binary form writes %s", ty, got, c.want)
		}
	}
}

// TestBinaryFormRefusesBadInput: a binary form cut anywhere, with bytes
// after it, of another version or kind, or with counts and lengths the
// row cannot hold, is an error that says so, not a panic nor a large
// allocation; any byte changed gives an error or an input, never a
// panic.
func TestBinaryFormRefusesBadInput(t *testing.T) {
	text, err := EncodeInput(goldenProduce())
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n < len(text); n++ {
		if _, err := ParseInput(text[:n]); err == nil {
			t.Errorf("the form cut to %d bytes was read", n)
		}
	}
	for i := range text {
		for _, b := range []byte{0, 1, 0x7f, 0x80, 0xff} {
			changed := append([]byte(nil), text...)
			changed[i] = b
			ParseInput(changed) // must not panic
		}
	}
	for _, c := range []struct {
		name, text, want string
	}{
		{"trailing bytes", string(text) + "\x00", "bytes after the input"},
		{"version 3", "\x00\x03P", "version 3"},
		{"another kind", "\x00\x01Q", "kind"},
		{"a huge number of partitions", "\x00\x01P\x00\x02\x0e\x00\x01" + "\x0e\x00\x00\x00" + "\xff\xff\xff\xff\x0f", "partitions, more than"},
		{"a huge client id", "\x00\x01P\x00\x02\x0e\xff\xff\xff\xff\x0f", "client_id of"},
		{"a correlation out of range", "\x00\x01P\x00\x02\xff\xff\xff\xff\x1f", "out of its range"},
		{"an overlong varint", "\x00\x01P\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", "longer than 64 bits"},
	} {
		if _, err := ParseInput([]byte(c.text)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", c.name, err, c.want)
		}
	}
	huge := "\x00\x02P\x00\x02\x0e\x00\x01" + "\x0e\x00\x00\x00" + "\x02" + "\x01t\x00\x01" + strings.Repeat("\x00", 5) + "\x00" +
		strings.Repeat("\x00", 4) + "\xff\xff\xff\xff\x0f"
	if _, err := ParseInput([]byte(huge)); err == nil || !strings.Contains(err.Error(), "records, more than") {
		t.Errorf("a huge number of records: %v", err)
	}
	// Keys and values the row cannot hold: each length is at most what
	// is left, their sum is more.
	lengths := "\x00\x02P\x00\x02\x0e\x00\x01" + "\x0e\x00\x00\x00" + "\x02" + "\x01t\x00\x01" + strings.Repeat("\x00", 5) + "\x00" +
		strings.Repeat("\x00", 4) + "\x02" + "\x00\x08\x08\x00" + "\x00\x08\x08\x00" + strings.Repeat("v", 16)
	if _, err := ParseInput([]byte(lengths)); err == nil || !strings.Contains(err.Error(), "keys and values of 32 bytes, with 16 left") {
		t.Errorf("keys and values longer than the row: %v", err)
	}
	if _, err := ParseInput([]byte(lengths + strings.Repeat("v", 16))); err != nil {
		t.Errorf("the same row with its keys and values: %v", err)
	}
}

// TestBothFormsApplyAlike: a Produce request journaled in the binary
// form and in the JSON form (as journals before the binary form hold
// it) is the same request to Apply.
func TestBothFormsApplyAlike(t *testing.T) {
	in := goldenProduce()
	binaryText, err := EncodeInput(in)
	if err != nil {
		t.Fatal(err)
	}
	jsonText, err := json.Marshal(in)
	if err != nil || !strings.HasPrefix(string(jsonText), `{"at_ms":1234,"request":{"connection":3,"correlation":7,"client_id":"cid","api":"Produce"`) {
		t.Fatalf("the JSON form: %s (%v)", jsonText, err)
	}
	fromBinary, err := ParseInput(binaryText)
	if err != nil {
		t.Fatal(err)
	}
	fromJSON, err := ParseInput(jsonText)
	if err != nil {
		t.Fatal(err)
	}
	decoded, err := DecodeRequest(fromJSON.Request.API, fromJSON.Request.Body)
	if err != nil || !reflect.DeepEqual(decoded, fromBinary.Request.decoded) {
		t.Fatalf("the forms differ:\n%#v\n%#v (%v)", decoded, fromBinary.Request.decoded, err)
	}
	if fromBinary.Request.BodyBytes() >= fromJSON.Request.BodyBytes() {
		t.Errorf("the binary body is %d bytes, the JSON one %d", fromBinary.Request.BodyBytes(), fromJSON.Request.BodyBytes())
	}
}

// FuzzParseInput: no journaled input, of either form, makes ParseInput
// panic; one it reads encodes and reads back to the same request.
func FuzzParseInput(f *testing.F) {
	text, _ := EncodeInput(goldenProduce())
	f.Add(text)
	jsonText, _ := json.Marshal(goldenProduce())
	f.Add(jsonText)
	f.Add([]byte(`{"at_ms":0,"disconnect":{"connection":1}}`))
	version1, _ := hex.DecodeString("000150a413060e03636964010e0001e0d40302017402010000c03e0422000080a0abfef96206b4010200016b0200ff80a0abfef9620701020168000176016e01")
	f.Add(version1)
	f.Fuzz(func(t *testing.T, text []byte) {
		in, err := ParseInput(text)
		if err != nil || in.Request == nil || !IsBinaryForm(text) {
			return
		}
		again, err := EncodeInput(in)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseInput(again)
		if err != nil || !reflect.DeepEqual(back.Request.decoded, in.Request.decoded) {
			t.Fatalf("read, written and read again: %v", err)
		}
		kept, err := ParseInput(Keep(in, text, true).Form())
		if err != nil || !reflect.DeepEqual(kept.Request.decoded, in.Request.decoded) || kept.AtMs != in.AtMs {
			t.Fatalf("kept and written again: %v", err)
		}
	})
}
