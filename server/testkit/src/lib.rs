//! Test support shared by rlscope's crates (a dev-dependency; never part of the product).
//!
//! - [`jwt`], [`supabase_jwt`]: JWT-shaped test keys built here, never real ones.
//! - [`find_rlscope`], [`rlscope_bin`]: the built `rlscope` binary.
//! - [`read_frame`], [`write_frame`]: LSP's Content-Length framing over stdio.
//! - [`XorShift`]: a small deterministic generator for randomised tests, so a failure replays from its seed.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use serde_json::Value;

/// A small deterministic generator (xorshift64), so a randomised test's failure replays from its seed. The
/// seed must not be 0.
pub struct XorShift(pub u64);

impl XorShift {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// base64url without padding, as JWT segments are written.
pub fn b64url(bytes: impl AsRef<[u8]>) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A JWT-shaped string: the header `{"alg":"HS256","typ":"JWT"}`, `payload` (JSON text) and the bytes of
/// `signature`, each base64url-encoded. The signature signs nothing: it is not a key of any project.
pub fn jwt(payload: &str, signature: &str) -> String {
    format!(
        "{}.{}.{}",
        b64url(r#"{"alg":"HS256","typ":"JWT"}"#),
        b64url(payload),
        b64url(signature)
    )
}

/// A JWT shaped like a Supabase project key: payload
/// `{"iss":"supabase","ref":"<reference>","role":"<role>","iat":1700000000,"exp":2000000000}`.
pub fn supabase_jwt(role: &str, reference: &str, signature: &str) -> String {
    jwt(
        &format!(
            r#"{{"iss":"supabase","ref":"{reference}","role":"{role}","iat":1700000000,"exp":2000000000}}"#
        ),
        signature,
    )
}

/// The `rlscope` binary if one is there: `$RLSCOPE_BIN`, else `rlscope` beside the running executable or one
/// or two folders up (test executables live in `target/<profile>/deps`).
pub fn find_rlscope() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("RLSCOPE_BIN") {
        return Some(PathBuf::from(p));
    }
    let exe = std::env::current_exe().ok()?;
    exe.ancestors()
        .skip(1)
        .take(3)
        .map(|d| d.join("rlscope"))
        .find(|p| p.is_file())
}

/// The `rlscope` binary for a test: `$RLSCOPE_BIN`, else `target/<profile>/rlscope` beside the test's `deps/`
/// folder, built with `cargo build -p rlscope` (same profile) when missing or older than the test executable.
pub fn rlscope_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("RLSCOPE_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("test executable");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps/<test>");
    let bin = profile_dir.join("rlscope");
    let modified = |p: &Path| p.metadata().and_then(|m| m.modified()).ok();
    if modified(&bin).is_none() || modified(&bin) < modified(&exe) {
        static BUILD: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _once = BUILD.lock().unwrap_or_else(|e| e.into_inner());
        let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cmd.args(["build", "-p", "rlscope", "--quiet"]);
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            cmd.arg("--release");
        }
        if let Some(target) = profile_dir.parent() {
            cmd.env("CARGO_TARGET_DIR", target);
        }
        let status = cmd.status().expect("run cargo build -p rlscope");
        assert!(status.success(), "cargo build -p rlscope failed");
    }
    assert!(bin.is_file(), "{} missing", bin.display());
    bin
}

/// Writes `v` as one Content-Length frame.
pub fn write_frame(w: &mut impl Write, v: &Value) -> std::io::Result<()> {
    let body = serde_json::to_vec(v).expect("a JSON value serialises");
    w.write_all(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes())?;
    w.write_all(&body)?;
    w.flush()
}

/// Reads one whole frame: headers up to a blank line, then exactly Content-Length bytes of JSON. `None` at end
/// of input, without a Content-Length, or when the body is not JSON.
pub fn read_frame(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                len = v.trim().parse::<usize>().ok();
            }
        }
    }
    let mut body = vec![0; len?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// User + system CPU time of the whole process (every thread). On a loaded machine a wall time mostly measures
/// the wait for a core; this does not.
pub fn process_cpu() -> std::time::Duration {
    cpu_of(libc::RUSAGE_SELF)
}

/// User + system CPU time of the calling thread.
pub fn thread_cpu() -> std::time::Duration {
    cpu_of(libc::RUSAGE_THREAD)
}

fn cpu_of(who: libc::c_int) -> std::time::Duration {
    // SAFETY: rusage is plain old data that getrusage fills in.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(who, &mut u) } != 0 {
        return std::time::Duration::ZERO;
    }
    let tv = |t: libc::timeval| std::time::Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(u.ru_utime) + tv(u.ru_stime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xorshift_replays_its_sequence() {
        let mut r = XorShift(1);
        assert_eq!(
            [r.next_u64(), r.next_u64(), r.next_u64()],
            [1082269761, 1152992998833853505, 11177516664432764457]
        );
        let mut r = XorShift(7);
        let items = [1, 2, 3];
        assert!((0..100).all(|_| items.contains(r.pick(&items))));
        assert_eq!(r.below(0), 0);
    }

    #[test]
    fn jwt_segments_decode_to_what_was_given() {
        let t = jwt(r#"{"role":"service_role"}"#, "sig");
        let parts: Vec<_> = t.split('.').collect();
        assert_eq!(parts.len(), 3);
        let dec = |s: &str| {
            String::from_utf8(
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(s)
                    .unwrap(),
            )
            .unwrap()
        };
        assert_eq!(dec(parts[0]), r#"{"alg":"HS256","typ":"JWT"}"#);
        assert_eq!(dec(parts[1]), r#"{"role":"service_role"}"#);
        assert_eq!(dec(parts[2]), "sig");
        assert!(
            supabase_jwt("anon", "abc", "s").starts_with("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.")
        );
    }

    #[test]
    fn frames_round_trip_and_bad_frames_end_the_stream() {
        let mut buf = Vec::new();
        write_frame(&mut buf, &serde_json::json!({"id": 1})).unwrap();
        write_frame(&mut buf, &serde_json::json!({"id": 2})).unwrap();
        let mut r = std::io::BufReader::new(&buf[..]);
        assert_eq!(read_frame(&mut r).unwrap()["id"], 1);
        assert_eq!(read_frame(&mut r).unwrap()["id"], 2);
        assert!(read_frame(&mut r).is_none());
        let mut bad = std::io::BufReader::new(&b"Content-Length: 3\r\n\r\nnot"[..]);
        assert!(read_frame(&mut bad).is_none());
        let mut short = std::io::BufReader::new(&b"Content-Length: 30\r\n\r\n{}"[..]);
        assert!(read_frame(&mut short).is_none());
    }
}
