//! The default output, in the style of rustc and ruff:
//!
//! ```text
//! app/api/signup/route.ts:12:9: error[session-method-on-service-client] `supabaseAdmin.auth.signUp` …
//!    |
//! 12 |   await supabaseAdmin.auth.signUp({ email, password })
//!    |         ^^^^^^^^^^^^^^^^^^^^^^^^^
//!    = note: lib/admin.ts:3:1: client built here with SUPABASE_SERVICE_ROLE_KEY
//!    = fix (unsafe): Replace with `auth.admin.createUser`
//! ```

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rlscope_core::keys::redact_secrets_in;
use rlscope_core::{Applicability, Finding, PositionEncoding, Severity};
use rlscope_engine::Workspace;

use super::display_path;

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

pub fn render(
    ws: &Workspace,
    results: &[(PathBuf, Vec<Finding>)],
    cwd: &Path,
    color: bool,
) -> String {
    let style = Style { on: color };
    let mut out = String::new();
    let (mut errors, mut warnings, mut fixable, mut unsafe_fixable) = (0, 0, 0, 0);
    for (path, findings) in results {
        if findings.is_empty() {
            continue;
        }
        let text = ws.source(path).unwrap_or_default();
        let index = ws
            .line_index(path)
            .unwrap_or_else(|| std::sync::Arc::new(rlscope_core::LineIndex::new("")));
        for f in findings {
            let (s, e) = index.range_to_line_cols(&text, f.range, PositionEncoding::Utf32);
            let (label, code) = match f.severity {
                Severity::Error => {
                    errors += 1;
                    ("error", "1;31")
                }
                Severity::Warning => {
                    warnings += 1;
                    ("warning", "1;33")
                }
            };
            let _ = writeln!(
                out,
                "{}: {} {}",
                style.paint(
                    "1",
                    &format!("{}:{}:{}", display_path(path, cwd), s.line + 1, s.col + 1)
                ),
                style.paint(code, &format!("{label}[{}]", f.rule)),
                redact_secrets_in(&f.message)
            );
            // the source line with the range underlined (first line of the range only)
            let line_range = index.line_range(&text, s.line);
            let line_text = &text[line_range.as_usize()];
            let gutter = (s.line + 1).to_string();
            let pad = " ".repeat(gutter.len());
            let shown: String = redact_secrets_in(line_text).chars().take(200).collect();
            // columns on the shown (redacted) line: a redacted key is shorter than the key
            let shown_col = |byte: usize| {
                let byte = rlscope_core::line_index::floor_char_boundary(line_text, byte);
                redact_secrets_in(&line_text[..byte]).chars().count() as u32
            };
            let start_byte = (f.range.start - line_range.start) as usize;
            let start_col = shown_col(start_byte);
            let end_col = if e.line == s.line {
                shown_col((f.range.end - line_range.start) as usize)
            } else {
                shown_col(line_text.len())
            };
            let width = end_col.saturating_sub(start_col).max(1);
            let _ = writeln!(out, "{pad} {}", style.paint("34", "|"));
            let _ = writeln!(
                out,
                "{} {} {}",
                style.paint("34", &gutter),
                style.paint("34", "|"),
                shown.replace('\t', " ")
            );
            let underline = format!(
                "{}{}",
                " ".repeat(start_col.min(200) as usize),
                "^".repeat(width.min(200) as usize)
            );
            let _ = writeln!(
                out,
                "{pad} {} {}",
                style.paint("34", "|"),
                style.paint(code, &underline)
            );
            for r in &f.related {
                let loc = related_location(ws, &r.path, r.range, cwd);
                let _ = writeln!(
                    out,
                    "{pad} = {}: {loc}: {}",
                    style.paint("1", "note"),
                    redact_secrets_in(&r.message)
                );
            }
            if f.fix_at_least(Applicability::Safe).is_some() {
                fixable += 1;
            } else if f.fix_at_least(Applicability::Unsafe).is_some() {
                unsafe_fixable += 1;
            }
            for fix in &f.fixes {
                let grade = match fix.applicability {
                    Applicability::Safe => "fix",
                    Applicability::Unsafe => "fix (unsafe)",
                    Applicability::DisplayOnly => "help",
                };
                let _ = writeln!(
                    out,
                    "{pad} = {}: {}",
                    style.paint("1;36", grade),
                    redact_secrets_in(&fix.title)
                );
            }
            out.push('\n');
        }
    }
    let total = errors + warnings;
    if total == 0 {
        let _ = writeln!(out, "{}", style.paint("1;32", "No problems found."));
    } else {
        let _ = writeln!(
            out,
            "Found {total} problem{} ({errors} error{}, {warnings} warning{}).",
            if total == 1 { "" } else { "s" },
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" }
        );
        if fixable > 0 {
            let _ = writeln!(out, "{fixable} fixable with `--fix`.");
        }
        if unsafe_fixable > 0 {
            let _ = writeln!(
                out,
                "{unsafe_fixable} more fixable with `--fix --unsafe-fixes` (review the changes: they change behaviour)."
            );
        }
    }
    out
}

fn related_location(
    ws: &Workspace,
    path: &Path,
    range: rlscope_core::TextRange,
    cwd: &Path,
) -> String {
    match (ws.source(path), ws.line_index(path)) {
        (Some(text), Some(index)) => {
            let lc = index.line_col(&text, range.start, PositionEncoding::Utf32);
            format!("{}:{}:{}", display_path(path, cwd), lc.line + 1, lc.col + 1)
        }
        _ => display_path(path, cwd),
    }
}
