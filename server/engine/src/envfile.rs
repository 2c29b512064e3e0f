//! `.env` files: which variables hold which kind of key, by value. Values are classified and then
//! forgotten — the workspace never keeps a secret's text.

use rlscope_core::keys::{classify_literal, KeyLevel};
use rlscope_core::TextRange;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvEntry {
    pub name: Box<str>,
    pub level: KeyLevel,
    /// The `NAME=value` line.
    pub range: TextRange,
}

/// Parses `NAME=value` lines (optional `export `, quotes, comments); garbage lines are skipped.
pub fn parse(text: &str) -> Vec<EnvEntry> {
    let mut out = Vec::new();
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let l = line.trim_end_matches(['\n', '\r']);
        let t = l.trim_start();
        if t.starts_with('#') || t.is_empty() {
            continue;
        }
        let t = t.strip_prefix("export ").unwrap_or(t);
        let Some((name, value)) = t.split_once('=') else {
            continue;
        };
        let name = name.trim();
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            continue;
        }
        let mut value = value.trim();
        if let Some(q) = value.chars().next().filter(|c| *c == '"' || *c == '\'') {
            value = value[1..].split(q).next().unwrap_or("");
        } else if let Some((v, _comment)) = value.split_once(" #") {
            value = v.trim();
        }
        if let Some(key) = classify_literal(value) {
            out.push(EnvEntry {
                name: name.into(),
                level: key.level,
                range: TextRange::from_usize(start, start + l.len()),
            });
        }
    }
    out
}
