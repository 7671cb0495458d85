package ui

import (
	"strconv"
	"strings"

	"github.com/kafka-playground/playground/core"
	"github.com/kafka-playground/playground/core/gateway"
	"github.com/kafka-playground/playground/core/scenario"
	"github.com/kafka-playground/playground/core/sim"
)

// Frame is what one drawing of the page reads: the state document and the
// session's journal at one moment, read once and shared by every view.
type Frame struct {
	State     *core.State
	NowMs     int64
	TraceHash string
	Events    uint64
	Scenario  *scenario.Scenario
	Results   []scenario.StepResult
	// Actors name, in a room, the person behind each step ("" for none).
	Actors []string
	// Nodes are the cluster's nodes as the picture draws them.
	Nodes []NodeView
	// Flights are the messages on the network, the earliest due first,
	// at most maxFlights of them; FlightsTotal counts them all.
	Flights      []FlightView
	FlightsTotal int
	// Still asks for the messages in flight to be drawn without motion
	// (the person prefers reduced motion or turned it off).
	Still bool
}

// maxFlights bounds how many messages in flight a frame reads and the
// picture draws.
const maxFlights = 200

// FlightView is one message on the network as the cluster view shows it.
type FlightView struct {
	// From and To name the sender and the receiver.
	From, To string
	// Kind is the message's type: ProduceRequest, FetchResponse…
	Kind string
	// SentMs and ArriveMs are when it left and when it is due, in
	// virtual time.
	SentMs, ArriveMs int64
}

// NodeView is one node of the simulated network as the cluster view shows
// it.
type NodeView struct {
	// Name is the node's network name: broker-1, controller-2, p1.
	Name string
	// Kind is broker, controller, zookeeper, producer or consumer.
	Kind string
	// Up says whether the node's process runs.
	Up bool
	// Status says in words what the node is doing: running, fenced,
	// starting, shutting down, crashed, shut down, closed.
	Status string
	// Active marks the active controller, the ZooKeeper leader and, in
	// ZooKeeper mode, the controller broker.
	Active bool
	// DelayMs is the latency added to the node's messages.
	DelayMs int64
	// Side is the node's side of a network partition, -1 when whole.
	Side int
	// Busy marks a broker whose logs grew since the previous drawing, or
	// a producer with requests in flight: the picture animates them.
	Busy bool
	// Detail is a short fact drawn under the node (records in flight).
	Detail string
	// Label names the node for people where its network name does not:
	// a real Kafka client of the room's gateway by its client.id and
	// address, "rdkafka (127.0.0.1:53211)"; Caption is the part drawn
	// under the node (the client.id), the address going in Detail.
	Label, Caption string
}

// Snapshot reads the session once for drawing: it samples the chart and
// marks the nodes that were busy since the previous drawing.
func (m *Model) Snapshot() *Frame {
	f := m.Peek()
	m.chart.Add(f.NowMs, f.State)
	written := map[string]int64{}
	for _, topic := range f.State.Topics {
		for _, part := range topic.Partitions {
			for broker, log := range part.ReplicaLogs {
				written["broker-"+broker] += log.LogEndOffset
			}
		}
	}
	for i := range f.Nodes {
		n := &f.Nodes[i]
		if n.Kind == "broker" {
			n.Busy = n.Up && written[n.Name] > m.written[n.Name] && m.written != nil
		}
	}
	m.written = written
	return f
}

// Peek reads the session once, without changing what the page remembers
// between drawings.
func (m *Model) Peek() *Frame {
	c := m.Cluster()
	f := &Frame{State: c.State(), NowMs: c.Now(), TraceHash: c.TraceHash(), Events: c.Sim().TraceCount(),
		Scenario: m.session.Scenario(), Results: m.session.Results(), Actors: m.actors}
	f.Nodes = m.nodeViews(f)
	f.Flights, f.FlightsTotal = flightViews(c.Sim())
	return f
}

// flightViews reads the messages on the network, named for the page.
func flightViews(s *sim.Sim) ([]FlightView, int) {
	flights, total := s.InFlight(maxFlights)
	views := make([]FlightView, len(flights))
	for i, fl := range flights {
		views[i] = FlightView{From: s.Name(fl.From), To: s.Name(fl.To), Kind: fl.Kind, SentMs: fl.SentMs, ArriveMs: fl.ArriveMs}
	}
	return views, total
}

