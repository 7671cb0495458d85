package gateway

// The four codecs of Kafka's record batches, as its clients write them:
//
//	gzip    RFC 1952 (klauspost/compress/gzip)
//	snappy  xerial-framed blocks as the Java producer writes them, or one
//	        plain snappy block as librdkafka, sarama and franz-go may;
//	        both are read, as Kafka's SnappyInputStream reads both, and
//	        xerial framing is written (klauspost/compress/snappy/xerial)
//	lz4     the LZ4 frame format with independent 64 KiB blocks, as
//	        Kafka's Lz4BlockOutputStream writes it (pierrec/lz4/v4)
//	zstd    Zstandard frames (klauspost/compress/zstd)
//
// Decompression never produces more than the request's budget allows:
// streams are read through a limit, and snappy's block headers, which
// state their decoded length, are checked before a block is decoded.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/kafka-playground/playground/core/record"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/snappy/xerial"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// errTooInflated is a batch whose records would decompress past the
// request's budget.
var errTooInflated = fmt.Errorf("%w: the records decompress past the gateway's limit of decompressed bytes per request", errCorruptBatch)

// inflate returns the records section of a batch decompressed with codec,
// taking what it produces from budget.
func inflate(codec record.Compression, src []byte, budget *inflateBudget) ([]byte, error) {
	if codec == record.CompressionNone {
		return src, nil
	}
	var out []byte
	var err error
	switch codec {
	case record.CompressionGzip:
		out, err = inflateGzip(src, budget.remaining)
	case record.CompressionSnappy:
		out, err = inflateSnappy(src, budget.remaining)
	case record.CompressionLZ4:
		out, err = readLimited(lz4.NewReader(bytes.NewReader(src)), budget.remaining)
	case record.CompressionZstd:
		out, err = inflateZstd(src, budget.remaining)
	default:
		return nil, fmt.Errorf("%w: unknown compression codec %d in the batch attributes", errCorruptBatch, codec)
	}
	if errors.Is(err, errTooInflated) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s records cannot be decompressed: %v", errCorruptBatch, codec, err)
	}
	budget.remaining -= len(out)
	return out, nil
}

func inflateGzip(src []byte, limit int) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(src))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return readLimited(r, limit)
}

func inflateZstd(src []byte, limit int) ([]byte, error) {
	window := uint64(limit)
	if window < zstd.MinWindowSize {
		window = zstd.MinWindowSize
	}
	d, err := zstd.NewReader(bytes.NewReader(src), zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true),
		zstd.WithDecoderMaxWindow(window))
	if err != nil {
		return nil, err
	}
	defer d.Close()
	out, err := readLimited(d, limit)
	if errors.Is(err, zstd.ErrDecoderSizeExceeded) || errors.Is(err, zstd.ErrWindowSizeExceeded) {
		// The frame declares more than the limit.
		return nil, errTooInflated
	}
	return out, err
}

// readLimited reads r to its end, or fails with errTooInflated once it
// gives more than limit bytes.
func readLimited(r io.Reader, limit int) ([]byte, error) {
	out, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, err
	}
	if len(out) > limit {
		return nil, errTooInflated
	}
	return out, nil
}

// xerialMagic opens a xerial-framed snappy stream; a version pair (two
// big-endian int32) follows it, then blocks, each a big-endian int32
// length and a plain snappy block.
var xerialMagic = []byte{0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0}

const xerialHeaderBytes = 16

// inflateSnappy decodes plain or xerial-framed snappy after checking that
// the decoded lengths the blocks declare fit within limit.
func inflateSnappy(src []byte, limit int) ([]byte, error) {
	total, err := snappyDecodedLength(src)
	if err != nil {
		return nil, err
	}
	if total > limit {
		return nil, errTooInflated
	}
	return xerial.Decode(src)
}

// snappyDecodedLength adds up the decoded lengths the blocks declare.
func snappyDecodedLength(src []byte) (int, error) {
	if len(src) < len(xerialMagic) || !bytes.Equal(src[:len(xerialMagic)], xerialMagic) {
		return s2.DecodedLen(src)
	}
	if len(src) < xerialHeaderBytes {
		return 0, errors.New("xerial header cut short")
	}
	total := 0
	for rest := src[xerialHeaderBytes:]; len(rest) > 0; {
		if len(rest) < 4 {
			return 0, errors.New("xerial block length cut short")
		}
		size := binary.BigEndian.Uint32(rest)
		rest = rest[4:]
		if uint64(size) > uint64(len(rest)) {
			return 0, fmt.Errorf("xerial block of %d bytes in %d", size, len(rest))
		}
		n, err := s2.DecodedLen(rest[:size])
		if err != nil {
			return 0, err
		}
		total += n
		if total < 0 {
			return 0, errors.New("xerial blocks overflow")
		}
		rest = rest[size:]
	}
	return total, nil
}

// zstdEncoder compresses fetched zstd batches; EncodeAll may be called
// from several goroutines at once.
var zstdEncoder = func() *zstd.Encoder {
	e, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	if err != nil {
		panic(err) // only invalid options fail
	}
	return e
}()

// deflate compresses a batch's records section with codec.
func deflate(codec record.Compression, src []byte) ([]byte, error) {
	var buf bytes.Buffer
	switch codec {
	case record.CompressionGzip:
		w := gzip.NewWriter(&buf)
		if _, err := w.Write(src); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
	case record.CompressionSnappy:
		return xerial.Encode(nil, src), nil
	case record.CompressionLZ4:
		w := lz4.NewWriter(&buf)
		if err := w.Apply(lz4.BlockSizeOption(lz4.Block64Kb), lz4.ChecksumOption(false)); err != nil {
			return nil, err
		}
		if _, err := w.Write(src); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
	case record.CompressionZstd:
		return zstdEncoder.EncodeAll(src, nil), nil
	default:
		return nil, fmt.Errorf("unknown compression codec %d", codec)
	}
	return buf.Bytes(), nil
}
