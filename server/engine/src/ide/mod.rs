//! What the editor shows: hovers and inlay hints. They render the [`Role`](crate::role::Role) of the clients
//! involved and, on a request, what row level security does to it; they decide nothing themselves.
//!
//! **Architecture invariant:** `ide` renders; it never decides a role (that is `role`) nor reports a
//! finding (that is `rules`).

mod hover;
mod inlay;
mod outcome;
mod render;

use rlscope_core::TextRange;

pub(crate) use hover::hover;
pub(crate) use inlay::inlay_hints;

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
