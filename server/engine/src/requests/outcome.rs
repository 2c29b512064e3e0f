//! What row level security does to a database request: the request's command and roles put to
//! `rlscope_sql::outcome`, for the table the project's schema model knows. Rules and hovers both read it here.

use rlscope_sql::outcome::{self, Op, Outcome, TableFacts};
use rlscope_sql::schema::{SchemaModel, Table};

use super::{DbCommand, Request, RequestKind};
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
