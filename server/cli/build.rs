//! Sets `RLSCOPE_VERSION` for `rlscope --version`: the package version and the git commit it was built from,
//! e.g. `0.1.0 (commit 360aa3d1b2c3, 2026-11-30)`. The commit comes from, in order: the `RLSCOPE_COMMIT`
//! environment variable (`<hash> <date>`), `git` when this file is tracked in the repository around it, `commit.txt`,
//! which `git archive` fills in (export-subst in .gitattributes) so a source tarball without `.git` still knows its
//! commit, or the `.cargo_vcs_info.json` that `cargo package` writes. Otherwise the version says `commit unknown`.
use std::path::Path;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

/// `(hash, date)` from a `<hash> <YYYY-MM-DD>` line; None for an unfilled `$Format:…$` placeholder.
fn parse(line: &str) -> Option<(String, String)> {
    let mut parts = line.split_whitespace();
    let hash = parts.next()?;
    if hash.len() < 7 || !hash.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let date = parts.next().unwrap_or("").to_string();
    Some((hash.to_string(), date))
}

fn main() {
    println!("cargo:rerun-if-env-changed=RLSCOPE_COMMIT");
    println!("cargo:rerun-if-changed=commit.txt");
    println!("cargo:rerun-if-changed=build.rs");
    let from_env = std::env::var("RLSCOPE_COMMIT").ok().and_then(|v| parse(&v));
    let from_git = || {
        // Rebuild when HEAD moves: HEAD itself, the branch it points to, and packed refs (also while this file is
        // not yet tracked, so that committing it is seen).
        // A path that does not exist would make cargo re-run this script on every build: skip those.
        let watch = |p: &str| {
            if let Some(path) = git(&["rev-parse", "--path-format=absolute", "--git-path", p]) {
                if Path::new(&path).exists() {
                    println!("cargo:rerun-if-changed={path}");
                }
            }
        };
        watch("HEAD");
        watch("packed-refs");
        if let Some(r) = git(&["symbolic-ref", "-q", "HEAD"]) {
            watch(&r);
        }
        // Only this repository's history: a tarball unpacked inside another git checkout must not take its HEAD.
        git(&["ls-files", "--error-unmatch", "build.rs"])?;
        git(&["log", "-1", "--format=%H %cs"]).and_then(|l| parse(&l))
    };
    let from_file = || {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("commit.txt");
        std::fs::read_to_string(p).ok().and_then(|s| parse(&s))
    };
    let from_cargo_package = || {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(".cargo_vcs_info.json");
        let text = std::fs::read_to_string(p).ok()?;
        let at = text.find("\"sha1\"")?;
        let hash: String = text[at + 6..]
            .chars()
            .skip_while(|c| !c.is_ascii_hexdigit())
            .take_while(|c| c.is_ascii_hexdigit())
            .collect();
        parse(&hash)
    };
    let commit = from_env
        .or_else(from_git)
        .or_else(from_file)
        .or_else(from_cargo_package);
    let version = env!("CARGO_PKG_VERSION");
    let full = match commit {
        Some((hash, date)) if date.is_empty() => {
            format!("{version} (commit {})", &hash[..12.min(hash.len())])
        }
        Some((hash, date)) => format!("{version} (commit {}, {date})", &hash[..12.min(hash.len())]),
        None => format!("{version} (commit unknown)"),
    };
    println!("cargo:rustc-env=RLSCOPE_VERSION={full}");
}
