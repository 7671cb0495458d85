-- Rooms and their input journals. A room is a scenario header (version,
-- seed, cluster) and the inputs applied to it in order; replaying the
-- inputs is how a room is restored.
CREATE TABLE rooms (
    id INTEGER PRIMARY KEY,
    -- token is the room's unguessable name, the <token> of /r/<token>.
    token TEXT NOT NULL UNIQUE,
    -- header is the scenario JSON of the room without steps.
    header TEXT NOT NULL,
    -- speed_hundredths is the speed of time when the room was created, in
    -- hundredths of real time (100 is real time, 0 is paused).
    speed_hundredths INTEGER NOT NULL,
    created_ms INTEGER NOT NULL
);

-- One row per input, numbered from 1 without gaps in each room.
CREATE TABLE inputs (
    room_id INTEGER NOT NULL REFERENCES rooms (id),
    seq INTEGER NOT NULL,
    -- actor is the name of the member who sent the input; empty for the
    -- room's own clock and for the steps the room was created with.
    actor TEXT NOT NULL,
    -- step is one step in the scenario format, or NULL for a speed change.
    step TEXT,
    -- speed_hundredths is the new speed of a speed change, or NULL.
    speed_hundredths INTEGER,
    PRIMARY KEY (room_id, seq),
    CHECK ((step IS NULL) <> (speed_hundredths IS NULL))
) WITHOUT ROWID;
