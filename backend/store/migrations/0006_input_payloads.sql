-- Large gateway inputs (real clients' Produce requests, megabytes of
-- records) are kept out of SQLite, in an append-only payload file per
-- room beside the database (the store's payloads.go): written and
-- fsync'd once there, where SQLite would write them to its WAL and then
-- copy them again into the database. Their row keeps where the bytes
-- are and their checksum.
--
-- payload_offset and payload_bytes, when not NULL, say that the row's
-- gateway input is the payload_bytes bytes at payload_offset of its
-- room's payload file, whose CRC-32C (Castagnoli) is payload_crc32c; the
-- row's gateway is then an empty blob, which keeps the CHECK of 0004
-- (one of step, speed_hundredths, gateway) without rebuilding the table
-- and copying every row of a large journal. An empty blob is never an
-- input of its own. Rows written before hold their input inline and stay
-- as they are.
ALTER TABLE inputs ADD COLUMN payload_offset INTEGER;
ALTER TABLE inputs ADD COLUMN payload_bytes INTEGER;
ALTER TABLE inputs ADD COLUMN payload_crc32c INTEGER CHECK (CASE WHEN payload_bytes IS NULL
    THEN payload_offset IS NULL AND payload_crc32c IS NULL AND (gateway IS NULL OR length(gateway) > 0)
    ELSE payload_offset IS NOT NULL AND payload_crc32c IS NOT NULL
        AND payload_offset >= 0 AND payload_bytes > 0 AND payload_crc32c BETWEEN 0 AND 4294967295
        AND typeof(gateway) = 'blob' AND length(gateway) = 0 AND last_seq IS NULL END);
