package config

import (
	"strconv"
	"strings"
)

// hidden is what a Password value shows instead of its text.
const hidden = "[hidden]"

// Error is a configuration error: an unknown key, or a value that Kafka would refuse.
type Error struct {
	// Key is the configuration key the error is about.
	Key string
	// Value is the refused value ("[hidden]" for a password); "" for an unknown key.
	Value string
	// Message says what is wrong, in words a learner can act on.
	Message string
}

// Error returns the message with the key and value, for example
// `config "acks": value "2" is not one of all, -1, 0, 1`.
func (configError *Error) Error() string {
	return configError.Message
}

// newValueError builds the error of a refused value of a known key.
func newValueError(definition Definition, value string, problem string) *Error {
	if definition.Type == Password {
		value = hidden
	}
	return &Error{
		Key:     definition.Name,
		Value:   value,
		Message: "config " + strconv.Quote(definition.Name) + ": value " + strconv.Quote(value) + " " + problem,
	}
}

// newUnknownError builds the error of an unknown key, with a suggestion when one is close enough.
func newUnknownError(scope Scope, name string) *Error {
	message := "unknown config " + strconv.Quote(name)
	if hint := suggest(scope, name); hint != "" {
		message += " (" + hint + ")"
	}
	return &Error{Key: name, Message: message}
}

// maximumSuggestionDistance is the largest edit distance at which a known key is suggested.
const maximumSuggestionDistance = 3

// suggest returns a hint for an unknown key: the closest key of the scope
// within the edit distance limit, else the topic key a broker synonym stands
// for, else the other scope where the key exists; "" when there is none.
func suggest(scope Scope, name string) string {
	best, bestDistance := "", maximumSuggestionDistance+1
	for _, candidate := range tableOf(scope).names {
		distance := editDistance(name, candidate)
		if distance < bestDistance {
			best, bestDistance = candidate, distance
		}
	}
	if best != "" {
		return "did you mean " + strconv.Quote(best) + "?"
	}
	if scope == Topic {
		for _, candidate := range tableOf(Topic).names {
			if tables[Topic].byName[candidate].BrokerSynonym == name {
				return "did you mean " + strconv.Quote(candidate) + "? " + strconv.Quote(name) + " is its broker default"
			}
		}
	}
	for other := Broker; other <= Consumer; other++ {
		if other == scope {
			continue
		}
		if _, found := tables[other].byName[name]; found {
			return "it is a " + other.String() + " config, not a " + scope.String() + " config"
		}
	}
	return ""
}

// editDistance is the Levenshtein distance between two strings, counted in bytes.
func editDistance(first, second string) int {
	previous := make([]int, len(second)+1)
	current := make([]int, len(second)+1)
	for column := range previous {
		previous[column] = column
	}
	for row := 1; row <= len(first); row++ {
		current[0] = row
		for column := 1; column <= len(second); column++ {
			substitution := previous[column-1]
			if first[row-1] != second[column-1] {
				substitution++
			}
			current[column] = minimumOf(substitution, previous[column]+1, current[column-1]+1)
		}
		previous, current = current, previous
	}
	return previous[len(second)]
}

// minimumOf returns the smallest of three integers.
func minimumOf(first, second, third int) int {
	result := first
	if second < result {
		result = second
	}
	if third < result {
		result = third
	}
	return result
}

// specialValidator checks and canonicalizes a value that Kafka validates with
// a validator of its own; it returns the canonical value or a problem.
type specialValidator func(definition Definition, value string) (canonical string, problem string)

// specialValidators holds, by scope and key, the validators that a table entry cannot express.
var specialValidators = map[Scope]map[string]specialValidator{
	Consumer: {
		"auto.offset.reset":             validateAutoOffsetReset,
		"group.instance.id":             validateGroupInstanceID,
		"partition.assignment.strategy": validateAssignmentStrategy,
	},
}

// validate checks a given value of a known key as Kafka's ConfigDef would,
// and returns the canonical text to store.
func validate(definition Definition, raw string) (string, *Error) {
	value := strings.TrimSpace(raw)
	if special, found := specialValidators[definition.Scope][definition.Name]; found {
		canonical, problem := special(definition, value)
		if problem != "" {
			return "", newValueError(definition, value, problem)
		}
		return canonical, nil
	}
	canonical, problem := validateByType(definition, value)
	if problem != "" {
		return "", newValueError(definition, value, problem)
	}
	return canonical, nil
}

