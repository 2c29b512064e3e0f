//! The file database: every file's text, line index and (for scripts that can matter) summary, the import
//! edges between files, and what tsconfig/package.json/`.env` files contribute. [`Snapshot`] is the
//! read-only view every analysis layer works on.
//!
//! **Architecture invariant:** the database stores and looks up; it lowers a file only through the function
//! it is given ([`Db::new`]), and knows nothing of evaluation, rules or the pipeline.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use rlscope_core::config::Config;
use rlscope_core::keys::KeyLevel;
use rlscope_core::LineIndex;

use crate::background::drop_in_background;
use crate::envfile::{self, EnvEntry};
use crate::idx::{define_index, IndexVec};
use crate::ir::{ExprId, FileIr};
use crate::lang::Lang;
use crate::projects::Projects;
use crate::resolve::{load_tsconfig, parse_package, Package, Resolved, Resolver, TsConfig};

define_index! {
    /// A file in the database ([`Db::files`]); stable while the file is known, reused when it comes back.
    pub struct FileId;
}

pub(crate) struct FileData {
    pub path: PathBuf,
    pub lang: Lang,
    pub text: Arc<str>,
    pub line_index: Arc<LineIndex>,
    pub ir: Option<Arc<FileIr>>,
    pub env_entries: Vec<EnvEntry>,
    /// Workspace files this one imports (resolved), when it has a summary.
    pub deps: Vec<FileId>,
    /// The summary of a script the prefilter left out, built the first time evaluation follows an import
    /// into it (a helper such as `requireEnv(name)`), so findings equal those of a full parse.
    pub lazy_ir: std::sync::OnceLock<Option<Arc<FileIr>>>,
}

/// Lowers a script's text to its summary (or `None`: not a script, or not parseable).
pub(crate) type LowerFn = fn(Lang, &str) -> Option<FileIr>;

pub(crate) struct Db {
    pub root: PathBuf,
    pub config: Config,
    pub files: IndexVec<FileId, Option<FileData>>,
    pub by_path: HashMap<PathBuf, FileId>,
    pub tsconfigs: HashMap<PathBuf, TsConfig>,
    /// Workspace packages (every `package.json` with a name) by name.
    pub packages: HashMap<String, Package>,
    /// Env var name → levels found in `.env` files.
    pub env: HashMap<Box<str>, Vec<KeyLevel>>,
    /// The reverse of every file's `deps`: who imports whom. Kept in step with `deps` so that finding a
    /// changed file's dependents on a keystroke does not walk the whole workspace.
    pub rdeps: HashMap<FileId, Vec<FileId>>,
    /// How a script left out of the up-front parse is summarised when evaluation first needs it.
    pub lower: LowerFn,
    /// The schema models of the workspace's SQL projects, built on first use; reset when SQL changes.
    pub projects: std::sync::OnceLock<Arc<crate::projects::Projects>>,
    /// The last models built, kept when SQL changes so the next build starts from them.
    pub projects_base: std::sync::Mutex<Option<Arc<crate::projects::Projects>>>,
    /// The SQL files whose text changed since `projects_base` was built; `None` when SQL files were also
    /// added or removed (the next build regroups every file).
    pub sql_edits: Option<Vec<PathBuf>>,
    /// The statements of every SQL text read so far, so rebuilding `projects` re-reads only changed files.
    pub model_cache: std::sync::Mutex<rlscope_sql::schema::ModelCache>,
}

impl Db {
    pub fn new(root: PathBuf, config: Config, lower: LowerFn) -> Db {
        Db {
            root,
            config,
            files: IndexVec::new(),
            by_path: HashMap::new(),
            tsconfigs: HashMap::new(),
            packages: HashMap::new(),
            env: HashMap::new(),
            rdeps: HashMap::new(),
            lower,
            projects: std::sync::OnceLock::new(),
            projects_base: Default::default(),
            sql_edits: None,
            model_cache: Default::default(),
        }
    }

