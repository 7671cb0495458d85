#!/usr/bin/env bash
# Runs the pinned wrangler (package.json, package-lock.json) from this
# folder, installing it first with `npm ci` when node_modules is missing
# or was installed from another lockfile. node_modules stays here
# (git-ignored) as the cache: later runs start at once.
set -euo pipefail
cd "$(dirname "$0")"
lock=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.installed-lock 2>/dev/null)" != "$lock" ] || [ ! -x node_modules/.bin/wrangler ]; then
  echo "worker: installing wrangler from package-lock.json (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$lock" > node_modules/.installed-lock
fi
# No usage reports: this machine, like CI, reaches
# only the package registries.
export WRANGLER_SEND_METRICS=false
exec node_modules/.bin/wrangler "$@"
