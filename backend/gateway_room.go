package backend

// A Kafka gateway attached to a room: the room's own session cluster
// served to real Kafka clients on TCP ports (backend/gateway's Wire),
// with the room's sequencer as the host. Every gateway event that
// changes the simulation (a connection, a request for a broker, the
// outcome of a SASL exchange, a disconnection) is an input of the
// journal, applied to the room's replica from its journaled form and
// committed before any response that depends on it is written. Answers
// the gateway makes itself (ApiVersions, refusals, SASL rounds) change
// nothing in the simulation and are not journaled.

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/kafka-playground/playground/backend/gateway"
	"github.com/kafka-playground/playground/backend/store"
	coregateway "github.com/kafka-playground/playground/core/gateway"
	replica "github.com/kafka-playground/playground/core/room"
	"github.com/kafka-playground/playground/core/scenario"
)

// GatewaySettings are what a room's gateway is opened with; a room keeps
// them (as JSON) for when it is restored.
type GatewaySettings struct {
	// BasePort: broker N listens on BasePort + i×100 + N for the i-th
	// listener of the cluster; 0 picks free ports.
	BasePort int `json:"base_port"`
	// Host is the address listened on and advertised; 127.0.0.1 by
	// default.
	Host string `json:"host,omitempty"`
}

// gatewayRoomsError refuses a gateway past Config.MaxGatewayRooms.
type gatewayRoomsError struct{ limit int }

func (e gatewayRoomsError) Error() string {
	return fmt.Sprintf("the server runs %d rooms with a Kafka gateway, its limit (each holds ports); try again when one has closed", e.limit)
}

// roomGateway is a room's attached gateway. Its fields belong to the
// room's goroutine.
type roomGateway struct {
	settings GatewaySettings
	wire     *gateway.Wire
	// conns are the accepted connections.
	conns map[*gateway.Conn]bool
	// pinned keeps the room in memory even when nobody is in it (the
	// room `playground serve --kafka` serves).
	pinned bool
	// baseWall and baseVirtualMs tie virtual time to the wall clock
	// while real clients are connected.
	baseWall      time.Time
	baseVirtualMs int64
	// timer fires when the simulation's next event is due.
	timer *time.Timer
	// full says why the gateway stopped accepting ("" while it accepts).
	full string
	// rebuilds is the replica's rebuild count the connections belong to.
	rebuilds int
}

// gatewayView is a room's gateway as the welcome frame and the HTTP
// answer give it: where clients connect.
type gatewayView struct {
	Listeners []gatewayListenerView `json:"listeners"`
	// Fingerprint is the SHA-256 fingerprint of the TLS listeners'
	// certificate, "" without TLS.
	Fingerprint string `json:"fingerprint,omitempty"`
	// Accepting is false once the gateway reached a limit; Message then
	// says which.
	Accepting bool   `json:"accepting"`
	Message   string `json:"message,omitempty"`
}

// gatewayListenerView is one listener's bootstrap list.
type gatewayListenerView struct {
	Name      string `json:"name"`
	Protocol  string `json:"protocol"`
	Bootstrap string `json:"bootstrap"`
}

// roomHost is the Host of a room's wire: it hands every socket and
// request to the room's goroutine.
type roomHost struct{ r *room }

// Open implements gateway.Host.
func (h roomHost) Open(c *gateway.Conn) {
	if !h.r.sendGateway(request{kind: requestGatewayOpen, gatewayConn: c}) {
		c.Refuse()
	}
}

// Submit implements gateway.Host.
func (h roomHost) Submit(c *gateway.Conn, s gateway.Submission) {
	if !h.r.sendGateway(request{kind: requestGatewaySubmit, gatewayConn: c, submission: s}) {
		c.Close()
	}
}

// Closed implements gateway.Host.
func (h roomHost) Closed(c *gateway.Conn) {
	h.r.sendGateway(request{kind: requestGatewayClosed, gatewayConn: c})
}

