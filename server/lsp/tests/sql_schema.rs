//! The schema model through the language server: advisor diagnostics on a migration, a hover on a table name
//! showing its final state, and go to definition from a policy's table to its `CREATE TABLE`.

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
