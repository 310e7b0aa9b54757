#!/usr/bin/env bash
# A real Kubernetes control plane on this machine, for the Kubernetes-facing tests:
# kube-apiserver, kube-controller-manager and kube-scheduler with etcd, all bound to 127.0.0.1,
# plus kwok standing in for the kubelet of one node. There are no containers: kwok moves pods
# through their lifecycle (scripts/real-cluster/stages.yaml) and runs `pods/exec` commands as
# local processes, with scripts/real-cluster/exec-path first on their PATH.
#
#   scripts/real-cluster.sh build   build the binaries (once; again when a pinned version changes)
#   scripts/real-cluster.sh up      start the cluster; the last line of stdout is the kubeconfig path
#   scripts/real-cluster.sh down    stop the cluster and remove its state (the binaries stay)
#   scripts/real-cluster.sh env     print shell exports for the running cluster
#   scripts/real-cluster.sh status  tell whether the cluster is up, with its processes
#
# Run the tests against it:
#   STYRMIN_TEST_KUBECONFIG=$(scripts/real-cluster.sh up | tail -1) bash scripts/test.sh test/activities
#
# Everything is built, niced, from Go modules with the local Go toolchain (the Go module proxy
# only: no release downloads, no containers), kwok with scripts/real-cluster/kwok-exec-exit-code.patch
# applied, into a folder outside the repository:
#   STYRMIN_REAL_CLUSTER_HOME  default $HOME/.cache/styrmin/real-cluster
#     bin/       the binaries, and .versions: what they were built from
#     src/       the Go modules they are built in (kept, so a rebuild is quicker)
#     kwok/      the cluster's state while it is up: certificates, etcd data, logs, pid files
#     kubeconfig the admin kubeconfig of the running cluster
# Other settings:
#   STYRMIN_REAL_CLUSTER_PORT  kube-apiserver port on 127.0.0.1 (default 32443)
set -euo pipefail

# ---- Pinned versions ---------------------------------------------------------------------------
KUBE_VERSION=1.36.3   # k8s.io/kubernetes: kube-apiserver, kube-controller-manager, kube-scheduler, kubectl
ETCD_VERSION=3.6.16   # go.etcd.io/etcd/server/v3
KWOK_VERSION=0.8.0    # sigs.k8s.io/kwok: kwok (patched, see kwok_source) and kwokctl

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FILES=$SCRIPT_DIR/real-cluster
RC_HOME=${STYRMIN_REAL_CLUSTER_HOME:-$HOME/.cache/styrmin/real-cluster}
BIN=$RC_HOME/bin
SRC=$RC_HOME/src
KWOK_PATCH=$FILES/kwok-exec-exit-code.patch
CLUSTER=styrmin
PORT=${STYRMIN_REAL_CLUSTER_PORT:-32443}
KUBECONFIG_FILE=$RC_HOME/kubeconfig
NODE=kwok-node-0

# kwokctl keeps its clusters under KWOK_WORKDIR. Other KWOK_* variables would override the
# configuration written below (authorization, ports, ...), so they are cleared.
while read -r var; do unset "$var"; done < <(compgen -e | grep '^KWOK_' || true)
export KWOK_WORKDIR=$RC_HOME/kwok
CLUSTER_DIR=$KWOK_WORKDIR/clusters/$CLUSTER
# kubectl's discovery cache (run here and by kwokctl) stays in RC_HOME too.
export KUBECACHEDIR=$RC_HOME/kubectl-cache

log() { echo "real-cluster: $*" >&2; }
die() { log "$*"; exit 1; }

# What the binaries in bin/ must have been built from. A change here (a version, the kwok patch)
# makes `build` rebuild the part concerned.
stamp_kubernetes() { echo "kubernetes v$KUBE_VERSION"; }
stamp_etcd() { echo "etcd v$ETCD_VERSION"; }
stamp_kwok() { echo "kwok v$KWOK_VERSION patch $(sha256sum < "$KWOK_PATCH" | cut -c1-16)"; }

# built PART: true when bin/.versions records PART's current stamp.
built() { grep -qxF "$("stamp_$1")" "$BIN/.versions" 2>/dev/null; }

