//go:build js && wasm

package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"syscall/js"
	"time"

	"github.com/kafka-playground/playground/core/scenario"
)

// websocketNormalClosure is the close code of a connection the page ends
// itself (the protocol's Normal Closure).
const websocketNormalClosure = 1000

// Reconnection backoff of a room's WebSocket.
const (
	roomBackoffFirst = 500 * time.Millisecond
	roomBackoffMax   = 10 * time.Second
)

// roomColours are the colours a newcomer is given, by chance.
var roomColours = []string{"#3366cc", "#cc3366", "#33a02c", "#ff7f00", "#6a3d9a", "#1f9e9e", "#b15928"}

// roomToken returns the token of a room link's path (/r/TOKEN), or "".
func roomToken(pathname string) string {
	token, found := strings.CutPrefix(pathname, "/r/")
	if !found || token == "" || strings.Contains(token, "/") {
		return ""
	}
	return token
}

// joinRoom makes the page a member of the room: from now on the room's
// server owns the session and time.
func (a *App) joinRoom(token string) {
	name := a.setting("playground.name")
	if name == "" {
		name = "Guest " + strconv.Itoa(1+int(js.Global().Get("Math").Call("random").Float()*999))
	}
	colour := a.setting("playground.colour")
	if len(colour) != 7 || colour[0] != '#' {
		colour = roomColours[int(js.Global().Get("Math").Call("random").Float()*float64(len(roomColours)))%len(roomColours)]
	}
	a.room = NewRoom(token, name, colour)
	if bar := a.element("room-bar"); bar != nil {
		bar.RemoveAttribute("hidden")
	}
	a.fillMemberForm()
	a.roomOnline(false, "Joining the room…")
	go a.roomLoop()
}

// roomLoop keeps the room's connection up: it reconnects with backoff
// after a drop, and at once after a divergence (to load a snapshot).
func (a *App) roomLoop() {
	backoff := roomBackoffFirst
	for {
		welcomed, resync, err := a.roomConnection()
		if welcomed {
			backoff = roomBackoffFirst
		}
		if resync {
			continue
		}
		why := "the connection dropped"
		var closed socketClosed
		if errors.As(err, &closed) && closed.Reason != "" {
			why = closed.Reason // the server's sentence, such as a full server's
		} else if err != nil {
			why = err.Error()
		}
		a.roomOnline(false, fmt.Sprintf("Offline (%s): reconnecting in %.1f s; your actions are not sent meanwhile.", why, backoff.Seconds()))
		time.Sleep(backoff)
		backoff = min(backoff*2, roomBackoffMax)
	}
}

// roomConnection runs one connection until it ends: hello, then every
// frame applied as it comes. resync says it was closed to load a snapshot.
func (a *App) roomConnection() (welcomed, resync bool, err error) {
	location := a.window.Location()
	scheme := "ws"
	if location.Protocol() == "https:" {
		scheme = "wss"
	}
	conn, err := dialSocket(scheme + "://" + location.Host() + "/api/ws")
	if err != nil {
		return false, false, err
	}
	out := make(chan []byte, 256)
	done := make(chan struct{})
	defer close(done)
	defer conn.Close(websocketNormalClosure, "")
	go func() {
		for {
			select {
			case data := <-out:
				if conn.Write(data) != nil {
					return
				}
			case <-done:
				return
			}
		}
	}()
	out <- a.room.Hello()
	a.roomOut = out
	defer func() { a.roomOut = nil }()
	for {
		data, err := conn.Read()
		if err != nil {
			return welcomed, false, err
		}
		event := a.roomFrame(data)
		welcomed = welcomed || a.room.Welcomed
		if event.Resync {
			conn.Close(websocketNormalClosure, "resync")
			return welcomed, true, nil
		}
	}
}

// roomFrame applies one frame from the server and shows what it did.
func (a *App) roomFrame(data []byte) (event RoomEvent) {
	defer a.recoverPanic()
	event, err := a.room.Handle(a.model, data)
	if err != nil {
		a.showBanner("The room cannot be shown: " + err.Error())
		return RoomEvent{Resync: true}
	}
	if event.Resync {
		a.showBanner(event.Status)
	} else if a.room.Diverged == "" && a.internalError == "" {
		a.showBanner("")
	}
	if a.room.Welcomed {
		a.roomOnline(true, "")
	}
	if event.Status != "" {
		a.status(event.Status)
	}
	a.memberAnswer(event)
	a.clock.Playing = a.room.Speed > 0
	a.drawRoom()
	if event.Changed {
		a.invalidate()
	}
	return event
}

// roomOnline shows whether the page is connected to its room.
func (a *App) roomOnline(online bool, message string) {
	if a.room == nil {
		return
	}
	bar := a.element("room-bar")
	if bar != nil {
		bar.SetAttribute("data-online", strconv.FormatBool(online))
	}
	if online {
		message = "In room " + a.room.Token[:min(8, len(a.room.Token))] + "… as " + a.room.Name + " · online"
	}
	a.setText("room-status", message)
}

