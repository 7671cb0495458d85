// Two consumers in one group over `topic`, which has `partitions`
// partitions. Once the group (FindCoordinator, JoinGroup, SyncGroup) has
// split the partitions between the two, a producer sends `count` keyed
// records; the consumers read them (from the beginning, committing as
// kafkajs does by default) until all have come and `quietMs` more have
// passed, so that a record read twice shows. Prints
// {"assignments": [[partitions of consumer 0], [... of consumer 1]],
//  "consumed": [{"consumer", "partition", "offset", "key", "value"}, ...]}.
// A consumer that crashes fails the run at once, with kafkajs's error.
'use strict';
const { Partitioners } = require('kafkajs');
const { fail, newKafka, readArguments, runWithin } = require('./common');

const args = readArguments(['brokers', 'topic', 'partitions', 'groupId', 'count', 'quietMs', 'timeoutMs']);

// splitBetween reports whether the latest assignments of the consumers
// are non-empty, disjoint and cover every partition.
function splitBetween(assignments, partitions) {
  if (assignments.some((a) => a === null || a.length === 0)) return false;
  const all = assignments.flat().sort((a, b) => a - b);
  return all.length === partitions && all.every((p, i) => p === i);
}

// until resolves once check() holds, polling every 20 ms.
function until(check) {
  return new Promise((resolve) => {
    const poll = () => (check() ? resolve() : setTimeout(poll, 20));
    poll();
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

runWithin(args.timeoutMs, 'the consumer group', async () => {
  const kafka = newKafka(args.brokers, 'clienttest-kafkajs-group');
  const assignments = [null, null];
  const consumed = [];
  const consumers = assignments.map((_, n) => {
    const consumer = kafka.consumer({ groupId: args.groupId });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      assignments[n] = (payload.memberAssignment[args.topic] || []).slice().sort((a, b) => a - b);
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      fail(`consumer ${n} crashed: ${payload.error.name}: ${payload.error.message}`);
    });
    return consumer;
  });
  for (const [n, consumer] of consumers.entries()) {
    await consumer.connect();
    await consumer.subscribe({ topic: args.topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        consumed.push({
          consumer: n,
          partition,
          offset: Number(message.offset),
          key: message.key && message.key.toString(),
          value: message.value && message.value.toString(),
        });
      },
    });
  }
  await until(() => splitBetween(assignments, args.partitions));

  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const messages = [];
  for (let i = 0; i < args.count; i++) messages.push({ key: `key-${i}`, value: `record-${i}` });
  await producer.send({ topic: args.topic, acks: -1, messages });
  await producer.disconnect();

  await until(() => consumed.length >= args.count);
  await sleep(args.quietMs);
  const split = assignments.map((a) => a.slice());
  await Promise.all(consumers.map((consumer) => consumer.disconnect()));
  process.stdout.write(JSON.stringify({ assignments: split, consumed }) + '\n');
});
