//! The set of files under analysis and their per-file summaries.
//!
//! A [`Workspace`] holds, per file: its text, line index, and (for TS/JS files that can matter) its lowered
//! summary ([`FileIr`]) plus the files it imports. Syntax trees are never kept. `.env` files contribute the
//! key level of each variable (by value); tsconfig/jsconfig files contribute path aliases. Checking a file
//! evaluates its call sites against the summaries of the files it reaches.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use rlscope_core::config::Config;
use rlscope_core::keys::KeyLevel;
use rlscope_core::suppress::{self, CommentStyle};
use rlscope_core::{Finding, LineIndex, TextRange};

use crate::envfile::{self, EnvEntry};
use crate::ir::FileIr;
use crate::lang::Lang;
use crate::lower::Fragments;
use crate::prefilter::Prefilter;
use crate::resolve::{
    load_tsconfig, normalize, parse_package, Package, Resolved, Resolver, TsConfig,
};

pub type FileId = u32;

/// A markdown hover for a byte range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    pub range: TextRange,
    pub markdown: String,
}

/// A short label shown after `offset` (e.g. `service_role`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlayHint {
    pub offset: u32,
    pub label: String,
    pub tooltip: String,
}

#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Parse every file instead of only those the byte prefilter cannot rule out.
    pub no_prefilter: bool,
}

#[derive(Clone, Debug)]
pub struct LoadError {
    pub path: PathBuf,
    pub message: String,
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
    /// The summary's per-statement fragments, kept for files the caller edits (open in an editor), so
    /// the next version re-lowers only the statements that changed.
    pub fragments: Option<Fragments>,
}

pub struct Workspace {
    root: PathBuf,
    config: Config,
    files: Vec<Option<FileData>>,
    by_path: HashMap<PathBuf, FileId>,
    tsconfigs: HashMap<PathBuf, TsConfig>,
    /// Workspace packages (every `package.json` with a name) by name.
    packages: HashMap<String, Package>,
    /// Env var name → levels found in `.env` files.
    env: HashMap<Box<str>, Vec<KeyLevel>>,
    /// The reverse of every file's `deps`: who imports whom. Kept in step with `deps` so that finding a
    /// changed file's dependents on a keystroke does not walk the whole workspace.
    rdeps: HashMap<FileId, Vec<FileId>>,
    /// The schema models of the workspace's Supabase projects, built on first use; reset when SQL changes.
    projects: std::sync::OnceLock<Arc<crate::projects::Projects>>,
}

/// Folders a directory walk never enters (dependencies and build output).
pub const SKIP_DIRS: &[&str] = &[
    "node_modules",
    "dist",
    "build",
    ".next",
    ".svelte-kit",
    ".vercel",
    "out",
    "coverage",
    ".git",
    ".turbo",
    ".output",
    ".nuxt",
    ".netlify",
    ".cache",
    ".expo",
    "target",
];

/// Larger files are read but not parsed (generated bundles); named files are always parsed.
pub const MAX_WALKED_FILE: usize = 2 * 1024 * 1024;

impl Workspace {
    pub fn new(root: PathBuf, config: Config) -> Workspace {
        Workspace {
            root,
            config,
            files: Vec::new(),
            by_path: HashMap::new(),
            tsconfigs: HashMap::new(),
            packages: HashMap::new(),
            env: HashMap::new(),
            rdeps: HashMap::new(),
            projects: std::sync::OnceLock::new(),
        }
    }

    /// The schema models of the workspace's Supabase projects (`supabase/migrations`, `supabase/schemas`).
    pub fn projects(&self) -> Arc<crate::projects::Projects> {
        self.projects
            .get_or_init(|| {
                let sql: Vec<(PathBuf, Arc<str>)> = self
                    .files
                    .iter()
                    .flatten()
                    .filter(|f| {
                        f.lang == Lang::Sql && rlscope_sql::schema::project_root(&f.path).is_some()
                    })
                    .map(|f| (f.path.clone(), f.text.clone()))
                    .collect();
                Arc::new(crate::projects::Projects::build(&sql))
            })
            .clone()
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Replaces the config; every file's findings may change.
    pub fn set_config(&mut self, config: Config) -> Vec<PathBuf> {
        self.config = config;
        self.files()
    }

    pub(crate) fn snapshot(&self) -> Snapshot<'_> {
        Snapshot {
            ws: self,
            config: &self.config,
        }
    }

