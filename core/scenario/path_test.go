package scenario

import (
	"encoding/json"
	"strings"
	"testing"
)

// stateDocument is a small state document, decoded both ways json.Unmarshal
// can decode numbers.
const stateDocument = `{
	"controller": {"mode": "kraft", "active": 1},
	"topics": {
		"orders": {"partitions": {"0": {"leader": 1, "isr": [1, 3]}}},
		"my.topic": {"partitions": {"0": {"leader": 2, "isr": [2]}, "10": {"leader": -1, "isr": []}}},
		"my": {"partitions": {"0": {"leader": 3}}}
	},
	"producers": {"p1": {"acked": 100, "errors": {"NOT_ENOUGH_REPLICAS": 4}}},
	"empty": {}
}`

// decodeState decodes stateDocument with float64 numbers, or json.Number
// ones when useNumber is set.
func decodeState(t *testing.T, useNumber bool) any {
	t.Helper()
	decoder := json.NewDecoder(strings.NewReader(stateDocument))
	if useNumber {
		decoder.UseNumber()
	}
	var document any
	if err := decoder.Decode(&document); err != nil {
		t.Fatal(err)
	}
	return document
}

func TestLookup(t *testing.T) {
	tests := []struct {
		path string
		want string
	}{
		{"topics.orders.partitions.0.isr", `[1, 3]`},
		{"topics.my.topic.partitions.0.leader", `2`},
		{"topics.my.topic.partitions.10.leader", `-1`},
		{"topics.my.partitions.0.leader", `3`},
		{"topics.my.topic.partitions.0.isr.0", `2`},
		{"producers.p1.errors.NOT_ENOUGH_REPLICAS", `4`},
		{"controller", `{"active": 1.0, "mode": "kraft"}`},
		{"empty", `{}`},
	}
	for _, useNumber := range []bool{false, true} {
		document := decodeState(t, useNumber)
		for _, test := range tests {
			got, err := Lookup(document, test.path)
			if err != nil {
				t.Errorf("Lookup(%q): %v", test.path, err)
				continue
			}
			var want any
			if err := json.Unmarshal([]byte(test.want), &want); err != nil {
				t.Fatal(err)
			}
			if !Equal(got, want) {
				t.Errorf("Lookup(%q) = %#v, want %s", test.path, got, test.want)
			}
		}
	}
}

func TestLookupErrors(t *testing.T) {
	many := map[string]any{}
	for _, key := range strings.Split("k01 k02 k03 k04 k05 k06 k07 k08 k09 k10 k11 k12", " ") {
		many[key] = true
	}
	tests := []struct {
		document any
		path     string
		want     string
	}{
		{decodeState(t, true), "", "empty path"},
		{decodeState(t, true), "topics.ordrs.partitions",
			`path "topics.ordrs.partitions": no key "ordrs" at "topics"; available keys: "my", "my.topic", "orders"`},
		{decodeState(t, true), "brokers.1",
			`path "brokers.1": no key "brokers" at the top level; available keys: "controller", "empty", "producers", "topics"`},
		{decodeState(t, true), "topics.orders.partitions.0.isr.2",
			`path "topics.orders.partitions.0.isr.2": no element 2 at "topics.orders.partitions.0.isr", a list of 2 elements`},
		{decodeState(t, true), "topics.orders.partitions.0.isr.first",
			`path "topics.orders.partitions.0.isr.first": "first" is not a list index at "topics.orders.partitions.0.isr", a list of 2 elements`},
		{decodeState(t, true), "topics.orders.partitions.0.isr.01",
			`path "topics.orders.partitions.0.isr.01": "01" is not a list index at "topics.orders.partitions.0.isr", a list of 2 elements`},
		{decodeState(t, false), "controller.mode.name",
			`path "controller.mode.name": cannot look up "name" in "controller.mode", which is a string`},
		{decodeState(t, false), "controller.active.x",
			`path "controller.active.x": cannot look up "x" in "controller.active", which is a number`},
		{decodeState(t, true), "empty.x", `path "empty.x": no key "x" at "empty"; the object there is empty`},
		{many, "k13",
			`path "k13": no key "k13" at the top level; available keys: "k01", "k02", "k03", "k04", "k05", "k06", "k07", "k08", "k09", "k10" (and 2 more)`},
		{nil, "a", `path "a": cannot look up "a" in the top level, which is null`},
		{map[string]any{}, strings.Repeat("a", MaxPathBytes+1), "a path is at most 1000 bytes, this one has 1001"},
	}
	for _, test := range tests {
		_, err := Lookup(test.document, test.path)
		if err == nil || err.Error() != test.want {
			t.Errorf("Lookup(%q):\ngot  %v\nwant %s", shorten(test.path), err, test.want)
		}
	}
}

