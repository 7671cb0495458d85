// Package clienttest checks the Kafka wire-protocol gateway with real
// Kafka clients: kcat (librdkafka), kafkajs in Node.js and IBM's sarama,
// each against `playground serve --kafka` started as a process, the way a
// user starts it. With -franz-go-suite (make test-clients) it runs
// franz-go's own kgo integration tests against the gateway, and its
// benchmark (make bench) compares franz-go's produce throughput through
// the gateway with franz-go's kfake.
//
// The package has no code outside its tests; franz-go's kgo client,
// already used by the gateway's own tests, is not repeated here.
package clienttest
