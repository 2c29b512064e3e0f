//! `rlscope roles`: every request the code makes (database `from`, `rpc`, storage, functions, `auth.admin`) with the
//! role it runs as and why. Three renderings of the engine's [`RequestReport`]s: human (grouped by role,
//! service_role first), JSON (schema in docs/roles.md) and Markdown (for a pull-request comment).

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use rlscope_engine::requests::{evidence_label, one_line, RequestKind, RequestReport};
use rlscope_engine::role::{DbRole, Role};
use rlscope_engine::{LoadOptions, Workspace};
use serde_json::{json, Value};

use crate::output::display_path;
use crate::RolesArgs;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RolesFormat {
    /// Grouped by role, service_role first.
    Human,
    /// A stable JSON document (docs/roles.md).
    Json,
    /// Markdown tables, for a pull-request comment.
    Markdown,
}

/// The JSON document's schema version; bumped only on an incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// The order of the groups: what bypasses RLS first.
const GROUPS: &[&str] = &[
    "service_role",
    "depends",
    "third_party",
    "authenticated",
    "anon",
    "unknown",
];

pub fn run(args: &RolesArgs) -> ExitCode {
    for p in &args.paths {
        if !p.exists() {
            eprintln!("error: {}: no such file or folder", p.display());
            return ExitCode::from(2);
        }
    }
    if let Some(r) = &args.role {
        if !ROLE_FILTERS.contains(&r.as_str()) {
            eprintln!(
                "error: --role {r}: expected one of {}",
                ROLE_FILTERS.join(", ")
            );
            return ExitCode::from(2);
        }
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    // requests sit in files the prefilter would skip (no key in them): parse everything
    let opts = LoadOptions { no_prefilter: true };
    let ws = match crate::project::open_workspace(&args.paths, args.config.as_deref(), &opts) {
        Ok(ws) => ws,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let requests = collect(&ws, args.role.as_deref());
    let text = match args.format {
        RolesFormat::Human => human(&requests, &cwd),
        RolesFormat::Json => {
            serde_json::to_string_pretty(&to_json(&requests, &cwd)).unwrap_or_default() + "\n"
        }
        RolesFormat::Markdown => markdown(&requests, &cwd),
    };
    print!("{}", rlscope_core::keys::redact_secrets_in(&text));
    ExitCode::SUCCESS
}

/// What `--role` accepts: a Postgres role (requests that may run as it) or a label.
const ROLE_FILTERS: &[&str] = &[
    "service_role",
    "authenticated",
    "anon",
    "depends",
    "third_party",
    "unknown",
];

fn keep(r: &RequestReport, filter: Option<&str>) -> bool {
    let Some(f) = filter else { return true };
    if r.role.label() == f {
        return true;
    }
    r.role
        .db_roles()
        .is_some_and(|d| d.iter().any(|x| x.as_str() == f))
}

/// Every request of every loaded script file, sorted by path and position.
pub fn collect(ws: &Workspace, filter: Option<&str>) -> Vec<RequestReport> {
    let mut files = ws.files();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        if !rlscope_engine::Lang::of(&f).is_some_and(|l| l.is_script()) {
            continue;
        }
        out.extend(ws.requests(&f).into_iter().filter(|r| keep(r, filter)));
    }
    out
}

fn group_of(r: &RequestReport) -> &'static str {
    r.role.label()
}

fn where_(p: &rlscope_engine::requests::Place, cwd: &Path) -> String {
    format!("{}:{}:{}", display_path(&p.path, cwd), p.line, p.column)
}

fn what(r: &RequestReport) -> String {
    let target = r.kind.target().unwrap_or("?");
    let target = match r.kind.schema() {
        Some(s) => format!("{s}.{target}"),
        None => target.to_string(),
    };
    match &r.kind {
        RequestKind::AuthAdmin { .. } => format!("auth.admin.{target}"),
        RequestKind::Storage { op, .. } => format!("storage {op} {target}"),
        RequestKind::Functions { .. } => format!("functions invoke {target}"),
        RequestKind::Rpc { .. } => format!("rpc {target}"),
        RequestKind::Db { .. } => format!("{} {target}", r.kind.command()),
    }
}

fn why(r: &RequestReport, cwd: &Path) -> Vec<String> {
    r.evidence
        .iter()
        .map(|e| {
            format!(
                "{} {}:{}: {}",
                evidence_label(e.kind),
                display_path(&e.place.path, cwd),
                e.place.line,
                e.text
            )
        })
        .collect()
}

