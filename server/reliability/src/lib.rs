//! Test helpers for rlscope's reliability suite (the tests live in `tests/`).
//!
//! - [`rlscope_bin`]: the built `rlscope` binary (same profile as the test).
//! - [`run_bounded`]: runs a command under a wall-clock limit and reports its exit status, output, time and peak
//!   resident memory (from `wait4(2)`'s rusage, so each child is measured on its own).
//! - [`service_jwt`], [`secret_key`]: test keys built here, never real ones.

pub mod lsp;
pub mod props;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub use rlscope_testkit::rlscope_bin;

/// What a bounded run produced.
#[derive(Debug)]
pub struct Run {
    /// The exit code, or `None` when killed by a signal (including the timeout's SIGKILL).
    pub code: Option<i32>,
    pub signal: Option<i32>,
    pub timed_out: bool,
    pub elapsed: Duration,
    /// User + system CPU time of the child (robust to a loaded machine, unlike `elapsed`).
    pub cpu: Duration,
    /// Peak resident set size in KiB. Linux carries the parent's high-water mark at fork over into the child
    /// (exec keeps `signal->maxrss`), so for a small child this is an upper bound: the test process's own size.
    pub max_rss_kib: u64,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Run {
    pub fn stdout_str(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr_str(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// One line for assertion messages (stderr truncated).
    pub fn describe(&self) -> String {
        let err = self.stderr_str();
        let err: String = err.chars().take(2000).collect();
        format!(
            "code={:?} signal={:?} timed_out={} elapsed={:?} cpu={:?} max_rss={} MiB stderr:\n{err}",
            self.code,
            self.signal,
            self.timed_out,
            self.elapsed,
            self.cpu,
            self.max_rss_kib / 1024
        )
    }
}

/// Runs `cmd` (stdin closed), killing it with SIGKILL after `limit`.
pub fn run_bounded(cmd: &mut Command, limit: Duration) -> Run {
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let pid = child.id() as libc::pid_t;
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let mut timed_out = false;
    let (status, usage) = loop {
        let (r, status, usage) = wait4(pid, libc::WNOHANG);
        if r == pid {
            break (status, usage);
        }
        assert!(r == 0, "wait4 failed: {}", std::io::Error::last_os_error());
        if start.elapsed() > limit {
            timed_out = true;
            // SAFETY: `pid` is our own child, not yet reaped.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            let (_, status, usage) = wait4(pid, 0);
            break (status, usage);
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    // the child is reaped: std's `Child` must not wait on it again (dropping it does not)
    drop(child);
    let (code, signal) = if libc::WIFEXITED(status) {
        (Some(libc::WEXITSTATUS(status)), None)
    } else if libc::WIFSIGNALED(status) {
        (None, Some(libc::WTERMSIG(status)))
    } else {
        (None, None)
    };
    Run {
        code,
        signal,
        timed_out,
        elapsed,
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        max_rss_kib: usage.ru_maxrss.max(0) as u64,
        stdout: out_t.join().unwrap_or_default(),
        stderr: err_t.join().unwrap_or_default(),
    }
}

fn tv(t: libc::timeval) -> Duration {
    Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
}

fn wait4(pid: libc::pid_t, flags: libc::c_int) -> (libc::pid_t, libc::c_int, libc::rusage) {
    let mut status = 0;
    // SAFETY: rusage is plain old data; wait4 fills it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: valid pointers to locals.
        let r = unsafe { libc::wait4(pid, &mut status, flags, &mut usage) };
        if r == -1 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
            continue;
        }
        return (r, status, usage);
    }
}

/// Writes `bytes` to `dir/rel`, creating folders.
pub fn write(dir: &Path, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(&p, bytes).expect("write");
    p
}

/// A JWT whose payload claims `role` (junk signature; `tag` makes each key unique).
pub fn jwt(role: &str, tag: &str) -> String {
    rlscope_testkit::supabase_jwt(role, tag, &format!("signature-of-{tag}-not-a-real-one"))
}

/// A service-role JWT built in the test, never a real key: base64url of `{"role":"service_role"}` as payload.
pub fn service_jwt() -> String {
    rlscope_testkit::jwt(r#"{"role":"service_role"}"#, "reliability-suite-signature")
}

/// An `sb_secret_` key (made up).
pub fn secret_key() -> String {
    "sb_secret_R3l1abil1tySu1teN0tARealKey0123".to_string()
}

/// The parts of `key` that must never appear in output: the whole key, and for a JWT its payload and signature
/// (a printed payload is as good as the key's role; a printed signature is the secret half).
pub fn forbidden_parts(key: &str) -> Vec<String> {
    let mut v = vec![key.to_string()];
    if key.starts_with("eyJ") {
        let parts: Vec<&str> = key.split('.').collect();
        v.extend(parts.iter().skip(1).map(|s| s.to_string()));
    } else if let Some(rest) = key.strip_prefix("sb_secret_") {
        v.push(rest.to_string());
    }
    v
}

/// Panics with a located message when `haystack` holds any forbidden part of any key.
pub fn assert_no_key(what: &str, haystack: &str, keys: &[String]) {
    for key in keys {
        for part in forbidden_parts(key) {
            if let Some(at) = haystack.find(&part) {
                let lo = at.saturating_sub(80);
                let lo = (0..=lo)
                    .rev()
                    .find(|&i| haystack.is_char_boundary(i))
                    .unwrap_or(0);
                panic!(
                    "{what}: a key (or its payload/signature) appears at byte {at}: …{}…",
                    &haystack[lo..at].replace('\n', "⏎")
                );
            }
        }
    }
}
