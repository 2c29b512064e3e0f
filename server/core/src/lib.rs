//! The shared vocabulary of rlscope.
//!
//! Everything here is plain data and pure functions over text: byte ranges, the line index that turns byte
//! offsets into line/column pairs in any position encoding, findings and fixes, rule metadata, the config
//! model, and the key classifier/redactor. Nothing here knows about LSP, JSON-RPC, tokio or tree-sitter.

pub mod config;
pub mod finding;
pub mod keys;
pub mod line_index;
pub mod rule;
pub mod suppress;
pub mod text;

pub use finding::{Applicability, Edit, Finding, Fix, Related, Severity};
pub use line_index::{LineCol, LineIndex, PositionEncoding};
pub use rule::RuleMeta;
pub use text::TextRange;
