//! The schema model of each SQL project in the workspace, and Supabase's advisors on it.
//!
//! A project is a `supabase/` folder (`migrations/*.sql` by version, then `schemas/*.sql`); a SQL file outside
//! such a folder is a project of its own, except one in a folder below `supabase/migrations`, which the
//! Supabase CLI never applies (no project, no advisor findings). The models are built from the workspace's SQL
//! texts on first use and rebuilt when a SQL file changes, from the previous build ([`Projects::rebuild`]): a
//! project whose files did not change is shared as is, and one whose single file changed replays only the
//! statements that can reach what that file touches (`rlscope_sql::schema::incremental`). When only texts
//! changed (no file added or removed), [`Projects::update`] rebuilds just the edited files' projects and keeps
//! the grouping into projects and the file map. Statements of unchanged texts come from a [`ModelCache`].

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
    /// The project's files in apply order, with the texts the model was built from.
    sources: Vec<SqlSource>,
    /// The project's file paths, sorted (shared by the rebuilds that change only texts).
    files: Arc<[PathBuf]>,
    /// The advisors' findings of each file: their range in `state.findings()`.
    findings: HashMap<Arc<Path>, Range<usize>>,
}

impl Project {
    fn new(
        root: PathBuf,
        supabase: bool,
        model: SchemaModel,
        state: BuildState,
        sources: Vec<SqlSource>,
        files: Option<Arc<[PathBuf]>>,
    ) -> Project {
        let files = files.unwrap_or_else(|| {
            let mut v: Vec<PathBuf> = sources.iter().map(|s| s.path.clone()).collect();
            v.sort();
            v.into()
        });
        let mut findings = HashMap::new();
        let all = state.findings();
        let mut start = 0;
        while start < all.len() {
            let path = &all[start].path;
            let end = start
                + all[start..]
                    .iter()
                    .take_while(|f| Arc::ptr_eq(&f.path, path) || f.path == *path)
                    .count();
            findings.insert(path.clone(), start..end);
            start = end;
        }
        Project {
            root,
            supabase,
            model,
            state,
            sources,
            files,
            findings,
        }
    }
}

/// Where a SQL file sits in [`Projects::projects`]: its project and its place in that project's sources.
type FileMap = HashMap<PathBuf, (usize, usize)>;

