//! Every request a file makes through a Supabase client — `from(table)` chains, `rpc(fn)`, `storage.from(bucket)`
//! operations, `functions.invoke(name)`, `auth.admin.*` — each with the role OF THAT REQUEST.
//!
//! The role starts from the client's ([`role::info`]); then, for database, storage and functions requests, the
//! session-storing `auth` calls on the same client (`signInWithPassword`, `verifyOtp`, …) count: one that comes
//! earlier in the same function body in plain straight-line order (same block, nothing conditional between)
//! makes the request the user's; one anywhere else makes it depend on whether that call ran first.
//! `functions.setAuth(token)` does the same for `functions.invoke` only. `auth.admin.*` sends the constructor key
//! or the explicit header, never the session ([`role::admin_api_role`]).

use std::collections::HashMap;
use std::rc::Rc;

use rlscope_core::TextRange;

use crate::db::{FileId, Snapshot};
use crate::eval::{Client, Eval, Loc, Part, Value};
use crate::ir::{Expr, ExprId, FileIr, FuncId};
use crate::role::{self, Condition, Evidence, EvidenceKind, Role, RoleInfo, UserVia};

/// One request the code makes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The whole call chain as written (`admin.from('orders').insert(x).select()`).
    pub range: TextRange,
    /// The request's method name (`from`, `rpc`, `invoke`, the storage operation, the admin method).
    pub name_range: TextRange,
    pub kind: RequestKind,
    /// Where the client was built.
    pub client: Loc,
    /// The role of this request.
    pub role: RoleInfo,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestKind {
    /// `from(table)`; `table` is empty when it is not a string rlscope can read.
    Db {
        schema: Option<String>,
        table: String,
        table_range: TextRange,
        commands: Vec<DbCommand>,
        /// `.select()` after a write.
        returning: bool,
        /// `.eq` / `.match` / `.filter` / … present.
        filtered: bool,
    },
    Rpc {
        schema: Option<String>,
        function: String,
        name_range: TextRange,
    },
    /// `storage.from(bucket).op(…)`: `command` is what `op` does on `storage.objects`.
    Storage {
        bucket: Option<String>,
        op: String,
        command: DbCommand,
    },
    Functions {
        name: Option<String>,
    },
    AuthAdmin {
        method: String,
    },
}

