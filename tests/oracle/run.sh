#!/usr/bin/env bash
# The oracle as a suite of tests/run-all.sh: the real supabase-js / @supabase/ssr / auth-helpers packages (npm
# aliases pinned in package.json and package-lock.json, installed by `npm ci` in .ci/run) run every scenario against
# a local fake Supabase, and the role each request sends is compared with `rlscope roles --format json` of the
# release binary. First the self-test (one flipped expectation must make the comparison fail), then the full run.
# Exit 0 pass, 1 fail, 77 skipped (node, the installed packages or the release binary missing).
set -euo pipefail
cd "$(dirname "$0")"
export RLSCOPE_BIN="${RLSCOPE_BIN:-$PWD/../../target/release/rlscope}"
if ! command -v node >/dev/null 2>&1; then
  echo "oracle: skipped: node is not installed"
  exit 77
fi
if [ ! -d node_modules/sb-2.119 ] || [ ! -d node_modules/ssr-0.12 ] || [ ! -d node_modules/typescript ]; then
  echo "oracle: skipped: the pinned packages are not installed (cd tests/oracle && npm ci)"
  exit 77
fi
if [ ! -x "$RLSCOPE_BIN" ]; then
  echo "oracle: skipped: $RLSCOPE_BIN is missing (cargo build --release -p rlscope)"
  exit 77
fi
# Nothing here may reach the network: the libraries talk to the fake Supabase on 127.0.0.1 only.
export npm_config_offline=true
out="$(mktemp -d /tmp/rlscope-oracle.XXXXXX)"
trap 'rm -rf "$out"' EXIT
node run.mjs --self-test --out "$out/self-test"
node run.mjs --out "$out/full"
