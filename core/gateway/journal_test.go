package gateway

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/record"
	"github.com/kafka-playground/playground/core/sim"
)

// filler sets every field of a value, reachable through pointers, slices
// and maps, to a value drawn from its PRNG: nil or empty (when empty is
// set) or not, so that a round trip meets null and empty fields as well
// as full ones. Record batches get records with binary keys and values,
// null keys, values and header values.
type filler struct {
	rng   *rand.Rand
	empty bool
}

func (f *filler) fill(v reflect.Value, depth int) {
	if v.Type() == reflect.TypeOf(record.Batch{}) {
		v.Set(reflect.ValueOf(*f.batch()))
		return
	}
	switch v.Kind() {
	case reflect.Bool:
		v.SetBool(f.rng.IntN(2) == 1)
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Int:
		// Extremes as well as small values, negative ones included.
		values := []int64{-1, 0, 1, 7, 1 << 40}
		n := values[f.rng.IntN(len(values))]
		if v.OverflowInt(n) {
			n = int64(f.rng.IntN(100)) - 50
		}
		v.SetInt(n)
	case reflect.String:
		v.SetString([]string{"", "orders", "ünïcode ✓", "with \"quotes\" and \\ and \n"}[f.rng.IntN(4)])
	case reflect.Slice:
		f.fillSlice(v, depth)
	case reflect.Map:
		if f.empty && f.rng.IntN(3) == 0 {
			return
		}
		m := reflect.MakeMap(v.Type())
		for i := 0; i < f.rng.IntN(3); i++ {
			key, value := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			f.fill(key, depth+1)
			f.fill(value, depth+1)
			m.SetMapIndex(key, value)
		}
		v.Set(m)
	case reflect.Pointer:
		if f.empty && f.rng.IntN(3) == 0 {
			return
		}
		p := reflect.New(v.Type().Elem())
		f.fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			field := v.Type().Field(i)
			if !field.IsExported() {
				continue
			}
			f.fill(v.Field(i), depth+1)
			// An omitempty slice (a group protocol's metadata, bytes that
			// Kafka never sends null) is nil when empty: the two mean
			// the same, and the host never sends an empty one.
			if strings.Contains(field.Tag.Get("json"), "omitempty") && v.Field(i).Kind() == reflect.Slice && v.Field(i).Len() == 0 {
				v.Field(i).Set(reflect.Zero(field.Type))
			}
		}
	}
}

func (f *filler) fillSlice(v reflect.Value, depth int) {
	switch {
	case f.empty && f.rng.IntN(3) == 0:
		return // nil
	case f.empty && f.rng.IntN(3) == 0:
		v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		return
	}
	n := 1 + f.rng.IntN(3)
	if depth > 6 {
		n = 1
	}
	s := reflect.MakeSlice(v.Type(), n, n)
	for i := 0; i < n; i++ {
		f.fill(s.Index(i), depth+1)
	}
	v.Set(s)
}

// batch is a record batch with binary and null keys, values and headers.
func (f *filler) batch() *record.Batch {
	binary := string([]byte{0, 0xff, 0xfe, '\n', '"', 0x80})
	records := []record.Record{
		{Key: binary, Value: "plain", TimestampMs: 1700000000000},
		{KeyNull: true, Value: binary, TimestampMs: -1},
		{Key: "", Value: "", TimestampMs: 3, Headers: []record.Header{{Key: "trace", Value: binary}, {Key: "empty"}, {Key: "null", ValueNull: true}}},
		{Key: "k", ValueNull: true},
	}
	b := record.NewBatch(records[:1+f.rng.IntN(len(records))])
	b.ProducerID, b.ProducerEpoch, b.BaseSequence, b.Compression = 4000, 2, 17, record.Compression(f.rng.IntN(5))
	return b
}