    /// The schema models of the workspace's SQL projects (`supabase/migrations`, `supabase/schemas`; a SQL
    /// file elsewhere is a project of its own) and the advisors' findings on them.
    pub fn projects(&self) -> Arc<crate::projects::Projects> {
        self.projects
            .get_or_init(|| {
                let sql = || -> Vec<(PathBuf, Arc<str>)> {
                    self.files
                        .iter()
                        .flatten()
                        .filter(|f| f.lang == Lang::Sql)
                        .map(|f| (f.path.clone(), f.text.clone()))
                        .collect()
                };
                let mut cache = self.model_cache.lock().unwrap_or_else(|e| e.into_inner());
                let base = self
                    .projects_base
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .take();
                let Some(base) = base else {
                    return Arc::new(Projects::build(&sql(), &mut cache));
                };
                // only texts changed: rebuild the projects of the edited files
                let edits: Option<Vec<(&Path, Arc<str>)>> =
                    self.sql_edits.as_ref().and_then(|paths| {
                        paths
                            .iter()
                            .map(|p| Some((p.as_path(), self.data(p)?.text.clone())))
                            .collect()
                    });
                let base = match edits {
                    Some(edits) => match Projects::update(base, &edits, &mut cache) {
                        Ok(built) => return Arc::new(built),
                        Err(base) => base,
                    },
                    None => base,
                };
                Arc::new(Projects::rebuild_from(base, &sql(), &mut cache))
            })
            .clone()
    }

    /// The SQL changed (the text of `edited`, an existing file; `None`: files were added or removed): the
    /// models are rebuilt on next use, from the current ones if they were built.
    pub(crate) fn reset_projects(&mut self, edited: Option<&Path>) {
        if let Some(built) = self.projects.take() {
            let base = self
                .projects_base
                .get_mut()
                .unwrap_or_else(|e| e.into_inner());
            drop_in_background(base.replace(built));
            self.sql_edits = Some(Vec::new());
        }
        match (edited, &mut self.sql_edits) {
            (Some(path), Some(edits)) => {
                if !edits.iter().any(|p| p == path) {
                    edits.push(path.to_path_buf());
                }
            }
            _ => self.sql_edits = None,
        }
    }

