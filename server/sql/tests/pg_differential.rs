//! The schema model against a real PostgreSQL 15: SQL is applied to a private cluster with Supabase's roles
//! bootstrapped (rlscope_pgtest), the resulting state is read from the catalog (`pg_class.relrowsecurity` /
//! `relforcerowsecurity` / `relacl` / `reloptions`, `pg_policies`, `pg_proc.prosecdef` / `proconfig`,
//! `has_function_privilege`) and compared, line by line, with the same projection of the model built from
//! the same files. Objects the model marks unknown are left out of both sides (and counted).
//!
//! Inputs: every SQL fixture of this crate, the example project's migrations, and generated migration
//! sequences (random creates, renames, schema moves, drops, RLS enable/disable/force, policies per role and
//! command, permissive and restrictive, ALTER/DROP POLICY, grants, revokes, default privileges, views with and
//! without security_invoker, functions with SECURITY DEFINER / search_path / EXECUTE grants). Each sequence
//! runs in a transaction that is rolled back, so they share one cluster.
//!
//! The advisors' verdicts are compared too: each advisor's set of flagged objects computed from the model
//! (`rlscope_sql::advisors`) must equal the set computed from the catalog by SQL modelled on splinter's lints.
//!
//! Without PostgreSQL 15 the test fails under `CI=true` and is skipped (with a message) elsewhere.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rlscope_pgtest::Cluster;
use rlscope_sql::schema::{self, SchemaModel, SqlSource, Tri};

mod pg_generate;

/// Schemas the bootstrap owns (left out on both sides; `storage` tables are compared).
const SKIP_SCHEMAS: &[&str] = &["auth", "extensions"];
const ROLES: &[&str] = &["anon", "authenticated", "service_role", "public"];

const CATALOG_SQL: &str = r#"
select 'T', n.nspname, c.relname, c.relkind, c.relrowsecurity, c.relforcerowsecurity,
       coalesce(c.relacl::text, ''), coalesce(array_to_string(c.reloptions, ','), '')
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
 where c.relkind in ('r', 'p', 'v', 'm')
   and n.nspname not in ('pg_catalog', 'information_schema', 'auth', 'extensions')
   and n.nspname not like 'pg\_%';
select 'P', schemaname, tablename, policyname, permissive, cmd, array_to_string(roles, ','),
       case when qual is null then 'none' when qual = 'true' then 'true' when qual = 'false' then 'false' else 'expr' end,
       case when with_check is null then 'none' when with_check = 'true' then 'true' when with_check = 'false' then 'false' else 'expr' end
  from pg_policies where schemaname not in ('auth', 'extensions');
select 'F', n.nspname, p.proname, oidvectortypes(p.proargtypes), p.prosecdef,
       coalesce((select 'set' from unnest(p.proconfig) x where x like 'search_path=%' limit 1), 'none'),
       has_function_privilege('anon', p.oid, 'execute'), has_function_privilege('authenticated', p.oid, 'execute')
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
 where n.nspname not in ('pg_catalog', 'information_schema', 'auth', 'extensions', 'storage')
   and n.nspname not like 'pg\_%';
"#;

/// ACL letters per role from a `relacl` text (`{postgres=arwdDxt/postgres,anon=r/postgres,=r/postgres}`).
fn acl_letters(acl: &str, role: &str) -> String {
    let grantee = if role == "public" { "" } else { role };
    let mut letters = String::new();
    for item in acl.trim_matches(['{', '}']).split(',') {
        let Some((who, rest)) = item.split_once('=') else {
            continue;
        };
        if who.trim_matches('"') == grantee {
            let privs = rest.split('/').next().unwrap_or("");
            letters.push_str(&privs.replace('*', ""));
        }
    }
    // Canonical order.
    "arwdDxt".chars().filter(|c| letters.contains(*c)).collect()
}

fn category(expr: Option<&str>) -> &'static str {
    let Some(e) = expr else { return "none" };
    let mut e = e.trim();
    while e.starts_with('(') && e.ends_with(')') && balanced(&e[1..e.len() - 1]) {
        e = e[1..e.len() - 1].trim();
    }
    match e.to_ascii_lowercase().as_str() {
        "true" => "true",
        "false" => "false",
        _ => "expr",
    }
}

