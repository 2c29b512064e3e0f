//! What a rule reports: a [`Finding`] with its range, message, related locations and fixes.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::text::TextRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// How safe a fix is to apply without review (ruff's `Applicability`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Only shown to the user, never applied automatically.
    DisplayOnly,
    /// Changes behaviour, or needs a follow-up (an env var to set): applied with `--unsafe-fixes` only.
    Unsafe,
    /// Keeps behaviour: applied by `--fix` and offered as the preferred quick fix.
    Safe,
}

/// Replace `range` of the finding's file with `replacement`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Edit {
    pub range: TextRange,
    pub replacement: String,
}

impl Edit {
    /// `text` with every edit applied, each range read in the original `text`. The edits must not overlap and
    /// must lie on character boundaries inside `text` (it panics otherwise); their order does not matter: they
    /// are applied from the end backwards (by start, then end), so an insertion at a replaced range's start
    /// lands before the replacement.
    pub fn apply_all<'a>(text: &str, edits: impl IntoIterator<Item = &'a Edit>) -> String {
        let mut edits: Vec<&Edit> = edits.into_iter().collect();
        edits.sort_by_key(|e| std::cmp::Reverse((e.range.start, e.range.end)));
        let mut out = text.to_string();
        for e in edits {
            out.replace_range(e.range.as_usize(), &e.replacement);
        }
        out
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Fix {
    /// Imperative, shown as the quick-fix title: "Replace with `auth.admin.createUser`".
    pub title: String,
    pub applicability: Applicability,
    /// Non-overlapping edits to the finding's own file.
    pub edits: Vec<Edit>,
}

/// A secondary location: where the key was read, where the client was built.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Related {
    pub path: PathBuf,
    pub range: TextRange,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Finding {
    /// Stable kebab-case rule id, e.g. `session-method-on-service-client`.
    pub rule: &'static str,
    pub severity: Severity,
    /// Primary range in the file the finding belongs to.
    pub range: TextRange,
    pub message: String,
    pub related: Vec<Related>,
    pub fixes: Vec<Fix>,
}

impl Finding {
    pub fn new(
        rule: &'static str,
        severity: Severity,
        range: TextRange,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            rule,
            severity,
            range,
            message: message.into(),
            related: Vec::new(),
            fixes: Vec::new(),
        }
    }

    pub fn with_related(
        mut self,
        path: PathBuf,
        range: TextRange,
        message: impl Into<String>,
    ) -> Finding {
        self.related.push(Related {
            path,
            range,
            message: message.into(),
        });
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Finding {
        self.fixes.push(fix);
        self
    }

    /// The best fix at or above `min` applicability.
    pub fn fix_at_least(&self, min: Applicability) -> Option<&Fix> {
        self.fixes
            .iter()
            .filter(|f| f.applicability >= min && !f.edits.is_empty())
            .rev() // max_by_key keeps the last maximum: reversed, that is the first
            .max_by_key(|f| f.applicability)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(start: u32, end: u32, replacement: &str) -> Edit {
        Edit {
            range: TextRange::new(start, end),
            replacement: replacement.to_string(),
        }
    }

    #[test]
    fn apply_all_reads_every_range_in_the_original_text() {
        let text = "abcdefghij";
        // given out of order: a replacement, an insertion at its start, one at the end, a deletion
        let edits = [
            edit(2, 4, "XY"),
            edit(10, 10, "!"),
            edit(2, 2, "<"),
            edit(0, 1, ""),
        ];
        assert_eq!(Edit::apply_all(text, &edits), "b<XYefghij!");
        assert_eq!(Edit::apply_all(text, &[]), text);
        // multi-byte text: ranges are byte offsets
        assert_eq!(Edit::apply_all("é=1", &[edit(0, 2, "e")]), "e=1");
    }
}
