//! What row level security does to one request: given one table's facts (RLS state, policies, privileges),
//! an operation and the Postgres role the request runs as, the outcome PostgreSQL 15 produces.
//!
//! The semantics follow PostgreSQL's `rewrite/rowsecurity.c` and are checked against a real server by
//! `tests/rls_differential.rs`:
//! - privileges come first: a missing `GRANT` is `42501 permission denied`, for every role, `service_role`
//!   included;
//! - `service_role` has `BYPASSRLS`; a table without RLS applies no policy;
//! - a policy applies when its command matches (`ALL` matches every command) and its roles name the request's
//!   role or `public`; permissive policies are OR-ed, restrictive ones AND-ed on top, and without an applicable
//!   permissive policy that has the needed expression nothing is allowed;
//! - existing rows are filtered by `USING` (silently: no rows / nothing changed); new rows are checked against
//!   `WITH CHECK` (or `USING` when there is none) and a failure is error 42501;
//! - reading columns (a `WHERE` on an `UPDATE`/`DELETE`, `RETURNING` columns, `ON CONFLICT`) also needs the
//!   `SELECT` policies: as a filter on `UPDATE`/`DELETE`, as a check on rows an `INSERT` or `UPDATE` returns;
//! - `INSERT … ON CONFLICT DO UPDATE` checks the proposed row against `INSERT` and `SELECT` policies; when the
//!   row already exists, the existing row against the `UPDATE` policies' `USING` and the updated row against
//!   their `WITH CHECK`, every failure being error 42501.
//!
//! Policy expressions are not evaluated: only the constants `true` and `false` are read. Any other expression
//! makes an allowance conditional ("allowed when `auth.uid() = user_id`").
//!
//! `FORCE ROW LEVEL SECURITY` only matters to the table's owner; the API roles own no tables in a Supabase
//! project, so [`TableFacts::forced`] is kept for display and does not change an outcome.

use std::fmt;

use crate::schema::{self, Privs, SchemaModel};

/// The Postgres role a request runs as (PostgREST switches to the JWT's `role`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DbRole {
    Anon,
    Authenticated,
    ServiceRole,
}

impl DbRole {
    pub const ALL: [DbRole; 3] = [DbRole::Anon, DbRole::Authenticated, DbRole::ServiceRole];

    pub fn as_str(self) -> &'static str {
        match self {
            DbRole::Anon => "anon",
            DbRole::Authenticated => "authenticated",
            DbRole::ServiceRole => "service_role",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for DbRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

pub use crate::schema::{PolicyCommand, Tri};

/// One policy as the outcome needs it. `roles` are lower-case role names; `public` means every role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyFacts {
    pub name: String,
    pub permissive: bool,
    pub command: PolicyCommand,
    pub roles: Vec<String>,
    pub using: Option<String>,
    pub with_check: Option<String>,
}

/// Table privileges of one role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Privileges {
    pub select: bool,
    pub insert: bool,
    pub update: bool,
    pub delete: bool,
}

impl Privileges {
    pub const ALL: Privileges = Privileges {
        select: true,
        insert: true,
        update: true,
        delete: true,
    };
    pub const NONE: Privileges = Privileges {
        select: false,
        insert: false,
        update: false,
        delete: false,
    };

