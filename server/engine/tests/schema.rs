//! The project's schema through the Workspace: advisor findings on migrations, rebuilt when one migration
//! changes; hover on a table name in SQL; go to definition from a policy's table to its CREATE TABLE.

use std::path::PathBuf;
use std::sync::Arc;

use rlscope_core::config::Config;
use rlscope_engine::Workspace;

fn ws() -> (Workspace, PathBuf, PathBuf) {
    let root = PathBuf::from("/p");
    let mut ws = Workspace::new(root.clone(), Config::default());
    let a = root.join("supabase/migrations/20240101000000_a.sql");
    let b = root.join("supabase/migrations/20240102000000_b.sql");
    ws.set_file(
        a.clone(),
        Arc::from("create table public.notes (id bigint primary key, user_id uuid);\n"),
    );
    ws.set_file(
        b.clone(),
        Arc::from("alter table public.notes enable row level security;\n"),
    );
    (ws, a, b)
}

fn rules(ws: &Workspace, p: &std::path::Path) -> Vec<&'static str> {
    ws.check_file(p).iter().map(|f| f.rule).collect()
}

#[test]
fn a_migration_edit_rebuilds_the_project() {
    let (mut ws, a, b) = ws();
    // RLS enabled in the second migration, no policy: the finding sits on the ENABLE.
    assert_eq!(rules(&ws, &a), Vec::<&str>::new());
    assert_eq!(rules(&ws, &b), vec!["rls-enabled-no-policy"]);
    // Editing the second migration changes the first one's findings too.
    let changed = ws.set_file(b.clone(), Arc::from("-- nothing yet\n"));
    assert!(changed.contains(&b), "{changed:?}");
    assert_eq!(rules(&ws, &a), vec!["rls-disabled-in-public"]);
    assert!(rules(&ws, &b).is_empty());
    let changed = ws.set_file(
        b.clone(),
        Arc::from(
            "alter table public.notes enable row level security;\n\
             create policy p on public.notes for select to authenticated using (auth.uid() = user_id);\n",
        ),
    );
    assert!(changed.contains(&b), "{changed:?}");
    assert!(rules(&ws, &a).is_empty());
    assert_eq!(rules(&ws, &b), vec!["auth-rls-initplan"]);
}

#[test]
fn hover_and_definition_on_a_table_name() {
    let (mut ws, a, b) = ws();
    let text = "alter table public.notes enable row level security;\n\
                create policy \"own\" on public.notes for select to authenticated using ((select auth.uid()) = user_id);\n";
    ws.set_file(b.clone(), Arc::from(text));
    let at = text.rfind("notes").unwrap() as u32 + 2;
    let h = ws.hover(&b, at).expect("hover on the policy's table");
    assert!(
        h.markdown.contains("table `public.notes`"),
        "{}",
        h.markdown
    );
    assert!(
        h.markdown.contains("Row level security: on"),
        "{}",
        h.markdown
    );
    assert!(h.markdown.contains("- SELECT: \"own\""), "{}", h.markdown);
    assert!(h.markdown.contains("- INSERT: none"), "{}", h.markdown);
    let (path, range) = ws.definition(&b, at).expect("definition");
    assert_eq!(path, a);
    let src = ws.source(&a).unwrap();
    assert_eq!(&src[range.as_usize()], "public.notes");
    // Not on a table name: nothing.
    assert!(ws.hover(&b, 2).is_none());
}

#[test]
fn hover_inside_a_multi_byte_character_is_safe() {
    let (mut ws, _a, b) = ws();
    let text = "-- ఀ notes\nalter table public.notes enable row level security;\n";
    ws.set_file(b.clone(), Arc::from(text));
    for offset in 0..text.len() as u32 {
        let _ = ws.hover(&b, offset);
        let _ = ws.definition(&b, offset);
    }
}

#[test]
fn sql_below_the_migrations_folder_is_never_applied() {
    let root = PathBuf::from("/p");
    let mut ws = Workspace::new(root.clone(), Config::default());
    let sql = "create table public.old_notes (id bigint primary key);\n";
    // A backup folder inside supabase/migrations: the CLI never applies it, so no advisor speaks.
    let backup = root.join("supabase/migrations/_backup/20240101000000_old.sql");
    ws.set_file(backup.clone(), Arc::from(sql));
    assert!(rules(&ws, &backup).is_empty());
    // The same SQL as a migration, or as a file of its own elsewhere, is checked.
    let migration = root.join("supabase/migrations/20240101000000_old.sql");
    ws.set_file(migration.clone(), Arc::from(sql));
    assert_eq!(rules(&ws, &migration), vec!["rls-disabled-in-public"]);
    let standalone = root.join("db/schema.sql");
    ws.set_file(standalone.clone(), Arc::from(sql));
    assert_eq!(rules(&ws, &standalone), vec!["rls-disabled-in-public"]);
}
