package config

// Textual forms of Java's integer limits, as Kafka documents them in defaults.
const (
	integerMaximum = "2147483647"
	longMaximum    = "9223372036854775807"
)

// zooKeeperRemoved is the Removed value of keys that went away with ZooKeeper mode.
const zooKeeperRemoved = "4.0"

// brokerDefinitions is the broker table, with the defaults of Kafka 4.x
// (ServerLogConfigs, ReplicationConfigs, ServerConfigs, SocketServerConfigs,
// GroupCoordinatorConfig, TransactionLogConfig, TransactionStateManagerConfig,
// KRaftConfigs, QuorumConfig, CleanerConfig, BrokerSecurityConfigs and
// StandardAuthorizer). Dynamic follows DynamicBrokerConfig.
func brokerDefinitions() []Definition {
	definitions := []Definition{}
	definitions = append(definitions, brokerTopicDefaultDefinitions()...)
	definitions = append(definitions, brokerReplicationDefinitions()...)
	definitions = append(definitions, brokerCoordinatorDefinitions()...)
	definitions = append(definitions, brokerClusterDefinitions()...)
	definitions = append(definitions, brokerSecurityDefinitions()...)
	return definitions
}

// brokerTopicDefaultDefinitions are the broker keys that give topics their defaults.
func brokerTopicDefaultDefinitions() []Definition {
	return []Definition{
		{Name: "num.partitions", Type: Int, Default: "1", Min: atLeast(1), Simulated: true,
			Doc: "The number of partitions of a topic created automatically or without a partition count."},
		{Name: "default.replication.factor", Type: Int, Default: "1", Simulated: true,
			Doc: "The replication factor of a topic created automatically or without a replication factor."},
		{Name: "auto.create.topics.enable", Type: Boolean, Default: "true", Simulated: true,
			Doc: "Whether producing to or fetching metadata for an unknown topic creates it."},
		{Name: "min.insync.replicas", Type: Int, Default: "1", Min: atLeast(1), Dynamic: true, Simulated: true,
			Doc: "The fewest in-sync replicas that must hold a write for an acks=all produce to succeed; the default for topics."},
		{Name: "unclean.leader.election.enable", Type: Boolean, Default: "false", Dynamic: true, Simulated: true,
			Doc: "Whether a replica outside the ISR may become leader as a last resort, losing acknowledged data."},
		{Name: "log.retention.ms", Type: Long, DefaultNull: true, Dynamic: true, Simulated: true,
			Doc: "How long a log segment is kept before deletion, in milliseconds; overrides the minutes and hours keys, and -1 means forever."},
		{Name: "log.retention.minutes", Type: Int, DefaultNull: true, Simulated: true,
			Doc: "How long a log segment is kept, in minutes; used when log.retention.ms is not set."},
		{Name: "log.retention.hours", Type: Int, Default: "168", Simulated: true,
			Doc: "How long a log segment is kept, in hours (7 days by default); used when neither log.retention.ms nor log.retention.minutes is set."},
		{Name: "log.retention.bytes", Type: Long, Default: "-1", Dynamic: true, Simulated: true,
			Doc: "The largest size a partition's log may reach before old segments are deleted; -1 means unlimited."},
		{Name: "log.segment.bytes", Type: Int, Default: "1073741824", Min: atLeast(1048576), Dynamic: true, Simulated: true,
			Doc: "The largest size of one log segment file before a new one is rolled (at least 1 MiB since Kafka 4.0)."},
		{Name: "log.roll.ms", Type: Long, DefaultNull: true, Dynamic: true, Simulated: true,
			Doc: "The longest time before a new log segment is rolled, in milliseconds; overrides log.roll.hours."},
		{Name: "log.roll.hours", Type: Int, Default: "168", Min: atLeast(1), Simulated: true,
			Doc: "The longest time before a new log segment is rolled, in hours; used when log.roll.ms is not set."},
		{Name: "log.roll.jitter.ms", Type: Long, DefaultNull: true, Dynamic: true,
			Doc: "The largest random time subtracted from the roll time, in milliseconds; overrides log.roll.jitter.hours."},
		{Name: "log.roll.jitter.hours", Type: Int, Default: "0", Min: atLeast(0),
			Doc: "The largest random time subtracted from the roll time, in hours; used when log.roll.jitter.ms is not set."},
		{Name: "log.retention.check.interval.ms", Type: Long, Default: "300000", Min: atLeast(1), Simulated: true,
			Doc: "How often the broker checks whether any log segment is due for deletion."},
		{Name: "log.cleanup.policy", Type: List, Default: "delete", OneOf: []string{"compact", "delete"}, Dynamic: true, Simulated: true,
			Doc: "What happens to old segments: delete them, compact them by key, or both; an empty list (Kafka 4.2) keeps everything."},
		{Name: "log.cleaner.delete.retention.ms", Type: Long, Default: "86400000", Min: atLeast(0), Dynamic: true,
			Doc: "How long delete markers (tombstones) are kept in compacted topics."},
		{Name: "log.cleaner.min.compaction.lag.ms", Type: Long, Default: "0", Min: atLeast(0), Dynamic: true,
			Doc: "The least time a record stays uncompacted in a compacted topic."},
		{Name: "log.cleaner.max.compaction.lag.ms", Type: Long, Default: longMaximum, Min: atLeast(1), Dynamic: true,
			Doc: "The longest time a record may stay uncompacted in a compacted topic."},
		{Name: "log.cleaner.min.cleanable.ratio", Type: Double, Default: "0.5", Min: atLeast(0), Max: atMost(1), Dynamic: true,
			Doc: "The share of a log that must be uncompacted before the cleaner compacts it."},
		{Name: "message.max.bytes", Type: Int, Default: "1048588", Min: atLeast(0), Dynamic: true, Simulated: true,
			Doc: "The largest record batch the broker accepts (1 MiB plus the 12-byte log overhead); the default of max.message.bytes."},
		{Name: "compression.type", Type: String, Default: "producer", OneOf: []string{"uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"}, Dynamic: true,
			Doc: "The compression the broker stores batches with; producer keeps what the producer used."},
		{Name: "log.message.timestamp.type", Type: String, Default: "CreateTime", OneOf: []string{"CreateTime", "LogAppendTime"}, Dynamic: true, Simulated: true,
			Doc: "Whether a record keeps the producer's timestamp (CreateTime) or gets the broker's (LogAppendTime)."},
		{Name: "log.message.timestamp.before.max.ms", Type: Long, Default: longMaximum, Min: atLeast(0), Dynamic: true,
			Doc: "How far in the past a CreateTime timestamp may be before the batch is refused."},
		{Name: "log.message.timestamp.after.max.ms", Type: Long, Default: "3600000", Min: atLeast(0), Dynamic: true,
			Doc: "How far in the future a CreateTime timestamp may be before the batch is refused (1 hour since Kafka 4.0)."},
		{Name: "delete.topic.enable", Type: Boolean, Default: "true", Simulated: true,
			Doc: "Whether topics can be deleted."},
		{Name: "log.dirs", Type: List, DefaultNull: true,
			Doc: "The directories where the broker stores partition logs; log.dir is used when not set."},
		{Name: "log.dir", Type: List, Default: "/tmp/kafka-logs",
			Doc: "The directory where the broker stores partition logs when log.dirs is not set."},
		{Name: "num.recovery.threads.per.data.dir", Type: Int, Default: "2", Min: atLeast(1), Dynamic: true,
			Doc: "Threads per log directory used to recover logs at startup (2 since Kafka 4.0)."},
	}
}

