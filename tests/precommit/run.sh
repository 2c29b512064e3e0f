#!/usr/bin/env bash
# The pre-commit hook (.pre-commit-hooks.yaml) run by pre-commit from PyPI, as `pre-commit try-repo` runs a hook
# repository, on a fresh git repository: with a bad file staged the hook fails and shows the finding; with the file
# fixed and staged it passes. pre-commit installs the hook's npm package (`rlscope@<version>`) from a local
# registry serving the packed packages (tests/npm/registry.mjs), so nothing comes from the network.
# Exit 0 pass, 1 fail, 77 skipped (pre-commit, node or the release binary missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
source tests/e2e/env.sh
if [ ! -x "$RLSCOPE_PRE_COMMIT" ]; then
  echo "pre-commit: skipped: no pre-commit at $RLSCOPE_PRE_COMMIT (tests/e2e/install.sh installs it from PyPI)"
  exit 77
fi
if ! command -v node >/dev/null 2>&1 || [ ! -x "$RLSCOPE_BIN" ]; then
  echo "pre-commit: skipped: node or $RLSCOPE_BIN missing"
  exit 77
fi
WORK="$(mktemp -d /tmp/rlscope-pre-commit.XXXXXX)"
REG_PID=""
cleanup() {
  [ -n "$REG_PID" ] && kill "$REG_PID" 2>/dev/null || true
  [ -n "${RLSCOPE_KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
fails=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fails=$((fails + 1)); }

node npm/build.mjs --pack --out "$WORK/pkgs" --platform "linux-x64=$RLSCOPE_BIN" >/dev/null
VERSION="$(node -p 'require(process.argv[1]).version' "$WORK/pkgs/rlscope/package.json")"
pinned="$(sed -n 's/^ *additional_dependencies: \["rlscope@\([^"]*\)"\]$/\1/p' .pre-commit-hooks.yaml)"
[ "$pinned" = "$VERSION" ] && ok ".pre-commit-hooks.yaml pins rlscope@$VERSION, the version being built" ||
  bad ".pre-commit-hooks.yaml pins rlscope@$pinned, the binary is $VERSION"

node tests/npm/registry.mjs "$WORK/pkgs" "$WORK/port" > "$WORK/registry.log" 2>&1 &
REG_PID=$!
for _ in $(seq 1 100); do [ -s "$WORK/port" ] && break; sleep 0.05; done
[ -s "$WORK/port" ] || { echo "pre-commit: FAILED: the local registry did not start"; cat "$WORK/registry.log"; exit 1; }
export npm_config_registry="http://127.0.0.1:$(cat "$WORK/port")/"
export npm_config_cache="$WORK/npm-cache" npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
export PRE_COMMIT_HOME="$WORK/pre-commit-home"   # try-repo uses its own temporary store; this keeps the rest here

# A small Supabase project: the service-role client in lib/, a route that signs a user in on it.
R="$WORK/repo"
mkdir -p "$R/lib/supabase" "$R/app/api/login"
cp examples/nextjs-supabase/tsconfig.json examples/nextjs-supabase/package.json "$R/"
cp examples/nextjs-supabase/lib/supabase/admin.ts "$R/lib/supabase/"
cp examples/nextjs-supabase/app/api/login/route.ts "$R/app/api/login/"
git -C "$R" init -q
git -C "$R" -c user.name=t -c user.email=t@t commit -q --allow-empty -m init
git -C "$R" add -A

try() { (cd "$R" && "$RLSCOPE_PRE_COMMIT" try-repo "$ROOT" rlscope --color never 2>&1); }
status=0
out="$(try)" || status=$?
echo "$out" | sed 's/^/  | /' | head -30
if [ "$status" -eq 1 ] && grep -q '^rlscope\.*Failed' <<< "$out" &&
  grep -q 'app/api/login/route.ts:7:33: error\[session-method-on-service-client\]' <<< "$out"; then
  ok "staged bad file: the hook fails and shows app/api/login/route.ts:7:33 session-method-on-service-client"
else
  bad "staged bad file: pre-commit exit $status"
fi
grep -q "^GET /-/tarballs/rlscope-$VERSION.tgz 200$" "$WORK/registry.log" &&
  grep -q "^GET /-/tarballs/rlscope-cli-linux-x64-$VERSION.tgz 200$" "$WORK/registry.log" &&
  ok "pre-commit installed rlscope@$VERSION and @rlscope/cli-linux-x64 from the npm registry" ||
  bad "pre-commit did not fetch the packages from the registry: $(cat "$WORK/registry.log")"

# Fix the file (the rule's own fix), stage it: the hook passes.
"$RLSCOPE_BIN" check "$R" --fix --unsafe-fixes >/dev/null 2>&1 || true
git -C "$R" add -A
status=0
out="$(try)" || status=$?
echo "$out" | sed 's/^/  | /' | head -10
if [ "$status" -eq 0 ] && grep -q '^rlscope\.*Passed' <<< "$out"; then
  ok "fixed and staged: the hook passes"
else
  bad "fixed and staged: pre-commit exit $status"
fi
# A commit touching no TypeScript/JavaScript/SQL file does not run the hook.
git -C "$R" -c user.name=t -c user.email=t@t commit -q -m fixed
echo "notes" > "$R/NOTES.txt"
git -C "$R" add NOTES.txt
out="$(try)" || true
grep -q '^rlscope\.*(no files to check)Skipped' <<< "$out" && ok "no TS/JS/SQL file staged: the hook is skipped" ||
  bad "no TS/JS/SQL file staged: $out"

if [ "$fails" -ne 0 ]; then
  echo "pre-commit: FAILED ($fails)"
  exit 1
fi
echo "pre-commit: passed"
