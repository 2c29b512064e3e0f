//! Editor settings (`workspace/configuration`, section "rlscope"), merged over `rlscope.toml`.
//!
//! ```json
//! { "rlscope": { "rules": { "hardcoded-service-key": "warn" }, "inlayHints": { "enable": true } } }
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use rlscope_core::config::{Config, RuleSetting};
use serde_json::Value;

use crate::log::{log_info, log_warn};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    pub rules: BTreeMap<String, RuleSetting>,
    pub inlay_hints: bool,
}

impl Settings {
    /// Reads the "rlscope" section; unknown or ill-typed entries are ignored with a warning.
    pub fn from_json(v: &Value) -> Settings {
        let mut s = Settings::default();
        // accept both the section itself and a whole settings object holding it
        let v = v.get("rlscope").unwrap_or(v);
        if let Some(rules) = v.get("rules").and_then(Value::as_object) {
            for (id, level) in rules {
                let setting = match level.as_str().map(|l| l.to_ascii_lowercase()).as_deref() {
                    Some("off" | "none" | "allow") => RuleSetting::Off,
                    Some("warn" | "warning") => RuleSetting::Warn,
                    Some("error" | "deny") => RuleSetting::Error,
                    _ => {
                        log_warn!("settings: rlscope.rules.{id}: expected \"off\", \"warn\" or \"error\", got {level}");
                        continue;
                    }
                };
                if rlscope_engine::rules::by_id(id).is_none() {
                    log_warn!("settings: rlscope.rules.{id}: unknown rule (kept)");
                }
                s.rules.insert(id.clone(), setting);
            }
        }
        let inlay = v
            .get("inlayHints")
            .and_then(|h| h.get("enable"))
            .or_else(|| v.get("inlayHints.enable"));
        s.inlay_hints = inlay.and_then(Value::as_bool).unwrap_or(false);
        s
    }

    /// The config file's settings with these on top.
    pub fn merge_over(&self, file: &Config) -> Config {
        let mut c = file.clone();
        for (id, level) in &self.rules {
            c.rules.insert(id.clone(), *level);
        }
        c
    }
}

/// Finds and reads `rlscope.toml` from `root` upward. A broken file is reported and ignored.
pub fn load_file_config(root: &Path) -> (Config, Option<String>) {
    let Some(path) = rlscope_core::config::discover(root) else {
        return (Config::default(), None);
    };
    match rlscope_core::config::load_checked(&path, &|id| {
        rlscope_engine::rules::by_id(id).is_some()
    }) {
        Ok(c) => {
            log_info!("using config {}", path.display());
            (c, None)
        }
        Err(e) => {
            log_warn!("config ignored: {e}");
            (
                Config::default(),
                Some(format!("rlscope: config ignored: {e}")),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_and_merges() {
        let s = Settings::from_json(&json!({
            "rules": {"hardcoded-service-key": "off", "service-role-policy": "Warning", "x": 3},
            "inlayHints": {"enable": true}
        }));
        assert!(s.inlay_hints);
        assert_eq!(s.rules.len(), 2);
        let mut file = Config::default();
        file.rules
            .insert("service-role-policy".into(), RuleSetting::Error);
        file.rules.insert("other".into(), RuleSetting::Off);
        let c = s.merge_over(&file);
        assert_eq!(c.rules["service-role-policy"], RuleSetting::Warn);
        assert_eq!(c.rules["hardcoded-service-key"], RuleSetting::Off);
        assert_eq!(c.rules["other"], RuleSetting::Off);
        assert_eq!(Settings::from_json(&Value::Null), Settings::default());
        assert!(
            Settings::from_json(&json!({"rlscope": {"inlayHints": {"enable": true}}})).inlay_hints
        );
    }
}