    // ------------------------------------------------------------------ loading

    /// Walks `paths` (files or folders; folders honour .gitignore/.ignore and skip dependencies and build
    /// output) and loads every file the analysis reads. Returns what could not be read or was skipped.
    pub fn load_paths(&mut self, paths: &[PathBuf], opts: &LoadOptions) -> Vec<LoadError> {
        let mut errors = Vec::new();
        let mut found: Vec<(PathBuf, bool)> = Vec::new(); // (path, named explicitly)
        let mut seen = HashSet::new();
        for p in paths {
            let p = normalize(&absolute(p));
            if p.is_file() {
                if seen.insert(p.clone()) {
                    found.push((p, true));
                }
                continue;
            }
            if !p.is_dir() {
                errors.push(LoadError {
                    path: p.clone(),
                    message: "no such file or folder".into(),
                });
                continue;
            }
            for (file, ignored_ok) in walk(&p, &self.config, &mut errors) {
                if seen.insert(file.clone()) {
                    found.push((file, ignored_ok));
                }
            }
        }
        // read in parallel
        let read: Vec<Result<(PathBuf, Lang, String, bool), LoadError>> = found
            .into_par_iter()
            .filter_map(|(path, named)| {
                let lang = Lang::of(&path)?;
                Some(match std::fs::read(&path) {
                    Ok(bytes) => {
                        if !named
                            && lang.is_script()
                            && (bytes.len() > MAX_WALKED_FILE || looks_minified(&path, &bytes))
                        {
                            return Some(Err(LoadError {
                                path,
                                message: "skipped: minified or generated file".into(),
                            }));
                        }
                        let text = match String::from_utf8(bytes) {
                            Ok(s) => s,
                            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
                        };
                        Ok((path, lang, text, named))
                    }
                    Err(e) => Err(LoadError {
                        path,
                        message: format!("cannot read: {e}"),
                    }),
                })
            })
            .collect();
        let mut scripts = Vec::new();
        let (mut tsconfigs, mut packages) = (false, false);
        for r in read {
            match r {
                Err(e) => errors.push(e),
                Ok((path, lang, text, _)) => {
                    let id = self.intern(&path, lang, Arc::from(text));
                    match lang {
                        Lang::TsConfig => tsconfigs = true,
                        Lang::PackageJson => packages = true,
                        Lang::DotEnv => self.refresh_env_file(id),
                        _ if lang.is_script() => scripts.push(id),
                        _ => {}
                    }
                }
            }
        }
        if tsconfigs {
            self.refresh_tsconfigs();
        }
        if packages {
            self.refresh_packages();
        }
        self.rebuild_env();
        // which scripts need a syntax tree up front: everything, or the seeds and the files that can reach a
        // client or key through their imports (the rest is parsed lazily if evaluation ever follows an import
        // into it)
        let selected: Vec<FileId> = if opts.no_prefilter {
            scripts
        } else {
            let pre = Prefilter::new(&self.config, self.env.keys().map(|k| &**k));
            let snap = self.snapshot();
            let (seeds, rdeps) = pre.seeds(&snap, &scripts);
            // summarise the seeds in parallel before the (sequential) expansion evaluates their exports
            seeds.par_iter().for_each(|&id| {
                snap.ir(id);
            });
            crate::prefilter::expand(&snap, &seeds, &rdeps)
        };
        let lowered: Vec<(FileId, Option<Arc<FileIr>>)> = selected
            .par_iter()
            .map(|&id| {
                let f = self.files[id as usize].as_ref().expect("file");
                let ir = match f.lazy_ir.get() {
                    Some(done) => done.clone(),
                    None => lower_text(f.lang, &f.text).map(Arc::new),
                };
                (id, ir)
            })
            .collect();
        for (id, ir) in lowered {
            if let Some(f) = self.files[id as usize].as_mut() {
                f.ir = ir;
            }
        }
        self.recompute_deps(None);
        errors
    }

    fn intern(&mut self, path: &Path, lang: Lang, text: Arc<str>) -> FileId {
        if lang == Lang::Sql {
            self.projects = std::sync::OnceLock::new();
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
            fragments: None,
        };
        match self.by_path.get(path) {
            Some(&id) => {
                // keep the old import edges until `recompute_deps` replaces them, so `rdeps` can drop them
                let mut data = data;
                if let Some(mut old) = self.files[id as usize].take() {
                    data.deps = std::mem::take(&mut old.deps);
                    drop_in_background(old);
                }
                self.files[id as usize] = Some(data);
                id
            }
            None => {
                let id = self.files.len() as FileId;
                self.files.push(Some(data));
                self.by_path.insert(path.to_path_buf(), id);
                id
            }
        }
    }

