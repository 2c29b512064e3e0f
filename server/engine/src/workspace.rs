//! The pipeline: a [`Workspace`] walks and reads files (`walk`), stores them (`db`), picks the scripts that
//! can matter (`prefilter`, then `relevance`), lowers them (`lower`), and checks a file by running the rules
//! (`rules`) over evaluated summaries, then config severities and suppressions. The editor entry points
//! (`set_file_parsed`, `hover`, `inlay_hints`) live here too; syntax trees are never kept.
//!
//! **Architecture invariant:** the workspace is the top of the engine: nothing in the engine imports it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use rlscope_core::config::Config;
use rlscope_core::suppress::{self, CommentStyle};
use rlscope_core::{Finding, LineIndex};

use crate::background::drop_in_background;
use crate::db::{Db, FileId, Snapshot};
use crate::ide::{Hover, InlayHint};
use crate::ir::FileIr;
use crate::lang::Lang;
use crate::lower::Fragments;
use crate::prefilter::Prefilter;
use crate::walk::LoadError;

#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Parse every file instead of only those the byte prefilter cannot rule out.
    pub no_prefilter: bool,
}

pub struct Workspace {
    db: Db,
    /// The per-statement fragments of files the caller edits (open in an editor), so the next version
    /// re-lowers only the statements that changed.
    fragments: HashMap<FileId, Fragments>,
    /// The schema objects each script's requests name, so a SQL edit re-checks only the scripts it affects.
    schema_deps: crate::schema_deps::DepIndex,
    /// What the last check of each SQL file learnt for checking its next version (`rlscope_sql::CheckMemo`).
    sql_memos: std::sync::Mutex<HashMap<FileId, Arc<rlscope_sql::CheckMemo>>>,
}

