package config

import (
	"regexp"
	"strconv"
	"strings"
)

// validateDouble checks a decimal number and its integer bounds without
// parsing it to a float; the canonical value is the text as given.
func validateDouble(definition Definition, value string) (string, string) {
	negative, integerDigits, fractionNonZero, ok := parseDecimal(value)
	if !ok {
		return "", "is not a number"
	}
	tooLow := definition.Min != nil && compareDecimal(negative, integerDigits, fractionNonZero, *definition.Min) < 0
	tooHigh := definition.Max != nil && compareDecimal(negative, integerDigits, fractionNonZero, *definition.Max) > 0
	if tooLow || tooHigh {
		return "", rangeProblem(definition)
	}
	return value, ""
}

// decimalPattern is the plain decimal notation the playground accepts for a Double.
var decimalPattern = regexp.MustCompile(`^([+-]?)([0-9]*)(?:\.([0-9]*))?$`)

// parseDecimal splits a decimal number into its sign, integer digits
// (without leading zeros) and whether its fraction is non-zero.
func parseDecimal(value string) (negative bool, integerDigits string, fractionNonZero bool, ok bool) {
	match := decimalPattern.FindStringSubmatch(value)
	if match == nil || match[2]+match[3] == "" {
		return false, "", false, false
	}
	integerDigits = strings.TrimLeft(match[2], "0")
	fractionNonZero = strings.Trim(match[3], "0") != ""
	isZero := integerDigits == "" && !fractionNonZero
	return match[1] == "-" && !isZero, integerDigits, fractionNonZero, true
}

// compareDecimal compares a parsed decimal number with an integer bound and
// returns -1, 0 or 1 as the number is below, equal to or above it.
func compareDecimal(negative bool, integerDigits string, fractionNonZero bool, bound int64) int {
	magnitude, err := strconv.ParseInt("0"+integerDigits, 10, 64)
	huge := err != nil
	if !negative {
		switch {
		case bound < 0 || huge || magnitude > bound || (magnitude == bound && fractionNonZero):
			return 1
		case magnitude == bound:
			return 0
		}
		return -1
	}
	// The number is -(magnitude + fraction): compare magnitude + fraction with -bound.
	if bound >= 0 || huge {
		return -1
	}
	opposite := -bound
	switch {
	case magnitude > opposite || (magnitude == opposite && fractionNonZero):
		return -1
	case magnitude == opposite:
		return 0
	}
	return 1
}

// Class names of Kafka's built-in consumer partition assignors.
const (
	// RangeAssignorClass is Kafka's range assignor, short name "range".
	RangeAssignorClass = "org.apache.kafka.clients.consumer.RangeAssignor"
	// RoundRobinAssignorClass is Kafka's round-robin assignor, short name "roundrobin".
	RoundRobinAssignorClass = "org.apache.kafka.clients.consumer.RoundRobinAssignor"
	// StickyAssignorClass is Kafka's eager sticky assignor, short name "sticky".
	StickyAssignorClass = "org.apache.kafka.clients.consumer.StickyAssignor"
	// CooperativeStickyAssignorClass is Kafka's cooperative sticky assignor, short name "cooperative-sticky".
	CooperativeStickyAssignorClass = "org.apache.kafka.clients.consumer.CooperativeStickyAssignor"
)

// assignorShortNames maps the short names that other Kafka clients use to Kafka's class names.
var assignorShortNames = map[string]string{
	"range":              RangeAssignorClass,
	"roundrobin":         RoundRobinAssignorClass,
	"sticky":             StickyAssignorClass,
	"cooperative-sticky": CooperativeStickyAssignorClass,
}

// AssignorShortName returns the short name ("range", "roundrobin", "sticky",
// "cooperative-sticky") of a built-in assignor class, or "" for any other class.
func AssignorShortName(className string) string {
	for _, shortName := range []string{"cooperative-sticky", "range", "roundrobin", "sticky"} {
		if assignorShortNames[shortName] == className {
			return shortName
		}
	}
	return ""
}

// validateAssignmentStrategy accepts a list of Kafka's built-in assignors,
// by class name or by the short names that librdkafka and franz-go use, and
// stores them as class names.
func validateAssignmentStrategy(definition Definition, value string) (string, string) {
	elements := splitList(value)
	for index, element := range elements {
		if className, found := assignorShortNames[strings.ToLower(element)]; found {
			elements[index] = className
			continue
		}
		if AssignorShortName(element) == "" {
			return "", "is not one of range, roundrobin, sticky, cooperative-sticky or their Kafka class names"
		}
	}
	return strings.Join(elements, ","), ""
}