// sendGateway hands a wire's request to the room, waiting while its
// queue is full; false once the room stopped.
func (r *room) sendGateway(q request) bool {
	select {
	case r.requests <- q:
		return true
	case <-r.stopped:
		return false
	}
}

// roomEngine is the room as the gateway's Engine: it journals every
// input it applies.
type roomEngine struct{ r *room }

// Gateway implements gateway.Engine.
func (e roomEngine) Gateway() *coregateway.Gateway {
	g, err := e.r.replica.Gateway()
	if err != nil {
		panic(fmt.Sprintf("backend: room %s has a gateway but its cluster has none: %v", e.r.token, err)) // checked when attached
	}
	return g
}

// Apply implements gateway.Engine: the input is applied to the replica
// from its journal form and journaled; past the room's limits the
// gateway stops accepting, and only disconnections are still taken.
func (e roomEngine) Apply(in *coregateway.Input) error {
	r := e.r
	r.gatewayAdvance()
	in.AtMs = r.replica.Session().Cluster().Now()
	if in.Disconnect == nil {
		size := 256 // the envelope, at most
		if in.Request != nil {
			size += in.Request.BodyBytes()
		}
		if err := r.gatewayLimit(size); err != nil {
			return err
		}
	}
	text, err := r.applyGatewaySafely(in)
	if err != nil {
		return err
	}
	r.journal(nil, "", store.Input{Gateway: text}, false)
	return nil
}

// gatewayLimit checks the room's limits of gateway inputs before one of
// size bytes, and stops the gateway when they are reached.
func (r *room) gatewayLimit(size int) error {
	g := r.gateway
	if g.full != "" {
		return errors.New(g.full)
	}
	count, bytes := r.replica.GatewayInputs()
	config := r.server.config
	switch {
	case count >= config.MaxGatewayInputsPerRoom:
		g.full = fmt.Sprintf("the Kafka gateway stopped: the room holds its limit of %d inputs from real clients", config.MaxGatewayInputsPerRoom)
	case bytes+int64(size) > config.MaxGatewayBytesPerRoom:
		g.full = fmt.Sprintf("the Kafka gateway stopped: the room's inputs from real clients reached its limit of %d bytes", config.MaxGatewayBytesPerRoom)
	default:
		return nil
	}
	r.server.logger.Warn("backend: a room's Kafka gateway stopped accepting", "room", r.token, "reason", g.full)
	for _, c := range g.sortedConns() {
		r.holdClose(c) // each is Disconnected when its socket ends
	}
	for _, m := range r.members {
		r.refuse(m.conn, "", "%s", g.full)
	}
	return errors.New(g.full)
}

// applyGatewaySafely applies a gateway input, turning a panic of the
// engine into a refusal as applySafely does for steps.
func (r *room) applyGatewaySafely(in *coregateway.Input) (text []byte, err error) {
	defer func() {
		recovered := recover()
		if recovered == nil {
			return
		}
		r.server.logger.Error("backend: the engine panicked on a gateway input; the input is refused",
			"room", r.token, "panic", recovered, "stack", string(debug.Stack()))
		rebuilt, rebuildErr := replica.RestoreInputs("room", r.replica.Header(), r.replica.Inputs(), scenario.Options{})
		if rebuildErr != nil {
			panic(fmt.Sprintf("backend: room %s cannot be rebuilt after a panic: %v", r.token, rebuildErr))
		}
		rebuilt.TrackGatewayResponses()
		r.replica = rebuilt
		r.gateway.rebuilds = -1 // the connections' responses are gone
		text, err = nil, fmt.Errorf("the engine failed on this input (a bug, logged on the server): %v", recovered)
	}()
	return r.replica.ApplyGatewayInput(in)
}