    fn refresh_tsconfigs(&mut self) {
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

    fn refresh_packages(&mut self) {
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

    fn refresh_env_file(&mut self, id: FileId) {
        if let Some(f) = self.files[id as usize].as_mut() {
            f.env_entries = envfile::parse(&f.text);
        }
    }

    fn rebuild_env(&mut self) {
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
    fn recompute_deps(&mut self, only: Option<FileId>) {
        let ids: Vec<FileId> = match only {
            Some(id) => vec![id],
            None => (0..self.files.len() as FileId).collect(),
        };
        let computed: Vec<(FileId, Vec<FileId>)> = {
            let snap = self.snapshot();
            ids.par_iter()
                .filter_map(|&id| {
                    let f = self.files[id as usize].as_ref()?;
                    let ir = f.ir.as_ref()?;
                    let mut deps: Vec<FileId> = ir
                        .specifiers
                        .iter()
                        .filter_map(|s| match snap.resolve(id, s) {
                            Resolved::File(p) => snap.file_id(&p),
                            Resolved::External => None,
                        })
                        .collect();
                    deps.sort_unstable();
                    deps.dedup();
                    Some((id, deps))
                })
                .collect()
        };
        for (id, deps) in computed {
            if let Some(f) = self.files[id as usize].as_mut() {
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
            for (i, f) in self.files.iter().enumerate() {
                for &d in f.iter().flat_map(|f| &f.deps) {
                    rdeps.entry(d).or_default().push(i as FileId);
                }
            }
            self.rdeps = rdeps;
        }
    }

    /// `id` and every file that imports it, directly or not.
    fn dependents(&self, id: FileId) -> Vec<PathBuf> {
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
            .filter_map(|i| self.files[i as usize].as_ref().map(|f| f.path.clone()))
            .collect();
        out.sort();
        out
    }

    /// Sets the text of one file (opened or changed); returns the files whose findings may have changed,
    /// including this one.
    pub fn set_file(&mut self, path: PathBuf, text: Arc<str>) -> Vec<PathBuf> {
        let Some(lang) = Lang::of(&path) else {
            return Vec::new();
        };
        let ir = lower_text(lang, &text);
        self.set_file_with_ir(path, lang, text, ir)
    }

    /// Like [`Workspace::set_file`], reusing a syntax tree the caller already has for exactly `text`.
    pub fn set_file_parsed(
        &mut self,
        path: PathBuf,
        text: Arc<str>,
        tree: &tree_sitter::Tree,
    ) -> Vec<PathBuf> {
        let Some(lang) = Lang::of(&path) else {
            return Vec::new();
        };
        if !lang.is_script() {
            return self.set_file_with_ir(path, lang, text, None);
        }
        // reuse the fragments of the version this edit started from
        let prev = self
            .data(&path)
            .and_then(|f| Some((f.text.clone(), f.fragments.as_ref()?)));
        let lowered = crate::rules::catch_panic(|| {
            crate::lower::lower_reusing(tree, &text, prev.as_ref().map(|(t, f)| (&**t, *f)))
        });
        let (ir, fragments) = match lowered {
            Some((ir, fragments)) => (Some(ir), Some(fragments)),
            None => (None, None),
        };
        let changed = self.set_file_with_ir(path.clone(), lang, text, ir);
        if let Some(&id) = self.by_path.get(&path) {
            if let Some(f) = self.files[id as usize].as_mut() {
                f.fragments = fragments;
            }
        }
        changed
    }

    fn set_file_with_ir(
        &mut self,
        path: PathBuf,
        lang: Lang,
        text: Arc<str>,
        ir: Option<FileIr>,
    ) -> Vec<PathBuf> {
        let is_new = !self.by_path.contains_key(&path);
        let id = self.intern(&path, lang, text);
        match lang {
            Lang::TsConfig => {
                self.refresh_tsconfigs();
                self.recompute_deps(None);
                return self.files();
            }
            Lang::PackageJson => {
                self.refresh_packages();
                self.recompute_deps(None);
                return self.files();
            }
            Lang::DotEnv => {
                self.refresh_env_file(id);
                self.rebuild_env();
                return self.files();
            }
            // a migration changes what RLS does to the code's requests
            Lang::Sql if rlscope_sql::schema::project_root(&path).is_some() => return self.files(),
            _ => {}
        }
        if let Some(f) = self.files[id as usize].as_mut() {
            f.ir = ir.map(Arc::new);
        }
        // a new file can make other files' imports resolve
        self.recompute_deps(if is_new { None } else { Some(id) });
        self.dependents(id)
    }

    /// Forgets a file (deleted); returns the files whose findings may have changed.
    pub fn remove_file(&mut self, path: &Path) -> Vec<PathBuf> {
        let Some(&id) = self.by_path.get(path) else {
            return Vec::new();
        };
        let lang = self.files[id as usize].as_ref().map(|f| f.lang);
        let affected = self.dependents(id);
        self.files[id as usize] = None;
        self.by_path.remove(path);
        if lang == Some(Lang::Sql) {
            self.projects = std::sync::OnceLock::new();
            if rlscope_sql::schema::project_root(path).is_some() {
                self.recompute_deps(None);
                return self.files();
            }
        }
        match lang {
            Some(Lang::TsConfig) => {
                self.refresh_tsconfigs();
                self.recompute_deps(None);
                return self.files();
            }
            Some(Lang::PackageJson) => {
                self.refresh_packages();
                self.recompute_deps(None);
                return self.files();
            }
            Some(Lang::DotEnv) => {
                self.rebuild_env();
                return self.files();
            }
            _ => {}
        }
        self.recompute_deps(None);
        affected.into_iter().filter(|p| p != path).collect()
    }

    /// The files checked by [`Workspace::check_all`] (scripts, SQL and `.env` files), sorted.
    pub fn files(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = self
            .files
            .iter()
            .flatten()
            .filter(|f| f.lang.is_script() || f.lang == Lang::Sql || f.lang == Lang::DotEnv)
            .map(|f| f.path.clone())
            .collect();
        v.sort();
        v
    }

    /// How many script files have a summary (were parsed).
    pub fn parsed_count(&self) -> usize {
        self.files
            .iter()
            .flatten()
            .filter(|f| f.ir.is_some())
            .count()
    }

    fn data(&self, path: &Path) -> Option<&FileData> {
        self.by_path
            .get(path)
            .and_then(|&id| self.files[id as usize].as_ref())
    }

    pub fn source(&self, path: &Path) -> Option<Arc<str>> {
        self.data(path).map(|f| f.text.clone())
    }

    pub fn line_index(&self, path: &Path) -> Option<Arc<LineIndex>> {
        self.data(path).map(|f| f.line_index.clone())
    }

    // ------------------------------------------------------------------ checking

    /// Findings of one file, after config severities and suppressions, sorted by position.
    pub fn check_file(&self, path: &Path) -> Vec<Finding> {
        let Some(&id) = self.by_path.get(path) else {
            return Vec::new();
        };
        let Some(f) = self.files[id as usize].as_ref() else {
            return Vec::new();
        };
        let raw = match f.lang {
            Lang::Sql => rlscope_sql::check(&f.text),
            Lang::DotEnv => crate::rules::check_env_file(self, f),
            l if l.is_script() => match &f.ir {
                Some(_) => crate::rules::check_script(&self.snapshot(), id),
                None => Vec::new(),
            },
            _ => return Vec::new(),
        };
        // each rule chose its severity (signUp's is a warning); the config overrides it below
        let mut findings: Vec<Finding> = raw;
        // a fix must never carry a key: drop one whose replacement copies a key from the source
        let carries_key = |t: &str| rlscope_core::keys::redact_secrets_in(t) != t;
        for f in &mut findings {
            f.fixes.retain(|fix| {
                !carries_key(&fix.title) && !fix.edits.iter().any(|e| carries_key(&e.replacement))
            });
        }
        if matches!(f.lang, Lang::Sql) || f.lang.is_script() {
            let style = if f.lang == Lang::Sql {
                CommentStyle::Sql
            } else {
                CommentStyle::Js
            };
            findings = suppress::apply(&f.text, style, findings, &|id| {
                crate::rules::by_id(id).is_some()
            });
        }
        // config severities after suppressions, so a suppression of a rule turned off is not "unused"
        findings.retain_mut(|x| match self.config.severity(x.rule, x.severity) {
            Some(s) => {
                x.severity = s;
                true
            }
            None => false,
        });
        findings.sort_by(|a, b| {
            (a.range.start, a.range.end, a.rule).cmp(&(b.range.start, b.range.end, b.rule))
        });
        findings.dedup_by(|a, b| a.rule == b.rule && a.range == b.range);
        findings
    }

    /// Findings of every loaded file (in parallel), sorted by path.
    pub fn check_all(&self) -> Vec<(PathBuf, Vec<Finding>)> {
        let files = self.files();
        files
            .into_par_iter()
            .map(|p| {
                let f = crate::rules::catch_panic(|| self.check_file(&p)).unwrap_or_default();
                (p, f)
            })
            .collect()
    }

    /// What runs as which role at `offset`: a client identifier or a request on one.
    pub fn hover(&self, path: &Path, offset: u32) -> Option<Hover> {
        let &id = self.by_path.get(path)?;
        self.files[id as usize].as_ref()?.ir.as_ref()?;
        crate::rules::hover(&self.snapshot(), id, offset)
    }

    /// Role labels after each request on a Supabase client in the file.
    pub fn inlay_hints(&self, path: &Path) -> Vec<InlayHint> {
        let Some(&id) = self.by_path.get(path) else {
            return Vec::new();
        };
        if self.files[id as usize]
            .as_ref()
            .and_then(|f| f.ir.as_ref())
            .is_none()
        {
            return Vec::new();
        }
        crate::rules::inlay_hints(&self.snapshot(), id)
    }
}

/// The read-only view the evaluator and rules use.
pub struct Snapshot<'w> {
    ws: &'w Workspace,
    pub config: &'w Config,
}

impl<'w> Snapshot<'w> {
    /// The schema models of the workspace's Supabase projects.
    pub fn projects(&self) -> Arc<crate::projects::Projects> {
        self.ws.projects()
    }

    /// The files that import `file` directly.
    pub fn importers(&self, file: FileId) -> Vec<FileId> {
        self.ws.rdeps.get(&file).cloned().unwrap_or_default()
    }

    pub fn ir(&self, file: FileId) -> Option<&'w FileIr> {
        let f = self.ws.files.get(file as usize)?.as_ref()?;
        if let Some(ir) = &f.ir {
            return Some(ir);
        }
        if !f.lang.is_script() {
            return None;
        }
        f.lazy_ir
            .get_or_init(|| lower_text(f.lang, &f.text).map(Arc::new))
            .as_deref()
    }

    pub fn text(&self, file: FileId) -> &'w str {
        self.ws
            .files
            .get(file as usize)
            .and_then(|f| f.as_ref())
            .map_or("", |f| &f.text)
    }

    pub fn path(&self, file: FileId) -> &'w Path {
        self.ws
            .files
            .get(file as usize)
            .and_then(|f| f.as_ref())
            .map_or(Path::new(""), |f| &f.path)
    }

