//! The files a raw parse covers: every TS/JS file `rlscope check` would read under a folder.
//!
//! Mirrors the engine's walk: `.gitignore`/`.ignore` honoured, hidden entries skipped, build output and
//! dependencies (`node_modules`, `dist`, `build`, `.next`, `out`, `coverage`…) skipped, `.d.ts` skipped. The
//! harness cross-checks the count against the engine's own file list and says if they differ.

use std::path::{Path, PathBuf};

use rlscope_engine::Lang;

/// Folder names never walked into (dependencies and build output).
pub const SKIP_DIRS: &[&str] = &[
    "node_modules",
    "dist",
    "build",
    "out",
    ".next",
    ".nuxt",
    ".svelte-kit",
    ".vercel",
    ".turbo",
    "coverage",
    "target",
];

/// Sorted TS/JS files under `root`, with the grammar each gets.
pub fn scripts(root: &Path) -> Vec<(PathBuf, Lang)> {
    let mut out = Vec::new();
    let walker = ignore::WalkBuilder::new(root)
        .filter_entry(|e| {
            !(e.file_type().is_some_and(|t| t.is_dir())
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
