//! Functions: `CREATE FUNCTION`, `ALTER FUNCTION`, function references and argument types.

use super::{FuncRef, StmtKind, Touches, P};
use crate::lexer::{self, Token, TokenKind};

impl P<'_> {
    /// `read`: the function's name and argument types, once read.
    pub(super) fn create_function(
        &mut self,
        or_replace: bool,
        read: &mut Option<FuncRef>,
    ) -> Option<StmtKind> {
        let name = self.qname()?;
        let r = self.parens()?;
        let args = function_args(self.src, &self.toks[r], true)?;
        *read = Some(FuncRef {
            name: name.clone(),
            args: Some(args.clone()),
        });
        let mut security_definer = false;
        let mut search_path = None;
        let mut language = None;
        while !self.done() {
            if self.eat_seq(&["security", "definer"])
                || self.eat_seq(&["external", "security", "definer"])
            {
                security_definer = true;
            } else if self.eat_seq(&["security", "invoker"])
                || self.eat_seq(&["external", "security", "invoker"])
            {
                security_definer = false;
            } else if self.eat("language") {
                language = self.peek().map(|t| {
                    t.text(self.src)
                        .trim_matches(['\'', '"'])
                        .to_ascii_lowercase()
                });
                self.i += 1;
            } else if self.eat("set") {
                let (param, _) = self.ident()?;
                let value = self.set_value()?;
                if param == "search_path" {
                    search_path = Some(value);
                }
            } else {
                self.i += 1;
            }
        }
        Some(StmtKind::CreateFunction {
            name,
            or_replace,
            args,
            security_definer,
            search_path,
            language,
        })
    }

    /// After `SET param`: `= v, …` / `TO v, …` / `FROM CURRENT`. The value as text.
    pub(super) fn set_value(&mut self) -> Option<String> {
        if self.eat_seq(&["from", "current"]) {
            return Some("FROM CURRENT".into());
        }
        let op = self.peek()?;
        if !(op.is_word(self.src, "to") || op.text(self.src) == "=") {
            return None;
        }
        self.i += 1;
        let mut parts = Vec::new();
        loop {
            let t = self.peek()?;
            let v = match t.kind {
                TokenKind::String => lexer::string_content(self.src, t)?.0,
                TokenKind::Word | TokenKind::QuotedIdent | TokenKind::Number => {
                    t.text(self.src).to_string()
                }
                _ => return None,
            };
            self.i += 1;
            parts.push(v);
            if !self.eat_punct(',') {
                break;
            }
        }
        Some(parts.join(", "))
    }

    pub(super) fn func_ref(&mut self) -> Option<FuncRef> {
        let name = self.qname()?;
        let args = if self.is_punct('(') {
            let r = self.parens()?;
            Some(function_args(self.src, &self.toks[r], false)?)
        } else {
            None
        };
        Some(FuncRef { name, args })
    }

    pub(super) fn alter_function(&mut self) -> Option<StmtKind> {
        let Some(func) = self.func_ref() else {
            // A rename or a move makes an object of another name or schema.
            let touches = if self.has_word("rename") || self.has_word("schema") {
                Touches::Any
            } else {
                self.named(false)
            };
            return self.unreadable(touches, "an ALTER FUNCTION");
        };
        let mut security_definer = None;
        let mut search_path = None;
        let mut rename = None;
        let mut set_schema = None;
        while !self.done() {
            if self.eat_seq(&["security", "definer"])
                || self.eat_seq(&["external", "security", "definer"])
            {
                security_definer = Some(true);
            } else if self.eat_seq(&["security", "invoker"])
                || self.eat_seq(&["external", "security", "invoker"])
            {
                security_definer = Some(false);
            } else if self.eat_seq(&["rename", "to"]) {
                rename = Some(self.ident()?.0);
            } else if self.eat_seq(&["set", "schema"]) {
                set_schema = Some(self.ident()?.0);
            } else if self.eat("set") {
                let (param, _) = self.ident()?;
                let value = self.set_value()?;
                if param == "search_path" {
                    search_path = Some(Some(value));
                }
            } else if self.eat("reset") {
                if self.eat("all") || self.ident()?.0 == "search_path" {
                    search_path = Some(None);
                }
            } else {
                self.i += 1;
            }
        }
        if security_definer.is_none()
            && search_path.is_none()
            && rename.is_none()
            && set_schema.is_none()
        {
            return None;
        }
        Some(StmtKind::AlterFunction {
            func,
            security_definer,
            search_path,
            rename,
            set_schema,
        })
    }
}

pub(super) const ARG_MODES: &[&str] = &["in", "out", "inout", "variadic"];

