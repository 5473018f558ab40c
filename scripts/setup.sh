#!/usr/bin/env bash
# One command from a fresh clone to a runnable app (`npm run setup && npm start`):
# the mediasoup worker, npm dependencies, a .env with generated secrets, and
# the production build of the Next.js app. Safe to run again; later runs reuse
# the cached worker and take seconds plus the build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '\n[setup] %s\n' "$*" >&2; }
die() { printf '\n[setup] ERROR: %s\n' "$*" >&2; exit 1; }

# Node 24 LTS is what we test and recommend; 22.12 is the oldest we support
# (Node 20 reached end of life in April 2026, and mediasoup and vitest need 22+).
NODE_HELP="Install Node.js 24 LTS (or 22.12+) from https://nodejs.org/en/download, your package manager, or nvm (nvm install 24). On a machine with only the npm registry: export PATH=\"\$(bash scripts/node-path.sh):\$PATH\""
command -v node >/dev/null || die "Node.js 22.12+ is required (node not found). $NODE_HELP"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=12)?0:1)' \
  || die "Node.js 22.12+ is required; this is $(node --version), which is too old. $NODE_HELP"
command -v npm >/dev/null || die "npm is required"

say "0/4 system packages"
# What several nodes behind one front door use (README: "Several nodes"): Redis,
# HAProxy (deploy/haproxy.cfg), and ffmpeg for recordings. One node alone needs
# none of them, so without root or apt this only says what to install.
need=()
for pkg in redis-server haproxy ffmpeg; do command -v "$pkg" >/dev/null || need+=("$pkg"); done
if [ ${#need[@]} -eq 0 ]; then
  echo "[setup] redis-server, haproxy and ffmpeg are installed" >&2
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "[setup] installing ${need[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -q \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" \
    || die "apt-get install ${need[*]} failed"
else
  echo "[setup] not installed: ${need[*]} (needed only for several nodes; as root: apt-get install ${need[*]})" >&2
fi

say "1/4 mediasoup worker (cached per version outside the tree)"
# Resolved before `npm install`: with MEDIASOUP_WORKER_BIN set, mediasoup's own
# postinstall (where npm runs it) skips its GitHub download and PyPI build.
WORKER=$(bash scripts/mediasoup/ensure-worker.sh | tail -n 1)
[ -x "$WORKER" ] || die "no mediasoup worker binary (see messages above)"
export MEDIASOUP_WORKER_BIN="$WORKER"

say "2/4 npm dependencies"
npm install --no-audit --no-fund
# Also place the worker where mediasoup looks by default (ensure-worker does this once node_modules exists).
bash scripts/mediasoup/ensure-worker.sh >/dev/null

say "3/4 .env"
if [ ! -f .env ]; then
  secret=$(node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("base64url"))')
  sed "s|^NEXTAUTH_SECRET=.*|NEXTAUTH_SECRET=$secret|" .env.example > .env
  chmod 600 .env
  echo "[setup] wrote .env with a generated NEXTAUTH_SECRET" >&2
else
  echo "[setup] .env exists; left as it is" >&2
fi

say "4/4 build the web app"
NEXT_TELEMETRY_DISABLED=1 npx next build

say "done. Start with: npm start   (then open http://localhost:\${PORT:-3000})"
