//! The RLS outcome against a real PostgreSQL 15: generated tables (RLS on/off, permissive and restrictive
//! policies for every command and role, `true`/`false`/`auth.uid() = owner`/… expressions, revoked privileges)
//! are created in a private cluster, and every (table, request, role) triple is run as that role with JWT
//! claims set, inside a rolled-back transaction. What happened (rows, error code) must be what
//! `outcome_for` predicts. The facts come from the schema model reading the same SQL text the server ran
//! (and must equal the generated ones), so the whole path SQL → model → outcome is checked.
//!
//! Two levels of prediction are compared:
//! - **exact**: every table has one row whose owner is known, so each generated expression's value for a
//!   request is known; the test replaces each expression with that constant and the prediction must match
//!   the server exactly (rows returned or changed, error 42501 from RLS or from a missing privilege);
//! - **as written**: the prediction from the expressions as written. Where it is decided (bypass, RLS off,
//!   missing privilege, denied, allowed unconditionally) it must match too; where it says "allowed when …"
//!   it depends on the row and is only counted.
//!
//! Seed and size: `RLSCOPE_DIFF_SEED`, `RLSCOPE_DIFF_TABLES`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rlscope_pgtest::statements::{self, Observed};
use rlscope_pgtest::Cluster;
use rlscope_sql::outcome::{
    outcome_for, DbRole, DeniedResult, Op, Outcome, PolicyCommand, PolicyFacts, Privileges,
    TableFacts, Tri,
};

const OWNER: &str = "00000000-0000-4000-8000-00000000000a";
const OTHER: &str = "00000000-0000-4000-8000-00000000000b";

/// splitmix64: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

/// Who sends the request: the Postgres role and the JWT's `sub`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Caller {
    Anon,
    Owner,
    OtherUser,
    Service,
}

