package core

import (
	"testing"

	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/record"
)

func TestPartitionRecords(t *testing.T) {
	c, err := New(Spec{Seed: 4, Brokers: 3, LatencyMs: 1})
	if err != nil {
		t.Fatal(err)
	}
	c.Boot()
	if f := c.CreateTopic("orders", 1, 3, nil); !c.Wait(f, 60000) || f.Error != protocol.None {
		t.Fatalf("create: %v", f.Error)
	}
	if err := c.AddProducer("p", nil); err != nil {
		t.Fatal(err)
	}
	for i, key := range []string{"a", "b", "c"} {
		if _, err := c.Produce("p", "orders", 0, record.Record{Key: key, Value: "v" + key, Headers: []record.Header{{Key: "n", Value: string(rune('0' + i))}}}); err != nil {
			t.Fatal(err)
		}
	}
	c.Producer("p").Flush()
	c.Advance(2000)
	got, err := c.PartitionRecords("orders", 0, -1, 1, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Offset != 1 || *got[0].Key != "b" || *got[1].Value != "vc" || got[0].Sequence != 1 || got[0].ProducerID < 0 {
		t.Fatalf("records from offset 1: %+v", got)
	}
	if _, err := c.PartitionRecords("orders", 7, -1, 0, 10); err == nil {
		t.Fatal("a partition that does not exist was read")
	}
}
