//! A migration edit re-checks the SQL files of its project and only the scripts whose requests name a table or
//! function the edit changed; the findings kept for every other file stay equal to a full re-check.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rlscope_core::config::Config;
use rlscope_core::Finding;
use rlscope_engine::Workspace;
use rlscope_testkit::XorShift;

const ROOT: &str = "/p";
const M1: &str = "/p/supabase/migrations/20240101000000_init.sql";
const M2: &str = "/p/supabase/migrations/20240201000000_more.sql";

fn anon_script(body: &str) -> String {
    format!(
        "import {{ createClient }} from '@supabase/supabase-js'\n\
         const supabase = createClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!)\n\
         export async function run(id: string) {{\n  {body}\n}}\n"
    )
}

fn user_script(body: &str) -> String {
    format!(
        "import {{ createClient }} from 'npm:@supabase/supabase-js@2'\n\
         Deno.serve(async (req) => {{\n\
         const supabase = createClient(Deno.env.get('SUPABASE_URL')!, Deno.env.get('SUPABASE_ANON_KEY')!, {{\n\
         global: {{ headers: {{ Authorization: req.headers.get('Authorization')! }} }},\n\
         }})\n  {body}\n  return new Response('ok')\n}})\n"
    )
}

fn service_script(body: &str) -> String {
    format!(
        "import {{ createClient }} from '@supabase/supabase-js'\n\
         const admin = createClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!)\n\
         export async function run(id: string) {{\n  const supabase = admin\n  {body}\n}}\n"
    )
}

fn p(s: &str) -> PathBuf {
    PathBuf::from(s)
}

fn set(ws: &mut Workspace, path: &str, text: &str) -> BTreeSet<PathBuf> {
    ws.set_file(p(path), Arc::from(text)).into_iter().collect()
}

fn scripts() -> Vec<(&'static str, String)> {
    vec![
        (
            "/p/lib/orders.ts",
            anon_script("return supabase.from('orders').select('*')"),
        ),
        (
            "/p/lib/profiles.ts",
            anon_script("return supabase.from('profiles').insert({ id })"),
        ),
        (
            "/p/lib/later.ts",
            anon_script("return supabase.from('later').select('*')"),
        ),
        (
            "/p/lib/rpc.ts",
            anon_script("return supabase.rpc('do_thing', { id })"),
        ),
        ("/p/lib/plain.ts", "export const x = 1\n".to_string()),
    ]
}

const INIT: &str = "create table public.orders (id int, user_id uuid);\n\
alter table public.orders enable row level security;\n\
create table public.profiles (id uuid);\n\
alter table public.profiles enable row level security;\n";

fn project() -> Workspace {
    let mut ws = Workspace::new(p(ROOT), Config::default());
    set(&mut ws, M1, INIT);
    set(&mut ws, M2, "-- nothing yet\n");
    for (path, text) in scripts() {
        set(&mut ws, path, &text);
    }
    // findings exist for every file: the models the next edit is compared with are built
    for f in ws.files() {
        ws.check_file(&f);
    }
    ws
}

fn with_sql(extra: &[&str]) -> BTreeSet<PathBuf> {
    let mut s: BTreeSet<PathBuf> = [p(M1), p(M2)].into_iter().collect();
    s.extend(extra.iter().map(|x| p(x)));
    s
}

