#!/usr/bin/env bash
# Make sure a working mediasoup-worker binary exists for the installed
# mediasoup version, and print its absolute path as the LAST line of stdout
# (all progress goes to stderr). Idempotent: once the cache holds a binary, a
# run takes well under a second.
#
# Sources, first hit wins:
#   1. $MEDIASOUP_WORKER_BIN, if set and it runs.
#   2. The per-version cache:
#      ${CONVENE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/convene}/mediasoup/<version>/mediasoup-worker
#   3. The official prebuilt binary from mediasoup's GitHub releases (same URL
#      scheme as mediasoup's own npm-scripts.mjs; fails fast when offline).
#   4. A local build with build-worker.sh (~8 min, root + Debian 12 only).
# Sources 3 and 4 install into the cache atomically (temp file + mv), so an
# interrupted or failed run never leaves a partial binary behind.
#
# Finally the binary is copied to node_modules/mediasoup/worker/out/Release/,
# where mediasoup looks when MEDIASOUP_WORKER_BIN is unset, so plain
# `import 'mediasoup'` works too.
#
# Env knobs: MEDIASOUP_WORKER_BIN, CONVENE_CACHE_DIR, XDG_CACHE_HOME,
#   MEDIASOUP_WORKER_PREBUILT_DOWNLOAD_BASE_URL (mirror of the release assets),
#   CONVENE_SKIP_PREBUILT=1 (skip step 3), CONVENE_SKIP_BUILD=1 (skip step 4).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MS_PKG="$ROOT/node_modules/mediasoup"
DEFAULT_VERSION=3.27.1

