//! The example project's migrations (examples/nextjs-supabase/supabase/migrations) show the rule and its
//! correct neighbours: exactly these lines are reported, everything else there stays silent.

use std::path::Path;

use rlscope_core::{LineIndex, PositionEncoding};

#[test]
fn example_migrations_report_exactly_the_marked_bugs() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/nextjs-supabase/supabase/migrations");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    let mut got = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let index = LineIndex::new(&text);
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        for f in rlscope_sql::check(&text) {
            let lc = index.line_col(&text, f.range.start, PositionEncoding::Utf8);
            got.push(format!("{name}:{}:{}", lc.line + 1, lc.col + 1));
            // Every reported policy is marked `BUG (service-role-policy)` above it (the nearest marker comment is
            // a BUG one, not a `Correct` one).
            let before = &text[..f.range.start as usize];
            let bug = before.rfind("-- BUG (service-role-policy)");
            let correct = before.rfind("-- Correct");
            assert!(
                bug.is_some() && bug > correct,
                "{name}:{}: not marked as a BUG",
                lc.line + 1
            );
        }
    }
    assert_eq!(
        got,
        vec![
            "20240101000000_init.sql:53:4",
            "20240102000000_audit_log.sql:16:13",
            "20240103000000_subscribers.sql:16:19",
            "20240103000000_subscribers.sql:25:6",
            "20240104000000_policy_helpers.sql:26:49",
        ]
    );
}