#[test]
fn a_migration_edit_re_checks_only_the_code_that_queries_what_changed() {
    let mut ws = project();
    let rules = |ws: &Workspace, f: &str| -> Vec<&'static str> {
        ws.check_file(Path::new(f)).iter().map(|f| f.rule).collect()
    };
    assert_eq!(
        rules(&ws, "/p/lib/orders.ts"),
        vec!["request-denied-by-rls"]
    );

    // a policy on orders: orders.ts and the SQL files, nothing else
    let m2 = "create policy \"read\" on public.orders for select to anon using (true);\n";
    assert_eq!(set(&mut ws, M2, m2), with_sql(&["/p/lib/orders.ts"]));
    assert!(rules(&ws, "/p/lib/orders.ts").is_empty());

    // a comment appended at the end changes no table: only the SQL files
    let m2b = format!("{m2}-- a note\n");
    assert_eq!(set(&mut ws, M2, &m2b), with_sql(&[]));

    // a line inserted at the top of the first migration moves the locations of its tables
    let m1 = format!("-- header\n{INIT}");
    assert_eq!(
        set(&mut ws, M1, &m1),
        with_sql(&["/p/lib/orders.ts", "/p/lib/profiles.ts"])
    );

    // a table the code queries appears
    let m2c = format!("{m2b}create table public.later (id int);\n");
    assert_eq!(set(&mut ws, M2, &m2c), with_sql(&["/p/lib/later.ts"]));

    // a rename: the old name disappears, the new one appears
    let m2d = format!("{m2c}alter table public.profiles rename to people;\n");
    assert_eq!(set(&mut ws, M2, &m2d), with_sql(&["/p/lib/profiles.ts"]));

    // RLS turned off on a table
    let m2e = format!("{m2d}alter table public.later disable row level security;\n");
    assert_eq!(set(&mut ws, M2, &m2e), with_sql(&["/p/lib/later.ts"]));

    // a function the code calls
    let m2f =
        format!("{m2e}create function public.do_thing(id int) returns void language sql as $$ select 1 $$;\n");
    assert_eq!(set(&mut ws, M2, &m2f), with_sql(&["/p/lib/rpc.ts"]));

    // a table dropped
    let m2g = format!("{m2f}drop table public.orders;\n");
    assert_eq!(set(&mut ws, M2, &m2g), with_sql(&["/p/lib/orders.ts"]));

    // a code edit is unaffected by all this: it returns the file itself
    let (path, text) = &scripts()[0];
    assert_eq!(
        set(&mut ws, path, &format!("{text}\n")),
        [p(path)].into_iter().collect()
    );
    // and the next migration edit recomputes that file's tables
    let m2h = format!("{m2g}create table public.orders (id int);\n");
    assert_eq!(set(&mut ws, M2, &m2h), with_sql(&["/p/lib/orders.ts"]));

    // a removed migration: the other SQL files and the code whose tables it touched
    let removed: BTreeSet<PathBuf> = ws.remove_file(Path::new(M2)).into_iter().collect();
    let mut want = with_sql(&[
        "/p/lib/orders.ts",
        "/p/lib/profiles.ts",
        "/p/lib/later.ts",
        "/p/lib/rpc.ts",
    ]);
    want.remove(&p(M2));
    assert_eq!(removed, want);
}

#[test]
fn a_new_supabase_project_re_checks_everything() {
    let mut ws = project();
    let changed = set(
        &mut ws,
        "/p/apps/b/supabase/migrations/1_b.sql",
        "create table public.b (id int);\n",
    );
    assert_eq!(changed, ws.files().into_iter().collect());
}

// ------------------------------------------------------------------ random edits vs a full re-check

const TABLES: &[&str] = &["t0", "t1", "t2", "t3", "t4"];

fn random_statement(r: &mut XorShift) -> String {
    let t = *r.pick(TABLES);
    let u = *r.pick(TABLES);
    let role = *r.pick(&["anon", "authenticated", "public", "service_role"]);
    let cmd = *r.pick(&["select", "insert", "update", "delete", "all"]);
    let name = r.below(4);
    match r.below(14) {
        0 | 1 => format!("create table public.{t} (id int, user_id uuid);"),
        2 => format!("drop table public.{t};"),
        3 => format!("alter table public.{t} rename to {u};"),
        4 | 5 => format!("alter table public.{t} enable row level security;"),
        6 => format!("alter table public.{t} disable row level security;"),
        7 | 8 => format!(
            "create policy \"p{name}\" on public.{t} for {cmd} to {role} using (true){};",
            if cmd == "select" || cmd == "delete" {
                ""
            } else {
                " with check (true)"
            }
        ),
        9 => format!("drop policy \"p{name}\" on public.{t};"),
        10 => format!("revoke {cmd} on public.{t} from {role};")
            .replace("revoke all", "revoke all privileges"),
        11 => {
            format!("create function public.f{name}() returns int language sql as $$ select 1 $$;")
        }
        12 => "create policy broken on".to_string(),
        _ => "-- a comment".to_string(),
    }
}