    pub(crate) fn snapshot(&self) -> Snapshot<'_> {
        Snapshot {
            db: self,
            config: &self.config,
        }
    }

    pub(crate) fn intern(&mut self, path: &Path, lang: Lang, text: Arc<str>) -> FileId {
        if lang == Lang::Sql {
            let known = self.by_path.contains_key(path).then_some(path);
            self.reset_projects(known);
        }
        let line_index = Arc::new(LineIndex::new(&text));
        let data = FileData {
            path: path.to_path_buf(),
            lang,
            text,
            line_index,
            ir: None,
            env_entries: Vec::new(),
            deps: Vec::new(),
            lazy_ir: std::sync::OnceLock::new(),
        };
        match self.by_path.get(path) {
            Some(&id) => {
                // keep the old import edges until `recompute_deps` replaces them, so `rdeps` can drop them
                let mut data = data;
                if let Some(mut old) = self.files[id].take() {
                    data.deps = std::mem::take(&mut old.deps);
                    drop_in_background(old);
                }
                self.files[id] = Some(data);
                id
            }
            None => {
                let id = self.files.push(Some(data));
                self.by_path.insert(path.to_path_buf(), id);
                id
            }
        }
    }

    pub(crate) fn refresh_tsconfigs(&mut self) {
        let texts: HashMap<PathBuf, Arc<str>> = self
            .files
            .iter()
            .flatten()
            .filter(|f| f.lang == Lang::TsConfig)
            .map(|f| (f.path.clone(), f.text.clone()))
            .collect();
        let read = |p: &Path| -> Option<String> {
            match texts.get(p) {
                Some(t) => Some(t.to_string()),
                // `extends` may point at a file we did not walk (a shared base config)
                None => std::fs::read_to_string(p)
                    .ok()
                    .filter(|t| t.len() < 1 << 20),
            }
        };
        let mut configs: HashMap<PathBuf, TsConfig> = HashMap::new();
        let mut paths: Vec<&PathBuf> = texts.keys().collect();
        // tsconfig.json wins over jsconfig.json and tsconfig.*.json in the same folder
        paths.sort_by_key(|p| {
            let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            (n != "tsconfig.json", n != "jsconfig.json", n.to_string())
        });
        for p in paths {
            let dir = p.parent().unwrap_or(Path::new("/")).to_path_buf();
            if configs.contains_key(&dir) {
                continue;
            }
            configs.insert(dir, load_tsconfig(p, &read));
        }
        self.tsconfigs = configs;
    }

    pub(crate) fn refresh_packages(&mut self) {
        let mut packages = HashMap::new();
        let mut found: Vec<(&PathBuf, &str)> = self
            .files
            .iter()
            .flatten()
            .filter(|f| f.lang == Lang::PackageJson)
            .map(|f| (&f.path, &*f.text))
            .collect();
        // two packages of one name (a template copied into examples/): the shallowest wins, deterministically
        found.sort_by_key(|(p, _)| (p.components().count(), p.to_path_buf()));
        for (path, text) in found {
            if let Some((name, package)) = parse_package(path, text) {
                packages.entry(name).or_insert(package);
            }
        }
        self.packages = packages;
    }

    pub(crate) fn refresh_env_file(&mut self, id: FileId) {
        if let Some(f) = self.files[id].as_mut() {
            f.env_entries = envfile::parse(&f.text);
        }
    }

    pub(crate) fn rebuild_env(&mut self) {
        let mut env: HashMap<Box<str>, Vec<KeyLevel>> = HashMap::new();
        for f in self.files.iter().flatten() {
            for e in &f.env_entries {
                let v = env.entry(e.name.clone()).or_default();
                if !v.contains(&e.level) {
                    v.push(e.level);
                }
            }
        }
        self.env = env;
    }

    /// Recomputes the import edges of `only` (or of every summarised file).
    pub(crate) fn recompute_deps(&mut self, only: Option<FileId>) {
        let ids: Vec<FileId> = match only {
            Some(id) => vec![id],
            None => self.files.indices().collect(),
        };
        // a file with `@Inject(token)` depends on every file that registers providers (NestJS)
        let provider_files: Vec<FileId> = self
            .files
            .iter_enumerated()
            .filter(|(_, f)| {
                f.as_ref()
                    .and_then(|f| f.ir.as_ref())
                    .is_some_and(|ir| !ir.providers.is_empty())
            })
            .map(|(i, _)| i)
            .collect();
        let computed: Vec<(FileId, Vec<FileId>)> = {
            let snap = self.snapshot();
            ids.par_iter()
                .filter_map(|&id| {
                    let f = self.files[id].as_ref()?;
                    let ir = f.ir.as_ref()?;
                    let mut deps: Vec<FileId> = ir
                        .specifiers
                        .iter()
                        .filter_map(|s| match snap.resolve(id, s) {
                            Resolved::File(p) => snap.file_id(&p),
                            Resolved::External => None,
                        })
                        .collect();
                    if ir.injects {
                        deps.extend(provider_files.iter().copied().filter(|&p| p != id));
                    }
                    deps.sort_unstable();
                    deps.dedup();
                    Some((id, deps))
                })
                .collect()
        };
        for (id, deps) in computed {
            if let Some(f) = self.files[id].as_mut() {
                let old = std::mem::replace(&mut f.deps, deps.clone());
                if only.is_some() {
                    for d in old {
                        if let Some(r) = self.rdeps.get_mut(&d) {
                            r.retain(|&x| x != id);
                        }
                    }
                    for d in deps {
                        self.rdeps.entry(d).or_default().push(id);
                    }
                }
            }
        }
        if only.is_none() {
            let mut rdeps: HashMap<FileId, Vec<FileId>> = HashMap::new();
            for (i, f) in self.files.iter_enumerated() {
                for &d in f.iter().flat_map(|f| &f.deps) {
                    rdeps.entry(d).or_default().push(i);
                }
            }
            self.rdeps = rdeps;
        }
    }

    /// `id` and every file that imports it, directly or not.
    pub(crate) fn dependents(&self, id: FileId) -> Vec<PathBuf> {
        let rdeps = &self.rdeps;
        let mut seen = HashSet::from([id]);
        let mut stack = vec![id];
        while let Some(x) = stack.pop() {
            for &r in rdeps.get(&x).map(Vec::as_slice).unwrap_or(&[]) {
                if seen.insert(r) {
                    stack.push(r);
                }
            }
        }
        let mut out: Vec<PathBuf> = seen
            .into_iter()
            .filter_map(|i| self.files[i].as_ref().map(|f| f.path.clone()))
            .collect();
        out.sort();
        out
    }

    /// The files checked by [`Workspace::check_all`] (scripts, SQL and `.env` files, and the other text
    /// files that may hold a key), sorted.
    pub(crate) fn files(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = self
            .files
            .iter()
            .flatten()
            .filter(|f| {
                f.lang.is_script()
                    || f.lang == Lang::Sql
                    || f.lang == Lang::DotEnv
                    || (f.lang.is_key_text() && crate::lang::may_hold_key(f.text.as_bytes()))
            })
            .map(|f| f.path.clone())
            .collect();
        v.sort();
        v
    }

    /// How many script files have a summary (were parsed).
    pub(crate) fn parsed_count(&self) -> usize {
        self.files
            .iter()
            .flatten()
            .filter(|f| f.ir.is_some())
            .count()
    }

    pub(crate) fn data(&self, path: &Path) -> Option<&FileData> {
        self.by_path
            .get(path)
            .and_then(|&id| self.files[id].as_ref())
    }
}

