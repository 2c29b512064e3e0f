//! The RLS outcome of every database request rlscope finds in the example project and in the engine's fixtures
//! that have `supabase/migrations`, against a real PostgreSQL 15.
//!
//! For each project, the engine loads the code and the SQL; the project's SQL files, in the order the Supabase CLI
//! applies them, are run in a database of their own in a private cluster (Supabase's roles bootstrapped, see
//! `rlscope_pgtest`). Each request's statement is then run as every role the request may run as, with JWT
//! claims set, inside a rolled-back transaction, and what happened (rows, error code) is compared with the
//! outcome predicted from the engine's schema model (the same one rules and hovers read):
//! - a decided outcome (bypasses RLS, RLS off, allowed unconditionally, denied, permission denied) must match;
//! - "allowed when …" depends on the row and is counted, with what the server did;
//! - unknown is counted.
//!
//! The statement is the SQL PostgREST runs for the chain: `select`, `insert` (`returning *` after
//! `.select()`), `update … set c = v` and `delete` with `where <primary key> = v` when filtered, and
//! `insert … on conflict (<primary key>) do update` for an upsert, once with its row already there and once
//! without. Rows that exist before the request (one per table) are written as `postgres` in the same
//! transaction, with foreign keys and triggers off (`session_replication_role = replica`).
//!
//! A statement that fails for a reason outside what rlscope models (a `NOT NULL` or `CHECK` constraint on the
//! generated values) where an allowance was predicted is reported as not comparable, never as a match.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rlscope_core::config::Config;
use rlscope_engine::{LoadOptions, Workspace};
use rlscope_pgtest::statements::{self, Observed};
use rlscope_pgtest::Cluster;
use rlscope_sql::outcome::{outcome_for, DbRole, DeniedResult, Op, Outcome, TableFacts, Tri};
use rlscope_sql::schema::SchemaModel;

/// The signed-in user of every authenticated request, and the owner of every uuid column of the rows.
const OWNER: &str = "00000000-0000-4000-8000-00000000000a";

fn claims(role: DbRole) -> String {
    match role {
        DbRole::Authenticated => format!(r#"{{"sub":"{OWNER}","role":"authenticated"}}"#),
        r => format!(r#"{{"role":"{r}"}}"#),
    }
}

fn engine_role(r: rlscope_engine::role::DbRole) -> DbRole {
    match r {
        rlscope_engine::role::DbRole::Anon => DbRole::Anon,
        rlscope_engine::role::DbRole::Authenticated => DbRole::Authenticated,
        rlscope_engine::role::DbRole::ServiceRole => DbRole::ServiceRole,
    }
}

/// Folders holding a `supabase/migrations` folder: the example project and the engine's fixtures.
fn project_roots() -> Vec<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = vec![manifest.join("../../examples/nextjs-supabase")];
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if !p.is_dir() {
                continue;
            }
            if p.join("supabase/migrations").is_dir() {
                out.push(p.clone());
            } else {
                walk(&p, out);
            }
        }
    }
    walk(&manifest.join("tests/fixtures"), &mut out);
    out.into_iter()
        .map(|p| std::fs::canonicalize(p).unwrap())
        .collect()
}

/// One column of a table, as the server's catalog has it.
#[derive(Clone, Debug)]
struct Column {
    name: String,
    ty: String,
    not_null: bool,
    has_default: bool,
    /// `a` (always) or `d` (by default) for an identity column.
    identity: String,
    generated: bool,
    category: String,
    typname: String,
    first_label: String,
    primary_key: bool,
}

impl Column {
    /// A value of the column's type (`None`: rlscope cannot make one up).
    fn literal(&self) -> Option<String> {
        let lit = match (self.typname.as_str(), self.category.as_str()) {
            ("uuid", _) => OWNER.to_string(),
            ("json" | "jsonb", _) => "{}".to_string(),
            (_, "E") => self.first_label.replace('\'', "''"),
            (_, "A") => "{}".to_string(),
            (_, "S") => {
                // `character varying(3)`: as long as the type allows, at most `rlscope`.
                let max = self
                    .ty
                    .split_once('(')
                    .and_then(|(_, n)| n.trim_end_matches(')').parse::<usize>().ok())
                    .unwrap_or(7);
                "rlscope"[..max.min(7)].to_string()
            }
            (_, "N") => "1".to_string(),
            (_, "B") => "true".to_string(),
            (_, "D") => "now".to_string(),
            (_, "T") => "1 day".to_string(),
            (_, "I") => "127.0.0.1".to_string(),
            _ => return None,
        };
        Some(format!("'{lit}'::{}", self.ty))
    }
}

