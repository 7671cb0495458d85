package store

// The payload files. A real client's Produce request is journaled with
// its records, megabytes a second for a busy producer; SQLite would
// write those bytes twice (to its WAL, then, at the checkpoint, into the
// database), a page at a time. So a gateway input of payloadMinBytes or
// more is kept out of SQLite: its bytes are appended to its room's
// payload file, and its row holds only where they are (offset, length)
// and their CRC-32C. Each byte is written once and fsync'd once.
//
// A room's payload file is <database>-payloads/room-<id>: the payloads
// of the room's rows, in seq order, back to back, nothing else. Its
// committed end is the end of the last payload a committed row
// references (0 for none); bytes past it belong to no row.
//
// The commit of a batch (commitBatch): in one SQLite transaction, find
// each room's committed end (the committer's first use of the file in
// this process; later it knows it), write the batch's payloads there,
// fsync the files, and only then insert the rows and commit (fsync of
// the WAL). The rules that follow:
//
//  1. A row never references bytes that are not durable: the rows are
//     committed after the fsync of the bytes they reference.
//  2. A crash (or a failed commit) after the payloads were written but
//     before the rows were committed leaves bytes past the committed
//     end, which no row references. Open truncates every room's file to
//     its committed end (and deletes the file of a room that no longer
//     exists); after a failed commit the committer forgets what it knew
//     of the batch's files, so that their next use finds the committed
//     end in SQLite again and truncates the file to it. Either way the
//     next payload goes at the committed end.
//  3. A payload that is shorter on disk than its row says, or whose
//     CRC-32C differs, is an error naming the room and the seq, never
//     a panic; a row's length is checked against maxPayloadBytes before
//     anything is read.
//  4. Deleting a room deletes its payload file, after the rows.
//  5. Rows written before the payload files (schema 0006) hold their
//     input inline and are read as they always were.
//  6. A payload that compresses by an eighth or more is stored
//     compressed: payloadS2, then the s2 block of the input (the CRC
//     and length of the row are those of the stored bytes). Every
//     input begins with another byte (the binary form with 0x00, the
//     JSON form with '{'), so a payload stored as it is, as all were
//     before, reads as it always did. A busy producer's records are
//     most of the bytes a commit must make durable, and often compress
//     well; s2 gives up at once on those that do not.
//
// Limits: one payload is at most maxPayloadBytes, a room's file at most
// Options.MaxPayloadFileBytes; an append past either fails.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/klauspost/compress/s2"
)

const (
	// payloadMinBytes is the size from which a gateway input goes to its
	// room's payload file: smaller ones stay in their row, where SQLite
	// keeps them in the row's own page (up to about 4 KiB with the
	// store's 16 KiB pages) rather than in overflow pages of their own.
	payloadMinBytes = 4 << 10
	// maxPayloadBytes bounds one payload, above core/gateway's
	// MaxInputBytes (140 MiB), the largest input a gateway journals.
	maxPayloadBytes = 256 << 20
	// defaultMaxPayloadFileBytes is the default of
	// Options.MaxPayloadFileBytes.
	defaultMaxPayloadFileBytes = 64 << 30
)

// payloadS2 is the first byte of a payload stored compressed (rule 6).
const payloadS2 = 0x01

// compressPayload returns what the payload file stores of an input: the
// input compressed if that saves an eighth of it, else the input. The
// compressed form is appended to arena, which is returned too.
func compressPayload(arena, input []byte) (stored, grown []byte) {
	need := 1 + s2.MaxEncodedLen(len(input))
	if need <= 0 {
		return input, arena
	}
	if cap(arena)-len(arena) < need {
		// A new arena: the payloads in the old one stay where they are.
		arena = make([]byte, 0, max(2*cap(arena), need))
	}
	at := len(arena)
	block := s2.Encode(arena[at+1:at+need], input)
	if 1+len(block) > len(input)-len(input)/8 {
		return input, arena
	}
	arena = append(arena, payloadS2)
	arena = arena[:at+1+len(block)]
	return arena[at:], arena
}

// maxArenaBytes bounds the compression arena the committer keeps between
// commits.
const maxArenaBytes = 16 << 20

// decompressPayload returns the input a stored payload holds.
func decompressPayload(stored []byte) ([]byte, error) {
	if len(stored) == 0 || stored[0] != payloadS2 {
		return stored, nil
	}
	n, err := s2.DecodedLen(stored[1:])
	switch {
	case err != nil:
		return nil, fmt.Errorf("is compressed but does not decompress: %v", err)
	case n > maxPayloadBytes:
		return nil, fmt.Errorf("is compressed from %d bytes, more than the limit of %d", n, maxPayloadBytes)
	}
	input, err := s2.Decode(make([]byte, n), stored[1:])
	if err != nil {
		return nil, fmt.Errorf("is compressed but does not decompress: %v", err)
	}
	return input, nil
}

// castagnoli is the CRC-32C table of the payloads' checksums.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// payloadRef says where a row's input is in its room's payload file.
type payloadRef struct {
	offset   int64
	bytes    int64
	checksum uint32
}

