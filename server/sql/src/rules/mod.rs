//! One rule, one file.

pub mod hardcoded_service_key;
pub mod service_role_policy;