// validateByType parses a trimmed value according to the key's type and checks its rules.
func validateByType(definition Definition, value string) (string, string) {
	switch {
	case definition.Type.integral():
		return validateInteger(definition, value)
	case definition.Type == Boolean:
		return validateBoolean(value)
	case definition.Type == Double:
		return validateDouble(definition, value)
	case definition.Type == List:
		return validateList(definition, value)
	}
	if definition.NonEmpty && value == "" {
		return "", "must be a non-empty string"
	}
	if definition.OneOf != nil {
		return matchOneOf(definition, value)
	}
	return value, ""
}

// integerBits gives the width of each integral type.
var integerBits = map[Type]int{Short: 16, Int: 32, Long: 64}

// validateInteger parses an integer of the key's width and checks its range.
func validateInteger(definition Definition, value string) (string, string) {
	bits := integerBits[definition.Type]
	number, err := strconv.ParseInt(value, 10, bits)
	if err != nil {
		if _, wide := strconv.ParseInt(value, 10, 64); wide == nil || isRangeError(wide) {
			return "", "is not a " + strconv.Itoa(bits) + "-bit integer"
		}
		return "", "is not an integer"
	}
	if problem := checkRange(definition, number); problem != "" {
		return "", problem
	}
	if definition.OneOf != nil {
		return matchOneOf(definition, strconv.FormatInt(number, 10))
	}
	return strconv.FormatInt(number, 10), ""
}

// isRangeError reports whether a strconv error is an out-of-range error.
func isRangeError(err error) bool {
	numberError, ok := err.(*strconv.NumError)
	return ok && numberError.Err == strconv.ErrRange
}

// checkRange returns the problem of a number outside the key's inclusive bounds.
func checkRange(definition Definition, number int64) string {
	tooLow := definition.Min != nil && number < *definition.Min
	tooHigh := definition.Max != nil && number > *definition.Max
	if !tooLow && !tooHigh {
		return ""
	}
	return rangeProblem(definition)
}

// rangeProblem describes the bounds of a key.
func rangeProblem(definition Definition) string {
	switch {
	case definition.Min != nil && definition.Max != nil:
		return "must be between " + strconv.FormatInt(*definition.Min, 10) + " and " + strconv.FormatInt(*definition.Max, 10)
	case definition.Min != nil:
		return "must be at least " + strconv.FormatInt(*definition.Min, 10)
	default:
		return "must be at most " + strconv.FormatInt(*definition.Max, 10)
	}
}

// validateBoolean accepts true or false in any case, as Kafka does.
func validateBoolean(value string) (string, string) {
	switch strings.ToLower(value) {
	case "true":
		return "true", ""
	case "false":
		return "false", ""
	}
	return "", "is not a boolean (true or false)"
}

// validateList checks each element of a comma-separated list against the allowed values.
func validateList(definition Definition, value string) (string, string) {
	elements := splitList(value)
	if definition.OneOf == nil {
		return strings.Join(elements, ","), ""
	}
	for index, element := range elements {
		canonical, problem := matchOneOf(definition, element)
		if problem != "" {
			return "", "has element " + strconv.Quote(element) + " that " + problem
		}
		elements[index] = canonical
	}
	return strings.Join(elements, ","), ""
}

// splitList splits a comma-separated value into trimmed elements; an empty value is an empty list.
func splitList(value string) []string {
	value = strings.TrimSpace(value)
	if value == "" {
		return nil
	}
	elements := strings.Split(value, ",")
	for index, element := range elements {
		elements[index] = strings.TrimSpace(element)
	}
	return elements
}

// matchOneOf returns the allowed spelling of a value, or the problem when it is not allowed.
func matchOneOf(definition Definition, value string) (string, string) {
	for _, allowed := range definition.OneOf {
		if allowed == value || (definition.CaseInsensitive && strings.EqualFold(allowed, value)) {
			return allowed, ""
		}
	}
	return "", "is not one of " + strings.Join(definition.OneOf, ", ")
}
