package backend

import (
	"encoding/json"
	"reflect"
	"testing"

	coregateway "github.com/kafka-playground/playground/core/gateway"
)

// FuzzClientFrame: no frame a client sends makes the parser panic, and a
// frame it accepts has a known type.
func FuzzClientFrame(f *testing.F) {
	for _, seed := range []string{
		`{"type":"hello","room":"x","name":"Ada","colour":"#000000","since":0}`,
		`{"type":"input","id":"a","step":{"op":"advance","ms":1}}`,
		`{"type":"speed","id":"b","speed":1.25}`,
		`{"type":"member","name":"Bo","colour":"#ffffff"}`,
		`{"type":"speed","speed":1e400}`, `{"type":null}`, `[]`, `null`, `{"type":"input","step":null}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		frame, err := parseClientFrame(data)
		if err != nil {
			return
		}
		if _, known := fieldsOf[frame.Type]; !known {
			t.Fatalf("accepted a frame of type %q", frame.Type)
		}
		if frame.Type == frameSpeed {
			parseSpeed(frame.Speed)
		}
		if frame.Name != nil {
			checkName(*frame.Name)
		}
		if frame.Colour != nil {
			checkColour(*frame.Colour)
		}
	})
}

// TestSpeeds: speeds are read exactly as hundredths and written back.
func TestSpeeds(t *testing.T) {
	for text, want := range map[string]int64{"0": 0, "1": 100, "2.5": 250, "0.01": 1, "100": 10000, "1.10": 110} {
		got, err := parseSpeed(json.Number(text))
		if err != nil || got != want {
			t.Errorf("parseSpeed(%s) = %d, %v; want %d", text, got, err, want)
		}
	}
	for _, bad := range []string{"-1", "100.01", "0.001", "NaN", "1e400", "fast"} {
		if _, err := parseSpeed(json.Number(bad)); err == nil {
			t.Errorf("parseSpeed(%s) was accepted", bad)
		}
	}
	for hundredths, want := range map[int64]string{0: "0", 100: "1", 250: "2.5", 1: "0.01", 110: "1.1"} {
		if got := string(speedJSON(hundredths)); got != want {
			t.Errorf("speedJSON(%d) = %s, want %s", hundredths, got, want)
		}
	}
}

// TestGatewayInputFrame: a gateway input's frame, written without going
// over its journal form again, reads as encodeFrame's, ack included, in
// the JSON form and in the binary form (as base64), which reads back
// byte for byte.
func TestGatewayInputFrame(t *testing.T) {
	for _, input := range []coregateway.Journaled{
		coregateway.Journaled(`{"at_ms":5,"request":{"connection":1,"body":{"Records":[{"key":"AP8="}]}}}`),
		coregateway.Journaled("\x00\x01P\x00\x02\xff\\\"binary"),
	} {
		for _, ack := range []string{"", "a7"} {
			frame := inputFrame{Type: frameInput, Seq: 9, Actor: "", Gateway: input, Ack: ack}
			var fast, plain map[string]any
			encoded := encodeInputFrame(frame)
			if err := json.Unmarshal(encoded, &fast); err != nil {
				t.Fatal(err)
			}
			json.Unmarshal(encodeFrame(frame), &plain)
			if !reflect.DeepEqual(fast, plain) {
				t.Errorf("ack %q: %v, want %v", ack, fast, plain)
			}
			var back struct{ Gateway coregateway.Journaled }
			if err := json.Unmarshal(encoded, &back); err != nil || string(back.Gateway) != string(input) {
				t.Errorf("the frame's gateway input reads back as %q (%v), want %q", back.Gateway, err, input)
			}
		}
	}
}