/// A table's columns, from the server.
type Columns = BTreeMap<(String, String), Vec<Column>>;

const COLUMNS_QUERY: &str = "select n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), \
a.attnotnull, a.atthasdef, a.attidentity, a.attgenerated <> '', t.typcategory, t.typname, \
coalesce((select e.enumlabel from pg_enum e where e.enumtypid = a.atttypid order by e.enumsortorder limit 1), ''), \
coalesce(a.attnum = any (i.indkey::int2[]), false) \
from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace \
join pg_type t on t.oid = a.atttypid left join pg_index i on i.indrelid = c.oid and i.indisprimary \
where c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped \
and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast') order by n.nspname, c.relname, a.attnum;";

fn read_columns(pg: &Cluster, db: &str) -> Columns {
    let out = pg
        .exec(&format!("\\c {db}\n{COLUMNS_QUERY}"))
        .expect("catalog query");
    let mut cols = Columns::new();
    for line in out.lines().filter(|l| !l.is_empty()) {
        let f: Vec<&str> = line.split('|').collect();
        assert_eq!(f.len(), 12, "{line}");
        cols.entry((f[0].to_string(), f[1].to_string()))
            .or_default()
            .push(Column {
                name: f[2].to_string(),
                ty: f[3].to_string(),
                not_null: f[4] == "t",
                has_default: f[5] == "t",
                identity: f[6].to_string(),
                generated: f[7] == "t",
                category: f[8].to_string(),
                typname: f[9].to_string(),
                first_label: f[10].to_string(),
                primary_key: f[11] == "t",
            });
    }
    cols
}

fn ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The SQL of a request on one table: the row that exists before it (when it needs one) and the statement.
struct Statements {
    seed: Option<String>,
    statement: String,
}

/// `(columns, values, overriding system value needed)` of a full row: every column rlscope can make a value
/// for, the primary key always; `None` when a required column has no value.
fn full_row(cols: &[Column]) -> Option<(Vec<String>, Vec<String>, bool)> {
    let (mut names, mut values, mut overriding) = (Vec::new(), Vec::new(), false);
    for c in cols.iter().filter(|c| !c.generated) {
        match c.literal() {
            Some(v) => {
                names.push(ident(&c.name));
                values.push(v);
                overriding |= c.identity == "a";
            }
            None if c.primary_key || (c.not_null && !c.has_default && c.identity.is_empty()) => {
                return None
            }
            None => {}
        }
    }
    Some((names, values, overriding))
}

fn insert_sql(table: &str, names: &[String], values: &[String], overriding: bool) -> String {
    if names.is_empty() {
        return format!("insert into {table} default values");
    }
    format!(
        "insert into {table} ({}){} values ({})",
        names.join(", "),
        if overriding {
            " overriding system value"
        } else {
            ""
        },
        values.join(", ")
    )
}

