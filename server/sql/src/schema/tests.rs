use super::*;

fn model(files: &[(&str, &str)]) -> SchemaModel {
    let sources: Vec<SqlSource> = files
        .iter()
        .map(|(p, t)| SqlSource {
            path: PathBuf::from(p),
            text: Arc::from(*t),
        })
        .collect();
    build(&sources)
}

fn one(sql: &str) -> SchemaModel {
    model(&[("m.sql", sql)])
}

#[test]
fn tables_rls_and_policies() {
    let sql = "create table public.todos (id int, user_id uuid);\n\
        alter table todos enable row level security;\n\
        create policy \"own\" on public.todos as restrictive for update to authenticated, anon \
        using ((select auth.uid()) = user_id) with check (true);\n\
        create policy p2 on todos using (true);";
    let m = one(sql);
    let t = m.table("public", "todos").unwrap();
    assert_eq!(t.rls, Tri::Yes);
    assert_eq!(t.forced, Tri::No);
    assert!(!t.unknown);
    assert_eq!(t.policies.len(), 2);
    let p = &t.policies[0];
    assert_eq!(p.name, "own");
    assert!(!p.permissive);
    assert_eq!(p.command, PolicyCommand::Update);
    assert_eq!(p.roles, vec!["authenticated", "anon"]);
    assert_eq!(p.using.as_deref(), Some("(select auth.uid()) = user_id"));
    let r = p.using_at.as_ref().unwrap().range;
    assert_eq!(&sql[r.as_usize()], "(select auth.uid()) = user_id");
    assert_eq!(&sql[p.name_at.range.as_usize()], "\"own\"");
    assert_eq!(p.with_check.as_deref(), Some("true"));
    let p2 = &t.policies[1];
    assert!(p2.permissive);
    assert_eq!(p2.command, PolicyCommand::All);
    assert_eq!(p2.roles, vec!["public"]);
    assert_eq!(t.grants.get("anon"), Privs::ALL);
    assert_eq!(
        &sql[t.rls_enabled_at.as_ref().unwrap().range.as_usize()],
        "alter table todos enable row level security;"
    );
}

#[test]
fn renames_drops_and_alters() {
    let m = model(&[
        (
            "supabase/migrations/1_a.sql",
            "create table a (x int); alter table a enable row level security;\n\
             create policy p on a for select using (true);\n\
             create table b (x int); create table c (x int);",
        ),
        (
            "supabase/migrations/2_b.sql",
            "alter table a rename to a2; alter table a2 set schema private;\n\
             alter policy p on private.a2 rename to q;\n\
             alter policy q on private.a2 to anon using (false);\n\
             drop table if exists b, nope;\n\
             alter table c disable row level security, force row level security;\n\
             drop policy if exists zz on c;",
        ),
    ]);
    assert!(m.table("public", "a").is_none());
    let a = m.table("private", "a2").unwrap();
    assert_eq!(a.policies[0].name, "q");
    assert_eq!(a.policies[0].roles, vec!["anon"]);
    assert_eq!(a.policies[0].using.as_deref(), Some("false"));
    assert_eq!(a.policies[0].altered_at.len(), 2);
    assert_eq!(a.renamed_at.len(), 2);
    assert!(m.table("public", "b").is_none());
    let c = m.table("public", "c").unwrap();
    assert_eq!((c.rls, c.forced), (Tri::No, Tri::Yes));
    assert!(!c.unknown);
    assert_eq!(m.dropped.len(), 1);
}

#[test]
fn grants_and_revokes() {
    let m = one(
        "create table t (x int); create table u (x int); create schema s; create table s.v (x int);\n\
         revoke all on table t from anon;\n\
         revoke insert, delete on public.u from authenticated;\n\
         grant select on t to anon;\n\
         grant update (x) on u to anon;\n\
         grant select on all tables in schema s to authenticated;\n\
         revoke grant option for select on u from anon;",
    );
    let t = m.table("public", "t").unwrap();
    assert_eq!(t.grants.get("anon"), Privs::SELECT);
    assert_eq!(t.grants.get("authenticated"), Privs::ALL);
    let u = m.table("public", "u").unwrap();
    assert_eq!(
        u.grants.get("authenticated"),
        Privs::ALL.minus(Privs::INSERT).minus(Privs::DELETE)
    );
    assert_eq!(u.grants.get("anon"), Privs::ALL);
    let v = m.table("s", "v").unwrap();
    assert_eq!(v.grants.get("anon"), Privs::NONE);
    assert_eq!(v.grants.get("authenticated"), Privs::SELECT);
}

