//! `--fix`, `--unsafe-fixes` and `--diff`: apply the findings' fixes to the workspace's files.
//!
//! Per file, in passes: check the file, take each finding's best fix at the wanted applicability, keep the fixes
//! whose edits overlap no fix already kept in this pass (sorted by position), apply them, put the new text into
//! the workspace and check again. Fixes skipped for overlapping get their turn in the next pass. When the file
//! still has fixes after [`MAX_PASSES`] passes, the fixes conflict (or keep re-creating each other): the file is
//! left untouched and a message says so.
//!
//! Writing is atomic: the new text goes to a temporary file in the same folder, which takes the original's
//! permissions and is then renamed over it, so a process killed at any moment leaves either the old or the new
//! file, never half of one. Just before writing, the file is read again: when it no longer holds the text the fixes
//! were computed from, it is left untouched.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rlscope_core::{Applicability, Edit, Finding, TextRange};
use rlscope_engine::Workspace;

/// Passes per file before the fixes are declared conflicting.
pub const MAX_PASSES: usize = 10;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Fixes were applied (and written, unless this was a dry run).
    Fixed,
    /// Left untouched: the fixes did not settle.
    Conflict(String),
    /// Left untouched: the file on disk changed since it was read.
    ChangedOnDisk,
    /// Left untouched: writing failed.
    WriteError(String),
}

#[derive(Clone, Debug)]
pub struct Outcome {
    pub path: PathBuf,
    pub original: Arc<str>,
    pub fixed: String,
    /// How many fixes were applied.
    pub applied: usize,
    pub status: Status,
}

/// Applies the fixes at `min` applicability or above to every file of `ws`, in memory (the workspace ends up
/// holding the fixed texts; files whose fixes conflict keep their original text). Returns one outcome per file
/// that had fixes.
pub fn fix_in_memory(ws: &mut Workspace, min: Applicability) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    for path in ws.files() {
        let Some(original) = ws.source(&path) else {
            continue;
        };
        if let Some(outcome) = fix_file(ws, &path, original, min) {
            outcomes.push(outcome);
        }
    }
    outcomes
}

fn fix_file(
    ws: &mut Workspace,
    path: &Path,
    original: Arc<str>,
    min: Applicability,
) -> Option<Outcome> {
    let mut first = true;
    let result = fix_text(&original, min, |text| {
        if !std::mem::take(&mut first) {
            ws.set_file(path.to_path_buf(), Arc::from(text));
        }
        ws.check_file(path)
    });
    let outcome = |fixed: String, applied, status| Outcome {
        path: path.to_path_buf(),
        original: original.clone(),
        fixed,
        applied,
        status,
    };
    match result {
        Ok((_, 0)) => None,
        Ok((fixed, applied)) => Some(outcome(fixed, applied, Status::Fixed)),
        Err(message) => {
            // restore the text as it is on disk
            ws.set_file(path.to_path_buf(), original.clone());
            Some(outcome(original.to_string(), 0, Status::Conflict(message)))
        }
    }
}

/// The fixing loop over one file's text: `check` returns the findings of a text (the first call gets
/// `original`). Returns the fixed text and how many fixes were applied, or why the fixes did not settle.
pub fn fix_text(
    original: &str,
    min: Applicability,
    mut check: impl FnMut(&str) -> Vec<Finding>,
) -> Result<(String, usize), String> {
    let crlf = uses_crlf(original);
    let mut text = original.to_string();
    let mut applied = 0;
    for _pass in 0..MAX_PASSES {
        let findings = check(&text);
        let fixes = pick_fixes(&text, &findings, min);
        if fixes.is_empty() {
            return Ok((text, applied));
        }
        applied += fixes.len();
        let mut edits: Vec<Edit> = fixes.into_iter().flatten().collect();
        if crlf {
            for e in &mut edits {
                e.replacement = to_crlf(&e.replacement);
            }
        }
        let next = Edit::apply_all(&text, &edits);
        if next == text {
            return Err("a fix changes nothing but is offered again".into());
        }
        text = next;
    }
    Err(format!(
        "fixes conflict or do not settle after {MAX_PASSES} passes"
    ))
}