// TestRequestsRoundTrip: every request a gateway client may send comes
// back from its journal form equal to what went in, with every field
// set, null or empty, and binary records; a Produce request is journaled
// in the binary form, which reads back as its JSON form does.
func TestRequestsRoundTrip(t *testing.T) {
	if len(RequestAPIs()) != 26 {
		t.Fatalf("the registry has %d APIs: %v", len(RequestAPIs()), RequestAPIs())
	}
	for _, api := range RequestAPIs() {
		for seed := uint64(0); seed < 40; seed++ {
			f := &filler{rng: rand.New(rand.NewPCG(seed, 1)), empty: seed%2 == 1}
			request := reflect.New(requestTypes[api].Elem())
			f.fill(request.Elem(), 0)
			original := request.Interface().(sim.Message)
			name, body, err := EncodeRequest(original)
			if err != nil || name != api {
				t.Fatalf("%s: encoded as %q: %v", api, name, err)
			}
			decoded, err := DecodeRequest(name, body)
			if err != nil {
				t.Fatalf("%s seed %d: %v\n%s", api, seed, err, body)
			}
			if !reflect.DeepEqual(original, decoded) {
				t.Fatalf("%s seed %d does not round-trip:\n%#v\n%#v\n%s", api, seed, original, decoded, body)
			}
			again, _ := json.Marshal(decoded)
			if string(again) != string(body) {
				t.Fatalf("%s seed %d encodes differently the second time:\n%s\n%s", api, seed, body, again)
			}
			in, err := NewRequestInput(int64(seed), 3, 7, "client \"x\"", original, seed%3 == 0)
			if err != nil {
				t.Fatal(err)
			}
			fast, err := EncodeInput(in)
			plain, _ := json.Marshal(in)
			switch {
			case err != nil:
				t.Fatalf("%s seed %d: EncodeInput: %v", api, seed, err)
			case api == "Produce" && !IsBinaryForm(fast):
				t.Fatalf("%s seed %d: not in the binary form: %q", api, seed, fast)
			case api != "Produce" && string(fast) != string(plain):
				t.Fatalf("%s seed %d: EncodeInput %s, json.Marshal %s", api, seed, fast, plain)
			}
			// Both forms of the input read back to the request.
			for _, text := range [][]byte{fast, plain} {
				parsed, err := ParseInput(text)
				if err != nil {
					t.Fatalf("%s seed %d: the input does not parse: %v\n%q", api, seed, err, text)
				}
				request := parsed.Request.decoded
				if request == nil {
					request = must(DecodeRequest(parsed.Request.API, parsed.Request.Body))
				}
				if !reflect.DeepEqual(request, original) || parsed.AtMs != int64(seed) || parsed.Request.ClientID != "client \"x\"" ||
					parsed.Request.Connection != 3 || parsed.Request.Correlation != 7 || parsed.Request.ExpectResponse != (seed%3 == 0) {
					t.Fatalf("%s seed %d: the input parses back as %+v, not as it went in", api, seed, parsed.Request)
				}
			}
		}
	}
}

// TestRecordsJSON: keys and values are base64, null stays null and empty
// stays empty, headers keep their order.
func TestRecordsJSON(t *testing.T) {
	rs := record.NewRecords([]record.Record{
		{Key: "\x00\xff", Value: "", TimestampMs: 5, Headers: []record.Header{{Key: "a", ValueNull: true}, {Key: "b", Value: "\x01"}}},
		{KeyNull: true, ValueNull: true, TimestampMs: -1},
	})
	text, err := json.Marshal(rs)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"key":"AP8=","value":"","timestamp_ms":5,"headers":[{"key":"a","value":null},{"key":"b","value":"AQ=="}]},` +
		`{"key":null,"value":null,"timestamp_ms":-1}]`
	if string(text) != want {
		t.Fatalf("JSON form:\n%s\nwant\n%s", text, want)
	}
	var back record.Records
	if err := json.Unmarshal(text, &back); err != nil || !reflect.DeepEqual(back, rs) {
		t.Fatalf("read back %+v (%v), want %+v", back, err, rs)
	}
	if err := json.Unmarshal([]byte(`[{"key":"not base64!"}]`), &back); err == nil {
		t.Error("a key that is not base64 was read")
	}
}

// TestJournaledRequestsAreCheckedFields: a journaled request with a
// field its type lacks, an unknown API, a SASL request or trailing data
// is refused with a sentence, never applied.
func TestJournaledRequestsAreCheckedFields(t *testing.T) {
	for _, c := range []struct{ api, body, want string }{
		{"Metadata", `{"CorrelationID":1,"Password":"x"}`, "unknown field"},
		{"SaslAuthenticate", `{"CorrelationID":1,"AuthBytes":"AA=="}`, "not the API name"},
		{"Nonsense", `{}`, "not the API name"},
		{"Metadata", `{"CorrelationID":1} {}`, "data after"},
		{"Produce", `{"Partitions":[{"Topic":"t","Batch":{"Records":[{"key":5}]}}]}`, "records"},
	} {
		if _, err := DecodeRequest(c.api, json.RawMessage(c.body)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %s: %v, want an error with %q", c.api, c.body, err, c.want)
		}
	}
	if _, _, err := EncodeRequest(&protocol.SaslAuthenticateRequest{AuthBytes: []byte("\x00alice\x00secret")}); err == nil {
		t.Error("a SaslAuthenticate request has a journal form")
	}
	for _, text := range []string{`{"at_ms":1}`, `{"at_ms":1,"connect":{},"disconnect":{}}`, `{"at_ms":1,"other":{}}`} {
		if _, err := ParseInput([]byte(text)); err == nil {
			t.Errorf("the input %s was taken", text)
		}
	}
}

func must(m sim.Message, err error) sim.Message {
	if err != nil {
		panic(err)
	}
	return m
}
