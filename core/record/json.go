package record

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// MaxJSONRecords bounds the records one JSON form of Records may hold
// when it is read back: a batch of the largest message Kafka accepts
// (message.max.bytes, about 1 MB) holds far fewer.
const MaxJSONRecords = 1 << 20

// recordJSON is one record in the JSON form of Records. Keys, values
// and header values are bytes, written as base64 (a key or value need
// not be text); a null one is JSON null, an empty one "".
type recordJSON struct {
	Key         []byte       `json:"key"`
	Value       []byte       `json:"value"`
	TimestampMs int64        `json:"timestamp_ms"`
	Headers     []headerJSON `json:"headers,omitempty"`
}

// headerJSON is one header in the JSON form: its key as text, as Kafka's
// header keys are, and its value as base64 bytes, null when null.
type headerJSON struct {
	Key   string `json:"key"`
	Value []byte `json:"value"`
}

// MarshalJSON writes the records as a JSON list, one object per record:
// {"key": base64 or null, "value": base64 or null, "timestamp_ms": n,
// "headers": [{"key": "k", "value": base64 or null}]}, headers left out
// when there are none. A room's journal carries real clients' records
// in this form (core/gateway).
func (rs Records) MarshalJSON() ([]byte, error) {
	out := make([]recordJSON, rs.Len())
	for i := range out {
		r := rs.At(i)
		out[i] = recordJSON{Key: nullableBytes(r.Key, r.KeyNull), Value: nullableBytes(r.Value, r.ValueNull), TimestampMs: r.TimestampMs}
		for _, h := range r.Headers {
			out[i].Headers = append(out[i].Headers, headerJSON{Key: h.Key, Value: nullableBytes(h.Value, h.ValueNull)})
		}
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads the form MarshalJSON writes, so that a null key,
// value or header value comes back null and an empty one empty.
func (rs *Records) UnmarshalJSON(data []byte) error {
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		*rs = Records{}
		return nil
	}
	var in []recordJSON
	if err := json.Unmarshal(data, &in); err != nil {
		return fmt.Errorf("records: %w", err)
	}
	if len(in) > MaxJSONRecords {
		return fmt.Errorf("records: %d records, more than the %d one batch may hold", len(in), MaxJSONRecords)
	}
	var b Builder
	b.Grow(len(in))
	for i := range in {
		r := Record{Key: string(in[i].Key), KeyNull: in[i].Key == nil, Value: string(in[i].Value), ValueNull: in[i].Value == nil,
			TimestampMs: in[i].TimestampMs}
		for _, h := range in[i].Headers {
			r.Headers = append(r.Headers, Header{Key: h.Key, Value: string(h.Value), ValueNull: h.Value == nil})
		}
		b.Append(&r)
	}
	*rs = b.Records()
	return nil
}

// nullableBytes is the bytes of a key, value or header value, nil for
// null and non-nil (perhaps empty) otherwise.
func nullableBytes(s string, null bool) []byte {
	if null {
		return nil
	}
	return []byte(s)
}
