//! The statement parser over one statement's tokens: token helpers, the dispatch on the leading keywords,
//! what a statement that cannot be read may touch, and `SET search_path`.

use std::ops::Range;

use rlscope_core::TextRange;

use super::{QName, Src, StmtKind, Text, Touches};
use crate::lexer::{self, Token, TokenKind};

pub(super) struct P<'a> {
    pub(super) src: &'a str,
    pub(super) toks: &'a [Token],
    pub(super) i: usize,
    pub(super) map: &'a Src<'a>,
}

/// An identifier's value: unquoted words fold to lower case, quoted ones keep their text.
pub fn ident_value(src: &str, t: Token) -> Option<String> {
    match t.kind {
        TokenKind::Word => Some(t.text(src).to_ascii_lowercase()),
        TokenKind::QuotedIdent => {
            let s = t.text(src);
            let s = s.strip_prefix("U&").unwrap_or(s);
            Some(s.trim_matches('"').replace("\"\"", "\""))
        }
        _ => None,
    }
}

impl<'a> P<'a> {
    pub(super) fn peek(&self) -> Option<Token> {
        self.toks.get(self.i).copied()
    }
    pub(super) fn at(&self, k: usize) -> Option<Token> {
        self.toks.get(self.i + k).copied()
    }
    pub(super) fn is_kw(&self, kw: &str) -> bool {
        self.peek().is_some_and(|t| t.is_word(self.src, kw))
    }
    pub(super) fn is_kw_at(&self, k: usize, kw: &str) -> bool {
        self.at(k).is_some_and(|t| t.is_word(self.src, kw))
    }
    pub(super) fn eat(&mut self, kw: &str) -> bool {
        if self.is_kw(kw) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    /// Eat a sequence of keywords, all or nothing.
    pub(super) fn eat_seq(&mut self, kws: &[&str]) -> bool {
        if kws.iter().enumerate().all(|(k, w)| self.is_kw_at(k, w)) {
            self.i += kws.len();
            true
        } else {
            false
        }
    }
    pub(super) fn is_punct(&self, c: char) -> bool {
        self.peek().is_some_and(|t| t.is_punct(self.src, c))
    }
    pub(super) fn eat_punct(&mut self, c: char) -> bool {
        if self.is_punct(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    pub(super) fn done(&self) -> bool {
        self.i >= self.toks.len()
    }
    pub(super) fn file_range(&self, r: Range<usize>) -> TextRange {
        self.map.range(r)
    }
    pub(super) fn ident(&mut self) -> Option<(String, Range<usize>)> {
        let t = self.peek()?;
        let v = ident_value(self.src, t)?;
        self.i += 1;
        Some((v, t.range()))
    }
    /// `name` or `schema.name`.
    pub(super) fn qname(&mut self) -> Option<QName> {
        let (a, ra) = self.ident()?;
        if self.is_punct('.')
            && self
                .at(1)
                .is_some_and(|t| ident_value(self.src, t).is_some())
        {
            self.i += 1;
            let (b, rb) = self.ident()?;
            // catalog.schema.name: keep the last two.
            if self.is_punct('.')
                && self
                    .at(1)
                    .is_some_and(|t| ident_value(self.src, t).is_some())
            {
                self.i += 1;
                let (c, rc) = self.ident()?;
                return Some(QName {
                    schema: Some(b),
                    name: c,
                    range: self.file_range(rb.start..rc.end),
                });
            }
            return Some(QName {
                schema: Some(a),
                name: b,
                range: self.file_range(ra.start..rb.end),
            });
        }
        Some(QName {
            schema: None,
            name: a,
            range: self.file_range(ra),
        })
    }
    pub(super) fn qname_list(&mut self) -> Option<Vec<QName>> {
        let mut v = vec![self.qname()?];
        while self.eat_punct(',') {
            v.push(self.qname()?);
        }
        Some(v)
    }
    /// From `(` to its `)`: the token index range inside. Leaves `i` after the `)`.
    pub(super) fn parens(&mut self) -> Option<Range<usize>> {
        if !self.is_punct('(') {
            return None;
        }
        let open = self.i;
        let mut depth = 0usize;
        while let Some(t) = self.peek() {
            if t.is_punct(self.src, '(') {
                depth += 1;
            } else if t.is_punct(self.src, ')') {
                depth -= 1;
                if depth == 0 {
                    self.i += 1;
                    return Some(open + 1..self.i - 1);
                }
            }
            self.i += 1;
        }
        None
    }
    /// The source text and file range of a parenthesised expression's inside.
    pub(super) fn paren_text(&mut self) -> Option<Text> {
        let r = self.parens()?;
        let (s, e) = if r.is_empty() {
            let at = self.toks[r.start - 1].end;
            (at, at)
        } else {
            (self.toks[r.start].start, self.toks[r.end - 1].end)
        };
        Some(Text {
            text: self.src[s..e].to_string(),
            range: self.file_range(s..e),
        })
    }
    pub(super) fn role_name(&mut self) -> Option<String> {
        let t = self.peek()?;
        self.i += 1;
        match t.kind {
            TokenKind::Word => {
                let w = t.text(self.src).to_ascii_lowercase();
                Some(match w.as_str() {
                    "group" => return self.role_name(),
                    _ => w,
                })
            }
            TokenKind::QuotedIdent => ident_value(self.src, t),
            _ => None,
        }
    }
    pub(super) fn role_list(&mut self) -> Option<Vec<String>> {
        let mut v = vec![self.role_name()?];
        while self.eat_punct(',') {
            v.push(self.role_name()?);
        }
        Some(v)
    }

    // -------------------------------------------------------------------------------- statements

    pub(super) fn statement(&mut self) -> Option<StmtKind> {
        let first = self.peek()?;
        if first.kind != TokenKind::Word {
            return None;
        }
        let w = first.text(self.src).to_ascii_lowercase();
        match w.as_str() {
            "create" => self.create(),
            "alter" => self.alter(),
            "drop" => self.drop(),
            "grant" | "revoke" => {
                let mut irrelevant = false;
                match self.grant(&mut irrelevant) {
                    Some(k) => Some(k),
                    None if irrelevant => None,
                    // `… IN SCHEMA` reaches every object of a schema.
                    None => Some(StmtKind::Unreadable {
                        touches: if self.has_word("schema") {
                            Touches::Any
                        } else {
                            self.named(false)
                        },
                        why: format!("a {} statement that could not be read", w.to_uppercase()),
                    }),
                }
            }
            "set" => self.set(),
            "select" => self.select_set_config(),
            _ => None,
        }
    }

    pub(super) fn unreadable(&self, touches: Touches, what: &str) -> Option<StmtKind> {
        Some(StmtKind::Unreadable {
            touches,
            why: format!("{what} that could not be read"),
        })
    }

    pub(super) fn has_word(&self, w: &str) -> bool {
        self.toks.iter().any(|t| t.is_word(self.src, w))
    }

    /// The objects the statement's identifiers name ([`Touches::Named`]); [`Touches::Any`] when it
    /// cascades. `creates`: the statement creates an object, so whether one of those names exists afterwards is
    /// uncertain; so it is when the statement [runs on](Self::runs_on).
    pub(super) fn named(&self, creates: bool) -> Touches {
        if self.has_word("cascade") {
            return Touches::Any;
        }
        let creates = creates || self.runs_on();
        let mut names: Vec<String> = Vec::new();
        for t in self.toks {
            if let Some(v) = ident_value(self.src, *t) {
                names.push(v);
            } else if t.kind == TokenKind::Number {
                // PostgreSQL 15 ends a number where a letter follows (`1app.t` is `1`, `app`, `.`, `t`): every
                // part that starts with a letter or `_` after a digit.
                let text = t.text(self.src).as_bytes();
                for k in 1..text.len() {
                    if text[k - 1].is_ascii_digit()
                        && (text[k].is_ascii_alphabetic() || text[k] == b'_')
                    {
                        let end = text[k..]
                            .iter()
                            .position(|&b| b == b'.')
                            .map_or(text.len(), |p| k + p);
                        names.push(String::from_utf8_lossy(&text[k..end]).to_ascii_lowercase());
                    }
                }
                for part in t.text(self.src).split('.').skip(1) {
                    if part.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
                        names.push(part.to_ascii_lowercase());
                    }
                }
            }
        }
        names.sort_unstable();
        names.dedup();
        Touches::Named { names, creates }
    }

    /// Whether the statement holds `CREATE` or `RENAME` after its first word: a second statement run into
    /// it (its `;` missing), which PostgreSQL then did not run either, may have been meant to create or
    /// rename an object that later statements use.
    pub(super) fn runs_on(&self) -> bool {
        self.toks
            .iter()
            .skip(1)
            .any(|t| t.is_word(self.src, "create") || t.is_word(self.src, "rename"))
    }

    /// `pin`: the one object the statement targets; the objects it names when it [runs on](Self::runs_on);
    /// any object when it cascades.
    pub(super) fn pinned(&self, pin: Touches) -> Touches {
        if self.runs_on() || self.has_word("cascade") {
            return self.named(true);
        }
        pin
    }

    /// After a failed read: the table after the statement's first `ON`, or the objects it names.
    pub(super) fn on_table_or_named(&mut self) -> Touches {
        match self.find_on_table() {
            Some(q) => self.pinned(Touches::Table(q)),
            None => self.named(false),
        }
    }

    /// `SET [SESSION|LOCAL] search_path TO a, b` / `= …`.
    pub(super) fn set(&mut self) -> Option<StmtKind> {
        self.i += 1;
        let _ = self.eat("session") || self.eat("local");
        if !self.eat("search_path") {
            return None;
        }
        let v = self.set_value()?;
        Some(StmtKind::SetSearchPath(parse_search_path(&v)))
    }

    /// `SELECT pg_catalog.set_config('search_path', '…', false);` (pg_dump's preamble).
    pub(super) fn select_set_config(&mut self) -> Option<StmtKind> {
        let k = self
            .toks
            .iter()
            .position(|t| t.is_word(self.src, "set_config"))?;
        let args: Vec<Token> = self.toks[k + 1..]
            .iter()
            .copied()
            .filter(|t| t.kind == TokenKind::String)
            .collect();
        let name = lexer::string_content(self.src, *args.first()?)?.0;
        if name != "search_path" {
            return None;
        }
        let value = lexer::string_content(self.src, *args.get(1)?)?.0;
        Some(StmtKind::SetSearchPath(parse_search_path(&value)))
    }
}

pub(super) fn bool_value(s: &str) -> Option<bool> {
    let s = s.trim_matches(['\'', '"']).to_ascii_lowercase();
    match s.as_str() {
        "true" | "on" | "1" | "yes" | "t" | "y" => Some(true),
        "false" | "off" | "0" | "no" | "f" | "n" => Some(false),
        _ => None,
    }
}

/// `"$user", public, extensions` → `["$user", "public", "extensions"]`.
pub fn parse_search_path(v: &str) -> Vec<String> {
    v.split(',')
        .map(|s| {
            let s = s.trim();
            if s.starts_with('"') {
                s.trim_matches('"').replace("\"\"", "\"")
            } else {
                s.to_ascii_lowercase()
            }
        })
        .filter(|s| !s.is_empty())
        .collect()
}
