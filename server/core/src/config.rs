//! The configuration model (`rlscope.toml`), shared by the CLI and the language server.
//!
//! [`discover`] finds the file (from a path upward), [`load`] / [`load_checked`] read and validate it into a
//! [`Config`]. The engine only reads the fields. The file looks like this (every key is optional):
//!
//! ```toml
//! include = ["app/**", "lib/**", "supabase/**"]   # globs relative to this file's folder; empty = everything
//! exclude = ["**/*.test.ts", "scripts/**"]
//!
//! [rules]                                          # rule id = "off" | "warn" | "error"
//! hardcoded-service-key = "off"
//! session-method-on-service-client = "warn"
//!
//! [env]
//! service-key-names = ["ADMIN_DB_KEY"]             # env vars holding a service-level key
//! anon-key-names = ["PUBLIC_DB_KEY"]               # env vars holding an anon/publishable key
//! browser-prefixes = ["CLIENT_"]                   # extra prefixes bundlers expose to the browser
//!
//! [clients]
//! factories = ["createAppClient"]                  # own wrappers with createClient(url, key, options)'s signature
//! ```
//!
//! An unknown key, an unknown rule id, a bad severity or a bad glob is an error that names it and its line.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::finding::Severity;
use crate::line_index::LineIndex;

/// The config file's name, looked for from the checked path upward.
pub const FILE_NAME: &str = "rlscope.toml";

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

    /// The folder `include`/`exclude` globs are relative to (the config file's folder).
    pub fn base_dir(&self) -> Option<&Path> {
        self.path.as_deref().and_then(Path::parent)
    }
}

/// Why a config file could not be used. Displays as `path:line: message` (line 1-based, when known).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    /// 1-based line of the offending key or value, when known.
    pub line: Option<u32>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The nearest `rlscope.toml` in `start` (a file's folder, or the folder itself) or any folder above it.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let start = if start.is_file() || (!start.exists() && start.extension().is_some()) {
        start.parent()?
    } else {
        start
    };
    // make a relative start absolute so the walk can go above the current folder
    let start = if start.is_absolute() {
        start.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(start)
    };
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
}

/// Reads and validates a config file. Rule ids are not checked against the rule registry (the core cannot
/// see it): callers that can should use [`load_checked`].
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    load_checked(path, &|_| true)
}

