# shellcheck shell=bash
# Sourced by the e2e runners: where the programs are. Each can be set from outside; otherwise the cache that
# tests/e2e/install.sh fills (~/.cache/rlscope-e2e), then PATH.
RLSCOPE_E2E_CACHE="${RLSCOPE_E2E_CACHE:-${HOME:-/root}/.cache/rlscope-e2e}"
: "${RLSCOPE_NVIM:=$RLSCOPE_E2E_CACHE/nvim-0.11.4/bin/nvim}"
: "${RLSCOPE_CODE_SERVER:=$RLSCOPE_E2E_CACHE/code-server-4.100.3/node_modules/.bin/code-server}"
: "${RLSCOPE_PLAYWRIGHT:=$RLSCOPE_E2E_CACHE/playwright-1.65.1/node_modules/playwright-core}"
: "${RLSCOPE_CHROMIUM:=$(command -v chromium || command -v chromium-browser || echo /usr/bin/chromium)}"
: "${RLSCOPE_EMACS:=$(command -v emacs || echo /usr/bin/emacs)}"
: "${RLSCOPE_PRE_COMMIT:=$RLSCOPE_E2E_CACHE/pre-commit-4.7.0/bin/pre-commit}"
: "${RLSCOPE_BIN:=$PWD/target/release/rlscope}"
: "${RLSCOPE_EXAMPLE:=$PWD/examples/nextjs-supabase}"
export RLSCOPE_EXAMPLE RLSCOPE_E2E_CACHE RLSCOPE_EMACS RLSCOPE_PRE_COMMIT RLSCOPE_NVIM RLSCOPE_CODE_SERVER RLSCOPE_PLAYWRIGHT RLSCOPE_CHROMIUM RLSCOPE_BIN

# rlscope_npm_node_modules DIR: gives DIR a node_modules with the rlscope npm packages installed as a user's
# `npm install -D rlscope` would (launcher + @rlscope/cli-linux-x64), from the tarballs npm/build.mjs --pack writes
# to target/npm (rebuilt when missing or older than $RLSCOPE_BIN), with npm --offline. The example's other
# dependencies are not installed (rlscope does not need them).
rlscope_npm_node_modules() {
  local dir=$1 pkgs="$PWD/target/npm" tmp main
  main="$(ls "$pkgs"/rlscope-[0-9]*.tgz 2>/dev/null | head -1)"
  if [ -z "$main" ] || [ "$RLSCOPE_BIN" -nt "$main" ]; then
    node npm/build.mjs --pack --out "$pkgs" --platform "linux-x64=$RLSCOPE_BIN" >/dev/null || return 1
    main="$(ls "$pkgs"/rlscope-[0-9]*.tgz | head -1)"
  fi
  tmp="$(mktemp -d)"
  echo '{ "name": "rlscope-e2e-npm", "private": true }' > "$tmp/package.json"
  (cd "$tmp" && npm_config_offline=true npm install --no-audit --no-fund --loglevel=error \
    "$pkgs"/rlscope-cli-linux-x64-*.tgz "$main" >/dev/null) || { rm -rf "$tmp"; return 1; }
  rm -rf "$dir/node_modules"
  mv "$tmp/node_modules" "$dir/node_modules"
  rm -rf "$tmp"
}
