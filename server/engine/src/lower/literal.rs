//! String literals: their values (quotes stripped, escapes resolved), env-name candidates and key literals.

use super::*;

impl Lowerer<'_> {
    pub(super) fn string_value(&self, node: Node) -> Name {
        string_value(self.text, node)
    }

    pub(super) fn note_literal(&mut self, value: &str, r: TextRange) {
        if value.len() < 20 {
            return;
        }
        if let Some(key) = classify_literal(value) {
            self.ir.key_literals.push(KeyLiteral { range: r, key });
        }
    }
}

/// A string literal's value: quotes stripped, escapes resolved.
pub(super) fn string_value(text: &str, node: Node) -> Name {
    let raw = node_str(text, node);
    // error recovery can leave a string without its closing quote: strip only the quotes that are there
    let Some(quote) = raw.chars().next().filter(|c| matches!(c, '\'' | '"' | '`')) else {
        return raw.into();
    };
    let inner = &raw[1..];
    let inner = inner.strip_suffix(quote).unwrap_or(inner);
    if inner.contains('\\') {
        return unescape(inner).into();
    }
    inner.into()
}

/// UPPER_SNAKE names of three or more characters: candidates for env reads.
pub(super) fn looks_like_env_name(name: &str) -> bool {
    name.len() > 2
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

pub(super) fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some(o) => out.push(o),
            None => {}
        }
    }
    out
}
