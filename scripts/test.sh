#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs, then checks types,
# lints, builds, and runs every test layer. Used by `npm test` and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s ==\n' "$*"; }

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "npm ci"
  npm ci --no-audit --no-fund
fi

step "type check";  npx tsc --noEmit -p .
step "lint";        npx eslint .
step "build";       node esbuild.mjs
step "unit tests (real git, real processes)"
npx mocha
