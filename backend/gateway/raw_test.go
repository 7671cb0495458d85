package gateway

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/kafka-playground/playground/core/protocol"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// rawConn is one TCP connection to a broker's port that sends requests at
// chosen versions, as a client of that version would, and reads their
// responses: the tests of each translation's edge cases use it.
type rawConn struct {
	t           *testing.T
	socket      net.Conn
	formatter   *kmsg.RequestFormatter
	correlation int32
}

func dialRaw(t *testing.T, g *Gateway, broker int32) *rawConn {
	t.Helper()
	c, err := dialRawOnce(t, g, broker)
	if err != nil {
		t.Fatalf("broker %d: %v", broker, err)
	}
	return c
}

// dialRawOnce is dialRaw for a port that may be closed.
func dialRawOnce(t *testing.T, g *Gateway, broker int32) (*rawConn, error) {
	socket, err := net.DialTimeout("tcp", g.Addresses()[broker], time.Second)
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { socket.Close() })
	return &rawConn{t: t, socket: socket, formatter: kmsg.NewRequestFormatter(kmsg.FormatterClientID("raw-client"))}, nil
}

// do sends req at version and returns its response.
func (r *rawConn) do(req kmsg.Request, version int16) kmsg.Response {
	r.t.Helper()
	req.SetVersion(version)
	r.correlation++
	if _, err := r.socket.Write(r.formatter.AppendRequest(nil, req, r.correlation)); err != nil {
		r.t.Fatalf("%s v%d: %v", kmsg.NameForKey(req.Key()), version, err)
	}
	r.socket.SetReadDeadline(time.Now().Add(20 * time.Second))
	var size [4]byte
	if _, err := io.ReadFull(r.socket, size[:]); err != nil {
		r.t.Fatalf("%s v%d: %v", kmsg.NameForKey(req.Key()), version, err)
	}
	body := make([]byte, binary.BigEndian.Uint32(size[:]))
	if _, err := io.ReadFull(r.socket, body); err != nil {
		r.t.Fatalf("%s v%d: %v", kmsg.NameForKey(req.Key()), version, err)
	}
	if correlation := int32(binary.BigEndian.Uint32(body)); correlation != r.correlation {
		r.t.Fatalf("%s v%d: correlation id %d, want %d", kmsg.NameForKey(req.Key()), version, correlation, r.correlation)
	}
	body = body[4:]
	resp := req.ResponseKind()
	resp.SetVersion(version)
	if resp.IsFlexible() && req.Key() != apiVersionsKey {
		var err error
		if body, err = skipTags(body); err != nil {
			r.t.Fatal(err)
		}
	}
	if err := resp.ReadFrom(body); err != nil {
		r.t.Fatalf("%s v%d response: %v", kmsg.NameForKey(req.Key()), version, err)
	}
	return resp
}

// expectCode fails the test unless code is want.
func expectCode(t *testing.T, what string, code int16, want protocol.ErrorCode) {
	t.Helper()
	if protocol.ErrorCode(code) != want {
		t.Errorf("%s: %s, want %s", what, protocol.ErrorCode(code), want)
	}
}

// coordinatorOf asks broker 1 for a key's coordinator (FindCoordinator
// v3) until the internal topic exists and has a leader.
func coordinatorOf(t *testing.T, g *Gateway, keyType int8, key string) int32 {
	t.Helper()
	c := dialRaw(t, g, 1)
	deadline := time.Now().Add(30 * time.Second)
	for {
		req := kmsg.NewPtrFindCoordinatorRequest()
		req.CoordinatorKey, req.CoordinatorType = key, keyType
		resp := c.do(req, 3).(*kmsg.FindCoordinatorResponse)
		if resp.ErrorCode == 0 {
			if want := g.Addresses()[resp.NodeID]; net.JoinHostPort(resp.Host, fmt.Sprint(resp.Port)) != want {
				t.Errorf("coordinator %d at %s:%d, its port is %s", resp.NodeID, resp.Host, resp.Port, want)
			}
			return resp.NodeID
		}
		if time.Now().After(deadline) {
			t.Fatalf("no coordinator for %q: %s", key, protocol.ErrorCode(resp.ErrorCode))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// otherBroker is a broker of a three-broker cluster other than the ones given.
func otherBroker(not ...int32) int32 {
	for id := int32(1); id <= 3; id++ {
		taken := false
		for _, n := range not {
			taken = taken || n == id
		}
		if !taken {
			return id
		}
	}
	return -1
}

// groupOn finds a group id coordinated by broker, with a prefix.
func groupOn(t *testing.T, g *Gateway, broker int32, prefix string) string {
	t.Helper()
	c := dialRaw(t, g, broker)
	req := kmsg.NewPtrFindCoordinatorRequest()
	for i := 0; i < 64; i++ {
		req.CoordinatorKeys = append(req.CoordinatorKeys, fmt.Sprintf("%s-%d", prefix, i))
	}
	resp := c.do(req, 4).(*kmsg.FindCoordinatorResponse)
	for _, rc := range resp.Coordinators {
		if rc.ErrorCode == 0 && rc.NodeID == broker {
			return rc.Key
		}
	}
	t.Fatalf("no group %s-N is coordinated by broker %d: %+v", prefix, broker, resp.Coordinators)
	return ""
}
