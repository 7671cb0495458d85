package config

// topicDefinitions is the topic table, with Kafka 4.x's LogConfig defaults;
// BrokerSynonym follows ServerTopicConfigSynonyms (the first, highest-priority
// broker key of each topic key).
func topicDefinitions() []Definition {
	return []Definition{
		{Name: "cleanup.policy", Type: List, Default: "delete", OneOf: []string{"compact", "delete"}, BrokerSynonym: "log.cleanup.policy", Simulated: true,
			Doc: "What happens to old segments: delete them, compact them by key, or both; an empty list (Kafka 4.2) keeps everything."},
		{Name: "compression.type", Type: String, Default: "producer", OneOf: []string{"uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"}, BrokerSynonym: "compression.type", Simulated: true,
			Doc: "The compression the topic's batches are stored with; producer keeps what the producer used."},
		{Name: "delete.retention.ms", Type: Long, Default: "86400000", Min: atLeast(0), BrokerSynonym: "log.cleaner.delete.retention.ms", Simulated: true,
			Doc: "How long delete markers (tombstones) are kept in a compacted topic."},
		{Name: "max.message.bytes", Type: Int, Default: "1048588", Min: atLeast(0), BrokerSynonym: "message.max.bytes", Simulated: true,
			Doc: "The largest record batch the topic accepts, after compression."},
		{Name: "message.timestamp.type", Type: String, Default: "CreateTime", OneOf: []string{"CreateTime", "LogAppendTime"}, BrokerSynonym: "log.message.timestamp.type", Simulated: true,
			Doc: "Whether a record keeps the producer's timestamp (CreateTime) or gets the broker's (LogAppendTime)."},
		{Name: "message.timestamp.before.max.ms", Type: Long, Default: longMaximum, Min: atLeast(0), BrokerSynonym: "log.message.timestamp.before.max.ms", Simulated: true,
			Doc: "How far in the past a CreateTime timestamp may be before the batch is refused."},
		{Name: "message.timestamp.after.max.ms", Type: Long, Default: "3600000", Min: atLeast(0), BrokerSynonym: "log.message.timestamp.after.max.ms", Simulated: true,
			Doc: "How far in the future a CreateTime timestamp may be before the batch is refused (1 hour since Kafka 4.0)."},
		{Name: "min.insync.replicas", Type: Int, Default: "1", Min: atLeast(1), BrokerSynonym: "min.insync.replicas", Simulated: true,
			Doc: "The fewest in-sync replicas that must hold a write for an acks=all produce to succeed."},
		{Name: "retention.bytes", Type: Long, Default: "-1", BrokerSynonym: "log.retention.bytes", Simulated: true,
			Doc: "The largest size a partition's log may reach before old segments are deleted; -1 means unlimited."},
		{Name: "retention.ms", Type: Long, Default: "604800000", Min: atLeast(-1), BrokerSynonym: "log.retention.ms", Simulated: true,
			Doc: "How long records are kept before their segment may be deleted (7 days); -1 means forever."},
		{Name: "segment.bytes", Type: Int, Default: "1073741824", Min: atLeast(1048576), BrokerSynonym: "log.segment.bytes", Simulated: true,
			Doc: "The largest size of one log segment before a new one is rolled (at least 1 MiB since Kafka 4.0)."},
		{Name: "segment.ms", Type: Long, Default: "604800000", Min: atLeast(1), BrokerSynonym: "log.roll.ms", Simulated: true,
			Doc: "The longest time before a new segment is rolled, so that retention can delete the old one (7 days)."},
		{Name: "segment.jitter.ms", Type: Long, Default: "0", Min: atLeast(0), BrokerSynonym: "log.roll.jitter.ms", Simulated: true,
			Doc: "The largest random time subtracted from segment.ms, so that partitions do not all roll at once."},
		{Name: "unclean.leader.election.enable", Type: Boolean, Default: "false", BrokerSynonym: "unclean.leader.election.enable", Simulated: true,
			Doc: "Whether a replica outside the ISR may become leader as a last resort, losing acknowledged data."},
		{Name: "min.compaction.lag.ms", Type: Long, Default: "0", Min: atLeast(0), BrokerSynonym: "log.cleaner.min.compaction.lag.ms", Simulated: true,
			Doc: "The least time a record stays uncompacted."},
		{Name: "max.compaction.lag.ms", Type: Long, Default: longMaximum, Min: atLeast(1), BrokerSynonym: "log.cleaner.max.compaction.lag.ms", Simulated: true,
			Doc: "The longest time a record may stay uncompacted."},
		{Name: "min.cleanable.dirty.ratio", Type: Double, Default: "0.5", Min: atLeast(0), Max: atMost(1), BrokerSynonym: "log.cleaner.min.cleanable.ratio", Simulated: true,
			Doc: "The share of the log that must be uncompacted before the cleaner compacts it (kept as text, never as a float)."},
	}
}
