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

mod functions;
mod grants;
mod parser;
mod plpgsql;
mod policies;
mod relations;

pub use functions::normalize_type;
use parser::P;
pub use parser::{ident_value, parse_search_path};
use plpgsql::read_do;

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