fn random_scripts(r: &mut XorShift) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for i in 0..8 {
        let t = *r.pick(TABLES);
        let body = match r.below(6) {
            0 => format!("return supabase.from('{t}').select('*')"),
            1 => format!("return supabase.from('{t}').insert({{ id }}).select()"),
            2 => format!("return supabase.from('{t}').update({{ id }}).eq('id', id)"),
            3 => format!("return supabase.from('{t}').delete().eq('id', id)"),
            4 => format!("return supabase.from('{t}').upsert({{ id }})"),
            _ => format!("return supabase.rpc('f{}')", r.below(4)),
        };
        let text = match r.below(3) {
            0 => anon_script(&body),
            1 => user_script(&body),
            _ => service_script(&body),
        };
        out.push((format!("/p/src/s{i}.ts"), text));
    }
    out
}

/// A workspace loaded from scratch.
fn full_workspace(files: &BTreeMap<String, String>) -> Workspace {
    let mut ws = Workspace::new(p(ROOT), Config::default());
    for (path, text) in files {
        ws.set_file(p(path), Arc::from(text.as_str()));
    }
    ws
}

/// Each project's root and model.
fn models(ws: &Workspace) -> Vec<(PathBuf, rlscope_sql::schema::SchemaModel)> {
    ws.projects()
        .projects
        .iter()
        .map(|p| (p.root.clone(), p.model.clone()))
        .collect()
}

/// Applies `steps` random migration edits, re-checking only what `set_file` returns (or, with `sql_only`, only
/// the SQL files among it), and returns how many times the kept findings differed from a full re-check.
fn run(seed: u64, steps: usize, sql_only: bool) -> usize {
    let mut r = XorShift(seed);
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    let migrations = [
        "/p/supabase/migrations/1_a.sql",
        "/p/supabase/migrations/2_b.sql",
        "/p/supabase/migrations/3_c.sql",
    ];
    for m in migrations {
        let lines: Vec<String> = (0..6).map(|_| random_statement(&mut r)).collect();
        files.insert(m.to_string(), lines.join("\n") + "\n");
    }
    files.extend(random_scripts(&mut r));
    let mut ws = Workspace::new(p(ROOT), Config::default());
    for (path, text) in &files {
        ws.set_file(p(path), Arc::from(text.as_str()));
    }
    let mut kept: BTreeMap<PathBuf, Vec<Finding>> = ws.check_all().into_iter().collect();
    let mut mismatches = 0;
    for step in 0..steps {
        let m = *r.pick(&migrations);
        let mut lines: Vec<String> = files[m].lines().map(str::to_string).collect();
        match r.below(4) {
            0 if !lines.is_empty() => {
                let i = r.below(lines.len());
                lines.remove(i);
            }
            1 => {
                // one character typed into a line
                let i = r.below(lines.len().max(1));
                if let Some(l) = lines.get_mut(i) {
                    let at = r.below(l.len() + 1);
                    if l.is_char_boundary(at) {
                        l.insert(at, *r.pick(&[' ', 'x', ';', '\n']));
                    }
                }
            }
            _ => {
                let i = r.below(lines.len() + 1);
                lines.insert(i, random_statement(&mut r));
            }
        }
        let text = lines.join("\n") + "\n";
        files.insert(m.to_string(), text.clone());
        let changed = ws.set_file(p(m), Arc::from(text.as_str()));
        for c in changed {
            if sql_only && c.extension().is_some_and(|e| e != "sql") {
                continue;
            }
            kept.insert(c.clone(), ws.check_file(&c));
        }
        let full_ws = full_workspace(&files);
        // the models rebuilt from the previous ones equal models built from nothing
        assert!(
            models(&ws) == models(&full_ws),
            "seed {seed} step {step}: the rebuilt models differ from a build from nothing"
        );
        let full: BTreeMap<PathBuf, Vec<Finding>> = full_ws.check_all().into_iter().collect();
        if kept != full {
            mismatches += 1;
            if !sql_only {
                for (path, want) in &full {
                    let got = kept.get(path).cloned().unwrap_or_default();
                    if &got != want {
                        eprintln!(
                            "seed {seed} step {step}: {} kept {:?}, full {:?}",
                            path.display(),
                            got.iter().map(|f| &f.message).collect::<Vec<_>>(),
                            want.iter().map(|f| &f.message).collect::<Vec<_>>()
                        );
                    }
                }
                eprintln!("{m}:\n{text}");
            }
        }
    }
    mismatches
}

