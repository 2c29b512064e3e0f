//! Module resolution: relative specifiers, extension and `index` probing, `tsconfig.json` /
//! `jsconfig.json` `baseUrl` + `paths` (following `extends`, cycles cut), and workspace packages (a
//! monorepo's `@acme/db/admin` through that package's `package.json` `exports`, else its entry fields).
//! Resolution is against the set of files the workspace knows, never the disk, so it is fast and
//! deterministic.

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

/// A package of the workspace (any `package.json` with a `name` outside `node_modules`): what an import of
/// its name resolves through.
#[derive(Clone, Debug, PartialEq)]
pub struct Package {
    pub dir: PathBuf,
    /// The `exports` field as written.
    pub exports: Option<serde_json::Value>,
    /// `source`, `module`, `main`, `types`, `typings`, in that order of preference, as written.
    pub entries: Vec<String>,
}

/// Reads a `package.json`: its name and a [`Package`], when it has a name.
pub fn parse_package(path: &Path, text: &str) -> Option<(String, Package)> {
    let json: serde_json::Value = serde_json::from_str(text).ok()?;
    let name = json.get("name")?.as_str()?.to_string();
    let entries = ["source", "module", "main", "types", "typings"]
        .iter()
        .filter_map(|f| json.get(*f)?.as_str().map(str::to_owned))
        .collect();
    let package = Package {
        dir: path.parent().unwrap_or(Path::new("/")).to_path_buf(),
        exports: json.get("exports").cloned(),
        entries,
    };
    Some((name, package))
}

/// Conditions tried, in order, in an `exports` object: source-first conditions, then the usual ones. The
/// first target that is a file of the workspace wins (built `dist/` output is mapped back to `src/`).
const CONDITIONS: [&str; 13] = [
    "source",
    "development",
    "import",
    "module",
    "default",
    "require",
    "node",
    "react-server",
    "edge-light",
    "worker",
    "browser",
    "types",
    "typings",
];

/// The targets `exports` gives for `key` (`.` or `./sub/path`), in the order to try them.
fn export_targets(exports: &serde_json::Value, key: &str) -> Vec<String> {
    use serde_json::Value;
    let subpath_map = match exports {
        Value::Object(m) if m.keys().any(|k| k.starts_with('.')) => Some(m),
        _ => None,
    };
    let Some(map) = subpath_map else {
        // a string, an array or a conditions object: all for "."
        return if key == "." {
            flatten_targets(exports, "", 0)
        } else {
            Vec::new()
        };
    };
    if let Some(v) = map.get(key) {
        return flatten_targets(v, "", 0);
    }
    // `"./*": "./src/*.ts"`: the longest matching prefix wins
    let mut best: Option<(&str, &str, &Value)> = None;
    for (k, v) in map {
        let Some((pre, post)) = k.split_once('*') else {
            continue;
        };
        if key.len() >= pre.len() + post.len() && key.starts_with(pre) && key.ends_with(post) {
            let star = &key[pre.len()..key.len() - post.len()];
            if best.is_none_or(|(p, _, _)| pre.len() > p.len()) {
                best = Some((pre, star, v));
            }
        }
    }
    best.map(|(_, star, v)| flatten_targets(v, star, 0))
        .unwrap_or_default()
}

fn flatten_targets(v: &serde_json::Value, star: &str, depth: u32) -> Vec<String> {
    use serde_json::Value;
    if depth > 8 {
        return Vec::new();
    }
    match v {
        Value::String(s) => vec![s.replace('*', star)],
        Value::Array(a) => a
            .iter()
            .flat_map(|x| flatten_targets(x, star, depth + 1))
            .collect(),
        Value::Object(m) => {
            let known = CONDITIONS.iter().filter_map(|c| m.get(*c));
            let others = m
                .iter()
                .filter(|(k, _)| !CONDITIONS.contains(&k.as_str()))
                .map(|(_, v)| v);
            known
                .chain(others)
                .flat_map(|x| flatten_targets(x, star, depth + 1))
                .collect()
        }
        _ => Vec::new(),
    }
}

/// `@scope/name/sub/path` → (`@scope/name`, `sub/path`); `name/sub` → (`name`, `sub`).
fn split_package(spec: &str) -> Option<(&str, &str)> {
    let cut = if spec.starts_with('@') {
        let slash = spec.find('/')?;
        spec[slash + 1..].find('/').map(|i| slash + 1 + i)
    } else {
        spec.find('/')
    };
    Some(match cut {
        Some(i) => (&spec[..i], &spec[i + 1..]),
        None => (spec, ""),
    })
}

