#!/usr/bin/env bash
# The quick start: installs what is missing and builds dist/ (for `npx styrmin` afterwards), then
# runs a local Temporal dev server (file database, Web UI), the Styrmin worker and the cluster in
# KUBECONFIG (or, without one, the Kubernetes API test server with the example application), and
# runs a setup and an upgrade of the example driver. Pass --exit to stop once both runs have ended;
# otherwise everything stays up for Temporal Web.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-tools.sh >/dev/null
export PATH="$PWD/.styrmin/bin:$PATH"
exec npx tsx scripts/quickstart.ts "$@"
