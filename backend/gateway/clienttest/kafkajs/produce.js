// Produces `count` keyed records to `topic`, one send each, with an
// idempotent producer (acks=all, Kafka's default since 3.0) and kafkajs's
// Java-compatible partitioner, and prints where each one landed:
// {"sent": [{"key", "value", "partition", "offset"}, ...]}.
'use strict';
const { Partitioners } = require('kafkajs');
const { newKafka, readArguments, runWithin } = require('./common');

const args = readArguments(['brokers', 'topic', 'count', 'timeoutMs']);

runWithin(args.timeoutMs, 'producing', async () => {
  const kafka = newKafka(args.brokers, 'clienttest-kafkajs-producer');
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const sent = [];
  for (let i = 0; i < args.count; i++) {
    const key = `user-${i % 5}`;
    const value = `order-${i}`;
    const [result] = await producer.send({ topic: args.topic, acks: -1, messages: [{ key, value }] });
    sent.push({ key, value, partition: result.partition, offset: Number(result.baseOffset) });
  }
  await producer.disconnect();
  process.stdout.write(JSON.stringify({ sent }) + '\n');
});
