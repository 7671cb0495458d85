-- Rooms with a Kafka gateway: real clients' connections, requests,
-- authentication outcomes and disconnections are journaled as inputs of
-- their own kind, beside steps and speed changes.

-- gateway, when not NULL, attaches a Kafka gateway to the room: its
-- settings as JSON, such as {"base_port":0} (free ports).
ALTER TABLE rooms ADD COLUMN gateway TEXT;

-- server_settings holds what a server remembers between its starts,
-- such as which room `playground serve --kafka` serves.
CREATE TABLE server_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- inputs gains the column gateway: one gateway input (core/gateway's
-- Input as JSON), NULL for a step or a speed change. A CHECK cannot be
-- altered in SQLite, so the table is rebuilt with its rows.
CREATE TABLE inputs_with_gateway (
    room_id INTEGER NOT NULL REFERENCES rooms (id),
    seq INTEGER NOT NULL,
    actor TEXT NOT NULL,
    step TEXT,
    speed_hundredths INTEGER,
    last_seq INTEGER CHECK (last_seq IS NULL OR last_seq > seq),
    gateway TEXT,
    PRIMARY KEY (room_id, seq),
    CHECK ((step IS NOT NULL) + (speed_hundredths IS NOT NULL) + (gateway IS NOT NULL) = 1)
) WITHOUT ROWID;
INSERT INTO inputs_with_gateway (room_id, seq, actor, step, speed_hundredths, last_seq)
    SELECT room_id, seq, actor, step, speed_hundredths, last_seq FROM inputs;
DROP TABLE inputs;
ALTER TABLE inputs_with_gateway RENAME TO inputs;
