#!/usr/bin/env bash
# The core's benchmarks natively and in WebAssembly (Node.js, with the
# linear memory the page reserves: static/memory.js through
# tools/wasm-reserve.js), each COUNT times (default 3), printed as go test
# prints them and then as one table: the median records/s of every
# benchmark that reports it, natively and in WebAssembly, and how many
# times slower WebAssembly is.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
count=${COUNT:-3}
wasm_exec="$("$GO" env GOROOT)/lib/wasm/go_js_wasm_exec"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$GO" test -run '^$' -bench . -benchmem -count "$count" ./core/ | tee "$out/native"
GOOS=js GOARCH=wasm NODE_OPTIONS="--require $PWD/tools/wasm-reserve.js" \
  "$GO" test -run '^$' -bench . -benchmem -count "$count" -exec="$wasm_exec" ./core/ | tee "$out/wasm"

awk '
  # name, then the value before "records/s", per line of a benchmark.
  function record(kind) {
    name = $1; sub(/-[0-9]+$/, "", name)
    for (i = 2; i < NF; i++) if ($(i + 1) == "records/s") { values[kind, name, ++n[kind, name]] = $i; if (!(name in seen)) { seen[name] = 1; order[++names] = name } }
  }
  function median(kind, name,   k, j, t, m, v) {
    m = n[kind, name]
    for (k = 1; k <= m; k++) v[k] = values[kind, name, k]
    for (k = 2; k <= m; k++) for (j = k; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
  }
  FNR == 1 { kind = (FILENAME ~ /native$/) ? "native" : "wasm" }
  /^Benchmark/ { record(kind) }
  END {
    printf "\n%-40s %16s %16s %8s\n", "median of '"$count"' runs", "native rec/s", "wasm rec/s", "ratio"
    for (o = 1; o <= names; o++) if (n["native", name = order[o]] && n["wasm", name]) {
      native = median("native", name); wasm = median("wasm", name)
      printf "%-40s %16.0f %16.0f %7.2fx\n", name, native, wasm, native / wasm
    }
  }
' "$out/native" "$out/wasm"