    pub fn has(self, p: Privilege) -> bool {
        match p {
            Privilege::Select => self.select,
            Privilege::Insert => self.insert,
            Privilege::Update => self.update,
            Privilege::Delete => self.delete,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Privilege {
    Select,
    Insert,
    Update,
    Delete,
}

impl Privilege {
    pub fn as_sql(self) -> &'static str {
        match self {
            Privilege::Select => "SELECT",
            Privilege::Insert => "INSERT",
            Privilege::Update => "UPDATE",
            Privilege::Delete => "DELETE",
        }
    }
}

/// The facts about one table that decide an outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableFacts {
    /// `ENABLE ROW LEVEL SECURITY` in effect.
    pub rls: Tri,
    /// `FORCE ROW LEVEL SECURITY` in effect (matters to the owner only).
    pub forced: Tri,
    /// Every policy on the table, in creation order (indices into this list appear in outcomes).
    pub policies: Vec<PolicyFacts>,
    /// Privileges of anon, authenticated, service_role (in [`DbRole`] order); `None` = not known.
    pub grants: [Option<Privileges>; 3],
    /// Set when the table was touched by SQL that could not be read: every outcome is unknown.
    pub unknown: Option<String>,
}

impl Default for TableFacts {
    fn default() -> Self {
        TableFacts {
            rls: Tri::Unknown,
            forced: Tri::Unknown,
            policies: Vec::new(),
            grants: [None; 3],
            unknown: None,
        }
    }
}

impl TableFacts {
    /// The facts of a table of the schema model.
    pub fn from_table(t: &schema::Table) -> TableFacts {
        let privileges = |role: DbRole| {
            let p = t.grants.effective(role.as_str());
            Some(Privileges {
                select: p.contains(Privs::SELECT),
                insert: p.contains(Privs::INSERT),
                update: p.contains(Privs::UPDATE),
                delete: p.contains(Privs::DELETE),
            })
        };
        TableFacts {
            rls: t.rls,
            forced: t.forced,
            policies: t
                .policies
                .iter()
                .map(|p| PolicyFacts {
                    name: p.name.clone(),
                    permissive: p.permissive,
                    command: p.command,
                    roles: p.roles.clone(),
                    using: p.using.clone(),
                    with_check: p.with_check.clone(),
                })
                .collect(),
            grants: DbRole::ALL.map(privileges),
            unknown: t.unknown.then(|| {
                t.unknown_why
                    .clone()
                    .unwrap_or_else(|| "SQL that touches this table could not be read".into())
            }),
        }
    }
}

/// The outcome of `op` on `schema.table` of the project's schema model, run as `role`. A table the
/// project's SQL does not create (or only views of it) is unknown.
pub fn outcome(model: &SchemaModel, schema: &str, table: &str, op: Op, role: DbRole) -> Outcome {
    match model.table(schema, table) {
        Some(t) => outcome_for(&TableFacts::from_table(t), op, role),
        None if model.view(schema, table).is_some() => Outcome::Unknown {
            why: format!("`{schema}.{table}` is a view"),
        },
        None => Outcome::Unknown {
            why: format!("`{schema}.{table}` is not created in the project's SQL"),
        },
    }
}

/// What a request does, as far as RLS is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// `SELECT` (`.select()`).
    Select,
    /// `INSERT`; `returning` = the inserted rows' columns are read back (`.insert(x).select()`).
    Insert { returning: bool },
    /// `UPDATE`; `filtered` = a `WHERE` reads columns (`.eq(…)`), `returning` = `.select()` after it.
    Update { filtered: bool, returning: bool },
    /// `DELETE`, like `Update`.
    Delete { filtered: bool, returning: bool },
    /// `INSERT … ON CONFLICT DO UPDATE` (`.upsert(x)`).
    Upsert { returning: bool },
}

impl Op {
    /// The privileges the statement needs, in the order they are reported.
    pub fn privileges(self) -> Vec<Privilege> {
        use Privilege::*;
        match self {
            Op::Select => vec![Select],
            Op::Insert { returning } => {
                if returning {
                    vec![Insert, Select]
                } else {
                    vec![Insert]
                }
            }
            Op::Update {
                filtered,
                returning,
            } => {
                if filtered || returning {
                    vec![Update, Select]
                } else {
                    vec![Update]
                }
            }
            Op::Delete {
                filtered,
                returning,
            } => {
                if filtered || returning {
                    vec![Delete, Select]
                } else {
                    vec![Delete]
                }
            }
            Op::Upsert { .. } => vec![Insert, Update, Select],
        }
    }

    /// The main command of the statement.
    pub fn command(self) -> PolicyCommand {
        match self {
            Op::Select => PolicyCommand::Select,
            Op::Insert { .. } => PolicyCommand::Insert,
            Op::Update { .. } => PolicyCommand::Update,
            Op::Delete { .. } => PolicyCommand::Delete,
            Op::Upsert { .. } => PolicyCommand::Insert,
        }
    }

    /// Short text for messages: `select`, `insert … returning`, `update with a filter`, `upsert`.
    pub fn describe(self) -> String {
        let with = |base: &str, filtered: bool, returning: bool| {
            let mut s = base.to_string();
            if filtered {
                s.push_str(" with a filter");
            }
            if returning {
                s.push_str(" returning rows");
            }
            s
        };
        match self {
            Op::Select => "select".into(),
            Op::Insert { returning } => with("insert", false, returning),
            Op::Update {
                filtered,
                returning,
            } => with("update", filtered, returning),
            Op::Delete {
                filtered,
                returning,
            } => with("delete", filtered, returning),
            Op::Upsert { returning } => with("upsert", false, returning),
        }
    }
}

/// What a denied request visibly does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeniedResult {
    /// No rows, no error (`SELECT`).
    NoRows,
    /// Error 42501 `new row violates row-level security policy for table "t"`.
    Error42501,
    /// 0 rows changed, no error (`UPDATE`/`DELETE`).
    NothingChanged,
}

