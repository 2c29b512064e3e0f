#!/usr/bin/env bash
# The script of the rlscope GitHub Action (action.yml): installs the rlscope npm package, runs
# `rlscope check --format github` (each finding becomes an annotation), optionally writes SARIF, and sets the
# outputs errors, warnings and sarif-file. Inputs arrive as environment variables:
#   INPUT_PATH        files or folders, relative to the repository root, separated by spaces (default .)
#   INPUT_VERSION     exact npm version of rlscope to install, or "project" for node_modules/.bin/rlscope
#   INPUT_FAIL_LEVEL  error (default) | warning | none
#   INPUT_SARIF_FILE  where to write SARIF 2.1.0 (default: none)
# and GitHub's own: GITHUB_WORKSPACE, RUNNER_TEMP, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY.
# Exit status: 0 pass, 1 findings at or above the fail level, 2 a bad input or rlscope could not run.
set -euo pipefail

die() {
  echo "::error title=rlscope action::$*"
  exit 2
}

paths_input="${INPUT_PATH:-.}"
version="${INPUT_VERSION:-0.1.0}"
fail_level="${INPUT_FAIL_LEVEL:-error}"
sarif="${INPUT_SARIF_FILE:-}"
temp="${RUNNER_TEMP:-$(mktemp -d)}"

case "$fail_level" in
  error | warning | none) ;;
  *) die "fail-level must be error, warning or none, not '$fail_level'" ;;
esac
if [ "$version" != project ] && ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]]; then
  die "version must be an exact version such as 0.1.0, or project, not '$version'"
fi
read -r -a paths <<< "$paths_input"
[ "${#paths[@]}" -gt 0 ] || paths=(.)

cd "${GITHUB_WORKSPACE:-.}"
if [ "$version" = project ]; then
  bin="$PWD/node_modules/.bin/rlscope"
  [ -x "$bin" ] || die "version: project, but there is no node_modules/.bin/rlscope (add rlscope to devDependencies and run npm ci first)"
else
  prefix="$temp/rlscope-npm-$version"
  if [ ! -x "$prefix/node_modules/.bin/rlscope" ]; then
    mkdir -p "$prefix"
    echo '{ "name": "rlscope-action", "private": true }' > "$prefix/package.json"
    echo "Installing rlscope@$version from npm"
    (cd "$prefix" && npm install --no-audit --no-fund --save-exact --loglevel=error "rlscope@$version") >&2 ||
      die "npm install rlscope@$version failed"
  fi
  bin="$prefix/node_modules/.bin/rlscope"
fi
echo "$("$bin" --version)"

annotations="$temp/rlscope-annotations.txt"
status=0
"$bin" check "${paths[@]}" --format github > "$annotations" || status=$?
cat "$annotations"
[ "$status" -le 1 ] || die "rlscope check exited with status $status (see its message above)"
errors="$(grep -c '^::error ' "$annotations" || true)"
warnings="$(grep -c '^::warning ' "$annotations" || true)"

if [ -n "$sarif" ]; then
  mkdir -p "$(dirname "$sarif")"
  s=0
  "$bin" check "${paths[@]}" --format sarif > "$sarif" || s=$?
  [ "$s" -le 1 ] || die "rlscope check --format sarif exited with status $s"
  echo "SARIF written to $sarif"
fi

if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "errors=$errors"
    echo "warnings=$warnings"
    echo "sarif-file=$sarif"
  } >> "$GITHUB_OUTPUT"
fi
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  echo "**rlscope**: $errors error(s), $warnings warning(s) in \`${paths[*]}\` (fail level: $fail_level)" >> "$GITHUB_STEP_SUMMARY"
fi
echo "rlscope: $errors error(s), $warnings warning(s)"

case "$fail_level" in
  error) [ "$errors" -eq 0 ] || exit 1 ;;
  warning) [ $((errors + warnings)) -eq 0 ] || exit 1 ;;
esac
exit 0
