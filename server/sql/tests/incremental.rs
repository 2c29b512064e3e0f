//! A rebuild after one file changed (`incremental::rebuild`, which replays only the statements that can reach
//! what the file touches) equals a build from nothing: the model, the advisors' findings, and the statement
//! positions it keeps for the next rebuild. Over generated migration sequences split into several files, with
//! random edits: lines deleted, duplicated or moved, statements inserted (renames, drops, policies, grants on
//! whole schemas, default privileges, `search_path`, SQL that cannot be read, `\i`), characters typed or deleted.

mod pg_generate;

use std::path::PathBuf;
use std::sync::Arc;

use rlscope_sql::schema::incremental::{self, Built};
use rlscope_sql::schema::{self, ModelCache, SqlSource};
use rlscope_testkit::XorShift;

const EXTRA: &[&str] = &[
    "create policy broken on",
    "create table (;",
    "create function (;",
    "\\i seed.sql",
    "\\set ON_ERROR_STOP on",
    "do $$ begin execute 'alter table public.t0 enable row level security'; end $$;",
    "set search_path = app, public;",
    "select pg_catalog.set_config('search_path', '', false);",
    "grant select on all tables in schema public to anon;",
    "revoke all on all functions in schema public from anon;",
    "alter default privileges in schema public revoke all on tables from anon, authenticated;",
    "alter default privileges in schema public grant select on tables to anon;",
    "create table public.t0 (id int);",
    "create table if not exists t1 (id int);",
    "alter table public.t0 rename to t1;",
    "alter table t1 rename to t0;",
    "drop table if exists public.t0 cascade;",
    "create view public.v0 as select * from public.t0 join t1 on true;",
    "create policy \"p\" on public.t0 for select to anon using (true);",
    "alter table public.t0 enable row level security;",
    "create function public.f0() returns int language sql security definer as $$ select 1 $$;",
    "alter function public.f0() rename to f1;",
    "drop function if exists public.f1();",
    "grant select on public.t0, public.t1 to anon;",
    // SQL that cannot be read but names what it may touch
    "create policy \"p\" onx public.t0 for select to anon using (true);",
    "create view public.v0 with (security_invoker = tru) axs select * from public.t0;",
    "create view public.v1 as select * from public.v0;",
    "revoke execute on function public.f0() from public,x anon;",
    "create function public.f0() returns int set search_p.ath = x language sql as $$ select 1 $$;",
    "create policy \"p\" on public.t0 for selectx using (true) create table public.t2 (id int);",
    "create table ,public.t2 (id int);",
    "alter table t2 rename to t0;",
];

fn sources(files: &[(String, String)]) -> Vec<SqlSource> {
    let paths: Vec<PathBuf> = files.iter().map(|(p, _)| PathBuf::from(p)).collect();
    schema::project_order(&paths)
        .into_iter()
        .map(|p| {
            let text = &files
                .iter()
                .find(|(q, _)| std::path::Path::new(q) == p)
                .unwrap()
                .1;
            SqlSource {
                path: p,
                text: Arc::from(text.as_str()),
            }
        })
        .collect()
}

fn same(a: &Built, b: &Built) -> bool {
    let findings = |x: &Built| -> Vec<String> {
        x.state
            .findings()
            .iter()
            .map(|f| {
                format!(
                    "{:?} {:?} {} {} {:?}",
                    f.path, f.finding, f.object, f.name, f.lints
                )
            })
            .collect()
    };
    a.model == b.model && findings(a) == findings(b) && a.state.same_replay(&b.state)
}