impl DeniedResult {
    pub fn describe(self) -> &'static str {
        match self {
            DeniedResult::NoRows => "returns no rows (no error)",
            DeniedResult::Error42501 => {
                "fails with error 42501 (new row violates row-level security policy)"
            }
            DeniedResult::NothingChanged => "changes nothing (0 rows, no error)",
        }
    }
}

/// Why the policies for a command allow nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DenyWhy {
    /// No permissive policy for the command and role (with the needed `USING` / `WITH CHECK`).
    NoPolicy,
    /// Only restrictive policies apply: they narrow, never grant.
    OnlyRestrictive,
    /// The applicable policies' expressions are the constant `false`.
    AlwaysFalse,
}

/// The check that decided a denial or grants an allowance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Check {
    /// `USING`: which existing rows are visible / may be changed.
    Using,
    /// `WITH CHECK` (or `USING` when a policy has no `WITH CHECK`): which new rows are accepted.
    WithCheck,
}

/// One gate a request passes: the command's policies for one check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gate {
    pub command: PolicyCommand,
    pub check: Check,
    /// Indices into [`TableFacts::policies`] of the permissive policies that let rows through.
    pub permissive: Vec<usize>,
    /// Indices of the restrictive policies that narrow it.
    pub restrictive: Vec<usize>,
    /// The expressions decide per row (not the constant `true`): "allowed when …".
    pub conditional: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The role has `BYPASSRLS` (`service_role`): no policy is evaluated.
    Bypasses,
    /// RLS is not enabled on the table.
    RlsOff,
    /// Allowed by the policies of each gate (expressions not evaluated).
    Allowed {
        by: Vec<Gate>,
    },
    Denied {
        result: DeniedResult,
        /// The command whose policies allow nothing.
        missing: PolicyCommand,
        check: Check,
        why: DenyWhy,
        /// Only an upsert whose row already exists is denied (a new row is inserted).
        when_row_exists: bool,
    },
    /// The role lacks the table privilege: `42501 permission denied for table t`.
    PermissionDenied {
        privilege: Privilege,
    },
    Unknown {
        why: String,
    },
}

impl Outcome {
    pub fn is_denied(&self) -> bool {
        matches!(
            self,
            Outcome::Denied { .. } | Outcome::PermissionDenied { .. }
        )
    }

    /// Denied whatever the rows are (an upsert denied only when its row exists counts: that is what an
    /// upsert is for).
    pub fn always_fails(&self) -> bool {
        self.is_denied()
    }

    /// One line: what happens to `op` on `table` run as `role` (`table` as the user wrote it, e.g.
    /// `public.orders`). Policy names and expressions come from `facts`.
    pub fn explain(&self, facts: &TableFacts, table: &str, op: Op, role: DbRole) -> String {
        let what = op.describe();
        match self {
            Outcome::Bypasses => format!("{what} as {role}: bypasses RLS (BYPASSRLS)"),
            Outcome::RlsOff => format!("{what} as {role}: RLS is not enabled on `{table}`, no policy applies"),
            Outcome::Allowed { by } => {
                let gates: Vec<String> = by.iter().map(|g| describe_gate(facts, g)).collect();
                format!("{what} as {role}: allowed — {}", gates.join("; "))
            }
            Outcome::Denied { result, missing, check, why, when_row_exists } => {
                let reason = match why {
                    DenyWhy::NoPolicy => format!("`{table}` has RLS enabled and no {} policy for {role}", missing.as_str()),
                    DenyWhy::OnlyRestrictive => format!(
                        "`{table}` has only restrictive {} policies for {role} (they narrow, never grant)",
                        missing.as_str()
                    ),
                    DenyWhy::AlwaysFalse => {
                        let clause = match check {
                            Check::Using => "USING",
                            Check::WithCheck => "WITH CHECK",
                        };
                        format!(
                            "the {} policies of `{table}` for {role} allow nothing ({clause} is false)",
                            missing.as_str()
                        )
                    }
                };
                let needs = needs_note(op, *missing);
                let when = if *when_row_exists { " when the row already exists" } else { "" };
                format!("{what} as {role}: denied — {reason}{needs}, so it {}{when}", result.describe())
            }
            Outcome::PermissionDenied { privilege } => format!(
                "{what} as {role}: {role} has no {} privilege on `{table}`, so it fails with error 42501 (permission denied)",
                privilege.as_sql()
            ),
            Outcome::Unknown { why } => format!("{what} as {role}: not known ({why})"),
        }
    }
}