// attachGateway opens the room's gateway on its ports, with the room as
// the host. It is called before the room's goroutine starts.
func (r *room) attachGateway(settings GatewaySettings, pinned bool) error {
	if err := r.server.claimGateway(r); err != nil {
		return err
	}
	g, err := r.replica.Gateway()
	if err != nil {
		r.server.releaseGateway(r)
		return err
	}
	r.replica.TrackGatewayResponses()
	cluster := r.replica.Session().Cluster()
	wire, err := gateway.Listen(gateway.WireConfig{Host: settings.Host, BasePort: settings.BasePort, Brokers: cluster.Spec().Brokers,
		Listeners: g.Listeners(), MaxFrameBytes: gateway.ClusterMaxFrameBytes(cluster),
		Logf: func(format string, args ...any) { r.server.logger.Info(fmt.Sprintf(format, args...), "room", r.token) }},
		roomHost{r}, cluster.BrokerRunning)
	if err != nil {
		r.server.releaseGateway(r)
		return err
	}
	r.gateway = &roomGateway{settings: settings, wire: wire, conns: map[*gateway.Conn]bool{}, pinned: pinned, rebuilds: r.replica.Rebuilds()}
	return nil
}

// closeGateway closes the room's ports and connections, once its
// goroutine stopped.
func (r *room) closeGateway() {
	if r.gateway == nil {
		return
	}
	r.gateway.wire.Close()
	r.server.releaseGateway(r)
}

// claimGateway counts one more room with an open gateway, unless the
// server runs Config.MaxGatewayRooms.
func (s *Server) claimGateway(r *room) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.gatewayRooms) >= s.config.MaxGatewayRooms {
		return gatewayRoomsError{s.config.MaxGatewayRooms}
	}
	s.gatewayRooms[r] = true
	return nil
}

func (s *Server) releaseGateway(r *room) {
	s.mu.Lock()
	delete(s.gatewayRooms, r)
	s.mu.Unlock()
}

// view is where the gateway's clients connect.
func (g *roomGateway) view() *gatewayView {
	v := &gatewayView{Fingerprint: g.wire.CertificateFingerprint(), Accepting: g.full == "", Message: g.full}
	for _, l := range g.wire.Listeners() {
		v.Listeners = append(v.Listeners, gatewayListenerView{Name: l.Name, Protocol: l.Protocol, Bootstrap: bootstrap(g.wire.ListenerAddresses(l.Name))})
	}
	return v
}

