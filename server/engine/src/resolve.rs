//! Module resolution: relative specifiers, extension and `index` probing, and `tsconfig.json` /
//! `jsconfig.json` `baseUrl` + `paths` (following `extends`, cycles cut). Resolution is against the set of
//! files the workspace knows, never the disk, so it is fast and deterministic.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

/// What a specifier resolves to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    File(PathBuf),
    /// A package (or anything not in the workspace): the specifier as written.
    External,
}

/// The module-resolution part of one tsconfig/jsconfig, with `extends` already applied.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TsConfig {
    pub base_url: Option<PathBuf>,
    /// (pattern, substitutions), substitutions absolute.
    pub paths: Vec<(String, Vec<PathBuf>)>,
}

const EXTENSIONS: [&str; 8] = ["ts", "tsx", "js", "jsx", "mts", "cts", "mjs", "cjs"];

/// Lexically normalises `.` and `..` components.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

pub struct Resolver<'a> {
    pub files: &'a dyn Fn(&Path) -> bool,
    /// tsconfigs by the folder they sit in.
    pub tsconfigs: &'a HashMap<PathBuf, TsConfig>,
}

impl Resolver<'_> {
    pub fn resolve(&self, from: &Path, spec: &str) -> Resolved {
        if spec.is_empty() || spec.len() > 512 {
            return Resolved::External;
        }
        let dir = from.parent().unwrap_or(Path::new("/"));
        if spec.starts_with("./") || spec.starts_with("../") || spec == "." || spec == ".." {
            return self.probe(&normalize(&dir.join(spec)));
        }
        if spec.starts_with('/') {
            return self.probe(&normalize(Path::new(spec)));
        }
        if let Some(cfg) = self.tsconfig_for(dir) {
            for (pattern, subs) in &cfg.paths {
                let captured = match pattern.split_once('*') {
                    Some((pre, post)) => {
                        if spec.len() >= pre.len() + post.len()
                            && spec.starts_with(pre)
                            && spec.ends_with(post)
                        {
                            Some(&spec[pre.len()..spec.len() - post.len()])
                        } else {
                            None
                        }
                    }
                    None => (pattern == spec).then_some(""),
                };
                let Some(star) = captured else { continue };
                for sub in subs {
                    let s = sub.to_string_lossy().replace('*', star);
                    if let Resolved::File(p) = self.probe(&normalize(Path::new(&s))) {
                        return Resolved::File(p);
                    }
                }
            }
            if let Some(base) = &cfg.base_url {
                if let Resolved::File(p) = self.probe(&normalize(&base.join(spec))) {
                    return Resolved::File(p);
                }
            }
        }
        Resolved::External
    }

    fn tsconfig_for(&self, mut dir: &Path) -> Option<&TsConfig> {
        if self.tsconfigs.is_empty() {
            return None;
        }
        loop {
            if let Some(c) = self.tsconfigs.get(dir) {
                return Some(c);
            }
            dir = dir.parent()?;
        }
    }

    fn probe(&self, base: &Path) -> Resolved {
        let exists = |p: &Path| (self.files)(p);
        if exists(base) {
            return Resolved::File(base.to_path_buf());
        }
        // `./x.js` written for a `x.ts` source (TypeScript's ESM convention)
        if let Some(ext) = base.extension().and_then(|e| e.to_str()) {
            let swaps: &[&str] = match ext {
                "js" => &["ts", "tsx"],
                "jsx" => &["tsx"],
                "mjs" => &["mts"],
                "cjs" => &["cts"],
                _ => &[],
            };
            for s in swaps {
                let p = base.with_extension(s);
                if exists(&p) {
                    return Resolved::File(p);
                }
            }
        }
        let name = base
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        for ext in EXTENSIONS {
            let p = base.with_file_name(format!("{name}.{ext}"));
            if exists(&p) {
                return Resolved::File(p);
            }
        }
        for ext in EXTENSIONS {
            let p = base.join(format!("index.{ext}"));
            if exists(&p) {
                return Resolved::File(p);
            }
        }
        Resolved::External
    }
}

