-- A room's latest state snapshot (core/room's StateSnapshot): restoring
-- it and applying the inputs after seq gives the room without replaying
-- its whole journal. The journal stays the truth: a snapshot whose
-- engine is not the server's own is ignored, and a newer one replaces it.
-- speed_hundredths is the room's speed of time after seq.
CREATE TABLE room_snapshots (
    room_id INTEGER PRIMARY KEY REFERENCES rooms (id),
    seq INTEGER NOT NULL CHECK (seq >= 0),
    engine TEXT NOT NULL,
    speed_hundredths INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    data BLOB NOT NULL
);
