//! Rule metadata, declared once per rule next to its implementation and rendered into `rlscope explain`,
//! `docs/rules/<id>.md`, the language server's hover and SARIF's rule descriptors.

use crate::finding::Severity;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    TypeScript,
    Sql,
    /// Rules about rlscope's own suppression comments.
    Any,
}

#[derive(Debug)]
pub struct RuleMeta {
    /// Stable kebab-case id.
    pub id: &'static str,
    pub default_severity: Severity,
    pub language: Language,
    /// One line, no trailing period.
    pub summary: &'static str,
    /// Markdown paragraphs for each fixed docs section.
    pub what_it_does: &'static str,
    pub why_bad: &'static str,
    /// A complete file that yields exactly this rule once.
    pub example: &'static str,
    /// The corrected file: yields nothing.
    pub use_instead: &'static str,
    pub fix_safety: &'static str,
    /// Supabase docs paths or full URLs.
    pub references: &'static [&'static str],
}

impl RuleMeta {
    /// Where the rule's docs page lives (used for LSP `codeDescription.href` and SARIF `helpUri`).
    pub fn docs_url(&self) -> String {
        format!(
            "https://github.com/rlscope/rlscope/blob/main/docs/rules/{}.md",
            self.id
        )
    }

    /// The example's file extension, so examples can be checked as real files.
    pub fn example_extension(&self) -> &'static str {
        match self.language {
            Language::Sql => "sql",
            _ => "ts",
        }
    }
}
