#!/usr/bin/env bash
# Builds the Worker into build/: the JavaScript shim of syumai/workers
# (its workers-assets-gen, at the version go.mod pins), this folder's Go
# compiled to build/app.wasm, and the page with its WebAssembly module
# (from ../static, built by `make wasm`) in build/public. Then prints the
# size Cloudflare limits and fails over the Free plan's 3 MiB, unless
# WORKER_PLAN=paid (10 MiB).
set -euo pipefail
cd "$(dirname "$0")"
GO=${GO:-go}
for file in index.html playground.css memory.js dist/playground.wasm dist/wasm_exec.js; do
  [ -f "../static/$file" ] || { echo "worker: ../static/$file is missing: run \`make wasm\` first" >&2; exit 1; }
done
"$GO" run github.com/syumai/workers/cmd/workers-assets-gen -mode=go -o build
GOOS=js GOARCH=wasm "$GO" build -trimpath -ldflags=-s -o build/app.wasm .
mkdir -p build/public/dist
cp ../static/index.html ../static/playground.css ../static/memory.js build/public/
cp ../static/dist/playground.wasm ../static/dist/wasm_exec.js build/public/dist/

# The size: what `wrangler deploy` would upload (the bundled shim and
# app.wasm; the static assets are uploaded apart and do not count), as
# wrangler itself measures it in a dry run, and the same modules each
# compressed with gzip -9 here; the larger is checked.
free_bytes=$((3 << 20))
paid_bytes=$((10 << 20))
limit_bytes=$free_bytes plan=Free
[ "${WORKER_PLAN:-free}" = paid ] && limit_bytes=$paid_bytes plan=Paid
raw_bytes=0 gzip_bytes=0
for module in build/app.wasm build/worker.mjs build/runtime.mjs build/wasm_exec.js; do
  raw_bytes=$((raw_bytes + $(wc -c < "$module")))
  gzip_bytes=$((gzip_bytes + $(gzip -9 -n -c "$module" | wc -c)))
done
upload=$(./wrangler.sh deploy --dry-run --outdir build/dry-run 2>&1 | grep -o 'Total Upload: .*') ||
  { echo "worker: \`wrangler deploy --dry-run\` did not report the upload's size" >&2; exit 1; }
wrangler_gzip_bytes=$(echo "$upload" | awk '{ for (i = 1; i <= NF; i++) if ($i == "gzip:") { printf "%d", $(i + 1) * 1024 } }')
[ -n "$wrangler_gzip_bytes" ] || { echo "worker: could not read the size in: $upload" >&2; exit 1; }
checked_bytes=$(( wrangler_gzip_bytes > gzip_bytes ? wrangler_gzip_bytes : gzip_bytes ))
mib() { awk -v b="$1" 'BEGIN { printf "%.2f MiB", b / 1048576 }'; }
echo "worker: modules $(mib $raw_bytes), gzip -9 $(mib $gzip_bytes); wrangler's $upload"
echo "worker: size $(mib $checked_bytes) compressed, against Cloudflare's limit on a Worker of 3 MiB (Free plan," \
  "$((checked_bytes * 100 / free_bytes))%) and 10 MiB (Paid plan, $((checked_bytes * 100 / paid_bytes))%)"
if [ "$checked_bytes" -gt "$limit_bytes" ]; then
  echo "worker: the Worker is over the $plan plan's limit of $(mib $limit_bytes) compressed" \
    "(WORKER_PLAN=paid checks against 10 MiB)" >&2
  exit 1
fi