#[test]
fn findings_after_random_migration_edits_equal_a_full_re_check() {
    let mut total = 0;
    for seed in 1..=12u64 {
        total += run(seed * 0x9E37_79B9, 40, false);
    }
    assert_eq!(total, 0, "incremental findings differ from a full re-check");
}

/// The oracle can fail: re-checking only the SQL files leaves stale findings in the code.
#[test]
fn the_oracle_sees_stale_code_findings() {
    let stale: usize = (1..=12u64).map(|s| run(s * 0x9E37_79B9, 40, true)).sum();
    assert!(
        stale > 0,
        "random edits never changed a code file's findings"
    );
}

/// A hostile migration beside the one that creates `orders`: the code's finding on `orders` stays, unless the
/// migration makes `orders` unknown (`\i`, `\connect`), which silences it — unknown never produces a finding.
#[test]
fn hostile_migrations_leave_other_files_findings_alone() {
    let rules = |ws: &Workspace, f: &str| -> Vec<&'static str> {
        ws.check_file(Path::new(f)).iter().map(|f| f.rule).collect()
    };
    let mut dump = String::from("SET statement_timeout = 0;\n");
    for i in 0..2000 {
        dump.push_str(&format!(
            "CREATE TABLE public.d{i} (id int, note text);\nCOPY public.d{i} (id, note) FROM stdin;\n\
             1\tcreate policy \"x\" on public.orders for select to anon using (true);\n\\.\n"
        ));
    }
    let cases: Vec<(&str, String, bool)> = vec![
        ("does not parse", "create policy \"oops\" on public.notes for select using (;\n".into(), true),
        // a relevant statement that names no object: PostgreSQL cannot have touched one
        ("does not parse, names nothing", "create table (;\n".into(), true),
        // one that reaches every table of a schema: any table may be touched
        ("does not parse, whole schema", "revoke select on all tables in schema public from anon x;\n".into(), false),
        ("DO block", "create table public.notes (id int);\ndo $$ begin execute 'alter table public.notes enable row level security'; end $$;\n".into(), true),
        // dynamic SQL whose target is known only at run time: any table may be touched
        ("DO block, dynamic", "do $$ declare t text; begin for t in select tablename from pg_tables loop execute format('alter table %I disable row level security', t); end loop; end $$;\n".into(), false),
        ("psql \\set", "\\set ON_ERROR_STOP on\n".into(), true),
        ("pg_dump data", dump, true),
        ("\\i include", "\\i seed.sql\n".into(), false),
        ("\\connect", "\\connect postgres\n".into(), false),
    ];
    for (what, text, stays) in cases {
        let mut ws = project();
        assert_eq!(
            rules(&ws, "/p/lib/orders.ts"),
            vec!["request-denied-by-rls"]
        );
        let t = std::time::Instant::now();
        let changed = set(&mut ws, M2, &text);
        let own = ws.check_file(Path::new(M2));
        assert!(
            t.elapsed() < std::time::Duration::from_secs(10),
            "{what}: {:?}",
            t.elapsed()
        );
        let after = rules(&ws, "/p/lib/orders.ts");
        if stays {
            assert_eq!(after, vec!["request-denied-by-rls"], "{what}");
        } else {
            assert!(after.is_empty(), "{what}: {after:?}");
            assert!(changed.contains(&p("/p/lib/orders.ts")), "{what}");
        }
        assert!(own.iter().all(|f| !f.message.is_empty()), "{what}");
    }
}