/// Why a command other than the request's own is needed.
fn needs_note(op: Op, missing: PolicyCommand) -> &'static str {
    match (op, missing) {
        (
            Op::Insert { returning: true }
            | Op::Update {
                returning: true, ..
            }
            | Op::Delete {
                returning: true, ..
            },
            PolicyCommand::Select,
        ) => " (returning the rows needs a SELECT policy)",
        (
            Op::Update { filtered: true, .. } | Op::Delete { filtered: true, .. },
            PolicyCommand::Select,
        ) => " (a filter reads columns, which needs a SELECT policy)",
        (Op::Upsert { .. }, PolicyCommand::Select | PolicyCommand::Update) => {
            " (an upsert needs INSERT, UPDATE and SELECT policies)"
        }
        _ => "",
    }
}

fn describe_gate(facts: &TableFacts, g: &Gate) -> String {
    let names: Vec<String> = g
        .permissive
        .iter()
        .filter_map(|&i| facts.policies.get(i))
        .map(|p| {
            let expr = match g.check {
                Check::Using => p.using.as_deref(),
                Check::WithCheck => p.with_check.as_deref().or(p.using.as_deref()),
            };
            match expr.filter(|e| constant(e).is_none()) {
                Some(e) => format!("\"{}\" when `{}`", p.name, e.trim()),
                None => format!("\"{}\"", p.name),
            }
        })
        .collect();
    let restrictive: Vec<String> = g
        .restrictive
        .iter()
        .filter_map(|&i| facts.policies.get(i))
        .map(|p| format!("\"{}\"", p.name))
        .collect();
    let mut s = format!("{}: {}", g.command.as_str(), names.join(" or "));
    if !restrictive.is_empty() {
        s.push_str(&format!(", and restricted by {}", restrictive.join(", ")));
    }
    s
}

