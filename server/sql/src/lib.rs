//! The `service-role-policy` rule (stub: the SQL issue fills this in).

use rlscope_core::rule::{Language, RuleMeta};
use rlscope_core::{Finding, Severity};

pub static SERVICE_ROLE_POLICY: RuleMeta = RuleMeta {
    id: "service-role-policy",
    default_severity: Severity::Warning,
    language: Language::Sql,
    summary: "A row level security policy targets or tests service_role, which bypasses RLS",
    what_it_does: "",
    why_bad: "",
    example: "",
    use_instead: "",
    fix_safety: "",
    references: &[],
};

/// All findings of the SQL rules in one `.sql` file.
pub fn check(_text: &str) -> Vec<Finding> {
    Vec::new()
}
