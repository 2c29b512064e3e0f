#!/usr/bin/env bash
# Runs every test of rlscope: the Rust workspace (unit, snapshot, CLI and in-process/stdio LSP tests), then
# the distribution and end-to-end editor suites when their programs are installed (.ci/run installs them; with
# RLSCOPE_E2E=required a missing program is a failure instead of a skip).
#   - npm:        the npm packages packed (npm/build.mjs), installed offline into a fresh project, `npx rlscope
#                 check` / `npx rlscope lsp`, the launcher's errors                     (tests/npm/run.sh)
#   - nvim:       headless Neovim 0.11.4 + editors/nvim, also finding node_modules/.bin/rlscope or PATH
#                                                                                      (tests/e2e/nvim/run.sh)
#   - vscode:     `npm run package` builds editors/vscode/rlscope-linux-x64.vsix with target/release/rlscope inside,
#                 then code-server + chromium + playwright-core, bundled then project binary (tests/e2e/vscode/run.sh)
#   - emacs:      emacs-nox 28 + eglot 1.9 in batch mode                               (tests/e2e/emacs/run.sh)
#   - pre-commit: .pre-commit-hooks.yaml through `pre-commit try-repo`                 (tests/precommit/run.sh)
#   - action:     action.yml's script with GitHub's environment faked                  (tests/action/run.sh)
#   - oracle:     the pinned supabase-js / @supabase/ssr / auth-helpers packages (tests/oracle, `npm ci`) run every
#                 scenario against a local fake Supabase; the role on the wire must equal `rlscope roles` of the
#                 release binary on every pinned 2.x version (3.0.0-next is reported only); first its self-test
#                                                                                      (tests/oracle/run.sh)
# Programs are looked up by tests/e2e/env.sh (cache of tests/e2e/install.sh, ~/.cache/rlscope-e2e).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
cargo test --workspace --release --locked
# The binary the editors run (and the .vsix and the npm packages bundle).
cargo build --release --locked -p rlscope
# The npm packages (target/npm/*.tgz), which the editor suites install into their workspaces.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  node npm/build.mjs --pack
fi

required=0
[ "${RLSCOPE_E2E:-}" = required ] && required=1
passed=0
failed=0
skipped=0
results=()

# suite NAME COMMAND...: exit 0 passes, 77 skips (program missing), anything else fails.
suite() {
  local name=$1 status=0 start=$SECONDS
  shift
  echo
  echo "=== e2e: $name"
  "$@" || status=$?
  local took=$((SECONDS - start))
  if [ "$status" -eq 0 ]; then
    passed=$((passed + 1))
    results+=("$name: passed (${took}s)")
  elif [ "$status" -eq 77 ] && [ "$required" -eq 0 ]; then
    skipped=$((skipped + 1))
    results+=("$name: skipped")
  else
    failed=$((failed + 1))
    if [ "$status" -eq 77 ]; then
      results+=("$name: FAILED (a program is missing and RLSCOPE_E2E=required)")
    else
      results+=("$name: FAILED (exit $status, ${took}s)")
    fi
  fi
}

vscode_suite() {
  if ! command -v npm >/dev/null 2>&1 || [ ! -d editors/vscode/node_modules ]; then
    echo "vscode e2e: skipped: the extension's npm dependencies are not installed (cd editors/vscode && npm ci)"
    return 77
  fi
  (cd editors/vscode && npm test --silent) || {
    echo "vscode e2e: FAILED: the extension's unit tests (npm test in editors/vscode)"
    return 1
  }
  (cd editors/vscode && npm run --silent package) || {
    echo "vscode e2e: FAILED: npm run package"
    return 1
  }
  bash tests/e2e/vscode/run.sh
}

suite npm bash tests/npm/run.sh
suite nvim bash tests/e2e/nvim/run.sh
suite vscode vscode_suite
suite emacs bash tests/e2e/emacs/run.sh
suite pre-commit bash tests/precommit/run.sh
suite action bash tests/action/run.sh
suite oracle bash tests/oracle/run.sh

echo
for r in "${results[@]}"; do
  echo "  $r"
done
if [ "$skipped" -gt 0 ]; then
  echo "e2e: $passed passed, $failed failed, $skipped skipped"
else
  echo "e2e: $passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
