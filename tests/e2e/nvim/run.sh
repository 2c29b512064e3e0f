#!/usr/bin/env bash
# Real-Neovim end-to-end test: headless nvim 0.11.4 + editors/nvim + target/release/rlscope on a copy of
# examples/nextjs-supabase: with `cmd` set (native and legacy setups), and without it, where the plugin must run
# the project's node_modules/.bin/rlscope (installed from the npm packages) or else `rlscope` from PATH. Exit 0 pass, 1 fail, 77 skipped (a program is missing).
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

if [ ! -d "$RLSCOPE_EXAMPLE" ]; then
  echo "nvim e2e: FAILED: no example project at $RLSCOPE_EXAMPLE"
  exit 1
fi
WORK="$(mktemp -d /tmp/rlscope-e2e-nvim.XXXXXX)"
trap 'if [ -n "${RLSCOPE_E2E_KEEP:-}" ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi' EXIT

# The lookup's fallback: a PATH whose only rlscope is a link to the binary under test.
mkdir -p "$WORK/path-bin"
ln -s "$RLSCOPE_BIN" "$WORK/path-bin/rlscope"
CLEAN_PATH="$WORK/path-bin"
IFS=: read -ra path_dirs <<< "$PATH"
for d in "${path_dirs[@]}"; do
  [ -n "$d" ] && [ ! -x "$d/rlscope" ] && CLEAN_PATH="$CLEAN_PATH:$d"
done

# variant NAME LEGACY SERVER: one run of test.lua on a fresh copy of the example, then the orphan check.
# SERVER: cmd (setup({ cmd = { RLSCOPE_BIN, 'lsp' } })), npm (no cmd; the project has node_modules from the
# npm packages: the plugin must run node_modules/.bin/rlscope) or path (no cmd, no node_modules: `rlscope` on PATH).
variant() {
  local name=$1 legacy=$2 server=$3 dir="$WORK/$1" auto=0 expect="" path="$PATH"
  mkdir -p "$dir"
  cp -r "$RLSCOPE_EXAMPLE" "$dir/ws"
  rm -rf "$dir/ws/node_modules"
  case "$server" in
    npm)
      auto=1
      expect="$dir/ws/node_modules/.bin/rlscope"
      path="$CLEAN_PATH"
      if ! rlscope_npm_node_modules "$dir/ws"; then
        echo "nvim e2e ($name): FAILED: installing the npm packages into the workspace"
        return 1
      fi
      ;;
    path)
      auto=1
      expect=rlscope
      path="$CLEAN_PATH"
      ;;
  esac
  echo "--- nvim e2e ($name)"
  local status=0
  # Keep nvim's state (LSP log, shada) inside the work folder.
  PATH="$path" RLSCOPE_WS="$dir/ws" RLSCOPE_PLUGIN="$PWD/editors/nvim" RLSCOPE_PIDFILE="$dir/server.pid" \
    RLSCOPE_NVIM_LEGACY="$legacy" RLSCOPE_NVIM_AUTO="$auto" RLSCOPE_EXPECT_CMD="$expect" \
    XDG_STATE_HOME="$dir/state" XDG_DATA_HOME="$dir/data" XDG_CONFIG_HOME="$dir/config" XDG_CACHE_HOME="$dir/cache" \
    timeout 120 "$RLSCOPE_NVIM" --headless --clean -c "luafile tests/e2e/nvim/test.lua" </dev/null || status=$?
  if [ "$status" -ne 0 ]; then
    echo "nvim e2e ($name): FAILED (exit $status)"
    [ -f "$dir/state/nvim/lsp.log" ] && tail -n 40 "$dir/state/nvim/lsp.log"
    return 1
  fi
  # The server must exit with the editor (no orphan left behind).
  if [ ! -s "$dir/server.pid" ]; then
    echo "nvim e2e ($name): FAILED: the server's pid was not found"
    return 1
  fi
  local pid
  pid="$(cat "$dir/server.pid")"
  for _ in $(seq 1 40); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "nvim e2e ($name): FAILED: the server (pid $pid) still runs 2 s after nvim quit"
    kill "$pid" 2>/dev/null || true
    return 1
  fi
  # With the npm launcher the binary is its child: nothing started from the workspace may outlive nvim either.
  for _ in $(seq 1 40); do
    pgrep -f -- "$dir/ws/node_modules" >/dev/null || break
    sleep 0.05
  done
  if pgrep -f -- "$dir/ws/node_modules" >/dev/null; then
    echo "nvim e2e ($name): FAILED: still running 2 s after nvim quit: $(pgrep -af -- "$dir/ws/node_modules")"
    pgrep -f -- "$dir/ws/node_modules" | xargs -r kill 2>/dev/null || true
    return 1
  fi
  echo "ok - the server (pid $pid) exited with nvim"
}

variant native 0 cmd
variant legacy 1 cmd
variant npm 0 npm
variant path 1 path
echo "nvim e2e: passed"
