//! Output formats. Every message passes through the secret redactor before it is printed.

pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod sarif;

use std::path::Path;

/// `path` relative to `base` when it lies below it, else as given.
pub fn display_path(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .display()
        .to_string()
}

#[cfg(test)]
mod tests;