log() { printf '[ensure-worker] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

MS_VERSION=$DEFAULT_VERSION
if [ -f "$MS_PKG/package.json" ]; then
  MS_VERSION=$(sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$MS_PKG/package.json" | head -n1)
else
  # Before `npm install`: the exact pin in the project's package.json.
  MS_VERSION=$(sed -n 's/^[[:space:]]*"mediasoup":[[:space:]]*"\([0-9][^"]*\)".*/\1/p' "$ROOT/package.json" | head -n1)
fi
[ -n "$MS_VERSION" ] || MS_VERSION=$DEFAULT_VERSION
CACHE_ROOT=${CONVENE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/convene}
VDIR="$CACHE_ROOT/mediasoup/$MS_VERSION"
CACHED="$VDIR/mediasoup-worker"

# A worker started without MEDIASOUP_VERSION in its env exits with code 41 on
# purpose (worker/src/main.cpp). Any other outcome (missing shared library,
# wrong architecture, crash) means the binary cannot run on this host.
worker_runs() {
  [ -f "$1" ] && [ -x "$1" ] || return 1
  local rc=0
  env -i "$1" </dev/null >/dev/null 2>&1 || rc=$?
  [ "$rc" = 41 ]
}

# Copy $1 to $2 through a temp file in the same directory, then rename: readers
# see either the old file or the complete new one.
install_atomic() {
  local src=$1 dst=$2 tmp
  mkdir -p "$(dirname "$dst")"
  tmp=$(mktemp "$dst.tmp.XXXXXX")
  if cp "$src" "$tmp" && chmod 0755 "$tmp" && mv -f "$tmp" "$dst"; then return 0; fi
  rm -f "$tmp"
  return 1
}

# Temp paths to remove on any exit (success, failure or Ctrl-C).
CLEANUP=()
cleanup() { local p; for p in "${CLEANUP[@]}"; do rm -rf "$p"; done; }
trap cleanup EXIT

try_prebuilt() {
  [ "${CONVENE_SKIP_PREBUILT:-0}" = 1 ] && { log "prebuilt download skipped (CONVENE_SKIP_PREBUILT=1)"; return 1; }
  command -v curl >/dev/null 2>&1 || { log "curl not found; skipping the prebuilt download"; return 1; }
  local os arch kernel base name url tmpd
  os=$(uname -s | tr '[:upper:]' '[:lower:]')
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) log "no prebuilt worker for architecture $(uname -m)"; return 1 ;;
  esac
  # mediasoup publishes Linux binaries per kernel major (io_uring needs >= 6).
  name="mediasoup-worker-$MS_VERSION-$os-$arch"
  if [ "$os" = linux ]; then kernel=$(uname -r | cut -d. -f1); name="$name-kernel$kernel"; fi
  base=${MEDIASOUP_WORKER_PREBUILT_DOWNLOAD_BASE_URL:-https://github.com/versatica/mediasoup/releases/download}
  url="$base/$MS_VERSION/$name.tgz"
  log "trying the official prebuilt worker: $url"
  mkdir -p "$VDIR"
  tmpd=$(mktemp -d "$VDIR/prebuilt.tmp.XXXXXX"); CLEANUP+=("$tmpd")
  if ! curl -fsSL --connect-timeout 5 --max-time 120 -o "$tmpd/worker.tgz" "$url"; then
    log "prebuilt download failed (offline, GitHub unreachable, or no asset for $name)"
    return 1
  fi
  if ! tar xzf "$tmpd/worker.tgz" -C "$tmpd" mediasoup-worker 2>/dev/null; then
    log "prebuilt archive has no mediasoup-worker entry"
    return 1
  fi
  chmod 0755 "$tmpd/mediasoup-worker"
  if ! worker_runs "$tmpd/mediasoup-worker"; then
    log "prebuilt worker does not run on this host (libc or architecture mismatch)"
    return 1
  fi
  install_atomic "$tmpd/mediasoup-worker" "$CACHED"
}

try_build() {
  [ "${CONVENE_SKIP_BUILD:-0}" = 1 ] && { log "local build skipped (CONVENE_SKIP_BUILD=1)"; return 1; }
  local work blog
  mkdir -p "$VDIR"
  work=$(mktemp -d "$VDIR/build.tmp.XXXXXX"); CLEANUP+=("$work")
  blog="$VDIR/build.log"
  log "building mediasoup-worker $MS_VERSION locally (~8 min on 2 cores); log: $blog"
  # The build's own stdout goes to the log so that this script's last stdout
  # line stays the binary path; its preflight message is shown on failure.
  if ! MS_VERSION="$MS_VERSION" WORK="$work" bash "$HERE/build-worker.sh" >"$blog" 2>&1; then
    log "local build failed; last lines of $blog:"
    tail -n 15 "$blog" >&2
    return 1
  fi
  worker_runs "$work/bin/mediasoup-worker" || { log "the freshly built worker does not run"; return 1; }
  install_atomic "$work/bin/mediasoup-worker" "$CACHED"
}

# Copy into the place mediasoup itself looks, unless already identical.
link_into_node_modules() {
  local bin=$1 dst="$MS_PKG/worker/out/Release/mediasoup-worker"
  [ -d "$MS_PKG" ] || { log "node_modules/mediasoup not installed; skipping the copy into it"; return 0; }
  [ "$(readlink -f "$bin")" = "$(readlink -f "$dst" 2>/dev/null || true)" ] && return 0
  if [ -f "$dst" ] && cmp -s "$bin" "$dst"; then return 0; fi
  install_atomic "$bin" "$dst" || die "could not copy the worker into $dst"
  log "installed a copy at $dst"
}

resolve() {
  if [ -n "${MEDIASOUP_WORKER_BIN:-}" ]; then
    if worker_runs "$MEDIASOUP_WORKER_BIN"; then
      RESOLVED=$(readlink -f "$MEDIASOUP_WORKER_BIN"); log "using MEDIASOUP_WORKER_BIN=$RESOLVED"; return 0
    fi
    log "MEDIASOUP_WORKER_BIN=$MEDIASOUP_WORKER_BIN is not a runnable worker; ignoring it"
  fi
  if worker_runs "$CACHED"; then RESOLVED=$CACHED; log "using cached worker $CACHED"; return 0; fi
  [ -e "$CACHED" ] && log "cached worker $CACHED does not run; replacing it"
  if try_prebuilt; then RESOLVED=$CACHED; log "installed the prebuilt worker into $CACHED"; return 0; fi
  if try_build; then RESOLVED=$CACHED; log "installed the locally built worker into $CACHED"; return 0; fi
  die "no mediasoup-worker $MS_VERSION available: not cached, the prebuilt download failed, and the local build failed (see messages above). Fix what is listed, or point MEDIASOUP_WORKER_BIN at a worker binary."
}

mkdir -p "$VDIR"
# Two setups at once (e.g. parallel CI jobs) must not both run an 8-minute build.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$VDIR/.lock"
  flock 9
fi
RESOLVED=
resolve
link_into_node_modules "$RESOLVED"
echo "$RESOLVED"
