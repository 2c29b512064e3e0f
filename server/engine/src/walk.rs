//! Which files to read: a folder walk (gitignore-aware; dependencies, build output and minified bundles
//! skipped; `.env*` read even when git ignores it) and the parallel read of what it finds.
//!
//! **Architecture invariant:** the walk knows only paths and bytes: no syntax tree, no summary.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rlscope_core::config::Config;

use crate::lang::{may_hold_key, Lang};
use crate::resolve::normalize;

#[derive(Clone, Debug)]
pub struct LoadError {
    pub path: PathBuf,
    pub message: String,
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

/// Larger text files (JSON, YAML, Markdown, TOML) are not read by a directory walk: data dumps, not
/// configuration.
pub const MAX_WALKED_TEXT_FILE: usize = 512 * 1024;

/// One file read by [`read_paths`]: (path, language, text, named explicitly).
pub(crate) type ReadFile = (PathBuf, Lang, String, bool);

/// Walks `paths` (files or folders) and reads, in parallel, every file the analysis reads. What could not be
/// walked is pushed to `errors`; what could not be read (or was skipped) comes back as an `Err`.
pub(crate) fn read_paths(
    paths: &[PathBuf],
    config: &Config,
    errors: &mut Vec<LoadError>,
) -> Vec<Result<ReadFile, LoadError>> {
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
        for (file, ignored_ok) in walk(&p, config, errors) {
            if seen.insert(file.clone()) {
                found.push((file, ignored_ok));
            }
        }
    }
    // read in parallel
    found
        .into_par_iter()
        .filter_map(|(path, named)| {
            let lang = Lang::of(&path)?;
            Some(match std::fs::read(&path) {
                Ok(bytes) => {
                    if !named
                        && lang == Lang::Text
                        && (bytes.len() > MAX_WALKED_TEXT_FILE
                            || !may_hold_key(&bytes)
                            || looks_minified(&path, &bytes))
                    {
                        // read for keys only: nothing to report, so nothing to say
                        return None;
                    }
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
        .collect()
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
            if (lang.is_script() || lang == Lang::Sql || lang == Lang::Text)
                && !globs.included(&path)
            {
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
