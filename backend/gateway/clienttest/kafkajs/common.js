// Shared by produce.js and group.js, which the Go tests beside this
// folder run: the one argument (a JSON object), a kafkajs client whose
// log goes to stderr (stdout carries only the result), and a deadline.
'use strict';
const { Kafka, logLevel } = require('kafkajs');

// fail ends the process with a sentence on stderr, which the Go test shows.
function fail(message) {
  process.stderr.write(`FAIL: ${message}\n`);
  process.exit(1);
}

// readArguments parses the JSON object given as the only argument.
function readArguments(required) {
  if (process.argv.length !== 3) {
    fail(`usage: node ${process.argv[1]} '{"brokers": ["127.0.0.1:9091"], ...}'`);
  }
  let args;
  try {
    args = JSON.parse(process.argv[2]);
  } catch (error) {
    fail(`the argument is not JSON: ${error.message}`);
  }
  for (const name of required) {
    if (args[name] === undefined) fail(`the argument lacks "${name}"`);
  }
  return args;
}

// stderrLogger writes kafkajs's log lines to stderr.
const stderrLogger = () => ({ namespace, label, log }) => {
  const { message, timestamp, logger, ...fields } = log;
  process.stderr.write(`${timestamp} ${label} [${namespace}] ${message} ${JSON.stringify(fields)}\n`);
};

// newKafka is a kafkajs client of the given brokers.
function newKafka(brokers, clientId) {
  return new Kafka({ clientId, brokers, logLevel: logLevel.WARN, logCreator: stderrLogger });
}

// runWithin runs main, failing when it throws or outlasts timeoutMs, and
// exits once it is done (kafkajs may leave timers behind).
function runWithin(timeoutMs, what, main) {
  const timer = setTimeout(() => fail(`${what} did not finish in ${timeoutMs} ms`), timeoutMs);
  main().then(
    () => {
      clearTimeout(timer);
      process.exit(0);
    },
    (error) => fail(`${what}: ${error.name}: ${error.message}`),
  );
}

module.exports = { fail, readArguments, newKafka, runWithin };
