//! Process measurements from Linux: a child's own peak RSS (`wait4`'s `ru_maxrss`) and this process's peak
//! (`VmHWM`, which can be reset by writing `5` to `/proc/self/clear_refs`).

use std::io::{self, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct ChildRun {
    pub wall: Duration,
    /// Exit code, or `None` when killed by a signal.
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: String,
    /// Peak resident set size of the child, in KiB.
    pub max_rss_kib: u64,
    /// User + system CPU time of the child (all its threads).
    pub cpu: Duration,
}

/// Runs `cmd` to completion, timing it from spawn to exit and reading the child's peak RSS.
///
/// The peak RSS is polled from the child's `/proc/PID/status` (`VmHWM`) every 2 ms rather than taken from
/// `wait4`'s `ru_maxrss`: Linux folds the parent's peak into a spawned child's `ru_maxrss` at `exec` (the
/// memory the child shared before exec counts), so a large harness would inflate every child's number.
pub fn run_child(cmd: &mut Command) -> io::Result<ChildRun> {
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let pid = child.id() as libc::pid_t;
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let poller = {
        let done = done.clone();
        std::thread::spawn(move || {
            let path = format!("/proc/{pid}/status");
            let mut peak = 0u64;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                if let Some(kib) = std::fs::read_to_string(&path)
                    .ok()
                    .as_deref()
                    .and_then(vm_hwm)
                {
                    peak = peak.max(kib);
                }
                std::thread::sleep(Duration::from_millis(2));
            }
            peak
        })
    };
    let mut err_pipe = child.stderr.take().expect("stderr piped");
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err_pipe.read_to_string(&mut s);
        s
    });
    let mut stdout = Vec::new();
    child
        .stdout
        .take()
        .expect("stdout piped")
        .read_to_end(&mut stdout)?;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data; wait4 fills it and `status` for our own child, which we reap here
    // (std's Child is never waited on afterwards).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = loop {
        let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if rc == -1 && io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
            continue;
        }
        break rc;
    };
    let wall = start.elapsed();
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let polled = poller.join().unwrap_or(0);
    if rc == -1 {
        return Err(io::Error::last_os_error());
    }
    let code = if libc::WIFEXITED(status) {
        Some(libc::WEXITSTATUS(status))
    } else {
        None
    };
    Ok(ChildRun {
        wall,
        code,
        stdout,
        stderr: err_reader.join().unwrap_or_default(),
        // A child that lived less than one poll falls back to ru_maxrss (an upper bound).
        max_rss_kib: if polled > 0 {
            polled
        } else {
            usage.ru_maxrss.max(0) as u64
        },
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
    })
}

fn tv(t: libc::timeval) -> Duration {
    Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
}

/// User + system CPU time of this process so far (all threads).
pub fn self_cpu() -> Duration {
    // SAFETY: getrusage fills a plain-old-data struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return Duration::ZERO;
    }
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// The load averages (1, 5, 15 min): how busy the machine was while measuring.
pub fn load_average() -> Option<String> {
    let s = std::fs::read_to_string("/proc/loadavg").ok()?;
    Some(s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
}

/// Resets this process's peak RSS to the current RSS (Linux ≥ 4.0). Returns false when not supported.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// This process's peak RSS in KiB (`VmHWM`).
pub fn peak_rss_kib() -> Option<u64> {
    vm_hwm(&std::fs::read_to_string("/proc/self/status").ok()?)
}

fn vm_hwm(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn child_rss_and_output_are_measured() {
        let run =
            run_child(Command::new("sh").args(["-c", "echo hi; echo oops >&2; exit 3"])).unwrap();
        assert_eq!(run.stdout, b"hi\n");
        assert_eq!(run.stderr, "oops\n");
        assert_eq!(run.code, Some(3));
        let busy = run_child(
            Command::new("sh").args(["-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"]),
        )
        .unwrap();
        assert!(
            busy.cpu >= Duration::from_millis(20),
            "a busy loop uses CPU: {:?}",
            busy.cpu
        );
        // polled from /proc while it runs: a shell that exits at once can be gone before the first poll
        assert!(
            busy.max_rss_kib > 100,
            "a busy shell uses more than 100 KiB: {}",
            busy.max_rss_kib
        );
    }

    #[test]
    fn a_child_peak_rss_is_its_own_not_the_parents() {
        // Make this process large, then run a small child: its peak must not include our 200 MiB.
        let big = vec![1u8; 200 << 20];
        std::hint::black_box(&big);
        let run = run_child(Command::new("sh").args(["-c", "sleep 0.05"])).unwrap();
        assert!(
            run.max_rss_kib < 50 * 1024,
            "child peak {} KiB",
            run.max_rss_kib
        );
        drop(big);
    }

    #[test]
    fn own_peak_rss_is_readable_and_counts_an_allocation() {
        // Other tests run in this process at the same time, so only a lower bound is certain.
        assert!(reset_peak_rss());
        let v = vec![1u8; 64 << 20];
        std::hint::black_box(&v);
        let after = peak_rss_kib().unwrap();
        assert!(after >= 64 * 1024, "peak {after} KiB after touching 64 MiB");
    }
}
