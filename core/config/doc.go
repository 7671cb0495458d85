// Package config is the table of Apache Kafka configuration keys that the
// playground understands, with the defaults, types, ranges and allowed values
// of current Apache Kafka (4.x), and the resolved, immutable Values of one
// broker, topic, producer or consumer.
//
// The table follows Kafka's own ConfigDef definitions: every key has Kafka's
// name, type and default, values are validated as Kafka validates them, and
// errors name the key and value so that a learner can correct them. Keys that
// Kafka 4.x removed (the ZooKeeper ones) are kept with their last Kafka
// default and say so in their Doc, so that notes written for older clusters
// still load.
//
// A Definition marked Simulated is acted on by the playground; the others are
// accepted and shown only, so that a configuration copied from a real
// deployment is not rejected for keys the simulation does not model.
//
// The package is pure: no floating point (Double values are kept as the text
// the user gave), no map iteration order reaches an output, and nothing
// depends on time or randomness.
package config