fn human(requests: &[RequestReport], cwd: &Path) -> String {
    let mut out = String::new();
    if requests.is_empty() {
        out.push_str("No requests found.\n");
        return out;
    }
    for g in GROUPS {
        let rs: Vec<&RequestReport> = requests.iter().filter(|r| group_of(r) == *g).collect();
        if rs.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "{} — {} request{}",
            heading(g),
            rs.len(),
            if rs.len() == 1 { "" } else { "s" }
        );
        for r in rs {
            let _ = writeln!(out, "  {}  {}", where_(&r.place, cwd), what(r));
            if *g != "service_role" && *g != "anon" {
                let _ = writeln!(out, "      runs as {}", one_line(&r.role));
            }
            for w in why(r, cwd) {
                let _ = writeln!(out, "      {w}");
            }
        }
        out.push('\n');
    }
    let _ = writeln!(out, "{}", totals(requests));
    out
}

fn heading(group: &str) -> &'static str {
    match group {
        "service_role" => "service_role (bypasses RLS)",
        "depends" => "depends on the request",
        "third_party" => "third-party user (accessToken)",
        "authenticated" => "the signed-in user (RLS applies)",
        "anon" => "anon (RLS applies)",
        _ => "unknown",
    }
}

fn totals(requests: &[RequestReport]) -> String {
    let parts: Vec<String> = GROUPS
        .iter()
        .filter_map(|g| {
            let n = requests.iter().filter(|r| group_of(r) == *g).count();
            (n > 0).then(|| format!("{n} {g}"))
        })
        .collect();
    format!(
        "{} request{}: {}",
        requests.len(),
        if requests.len() == 1 { "" } else { "s" },
        parts.join(", ")
    )
}

fn markdown(requests: &[RequestReport], cwd: &Path) -> String {
    let mut out = String::from("### rlscope: the role of each request\n\n");
    if requests.is_empty() {
        out.push_str("No requests found.\n");
        return out;
    }
    let _ = writeln!(out, "{}\n", totals(requests));
    for g in GROUPS {
        let rs: Vec<&RequestReport> = requests.iter().filter(|r| group_of(r) == *g).collect();
        if rs.is_empty() {
            continue;
        }
        let _ = writeln!(out, "#### {} ({})\n", heading(g), rs.len());
        out.push_str("| Where | Request | Runs as | Why |\n|---|---|---|---|\n");
        for r in rs {
            let _ = writeln!(
                out,
                "| `{}` | `{}` | {} | {} |",
                where_(&r.place, cwd),
                what(r),
                cell(&one_line(&r.role)),
                cell(&why(r, cwd).join("<br>"))
            );
        }
        out.push('\n');
    }
    out
}

/// A Markdown table cell: no line breaks, `|` escaped.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn db_roles(role: &Role) -> Value {
    match role.db_roles() {
        Some(d) => json!(d.iter().map(|x| x.as_str()).collect::<Vec<_>>()),
        None => Value::Null,
    }
}

fn place_json(p: &rlscope_engine::requests::Place, cwd: &Path) -> Value {
    json!({ "file": display_path(&p.path, cwd), "line": p.line, "column": p.column })
}

/// The JSON document (schema: docs/roles.md).
pub fn to_json(requests: &[RequestReport], cwd: &Path) -> Value {
    let items: Vec<Value> = requests
        .iter()
        .map(|r| {
            let cases: Vec<Value> = match &r.role {
                Role::Depends { cases, .. } => cases
                    .iter()
                    .map(|(when, role)| {
                        json!({ "when": when, "role": role.label(), "db_roles": db_roles(role) })
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let (commands, returning, filtered) = match &r.kind {
                RequestKind::Db {
                    commands,
                    returning,
                    filtered,
                    ..
                } => (
                    commands.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
                    *returning,
                    *filtered,
                ),
                _ => (Vec::new(), false, false),
            };
            json!({
                "file": display_path(&r.place.path, cwd),
                "line": r.place.line,
                "column": r.place.column,
                "kind": r.kind.label(),
                "target": r.kind.target(),
                "schema": r.kind.schema(),
                "command": r.kind.command(),
                "commands": commands,
                "returning": returning,
                "filtered": filtered,
                "role": r.role.label(),
                "db_roles": db_roles(&r.role),
                "bypasses_rls": r.role.db_roles().is_some_and(|d| d.contains(&DbRole::ServiceRole)),
                "summary": one_line(&r.role),
                "cases": cases,
                "decided_by": evidence_label(r.decided_by),
                "client": place_json(&r.client, cwd),
                "evidence": r.evidence.iter().map(|e| json!({
                    "kind": evidence_label(e.kind),
                    "file": display_path(&e.place.path, cwd),
                    "line": e.place.line,
                    "column": e.place.column,
                    "text": e.text,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "schema_version": SCHEMA_VERSION, "tool": "rlscope", "requests": items })
}
