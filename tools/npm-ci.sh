#!/usr/bin/env bash
# Installs the npm packages pinned in FOLDER's package.json and
# package-lock.json into FOLDER/node_modules with `npm ci`, when
# node_modules is missing, lacks one of the PACKAGEs named, or was
# installed from another lockfile (node_modules/.installed-lock holds the
# hash of the one it came from); otherwise it does nothing. node_modules
# (git-ignored) is the cache. worker/wrangler.sh does the same for
# wrangler.
# Usage: tools/npm-ci.sh FOLDER PACKAGE...
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: tools/npm-ci.sh FOLDER PACKAGE..." >&2
  exit 2
fi
folder=$1
shift
cd "$folder"
lock=$(sha256sum package-lock.json | cut -d' ' -f1)
installed=true
[ "$(cat node_modules/.installed-lock 2>/dev/null)" = "$lock" ] || installed=false
for package in "$@"; do
  [ -f "node_modules/$package/package.json" ] || installed=false
done
if [ "$installed" = false ]; then
  echo "$folder: installing $* from package-lock.json (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$lock" > node_modules/.installed-lock
fi
