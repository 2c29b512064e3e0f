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