fn balanced(s: &str) -> bool {
    let mut d = 0i32;
    for c in s.chars() {
        match c {
            '(' => d += 1,
            ')' => {
                d -= 1;
                if d < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    d == 0
}

struct Projection {
    lines: BTreeSet<String>,
    /// `schema.name` of relations the model marks unknown.
    unknown: BTreeSet<String>,
}

fn bool_t(b: bool) -> &'static str {
    if b {
        "t"
    } else {
        "f"
    }
}

fn tri_t(t: Tri) -> &'static str {
    match t {
        Tri::Yes => "t",
        Tri::No => "f",
        Tri::Unknown => "?",
    }
}

fn model_projection(m: &SchemaModel) -> Projection {
    let mut lines = BTreeSet::new();
    let mut unknown = BTreeSet::new();
    for t in &m.tables {
        if SKIP_SCHEMAS.contains(&t.schema.as_str()) {
            continue;
        }
        let key = format!("{}.{}", t.schema, t.name);
        if t.unknown {
            unknown.insert(key);
            continue;
        }
        lines.insert(format!(
            "table {key} rls={} forced={}",
            tri_t(t.rls),
            tri_t(t.forced)
        ));
        for r in ROLES {
            lines.insert(format!("grant {key} {r}={}", t.grants.get(r).acl_letters()));
        }
        for p in &t.policies {
            let mut roles = p.roles.clone();
            roles.sort();
            lines.insert(format!(
                "policy {key} \"{}\" {} {} roles={} using={} check={}",
                p.name,
                if p.permissive {
                    "PERMISSIVE"
                } else {
                    "RESTRICTIVE"
                },
                p.command.as_str(),
                roles.join(","),
                category(p.using.as_deref()),
                category(p.with_check.as_deref()),
            ));
        }
    }
    for v in &m.views {
        if SKIP_SCHEMAS.contains(&v.schema.as_str()) {
            continue;
        }
        let key = format!("{}.{}", v.schema, v.name);
        if v.unknown {
            unknown.insert(key);
            continue;
        }
        lines.insert(format!(
            "view {key} materialized={} invoker={}",
            bool_t(v.materialized),
            if v.materialized {
                "f"
            } else {
                tri_t(v.security_invoker)
            }
        ));
        for r in ROLES {
            lines.insert(format!("grant {key} {r}={}", v.grants.get(r).acl_letters()));
        }
    }
    for f in &m.functions {
        if SKIP_SCHEMAS.contains(&f.schema.as_str()) || f.schema == "storage" {
            continue;
        }
        if f.unknown {
            unknown.insert(format!("{}.{}", f.schema, f.name));
            continue;
        }
        lines.insert(format!(
            "function {}.{}({}) definer={} search_path={} anon={} authenticated={}",
            f.schema,
            f.name,
            f.args.join(", "),
            tri_t(f.security_definer),
            if f.search_path.is_some() {
                "set"
            } else {
                "none"
            },
            bool_t(f.executable_by("anon")),
            bool_t(f.executable_by("authenticated")),
        ));
    }
    Projection { lines, unknown }
}

fn catalog_projection(out: &str, unknown: &BTreeSet<String>) -> BTreeSet<String> {
    let mut lines = BTreeSet::new();
    let pg_bool = |s: &str| if s == "t" { "t" } else { "f" };
    for row in out.lines() {
        let f: Vec<&str> = row.split('|').collect();
        match f.first() {
            Some(&"T") if f.len() == 8 => {
                let key = format!("{}.{}", f[1], f[2]);
                if unknown.contains(&key) {
                    continue;
                }
                match f[3] {
                    "r" | "p" => {
                        lines.insert(format!(
                            "table {key} rls={} forced={}",
                            pg_bool(f[4]),
                            pg_bool(f[5])
                        ));
                    }
                    kind => {
                        let invoker = f[7].split(',').any(|o| {
                            matches!(
                                o,
                                "security_invoker=true"
                                    | "security_invoker=on"
                                    | "security_invoker=1"
                                    | "security_invoker=yes"
                            )
                        });
                        lines.insert(format!(
                            "view {key} materialized={} invoker={}",
                            bool_t(kind == "m"),
                            bool_t(invoker)
                        ));
                    }
                }
                for r in ROLES {
                    lines.insert(format!("grant {key} {r}={}", acl_letters(f[6], r)));
                }
            }
            Some(&"P") if f.len() == 9 => {
                let key = format!("{}.{}", f[1], f[2]);
                if unknown.contains(&key) {
                    continue;
                }
                let mut roles: Vec<&str> = f[6].split(',').collect();
                roles.sort();
                lines.insert(format!(
                    "policy {key} \"{}\" {} {} roles={} using={} check={}",
                    f[3],
                    f[4],
                    f[5],
                    roles.join(","),
                    f[7],
                    f[8]
                ));
            }
            Some(&"F") if f.len() == 8 => {
                if unknown.contains(&format!("{}.{}", f[1], f[2])) {
                    continue;
                }
                lines.insert(format!(
                    "function {}.{}({}) definer={} search_path={} anon={} authenticated={}",
                    f[1],
                    f[2],
                    f[3],
                    pg_bool(f[4]),
                    f[5],
                    pg_bool(f[6]),
                    pg_bool(f[7]),
                ));
            }
            // Advisor verdicts from the catalog: `A|advisor|object|`.
            Some(&"A") if f.len() == 4 && !unknown.contains(object_key(f[2])) => {
                lines.insert(format!("advisor {} {}", f[1], f[2]));
            }
            _ => {}
        }
    }
    lines
}

/// `schema.name` of an advisor's object (`schema.table "policy"`, `schema.function(args)`).
fn object_key(obj: &str) -> &str {
    let end = obj.find([' ', '(']).unwrap_or(obj.len());
    &obj[..end]
}

/// The advisors' verdicts from the model, as `advisor <id> <schema.object>` lines.
fn model_advisor_lines(m: &SchemaModel, unknown: &BTreeSet<String>) -> BTreeSet<String> {
    rlscope_sql::advisors::verdicts(m)
        .into_iter()
        .filter(|(_, obj)| !unknown.contains(object_key(obj)))
        .map(|(id, obj)| format!("advisor {id} {obj}"))
        .collect()
}

#[derive(Default)]
struct Tally {
    cases: usize,
    lines: usize,
    mismatches: usize,
    unknown: usize,
    advisor_lines: usize,
    report: String,
}

impl Tally {
    /// Apply `files` (one transaction, rolled back), read the catalog, compare with the model.
    fn case(&mut self, pg: &Cluster, name: &str, files: &[(String, String)], strict: bool) {
        self.case_modelled(pg, name, files, files, strict);
    }

    /// [`case`](Self::case) with the model built from `model_files` (a test of the test gives it other
    /// SQL than PostgreSQL runs). Returns how many statements PostgreSQL rejected (lenient runs).
    fn case_modelled(
        &mut self,
        pg: &Cluster,
        name: &str,
        files: &[(String, String)],
        model_files: &[(String, String)],
        strict: bool,
    ) -> usize {
        let sources: Vec<SqlSource> = model_files
            .iter()
            .map(|(p, t)| SqlSource {
                path: PathBuf::from(p),
                text: Arc::from(t.as_str()),
            })
            .collect();
        let model = schema::build(&sources);
        let proj = model_projection(&model);
        let mut script = String::from("begin;\n");
        for (_, t) in files {
            script.push_str(t);
            script.push_str("\n;\n");
            if !strict {
                // psql keeps reading a statement while a parenthesis is open: drop what is left over.
                script.push_str("\\r\n");
            }
            script.push_str("reset search_path;\n");
        }
        script.push_str(CATALOG_SQL);
        script.push_str(rlscope_sql::advisors::CATALOG_VERDICTS_SQL);
        script.push_str("\nrollback;\n");
        let mut rejected = 0;
        let out = if strict {
            match pg.exec(&script) {
                Ok(o) => o,
                Err(e) => {
                    self.mismatches += 1;
                    self.report.push_str(&format!(
                        "{name}: PostgreSQL rejected the SQL: {e}\n{script}\n"
                    ));
                    return 0;
                }
            }
        } else {
            let (out, err) = pg.exec_lenient(&script);
            rejected = err.matches("ERROR").count();
            out
        };
        let catalog = catalog_projection(&out, &proj.unknown);
        let mut mine = proj.lines.clone();
        let advisors = model_advisor_lines(&model, &proj.unknown);
        self.advisor_lines += advisors.len();
        mine.extend(advisors);
        self.cases += 1;
        self.lines += catalog.len();
        self.unknown += proj.unknown.len();
        let only_model: Vec<&String> = mine.difference(&catalog).collect();
        let only_pg: Vec<&String> = catalog.difference(&mine).collect();
        if !only_model.is_empty() || !only_pg.is_empty() {
            self.mismatches += only_model.len() + only_pg.len();
            self.report.push_str(&format!(
                "--- {name}\n  model only: {only_model:#?}\n  catalog only: {only_pg:#?}\n"
            ));
            if self.report.len() < 20_000 {
                for (p, t) in files {
                    self.report.push_str(&format!("  -- {p}\n{t}\n"));
                }
            }
        }
        rejected
    }
}

fn sql_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    v.sort();
    v
}