/// The edits of the fixes to apply in one pass: each finding's best fix at `min` or above, in position order,
/// skipping fixes with an invalid edit or one that overlaps an already chosen edit.
pub fn pick_fixes(text: &str, findings: &[Finding], min: Applicability) -> Vec<Vec<Edit>> {
    let mut candidates: Vec<Vec<Edit>> = findings
        .iter()
        .filter_map(|f| preferred_fix(f, min))
        .map(|fix| {
            let mut edits = fix.edits.clone();
            edits.sort_by_key(|e| (e.range.start, e.range.end));
            edits
        })
        .filter(|edits| valid_edits(text, edits))
        .collect();
    candidates.sort_by_key(|edits| edits.first().map(|e| (e.range.start, e.range.end)));
    candidates.dedup();
    let mut taken: Vec<TextRange> = Vec::new();
    let mut chosen = Vec::new();
    for edits in candidates {
        if edits
            .iter()
            .any(|e| taken.iter().any(|t| overlaps(*t, e.range)))
        {
            continue;
        }
        taken.extend(edits.iter().map(|e| e.range));
        chosen.push(edits);
    }
    chosen
}

/// The fix `--fix` applies for a finding: the most applicable one at `min` or above, and among equally applicable
/// fixes the first (rules list their preferred fix first; `Finding::fix_at_least` would take the last).
pub fn preferred_fix(f: &Finding, min: Applicability) -> Option<&rlscope_core::Fix> {
    let best = f
        .fixes
        .iter()
        .filter(|x| !x.edits.is_empty() && x.applicability >= min)
        .map(|x| x.applicability)
        .max()?;
    f.fixes
        .iter()
        .find(|x| !x.edits.is_empty() && x.applicability == best)
}

/// Edits are in bounds, on character boundaries, and do not overlap each other (`edits` sorted).
fn valid_edits(text: &str, edits: &[Edit]) -> bool {
    let ok = edits.iter().all(|e| {
        let (s, t) = (e.range.start as usize, e.range.end as usize);
        s <= t && t <= text.len() && text.is_char_boundary(s) && text.is_char_boundary(t)
    });
    ok && edits.windows(2).all(|w| !overlaps(w[0].range, w[1].range))
}

/// Two edits conflict when their ranges intersect, or both touch the same point (two insertions at one offset,
/// or an insertion inside a replaced range's start): their order would be ambiguous.
fn overlaps(a: TextRange, b: TextRange) -> bool {
    a.intersects(b)
        || a.start == b.start
        || (a.is_empty() && b.contains(a.start))
        || (b.is_empty() && a.contains(b.start))
}

fn uses_crlf(text: &str) -> bool {
    match text.find('\n') {
        Some(i) => i > 0 && text.as_bytes()[i - 1] == b'\r',
        None => false,
    }
}

fn to_crlf(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev = '\0';
    for c in s.chars() {
        if c == '\n' && prev != '\r' {
            out.push('\r');
        }
        out.push(c);
        prev = c;
    }
    out
}

/// Writes `new` to `path` atomically, unless the file no longer holds `expected`.
pub fn write_if_unchanged(path: &Path, expected: &str, new: &str) -> Status {
    match std::fs::read(path) {
        Ok(bytes) if bytes == expected.as_bytes() => {}
        Ok(_) => return Status::ChangedOnDisk,
        Err(e) => return Status::WriteError(e.to_string()),
    }
    match write_atomic(path, new.as_bytes()) {
        Ok(()) => Status::Fixed,
        Err(e) => Status::WriteError(e.to_string()),
    }
}

/// Temporary file in the same folder (so the rename cannot cross file systems), the original's permissions,
/// flushed to disk, then renamed over the original.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let perms = std::fs::metadata(path)?.permissions();
    sweep_stale_temps(dir);
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!("{TEMP_PREFIX}{}-", std::process::id()))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().set_permissions(perms)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

const TEMP_PREFIX: &str = ".rlscope-fix-";