fn statements(
    schema: &str,
    table: &str,
    cols: &[Column],
    op: Op,
    row_exists: bool,
) -> Result<Statements, String> {
    let qualified = format!("{}.{}", ident(schema), ident(table));
    let ret = |returning: bool| if returning { " returning *" } else { "" };
    let (names, values, overriding) =
        full_row(cols).ok_or("a column rlscope cannot make a value for")?;
    let seed = insert_sql(&qualified, &names, &values, overriding);
    let pk: Vec<(String, String)> = cols
        .iter()
        .filter(|c| c.primary_key)
        .filter_map(|c| Some((ident(&c.name), c.literal()?)))
        .collect();
    let filter = |filtered: bool| -> Result<String, String> {
        if !filtered {
            return Ok(String::new());
        }
        if pk.is_empty() {
            return Err("no primary key to filter on".into());
        }
        let conds: Vec<String> = pk.iter().map(|(n, v)| format!("{n} = {v}")).collect();
        Ok(format!(" where {}", conds.join(" and ")))
    };
    // The column an update sets: the first one that is not the key and has a value, else the key itself.
    let set = || -> Result<String, String> {
        cols.iter()
            .filter(|c| !c.generated && c.identity != "a")
            .filter(|c| !c.primary_key)
            .chain(cols.iter().filter(|c| c.primary_key && c.identity != "a"))
            .find_map(|c| Some(format!("{} = {}", ident(&c.name), c.literal()?)))
            .ok_or_else(|| "no column to set".to_string())
    };
    Ok(match op {
        Op::Select => Statements {
            seed: Some(seed),
            statement: format!("select * from {qualified}"),
        },
        Op::Insert { returning } => {
            // What the code sends: every column but a key the server generates.
            let (mut n, mut v) = (Vec::new(), Vec::new());
            for c in cols
                .iter()
                .filter(|c| !c.generated && c.identity.is_empty())
            {
                if c.primary_key && c.has_default {
                    continue;
                }
                if let Some(lit) = c.literal() {
                    n.push(ident(&c.name));
                    v.push(lit);
                }
            }
            Statements {
                seed: None,
                statement: format!(
                    "{}{}",
                    insert_sql(&qualified, &n, &v, false),
                    ret(returning)
                ),
            }
        }
        Op::Update {
            filtered,
            returning,
        } => Statements {
            seed: Some(seed),
            statement: format!(
                "update {qualified} set {}{}{}",
                set()?,
                filter(filtered)?,
                ret(returning)
            ),
        },
        Op::Delete {
            filtered,
            returning,
        } => Statements {
            seed: Some(seed),
            statement: format!(
                "delete from {qualified}{}{}",
                filter(filtered)?,
                ret(returning)
            ),
        },
        Op::Upsert { returning } => {
            if pk.is_empty() {
                return Err("no primary key to upsert on".into());
            }
            let keys: Vec<&str> = pk.iter().map(|(n, _)| n.as_str()).collect();
            let updates: Vec<String> = names
                .iter()
                .filter(|n| !keys.contains(&n.as_str()))
                .map(|n| format!("{n} = excluded.{n}"))
                .collect();
            let updates = if updates.is_empty() {
                keys.iter().map(|n| format!("{n} = excluded.{n}")).collect()
            } else {
                updates
            };
            Statements {
                seed: row_exists.then(|| seed.clone()),
                statement: format!(
                    "{} on conflict ({}) do update set {}{}",
                    insert_sql(&qualified, &names, &values, overriding),
                    keys.join(", "),
                    updates.join(", "),
                    ret(returning)
                ),
            }
        }
    })
}

/// What a prediction says the server does; `None` = it depends on the row (or is unknown).
fn expect(o: &Outcome, row_exists: bool) -> Option<Observed> {
    Some(match o {
        Outcome::Bypasses | Outcome::RlsOff => Observed::Rows(1),
        Outcome::Allowed { by } if by.iter().any(|g| g.conditional) => return None,
        Outcome::Allowed { .. } => Observed::Rows(1),
        Outcome::Denied {
            when_row_exists: true,
            ..
        } if !row_exists => return None,
        Outcome::Denied { result, .. } => match result {
            DeniedResult::NoRows | DeniedResult::NothingChanged => Observed::Rows(0),
            DeniedResult::Error42501 => Observed::RlsError,
        },
        Outcome::PermissionDenied { .. } => Observed::PermissionDenied,
        Outcome::Unknown { .. } => return None,
    })
}

fn label(o: &Outcome) -> String {
    match o {
        Outcome::Bypasses => "bypasses".into(),
        Outcome::RlsOff => "rls off".into(),
        Outcome::Allowed { by } if by.iter().any(|g| g.conditional) => "allowed when …".into(),
        Outcome::Allowed { .. } => "allowed".into(),
        Outcome::Denied { result, .. } => format!("denied: {result:?}"),
        Outcome::PermissionDenied { .. } => "permission denied".into(),
        Outcome::Unknown { .. } => "unknown".into(),
    }
}

