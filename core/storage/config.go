package storage

// Config is the part of a topic's configuration that shapes one replica's
// log. The fields carry Kafka's topic config names in their comments.
type Config struct {
	// SegmentBytes is segment.bytes: the active segment is rolled when the
	// next append would take it past this size.
	SegmentBytes int64
	// SegmentMs is segment.ms: the active segment is rolled when the
	// incoming batch's timestamp is this much later than the segment's first.
	SegmentMs int64
	// SegmentJitterMs is segment.jitter.ms. Kafka subtracts a random jitter
	// below it from SegmentMs; the simulation keeps rolls deterministic and
	// does not apply it (Kafka's default is 0).
	SegmentJitterMs int64
	// RetentionMs is retention.ms; -1 keeps segments forever.
	RetentionMs int64
	// RetentionBytes is retention.bytes; -1 means no size limit.
	RetentionBytes int64
}

// DefaultConfig returns Kafka's default values: segment.bytes 1 GiB,
// segment.ms and retention.ms 7 days, no jitter, unlimited retention.bytes.
func DefaultConfig() Config {
	return Config{
		SegmentBytes:    1 << 30,
		SegmentMs:       7 * 24 * 60 * 60 * 1000,
		SegmentJitterMs: 0,
		RetentionMs:     7 * 24 * 60 * 60 * 1000,
		RetentionBytes:  -1,
	}
}