// bootstrap is a bootstrap.servers list of addresses by broker id.
func bootstrap(addresses map[int32]string) string {
	ids := make([]int32, 0, len(addresses))
	for id := range addresses {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	list := make([]string, len(ids))
	for i, id := range ids {
		list[i] = addresses[id]
	}
	return strings.Join(list, ",")
}

// handleGateway handles a request of the room's wire.
func (r *room) handleGateway(q request) {
	g := r.gateway
	c := q.gatewayConn
	if g == nil {
		c.Close()
		return
	}
	switch q.kind {
	case requestGatewayOpen:
		if g.full != "" {
			c.Refuse()
			return
		}
		if len(g.conns) == 0 {
			g.rebase(r)
		}
		g.conns[c] = true // time runs on demand for it from now on
		if err := gateway.Connect(roomEngine{r}, c); err != nil {
			delete(g.conns, c)
			return
		}
	case requestGatewaySubmit:
		if !g.conns[c] {
			return
		}
		if err := gateway.Serve(roomEngine{r}, c, q.submission); err != nil {
			r.server.logger.Info("backend: a real client's request is refused; its connection is closed",
				"room", r.token, "client", c.Address(), "err", err)
			r.endConnection(c)
		}
	case requestGatewayClosed:
		if g.conns[c] {
			gateway.Disconnect(roomEngine{r}, c)
			delete(g.conns, c)
		}
	}
	r.checkRebuilt()
}

// checkRebuilt closes every connection when the replica was rebuilt
// from its journal (after an input that stopped the simulation): the
// responses the old one kept are gone, so the clients reconnect.
func (r *room) checkRebuilt() {
	g := r.gateway
	if g == nil || g.rebuilds == r.replica.Rebuilds() {
		return
	}
	g.rebuilds = r.replica.Rebuilds()
	r.server.logger.Warn("backend: the room was rebuilt from its journal; its real clients' connections are closed", "room", r.token)
	for _, c := range g.sortedConns() {
		r.holdClose(c)
	}
}

// endConnection ends a real client's connection: the simulation is
// told at once (a journaled disconnection) and the socket is closed once
// what was held for it is written.
func (r *room) endConnection(c *gateway.Conn) {
	g := r.gateway
	if g.conns[c] {
		gateway.Disconnect(roomEngine{r}, c)
		delete(g.conns, c)
	}
	r.holdClose(c)
}

// sortedConns returns the connections in the order of their ids, so
// that what is done to each is journaled in an order that does not
// depend on the map's.
func (g *roomGateway) sortedConns() []*gateway.Conn {
	conns := make([]*gateway.Conn, 0, len(g.conns))
	for c := range g.conns {
		conns = append(conns, c)
	}
	slices.SortFunc(conns, func(a, b *gateway.Conn) int { return int(a.ID()) - int(b.ID()) })
	return conns
}

// rebase ties virtual time to the wall clock from now on.
func (g *roomGateway) rebase(r *room) {
	g.baseWall, g.baseVirtualMs = time.Now(), r.replica.Session().Cluster().Now()
}

// gatewayAdvance journals an advance of the room's time to the virtual
// time of the wall clock, before a gateway input or when an event is
// due, so that responses leave at their simulated time and not at the
// next tick. A room whose time ran ahead of the wall clock (a step that
// waited) is tied to the wall clock again from its time.
func (r *room) gatewayAdvance() {
	g := r.gateway
	if g == nil || len(g.conns) == 0 {
		return
	}
	now := r.replica.Session().Cluster().Now()
	target := g.baseVirtualMs + time.Since(g.baseWall).Milliseconds()
	if target <= now {
		if target < now {
			g.rebase(r)
		}
		return
	}
	if _, err := r.replica.Advance(target - now); err != nil {
		r.server.logger.Error("backend: a gateway room's time cannot run on", "room", r.token, "err", err)
		return
	}
	r.journal(nil, "", store.Input{Step: replica.AdvanceText(target - now)}, true)
}

// gatewayDeliver takes the responses the simulation made and holds them
// until the inputs they depend on are committed, with the close of the
// connections the simulation closed, whose disconnection it journals at
// once; it then sets the timer for the next event.
func (r *room) gatewayDeliver() {
	g := r.gateway
	if g == nil {
		return
	}
	if r.holdDeliveries() {
		r.flush()
		r.holdDeliveries() // nothing depends on a disconnection; this takes what it may have made ready
	}
	g.wire.Follow(r.replica.Session().Cluster().BrokerRunning)
	r.scheduleGatewayEvent()
}

// holdDeliveries holds what each connection is to be sent, and
// journals the disconnection of those the simulation closed, which it
// reports.
func (r *room) holdDeliveries() (ended bool) {
	g := r.gateway
	for _, d := range gateway.Collect(roomEngine{r}, g.sortedConns()) {
		r.hold(heldOutput{delivery: &d})
		if d.Close {
			gateway.Disconnect(roomEngine{r}, d.Conn)
			delete(g.conns, d.Conn)
			ended = true
		}
	}
	return ended
}

// scheduleGatewayEvent sets the timer for when the simulation's next
// event is due on the wall clock, while real clients are connected.
func (r *room) scheduleGatewayEvent() {
	g := r.gateway
	if g.timer != nil {
		g.timer.Stop()
	}
	next := r.replica.NextEventMs()
	if len(g.conns) == 0 || next < 0 {
		g.timer = nil
		return
	}
	due := g.baseWall.Add(time.Duration(next-g.baseVirtualMs) * time.Millisecond)
	g.timer = time.NewTimer(max(time.Until(due), 0))
}

// gatewayTimer is the channel of the next event's timer, nil for none.
func (r *room) gatewayTimer() <-chan time.Time {
	if r.gateway == nil || r.gateway.timer == nil {
		return nil
	}
	return r.gateway.timer.C
}

// realClients counts the connections of real clients.
func (r *room) realClients() int {
	if r.gateway == nil {
		return 0
	}
	return len(r.gateway.conns)
}

// closeStaleConnections journals a disconnection for every connection
// the replica has open that no socket stands for (after a restart, or a
// reload from the store): the real sockets are gone. It commits them at
// once; it runs before the room serves.
func (r *room) closeStaleConnections() error {
	g, err := r.replica.Gateway()
	if err != nil {
		return nil // no gateway in the journal: nothing is open
	}
	var inputs []store.Input
	for _, id := range g.Connections() {
		text, err := json.Marshal(&coregateway.Input{AtMs: r.replica.Session().Cluster().Now(), Disconnect: &coregateway.DisconnectInput{Connection: id}})
		if err != nil {
			return err
		}
		if err := r.replica.ApplyGateway(text); err != nil {
			return err
		}
		inputs = append(inputs, store.Input{Seq: r.nextSeq, Gateway: text})
		r.nextSeq++
	}
	if len(inputs) == 0 {
		return nil
	}
	r.clockRun = nil
	r.server.logger.Info("backend: the room's open connections of real clients are journaled as closed", "room", r.token, "connections", len(inputs))
	return r.server.appendInputs(r.id, inputs)
}

// kafkaRoomSetting names the server setting that holds the token of the
// room `playground serve --kafka` serves.
const kafkaRoomSetting = "kafka_room"

// GatewayRoom describes a room with a Kafka gateway: its token and
// where real clients connect.
type GatewayRoom struct {
	Token string
	// Created says the room was made now rather than reopened.
	Created bool
	// Listeners are each listener's bootstrap list.
	Listeners []GatewayListener
	// Fingerprint and CertificatePEM are those of the TLS listeners'
	// certificate, empty without TLS.
	Fingerprint    string
	CertificatePEM []byte
}

// GatewayListener is one listener of a gateway and its bootstrap list.
type GatewayListener struct {
	Name, Protocol string
	// Bootstrap is the bootstrap.servers list: every broker's address.
	Bootstrap string
}

// describeGateway reads where a room's gateway listens.
func describeGateway(r *room) GatewayRoom {
	view := r.gateway.view()
	out := GatewayRoom{Token: r.token, Fingerprint: view.Fingerprint, CertificatePEM: r.gateway.wire.CertificatePEM()}
	for _, l := range view.Listeners {
		out.Listeners = append(out.Listeners, GatewayListener{Name: l.Name, Protocol: l.Protocol, Bootstrap: l.Bootstrap})
	}
	return out
}

// CreateGatewayRoom makes a room of a scenario, as CreateRoom does, with
// a Kafka gateway attached: its session cluster served to real clients
// on ports per broker and listener. The room is live at once and stays
// in memory while a member or a real client is in it (and for
// Config.IdleTimeout after); a later join restores it, gateway and all.
func (s *Server) CreateGatewayRoom(ctx context.Context, source *scenario.Scenario, settings GatewaySettings) (GatewayRoom, error) {
	return s.createGatewayRoom(ctx, source, settings, false)
}

func (s *Server) createGatewayRoom(ctx context.Context, source *scenario.Scenario, settings GatewaySettings, pinned bool) (GatewayRoom, error) {
	s.mu.Lock()
	full := len(s.gatewayRooms) >= s.config.MaxGatewayRooms
	s.mu.Unlock()
	if full {
		return GatewayRoom{}, gatewayRoomsError{s.config.MaxGatewayRooms}
	}
	encoded, err := json.Marshal(settings)
	if err != nil {
		return GatewayRoom{}, err
	}
	r, err := s.newRoom(ctx, source, encoded)
	if err != nil {
		return GatewayRoom{}, err
	}
	if err := s.goLive(r, settings, pinned); err != nil {
		return GatewayRoom{}, err
	}
	room := describeGateway(r)
	room.Created = true
	return room, nil
}

// goLive makes a stored gateway room live: in the registry, its gateway
// open, its goroutine started.
func (s *Server) goLive(r *room, settings GatewaySettings, pinned bool) error {
	s.mu.Lock()
	switch {
	case s.closing:
		s.mu.Unlock()
		return errServerClosing
	case s.rooms[r.token] != nil:
		s.mu.Unlock()
		return fmt.Errorf("room %s is live already", r.token)
	case len(s.rooms) >= s.config.MaxLiveRooms:
		s.mu.Unlock()
		return liveRoomsError{s.config.MaxLiveRooms}
	}
	r.ready = make(chan struct{})
	s.rooms[r.token] = r
	s.mu.Unlock()
	r.prepare()
	if err := r.attachGateway(settings, pinned); err != nil {
		s.mu.Lock()
		delete(s.rooms, r.token)
		r.loadErr = err
		close(r.ready)
		s.mu.Unlock()
		return err
	}
	r.start()
	close(r.ready)
	return nil
}

// ServeKafka opens the room `playground serve --kafka` serves on
// settings' ports: the one the database remembers, reopened by replaying
// its journal (its connections from before the restart journaled as
// closed), or else a new room of source, remembered from now on. The
// room stays in memory until the server stops.
func (s *Server) ServeKafka(ctx context.Context, source *scenario.Scenario, settings GatewaySettings) (GatewayRoom, error) {
	token, found, err := s.store.Setting(ctx, kafkaRoomSetting)
	if err != nil {
		return GatewayRoom{}, err
	}
	if found {
		record, err := s.store.Room(ctx, token)
		switch {
		case err == nil:
			r := &room{server: s, token: token}
			if err := s.restoreRoom(r, record); err != nil {
				return GatewayRoom{}, fmt.Errorf("the Kafka room %s does not restore: %w", token, err)
			}
			if err := s.goLive(r, settings, true); err != nil {
				return GatewayRoom{}, err
			}
			return describeGateway(r), nil
		case !errors.Is(err, store.ErrNoRoom):
			return GatewayRoom{}, err
		}
	}
	room, err := s.createGatewayRoom(ctx, source, settings, true)
	if err != nil {
		return GatewayRoom{}, err
	}
	return room, s.store.SetSetting(ctx, kafkaRoomSetting, room.Token)
}

// withCredentials returns a step as a room with a gateway journals it:
// an add_user with the credential its password makes (under a random
// salt) in place of the password, so that no password of the room's
// users is in its journal or reaches its members; any other step as it
// is.
func (r *room) withCredentials(raw json.RawMessage) (json.RawMessage, error) {
	st, _, err := r.replica.Parse(raw)
	if err != nil || st.Op != scenario.OpAddUser || st.Credential != "" {
		return raw, err
	}
	return credentialStepText(st)
}

// credentialStepText is the text of an add_user step in its credential
// form.
func credentialStepText(st scenario.Step) (json.RawMessage, error) {
	var salt [16]byte
	rand.Read(salt[:]) // crypto/rand.Read never fails
	st, err := scenario.WithCredential(st, salt[:])
	if err != nil {
		return nil, err
	}
	one := scenario.New()
	one.Steps = []scenario.Step{st}
	texts, err := stepTexts(one)
	if err != nil {
		return nil, err
	}
	return texts[0], nil
}

// withCredentialSteps returns a scenario whose add_user steps are in
// their credential form, for a room with a gateway made of it.
func withCredentialSteps(source *scenario.Scenario) (*scenario.Scenario, error) {
	out := *source
	out.Steps = make([]scenario.Step, len(source.Steps))
	for i, st := range source.Steps {
		var salt [16]byte
		rand.Read(salt[:])
		changed, err := scenario.WithCredential(st, salt[:])
		if err != nil {
			return nil, fmt.Errorf("step %d: %w", i, err)
		}
		out.Steps[i] = changed
	}
	return &out, nil
}