    pub fn line_index(&self, file: FileId) -> Option<&'w LineIndex> {
        self.ws
            .files
            .get(file as usize)?
            .as_ref()
            .map(|f| &*f.line_index)
    }

    pub fn file_id(&self, path: &Path) -> Option<FileId> {
        self.ws.by_path.get(path).copied()
    }

    pub fn resolve(&self, from: FileId, spec: &str) -> Resolved {
        let exists = |p: &Path| self.ws.by_path.contains_key(p);
        let r = Resolver {
            files: &exists,
            tsconfigs: &self.ws.tsconfigs,
            packages: &self.ws.packages,
        };
        r.resolve(self.path(from), spec)
    }

    /// A variable's key level by its value in the workspace's `.env` files, when they agree.
    pub fn env_level(&self, name: &str) -> Option<KeyLevel> {
        match self.ws.env.get(name).map(Vec::as_slice) {
            Some([one]) => Some(*one),
            _ => None,
        }
    }

    /// `path:line` relative to the workspace root, for messages.
    pub fn describe_loc(&self, file: FileId, offset: u32) -> String {
        let path = self.path(file);
        let rel = path.strip_prefix(&self.ws.root).unwrap_or(path);
        let line = self.line_index(file).map_or(0, |li| li.line_of(offset)) + 1;
        format!("{}:{}", rel.display(), line)
    }
}