impl RequestKind {
    /// `db`, `rpc`, `storage`, `functions`, `auth_admin`.
    pub fn label(&self) -> &'static str {
        match self {
            RequestKind::Db { .. } => "db",
            RequestKind::Rpc { .. } => "rpc",
            RequestKind::Storage { .. } => "storage",
            RequestKind::Functions { .. } => "functions",
            RequestKind::AuthAdmin { .. } => "auth_admin",
        }
    }

    /// The table, function, bucket or admin method the request targets, when known.
    pub fn target(&self) -> Option<&str> {
        match self {
            RequestKind::Db { table, .. } if !table.is_empty() => Some(table),
            RequestKind::Db { .. } => None,
            RequestKind::Rpc { function, .. } => Some(function),
            RequestKind::Storage { bucket, .. } => bucket.as_deref(),
            RequestKind::Functions { name } => name.as_deref(),
            RequestKind::AuthAdmin { method } => Some(method),
        }
    }

    /// What a database request does as far as row level security is concerned (`None` for other requests and
    /// a chain with no command).
    pub fn db_op(&self) -> Option<rlscope_sql::outcome::Op> {
        match self {
            RequestKind::Db {
                commands,
                returning,
                filtered,
                ..
            } => outcome::op_of(commands, *returning, *filtered),
            _ => None,
        }
    }

    pub fn schema(&self) -> Option<&str> {
        match self {
            RequestKind::Db { schema, .. } | RequestKind::Rpc { schema, .. } => schema.as_deref(),
            _ => None,
        }
    }

    /// What the request does, in one word: the database commands (`insert+select`), `execute` for an rpc,
    /// the storage operation, `invoke`, or the admin method.
    pub fn command(&self) -> String {
        match self {
            RequestKind::Db { commands, .. } if commands.is_empty() => "unknown".into(),
            RequestKind::Db { commands, .. } => commands
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join("+"),
            RequestKind::Rpc { .. } => "execute".into(),
            RequestKind::Storage { op, .. } => op.clone(),
            RequestKind::Functions { .. } => "invoke".into(),
            RequestKind::AuthAdmin { method } => method.clone(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DbCommand {
    Select,
    Insert,
    Update,
    Delete,
    Upsert,
}

impl DbCommand {
    pub fn as_str(self) -> &'static str {
        match self {
            DbCommand::Select => "select",
            DbCommand::Insert => "insert",
            DbCommand::Update => "update",
            DbCommand::Delete => "delete",
            DbCommand::Upsert => "upsert",
        }
    }
}

const FILTERS: &[&str] = &[
    "eq",
    "neq",
    "gt",
    "gte",
    "lt",
    "lte",
    "like",
    "ilike",
    "likeAllOf",
    "likeAnyOf",
    "ilikeAllOf",
    "ilikeAnyOf",
    "is",
    "in",
    "contains",
    "containedBy",
    "rangeGt",
    "rangeGte",
    "rangeLt",
    "rangeLte",
    "rangeAdjacent",
    "overlaps",
    "textSearch",
    "match",
    "not",
    "or",
    "filter",
];

/// Storage operations that make a request, and what they do on `storage.objects`.
fn storage_command(op: &str) -> Option<DbCommand> {
    Some(match op {
        "upload" | "copy" | "createSignedUploadUrl" => DbCommand::Insert,
        "update" | "move" => DbCommand::Update,
        "remove" => DbCommand::Delete,
        "download" | "list" | "createSignedUrl" | "createSignedUrls" | "info" | "exists" => {
            DbCommand::Select
        }
        _ => return None,
    })
}

/// The calls chained on each expression: `x.m(…)` is recorded under `x`.
fn chains(ir: &FileIr) -> HashMap<ExprId, Vec<(ExprId, &str)>> {
    let mut out: HashMap<ExprId, Vec<(ExprId, &str)>> = HashMap::new();
    for call in &ir.calls {
        if let Some((obj, m)) = &call.method {
            out.entry(*obj).or_default().push((call.expr, m));
        }
    }
    out
}

fn str_arg(ir: &FileIr, call: ExprId, i: usize) -> Option<(String, TextRange)> {
    let Expr::Call { args, .. } = ir.expr(call) else {
        return None;
    };
    let &a = args.get(i)?;
    match ir.expr(a) {
        Expr::Str(s) => Some((s.to_string(), ir.range(a))),
        _ => None,
    }
}

fn prop_range(ir: &FileIr, call: ExprId) -> TextRange {
    match ir.expr(call) {
        Expr::Call { callee, .. } => match ir.expr(*callee) {
            Expr::Member { prop_range, .. } => *prop_range,
            _ => ir.range(call),
        },
        _ => ir.range(call),
    }
}

/// A session-storing call (or `functions.setAuth`) on some client of this file.
struct SessionCall {
    client: Loc,
    at: TextRange,
    /// `functions.setAuth(token)`: only what `functions.invoke` sends changes.
    functions_only: bool,
    line: u32,
}

pub(crate) fn requests(snap: &Snapshot, file: FileId) -> Vec<Request> {
    let Some(ir) = snap.ir(file) else {
        return Vec::new();
    };
    let mut ev = Eval::new(snap);
    let chained = chains(ir);
    let line_of = |offset: u32| snap.line_index(file).map_or(0, |li| li.line_of(offset)) + 1;
    let mut sessions: Vec<SessionCall> = Vec::new();
    let mut out: Vec<(Vec<Rc<Client>>, Request)> = Vec::new();
    for call in &ir.calls {
        let Some((obj, m)) = &call.method else {
            continue;
        };
        let m: &str = m;
        let storing = crate::eval::is_session_storing(Part::Auth, m)
            || crate::eval::is_session_storing(Part::Mfa, m);
        if !matches!(m, "from" | "rpc" | "invoke" | "setAuth")
            && !storing
            && !is_admin_receiver(ir, *obj)
        {
            continue;
        }
        ev.reset_budget();
        // `client.schema('s').from(…)` / `.rpc(…)`: the client is the receiver of `schema`
        let (recv, schema) = match ir.expr(*obj) {
            Expr::Call { callee, .. } if matches!(m, "from" | "rpc") => match ir.expr(*callee) {
                Expr::Member {
                    obj: inner, prop, ..
                } if &**prop == "schema" => (*inner, str_arg(ir, *obj, 0).map(|(s, _)| s)),
                _ => (*obj, None),
            },
            _ => (*obj, None),
        };
        let vals = crate::eval::without_undefined(ev.eval(file, recv, &None));
        if vals.is_empty() {
            continue;
        }
        let part = match &vals[0] {
            Value::Client(_) => None,
            Value::ClientPart(_, p) => Some(*p),
            _ => continue,
        };
        let same_shape = vals.iter().all(|v| match v {
            Value::Client(_) => part.is_none(),
            Value::ClientPart(_, p) => Some(*p) == part,
            _ => false,
        });
        if !same_shape {
            continue;
        }
        let clients = crate::eval::clients_of(&vals);
        // without `.schema(…)`, the clients' `db: { schema }` option when they agree (else `public`)
        let schema = schema.or_else(|| {
            let first = clients.first()?.db_schema.clone();
            clients
                .iter()
                .all(|c| c.db_schema == first)
                .then_some(first)?
        });
        let range = ir.range(call.expr);
        let kind = match (part, m) {
            (Some(p @ (Part::Auth | Part::Mfa)), _) => {
                if crate::eval::is_session_storing(p, m) {
                    for c in &clients {
                        sessions.push(SessionCall {
                            client: c.site,
                            at: range,
                            functions_only: false,
                            line: line_of(range.start),
                        });
                    }
                }
                continue;
            }
            (Some(Part::Functions), "setAuth") => {
                for c in &clients {
                    sessions.push(SessionCall {
                        client: c.site,
                        at: range,
                        functions_only: true,
                        line: line_of(range.start),
                    });
                }
                continue;
            }
            (None, "from") => {
                let (table, table_range) = str_arg(ir, call.expr, 0)
                    .unwrap_or_else(|| (String::new(), prop_range(ir, call.expr)));
                let mut commands = Vec::new();
                let mut returning = false;
                let mut filtered = false;
                let mut at = call.expr;
                let mut end = range;
                while let Some(next) = chained.get(&at).and_then(|v| v.first()) {
                    let (e, name) = *next;
                    let cmd = match name {
                        "select" => Some(DbCommand::Select),
                        "insert" => Some(DbCommand::Insert),
                        "update" => Some(DbCommand::Update),
                        "delete" => Some(DbCommand::Delete),
                        "upsert" => Some(DbCommand::Upsert),
                        _ => None,
                    };
                    match cmd {
                        Some(DbCommand::Select) if !commands.is_empty() => returning = true,
                        Some(c) => commands.push(c),
                        None if FILTERS.contains(&name) => filtered = true,
                        None => {}
                    }
                    if returning && !commands.contains(&DbCommand::Select) {
                        commands.push(DbCommand::Select);
                    }
                    end = ir.range(e);
                    at = e;
                }
                out.push((
                    clients,
                    Request {
                        range: TextRange::new(range.start, end.end.max(range.end)),
                        name_range: prop_range(ir, call.expr),
                        kind: RequestKind::Db {
                            schema,
                            table,
                            table_range,
                            commands,
                            returning,
                            filtered,
                        },
                        client: Loc {
                            file,
                            range: TextRange::new(0, 0),
                        },
                        role: placeholder(),
                    },
                ));
                continue;
            }
            (None, "rpc") => {
                let (function, name_range) = str_arg(ir, call.expr, 0)
                    .unwrap_or_else(|| (String::new(), prop_range(ir, call.expr)));
                RequestKind::Rpc {
                    schema,
                    function,
                    name_range,
                }
            }
            (Some(Part::Storage), "from") => {
                let Some((e, op)) = chained.get(&call.expr).and_then(|v| v.first()).copied() else {
                    continue;
                };
                let Some(command) = storage_command(op) else {
                    continue;
                };
                let bucket = str_arg(ir, call.expr, 0).map(|(s, _)| s);
                out.push((
                    clients,
                    Request {
                        range: TextRange::new(range.start, ir.range(e).end.max(range.end)),
                        name_range: prop_range(ir, e),
                        kind: RequestKind::Storage {
                            bucket,
                            op: op.to_string(),
                            command,
                        },
                        client: Loc {
                            file,
                            range: TextRange::new(0, 0),
                        },
                        role: placeholder(),
                    },
                ));
                continue;
            }
            (Some(Part::Functions), "invoke") => RequestKind::Functions {
                name: str_arg(ir, call.expr, 0).map(|(s, _)| s),
            },
            (Some(Part::Admin), method) => {
                if method == "signOut" || method == "mfa" {
                    continue;
                }
                RequestKind::AuthAdmin {
                    method: method.to_string(),
                }
            }
            _ => continue,
        };
        out.push((
            clients,
            Request {
                range,
                name_range: prop_range(ir, call.expr),
                kind,
                client: Loc {
                    file,
                    range: TextRange::new(0, 0),
                },
                role: placeholder(),
            },
        ));
    }
    let text = snap.text(file);
    out.into_iter()
        .map(|(clients, mut req)| {
            let infos: Vec<RoleInfo> = clients
                .iter()
                .map(|c| request_role(ir, text, c, &req, &sessions))
                .collect();
            req.client = clients[0].site;
            req.role = combine(infos);
            req
        })
        .collect()
}

/// The innermost request whose call chain holds `offset` (a nested request inside another's arguments wins).
pub(crate) fn request_at(snap: &Snapshot, file: FileId, offset: u32) -> Option<Request> {
    requests(snap, file)
        .into_iter()
        .filter(|r| r.range.touches(offset))
        .min_by_key(|r| r.range.len())
}

fn placeholder() -> RoleInfo {
    RoleInfo {
        role: Role::Unknown { why: String::new() },
        decided_by: EvidenceKind::Key,
        evidence: Vec::new(),
    }
}

/// `x.auth.admin` as the receiver of a call.
fn is_admin_receiver(ir: &FileIr, obj: ExprId) -> bool {
    matches!(ir.expr(obj), Expr::Member { prop, .. } if &**prop == "admin")
}

/// Several clients may reach one call (a ternary, a parameter): one role when they agree.
fn combine(mut infos: Vec<RoleInfo>) -> RoleInfo {
    let first = infos.swap_remove(0);
    if infos.iter().all(|i| i.role == first.role) {
        return first;
    }
    RoleInfo {
        role: Role::Unknown {
            why: "clients with different roles reach this call".into(),
        },
        decided_by: first.decided_by,
        evidence: first.evidence,
    }
}

fn request_role(
    ir: &FileIr,
    text: &str,
    c: &Client,
    req: &Request,
    sessions: &[SessionCall],
) -> RoleInfo {
    if matches!(req.kind, RequestKind::AuthAdmin { .. }) {
        let mut info = role::info(c);
        info.role = role::admin_api_role(c);
        info.decided_by = if c.header.is_some() {
            EvidenceKind::Header
        } else {
            EvidenceKind::Key
        };
        info.evidence.retain(|e| {
            matches!(
                e.kind,
                EvidenceKind::ClientBuilt | EvidenceKind::Key | EvidenceKind::Header
            )
        });
        return info;
    }
    let mut info = role::info(c);
    // an explicit header, or the accessToken option, is sent whatever session the client holds
    if info.decided_by != EvidenceKind::Key {
        return info;
    }
    let is_functions = matches!(req.kind, RequestKind::Functions { .. });
    let relevant: Vec<&SessionCall> = sessions
        .iter()
        .filter(|s| s.client == c.site && (!s.functions_only || is_functions))
        .collect();
    if relevant.is_empty() {
        return info;
    }
    let user = |s: &SessionCall| Role::User {
        via: if s.functions_only {
            UserVia::Header
        } else {
            UserVia::Session
        },
    };
    let evidence = |s: &SessionCall| Evidence {
        kind: EvidenceKind::SessionCall,
        loc: Loc {
            file: req.client.file,
            range: s.at,
        },
        text: if s.functions_only {
            format!("`functions.setAuth` at line {}", s.line)
        } else {
            format!("session-storing `auth` call at line {}", s.line)
        },
    };
    // the latest straight-line call before the request decides it
    if let Some(s) = relevant
        .iter()
        .rev()
        .find(|s| s.at.end <= req.range.start && straight_line_before(ir, text, s.at, req.range))
    {
        info.role = user(s);
        info.decided_by = EvidenceKind::SessionCall;
        info.evidence.push(evidence(s));
        return info;
    }
    if matches!(
        info.role,
        Role::Depends { .. } | Role::Unknown { .. } | Role::User { .. }
    ) {
        // a cookie client already may run as the user; an unknown stays unknown
        return info;
    }
    // a client built in the request's own function, whose session calls all come after the request there:
    // this request runs before them
    let func = innermost_func(ir, req.range);
    let local = func.is_some_and(|f| ir.funcs[f].range.contains_range(c.site.range))
        && c.site.file == req.client.file;
    if local
        && relevant
            .iter()
            .all(|s| s.at.start >= req.range.end && innermost_func(ir, s.at) == func)
    {
        return info;
    }
    let s = relevant[0];
    let before = info.role.clone();
    info.role = Role::Depends {
        condition: Condition::SessionCall,
        cases: vec![
            (
                format!("before the session-storing call at line {}", s.line),
                before,
            ),
            ("after it".into(), user(s)),
        ],
    };
    info.decided_by = EvidenceKind::SessionCall;
    for s in relevant.iter().take(3) {
        info.evidence.push(evidence(s));
    }
    info
}

fn innermost_func(ir: &FileIr, r: TextRange) -> Option<FuncId> {
    ir.funcs
        .iter_enumerated()
        .filter(|(_, f)| f.range.contains_range(r))
        .min_by_key(|(_, f)| f.range.len())
        .map(|(i, _)| i)
}

/// `call` runs before `req` every time: the same innermost function, at the top level of its body (not
/// inside an `if`, a loop, a `try` or a callback), and `req` in that same block.
fn straight_line_before(ir: &FileIr, text: &str, call: TextRange, req: TextRange) -> bool {
    let f = innermost_func(ir, call);
    if f != innermost_func(ir, req) {
        return false;
    }
    let start = f.map_or(0, |f| ir.funcs[f].range.start);
    let Some(depth_at_call) = brace_depth(text, start, call.start) else {
        return false;
    };
    // the function's own body is depth 1 (or 0 for module code)
    if depth_at_call != u32::from(f.is_some()) {
        return false;
    }
    // nothing closes the call's block before the request, and the request is not in a deeper block
    let mut depth: i64 = 0;
    let mut min = 0;
    let bytes = &text.as_bytes()[call.end as usize..req.start as usize];
    for_each_code_byte(bytes, |b| {
        match b {
            b'{' => depth += 1,
            b'}' => depth -= 1,
            _ => {}
        }
        min = min.min(depth);
    });
    min >= 0 && depth == 0 && !conditional_prefix(text, start, call.start)
}

/// The `{` nesting between two offsets, skipping strings and comments; `None` if it goes negative.
fn brace_depth(text: &str, from: u32, to: u32) -> Option<u32> {
    let mut depth: i64 = 0;
    let mut ok = true;
    for_each_code_byte(&text.as_bytes()[from as usize..to as usize], |b| {
        match b {
            b'{' => depth += 1,
            b'}' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            ok = false;
        }
    });
    (ok && depth >= 0).then_some(depth as u32)
}

/// The statement holding the call starts with `if (…)` / `else` / a loop header without braces, or the call is
/// the right side of `&&` / `||` / `?`: it may not run.
fn conditional_prefix(text: &str, func_start: u32, call: u32) -> bool {
    let before = &text[func_start as usize..call as usize];
    let stmt_start = before.rfind([';', '{', '}', '\n']).map_or(0, |i| i + 1);
    let line = before[stmt_start..].trim_start();
    let prev = before[..stmt_start].trim_end();
    line.contains("&&")
        || line.contains("||")
        || line.contains('?')
        || prev.ends_with(')') && {
            // `if (x)\n  await a.auth.signIn…`
            let head = prev.rsplit(['\n', ';', '{', '}']).next().unwrap_or("");
            let head = head.trim_start();
            head.starts_with("if") || head.starts_with("for") || head.starts_with("while")
        }
        || prev.ends_with("else")
}

/// Calls `f` with each byte of code, skipping string literals and comments.
fn for_each_code_byte(bytes: &[u8], mut f: impl FnMut(u8)) {
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\'' | b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b && bytes[i] != b'\n' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            _ => f(b),
        }
        i += 1;
    }
}

pub(crate) mod outcome;
mod report;
pub use report::*;
