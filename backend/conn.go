package backend

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/kafka-playground/playground/backend/store"
	coregateway "github.com/kafka-playground/playground/core/gateway"
)

// Close codes the server uses besides the standard ones.
const (
	statusGoingAway       = websocket.StatusGoingAway
	statusPolicyViolation = websocket.StatusPolicyViolation
	statusTryAgainLater   = websocket.StatusTryAgainLater
	// statusTooSlow closes a connection whose send queue overflowed; the
	// client may reconnect and resume from the last seq it applied.
	statusTooSlow = websocket.StatusCode(4000)
)

// tailChunk is the number of stored inputs read at a time for a
// connection catching up.
const tailChunk = 512

// conn is one WebSocket connection of a member.
type conn struct {
	server *Server
	ws     *websocket.Conn
	// queue holds the frames waiting to be written, bounded: a client that
	// cannot keep up is closed instead of slowing the room.
	queue  chan []byte
	ctx    context.Context
	cancel context.CancelFunc

	mu          sync.Mutex
	closeStatus websocket.StatusCode
	closeReason string

	// room and member are set once joined; member belongs to the room's
	// goroutine.
	room    *room
	member  *member
	limiter tokenBucket
}

// serveWebSocket runs one connection: hello, then frames until either
// side closes.
func (s *Server) serveWebSocket(w http.ResponseWriter, r *http.Request) {
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: s.config.AllowedOrigins})
	if err != nil {
		return // Accept has answered (403 for a foreign origin)
	}
	ws.SetReadLimit(s.config.MaxFrameBytes)
	ctx, cancel := context.WithCancel(context.Background())
	c := &conn{server: s, ws: ws, queue: make(chan []byte, s.config.SendQueueFrames), ctx: ctx, cancel: cancel,
		limiter: newTokenBucket(s.config.FramesPerSecond, s.config.FrameBurst)}
	defer cancel()
	reply, ok := c.hello()
	if c.room != nil {
		defer c.server.release(c.room)
	}
	if !ok {
		c.closeNow()
		return
	}
	written := make(chan struct{})
	go func() {
		defer close(written)
		c.write(reply)
	}()
	c.read()
	c.room.leave(c)
	<-written
}

// hello reads the first frame, which must be hello, and joins the room.
func (c *conn) hello() (joinReply, bool) {
	ctx, cancel := context.WithTimeout(c.ctx, c.server.config.HelloTimeout)
	defer cancel()
	_, data, err := c.ws.Read(ctx)
	if err != nil {
		c.kick(statusPolicyViolation, "no hello frame")
		return joinReply{}, false
	}
	frame, err := parseClientFrame(data)
	if err == nil && frame.Type != frameHello {
		err = errors.New("the first frame must be hello")
	}
	var name, colour string
	if err == nil {
		name, err = checkName(deref(frame.Name))
	}
	if err == nil {
		colour, err = checkColour(deref(frame.Colour))
	}
	if err != nil {
		c.refuseNow(statusPolicyViolation, err.Error())
		return joinReply{}, false
	}
	if !validToken(frame.Room) {
		c.refuseNow(statusPolicyViolation, errNoRoom.Error())
		return joinReply{}, false
	}
	room, err := c.server.acquire(frame.Room)
	if err != nil {
		c.refuseNow(acquireStatus(err), err.Error())
		return joinReply{}, false
	}
	c.room = room
	reply, joined := room.join(request{kind: requestJoin, conn: c, name: name, colour: colour,
		since: *frame.Since, snapshot: frame.Snapshot, state: frame.State})
	if !joined {
		c.refuseNow(statusGoingAway, errServerClosing.Error())
		return joinReply{}, false
	}
	if reply.refusal != "" {
		c.refuseNow(statusTryAgainLater, reply.refusal)
		return joinReply{}, false
	}
	if err := c.server.store.Touch(c.ctx, room.id); err != nil {
		c.server.logger.Error("backend: a join could not be recorded", "room", room.token, "err", err)
	}
	return reply, true
}