// payloadFiles are a store's payload files: the folder, and the files
// the committer appends to, with their committed ends.
type payloadFiles struct {
	folder       string
	maxFileBytes int64
	// mu guards open; the committer holds it while it commits, DeleteRoom
	// and Close while they close a file.
	mu   sync.Mutex
	open map[int64]*payloadFile
	// arena holds the compressed payloads of the commit under way, and
	// its room is reused by the next one; the committer's, under mu.
	arena []byte
}

// payloadFile is a room's payload file open for appending, and its
// committed end.
type payloadFile struct {
	file *os.File
	end  int64
}

// testHookPayloadsDurable, when set (by tests), runs in a commit after
// its payloads are fsync'd and before its rows are committed; an error
// fails the commit there.
var testHookPayloadsDurable func() error

// payloadFolder is the folder of the payload files of the database at
// path.
func payloadFolder(path string) string { return path + "-payloads" }

// payloadPath is the payload file of a room.
func (p *payloadFiles) payloadPath(roomID int64) string {
	return filepath.Join(p.folder, "room-"+strconv.FormatInt(roomID, 10))
}

// openPayloadFiles makes the folder if it is missing (durably: its
// parent is fsync'd) and applies rule 2 to every file in it: a file is
// truncated to its room's committed end, and deleted when its room is
// gone.
func openPayloadFiles(ctx context.Context, db *sql.DB, folder string, maxFileBytes int64) (*payloadFiles, error) {
	p := &payloadFiles{folder: folder, maxFileBytes: maxFileBytes, open: map[int64]*payloadFile{}}
	if _, err := os.Stat(folder); errors.Is(err, fs.ErrNotExist) {
		if err := os.Mkdir(folder, 0o755); err != nil {
			return nil, err
		}
		if err := syncFolder(filepath.Dir(folder)); err != nil {
			return nil, err
		}
	}
	entries, err := os.ReadDir(folder)
	if err != nil {
		return nil, err
	}
	for _, entry := range entries {
		number, found := strings.CutPrefix(entry.Name(), "room-")
		roomID, err := strconv.ParseInt(number, 10, 64)
		if !found || err != nil || !entry.Type().IsRegular() {
			continue // not a payload file
		}
		var exists bool
		if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM rooms WHERE id = ?)`, roomID).Scan(&exists); err != nil {
			return nil, err
		}
		if !exists {
			if err := os.Remove(p.payloadPath(roomID)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
			continue
		}
		end, err := committedEnd(ctx, db, roomID)
		if err == nil {
			err = truncatePast(p.payloadPath(roomID), end)
		}
		if err != nil {
			return nil, fmt.Errorf("store: the payload file of room %d: %w", roomID, err)
		}
	}
	return p, nil
}

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryRowContext(ctx context.Context, query string, arguments ...any) *sql.Row
}

// committedEnd is the end of the last payload a committed row of the
// room references, 0 for none.
func committedEnd(ctx context.Context, q querier, roomID int64) (int64, error) {
	var end int64
	err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(payload_offset + payload_bytes), 0) FROM inputs
		WHERE room_id = ? AND payload_bytes IS NOT NULL`, roomID).Scan(&end)
	return end, err
}

// truncatePast truncates the file at path to end bytes if it is longer.
func truncatePast(path string, end int64) error {
	info, err := os.Stat(path)
	if err != nil || info.Size() <= end {
		return err
	}
	return os.Truncate(path, end)
}

// syncFolder fsyncs a folder, so that the files created or deleted in it
// are durable.
func syncFolder(path string) error {
	folder, err := os.Open(path)
	if err != nil {
		return err
	}
	defer folder.Close()
	return folder.Sync()
}

