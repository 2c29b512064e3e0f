#!/usr/bin/env bash
# Real-VS-Code end-to-end test: installs the packaged .vsix into a clean, isolated code-server, serves a copy of
# examples/nextjs-supabase and drives it with chromium + playwright-core (test.mjs). Screenshots: target/e2e/.
# Exit 0 pass, 1 fail, 77 skipped (a program is missing).
set -euo pipefail
cd "$(dirname "$0")/../../.."
source tests/e2e/env.sh
: "${RLSCOPE_VSIX:=$PWD/editors/vscode/rlscope-linux-x64.vsix}"

missing=()
[ -x "$RLSCOPE_CODE_SERVER" ] || missing+=("code-server ($RLSCOPE_CODE_SERVER)")
[ -x "$RLSCOPE_CHROMIUM" ] || missing+=("chromium ($RLSCOPE_CHROMIUM)")
[ -f "$RLSCOPE_PLAYWRIGHT/package.json" ] || missing+=("playwright-core ($RLSCOPE_PLAYWRIGHT)")
[ -f "$RLSCOPE_VSIX" ] || missing+=("the .vsix ($RLSCOPE_VSIX; npm run package in editors/vscode)")
if ((${#missing[@]})); then
  echo "vscode e2e: skipped: missing ${missing[*]} (run tests/e2e/install.sh)"
  exit 77
fi

if [ ! -d "$RLSCOPE_EXAMPLE" ]; then
  echo "vscode e2e: FAILED: no example project at $RLSCOPE_EXAMPLE"
  exit 1
fi
WORK="$(mktemp -d /tmp/rlscope-e2e-vscode.XXXXXX)"
CS_PID=""
cleanup() {
  if [ -n "$CS_PID" ]; then
    kill -TERM -- "-$CS_PID" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 -- "-$CS_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$CS_PID" 2>/dev/null || true
  fi
  if [ -n "${RLSCOPE_E2E_KEEP:-}" ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

cp -r "$RLSCOPE_EXAMPLE" "$WORK/ws"
rm -rf "$WORK/ws/node_modules"
mkdir -p "$WORK/ud/User" "$WORK/ext" target/e2e
rm -f target/e2e/vscode-*.png
# code-server and chromium keep nothing outside the work folder.
export XDG_CONFIG_HOME="$WORK/xdg/config" XDG_DATA_HOME="$WORK/xdg/data" XDG_CACHE_HOME="$WORK/xdg/cache"
cat > "$WORK/ud/User/settings.json" <<'JSON'
{
  "typescript.validate.enable": false,
  "javascript.validate.enable": false,
  "typescript.suggest.enabled": false,
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "security.workspace.trust.enabled": false,
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "git.enabled": false,
  "editor.hover.delay": 200,
  "rlscope.trace.server": "verbose",
  "editor.minimap.enabled": false,
  "chat.commandCenter.enabled": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden"
}
JSON
echo "password: unused" > "$WORK/cfg.yaml"
CS=("$RLSCOPE_CODE_SERVER" --config "$WORK/cfg.yaml" --user-data-dir "$WORK/ud" --extensions-dir "$WORK/ext")

"${CS[@]}" --install-extension "$RLSCOPE_VSIX" 2>&1 | grep -v '^\[' || true
if ! "${CS[@]}" --list-extensions 2>/dev/null | grep -qx 'rlscope.rlscope'; then
  echo "vscode e2e: FAILED: the .vsix did not install"
  exit 1
fi
echo "ok - installed $(basename "$RLSCOPE_VSIX") into a clean code-server"

CLEAN_PATH=""
IFS=: read -ra path_dirs <<< "$PATH"
for d in "${path_dirs[@]}"; do
  [ -n "$d" ] && [ ! -x "$d/rlscope" ] && CLEAN_PATH="${CLEAN_PATH:+$CLEAN_PATH:}$d"
done
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
# Its own process group, so cleanup ends code-server, its extension host and the rlscope server together.
PATH="$CLEAN_PATH" setsid "${CS[@]}" --auth none --bind-addr "127.0.0.1:$PORT" --disable-telemetry --disable-update-check \
  --disable-workspace-trust --disable-getting-started-override \
  "$WORK/ws" > "$WORK/code-server.log" 2>&1 &
CS_PID=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  kill -0 "$CS_PID" 2>/dev/null || break
  sleep 0.2
done
if ! curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then
  echo "vscode e2e: FAILED: code-server did not start"
  tail -n 30 "$WORK/code-server.log"
  exit 1
fi

# The project's own copy for the last step: node_modules with the npm packages, moved into the workspace there.
mkdir -p "$WORK/npm"
if ! rlscope_npm_node_modules "$WORK/npm"; then
  echo "vscode e2e: FAILED: installing the npm packages"
  exit 1
fi
status=0
RLSCOPE_URL="http://127.0.0.1:$PORT/?folder=$WORK/ws" RLSCOPE_WS="$WORK/ws" RLSCOPE_EXT_DIR="$WORK/ext" RLSCOPE_SHOTS="$PWD/target/e2e" \
  RLSCOPE_UD="$WORK/ud" RLSCOPE_NPM_MODULES="$WORK/npm/node_modules" \
  timeout 300 node tests/e2e/vscode/test.mjs || status=$?
if [ "$status" -ne 0 ]; then
  echo "vscode e2e: FAILED (exit $status); code-server log:"
  tail -n 40 "$WORK/code-server.log"
  # The extension host's log, with the rlscope output channel.
  find "$WORK/ud/logs" -name '*rlscope*' -exec tail -n 40 {} \; 2>/dev/null || true
  exit 1
fi
# Before the project had node_modules, the server that ran was the one inside the .vsix (nothing else was set up);
# after, the project's (test.mjs step 8).
if grep -rqs "(bundled with the extension): rlscope " "$WORK/ud/logs"; then
  echo "ok - without node_modules/rlscope the extension ran the server bundled in the .vsix"
else
  echo "vscode e2e: FAILED: the output channel does not show the bundled server being used"
  exit 1
fi
if grep -rqs "(workspace node_modules, npm package rlscope): rlscope " "$WORK/ud/logs"; then
  echo "ok - with node_modules/rlscope installed the extension ran the project's binary"
else
  echo "vscode e2e: FAILED: the output channel does not show the project's binary being used"
  exit 1
fi
echo "vscode e2e: passed"