// acquireStatus is the close code of a join that acquire refused.
func acquireStatus(err error) websocket.StatusCode {
	var full liveRoomsError
	switch {
	case errors.Is(err, errNoRoom):
		return statusPolicyViolation
	case errors.Is(err, errServerClosing):
		return statusGoingAway
	case errors.As(err, &full):
		return statusTryAgainLater
	}
	return websocket.StatusInternalError
}

func deref(text *string) string {
	if text == nil {
		return ""
	}
	return *text
}

// refuseNow writes an error frame, then closes the connection.
func (c *conn) refuseNow(status websocket.StatusCode, message string) {
	ctx, cancel := context.WithTimeout(c.ctx, c.server.config.WriteTimeout)
	defer cancel()
	c.ws.Write(ctx, websocket.MessageText, errorMessage("", "%s", message))
	c.kick(status, message)
}

// read handles the frames of a joined member until the connection ends.
func (c *conn) read() {
	for {
		_, data, err := c.ws.Read(context.Background())
		if err != nil {
			if websocket.CloseStatus(err) == websocket.StatusMessageTooBig {
				c.kick(websocket.StatusMessageTooBig, "frame too large")
			}
			c.kick(websocket.StatusNormalClosure, "")
			return
		}
		if !c.limiter.take(time.Now()) {
			c.enqueue(errorMessage("", "rate limit: at most %g frames per second (bursts of %d); this frame was dropped",
				c.server.config.FramesPerSecond, c.server.config.FrameBurst))
			continue
		}
		if !c.dispatch(data) {
			return
		}
	}
}

// dispatch checks one frame and hands it to the room.
func (c *conn) dispatch(data []byte) bool {
	frame, err := parseClientFrame(data)
	if err != nil {
		c.enqueue(errorMessage(idOf(data), "%s", err.Error()))
		return true
	}
	q := request{conn: c, id: frame.ID}
	switch frame.Type {
	case frameInput:
		q.kind, q.step = requestInput, frame.Step
	case frameSpeed:
		speed, err := parseSpeed(frame.Speed)
		if err != nil {
			c.enqueue(errorMessage(frame.ID, "%s", err.Error()))
			return true
		}
		q.kind, q.speed = requestSpeed, speed
	case frameMember:
		name, err := checkName(deref(frame.Name))
		colour, colourErr := checkColour(deref(frame.Colour))
		if err = errors.Join(err, colourErr); err != nil {
			c.enqueue(errorMessage("", "%s", err.Error()))
			return true
		}
		q.kind, q.name, q.colour = requestRename, name, colour
	default:
		c.enqueue(errorMessage(frame.ID, "a %s frame is only the first frame of a connection", frame.Type))
		return true
	}
	return c.room.send(c.ctx, q)
}

// idOf returns the "id" of a frame that did not parse, if it has one, so
// that the error frame can name the input it answers.
func idOf(data []byte) string {
	var frame struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(data, &frame) != nil || len(frame.ID) > maxIDLength {
		return ""
	}
	return frame.ID
}

// write sends the welcome, the journal tail from the store, the hash,
// then the queue, until the connection ends.
func (c *conn) write(reply joinReply) {
	defer c.closeNow()
	if !c.writeFrame(reply.welcome) || !c.writeTail(reply.tailAfter, reply.tailBefore) || !c.writeFrame(reply.hash) {
		return
	}
	for {
		select {
		case frame := <-c.queue:
			if !c.writeFrame(frame) {
				return
			}
		case <-c.ctx.Done():
			return
		}
	}
}

