# Kafka Playground. Two commands do all set-up: `make run` and `make test`.
SHELL := bash
GO ?= go
GOROOT := $(shell $(GO) env GOROOT)
WASM_EXEC := $(GOROOT)/lib/wasm/go_js_wasm_exec
ADDR ?= 127.0.0.1:8080
# Packages whose tests also run in WebAssembly (Node): the whole core and the page's model.
WASM_PACKAGES := ./core/... ./wasm/ui/...

.PHONY: build wasm run test deps fmt-check vet test-native test-wasm fuzz-short test-long test-clients bench clean worker worker-dev deploy

## build: the playground binary with the WebAssembly module embedded
build: wasm
	$(GO) build -o bin/playground ./cmd/playground

## wasm: the browser module, gzipped beside it for serve, and its loader into static/dist
wasm:
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags=-s -o static/dist/playground.wasm ./wasm
	gzip -9 -n -k -f static/dist/playground.wasm
	cp "$(GOROOT)/lib/wasm/wasm_exec.js" static/dist/wasm_exec.js

## run: build, then serve the playground and print its URL
run: build
	./bin/playground serve --addr $(ADDR)

## worker: the playground as a Cloudflare Worker (Go in WebAssembly with syumai/workers) into worker/build, and its size against Cloudflare's limit
worker: wasm
	GO=$(GO) bash worker/build.sh

## worker-dev: the Worker on this machine (wrangler dev, workerd) with a local D1 made from backend/store/migrations, on http://127.0.0.1:8787
worker-dev: worker
	bash worker/dev.sh

## deploy: the Worker onto your own Cloudflare account; refuses without CLOUDFLARE_API_TOKEN (see README)
deploy:
	bash worker/deploy.sh

## test: everything CI runs (test-native includes the Worker's test, worker/worker_test.go)
test: deps fmt-check vet wasm test-native fuzz-short test-wasm

deps:
	@bash tools/deps.sh

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./core/... ./wasm/... ./worker/...

test-native:
	$(GO) test -count=1 ./...

test-wasm:
	GOOS=js GOARCH=wasm $(GO) test -count=1 -exec="$(WASM_EXEC)" $(WASM_PACKAGES)

## fuzz-short: ten seconds each of fuzzing the scenario decoder, the link decoder, the gateway's request translation and its journal's reader, the snapshot decoder and a room's state restore
fuzz-short:
	$(GO) test -run '^$$' -fuzz FuzzDecode -fuzztime 10s -fuzzminimizetime 1s ./core/scenario/
	$(GO) test -run '^$$' -fuzz FuzzDecodeLink -fuzztime 10s -fuzzminimizetime 1s ./core/link/
	$(GO) test -run '^$$' -fuzz '^FuzzRequest$$' -fuzztime 10s -fuzzminimizetime 1s ./backend/gateway/
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime 10s -fuzzminimizetime 1s ./core/snapshot/
	$(GO) test -run '^$$' -fuzz '^FuzzRestoreState$$' -fuzztime 10s -fuzzminimizetime 1s ./core/room/
	$(GO) test -run '^$$' -fuzz '^FuzzParseInput$$' -fuzztime 10s -fuzzminimizetime 1s ./core/gateway/

## test-long: the randomized tests and playground fuzz over many more seeds
test-long:
	$(GO) test -count=1 -run 'TestRandomFaults' -timeout 60m ./core/ -seeds=10000
	$(GO) test -count=1 -run 'TestRandomTransactions' -timeout 60m ./core/ -txn-seeds=500
	$(GO) test -count=1 -run 'TestRandomConsumerGroups' -timeout 60m ./core/ -group-seeds=300
	mkdir -p fuzz-failures && $(GO) run ./cmd/playground fuzz --seeds 2000 --out fuzz-failures

## test-clients: franz-go's own kgo tests (the version go.mod pins) against playground serve --kafka, one test a process, then a summary; not part of test
test-clients: wasm
	$(GO) test -count=1 -run '^TestFranzGoSuite$$' -timeout 120m -v ./backend/gateway/clienttest/ -franz-go-suite

## bench: throughput and memory figures, natively and in WebAssembly, the server's journal, fan-out, restart, restore of a week of ticks and start with 1,000 rooms, franz-go's produce through the Kafka gateway beside kfake, and the browser budgets
bench: wasm
	GO=$(GO) bash tools/bench-core.sh
	$(GO) test -run '^$$' -bench JournalCommit ./backend/store/
	$(GO) test -run '^$$' -bench FanOut -benchtime 500x ./backend/
	$(GO) test -run '^$$' -bench RestartMillionRecords -benchtime 3x ./backend/
	$(GO) test -run '^$$' -bench 'RestoreWeekOfTicks|StartThousandRooms' -benchtime 3x ./backend/
	$(GO) test -run '^$$' -bench ProduceThroughput -benchtime 300000x -count 5 ./backend/gateway/clienttest/
	$(GO) test -run '^$$' -bench GatewayRoomHeap -benchtime 200000x ./backend/gateway/clienttest/
	set -o pipefail; $(GO) test -count=1 -run '^TestBrowserBudgets$$' ./cmd/playground/ -budgets -v | grep -E '^(budget|--- |ok|FAIL)'

clean:
	rm -rf bin static/dist/playground.wasm static/dist/playground.wasm.gz static/dist/wasm_exec.js worker/build
