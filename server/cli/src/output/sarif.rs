//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
//!
//! - One run; `tool.driver.rules` lists every rule (id, name, short and full description, help text and URI,
//!   default level); results point at their rule by `ruleId` and `ruleIndex`.
//! - Regions are 1-based lines and columns; columns count UTF-16 code units, SARIF's default `columnKind`
//!   (stated explicitly in the run), and `endColumn` is exclusive.
//! - Artifact URIs are relative to the current folder (`uriBaseId` `%SRCROOT%`) when the file lies below it,
//!   else absolute `file://` URIs.
//! - `partialFingerprints["rlscope/v1"]` hashes the rule, the file, the trimmed text of the finding's first line
//!   and the finding's index among equal (rule, file, line text) triples, so alerts survive lines moving.
//! - Messages, fix descriptions and inserted text pass through the secret redactor.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rlscope_core::keys::redact_secrets_in;
use rlscope_core::{
    Applicability, Finding, LineIndex, PositionEncoding, RuleMeta, Severity, TextRange,
};
use rlscope_engine::Workspace;
use serde_json::{json, Value};

const ENC: PositionEncoding = PositionEncoding::Utf16;

pub fn render(ws: &Workspace, results: &[(PathBuf, Vec<Finding>)], cwd: &Path) -> String {
    let rules = rlscope_engine::rules::all();
    let rule_index: HashMap<&str, usize> =
        rules.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    let mut out_results = Vec::new();
    let mut artifacts: Vec<String> = Vec::new();
    for (path, findings) in results {
        if findings.is_empty() {
            continue;
        }
        let file = FileText::of(ws, path);
        let (uri, base) = artifact_uri(path, cwd);
        artifacts.push(uri.clone());
        let mut seen: HashMap<(String, String), usize> = HashMap::new();
        for f in findings {
            let line_text = file.line_text(f.range.start);
            let occurrence = {
                let n = seen
                    .entry((f.rule.to_string(), line_text.clone()))
                    .or_insert(0);
                *n += 1;
                *n - 1
            };
            let fingerprint = fingerprint(f.rule, &uri, &line_text, occurrence);
            let mut r = json!({
                "ruleId": f.rule,
                "level": level(f.severity),
                "message": { "text": redact_secrets_in(&f.message) },
                "locations": [ location(&uri, base, file.region(f.range)) ],
                "partialFingerprints": { "rlscope/v1": fingerprint },
            });
            if let Some(i) = rule_index.get(f.rule) {
                r["ruleIndex"] = json!(i);
            }
            let related: Vec<Value> = f
                .related
                .iter()
                .enumerate()
                .map(|(i, rel)| {
                    let other = FileText::of(ws, &rel.path);
                    let (ruri, rbase) = artifact_uri(&rel.path, cwd);
                    let mut loc = location(&ruri, rbase, other.region(rel.range));
                    loc["id"] = json!(i + 1);
                    loc["message"] = json!({ "text": redact_secrets_in(&rel.message) });
                    loc
                })
                .collect();
            if !related.is_empty() {
                r["relatedLocations"] = Value::Array(related);
            }
            let fixes: Vec<Value> = f
                .fixes
                .iter()
                .filter(|x| x.applicability != Applicability::DisplayOnly && !x.edits.is_empty())
                .filter_map(|x| {
                    let replacements: Option<Vec<Value>> = x
                        .edits
                        .iter()
                        .map(|e| {
                            Some(json!({
                                "deletedRegion": file.region(e.range)?,
                                "insertedContent": { "text": redact_secrets_in(&e.replacement) },
                            }))
                        })
                        .collect();
                    let mut artifact = json!({ "uri": uri });
                    if let Some(b) = base {
                        artifact["uriBaseId"] = json!(b);
                    }
                    let safety = match x.applicability {
                        Applicability::Safe => "safe",
                        _ => "unsafe",
                    };
                    Some(json!({
                        "description": { "text": format!("{} ({safety} fix)", redact_secrets_in(&x.title)) },
                        "artifactChanges": [{
                            "artifactLocation": artifact,
                            "replacements": replacements?,
                        }],
                    }))
                })
                .collect();
            if !fixes.is_empty() {
                r["fixes"] = Value::Array(fixes);
            }
            out_results.push(r);
        }
    }
    let cwd_uri = format!("{}/", file_uri(cwd).trim_end_matches('/'));
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "rlscope",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/rlscope/rlscope",
                    "rules": rules.iter().map(|r| rule_descriptor(r)).collect::<Vec<_>>(),
                }
            },
            "originalUriBaseIds": { "%SRCROOT%": { "uri": cwd_uri } },
            "columnKind": "utf16CodeUnits",
            "results": out_results,
        }]
    });
    let mut s = serde_json::to_string_pretty(&log).expect("json");
    s.push('\n');
    s
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn rule_descriptor(r: &RuleMeta) -> Value {
    let markdown = rlscope_engine::rules::render_markdown(r);
    let full = if r.what_it_does.trim().is_empty() {
        r.summary.to_string()
    } else {
        r.what_it_does.trim().to_string()
    };
    json!({
        "id": r.id,
        "name": pascal_case(r.id),
        "shortDescription": { "text": redact_secrets_in(r.summary) },
        "fullDescription": { "text": redact_secrets_in(&full) },
        "help": { "text": redact_secrets_in(&markdown), "markdown": redact_secrets_in(&markdown) },
        "helpUri": r.docs_url(),
        "defaultConfiguration": { "level": level(r.default_severity) },
        "properties": { "tags": ["security", "supabase"] },
    })
}

