#!/usr/bin/env bash
# Real-Emacs end-to-end test: Debian's emacs-nox 28 with elpa-eglot 1.9, batch mode, against target/release/rlscope
# on a copy of examples/nextjs-supabase (a git repository, so eglot's project is the example's folder).
# Exit 0 pass, 1 fail, 77 skipped (a program is missing).
set -euo pipefail
cd "$(dirname "$0")/../../.."
source tests/e2e/env.sh

if [ ! -x "$RLSCOPE_EMACS" ] || ! ls -d /usr/share/emacs/site-lisp/elpa/eglot-* >/dev/null 2>&1; then
  echo "emacs e2e: skipped: no emacs at $RLSCOPE_EMACS or no eglot in /usr/share/emacs/site-lisp/elpa (apt-get install emacs-nox elpa-eglot)"
  exit 77
fi
if [ ! -x "$RLSCOPE_BIN" ]; then
  echo "emacs e2e: skipped: no server binary at $RLSCOPE_BIN (cargo build --release)"
  exit 77
fi
WORK="$(mktemp -d /tmp/rlscope-e2e-emacs.XXXXXX)"
trap 'if [ -n "${RLSCOPE_E2E_KEEP:-}" ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi' EXIT
cp -r "$RLSCOPE_EXAMPLE" "$WORK/ws"
rm -rf "$WORK/ws/node_modules"
git -C "$WORK/ws" init -q
# Emacs keeps nothing outside the work folder.
status=0
HOME="$WORK/home" RLSCOPE_WS="$WORK/ws" timeout 120 "$RLSCOPE_EMACS" --batch -Q -l tests/e2e/emacs/test.el </dev/null ||
  status=$?
if [ "$status" -ne 0 ]; then
  echo "emacs e2e: FAILED (exit $status)"
  exit 1
fi
echo "emacs e2e: passed"
