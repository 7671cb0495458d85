package store

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// BenchmarkJournalCommit measures committed inputs per second: 64 rooms
// appending one input at a time each, whose appends the committer gathers
// into shared transactions (group commit), and, for comparison, one room
// alone, where every input is its own transaction and fsync.
func BenchmarkJournalCommit(b *testing.B) {
	for _, rooms := range []int{1, 64} {
		b.Run(fmt.Sprintf("rooms=%d", rooms), func(b *testing.B) {
			s, err := Open(filepath.Join(b.TempDir(), "bench.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			ids := make([]int64, rooms)
			for i := range ids {
				ids[i], err = s.CreateRoom(b.Context(), Room{Token: fmt.Sprint("room", i), Header: []byte(`{}`)}, nil)
				if err != nil {
					b.Fatal(err)
				}
			}
			step := json.RawMessage(`{"op":"produce","producer":"p","topic":"orders","value":"v{i}","count":10}`)
			b.ResetTimer()
			var wg sync.WaitGroup
			for _, id := range ids {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for seq := int64(1); seq <= int64(b.N/rooms+1); seq++ {
						if err := s.Append(id, []Input{{Seq: seq, Actor: "bench", Step: step}}); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			inputs := float64(rooms * (b.N/rooms + 1))
			b.ReportMetric(inputs/b.Elapsed().Seconds(), "inputs/s")
		})
	}
}

// BenchmarkJournalCommitMegabytes measures commits of what a gateway
// room journals for a producing client: each append five inputs of
// 1 MiB (Produce requests in the binary form), one room; they are kept
// in the room's payload file.
func BenchmarkJournalCommitMegabytes(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	id, err := s.CreateRoom(b.Context(), Room{Token: "room", Header: []byte(`{}`)}, nil)
	if err != nil {
		b.Fatal(err)
	}
	// Random bytes, which the payload file cannot compress: what is
	// measured is the disk's path.
	input := binaryInput(1, 1<<20)
	const perAppend = 5
	b.SetBytes(perAppend * int64(len(input)))
	b.ResetTimer()
	seq := int64(1)
	for i := 0; i < b.N; i++ {
		inputs := make([]Input, perAppend)
		for j := range inputs {
			inputs[j] = Input{Seq: seq, Gateway: input}
			seq++
		}
		if err := s.Append(id, inputs); err != nil {
			b.Fatal(err)
		}
	}
}
