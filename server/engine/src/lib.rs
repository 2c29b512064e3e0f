//! The rlscope analysis engine.
//!
//! Pipeline: discover files → (prefilter) → parse with tree-sitter → lower each file to a compact
//! per-file summary (`ir::FileIr`: imports, exports, bindings, call sites, env reads) and drop the tree →
//! evaluate values across files on the summaries (`eval`) → run the rules → apply config and suppressions.
//!
//! **Architecture invariant:** nothing here knows about LSP, JSON-RPC or tokio. The CLI and the language
//! server both drive a [`Workspace`].

// Layers, lowest first; a module imports only from layers below it (tests/architecture.rs checks it):
// base (lang, idx, ir, document, envfile, resolve, panic_guard, background, projects) ← db ← {walk, prefilter} ← lower ← eval ← role
// ← requests ← {relevance, rules, ide} ← {schema, schema_deps} ← workspace.
mod background;
pub mod document;
mod envfile;
mod idx;
mod ir;
pub mod lang;
mod panic_guard;
pub mod projects;
mod resolve;

mod db;

mod prefilter;
mod walk;

mod lower;

mod eval;

pub mod requests;
pub mod role;

mod ide;
mod relevance;
pub mod rules;
mod schema;
mod schema_deps;

mod workspace;

pub use db::FileId;
pub use ide::{Hover, InlayHint};
pub use lang::Lang;
pub use schema_deps::SchemaObject;
pub use walk::{looks_minified, LoadError, MAX_WALKED_FILE, SKIP_DIRS};
pub use workspace::{LoadOptions, Workspace};

use std::path::PathBuf;
use std::sync::Arc;

use rlscope_core::config::Config;
use rlscope_core::Finding;

/// Checks a single in-memory file as a one-file project (used by docs examples and unit tests).
///
/// A text whose first line is `// file: <path>` holds several files (e.g. a migration beside the code that
/// queries it), each starting at such a line; they are loaded together and the findings of all are returned.
pub fn check_source(path: &str, text: &str) -> Vec<Finding> {
    let mut ws = Workspace::new(PathBuf::from("/"), Config::default());
    let files = split_files(path, text);
    for (p, t) in &files {
        ws.set_file(p.clone(), Arc::from(t.as_str()));
    }
    files.iter().flat_map(|(p, _)| ws.check_file(p)).collect()
}

/// The files of a [`check_source`] text, as absolute paths under `/`.
pub fn split_files(path: &str, text: &str) -> Vec<(PathBuf, String)> {
    const MARK: &str = "// file: ";
    if !text.starts_with(MARK) {
        return vec![(PathBuf::from("/").join(path), text.to_string())];
    }
    let mut out: Vec<(PathBuf, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(name) = line.strip_prefix(MARK) {
            out.push((PathBuf::from("/").join(name.trim()), String::new()));
        } else if let Some((_, t)) = out.last_mut() {
            t.push_str(line);
        }
    }
    out
}
