//! `--format json`: ESLint's JSON formatter shape, one entry per checked file.

use std::path::{Path, PathBuf};

use rlscope_core::keys::redact_secrets_in;
use rlscope_core::{Applicability, Finding, PositionEncoding, Severity};
use rlscope_engine::Workspace;
use serde_json::{json, Value};

pub fn render(ws: &Workspace, results: &[(PathBuf, Vec<Finding>)]) -> String {
    let files: Vec<Value> = results
        .iter()
        .map(|(path, findings)| file_entry(ws, path, findings))
        .collect();
    let mut s = serde_json::to_string_pretty(&Value::Array(files)).expect("json");
    s.push('\n');
    s
}

fn file_entry(ws: &Workspace, path: &Path, findings: &[Finding]) -> Value {
    let text = ws.source(path).unwrap_or_default();
    let index = ws
        .line_index(path)
        .unwrap_or_else(|| std::sync::Arc::new(rlscope_core::LineIndex::new("")));
    let enc = PositionEncoding::Utf32;
    let mut counts = [0usize; 4];
    let messages: Vec<Value> = findings
        .iter()
        .map(|f| {
            let (s, e) = index.range_to_line_cols(&text, f.range, enc);
            let error = f.severity == Severity::Error;
            let fix = f.fix_at_least(Applicability::Safe);
            counts[if error { 0 } else { 1 }] += 1;
            if fix.is_some() {
                counts[if error { 2 } else { 3 }] += 1;
            }
            let mut m = json!({
                "ruleId": f.rule,
                "severity": if error { 2 } else { 1 },
                "message": redact_secrets_in(&f.message),
                "line": s.line + 1,
                "column": s.col + 1,
                "endLine": e.line + 1,
                "endColumn": e.col + 1,
            });
            if let Some(fix) = fix {
                m["fix"] = fix_json(&text, fix);
            }
            let suggestions: Vec<Value> = f
                .fixes
                .iter()
                .filter(|x| x.applicability != Applicability::Safe && !x.edits.is_empty())
                .map(|x| {
                    let mut v = fix_json(&text, x);
                    v["desc"] = json!(redact_secrets_in(&x.title));
                    v
                })
                .collect();
            if !suggestions.is_empty() {
                m["suggestions"] = Value::Array(suggestions);
            }
            m
        })
        .collect();
    json!({
        "filePath": path.display().to_string(),
        "messages": messages,
        "errorCount": counts[0],
        "warningCount": counts[1],
        "fixableErrorCount": counts[2],
        "fixableWarningCount": counts[3],
    })
}

/// ESLint's fix shape: one `range` (UTF-16 offsets into the file, as JavaScript strings count) and `text`.
/// Several edits are merged into one replacement of the span they cover.
fn fix_json(text: &str, fix: &rlscope_core::Fix) -> Value {
    let mut edits: Vec<_> = fix.edits.iter().collect();
    edits.sort_by_key(|e| e.range.start);
    let start = edits
        .first()
        .map_or(0, |e| e.range.start as usize)
        .min(text.len());
    let end = edits
        .iter()
        .map(|e| e.range.end as usize)
        .max()
        .unwrap_or(0)
        .min(text.len());
    let mut out = String::new();
    let mut cursor = start;
    for e in edits {
        let (s, t) = (
            (e.range.start as usize).min(text.len()),
            (e.range.end as usize).min(text.len()),
        );
        if s >= cursor {
            out.push_str(text.get(cursor..s).unwrap_or(""));
        }
        out.push_str(&e.replacement);
        cursor = cursor.max(t);
    }
    let utf16 = |b: usize| text.get(..b).map_or(0, |p| p.encode_utf16().count());
    json!({ "range": [utf16(start), utf16(end)], "text": redact_secrets_in(&out) })
}
