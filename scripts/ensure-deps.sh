#!/usr/bin/env bash
# Installs the npm dependencies when they are missing or older than package-lock.json, so the
# README's commands work on a fresh clone with nothing but Node.js, npm and git.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  printf '\n== npm ci ==\n'
  npm ci --no-audit --no-fund
fi