# record PART: replaces PART's line in bin/.versions with its current stamp.
record() {
  local line
  line=$("stamp_$1")
  { grep -v "^$1 " "$BIN/.versions" 2>/dev/null || true; echo "$line"; } > "$BIN/.versions.tmp"
  mv -f "$BIN/.versions.tmp" "$BIN/.versions"
}

# ================================================================================================
# build
# ================================================================================================

# only_source DIR: removes the other versions' folders next to src/DIR (e.g. kubernetes-v1.35.0
# when DIR is kubernetes-v1.36.3).
only_source() {
  local d
  for d in "$SRC/${1%-v*}"-v*; do
    [ "$d" = "$SRC/$1" ] || rm -rf "$d"
  done
}

# timed NAME CMD...: runs CMD, reports its wall time and appends it to build-times.log.
timed() {
  local name=$1 t0=$SECONDS
  shift
  log "building $name"
  "$@"
  log "built $name in $((SECONDS - t0))s"
  echo "$(date -u +%FT%TZ) $name $((SECONDS - t0))s" >> "$RC_HOME/build-times.log"
}

# gobuild DIR OUT PKG [LDFLAGS]: go build, niced, in module DIR; OUT appears only when complete.
gobuild() {
  (cd "$1" && nice -n 19 go build -ldflags "-s -w ${4:-}" -o "$2.partial" "$3")
  mv -f "$2.partial" "$2"
}

# The Kubernetes commands. k8s.io/kubernetes requires its staging modules (k8s.io/api,
# k8s.io/apiserver, ...) at v0.0.0 with `replace => ./staging/...`, which only resolves inside
# its own repository. So they are built in a small module of our own that requires
# k8s.io/kubernetes and replaces each staging module with its release (v0.36.3 for v1.36.3); the
# list of staging modules is read from kubernetes' go.mod.
kubernetes_module() {
  local dir=$SRC/kubernetes-v$KUBE_VERSION gomod m
  only_source "kubernetes-v$KUBE_VERSION"
  [ -f "$dir/go.sum" ] && return
  rm -rf "$dir" && mkdir -p "$dir"
  gomod=$(module_field "k8s.io/kubernetes@v$KUBE_VERSION" GoMod)
  (
    cd "$dir"
    go mod init styrmin.local/real-cluster/kubernetes 2>/dev/null
    go mod edit -require="k8s.io/kubernetes@v$KUBE_VERSION"
    for m in $(sed -n 's#^[[:space:]]*\(k8s\.io/[A-Za-z0-9._-]*\) => \./staging/.*#\1#p' "$gomod"); do
      go mod edit -replace="$m=$m@v0.${KUBE_VERSION#1.}"
    done
    # A file importing the commands, so that `go mod tidy` resolves everything they need.
    cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
    # -e: some of kubernetes' own test-only dependencies need not resolve for the commands.
    go mod tidy -e
  )
}

# kubernetes_command NAME: builds k8s.io/kubernetes/cmd/NAME, stamped with its release version
# (what `--version` prints and what the API server reports at /version).
kubernetes_command() {
  local minor v ldflags=""
  minor=$(cut -d. -f2 <<<"$KUBE_VERSION")
  for v in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $v.gitVersion=v$KUBE_VERSION -X $v.gitMajor=1 -X $v.gitMinor=$minor -X $v.gitTreeState=clean"
  done
  gobuild "$SRC/kubernetes-v$KUBE_VERSION" "$BIN/$1" "k8s.io/kubernetes/cmd/$1" "$ldflags"
}

# etcd: go.etcd.io/etcd/server/v3 is the etcd command. Its own go.mod replaces its sibling
# modules with local paths, so it is built as a dependency of a module of our own too.
etcd_module() {
  local dir=$SRC/etcd-v$ETCD_VERSION
  only_source "etcd-v$ETCD_VERSION"
  [ -f "$dir/go.sum" ] && return
  rm -rf "$dir" && mkdir -p "$dir"
  (
    cd "$dir"
    go mod init styrmin.local/real-cluster/etcd 2>/dev/null
    printf '//go:build tools\n\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n' > tools.go
    go get "go.etcd.io/etcd/server/v3@v$ETCD_VERSION"
    go mod tidy
  )
}

# A field of `go mod download -json <module@version>` (downloading the module if needed).
module_field() {
  go mod download -json "$1" | python3 -c "import json, sys; print(json.load(sys.stdin)['$2'])"
}

