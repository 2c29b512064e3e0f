//! The rlscope analysis engine.
//!
//! Pipeline: discover files → (prefilter) → parse with tree-sitter → lower each file to a compact
//! per-file summary (`ir::FileIr`: imports, exports, bindings, call sites, env reads) and drop the tree →
//! evaluate values across files on the summaries (`eval`) → run the rules → apply config and suppressions.
//!
//! **Architecture invariant:** nothing here knows about LSP, JSON-RPC or tokio. The CLI and the language
//! server both drive a [`Workspace`].

pub mod document;
mod envfile;
mod eval;
mod ir;
pub mod lang;
mod lower;
mod prefilter;
pub mod requests;
mod resolve;
pub mod role;
pub mod rules;
mod workspace;

pub use lang::Lang;
pub use workspace::{
    looks_minified, Hover, InlayHint, LoadError, LoadOptions, Workspace, MAX_WALKED_FILE, SKIP_DIRS,
};

use std::path::PathBuf;
use std::sync::Arc;

use rlscope_core::config::Config;
use rlscope_core::Finding;

/// Checks a single in-memory file as a one-file project (used by docs examples and unit tests).
pub fn check_source(path: &str, text: &str) -> Vec<Finding> {
    let mut ws = Workspace::new(PathBuf::from("/"), Config::default());
    let path = PathBuf::from("/").join(path);
    ws.set_file(path.clone(), Arc::from(text));
    ws.check_file(&path)
}