/// A random one-file edit of `files`.
fn edit(r: &mut XorShift, files: &mut [(String, String)], pool: &[String]) {
    let k = r.below(files.len());
    let mut lines: Vec<String> = files[k].1.lines().map(str::to_string).collect();
    match r.below(7) {
        0 if !lines.is_empty() => {
            lines.remove(r.below(lines.len()));
        }
        1 if !lines.is_empty() => {
            let l = lines[r.below(lines.len())].clone();
            lines.insert(r.below(lines.len() + 1), l);
        }
        2 => {
            let l = EXTRA[r.below(EXTRA.len())].to_string();
            lines.insert(r.below(lines.len() + 1), l);
        }
        3 if !pool.is_empty() => {
            let l = pool[r.below(pool.len())].clone();
            lines.insert(r.below(lines.len() + 1), l);
        }
        4 => {
            // one character deleted somewhere
            let i = r.below(lines.len());
            if let Some(l) = lines.get_mut(i) {
                let at = r.below(l.len());
                if at < l.len() && l.is_char_boundary(at) {
                    l.remove(at);
                }
            }
        }
        _ => {
            // one character typed somewhere
            let i = r.below(lines.len());
            if let Some(l) = lines.get_mut(i) {
                let at = r.below(l.len() + 1);
                if l.is_char_boundary(at) {
                    let c = [' ', 'x', ';', '\n', '"', '(', ',', '.', '='][r.below(9)];
                    l.insert(at, c);
                }
            }
        }
    }
    files[k].1 = lines.join("\n") + "\n";
}

#[test]
fn a_rebuild_after_random_edits_equals_a_build_from_nothing() {
    let (mut steps, mut replayed_part, mut changed) = (0, 0, 0);
    for seed in 0..120u64 {
        let mut r = XorShift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let lines: Vec<String> = pg_generate::sequence(seed)
            .into_iter()
            .flat_map(|(_, t)| t.lines().map(str::to_string).collect::<Vec<_>>())
            .collect();
        let n = 2 + (seed as usize % 4);
        let per = lines.len().div_ceil(n).max(1);
        let mut files: Vec<(String, String)> = lines
            .chunks(per)
            .enumerate()
            .map(|(k, c)| {
                (
                    format!("/p/supabase/migrations/{:04}_{k}.sql", k + 1),
                    c.join("\n") + "\n",
                )
            })
            .collect();
        let mut cache = ModelCache::default();
        let mut built = incremental::build(&sources(&files), &mut cache);
        assert_eq!(
            built.model,
            schema::build(&sources(&files)),
            "seed {seed}: the build keeping statement positions is the plain build"
        );
        for step in 0..30 {
            edit(&mut r, &mut files, &lines);
            let srcs = sources(&files);
            let next = incremental::rebuild(&built.model, &built.state, &srcs, &mut cache);
            let full = incremental::build(&srcs, &mut ModelCache::default());
            assert!(
                same(&next, &full),
                "seed {seed} step {step}: the rebuild differs from a build from nothing\n\
                 rebuilt: {:#?}\nfull: {:#?}\nfiles: {files:#?}",
                next.model,
                full.model
            );
            steps += 1;
            replayed_part += next.recomputed.is_some() as usize;
            changed += (full.model != built.model) as usize;
            built = next;
        }
    }
    eprintln!("{steps} edits: {replayed_part} rebuilt in part, {changed} changed the model");
    // the comparison is not vacuous: most edits change the model, and most are rebuilt in part
    assert!(changed * 3 > steps, "{changed} of {steps}");
    assert!(replayed_part * 2 > steps, "{replayed_part} of {steps}");
}

/// A test of the test: rebuilding from a model that does not match the kept state (the model of two edits
/// ago) is caught by the comparison.
#[test]
fn a_wrong_rebuild_is_caught() {
    let mut caught = 0;
    for seed in 0..40u64 {
        let mut r = XorShift(seed | 1);
        let lines: Vec<String> = pg_generate::sequence(seed)
            .into_iter()
            .flat_map(|(_, t)| t.lines().map(str::to_string).collect::<Vec<_>>())
            .collect();
        let per = lines.len().div_ceil(3).max(1);
        let mut files: Vec<(String, String)> = lines
            .chunks(per)
            .enumerate()
            .map(|(k, c)| (format!("/p/supabase/migrations/{k}_m.sql"), c.join("\n")))
            .collect();
        let mut cache = ModelCache::default();
        let mut older = incremental::build(&sources(&files), &mut cache);
        edit(&mut r, &mut files, &lines);
        let mut built = incremental::build(&sources(&files), &mut cache);
        for _ in 0..10 {
            edit(&mut r, &mut files, &lines);
            let srcs = sources(&files);
            let wrong = incremental::rebuild(&older.model, &built.state, &srcs, &mut cache);
            let full = incremental::build(&srcs, &mut ModelCache::default());
            caught += !same(&wrong, &full) as usize;
            older = built;
            built = full;
        }
    }
    assert!(
        caught > 0,
        "a rebuild from the wrong model was never caught"
    );
}