func TestEqual(t *testing.T) {
	decode := func(text string, useNumber bool) any {
		decoder := json.NewDecoder(strings.NewReader(text))
		if useNumber {
			decoder.UseNumber()
		}
		var value any
		if err := decoder.Decode(&value); err != nil {
			t.Fatal(err)
		}
		return value
	}
	tests := []struct {
		a, b  string
		equal bool
	}{
		{`1`, `1.0`, true},
		{`1`, `1e0`, true},
		{`100`, `1E+2`, true},
		{`0.1`, `1e-1`, true},
		{`-0`, `0`, true},
		{`0.000`, `0e10`, true},
		{`1.50`, `1.5`, true},
		{`-2.5`, `-25e-1`, true},
		{`1`, `2`, false},
		{`1`, `-1`, false},
		{`1`, `"1"`, false},
		{`9007199254740993`, `9007199254740992`, false},
		{`123456789012345678901234567890`, `123456789012345678901234567890.0`, true},
		{`1e999999999999999999999`, `10e999999999999999999998`, true},
		{`null`, `null`, true},
		{`null`, `0`, false},
		{`null`, `false`, false},
		{`true`, `true`, true},
		{`true`, `false`, false},
		{`"a"`, `"a"`, true},
		{`"a"`, `"b"`, false},
		{`[1, 3]`, `[1, 3.0]`, true},
		{`[1, 3]`, `[3, 1]`, false},
		{`[1, 3]`, `[1, 3, 4]`, false},
		{`[]`, `{}`, false},
		{`{"a": 1, "b": [null]}`, `{"b": [null], "a": 1.0}`, true},
		{`{"a": 1}`, `{"a": 1, "b": 2}`, false},
		{`{"a": 1}`, `{"b": 1}`, false},
		{`{}`, `{}`, true},
	}
	for _, test := range tests {
		for _, mode := range [][2]bool{{true, true}, {true, false}, {false, true}} {
			if strings.Contains(test.a+test.b, "e99999") && (!mode[0] || !mode[1]) {
				continue // not representable as float64
			}
			if (strings.HasPrefix(test.a, "9007199254740993") || strings.HasPrefix(test.a, "1234567890123")) && (!mode[0] || !mode[1]) {
				continue // beyond float64 precision: only exact json.Numbers compare exactly
			}
			a, b := decode(test.a, mode[0]), decode(test.b, mode[1])
			if Equal(a, b) != test.equal || Equal(b, a) != test.equal {
				t.Errorf("Equal(%s, %s) with numbers %v = %v, want %v", test.a, test.b, mode, Equal(a, b), test.equal)
			}
		}
	}
}

func TestEqualMixedGoNumbers(t *testing.T) {
	pairs := [][2]any{
		{int(3), json.Number("3.0")},
		{int64(-7), float64(-7)},
		{uint64(18446744073709551615), json.Number("18446744073709551615")},
		{float32(0.5), json.Number("0.5")},
		{float64(0.1), json.Number("0.1")},
		{float64(1e21), json.Number("1000000000000000000000")},
		{int32(1), uint8(1)},
	}
	for _, pair := range pairs {
		if !Equal(pair[0], pair[1]) {
			t.Errorf("Equal(%#v, %#v) = false", pair[0], pair[1])
		}
	}
	if Equal(json.Number("1x"), json.Number("1x")) {
		t.Error("an invalid json.Number is equal to itself")
	}
	if Equal(struct{}{}, struct{}{}) {
		t.Error("a non-JSON value is equal to itself")
	}
}

func TestCanonicalDecimal(t *testing.T) {
	tests := map[string]string{
		"0": "0", "-0.0": "0", "10": "1e1", "1.25": "125e-2", "-1.2500e+3": "-125e1",
		"0.001": "1e-3", "1e-2": "1e-2",
	}
	for input, want := range tests {
		if got, valid := canonicalDecimal(input); !valid || got != want {
			t.Errorf("canonicalDecimal(%q) = %q, %v; want %q", input, got, valid, want)
		}
	}
	for _, invalid := range []string{"", "-", "01", "1.", ".5", "1e", "1e+-2", "+1", "1.2.3", "NaN", "+Inf", "0x10"} {
		if got, valid := canonicalDecimal(invalid); valid {
			t.Errorf("canonicalDecimal(%q) = %q, want invalid", invalid, got)
		}
	}
}