// Auto offset reset strategies of Kafka's consumer.
const (
	// OffsetResetEarliest resets to the earliest offset.
	OffsetResetEarliest = "earliest"
	// OffsetResetLatest resets to the latest offset (the default).
	OffsetResetLatest = "latest"
	// OffsetResetNone fails the poll with no offset to reset to.
	OffsetResetNone = "none"
	// OffsetResetByDuration resets to the offset of the first record newer than now minus a duration (Kafka 4.0, KIP-1106).
	OffsetResetByDuration = "by_duration"
)

// maxGroupInstanceIDLength is the longest group.instance.id, Kafka's
// longest topic name: the id is checked by the topic name rules.
const maxGroupInstanceIDLength = 249

// validateGroupInstanceID checks a group.instance.id as the Java consumer
// does when it starts (JoinGroupRequest.validateGroupInstanceId, Kafka's
// topic name rules): not empty, not "." or "..", at most 249 characters,
// only ASCII letters, digits, '.', '_' and '-'.
func validateGroupInstanceID(_ Definition, value string) (string, string) {
	switch {
	case value == "":
		return "", "must be a non-empty string"
	case value == "." || value == "..":
		return "", "is invalid: '" + value + "' is not allowed"
	case len(value) > maxGroupInstanceIDLength:
		return "", "is invalid: longer than the max allowed length " + strconv.Itoa(maxGroupInstanceIDLength)
	}
	for _, r := range value {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return "", "is invalid: it contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'"
		}
	}
	return value, ""
}

// validateAutoOffsetReset accepts earliest, latest, none and by_duration:<ISO-8601 duration>, as Kafka 4's validator does.
func validateAutoOffsetReset(definition Definition, value string) (string, string) {
	switch value {
	case OffsetResetEarliest, OffsetResetLatest, OffsetResetNone:
		return value, ""
	}
	if _, problem := parseAutoOffsetReset(value); problem != "" {
		return "", problem
	}
	return value, ""
}

// parseAutoOffsetReset returns the duration in milliseconds of a
// "by_duration:" value, or the problem with it.
func parseAutoOffsetReset(value string) (int64, string) {
	const prefix = OffsetResetByDuration + ":"
	notOneOf := "is not one of earliest, latest, none, by_duration:<ISO-8601 duration>"
	if !strings.HasPrefix(value, prefix) {
		return 0, notOneOf
	}
	milliseconds, ok := parseIsoDuration(strings.TrimPrefix(value, prefix))
	if !ok {
		return 0, "does not hold an ISO-8601 duration such as PT1H after by_duration:"
	}
	if milliseconds < 0 {
		return 0, "holds a negative duration"
	}
	return milliseconds, ""
}

// isoDurationPattern is the duration syntax of Java's Duration.parse, which Kafka uses.
var isoDurationPattern = regexp.MustCompile(`(?i)^([-+]?)P(?:([-+]?[0-9]{1,12})D)?(T(?:([-+]?[0-9]{1,12})H)?(?:([-+]?[0-9]{1,12})M)?(?:([-+]?[0-9]{1,12})(?:[.,]([0-9]{0,9}))?S)?)?$`)

// parseIsoDuration parses an ISO-8601 duration (days, hours, minutes, seconds)
// into milliseconds, truncating below a millisecond.
func parseIsoDuration(text string) (int64, bool) {
	match := isoDurationPattern.FindStringSubmatch(text)
	if match == nil || (match[2] == "" && match[4] == "" && match[5] == "" && match[6] == "") || match[3] == "T" || match[3] == "t" {
		return 0, false
	}
	seconds := componentValue(match[2])*86400 + componentValue(match[4])*3600 + componentValue(match[5])*60 + componentValue(match[6])
	milliseconds := seconds * 1000
	if match[7] != "" {
		fraction := (match[7] + "000")[:3]
		fractionMilliseconds, _ := strconv.ParseInt(fraction, 10, 64)
		if strings.HasPrefix(match[6], "-") {
			fractionMilliseconds = -fractionMilliseconds
		}
		milliseconds += fractionMilliseconds
	}
	if match[1] == "-" {
		milliseconds = -milliseconds
	}
	return milliseconds, true
}

// componentValue parses one signed component of a duration; "" is zero.
func componentValue(text string) int64 {
	if text == "" {
		return 0
	}
	number, _ := strconv.ParseInt(text, 10, 64)
	return number
}
