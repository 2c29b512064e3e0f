#!/usr/bin/env bash
# The npm packages as a user gets them: `npm pack` the launcher package and the linux-x64 binary package
# (npm/build.mjs), install the tarballs into a fresh project with npm --offline (nothing from the network), then
#   - `npx rlscope check` on a copy of the example: exit 1 and the same findings as target/release/rlscope;
#   - `npx rlscope lsp` through initialize/shutdown/exit (tests/npm/lsp-exchange.mjs);
#   - without the platform package: the launcher's error names it (exit 2); RLSCOPE_BINARY overrides;
#   - an unknown platform: the error lists the prebuilt ones.
# Exit 0 pass, 1 fail, 77 skipped (node/npm or the release binary missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
BIN="${RLSCOPE_BIN:-$PWD/target/release/rlscope}"
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  echo "npm: skipped: node/npm not installed"
  exit 77
fi
if [ ! -x "$BIN" ]; then
  echo "npm: skipped: no release binary at $BIN (cargo build --release)"
  exit 77
fi
WORK="$(mktemp -d /tmp/rlscope-npm.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
fails=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fails=$((fails + 1)); }

node npm/build.mjs --pack --out "$WORK/pkgs" --platform "linux-x64=$BIN" | sed 's/^/  /'
VERSION="$(node -p 'require(process.argv[1]).version' "$WORK/pkgs/rlscope/package.json")"
MAIN="$WORK/pkgs/rlscope-$VERSION.tgz"
PLAT="$WORK/pkgs/rlscope-cli-linux-x64-$VERSION.tgz"
[ -f "$MAIN" ] && [ -f "$PLAT" ] || { echo "npm: FAILED: npm pack did not write $MAIN and $PLAT"; exit 1; }
# What the tarballs hold: the launcher with its platform list, the binary with its executable bit.
listing="$(tar -tzvf "$PLAT")"
grep -q '^-rwxr-xr-x .* package/rlscope$' <<< "$listing" && ok "the platform tarball holds an executable package/rlscope" ||
  bad "no executable package/rlscope in $PLAT: $listing"
listing="$(tar -tzf "$MAIN" | sort | tr '\n' ' ')"
[ "$listing" = "package/LICENSE package/README.md package/bin/rlscope.js package/package.json package/platforms.json " ] &&
  ok "the rlscope tarball holds the launcher, platforms.json, README and LICENSE" || bad "rlscope tarball: $listing"

# A fresh project, installing only from the tarballs; --offline proves nothing else is fetched.
export npm_config_offline=true npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
export npm_config_cache="$WORK/npm-cache"
P="$WORK/project"
mkdir -p "$P"
echo '{ "name": "rlscope-npm-test", "private": true }' > "$P/package.json"
(cd "$P" && npm install --save-dev --save-exact --loglevel=error "$PLAT" "$MAIN" >/dev/null) ||
  { echo "npm: FAILED: npm install of the tarballs"; exit 1; }
[ -f "$P/package-lock.json" ] && [ -x "$P/node_modules/@rlscope/cli-linux-x64/rlscope" ] && [ -L "$P/node_modules/.bin/rlscope" ] &&
  ok "installed: node_modules/.bin/rlscope and @rlscope/cli-linux-x64, with a package-lock.json" ||
  bad "the install is incomplete: $(ls -la "$P/node_modules/.bin" "$P/node_modules/@rlscope" 2>&1)"

v="$(cd "$P" && npx rlscope --version)"
[ "$v" = "$("$BIN" --version)" ] && ok "npx rlscope --version: $v" || bad "npx rlscope --version printed '$v'"

cp -r examples/nextjs-supabase "$P/example"
rm -rf "$P/example/node_modules"
status=0
(cd "$P" && npx rlscope check example --format json --color never) > "$WORK/npx.json" 2> "$WORK/npx.err" || status=$?
direct=0
(cd "$P" && "$BIN" check example --format json --color never) > "$WORK/direct.json" 2>/dev/null || direct=$?
findings="$(node -e 'let n=0; for (const f of require(process.argv[1])) n += f.messages.length; console.log(n)' "$WORK/npx.json" 2>/dev/null || echo 0)"
rules="$(node -e 'const s=new Set(); for (const f of require(process.argv[1])) for (const m of f.messages) s.add(m.ruleId); console.log([...s].sort().join(","))' "$WORK/npx.json" 2>/dev/null || true)"
if [ "$status" -eq 1 ] && [ "$direct" -eq 1 ] && cmp -s "$WORK/npx.json" "$WORK/direct.json" && [ "$findings" -gt 0 ] &&
  [[ ",$rules," == *",session-method-on-service-client,"* ]]; then
  ok "npx rlscope check example: exit 1, $findings findings ($rules), identical to the binary's output"