#[test]
fn views_and_functions() {
    let m = one(
        "create view v1 as select * from auth.users;\n\
         create view v2 with (security_invoker = true) as select 1 from t join s.x on true;\n\
         create or replace view v2 as select 1;\n\
         create view v3 with (security_invoker) as select 1;\n\
         alter view v3 set (security_invoker = off);\n\
         create function f(uid uuid, n int default 1, out r text) returns text language sql security definer as $$ select 'a;b' $$;\n\
         create function g(double precision) returns int language plpgsql set search_path = '' as $$ begin return 1; end $$;\n\
         alter function g(float8) security definer;\n\
         revoke execute on function f(uuid, integer) from public, anon;\n\
         create function h() returns int language sql as 'select 1';\n\
         alter function h set search_path to public, extensions;\n\
         drop function if exists nope();",
    );
    let v1 = m.view("public", "v1").unwrap();
    assert_eq!(v1.security_invoker, Tri::No);
    assert!(v1.reads_table("auth", "users"));
    assert_eq!(m.view("public", "v2").unwrap().security_invoker, Tri::No);
    assert_eq!(m.view("public", "v3").unwrap().security_invoker, Tri::No);
    let f = m.function("public", "f").unwrap();
    assert_eq!(f.args, vec!["uuid", "integer"]);
    assert_eq!(f.security_definer, Tri::Yes);
    assert!(f.search_path.is_none());
    assert!(!f.executable_by("anon"));
    assert!(f.executable_by("authenticated"));
    let g = m.function("public", "g").unwrap();
    assert_eq!(g.args, vec!["double precision"]);
    assert_eq!(g.security_definer, Tri::Yes);
    assert_eq!(g.search_path.as_deref(), Some(""));
    assert!(g.executable_by("anon"));
    let h = m.function("public", "h").unwrap();
    assert_eq!(h.search_path.as_deref(), Some("public, extensions"));
}

#[test]
fn unknown_is_a_state() {
    // ALTER of a table no migration creates.
    let m = one("alter table profiles enable row level security;");
    let t = m.table("public", "profiles").unwrap();
    assert!(t.unknown);
    // A relevant statement that does not parse: its table is unknown.
    let m = one("create table t (x int); create policy p on t for frobnicate using (true);");
    assert!(m.table("public", "t").unwrap().unknown);
    // EXECUTE with a run-time table name: every table so far is unknown, later ones are not.
    let m = one("create table a (x int);\n\
         do $$ declare t text; begin for t in select 1 loop \
           execute format('alter table %I enable row level security', t); end loop; end $$;\n\
         create table b (x int);");
    assert!(m.table("public", "a").unwrap().unknown);
    assert!(!m.table("public", "b").unwrap().unknown);
    // EXECUTE with a literal table but a run-time policy name: that table only.
    let m = one("create table a (x int); create table b (x int);\n\
         do $$ begin execute format('create policy %I on public.a using (true)', current_user); end $$;");
    assert!(m.table("public", "a").unwrap().unknown);
    assert!(!m.table("public", "b").unwrap().unknown);
    // A static statement in a DO block is applied; a duplicate CREATE there is a no-op.
    let m = one(
        "create table a (x int);\n\
         do $$ begin if not exists (select 1) then create policy p on a using (true); end if; end $$;\n\
         do $$ begin create policy p on a using (false); exception when others then null; end $$;",
    );
    let a = m.table("public", "a").unwrap();
    assert!(!a.unknown);
    assert_eq!(a.policies.len(), 1);
    assert_eq!(a.policies[0].using.as_deref(), Some("true"));
    // \i includes are not followed: what exists before them is unknown.
    let m = one("create table a (x int);\n\\i other.sql\ncreate table b (x int);");
    assert!(m.table("public", "a").unwrap().unknown);
    assert!(!m.table("public", "b").unwrap().unknown);
    assert_eq!(m.unreadable.len(), 1);
}

