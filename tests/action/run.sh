#!/usr/bin/env bash
# The GitHub Action (action.yml → action/run.sh) run as the runner would run its composite step: the inputs
# documented in action.yml as INPUT_* variables, GitHub's environment (GITHUB_WORKSPACE, RUNNER_TEMP,
# GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_ACTION_PATH) faked, and npm installing rlscope@<version> from a local
# registry serving the packed packages (tests/npm/registry.mjs). Checks the annotations, outputs, SARIF, summary and
# exit status for each fail level, and that bad inputs are refused.
# Exit 0 pass, 1 fail, 77 skipped (node or the release binary missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
BIN="${RLSCOPE_BIN:-$PWD/target/release/rlscope}"
if ! command -v node >/dev/null 2>&1 || [ ! -x "$BIN" ]; then
  echo "action: skipped: node or $BIN missing"
  exit 77
fi
WORK="$(mktemp -d /tmp/rlscope-action.XXXXXX)"
REG_PID=""
cleanup() {
  [ -n "$REG_PID" ] && kill "$REG_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fails=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fails=$((fails + 1)); }

# Every input action.yml declares reaches the script as INPUT_<NAME>, and the script reads each one.
for input in $(sed -n '/^inputs:/,/^outputs:/s/^  \([a-z-]*\):$/\1/p' action.yml); do
  var="INPUT_$(tr 'a-z-' 'A-Z_' <<< "$input")"
  if grep -q "^        $var: \${{ inputs.$input }}$" action.yml && grep -q "\${$var" action/run.sh; then
    ok "input $input is passed as $var and read by action/run.sh"
  else
    bad "input $input: not passed as $var in action.yml, or not read by action/run.sh"
  fi
done
default_version="$(sed -n '/^  version:/,/default:/s/^    default: "\(.*\)"$/\1/p' action.yml)"

node npm/build.mjs --pack --out "$WORK/pkgs" --platform "linux-x64=$BIN" >/dev/null
VERSION="$(node -p 'require(process.argv[1]).version' "$WORK/pkgs/rlscope/package.json")"
[ "$default_version" = "$VERSION" ] && ok "the version input defaults to $VERSION, the version being built" ||
  bad "action.yml's version default is $default_version, the binary is $VERSION"
node tests/npm/registry.mjs "$WORK/pkgs" "$WORK/port" > "$WORK/registry.log" 2>&1 &
REG_PID=$!
for _ in $(seq 1 100); do [ -s "$WORK/port" ] && break; sleep 0.05; done
[ -s "$WORK/port" ] || { echo "action: FAILED: the local registry did not start"; exit 1; }
export npm_config_registry="http://127.0.0.1:$(cat "$WORK/port")/"
export npm_config_cache="$WORK/npm-cache" npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

# The checked-out repository: a copy of the example.
export GITHUB_WORKSPACE="$WORK/repo" GITHUB_ACTION_PATH="$ROOT" GITHUB_ACTIONS=true CI=true
cp -r examples/nextjs-supabase "$GITHUB_WORKSPACE"
rm -rf "$GITHUB_WORKSPACE/node_modules"
(cd "$GITHUB_WORKSPACE" && "$BIN" check . --format json) > "$WORK/expected.json" || true
read -r want_errors want_warnings < <(node -e '
  let e = 0, w = 0;
  for (const f of require(process.argv[1])) for (const m of f.messages) m.severity === 2 ? e++ : w++;
  console.log(e, w)' "$WORK/expected.json")

# action NAME VAR=VALUE...: runs the step like the runner (bash "$GITHUB_ACTION_PATH/action/run.sh") with a fresh
# RUNNER_TEMP, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY; sets $status and $out, leaves the files in $WORK/NAME.
action() {
  local name=$1
  shift
  mkdir -p "$WORK/$name/temp"
  : > "$WORK/$name/output"
  : > "$WORK/$name/summary"
  status=0
  out="$(cd "$GITHUB_WORKSPACE" && env RUNNER_TEMP="$WORK/$name/temp" GITHUB_OUTPUT="$WORK/$name/output" \
    GITHUB_STEP_SUMMARY="$WORK/$name/summary" "$@" bash "$GITHUB_ACTION_PATH/action/run.sh" 2>&1)" || status=$?
}
output() { sed -n "s/^$2=//p" "$WORK/$1/output"; }

# 1. The defaults plus SARIF: installs rlscope@VERSION from the registry, annotates, fails on errors.
action defaults INPUT_PATH=. INPUT_VERSION="$VERSION" INPUT_FAIL_LEVEL=error INPUT_SARIF_FILE=results/rlscope.sarif
echo "$out" | head -4 | sed 's/^/  | /'
[ "$status" -eq 1 ] && ok "fail-level error with $want_errors errors: exit 1" || bad "defaults: exit $status: $out"
grep -q "^rlscope $VERSION " <<< "$out" && [ -x "$WORK/defaults/temp/rlscope-npm-$VERSION/node_modules/@rlscope/cli-linux-x64/rlscope" ] &&
  ok "installed rlscope@$VERSION from npm into RUNNER_TEMP" || bad "rlscope@$VERSION was not installed: $out"
grep -q '^::error file=app/api/login/route.ts,line=7,endLine=7,col=33,endColumn=70,title=rlscope(session-method-on-service-client)::' <<< "$out" &&
  ok "annotation: ::error file=app/api/login/route.ts,line=7,col=33 …session-method-on-service-client" ||
  bad "no annotation for app/api/login/route.ts:7:33"
[ "$(grep -c '^::error file=' <<< "$out")" -eq "$want_errors" ] && [ "$(grep -c '^::warning file=' <<< "$out")" -eq "$want_warnings" ] &&
  ok "$want_errors ::error and $want_warnings ::warning annotations, as rlscope check --format json counts" ||
  bad "annotation counts differ from $want_errors errors / $want_warnings warnings"
[ "$(output defaults errors)" = "$want_errors" ] && [ "$(output defaults warnings)" = "$want_warnings" ] &&
  [ "$(output defaults sarif-file)" = results/rlscope.sarif ] &&
  ok "GITHUB_OUTPUT: errors=$want_errors warnings=$want_warnings sarif-file=results/rlscope.sarif" ||
  bad "GITHUB_OUTPUT: $(cat "$WORK/defaults/output")"
n="$(node -e 'const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(s.version === "2.1.0" ? s.runs[0].results.length : -1)' \
  "$GITHUB_WORKSPACE/results/rlscope.sarif" 2>/dev/null || echo -1)"
[ "$n" -eq $((want_errors + want_warnings)) ] && ok "SARIF 2.1.0 written with $n results" || bad "SARIF: $n results"
grep -q "^\*\*rlscope\*\*: $want_errors error(s), $want_warnings warning(s) in \`.\`" "$WORK/defaults/summary" &&
  ok "the job summary counts them" || bad "summary: $(cat "$WORK/defaults/summary")"

# 2. fail-level none: the same annotations, exit 0; no SARIF asked, none written.
action none INPUT_VERSION="$VERSION" INPUT_FAIL_LEVEL=none
[ "$status" -eq 0 ] && [ "$(grep -c '^::error file=' <<< "$out")" -eq "$want_errors" ] && [ -z "$(output none sarif-file)" ] &&
  ok "fail-level none: exit 0 with the same $want_errors error annotations, no SARIF" || bad "none: exit $status"

# 3. A repository whose only finding is a warning (auth.signUp on the service client): fail-level error passes,
#    warning fails.
full="$GITHUB_WORKSPACE"
export GITHUB_WORKSPACE="$WORK/warn-repo"
mkdir -p "$GITHUB_WORKSPACE/lib/supabase" "$GITHUB_WORKSPACE/app/api/signup"
cp "$full/tsconfig.json" "$full/package.json" "$GITHUB_WORKSPACE/"
cp "$full/lib/supabase/admin.ts" "$GITHUB_WORKSPACE/lib/supabase/"
cp "$full/app/api/signup/route.ts" "$GITHUB_WORKSPACE/app/api/signup/"
action warn-error INPUT_VERSION="$VERSION" INPUT_FAIL_LEVEL=error
[ "$status" -eq 0 ] && [ "$(output warn-error errors)" = 0 ] && [ "$(output warn-error warnings)" = 1 ] &&
  ok "one warning, fail-level error: exit 0 (errors=0 warnings=1)" || bad "warn-error: exit $status: $out"
action warn-warning INPUT_VERSION="$VERSION" INPUT_FAIL_LEVEL=warning
[ "$status" -eq 1 ] && grep -q '^::warning file=app/api/signup/route.ts,line=7,' <<< "$out" &&
  ok "the same with fail-level warning: exit 1, ::warning on app/api/signup/route.ts:7" || bad "warn-warning: exit $status"
export GITHUB_WORKSPACE="$full"

# 4. version: project runs the repository's node_modules/.bin/rlscope (no install).
rlscope_dir="$WORK/project-npm"
mkdir -p "$rlscope_dir"
echo '{ "name": "p", "private": true }' > "$rlscope_dir/package.json"
(cd "$rlscope_dir" && npm install --save-exact --loglevel=error "rlscope@$VERSION" >/dev/null) && mv "$rlscope_dir/node_modules" "$GITHUB_WORKSPACE/"
action project INPUT_VERSION=project INPUT_FAIL_LEVEL=error
[ "$status" -eq 1 ] && [ ! -e "$WORK/project/temp/rlscope-npm-project" ] && [ "$(output project errors)" = "$want_errors" ] &&
  ok "version project: the project's node_modules/.bin/rlscope, $want_errors errors" || bad "project: exit $status: $out"
rm -rf "$GITHUB_WORKSPACE/node_modules"

# 5. Bad inputs: a clear ::error and exit 2.
action bad-level INPUT_VERSION="$VERSION" INPUT_FAIL_LEVEL=sometimes
[ "$status" -eq 2 ] && grep -q "^::error title=rlscope action::fail-level must be error, warning or none, not 'sometimes'" <<< "$out" &&
  ok "fail-level sometimes: exit 2, a clear error" || bad "bad-level: exit $status: $out"
action bad-version INPUT_VERSION='latest; touch pwned'
[ "$status" -eq 2 ] && grep -q "^::error title=rlscope action::version must be an exact version" <<< "$out" && [ ! -e "$GITHUB_WORKSPACE/pwned" ] &&
  ok "version 'latest; touch pwned': exit 2, refused" || bad "bad-version: exit $status: $out"
action missing-version INPUT_VERSION=9.9.9
[ "$status" -eq 2 ] && grep -q '^::error title=rlscope action::npm install rlscope@9.9.9 failed' <<< "$out" &&
  ok "a version npm does not have: exit 2, a clear error" || bad "missing-version: exit $status: $out"
action bad-path INPUT_VERSION="$VERSION" INPUT_PATH=no/such/folder
[ "$status" -eq 2 ] && grep -q 'no/such/folder: no such file or folder' <<< "$out" &&
  ok "a path that does not exist: exit 2 with rlscope's message" || bad "bad-path: exit $status: $out"

if [ "$fails" -ne 0 ]; then
  echo "action: FAILED ($fails)"
  exit 1
fi
echo "action: passed"
