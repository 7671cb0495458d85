//go:build js && wasm

package ui

// The page's network: the browser's own fetch and WebSocket, reached
// through syscall/js. net/http and coder/websocket in WebAssembly wrap
// the same two browser APIs, but net/http links its whole client and
// crypto/tls into the module: 7 MB of the 19 MB it weighed with them,
// 1.7 MB of its 4.2 MB gzipped, past the page's budget of 3 MB.

import (
	"errors"
	"fmt"
	"sync"
	"syscall/js"
	"time"
)

// maxFetchBytes bounds the body of an answer the page reads.
const maxFetchBytes = 1 << 20

// fetchBytes makes an HTTP request with the browser's fetch and returns
// the answer's status and body. body is sent as JSON when not nil. It
// blocks the calling goroutine, never the page.
func fetchBytes(method, url string, body []byte) (status int, answer []byte, err error) {
	options := js.Global().Get("Object").New()
	options.Set("method", method)
	if body != nil {
		headers := js.Global().Get("Object").New()
		headers.Set("Content-Type", "application/json")
		options.Set("headers", headers)
		options.Set("body", string(body))
	}
	response, err := await(js.Global().Call("fetch", url, options))
	if err != nil {
		return 0, nil, err
	}
	text, err := await(response.Call("text"))
	if err != nil {
		return 0, nil, err
	}
	answer = []byte(text.String())
	if len(answer) > maxFetchBytes {
		return 0, nil, fmt.Errorf("%s %s: an answer of %d bytes, more than %d", method, url, len(answer), maxFetchBytes)
	}
	return response.Get("status").Int(), answer, nil
}

// await waits for a JavaScript promise and returns what it resolved to,
// or the error it was rejected with.
func await(promise js.Value) (js.Value, error) {
	type outcome struct {
		value js.Value
		err   error
	}
	done := make(chan outcome, 1)
	resolve := js.FuncOf(func(_ js.Value, args []js.Value) any {
		done <- outcome{value: argument(args)}
		return nil
	})
	reject := js.FuncOf(func(_ js.Value, args []js.Value) any {
		done <- outcome{err: errors.New(jsText(argument(args)))}
		return nil
	})
	defer resolve.Release()
	defer reject.Release()
	promise.Call("then", resolve, reject)
	o := <-done
	return o.value, o.err
}

func argument(args []js.Value) js.Value {
	if len(args) == 0 {
		return js.Undefined()
	}
	return args[0]
}

// jsText is how a JavaScript value (an Error, usually) reads.
func jsText(v js.Value) string {
	if v.Type() == js.TypeObject && v.Get("message").Type() == js.TypeString {
		return v.Get("message").String()
	}
	return js.Global().Call("String", v).String()
}

// socket is a browser WebSocket carrying text frames.
type socket struct {
	ws       js.Value
	messages chan []byte
	// closed is closed when the socket is; err then says why.
	closed chan struct{}
	once   sync.Once
	err    error
	funcs  []js.Func
}

// socketClosed is the error of a socket the other side, or the network,
// closed: the close code and the server's reason, when it gave one.
type socketClosed struct {
	Code   int
	Reason string
}

func (e socketClosed) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("closed (%d): %s", e.Code, e.Reason)
	}
	return fmt.Sprintf("closed (%d)", e.Code)
}

// maxSocketMessages bounds the frames received and not yet read; a page
// that falls this far behind is closed, and reconnects.
const maxSocketMessages = 4096

// socketOpenTimeout bounds the wait for a WebSocket to open.
const socketOpenTimeout = 15 * time.Second

// dialSocket opens a WebSocket to url and waits until it is open, or
// failed to open, or socketOpenTimeout passed.
func dialSocket(url string) (*socket, error) {
	s := &socket{ws: js.Global().Get("WebSocket").New(url), messages: make(chan []byte, maxSocketMessages), closed: make(chan struct{})}
	opened := make(chan struct{})
	s.on("open", func(js.Value) { close(opened) })
	s.on("message", func(event js.Value) {
		select {
		case s.messages <- []byte(event.Get("data").String()):
		default:
			s.Close(4000, "the page fell behind")
		}
	})
	s.on("close", func(event js.Value) {
		s.finish(socketClosed{Code: event.Get("code").Int(), Reason: event.Get("reason").String()})
	})
	select {
	case <-opened:
		return s, nil
	case <-s.closed:
		return nil, fmt.Errorf("the WebSocket to %s did not open: %w", url, s.err)
	case <-time.After(socketOpenTimeout):
		s.Close(websocketNormalClosure, "")
		return nil, fmt.Errorf("the WebSocket to %s did not open within %s", url, socketOpenTimeout)
	}
}

// on listens to one of the socket's events.
func (s *socket) on(event string, handle func(js.Value)) {
	f := js.FuncOf(func(_ js.Value, args []js.Value) any {
		handle(argument(args))
		return nil
	})
	s.funcs = append(s.funcs, f)
	s.ws.Call("addEventListener", event, f)
}

// finish marks the socket closed, once, and lets go of its listeners.
func (s *socket) finish(err error) {
	s.once.Do(func() {
		s.err = err
		close(s.closed)
		for _, f := range s.funcs {
			f.Release()
		}
		s.funcs = nil
	})
}

// Read returns the next frame, or why the socket closed.
func (s *socket) Read() ([]byte, error) {
	select {
	case data := <-s.messages:
		return data, nil
	case <-s.closed:
		select {
		case data := <-s.messages:
			return data, nil
		default:
			return nil, s.err
		}
	}
}

// Write sends one text frame.
func (s *socket) Write(data []byte) error {
	select {
	case <-s.closed:
		return s.err
	default:
	}
	s.ws.Call("send", string(data))
	return nil
}

// Close closes the socket with a code and reason, as the WebSocket
// protocol carries them. Browsers accept 1000 and 3000 to 4999 only.
func (s *socket) Close(code int, reason string) {
	select {
	case <-s.closed:
		return
	default:
	}
	s.ws.Call("close", code, reason)
	s.finish(socketClosed{Code: code, Reason: reason})
}