#[test]
fn unreadable_statements_touch_what_they_name() {
    let base = "create table a (x int); create table b (x int);\n\
        create function public.f(uid uuid) returns int language sql as 'select 1';\n\
        create function public.g() returns int language sql as 'select 1';\n";
    let known = |m: &SchemaModel| {
        (
            !m.table("public", "a").unwrap().unknown,
            !m.table("public", "b").unwrap().unknown,
            !m.function("public", "f").unwrap().unknown,
            !m.function("public", "g").unwrap().unknown,
        )
    };
    // A policy with a broken `ON`: the objects it names (the table `a`).
    let m = one(&format!(
        "{base}create policy \"p\" onx public.a for select to anon using (true);"
    ));
    assert_eq!(known(&m), (false, true, true, true));
    // A broken role list: the function it names.
    let m = one(&format!(
        "{base}revoke execute on function public.f(uuid) from public,x anon;"
    ));
    assert_eq!(known(&m), (true, true, false, true));
    // ... but not when it reaches a whole schema, or cascades.
    let m = one(&format!(
        "{base}revoke execute on all functions in schema public from public,x anon;"
    ));
    assert_eq!(known(&m), (false, false, false, false));
    let m = one(&format!("{base}revoke select on a from anon x cascade;"));
    assert_eq!(known(&m), (false, false, false, false));
    // A broken view: that view, made unknown; a view reading it may not exist either.
    let m = one(&format!(
        "{base}create view v with (security_invoker = true) axs select * from a;\n\
         create view w as select * from v;\ncreate view z as select * from b;"
    ));
    assert_eq!(known(&m), (true, true, true, true));
    assert!(m.view("public", "v").unwrap().unknown);
    assert!(m.view("public", "w").unwrap().unknown);
    assert!(!m.view("public", "z").unwrap().unknown);
    // A broken function after its arguments: that function, made unknown.
    let m = one(&format!(
        "{base}create function public.h(int) returns int set search_p.ath = x language sql as 'select 1';"
    ));
    assert_eq!(known(&m), (true, true, true, true));
    assert!(m.function("public", "h").unwrap().unknown);
    // A broken ALTER VIEW through its name: the view, not a new table.
    let m = one("create view v as select 1;\nalter view v set (security_invoker = tru);");
    assert!(m.view("public", "v").unwrap().unknown);
    assert!(m.table("public", "v").is_none());
    // A broken CREATE TABLE: a later table of a name it holds is unknown (it may exist already).
    let m = one("create table ,c (x int);\ncreate table c (x int);\ncreate table d (x int);");
    assert!(m.table("public", "c").unwrap().unknown);
    assert!(!m.table("public", "d").unwrap().unknown);
    // A statement run into the next (`;` missing): what that one was to create may be missing.
    let m = one(&format!(
        "{base}create policy p on a for selectx using (true) create table c (x int);\n\
         alter table c rename to e;\ncreate view v as select * from e;"
    ));
    assert_eq!(known(&m), (false, true, true, true));
    assert!(m.view("public", "v").unwrap().unknown);
    // A GRANT list naming a missing object: PostgreSQL grants on none of them.
    let m = one(&format!(
        "{base}grant select on a, nope to anon;\ngrant select on b to anon;"
    ));
    assert_eq!(known(&m), (false, true, true, true));
}