// fileFor returns the room's payload file open for appending, opening it
// (rule 2: truncated to its committed end, read inside tx) unless the
// committer has it open. The caller holds p.mu.
func (p *payloadFiles) fileFor(ctx context.Context, tx *sql.Tx, roomID int64) (*payloadFile, error) {
	if f := p.open[roomID]; f != nil {
		return f, nil
	}
	end, err := committedEnd(ctx, tx, roomID)
	if err != nil {
		return nil, err
	}
	file, err := os.OpenFile(p.payloadPath(roomID), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	info, err := file.Stat()
	if err == nil && info.Size() > end {
		err = file.Truncate(end)
	}
	if err == nil {
		err = syncFolder(p.folder) // the file may be new
	}
	if err != nil {
		file.Close()
		return nil, err
	}
	f := &payloadFile{file: file, end: end}
	p.open[roomID] = f
	return f, nil
}

// forget closes the room's file if the committer has it open, so that
// its next use reads its committed end again. The caller holds p.mu.
func (p *payloadFiles) forget(roomID int64) {
	if f := p.open[roomID]; f != nil {
		f.file.Close()
		delete(p.open, roomID)
	}
}

// remove deletes the room's payload file (rule 4).
func (p *payloadFiles) remove(roomID int64) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.forget(roomID)
	if err := os.Remove(p.payloadPath(roomID)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// close closes the files the committer had open.
func (p *payloadFiles) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for roomID := range p.open {
		p.forget(roomID)
	}
}

// payloadWrite is one room's payloads of a commit: where they begin in
// its file, their bytes, and where they end, the file's committed end
// once the commit is.
type payloadWrite struct {
	roomID     int64
	file       *payloadFile
	start, end int64
	payloads   [][]byte
}

// place gives each input of a batch that goes to its room's payload file
// its place there: refs[i][j] for batch[i].inputs[j], nil for an input
// stored in its row. The caller holds p.mu.
func (p *payloadFiles) place(ctx context.Context, tx *sql.Tx, batch []*appendRequest) ([][]*payloadRef, []*payloadWrite, error) {
	refs := make([][]*payloadRef, len(batch))
	writes := map[int64]*payloadWrite{}
	if cap(p.arena) > maxArenaBytes {
		p.arena = nil
	}
	p.arena = p.arena[:0]
	var order []*payloadWrite
	for i, request := range batch {
		for j, input := range request.inputs {
			if len(input.Gateway) < payloadMinBytes {
				continue
			}
			if len(input.Gateway) > maxPayloadBytes {
				return nil, nil, fmt.Errorf("store: input %d of room %d: %d bytes, more than the limit of %d", input.Seq, request.roomID, len(input.Gateway), maxPayloadBytes)
			}
			w := writes[request.roomID]
			if w == nil {
				file, err := p.fileFor(ctx, tx, request.roomID)
				if err != nil {
					return nil, nil, fmt.Errorf("store: the payload file of room %d: %w", request.roomID, err)
				}
				w = &payloadWrite{roomID: request.roomID, file: file, start: file.end, end: file.end}
				writes[request.roomID] = w
				order = append(order, w)
			}
			offset := w.end
			var stored []byte
			stored, p.arena = compressPayload(p.arena, input.Gateway)
			if offset+int64(len(stored)) > p.maxFileBytes {
				return nil, nil, fmt.Errorf("store: input %d of room %d: the room's payload file would pass its limit of %d bytes", input.Seq, request.roomID, p.maxFileBytes)
			}
			if refs[i] == nil {
				refs[i] = make([]*payloadRef, len(request.inputs))
			}
			refs[i][j] = &payloadRef{offset: offset, bytes: int64(len(stored)), checksum: crc32.Checksum(stored, castagnoli)}
			w.payloads = append(w.payloads, stored)
			w.end += int64(len(stored))
		}
	}
	return refs, order, nil
}

// write writes the payloads at their places and fsyncs their files.
func (w *payloadWrite) write() error {
	offset := w.start
	for _, payload := range w.payloads {
		if _, err := w.file.file.WriteAt(payload, offset); err != nil {
			return err
		}
		offset += int64(len(payload))
	}
	return w.file.file.Sync()
}

// payloadReader reads the payloads of one room's rows, opening its file
// at the first.
type payloadReader struct {
	files  *payloadFiles
	roomID int64
	file   *os.File
}

// read returns the payload a row of seq references, checked (rule 3).
func (r *payloadReader) read(seq int64, ref payloadRef) ([]byte, error) {
	fail := func(format string, arguments ...any) error {
		return fmt.Errorf("store: room %d, input %d: its payload (%d bytes at offset %d of the room's payload file, room-%d) %s",
			r.roomID, seq, ref.bytes, ref.offset, r.roomID, fmt.Sprintf(format, arguments...))
	}
	if ref.bytes <= 0 || ref.bytes > maxPayloadBytes || ref.offset < 0 {
		return nil, fail("is not a valid place")
	}
	if r.file == nil {
		file, err := os.Open(r.files.payloadPath(r.roomID))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fail("cannot be read: the file is missing")
		}
		if err != nil {
			return nil, fail("cannot be read: %v", err)
		}
		r.file = file
	}
	payload := make([]byte, ref.bytes)
	n, err := r.file.ReadAt(payload, ref.offset)
	switch {
	case errors.Is(err, io.EOF) || (err == nil && int64(n) < ref.bytes):
		return nil, fail("is cut short: the file holds %d of its bytes", n)
	case err != nil:
		return nil, fail("cannot be read: %v", err)
	case crc32.Checksum(payload, castagnoli) != ref.checksum:
		return nil, fail("is damaged: its CRC-32C is %08x, its row says %08x", crc32.Checksum(payload, castagnoli), ref.checksum)
	}
	input, err := decompressPayload(payload)
	if err != nil {
		return nil, fail("%v", err)
	}
	return input, nil
}

// close closes the file if it was opened.
func (r *payloadReader) close() {
	if r.file != nil {
		r.file.Close()
	}
}

// resolve returns the input a row holds, its payload read from the file
// if it is kept there.
func (r *payloadReader) resolve(stored storedInput) (Input, error) {
	if stored.payload == nil {
		return stored.Input, nil
	}
	payload, err := r.read(stored.Seq, *stored.payload)
	if err != nil {
		return Input{}, err
	}
	input := stored.Input
	input.Gateway = payload
	return input, nil
}