impl Workspace {
    pub fn new(root: PathBuf, config: Config) -> Workspace {
        Workspace {
            db: Db::new(root, config, crate::lower::lower_text),
            fragments: HashMap::new(),
            schema_deps: Default::default(),
            sql_memos: Default::default(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.db.root
    }

    pub fn config(&self) -> &Config {
        &self.db.config
    }

    /// The schema models of the workspace's Supabase projects (`supabase/migrations`, `supabase/schemas`).
    pub fn projects(&self) -> Arc<crate::projects::Projects> {
        self.db.projects()
    }

    /// Replaces the config; every file's findings may change.
    pub fn set_config(&mut self, config: Config) -> Vec<PathBuf> {
        self.db.config = config;
        self.schema_deps.clear();
        self.files()
    }

    pub(crate) fn snapshot(&self) -> Snapshot<'_> {
        self.db.snapshot()
    }

    // ------------------------------------------------------------------ loading

    /// Walks `paths` (files or folders; folders honour .gitignore/.ignore and skip dependencies and build
    /// output) and loads every file the analysis reads. Returns what could not be read or was skipped.
    pub fn load_paths(&mut self, paths: &[PathBuf], opts: &LoadOptions) -> Vec<LoadError> {
        let mut errors = Vec::new();
        let read = crate::walk::read_paths(paths, &self.db.config, &mut errors);
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
                        Lang::DotEnv => self.db.refresh_env_file(id),
                        _ if lang.is_script() => scripts.push(id),
                        _ => {}
                    }
                }
            }
        }
        if tsconfigs {
            self.db.refresh_tsconfigs();
        }
        if packages {
            self.db.refresh_packages();
        }
        self.db.rebuild_env();
        // which scripts need a syntax tree up front: everything, or the seeds and the files that can reach a
        // client or key through their imports (the rest is parsed lazily if evaluation ever follows an import
        // into it)
        let selected: Vec<FileId> = if opts.no_prefilter {
            scripts
        } else {
            let pre = Prefilter::new(&self.db.config, self.db.env.keys().map(|k| &**k));
            let snap = self.snapshot();
            let (seeds, rdeps) = pre.seeds(&snap, &scripts);
            // summarise the seeds in parallel before the (sequential) expansion evaluates their exports
            seeds.par_iter().for_each(|&id| {
                snap.ir(id);
            });
            crate::relevance::expand(&snap, &seeds, &rdeps)
        };
        let lowered: Vec<(FileId, Option<Arc<FileIr>>)> = selected
            .par_iter()
            .map(|&id| {
                let f = self.db.files[id].as_ref().expect("file");
                let ir = match f.lazy_ir.get() {
                    Some(done) => done.clone(),
                    None => crate::lower::lower_text(f.lang, &f.text).map(Arc::new),
                };
                (id, ir)
            })
            .collect();
        for (id, ir) in lowered {
            if let Some(f) = self.db.files[id].as_mut() {
                f.ir = ir;
            }
        }
        self.db.recompute_deps(None);
        errors
    }

    /// Stores a file's text (replacing an earlier version and its fragments).
    fn intern(&mut self, path: &Path, lang: Lang, text: Arc<str>) -> FileId {
        let id = self.db.intern(path, lang, text);
        if let Some(old) = self.fragments.remove(&id) {
            drop_in_background(old);
        }
        id
    }

    /// Sets the text of one file (opened or changed); returns the files whose findings may have changed,
    /// including this one.
    pub fn set_file(&mut self, path: PathBuf, text: Arc<str>) -> Vec<PathBuf> {
        let Some(lang) = Lang::of(&path) else {
            return Vec::new();
        };
        let ir = crate::lower::lower_text(lang, &text);
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
        let prev = self.db.by_path.get(&path).and_then(|id| {
            let text = self.db.files[*id].as_ref()?.text.clone();
            Some((text, self.fragments.get(id)?))
        });
        let lowered = crate::panic_guard::catch_panic(|| {
            crate::lower::lower_reusing(tree, &text, prev.as_ref().map(|(t, f)| (&**t, *f)))
        });
        let (ir, fragments) = match lowered {
            Some((ir, fragments)) => (Some(ir), Some(fragments)),
            None => (None, None),
        };
        let changed = self.set_file_with_ir(path.clone(), lang, text, ir);
        if let (Some(&id), Some(fragments)) = (self.db.by_path.get(&path), fragments) {
            self.fragments.insert(id, fragments);
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
        let is_new = !self.db.by_path.contains_key(&path);
        let has_providers = |ir: Option<&FileIr>| ir.is_some_and(|ir| !ir.providers.is_empty());
        // gaining or losing NestJS providers changes the imports of every file that injects
        let providers_changed = has_providers(self.db.data(&path).and_then(|f| f.ir.as_deref()))
            != has_providers(ir.as_ref());
        // the models the current findings were computed from, to see what a SQL edit changes
        let old_projects = (lang == Lang::Sql)
            .then(|| self.db.projects.get().cloned())
            .flatten();
        let id = self.intern(&path, lang, text);
        match lang {
            Lang::TsConfig => {
                self.db.refresh_tsconfigs();
                self.db.recompute_deps(None);
                self.schema_deps.clear();
                return self.files();
            }
            Lang::PackageJson => {
                self.db.refresh_packages();
                self.db.recompute_deps(None);
                self.schema_deps.clear();
                return self.files();
            }
            Lang::DotEnv => {
                self.db.refresh_env_file(id);
                self.db.rebuild_env();
                return self.files();
            }
            // a migration changes what RLS does to the requests of the code that queries what it changed
            Lang::Sql if rlscope_sql::schema::project_root(&path).is_some() => {
                return self.sql_changed(&path, old_projects)
            }
            _ => {}
        }
        if let Some(f) = self.db.files[id].as_mut() {
            f.ir = ir.map(Arc::new);
        }
        if lang == Lang::Sql {
            // a SQL file outside `supabase/` is a project of its own
            return vec![path];
        }
        // the files that injected this one's providers, before they stop depending on it
        let injected_before = if providers_changed && !is_new {
            self.db.dependents(id)
        } else {
            Vec::new()
        };
        // a new file can make other files' imports resolve
        self.db.recompute_deps(if is_new || providers_changed {
            None
        } else {
            Some(id)
        });
        let mut affected = self.db.dependents(id);
        if !injected_before.is_empty() {
            affected.extend(injected_before);
            affected.sort();
            affected.dedup();
        }
        self.forget_schema_deps(&affected);
        affected
    }

    fn forget_schema_deps(&self, paths: &[PathBuf]) {
        self.schema_deps
            .forget(paths.iter().filter_map(|p| self.db.by_path.get(p).copied()));
    }

    /// After a SQL file of a Supabase project changed (its text is stored, the models not yet rebuilt): the
    /// SQL files of its project, and the scripts whose requests name a table or function whose state or
    /// source location changed. Without earlier models (nothing was checked against one), every file.
    fn sql_changed(
        &self,
        path: &Path,
        old: Option<Arc<crate::projects::Projects>>,
    ) -> Vec<PathBuf> {
        let Some(old) = old else {
            return self.files();
        };
        let before = crate::schema_deps::Before::of(&old);
        let old_files = old.files_of(path);
        // the rebuild takes the old build's objects when nothing else holds it
        drop(old);
        let new = self.db.projects();
        let Some(changed) = crate::schema_deps::diff(&before, &new) else {
            return self.files();
        };
        let new_files = new.files_of(path);
        // besides the project's SQL files (sorted): this file and the scripts to re-check
        let mut extra: std::collections::BTreeSet<PathBuf> = std::collections::BTreeSet::new();
        if !Arc::ptr_eq(&old_files, &new_files) {
            extra.extend(new_files.iter().cloned());
        }
        extra.insert(path.to_path_buf());
        if !changed.by_root.is_empty() {
            let candidates: Vec<(FileId, &PathBuf)> = self
                .db
                .files
                .iter_enumerated()
                .filter_map(|(i, f)| {
                    let f = f.as_ref()?;
                    if !f.lang.is_script() || f.ir.is_none() {
                        return None;
                    }
                    let root = &new.for_file(&f.path)?.root;
                    changed.by_root.contains_key(root).then_some((i, root))
                })
                .collect();
            let ids: Vec<FileId> = candidates.iter().map(|(id, _)| *id).collect();
            let objects = self.schema_deps.objects(&self.snapshot(), &ids);
            for (id, root) in candidates {
                let touched = &changed.by_root[root];
                // a script whose requests could not be listed is re-checked
                let affected = objects
                    .get(&id)
                    .is_none_or(|objs| objs.iter().any(|o| touched.contains(o)));
                if affected {
                    if let Some(f) = self.db.files[id].as_ref() {
                        extra.insert(f.path.clone());
                    }
                }
            }
        }
        merge_sorted(&old_files, extra)
    }

    /// Forgets a file (deleted); returns the files whose findings may have changed.
    pub fn remove_file(&mut self, path: &Path) -> Vec<PathBuf> {
        let Some(&id) = self.db.by_path.get(path) else {
            return Vec::new();
        };
        let lang = self.db.files[id].as_ref().map(|f| f.lang);
        let affected = self.db.dependents(id);
        self.forget_schema_deps(&affected);
        let old_projects = self.db.projects.get().cloned();
        self.db.files[id] = None;
        self.db.by_path.remove(path);
        self.fragments.remove(&id);
        if lang == Some(Lang::Sql) {
            let memos = self.sql_memos.get_mut().unwrap_or_else(|e| e.into_inner());
            if let Some(memo) = memos.remove(&id) {
                drop_in_background(memo);
            }
            self.db.reset_projects(None);
            if rlscope_sql::schema::project_root(path).is_some() {
                let mut changed = self.sql_changed(path, old_projects);
                changed.retain(|p| p != path);
                return changed;
            }
        }
        match lang {
            Some(Lang::TsConfig) => {
                self.db.refresh_tsconfigs();
                self.db.recompute_deps(None);
                self.schema_deps.clear();
                return self.files();
            }
            Some(Lang::PackageJson) => {
                self.db.refresh_packages();
                self.db.recompute_deps(None);
                self.schema_deps.clear();
                return self.files();
            }
            Some(Lang::DotEnv) => {
                self.db.rebuild_env();
                return self.files();
            }
            _ => {}
        }
        self.db.recompute_deps(None);
        affected.into_iter().filter(|p| p != path).collect()
    }

    /// The files checked by [`Workspace::check_all`] (scripts, SQL and `.env` files, and the other text
    /// files that may hold a key), sorted.
    pub fn files(&self) -> Vec<PathBuf> {
        self.db.files()
    }

    /// How many script files have a summary (were parsed).
    pub fn parsed_count(&self) -> usize {
        self.db.parsed_count()
    }

    pub fn source(&self, path: &Path) -> Option<Arc<str>> {
        self.db.data(path).map(|f| f.text.clone())
    }

    pub fn line_index(&self, path: &Path) -> Option<Arc<LineIndex>> {
        self.db.data(path).map(|f| f.line_index.clone())
    }

    // ------------------------------------------------------------------ checking

    /// Findings of one file, after config severities and suppressions, sorted by position.
    pub fn check_file(&self, path: &Path) -> Vec<Finding> {
        let Some(&id) = self.db.by_path.get(path) else {
            return Vec::new();
        };
        let Some(f) = self.db.files[id].as_ref() else {
            return Vec::new();
        };
        let raw = match f.lang {
            Lang::Sql => {
                let memos = || self.sql_memos.lock().unwrap_or_else(|e| e.into_inner());
                let memo = memos().get(&id).cloned().unwrap_or_default();
                let (mut v, memo) = rlscope_sql::check_reusing(&f.text, &memo);
                memos().insert(id, Arc::new(memo));
                v.extend(self.db.projects().findings(path));
                v
            }
            Lang::DotEnv => crate::rules::check_env_file(&self.db.config, f),
            l if l.is_key_text() => crate::rules::check_text_file(&f.text),
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
        if let Some(style) = comment_style(f.lang, &f.path) {
            findings = suppress::apply(&f.text, style, findings, &|id| {
                crate::rules::by_id(id).is_some()
            });
        }
        // config severities after suppressions, so a suppression of a rule turned off is not "unused"
        findings.retain_mut(|x| match self.db.config.severity(x.rule, x.severity) {
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
                let f = crate::panic_guard::catch_panic(|| self.check_file(&p)).unwrap_or_default();
                (p, f)
            })
            .collect()
    }

    /// Every request in a file (database, rpc, storage, functions, `auth.admin`) with the role of that request.
    pub fn requests(&self, path: &Path) -> Vec<crate::requests::RequestReport> {
        let snap = self.snapshot();
        match snap.file_id(path) {
            Some(file) => crate::requests::reports(&snap, file),
            None => Vec::new(),
        }
    }

    /// What runs as which role at `offset`: a client identifier or a request on one. In SQL: the final
    /// state of the table named at `offset` (row level security, policies by command and role).
    pub fn hover(&self, path: &Path, offset: u32) -> Option<Hover> {
        let &id = self.db.by_path.get(path)?;
        let f = self.db.files[id].as_ref()?;
        if f.lang == Lang::Sql {
            let text = f.text.clone();
            return crate::schema::hover(&self.db.projects(), path, &text, offset, &self.db.root);
        }
        self.db.files[id].as_ref()?.ir.as_ref()?;
        crate::ide::hover(&self.snapshot(), id, offset)
    }

    /// Where the table named at `offset` of a SQL file is created (its name in the `CREATE TABLE`); in code,
    /// where the table of a `.from('t')` string or the function of an `.rpc('f')` name is created.
    pub fn definition(
        &self,
        path: &Path,
        offset: u32,
    ) -> Option<(PathBuf, rlscope_core::TextRange)> {
        let &id = self.db.by_path.get(path)?;
        let f = self.db.files[id].as_ref()?;
        if f.lang == Lang::Sql {
            let text = f.text.clone();
            return crate::schema::definition(&self.db.projects(), path, &text, offset);
        }
        if !f.lang.is_script() {
            return None;
        }
        crate::schema::definition_in_code(&self.snapshot(), id, offset)
    }

    /// The requests in the code of the same Supabase project that touch the table (or function) named at
    /// `offset` of a SQL file: the table string of each `.from('t')`, the name of each `.rpc('f')`. With
    /// `include_declaration`, its name in the `CREATE` comes first.
    pub fn references(
        &self,
        path: &Path,
        offset: u32,
        include_declaration: bool,
    ) -> Vec<(PathBuf, rlscope_core::TextRange)> {
        let Some(f) = self.db.data(path) else {
            return Vec::new();
        };
        if f.lang != Lang::Sql {
            return Vec::new();
        }
        let text = f.text.clone();
        let scripts: Vec<crate::db::FileId> = self
            .db
            .by_path
            .values()
            .copied()
            .filter(|&id| {
                self.db.files[id]
                    .as_ref()
                    .is_some_and(|f| f.lang.is_script())
            })
            .collect();
        let mut scripts = scripts;
        scripts.sort_by(|&a, &b| {
            self.db.files[a]
                .as_ref()
                .map(|f| &f.path)
                .cmp(&self.db.files[b].as_ref().map(|f| &f.path))
        });
        crate::schema::references(
            &self.snapshot(),
            path,
            &text,
            offset,
            &scripts,
            include_declaration,
        )
    }

    /// Role labels after each request on a Supabase client in the file.
    pub fn inlay_hints(&self, path: &Path) -> Vec<InlayHint> {
        let Some(&id) = self.db.by_path.get(path) else {
            return Vec::new();
        };
        if self.db.files[id]
            .as_ref()
            .and_then(|f| f.ir.as_ref())
            .is_none()
        {
            return Vec::new();
        }
        crate::ide::inlay_hints(&self.snapshot(), id)
    }
}

/// How suppression comments are written in a file; `None` where there are no comments (JSON).
fn comment_style(lang: Lang, path: &Path) -> Option<CommentStyle> {
    match lang {
        Lang::Sql => Some(CommentStyle::Sql),
        l if l.is_script() => Some(CommentStyle::Js),
        Lang::DotEnv => Some(CommentStyle::Hash),
        Lang::Text => match path.extension().and_then(|e| e.to_str()) {
            Some("toml" | "yaml" | "yml") => Some(CommentStyle::Hash),
            Some("md") => Some(CommentStyle::Html),
            // MDX comments are JSX's `{/* … */}`; JSONC and JSON5 have `//` and `/* */`
            Some("mdx" | "jsonc" | "json5") => Some(CommentStyle::Js),
            _ => None,
        },
        _ => None,
    }
}

/// The union of `sorted` (sorted, no duplicates) and `extra`, sorted.
fn merge_sorted(sorted: &[PathBuf], extra: std::collections::BTreeSet<PathBuf>) -> Vec<PathBuf> {
    let mut out = Vec::with_capacity(sorted.len() + extra.len());
    let mut rest = sorted.iter().peekable();
    for e in extra {
        while let Some(s) = rest.next_if(|s| **s < e) {
            out.push(s.clone());
        }
        if rest.peek().is_some_and(|s| **s == e) {
            rest.next();
        }
        out.push(e);
    }
    out.extend(rest.cloned());
    out
}
