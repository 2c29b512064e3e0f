//! `--format github`: GitHub Actions workflow commands, one annotation per finding:
//!
//! ```text
//! ::error file=app/page.tsx,line=3,endLine=3,col=7,endColumn=19,title=rlscope(ssr-client-service-key)::message
//! ```
//!
//! Lines and columns are 1-based, columns count characters, `endColumn` is exclusive. Property values escape
//! `%`, `\r`, `\n`, `:` and `,`; the message escapes `%`, `\r` and `\n` (the workflow-command rules). Related
//! locations follow the message on their own lines.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rlscope_core::keys::redact_secrets_in;
use rlscope_core::{Finding, PositionEncoding, Severity};
use rlscope_engine::Workspace;

use super::display_path;

pub fn render(ws: &Workspace, results: &[(PathBuf, Vec<Finding>)], cwd: &Path) -> String {
    let mut out = String::new();
    for (path, findings) in results {
        if findings.is_empty() {
            continue;
        }
        let text = ws.source(path).unwrap_or_default();
        let index = ws
            .line_index(path)
            .unwrap_or_else(|| std::sync::Arc::new(rlscope_core::LineIndex::new("")));
        let file = display_path(path, cwd);
        for f in findings {
            let (s, e) = index.range_to_line_cols(&text, f.range, PositionEncoding::Utf32);
            let command = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let mut message = redact_secrets_in(&f.message).into_owned();
            for r in &f.related {
                let loc = match (ws.source(&r.path), ws.line_index(&r.path)) {
                    (Some(t), Some(i)) => {
                        let lc = i.line_col(&t, r.range.start, PositionEncoding::Utf32);
                        format!(
                            "{}:{}:{}",
                            display_path(&r.path, cwd),
                            lc.line + 1,
                            lc.col + 1
                        )
                    }
                    _ => display_path(&r.path, cwd),
                };
                let _ = write!(message, "\nnote: {loc}: {}", redact_secrets_in(&r.message));
            }
            let _ = writeln!(
                out,
                "::{command} file={},line={},endLine={},col={},endColumn={},title={}::{}",
                escape_property(&file),
                s.line + 1,
                e.line + 1,
                s.col + 1,
                e.col + 1,
                escape_property(&format!("rlscope({})", f.rule)),
                escape_data(&message)
            );
        }
    }
    out
}

pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
