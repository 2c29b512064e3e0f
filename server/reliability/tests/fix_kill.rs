//! `--fix` kill-safety: `rlscope check --fix --unsafe-fixes` is killed with SIGKILL at random moments while it
//! rewrites a project of many fixable files; every file must then be byte-for-byte either the original or the
//! fully fixed version (what an uninterrupted run writes), never truncated, empty or half-written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rlscope_reliability::{rlscope_bin, run_bounded, service_jwt, write};

const FILES: usize = 80;
const ROUNDS: usize = 16;

/// A file with two fixable findings (a hardcoded key whose unsafe fix is an env read) and enough other code
/// that writing it takes a moment.
fn original(i: usize) -> String {
    let mut s = format!(
        "import {{ createClient }} from '@supabase/supabase-js'\n\
         export const admin{i} = createClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, '{}')\n",
        service_jwt()
    );
    for j in 0..150 {
        s.push_str(&format!(
            "export async function q{i}_{j}(id: string) {{ return admin{i}.from('t').select('*').eq('id', id) }} // 😀 é\n"
        ));
    }
    s.push_str(&format!("export const again{i} = '{}'\n", service_jwt()));
    s
}

fn lay_out(root: &Path) -> Vec<PathBuf> {
    (0..FILES)
        .map(|i| write(root, &format!("src/f{i:03}.ts"), original(i)))
        .collect()
}

fn read_all(paths: &[PathBuf]) -> Vec<Vec<u8>> {
    paths
        .iter()
        .map(|p| std::fs::read(p).unwrap_or_default())
        .collect()
}

fn fix_cmd(root: &Path) -> Command {
    let mut cmd = Command::new(rlscope_bin());
    cmd.current_dir(root)
        .args(["check", "--fix", "--unsafe-fixes", "--format", "json", "."]);
    cmd
}

/// A tiny deterministic generator (no dependency needed for picking kill delays).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

fn leftovers(root: &Path) -> Vec<String> {
    std::fs::read_dir(root.join("src"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".ts"))
        .collect()
}

#[test]
fn sigkill_during_fix_leaves_every_file_whole() {
    // the reference: an uninterrupted run
    let reference = tempfile::tempdir().unwrap();
    let paths = lay_out(reference.path());
    let originals = read_all(&paths);
    let run = run_bounded(&mut fix_cmd(reference.path()), Duration::from_secs(120));
    assert!(matches!(run.code, Some(0 | 1)), "{}", run.describe());
    let fixed = read_all(&paths);
    for (i, (o, f)) in originals.iter().zip(&fixed).enumerate() {
        assert_ne!(o, f, "file {i} was not fixed: the test needs fixable files");
        assert!(
            !String::from_utf8_lossy(f).contains(&service_jwt()),
            "file {i}: the fix should have replaced both key literals"
        );
    }
    let full = run.elapsed;
    eprintln!(
        "[fix-kill] uninterrupted --fix of {FILES} files ({} KiB each): {:.2} s wall",
        originals[0].len() / 1024,
        full.as_secs_f64()
    );

    let dir = tempfile::tempdir().unwrap();
    let mut rng = Lcg(0x5eed_u64 ^ std::process::id() as u64);
    let mut outcomes: BTreeMap<&str, usize> = BTreeMap::new();
    let mut litter = 0;
    for round in 0..ROUNDS {
        let paths = lay_out(dir.path());
        // files are fixed in memory first and written at the end: kill anywhere in the run, but mostly in its
        // last half, where the writes are
        let full_us = full.as_micros() as u64;
        let delay = Duration::from_micros(if round % 4 == 0 {
            rng.next() % full_us.max(1)
        } else {
            full_us / 2 + rng.next() % (full_us * 7 / 10).max(1)
        });
        let mut child = fix_cmd(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while start.elapsed() < delay {
            if let Ok(Some(_)) = child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let now = read_all(&paths);
        let (mut old, mut new) = (0, 0);
        for (i, content) in now.iter().enumerate() {
            if *content == originals[i] {
                old += 1;
            } else if *content == fixed[i] {
                new += 1;
            } else {
                panic!(
                    "round {round} (killed after {delay:?}): {} is neither the original nor the fixed file \
                     ({} bytes; original {}, fixed {})",
                    paths[i].display(),
                    content.len(),
                    originals[i].len(),
                    fixed[i].len()
                );
            }
        }
        let kind = match (old, new) {
            (_, 0) => "none fixed yet",
            (0, _) => "all fixed",
            _ => "killed mid-way (some fixed)",
        };
        *outcomes.entry(kind).or_default() += 1;
        // what this killed run left behind (earlier runs' leftovers were swept by this one)
        litter = leftovers(dir.path()).len();
        if litter > 0 {
            *outcomes.entry("left a temp file").or_default() += 1;
        }
    }
    eprintln!(
        "[fix-kill] {ROUNDS} rounds: {outcomes:?}; temp files left after the last killed run: {litter}"
    );
    // the next run removes what killed runs left (their processes are gone)
    lay_out(dir.path());
    let run = run_bounded(&mut fix_cmd(dir.path()), Duration::from_secs(120));
    assert!(matches!(run.code, Some(0 | 1)), "{}", run.describe());
    assert_eq!(
        leftovers(dir.path()),
        Vec::<String>::new(),
        "a --fix run after killed ones should sweep their temp files"
    );
    // Whether a kill lands mid-write depends on the machine's speed; when none did, this run checked only the
    // before/after states (still asserted above), so say so instead of failing a correct build.
    if outcomes
        .get("killed mid-way (some fixed)")
        .copied()
        .unwrap_or(0)
        == 0
    {
        eprintln!("[fix-kill] no kill landed while files were being written ({outcomes:?}); raise FILES to widen the window");
    }
}