else
  bad "npx rlscope check example: exit $status (binary: $direct), $findings findings; stderr: $(head -5 "$WORK/npx.err")"
fi
# The human format too: the README's headline finding.
status=0
out="$(cd "$P" && npx rlscope check example --color never 2>&1)" || status=$?
[ "$status" -eq 1 ] && grep -q 'app/api/login/route.ts:7:33: error\[session-method-on-service-client\]' <<< "$out" &&
  ok "npx rlscope check example (human): exit 1, login/route.ts:7:33 session-method-on-service-client" ||
  bad "npx rlscope check example (human): exit $status: $(head -5 <<< "$out")"

if (cd "$P" && node "$ROOT/tests/npm/lsp-exchange.mjs" npx rlscope lsp); then
  ok "npx rlscope lsp: initialize/shutdown/exit"
else
  bad "npx rlscope lsp"
fi

# Without the platform package: the launcher says which package is missing.
Q="$WORK/no-platform"
mkdir -p "$Q"
echo '{ "name": "rlscope-npm-test-no-platform", "private": true }' > "$Q/package.json"
(cd "$Q" && npm install --save-dev --save-exact --omit=optional --loglevel=error "$MAIN" >/dev/null) ||
  { echo "npm: FAILED: npm install --omit=optional of the rlscope tarball"; exit 1; }
[ ! -e "$Q/node_modules/@rlscope/cli-linux-x64" ] && ok "--omit=optional: no platform package installed" ||
  bad "--omit=optional still installed @rlscope/cli-linux-x64"
status=0
err="$(cd "$Q" && npx rlscope check . 2>&1)" || status=$?
[ "$status" -eq 2 ] && grep -q '@rlscope/cli-linux-x64, which holds the rlscope binary for linux-x64, is not installed' <<< "$err" &&
  grep -q "npm install --save-dev @rlscope/cli-linux-x64@$VERSION" <<< "$err" &&
  ok "missing platform package: exit 2, the error names @rlscope/cli-linux-x64 and how to install it" ||
  bad "missing platform package: exit $status: $err"
v="$(cd "$Q" && RLSCOPE_BINARY="$BIN" npx rlscope --version 2>&1)" || true
[ "$v" = "$("$BIN" --version)" ] && ok "RLSCOPE_BINARY overrides the lookup: $v" || bad "RLSCOPE_BINARY: '$v'"
status=0
err="$(cd "$Q" && RLSCOPE_BINARY=/nonexistent/rlscope npx rlscope --version 2>&1)" || status=$?
[ "$status" -eq 2 ] && grep -q 'RLSCOPE_BINARY is set to /nonexistent/rlscope, which does not exist' <<< "$err" &&
  ok "RLSCOPE_BINARY pointing nowhere: exit 2 with a clear error" || bad "RLSCOPE_BINARY=/nonexistent: exit $status: $err"
err="$(node -e '
  const l = require(process.argv[1]);
  try { l.findBinary({}, "aix-ppc64"); console.log("no error"); } catch (e) { console.log(e.message); }
  console.log(l.platformKey("linux", "x64", true), l.platformKey("darwin", "arm64", false));' "$Q/node_modules/rlscope/bin/rlscope.js")"
grep -q '^there is no prebuilt rlscope binary for this platform (aix-ppc64); prebuilt: linux-x64, linux-arm64' <<< "$err" &&
  grep -q '^linux-x64-musl darwin-arm64$' <<< "$err" &&
  ok "an unknown platform: the error lists the prebuilt platforms" || bad "unknown platform: $err"
# Exit status and signals pass through: 2 from a usage error.
status=0
(cd "$P" && npx rlscope check --no-such-flag >/dev/null 2>&1) || status=$?
[ "$status" -eq 2 ] && ok "a usage error's exit status 2 passes through the launcher" || bad "usage error: exit $status"

if [ "$fails" -ne 0 ]; then
  echo "npm: FAILED ($fails)"
  exit 1
fi
echo "npm: passed"
