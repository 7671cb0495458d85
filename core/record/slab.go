package record

// Slab is where a producer's record Builders take their storage from
// (Builder.GrowFrom): blocks of entries shared by many batches rather
// than one allocation per batch, up to slabBlockEntries a block.
//
// It exists for WebAssembly. There the Go heap grows 512 KB at a time,
// each growth a memory.grow that costs V8 about half a millisecond
// whatever its size, and the records the log keeps are nearly all of the
// heap: growing it a batch (5 KB) at a time made memory.grow about a tenth
// of a produce run. Blocks of 16384 entries (640 KB) grow it in fewer,
// larger steps and take one allocation per ~120 batches; for 1M records
// the memory.grow calls fell from 155 to ~115 and throughput rose ~10%,
// for 93 MB of linear memory instead of 88. Blocks of 2.5 MB and more
// did worse: a new block seldom fitted in the space freed between
// collections, and linear memory reached 156 MB. Natively, where growing
// the heap is cheap and the collector scans many small objects faster
// than few large ones, slabBlockEntries is 0 and every batch gets an
// allocation of its own, as without a Slab (shared blocks measured ~8%
// slower there).
//
// A block stays alive as long as any batch that uses it: memory (never
// records) that a retention or truncation frees comes back only when the
// block's other batches go too. Blocks start small and double, so a
// producer that sends a few records takes a few kilobytes.
//
// A Slab is no state of the simulation, only of its memory: a snapshot
// leaves it out, and a restored producer starts a new block.
//
// It also keeps the buffers in which Builders gather keys and values:
// a Builder taken from a Slab hands its buffer back once its records are
// sealed into one string (Records), and the next batch fills it again.
type Slab struct {
	free []entry `snapshot:"-"`
	// blockEntries is the size of the last block taken.
	blockEntries int `snapshot:"-"`
	// buffers are data buffers handed back, at most maxSlabBuffers.
	buffers [][]byte `snapshot:"-"`
}

// maxSlabBuffers bounds the data buffers a Slab keeps.
const maxSlabBuffers = 64

// slabFirstBlockEntries is the size of a Slab's first block.
const slabFirstBlockEntries = 256

// take returns room for n entries (length 0, capacity n) from the current
// block, starting a new one, twice as large as the last and at most
// maxBlockEntries, when the rest of it is too small.
func (s *Slab) take(n, maxBlockEntries int) []entry {
	if len(s.free) < n {
		s.blockEntries = min(max(2*s.blockEntries, slabFirstBlockEntries), maxBlockEntries)
		s.free = make([]entry, max(s.blockEntries, n))
	}
	room := s.free[:0:n]
	s.free = s.free[n:]
	return room
}

// GrowFrom is Grow and GrowData for a Builder that holds no records yet,
// with the room taken from slab: entries where blocks are in use
// (slabBlockEntries > 0), and a data buffer it handed back before. The
// Builder hands its buffer back to slab when Records seals it.
func (b *Builder) GrowFrom(slab *Slab, records, bytes int) {
	if len(b.entries) > 0 || records <= 0 {
		b.Grow(records)
		b.GrowData(bytes)
		return
	}
	b.slab = slab
	if n := len(slab.buffers); n > 0 && b.data == nil {
		b.data, slab.buffers[n-1] = slab.buffers[n-1], nil
		slab.buffers = slab.buffers[:n-1]
	}
	b.GrowData(bytes)
	if slabBlockEntries == 0 {
		b.Grow(records)
		return
	}
	b.entries = slab.take(records, slabBlockEntries)
}

// giveBack keeps a Builder's data buffer for the next one.
func (s *Slab) giveBack(buffer []byte) {
	if len(s.buffers) < maxSlabBuffers {
		s.buffers = append(s.buffers, buffer[:0])
	}
}
