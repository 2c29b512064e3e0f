//! Opening the project a command runs on: its config, its root, and a workspace loaded with the given paths.
//! `rlscope check` and `rlscope roles` both start here.

use std::path::{Path, PathBuf};

use rlscope_engine::{LoadOptions, Workspace};

/// What makes a folder a project root: any of these names in it (`supabase` as a folder, the rest as files).
pub const ROOT_MARKERS: &[&str] = &["rlscope.toml", "package.json", "tsconfig.json", "supabase"];

/// The project root of `start` (a file or a folder): the nearest folder at or above it (a file's own folder
/// first) that holds `rlscope.toml`, `package.json`, `tsconfig.json` or a `supabase/` folder. The walk does not
/// go above a folder holding `.git` (the repository's root). Without any marker up to there, the root is
/// `start`'s own folder. Paths in messages (`client built at lib/admin.ts:3`) are relative to the root.
pub fn find_root(start: &Path) -> PathBuf {
    let start = std::fs::canonicalize(start).unwrap_or_else(|_| start.to_path_buf());
    let dir = if start.is_dir() {
        start
    } else {
        start.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    for d in dir.ancestors() {
        let is_root = ROOT_MARKERS.iter().any(|m| {
            let p = d.join(m);
            if *m == "supabase" {
                p.is_dir()
            } else {
                p.is_file()
            }
        });
        if is_root {
            return d.to_path_buf();
        }
        if d.join(".git").exists() {
            break;
        }
    }
    dir
}

/// Checks that `paths` exist, loads the config (`--config`, else the nearest `rlscope.toml` above the first
/// path), and loads `paths` into a workspace rooted at [`find_root`] of the first path (the current folder
/// when there is none). Unreadable files are warned about on stderr; a missing path or a bad config is the
/// error message to print.
pub fn open_workspace(
    paths: &[PathBuf],
    config: Option<&Path>,
    opts: &LoadOptions,
) -> Result<Workspace, String> {
    for p in paths {
        if !p.exists() {
            return Err(format!("{}: no such file or folder", p.display()));
        }
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let first = paths.first().cloned().unwrap_or(cwd);
    let config = crate::check::load_config(config, &first)?;
    let mut ws = Workspace::new(find_root(&first), config);
    let paths: Vec<_> = paths
        .iter()
        .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()))
        .collect();
    for e in ws.load_paths(&paths, opts) {
        eprintln!("warning: {}: {}", e.path.display(), e.message);
    }
    Ok(ws)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(p: &Path) {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, "{}").unwrap();
    }

    #[test]
    fn root_is_the_nearest_folder_with_a_marker_not_above_the_repository() {
        let tmp = tempfile::tempdir().unwrap();
        let top = std::fs::canonicalize(tmp.path()).unwrap();
        let repo = top.join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        write(&top.join("package.json")); // above the repository: never the root
        write(&repo.join("apps/web/package.json"));
        write(&repo.join("apps/web/src/lib/admin.ts"));
        std::fs::create_dir_all(repo.join("apps/db/supabase/migrations")).unwrap();
        std::fs::create_dir_all(repo.join("apps/db/scripts")).unwrap();
        std::fs::create_dir_all(repo.join("tools/x")).unwrap();

        let web = repo.join("apps/web");
        assert_eq!(find_root(&web.join("src/lib/admin.ts")), web);
        assert_eq!(find_root(&web.join("src")), web);
        assert_eq!(find_root(&web), web);
        assert_eq!(
            find_root(&repo.join("apps/db/scripts")),
            repo.join("apps/db")
        );
        // no marker up to the repository's root: the path's own folder
        assert_eq!(find_root(&repo.join("tools/x")), repo.join("tools/x"));
        // a marker file in the repository's root makes it the root
        write(&repo.join("tsconfig.json"));
        assert_eq!(find_root(&repo.join("tools/x")), repo);
        // outside any repository the walk goes up to the first marker
        std::fs::create_dir_all(top.join("loose/a")).unwrap();
        assert_eq!(find_root(&top.join("loose/a")), top);
    }
}
