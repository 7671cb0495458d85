package config

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Values is the immutable, validated configuration of one broker, topic,
// producer or consumer: the values given explicitly, over a layer of
// defaults (Kafka's, or for a topic the broker's, see ResolveTopic).
// Methods that change it return a new Values.
type Values struct {
	scope Scope
	// explicit holds the canonical text of each explicitly given key.
	explicit map[string]string
	// defaults holds inherited defaults that replace Kafka's (a topic's broker values); nil when none.
	defaults map[string]string
}

// Resolve validates the given values of a scope and returns them resolved
// over Kafka's defaults. The first invalid key in name order is reported.
func Resolve(scope Scope, given map[string]string) (Values, error) {
	tableOf(scope)
	return Values{scope: scope}.With(given)
}

// ResolveTopic validates a topic's explicit configuration and resolves it
// over the defaults that the broker's configuration supplies (TopicDefaults),
// as a real broker does when it creates a topic.
func ResolveTopic(broker Values, given map[string]string) (Values, error) {
	if broker.scope != Broker {
		panic("config: ResolveTopic needs broker values")
	}
	return Values{scope: Topic, defaults: TopicDefaults(broker)}.With(given)
}

// Scope returns the scope of the values.
func (values Values) Scope() Scope {
	return values.scope
}

// With returns the values with the given keys set, as an incremental alter
// SET does; nothing changes when any key or value is invalid.
func (values Values) With(changes map[string]string) (Values, error) {
	table := tableOf(values.scope)
	names := sortedKeys(changes)
	result := values.clone()
	for _, name := range names {
		definition, found := table.byName[name]
		if !found {
			return values, newUnknownError(values.scope, name)
		}
		canonical, err := validate(definition, changes[name])
		if err != nil {
			return values, err
		}
		result.explicit[name] = canonical
	}
	return result, nil
}

// Without returns the values with the given keys back at their defaults, as
// an incremental alter DELETE does; unknown or unset keys are ignored.
func (values Values) Without(names ...string) Values {
	result := values.clone()
	for _, name := range names {
		delete(result.explicit, name)
	}
	return result
}

// clone copies the explicit values so that a change never reaches another Values.
func (values Values) clone() Values {
	explicit := make(map[string]string, len(values.explicit))
	for name, value := range values.explicit {
		explicit[name] = value
	}
	return Values{scope: values.scope, explicit: explicit, defaults: values.defaults}
}

// definition returns the definition of a key of the values' scope, panicking
// on an unknown key: asking for one is a programming error.
func (values Values) definition(name string) Definition {
	definition, found := tableOf(values.scope).byName[name]
	if !found {
		panic("config: unknown " + values.scope.String() + " config " + strconv.Quote(name))
	}
	return definition
}

// effective returns the text of a key's value and whether it is null.
func (values Values) effective(name string) (string, bool) {
	definition := values.definition(name)
	if value, set := values.explicit[name]; set {
		return value, false
	}
	if value, inherited := values.defaults[name]; inherited {
		return value, false
	}
	return definition.Default, definition.DefaultNull
}

// typed returns the value of a key after checking that its type is one of the expected ones.
func (values Values) typed(name string, accessor string, expected ...Type) (string, bool) {
	definition := values.definition(name)
	for _, valueType := range expected {
		if definition.Type == valueType {
			return values.effective(name)
		}
	}
	panic("config: " + accessor + " of " + definition.Type.String() + " config " + strconv.Quote(name))
}

// Int returns the value of an Int, Long or Short key. It panics on an unknown
// key, another type or a null value: each is a programming error.
func (values Values) Int(name string) int64 {
	text, null := values.typed(name, "Int", Int, Long, Short)
	if null {
		panic("config: Int of null config " + strconv.Quote(name))
	}
	number, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		panic("config: bad stored integer for " + strconv.Quote(name))
	}
	return number
}

// Bool returns the value of a Boolean key, panicking on an unknown key or another type.
func (values Values) Bool(name string) bool {
	text, _ := values.typed(name, "Bool", Boolean)
	return text == "true"
}

// String returns the text of any key's value ("" when null); a set Password shows as "[hidden]", see Secret.
func (values Values) String(name string) string {
	text, null := values.effective(name)
	if values.definition(name).Type == Password && !null && text != "" {
		return hidden
	}
	return text
}

// Secret returns the actual text of a Password key, for the code that checks credentials.
func (values Values) Secret(name string) string {
	text, _ := values.typed(name, "Secret", Password)
	return text
}

// List returns the elements of a List key (nil when null or empty), panicking on an unknown key or another type.
func (values Values) List(name string) []string {
	text, _ := values.typed(name, "List", List)
	return splitList(text)
}

// IsNull reports whether a key has no value: not given and null by default.
func (values Values) IsNull(name string) bool {
	_, null := values.effective(name)
	return null
}

// IsSet reports whether a key was given explicitly (as opposed to defaulted).
func (values Values) IsSet(name string) bool {
	values.definition(name)
	_, set := values.explicit[name]
	return set
}

// Explicit returns a copy of the explicitly given values, with passwords shown as "[hidden]".
func (values Values) Explicit() map[string]string {
	result := make(map[string]string, len(values.explicit))
	for name, value := range values.explicit {
		if values.definition(name).Type == Password {
			value = hidden
		}
		result[name] = value
	}
	return result
}

// Names returns every key of the values' scope, sorted.
func (values Values) Names() []string {
	return append([]string(nil), tableOf(values.scope).names...)
}

// Format prints the explicit values sorted by key, with passwords hidden,
// so that printing a Values with fmt never reveals a secret.
func (values Values) Format(state fmt.State, verb rune) {
	explicit := values.Explicit()
	parts := make([]string, 0, len(explicit))
	for _, name := range sortedKeys(explicit) {
		parts = append(parts, name+"="+explicit[name])
	}
	fmt.Fprintf(state, "%s config {%s}", values.scope, strings.Join(parts, ", "))
}

// sortedKeys returns the keys of a map in sorted order.
func sortedKeys(values map[string]string) []string {
	keys := make([]string, 0, len(values))
	for key := range values {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	return keys
}

// ValidateDynamicBroker accepts a change of broker configs at run time
// (IncrementalAlterConfigs on a broker) only for configs Kafka lets you
// change dynamically, and only with values static would accept.
func ValidateDynamicBroker(static Values, m map[string]string) error {
	var readOnly []string
	for name := range m {
		if d, ok := Lookup(Broker, name); ok && !d.Dynamic {
			readOnly = append(readOnly, name)
		}
	}
	if len(readOnly) > 0 {
		sort.Strings(readOnly)
		return fmt.Errorf("Cannot update these configs dynamically: Set(%s)", strings.Join(readOnly, ", "))
	}
	for _, name := range []string{"listeners", "advertised.listeners", "listener.security.protocol.map", "sasl.enabled.mechanisms"} {
		if _, ok := m[name]; ok {
			return fmt.Errorf("%s: changing listeners and SASL mechanisms at run time is not simulated; set it in the cluster's config", name)
		}
	}
	_, err := static.With(m)
	return err
}