impl Caller {
    const ALL: [Caller; 4] = [
        Caller::Anon,
        Caller::Owner,
        Caller::OtherUser,
        Caller::Service,
    ];
    fn role(self) -> DbRole {
        match self {
            Caller::Anon => DbRole::Anon,
            Caller::Owner | Caller::OtherUser => DbRole::Authenticated,
            Caller::Service => DbRole::ServiceRole,
        }
    }
    fn sub(self) -> Option<&'static str> {
        match self {
            Caller::Owner => Some(OWNER),
            Caller::OtherUser => Some(OTHER),
            _ => None,
        }
    }
    fn claims(self) -> String {
        match self.sub() {
            Some(sub) => format!(r#"{{"sub":"{sub}","role":"{}"}}"#, self.role()),
            None => format!(r#"{{"role":"{}"}}"#, self.role()),
        }
    }
}

/// Policy expressions whose value is known for every caller (every row's owner is `OWNER`, its id > 0).
/// An expression's value for a caller.
type Decide = fn(Caller) -> bool;

/// A predictor under test: `outcome_for` or a deliberately wrong variant of it.
type Predict<'a> = &'a dyn Fn(&TableFacts, Op, DbRole) -> Outcome;

const EXPRESSIONS: &[(&str, Decide)] = &[
    ("true", |_| true),
    ("true", |_| true),
    ("false", |_| false),
    ("auth.uid() = owner", |c| c == Caller::Owner),
    ("owner = (select auth.uid())", |c| c == Caller::Owner),
    ("auth.role() = 'authenticated'", |c| {
        c.role() == DbRole::Authenticated
    }),
    ("auth.role() = 'anon'", |c| c.role() == DbRole::Anon),
    ("(auth.jwt() ->> 'role') = 'authenticated'", |c| {
        c.role() == DbRole::Authenticated
    }),
    ("auth.uid() is not null", |c| c.sub().is_some()),
    ("id > 0", |_| true),
    ("id < 0", |_| false),
];

fn decide(expr: &str, caller: Caller) -> bool {
    EXPRESSIONS
        .iter()
        .find(|(e, _)| *e == expr)
        .map(|(_, f)| f(caller))
        .unwrap_or_else(|| panic!("generated expression {expr:?} has no known value"))
}

const ROLE_LISTS: &[&[&str]] = &[
    &["public"],
    &["public"],
    &["anon"],
    &["authenticated"],
    &["authenticated"],
    &["anon", "authenticated"],
    &["service_role"],
    &["authenticated", "service_role"],
];

struct GenTable {
    name: String,
    facts: TableFacts,
    sql: String,
}

fn gen_table(rng: &mut Rng, i: usize) -> GenTable {
    let name = format!("t{i}");
    let mut sql = String::new();
    writeln!(
        sql,
        "create table public.{name} (id int primary key, owner uuid, body text);"
    )
    .unwrap();
    writeln!(sql, "insert into public.{name} values (1, '{OWNER}', 'a');").unwrap();
    let mut facts = TableFacts {
        grants: [Some(Privileges::ALL); 3],
        ..TableFacts::default()
    };
    facts.rls = if rng.chance(82) { Tri::Yes } else { Tri::No };
    facts.forced = Tri::No;
    if facts.rls == Tri::Yes {
        writeln!(sql, "alter table public.{name} enable row level security;").unwrap();
        if rng.chance(15) {
            writeln!(sql, "alter table public.{name} force row level security;").unwrap();
            facts.forced = Tri::Yes;
        }
    } else if rng.chance(30) {
        writeln!(sql, "alter table public.{name} enable row level security;").unwrap();
        writeln!(sql, "alter table public.{name} disable row level security;").unwrap();
    }
    let n_policies = rng.below(5);
    for j in 0..n_policies {
        let command = *rng.pick(&[
            PolicyCommand::All,
            PolicyCommand::Select,
            PolicyCommand::Insert,
            PolicyCommand::Update,
            PolicyCommand::Delete,
        ]);
        let roles: Vec<String> = rng.pick(ROLE_LISTS).iter().map(|s| s.to_string()).collect();
        let permissive = rng.chance(80);
        let expr = |rng: &mut Rng, percent| {
            rng.chance(percent)
                .then(|| rng.pick(EXPRESSIONS).0.to_string())
        };
        let (using, with_check) = match command {
            PolicyCommand::Select | PolicyCommand::Delete => (expr(rng, 93), None),
            PolicyCommand::Insert => (None, expr(rng, 93)),
            PolicyCommand::Update | PolicyCommand::All => (expr(rng, 85), expr(rng, 50)),
        };
        let pname = format!("p{j} {}", command.as_str().to_lowercase());
        write!(
            sql,
            "create policy \"{pname}\" on public.{name} as {} for {} to {}",
            if permissive {
                "permissive"
            } else {
                "restrictive"
            },
            command.as_str().to_lowercase(),
            roles.join(", ")
        )
        .unwrap();
        if let Some(u) = &using {
            write!(sql, " using ({u})").unwrap();
        }
        if let Some(c) = &with_check {
            write!(sql, " with check ({c})").unwrap();
        }
        sql.push_str(";\n");
        facts.policies.push(PolicyFacts {
            name: pname,
            permissive,
            command,
            roles,
            using,
            with_check,
        });
    }
    for (k, role) in DbRole::ALL.into_iter().enumerate() {
        let percent = if role == DbRole::ServiceRole { 5 } else { 18 };
        if rng.chance(percent) {
            let (kw, privs) = *rng.pick(&[
                (
                    "select",
                    Privileges {
                        select: false,
                        ..Privileges::ALL
                    },
                ),
                (
                    "insert",
                    Privileges {
                        insert: false,
                        ..Privileges::ALL
                    },
                ),
                (
                    "update",
                    Privileges {
                        update: false,
                        ..Privileges::ALL
                    },
                ),
                (
                    "delete",
                    Privileges {
                        delete: false,
                        ..Privileges::ALL
                    },
                ),
                ("all", Privileges::NONE),
            ]);
            writeln!(sql, "revoke {kw} on public.{name} from {role};").unwrap();
            facts.grants[k] = Some(privs);
        }
    }
    GenTable { name, facts, sql }
}

/// A request: the operation, and for an upsert whether its row already exists.
#[derive(Clone, Copy, Debug)]
struct Request {
    op: Op,
    row_exists: bool,
}

fn requests() -> Vec<Request> {
    let mut out = vec![Request {
        op: Op::Select,
        row_exists: true,
    }];
    for returning in [false, true] {
        out.push(Request {
            op: Op::Insert { returning },
            row_exists: false,
        });
        for filtered in [false, true] {
            out.push(Request {
                op: Op::Update {
                    filtered,
                    returning,
                },
                row_exists: true,
            });
            out.push(Request {
                op: Op::Delete {
                    filtered,
                    returning,
                },
                row_exists: true,
            });
        }
        for row_exists in [true, false] {
            out.push(Request {
                op: Op::Upsert { returning },
                row_exists,
            });
        }
    }
    out
}

fn statement(table: &str, r: Request) -> String {
    let ret = |returning: bool| if returning { " returning *" } else { "" };
    let filter = |filtered: bool| if filtered { " where id = 1" } else { "" };
    match r.op {
        Op::Select => format!("select * from public.{table}"),
        Op::Insert { returning } => {
            format!(
                "insert into public.{table} (id, owner, body) values (2, '{OWNER}', 'n'){}",
                ret(returning)
            )
        }
        Op::Update {
            filtered,
            returning,
        } => {
            format!(
                "update public.{table} set body = 'u'{}{}",
                filter(filtered),
                ret(returning)
            )
        }
        Op::Delete {
            filtered,
            returning,
        } => {
            format!(
                "delete from public.{table}{}{}",
                filter(filtered),
                ret(returning)
            )
        }
        Op::Upsert { returning } => format!(
            "insert into public.{table} (id, owner, body) values ({}, '{OWNER}', 'n') \
             on conflict (id) do update set body = excluded.body{}",
            if r.row_exists { 1 } else { 2 },
            ret(returning)
        ),
    }
}

/// What a prediction says the server does; `None` = depends on the rows (not compared).
/// `exact`: the expressions were replaced by constants, so an upsert denied only when its row exists inserts a
/// new row.
fn expect(o: &Outcome, r: Request, exact: bool) -> Option<Observed> {
    Some(match o {
        Outcome::Bypasses | Outcome::RlsOff => Observed::Rows(1),
        Outcome::Allowed { by } => {
            if by.iter().any(|g| g.conditional) {
                return None;
            }
            Observed::Rows(1)
        }
        Outcome::Denied {
            when_row_exists: true,
            ..
        } if !r.row_exists => {
            if exact {
                Observed::Rows(1)
            } else {
                return None;
            }
        }
        Outcome::Denied { result, .. } => match result {
            DeniedResult::NoRows | DeniedResult::NothingChanged => Observed::Rows(0),
            DeniedResult::Error42501 => Observed::RlsError,
        },
        Outcome::PermissionDenied { .. } => Observed::PermissionDenied,
        Outcome::Unknown { .. } => return None,
    })
}

/// The table's facts with each expression replaced by its value for `caller`.
fn concretize(facts: &TableFacts, caller: Caller) -> TableFacts {
    let mut f = facts.clone();
    for p in &mut f.policies {
        for e in [&mut p.using, &mut p.with_check].into_iter().flatten() {
            *e = decide(e, caller).to_string();
        }
    }
    f
}

struct Triple {
    table: usize,
    request: Request,
    caller: Caller,
}

fn run_on_server(pg: &Cluster, tables: &[GenTable], triples: &[Triple]) -> Vec<Observed> {
    // Statement results are discarded (`\\o`); `\\echo` prints each one's row count and error to stdout.
    let mut script = String::from(statements::SCRIPT_START);
    for (k, t) in triples.iter().enumerate() {
        let table = &tables[t.table].name;
        script.push_str("begin;\n");
        statements::run_as(
            &mut script,
            k,
            t.caller.role(),
            &t.caller.claims(),
            &statement(table, t.request),
        );
    }
    let (out, _errors) = pg.exec_lenient(&script);
    let mut observed: Vec<Option<Observed>> = vec![None; triples.len()];
    for (k, o) in statements::results(&out) {
        observed[k] = Some(o);
    }
    observed
        .into_iter()
        .enumerate()
        .map(|(k, o)| o.unwrap_or_else(|| panic!("no result for request {k}; psql output:\n{out}")))
        .collect()
}

#[derive(Default, Debug)]
struct Tally {
    triples: usize,
    exact_compared: usize,
    exact_mismatches: Vec<String>,
    written_compared: usize,
    written_depends: usize,
    written_unknown: usize,
    written_mismatches: Vec<String>,
    by_outcome: BTreeMap<String, usize>,
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

/// Compare predictions with what the server did.
fn compare(
    tables: &[GenTable],
    triples: &[Triple],
    observed: &[Observed],
    predict: Predict,
) -> Tally {
    let mut tally = Tally {
        triples: triples.len(),
        ..Tally::default()
    };
    for (t, got) in triples.iter().zip(observed) {
        let gen = &tables[t.table];
        let describe = |which: &str, o: &Outcome, want: &Observed| {
            format!(
                "{which}: {} as {:?} ({}): predicted {o:?} → {want:?}, server: {got:?}\n{}",
                statement(&gen.name, t.request),
                t.caller,
                t.caller.claims(),
                gen.sql
            )
        };
        let exact = predict(
            &concretize(&gen.facts, t.caller),
            t.request.op,
            t.caller.role(),
        );
        match expect(&exact, t.request, true) {
            Some(want) => {
                tally.exact_compared += 1;
                if &want != got {
                    tally
                        .exact_mismatches
                        .push(describe("exact", &exact, &want));
                }
            }
            None => tally
                .exact_mismatches
                .push(format!("exact prediction undecided: {exact:?}")),
        }
        let written = predict(&gen.facts, t.request.op, t.caller.role());
        *tally.by_outcome.entry(label(&written)).or_default() += 1;
        match expect(&written, t.request, false) {
            Some(want) => {
                tally.written_compared += 1;
                // A denial that comes after a gate which depends on the row can show as either a filtered
                // statement or an error: both change nothing. Only an UPDATE has a filter before an error.
                let equivalent = matches!(
                    (&want, got, t.request.op),
                    (Observed::RlsError, Observed::Rows(0), Op::Update { .. })
                );
                if &want != got && !equivalent {
                    tally
                        .written_mismatches
                        .push(describe("as written", &written, &want));
                }
            }
            None if matches!(written, Outcome::Unknown { .. }) => tally.written_unknown += 1,
            None => tally.written_depends += 1,
        }
    }
    tally
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn outcomes_match_postgres_15() {
    let Some(pg) = rlscope_pgtest::require() else {
        return;
    };
    let seed = env_usize("RLSCOPE_DIFF_SEED", 14) as u64;
    let n_tables = env_usize("RLSCOPE_DIFF_TABLES", 150);
    let mut rng = Rng(seed);
    let mut tables: Vec<GenTable> = (0..n_tables).map(|i| gen_table(&mut rng, i)).collect();
    let setup: String = tables.iter().map(|t| t.sql.as_str()).collect();
    pg.exec(&setup).expect("generated schema is valid SQL");

    // The predictions go through the schema model, from the same SQL text the server ran: its facts must be
    // the generated ones.
    let model = rlscope_sql::schema::build(&[rlscope_sql::schema::SqlSource {
        path: "supabase/migrations/20240101000000_generated.sql".into(),
        text: setup.as_str().into(),
    }]);
    let mut model_mismatches = Vec::new();
    for t in &mut tables {
        match model.table("public", &t.name) {
            Some(mt) => {
                let facts = TableFacts::from_table(mt);
                if facts != t.facts {
                    model_mismatches.push(format!(
                        "{}:\n  generated {:?}\n  model     {:?}",
                        t.name, t.facts, facts
                    ));
                }
                t.facts = facts;
            }
            None => model_mismatches.push(format!("{}: not in the model", t.name)),
        }
    }
    assert!(
        model_mismatches.is_empty(),
        "{} tables read differently by the schema model:\n{}",
        model_mismatches.len(),
        model_mismatches
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );

    let requests = requests();
    let mut triples = Vec::new();
    for table in 0..tables.len() {
        for &request in &requests {
            for caller in Caller::ALL {
                triples.push(Triple {
                    table,
                    request,
                    caller,
                });
            }
        }
    }
    let observed = run_on_server(&pg, &tables, &triples);
    let others: Vec<_> = observed
        .iter()
        .filter(|o| matches!(o, Observed::Other { .. }))
        .collect();
    assert!(others.is_empty(), "unexpected server errors: {others:?}");

    let tally = compare(&tables, &triples, &observed, &outcome_for);
    eprintln!(
        "rls differential (seed {seed}, {n_tables} tables): {} triples; exact: {} compared, {} mismatches; \
         as written: {} compared, {} mismatches, {} depend on the row ({:.1}%), {} unknown ({:.1}%)\n\
         outcomes as written: {:?}",
        tally.triples,
        tally.exact_compared,
        tally.exact_mismatches.len(),
        tally.written_compared,
        tally.written_mismatches.len(),
        tally.written_depends,
        100.0 * tally.written_depends as f64 / tally.triples as f64,
        tally.written_unknown,
        100.0 * tally.written_unknown as f64 / tally.triples as f64,
        tally.by_outcome,
    );
    assert!(tally.triples >= 1000, "at least 1,000 triples");
    let show = |m: &[String]| {
        m.iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n---\n")
    };
    assert!(
        tally.exact_mismatches.is_empty(),
        "{} exact mismatches:\n{}",
        tally.exact_mismatches.len(),
        show(&tally.exact_mismatches)
    );
    assert!(
        tally.written_mismatches.is_empty(),
        "{} mismatches as written:\n{}",
        tally.written_mismatches.len(),
        show(&tally.written_mismatches)
    );
    // Every kind of outcome was exercised.
    for kind in [
        "bypasses",
        "rls off",
        "allowed",
        "allowed when …",
        "denied: NoRows",
        "denied: Error42501",
        "denied: NothingChanged",
        "permission denied",
    ] {
        assert!(
            tally.by_outcome.contains_key(kind),
            "no triple predicted {kind}: {:?}",
            tally.by_outcome
        );
    }

    // The test of the test: the same observations against predictors with one fact flipped must mismatch.
    let mutants: [(&str, Predict); 4] = [
        (
            "insert … returning does not need a SELECT policy",
            &|f, op, role| {
                let op = if let Op::Insert { .. } = op {
                    Op::Insert { returning: false }
                } else {
                    op
                };
                outcome_for(f, op, role)
            },
        ),
        (
            "a filter does not make an update need a SELECT policy",
            &|f, op, role| {
                let op = if let Op::Update { returning, .. } = op {
                    Op::Update {
                        filtered: false,
                        returning,
                    }
                } else {
                    op
                };
                outcome_for(f, op, role)
            },
        ),
        (
            "restrictive policies grant like permissive ones",
            &|f, op, role| {
                let mut f = f.clone();
                f.policies.iter_mut().for_each(|p| p.permissive = true);
                outcome_for(&f, op, role)
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
    ];
    for (what, mutant) in mutants {
        let t = compare(&tables, &triples, &observed, mutant);
        let n = t.exact_mismatches.len() + t.written_mismatches.len();
        eprintln!("mutant \"{what}\": {n} mismatches");
        assert!(n > 0, "the differential does not notice: {what}");
    }
}
