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