#[test]
fn loops_over_literal_arrays_are_expanded() {
    // FOREACH over ARRAY[…]: one statement per value, each on its own table; nothing is unknown.
    let sql = "create table a (x int); create table b (x int); create table c (x int);\n\
         do $$ declare t text; begin\n\
           foreach t in array array['a', 'b'] loop\n\
             execute format('alter table public.%I enable row level security', t);\n\
             execute format('create policy %I on public.%I for select to authenticated using (true)', t || '_read', t);\n\
           end loop;\n\
         end $$;";
    let m = one(sql);
    for name in ["a", "b"] {
        let t = m.table("public", name).unwrap();
        assert!(!t.unknown, "{name}");
        assert_eq!(t.rls, Tri::Yes, "{name}");
        assert_eq!(t.policies.len(), 1);
        assert_eq!(t.policies[0].name, format!("{name}_read"));
        assert_eq!(t.policies[0].roles, vec!["authenticated"]);
        // The policy sits on the format string in the file.
        let at = t.policies[0].at.range;
        assert!(
            sql[at.as_usize()].contains("create policy %I"),
            "{}",
            &sql[at.as_usize()]
        );
    }
    let c = m.table("public", "c").unwrap();
    assert!(!c.unknown);
    assert_eq!(c.rls, Tri::No);
    assert!(m.unreadable.is_empty());
    // A declared array, `FOR … IN SELECT unnest(ARRAY[…])`, `||` chains and quote_ident.
    let m = one("create table a (x int); create table b (x int);\n\
         do $$ declare tables text[] := array['a']; t text; begin\n\
           foreach t in array tables loop execute 'alter table ' || quote_ident(t) || ' enable row level security'; end loop;\n\
           for t in select unnest(array['b']) loop execute format('alter table %s enable row level security', t); end loop;\n\
         end $$;");
    assert_eq!(m.table("public", "a").unwrap().rls, Tri::Yes);
    assert_eq!(m.table("public", "b").unwrap().rls, Tri::Yes);
    assert!(m.unreadable.is_empty());
    // `format()` with literal arguments only, outside any loop.
    let m = one("create table a (x int);\n\
         do $$ begin execute format('alter table %I.%I enable row level security', 'public', 'a'); end $$;");
    assert_eq!(m.table("public", "a").unwrap().rls, Tri::Yes);
    // A loop over rows of a query stays unknown.
    let m = one("create table a (x int);\n\
         do $$ declare t text; begin for t in select tablename from pg_tables loop\n\
           execute format('alter table %I enable row level security', t); end loop; end $$;");
    assert!(m.table("public", "a").unwrap().unknown);
}

#[test]
fn search_path_and_storage() {
    let m = one(
        "select pg_catalog.set_config('search_path', '', false);\n\
         create table public.t (x int);\n\
         set search_path to private, public;\n\
         create table u (x int);\n\
         alter table t enable row level security;\n\
         create policy \"read own\" on storage.objects for select to authenticated using (bucket_id = 'avatars');",
    );
    assert!(m.table("private", "u").is_some());
    assert_eq!(m.table("public", "t").unwrap().rls, Tri::Yes);
    let o = m.table("storage", "objects").unwrap();
    assert!(o.managed && !o.unknown);
    assert_eq!(o.policies.len(), 1);
}

#[test]
fn project_order_by_version_then_schemas() {
    let got = project_order(&[
        "supabase/schemas/b.sql",
        "supabase/migrations/20240102_x.sql",
        "supabase/schemas/a.sql",
        "supabase/migrations/20240101_y.sql",
        "supabase/migrations/3_z.sql",
    ]);
    let got: Vec<String> = got.iter().map(|p| p.display().to_string()).collect();
    assert_eq!(
        got,
        vec![
            "supabase/migrations/3_z.sql",
            "supabase/migrations/20240101_y.sql",
            "supabase/migrations/20240102_x.sql",
            "supabase/schemas/a.sql",
            "supabase/schemas/b.sql",
        ]
    );
    assert_eq!(
        project_root(Path::new("apps/web/supabase/migrations/1_a.sql")),
        Some(Path::new("apps/web/supabase"))
    );
    assert_eq!(project_root(Path::new("db/x.sql")), None);
}

#[test]
fn cache_rereads_only_changed_files() {
    let mut cache = ModelCache::default();
    let a = SqlSource {
        path: "1_a.sql".into(),
        text: Arc::from("create table a (x int);"),
    };
    let mut b = SqlSource {
        path: "2_b.sql".into(),
        text: Arc::from("alter table a enable row level security;"),
    };
    let m = cache.build(&[a.clone(), b.clone()]);
    assert_eq!(m.table("public", "a").unwrap().rls, Tri::Yes);
    let first = cache.statements(&a.text);
    b.text = Arc::from("alter table a disable row level security;");
    let m = cache.build(&[a.clone(), b]);
    assert_eq!(m.table("public", "a").unwrap().rls, Tri::No);
    assert!(Arc::ptr_eq(&first, &cache.statements(&a.text)));
}

#[test]
fn quoted_type_names_normalize_like_unquoted_ones() {
    use super::stmt::normalize_type;
    assert_eq!(normalize_type("\"uuid\""), "uuid");
    assert_eq!(normalize_type("\"public\".\"uuid\"[]"), "uuid[]");
    assert_eq!(
        normalize_type("\"timestamptz\""),
        "timestamp with time zone"
    );
    let m = one(
        "create function public.f(a \"uuid\", b uuid) returns void language sql as $$ select $$;",
    );
    assert_eq!(m.functions[0].signature(), "public.f(uuid, uuid)");
}