fn read(p: &Path) -> (String, String) {
    (p.display().to_string(), std::fs::read_to_string(p).unwrap())
}

/// How many generated sequences (`RLSCOPE_PG_SEQUENCES` overrides).
fn sequence_count() -> usize {
    std::env::var("RLSCOPE_PG_SEQUENCES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500)
}

#[test]
fn model_matches_postgres() {
    let Some(pg) = rlscope_pgtest::require() else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut t = Tally::default();

    // The crate's SQL fixtures, each on its own; statements PostgreSQL rejects (some fixtures are broken on
    // purpose) are skipped there, and the model marks what they touch unknown.
    let mut fixtures = Vec::new();
    for dir in [
        "tests/fixtures/valid",
        "tests/fixtures/invalid",
        "tests/fixtures/advisors/valid",
        "tests/fixtures/advisors/invalid",
    ] {
        fixtures.extend(sql_files(&root.join(dir)));
    }
    assert!(fixtures.len() >= 40, "{fixtures:?}");
    for f in &fixtures {
        let (p, mut text) = read(f);
        // A string or quoted name left open runs to the end of the file: PostgreSQL never runs what follows,
        // and neither should the catalog queries appended after it. Both sides get the text before it.
        if let Some(last) = rlscope_sql::lexer::tokenize(&text).last() {
            let open = match last.kind {
                rlscope_sql::lexer::TokenKind::String => !text[last.start..].ends_with('\''),
                rlscope_sql::lexer::TokenKind::QuotedIdent => !text[last.start..].ends_with('"'),
                rlscope_sql::lexer::TokenKind::DollarString => {
                    let tag_end = text[last.start + 1..]
                        .find('$')
                        .map_or(0, |p| last.start + p + 2);
                    let tag = &text[last.start..tag_end];
                    text[last.start..].len() < 2 * tag.len() || !text[last.start..].ends_with(tag)
                }
                _ => false,
            };
            if open {
                text.truncate(last.start);
            }
        }
        t.case(&pg, &p, &[(p.clone(), text)], false);
    }
    let fixture_cases = t.cases;

    // The example project, in Supabase's order, all in one transaction.
    let mig = root.join("../../examples/nextjs-supabase/supabase/migrations");
    let paths = schema::project_order(&sql_files(&mig));
    let files: Vec<(String, String)> = paths.iter().map(|p| read(p)).collect();
    t.case(&pg, "examples/nextjs-supabase", &files, true);

    // Generated sequences.
    let n = sequence_count();
    for seed in 0..n as u64 {
        let files = pg_generate::sequence(seed);
        t.case(&pg, &format!("generated seed {seed}"), &files, true);
    }

    eprintln!(
        "pg differential: {} cases ({fixture_cases} fixtures, 1 example project, {n} generated), \
         {} catalog lines compared ({} advisor verdicts), {} unknown objects left out, {} mismatches",
        t.cases, t.lines, t.advisor_lines, t.unknown, t.mismatches
    );
    assert!(
        n < 100 || t.advisor_lines > 100,
        "the generated sequences exercise the advisors"
    );
    assert_eq!(t.mismatches, 0, "{}", t.report);
}

/// A test of the test: the comparison catches a model that is wrong. Each flip of the model below must
/// produce a mismatch against the same catalog.
#[test]
fn a_wrong_model_is_caught() {
    let Some(pg) = rlscope_pgtest::require() else {
        return;
    };
    let sql = "create table public.todos (id int, owner uuid);\n\
        alter table public.todos enable row level security;\n\
        create policy \"own\" on public.todos for select to authenticated using ((select auth.uid()) = owner);\n\
        revoke all on public.todos from anon;\n\
        create view public.v with (security_invoker = true) as select id from public.todos;\n\
        create function public.f() returns int language sql security definer set search_path = '' as 'select 1';";
    let script = format!(
        "begin;\n{sql}\n{CATALOG_SQL}\n{}\nrollback;\n",
        rlscope_sql::advisors::CATALOG_VERDICTS_SQL
    );
    let out = pg.exec(&script).unwrap();
    type Flip = Box<dyn Fn(&mut SchemaModel)>;
    let flips: Vec<(&str, Flip)> = vec![
        (
            "rls off",
            Box::new(|m| {
                m.tables.iter_mut().for_each(|t| {
                    if t.name == "todos" {
                        t.rls = Tri::No
                    }
                })
            }),
        ),
        (
            "policy command",
            Box::new(|m| {
                m.tables.iter_mut().for_each(|t| {
                    t.policies
                        .iter_mut()
                        .for_each(|p| p.command = schema::PolicyCommand::All)
                })
            }),
        ),
        (
            "policy roles",
            Box::new(|m| {
                m.tables.iter_mut().for_each(|t| {
                    t.policies
                        .iter_mut()
                        .for_each(|p| p.roles = vec!["public".into()])
                })
            }),
        ),
        (
            "grant",
            Box::new(|m| {
                m.tables.iter_mut().for_each(|t| {
                    if t.name == "todos" {
                        t.grants.grant("anon", schema::Privs::SELECT)
                    }
                })
            }),
        ),
        (
            "view invoker",
            Box::new(|m| {
                m.views
                    .iter_mut()
                    .for_each(|v| v.security_invoker = Tri::No)
            }),
        ),
        (
            "definer",
            Box::new(|m| {
                m.functions
                    .iter_mut()
                    .for_each(|f| f.security_definer = Tri::No)
            }),
        ),
        (
            "search_path",
            Box::new(|m| m.functions.iter_mut().for_each(|f| f.search_path = None)),
        ),
        // Changes no catalog line, only an advisor's verdict (auth-rls-initplan).
        (
            "policy expression",
            Box::new(|m| {
                for t in &mut m.tables {
                    for p in &mut t.policies {
                        p.using = Some("auth.uid() = owner".into());
                    }
                }
            }),
        ),
    ];
    let model = schema::build(&[SqlSource {
        path: "m.sql".into(),
        text: Arc::from(sql),
    }]);
    let with_advisors = |m: &SchemaModel| {
        let p = model_projection(m);
        let mut lines = p.lines.clone();
        lines.extend(model_advisor_lines(m, &p.unknown));
        (lines, p)
    };
    let (lines, proj) = with_advisors(&model);
    assert_eq!(lines, catalog_projection(&out, &proj.unknown), "unflipped");
    for (what, flip) in flips {
        let mut m = model.clone();
        flip(&mut m);
        let (lines, p) = with_advisors(&m);
        assert_ne!(
            lines,
            catalog_projection(&out, &p.unknown),
            "flipping {what} went unnoticed"
        );
    }
}

/// Characters a corruption inserts. Quotes, `$` and parentheses are neither inserted nor deleted: an open
/// quote runs to the end of the file (over the catalog queries appended after it), and psql does not end a
/// statement at a `;` inside parentheses where the model's reader does.
const CORRUPT_INSERT: &[char] = &[' ', 'x', 'q', '1', '_', ',', '.', ';', '=', '\n', '*', ':'];

/// Tables, views and functions the model knows (outside the bootstrap's schemas).
fn known_objects(m: &SchemaModel) -> usize {
    let keep = |s: &str| !SKIP_SCHEMAS.contains(&s);
    m.tables
        .iter()
        .filter(|t| keep(&t.schema) && !t.unknown)
        .count()
        + m.views
            .iter()
            .filter(|v| keep(&v.schema) && !v.unknown)
            .count()
        + m.functions
            .iter()
            .filter(|f| keep(&f.schema) && !f.unknown)
            .count()
}

fn unreadable_count(files: &[(String, String)]) -> usize {
    files
        .iter()
        .map(|(_, t)| {
            schema::stmt::read_file(t)
                .iter()
                .filter(|s| matches!(s.kind, schema::stmt::StmtKind::Unreadable { .. }))
                .count()
        })
        .sum()
}

type Files = Vec<(String, String)>;

/// A corrupted sequence: one character inserted into or deleted from one line of `files`, such that the
/// model reads one more statement it cannot read. The files, the corrupted file and the end of the
/// corrupted line in it. `None` when 60 tries found no such corruption.
fn corrupt(files: &[(String, String)], seed: u64) -> Option<(Files, usize, usize)> {
    let mut r = rlscope_testkit::XorShift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut below = |n: usize| r.below(n);
    let base = unreadable_count(files);
    for _ in 0..60 {
        let k = below(files.len());
        let text = &files[k].1;
        let lines: Vec<(usize, &str)> = text
            .split_inclusive('\n')
            .scan(0, |at, l| {
                let start = *at;
                *at += l.len();
                Some((start, l))
            })
            .collect();
        let Some(&(start, line)) = lines.get(below(lines.len())) else {
            continue;
        };
        let at = start + below(line.trim_end_matches('\n').len() + 1);
        if !text.is_char_boundary(at) {
            continue;
        }
        let mut t = text.clone();
        if below(2) == 0 {
            let c = CORRUPT_INSERT[below(CORRUPT_INSERT.len())];
            let depth = text[start..at].matches('(').count() as isize
                - text[start..at].matches(')').count() as isize;
            if c == ';' && depth != 0 {
                continue;
            }
            t.insert(at, c);
        } else {
            match text[at..].chars().next() {
                Some(c) if !"'\"$()".contains(c) => {
                    t.remove(at);
                }
                _ => continue,
            }
        }
        let mut out = files.to_vec();
        out[k].1 = t;
        if unreadable_count(&out) > base {
            let end = out[k].1[start..]
                .find(';')
                .map_or(out[k].1.len(), |p| start + p + 1);
            return Some((out, k, end));
        }
    }
    None
}

/// Generated sequences in which one statement gets a one-character corruption the model cannot read,
/// applied leniently (PostgreSQL skips what it rejects): the model marks unknown only what such a statement
/// can touch, and agrees with the catalog on everything else.
#[test]
fn corrupted_statements_match_postgres() {
    let Some(pg) = rlscope_pgtest::require() else {
        return;
    };
    let mut t = Tally::default();
    let (mut accepted, mut known_now, mut known_before) = (0, 0, 0);
    let n = sequence_count();
    for seed in 0..n as u64 {
        let files = pg_generate::sequence(seed);
        let Some((bad, k, end)) = corrupt(&files, seed) else {
            continue;
        };
        let rejected = t.case_modelled(&pg, &format!("corrupted seed {seed}"), &bad, &bad, false);
        accepted += (rejected == 0) as usize;
        // Reading that statement as one that may touch anything: `\i` there makes every object unknown.
        let mut any = bad.clone();
        any[k].1.insert_str(end, "\n\\i anything.sql\n");
        let sources = |f: &[(String, String)]| -> Vec<SqlSource> {
            f.iter()
                .map(|(p, t)| SqlSource {
                    path: PathBuf::from(p),
                    text: Arc::from(t.as_str()),
                })
                .collect()
        };
        known_now += known_objects(&schema::build(&sources(&bad)));
        known_before += known_objects(&schema::build(&sources(&any)));
    }
    eprintln!(
        "pg differential, corrupted statements: {} cases ({accepted} with the corruption accepted by \
         PostgreSQL), {} catalog lines compared, {} unknown objects left out, {} mismatches; \
         {known_now} objects known ({known_before} if the statement could touch anything)",
        t.cases, t.lines, t.unknown, t.mismatches
    );
    assert!(n < 100 || t.cases * 2 > n, "{} cases of {n}", t.cases);
    assert!(n < 100 || known_now > known_before);
    assert_eq!(t.mismatches, 0, "{}", t.report);
}

/// A test of the test for corrupted statements: statements the model cannot read but PostgreSQL runs
/// (it reads `tru` and `fals` as booleans, and `search_p.ath` as a custom setting) agree with the catalog,
/// and a model that pins one of them on another object than the one it names is caught.
#[test]
fn a_wrong_pin_is_caught() {
    let Some(pg) = rlscope_pgtest::require() else {
        return;
    };
    let sql = |view: &str, func: &str| {
        vec![(
            "supabase/migrations/0001_m.sql".to_string(),
            format!(
                "create table public.todos (id int, owner uuid);\n\
                 create view public.{view} with (security_invoker = tru) as select id from public.todos;\n\
                 alter view public.{view} set (security_invoker = fals);\n\
                 create function public.{func}(a int) returns int language sql security definer \
                 set search_p.ath = pg_catalog as 'select 1';\n"
            ),
        )]
    };
    let files = sql("v", "f");
    let unread = unreadable_count(&files);
    assert_eq!(unread, 3, "{files:?}");
    let mut t = Tally::default();
    let rejected = t.case_modelled(&pg, "pinned right", &files, &files, false);
    assert_eq!((rejected, t.mismatches), (0, 0), "{}", t.report);
    for (what, model) in [("view", sql("w", "f")), ("function", sql("v", "g"))] {
        let mut t = Tally::default();
        t.case_modelled(&pg, what, &files, &model, false);
        assert!(t.mismatches > 0, "a wrong {what} pin went unnoticed");
    }
}
