//! What row level security does to the request under the cursor, as hover markdown: per Postgres role the
//! request may run as, the policies that allow each step (with where they are written) or why it is denied.
//! A rendering of [`requests::outcome`](crate::requests::outcome) and `rlscope_sql::outcome`; nothing is
//! decided here. A request on a table the project's SQL does not create says so and no more.

use std::fmt::Write as _;

use rlscope_sql::outcome::{Check, DenyWhy, Gate, Op, Outcome, PolicyCommand, TableFacts, Tri};
use rlscope_sql::schema::{SchemaModel, SrcLoc, Table};

use crate::db::{FileId, Snapshot};
use crate::requests::outcome::{db_target, op_of, outcomes, sql_role};
use crate::requests::{DbCommand, Request, RequestKind};

/// The outcome section of a request's hover; `None` when no Supabase project's SQL belongs to the file, or the
/// request is not one whose outcome the schema can tell (functions, `auth.admin`).
pub(super) fn markdown(snap: &Snapshot, file: FileId, req: &Request) -> Option<String> {
    let projects = snap.projects();
    let project = projects.for_file(snap.path(file))?;
    let model = &project.model;
    match &req.kind {
        RequestKind::Db { .. } => db(snap, model, req),
        RequestKind::Rpc {
            schema, function, ..
        } if !function.is_empty() => rpc(snap, model, req, schema.as_deref(), function),
        RequestKind::Storage { command, .. } => storage(snap, model, req, *command),
        _ => None,
    }
}

/// `path:line` of a place in the project's SQL, relative to the workspace root.
fn at(snap: &Snapshot, loc: &SrcLoc) -> String {
    match snap.file_id(&loc.path) {
        Some(id) => snap.describe_loc(id, loc.range.start),
        None => loc.path.display().to_string(),
    }
}

fn db(snap: &Snapshot, model: &SchemaModel, req: &Request) -> Option<String> {
    let (schema, table) = db_target(req)?;
    let name = format!("{schema}.{table}");
    let Some(t) = model.table(schema, table) else {
        let what = if model.view(schema, table).is_some() {
            "is a view: what RLS does depends on the tables it reads"
        } else {
            "is not created in the project's SQL: what RLS does to this request is not known"
        };
        return Some(format!("`{name}` {what}."));
    };
    let mut s = table_line(snap, &name, t);
    let Some(o) = outcomes(model, req) else {
        s.push_str(" · the role is not known, so neither is what RLS does");
        return Some(s);
    };
    for (role, out) in &o.per_role {
        let _ = write!(
            s,
            "\n- as **{role}**: {}",
            render(snap, t, &o.facts, o.op, *role, out)
        );
    }
    Some(s)
}

/// `` `public.notes` · RLS on (enabled at …) ``
fn table_line(snap: &Snapshot, name: &str, t: &Table) -> String {
    let mut s = format!("`{name}`");
    match t.rls {
        Tri::Yes => {
            s.push_str(" · RLS on");
            if let Some(e) = &t.rls_enabled_at {
                let _ = write!(s, " (enabled at {})", at(snap, e));
            }
        }
        Tri::No => s.push_str(" · RLS **off**"),
        Tri::Unknown => s.push_str(" · RLS state unknown"),
    }
    if t.unknown {
        let _ = write!(
            s,
            " · state unknown: {}",
            t.unknown_why
                .as_deref()
                .unwrap_or("SQL that touches it could not be read")
        );
    }
    s
}

/// What a step of the request is called: `INSERT`, `` `.select()` after it ``, `the filter (reads rows)`.
fn step_label(op: Op, cmd: PolicyCommand) -> String {
    match (op, cmd) {
        (Op::Insert { returning: true }, PolicyCommand::Select)
        | (
            Op::Update {
                returning: true, ..
            },
            PolicyCommand::Select,
        )
        | (
            Op::Delete {
                returning: true, ..
            },
            PolicyCommand::Select,
        ) => "`.select()` after it".into(),
        (
            Op::Update { filtered: true, .. } | Op::Delete { filtered: true, .. },
            PolicyCommand::Select,
        ) => "the filter (reads rows)".into(),
        (Op::Upsert { .. }, PolicyCommand::Select | PolicyCommand::Update) => {
            format!("{} (an upsert needs it)", cmd.as_str())
        }
        _ => cmd.as_str().into(),
    }
}

