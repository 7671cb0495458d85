#!/usr/bin/env bash
# Installs what the tests need and this kind of machine may lack: Node.js
# (to run WebAssembly) and Debian's Chromium at /usr/bin/chromium (for the
# browser tests). Under CI=true a tool that cannot be installed is a
# failure, never a skip.
set -euo pipefail
need_apt=()
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
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
fi
