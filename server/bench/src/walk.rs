//! The files a raw parse covers: every TS/JS file `rlscope check --no-prefilter` would parse under a folder.
//!
//! Uses the engine's own walk rules (`rlscope_engine::{SKIP_DIRS, MAX_WALKED_FILE, looks_minified}`):
//! `.gitignore`/`.ignore` honoured, hidden entries walked, dependency and build folders (`node_modules`,
//! `dist`, `build`, `.next`, `.git`…) skipped below the root, `.d.ts` skipped, and files the engine reads but
//! does not parse (over 2 MiB, or minified) left out. The harness cross-checks the count with the engine's
//! `parsed_count()` under `--no-prefilter` and prints a note when they differ.

use std::path::{Path, PathBuf};

use rlscope_engine::Lang;

use rlscope_engine::{looks_minified, MAX_WALKED_FILE as MAX_FILE, SKIP_DIRS};

/// Sorted TS/JS files under `root`, with the grammar each gets.
pub fn scripts(root: &Path) -> Vec<(PathBuf, Lang)> {
    let mut out = Vec::new();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .follow_links(false)
        .filter_entry(|e| {
            !(e.depth() > 0
                && e.file_type().is_some_and(|t| t.is_dir())
                && e.file_name()
                    .to_str()
                    .is_some_and(|n| SKIP_DIRS.contains(&n)))
        })
        .build();
    for entry in walker.flatten() {
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.into_path();
        if let Some(lang) = Lang::of(&path).filter(|l| l.is_script()) {
            out.push((path, lang));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Reads the files the engine would parse: drops those over 2 MiB or minified.
pub fn read_parseable(files: &[(PathBuf, Lang)]) -> Vec<(PathBuf, Lang, Vec<u8>)> {
    files
        .iter()
        .filter_map(|(p, l)| {
            let bytes = std::fs::read(p).ok()?;
            (bytes.len() <= MAX_FILE && !looks_minified(p, &bytes)).then(|| (p.clone(), *l, bytes))
        })
        .collect()
}