// brokerReplicationDefinitions are the broker keys of follower fetching and leadership.
func brokerReplicationDefinitions() []Definition {
	return []Definition{
		{Name: "replica.lag.time.max.ms", Type: Long, Default: "30000", Simulated: true,
			Doc: "A follower that has not caught up to the leader's log end for this long is removed from the ISR (30 s since Kafka 2.5, 10 s before)."},
		{Name: "replica.fetch.wait.max.ms", Type: Int, Default: "500", Simulated: true,
			Doc: "The longest a follower's fetch waits at the leader for data."},
		{Name: "replica.fetch.min.bytes", Type: Int, Default: "1", Simulated: true,
			Doc: "The least data a follower's fetch waits for before the leader answers."},
		{Name: "replica.fetch.max.bytes", Type: Int, Default: "1048576", Min: atLeast(0), Simulated: true,
			Doc: "The data a follower asks for per partition in one fetch (a larger first batch is still returned)."},
		{Name: "replica.fetch.response.max.bytes", Type: Int, Default: "10485760", Min: atLeast(0), Simulated: true,
			Doc: "The data a follower asks for in one whole fetch response."},
		{Name: "replica.fetch.backoff.ms", Type: Int, Default: "1000", Min: atLeast(0), Simulated: true,
			Doc: "How long a follower waits after a failed fetch before fetching again."},
		{Name: "replica.socket.timeout.ms", Type: Int, Default: "30000", Simulated: true,
			Doc: "How long a follower waits for a fetch response before giving up on it."},
		{Name: "num.replica.fetchers", Type: Int, Default: "1", Min: atLeast(1), Dynamic: true,
			Doc: "Fetcher threads a follower uses per source broker."},
		{Name: "auto.leader.rebalance.enable", Type: Boolean, Default: "true", Simulated: true,
			Doc: "Whether the controller moves leadership back to preferred replicas when it is unbalanced."},
		{Name: "leader.imbalance.check.interval.seconds", Type: Long, Default: "300", Min: atLeast(1), Simulated: true,
			Doc: "How often the controller checks leader balance."},
		{Name: "leader.imbalance.per.broker.percentage", Type: Int, Default: "10", Simulated: true,
			Doc: "The percentage of non-preferred leaders on a broker above which leadership is rebalanced."},
		{Name: "controlled.shutdown.enable", Type: Boolean, Default: "true", Simulated: true,
			Doc: "Whether a stopping broker first hands its leaderships to other replicas."},
		{Name: "controlled.shutdown.max.retries", Type: Int, Default: "3", Simulated: true,
			Doc: "How many times a controlled shutdown is retried after a failure."},
		{Name: "controlled.shutdown.retry.backoff.ms", Type: Long, Default: "5000", Simulated: true,
			Doc: "How long to wait between controlled shutdown attempts."},
	}
}

