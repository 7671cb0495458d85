//go:build js && wasm

// Command worker is the playground as a Cloudflare Worker: the static
// page beside a short-link service whose links live in Cloudflare D1.
// The routes are those of package edge; this file only binds them to the
// Worker's environment (wrangler.jsonc):
//
//   - DB, a D1 database with the schema of backend/store/migrations, read
//     and written by the very link store the native backend uses
//     (links.SQLStore) through syumai/workers' database/sql driver;
//   - LINK_LIMITER, a rate-limiting binding keyed by the client's address;
//   - ASSETS, the static files (the page and its WebAssembly module),
//     which Cloudflare serves by itself for every path but /api/* and
//     /s/*; the Worker passes it what else reaches it;
//   - PLAYGROUND_TEST_ENDPOINTS, a variable that the tests set to "1"
//     to add edge's test-only routes; never set in a deployment.
//
// Build it with `make worker` (GOOS=js GOARCH=wasm and the JavaScript
// shim of syumai/workers), run it with `make worker-dev`.
package main

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"syscall/js"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/d1"

	"github.com/kafka-playground/playground/backend/links"
	"github.com/kafka-playground/playground/worker/edge"
)

func main() {
	config := edge.Config{Static: assets{binding: cloudflare.GetBinding("ASSETS")}}
	if connector, err := d1.OpenConnector("DB"); err == nil {
		db := sql.OpenDB(connector)
		config.Store = links.NewSQLStore(db)
		if cloudflare.Getenv("PLAYGROUND_TEST_ENDPOINTS") == "1" {
			config.Testing = &edge.Testing{Reset: func(ctx context.Context) error {
				_, err := db.ExecContext(ctx, `DELETE FROM links`)
				return err
			}}
		}
	}
	if binding := cloudflare.GetBinding("LINK_LIMITER"); binding.Truthy() {
		config.Limiter = rateLimiter{binding: binding}
	}
	workers.Serve(edge.Handler(config))
}

// rateLimiter is a Limiter over Cloudflare's rate-limiting binding.
type rateLimiter struct {
	binding js.Value
}

// Allow implements edge.Limiter.
func (l rateLimiter) Allow(_ context.Context, key string) (bool, error) {
	outcome, err := await(l.binding.Call("limit", map[string]any{"key": key}))
	if err != nil {
		return false, err
	}
	return outcome.Get("success").Bool(), nil
}

// await waits for a JavaScript promise.
func await(promise js.Value) (js.Value, error) {
	values, failures := make(chan js.Value, 1), make(chan js.Value, 1)
	resolve := js.FuncOf(func(_ js.Value, arguments []js.Value) any { values <- arguments[0]; return nil })
	reject := js.FuncOf(func(_ js.Value, arguments []js.Value) any { failures <- arguments[0]; return nil })
	defer resolve.Release()
	defer reject.Release()
	promise.Call("then", resolve, reject)
	select {
	case value := <-values:
		return value, nil
	case failure := <-failures:
		return js.Value{}, errors.New(failure.Call("toString").String())
	}
}

// assets serves a request from the static-assets binding, and the 404
// page for what it does not hold. It calls the binding's fetch through
// syscall/js rather than through an http.Client, whose transport would
// link crypto/tls and most of net/http's client into the module: about a
// third of its size, for nothing a Worker needs.
type assets struct {
	binding js.Value
}

func (a assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !a.binding.Truthy() || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		edge.NotFoundPage(w)
		return
	}
	headers := js.Global().Get("Headers").New()
	for name, values := range r.Header {
		for _, value := range values {
			headers.Call("append", name, value)
		}
	}
	init := js.Global().Get("Object").New()
	init.Set("method", r.Method)
	init.Set("headers", headers)
	init.Set("redirect", "manual")
	response, err := await(a.binding.Call("fetch", r.URL.String(), init))
	if err != nil {
		http.Error(w, "the static files could not be read: "+err.Error(), http.StatusBadGateway)
		return
	}
	status := response.Get("status").Int()
	if status == http.StatusNotFound {
		edge.NotFoundPage(w)
		return
	}
	body, err := await(response.Call("arrayBuffer"))
	if err != nil {
		http.Error(w, "the static files could not be read: "+err.Error(), http.StatusBadGateway)
		return
	}
	copyHeaders(w.Header(), response.Get("headers"))
	w.WriteHeader(status)
	data := make([]byte, body.Get("byteLength").Int())
	js.CopyBytesToGo(data, js.Global().Get("Uint8Array").New(body))
	w.Write(data)
}

// copyHeaders copies a JavaScript Headers object into header.
func copyHeaders(header http.Header, headers js.Value) {
	add := js.FuncOf(func(_ js.Value, arguments []js.Value) any {
		header.Add(arguments[1].String(), arguments[0].String())
		return nil
	})
	defer add.Release()
	headers.Call("forEach", add)
}
