package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"testing/fstest"
)

// testAssets is a small site with a precompressed module, as `make wasm`
// leaves static/dist.
func testAssets(t *testing.T) fstest.MapFS {
	t.Helper()
	module := bytes.Repeat([]byte("\x00asm module bytes "), 200)
	var compressed bytes.Buffer
	writer := gzip.NewWriter(&compressed)
	if _, err := writer.Write(module); err != nil {
		t.Fatal(err)
	}
	if err := writer.Close(); err != nil {
		t.Fatal(err)
	}
	return fstest.MapFS{
		"index.html":              {Data: []byte("<!doctype html><title>page</title>")},
		"playground.css":          {Data: []byte("body{}")},
		"dist/playground.wasm":    {Data: module},
		"dist/playground.wasm.gz": {Data: compressed.Bytes()},
		"dist/wasm_exec.js":       {Data: []byte("// loader")},
	}
}

// get requests path with the given Accept-Encoding.
func get(t *testing.T, handler http.Handler, path, acceptEncoding string, header ...string) *http.Response {
	t.Helper()
	request := httptest.NewRequest(http.MethodGet, path, nil)
	if acceptEncoding != "" {
		request.Header.Set("Accept-Encoding", acceptEncoding)
	}
	for i := 0; i+1 < len(header); i += 2 {
		request.Header.Set(header[i], header[i+1])
	}
	recorder := httptest.NewRecorder()
	handler.ServeHTTP(recorder, request)
	return recorder.Result()
}

func TestServeSendsTheModuleGzippedToClientsThatAcceptIt(t *testing.T) {
	assets := testAssets(t)
	handler := newAssetHandler(assets)
	response := get(t, handler, "/dist/playground.wasm", "gzip, deflate, br")
	if response.StatusCode != http.StatusOK {
		t.Fatalf("status %d", response.StatusCode)
	}
	if got := response.Header.Get("Content-Encoding"); got != "gzip" {
		t.Errorf("Content-Encoding %q, want gzip", got)
	}
	if got := response.Header.Get("Content-Type"); got != "application/wasm" {
		t.Errorf("Content-Type %q, want application/wasm", got)
	}
	if got := response.Header.Get("Vary"); got != "Accept-Encoding" {
		t.Errorf("Vary %q, want Accept-Encoding", got)
	}
	reader, err := gzip.NewReader(response.Body)
	if err != nil {
		t.Fatalf("the body is not gzip: %v", err)
	}
	body, err := io.ReadAll(reader)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(body, assets["dist/playground.wasm"].Data) {
		t.Errorf("the body does not unzip to the module")
	}
}

func TestServeSendsTheModulePlainWithoutGzip(t *testing.T) {
	assets := testAssets(t)
	handler := newAssetHandler(assets)
	for _, accept := range []string{"", "identity", "gzip;q=0, br", "deflate"} {
		response := get(t, handler, "/dist/playground.wasm", accept)
		if response.Header.Get("Content-Encoding") != "" {
			t.Errorf("Accept-Encoding %q: got Content-Encoding %q", accept, response.Header.Get("Content-Encoding"))
		}
		body, _ := io.ReadAll(response.Body)
		if !bytes.Equal(body, assets["dist/playground.wasm"].Data) {
			t.Errorf("Accept-Encoding %q: the body is not the module", accept)
		}
		if got := response.Header.Get("Content-Type"); got != "application/wasm" {
			t.Errorf("Content-Type %q, want application/wasm", got)
		}
	}
}

func TestServePageTypesAndRevalidation(t *testing.T) {
	handler := newAssetHandler(testAssets(t))
	for path, want := range map[string]string{
		"/":                  "text/html; charset=utf-8",
		"/playground.css":    "text/css; charset=utf-8",
		"/dist/wasm_exec.js": "text/javascript; charset=utf-8",
	} {
		response := get(t, handler, path, "gzip")
		if response.StatusCode != http.StatusOK || response.Header.Get("Content-Type") != want {
			t.Errorf("%s: status %d, Content-Type %q; want 200, %q", path, response.StatusCode, response.Header.Get("Content-Type"), want)
		}
		if response.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s has no .gz twin but was sent with Content-Encoding %q", path, response.Header.Get("Content-Encoding"))
		}
		etag := response.Header.Get("ETag")
		if etag == "" {
			t.Fatalf("%s has no ETag", path)
		}
		again := get(t, handler, path, "gzip", "If-None-Match", etag)
		if again.StatusCode != http.StatusNotModified {
			t.Errorf("%s with If-None-Match: status %d, want 304", path, again.StatusCode)
		}
	}
}

func TestServeRefusesWhatIsNotAPageFile(t *testing.T) {
	handler := newAssetHandler(testAssets(t))
	for _, path := range []string{"/missing.js", "/dist/playground.wasm.gz", "/dist/", "/../static.go"} {
		if response := get(t, handler, path, "gzip"); response.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, response.StatusCode)
		}
	}
	request := httptest.NewRequest(http.MethodPost, "/", nil)
	recorder := httptest.NewRecorder()
	handler.ServeHTTP(recorder, request)
	if recorder.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d, want 405", recorder.Code)
	}
}

// TestServeEmbedsThePrecompressedModule checks the real embedded files
// once `make wasm` has built them.
func TestServeEmbedsThePrecompressedModule(t *testing.T) {
	response := get(t, staticHandler(), "/dist/playground.wasm", "gzip")
	if response.StatusCode == http.StatusNotFound {
		needForWasm(t, "static/dist/playground.wasm is not built: run `make wasm`")
	}
	if response.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("the embedded module is served without gzip: is static/dist/playground.wasm.gz missing? `make wasm` writes it")
	}
	if response.Header.Get("Content-Type") != "application/wasm" {
		t.Errorf("Content-Type %q", response.Header.Get("Content-Type"))
	}
}

// TestBrowserModuleImportsNoServer keeps DESIGN.md's rule: the browser
// build never imports the backend or SQLite.
func TestBrowserModuleImportsNoServer(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go tool is not on PATH")
	}
	command := exec.Command(goTool, "list", "-deps", "../../wasm")
	command.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	output, err := command.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, output)
	}
	if !strings.Contains(string(output), "/wasm/ui\n") {
		t.Fatalf("go list -deps did not list the page's package:\n%s", output)
	}
	for _, line := range strings.Split(string(output), "\n") {
		if strings.Contains(line, "/backend") || strings.Contains(line, "go-sqlite3") {
			t.Errorf("the WebAssembly module imports %s", line)
		}
	}
}
