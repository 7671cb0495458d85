package config

import "sort"

// Scope is the kind of entity a configuration key belongs to.
type Scope int

const (
	// Broker is the scope of broker (server) configuration keys, as in server.properties.
	Broker Scope = iota
	// Topic is the scope of per-topic configuration keys, whose defaults come from broker synonyms.
	Topic
	// Producer is the scope of producer client configuration keys.
	Producer
	// Consumer is the scope of consumer client configuration keys.
	Consumer
)

// scopeCount is the number of scopes, used to size the per-scope tables.
const scopeCount = 4

// String returns the lower-case name of the scope, as used in messages.
func (scope Scope) String() string {
	switch scope {
	case Broker:
		return "broker"
	case Topic:
		return "topic"
	case Producer:
		return "producer"
	case Consumer:
		return "consumer"
	}
	return "unknown"
}

// valid reports whether the scope is one of the four known scopes.
func (scope Scope) valid() bool {
	return scope >= Broker && scope <= Consumer
}

// Type is the value type of a configuration key, named after Kafka's ConfigDef.Type.
type Type int

const (
	// Int is a 32-bit signed integer.
	Int Type = iota
	// Long is a 64-bit signed integer.
	Long
	// Short is a 16-bit signed integer.
	Short
	// Boolean is true or false, compared case-insensitively as Kafka does.
	Boolean
	// String is free text (Kafka trims surrounding spaces).
	String
	// List is a comma-separated list of values.
	List
	// Class is a fully qualified Java class name; the playground stores it as text.
	Class
	// Password is a secret string that is never printed: it shows as "[hidden]".
	Password
	// Double is a decimal number; it is validated and stored as text, never parsed to a float.
	Double
)

// String returns Kafka's lower-case name of the type, as in its documentation.
func (valueType Type) String() string {
	switch valueType {
	case Int:
		return "int"
	case Long:
		return "long"
	case Short:
		return "short"
	case Boolean:
		return "boolean"
	case String:
		return "string"
	case List:
		return "list"
	case Class:
		return "class"
	case Password:
		return "password"
	case Double:
		return "double"
	}
	return "unknown"
}

// integral reports whether values of the type are integers.
func (valueType Type) integral() bool {
	return valueType == Int || valueType == Long || valueType == Short
}

// Definition describes one configuration key: its Kafka name, type, default,
// validation rules and what the playground does with it.
type Definition struct {
	// Name is the key exactly as Kafka spells it.
	Name string
	// Scope is the kind of entity the key configures.
	Scope Scope
	// Type is the value type, as in Kafka's ConfigDef.
	Type Type
	// Default is the default value as Kafka documents it; it is "" with DefaultNull for null.
	Default string
	// DefaultNull is true when Kafka's default is null (no value).
	DefaultNull bool
	// Doc is one short sentence for learners.
	Doc string
	// Min is the inclusive lower bound of a numeric value, nil when there is none.
	Min *int64
	// Max is the inclusive upper bound of a numeric value, nil when there is none.
	Max *int64
	// OneOf lists the allowed values (each element's allowed values for a List), nil when any value is allowed.
	OneOf []string
	// CaseInsensitive is true when OneOf is compared ignoring case, as Kafka's CaseInsensitiveValidString does.
	CaseInsensitive bool
	// NonEmpty is true when an explicitly given value must not be empty, as Kafka's NonEmptyString requires.
	NonEmpty bool
	// Dynamic is true for a broker key that IncrementalAlterConfigs can change at runtime, as Kafka's DynamicBrokerConfig allows.
	Dynamic bool
	// PerBrokerOnly is true for a dynamic broker key that can be set per broker but not as a cluster-wide default.
	PerBrokerOnly bool
	// BrokerSynonym is, for a topic key, the broker key that supplies its default.
	BrokerSynonym string
	// Removed is the Kafka version that removed the key, "" when current Kafka still has it.
	Removed string
	// Simulated is true when the playground acts on the key; false means accepted and shown only.
	Simulated bool
}

// copyDefinition returns a copy that shares no pointer or slice with the table.
func copyDefinition(definition Definition) Definition {
	if definition.Min != nil {
		minimum := *definition.Min
		definition.Min = &minimum
	}
	if definition.Max != nil {
		maximum := *definition.Max
		definition.Max = &maximum
	}
	if definition.OneOf != nil {
		definition.OneOf = append([]string(nil), definition.OneOf...)
	}
	return definition
}

// tables holds, per scope, the definitions by name and the sorted names.
var tables = buildTables()

// scopeTable is the index of one scope's definitions.
type scopeTable struct {
	byName map[string]Definition
	names  []string
}

// buildTables indexes the definition lists of every scope; a duplicate key is a programming error.
func buildTables() [scopeCount]scopeTable {
	lists := [scopeCount][]Definition{
		Broker:   brokerDefinitions(),
		Topic:    topicDefinitions(),
		Producer: producerDefinitions(),
		Consumer: consumerDefinitions(),
	}
	var result [scopeCount]scopeTable
	for scopeIndex, list := range lists {
		table := scopeTable{byName: make(map[string]Definition, len(list))}
		for _, definition := range list {
			definition.Scope = Scope(scopeIndex)
			if _, duplicate := table.byName[definition.Name]; duplicate {
				panic("config: duplicate definition " + definition.Name)
			}
			table.byName[definition.Name] = definition
			table.names = append(table.names, definition.Name)
		}
		sort.Strings(table.names)
		result[scopeIndex] = table
	}
	return result
}

// tableOf returns the table of a scope, panicking on an unknown scope (a programming error).
func tableOf(scope Scope) *scopeTable {
	if !scope.valid() {
		panic("config: unknown scope")
	}
	return &tables[scope]
}

// Lookup returns the definition of a key in a scope, and whether the key is known.
func Lookup(scope Scope, name string) (Definition, bool) {
	if !scope.valid() {
		return Definition{}, false
	}
	definition, found := tables[scope].byName[name]
	if !found {
		return Definition{}, false
	}
	return copyDefinition(definition), true
}

// Definitions returns every definition of a scope, sorted by name.
func Definitions(scope Scope) []Definition {
	table := tableOf(scope)
	result := make([]Definition, 0, len(table.names))
	for _, name := range table.names {
		result = append(result, copyDefinition(table.byName[name]))
	}
	return result
}

// atLeast returns an inclusive lower bound for a definition.
func atLeast(minimum int64) *int64 {
	return &minimum
}

// atMost returns an inclusive upper bound for a definition.
func atMost(maximum int64) *int64 {
	return &maximum
}
