#!/usr/bin/env bash
# Installs Chromium from Debian for the test of what Temporal Web shows (test/web/), unless a
# browser is there already: CHROMIUM_BIN, or chromium on PATH. Needs root (or sudo) for apt-get.
# Prints the browser's path.
set -euo pipefail
if [ -n "${CHROMIUM_BIN:-}" ] && [ -x "$CHROMIUM_BIN" ]; then
  echo "$CHROMIUM_BIN"
  exit 0
fi
if ! command -v chromium >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing chromium from Debian (apt-get)..." >&2
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >&2
fi
command -v chromium