/// A policy expression that is not the constant `true` (parentheses around the whole of it ignored).
fn conditional(expr: &str) -> bool {
    let mut s = expr.trim();
    while let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        let mut depth = 0i32;
        let balanced = inner.chars().all(|c| {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            depth >= 0
        }) && depth == 0;
        if !balanced {
            break;
        }
        s = inner.trim();
    }
    !s.eq_ignore_ascii_case("true")
}

/// The gates of one command, merged (an update's `USING` and `WITH CHECK` gates name the same policies).
fn allowed_by(snap: &Snapshot, t: &Table, facts: &TableFacts, gates: &[&Gate]) -> String {
    let mut seen: Vec<usize> = Vec::new();
    let mut parts = Vec::new();
    for g in gates {
        for &i in &g.permissive {
            if seen.contains(&i) {
                continue;
            }
            seen.push(i);
            let (Some(p), Some(loc)) = (facts.policies.get(i), t.policies.get(i)) else {
                continue;
            };
            let expr = match g.check {
                Check::Using => p.using.as_deref(),
                Check::WithCheck => p.with_check.as_deref().or(p.using.as_deref()),
            };
            let mut part = format!("\"{}\" ({})", p.name, at(snap, &loc.at));
            if let Some(e) = expr.filter(|e| conditional(e)) {
                let _ = write!(part, " when `{}`", e.trim());
            }
            parts.push(part);
        }
    }
    let restrictive: Vec<String> = gates
        .iter()
        .flat_map(|g| g.restrictive.iter())
        .filter_map(|&i| facts.policies.get(i))
        .map(|p| format!("\"{}\"", p.name))
        .fold(Vec::new(), |mut v, n| {
            if !v.contains(&n) {
                v.push(n);
            }
            v
        });
    let mut s = format!("allowed by {}", parts.join(" or "));
    if !restrictive.is_empty() {
        let _ = write!(s, ", restricted by {}", restrictive.join(", "));
    }
    s
}

fn render(
    snap: &Snapshot,
    t: &Table,
    facts: &TableFacts,
    op: Op,
    role: rlscope_sql::outcome::DbRole,
    out: &Outcome,
) -> String {
    match out {
        Outcome::Bypasses => "bypasses RLS (BYPASSRLS): no policy is evaluated".into(),
        Outcome::RlsOff => "RLS is off on this table: no policy applies".into(),
        Outcome::Allowed { by } => {
            let mut commands: Vec<PolicyCommand> = Vec::new();
            for g in by {
                if !commands.contains(&g.command) {
                    commands.push(g.command);
                }
            }
            commands
                .iter()
                .map(|&cmd| {
                    let gates: Vec<&Gate> = by.iter().filter(|g| g.command == cmd).collect();
                    format!(
                        "{}: {}",
                        step_label(op, cmd),
                        allowed_by(snap, t, facts, &gates)
                    )
                })
                .collect::<Vec<_>>()
                .join(" · ")
        }
        Outcome::Denied {
            result,
            missing,
            check,
            why,
            when_row_exists,
        } => {
            let cmd = missing.as_str();
            let reason = match why {
                DenyWhy::NoPolicy => format!("no {cmd} policy for {role}"),
                DenyWhy::OnlyRestrictive => {
                    format!("only restrictive {cmd} policies for {role} (they narrow, never grant)")
                }
                DenyWhy::AlwaysFalse => format!(
                    "the {cmd} policies for {role} allow nothing ({} is false)",
                    match check {
                        Check::Using => "USING",
                        Check::WithCheck => "WITH CHECK",
                    }
                ),
            };
            let unseen = if t.managed {
                " in the project's SQL (a policy made in the dashboard is not seen)"
            } else {
                ""
            };
            let when = if *when_row_exists {
                " when the row already exists"
            } else {
                ""
            };
            let denied = format!(
                "{}: **denied** — {reason}{unseen}, so it {}{when}",
                step_label(op, *missing),
                result.describe()
            );
            // the steps before the one denied (an insert allowed, its `.select()` not)
            match first_step(op, *missing)
                .map(|o| rlscope_sql::outcome::outcome_for(facts, o, role))
            {
                Some(allowed @ Outcome::Allowed { .. }) => format!(
                    "{} · {denied}",
                    render(snap, t, facts, op, role, &allowed)
                ),
                _ => denied,
            }
        }
        Outcome::PermissionDenied { privilege } => format!(
            "**denied** — {role} has no {} privilege on this table, so it fails with error 42501 (permission denied)",
            privilege.as_sql()
        ),
        Outcome::Unknown { why } => format!("not known ({why})"),
    }
}

