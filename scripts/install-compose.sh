#!/usr/bin/env bash
# Installs Debian's docker-compose, which the tests use to check the compose files
# (`docker-compose config`; no Docker engine is needed for that), unless one is on PATH already.
# Needs root (or sudo) for apt-get.
set -euo pipefail
if command -v docker-compose >/dev/null 2>&1; then
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing docker-compose from Debian (apt-get)..." >&2
$sudo apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq docker-compose >&2
