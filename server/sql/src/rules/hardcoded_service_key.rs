//! `hardcoded-service-key` in SQL: a service-role JWT or `sb_secret_` key written anywhere in the file.
//!
//! The rule's metadata and docs live with the TS/JS rule (rlscope_engine); SQL gives it more places to look:
//! a string (`net.http_post(headers := '{"Authorization": "Bearer eyJ…"}'::jsonb)`), a dollar-quoted
//! function body, a comment. A key in a migration is published with the repository wherever it stands.

use rlscope_core::keys::{hardcoded_key_message, redact, service_keys_in_text};
use rlscope_core::{Finding, Severity, TextRange};

/// The rule id, shared with the TS/JS rule of the same name.
pub const ID: &str = "hardcoded-service-key";

pub fn check(text: &str, out: &mut Vec<Finding>) {
    for k in service_keys_in_text(text) {
        let shown = redact(&text[k.range.clone()]);
        out.push(Finding::new(
            ID,
            Severity::Error,
            TextRange::new(k.range.start as u32, k.range.end as u32),
            hardcoded_key_message(k.key.kind, &shown),
        ));
    }
}
