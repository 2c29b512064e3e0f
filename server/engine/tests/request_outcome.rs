//! Requests and the project's SQL, in the editor: the hover on a request adds what row level security does to
//! it per role it may run as (from the project's migrations), and says no more than "not known" for a table the
//! project's SQL does not create; go to definition from a table string or `rpc` name to its `CREATE`; the
//! references of a table named in SQL are the requests that touch it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rlscope_core::config::Config;
use rlscope_engine::{LoadOptions, Workspace};

fn example() -> (Workspace, PathBuf) {
    let root = std::fs::canonicalize(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/nextjs-supabase"),
    )
    .unwrap();
    let mut ws = Workspace::new(root.clone(), Config::default());
    let errors = ws.load_paths(std::slice::from_ref(&root), &LoadOptions::default());
    assert!(errors.is_empty(), "{errors:?}");
    (ws, root)
}

/// The hover's outcome part: everything after the role sentence (its first paragraph).
fn outcome_part(md: &str) -> &str {
    md.split_once("\n\n").map_or("", |(_, rest)| rest)
}

#[test]
fn hover_on_the_example_requests_shows_the_outcome_per_role() {
    let (ws, root) = example();
    let actions = root.join("app/notes/actions.ts");
    let text = ws.source(&actions).unwrap();
    // on `.from` of the insert: the cookie client runs as anon or as the signed-in user
    let at = text.find(".from('notes').insert").unwrap() as u32 + 2;
    let h = ws.hover(&actions, at).expect("hover on the insert");
    insta::assert_snapshot!("notes_insert_select", outcome_part(&h.markdown));
    // on the table string and on the filter: the same request
    for needle in ["'notes').update", ".eq('id', id)"] {
        let at = text.find(needle).unwrap() as u32 + 2;
        let h = ws.hover(&actions, at).expect(needle);
        insta::assert_snapshot!("notes_update_filtered", outcome_part(&h.markdown));
    }
}

#[test]
fn hover_on_a_service_role_request_and_an_rpc() {
    let root = PathBuf::from("/p");
    let mut ws = Workspace::new(root.clone(), Config::default());
    ws.set_file(
        root.join("supabase/migrations/20240101000000_orders.sql"),
        Arc::from(
            "create table public.orders (id bigint primary key, user_id uuid);\n\
             alter table public.orders enable row level security;\n\
             create policy \"Users insert own orders\" on public.orders\n  for insert to authenticated with check ((select auth.uid()) = user_id);\n\
             create function public.place_order(total numeric) returns void language sql security definer set search_path = '' as $$ select 1 $$;\n\
             revoke execute on function public.place_order(numeric) from public, anon;\n",
        ),
    );
    let code = root.join("lib/a.ts");
    let text = "import { createClient } from '@supabase/supabase-js'\n\
const admin = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!)\n\
const user = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_ANON_KEY!, { global: { headers: { Authorization: req.headers.get('Authorization')! } } })\n\
export const a = () => admin.from('orders').select()\n\
export const b = () => user.from('orders').insert({ total: 1 }).select()\n\
export const c = () => user.rpc('place_order', { total: 1 })\n\
export const d = () => user.from('customers').select()\n";
    ws.set_file(code.clone(), Arc::from(text));
    let hover = |needle: &str| {
        let at = text.find(needle).unwrap() as u32 + 1;
        ws.hover(&code, at)
            .unwrap_or_else(|| panic!("no hover on {needle}"))
            .markdown
    };
    let md = hover("from('orders').select");
    assert!(md.contains("- as **service_role**: bypasses RLS"), "{md}");
    let md = hover("from('orders').insert");
    assert!(
        md.contains("- as **authenticated**: INSERT: allowed by \"Users insert own orders\" (supabase/migrations/20240101000000_orders.sql:3) when `(select auth.uid()) = user_id` · `.select()` after it: **denied** — no SELECT policy for authenticated, so it fails with error 42501"),
        "{md}"
    );
    let md = hover("rpc('place_order'");
    assert!(
        md.contains("`public.place_order(numeric)` (supabase/migrations/20240101000000_orders.sql:5) · SECURITY DEFINER"),
        "{md}"
    );
    assert!(
        md.contains("- as **authenticated**: may execute it"),
        "{md}"
    );
    // a table the project's SQL does not create: not known, and no role line claims anything
    let md = hover("from('customers')");
    assert!(
        md.contains("`public.customers` is not created in the project's SQL: what RLS does to this request is not known."),
        "{md}"
    );
    assert!(!md.contains("- as "), "{md}");
}

#[test]
fn no_outcome_without_a_supabase_project() {
    let root = PathBuf::from("/q");
    let mut ws = Workspace::new(root.clone(), Config::default());
    let code = root.join("a.ts");
    let text = "import { createClient } from '@supabase/supabase-js'\n\
const admin = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!)\n\
export const a = () => admin.from('orders').select()\n";
    ws.set_file(code.clone(), Arc::from(text));
    let at = text.find("from('orders')").unwrap() as u32 + 1;
    let md = ws.hover(&code, at).expect("role hover").markdown;
    assert!(md.contains("service_role"), "{md}");
    assert!(!md.contains("orders"), "{md}");
    // on the table string of a request, with no project: no hover claims an outcome
    let at = text.find("'orders'").unwrap() as u32 + 2;
    assert!(ws
        .hover(&code, at)
        .is_none_or(|h| !h.markdown.contains("RLS on")));
}