/// `ssr-client-service-key` → `SsrClientServiceKey`.
fn pascal_case(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn location(uri: &str, base: Option<&str>, region: Option<Value>) -> Value {
    let mut artifact = json!({ "uri": uri });
    if let Some(b) = base {
        artifact["uriBaseId"] = json!(b);
    }
    let mut physical = json!({ "artifactLocation": artifact });
    if let Some(region) = region {
        physical["region"] = region;
    }
    json!({ "physicalLocation": physical })
}

/// The text of one file as the workspace holds it (or as it is on disk for a related file outside it).
pub(super) struct FileText {
    text: Arc<str>,
    index: Option<Arc<LineIndex>>,
}

impl FileText {
    pub(super) fn of(ws: &Workspace, path: &Path) -> FileText {
        match (ws.source(path), ws.line_index(path)) {
            (Some(text), Some(index)) => FileText {
                text,
                index: Some(index),
            },
            _ => FileText {
                text: Arc::from(""),
                index: None,
            },
        }
    }

    fn region(&self, range: TextRange) -> Option<Value> {
        let index = self.index.as_ref()?;
        let (s, e) = index.range_to_line_cols(&self.text, range, ENC);
        Some(json!({
            "startLine": s.line + 1,
            "startColumn": s.col + 1,
            "endLine": e.line + 1,
            "endColumn": e.col + 1,
        }))
    }

    pub(super) fn line_text(&self, offset: u32) -> String {
        match &self.index {
            Some(index) => {
                let line = index.line_of(offset);
                let r = index.line_range(&self.text, line);
                self.text[r.as_usize()].trim().to_string()
            }
            None => String::new(),
        }
    }
}

/// (uri, uriBaseId): relative to `cwd` when below it, else an absolute file URI.
fn artifact_uri(path: &Path, cwd: &Path) -> (String, Option<&'static str>) {
    match path.strip_prefix(cwd) {
        Ok(rel) if !rel.as_os_str().is_empty() => {
            let parts: Vec<String> = rel
                .components()
                .map(|c| percent_encode(&c.as_os_str().to_string_lossy()))
                .collect();
            (parts.join("/"), Some("%SRCROOT%"))
        }
        _ => (file_uri(path), None),
    }
}

fn file_uri(path: &Path) -> String {
    let s = path.to_string_lossy();
    let parts: Vec<String> = s.split('/').map(percent_encode).collect();
    format!("file://{}", parts.join("/"))
}

/// Percent-encodes everything but RFC 3986's unreserved characters (one path segment).
fn percent_encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// FNV-1a 64 (stable across Rust versions, unlike `DefaultHasher`) of the fingerprint's parts, in hex.
pub(super) fn fingerprint(rule: &str, uri: &str, line_text: &str, occurrence: usize) -> String {
    let line_text = redact_secrets_in(line_text);
    let mut h: u64 = 0xcbf29ce484222325;
    for part in [rule, uri, &line_text, &occurrence.to_string()] {
        for b in part.bytes().chain(std::iter::once(0u8)) {
            h ^= b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        let cwd = Path::new("/home/me/proj");
        assert_eq!(
            artifact_uri(Path::new("/home/me/proj/app/a b#.ts"), cwd),
            ("app/a%20b%23.ts".to_string(), Some("%SRCROOT%"))
        );
        assert_eq!(
            artifact_uri(Path::new("/elsewhere/x.ts"), cwd),
            ("file:///elsewhere/x.ts".to_string(), None)
        );
        assert_eq!(pascal_case("ssr-client-service-key"), "SsrClientServiceKey");
    }

    #[test]
    fn fingerprints_depend_on_line_text_not_line_number() {
        let a = fingerprint("r", "a.ts", "const x = 1", 0);
        assert_eq!(a, fingerprint("r", "a.ts", "const x = 1", 0));
        assert_ne!(a, fingerprint("r", "a.ts", "const x = 1", 1));
        assert_ne!(a, fingerprint("r", "b.ts", "const x = 1", 0));
        assert_ne!(a, fingerprint("q", "a.ts", "const x = 1", 0));
    }
}