// writeTail sends the stored inputs in (after, before), a chunk of rows
// at a time so that no read transaction stays open while a client is
// slow. A run of clock ticks, one row, is sent as one frame per seq, the
// frames its ticks were sent as live.
func (c *conn) writeTail(after, before int64) bool {
	for after < before-1 {
		var rows []store.Input
		err := c.server.store.Inputs(c.ctx, c.room.id, after, before, tailChunk, func(input store.Input) error {
			rows = append(rows, input)
			return nil
		})
		if err != nil || len(rows) == 0 {
			if err != nil {
				c.server.logger.Error("backend: a room's journal could not be read for a member", "room", c.room.token, "after", after, "err", err)
			}
			c.kick(websocket.StatusInternalError, "the journal could not be read; reconnect")
			return false
		}
		for _, input := range rows {
			for seq := input.Seq; seq <= input.Last(); seq++ {
				if !c.writeFrame(encodeInputFrame(inputFrameOf(input, seq))) {
					return false
				}
			}
			after = input.Last()
		}
	}
	return true
}

// inputFrameOf is the input frame of a stored input at one of its seqs.
func inputFrameOf(input store.Input, seq int64) inputFrame {
	frame := inputFrame{Type: frameInput, Seq: seq, Actor: input.Actor, Step: input.Step, Gateway: input.Gateway}
	if input.Step == nil && input.Gateway == nil {
		frame.Speed = speedJSON(input.SpeedHundredths)
	}
	return frame
}

// encodeInputFrame encodes an input frame as encodeFrame does, but
// writes a gateway input as it is (its JSON form) or as base64 (its
// binary form), without encoding/json going over it again: it may be
// large.
func encodeInputFrame(frame inputFrame) []byte {
	if frame.Gateway == nil {
		return encodeFrame(frame)
	}
	gatewayInput := frame.Gateway
	frame.Gateway = coregateway.Journaled("null")
	head := encodeFrame(frame)
	marker := []byte(`"gateway":null`)
	at := bytes.LastIndex(head, marker)
	if at < 0 {
		panic("backend: an input frame without its gateway field")
	}
	out := make([]byte, 0, len(head)+len(gatewayInput)*4/3+2)
	out = append(out, head[:at+len(`"gateway":`)]...)
	out = gatewayInput.AppendJSON(out)
	return append(out, head[at+len(marker):]...)
}

// writeFrame writes one frame within the write timeout.
func (c *conn) writeFrame(frame []byte) bool {
	ctx, cancel := context.WithTimeout(c.ctx, c.server.config.WriteTimeout)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, frame); err != nil {
		c.kick(websocket.StatusNormalClosure, "")
		return false
	}
	return true
}

// enqueue queues a frame for the writer; a full queue closes the
// connection, which may reconnect and resume. It never blocks.
func (c *conn) enqueue(frame []byte) {
	if c.closed() {
		return
	}
	select {
	case c.queue <- frame:
	default:
		c.kick(statusTooSlow, "too slow: the send queue is full; reconnect and resume from the last seq applied")
	}
}

// kick ends the connection with a status, the first one given winning.
func (c *conn) kick(status websocket.StatusCode, reason string) {
	c.mu.Lock()
	if c.closeStatus == 0 {
		c.closeStatus, c.closeReason = status, reason
	}
	c.mu.Unlock()
	c.cancel()
}

// closed reports whether the connection is ending.
func (c *conn) closed() bool { return c.ctx.Err() != nil }

// closeNow closes the WebSocket with the status kick recorded.
func (c *conn) closeNow() {
	c.mu.Lock()
	status, reason := c.closeStatus, c.closeReason
	c.mu.Unlock()
	if status == 0 {
		status = websocket.StatusNormalClosure
	}
	c.ws.Close(status, reason)
}

// tokenBucket limits the frames a connection may send.
type tokenBucket struct {
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newTokenBucket(perSecond float64, burst int) tokenBucket {
	return tokenBucket{rate: perSecond, burst: float64(burst), tokens: float64(burst)}
}

// take spends one token if there is one.
func (b *tokenBucket) take(now time.Time) bool {
	if !b.last.IsZero() {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
