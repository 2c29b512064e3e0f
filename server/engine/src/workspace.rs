//! The set of files under analysis and their per-file summaries.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rlscope_core::config::Config;
use rlscope_core::{Finding, LineIndex, TextRange};

use crate::lang::Lang;

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

struct FileEntry {
    text: Arc<str>,
    line_index: Arc<LineIndex>,
    #[allow(dead_code)]
    lang: Lang,
}

pub struct Workspace {
    root: PathBuf,
    config: Config,
    files: HashMap<PathBuf, FileEntry>,
}

impl Workspace {
    pub fn new(root: PathBuf, config: Config) -> Workspace {
        Workspace {
            root,
            config,
            files: HashMap::new(),
        }
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
        self.files.keys().cloned().collect()
    }

    /// Walks `paths` (files or folders; folders honour .gitignore and skip build output) and loads every
    /// file the analysis reads. Returns what could not be read.
    pub fn load_paths(&mut self, paths: &[PathBuf], _opts: &LoadOptions) -> Vec<LoadError> {
        let _ = paths;
        Vec::new()
    }

    /// Sets the text of one file (opened or changed); returns the files whose findings may have changed,
    /// including this one.
    pub fn set_file(&mut self, path: PathBuf, text: Arc<str>) -> Vec<PathBuf> {
        let Some(lang) = Lang::of(&path) else {
            return Vec::new();
        };
        let line_index = Arc::new(LineIndex::new(&text));
        self.files.insert(
            path.clone(),
            FileEntry {
                text,
                line_index,
                lang,
            },
        );
        vec![path]
    }

    /// Like [`Workspace::set_file`], reusing a syntax tree the caller already has for exactly `text`.
    pub fn set_file_parsed(
        &mut self,
        path: PathBuf,
        text: Arc<str>,
        _tree: &tree_sitter::Tree,
    ) -> Vec<PathBuf> {
        self.set_file(path, text)
    }

    /// Forgets a file (deleted); returns the files whose findings may have changed.
    pub fn remove_file(&mut self, path: &Path) -> Vec<PathBuf> {
        self.files.remove(path);
        Vec::new()
    }

    /// The files checked by [`Workspace::check_all`], sorted.
    pub fn files(&self) -> Vec<PathBuf> {
        let mut v: Vec<_> = self.files.keys().cloned().collect();
        v.sort();
        v
    }

    pub fn source(&self, path: &Path) -> Option<Arc<str>> {
        self.files.get(path).map(|f| f.text.clone())
    }

    pub fn line_index(&self, path: &Path) -> Option<Arc<LineIndex>> {
        self.files.get(path).map(|f| f.line_index.clone())
    }

    /// Findings of one file, after config severities and suppressions, sorted by position.
    pub fn check_file(&self, _path: &Path) -> Vec<Finding> {
        Vec::new()
    }

    /// Findings of every loaded file (in parallel), sorted by path.
    pub fn check_all(&self) -> Vec<(PathBuf, Vec<Finding>)> {
        self.files()
            .into_iter()
            .map(|p| {
                let f = self.check_file(&p);
                (p, f)
            })
            .collect()
    }

    /// What runs as which role at `offset`: a client identifier or a request on one.
    pub fn hover(&self, _path: &Path, _offset: u32) -> Option<Hover> {
        None
    }

    /// Role labels after each request on a Supabase client in the file.
    pub fn inlay_hints(&self, _path: &Path) -> Vec<InlayHint> {
        Vec::new()
    }
}
