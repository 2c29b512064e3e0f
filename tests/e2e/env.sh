# shellcheck shell=bash
# Sourced by the e2e runners: where the programs are. Each can be set from outside; otherwise the cache that
# tests/e2e/install.sh fills (~/.cache/rlscope-e2e), then PATH.
RLSCOPE_E2E_CACHE="${RLSCOPE_E2E_CACHE:-${HOME:-/root}/.cache/rlscope-e2e}"
: "${RLSCOPE_NVIM:=$RLSCOPE_E2E_CACHE/nvim-0.11.4/bin/nvim}"
: "${RLSCOPE_CODE_SERVER:=$RLSCOPE_E2E_CACHE/code-server-4.100.3/node_modules/.bin/code-server}"
: "${RLSCOPE_PLAYWRIGHT:=$RLSCOPE_E2E_CACHE/playwright-1.65.1/node_modules/playwright-core}"
: "${RLSCOPE_CHROMIUM:=$(command -v chromium || command -v chromium-browser || echo /usr/bin/chromium)}"
: "${RLSCOPE_BIN:=$PWD/target/release/rlscope}"
: "${RLSCOPE_EXAMPLE:=$PWD/examples/nextjs-supabase}"
export RLSCOPE_EXAMPLE RLSCOPE_E2E_CACHE RLSCOPE_NVIM RLSCOPE_CODE_SERVER RLSCOPE_PLAYWRIGHT RLSCOPE_CHROMIUM RLSCOPE_BIN
