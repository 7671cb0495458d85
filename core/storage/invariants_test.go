package storage

import (
	"testing"

	"github.com/kafka-playground/playground/core/record"
)

func TestCheckInvariantsDetectsCorruption(t *testing.T) {
	tests := []struct {
		name    string
		corrupt func(l *Log)
	}{
		{"high watermark above log end", func(l *Log) { l.highWatermark = l.logEndOffset + 1 }},
		{"log start above high watermark", func(l *Log) { l.logStartOffset = l.highWatermark + 1 }},
		{"negative log start", func(l *Log) { l.logStartOffset = -1 }},
		{"log start below first segment", func(l *Log) { l.segments[0].baseOffset = 1 }},
		{"segment base differs from its batch", func(l *Log) { l.segments[1].baseOffset++ }},
		{"log end offset wrong", func(l *Log) { l.logEndOffset++; l.highWatermark = 0 }},
		{"segment size wrong", func(l *Log) { l.segments[0].sizeBytes++ }},
		{"log size wrong", func(l *Log) { l.sizeBytes++ }},
		{"gap between batches", func(l *Log) {
			moved := *l.segments[0].batches[1]
			moved.BaseOffset++
			l.segments[0].batches[1] = &moved
		}},
		{"batch size wrong", func(l *Log) {
			resized := *l.segments[0].batches[1]
			resized.SizeBytes++
			l.segments[0].batches[1] = &resized
			l.segments[0].sizeBytes++
			l.sizeBytes++
		}},
		{"empty batch", func(l *Log) {
			empty := *l.segments[0].batches[1]
			empty.Records = record.Records{}
			l.segments[0].batches[1] = &empty
		}},
		{"empty segment before the active one", func(l *Log) {
			l.segments = append([]*segment{newSegment(0, 0)}, l.segments...)
			l.segments[1].baseOffset = 0
		}},
		{"no segment", func(l *Log) { l.segments = nil }},
		{"epochs not increasing", func(l *Log) { l.epochs.entries = []EpochEntry{{2, 0}, {1, 1}} }},
		{"epoch offsets not increasing", func(l *Log) { l.epochs.entries = []EpochEntry{{1, 1}, {2, 1}} }},
		{"epoch beyond log end", func(l *Log) { l.epochs.entries = []EpochEntry{{1, 99}} }},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			config := unlimitedConfig()
			config.SegmentBytes = 3 * oneRecordBytes
			l := leaderLog(t, config, 1, 1, 1, 1)
			test.corrupt(l)
			if err := l.CheckInvariants(); err == nil {
				t.Errorf("corruption not detected")
			}
		})
	}
}

func BenchmarkAppendAsLeader(b *testing.B) {
	records := make([]record.Record, 10)
	for i := range records {
		records[i] = record.Record{KeyNull: true, Value: "0123456789012345678901234567890123456789", TimestampMs: 1}
	}
	batch := record.NewBatch(records)
	config := DefaultConfig()
	config.SegmentBytes = 1 << 20
	l := NewLog(config, 0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		l.AppendAsLeader(batch, 1, int64(i))
	}
	b.StopTimer()
	if err := l.CheckInvariants(); err != nil {
		b.Fatal(err)
	}
}
