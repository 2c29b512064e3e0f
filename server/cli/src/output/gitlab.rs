//! `--format gitlab`: GitLab's code quality report (a JSON array of CodeClimate-style issues), for
//! `artifacts: reports: codequality`. Errors are `major`, warnings `minor`; `fingerprint` is the SARIF one
//! (rule, file, trimmed line text, occurrence), so an issue keeps its identity when lines move. Paths are
//! relative to the current folder (run it from the repository root).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rlscope_core::keys::redact_secrets_in;
use rlscope_core::{Finding, PositionEncoding, Severity};
use rlscope_engine::Workspace;
use serde_json::{json, Value};

use super::display_path;
use super::sarif::{fingerprint, FileText};

pub fn render(ws: &Workspace, results: &[(PathBuf, Vec<Finding>)], cwd: &Path) -> String {
    let mut issues: Vec<Value> = Vec::new();
    for (path, findings) in results {
        if findings.is_empty() {
            continue;
        }
        let file = FileText::of(ws, path);
        let shown = display_path(path, cwd);
        let text = ws.source(path).unwrap_or_default();
        let index = ws
            .line_index(path)
            .unwrap_or_else(|| std::sync::Arc::new(rlscope_core::LineIndex::new("")));
        let mut seen: HashMap<(&str, String), usize> = HashMap::new();
        for f in findings {
            let line_text = file.line_text(f.range.start);
            let n = seen.entry((f.rule, line_text.clone())).or_insert(0);
            let occurrence = *n;
            *n += 1;
            let (s, e) = index.range_to_line_cols(&text, f.range, PositionEncoding::Utf32);
            issues.push(json!({
                "type": "issue",
                "check_name": f.rule,
                "description": format!("{}: {}", f.rule, redact_secrets_in(&f.message)),
                "categories": ["Security"],
                "severity": match f.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                },
                "fingerprint": fingerprint(f.rule, &shown, &line_text, occurrence),
                "location": {
                    "path": shown,
                    "positions": {
                        "begin": { "line": s.line + 1, "column": s.col + 1 },
                        "end": { "line": e.line + 1, "column": e.col + 1 },
                    },
                },
            }));
        }
    }
    let mut s = serde_json::to_string_pretty(&Value::Array(issues)).expect("json");
    s.push('\n');
    s
}
