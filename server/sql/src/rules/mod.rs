//! One rule, one file.

pub mod service_role_policy;