/// Reads and validates a config file; a `[rules]` key for which `is_known_rule` is false is an error.
pub fn load_checked(
    path: &Path,
    is_known_rule: &dyn Fn(&str) -> bool,
) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        path: path.to_path_buf(),
        line: None,
        message: format!("cannot read the config file: {e}"),
    })?;
    parse(&text, path, is_known_rule)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    #[serde(default)]
    include: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    env: RawEnv,
    #[serde(default)]
    clients: RawClients,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawEnv {
    #[serde(default)]
    service_key_names: Vec<Spanned<String>>,
    #[serde(default)]
    anon_key_names: Vec<Spanned<String>>,
    #[serde(default)]
    browser_prefixes: Vec<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawClients {
    #[serde(default)]
    factories: Vec<Spanned<String>>,
}

/// Parses config text read from `path` (used for messages and as the globs' base).
pub fn parse(
    text: &str,
    path: &Path,
    is_known_rule: &dyn Fn(&str) -> bool,
) -> Result<Config, ConfigError> {
    let index = LineIndex::new(text);
    let line_of = |offset: usize| {
        index
            .line_col(text, offset as u32, crate::PositionEncoding::Utf32)
            .line
            + 1
    };
    let err = |offset: Option<usize>, message: String| ConfigError {
        path: path.to_path_buf(),
        line: offset.map(line_of),
        message,
    };
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        // toml's message is multi-line with a source excerpt; keep its first line, we add our own location
        let message = e.message().lines().next().unwrap_or("invalid TOML").trim();
        let message = message
            .replace("unknown field", "unknown key")
            .replace("expected one of", "expected one of the keys");
        err(e.span().map(|s| s.start), message)
    })?;

    let mut config = Config {
        path: Some(path.to_path_buf()),
        ..Config::default()
    };
    for (rule, setting) in &raw.rules {
        let id = rule.get_ref();
        if !is_known_rule(id) {
            return Err(err(
                Some(rule.span().start),
                format!("unknown rule `{id}` in [rules] (see `rlscope rules`)"),
            ));
        }
        let value = match setting.get_ref().as_str() {
            "off" => RuleSetting::Off,
            "warn" => RuleSetting::Warn,
            "error" => RuleSetting::Error,
            other => {
                return Err(err(
                    Some(setting.span().start),
                    format!(
                        "invalid setting `{other}` for rule `{id}`: expected \"off\", \"warn\" or \"error\""
                    ),
                ))
            }
        };
        config.rules.insert(id.clone(), value);
    }
    for (key, globs, out) in [
        ("include", &raw.include, &mut config.include),
        ("exclude", &raw.exclude, &mut config.exclude),
    ] {
        for g in globs {
            if let Err(e) = globset::Glob::new(g.get_ref()) {
                return Err(err(
                    Some(g.span().start),
                    format!("invalid glob `{}` in `{key}`: {}", g.get_ref(), e.kind()),
                ));
            }
            out.push(g.get_ref().clone());
        }
    }
    for (key, names, out) in [
        (
            "env.service-key-names",
            &raw.env.service_key_names,
            &mut config.service_env_names,
        ),
        (
            "env.anon-key-names",
            &raw.env.anon_key_names,
            &mut config.anon_env_names,
        ),
        (
            "env.browser-prefixes",
            &raw.env.browser_prefixes,
            &mut config.browser_env_prefixes,
        ),
        (
            "clients.factories",
            &raw.clients.factories,
            &mut config.client_factories,
        ),
    ] {
        for n in names {
            let v = n.get_ref();
            let ident = !v.is_empty()
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
            if !ident {
                return Err(err(
                    Some(n.span().start),
                    format!("invalid name `{v}` in `{key}`: expected an identifier"),
                ));
            }
            out.push(v.clone());
        }
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(id: &str) -> bool {
        matches!(
            id,
            "hardcoded-service-key" | "session-method-on-service-client"
        )
    }

    fn p(text: &str) -> Result<Config, ConfigError> {
        parse(text, Path::new("/proj/rlscope.toml"), &known)
    }

    #[test]
    fn full_config_loads() {
        let c = p(r#"
include = ["app/**", "supabase/**"]
exclude = ["**/*.test.ts"]

[rules]
hardcoded-service-key = "off"
session-method-on-service-client = "warn"

[env]
service-key-names = ["ADMIN_DB_KEY"]
anon-key-names = ["PUBLIC_DB_KEY"]
browser-prefixes = ["CLIENT_"]

[clients]
factories = ["createAppClient"]
"#)
        .unwrap();
        assert_eq!(c.path.as_deref(), Some(Path::new("/proj/rlscope.toml")));
        assert_eq!(c.base_dir(), Some(Path::new("/proj")));
        assert_eq!(c.include, ["app/**", "supabase/**"]);
        assert_eq!(c.exclude, ["**/*.test.ts"]);
        assert_eq!(c.severity("hardcoded-service-key", Severity::Error), None);
        assert_eq!(
            c.severity("session-method-on-service-client", Severity::Error),
            Some(Severity::Warning)
        );
        assert_eq!(c.service_env_names, ["ADMIN_DB_KEY"]);
        assert_eq!(c.anon_env_names, ["PUBLIC_DB_KEY"]);
        assert!(c.is_browser_env_name("CLIENT_KEY"));
        assert!(c.is_browser_env_name("NEXT_PUBLIC_X"));
        assert!(!c.is_browser_env_name("SECRET"));
        assert_eq!(c.client_factories, ["createAppClient"]);
    }

    #[test]
    fn empty_file_is_the_default() {
        let c = p("").unwrap();
        assert_eq!(
            c,
            Config {
                path: Some(PathBuf::from("/proj/rlscope.toml")),
                ..Config::default()
            }
        );
    }

    #[test]
    fn unknown_top_level_key_names_key_and_line() {
        let e = p("include = []\n\nexclud = [\"x\"]\n").unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        assert!(e.message.contains("unknown key `exclud`"), "{e}");
        assert!(e.to_string().starts_with("/proj/rlscope.toml:3: "), "{e}");
    }

    #[test]
    fn unknown_nested_key_names_key_and_line() {
        let e = p("[env]\nservice-keys = [\"A\"]\n").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        assert!(e.message.contains("`service-keys`"), "{e}");
    }

    #[test]
    fn unknown_rule_names_rule_and_line() {
        let e =
            p("[rules]\nhardcoded-service-key = \"off\"\nno-such-rule = \"warn\"\n").unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        assert!(e.message.contains("unknown rule `no-such-rule`"), "{e}");
    }

    #[test]
    fn bad_setting_names_value_and_line() {
        let e = p("[rules]\n\nhardcoded-service-key = \"warning\"\n").unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        assert!(e.message.contains("`warning`"), "{e}");
    }

    #[test]
    fn wrong_type_and_bad_syntax_and_bad_glob_and_bad_name() {
        let e = p("include = \"app/**\"\n").unwrap_err();
        assert_eq!(e.line, Some(1), "{e}");
        let e = p("[rules\n").unwrap_err();
        assert_eq!(e.line, Some(1), "{e}");
        let e = p("\nexclude = [\"a/{b\"]\n").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        assert!(e.message.contains("invalid glob"), "{e}");
        let e = p("[clients]\nfactories = [\"make client\"]\n").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
    }

    #[test]
    fn load_checks_unreadable_file() {
        let e = load(Path::new("/definitely/not/here/rlscope.toml")).unwrap_err();
        assert_eq!(e.line, None);
        assert!(e.to_string().contains("cannot read"), "{e}");
    }

    #[test]
    fn discover_walks_upward() {
        let dir = std::env::temp_dir().join(format!("rlscope-cfg-{}", std::process::id()));
        let deep = dir.join("a/b");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(deep.join("x.ts"), "").unwrap();
        assert_ne!(discover(&deep), Some(dir.join(FILE_NAME)));
        std::fs::write(dir.join(FILE_NAME), "").unwrap();
        assert_eq!(discover(&deep), Some(dir.join(FILE_NAME)));
        assert_eq!(discover(&deep.join("x.ts")), Some(dir.join(FILE_NAME)));
        std::fs::write(deep.join(FILE_NAME), "").unwrap();
        assert_eq!(discover(&deep.join("x.ts")), Some(deep.join(FILE_NAME)));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
