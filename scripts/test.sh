#!/usr/bin/env bash
# Runs every test: installs what they need (npm packages, Temporal CLI, Helm) when missing and
# builds dist/, since the tests that start the worker or the `styrmin` command run the compiled
# code; then Jest. The tests start their own Temporal dev server, Kubernetes API test server and
# chart repositories on 127.0.0.1. Extra arguments go to Jest (e.g. a test path).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-tools.sh
export PATH="$PWD/.styrmin/bin:$PATH"
npm test -- "$@"