/// The request without the step that reads rows, when `missing` is that reading step: an insert without its
/// `.select()`, an update without its filter, an upsert as a plain insert.
fn first_step(op: Op, missing: PolicyCommand) -> Option<Op> {
    match (op, missing) {
        (Op::Insert { returning: true }, PolicyCommand::Select) => {
            Some(Op::Insert { returning: false })
        }
        (Op::Update { .. }, PolicyCommand::Select) => Some(Op::Update {
            filtered: false,
            returning: false,
        }),
        (Op::Delete { .. }, PolicyCommand::Select) => Some(Op::Delete {
            filtered: false,
            returning: false,
        }),
        (Op::Upsert { .. }, PolicyCommand::Select | PolicyCommand::Update) => {
            Some(Op::Insert { returning: false })
        }
        _ => None,
    }
}

fn rpc(
    snap: &Snapshot,
    model: &SchemaModel,
    req: &Request,
    schema: Option<&str>,
    name: &str,
) -> Option<String> {
    let schema = schema.unwrap_or("public");
    let fs: Vec<_> = model.functions_named(schema, name).collect();
    let f = match fs.as_slice() {
        [] => {
            return Some(format!(
                "`{schema}.{name}` is not created in the project's SQL: what it may do is not known."
            ))
        }
        [f] => *f,
        more => {
            return Some(format!(
                "`{schema}.{name}` has {} overloads in the project's SQL: which one runs depends on the arguments.",
                more.len()
            ))
        }
    };
    let mut s = format!("`{}`", f.signature());
    if let Some(d) = &f.defined_at {
        let _ = write!(s, " ({})", at(snap, d));
    }
    match f.security_definer {
        Tri::Yes => s.push_str(
            " · SECURITY DEFINER: runs as its owner, so the RLS of the tables it reads does not apply",
        ),
        Tri::No => s.push_str(
            " · SECURITY INVOKER: the RLS of the tables it reads applies to the caller's role",
        ),
        Tri::Unknown => {}
    }
    if f.unknown {
        s.push_str(" · state unknown: SQL that touches it could not be read");
        return Some(s);
    }
    let Some(roles) = req.role.role.db_roles() else {
        return Some(s);
    };
    for r in roles {
        let r = sql_role(r);
        let verdict = if f.executable_by(r.as_str()) {
            "may execute it"
        } else {
            "**denied** — no EXECUTE privilege, so it fails with error 42501 (permission denied for function)"
        };
        let _ = write!(s, "\n- as **{r}**: {verdict}");
    }
    Some(s)
}

fn storage(
    snap: &Snapshot,
    model: &SchemaModel,
    req: &Request,
    command: DbCommand,
) -> Option<String> {
    let t = model.table("storage", "objects")?;
    if t.policies.is_empty() {
        return Some(
            "`storage.objects`: the project's SQL has no policy on it (a policy made in the dashboard is not seen): \
what RLS does to this request is not known."
                .into(),
        );
    }
    // Storage's server runs the operation as SQL on `storage.objects`: a write with a filter on its key.
    let filtered = matches!(command, DbCommand::Update | DbCommand::Delete);
    let op = op_of(&[command], false, filtered)?;
    let facts = TableFacts::from_table(t);
    let mut s = "`storage.objects` · RLS on".to_string();
    let Some(roles) = req.role.role.db_roles() else {
        s.push_str(" · the role is not known, so neither is what RLS does");
        return Some(s);
    };
    for r in roles {
        let r = sql_role(r);
        let out = rlscope_sql::outcome::outcome_for(&facts, op, r);
        let _ = write!(
            s,
            "\n- as **{r}**: {}",
            render(snap, t, &facts, op, r, &out)
        );
    }
    Some(s)
}
