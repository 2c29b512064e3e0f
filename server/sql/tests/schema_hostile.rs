//! Hostile migrations against the schema model, the advisors and the `service-role-policy` rule: a statement
//! that does not parse, `DO` blocks, a 10 MB `pg_dump` file with `COPY … FROM stdin` data, psql meta-commands.
//! Each must be handled clearly (what cannot be read is *unknown*, with a reason), never crash, leave what
//! other files establish as it was, and finish in bounded time.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rlscope_sql::schema::{self, SchemaModel, SqlSource, Tri};

fn src(path: &str, text: &str) -> SqlSource {
    SqlSource {
        path: PathBuf::from(path),
        text: Arc::from(text),
    }
}

/// Model and advisors of `files`, in bounded time.
fn build(files: &[SqlSource], limit: Duration) -> SchemaModel {
    let t = Instant::now();
    let model = schema::build(files);
    let findings = rlscope_sql::advisors::check(&model, files);
    for f in files {
        rlscope_sql::check(&f.text);
    }
    assert!(
        t.elapsed() < limit,
        "took {:?} (limit {limit:?})",
        t.elapsed()
    );
    drop(findings);
    model
}

const GOOD: &str = "create table public.orders (id int, user_id uuid);\n\
alter table public.orders enable row level security;\n\
create policy \"own\" on public.orders for select to authenticated using ((select auth.uid()) = user_id);\n";

fn orders_known(m: &SchemaModel) {
    let t = m.table("public", "orders").expect("orders");
    assert!(!t.unknown, "{:?}", t.unknown_why);
    assert_eq!(t.rls, Tri::Yes);
    assert_eq!(t.policies.len(), 1);
}

#[test]
fn a_statement_that_does_not_parse_makes_only_its_table_unknown() {
    let broken = "create table public.notes (id int);\n\
create policy \"oops\" on public.notes for select using (;\n\
create table public.after (id int);\n\
alter table public.after enable row level security;\n";
    let m = build(
        &[
            src("/p/supabase/migrations/1_good.sql", GOOD),
            src("/p/supabase/migrations/2_broken.sql", broken),
        ],
        Duration::from_secs(10),
    );
    orders_known(&m);
    let notes = m.table("public", "notes").unwrap();
    assert!(
        notes.unknown,
        "a policy that could not be read leaves `notes` unknown"
    );
    assert!(notes.unknown_why.as_deref().is_some_and(|w| !w.is_empty()));
    assert!(!m.unreadable.is_empty());
    assert!(m.unreadable.iter().all(|u| !u.why.is_empty()));
    // the statements after the broken one are still read
    assert_eq!(m.table("public", "after").unwrap().rls, Tri::Yes);
}

#[test]
fn do_blocks_are_read_when_literal_and_unknown_when_dynamic() {
    let literal = "create table public.a (id int);\n\
do $$ begin execute 'alter table public.a enable row level security'; end $$;\n";
    let dynamic = "create table public.b (id int);\n\
do $$ declare t text; begin for t in select tablename from pg_tables loop \
execute format('alter table %I disable row level security', t); end loop; end $$;\n";
    let m = build(
        &[
            src("/p/supabase/migrations/1_good.sql", GOOD),
            src("/p/supabase/migrations/2_a.sql", literal),
        ],
        Duration::from_secs(10),
    );
    orders_known(&m);
    assert_eq!(m.table("public", "a").unwrap().rls, Tri::Yes);
    // a table name known only at run time: every table it may touch is unknown, never guessed
    let m = build(
        &[
            src("/p/supabase/migrations/1_good.sql", GOOD),
            src("/p/supabase/migrations/2_b.sql", dynamic),
        ],
        Duration::from_secs(10),
    );
    let b = m.table("public", "b").unwrap();
    assert!(b.unknown || b.rls == Tri::Unknown, "{b:?}");
    assert!(m.table("public", "orders").unwrap().unknown);
}

