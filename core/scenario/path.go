package scenario

import (
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
)

// maximumListedKeys is how many available keys a Lookup error names.
const maximumListedKeys = 10

// Lookup returns the value at path in document, which is a JSON value as
// json.Unmarshal builds it into an any (maps of string to any, slices of any,
// strings, bools, nil, and float64 or json.Number). The path is
// dot-separated: an object's segment is a key, a list's segment is a decimal
// index from 0. Because keys may themselves contain dots (a topic called
// "my.topic"), at each object Lookup takes the longest run of the remaining
// segments, joined by ".", that is a key; so "topics.my.topic.partitions.0"
// finds the topic "my.topic". The error of a path that leads nowhere says at
// which segment and lists up to ten of the keys there.
func Lookup(document any, path string) (any, error) {
	switch {
	case path == "":
		return nil, fmt.Errorf("empty path")
	case len(path) > MaxPathBytes:
		return nil, fmt.Errorf("a path is at most %d bytes, this one has %d", MaxPathBytes, len(path))
	}
	segments := strings.Split(path, ".")
	current := document
	walked := 0 // segments consumed so far
	for walked < len(segments) {
		at := "the top level"
		if walked > 0 {
			at = fmt.Sprintf("%q", strings.Join(segments[:walked], "."))
		}
		switch node := current.(type) {
		case map[string]any:
			taken := longestKey(node, segments[walked:])
			if taken == 0 {
				return nil, fmt.Errorf("path %q: no key %q at %s; %s", path, segments[walked], at, describeKeys(node))
			}
			current = node[strings.Join(segments[walked:walked+taken], ".")]
			walked += taken
		case []any:
			index, valid := listIndex(segments[walked])
			if !valid {
				return nil, fmt.Errorf("path %q: %q is not a list index at %s, a list of %d elements", path, segments[walked], at, len(node))
			}
			if index >= len(node) {
				return nil, fmt.Errorf("path %q: no element %d at %s, a list of %d elements", path, index, at, len(node))
			}
			current = node[index]
			walked++
		default:
			return nil, fmt.Errorf("path %q: cannot look up %q in %s, which is %s", path, segments[walked], at, describeKind(current))
		}
	}
	return current, nil
}

// longestKey returns how many of segments, joined by ".", form the longest
// key of object, or 0 when not even the first segment is a key.
func longestKey(object map[string]any, segments []string) int {
	for count := len(segments); count > 0; count-- {
		if _, found := object[strings.Join(segments[:count], ".")]; found {
			return count
		}
	}
	return 0
}

// listIndex parses a list index: decimal digits without sign or leading zero.
func listIndex(segment string) (int, bool) {
	if segment == "" || !allDigits(segment) || (len(segment) > 1 && segment[0] == '0') {
		return 0, false
	}
	index, err := strconv.Atoi(segment)
	return index, err == nil
}

// describeKeys lists up to maximumListedKeys keys of object, sorted.
func describeKeys(object map[string]any) string {
	if len(object) == 0 {
		return "the object there is empty"
	}
	keys := make([]string, 0, len(object))
	for key := range object {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	listed := keys[:min(len(keys), maximumListedKeys)]
	quoted := make([]string, len(listed))
	for index, key := range listed {
		quoted[index] = quoteShort(key)
	}
	text := "available keys: " + strings.Join(quoted, ", ")
	if len(keys) > len(listed) {
		text += fmt.Sprintf(" (and %d more)", len(keys)-len(listed))
	}
	return text
}

// describeKind names the JSON kind of a value for messages.
func describeKind(value any) string {
	switch value.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	}
	if _, isNumber := canonicalNumber(value); isNumber {
		return "a number"
	}
	return fmt.Sprintf("a Go %T", value)
}