/// The policies on the table, for "policies that do exist": `"name" (FOR SELECT TO authenticated)`.
pub fn list_policies(facts: &TableFacts) -> String {
    if facts.policies.is_empty() {
        return "none".into();
    }
    facts
        .policies
        .iter()
        .map(|p| {
            format!(
                "\"{}\" ({}FOR {} TO {})",
                p.name,
                if p.permissive { "" } else { "RESTRICTIVE " },
                p.command.as_str(),
                p.roles.join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The truth of one policy expression as far as it can be read without evaluating it.
fn constant(expr: &str) -> Option<bool> {
    let mut s = expr.trim();
    while let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        // Only strip parentheses that enclose the whole expression: `(a) or (b)` must stay.
        if !balanced(inner) {
            break;
        }
        s = inner.trim();
    }
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

fn balanced(s: &str) -> bool {
    let mut depth = 0i32;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

/// The value of a gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Truth {
    True,
    False,
    Depends,
}

fn applies(p: &PolicyFacts, cmd: PolicyCommand, role: DbRole) -> bool {
    (p.command == PolicyCommand::All || p.command == cmd)
        && p.roles
            .iter()
            .any(|r| r.eq_ignore_ascii_case("public") || r.eq_ignore_ascii_case(role.as_str()))
}

/// The expression a policy contributes to a gate (PostgreSQL's `QUAL_FOR_WCO` with `force_using`).
fn expr_for(p: &PolicyFacts, check: Check, force_using: bool) -> Option<&str> {
    match check {
        Check::Using => p.using.as_deref(),
        Check::WithCheck if force_using => p.using.as_deref(),
        Check::WithCheck => p.with_check.as_deref().or(p.using.as_deref()),
    }
}

struct Evaluated {
    gate: Gate,
    truth: Truth,
    why: DenyWhy,
}

fn gate(
    facts: &TableFacts,
    cmd: PolicyCommand,
    check: Check,
    force_using: bool,
    role: DbRole,
) -> Evaluated {
    let mut permissive = Vec::new();
    let mut restrictive = Vec::new();
    let mut any_true = false;
    let mut any_depends = false;
    let mut restrictive_false = false;
    let mut restrictive_depends = false;
    let mut any_permissive_with_expr = false;
    let mut any_restrictive = false;
    for (i, p) in facts.policies.iter().enumerate() {
        if !applies(p, cmd, role) {
            continue;
        }
        any_restrictive |= !p.permissive;
        let Some(expr) = expr_for(p, check, force_using) else {
            continue;
        };
        let value = constant(expr);
        if p.permissive {
            any_permissive_with_expr = true;
            match value {
                Some(true) => any_true = true,
                Some(false) => {}
                None => any_depends = true,
            }
            if value != Some(false) {
                permissive.push(i);
            }
        } else {
            match value {
                Some(true) => {}
                Some(false) => restrictive_false = true,
                None => restrictive_depends = true,
            }
            restrictive.push(i);
        }
    }
    let permissive_truth = if any_true {
        Truth::True
    } else if any_depends {
        Truth::Depends
    } else {
        Truth::False
    };
    let truth = match (permissive_truth, restrictive_false, restrictive_depends) {
        (Truth::False, _, _) | (_, true, _) => Truth::False,
        (Truth::True, false, false) => Truth::True,
        _ => Truth::Depends,
    };
    let why = if permissive_truth == Truth::False && !any_permissive_with_expr {
        if any_restrictive {
            DenyWhy::OnlyRestrictive
        } else {
            DenyWhy::NoPolicy
        }
    } else {
        DenyWhy::AlwaysFalse
    };
    Evaluated {
        gate: Gate {
            command: cmd,
            check,
            permissive,
            restrictive,
            conditional: truth == Truth::Depends,
        },
        truth,
        why,
    }
}

/// The outcome of `op` on the table described by `facts`, run as `role`.
pub fn outcome_for(facts: &TableFacts, op: Op, role: DbRole) -> Outcome {
    if let Some(why) = &facts.unknown {
        return Outcome::Unknown { why: why.clone() };
    }
    let Some(privs) = facts.grants[role.index()] else {
        return Outcome::Unknown {
            why: format!("the privileges of {role} on this table are not known"),
        };
    };
    if let Some(privilege) = op.privileges().into_iter().find(|p| !privs.has(*p)) {
        return Outcome::PermissionDenied { privilege };
    }
    if role == DbRole::ServiceRole {
        return Outcome::Bypasses;
    }
    match facts.rls {
        Tri::No => return Outcome::RlsOff,
        Tri::Unknown => {
            return Outcome::Unknown {
                why: "whether row level security is enabled is not known".into(),
            }
        }
        Tri::Yes => {}
    }

    use Check::*;
    use PolicyCommand as C;
    // Each step: (command, check, force_using, result when it allows nothing, only when the row exists).
    let mut steps: Vec<(PolicyCommand, Check, bool, DeniedResult, bool)> = Vec::new();
    match op {
        Op::Select => steps.push((C::Select, Using, false, DeniedResult::NoRows, false)),
        Op::Insert { returning } => {
            steps.push((C::Insert, WithCheck, false, DeniedResult::Error42501, false));
            if returning {
                steps.push((C::Select, WithCheck, true, DeniedResult::Error42501, false));
            }
        }
        Op::Update {
            filtered,
            returning,
        } => {
            // Existing rows are filtered by every USING at once, before any new row is checked.
            steps.push((C::Update, Using, false, DeniedResult::NothingChanged, false));
            if filtered || returning {
                steps.push((C::Select, Using, false, DeniedResult::NothingChanged, false));
            }
            steps.push((C::Update, WithCheck, false, DeniedResult::Error42501, false));
        }
        Op::Delete {
            filtered,
            returning,
        } => {
            steps.push((C::Delete, Using, false, DeniedResult::NothingChanged, false));
            if filtered || returning {
                steps.push((C::Select, Using, false, DeniedResult::NothingChanged, false));
            }
        }
        Op::Upsert { .. } => {
            steps.push((C::Insert, WithCheck, false, DeniedResult::Error42501, false));
            steps.push((C::Select, WithCheck, true, DeniedResult::Error42501, false));
            steps.push((C::Update, Using, false, DeniedResult::Error42501, true));
            steps.push((C::Update, WithCheck, false, DeniedResult::Error42501, true));
        }
    }

    let mut by: Vec<Gate> = Vec::new();
    let mut later_denial: Option<Outcome> = None;
    for (cmd, check, force_using, result, when_row_exists) in steps {
        let e = gate(facts, cmd, check, force_using, role);
        if e.truth == Truth::False {
            let denied = Outcome::Denied {
                result,
                missing: cmd,
                check,
                why: e.why,
                when_row_exists,
            };
            if when_row_exists {
                // The insert path may still succeed; report the first denial of the update path.
                if later_denial.is_none() {
                    later_denial = Some(denied);
                }
                continue;
            }
            return denied;
        }
        if !by
            .iter()
            .any(|g| g.command == e.gate.command && g.check == e.gate.check)
        {
            by.push(e.gate);
        }
    }
    if let Some(denied) = later_denial {
        return denied;
    }
    Outcome::Allowed { by }
}

#[cfg(test)]
#[path = "outcome_tests.rs"]
mod tests;