// drawRoom writes the members, and the room's speed into the toolbar.
func (a *App) drawRoom() {
	var p page
	for _, member := range a.room.Members {
		p.Raw(`<li data-member="`, esc(member.ID), `"><span class="swatch" style="background:`, esc(member.Colour), `"></span>`)
		p.Text(member.Name)
		if member.ID == a.room.You {
			p.Raw(` (you)`)
		}
		p.Raw(`</li>`)
	}
	a.setView("room-members", p.String())
	speed := "paused"
	if a.room.Speed > 0 {
		speed = SpeedLabel(a.room.Speed)
	}
	a.setText("room-speed", "time "+speed)
	if kafka := a.element("room-kafka"); kafka != nil && a.room.Kafka != nil {
		kafka.RemoveAttribute("hidden")
		kafka.SetAttribute("data-accepting", strconv.FormatBool(a.room.Kafka.Accepting))
		a.setText("room-kafka", a.room.Kafka.Text())
	}
	if root := a.root; root != nil {
		root.SetAttribute("data-room-seq", strconv.FormatInt(a.room.LastSeq, 10))
		root.SetAttribute("data-room-hashed-seq", strconv.FormatInt(a.room.HashedSeq, 10))
	}
}

// roomSend queues a frame for the room's server; false when offline.
func (a *App) roomSend(data []byte) bool {
	out := a.roomOut
	if out == nil {
		a.status("✕ Offline: the action was not sent. The page reconnects by itself; try again then.")
		return false
	}
	select {
	case out <- data:
		return true
	default:
		a.status("✕ Too many actions are waiting to be sent: this one was dropped.")
		return false
	}
}

// roomInput sends a person's step to the room instead of applying it: it
// comes back as an input frame, applied like everyone's.
func (a *App) roomInput(st scenario.Step) error {
	data, err := a.room.Input(a.model, st)
	if err != nil {
		return err
	}
	if a.roomSend(data) {
		a.status("Sent to the room: " + StepSummary(&st) + ".")
	}
	return nil
}

// roomMember sends the member form's name and colour to the room; the
// room answers with the members list, or an error shown beside the field.
func (a *App) roomMember(values Values) {
	if a.room == nil {
		return
	}
	if a.roomSend(a.room.MemberFrame(values["name"], values["colour"])) {
		a.setText("status-member", "Saving…")
	}
}

// memberAnswer shows the room's answer to the member form: a refusal
// beside its field, or an accepted change, which is remembered for the
// next visit (localStorage, read by joinRoom).
func (a *App) memberAnswer(event RoomEvent) {
	if len(event.MemberErrors) > 0 {
		if form := a.element("form-member"); form != nil {
			a.clearErrors(form, "member")
		}
		for i := range event.MemberErrors {
			a.showError("member", &event.MemberErrors[i])
		}
	}
	if event.Renamed {
		if form := a.element("form-member"); form != nil {
			a.clearErrors(form, "member")
		}
		a.saveSetting("playground.name", a.room.Name)
		a.saveSetting("playground.colour", a.room.Colour)
		a.fillMemberForm()
		a.roomOnline(true, "")
		a.status("You now appear as " + a.room.Name + ".")
	}
}

// fillMemberForm writes this person's name and colour into the member form.
func (a *App) fillMemberForm() {
	for id, value := range map[string]string{"member-name": a.room.Name, "member-colour": a.room.Colour} {
		if input := a.element(id); input != nil {
			input.Underlying().Set("value", value)
		}
	}
}

// roomSpeed sends the room's new speed (0 pauses).
func (a *App) roomSpeed(speed float64) {
	if a.roomSend(a.room.SpeedFrame(speed)) {
		a.status("Asked the room for time " + map[bool]string{true: "paused", false: SpeedLabel(speed)}[speed == 0] + ".")
	}
}

// roomRefuses says that an action is not available in a room.
func (a *App) roomRefuses(what string) {
	a.status("✕ In a room time is shared and only runs forward: " + what + " is not available here. Use Play and the speed.")
}

// checkRooms asks the server whether it hosts rooms, and offers to create
// one when it does.
func (a *App) checkRooms() {
	go func() {
		status, body, err := fetchBytes("GET", a.window.Location().Origin()+"/api/info", nil)
		if err != nil || status != 200 {
			return
		}
		var info struct {
			Rooms bool `json:"rooms"`
		}
		if json.Unmarshal(body, &info) != nil || !info.Rooms {
			return
		}
		if button := a.element("create-room"); button != nil && a.room == nil {
			button.RemoveAttribute("hidden")
		}
	}()
}

// createRoom creates a room from the session's journal and opens its link.
func (a *App) createRoom() {
	a.pause()
	document, err := scenario.Encode(a.model.Session().Scenario())
	if err != nil {
		a.status("✕ The scenario cannot be sent: " + err.Error())
		return
	}
	a.status("Creating a room…")
	go func() {
		status, body, err := fetchBytes("POST", a.window.Location().Origin()+"/api/rooms", document)
		if err != nil {
			a.status("✕ The room was not created: " + err.Error())
			return
		}
		var answer struct{ Token, URL, Error string }
		json.Unmarshal(body, &answer)
		if status != 201 || answer.URL == "" {
			a.status("✕ The room was not created: " + answer.Error)
			return
		}
		a.window.Location().SetHref(answer.URL)
	}()
}