#[derive(Default)]
pub struct Projects {
    pub projects: Vec<Arc<Project>>,
    by_file: Arc<FileMap>,
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

/// A project's model built from `sources`: from `before` (its earlier build) when there is one, taking it
/// when nothing else holds it. `files`: the sorted paths of `sources`, when known.
fn rebuilt(
    root: PathBuf,
    supabase: bool,
    before: Option<Result<Project, Arc<Project>>>,
    sources: Vec<SqlSource>,
    files: Option<Arc<[PathBuf]>>,
    cache: &mut ModelCache,
) -> (Project, Option<Vec<ChangedObject>>) {
    let built = match before {
        Some(Ok(b)) => incremental::rebuild_owned(b.model, b.state, &sources, cache),
        Some(Err(b)) => incremental::rebuild(&b.model, &b.state, &sources, cache),
        None => incremental::build(&sources, cache),
    };
    if let Some(old) = built.discarded {
        crate::background::drop_in_background(old);
    }
    let project = Project::new(root, supabase, built.model, built.state, sources, files);
    (project, built.changed)
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
        let mut by_file = FileMap::new();
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
            let i = out.projects.len();
            for (k, s) in sources.iter().enumerate() {
                by_file.insert(s.path.clone(), (i, k));
            }
            let (project, changes) = match before.remove(&key) {
                Some(b) if b.state.same_sources(&sources) => (b, Some(Vec::new())),
                b => {
                    let b = b.map(Arc::try_unwrap);
                    let (project, changes) = rebuilt(key.0, key.1, b, sources, None, cache);
                    (Arc::new(project), changes)
                }
            };
            out.changes.push(changes);
            out.projects.push(project);
        }
        out.by_file = Arc::new(by_file);
        // rebuilds drop the statements of the texts they replace; a build from nothing keeps only its own
        if first {
            cache.retain_texts(sql.iter().map(|(_, t)| &**t));
        }
        for gone in before.into_values() {
            gone.state.forget_texts(cache);
        }
        out
    }

    /// [`Projects::rebuild_from`] when only the texts of `edits` (`(path, new text)`) changed since `prev`
    /// was built: no SQL file was added or removed. Only the projects of the edited files are rebuilt; the
    /// grouping of files into projects and the file map are `prev`'s. `Err(prev)` when an edited file is not
    /// one of `prev`'s (the caller rebuilds everything).
    pub fn update(
        prev: Arc<Projects>,
        edits: &[(&Path, Arc<str>)],
        cache: &mut ModelCache,
    ) -> Result<Projects, Arc<Projects>> {
        // per project: (place in its sources, new text)
        let mut by_project: HashMap<usize, Vec<(usize, Arc<str>)>> = HashMap::new();
        for (path, text) in edits {
            if schema::never_applied(path) {
                continue;
            }
            let Some(&(i, k)) = prev.by_file.get(*path) else {
                return Err(prev);
            };
            by_project.entry(i).or_default().push((k, text.clone()));
        }
        let prev = Arc::try_unwrap(prev).unwrap_or_else(|shared| Projects {
            projects: shared.projects.clone(),
            by_file: shared.by_file.clone(),
            generation: shared.generation,
            ..Projects::default()
        });
        let mut out = Projects {
            generation: GENERATION.fetch_add(1, Ordering::Relaxed),
            base: Some(prev.generation),
            by_file: prev.by_file,
            ..Projects::default()
        };
        for (i, project) in prev.projects.into_iter().enumerate() {
            let edits = by_project.remove(&i).unwrap_or_default();
            let same = edits.iter().all(|(k, text)| {
                let old = &project.sources[*k].text;
                Arc::ptr_eq(old, text) || old == text
            });
            if same {
                out.changes.push(Some(Vec::new()));
                out.projects.push(project);
                continue;
            }
            let (root, supabase, files) = (
                project.root.clone(),
                project.supabase,
                project.files.clone(),
            );
            let (before, mut sources) = match Arc::try_unwrap(project) {
                Ok(mut p) => {
                    let sources = std::mem::take(&mut p.sources);
                    (Ok(p), sources)
                }
                Err(shared) => {
                    let sources = shared.sources.clone();
                    (Err(shared), sources)
                }
            };
            for (k, text) in edits {
                sources[k].text = text;
            }
            let (project, changes) =
                rebuilt(root, supabase, Some(before), sources, Some(files), cache);
            out.changes.push(changes);
            out.projects.push(Arc::new(project));
        }
        Ok(out)
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
        self.by_file.get(path).map(|&(i, _)| &*self.projects[i])
    }

    /// The advisors' findings that sit in `path`.
    pub fn findings(&self, path: &Path) -> Vec<Finding> {
        let Some(project) = self.of_sql_file(path) else {
            return Vec::new();
        };
        match project.findings.get(path) {
            Some(range) => project.state.findings()[range.clone()]
                .iter()
                .map(|f| f.finding.clone())
                .collect(),
            None => Vec::new(),
        }
    }

    /// The SQL files of the project `path` belongs to, sorted (`path` alone when it is in no project).
    pub fn files_of(&self, path: &Path) -> Arc<[PathBuf]> {
        match self.of_sql_file(path) {
            Some(project) => project.files.clone(),
            None => Arc::from([path.to_path_buf()]),
        }
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
            *projects.files_of(Path::new("/r/apps/b/supabase/schemas/s.sql")),
            [PathBuf::from("/r/apps/b/supabase/schemas/s.sql")]
        );
    }

    #[test]
    fn an_update_of_texts_equals_a_build_of_the_new_texts() {
        let sql = |p: &str, t: &str| (PathBuf::from(p), Arc::<str>::from(t));
        let v1 = vec![
            sql(
                "/r/supabase/migrations/1_a.sql",
                "create table public.t (id int);",
            ),
            sql(
                "/r/supabase/migrations/2_b.sql",
                "alter table public.t enable row level security;",
            ),
            sql("/r/db/dump.sql", "create table public.v (id int);"),
        ];
        let mut cache = ModelCache::default();
        let old = Arc::new(Projects::build(&v1, &mut cache));
        let edited = Path::new("/r/supabase/migrations/2_b.sql");
        let text: Arc<str> = Arc::from("-- rls later\n");
        let files_before = old.files_of(edited);
        let new = Projects::update(old.clone(), &[(edited, text.clone())], &mut cache)
            .unwrap_or_else(|_| panic!("a text edit of a known file updates"));
        let mut v2 = v1.clone();
        v2[1].1 = text;
        let fresh = build(&v2);
        for (p, _) in &v2 {
            assert_eq!(new.findings(p), fresh.findings(p), "{}", p.display());
            assert_eq!(new.files_of(p), fresh.files_of(p));
        }
        // RLS is off now: the table's state changed, and the edit was seen as such
        assert_eq!(
            new.findings(Path::new("/r/supabase/migrations/1_a.sql"))
                .len(),
            1
        );
        assert!(new.changes.iter().flatten().any(|c| !c.is_empty()));
        // the file list is shared with the build the update started from; the loose file's project too
        assert!(Arc::ptr_eq(&files_before, &new.files_of(edited)));
        assert!(Arc::ptr_eq(&old.projects[0], &new.projects[0]));
        // a file the build does not know is not an update
        let unknown = Path::new("/r/supabase/migrations/3_c.sql");
        assert!(Projects::update(old, &[(unknown, Arc::from(""))], &mut cache).is_err());
    }
}