# kwok and kwokctl, from a copy of the module source with kwok-exec-exit-code.patch applied.
kwok_source() {
  local dir=$SRC/kwok-v$KWOK_VERSION mod
  only_source "kwok-v$KWOK_VERSION"
  mod=$(module_field "sigs.k8s.io/kwok@v$KWOK_VERSION" Dir)
  rm -rf "$dir"
  cp -r "$mod" "$dir"
  chmod -R u+w "$dir"
  # git apply works on plain folders too; git is there wherever this repository was cloned.
  git -C "$dir" apply -p1 "$KWOK_PATCH"
}

kwok_commands() {
  local c
  for c in kwok kwokctl; do
    gobuild "$SRC/kwok-v$KWOK_VERSION" "$BIN/$c" "./cmd/$c" "-X sigs.k8s.io/kwok/pkg/consts.Version=v$KWOK_VERSION"
  done
}

cmd_build() {
  command -v go >/dev/null || die "go is not on PATH"
  mkdir -p "$BIN" "$SRC"
  # Static binaries, reproducible paths; the local toolchain (no toolchain downloads).
  export CGO_ENABLED=0 GOFLAGS="-trimpath -buildvcs=false" GOTOOLCHAIN=local
  local t0=$SECONDS c
  if ! built kubernetes; then
    timed "Kubernetes v$KUBE_VERSION modules" kubernetes_module
    for c in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
      timed "$c v$KUBE_VERSION" kubernetes_command "$c"
    done
    record kubernetes
  fi
  if ! built etcd; then
    timed "etcd v$ETCD_VERSION module" etcd_module
    timed "etcd v$ETCD_VERSION" gobuild "$SRC/etcd-v$ETCD_VERSION" "$BIN/etcd" go.etcd.io/etcd/server/v3
    record etcd
  fi
  if ! built kwok; then
    timed "kwok v$KWOK_VERSION source (patched)" kwok_source
    timed "kwok, kwokctl v$KWOK_VERSION" kwok_commands
    record kwok
  fi
  log "binaries in $BIN ($((SECONDS - t0))s):"
  sed 's/^/  /' "$BIN/.versions" >&2
}

# ================================================================================================
# up
# ================================================================================================

# kubectl on the cluster. The kubeconfig is KUBECONFIG_FILE once the cluster is up, and
# KUBECONFIG_FILE.starting while `up` checks it (so a cluster that failed its checks never counts
# as up).
KC_FILE=$KUBECONFIG_FILE
kc() { "$BIN/kubectl" --kubeconfig "$KC_FILE" "$@"; }

