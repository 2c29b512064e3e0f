//! Reading one SQL file into the statements that change the schema model.
//!
//! The file is split by the lexer (as psql does); each statement's leading keywords decide whether it
//! matters (`CREATE TABLE`, `ALTER TABLE`, `CREATE/ALTER/DROP POLICY`, `GRANT`/`REVOKE`, views, functions,
//! `SET search_path`, `DO` blocks). Those are read token by token; one that cannot be read becomes
//! [`StmtKind::Unreadable`] with what it may have changed ([`Touches`]). Ranges are byte offsets into the
//! file, also for statements inside `DO` bodies and `EXECUTE`d strings.

use std::ops::Range;

use rlscope_core::TextRange;

use super::{PolicyCommand, Privs};
use crate::lexer::{self, Token, TokenKind};

/// How many `DO` bodies / `EXECUTE` strings deep statements are read.
const MAX_NESTING: usize = 3;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QName {
    pub schema: Option<String>,
    pub name: String,
    pub range: TextRange,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TableAction {
    EnableRls,
    DisableRls,
    ForceRls,
    NoForceRls,
    RenameTo(String),
    SetSchema(String),
    /// `SET (security_invoker = …)` / `RESET (security_invoker)` on a view through `ALTER TABLE`/`ALTER VIEW`.
    SecurityInvoker(Option<bool>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GrantTarget {
    Tables(Vec<QName>),
    AllTablesIn(Vec<String>),
    Functions(Vec<FuncRef>),
    AllFunctionsIn(Vec<String>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuncRef {
    pub name: QName,
    /// `None`: written without an argument list (`DROP FUNCTION f`).
    pub args: Option<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RelKind {
    Table,
    View,
    MaterializedView,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    pub text: String,
    pub range: TextRange,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StmtKind {
    CreateTable {
        name: QName,
        if_not_exists: bool,
    },
    AlterTable {
        /// `ALTER TABLE` (which also reaches views) or `ALTER VIEW` / `ALTER MATERIALIZED VIEW`.
        kind: RelKind,
        name: QName,
        if_exists: bool,
        actions: Vec<TableAction>,
    },
    Drop {
        kind: RelKind,
        names: Vec<QName>,
        if_exists: bool,
        cascade: bool,
    },
    CreatePolicy {
        name: Text,
        table: QName,
        permissive: bool,
        command: PolicyCommand,
        roles: Vec<String>,
        using: Option<Text>,
        with_check: Option<Text>,
    },
    AlterPolicy {
        name: String,
        table: QName,
        rename: Option<String>,
        roles: Option<Vec<String>>,
        using: Option<Text>,
        with_check: Option<Text>,
    },
    DropPolicy {
        name: String,
        table: QName,
        if_exists: bool,
    },
    Grant {
        revoke: bool,
        privs: Privs,
        target: GrantTarget,
        roles: Vec<String>,
    },
    DefaultPrivileges {
        revoke: bool,
        schemas: Vec<String>,
        functions: bool,
        privs: Privs,
        roles: Vec<String>,
    },
    CreateView {
        name: QName,
        or_replace: bool,
        materialized: bool,
        if_not_exists: bool,
        security_invoker: Option<bool>,
        reads: Vec<(Option<String>, String)>,
    },
    CreateFunction {
        name: QName,
        or_replace: bool,
        args: Vec<String>,
        security_definer: bool,
        search_path: Option<String>,
        language: Option<String>,
    },
    AlterFunction {
        func: FuncRef,
        security_definer: Option<bool>,
        /// `Some(Some(v))`: `SET search_path`; `Some(None)`: `RESET search_path` / `RESET ALL`.
        search_path: Option<Option<String>>,
        rename: Option<String>,
        set_schema: Option<String>,
    },
    DropFunction {
        funcs: Vec<FuncRef>,
        if_exists: bool,
    },
    /// `SET search_path …` / `set_config('search_path', …)`.
    SetSearchPath(Vec<String>),
    /// A relevant statement that could not be read, and what it may have changed.
    Unreadable {
        touches: Touches,
        why: String,
    },
    /// A psql meta-command (`\i file`, `\set`, …): not SQL, not followed.
    MetaCommand(String),
}

/// What a statement that could not be read may have changed, had PostgreSQL run it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Touches {
    /// The one table it targets (or the view of that name, reached through `ALTER TABLE`).
    Table(QName),
    /// The one view it creates or replaces (`CREATE [OR REPLACE] VIEW` with its name read): a view reads
    /// the relations it selects from without changing them.
    View(QName),
    /// The one function it creates or replaces (`CREATE [OR REPLACE] FUNCTION` with its name and argument
    /// types read).
    Function(FuncRef),
    /// Only tables, views and functions named by one of its identifiers (their values, without schema):
    /// PostgreSQL only touches objects a statement names. Only for statements that cannot rename or move
    /// an object, nor cascade to others. `creates`: it may have created an object under one of them.
    Named { names: Vec<String>, creates: bool },
    /// Any object.
    Any,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stmt {
    pub kind: StmtKind,
    /// The whole statement in the file.
    pub range: TextRange,
    /// Inside a `DO` block (conditional: a `CREATE` of something that already exists is skipped).
    pub in_do: bool,
}

/// How positions of a piece of SQL map to the file.
struct Src<'a> {
    text: &'a str,
    /// `None`: identity. Otherwise the file offset of every byte, plus one for the end.
    map: Option<&'a [u32]>,
    /// Ranges of `text` that stand for values computed at run time.
    placeholders: &'a [Range<usize>],
    in_do: bool,
}

impl Src<'_> {
    fn to_file(&self, pos: usize) -> u32 {
        match self.map {
            None => pos as u32,
            Some(m) => m[pos.min(m.len() - 1)],
        }
    }
    fn range(&self, r: Range<usize>) -> TextRange {
        TextRange::new(self.to_file(r.start), self.to_file(r.end))
    }
    fn has_placeholder(&self, r: Range<usize>) -> bool {
        self.placeholders
            .iter()
            .any(|p| p.start < r.end && r.start < p.end)
    }
}

/// Every model-relevant statement of a file, in order.
pub fn read_file(text: &str) -> Vec<Stmt> {
    let mut out = Vec::new();
    let src = Src {
        text,
        map: None,
        placeholders: &[],
        in_do: false,
    };
    read_sql(&src, 0, &mut out);
    out
}

fn read_sql(src: &Src, nesting: usize, out: &mut Vec<Stmt>) {
    let toks = lexer::tokenize(src.text);
    let mut begin = 0;
    let n = toks.len();
    while begin < n {
        // psql meta-commands: a backslash at the start of a statement runs to the end of its line.
        if toks[begin].is_punct(src.text, '\\') {
            let line_end = src.text[toks[begin].start..]
                .find('\n')
                .map_or(src.text.len(), |p| toks[begin].start + p);
            let mut j = begin;
            while j < n && toks[j].start < line_end {
                j += 1;
            }
            let cmd = src.text[toks[begin].start..line_end].trim_end().to_string();
            out.push(Stmt {
                kind: StmtKind::MetaCommand(cmd),
                range: src.range(toks[begin].start..line_end),
                in_do: src.in_do,
            });
            begin = j;
            continue;
        }
        let mut end = begin;
        while end < n && toks[end].kind != TokenKind::Semicolon {
            end += 1;
        }
        // A statement without its `;` that runs into a meta-command line stops there.
        if let Some(k) = (begin + 1..end).find(|&k| {
            toks[k].is_punct(src.text, '\\')
                && src.text[..toks[k].start]
                    .bytes()
                    .rev()
                    .take_while(|b| *b == b' ' || *b == b'\t')
                    .count()
                    == src.text[..toks[k].start]
                        .rfind('\n')
                        .map_or(toks[k].start, |p| toks[k].start - p - 1)
        }) {
            end = k;
        }
        if end > begin {
            let stop = if end < n && toks[end].kind == TokenKind::Semicolon {
                toks[end].end
            } else {
                toks[end - 1].end
            };
            let stmt = &toks[begin..end];
            let range = toks[begin].start..stop;
            if stmt[0].is_word(src.text, "do") {
                read_do(src, stmt, range, nesting, out);
            } else {
                read_statement(src, stmt, range, out);
            }
        }
        begin = if end < n && toks[end].kind == TokenKind::Semicolon {
            end + 1
        } else {
            end
        };
    }
}

fn read_statement(src: &Src, toks: &[Token], range: Range<usize>, out: &mut Vec<Stmt>) {
    let mut p = P {
        src: src.text,
        toks,
        i: 0,
        map: src,
    };
    if let Some(kind) = p.statement() {
        let kind = match kind {
            // SQL with run-time values: the object it names is unknown.
            k if src.has_placeholder(range.clone()) => dynamic(k, src, &range),
            k => k,
        };
        out.push(Stmt {
            kind,
            range: src.range(range),
            in_do: src.in_do,
        });
    }
}

/// A statement built at run time: what it targets is unknown (every table when its name is not literal).
fn dynamic(k: StmtKind, src: &Src, range: &Range<usize>) -> StmtKind {
    let why = "SQL built at run time (EXECUTE with values)".to_string();
    let table = match &k {
        StmtKind::CreatePolicy { table, .. }
        | StmtKind::AlterPolicy { table, .. }
        | StmtKind::DropPolicy { table, .. }
        | StmtKind::AlterTable { name: table, .. }
        | StmtKind::CreateTable { name: table, .. }
        | StmtKind::Unreadable {
            touches: Touches::Table(table),
            ..
        } => Some(table.clone()),
        StmtKind::SetSearchPath(_) | StmtKind::MetaCommand(_) => return k,
        _ => None,
    };
    // A placeholder in the table's name: any table. The name's range is in file offsets; look for a
    // placeholder among the fragment bytes that map into it.
    let table = table.filter(|t| {
        let frag_range = (range.start..range.end)
            .filter(|&i| {
                let f = src.to_file(i);
                f >= t.range.start && f < t.range.end
            })
            .fold(None::<Range<usize>>, |acc, i| match acc {
                None => Some(i..i + 1),
                Some(r) => Some(r.start..i + 1),
            });
        frag_range.is_some_and(|r| !src.has_placeholder(r))
    });
    let touches = table.map_or(Touches::Any, Touches::Table);
    StmtKind::Unreadable { touches, why }
}

/// `DO [LANGUAGE x] 'body'`: the statements of a PL/pgSQL body, including `EXECUTE`d strings.
fn read_do(src: &Src, toks: &[Token], range: Range<usize>, nesting: usize, out: &mut Vec<Stmt>) {
    let text = src.text;
    let language_ok = match toks.iter().position(|t| t.is_word(text, "language")) {
        Some(i) => toks.get(i + 1).is_some_and(|l| {
            l.text(text)
                .trim_matches(['\'', '"'])
                .eq_ignore_ascii_case("plpgsql")
        }),
        None => true,
    };
    let body = toks[1..]
        .iter()
        .find(|t| matches!(t.kind, TokenKind::String | TokenKind::DollarString));
    let (Some(body), true) = (body, language_ok) else {
        return;
    };
    if nesting >= MAX_NESTING {
        out.push(Stmt {
            kind: StmtKind::Unreadable {
                touches: Touches::Any,
                why: "DO blocks nested too deep".into(),
            },
            range: src.range(range),
            in_do: true,
        });
        return;
    }
    let Some((content, map)) = lexer::string_content(text, *body) else {
        return;
    };
    let file_map: Vec<u32> = map.iter().map(|&o| src.to_file(o as usize)).collect();
    let inner = Src {
        text: &content,
        map: Some(&file_map),
        placeholders: &[],
        in_do: true,
    };
    read_plpgsql(&inner, nesting + 1, out);
}

/// Words after which a PL/pgSQL statement can start inside one `;`-terminated piece.
const BLOCK_STARTS: &[&str] = &["begin", "then", "else", "loop"];
const DDL_STARTS: &[&str] = &["create", "alter", "drop", "grant", "revoke"];

fn read_plpgsql(src: &Src, nesting: usize, out: &mut Vec<Stmt>) {
    let text = src.text;
    let toks = lexer::tokenize(text);
    // Arrays declared with literal values, and the loops open at this point (innermost last).
    let mut arrays: Vec<(String, Vec<String>)> = Vec::new();
    let mut loops: Vec<LoopVar> = Vec::new();
    for st in lexer::statements(&toks) {
        let t = st.tokens;
        if let Some(a) = declared_array(text, t) {
            arrays.push(a);
        }
        for k in 0..t.len() {
            if t[k].is_word(text, "loop") {
                if k > 0 && t[k - 1].is_word(text, "end") {
                    loops.pop();
                } else {
                    loops.push(loop_header(text, t, k, &arrays));
                }
            }
        }
        // A DDL statement starts the piece or follows BEGIN / THEN / ELSE / LOOP.
        let start = (0..t.len()).find(|&k| {
            DDL_STARTS.iter().any(|w| t[k].is_word(text, w))
                && (k == 0 || BLOCK_STARTS.iter().any(|w| t[k - 1].is_word(text, w)))
        });
        if let Some(k) = start {
            let end = st.range.end;
            read_statement(src, &t[k..], t[k].start..end, out);
            continue;
        }
        // EXECUTE 'sql' / EXECUTE format('…', …) / EXECUTE a || b
        if let Some(k) = (0..t.len()).find(|&k| {
            t[k].is_word(text, "execute")
                && (k == 0 || BLOCK_STARTS.iter().any(|w| t[k - 1].is_word(text, w)))
        }) {
            let lv = loops.last().cloned().flatten();
            read_execute(src, &t[k + 1..], st.range.clone(), nesting, &lv, out);
        }
    }
}

fn read_execute(
    src: &Src,
    arg: &[Token],
    range: Range<usize>,
    nesting: usize,
    lv: &LoopVar,
    out: &mut Vec<Stmt>,
) {
    let text = src.text;
    if read_execute_known(src, arg, nesting, lv, out) {
        return;
    }
    // format('…', …): the format string; `%I`/`%L`/`%s` are run-time values.
    let first_string = if arg.first().is_some_and(|t| t.is_word(text, "format"))
        && arg.get(1).is_some_and(|t| t.is_punct(text, '('))
    {
        arg.get(2)
            .filter(|t| matches!(t.kind, TokenKind::String | TokenKind::DollarString))
            .map(|_| 2)
    } else if arg
        .first()
        .is_some_and(|t| matches!(t.kind, TokenKind::String | TokenKind::DollarString))
    {
        Some(0)
    } else {
        None
    };
    let Some(k) = first_string else {
        // EXECUTE of a variable: could be anything.
        let unresolved = StmtKind::Unreadable {
            touches: Touches::Any,
            why: "EXECUTE of SQL held in a variable".into(),
        };
        out.push(Stmt {
            kind: unresolved,
            range: src.range(range),
            in_do: true,
        });
        return;
    };
    // Joined chain `'a' || x || 'b'` with run-time parts as placeholders.
    let (chain, map, placeholders) = crate::scan::string_chain_of(text, arg, k);
    let file_map: Vec<u32> = map.iter().map(|&o| src.to_file(o as usize)).collect();
    let inner = Src {
        text: &chain,
        map: Some(&file_map),
        placeholders: &placeholders,
        in_do: true,
    };
    if nesting >= MAX_NESTING {
        return;
    }
    read_sql(&inner, nesting + 1, out);
}

/// `EXECUTE format(…)` (or a `||` chain) whose values are all known: literals, or the variable of a loop
/// over literal values (one statement per value). Returns whether it was read.
fn read_execute_known(
    src: &Src,
    arg: &[Token],
    nesting: usize,
    lv: &LoopVar,
    out: &mut Vec<Stmt>,
) -> bool {
    let text = src.text;
    let arg = match arg.last() {
        Some(t) if t.kind == TokenKind::Semicolon => &arg[..arg.len() - 1],
        _ => arg,
    };
    let end = arg
        .iter()
        .position(|t| t.is_word(text, "using") || t.is_word(text, "into"))
        .unwrap_or(arg.len());
    let arg = &arg[..end];
    let Some(last) = arg.last() else {
        return false;
    };
    let cases: Vec<(&str, &str)> = match lv {
        Some((var, vals)) => vals.iter().map(|v| (var.as_str(), v.as_str())).collect(),
        // Outside such a loop only `format()` is read here; plain strings and chains keep their reader.
        None if arg.first().is_some_and(|t| t.is_word(text, "format")) => vec![("", "")],
        None => return false,
    };
    let Some(expanded) = cases
        .iter()
        .map(|(var, val)| eval_text(text, arg, var, val))
        .collect::<Option<Vec<_>>>()
    else {
        return false;
    };
    if nesting >= MAX_NESTING {
        return true;
    }
    for (sql, map) in expanded {
        let mut file_map: Vec<u32> = map.iter().map(|&o| src.to_file(o as usize)).collect();
        file_map.push(src.to_file(last.end));
        let inner = Src {
            text: &sql,
            map: Some(&file_map),
            placeholders: &[],
            in_do: true,
        };
        read_sql(&inner, nesting + 1, out);
    }
    true
}

// ------------------------------------------------------------------------ loops over literal arrays

/// A PL/pgSQL loop whose variable takes literal values: `FOREACH v IN ARRAY ARRAY['a', 'b'] LOOP`,
/// `FOREACH v IN ARRAY arr LOOP` with `arr text[] := ARRAY[…]` declared, or
/// `FOR v IN SELECT unnest(ARRAY['a', 'b']) LOOP`. `None` for any other loop.
type LoopVar = Option<(String, Vec<String>)>;

/// `ARRAY['a', 'b', …]` starting at `i` (the `array` word): the strings.
fn literal_array(text: &str, t: &[Token], i: usize) -> Option<Vec<String>> {
    if !t.get(i)?.is_word(text, "array") || !t.get(i + 1)?.is_punct(text, '[') {
        return None;
    }
    let mut vals = Vec::new();
    let mut j = i + 2;
    loop {
        let tok = *t.get(j)?;
        let (s, _) = lexer::string_content(text, tok)?;
        vals.push(s);
        j += 1;
        if t.get(j)?.is_punct(text, ',') {
            j += 1;
            continue;
        }
        return t.get(j)?.is_punct(text, ']').then_some(vals);
    }
}

/// `name type[] := ARRAY[…]` in a `DECLARE` section: the name and its strings.
fn declared_array(text: &str, t: &[Token]) -> Option<(String, Vec<String>)> {
    let first = usize::from(t.first()?.is_word(text, "declare"));
    let name = ident_value(text, *t.get(first)?)?;
    let a = (first + 1..t.len()).find(|&k| t[k].is_word(text, "array"))?;
    Some((name, literal_array(text, t, a)?))
}

/// The loop a `LOOP` keyword at `k` opens.
fn loop_header(text: &str, t: &[Token], k: usize, arrays: &[(String, Vec<String>)]) -> LoopVar {
    let start = (0..k)
        .rev()
        .find(|&i| t[i].is_word(text, "foreach") || t[i].is_word(text, "for"))?;
    let var = ident_value(text, *t.get(start + 1)?)?;
    if !t.get(start + 2)?.is_word(text, "in") {
        return None;
    }
    let vals = if t[start].is_word(text, "foreach") {
        if !t.get(start + 3)?.is_word(text, "array") {
            return None;
        }
        let a = start + 4;
        if t.get(a + 1).is_some_and(|x| x.is_punct(text, '[')) {
            literal_array(text, t, a)?
        } else {
            let name = ident_value(text, *t.get(a)?)?;
            if !t.get(a + 1)?.is_word(text, "loop") {
                return None;
            }
            arrays.iter().rev().find(|(n, _)| *n == name)?.1.clone()
        }
    } else {
        // FOR v IN SELECT unnest(ARRAY[…]) LOOP
        if !(t.get(start + 3)?.is_word(text, "select")
            && t.get(start + 4)?.is_word(text, "unnest")
            && t.get(start + 5)?.is_punct(text, '('))
        {
            return None;
        }
        let vals = literal_array(text, t, start + 6)?;
        let close = (start + 6..k).find(|&i| t[i].is_punct(text, ']'))?;
        if !(t.get(close + 1)?.is_punct(text, ')') && close + 2 == k) {
            return None;
        }
        vals
    };
    // Nothing but the array (and casts) between it and LOOP.
    let close = (start..k)
        .rev()
        .find(|&i| t[i].is_punct(text, ']') || t[i].is_punct(text, ')'));
    let tail_ok = match close {
        Some(c) => t[c + 1..k].iter().all(|x| {
            x.is_punct(text, ':')
                || x.kind == TokenKind::Word
                || x.is_punct(text, '[')
                || x.is_punct(text, ']')
        }),
        None => true,
    };
    tail_ok.then_some((var, vals))
}

/// `'a' || v || quote_ident(v) || format(…)`, with the loop variable `var` = `val`: the text and, per
/// byte, its offset in `text` (a substituted value maps to where it is written). `None` when any part is
/// not known.
fn eval_text(text: &str, t: &[Token], var: &str, val: &str) -> Option<(String, Vec<u32>)> {
    let mut out = String::new();
    let mut map: Vec<u32> = Vec::new();
    let mut i = 0;
    loop {
        let tok = *t.get(i)?;
        if let Some((s, m)) = lexer::string_content(text, tok) {
            out.push_str(&s);
            map.extend_from_slice(&m[..m.len() - 1]);
            i += 1;
        } else if tok.kind == TokenKind::Word && t.get(i + 1).is_some_and(|x| x.is_punct(text, '('))
        {
            let close = matching_paren(text, t, i + 1)?;
            let fname = tok.text(text).to_ascii_lowercase();
            let inner = &t[i + 2..close];
            match fname.as_str() {
                "format" => {
                    let (s, m) = eval_format(text, inner, var, val)?;
                    out.push_str(&s);
                    map.extend(m);
                }
                "quote_ident" => {
                    let (s, _) = eval_text(text, inner, var, val)?;
                    let q = format!("\"{}\"", s.replace('"', "\"\""));
                    map.extend(std::iter::repeat_n(tok.start as u32, q.len()));
                    out.push_str(&q);
                }
                _ => return None,
            }
            i = close + 1;
        } else if matches!(tok.kind, TokenKind::Word | TokenKind::QuotedIdent)
            && ident_value(text, tok).as_deref() == Some(var)
        {
            out.push_str(val);
            map.extend(std::iter::repeat_n(tok.start as u32, val.len()));
            i += 1;
        } else {
            return None;
        }
        // `::text` casts
        while t.get(i).is_some_and(|x| x.is_punct(text, ':'))
            && t.get(i + 1).is_some_and(|x| x.is_punct(text, ':'))
            && t.get(i + 2).is_some_and(|x| x.kind == TokenKind::Word)
        {
            i += 3;
        }
        if i == t.len() {
            return Some((out, map));
        }
        if !(t[i].kind == TokenKind::Operator && t[i].text(text) == "||") {
            return None;
        }
        i += 1;
    }
}

fn matching_paren(text: &str, t: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (j, x) in t.iter().enumerate().skip(open) {
        if x.is_punct(text, '(') {
            depth += 1;
        } else if x.is_punct(text, ')') {
            depth -= 1;
            if depth == 0 {
                return Some(j);
            }
        }
    }
    None
}

/// `format(fmt, args…)` with the specifiers `%I`, `%L`, `%s`, `%%` and `%n$…` applied.
fn eval_format(text: &str, t: &[Token], var: &str, val: &str) -> Option<(String, Vec<u32>)> {
    // Split the arguments at top-level commas.
    let mut args: Vec<&[Token]> = Vec::new();
    let mut depth = 0i32;
    let mut from = 0;
    for (j, x) in t.iter().enumerate() {
        if x.is_punct(text, '(') || x.is_punct(text, '[') {
            depth += 1;
        } else if x.is_punct(text, ')') || x.is_punct(text, ']') {
            depth -= 1;
        } else if depth == 0 && x.is_punct(text, ',') {
            args.push(&t[from..j]);
            from = j + 1;
        }
    }
    args.push(&t[from..]);
    let (fmt, fmap) = eval_text(text, args.first()?, var, val)?;
    let values: Vec<String> = args[1..]
        .iter()
        .map(|a| eval_text(text, a, var, val).map(|(s, _)| s))
        .collect::<Option<_>>()?;
    let mut out = String::new();
    let mut map = Vec::new();
    let b = fmt.as_bytes();
    let mut next = 0usize;
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'%' {
            let ch = fmt[i..].chars().next()?;
            out.push(ch);
            map.extend(std::iter::repeat_n(fmap[i], ch.len_utf8()));
            i += ch.len_utf8();
            continue;
        }
        let at = fmap[i];
        let mut j = i + 1;
        if b.get(j) == Some(&b'%') {
            out.push('%');
            map.push(at);
            i = j + 1;
            continue;
        }
        let digits: String = fmt[j..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        let mut index = next;
        if !digits.is_empty() && b.get(j + digits.len()) == Some(&b'$') {
            index = digits.parse::<usize>().ok()?.checked_sub(1)?;
            j += digits.len() + 1;
        }
        let v = values.get(index)?;
        let s = match b.get(j)? {
            b'I' => format!("\"{}\"", v.replace('"', "\"\"")),
            b'L' => format!("'{}'", v.replace('\'', "''")),
            b's' => v.clone(),
            _ => return None,
        };
        map.extend(std::iter::repeat_n(at, s.len()));
        out.push_str(&s);
        next = index + 1;
        i = j + 1;
    }
    Some((out, map))
}

// ------------------------------------------------------------------------------------------------ parser

struct P<'a> {
    src: &'a str,
    toks: &'a [Token],
    i: usize,
    map: &'a Src<'a>,
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
    fn peek(&self) -> Option<Token> {
        self.toks.get(self.i).copied()
    }
    fn at(&self, k: usize) -> Option<Token> {
        self.toks.get(self.i + k).copied()
    }
    fn is_kw(&self, kw: &str) -> bool {
        self.peek().is_some_and(|t| t.is_word(self.src, kw))
    }
    fn is_kw_at(&self, k: usize, kw: &str) -> bool {
        self.at(k).is_some_and(|t| t.is_word(self.src, kw))
    }
    fn eat(&mut self, kw: &str) -> bool {
        if self.is_kw(kw) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    /// Eat a sequence of keywords, all or nothing.
    fn eat_seq(&mut self, kws: &[&str]) -> bool {
        if kws.iter().enumerate().all(|(k, w)| self.is_kw_at(k, w)) {
            self.i += kws.len();
            true
        } else {
            false
        }
    }
    fn is_punct(&self, c: char) -> bool {
        self.peek().is_some_and(|t| t.is_punct(self.src, c))
    }
    fn eat_punct(&mut self, c: char) -> bool {
        if self.is_punct(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn done(&self) -> bool {
        self.i >= self.toks.len()
    }
    fn file_range(&self, r: Range<usize>) -> TextRange {
        self.map.range(r)
    }
    fn ident(&mut self) -> Option<(String, Range<usize>)> {
        let t = self.peek()?;
        let v = ident_value(self.src, t)?;
        self.i += 1;
        Some((v, t.range()))
    }
    /// `name` or `schema.name`.
    fn qname(&mut self) -> Option<QName> {
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
    fn qname_list(&mut self) -> Option<Vec<QName>> {
        let mut v = vec![self.qname()?];
        while self.eat_punct(',') {
            v.push(self.qname()?);
        }
        Some(v)
    }
    /// From `(` to its `)`: the token index range inside. Leaves `i` after the `)`.
    fn parens(&mut self) -> Option<Range<usize>> {
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
    fn paren_text(&mut self) -> Option<Text> {
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
    fn role_name(&mut self) -> Option<String> {
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
    fn role_list(&mut self) -> Option<Vec<String>> {
        let mut v = vec![self.role_name()?];
        while self.eat_punct(',') {
            v.push(self.role_name()?);
        }
        Some(v)
    }

    // -------------------------------------------------------------------------------- statements

    fn statement(&mut self) -> Option<StmtKind> {
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

    fn unreadable(&self, touches: Touches, what: &str) -> Option<StmtKind> {
        Some(StmtKind::Unreadable {
            touches,
            why: format!("{what} that could not be read"),
        })
    }

    fn has_word(&self, w: &str) -> bool {
        self.toks.iter().any(|t| t.is_word(self.src, w))
    }

    /// The objects the statement's identifiers name ([`Touches::Named`]); [`Touches::Any`] when it
    /// cascades. `creates`: the statement creates an object, so whether one of those names exists afterwards is
    /// uncertain; so it is when the statement [runs on](Self::runs_on).
    fn named(&self, creates: bool) -> Touches {
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
    fn runs_on(&self) -> bool {
        self.toks
            .iter()
            .skip(1)
            .any(|t| t.is_word(self.src, "create") || t.is_word(self.src, "rename"))
    }

    /// `pin`: the one object the statement targets; the objects it names when it [runs on](Self::runs_on);
    /// any object when it cascades.
    fn pinned(&self, pin: Touches) -> Touches {
        if self.runs_on() || self.has_word("cascade") {
            return self.named(true);
        }
        pin
    }

    /// After a failed read: the table after the statement's first `ON`, or the objects it names.
    fn on_table_or_named(&mut self) -> Touches {
        match self.find_on_table() {
            Some(q) => self.pinned(Touches::Table(q)),
            None => self.named(false),
        }
    }

    fn create(&mut self) -> Option<StmtKind> {
        self.i += 1;
        let or_replace = self.eat_seq(&["or", "replace"]);
        // CREATE [GLOBAL|LOCAL] [TEMP|TEMPORARY|UNLOGGED] TABLE
        let _ = self.eat("global") || self.eat("local");
        let temp = self.eat("temp") || self.eat("temporary");
        let _ = self.eat("unlogged");
        let _ = self.eat("recursive");
        if self.is_kw("table") {
            self.i += 1;
            if temp {
                return None;
            }
            let if_not_exists = self.eat_seq(&["if", "not", "exists"]);
            let Some(name) = self.qname() else {
                return self.unreadable(self.named(true), "a CREATE TABLE");
            };
            return Some(StmtKind::CreateTable {
                name,
                if_not_exists,
            });
        }
        if self.is_kw("policy") {
            self.i += 1;
            return Some(match self.create_policy() {
                Some(k) => k,
                None => StmtKind::Unreadable {
                    touches: self.on_table_or_named(),
                    why: "a CREATE POLICY that could not be read".into(),
                },
            });
        }
        let materialized = self.eat("materialized");
        if self.eat("view") {
            if temp {
                return None;
            }
            let mut name = None;
            return self
                .create_view(or_replace, materialized, &mut name)
                .or_else(|| {
                    let touches = match name {
                        Some(q) => self.pinned(Touches::View(q)),
                        None => self.named(true),
                    };
                    self.unreadable(touches, "a CREATE VIEW")
                });
        }
        if materialized {
            return None;
        }
        if self.eat("function") || self.eat("procedure") {
            let mut func = None;
            return self.create_function(or_replace, &mut func).or_else(|| {
                let touches = match func {
                    Some(f) => self.pinned(Touches::Function(f)),
                    None => self.named(true),
                };
                self.unreadable(touches, "a CREATE FUNCTION")
            });
        }
        None
    }

    /// After `CREATE POLICY` fails to read: the table after `ON`, if any.
    fn find_on_table(&mut self) -> Option<QName> {
        let k = self.toks.iter().position(|t| t.is_word(self.src, "on"))?;
        self.i = k + 1;
        self.qname()
    }

    fn create_policy(&mut self) -> Option<StmtKind> {
        let t = self.peek()?;
        let (name, nr) = self.ident()?;
        let name = Text {
            text: name,
            range: self.file_range(nr.start.max(t.start)..nr.end),
        };
        if !self.eat("on") {
            return None;
        }
        let table = self.qname()?;
        let mut permissive = true;
        if self.eat("as") {
            let (m, _) = self.ident()?;
            permissive = match m.as_str() {
                "permissive" => true,
                "restrictive" => false,
                _ => return None,
            };
        }
        let mut command = PolicyCommand::All;
        if self.eat("for") {
            command = match self.ident()?.0.as_str() {
                "all" => PolicyCommand::All,
                "select" => PolicyCommand::Select,
                "insert" => PolicyCommand::Insert,
                "update" => PolicyCommand::Update,
                "delete" => PolicyCommand::Delete,
                _ => return None,
            };
        }
        let mut roles = vec!["public".to_string()];
        if self.eat("to") {
            roles = self.role_list()?;
        }
        let (using, with_check) = self.using_and_check()?;
        if !self.done() {
            return None;
        }
        Some(StmtKind::CreatePolicy {
            name,
            table,
            permissive,
            command,
            roles,
            using,
            with_check,
        })
    }

    /// `read`: the view's name, once read.
    /// A policy's `[USING (…)] [WITH CHECK (…)]`.
    fn using_and_check(&mut self) -> Option<(Option<Text>, Option<Text>)> {
        let mut using = None;
        let mut with_check = None;
        if self.eat("using") {
            using = Some(self.paren_text()?);
        }
        if self.eat_seq(&["with", "check"]) {
            with_check = Some(self.paren_text()?);
        }
        Some((using, with_check))
    }

    /// `read`: the view's name, once read.
    fn create_view(
        &mut self,
        or_replace: bool,
        materialized: bool,
        read: &mut Option<QName>,
    ) -> Option<StmtKind> {
        let if_not_exists = self.eat_seq(&["if", "not", "exists"]);
        let name = self.qname()?;
        *read = Some(name.clone());
        // Column list.
        if self.is_punct('(') {
            self.parens()?;
        }
        let mut security_invoker = None;
        if self.eat("with") {
            let r = self.parens()?;
            security_invoker = self.security_invoker_option(r)?;
        }
        if !self.eat("as") {
            return None;
        }
        let reads = self.relations_read();
        Some(StmtKind::CreateView {
            name,
            or_replace,
            materialized,
            if_not_exists,
            security_invoker,
            reads,
        })
    }

    /// In an option list `(security_invoker = true, security_barrier)`: the security_invoker value.
    /// `Some(None)` when absent, `None` when it cannot be read.
    fn security_invoker_option(&self, r: Range<usize>) -> Option<Option<bool>> {
        let toks = &self.toks[r];
        let mut out = None;
        for item in toks.split(|t| t.is_punct(self.src, ',')) {
            let Some(first) = item.first() else { continue };
            if ident_value(self.src, *first).is_none_or(|n| n != "security_invoker") {
                continue;
            }
            let value = match item.len() {
                1 => Some(true),
                3 if item[1].text(self.src) == "=" => bool_value(item[2].text(self.src)),
                _ => None,
            };
            out = Some(value?);
        }
        Some(out)
    }

    /// Relations after FROM / JOIN in the rest of the statement.
    fn relations_read(&mut self) -> Vec<(Option<String>, String)> {
        let mut out = Vec::new();
        while !self.done() {
            if self.is_kw("from") || self.is_kw("join") {
                self.i += 1;
                loop {
                    let _ = self.eat("only") || self.eat("lateral");
                    if let Some(q) = self.qname() {
                        out.push((q.schema, q.name));
                    }
                    // `from a x, b y`
                    while !self.done()
                        && !self.is_punct(',')
                        && !self.is_kw("from")
                        && !self.is_kw("join")
                        && !self.is_kw("where")
                        && !self.is_punct('(')
                        && !self.is_punct(')')
                    {
                        self.i += 1;
                    }
                    if !self.eat_punct(',') {
                        break;
                    }
                }
            } else {
                self.i += 1;
            }
        }
        out
    }

    /// `read`: the function's name and argument types, once read.
    fn create_function(
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
    fn set_value(&mut self) -> Option<String> {
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

    fn alter(&mut self) -> Option<StmtKind> {
        self.i += 1;
        if self.eat("table") {
            return self.alter_rel(RelKind::Table);
        }
        if self.eat("view") {
            return self.alter_rel(RelKind::View);
        }
        if self.eat_seq(&["materialized", "view"]) {
            return self.alter_rel(RelKind::MaterializedView);
        }
        if self.eat("policy") {
            return Some(match self.alter_policy() {
                Some(k) => k,
                None => StmtKind::Unreadable {
                    touches: self.on_table_or_named(),
                    why: "an ALTER POLICY that could not be read".into(),
                },
            });
        }
        if self.eat("function") || self.eat("procedure") || self.eat("routine") {
            return self.alter_function();
        }
        if self.eat_seq(&["default", "privileges"]) {
            let mut irrelevant = false;
            return match self.default_privileges(&mut irrelevant) {
                Some(k) => Some(k),
                None if irrelevant => None,
                None => Some(StmtKind::Unreadable {
                    touches: Touches::Any,
                    why: "an ALTER DEFAULT PRIVILEGES that could not be read".into(),
                }),
            };
        }
        None
    }

    fn alter_rel(&mut self, kind: RelKind) -> Option<StmtKind> {
        let if_exists = self.eat_seq(&["if", "exists"]);
        let _ = self.eat("only");
        let name = self.qname()?;
        let _ = self.is_punct('*') && self.eat_punct('*');
        let mut actions = Vec::new();
        let mut unreadable = false;
        // Actions are separated by commas at depth 0.
        while !self.done() {
            let start = self.i;
            if self.eat_seq(&["enable", "row", "level", "security"]) {
                actions.push(TableAction::EnableRls);
            } else if self.eat_seq(&["disable", "row", "level", "security"]) {
                actions.push(TableAction::DisableRls);
            } else if self.eat_seq(&["force", "row", "level", "security"]) {
                actions.push(TableAction::ForceRls);
            } else if self.eat_seq(&["no", "force", "row", "level", "security"]) {
                actions.push(TableAction::NoForceRls);
            } else if self.eat_seq(&["rename", "to"]) {
                match self.ident() {
                    Some((n, _)) => actions.push(TableAction::RenameTo(n)),
                    None => unreadable = true,
                }
            } else if self.eat_seq(&["set", "schema"]) {
                match self.ident() {
                    Some((n, _)) => actions.push(TableAction::SetSchema(n)),
                    None => unreadable = true,
                }
            } else if self.is_kw("set") && self.at(1).is_some_and(|t| t.is_punct(self.src, '(')) {
                self.i += 1;
                let r = self.parens()?;
                match self.security_invoker_option(r) {
                    Some(Some(v)) => actions.push(TableAction::SecurityInvoker(Some(v))),
                    Some(None) => {}
                    None => unreadable = true,
                }
            } else if self.is_kw("reset") && self.at(1).is_some_and(|t| t.is_punct(self.src, '(')) {
                self.i += 1;
                let r = self.parens()?;
                if self.toks[r]
                    .iter()
                    .any(|t| ident_value(self.src, *t).is_some_and(|n| n == "security_invoker"))
                {
                    actions.push(TableAction::SecurityInvoker(None));
                }
            }
            // Skip the rest of this action.
            let mut depth = 0usize;
            while let Some(t) = self.peek() {
                if depth == 0 && t.is_punct(self.src, ',') {
                    break;
                }
                if t.is_punct(self.src, '(') {
                    depth += 1;
                } else if t.is_punct(self.src, ')') {
                    depth = depth.saturating_sub(1);
                } else if t.is_word(self.src, "security")
                    && self.i > start
                    && self.toks[self.i - 1].is_word(self.src, "level")
                {
                    // `… row level security` in a form not read above.
                    unreadable = true;
                }
                self.i += 1;
            }
            self.eat_punct(',');
        }
        if unreadable {
            // A rename or a move PostgreSQL runs is read above: one in a statement that cannot be read
            // did not run, and the name it was to make may be missing later.
            let touches = if self.has_word("schema") {
                self.named(true)
            } else {
                self.pinned(Touches::Table(name))
            };
            return Some(StmtKind::Unreadable {
                touches,
                why: "an ALTER TABLE that could not be read".into(),
            });
        }
        if actions.is_empty() {
            return None;
        }
        Some(StmtKind::AlterTable {
            kind,
            name,
            if_exists,
            actions,
        })
    }

    fn alter_policy(&mut self) -> Option<StmtKind> {
        let (name, _) = self.ident()?;
        if !self.eat("on") {
            return None;
        }
        let table = self.qname()?;
        let mut rename = None;
        let mut roles = None;
        let mut using = None;
        let mut with_check = None;
        if self.eat_seq(&["rename", "to"]) {
            rename = Some(self.ident()?.0);
        } else {
            if self.eat("to") {
                roles = Some(self.role_list()?);
            }
            (using, with_check) = self.using_and_check()?;
        }
        if !self.done() {
            return None;
        }
        Some(StmtKind::AlterPolicy {
            name,
            table,
            rename,
            roles,
            using,
            with_check,
        })
    }

    fn func_ref(&mut self) -> Option<FuncRef> {
        let name = self.qname()?;
        let args = if self.is_punct('(') {
            let r = self.parens()?;
            Some(function_args(self.src, &self.toks[r], false)?)
        } else {
            None
        };
        Some(FuncRef { name, args })
    }

    fn alter_function(&mut self) -> Option<StmtKind> {
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

    fn drop(&mut self) -> Option<StmtKind> {
        self.i += 1;
        let kind = if self.eat("table") {
            RelKind::Table
        } else if self.eat("view") {
            RelKind::View
        } else if self.eat_seq(&["materialized", "view"]) {
            RelKind::MaterializedView
        } else if self.eat("policy") {
            let if_exists = self.eat_seq(&["if", "exists"]);
            let (Some((name, _)), true) = (self.ident(), self.eat("on")) else {
                return self.unreadable(self.named(false), "a DROP POLICY");
            };
            let Some(table) = self.qname() else {
                return self.unreadable(self.named(false), "a DROP POLICY");
            };
            return Some(StmtKind::DropPolicy {
                name,
                table,
                if_exists,
            });
        } else if self.eat("function") || self.eat("procedure") || self.eat("routine") {
            let if_exists = self.eat_seq(&["if", "exists"]);
            let mut funcs = Vec::new();
            loop {
                let Some(f) = self.func_ref() else {
                    return self.unreadable(Touches::Any, "a DROP FUNCTION");
                };
                funcs.push(f);
                if !self.eat_punct(',') {
                    break;
                }
            }
            return Some(StmtKind::DropFunction { funcs, if_exists });
        } else {
            return None;
        };
        let if_exists = self.eat_seq(&["if", "exists"]);
        let Some(names) = self.qname_list() else {
            return self.unreadable(Touches::Any, "a DROP TABLE");
        };
        let cascade = self.eat("cascade");
        Some(StmtKind::Drop {
            kind,
            names,
            if_exists,
            cascade,
        })
    }

    /// `GRANT privs ON … TO roles` / `REVOKE [GRANT OPTION FOR] privs ON … FROM roles`.
    /// `GRANT`/`REVOKE` of table or function privileges. `None` with `irrelevant` set: a statement that
    /// changes nothing the model holds (role membership, schema `USAGE`, sequences, types, …).
    fn grant(&mut self, irrelevant: &mut bool) -> Option<StmtKind> {
        let revoke = self.is_kw("revoke");
        self.i += 1;
        if revoke && self.eat_seq(&["grant", "option", "for"]) {
            // Only the grant option goes: the privileges stay.
            *irrelevant = true;
            return None;
        }
        let mut privs = Privs::NONE;
        let mut function_privs = false;
        loop {
            let (w, _) = self.ident()?;
            if w == "all" {
                let _ = self.eat("privileges");
                privs = Privs::ALL;
            } else if w == "execute" || w == "usage" {
                function_privs |= w == "execute";
            } else if let Some(p) = Privs::from_keyword(&w) {
                // A column privilege (`update (a, b)`) is not a table privilege.
                if self.is_punct('(') {
                    self.parens()?;
                } else {
                    privs = privs.union(p);
                }
            } else {
                // GRANT role TO role, or privileges not modelled (create, connect, temporary).
                *irrelevant = true;
                return None;
            }
            if !self.eat_punct(',') {
                break;
            }
        }
        if !self.eat("on") {
            return None;
        }
        let target = if self.eat_seq(&["all", "tables", "in", "schema"]) {
            GrantTarget::AllTablesIn(self.ident_list()?)
        } else if self.eat_seq(&["all", "functions", "in", "schema"])
            || self.eat_seq(&["all", "routines", "in", "schema"])
            || self.eat_seq(&["all", "procedures", "in", "schema"])
        {
            GrantTarget::AllFunctionsIn(self.ident_list()?)
        } else if self.eat("function") || self.eat("procedure") || self.eat("routine") {
            let mut v = vec![self.func_ref()?];
            while self.eat_punct(',') {
                v.push(self.func_ref()?);
            }
            GrantTarget::Functions(v)
        } else if self.eat("sequence")
            || self.eat("schema")
            || self.eat("database")
            || self.eat("type")
            || self.eat("domain")
            || self.eat_seq(&["all", "sequences", "in", "schema"])
            || self.eat("language")
            || self.eat_seq(&["foreign", "data", "wrapper"])
            || self.eat_seq(&["foreign", "server"])
            || self.eat_seq(&["large", "object"])
            || self.eat("tablespace")
        {
            *irrelevant = true;
            return None;
        } else {
            let _ = self.eat("table");
            GrantTarget::Tables(self.qname_list()?)
        };
        if function_privs && matches!(target, GrantTarget::Tables(_) | GrantTarget::AllTablesIn(_))
        {
            return None;
        }
        if function_privs {
            privs = Privs::ALL;
        } else if matches!(
            target,
            GrantTarget::Functions(_) | GrantTarget::AllFunctionsIn(_)
        ) && privs != Privs::ALL
        {
            return None;
        }
        if !(self.eat(if revoke { "from" } else { "to" })) {
            return None;
        }
        let roles = self.role_list()?;
        let _ = self.eat_seq(&["with", "grant", "option"]);
        let _ = self.eat("cascade") || self.eat("restrict");
        let _ = self.eat_seq(&["granted", "by"]) && self.role_name().is_some();
        if !self.done() {
            return None;
        }
        Some(StmtKind::Grant {
            revoke,
            privs,
            target,
            roles,
        })
    }

    fn ident_list(&mut self) -> Option<Vec<String>> {
        let mut v = vec![self.ident()?.0];
        while self.eat_punct(',') {
            v.push(self.ident()?.0);
        }
        Some(v)
    }

    /// `None` with `irrelevant` set: defaults for objects the model does not hold (sequences, types, schemas).
    fn default_privileges(&mut self, irrelevant: &mut bool) -> Option<StmtKind> {
        // [FOR ROLE r, …] [IN SCHEMA s, …] GRANT|REVOKE …
        if self.eat("for") {
            let _ = self.eat("role") || self.eat("user");
            self.role_list()?;
        }
        let mut schemas = Vec::new();
        if self.eat_seq(&["in", "schema"]) {
            schemas = self.ident_list()?;
        }
        let revoke = self.is_kw("revoke");
        if !(self.eat("grant") || self.eat("revoke")) {
            return None;
        }
        if revoke && self.eat_seq(&["grant", "option", "for"]) {
            *irrelevant = true;
            return None;
        }
        let mut privs = Privs::NONE;
        let mut execute = false;
        loop {
            let (w, _) = self.ident()?;
            if w == "all" {
                let _ = self.eat("privileges");
                privs = Privs::ALL;
                execute = true;
            } else if w == "execute" {
                execute = true;
            } else if let Some(p) = Privs::from_keyword(&w) {
                privs = privs.union(p);
            } else if w != "usage" && w != "create" {
                return None;
            }
            if !self.eat_punct(',') {
                break;
            }
        }
        if !self.eat("on") {
            return None;
        }
        let functions = if self.eat("tables") {
            false
        } else if self.eat("functions") || self.eat("routines") {
            true
        } else {
            // sequences, types, schemas
            *irrelevant = true;
            return None;
        };
        if functions && !execute {
            return None;
        }
        if !(self.eat(if revoke { "from" } else { "to" })) {
            return None;
        }
        let roles = self.role_list()?;
        // Without IN SCHEMA the defaults apply in every schema: `*`.
        if schemas.is_empty() {
            schemas.push("*".to_string());
        }
        Some(StmtKind::DefaultPrivileges {
            revoke,
            schemas,
            functions,
            privs: if functions { Privs::ALL } else { privs },
            roles,
        })
    }

    /// `SET [SESSION|LOCAL] search_path TO a, b` / `= …`.
    fn set(&mut self) -> Option<StmtKind> {
        self.i += 1;
        let _ = self.eat("session") || self.eat("local");
        if !self.eat("search_path") {
            return None;
        }
        let v = self.set_value()?;
        Some(StmtKind::SetSearchPath(parse_search_path(&v)))
    }

    /// `SELECT pg_catalog.set_config('search_path', '…', false);` (pg_dump's preamble).
    fn select_set_config(&mut self) -> Option<StmtKind> {
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

fn bool_value(s: &str) -> Option<bool> {
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

const ARG_MODES: &[&str] = &["in", "out", "inout", "variadic"];

/// The identity argument types of a function's argument list (`uid uuid, out n int, t text default ''`
/// → `uuid, text`). `defaults`: the list may carry defaults (CREATE FUNCTION).
fn function_args(src: &str, toks: &[Token], defaults: bool) -> Option<Vec<String>> {
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

fn is_multiword_type_start(a: &str, b: &str) -> bool {
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
fn unquote_simple_idents(t: &str) -> String {
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
