//! The advisor rules on the schema model:
//! - every `tests/fixtures/advisors/invalid/<rule>.sql` yields findings of that rule, snapshotted with the
//!   findings of every other advisor on the same file (position, rule, message, related locations, fixes);
//! - every `tests/fixtures/advisors/valid/<rule>.sql` yields no finding of that rule;
//! - each rule's documented example yields exactly that rule once, and its "use instead" nothing (the docs
//!   are executable, as Biome's rules_check does).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rlscope_core::{Edit, LineIndex, PositionEncoding};
use rlscope_sql::advisors::{self, ProjectFinding};
use rlscope_sql::schema::{self, SqlSource};

fn run(text: &str) -> Vec<ProjectFinding> {
    let sources = vec![SqlSource {
        path: PathBuf::from("migration.sql"),
        text: Arc::from(text),
    }];
    let model = schema::build(&sources);
    advisors::check(&model, &sources)
}

fn render(text: &str, findings: &[ProjectFinding]) -> String {
    let index = LineIndex::new(text);
    let pos = |o: u32| {
        let lc = index.line_col(text, o, PositionEncoding::Utf16);
        format!("{}:{}", lc.line + 1, lc.col + 1)
    };
    let mut out = String::new();
    for pf in findings {
        let f = &pf.finding;
        writeln!(
            out,
            "{} {} [{}] {}\n  | {}\n  object: {} ({})",
            pos(f.range.start),
            f.rule,
            f.severity.as_str(),
            f.message,
            &text[f.range.as_usize()],
            pf.object,
            pf.lints.join(", ")
        )
        .unwrap();
        for r in &f.related {
            writeln!(out, "  related {}: {}", pos(r.range.start), r.message).unwrap();
        }
        for fix in &f.fixes {
            let fixed = Edit::apply_all(text, &fix.edits);
            writeln!(out, "  fix ({:?}): {}", fix.applicability, fix.title).unwrap();
            let first = fix.edits.iter().map(|e| e.range.start).min().unwrap() as usize;
            let line_start = text[..first].rfind('\n').map_or(0, |p| p + 1);
            let line = fixed[line_start..]
                .lines()
                .take(3)
                .collect::<Vec<_>>()
                .join("\n    ");
            writeln!(out, "    {line}").unwrap();
        }
    }
    out
}

fn fixtures(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/advisors")
        .join(dir);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    v.sort();
    v
}

#[test]
fn every_advisor_has_both_fixtures() {
    for r in advisors::all() {
        for dir in ["invalid", "valid"] {
            let p = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/advisors")
                .join(dir)
                .join(format!("{}.sql", r.id));
            assert!(p.exists(), "{}", p.display());
        }
    }
}

#[test]
fn invalid_fixtures_match_their_snapshots() {
    for path in fixtures("invalid") {
        let id = path.file_stem().unwrap().to_str().unwrap().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let findings = run(&text);
        assert!(
            findings.iter().any(|f| f.finding.rule == id),
            "{}: no {id} finding",
            path.display()
        );
        insta::with_settings!({
            snapshot_path => "snapshots/advisors",
            prepend_module_to_snapshot => false,
            input_file => &path,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(id, render(&text, &findings));
        });
    }
}

#[test]
fn valid_fixtures_yield_nothing_of_their_rule() {
    for path in fixtures("valid") {
        let id = path.file_stem().unwrap().to_str().unwrap().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let findings: Vec<_> = run(&text)
            .into_iter()
            .filter(|f| f.finding.rule == id)
            .collect();
        assert!(
            findings.is_empty(),
            "{}:\n{}",
            path.display(),
            render(&text, &findings)
        );
    }
}

#[test]
fn docs_examples_are_executed() {
    for r in advisors::all() {
        let mut ids: Vec<&str> = run(r.example).iter().map(|f| f.finding.rule).collect();
        ids.extend(rlscope_sql::check(r.example).iter().map(|f| f.rule));
        assert_eq!(ids, vec![r.id], "{}: example", r.id);
        let mut ids: Vec<&str> = run(r.use_instead).iter().map(|f| f.finding.rule).collect();
        ids.extend(rlscope_sql::check(r.use_instead).iter().map(|f| f.rule));
        assert!(ids.is_empty(), "{}: use_instead yields {ids:?}", r.id);
        assert!(!r.summary.ends_with('.'));
        assert!(
            r.references
                .iter()
                .any(|x| x.contains("database-linter?lint=")),
            "{}: names its splinter lint",
            r.id
        );
    }
}

#[test]
fn the_initplan_fix_is_exact() {
    let text = "create table public.t (user_id uuid);\nalter table public.t enable row level security;\n\
        create policy p on public.t for update using (auth.uid() = user_id) with check (user_id = AUTH.UID());";
    let f = run(text);
    let fix = &f[0].finding.fixes[0];
    let fixed = Edit::apply_all(text, &fix.edits);
    assert!(fixed.ends_with(
        "using ((select auth.uid()) = user_id) with check (user_id = (select AUTH.UID()));"
    ));
    // The fixed file has no finding left.
    assert!(run(&fixed)
        .iter()
        .all(|x| x.finding.rule != "auth-rls-initplan"));
}

/// Reproductions from real projects (`tests/fixtures/advisors/realworld/*.sql`): each file's
/// `-- expect: <rule> <object>` lines are exactly the advisor findings it yields.
#[test]
fn realworld_fixtures_yield_exactly_their_expectations() {
    for path in fixtures("realworld") {
        let text = std::fs::read_to_string(&path).unwrap();
        let mut expected: Vec<String> = text
            .lines()
            .filter_map(|l| l.strip_prefix("-- expect: "))
            .map(|l| l.trim().to_string())
            .collect();
        let mut got: Vec<String> = run(&text)
            .iter()
            .map(|f| format!("{} {}", f.finding.rule, f.object))
            .collect();
        expected.sort();
        got.sort();
        assert_eq!(got, expected, "{}", path.display());
    }
}
