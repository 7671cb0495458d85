#!/usr/bin/env bash
# Installs what the tests need and this kind of machine may lack: Node.js
# (to run WebAssembly) and Debian's Chromium at /usr/bin/chromium (for the
# browser tests), npm with the Worker's pinned wrangler and workerd
# (worker/package-lock.json, into worker/node_modules), and for the Kafka
# gateway's real-client tests Debian's kcat (librdkafka) and the pinned
# kafkajs (backend/gateway/clienttest/kafkajs). Under CI=true a tool that
# cannot be installed is a failure, never a skip.
set -euo pipefail
need_apt=()
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
command -v kcat >/dev/null 2>&1 || need_apt+=(kcat)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing: ${need_apt[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
  elif [ "${CI:-}" = "true" ]; then
    echo "tools/deps.sh: cannot install ${need_apt[*]}: not root and no sudo" >&2
    exit 1
  else
    echo "tools/deps.sh: cannot install ${need_apt[*]} (not root, no sudo); tests that need them will be skipped" >&2
  fi
fi
node --version >/dev/null
if [ "${CI:-}" = "true" ]; then
  /usr/bin/chromium --version >/dev/null 2>&1 || { echo "tools/deps.sh: /usr/bin/chromium does not run" >&2; exit 1; }
  kcat -V >/dev/null 2>&1 || { echo "tools/deps.sh: kcat does not run" >&2; exit 1; }
fi
# The gateway's kafkajs tests: kafkajs is installed once (npm ci) and
# again only when its lockfile changes.
if command -v npm >/dev/null 2>&1; then
  bash "$(dirname "$0")/npm-ci.sh" "$(dirname "$0")/../backend/gateway/clienttest/kafkajs" kafkajs
elif [ "${CI:-}" = "true" ]; then
  echo "tools/deps.sh: npm is missing, so kafkajs cannot be installed" >&2
  exit 1
else
  echo "tools/deps.sh: npm is missing; the kafkajs tests will be skipped" >&2
fi
# The Worker's tests run wrangler, whose pinned version needs Node.js 20.3
# or later; worker/wrangler.sh installs it once (npm ci) and again only
# when the lockfile changes.
if node -e 'const [major, minor] = process.versions.node.split(".").map(Number); process.exit(major > 20 || (major === 20 && minor >= 3) ? 0 : 1)' &&
  command -v npm >/dev/null 2>&1; then
  bash "$(dirname "$0")/../worker/wrangler.sh" --version >/dev/null
elif [ "${CI:-}" = "true" ]; then
  echo "tools/deps.sh: the Worker's wrangler needs Node.js 20.3 or later and npm; found node $(node --version), npm $(npm --version 2>/dev/null || echo missing)" >&2
  exit 1
else
  echo "tools/deps.sh: the Worker's wrangler needs Node.js 20.3 or later and npm; the Worker's test will fail" >&2
fi