/// Removes, once per folder and run, the temporary files of `--fix` runs that were killed between writing and
/// renaming (`.rlscope-fix-<pid>-….tmp`): those whose process is gone (Linux, through `/proc`), or older than a
/// minute anywhere (a live run keeps one for milliseconds).
fn sweep_stale_temps(dir: &Path) {
    use std::collections::HashSet;
    use std::sync::Mutex;
    static SWEPT: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);
    {
        let mut swept = SWEPT.lock().unwrap_or_else(|e| e.into_inner());
        if !swept
            .get_or_insert_with(HashSet::new)
            .insert(dir.to_path_buf())
        {
            return;
        }
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let proc_fs = Path::new("/proc/self").exists();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name
            .to_str()
            .and_then(|n| n.strip_prefix(TEMP_PREFIX))
            .filter(|r| r.ends_with(".tmp"))
        else {
            continue;
        };
        let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
        let dead = match pid {
            Some(p) if p == std::process::id() => false,
            Some(p) if proc_fs => !Path::new(&format!("/proc/{p}")).exists(),
            _ => false,
        };
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > std::time::Duration::from_secs(60));
        if dead || old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// A unified diff of one file's fix, with secrets redacted.
pub fn unified_diff(display: &str, old: &str, new: &str) -> String {
    let diff = similar::TextDiff::from_lines(old, new);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{display}"), &format!("b/{display}"))
        .to_string();
    rlscope_core::keys::redact_secrets_in(&text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_sweeps_temp_files_of_dead_runs_only() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("a.ts"), "old").unwrap();
        // 4194305 is above the largest pid Linux hands out (2^22): never a live process
        let dead = d.join(".rlscope-fix-4194305-abc.tmp");
        let live = d.join(format!(".rlscope-fix-{}-def.tmp", std::process::id()));
        let other = d.join(".rlscope-fix-notes.txt");
        for p in [&dead, &live, &other] {
            std::fs::write(p, "x").unwrap();
        }
        write_atomic(&d.join("a.ts"), b"new").unwrap();
        assert_eq!(std::fs::read_to_string(d.join("a.ts")).unwrap(), "new");
        if Path::new("/proc/self").exists() {
            assert!(!dead.exists(), "a dead run's temp file is removed");
        }
        assert!(live.exists(), "this run's own temp files are left alone");
        assert!(other.exists(), "files that are not ours are left alone");
    }
    use rlscope_core::{Fix, Severity};

    fn finding(range: (u32, u32), replacement: &str, app: Applicability) -> Finding {
        Finding::new(
            "hardcoded-service-key",
            Severity::Error,
            TextRange::new(range.0, range.1),
            "m",
        )
        .with_fix(Fix {
            title: "t".into(),
            applicability: app,
            edits: vec![Edit {
                range: TextRange::new(range.0, range.1),
                replacement: replacement.into(),
            }],
        })
    }

    #[test]
    fn picks_non_overlapping_fixes_at_the_wanted_level() {
        let text = "abcdefghij";
        let f = vec![
            finding((0, 2), "X", Applicability::Safe),
            finding((1, 3), "Y", Applicability::Safe), // overlaps the first: next pass
            finding((4, 5), "Z", Applicability::Unsafe),
            finding((6, 6), "I", Applicability::Safe),
            finding((6, 6), "J", Applicability::Safe), // same insertion point: next pass
            finding((8, 99), "bad", Applicability::Safe), // out of bounds: never
        ];
        let safe = pick_fixes(text, &f, Applicability::Safe);
        let edits: Vec<Edit> = safe.into_iter().flatten().collect();
        assert_eq!(Edit::apply_all(text, &edits), "XcdefIghij");
        let all = pick_fixes(text, &f, Applicability::Unsafe);
        let edits: Vec<Edit> = all.into_iter().flatten().collect();
        assert_eq!(Edit::apply_all(text, &edits), "XcdZfIghij");
    }

    /// A fake rule: every `KEY` is a finding whose fix replaces it by `env`; every `AB` one whose fix
    /// replaces `AB` by `xAB` (never settles).
    fn fake_check(text: &str) -> Vec<Finding> {
        let mut out = Vec::new();
        for (i, _) in text.match_indices("KEY") {
            out.push(finding(
                (i as u32, i as u32 + 3),
                "env\n",
                Applicability::Safe,
            ));
            // a second, overlapping fix of the same span (different finding)
            out.push(finding(
                (i as u32 + 1, i as u32 + 2),
                "e",
                Applicability::Safe,
            ));
        }
        for (i, _) in text.match_indices("AB") {
            out.push(finding(
                (i as u32, i as u32 + 2),
                "xAB",
                Applicability::Unsafe,
            ));
        }
        out
    }

    #[test]
    fn fix_loop_settles_and_second_run_changes_nothing() {
        let (fixed, n) = fix_text("a KEY b KEY\n", Applicability::Safe, fake_check).unwrap();
        assert_eq!(fixed, "a env\n b env\n\n");
        assert_eq!(n, 2);
        let (again, n) = fix_text(&fixed, Applicability::Safe, fake_check).unwrap();
        assert_eq!((again.as_str(), n), (fixed.as_str(), 0));
        // CRLF file: inserted newlines follow the file
        let (fixed, _) = fix_text("KEY\r\nx", Applicability::Safe, fake_check).unwrap();
        assert_eq!(fixed, "env\r\n\r\nx");
    }

    #[test]
    fn fix_loop_reports_fixes_that_never_settle() {
        // unsafe fixes excluded: nothing to do
        assert_eq!(
            fix_text("AB", Applicability::Safe, fake_check).unwrap(),
            ("AB".to_string(), 0)
        );
        let err = fix_text("AB", Applicability::Unsafe, fake_check).unwrap_err();
        assert!(err.contains("do not settle"), "{err}");
    }

    #[test]
    fn prefers_the_first_of_equally_applicable_fixes() {
        let mut f = finding((0, 1), "first", Applicability::Unsafe);
        f.fixes.push(
            finding((0, 1), "second", Applicability::Unsafe)
                .fixes
                .remove(0),
        );
        assert_eq!(
            preferred_fix(&f, Applicability::Unsafe).unwrap().edits[0].replacement,
            "first"
        );
        f.fixes
            .push(finding((0, 1), "safe", Applicability::Safe).fixes.remove(0));
        assert_eq!(
            preferred_fix(&f, Applicability::Unsafe).unwrap().edits[0].replacement,
            "safe"
        );
        assert!(preferred_fix(&f, Applicability::Safe).is_some());
        f.fixes.pop();
        assert!(preferred_fix(&f, Applicability::Safe).is_none());
    }

    #[test]
    fn crlf_files_get_crlf_replacements() {
        assert!(uses_crlf("a\r\nb"));
        assert!(!uses_crlf("a\nb\r\n"));
        assert_eq!(to_crlf("a\nb\r\nc"), "a\r\nb\r\nc");
    }

    #[test]
    fn atomic_write_keeps_permissions_and_leaves_no_temp_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.ts");
        std::fs::write(&p, "old").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        assert_eq!(write_if_unchanged(&p, "old", "new"), Status::Fixed);
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o640
        );
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["a.ts"]);
        // changed on disk since it was read: untouched
        assert_eq!(
            write_if_unchanged(&p, "old", "newer"),
            Status::ChangedOnDisk
        );
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
    }

    #[test]
    fn diff_is_redacted() {
        let jwt = rlscope_testkit::jwt(r#"{"role":"service_role"}"#, "signaturesignature");
        let payload = jwt.split('.').nth(1).unwrap();
        let old = format!("const k = '{jwt}'\nconst s = 'sb_secret_abcdef123456'\n");
        let new = "const k = process.env.SUPABASE_SERVICE_ROLE_KEY!\nconst s = process.env.SUPABASE_SECRET_KEY!\n";
        let d = unified_diff("lib/a.ts", &old, new);
        assert!(d.contains("--- a/lib/a.ts"), "{d}");
        assert!(d.contains("-const k = 'eyJ…(service_role)'"), "{d}");
        assert!(!d.contains(&jwt) && !d.contains(payload), "{d}");
        assert!(!d.contains("sb_secret_abcdef123456"), "{d}");
    }
}