// brokerCoordinatorDefinitions are the broker keys of the group and transaction coordinators.
func brokerCoordinatorDefinitions() []Definition {
	return []Definition{
		{Name: "offsets.topic.num.partitions", Type: Int, Default: "50", Min: atLeast(1), Simulated: true,
			Doc: "The number of partitions of __consumer_offsets, which decides each group's coordinator."},
		{Name: "offsets.topic.replication.factor", Type: Short, Default: "3", Min: atLeast(1), Simulated: true,
			Doc: "The replication factor of __consumer_offsets; creating it fails until that many brokers are up."},
		{Name: "offsets.retention.minutes", Type: Int, Default: "10080", Min: atLeast(1), Simulated: true,
			Doc: "How long committed offsets of an empty group are kept (7 days)."},
		{Name: "offsets.retention.check.interval.ms", Type: Long, Default: "600000", Min: atLeast(1), Simulated: true,
			Doc: "How often the coordinator looks for expired offsets."},
		{Name: "group.initial.rebalance.delay.ms", Type: Int, Default: "3000", Simulated: true,
			Doc: "How long the first rebalance of an empty classic group waits for more members to join."},
		{Name: "group.min.session.timeout.ms", Type: Int, Default: "6000", Simulated: true,
			Doc: "The smallest session.timeout.ms a classic group member may ask for."},
		{Name: "group.max.session.timeout.ms", Type: Int, Default: "1800000", Simulated: true,
			Doc: "The largest session.timeout.ms a classic group member may ask for."},
		{Name: "group.max.size", Type: Int, Default: integerMaximum, Min: atLeast(1), Simulated: true,
			Doc: "The most members a classic group may have."},
		{Name: "group.consumer.session.timeout.ms", Type: Int, Default: "45000", Min: atLeast(1),
			Doc: "The session timeout of members of groups using the consumer rebalance protocol (KIP-848)."},
		{Name: "group.consumer.heartbeat.interval.ms", Type: Int, Default: "5000", Min: atLeast(1),
			Doc: "The heartbeat interval of members of groups using the consumer rebalance protocol (KIP-848)."},
		{Name: "transaction.state.log.num.partitions", Type: Int, Default: "50", Min: atLeast(1), Simulated: true,
			Doc: "The number of partitions of __transaction_state, which decides each transactional.id's coordinator."},
		{Name: "transaction.state.log.replication.factor", Type: Short, Default: "3", Min: atLeast(1), Simulated: true,
			Doc: "The replication factor of __transaction_state; transactions fail until that many brokers are up."},
		{Name: "transaction.state.log.min.isr", Type: Int, Default: "2", Min: atLeast(1), Simulated: true,
			Doc: "The min.insync.replicas of __transaction_state."},
		{Name: "transaction.max.timeout.ms", Type: Int, Default: "900000", Min: atLeast(1), Simulated: true,
			Doc: "The largest transaction.timeout.ms a producer may ask for (15 minutes)."},
		{Name: "transactional.id.expiration.ms", Type: Int, Default: "604800000", Min: atLeast(1), Simulated: true,
			Doc: "How long a transactional.id with no transaction activity is remembered (7 days)."},
		{Name: "transaction.abort.timed.out.transaction.cleanup.interval.ms", Type: Int, Default: "10000", Min: atLeast(1), Simulated: true,
			Doc: "How often the transaction coordinator aborts transactions that have run past their timeout."},
		{Name: "transaction.remove.expired.transaction.cleanup.interval.ms", Type: Int, Default: "3600000", Min: atLeast(1),
			Doc: "How often the transaction coordinator forgets expired transactional ids."},
		{Name: "producer.id.expiration.ms", Type: Int, Default: "86400000", Min: atLeast(1), Dynamic: true, Simulated: true,
			Doc: "How long a partition remembers an idempotent producer's sequence state after its last write (1 day)."},
	}
}

