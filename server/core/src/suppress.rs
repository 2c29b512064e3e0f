//! Inline suppressions (stub: the CLI issue fills this in).
//!
//! `// rlscope-ignore RULE: reason` on the line before a finding or on its line, `-- rlscope-ignore RULE: reason`
//! in SQL, and `/* rlscope-ignore-file RULE: reason */` at the top of a file.

use crate::finding::{Finding, Severity};
use crate::rule::{Language, RuleMeta};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommentStyle {
    /// `//` and `/* */` comments (TS/JS).
    Js,
    /// `--` and `/* */` comments (SQL).
    Sql,
}

pub static INVALID_SUPPRESSION: RuleMeta = RuleMeta {
    id: "invalid-suppression",
    default_severity: Severity::Error,
    language: Language::Any,
    summary: "An rlscope-ignore comment without a reason or naming an unknown rule",
    what_it_does: "",
    why_bad: "",
    example: "",
    use_instead: "",
    fix_safety: "",
    references: &[],
};

pub static UNUSED_SUPPRESSION: RuleMeta = RuleMeta {
    id: "unused-suppression",
    default_severity: Severity::Warning,
    language: Language::Any,
    summary: "An rlscope-ignore comment that suppresses nothing",
    what_it_does: "",
    why_bad: "",
    example: "",
    use_instead: "",
    fix_safety: "",
    references: &[],
};

/// Drops the findings that a suppression comment in `text` covers, and adds `invalid-suppression` /
/// `unused-suppression` findings for the comments themselves. `is_known_rule` tells valid rule ids.
pub fn apply(
    _text: &str,
    _style: CommentStyle,
    findings: Vec<Finding>,
    _is_known_rule: &dyn Fn(&str) -> bool,
) -> Vec<Finding> {
    findings
}