// nodeViews lists the metadata quorum, the brokers and the clients.
func (m *Model) nodeViews(f *Frame) []NodeView {
	st := f.State
	var nodes []NodeView
	if st.Controller.ZooKeeper != nil {
		for _, id := range st.Controller.Voters {
			up := contains(st.Controller.AliveVoters, id)
			nodes = append(nodes, NodeView{Name: "zookeeper-" + strconv.Itoa(int(id)), Kind: "zookeeper", Up: up,
				Status: upStatus(up, "running", "crashed"), Active: st.Controller.ZooKeeper.Leader == id})
		}
	} else {
		for _, id := range st.Controller.Voters {
			up := contains(st.Controller.AliveVoters, id)
			nodes = append(nodes, NodeView{Name: "controller-" + strconv.Itoa(int(id)), Kind: "controller", Up: up,
				Status: upStatus(up, "running", "crashed"), Active: st.Controller.Active == id})
		}
	}
	for _, key := range numericKeys(st.Brokers) {
		b := st.Brokers[key]
		id, _ := strconv.Atoi(key)
		nodes = append(nodes, NodeView{Name: "broker-" + key, Kind: "broker", Up: b.Alive,
			Status: brokerStatus(b, lastBrokerOp(f.Scenario.Steps, id)),
			Active: st.Controller.ZooKeeper != nil && st.Controller.Active == int32(id)})
	}
	nodes = append(nodes, clientViews(st)...)
	if m.gatewayClients != nil {
		nodes = append(nodes, gatewayViews(m.gatewayClients())...)
	}
	sim := m.Cluster().Sim()
	for i := range nodes {
		nodes[i].Side = -1
		if id, found := sim.Lookup(nodes[i].Name); found {
			nodes[i].DelayMs = sim.NodeDelay(id)
			nodes[i].Side = sim.PartitionGroup(id)
		}
	}
	return nodes
}

// clientViews lists producers then consumers.
func clientViews(st *core.State) []NodeView {
	var nodes []NodeView
	for _, id := range sortedKeys(st.Producers) {
		p, _ := st.Producers[id].(core.ProducerState)
		n := NodeView{Name: id, Kind: "producer", Up: p.Alive, Status: upStatus(p.Alive, "running", "closed or crashed"), Busy: p.InFlight > 0}
		if p.Buffered > 0 || p.InFlight > 0 {
			n.Detail = thousands(int64(p.Buffered)) + " buffered · " + thousands(int64(p.InFlight)) + " in flight"
		}
		nodes = append(nodes, n)
	}
	for _, id := range sortedKeys(st.Consumers) {
		c, _ := st.Consumers[id].(core.ConsumerState)
		nodes = append(nodes, NodeView{Name: id, Kind: "consumer", Up: c.Alive, Status: upStatus(c.Alive, "running", "closed or crashed")})
	}
	return nodes
}

// gatewayViews lists the real Kafka clients connected to a room's
// gateway, one node per connection.
func gatewayViews(clients []gateway.Client) []NodeView {
	nodes := make([]NodeView, 0, len(clients))
	for _, c := range clients {
		status := "to broker-" + strconv.Itoa(int(c.Broker))
		if c.Closed {
			status = "closed by broker-" + strconv.Itoa(int(c.Broker))
		}
		caption := c.ClientID
		if caption == "" {
			caption = "real client"
		}
		nodes = append(nodes, NodeView{Name: c.Node, Kind: "gateway", Up: !c.Closed, Status: status, Label: c.Label,
			Caption: caption, Detail: c.Address})
	}
	return nodes
}

// upStatus chooses between two words.
func upStatus(up bool, yes, no string) string {
	if up {
		return yes
	}
	return no
}

// brokerStatus says what a broker is doing; lastOp is the last journal op
// that stopped or started it.
func brokerStatus(b core.BrokerState, lastOp string) string {
	if !b.Alive {
		if lastOp == scenario.OpStopBroker {
			return "shut down"
		}
		return "crashed"
	}
	switch {
	case b.State == "shutting_down":
		return "shutting down"
	case b.State == "running" && b.Fenced:
		return "fenced"
	}
	return b.State
}

// lastBrokerOp returns the op of the last step that stopped, killed or
// started broker id, or "".
func lastBrokerOp(steps []scenario.Step, id int) string {
	name := "broker-" + strconv.Itoa(id)
	for i := len(steps) - 1; i >= 0; i-- {
		st := &steps[i]
		switch st.Op {
		case scenario.OpStopBroker, scenario.OpKillBroker, scenario.OpStartBroker:
			if st.Broker == id {
				return st.Op
			}
		case scenario.OpKillNode, scenario.OpStartNode:
			if st.Node == name {
				return st.Op
			}
		}
	}
	return ""
}

// NodeNames lists every node a network step may name: the quorum, the
// brokers, the admin client and the clients.
func (f *Frame) NodeNames() []string {
	names := make([]string, 0, len(f.Nodes)+1)
	for _, n := range f.Nodes {
		names = append(names, n.Name)
	}
	return append(names, scenario.AdminClientID)
}

// Topics lists the topic names, people's topics first, then internal ones.
func (f *Frame) Topics() []string {
	var own, internal []string
	for _, name := range sortedKeys(f.State.Topics) {
		if isInternalTopic(name) {
			internal = append(internal, name)
		} else {
			own = append(own, name)
		}
	}
	return append(own, internal...)
}

// clientConfig returns the config a client was added with, as
// "key=value, …", from its add step in the journal.
func clientConfig(steps []scenario.Step, id string) string {
	for i := range steps {
		if (steps[i].Op == scenario.OpAddProducer || steps[i].Op == scenario.OpAddConsumer) && steps[i].ID == id {
			keys := sortedKeys(steps[i].Config)
			parts := make([]string, len(keys))
			for j, k := range keys {
				parts[j] = k + "=" + steps[i].Config[k]
			}
			return strings.Join(parts, ", ")
		}
	}
	return ""
}
