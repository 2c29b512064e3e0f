//! Minimal reproductions of the bugs this suite found (docs/reliability.md lists them), kept as regression tests.

use std::time::Duration;

use rlscope_reliability::{rlscope_bin, run_bounded, write};

/// B1: `Lowerer::string_value` (server/engine/src/lower.rs) takes `raw[1..raw.len() - 1]` assuming the literal
/// ends with its closing quote. tree-sitter's error recovery yields a string node without one, and when its last
/// char is multi-byte the slice panics. In `rlscope check` this happens inside `Workspace::load_paths` (not under
/// `catch_panic`), so the whole run dies with exit status 101.
#[test]
fn b1_unterminated_string_ending_in_multibyte_char() {
    let text = "/*<div>{x}</div>\"é\n;import { createClient } from '@supabase/supabase-js'\n";
    assert!(std::panic::catch_unwind(|| rlscope_engine::check_source("a.tsx", text)).is_ok());
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.tsx", text);
    let run = run_bounded(
        std::process::Command::new(rlscope_bin())
            .args(["check", "--format", "json"])
            .arg(dir.path()),
        Duration::from_secs(20),
    );
    assert!(matches!(run.code, Some(0 | 1)), "{}", run.describe());
}