/// Frees a large value on a helper thread: dropping a big file's old summary costs about a millisecond of
/// `free`, which a keystroke need not wait for.
fn drop_in_background<T: Send + 'static>(value: T) {
    use std::sync::mpsc::{channel, Sender};
    use std::sync::OnceLock;
    type Garbage = Box<dyn Send>;
    static BIN: OnceLock<Option<Sender<Garbage>>> = OnceLock::new();
    let bin = BIN.get_or_init(|| {
        let (tx, rx) = channel::<Garbage>();
        std::thread::Builder::new()
            .name("rlscope-drop".into())
            .spawn(move || rx.into_iter().for_each(drop))
            .ok()
            .map(|_| tx)
    });
    // without the thread (or if it is gone) the value is dropped here
    if let Some(tx) = bin {
        let _ = tx.send(Box::new(value));
    }
}

fn lower_text(lang: Lang, text: &str) -> Option<FileIr> {
    if !lang.is_script() {
        return None;
    }
    let tree = crate::document::parse(lang, text, None)?;
    // a bug in lowering one file must not take the whole run down: that file just has no summary
    crate::rules::catch_panic(|| crate::lower::lower(&tree, text))
}

fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    }
}

/// A generated or minified bundle (by name, or by average line length), skipped by directory walks.
pub fn looks_minified(path: &Path, bytes: &[u8]) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name.contains(".min.") || name.ends_with(".bundle.js") {
        return true;
    }
    if bytes.len() < 64 * 1024 {
        return false;
    }
    let lines = memchr::memchr_iter(b'\n', bytes).count() + 1;
    bytes.len() / lines > 1000
}

