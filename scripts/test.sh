#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs, then checks types,
# lints, builds, and runs every test layer. Used by `npm test` and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s ==\n' "$*"; }

bash scripts/ensure-deps.sh

step "type check";  npx tsc --noEmit -p . && npx tsc --noEmit -p webview
step "lint";        npx eslint .
step "build";       node esbuild.mjs
step "unit tests (real git, real processes)"
npx mocha

# A real VS Code: code-server 4.100.3 + Debian Chromium (desktop VS Code where it can be
# downloaded), cached under .vscode-test/ so only the first run pays for the install.
step "install a real VS Code for the editor tests (cached)"
bash scripts/install-vscode-test.sh >/dev/null
step "integration tests in the extension host (trusted workspace)"
node --import tsx scripts/run-integration.ts
step "integration tests in the extension host (Restricted Mode)"
node --import tsx scripts/run-integration.ts --restricted
step "e2e tests: the packaged VSIX in code-server, driven by headless Chromium"
npx mocha --config test/e2e/.mocharc.json
