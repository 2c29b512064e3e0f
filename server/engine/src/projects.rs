//! The schema model of each Supabase project in the workspace (`<dir>/supabase/migrations/*.sql`, then
//! `<dir>/supabase/schemas/*.sql`), built from the workspace's SQL texts on first use and dropped when a SQL
//! file changes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rlscope_sql::schema::{self, SchemaModel, SqlSource};

/// One `supabase/` folder and its model.
pub struct Project {
    /// The `supabase/` folder.
    pub root: PathBuf,
    pub model: SchemaModel,
}

#[derive(Default)]
pub struct Projects {
    pub projects: Vec<Project>,
}

impl Projects {
    /// Build every project's model from `(path, text)` of the workspace's SQL files.
    pub fn build(sql: &[(PathBuf, Arc<str>)]) -> Projects {
        let mut roots: Vec<PathBuf> = sql
            .iter()
            .filter_map(|(p, _)| schema::project_root(p).map(Path::to_path_buf))
            .collect();
        roots.sort();
        roots.dedup();
        let projects = roots
            .into_iter()
            .map(|root| {
                let mine: Vec<&(PathBuf, Arc<str>)> = sql
                    .iter()
                    .filter(|(p, _)| schema::project_root(p) == Some(root.as_path()))
                    .collect();
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
                Project {
                    root,
                    model: schema::build(&sources),
                }
            })
            .collect();
        Projects { projects }
    }

    /// The project whose code `file` is: the deepest `supabase/` folder whose parent holds the file, else the
    /// only project of the workspace.
    pub fn for_file(&self, file: &Path) -> Option<&Project> {
        let inside = self
            .projects
            .iter()
            .filter(|p| p.root.parent().is_some_and(|dir| file.starts_with(dir)))
            .max_by_key(|p| p.root.components().count());
        match inside {
            Some(p) => Some(p),
            None if self.projects.len() == 1 => self.projects.first(),
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_model_per_supabase_folder_and_the_code_finds_its_own() {
        let sql = |p: &str, t: &str| (PathBuf::from(p), Arc::<str>::from(t));
        let projects = Projects::build(&[
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
        ]);
        assert_eq!(projects.projects.len(), 2);
        let a = projects.for_file(Path::new("/r/apps/a/src/x.ts")).unwrap();
        // replayed in version order: the table exists before RLS is enabled on it
        assert_eq!(
            a.model.table("public", "t").unwrap().rls,
            rlscope_sql::schema::Tri::Yes
        );
        assert!(a.model.table("public", "u").is_none());
        let b = projects.for_file(Path::new("/r/apps/b/lib/y.ts")).unwrap();
        assert!(b.model.table("public", "u").is_some());
        // code outside both projects belongs to neither
        assert!(projects.for_file(Path::new("/r/packages/z.ts")).is_none());
    }
}
