package record

// Compression is the codec a batch's records are compressed with, as the
// low three bits of a v2 batch's attributes give it (Kafka's
// CompressionType ids).
//
// The simulation keeps records uncompressed: a batch's Compression says
// how it would be stored and sent on the wire (the gateway compresses a
// fetched batch with it), while its SizeBytes stays the uncompressed
// size, so max.message.bytes, segment.bytes and retention.bytes count
// what the records take before compression.
type Compression int8

// Compression codecs.
const (
	// CompressionNone is an uncompressed batch.
	CompressionNone Compression = 0
	// CompressionGzip is gzip (RFC 1952).
	CompressionGzip Compression = 1
	// CompressionSnappy is snappy, xerial-framed as the Java producer writes it.
	CompressionSnappy Compression = 2
	// CompressionLZ4 is the LZ4 frame format.
	CompressionLZ4 Compression = 3
	// CompressionZstd is Zstandard (KIP-110).
	CompressionZstd Compression = 4
)

// String returns Kafka's name of the codec (CompressionType.name): none,
// gzip, snappy, lz4 or zstd; "unknown" for any other value.
func (c Compression) String() string {
	switch c {
	case CompressionNone:
		return "none"
	case CompressionGzip:
		return "gzip"
	case CompressionSnappy:
		return "snappy"
	case CompressionLZ4:
		return "lz4"
	case CompressionZstd:
		return "zstd"
	}
	return "unknown"
}

// Valid reports whether c is one of Kafka's five codecs.
func (c Compression) Valid() bool { return c >= CompressionNone && c <= CompressionZstd }

// TopicCompression reads a topic's compression.type: the codec the broker
// stores batches with, and false for "producer", which keeps the codec
// each producer used. "uncompressed" is CompressionNone.
func TopicCompression(compressionType string) (Compression, bool) {
	switch compressionType {
	case "uncompressed":
		return CompressionNone, true
	case "gzip":
		return CompressionGzip, true
	case "snappy":
		return CompressionSnappy, true
	case "lz4":
		return CompressionLZ4, true
	case "zstd":
		return CompressionZstd, true
	}
	return CompressionNone, false
}
