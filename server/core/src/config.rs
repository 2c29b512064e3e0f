//! The configuration model (`rlscope.toml`), shared by the CLI and the language server.
//!
//! This module holds the data; reading and validating the TOML file lives in [`crate::config::load`]
//! (see the CLI issue). The engine only reads these fields.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::finding::Severity;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleSetting {
    Off,
    Warn,
    Error,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// The file this config was read from, if any.
    pub path: Option<PathBuf>,
    /// Severity overrides by rule id.
    pub rules: BTreeMap<String, RuleSetting>,
    /// Extra environment variable names that hold service-level keys.
    pub service_env_names: Vec<String>,
    /// Extra environment variable names that hold anon-level keys.
    pub anon_env_names: Vec<String>,
    /// Extra env-var prefixes that bundlers expose to the browser.
    pub browser_env_prefixes: Vec<String>,
    /// Globs (relative to the config's folder) of files to check; empty means everything.
    pub include: Vec<String>,
    /// Globs of files never to check.
    pub exclude: Vec<String>,
    /// Names of a project's own client factories with `createClient(url, key, options)`'s signature.
    pub client_factories: Vec<String>,
}

/// The env-var prefixes bundlers expose to browser code.
pub const DEFAULT_BROWSER_ENV_PREFIXES: &[&str] = &[
    "NEXT_PUBLIC_",
    "VITE_",
    "PUBLIC_",
    "EXPO_PUBLIC_",
    "REACT_APP_",
    "NUXT_PUBLIC_",
    "GATSBY_",
];

impl Config {
    /// The effective severity of a rule, or `None` when it is turned off.
    pub fn severity(&self, rule: &str, default: Severity) -> Option<Severity> {
        match self.rules.get(rule) {
            None => Some(default),
            Some(RuleSetting::Off) => None,
            Some(RuleSetting::Warn) => Some(Severity::Warning),
            Some(RuleSetting::Error) => Some(Severity::Error),
        }
    }

    pub fn is_browser_env_name(&self, name: &str) -> bool {
        DEFAULT_BROWSER_ENV_PREFIXES
            .iter()
            .any(|p| name.starts_with(p))
            || self
                .browser_env_prefixes
                .iter()
                .any(|p| name.starts_with(p.as_str()))
    }
}
