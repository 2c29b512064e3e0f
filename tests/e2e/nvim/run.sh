#!/usr/bin/env bash
# Real-Neovim end-to-end test: headless nvim 0.11.4 + editors/nvim + target/release/rlscope on a copy of
# examples/nextjs-supabase. Exit 0 pass, 1 fail, 77 skipped (a program is missing).
set -euo pipefail
cd "$(dirname "$0")/../../.."
source tests/e2e/env.sh

if [ ! -x "$RLSCOPE_NVIM" ]; then
  echo "nvim e2e: skipped: no nvim at $RLSCOPE_NVIM (run tests/e2e/install.sh, or set RLSCOPE_NVIM)"
  exit 77
fi
if [ ! -x "$RLSCOPE_BIN" ]; then
  echo "nvim e2e: skipped: no server binary at $RLSCOPE_BIN (cargo build --release)"
  exit 77
fi

WORK="$(mktemp -d /tmp/rlscope-e2e-nvim.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
cp -r "$RLSCOPE_EXAMPLE" "$WORK/ws"
rm -rf "$WORK/ws/node_modules"

export RLSCOPE_WS="$WORK/ws" RLSCOPE_PLUGIN="$PWD/editors/nvim" RLSCOPE_PIDFILE="$WORK/server.pid"
# Keep nvim's state (LSP log, shada) inside the work folder.
export XDG_STATE_HOME="$WORK/state" XDG_DATA_HOME="$WORK/data" XDG_CONFIG_HOME="$WORK/config" XDG_CACHE_HOME="$WORK/cache"

status=0
timeout 120 "$RLSCOPE_NVIM" --headless --clean -c "luafile tests/e2e/nvim/test.lua" </dev/null || status=$?
if [ "$status" -ne 0 ]; then
  echo "nvim e2e: FAILED (exit $status)"
  for f in "$WORK"/state/nvim/lsp.log; do [ -f "$f" ] && tail -n 40 "$f"; done
  exit 1
fi

# The server must exit with the editor (no orphan left behind).
if [ -s "$RLSCOPE_PIDFILE" ]; then
  pid="$(cat "$RLSCOPE_PIDFILE")"
  for _ in $(seq 1 40); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "nvim e2e: FAILED: the server (pid $pid) still runs 2 s after nvim quit"
    kill "$pid" 2>/dev/null || true
    exit 1
  fi
  echo "ok - the server (pid $pid) exited with nvim"
else
  echo "nvim e2e: FAILED: the server's pid was not found"
  exit 1
fi
echo "nvim e2e: passed"