/// One statement run as one role.
struct Check {
    /// `path:line` of the request, for messages.
    at: String,
    schema: String,
    table: String,
    op: Op,
    role: DbRole,
    row_exists: bool,
    sql: Result<Statements, String>,
    /// The table's facts from the engine's schema model (`None`: not a table of the model).
    facts: Option<TableFacts>,
    /// Why the model has no outcome for the table.
    missing: String,
    project: usize,
}

/// What one check's run gave: `Err` = the rows before the request could not be written.
type Run = Result<Observed, String>;

fn run_project(pg: &Cluster, db: &str, checks: &[(usize, &Check)]) -> BTreeMap<usize, Run> {
    let mut script = format!("\\c {db}\n{}", statements::SCRIPT_START);
    for &(k, c) in checks {
        let Ok(sql) = &c.sql else { continue };
        writeln!(
            script,
            "begin;\nset local session_replication_role = replica;\nset local request.jwt.claims = '{}';",
            claims(DbRole::Authenticated)
        )
        .unwrap();
        if let Some(seed) = &sql.seed {
            writeln!(
                script,
                "{seed};\n\\echo S|{k}|:SQLSTATE|:LAST_ERROR_MESSAGE"
            )
            .unwrap();
        }
        statements::run_as(&mut script, k, c.role, &claims(c.role), &sql.statement);
    }
    let (out, _) = pg.exec_lenient(&script);
    let mut runs: BTreeMap<usize, Run> = statements::results(&out)
        .into_iter()
        .map(|(k, o)| (k, Ok(o)))
        .collect();
    let mut seed_failed: BTreeMap<usize, String> = BTreeMap::new();
    for rest in out.lines().filter_map(|line| line.strip_prefix("S|")) {
        let mut parts = rest.splitn(3, '|');
        let k: usize = parts.next().unwrap().parse().unwrap();
        let state = parts.next().unwrap();
        if state != "00000" {
            seed_failed.insert(k, format!("{state} {}", parts.next().unwrap_or("")));
        }
    }
    for (k, why) in seed_failed {
        runs.insert(k, Err(format!("the row before the request: {why}")));
    }
    for &(k, c) in checks {
        if c.sql.is_ok() {
            assert!(
                runs.contains_key(&k),
                "no result for check {k}; psql output:\n{out}"
            );
        }
    }
    runs
}

/// A predictor under test: `outcome_for` or a deliberately wrong variant of it.
type Predict<'a> = &'a dyn Fn(&TableFacts, Op, DbRole) -> Outcome;

#[derive(Default, Debug)]
struct Tally {
    checks: usize,
    request_roles: usize,
    compared: usize,
    mismatches: Vec<String>,
    depends: usize,
    depends_rows: usize,
    unknown: usize,
    not_comparable: Vec<String>,
    by_outcome: BTreeMap<String, usize>,
}

