package config

import "strconv"

// Milliseconds in the units of Kafka's time synonyms.
const (
	millisecondsPerMinute int64 = 60 * 1000
	millisecondsPerHour   int64 = 60 * millisecondsPerMinute
)

// requireScope panics when values of another scope are used: a programming error.
func (values Values) requireScope(scope Scope, accessor string) {
	if values.scope != scope {
		panic("config: " + accessor + " needs " + scope.String() + " values, not " + values.scope.String())
	}
}

// LogRetentionMs returns a broker's effective log retention time as Kafka
// computes it: log.retention.ms if set, else log.retention.minutes, else
// log.retention.hours; any negative result means unlimited and is -1.
func (values Values) LogRetentionMs() int64 {
	values.requireScope(Broker, "LogRetentionMs")
	var milliseconds int64
	switch {
	case !values.IsNull("log.retention.ms"):
		milliseconds = values.Int("log.retention.ms")
	case !values.IsNull("log.retention.minutes"):
		milliseconds = values.Int("log.retention.minutes") * millisecondsPerMinute
	default:
		milliseconds = values.Int("log.retention.hours") * millisecondsPerHour
	}
	if milliseconds < 0 {
		return -1
	}
	return milliseconds
}

// LogRollMs returns a broker's effective segment roll time: log.roll.ms if set, else log.roll.hours.
func (values Values) LogRollMs() int64 {
	values.requireScope(Broker, "LogRollMs")
	if !values.IsNull("log.roll.ms") {
		return values.Int("log.roll.ms")
	}
	return values.Int("log.roll.hours") * millisecondsPerHour
}

// LogRollJitterMs returns a broker's effective segment roll jitter: log.roll.jitter.ms if set, else log.roll.jitter.hours.
func (values Values) LogRollJitterMs() int64 {
	values.requireScope(Broker, "LogRollJitterMs")
	if !values.IsNull("log.roll.jitter.ms") {
		return values.Int("log.roll.jitter.ms")
	}
	return values.Int("log.roll.jitter.hours") * millisecondsPerHour
}

// TopicDefaults returns, for every topic key that has a broker synonym, the
// default that the broker's configuration gives it (time synonyms resolved
// by their precedence, as Kafka does).
func TopicDefaults(broker Values) map[string]string {
	broker.requireScope(Broker, "TopicDefaults")
	result := make(map[string]string)
	for _, name := range tableOf(Topic).names {
		definition := tables[Topic].byName[name]
		switch definition.Name {
		case "retention.ms":
			result[name] = strconv.FormatInt(broker.LogRetentionMs(), 10)
		case "segment.ms":
			result[name] = strconv.FormatInt(broker.LogRollMs(), 10)
		case "segment.jitter.ms":
			result[name] = strconv.FormatInt(broker.LogRollJitterMs(), 10)
		default:
			if definition.BrokerSynonym != "" {
				result[name] = broker.String(definition.BrokerSynonym)
			}
		}
	}
	return result
}

// maximumInFlightForIdempotence is the largest max.in.flight.requests.per.connection an idempotent producer allows.
const maximumInFlightForIdempotence = 5

// ProducerIdempotence returns whether a producer is idempotent, applying
// Kafka 4's checks: with enable.idempotence given explicitly, acks other than
// all or retries of 0 are errors; with it defaulted they quietly turn
// idempotence off; more than 5 in-flight requests is always an error while
// idempotence is on; and a transactional.id needs idempotence.
func (values Values) ProducerIdempotence() (bool, error) {
	values.requireScope(Producer, "ProducerIdempotence")
	enabled := values.Bool("enable.idempotence")
	userConfigured := values.IsSet("enable.idempotence")
	if enabled && values.Int("retries") == 0 {
		if userConfigured {
			return false, producerError("retries", "Must set retries to non-zero when using the idempotent producer.")
		}
		enabled = false
	}
	acks := values.String("acks")
	if enabled && acks != "all" && acks != "-1" {
		if userConfigured {
			return false, producerError("acks", "Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.")
		}
		enabled = false
	}
	if enabled && values.Int("max.in.flight.requests.per.connection") > maximumInFlightForIdempotence {
		return false, producerError("max.in.flight.requests.per.connection", "Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer.")
	}
	if !enabled && values.IsSet("transactional.id") {
		return false, producerError("transactional.id", "Cannot set a transactional.id without also enabling idempotence.")
	}
	return enabled, nil
}

// producerError builds the error of a producer configuration that Kafka's producer refuses as a whole.
func producerError(name string, message string) *Error {
	return &Error{Key: name, Message: "config " + strconv.Quote(name) + ": " + message}
}

// Assignors returns a consumer's partition.assignment.strategy as Kafka's
// class names, in preference order.
func (values Values) Assignors() []string {
	values.requireScope(Consumer, "Assignors")
	return values.List("partition.assignment.strategy")
}

// AutoOffsetReset returns a consumer's reset strategy (earliest, latest,
// none or by_duration) and, for by_duration, the duration in milliseconds.
func (values Values) AutoOffsetReset() (string, int64) {
	values.requireScope(Consumer, "AutoOffsetReset")
	value := values.String("auto.offset.reset")
	switch value {
	case OffsetResetEarliest, OffsetResetLatest, OffsetResetNone:
		return value, 0
	}
	milliseconds, problem := parseAutoOffsetReset(value)
	if problem != "" {
		panic("config: bad stored auto.offset.reset " + strconv.Quote(value))
	}
	return OffsetResetByDuration, milliseconds
}
