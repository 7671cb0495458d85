#!/usr/bin/env bash
# Installs what the tests need and this kind of machine may lack: Node.js
# (to run WebAssembly). Under CI=true a tool that cannot be installed is a
# failure, never a skip.
set -euo pipefail
need_apt=()
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing: ${need_apt[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
  fi
fi
node --version >/dev/null
