#!/usr/bin/env bash
# Installs a real VS Code for the integration and e2e tests, cached under the git-ignored
# .vscode-test/ and keyed by version, so a second run costs nothing.
#
# Desktop VS Code cannot be downloaded on every machine (these CI machines reach npm and
# Debian only), so the route that always works is code-server 4.100.3 (VS Code 1.100.3,
# the newest build whose Node is 20) driven by Debian's Chromium. See
# docs: real-vscode-on-this-machine.md. Where @vscode/test-electron can download desktop
# VS Code, its path is recorded too and the integration harness uses it for the trusted run.
set -euo pipefail
cd "$(dirname "$0")/.."

CODE_SERVER_VERSION="${GROVE_CODE_SERVER_VERSION:-4.100.3}"
DESKTOP_VERSION="${GROVE_DESKTOP_VSCODE_VERSION:-1.100.3}"
CACHE="$PWD/.vscode-test"
SERVER_DIR="$CACHE/code-server-$CODE_SERVER_VERSION"

say() { printf '[install-vscode-test] %s\n' "$*" >&2; }
mkdir -p "$CACHE"

# --- Debian packages ------------------------------------------------------------------
# Installs the missing ones of the given Debian packages (root only; otherwise says how).
apt_install() {
  local needed=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || needed+=("$pkg")
  done
  [ "${#needed[@]}" -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    say "missing Debian packages: ${needed[*]}; run as root or: sudo apt-get install -y ${needed[*]}"
    exit 3
  fi
  say "apt-get install ${needed[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Update the package lists only when an install from the current lists fails.
  if ! apt-get install -y --no-install-recommends "${needed[@]}" >"$CACHE/apt.log" 2>&1; then
    apt-get update >>"$CACHE/apt.log" 2>&1
    apt-get install -y --no-install-recommends "${needed[@]}" >>"$CACHE/apt.log" 2>&1 \
      || { tail -20 "$CACHE/apt.log" >&2; exit 1; }
  fi
}
# libkrb5-dev: code-server's native `kerberos` module; ripgrep: replaces @vscode/ripgrep's
# GitHub download; chromium: the browser Playwright drives (never `playwright install`).
apt_install libkrb5-dev ripgrep chromium

# --- code-server ----------------------------------------------------------------------
if [ -f "$SERVER_DIR/.complete" ]; then
  say "code-server $CODE_SERVER_VERSION cached in $SERVER_DIR"
else
  say "installing code-server $CODE_SERVER_VERSION into $SERVER_DIR (a few minutes, once)"
  rm -rf "$SERVER_DIR" "$SERVER_DIR.partial"
  mkdir -p "$SERVER_DIR.partial"
  log="$SERVER_DIR.partial/install.log"
  (
    set -euo pipefail
    cd "$SERVER_DIR.partial"
    export npm_config_unsafe_perm=true npm_config_yes=true npm_config_audit=false npm_config_fund=false
    npm pack "code-server@$CODE_SERVER_VERSION" >/dev/null
    tar xzf "code-server-$CODE_SERVER_VERSION.tgz"
    rm "code-server-$CODE_SERVER_VERSION.tgz"
    cd package
    npm install --omit=dev --ignore-scripts
    cd lib/vscode
    npm install --omit=dev --ignore-scripts
    mkdir -p node_modules/@vscode/ripgrep/bin
    cp /usr/bin/rg node_modules/@vscode/ripgrep/bin/rg
    npm rebuild
    ln -sfn node_modules node_modules.asar
    cd extensions
    npm install --omit=dev
    cd ../../..
    npm rebuild
  ) >"$log" 2>&1 || { say "code-server install failed; last lines of $log:"; tail -30 "$log" >&2; exit 1; }
  node "$SERVER_DIR.partial/package/out/node/entry.js" --version >/dev/null \
    || { say "code-server does not start"; exit 1; }
  mv "$log" "$CACHE/code-server-$CODE_SERVER_VERSION.install.log"
  mv "$SERVER_DIR.partial" "$SERVER_DIR"
  touch "$SERVER_DIR/.complete"
  say "code-server $CODE_SERVER_VERSION installed"
fi

# --- desktop VS Code, where it can be downloaded ----------------------------------------
# Tried once per version with a short timeout; the outcome is cached either way so that
# an offline machine does not wait again on every run.
desktop_marker="$CACHE/desktop-$DESKTOP_VERSION.path"
if [ ! -f "$desktop_marker" ]; then
  say "trying to download desktop VS Code $DESKTOP_VERSION with @vscode/test-electron (20 s)"
  if path=$(timeout 60 node -e '
      const { downloadAndUnzipVSCode } = require("@vscode/test-electron");
      downloadAndUnzipVSCode({ version: process.argv[1], cachePath: process.argv[2], timeout: 20000 })
        .then((p) => { process.stdout.write(p); process.exit(0); }, () => process.exit(1));
    ' "$DESKTOP_VERSION" "$CACHE" 2>/dev/null) && [ -n "$path" ]; then
    printf '%s' "$path" >"$desktop_marker"
    say "desktop VS Code available at $path"
  else
    : >"$desktop_marker"
    say "desktop VS Code cannot be downloaded here: the code-server route is used"
  fi
fi

# Desktop VS Code needs a display: on a headless Linux machine the integration harness runs
# it under `xvfb-run -a` (scripts/run-integration.ts), so install Xvfb for that route only.
if [ -s "$desktop_marker" ] && [ "$(uname -s)" = Linux ] && [ -z "${DISPLAY:-}" ] && ! command -v xvfb-run >/dev/null; then
  apt_install xvfb
fi

printf '%s\n' "$SERVER_DIR/package/out/node/entry.js"