#[test]
fn psql_meta_commands() {
    // \set and \echo change nothing the model holds
    let set = "\\set ON_ERROR_STOP on\n\\echo hello\ncreate table public.s (id int);\n";
    let m = build(
        &[
            src("/p/supabase/migrations/1_good.sql", GOOD),
            src("/p/supabase/migrations/2_set.sql", set),
        ],
        Duration::from_secs(10),
    );
    orders_known(&m);
    assert!(!m.table("public", "s").unwrap().unknown);
    assert!(m.unreadable.is_empty());
    // \i and \connect are not followed: what existed before them can no longer be known, with the reason
    for cmd in [
        "\\i other.sql",
        "\\ir ../seed.sql",
        "\\connect other_db",
        "\\c postgres",
    ] {
        let text = format!("{cmd}\ncreate table public.later (id int);\n");
        let m = build(
            &[
                src("/p/supabase/migrations/1_good.sql", GOOD),
                src("/p/supabase/migrations/2_meta.sql", &text),
            ],
            Duration::from_secs(10),
        );
        let o = m.table("public", "orders").unwrap();
        assert!(o.unknown, "{cmd}");
        assert!(
            o.unknown_why
                .as_deref()
                .is_some_and(|w| w.contains(cmd.split(' ').next().unwrap())),
            "{cmd}: {:?}",
            o.unknown_why
        );
        assert!(!m.table("public", "later").unwrap().unknown, "{cmd}");
    }
}

/// A `pg_dump` of `target` bytes: preamble, tables, `COPY … FROM stdin` data whose rows look like SQL (a `;`,
/// quotes, backslashes, `create policy … to service_role`, `\.` inside a value), RLS and policies after the data.
fn pg_dump(target: usize) -> String {
    let mut s = String::from(
        "--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\nSET client_encoding = 'UTF8';\n\
SELECT pg_catalog.set_config('search_path', '', false);\n\\connect -reuse-previous=on \"dbname='postgres'\"\n\n",
    );
    let mut i = 0usize;
    while s.len() < target {
        let _ = write!(
            s,
            "CREATE TABLE public.t{i} (id bigint NOT NULL, note text);\n\
ALTER TABLE public.t{i} OWNER TO postgres;\n\
COPY public.t{i} (id, note) FROM stdin;\n"
        );
        for r in 0..200 {
            let _ = writeln!(
                s,
                "{r}\tcreate policy \"evil {r}\" on public.t{i} to service_role using (true); it's fine \\\\ done;\\.x"
            );
        }
        let _ = write!(
            s,
            "\\.\n\nALTER TABLE public.t{i} ENABLE ROW LEVEL SECURITY;\n\
CREATE POLICY \"read {i}\" ON public.t{i} FOR SELECT TO authenticated USING (true);\n\n"
        );
        i += 1;
    }
    s
}

#[test]
fn a_ten_megabyte_pg_dump() {
    let dump = pg_dump(10 << 20);
    assert!(dump.len() >= 10 << 20);
    let t = Instant::now();
    let findings = rlscope_sql::check(&dump);
    // the data rows are not SQL: no `service-role-policy` finding comes from them
    assert!(findings.is_empty(), "{:?}", findings.first());
    let m = build(
        &[src("/p/supabase/schemas/dump.sql", &dump)],
        Duration::from_secs(60),
    );
    eprintln!("10 MB pg_dump: checked and modelled in {:?}", t.elapsed());
    // `\connect -reuse-previous` comes before any table: every table after it is known
    let last = m.tables.iter().filter(|t| !t.managed).count() - 1;
    for name in ["t0".to_string(), format!("t{last}")] {
        let t = m.table("public", &name).unwrap();
        assert!(!t.unknown, "{name}: {:?}", t.unknown_why);
        assert_eq!(t.rls, Tri::Yes, "{name}");
        assert_eq!(
            t.policies.len(),
            1,
            "{name}: the policies in the data are not policies"
        );
        assert_eq!(t.policies[0].name, format!("read {}", &name[1..]));
    }
}

#[test]
fn a_dump_cut_inside_its_data_block() {
    // the `\.` never comes: the rest of the file is data, and reading stops there without a panic
    // (without its `\connect`, which would make the earlier migration's tables unknown)
    let mut dump = pg_dump(64 << 10).replacen(
        "\\connect -reuse-previous=on \"dbname='postgres'\"\n",
        "",
        1,
    );
    assert!(!dump.contains("\\connect"));
    let cut = dump.rfind("\\.\n").unwrap();
    dump.truncate(cut);
    let m = build(
        &[
            src("/p/supabase/migrations/1_good.sql", GOOD),
            src("/p/supabase/migrations/2_dump.sql", &dump),
        ],
        Duration::from_secs(10),
    );
    orders_known(&m);
    assert_eq!(m.table("public", "t0").unwrap().rls, Tri::Yes);
}
