// Package backend is the playground's server: shared clusters ("rooms")
// that several browsers join over WebSocket, persisted in SQLite (and the
// large inputs of real Kafka clients in a payload file per room beside
// it), and short share links. It is a host of the deterministic core, like the
// browser: the server sequences every room's inputs, commits them, and
// streams them to the members, who apply them to their own copy of the
// core in lockstep.
//
// # Wiring
//
//	server, err := backend.Open(backend.Config{DataDir: "data"})
//	...
//	defer server.Close()
//	http.ListenAndServe(addr, server.Handler(staticFiles))
//
// Handler serves the routes listed on it and passes the rest to the
// static handler. Close stops the rooms in memory and closes the
// database; shut the http.Server down first.
//
// # The host contract
//
//  1. A room is a scenario header (version, seed, cluster) and an ordered
//     journal of inputs numbered seq 1, 2, 3, … without gaps. An input is
//     a step in the scenario format (SCENARIO.md), a change of the speed
//     of time, or, in a room with a Kafka gateway (7), a gateway input.
//     A room created from a scenario has its steps as its first inputs.
//  2. One goroutine per room is the sequencer. It checks each input
//     against the journal (room.Replica of core/room, whose rules every copy
//     follows), applies it to the room's scenario.Session, and COMMITS it
//     to SQLite (WAL, synchronous=FULL) BEFORE it sends it to anyone: the
//     acknowledgement to its sender and the frame to every member. Inputs
//     that arrive together are committed together (group commit), and
//     the sequencer goes on applying the inputs that arrive while a
//     commit is in flight, which make the next commit (commit.go): every
//     output that may depend on an input (input, error and hash frames,
//     a real client's responses and the close of its connection) is held
//     until every input applied before the output was made is committed,
//     and outputs leave in the order they were made. A join, an eviction
//     and a stop wait until everything applied is committed and sent.
//     An input of 4 KiB or more (a real client's Produce request with
//     its records) is not written into SQLite: its bytes are appended
//     to the room's payload file in the data folder (s2-compressed when
//     that saves an eighth of them) and fsync'd, and
//     only then is its row, which says where they are and their
//     CRC-32C, committed (backend/store's payloads.go), so that the
//     commit writes them once. A crash between the two leaves bytes no
//     row references, which the next start truncates; a payload that
//     does not read back whole with its checksum fails the restore with
//     an error naming the room and the seq.
//  3. An invalid input is answered with an error frame to its sender
//     only; it is never applied nor journaled.
//  4. Time is an input too: while a room runs and has members, its clock
//     journals an advance of speed × 100 ms every 100 ms of wall time.
//     Time stops while a room is empty and goes on at the same speed when
//     someone joins. Each tick is its own seq and its own input frame,
//     but a run of identical ticks is stored as one row covering the
//     run's seqs (a tick that follows the run extends the row, in the
//     same commit as any other input), so a week of ticking is a handful
//     of rows. A run replays exactly as its ticks one by one (core/room
//     rules 2 and 3), in time that does not grow with its length.
//  5. A room lives in memory only while it is used. The first join
//     restores it from its latest state snapshot and the journal after
//     it, or by replaying its whole journal (snapshots.go: the journal is
//     the truth, a snapshot only a faster way to the same state, written
//     every Config.SnapshotEveryInputs inputs, at eviction and at stop,
//     and stored only once its seq is committed); start-up restores
//     nothing but the room
//     `playground serve --kafka` serves (7). A room that
//     has been empty for Config.IdleTimeout is evicted: its sequencer
//     stops and its memory is freed. Every input was committed before it
//     was sent, so eviction loses nothing, and a join that races it
//     either keeps the room or restores it again (registry.go). At most
//     Config.MaxLiveRooms rooms are in memory; a join past that is
//     refused, saying so.
//  6. A room nobody joined or gave an input for Config.RoomExpiry (30
//     days) is deleted with its journal and its payload file, at start
//     and every Config.ExpiryInterval, never while it is in memory. Its
//     link then answers as an unknown room's does.
//  7. A room may have a Kafka gateway attached (gateway_room.go): its own
//     session cluster served to real Kafka clients on TCP ports, one per
//     broker and listener (backend/gateway), with the room's sequencer as
//     the host. POST /api/rooms {"kafka": true} makes one on free ports;
//     `playground serve --kafka` makes one on its first start and reopens
//     it on later ones (the database remembers which). Every gateway
//     event that changes the simulation is a gateway input, journaled
//     like a step: a connection (its id, broker, listener and client
//     address), a request for a broker (connection, correlation id,
//     client.id, and the core/protocol request under its API name, which
//     the server applies as decoded from its journal form, never as
//     translated: JSON, or for a Produce request a binary form whose
//     records are raw bytes, core/gateway's binary.go), the outcome of a
//     SASL exchange, a disconnection. Each is committed before any
//     response that depends on it is written.
//     Requests the gateway answers itself (ApiVersions, refusals, the
//     rounds of a SASL exchange) change nothing in the simulation and
//     are not journaled. The server runs SASL against the cluster's
//     credentials and journals only who authenticated with which
//     mechanism, or the failure: no password or SCRAM proof is ever in
//     the journal; an add_user step is journaled with the credential its
//     password makes (salted and hashed) instead of the password.
//     Gateway inputs are not steps (the steps limit does not count them);
//     a room holds at most Config.MaxGatewayInputsPerRoom of them and
//     Config.MaxGatewayBytesPerRoom of their journal form, past which its
//     gateway stops: its connections close, new ones are refused, and
//     the log, the members and the welcome say why. Time follows the
//     wall clock: while no real client is connected the room ticks as in
//     rule 4 (at real time, stored as runs); while one is, it advances
//     on demand instead, to the wall clock's virtual time before each
//     gateway input and whenever the simulation has an event due, so
//     that responses leave at their simulated latency. Its speed cannot
//     change (a speed frame is refused). A restored gateway room
//     journals a disconnection of every connection its journal leaves
//     open before it serves again. At most Config.MaxGatewayRooms rooms
//     have an open gateway at once; a gateway room stays in memory while
//     a member or a real client is in it (the serve --kafka room always).
//
// # WebSocket protocol
//
// Connect to /api/ws (same origin by default). Every frame is one JSON
// object with a "type". Client to server:
//
//	{"type":"hello", "room":TOKEN, "name":"Ada", "colour":"#3366cc", "since":N, "snapshot":false, "state":false}
//	    The first frame, within 10 s. since is the last seq the client
//	    applied (0 for none). With "snapshot": true the welcome carries
//	    the journal as one scenario document instead (see below). With
//	    "state": true as well, the client can load a state snapshot
//	    (core/room's RestoreState): the welcome then carries the room's
//	    stored one when it has one of this engine.
//	{"type":"input", "id":"a17", "step":{"op":"kill_broker","broker":2}}
//	    A step in the scenario format. id (at most 64 bytes) comes back
//	    as the ack of the input frame, or in the error frame.
//	{"type":"speed", "id":"a18", "speed":2}
//	    The speed of time: 0 pauses, 1 is real time, up to 100, at most
//	    two decimals. Journaled like a step; refused in a room with a
//	    Kafka gateway, whose time is the wall clock's.
//	{"type":"member", "name":"Ada L.", "colour":"#cc3366"}
//	    Change one's name (1 to 32 characters) or colour (#rrggbb).
//
// Server to client:
//
//	{"type":"welcome", "room":TOKEN, "you":"m3", "header":{scenario without steps},
//	 "members":[{"id":"m1","name":"Ada","colour":"#3366cc"}], "next_seq":N, "speed":1,
//	 "snapshot":{"seq":S, "scenario":{…}, "actors":["", "Ada", …], "inputs":[…]},
//	 "kafka":{"listeners":[{"name":"PLAINTEXT","protocol":"PLAINTEXT","bootstrap":"127.0.0.1:9091,…"}],
//	          "fingerprint":"AB:CD:…", "accepting":true, "message":""}}
//	    Then the input frames since+1 … next_seq-1 (none after a
//	    snapshot, which covers 1 … S = next_seq-1), then a hash frame for
//	    next_seq-1, then live frames from next_seq on: no gap, no repeat.
//	    The frames from the store are the frames that were sent live,
//	    one per seq, a stored run of ticks included: a since inside a
//	    run gets the run's remaining ticks. A client more than
//	    Config.MaxTailInputs (100,000) behind gets a snapshot even
//	    without asking, so a client handles a snapshot in every welcome.
//	    The snapshot's actors name who began each step of its scenario,
//	    in step order, as the input frames' actor does ("" for nobody; a
//	    plain advance merged into the step before it keeps that step's
//	    actor). A client of an older server finds no actors. In a room
//	    with gateway inputs the snapshot's scenario stops before the
//	    first of them, and "inputs" lists every input from there on, in
//	    order: {"step":{…}, "actor":"Ada"} (a plain advance standing for
//	    the advances merged into one step) or {"gateway":{…}}
//	    (core/room rule 5). To a client that said "state": true, the
//	    snapshot may instead be {"seq":S, "state":"base64"}: the room's
//	    latest stored state snapshot, which covers 1 … S where S may be
//	    below next_seq-1; the input frames S+1 … next_seq-1 then follow it
//	    as after a resumption. A client whose engine cannot load it (of
//	    another build) says so by joining again with "state": false.
//	    "kafka", in a room with a gateway, says where
//	    real Kafka clients connect (each listener's bootstrap.servers,
//	    the TLS certificate's SHA-256 fingerprint), or, once accepting is
//	    false, why they cannot.
//	{"type":"input", "seq":N, "actor":"Ada", "step":{…}, "ack":"a17"}
//	{"type":"input", "seq":N, "actor":"Ada", "speed":2}
//	{"type":"input", "seq":N, "actor":"", "gateway":{"at_ms":T, "request":{…}}}
//	{"type":"input", "seq":N, "actor":"", "gateway":"AAFQ…"}
//	    One committed input. actor is the sender's name, "" for the
//	    room's clock and for the steps the room was created with; ack is
//	    present only in the copy sent to the sender. A gateway input is
//	    its JSON form, or a string: the base64 of its binary form (a
//	    Produce request; core/gateway.Journaled reads both).
//	{"type":"hash", "seq":N, "trace_hash":"hex"}
//	    The server's trace hash after applying seq N, about once a
//	    second when the journal moved. A client whose own hash after N
//	    differs has diverged: it says so and reconnects with a snapshot.
//	{"type":"members", "members":[…]}
//	    Who is in the room, after every join, leave and rename.
//	{"type":"error", "id":"a17", "message":"…"}
//	    A frame or input refused, and why; id names the input when known.
//
// A client applies the input frames in seq order with the same rules as
// the server (package core/room): a step is checked by decoding the
// journal's document with the step appended, and a plain advance (no
// at_ms, async or note) goes through Session.Advance, which merges it into
// the advance before it; a gateway input goes through
// Replica.ApplyGateway, at the virtual time it names. A snapshot's
// scenario is replayed whole, then its inputs one by one
// (room.RestoreInputs of its steps, with their actors, and its inputs).
//
// # Limits
//
// The Origin of a WebSocket is checked (the server's own host, plus
// Config.AllowedOrigins). A frame over Config.MaxFrameBytes closes the
// connection with status 1009. Each connection has a token bucket
// (Config.FramesPerSecond, Config.FrameBurst): a frame beyond it is
// dropped with an error frame. Each connection's send queue is bounded
// (Config.SendQueueFrames): a client that cannot keep up is closed with
// status 4000 and may reconnect and resume, so it never stalls the room.
// Rooms, members per room, steps per room, gateway rooms, real clients'
// inputs per room and request bodies are capped;
// every invalid frame is answered with an error frame naming the problem.
// Close codes: 1008 a protocol violation (no hello, an unknown or expired
// room), 1013 the room is full, the server holds its limit of rooms in
// memory, or since is out of range (try again later), 1001 the server is
// stopping, 4000 too slow.
package backend
