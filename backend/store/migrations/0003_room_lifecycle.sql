-- Rooms live in memory only while someone uses them, and expire when
-- nobody has for long; a run of the room clock's identical advances is
-- one row.

-- touched_ms is when the room was last used: created, joined, left, or
-- given an input. A room of an older database counts as touched when the
-- database is upgraded, so that none expires on the day of the upgrade.
ALTER TABLE rooms ADD COLUMN touched_ms INTEGER NOT NULL DEFAULT 0;
UPDATE rooms SET touched_ms = MAX(created_ms, CAST(strftime('%s', 'now') AS INTEGER) * 1000);
CREATE INDEX rooms_by_touched ON rooms (touched_ms);

-- last_seq, when not NULL, makes the row a run: the same input journaled
-- at every seq from seq to last_seq (the room's clock advancing time by
-- the same ms each tick). NULL is a row of one input.
ALTER TABLE inputs ADD COLUMN last_seq INTEGER CHECK (last_seq IS NULL OR last_seq > seq);

-- Compact the clock's ticks that older servers stored one row each: a
-- run of consecutive rows with no actor and the same plain advance text
-- becomes its first row, covering the run's seqs.
-- A plain table, not TEMP: Cloudflare D1, which applies these migrations
-- for the Worker's links, refuses temporary tables (SQLITE_AUTH).
CREATE TABLE legacy_run_rows AS
WITH ticks AS (
    SELECT room_id, seq, step,
        (actor = '' AND step GLOB '{"op":"advance","ms":[1-9]*}'
            AND substr(step, 22) NOT GLOB '*[^0-9}]*') AS tick
    FROM inputs
), marked AS (
    SELECT room_id, seq, tick,
        CASE WHEN tick AND LAG(tick) OVER w AND LAG(step) OVER w = step AND LAG(seq) OVER w = seq - 1
            THEN 0 ELSE 1 END AS starts
    FROM ticks
    WINDOW w AS (PARTITION BY room_id ORDER BY seq)
), islands AS (
    SELECT room_id, seq, tick, SUM(starts) OVER (PARTITION BY room_id ORDER BY seq) AS island
    FROM marked
), runs AS (
    SELECT room_id, island, MIN(seq) AS first_seq, MAX(seq) AS last_seq
    FROM islands WHERE tick GROUP BY room_id, island HAVING COUNT(*) > 1
)
SELECT islands.room_id, islands.seq, runs.first_seq, runs.last_seq
FROM islands JOIN runs ON runs.room_id = islands.room_id AND runs.island = islands.island;

DELETE FROM inputs WHERE (room_id, seq) IN
    (SELECT room_id, seq FROM legacy_run_rows WHERE seq > first_seq);
UPDATE inputs SET last_seq = (SELECT r.last_seq FROM legacy_run_rows r
        WHERE r.room_id = inputs.room_id AND r.seq = inputs.seq)
    WHERE (room_id, seq) IN (SELECT room_id, seq FROM legacy_run_rows WHERE seq = first_seq);
DROP TABLE legacy_run_rows;
