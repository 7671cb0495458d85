package clienttest

// IBM's sarama against the gateway: a SyncProducer and partition
// consumers.

import (
	"fmt"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

// saramaTimeout bounds the wait for the records to be consumed.
const saramaTimeout = 30 * time.Second

// saramaConfig is sarama's configuration for the gateway: its default
// protocol version (sarama.DefaultVersion, Kafka 2.8: Produce v9, Fetch
// v12), an idempotent producer with acks=all, as Kafka's producers are by
// default since 3.0, and no compression.
func saramaConfig() *sarama.Config {
	config := sarama.NewConfig()
	config.ClientID = "clienttest-sarama"
	config.Producer.RequiredAcks = sarama.WaitForAll
	config.Producer.Idempotent = true
	config.Producer.Return.Successes = true
	config.Producer.Compression = sarama.CompressionNone
	config.Net.MaxOpenRequests = 1
	config.Consumer.Offsets.Initial = sarama.OffsetOldest
	return config
}

// saramaPosition is where a record is: its partition and offset.
type saramaPosition struct {
	partition int32
	offset    int64
}

// TestSaramaProduceConsume: a sarama SyncProducer sends keyed records with
// headers, and sarama partition consumers read each one back from the
// partition and offset the producer was given, with its key, value and
// headers.
func TestSaramaProduceConsume(t *testing.T) {
	s := startServer(t, 3)
	const partitions, count = 3, 30
	createTopic(t, s.brokers, "sarama-records", partitions, 3)
	sentAt := saramaProduce(t, s.brokers, "sarama-records", count)
	consumer, err := sarama.NewConsumer(s.brokers, saramaConfig())
	if err != nil {
		t.Fatalf("sarama.NewConsumer: %v", err)
	}
	defer consumer.Close()
	messages := make(chan *sarama.ConsumerMessage)
	errs := make(chan error, partitions)
	done := make(chan struct{})
	defer close(done)
	for p := int32(0); p < partitions; p++ {
		partitionConsumer, err := consumer.ConsumePartition("sarama-records", p, sarama.OffsetOldest)
		if err != nil {
			t.Fatalf("ConsumePartition %d: %v", p, err)
		}
		defer partitionConsumer.AsyncClose()
		go forward(partitionConsumer, messages, errs, done)
	}
	deadline := time.After(saramaTimeout)
	for read := 0; read < count; read++ {
		select {
		case m := <-messages:
			got := string(m.Key) + "=" + string(m.Value)
			if len(m.Headers) == 1 && string(m.Headers[0].Key) == "n" {
				got += " n=" + string(m.Headers[0].Value)
			}
			at := saramaPosition{m.Partition, m.Offset}
			if sentAt[at] != got {
				t.Errorf("partition %d offset %d holds %q; the producer was told %q", m.Partition, m.Offset, got, sentAt[at])
			}
			delete(sentAt, at)
		case err := <-errs:
			t.Fatalf("partition consumer: %v", err)
		case <-deadline:
			t.Fatalf("read %d of %d records in %v; not read: %v", read, count, saramaTimeout, sentAt)
		}
	}
}

// saramaProduce sends count keyed records with a header through a
// SyncProducer and returns what was acknowledged where.
func saramaProduce(t *testing.T, brokers []string, topic string, count int) map[saramaPosition]string {
	t.Helper()
	producer, err := sarama.NewSyncProducer(brokers, saramaConfig())
	if err != nil {
		t.Fatalf("sarama.NewSyncProducer: %v", err)
	}
	sentAt := map[saramaPosition]string{}
	for i := 0; i < count; i++ {
		message := &sarama.ProducerMessage{Topic: topic, Key: sarama.StringEncoder(fmt.Sprintf("user-%d", i%6)),
			Value:   sarama.StringEncoder(fmt.Sprintf("order-%d", i)),
			Headers: []sarama.RecordHeader{{Key: []byte("n"), Value: []byte(fmt.Sprint(i))}}}
		partition, offset, err := producer.SendMessage(message)
		if err != nil {
			producer.Close()
			t.Fatalf("SendMessage order-%d: %v", i, err)
		}
		sentAt[saramaPosition{partition, offset}] = fmt.Sprintf("user-%d=order-%d n=%d", i%6, i, i)
	}
	if err := producer.Close(); err != nil {
		t.Errorf("closing the producer: %v", err)
	}
	if len(sentAt) != count {
		t.Fatalf("%d records acknowledged at %d distinct positions", count, len(sentAt))
	}
	return sentAt
}

// forward sends a partition consumer's messages and first error on,
// until done is closed.
func forward(partitionConsumer sarama.PartitionConsumer, messages chan<- *sarama.ConsumerMessage, errs chan<- error, done <-chan struct{}) {
	for {
		select {
		case <-done:
			return
		case m, ok := <-partitionConsumer.Messages():
			if !ok {
				return
			}
			select {
			case messages <- m:
			case <-done:
				return
			}
		case err, ok := <-partitionConsumer.Errors():
			if !ok {
				return
			}
			errs <- err
			return
		}
	}
}