/// The identity argument types of a function's argument list (`uid uuid, out n int, t text default ''`
/// → `uuid, text`). `defaults`: the list may carry defaults (CREATE FUNCTION).
pub(super) fn function_args(src: &str, toks: &[Token], defaults: bool) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut items: Vec<&[Token]> = Vec::new();
    let mut begin = 0;
    for (k, t) in toks.iter().enumerate() {
        if t.is_punct(src, '(') || t.is_punct(src, '[') {
            depth += 1;
        } else if t.is_punct(src, ')') || t.is_punct(src, ']') {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && t.is_punct(src, ',') {
            items.push(&toks[begin..k]);
            begin = k + 1;
        }
    }
    if begin < toks.len() {
        items.push(&toks[begin..]);
    }
    for item in items {
        let mut item = item;
        // Defaults.
        if defaults {
            if let Some(k) = item
                .iter()
                .position(|t| t.is_word(src, "default") || t.text(src) == "=")
            {
                item = &item[..k];
            }
        }
        let mut out_arg = false;
        if let Some(first) = item.first() {
            let w = first.text(src).to_ascii_lowercase();
            if first.kind == TokenKind::Word && ARG_MODES.contains(&w.as_str()) && item.len() > 1 {
                out_arg = w == "out";
                item = &item[1..];
            }
        }
        if item.is_empty() {
            return None;
        }
        // `name type` or `type`: the first word is a name when the rest is a type on its own.
        let words: Vec<String> = item.iter().map(|t| t.text(src).to_string()).collect();
        let whole = normalize_type(&words.join(" "));
        let ty = if item.len() > 1
            && matches!(item[0].kind, TokenKind::Word | TokenKind::QuotedIdent)
            && !is_multiword_type_start(
                &words[0].to_ascii_lowercase(),
                &words[1].to_ascii_lowercase(),
            )
            && !item[1].is_punct(src, '.')
            && !item[1].is_punct(src, '(')
            && !item[1].is_punct(src, '[')
        {
            normalize_type(&words[1..].join(" "))
        } else {
            whole
        };
        if !out_arg {
            out.push(ty);
        }
    }
    Some(out)
}

pub(super) fn is_multiword_type_start(a: &str, b: &str) -> bool {
    matches!(
        (a, b),
        ("double", "precision")
            | ("character", "varying")
            | ("bit", "varying")
            | ("timestamp", "with")
            | ("timestamp", "without")
            | ("time", "with")
            | ("time", "without")
            | ("timestamp", "(")
            | ("national", "character")
    )
}

/// `"uuid"` → `uuid`, `"public"."t"` → `public.t`: quotes around a lower-case identifier change nothing.
pub(super) fn unquote_simple_idents(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    let mut rest = t;
    while let Some(open) = rest.find('"') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('"') {
            Some(close)
                if close > 0
                    && after[..close]
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') =>
            {
                out.push_str(&after[..close]);
                rest = &after[close + 1..];
            }
            _ => {
                out.push('"');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A type name as `pg_catalog.format_type` prints it, for the common spellings.
pub fn normalize_type(t: &str) -> String {
    let lower = unquote_simple_idents(t).to_ascii_lowercase();
    let mut s = lower
        .replace(" . ", ".")
        .replace(" [ ]", "[]")
        .replace(" (", "(")
        .replace("( ", "(")
        .replace(" )", ")")
        .replace(" ,", ",");
    for p in ["pg_catalog.", "public."] {
        if let Some(rest) = s.strip_prefix(p) {
            s = rest.to_string();
        }
    }
    let (base, array) = match s.strip_suffix("[]") {
        Some(b) => (b.to_string(), "[]"),
        None => (s.clone(), ""),
    };
    // Drop type modifiers: identity arguments ignore them.
    let base = match base.find('(') {
        Some(p) => base[..p].trim().to_string(),
        None => base,
    };
    let mapped = match base.as_str() {
        "int" | "int4" | "integer" => "integer",
        "int8" | "bigint" => "bigint",
        "int2" | "smallint" => "smallint",
        "bool" | "boolean" => "boolean",
        "varchar" | "character varying" => "character varying",
        "char" | "character" | "bpchar" => "character",
        "float8" | "double precision" => "double precision",
        "float4" | "real" => "real",
        "decimal" | "numeric" => "numeric",
        "timestamptz" | "timestamp with time zone" => "timestamp with time zone",
        "timestamp" | "timestamp without time zone" => "timestamp without time zone",
        "timetz" | "time with time zone" => "time with time zone",
        "time" | "time without time zone" => "time without time zone",
        other => other,
    };
    format!("{mapped}{array}")
}
