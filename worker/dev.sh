#!/usr/bin/env bash
# Runs the built Worker (build.sh) on this machine with wrangler and
# workerd: first the D1 migrations (../backend/store/migrations, the
# native backend's own) into a local D1 database, then `wrangler dev`.
#   WORKER_PORT   the port on 127.0.0.1 (8787)
#   WORKER_STATE  where the local D1 database and other state live
#                 (.wrangler/state)
# Other arguments go to `wrangler dev` (the tests add
# `--var PLAYGROUND_TEST_ENDPOINTS:1`).
set -euo pipefail
cd "$(dirname "$0")"
[ -f build/app.wasm ] || { echo "worker: build/ is missing: run \`make worker\` first" >&2; exit 1; }
port=${WORKER_PORT:-8787}
state=${WORKER_STATE:-.wrangler/state}
# Local migrations need no confirmation: with no terminal on its input,
# wrangler applies them without asking.
./wrangler.sh d1 migrations apply DB --local --persist-to "$state" </dev/null
exec ./wrangler.sh dev --ip 127.0.0.1 --port "$port" --persist-to "$state" --show-interactive-dev-session=false "$@"
