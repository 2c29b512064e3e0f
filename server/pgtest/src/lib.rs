//! A private PostgreSQL 15 cluster for tests: `initdb` into a temp dir (as the `postgres` user when running as
//! root, since initdb refuses root), `pg_ctl start` listening on a unix socket in that dir only, `psql` to run
//! scripts, and `pg_ctl stop` plus removal of the dir when the value is dropped. Nothing touches the system's
//! own cluster.
//!
//! [`PgCluster::start_for_test`] skips (returns `None`) when PostgreSQL 15 is not installed, except under
//! `CI=true`, where a missing server is a failure.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

/// Where Debian's `postgresql-15` puts its programs; `RLSCOPE_PG_BIN` overrides it.
pub const DEFAULT_BIN: &str = "/usr/lib/postgresql/15/bin";

/// Supabase's three API roles and `auth.uid()` / `auth.role()` / `auth.jwt()`, read from the
/// `request.jwt.claims` setting as Supabase does; `public` tables are granted to the three roles (Supabase's
/// default privileges).
pub const SUPABASE_BOOTSTRAP: &str = r#"
create role anon nologin noinherit;
create role authenticated nologin noinherit;
create role service_role nologin noinherit bypassrls;
create schema auth;
create function auth.uid() returns uuid language sql stable as
  $$ select nullif(current_setting('request.jwt.claims', true)::jsonb ->> 'sub', '')::uuid $$;
create function auth.role() returns text language sql stable as
  $$ select nullif(current_setting('request.jwt.claims', true)::jsonb ->> 'role', '')::text $$;
create function auth.jwt() returns jsonb language sql stable as
  $$ select coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb $$;
grant usage on schema auth to anon, authenticated, service_role;
grant execute on all functions in schema auth to anon, authenticated, service_role;
grant usage on schema public to anon, authenticated, service_role;
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
"#;

pub struct PgCluster {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
}

fn bin_dir() -> PathBuf {
    std::env::var_os("RLSCOPE_PG_BIN").map_or_else(|| PathBuf::from(DEFAULT_BIN), PathBuf::from)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

impl PgCluster {
    /// Whether the PostgreSQL programs are installed.
    pub fn available() -> bool {
        let bin = bin_dir();
        ["initdb", "pg_ctl", "psql"]
            .iter()
            .all(|p| bin.join(p).is_file())
    }

    /// A started cluster, or `None` (with a note on stderr) when PostgreSQL 15 is not installed and this is not CI.
    /// Panics under `CI=true` when it is missing, and whenever it is installed but fails to start.
    pub fn start_for_test(test: &str) -> Option<PgCluster> {
        if !Self::available() {
            let msg = format!(
                "{test}: PostgreSQL 15 is not installed ({} has no initdb/pg_ctl/psql; apt-get install postgresql-15)",
                bin_dir().display()
            );
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{msg}; CI=true requires it");
            }
            eprintln!("{msg}: skipped");
            return None;
        }
        Some(Self::start().unwrap_or_else(|e| panic!("{test}: could not start PostgreSQL: {e}")))
    }

    /// initdb + start. The cluster listens on a unix socket in its own temp dir only.
    pub fn start() -> Result<PgCluster, String> {
        static N: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        // Short: a unix socket path is limited to 107 bytes.
        let dir = std::env::temp_dir().join(format!(
            "rlpg-{}-{}-{nanos:x}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
        let as_postgres = is_root();
        let cluster = PgCluster {
            dir,
            bin: bin_dir(),
            port: 5432,
            as_postgres,
        };
        if as_postgres {
            run(Command::new("chown").arg("postgres").arg(&cluster.dir))?;
        }
        let data = cluster.dir.join("data");
        run(cluster.pg_command("initdb").arg("-D").arg(&data).args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        ]))?;
        let opts = format!(
            "-k {} -p {} -h '' -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            cluster.dir.display(),
            cluster.port
        );
        run(cluster
            .pg_command("pg_ctl")
            .arg("-D")
            .arg(&data)
            .arg("-o")
            .arg(opts)
            .arg("-l")
            .arg(cluster.dir.join("log"))
            .args(["-w", "-t", "60", "start"]))
        .map_err(|e| format!("{e}\nserver log:\n{}", cluster.log()))?;
        Ok(cluster)
    }

    fn pg_command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    pub fn socket_dir(&self) -> &Path {
        &self.dir
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server log so far (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
    }

    /// `psql` on database `postgres` as the `postgres` superuser, reading `script` from stdin, with
    /// `-X -q -v ON_ERROR_STOP=<stop_on_error>`. Returns stdout; Err carries stderr (and stdout) when psql fails.
    pub fn psql(&self, script: &str, stop_on_error: bool) -> Result<String, String> {
        use std::io::Write;
        let mut child = Command::new(self.bin.join("psql"))
            .arg("-h")
            .arg(&self.dir)
            .arg("-p")
            .arg(self.port.to_string())
            .args([
                "-U", "postgres", "-d", "postgres", "-X", "-q", "-A", "-t", "-v",
            ])
            .arg(format!("ON_ERROR_STOP={}", u8::from(stop_on_error)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("psql: {e}"))?;
        let mut stdin = child.stdin.take().expect("piped stdin");
        let script = script.to_string();
        let writer = std::thread::spawn(move || stdin.write_all(script.as_bytes()));
        let out = child.wait_with_output().map_err(|e| format!("psql: {e}"))?;
        writer
            .join()
            .map_err(|_| "psql stdin writer panicked".to_string())?
            .map_err(|e| format!("psql stdin: {e}"))?;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        if !out.status.success() {
            return Err(format!(
                "psql exited with {}\nstderr:\n{}\nstdout:\n{stdout}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(stdout)
    }

    /// Run `script`, stopping at the first error.
    pub fn exec(&self, script: &str) -> Result<String, String> {
        self.psql(script, true)
    }

    /// Create Supabase's roles and auth functions ([`SUPABASE_BOOTSTRAP`]).
    pub fn bootstrap_supabase(&self) -> Result<(), String> {
        self.exec(SUPABASE_BOOTSTRAP).map(|_| ())
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let _ = self
            .pg_command("pg_ctl")
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?} exited with {}\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_bootstraps_and_stops() {
        let Some(pg) = PgCluster::start_for_test("starts_bootstraps_and_stops") else {
            return;
        };
        pg.bootstrap_supabase().unwrap();
        let out = pg
            .exec(
                "begin; set local role authenticated;\n\
                 set local request.jwt.claims = '{\"sub\":\"00000000-0000-0000-0000-000000000007\",\"role\":\"authenticated\"}';\n\
                 select auth.uid(), auth.role(), current_user; rollback;",
            )
            .unwrap();
        assert_eq!(
            out.trim(),
            "00000000-0000-0000-0000-000000000007|authenticated|authenticated"
        );
        let err = pg.exec("select * from missing_table;").unwrap_err();
        assert!(err.contains("does not exist"), "{err}");
        let dir = pg.socket_dir().to_path_buf();
        drop(pg);
        assert!(!dir.exists());
    }
}