/// The read-only view the evaluator and rules use.
pub struct Snapshot<'w> {
    db: &'w Db,
    pub config: &'w Config,
}

impl<'w> Snapshot<'w> {
    /// The schema models of the workspace's Supabase projects.
    pub fn projects(&self) -> Arc<crate::projects::Projects> {
        self.db.projects()
    }

    /// The files that import `file` directly.
    pub fn importers(&self, file: FileId) -> Vec<FileId> {
        self.db.rdeps.get(&file).cloned().unwrap_or_default()
    }

    /// Every NestJS provider object (`{ provide, use… }`) of the summarised files.
    pub fn providers(&self) -> Vec<(FileId, ExprId)> {
        let mut out = Vec::new();
        for (i, f) in self.db.files.iter_enumerated() {
            if let Some(ir) = f.as_ref().and_then(|f| f.ir.as_ref()) {
                out.extend(ir.providers.iter().map(|&e| (i, e)));
            }
        }
        out
    }

    /// Every env variable read (`process.env.X`, `Deno.env.get('X')`, …) of the summarised files.
    pub fn env_reads(&self) -> Vec<(FileId, ExprId)> {
        let mut out = Vec::new();
        for (i, f) in self.db.files.iter_enumerated() {
            if let Some(ir) = f.as_ref().and_then(|f| f.ir.as_ref()) {
                out.extend(ir.env_reads.iter().map(|&e| (i, e)));
            }
        }
        out
    }

    pub fn ir(&self, file: FileId) -> Option<&'w FileIr> {
        let f = self.db.files.get(file)?.as_ref()?;
        if let Some(ir) = &f.ir {
            return Some(ir);
        }
        if !f.lang.is_script() {
            return None;
        }
        f.lazy_ir
            .get_or_init(|| (self.db.lower)(f.lang, &f.text).map(Arc::new))
            .as_deref()
    }

    pub fn text(&self, file: FileId) -> &'w str {
        self.db
            .files
            .get(file)
            .and_then(|f| f.as_ref())
            .map_or("", |f| &f.text)
    }

    pub fn path(&self, file: FileId) -> &'w Path {
        self.db
            .files
            .get(file)
            .and_then(|f| f.as_ref())
            .map_or(Path::new(""), |f| &f.path)
    }

    pub fn line_index(&self, file: FileId) -> Option<&'w LineIndex> {
        self.db.files.get(file)?.as_ref().map(|f| &*f.line_index)
    }

    pub fn file_id(&self, path: &Path) -> Option<FileId> {
        self.db.by_path.get(path).copied()
    }

    pub fn resolve(&self, from: FileId, spec: &str) -> Resolved {
        let exists = |p: &Path| self.db.by_path.contains_key(p);
        let r = Resolver {
            files: &exists,
            tsconfigs: &self.db.tsconfigs,
            packages: &self.db.packages,
        };
        r.resolve(self.path(from), spec)
    }

    /// A variable's key level by its value in the workspace's `.env` files, when they agree.
    pub fn env_level(&self, name: &str) -> Option<KeyLevel> {
        match self.db.env.get(name).map(Vec::as_slice) {
            Some([one]) => Some(*one),
            _ => None,
        }
    }

    /// The names the workspace's `.env` files give a value of key level `level`, sorted.
    pub fn env_names_of_level(&self, level: KeyLevel) -> Vec<&'w str> {
        let mut names: Vec<&str> = self
            .db
            .env
            .iter()
            .filter(|(_, levels)| levels.as_slice() == [level])
            .map(|(name, _)| &**name)
            .collect();
        names.sort_unstable();
        names
    }

    /// `path:line` relative to the workspace root, for messages.
    pub fn describe_loc(&self, file: FileId, offset: u32) -> String {
        let path = self.path(file);
        let rel = path.strip_prefix(&self.db.root).unwrap_or(path);
        let line = self.line_index(file).map_or(0, |li| li.line_of(offset)) + 1;
        format!("{}:{}", rel.display(), line)
    }
}