fn text_at(ws: &Workspace, path: &Path, range: rlscope_core::TextRange) -> String {
    ws.source(path).unwrap()[range.as_usize()].to_string()
}

#[test]
fn definition_and_references_between_requests_and_migrations() {
    let (ws, root) = example();
    let actions = root.join("app/notes/actions.ts");
    let migration = root.join("supabase/migrations/20240105000000_notes.sql");
    let text = ws.source(&actions).unwrap();
    // the table string opens the CREATE TABLE
    let at = text.find("'notes').insert").unwrap() as u32 + 3;
    let (path, range) = ws.definition(&actions, at).expect("definition of 'notes'");
    assert_eq!(path, migration);
    assert_eq!(text_at(&ws, &path, range), "public.notes");
    // elsewhere in the request (the command) there is nothing to open
    let at = text.find("insert(").unwrap() as u32 + 1;
    assert_eq!(ws.definition(&actions, at), None);

    // references of `notes` in `create table public.notes`: the two requests of the actions, the two of the
    // visitors' queries
    let sql = ws.source(&migration).unwrap();
    let at = sql.find("public.notes").unwrap() as u32 + 9;
    let refs = ws.references(&migration, at, false);
    let shown: Vec<(String, String)> = refs
        .iter()
        .map(|(p, r)| {
            (
                p.strip_prefix(&root).unwrap().display().to_string(),
                text_at(&ws, p, *r),
            )
        })
        .collect();
    assert_eq!(
        shown,
        vec![
            ("app/notes/actions.ts".to_string(), "'notes'".to_string()),
            ("app/notes/actions.ts".to_string(), "'notes'".to_string()),
            ("app/public/queries.ts".to_string(), "'notes'".to_string()),
            ("app/public/queries.ts".to_string(), "'notes'".to_string()),
        ]
    );
    assert!(refs[0].1.start < refs[1].1.start);
    // with the declaration: the CREATE TABLE's name first
    let with = ws.references(&migration, at, true);
    assert_eq!(with.len(), 5);
    assert_eq!(with[0].0, migration);
    assert_eq!(text_at(&ws, &with[0].0, with[0].1), "public.notes");
    // the admin client's insert, through an imported client, in another folder
    let log = root.join("supabase/migrations/20240102000000_audit_log.sql");
    let sql = ws.source(&log).unwrap();
    let at = sql.find("public.audit_log").unwrap() as u32 + 8;
    let refs = ws.references(&log, at, false);
    assert_eq!(refs.len(), 1, "{refs:?}");
    assert_eq!(refs[0].0, root.join("app/api/admin/invite/route.ts"));
    // not on a name: nothing
    assert!(ws.references(&log, 0, true).is_empty());
}

#[test]
fn definition_of_an_rpc_and_references_of_a_function() {
    let root = PathBuf::from("/p");
    let mut ws = Workspace::new(root.clone(), Config::default());
    let sql_path = root.join("supabase/migrations/20240101000000_fn.sql");
    let sql = "create table private.orders (id bigint primary key);\n\
               create function public.place_order(total numeric) returns void language sql as $$ select 1 $$;\n";
    ws.set_file(sql_path.clone(), Arc::from(sql));
    let code = root.join("lib/a.ts");
    let text = "import { createClient } from '@supabase/supabase-js'\n\
const c = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_ANON_KEY!)\n\
export const a = () => c.rpc('place_order', { total: 1 })\n\
export const b = () => c.schema('private').from('orders').select()\n\
export const d = () => c.from('orders').select()\n";
    ws.set_file(code.clone(), Arc::from(text));
    let at = text.find("place_order").unwrap() as u32 + 2;
    let (path, range) = ws.definition(&code, at).expect("definition of the rpc");
    assert_eq!(path, sql_path);
    assert_eq!(&sql[range.as_usize()], "public.place_order");
    // `.schema('private')` decides the table: only the first `orders` request is private.orders
    let at = text.find("'orders').select").unwrap() as u32 + 2;
    let (_, range) = ws.definition(&code, at).expect("private.orders");
    assert_eq!(&sql[range.as_usize()], "private.orders");
    let at = text.rfind("'orders'").unwrap() as u32 + 2;
    assert_eq!(
        ws.definition(&code, at),
        None,
        "public.orders is not created"
    );
    let at = sql.find("orders").unwrap() as u32 + 1;
    let refs = ws.references(&sql_path, at, false);
    assert_eq!(refs.len(), 1, "{refs:?}");
    assert_eq!(&text[refs[0].1.as_usize()], "'orders'");
    assert_eq!(refs[0].1.start, text.find("'orders'").unwrap() as u32);
    let at = sql.find("place_order").unwrap() as u32 + 1;
    let refs = ws.references(&sql_path, at, false);
    assert_eq!(refs.len(), 1, "{refs:?}");
    assert_eq!(&text[refs[0].1.as_usize()], "'place_order'");
}