fn compare(checks: &[Check], runs: &BTreeMap<usize, Run>, predict: Predict) -> Tally {
    let mut t = Tally {
        checks: checks.len(),
        request_roles: checks.iter().filter(|c| c.row_exists).count(),
        ..Tally::default()
    };
    for (k, c) in checks.iter().enumerate() {
        let predicted = match &c.facts {
            Some(f) => predict(f, c.op, c.role),
            None => Outcome::Unknown {
                why: c.missing.clone(),
            },
        };
        *t.by_outcome.entry(label(&predicted)).or_default() += 1;
        let what = || {
            format!(
                "{} {}.{} {} as {} (row there: {}): predicted {predicted:?}",
                c.at,
                c.schema,
                c.table,
                c.op.describe(),
                c.role,
                c.row_exists
            )
        };
        let want = expect(&predicted, c.row_exists);
        let got = match (&c.sql, runs.get(&k)) {
            (Err(why), _) => Err(why.clone()),
            (Ok(_), Some(Ok(o))) => Ok(o.clone()),
            (Ok(_), Some(Err(why))) => Err(why.clone()),
            (Ok(_), None) => Err("not run".into()),
        };
        match (want, got) {
            (None, got) if matches!(predicted, Outcome::Unknown { .. }) => {
                let _ = got;
                t.unknown += 1;
            }
            (None, got) => {
                t.depends += 1;
                if matches!(got, Ok(Observed::Rows(n)) if n > 0) {
                    t.depends_rows += 1;
                }
            }
            (Some(_), Err(why)) => t.not_comparable.push(format!("{}: {why}", what())),
            (Some(Observed::Rows(_)), Ok(Observed::Other { sqlstate, message })) => t
                .not_comparable
                .push(format!("{}: server: {sqlstate} {message}", what())),
            (Some(want), Ok(got)) => {
                t.compared += 1;
                // A denial after a gate that depends on the row shows as either a filtered statement or an
                // error: both change nothing. Only an UPDATE has a filter before an error.
                let equivalent = matches!(
                    (&want, &got, c.op),
                    (Observed::RlsError, Observed::Rows(0), Op::Update { .. })
                );
                if want != got && !equivalent {
                    t.mismatches
                        .push(format!("{} → {want:?}, server: {got:?}", what()));
                }
            }
        }
    }
    t
}

