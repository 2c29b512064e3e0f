//! What row level security does to a database request: the request's command and roles put to
//! `rlscope_sql::outcome`, for the table the project's schema model knows. Rules and hovers both read it here.

use rlscope_sql::outcome::{self, Op, Outcome, TableFacts};
use rlscope_sql::schema::{SchemaModel, Table};

use super::{DbCommand, Request, RequestKind};
use crate::db::{FileId, Snapshot};
use crate::eval::Loc;
use crate::role::DbRole;

/// The RLS operation of a database request.
pub(crate) fn op_of(commands: &[DbCommand], returning: bool, filtered: bool) -> Option<Op> {
    let has = |c: DbCommand| commands.contains(&c);
    Some(if has(DbCommand::Upsert) {
        Op::Upsert { returning }
    } else if has(DbCommand::Insert) {
        Op::Insert { returning }
    } else if has(DbCommand::Update) {
        Op::Update {
            filtered,
            returning,
        }
    } else if has(DbCommand::Delete) {
        Op::Delete {
            filtered,
            returning,
        }
    } else if has(DbCommand::Select) {
        Op::Select
    } else {
        return None;
    })
}

pub(crate) fn sql_role(r: DbRole) -> outcome::DbRole {
    match r {
        DbRole::Anon => outcome::DbRole::Anon,
        DbRole::Authenticated => outcome::DbRole::Authenticated,
        DbRole::ServiceRole => outcome::DbRole::ServiceRole,
    }
}

/// A database request's outcome for each role it may run as, with the table it reads.
pub(crate) struct RequestOutcomes<'m> {
    pub table: &'m Table,
    pub facts: TableFacts,
    pub op: Op,
    /// `schema.table`
    pub name: String,
    pub per_role: Vec<(outcome::DbRole, Outcome)>,
}

/// The schema and table a database request names (`public` unless `.schema(s)` says otherwise); `None` for
/// other requests and for a table name that is not a string.
pub(crate) fn db_target(req: &Request) -> Option<(&str, &str)> {
    match &req.kind {
        RequestKind::Db { schema, table, .. } if !table.is_empty() => {
            Some((schema.as_deref().unwrap_or("public"), table))
        }
        _ => None,
    }
}

/// The outcomes of `req` from `model`; `None` when the request is not a database request on a table of the
/// model, or its roles are not known.
pub(crate) fn outcomes<'m>(model: &'m SchemaModel, req: &Request) -> Option<RequestOutcomes<'m>> {
    let (schema, table) = db_target(req)?;
    let t = model.table(schema, table)?;
    let op = req.kind.db_op()?;
    let roles = req.role.role.db_roles()?;
    if roles.is_empty() {
        return None;
    }
    let facts = TableFacts::from_table(t);
    let per_role = roles
        .into_iter()
        .map(|r| {
            let r = sql_role(r);
            (r, outcome::outcome_for(&facts, op, r))
        })
        .collect();
    Some(RequestOutcomes {
        table: t,
        facts,
        op,
        name: format!("{schema}.{table}"),
        per_role,
    })
}

/// A request of `file` on the client built at `site` that row level security denies to the signed-in user:
/// what it does (`insert returning rows`), where, and why with its result ("`public.orders` has RLS enabled and
/// no INSERT policy for authenticated, so it fails with error 42501 (…)").
pub(crate) struct DeniedAsUser {
    pub at: Loc,
    pub what: String,
    pub why: String,
}

/// The first request of `file` on the client built at `site` that may run as the signed-in user
/// (`authenticated`) and is decided denied for that role. As for `request-denied-by-rls`, only tables whose RLS
/// the project's own SQL enabled count, and anything not known (the project, the table, the role, the
/// command) gives nothing.
pub(crate) fn denied_as_user(snap: &Snapshot, file: FileId, site: Loc) -> Option<DeniedAsUser> {
    let projects = snap.projects();
    let model = &projects.for_file(snap.path(file))?.model;
    let mut reqs = super::requests(snap, file);
    reqs.sort_by_key(|r| r.range.start);
    reqs.into_iter().find_map(|req| {
        if req.client != site {
            return None;
        }
        let roles = req.role.role.db_roles()?;
        if !roles.contains(&DbRole::Authenticated) {
            return None;
        }
        let (schema, table) = db_target(&req)?;
        let t = model.table(schema, table)?;
        if t.rls_enabled_at.is_none() || t.unknown || t.managed {
            return None;
        }
        let op = req.kind.db_op()?;
        let facts = TableFacts::from_table(t);
        let role = outcome::DbRole::Authenticated;
        let o = outcome::outcome_for(&facts, op, role);
        if !o.is_denied() {
            return None;
        }
        let line = o.explain(&facts, &format!("{schema}.{table}"), op, role);
        // `insert as authenticated: denied — <why>` / `insert as authenticated: <why>`
        let why = line.split_once(": ").map_or(line.as_str(), |(_, w)| w);
        let why = why.strip_prefix("denied — ").unwrap_or(why);
        let why = rlscope_core::keys::redact_secrets_in(why).into_owned();
        let at = match &req.kind {
            RequestKind::Db { table_range, .. } => Loc {
                file,
                range: *table_range,
            },
            _ => Loc {
                file,
                range: req.range,
            },
        };
        Some(DeniedAsUser {
            at,
            what: op.describe(),
            why,
        })
    })
}
