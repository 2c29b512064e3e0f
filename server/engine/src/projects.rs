//! The schema model of each SQL project in the workspace, and Supabase's advisors on it.
//!
//! A project is a `supabase/` folder (`migrations/*.sql` by version, then `schemas/*.sql`); a SQL file outside
//! such a folder is a project of its own, except one in a folder below `supabase/migrations`, which the
//! Supabase CLI never applies (no project, no advisor findings). The models are built from the workspace's SQL texts on first use and
//! dropped when a SQL file changes; the statements of unchanged files are reused from a [`ModelCache`], so a
//! migration edit re-reads one file and replays the rest.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rlscope_core::Finding;
use rlscope_sql::schema::{self, ModelCache, SchemaModel, SqlSource};

/// One project and its model.
pub struct Project {
    /// The `supabase/` folder, or the SQL file itself for a file outside one.
    pub root: PathBuf,
    /// Whether `root` is a `supabase/` folder (only those are matched with the code beside them).
    pub supabase: bool,
    pub model: SchemaModel,
}

#[derive(Default)]
pub struct Projects {
    pub projects: Vec<Project>,
    by_file: HashMap<PathBuf, usize>,
    findings: HashMap<PathBuf, Vec<Finding>>,
}

/// Which project a SQL file belongs to: its `supabase/` folder, or the file itself.
pub fn project_key(path: &Path) -> (PathBuf, bool) {
    match schema::project_root(path) {
        Some(root) => (root.to_path_buf(), true),
        None => (path.to_path_buf(), false),
    }
}

impl Projects {
    /// Build every project's model and advisor findings from `(path, text)` of the workspace's SQL files,
    /// reusing `cache`'s statement lists for texts it has read before.
    pub fn build(sql: &[(PathBuf, Arc<str>)], cache: &mut ModelCache) -> Projects {
        type Key = (PathBuf, bool);
        let mut groups: HashMap<Key, Vec<&(PathBuf, Arc<str>)>> = HashMap::new();
        for f in sql {
            if schema::never_applied(&f.0) {
                continue;
            }
            groups.entry(project_key(&f.0)).or_default().push(f);
        }
        let mut keys: Vec<(PathBuf, bool)> = groups.keys().cloned().collect();
        keys.sort();
        let mut out = Projects::default();
        let mut used: Vec<Arc<str>> = Vec::new();
        for key in keys {
            let mine = &groups[&key];
            let paths: Vec<&Path> = mine.iter().map(|(p, _)| p.as_path()).collect();
            let sources: Vec<SqlSource> = schema::project_order(&paths)
                .into_iter()
                .filter_map(|p| {
                    mine.iter()
                        .find(|(q, _)| *q == p)
                        .map(|(_, text)| SqlSource {
                            path: p.clone(),
                            text: text.clone(),
                        })
                })
                .collect();
            let model = cache.build_more(&sources);
            for pf in rlscope_sql::advisors::check(&model, &sources) {
                out.findings
                    .entry(pf.path.to_path_buf())
                    .or_default()
                    .push(pf.finding);
            }
            let i = out.projects.len();
            for s in &sources {
                out.by_file.insert(s.path.clone(), i);
                used.push(s.text.clone());
            }
            out.projects.push(Project {
                root: key.0,
                supabase: key.1,
                model,
            });
        }
        cache.retain_texts(used.iter().map(|t| &**t));
        out
    }

    /// The project whose code `file` is: the deepest `supabase/` folder whose parent holds the file, else the
    /// only `supabase/` project of the workspace.
    pub fn for_file(&self, file: &Path) -> Option<&Project> {
        let supabase = || self.projects.iter().filter(|p| p.supabase);
        let inside = supabase()
            .filter(|p| p.root.parent().is_some_and(|dir| file.starts_with(dir)))
            .max_by_key(|p| p.root.components().count());
        match inside {
            Some(p) => Some(p),
            None if supabase().count() == 1 => supabase().next(),
            None => None,
        }
    }

    /// The project a SQL file was replayed into.
    pub fn of_sql_file(&self, path: &Path) -> Option<&Project> {
        self.by_file.get(path).map(|&i| &self.projects[i])
    }

    /// The advisors' findings that sit in `path`.
    pub fn findings(&self, path: &Path) -> Vec<Finding> {
        self.findings.get(path).cloned().unwrap_or_default()
    }

    /// The SQL files of the project `path` belongs to.
    pub fn files_of(&self, path: &Path) -> Vec<PathBuf> {
        let Some(&i) = self.by_file.get(path) else {
            return vec![path.to_path_buf()];
        };
        self.by_file
            .iter()
            .filter(|(_, &j)| j == i)
            .map(|(p, _)| p.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(sql: &[(PathBuf, Arc<str>)]) -> Projects {
        Projects::build(sql, &mut ModelCache::default())
    }

    #[test]
    fn one_model_per_supabase_folder_and_the_code_finds_its_own() {
        let sql = |p: &str, t: &str| (PathBuf::from(p), Arc::<str>::from(t));
        let projects = build(&[
            sql(
                "/r/apps/a/supabase/migrations/2_b.sql",
                "alter table public.t enable row level security;",
            ),
            sql(
                "/r/apps/a/supabase/migrations/1_a.sql",
                "create table public.t (id int);",
            ),
            sql(
                "/r/apps/b/supabase/schemas/s.sql",
                "create table public.u (id int);",
            ),
            sql("/r/db/dump.sql", "create table public.v (id int);"),
        ]);
        assert_eq!(projects.projects.len(), 3);
        let a = projects.for_file(Path::new("/r/apps/a/src/x.ts")).unwrap();
        // replayed in version order: the table exists before RLS is enabled on it
        assert_eq!(
            a.model.table("public", "t").unwrap().rls,
            rlscope_sql::schema::Tri::Yes
        );
        assert!(a.model.table("public", "u").is_none());
        let b = projects.for_file(Path::new("/r/apps/b/lib/y.ts")).unwrap();
        assert!(b.model.table("public", "u").is_some());
        // code outside both projects belongs to neither; a loose SQL file is nobody's schema
        assert!(projects.for_file(Path::new("/r/packages/z.ts")).is_none());
        assert!(projects.for_file(Path::new("/r/db/z.ts")).is_none());
        // a loose SQL file still gets the advisors: its table has RLS off in public
        let rules: Vec<&str> = projects
            .findings(Path::new("/r/db/dump.sql"))
            .iter()
            .map(|f| f.rule)
            .collect();
        assert_eq!(rules, vec!["rls-disabled-in-public"]);
        assert_eq!(
            projects.files_of(Path::new("/r/apps/b/supabase/schemas/s.sql")),
            vec![PathBuf::from("/r/apps/b/supabase/schemas/s.sql")]
        );
    }
}