#[test]
fn request_outcomes_match_postgres_15() {
    let Some(pg) = rlscope_pgtest::require() else {
        return;
    };
    let mut checks: Vec<Check> = Vec::new();
    let mut requests = 0;
    let mut project_dbs = Vec::new();
    for (i, root) in project_roots().iter().enumerate() {
        let mut ws = Workspace::new(root.clone(), Config::default());
        let errors = ws.load_paths(std::slice::from_ref(root), &LoadOptions::default());
        assert!(errors.is_empty(), "{errors:?}");
        let projects = ws.projects();
        let supabase = root.join("supabase");
        let Some(project) = projects.projects.iter().find(|p| p.root == supabase) else {
            panic!("{}: no supabase project", root.display());
        };
        // The project's SQL, in the order the model replays it, into a database of its own.
        let sql_files: Vec<PathBuf> = ws
            .files()
            .into_iter()
            .filter(|p| {
                projects
                    .of_sql_file(p)
                    .is_some_and(|pr| pr.root == project.root)
            })
            .collect();
        let db = format!("p{i}");
        pg.exec(&format!(
            "\\c template1\ncreate database {db} template postgres;"
        ))
        .expect("create database");
        let mut sql = format!("\\c {db}\n");
        for p in rlscope_sql::schema::project_order(&sql_files) {
            sql.push_str(&ws.source(&p).unwrap());
            sql.push('\n');
        }
        pg.exec(&sql)
            .unwrap_or_else(|e| panic!("{}: the project's SQL fails: {e}", root.display()));
        let cols = read_columns(&pg, &db);
        let model: &SchemaModel = &project.model;

        for path in ws.files() {
            if path.extension().is_some_and(|e| e == "sql") {
                continue;
            }
            // The engine's own choice of model for this file must be this project's.
            let for_file = projects.for_file(&path).map(|p| &p.root);
            for r in ws.requests(&path) {
                let Some(op) = r.kind.db_op() else { continue };
                let Some(table) = r.kind.target() else {
                    continue;
                };
                requests += 1;
                assert_eq!(for_file, Some(&project.root), "{}", path.display());
                let schema = r.kind.schema().unwrap_or("public").to_string();
                let at = format!(
                    "{}:{}",
                    path.strip_prefix(root.parent().unwrap())
                        .unwrap_or(&path)
                        .display(),
                    r.place.line
                );
                let Some(roles) = r.role.db_roles() else {
                    checks.push(Check {
                        at,
                        schema,
                        table: table.to_string(),
                        op,
                        role: DbRole::Anon,
                        row_exists: true,
                        sql: Err("the role is not known".into()),
                        facts: None,
                        missing: "the role is not known".into(),
                        project: i,
                    });
                    continue;
                };
                let (facts, missing) = match model.table(&schema, table) {
                    Some(t) => (Some(TableFacts::from_table(t)), String::new()),
                    None => (
                        None,
                        match rlscope_sql::outcome::outcome(model, &schema, table, op, DbRole::Anon)
                        {
                            Outcome::Unknown { why } => why,
                            o => panic!("a table the model lacks has an outcome: {o:?}"),
                        },
                    ),
                };
                let variants: &[bool] = if matches!(op, Op::Upsert { .. }) {
                    &[true, false]
                } else {
                    &[true]
                };
                for role in roles.into_iter().map(engine_role) {
                    for &row_exists in variants {
                        let sql = match cols.get(&(schema.clone(), table.to_string())) {
                            Some(c) => statements(&schema, table, c, op, row_exists),
                            None => Err(format!("`{schema}.{table}` is not a table on the server")),
                        };
                        checks.push(Check {
                            at: at.clone(),
                            schema: schema.clone(),
                            table: table.to_string(),
                            op,
                            role,
                            row_exists,
                            sql,
                            facts: facts.clone(),
                            missing: missing.clone(),
                            project: i,
                        });
                    }
                }
            }
        }
        project_dbs.push(db);
    }

    let mut runs = BTreeMap::new();
    for (i, db) in project_dbs.iter().enumerate() {
        let mine: Vec<(usize, &Check)> = checks
            .iter()
            .enumerate()
            .filter(|(_, c)| c.project == i)
            .collect();
        runs.extend(run_project(&pg, db, &mine));
    }

    let tally = compare(&checks, &runs, &outcome_for);
    eprintln!(
        "request differential: {} projects, {requests} database requests, {} request × role checks \
         ({} statements with the upsert variants); decided: {} compared, {} mismatches; \
         allowed when …: {} (the server returned or changed rows in {}); unknown: {}; not comparable: {}\n\
         predicted: {:?}",
        project_dbs.len(),
        tally.request_roles,
        tally.checks,
        tally.compared,
        tally.mismatches.len(),
        tally.depends,
        tally.depends_rows,
        tally.unknown,
        tally.not_comparable.len(),
        tally.by_outcome,
    );
    for m in &tally.not_comparable {
        eprintln!("  not comparable: {m}");
    }
    assert!(
        tally.mismatches.is_empty(),
        "{} mismatches:\n{}",
        tally.mismatches.len(),
        tally.mismatches.join("\n")
    );
    assert!(requests >= 15, "only {requests} requests found");
    assert!(
        tally.compared * 2 >= tally.checks,
        "fewer than half the checks were compared: {tally:?}"
    );
    assert!(
        tally.not_comparable.is_empty(),
        "every decided prediction must be checked on the server"
    );

    // The test of the test: the same observations against predictors with one fact flipped must mismatch.
    let mutants: [(&str, Predict); 3] = [
        (
            "a select denied by default fails with 42501 instead of returning no rows",
            &|f, op, role| match outcome_for(f, op, role) {
                Outcome::Denied {
                    result: DeniedResult::NoRows,
                    missing,
                    check,
                    why,
                    when_row_exists,
                } => Outcome::Denied {
                    result: DeniedResult::Error42501,
                    missing,
                    check,
                    why,
                    when_row_exists,
                },
                o => o,
            },
        ),
        ("service_role is subject to RLS", &|f, op, role| {
            let role = if role == DbRole::ServiceRole {
                DbRole::Authenticated
            } else {
                role
            };
            outcome_for(f, op, role)
        }),
        (
            "a table without RLS enabled denies by default",
            &|f, op, role| {
                let mut f = f.clone();
                if f.rls == Tri::No {
                    f.rls = Tri::Yes;
                }
                outcome_for(&f, op, role)
            },
        ),
    ];
    for (what, mutant) in mutants {
        let t = compare(&checks, &runs, mutant);
        eprintln!(
            "mutant \"{what}\": {} mismatches, e.g. {}",
            t.mismatches.len(),
            t.mismatches.first().map_or("-", |s| s.as_str())
        );
        assert!(
            !t.mismatches.is_empty(),
            "the differential does not notice: {what}"
        );
    }
}