pub struct Resolver<'a> {
    pub files: &'a dyn Fn(&Path) -> bool,
    /// tsconfigs by the folder they sit in.
    pub tsconfigs: &'a HashMap<PathBuf, TsConfig>,
    /// Workspace packages by name.
    pub packages: &'a HashMap<String, Package>,
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
        self.resolve_package(spec)
    }

    /// A workspace package's module. Supabase's own packages always stay external (their factories are
    /// what the analysis recognises), even when the workspace is a checkout of supabase-js.
    fn resolve_package(&self, spec: &str) -> Resolved {
        if self.packages.is_empty() || spec.starts_with("@supabase/") {
            return Resolved::External;
        }
        let Some((name, sub)) = split_package(spec) else {
            return Resolved::External;
        };
        let Some(pkg) = self.packages.get(name) else {
            return Resolved::External;
        };
        if let Some(exports) = &pkg.exports {
            let key = if sub.is_empty() {
                ".".to_string()
            } else {
                format!("./{sub}")
            };
            for target in export_targets(exports, &key) {
                if let Resolved::File(p) = self.probe_target(&pkg.dir, &target) {
                    return Resolved::File(p);
                }
            }
        }
        if sub.is_empty() {
            for entry in &pkg.entries {
                if let Resolved::File(p) = self.probe_target(&pkg.dir, entry) {
                    return Resolved::File(p);
                }
            }
            return self.probe(&pkg.dir);
        }
        self.probe_target(&pkg.dir, sub)
    }

    /// A package target (`./src/admin.ts`, `./dist/admin.js`, `./dist/admin.d.ts`): the file itself, else the
    /// same path with the build folder (`dist`, `build`, `lib`, `out`) as `src` and without `.d.ts`.
    fn probe_target(&self, dir: &Path, target: &str) -> Resolved {
        let target = target.strip_prefix("./").unwrap_or(target);
        let stem = ["d.ts", "d.mts", "d.cts"]
            .iter()
            .find_map(|e| target.strip_suffix(&format!(".{e}")))
            .unwrap_or(target);
        let path = normalize(&dir.join(stem));
        if let Resolved::File(p) = self.probe(&path) {
            return Resolved::File(p);
        }
        let mut parts: Vec<&str> = stem.split('/').collect();
        if let Some(first) = parts.first_mut() {
            if matches!(*first, "dist" | "build" | "lib" | "out") {
                *first = "src";
                let source = normalize(&dir.join(parts.join("/")));
                return self.probe(&source);
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

    fn packages(list: &[(&str, &str)]) -> HashMap<String, Package> {
        list.iter()
            .map(|(path, json)| parse_package(Path::new(path), json).unwrap())
            .collect()
    }

    fn resolve_in(files: &[&str], pkgs: &HashMap<String, Package>, spec: &str) -> Resolved {
        let set: HashSet<PathBuf> = files.iter().map(PathBuf::from).collect();
        let exists = |p: &Path| set.contains(p);
        let tsconfigs = HashMap::new();
        let r = Resolver {
            files: &exists,
            tsconfigs: &tsconfigs,
            packages: pkgs,
        };
        r.resolve(Path::new("/m/apps/web/page.ts"), spec)
    }

    fn file(p: &str) -> Resolved {
        Resolved::File(PathBuf::from(p))
    }

    #[test]
    fn workspace_packages_resolve_through_exports() {
        let pkgs = packages(&[
            (
                "/m/packages/db/package.json",
                r#"{"name": "@acme/db", "exports": {
                    ".": "./src/index.ts",
                    "./admin": {"types": "./dist/admin.d.ts", "import": "./dist/admin.js"},
                    "./clients/*": "./src/clients/*.ts",
                    "./clients/special": "./src/special.ts"
                }}"#,
            ),
            (
                "/m/packages/one/package.json",
                r#"{"name": "one", "exports": "./lib/main.js"}"#,
            ),
            (
                "/m/packages/two/package.json",
                r#"{"name": "two", "main": "dist/index.js"}"#,
            ),
            ("/m/packages/three/package.json", r#"{"name": "three"}"#),
            (
                "/m/packages/fake-supabase/package.json",
                r#"{"name": "@supabase/supabase-js", "main": "src/index.ts"}"#,
            ),
        ]);
        let files = [
            "/m/packages/db/src/index.ts",
            "/m/packages/db/src/admin.ts",
            "/m/packages/db/src/clients/server.ts",
            "/m/packages/db/src/special.ts",
            "/m/packages/one/lib/main.js",
            "/m/packages/two/src/index.ts",
            "/m/packages/three/index.ts",
            "/m/packages/three/utils/env.ts",
            "/m/packages/fake-supabase/src/index.ts",
        ];
        let r = |spec| resolve_in(&files, &pkgs, spec);
        assert_eq!(r("@acme/db"), file("/m/packages/db/src/index.ts"));
        // conditions: dist targets and .d.ts types map back to the source
        assert_eq!(r("@acme/db/admin"), file("/m/packages/db/src/admin.ts"));
        // patterns, and an exact key beats a pattern
        assert_eq!(
            r("@acme/db/clients/server"),
            file("/m/packages/db/src/clients/server.ts")
        );
        assert_eq!(
            r("@acme/db/clients/special"),
            file("/m/packages/db/src/special.ts")
        );
        // not exported, no such file
        assert_eq!(r("@acme/db/nope"), Resolved::External);
        assert_eq!(r("one"), file("/m/packages/one/lib/main.js"));
        assert_eq!(r("two"), file("/m/packages/two/src/index.ts"));
        // no exports, no entry fields: index, and subpaths as folders
        assert_eq!(r("three"), file("/m/packages/three/index.ts"));
        assert_eq!(r("three/utils/env"), file("/m/packages/three/utils/env.ts"));
        // Supabase's own packages stay external, whatever the workspace holds
        assert_eq!(r("@supabase/supabase-js"), Resolved::External);
        // not a workspace package
        assert_eq!(r("react"), Resolved::External);
        assert_eq!(r("@acme"), Resolved::External);
    }

    #[test]
    fn package_names_split_at_the_right_slash() {
        assert_eq!(split_package("@a/b/c/d"), Some(("@a/b", "c/d")));
        assert_eq!(split_package("@a/b"), Some(("@a/b", "")));
        assert_eq!(split_package("a/b"), Some(("a", "b")));
        assert_eq!(split_package("a"), Some(("a", "")));
        assert_eq!(split_package("@a"), None);
    }
}
