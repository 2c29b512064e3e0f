//! The schema model through the language server: advisor diagnostics on a migration, a hover on a table name
//! showing its final state, and go to definition from a policy's table to its `CREATE TABLE`. Between code and
//! SQL: the hover on a request with what RLS does to it, go to definition from a table string or `rpc` name,
//! and the references of a table named in a migration.

mod common;

use common::*;
use serde_json::json;

const CREATE: &str = "create table public.notes (id bigint primary key, user_id uuid);\n";
const POLICY: &str = "alter table public.notes enable row level security;\n\
create policy \"own notes\" on public.notes for select to authenticated using (auth.uid() = user_id);\n";

#[tokio::test]
async fn advisor_diagnostic_hover_and_definition_on_a_table_name() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let create = write(
        &root,
        "supabase/migrations/20240101000000_notes.sql",
        CREATE,
    );
    let policy = write(&root, "supabase/migrations/20240102000000_rls.sql", POLICY);
    let mut h = Harness::new();
    h.initialize(Some(&root)).await;
    h.wait_for("index ready", |r| {
        r.method() == "$/progress" && r.params().unwrap()["value"]["kind"] == "end"
    })
    .await;
    let u = h.open(&policy, POLICY).await;
    // `auth.uid()` unwrapped in a policy: splinter's 0003, on the second line
    let d = h
        .diagnostics(&u, |p| {
            p["diagnostics"]
                .as_array()
                .is_some_and(|a| a.iter().any(|d| d["code"] == "auth-rls-initplan"))
        })
        .await;
    let initplan = d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "auth-rls-initplan")
        .unwrap();
    assert_eq!(initplan["range"]["start"]["line"], 1, "{d}");

    // the table name in `on public.notes`, line 1
    let col = POLICY.lines().nth(1).unwrap().find("public.notes").unwrap() + 8;
    let at =
        json!({"textDocument": {"uri": u.as_str()}, "position": {"line": 1, "character": col}});
    let r = h.request("textDocument/hover", at.clone()).await.unwrap();
    let md = r["contents"]["value"].as_str().unwrap_or_default();
    assert!(md.contains("public.notes"), "{r}");
    assert!(md.contains("Row level security: on"), "{r}");
    assert!(md.contains("own notes"), "{r}");
    assert!(md.contains("20240102000000_rls.sql"), "{r}");

    let r = h.request("textDocument/definition", at).await.unwrap();
    assert_eq!(r["uri"], uri(&create).as_str(), "{r}");
    // `public.notes` in `create table public.notes`, line 0
    assert_eq!(r["range"]["start"]["line"], 0, "{r}");
    assert_eq!(r["range"]["start"]["character"], 13, "{r}");
    assert_eq!(r["range"]["end"]["character"], 25, "{r}");

    // not on a table name: no definition
    let off = json!({"textDocument": {"uri": u.as_str()}, "position": {"line": 0, "character": 1}});
    assert!(h
        .request("textDocument/definition", off)
        .await
        .unwrap()
        .is_null());
}

const NOTES: &str = "create table public.notes (id bigint primary key, body text);\n\
alter table public.notes enable row level security;\n\
create policy \"Anyone adds notes\" on public.notes for insert to anon with check (true);\n\
create function public.bump_notes() returns void language sql as $$ select 1 $$;\n";
const CODE: &str = "import { createClient } from '@supabase/supabase-js'\n\
const supabase = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_ANON_KEY!)\n\
export const add = (body: string) => supabase.from('notes').insert({ body }).select()\n\
export const bump = () => supabase.rpc('bump_notes')\n";

/// `(line, character)` of `needle` in `text` plus `plus` characters (ASCII text).
fn pos(text: &str, needle: &str, plus: usize) -> (usize, usize) {
    let at = text.find(needle).unwrap() + plus;
    let line = text[..at].matches('\n').count();
    let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1);
    (line, col)
}

#[tokio::test]
async fn request_hover_definition_and_references_between_code_and_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let sql = write(&root, "supabase/migrations/20240101000000_notes.sql", NOTES);
    let code = write(&root, "lib/notes.ts", CODE);
    let mut h = Harness::new();
    let init = h.initialize(Some(&root)).await;
    assert_eq!(init["capabilities"]["referencesProvider"], true, "{init}");
    h.wait_for("index ready", |r| {
        r.method() == "$/progress" && r.params().unwrap()["value"]["kind"] == "end"
    })
    .await;
    let u = h.open(&code, CODE).await;
    let at = |(line, character): (usize, usize)| json!({"textDocument": {"uri": u.as_str()}, "position": {"line": line, "character": character}});

    // the hover on the table string: the insert is allowed for anon, reading it back is not
    let r = h
        .request("textDocument/hover", at(pos(CODE, "'notes'", 2)))
        .await
        .unwrap();
    let md = r["contents"]["value"].as_str().unwrap_or_default();
    assert!(
        md.contains("- as **anon**: INSERT: allowed by \"Anyone adds notes\" (supabase/migrations/20240101000000_notes.sql:3) · `.select()` after it: **denied** — no SELECT policy for anon"),
        "{r}"
    );

    // go to definition: the table string opens the CREATE TABLE, the rpc name the CREATE FUNCTION
    let r = h
        .request("textDocument/definition", at(pos(CODE, "'notes'", 2)))
        .await
        .unwrap();
    assert_eq!(r["uri"], uri(&sql).as_str(), "{r}");
    assert_eq!(
        r["range"]["start"],
        json!({"line": 0, "character": 13}),
        "{r}"
    );
    assert_eq!(
        r["range"]["end"],
        json!({"line": 0, "character": 25}),
        "{r}"
    );
    let r = h
        .request("textDocument/definition", at(pos(CODE, "bump_notes", 1)))
        .await
        .unwrap();
    assert_eq!(r["uri"], uri(&sql).as_str(), "{r}");
    let (line, character) = pos(NOTES, "public.bump_notes", 0);
    assert_eq!(
        r["range"]["start"],
        json!({"line": line, "character": character}),
        "{r}"
    );

    // references of `notes` in the migration: the request's table string (and the CREATE with the declaration)
    let s = h.open(&sql, NOTES).await;
    let (line, character) = pos(NOTES, "notes", 1);
    let refs = |include: bool| {
        json!({"textDocument": {"uri": s.as_str()}, "position": {"line": line, "character": character},
               "context": {"includeDeclaration": include}})
    };
    let r = h
        .request("textDocument/references", refs(false))
        .await
        .unwrap();
    let (cl, cc) = pos(CODE, "'notes'", 0);
    assert_eq!(
        r,
        json!([{"uri": u.as_str(), "range": {"start": {"line": cl, "character": cc},
                                          "end": {"line": cl, "character": cc + 7}}}]),
        "{r}"
    );
    let r = h
        .request("textDocument/references", refs(true))
        .await
        .unwrap();
    let all = r.as_array().unwrap();
    assert_eq!(all.len(), 2, "{r}");
    assert_eq!(all[0]["uri"], s.as_str(), "{r}");
    assert_eq!(
        all[0]["range"]["start"],
        json!({"line": 0, "character": 13}),
        "{r}"
    );
    // in code, references are not ours to answer
    let r = h
        .request("textDocument/references", json!({"textDocument": {"uri": u.as_str()}, "position": {"line": 2, "character": 40}, "context": {"includeDeclaration": true}}))
        .await
        .unwrap();
    assert_eq!(r, json!([]), "{r}");
}