/// Walks a folder: gitignore-aware for sources; `.env` files are read even when git ignores them (that is
/// where their values live). Returns (path, false).
fn walk(dir: &Path, config: &Config, errors: &mut Vec<LoadError>) -> Vec<(PathBuf, bool)> {
    let mut out = Vec::new();
    let globs = Globs::new(config, dir);
    for ignore_git in [true, false] {
        let mut b = ignore::WalkBuilder::new(dir);
        b.hidden(false)
            .git_ignore(ignore_git)
            .git_exclude(ignore_git)
            .ignore(ignore_git)
            .parents(ignore_git)
            .follow_links(false);
        b.filter_entry(|e| {
            let name = e.file_name().to_str().unwrap_or("");
            !(e.file_type().is_some_and(|t| t.is_dir())
                && e.depth() > 0
                && SKIP_DIRS.contains(&name))
        });
        for entry in b.build() {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    if ignore_git {
                        errors.push(LoadError {
                            path: dir.to_path_buf(),
                            message: e.to_string(),
                        });
                    }
                    continue;
                }
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let path = entry.into_path();
            let Some(lang) = Lang::of(&path) else {
                continue;
            };
            // second pass: only the .env files git ignores
            if !ignore_git && lang != Lang::DotEnv {
                continue;
            }
            if (lang.is_script() || lang == Lang::Sql) && !globs.included(&path) {
                continue;
            }
            out.push((normalize(&path), false));
        }
    }
    out
}

/// Include/exclude globs from the config, relative to the config file's folder (or the walked folder).
struct Globs {
    base: PathBuf,
    include: Option<globset::GlobSet>,
    exclude: Option<globset::GlobSet>,
}

impl Globs {
    fn new(config: &Config, dir: &Path) -> Globs {
        let base = config
            .path
            .as_ref()
            .and_then(|p| p.parent())
            .map(|p| p.to_path_buf())
            .unwrap_or_else(|| dir.to_path_buf());
        let build = |pats: &[String]| -> Option<globset::GlobSet> {
            if pats.is_empty() {
                return None;
            }
            let mut b = globset::GlobSetBuilder::new();
            for p in pats {
                if let Ok(g) = globset::Glob::new(p) {
                    b.add(g);
                }
            }
            b.build().ok()
        };
        Globs {
            base,
            include: build(&config.include),
            exclude: build(&config.exclude),
        }
    }

    fn included(&self, path: &Path) -> bool {
        let rel = path.strip_prefix(&self.base).unwrap_or(path);
        if let Some(ex) = &self.exclude {
            if ex.is_match(rel) {
                return false;
            }
        }
        match &self.include {
            Some(inc) => inc.is_match(rel),
            None => true,
        }
    }
}