// Equal reports whether two JSON values, as json.Unmarshal builds them into
// an any, are equal as JSON: numbers by their exact decimal value (1, 1.0
// and 1e0 are equal; json.Number, float64 and Go integer types may be
// mixed), objects by their keys and values, lists element by element in
// order. No floating-point arithmetic is involved, so the result is the same
// on every platform: a float64 counts as the shortest decimal that
// round-trips to it, which is how encoding/json would print it.
func Equal(a, b any) bool {
	switch first := a.(type) {
	case nil:
		return b == nil
	case bool:
		second, same := b.(bool)
		return same && first == second
	case string:
		second, same := b.(string)
		return same && first == second
	case map[string]any:
		second, same := b.(map[string]any)
		if !same || len(first) != len(second) {
			return false
		}
		for key, value := range first {
			other, found := second[key]
			if !found || !Equal(value, other) {
				return false
			}
		}
		return true
	case []any:
		second, same := b.([]any)
		if !same || len(first) != len(second) {
			return false
		}
		for index := range first {
			if !Equal(first[index], second[index]) {
				return false
			}
		}
		return true
	}
	first, isNumber := canonicalNumber(a)
	second, otherIsNumber := canonicalNumber(b)
	return isNumber && otherIsNumber && first == second
}

// canonicalNumber returns a number's canonical decimal form, equal for equal
// values whatever their Go type or JSON spelling; false when value is not a
// finite number.
func canonicalNumber(value any) (string, bool) {
	switch number := value.(type) {
	case json.Number:
		return canonicalDecimal(string(number))
	case float64:
		return canonicalDecimal(strconv.FormatFloat(number, 'g', -1, 64))
	case float32:
		return canonicalDecimal(strconv.FormatFloat(float64(number), 'g', -1, 32))
	case int:
		return canonicalDecimal(strconv.FormatInt(int64(number), 10))
	case int8:
		return canonicalDecimal(strconv.FormatInt(int64(number), 10))
	case int16:
		return canonicalDecimal(strconv.FormatInt(int64(number), 10))
	case int32:
		return canonicalDecimal(strconv.FormatInt(int64(number), 10))
	case int64:
		return canonicalDecimal(strconv.FormatInt(number, 10))
	case uint:
		return canonicalDecimal(strconv.FormatUint(uint64(number), 10))
	case uint8:
		return canonicalDecimal(strconv.FormatUint(uint64(number), 10))
	case uint16:
		return canonicalDecimal(strconv.FormatUint(uint64(number), 10))
	case uint32:
		return canonicalDecimal(strconv.FormatUint(uint64(number), 10))
	case uint64:
		return canonicalDecimal(strconv.FormatUint(number, 10))
	}
	return "", false
}

// canonicalDecimal rewrites a JSON number (a '+' in the exponent allowed) as
// sign, significant digits without leading or trailing zeros, "e" and the
// exponent of the last digit, such as "-15e-1" for -1.50; zero is "0". The
// exponent is computed with big.Int, so "1e999999999999999999999" neither
// overflows nor allocates more than its own length.
func canonicalDecimal(text string) (string, bool) {
	rest := text
	negative := strings.HasPrefix(rest, "-")
	rest = strings.TrimPrefix(rest, "-")
	mantissa, exponentText, hasExponent := strings.Cut(strings.ToLower(rest), "e")
	integer, fraction, hasFraction := strings.Cut(mantissa, ".")
	if integer == "" || !allDigits(integer) || (len(integer) > 1 && integer[0] == '0') ||
		(hasFraction && (fraction == "" || !allDigits(fraction))) {
		return "", false
	}
	exponent := new(big.Int)
	if hasExponent {
		digits := strings.TrimPrefix(strings.TrimPrefix(exponentText, "+"), "-")
		if digits == "" || !allDigits(digits) || strings.Count(exponentText, "+")+strings.Count(exponentText, "-") > 1 {
			return "", false
		}
		exponent.SetString(strings.TrimPrefix(exponentText, "+"), 10)
	}
	digits := strings.TrimLeft(integer+fraction, "0")
	if digits == "" {
		return "0", true
	}
	trimmed := strings.TrimRight(digits, "0")
	exponent.Add(exponent, big.NewInt(int64(len(digits)-len(trimmed)-len(fraction))))
	sign := ""
	if negative {
		sign = "-"
	}
	return sign + trimmed + "e" + exponent.String(), true
}