/// Reads a tsconfig/jsconfig (JSON with comments and trailing commas) and its `extends` chain.
/// `read` returns a file's text; cycles and unreadable parents are cut silently.
pub fn load_tsconfig(path: &Path, read: &dyn Fn(&Path) -> Option<String>) -> TsConfig {
    let mut seen = HashSet::new();
    load_rec(path, read, &mut seen, 0).unwrap_or_default()
}

fn load_rec(
    path: &Path,
    read: &dyn Fn(&Path) -> Option<String>,
    seen: &mut HashSet<PathBuf>,
    depth: u32,
) -> Option<TsConfig> {
    if depth > 16 || !seen.insert(path.to_path_buf()) {
        return None;
    }
    let text = read(path)?;
    let json: serde_json::Value = serde_json::from_str(&strip_jsonc(&text)).ok()?;
    let dir = path.parent().unwrap_or(Path::new("/"));
    let mut cfg = TsConfig::default();
    let extends: Vec<String> = match json.get("extends") {
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
    for e in extends {
        if e.starts_with('.') || e.starts_with('/') {
            let mut p = normalize(&dir.join(&e));
            if p.extension().is_none() {
                p.set_extension("json");
            }
            if let Some(parent) = load_rec(&p, read, seen, depth + 1) {
                if parent.base_url.is_some() {
                    cfg.base_url = parent.base_url;
                }
                if !parent.paths.is_empty() {
                    cfg.paths = parent.paths;
                }
            }
        }
    }
    let opts = json.get("compilerOptions");
    if let Some(base) = opts.and_then(|o| o.get("baseUrl")).and_then(|b| b.as_str()) {
        cfg.base_url = Some(normalize(&dir.join(base)));
    }
    if let Some(paths) = opts
        .and_then(|o| o.get("paths"))
        .and_then(|p| p.as_object())
    {
        let base = cfg.base_url.clone().unwrap_or_else(|| dir.to_path_buf());
        cfg.paths = paths
            .iter()
            .map(|(k, v)| {
                let subs = v
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|s| s.as_str())
                            .map(|s| normalize(&base.join(s)))
                            .collect()
                    })
                    .unwrap_or_default();
                (k.clone(), subs)
            })
            .collect();
        // longest prefix first, as TypeScript does
        cfg.paths
            .sort_by_key(|(k, _)| std::cmp::Reverse(k.split('*').next().map_or(0, str::len)));
    }
    Some(cfg)
}

/// Removes `//` and `/* */` comments and trailing commas outside strings.
pub fn strip_jsonc(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i = (i + 1).min(b.len());
                out.extend_from_slice(&b[start..i]);
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            b',' => {
                let mut j = i + 1;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if !matches!(b.get(j), Some(b'}') | Some(b']')) {
                    out.push(b',');
                }
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonc() {
        let t = "{ // c\n \"a\": \"x//y\", /* b */ \"p\": [1,2,], }";
        let v: serde_json::Value = serde_json::from_str(&strip_jsonc(t)).unwrap();
        assert_eq!(v["a"], "x//y");
    }

    #[test]
    fn extends_cycle_terminates() {
        let read = |p: &Path| -> Option<String> {
            Some(match p.to_str()? {
                "/a/tsconfig.json" => {
                    r#"{"extends": "./b.json", "compilerOptions": {"paths": {"@/*": ["./src/*"]}}}"#
                        .into()
                }
                "/a/b.json" => {
                    r#"{"extends": "./tsconfig.json", "compilerOptions": {"baseUrl": "."}}"#.into()
                }
                _ => return None,
            })
        };
        let cfg = load_tsconfig(Path::new("/a/tsconfig.json"), &read);
        assert_eq!(cfg.base_url.as_deref(), Some(Path::new("/a")));
        assert_eq!(cfg.paths[0].1[0], PathBuf::from("/a/src/*"));
    }
}
