//! The schema model of each SQL project in the workspace, and Supabase's advisors on it.
//!
//! A project is a `supabase/` folder (`migrations/*.sql` by version, then `schemas/*.sql`); a SQL file outside
//! such a folder is a project of its own, except one in a folder below `supabase/migrations`, which the
//! Supabase CLI never applies (no project, no advisor findings). The models are built from the workspace's SQL
//! texts on first use and rebuilt when a SQL file changes, from the previous build ([`Projects::rebuild`]): a
//! project whose files did not change is shared as is, and one whose single file changed replays only the
//! statements that can reach what that file touches (`rlscope_sql::schema::incremental`). Statements of
//! unchanged texts come from a [`ModelCache`].

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use rlscope_core::Finding;
use rlscope_sql::schema::incremental::{self, BuildState, ChangedObject};
use rlscope_sql::schema::{self, ModelCache, SchemaModel, SqlSource};

/// One project and its model.
pub struct Project {
    /// The `supabase/` folder, or the SQL file itself for a file outside one.
    pub root: PathBuf,
    /// Whether `root` is a `supabase/` folder (only those are matched with the code beside them).
    pub supabase: bool,
    pub model: SchemaModel,
    state: BuildState,
}

#[derive(Default)]
pub struct Projects {
    pub projects: Vec<Arc<Project>>,
    by_file: HashMap<PathBuf, usize>,
    /// The advisors' findings of each file: its project and their range in that project's findings.
    findings: HashMap<PathBuf, (usize, Range<usize>)>,
    /// Tells builds apart: [`Projects::base`] names the build a rebuild started from.
    pub(crate) generation: u64,
    /// The generation of the build this one was rebuilt from.
    pub(crate) base: Option<u64>,
    /// For each project, when this build was rebuilt from [`Projects::base`]: the tables, views and functions
    /// whose state or source locations differ from the base's. `None`: the project was built from nothing.
    pub(crate) changes: Vec<Option<Vec<ChangedObject>>>,
}

static GENERATION: AtomicU64 = AtomicU64::new(1);

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
        Projects::make(None, sql, cache)
    }

    /// Like [`Projects::build`], from the build `prev` of earlier texts: unchanged projects are shared and a
    /// project with one changed file replays only what that file can reach.
    pub fn rebuild(
        prev: &Projects,
        sql: &[(PathBuf, Arc<str>)],
        cache: &mut ModelCache,
    ) -> Projects {
        let shared = Projects {
            projects: prev.projects.clone(),
            generation: prev.generation,
            ..Projects::default()
        };
        Projects::make(Some(shared), sql, cache)
    }

    /// [`Projects::rebuild`], taking the earlier build: what the edits cannot reach moves to the new models
    /// when nothing else holds it.
    pub fn rebuild_from(
        prev: Arc<Projects>,
        sql: &[(PathBuf, Arc<str>)],
        cache: &mut ModelCache,
    ) -> Projects {
        match Arc::try_unwrap(prev) {
            Ok(prev) => Projects::make(Some(prev), sql, cache),
            Err(prev) => Projects::rebuild(&prev, sql, cache),
        }
    }

    fn make(
        prev: Option<Projects>,
        sql: &[(PathBuf, Arc<str>)],
        cache: &mut ModelCache,
    ) -> Projects {
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
        let first = prev.is_none();
        let mut out = Projects {
            generation: GENERATION.fetch_add(1, Ordering::Relaxed),
            base: prev.as_ref().map(|p| p.generation),
            ..Projects::default()
        };
        let mut before: HashMap<Key, Arc<Project>> = prev
            .map(|p| {
                p.projects
                    .into_iter()
                    .map(|p| ((p.root.clone(), p.supabase), p))
                    .collect()
            })
            .unwrap_or_default();
        for key in keys {
            let mine = &groups[&key];
            let paths: Vec<&Path> = mine.iter().map(|(p, _)| p.as_path()).collect();
            let texts: HashMap<&Path, &Arc<str>> =
                mine.iter().map(|(p, t)| (p.as_path(), t)).collect();
            let sources: Vec<SqlSource> = schema::project_order(&paths)
                .into_iter()
                .filter_map(|p| {
                    let text = (*texts.get(p.as_path())?).clone();
                    Some(SqlSource { path: p, text })
                })
                .collect();
            let (project, changes) = match before.remove(&key) {
                Some(b) if b.state.same_sources(&sources) => (b, Some(Vec::new())),
                b => {
                    let built = match b.map(Arc::try_unwrap) {
                        Some(Ok(b)) => {
                            incremental::rebuild_owned(b.model, b.state, &sources, cache)
                        }
                        Some(Err(b)) => incremental::rebuild(&b.model, &b.state, &sources, cache),
                        None => incremental::build(&sources, cache),
                    };
                    if let Some(old) = built.discarded {
                        crate::background::drop_in_background(old);
                    }
                    let project = Project {
                        root: key.0,
                        supabase: key.1,
                        model: built.model,
                        state: built.state,
                    };
                    (Arc::new(project), built.changed)
                }
            };
            out.changes.push(changes);
            let i = out.projects.len();
            for s in &sources {
                out.by_file.insert(s.path.clone(), i);
            }
            let findings = project.state.findings();
            let mut start = 0;
            while start < findings.len() {
                let path = &findings[start].path;
                let end = start
                    + findings[start..]
                        .iter()
                        .take_while(|f| Arc::ptr_eq(&f.path, path) || f.path == *path)
                        .count();
                out.findings.insert(path.to_path_buf(), (i, start..end));
                start = end;
            }
            out.projects.push(project);
        }
        // rebuilds drop the statements of the texts they replace; a build from nothing keeps only its own
        if first {
            cache.retain_texts(sql.iter().map(|(_, t)| &**t));
        }
        for gone in before.into_values() {
            gone.state.forget_texts(cache);
        }
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
            Some(p) => Some(&**p),
            None if supabase().count() == 1 => supabase().next().map(|p| &**p),
            None => None,
        }
    }

    /// The project a SQL file was replayed into.
    pub fn of_sql_file(&self, path: &Path) -> Option<&Project> {
        self.by_file.get(path).map(|&i| &*self.projects[i])
    }

    /// The advisors' findings that sit in `path`.
    pub fn findings(&self, path: &Path) -> Vec<Finding> {
        match self.findings.get(path) {
            Some((i, range)) => self.projects[*i].state.findings()[range.clone()]
                .iter()
                .map(|f| f.finding.clone())
                .collect(),
            None => Vec::new(),
        }
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
