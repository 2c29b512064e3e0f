//! Supabase's database advisors (splinter's lints), decided on the schema model before deploy.

use crate::schema::SchemaModel;

/// The same verdicts computed from a live catalog (for the real-PostgreSQL differential test).
pub const CATALOG_VERDICTS_SQL: &str = "";

pub fn verdicts(_m: &SchemaModel) -> Vec<(&'static str, String)> {
    Vec::new()
}