# The pids of the cluster's processes (each one leads its own process group), from kwokctl's
# pid files.
cluster_pids() {
  local f
  for f in "$CLUSTER_DIR"/pids/*.pid; do
    [ -f "$f" ] && echo "$(<"$f")"   # (the files have no final newline)
  done
  return 0
}

# True when the cluster's API server answers.
answers() { [ -f "$KC_FILE" ] && kc get --raw /readyz >/dev/null 2>&1; }

# The kwokctl configuration: the binaries built here, loopback only, RBAC and admission on, a
# ClusterExec so that `pods/exec` runs commands locally, and the Stages of stages.yaml.
# (The commands are looked up on kwok's own PATH, which `up` sets; see there.)
write_config() {
  cat <<YAML
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokctlConfiguration
options:
  runtime: binary
  kubeVersion: v$KUBE_VERSION
  bindAddress: 127.0.0.1
  kubeApiserverPort: $PORT
  securePort: true
  kubeAuthorization: true
  kubeAdmission: true
  etcdBinary: $BIN/etcd
  kubeApiserverBinary: $BIN/kube-apiserver
  kubeControllerManagerBinary: $BIN/kube-controller-manager
  kubeSchedulerBinary: $BIN/kube-scheduler
  kubectlBinary: $BIN/kubectl
  kwokControllerBinary: $BIN/kwok
---
# Every pod's commands run as local processes of kwok's, in /.
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterExec
metadata:
  name: local
spec:
  execs:
  - local:
      workDir: /
---
YAML
  cat "$FILES/stages.yaml"
}

# The one node: loopback addresses (the API server reaches kwok's kubelet endpoint for exec
# through them) and room for any number of test pods.
write_node() {
  cat <<YAML
apiVersion: v1
kind: Node
metadata:
  name: $NODE
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/arch: amd64
    kubernetes.io/hostname: $NODE
    kubernetes.io/os: linux
    type: kwok
status:
  addresses:
  - {type: InternalIP, address: 127.0.0.1}
  - {type: Hostname, address: localhost}
  allocatable: {cpu: "64", memory: 256Gi, pods: "1000"}
  capacity: {cpu: "64", memory: 256Gi, pods: "1000"}
  nodeInfo:
    architecture: amd64
    operatingSystem: linux
    kubeletVersion: v$KUBE_VERSION
YAML
}

# A short check that the cluster does what the tests need: a pod becomes Ready, a never-ready pod
# does not, and exec returns output and exit codes.
smoke_test() {
  local ns=real-cluster-smoke out rc
  kc create namespace "$ns" >/dev/null
  kc -n "$ns" run ready --image=busybox:1.36 --restart=Never -- sleep 3600 >/dev/null
  kc -n "$ns" run never-ready --image=busybox:1.36 --restart=Never \
    --annotations=kubesim.styrmin.io/never-ready=true -- sh -c 'exit 1' >/dev/null
  kc -n "$ns" wait --for=condition=Ready pod/ready --timeout=60s >/dev/null
  out=$(kc -n "$ns" exec ready -- example-app migrate --to 9.9.9)
  [[ $out == *"database schema is at 9.9.9" ]] || die "smoke test: unexpected exec output: $out"
  rc=0
  kc -n "$ns" exec ready -- sh -c 'exit 3' 2>/dev/null || rc=$?
  [ "$rc" = 3 ] || die "smoke test: exec exit code $rc, want 3"
  kc -n "$ns" wait pod/never-ready --timeout=30s \
    --for=jsonpath='{.status.containerStatuses[0].state.waiting.reason}'=CrashLoopBackOff >/dev/null \
    || die "smoke test: the never-ready pod is not crash-looping"
  [ "$(kc -n "$ns" get pod never-ready -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = False ] \
    || die "smoke test: the never-ready pod is Ready"
  kc delete namespace "$ns" --wait=false >/dev/null
}

cmd_up() {
  local t0=$SECONDS b pid rss=0 r
  for b in etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok kwokctl; do
    [ -x "$BIN/$b" ] || die "$BIN/$b is missing: run '$0 build' first"
  done
  built kubernetes && built etcd && built kwok || die "the binaries are out of date: run '$0 build' first"
  # The components inherit this PATH. kwok looks up the commands of pods/exec on it (a ClusterExec
  # environment does not change where the executable is found), so the stand-ins for the tools an
  # application's image ships come first; kwokctl looks up kubectl on it too.
  export PATH="$FILES/exec-path:$BIN:$PATH"

  # A running cluster is reused when it was started with the same configuration (binaries,
  # port, Stages); otherwise it is replaced.
  mkdir -p "$RC_HOME"
  write_config > "$RC_HOME/kwokctl.yaml.new"
  if answers && cmp -s "$RC_HOME/kwokctl.yaml.new" "$RC_HOME/kwokctl.yaml"; then
    rm -f "$RC_HOME/kwokctl.yaml.new"
    log "cluster already up"
    echo "$KUBECONFIG_FILE"
    return
  fi
  [ -d "$CLUSTER_DIR" ] && { log "replacing the cluster left from an earlier run"; cmd_down; }
  mv -f "$RC_HOME/kwokctl.yaml.new" "$RC_HOME/kwokctl.yaml"
  log "starting the cluster (https://127.0.0.1:$PORT)"
  # kwokctl starts each component detached, in its own session and process group, and keeps
  # their pids in $CLUSTER_DIR/pids.
  if ! kwokctl create cluster --name "$CLUSTER" --config "$RC_HOME/kwokctl.yaml" \
      --kubeconfig "$RC_HOME/kwokctl-merged.kubeconfig" --wait 3m > "$RC_HOME/up.log" 2>&1; then
    cat "$RC_HOME/up.log" >&2
    die "the cluster did not start; components' logs are in $CLUSTER_DIR/logs"
  fi
  # A standalone admin kubeconfig (client certificate in group system:masters), in place once the
  # checks below pass. If they fail, the cluster stays up for inspection until `down`.
  KC_FILE=$KUBECONFIG_FILE.starting
  (umask 077 && kwokctl get kubeconfig --name "$CLUSTER" > "$KC_FILE")
  trap 'log "the cluster failed its checks; it stays up for inspection (kubeconfig $KC_FILE, logs in $CLUSTER_DIR/logs) until down"' EXIT
  until answers; do
    [ $((SECONDS - t0)) -lt 120 ] || die "the API server does not answer after 120s"
    sleep 0.5
  done

  write_node | kc apply -f - >/dev/null
  kc wait --for=condition=Ready "node/$NODE" --timeout=60s >/dev/null
  # Pods can only be created in a namespace once its default ServiceAccount exists.
  until kc -n default get serviceaccount default >/dev/null 2>&1; do sleep 0.5; done
  smoke_test
  trap - EXIT
  mv -f "$KC_FILE" "$KUBECONFIG_FILE"
  KC_FILE=$KUBECONFIG_FILE

  for pid in $(cluster_pids); do
    r=$(ps -o rss= -p "$pid" 2>/dev/null || true)
    rss=$((rss + ${r:-0}))
  done
  log "up in $((SECONDS - t0))s: Kubernetes v$KUBE_VERSION, RBAC on, node $NODE; components' RSS $((rss / 1024)) MiB"
  echo "$KUBECONFIG_FILE"
}

# ================================================================================================
# down, env, status
# ================================================================================================

cmd_down() {
  local groups="" pid i
  export PATH="$BIN:$PATH"
  # Each component leads its own process group, which also holds the commands kwok runs for
  # pods/exec. Every group whose leader is still one of this cluster's components (a pid file left
  # from an earlier boot may name an unrelated process) is killed. SIGKILL, as kwokctl does: the
  # cluster's state is deleted next, so there is nothing to shut down gracefully, and an API server
  # whose etcd has gone can take a long while over SIGTERM.
  for pid in $(cluster_pids); do
    [[ $(ps -o args= -p "$pid" 2>/dev/null) == "$CLUSTER_DIR/"* ]] && groups+=" $pid"
  done
  for pid in $groups; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  for i in $(seq 50); do
    pid=""
    for p in $groups; do kill -0 -- "-$p" 2>/dev/null && pid=$p; done
    [ -z "$pid" ] && break
    sleep 0.1
  done
  [ -z "$pid" ] || log "process group $pid did not go away"
  # Then kwokctl forgets the cluster: certificates, etcd data, logs, pid files.
  if [ -d "$CLUSTER_DIR" ] && ! kwokctl delete cluster --name "$CLUSTER" > "$RC_HOME/down.log" 2>&1; then
    log "kwokctl delete cluster failed (see $RC_HOME/down.log); removing its files"
  fi
  rm -rf "$CLUSTER_DIR" "$KUBECONFIG_FILE" "$KUBECONFIG_FILE.starting" "$RC_HOME/kwokctl-merged.kubeconfig"
  log "down (binaries kept in $BIN)"
}

cmd_env() {
  answers || die "the cluster is not up: run '$0 up'"
  echo "export KUBECONFIG=$KUBECONFIG_FILE"
  echo "export STYRMIN_TEST_KUBECONFIG=$KUBECONFIG_FILE"
  echo "export PATH=$BIN:\$PATH  # kubectl v$KUBE_VERSION"
}

cmd_status() {
  if answers; then
    echo "up: https://127.0.0.1:$PORT, kubeconfig $KUBECONFIG_FILE"
  else
    echo "down"
  fi
  local pid
  for pid in $(cluster_pids); do
    ps -o pid=,pgid=,rss=,args= -p "$pid" 2>/dev/null | awk '{printf "  pid %s pgid %s rss %d MiB  %s\n", $1, $2, $3/1024, $4}'
  done
  [ -f "$BIN/.versions" ] && sed 's/^/  built: /' "$BIN/.versions"
  return 0
}

case ${1:-} in
  build) cmd_build ;;
  up) cmd_up ;;
  down) cmd_down ;;
  env) cmd_env ;;
  status) cmd_status ;;
  *) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