// brokerClusterDefinitions are the broker keys of the metadata quorum, networking and identity.
func brokerClusterDefinitions() []Definition {
	return []Definition{
		{Name: "broker.session.timeout.ms", Type: Int, Default: "9000", Simulated: true,
			Doc: "A broker that has not heartbeated to the KRaft controller for this long is fenced."},
		{Name: "broker.heartbeat.interval.ms", Type: Int, Default: "2000", Simulated: true,
			Doc: "How often a broker heartbeats to the KRaft controller."},
		{Name: "controller.quorum.election.timeout.ms", Type: Int, Default: "1000", Simulated: true,
			Doc: "How long a controller waits without hearing from the quorum leader before starting an election."},
		{Name: "controller.quorum.fetch.timeout.ms", Type: Int, Default: "2000", Simulated: true,
			Doc: "How long a controller waits without a successful fetch from the leader before it becomes a candidate."},
		{Name: "controller.quorum.election.backoff.max.ms", Type: Int, Default: "1000", Simulated: true,
			Doc: "The longest random wait before a controller starts a new election after a failed one."},
		{Name: "controller.quorum.voters", Type: List, Default: "",
			Doc: "The static voter set of the KRaft quorum as id@host:port entries."},
		{Name: "controller.quorum.bootstrap.servers", Type: List, Default: "",
			Doc: "Controller endpoints used to discover a dynamic KRaft quorum."},
		{Name: "process.roles", Type: List, Default: "", OneOf: []string{"broker", "controller"},
			Doc: "The KRaft roles of this node: broker, controller, or both."},
		{Name: "node.id", Type: Int, Default: "-1",
			Doc: "The id of this node in a KRaft cluster."},
		{Name: "controller.listener.names", Type: String, DefaultNull: true,
			Doc: "The listener names the controllers use."},
		{Name: "zookeeper.session.timeout.ms", Type: Int, Default: "18000", Removed: zooKeeperRemoved, Simulated: true,
			Doc: "The ZooKeeper session timeout of a ZooKeeper-mode broker; removed in Kafka 4.0 with ZooKeeper, 18000 was its last default (3.x)."},
		{Name: "zookeeper.connect", Type: String, DefaultNull: true, Removed: zooKeeperRemoved,
			Doc: "The ZooKeeper connection string of a ZooKeeper-mode broker; removed in Kafka 4.0 with ZooKeeper, it had no default."},
		{Name: "socket.request.max.bytes", Type: Int, Default: "104857600", Min: atLeast(1), Simulated: true,
			Doc: "The largest request the broker reads from a socket (100 MiB)."},
		{Name: "listeners", Type: String, Default: "PLAINTEXT://:9092", Dynamic: true, PerBrokerOnly: true, Simulated: true,
			Doc: "The listeners the broker accepts connections on, as NAME://host:port entries."},
		{Name: "advertised.listeners", Type: String, DefaultNull: true, Dynamic: true, PerBrokerOnly: true, Simulated: true,
			Doc: "The addresses the broker gives to clients in metadata; listeners is used when not set."},
		{Name: "listener.security.protocol.map", Type: String, Default: "SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT", Dynamic: true, PerBrokerOnly: true, Simulated: true,
			Doc: "The security protocol of each listener name, as NAME:PROTOCOL entries."},
		{Name: "inter.broker.listener.name", Type: String, DefaultNull: true, Simulated: true,
			Doc: "The listener brokers use to talk to each other; security.inter.broker.protocol decides it when not set."},
		{Name: "security.inter.broker.protocol", Type: String, Default: "PLAINTEXT", OneOf: []string{"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"}, CaseInsensitive: true,
			Doc: "The security protocol brokers use to talk to each other when inter.broker.listener.name is not set."},
		{Name: "num.network.threads", Type: Int, Default: "3", Min: atLeast(1), Dynamic: true,
			Doc: "Threads that read requests from and write responses to sockets."},
		{Name: "num.io.threads", Type: Int, Default: "8", Min: atLeast(1), Dynamic: true,
			Doc: "Threads that process requests."},
		{Name: "background.threads", Type: Int, Default: "10", Min: atLeast(1), Dynamic: true,
			Doc: "Threads for background work such as log deletion."},
		{Name: "broker.rack", Type: String, DefaultNull: true,
			Doc: "The rack of the broker, used to spread replicas across racks."},
		{Name: "fetch.max.bytes", Type: Int, Default: "57671680", Min: atLeast(1024),
			Doc: "The most data the broker returns in one fetch response (55 MiB)."},
	}
}

// brokerSecurityDefinitions are the broker keys of authentication and authorization.
func brokerSecurityDefinitions() []Definition {
	return []Definition{
		{Name: "allow.everyone.if.no.acl.found", Type: Boolean, Default: "false", Simulated: true,
			Doc: "With an authorizer on, whether a resource that has no ACL is open to everyone."},
		{Name: "super.users", Type: String, Default: "", Simulated: true,
			Doc: "Principals that bypass ACLs, separated by semicolons, such as User:admin;User:ops."},
		{Name: "authorizer.class.name", Type: String, Default: "", Simulated: true,
			Doc: "The authorizer class; org.apache.kafka.metadata.authorizer.StandardAuthorizer turns ACLs on, empty turns them off."},
		{Name: "sasl.enabled.mechanisms", Type: List, Default: "GSSAPI", Dynamic: true, PerBrokerOnly: true, Simulated: true,
			Doc: "The SASL mechanisms the broker accepts, such as PLAIN or SCRAM-SHA-256."},
		{Name: "sasl.mechanism.inter.broker.protocol", Type: String, Default: "GSSAPI", Dynamic: true, PerBrokerOnly: true, Simulated: true,
			Doc: "The SASL mechanism brokers use to authenticate to each other."},
	}
}
