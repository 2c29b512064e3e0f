//! Fixture tests: every `tests/fixtures/invalid/*.sql` is checked and its findings are snapshotted (position,
//! rule, message, the source line with the range underlined, and the text after applying each fix);
//! every `tests/fixtures/valid/*.sql` must yield no finding at all.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rlscope_core::{Edit, Finding, LineIndex, PositionEncoding};

fn fixtures(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", root.display());
    files
}

/// Apply non-overlapping edits to `text`.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut edits: Vec<&Edit> = edits.iter().collect();
    edits.sort_by_key(|e| e.range.start);
    let mut out = String::new();
    let mut at = 0usize;
    for e in edits {
        let r = e.range.as_usize();
        assert!(r.start >= at, "overlapping edits");
        out.push_str(&text[at..r.start]);
        out.push_str(&e.replacement);
        at = r.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Lines `first..=last` of `text` (0-based), without their line ends.
fn lines(text: &str, first: u32, last: u32) -> Vec<&str> {
    text.split('\n')
        .skip(first as usize)
        .take((last - first + 1) as usize)
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect()
}

pub fn render(text: &str, findings: &[Finding]) -> String {
    let index = LineIndex::new(text);
    let mut out = String::new();
    for f in findings {
        let start = index.line_col(text, f.range.start, PositionEncoding::Utf16);
        let end = index.line_col(text, f.range.end, PositionEncoding::Utf16);
        writeln!(
            out,
            "{}:{} {} [{}] {}",
            start.line + 1,
            start.col + 1,
            f.rule,
            f.severity.as_str(),
            f.message
        )
        .unwrap();
        // The primary range, underlined (columns in chars of the line).
        for (k, line) in lines(text, start.line, end.line).iter().enumerate() {
            let l = start.line + k as u32;
            let line_start = index.line_start(l) as usize;
            let from = if l == start.line {
                text[line_start..f.range.start as usize].chars().count()
            } else {
                0
            };
            let to = if l == end.line {
                text[line_start..f.range.end as usize].chars().count()
            } else {
                line.chars().count()
            };
            writeln!(out, "  | {line}").unwrap();
            writeln!(
                out,
                "  | {}{}",
                " ".repeat(from),
                "^".repeat(to.saturating_sub(from).max(1))
            )
            .unwrap();
        }
        for fix in &f.fixes {
            writeln!(out, "  fix ({:?}): {}", fix.applicability, fix.title).unwrap();
            let fixed = apply(text, &fix.edits);
            // The lines the edits touch, before (`-`) and after (`+`) the fix.
            let first = fix.edits.iter().map(|e| e.range.start).min().unwrap() as usize;
            let last = fix.edits.iter().map(|e| e.range.end).max().unwrap() as usize;
            let removed: isize = fix
                .edits
                .iter()
                .map(|e| e.range.len() as isize - e.replacement.len() as isize)
                .sum();
            let from = text[..first].rfind('\n').map_or(0, |p| p + 1);
            // An edit that ends right after a line break stops there; otherwise run to the line's end.
            let ends_line = last > 0 && text.as_bytes()[last - 1] == b'\n';
            let old_end = if ends_line {
                last
            } else {
                text[last..].find('\n').map_or(text.len(), |p| last + p)
            };
            let new_last = (last as isize - removed) as usize;
            let new_end = if ends_line {
                new_last
            } else {
                fixed[new_last..]
                    .find('\n')
                    .map_or(fixed.len(), |p| new_last + p)
            };
            for line in text[from..old_end].lines() {
                writeln!(out, "  - {line}").unwrap();
            }
            for line in fixed[from..new_end].lines() {
                writeln!(out, "  + {line}").unwrap();
            }
        }
    }
    out
}

#[test]
fn invalid_fixtures_match_their_snapshots() {
    for path in fixtures("invalid") {
        let text = std::fs::read_to_string(&path).unwrap();
        let findings = rlscope_sql::check(&text);
        assert!(
            !findings.is_empty(),
            "{}: an invalid fixture must yield findings",
            path.display()
        );
        for f in &findings {
            assert!(
                text.is_char_boundary(f.range.start as usize)
                    && text.is_char_boundary(f.range.end as usize)
            );
        }
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        insta::with_settings!({
            snapshot_path => "snapshots",
            prepend_module_to_snapshot => false,
            input_file => &path,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(name, render(&text, &findings));
        });
    }
}

#[test]
fn valid_fixtures_yield_nothing() {
    for path in fixtures("valid") {
        let text = std::fs::read_to_string(&path).unwrap();
        let findings = rlscope_sql::check(&text);
        assert!(
            findings.is_empty(),
            "{}:\n{}",
            path.display(),
            render(&text, &findings)
        );
    }
}

/// Every fix applies cleanly and removes its own finding (the fixed file does not report that range).
#[test]
fn fixes_remove_what_they_fix() {
    for path in fixtures("invalid") {
        let text = std::fs::read_to_string(&path).unwrap();
        let findings = rlscope_sql::check(&text);
        for f in &findings {
            for fix in &f.fixes {
                let fixed = apply(&text, &fix.edits);
                let after = rlscope_sql::check(&fixed);
                assert_eq!(
                    after.len(),
                    findings.len() - 1 - count_also_removed(&findings, f, fix),
                    "{}: fix {:?} of {:?}\n--- fixed ---\n{}",
                    path.display(),
                    fix.title,
                    f.message,
                    fixed
                );
            }
        }
    }
}

/// Other findings inside the text a fix deletes go away with it.
fn count_also_removed(findings: &[Finding], this: &Finding, fix: &rlscope_core::Fix) -> usize {
    findings
        .iter()
        .filter(|g| !std::ptr::eq(*g, this))
        .filter(|g| fix.edits.iter().any(|e| e.range.contains_range(g.range)))
        .count()
}
