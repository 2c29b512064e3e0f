//! The files a raw parse covers: every TS/JS file `rlscope check --no-prefilter` would parse under a folder.
//!
//! Mirrors the engine's walk (`rlscope_engine` workspace.rs `walk`, `SKIP_DIRS`, `looks_minified`):
//! `.gitignore`/`.ignore` honoured, hidden entries walked, dependency and build folders (`node_modules`,
//! `dist`, `build`, `.next`, `.git`…) skipped below the root, `.d.ts` skipped, and files the engine reads but
//! does not parse (over 2 MiB, or minified) left out. The harness cross-checks the count with the engine's
//! `parsed_count()` under `--no-prefilter` and prints a note when they differ.

use std::path::{Path, PathBuf};

use rlscope_engine::Lang;

/// Folder names never walked into below the root (the engine's list).
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

/// Larger files are not parsed by the engine (generated bundles).
const MAX_FILE: usize = 2 * 1024 * 1024;

fn looks_minified(path: &Path, bytes: &[u8]) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name.contains(".min.") || name.ends_with(".bundle.js") {
        return true;
    }
    if bytes.len() < 64 * 1024 {
        return false;
    }
    let lines = bytes.iter().filter(|b| **b == b'\n').count() + 1;
    bytes.len() / lines > 1000
}

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
