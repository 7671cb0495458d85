package broker

import (
	"strconv"

	"github.com/kafka-playground/playground/core/config"
	"github.com/kafka-playground/playground/core/record"
	"github.com/kafka-playground/playground/core/storage"
)

// topicSettings are a topic's effective configuration at this broker,
// parsed once per metadata change rather than on every request.
type topicSettings struct {
	values            config.Values
	minInsyncReplicas int
	maxMessageBytes   int32
	log               storage.Config
	// compression is the codec batches are stored with when recompress
	// is set (compression.type other than "producer").
	compression record.Compression
	recompress  bool
}

// refreshConfig recomputes the broker's effective configuration (static
// config under the dynamic cluster and per-broker configs of the
// metadata) and every topic's, and hands logs their new settings.
func (b *Broker) refreshConfig() {
	image := b.disk.Image
	values := b.settings.Static
	if dynamic, ok := image.BrokerConfig[""]; ok {
		if v, err := values.With(dynamic); err == nil {
			values = v
		}
	}
	if dynamic, ok := image.BrokerConfig[strconv.Itoa(int(b.settings.ID))]; ok {
		if v, err := values.With(dynamic); err == nil {
			values = v
		}
	}
	b.config = values
	b.configInts = map[string]int64{}
	b.refreshSecurity()
	b.topics = map[string]*topicSettings{}
	for _, name := range image.TopicNames() {
		topicValues, err := config.ResolveTopic(values, image.Topics[name].Config)
		if err != nil {
			topicValues, _ = config.ResolveTopic(values, nil)
		}
		compression, recompress := record.TopicCompression(topicValues.String("compression.type"))
		b.topics[name] = &topicSettings{
			values:            topicValues,
			compression:       compression,
			recompress:        recompress,
			minInsyncReplicas: int(topicValues.Int("min.insync.replicas")),
			maxMessageBytes:   int32(topicValues.Int("max.message.bytes")),
			log: storage.Config{
				SegmentBytes:   topicValues.Int("segment.bytes"),
				SegmentMs:      topicValues.Int("segment.ms"),
				RetentionMs:    topicValues.Int("retention.ms"),
				RetentionBytes: topicValues.Int("retention.bytes"),
			},
		}
	}
	for tp, p := range b.partitions {
		if t := b.topics[tp.Topic]; t != nil {
			p.log.SetConfig(t.log)
		}
	}
}

// brokerInt returns an Int config of the broker. Each is parsed once per
// configuration change: replica fetches ask for the same few every time,
// and config.Values.Int looks a key up in several maps and parses it.
func (b *Broker) brokerInt(name string) int64 {
	if value, ok := b.configInts[name]; ok {
		return value
	}
	value := b.config.Int(name)
	if b.configInts == nil {
		b.configInts = map[string]int64{}
	}
	b.configInts[name] = value
	return value
}

// storedBatch is the batch as the topic stores it: with the topic's codec
// when its compression.type names one (Kafka's LogValidator recompresses
// then), else with the producer's. b is not modified.
func (t *topicSettings) storedBatch(b *record.Batch) *record.Batch {
	if !t.recompress || b.Compression == t.compression {
		return b
	}
	recompressed := *b
	recompressed.Compression = t.compression
	return &recompressed
}
