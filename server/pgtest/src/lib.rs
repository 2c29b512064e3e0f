//! A private PostgreSQL 15 cluster for tests, with Supabase's API roles and `auth`/`storage` schemas
//! bootstrapped.
//!
//! [`Cluster::start`] runs `initdb` into a temp dir (as the `postgres` user when the test runs as root:
//! initdb refuses root), starts the server with `pg_ctl` listening on a unix socket in that dir only (no
//! TCP), and [`Drop`] stops it (`pg_ctl stop -m immediate`) and removes the dir. Nothing touches the system's
//! own cluster.
//!
//! When PostgreSQL 15 is not installed, [`Cluster::start`] returns [`Unavailable`]; use [`require`] so
//! that a test fails loudly under `CI=true` and is skipped with a message elsewhere.

pub mod statements;

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Where Debian's `postgresql-15` installs its programs.
pub const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

/// Supabase's roles, `auth` helpers and default privileges, close enough for row level security: the
/// three API roles (`service_role` with BYPASSRLS), `auth.uid()` / `auth.role()` / `auth.jwt()` reading
/// `request.jwt.claims`, `auth.users`, `storage.buckets` / `storage.objects` with RLS on, and the
/// default privileges that grant ALL on new tables and functions in `public` to the three roles.
pub const SUPABASE_BOOTSTRAP: &str = r#"
create role anon nologin noinherit;
create role authenticated nologin noinherit;
create role service_role nologin noinherit bypassrls;
create role authenticator noinherit login;
create role supabase_admin superuser;
create role supabase_auth_admin noinherit;
create role supabase_storage_admin noinherit;
create role dashboard_user;
grant anon, authenticated, service_role to authenticator;
create schema auth;
create schema extensions;
create schema storage;
create function auth.uid() returns uuid language sql stable as
  $$ select nullif(coalesce(current_setting('request.jwt.claim.sub', true),
       current_setting('request.jwt.claims', true)::jsonb ->> 'sub'), '')::uuid $$;
create function auth.role() returns text language sql stable as
  $$ select nullif(coalesce(current_setting('request.jwt.claim.role', true),
       current_setting('request.jwt.claims', true)::jsonb ->> 'role'), '')::text $$;
create function auth.jwt() returns jsonb language sql stable as
  $$ select coalesce(nullif(current_setting('request.jwt.claim', true), ''),
       nullif(current_setting('request.jwt.claims', true), ''))::jsonb $$;
create function auth.email() returns text language sql stable as
  $$ select nullif(current_setting('request.jwt.claims', true)::jsonb ->> 'email', '')::text $$;
create table auth.users (
  id uuid primary key,
  email text,
  raw_user_meta_data jsonb,
  raw_app_meta_data jsonb,
  created_at timestamptz default now()
);
grant usage on schema auth, extensions, storage to anon, authenticated, service_role;
grant execute on all functions in schema auth to anon, authenticated, service_role;
create table storage.buckets (
  id text primary key,
  name text not null,
  owner uuid,
  public boolean default false,
  created_at timestamptz default now()
);
create table storage.objects (
  id uuid primary key,
  bucket_id text references storage.buckets (id),
  name text,
  owner uuid,
  metadata jsonb,
  created_at timestamptz default now()
);
alter table storage.buckets enable row level security;
alter table storage.objects enable row level security;
alter table auth.users enable row level security;
grant all on storage.buckets, storage.objects to anon, authenticated, service_role;
create function storage.foldername(name text) returns text[] language sql immutable as
  $$ select string_to_array(name, '/') $$;
create function storage.filename(name text) returns text language sql immutable as
  $$ select (string_to_array(name, '/'))[array_length(string_to_array(name, '/'), 1)] $$;
create function storage.extension(name text) returns text language sql immutable as
  $$ select split_part(name, '.', 2) $$;
grant usage on schema public to anon, authenticated, service_role;
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
"#;

/// PostgreSQL 15 is not installed (or the cluster could not start).
#[derive(Debug)]
pub struct Unavailable(pub String);

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Start a cluster, or: under `CI=true` panic (a test must never pass silently without its database);
/// elsewhere print why and return `None` so the test can return early.
pub fn require() -> Option<Cluster> {
    match Cluster::start() {
        Ok(c) => Some(c),
        Err(e) => {
            if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
                panic!(
                    "PostgreSQL 15 is required under CI=true (.ci/run installs postgresql-15): {e}"
                );
            }
            eprintln!("SKIPPED: no PostgreSQL 15: {e}");
            None
        }
    }
}

pub struct Cluster {
    dir: tempfile::TempDir,
    port: u16,
    as_postgres: bool,
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl Cluster {
    /// initdb + start + the Supabase bootstrap.
    pub fn start() -> Result<Cluster, Unavailable> {
        let bin = Path::new(PG_BIN);
        if !bin.join("initdb").exists() || !bin.join("pg_ctl").exists() {
            return Err(Unavailable(format!(
                "{PG_BIN}/initdb not found (apt-get install postgresql-15)"
            )));
        }
        let dir = tempfile::Builder::new()
            .prefix("rlscope-pg-")
            .tempdir()
            .map_err(|e| Unavailable(format!("temp dir: {e}")))?;
        let as_postgres = is_root();
        if as_postgres {
            let ok = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(dir.path())
                .status()
                .is_ok_and(|s| s.success());
            if !ok {
                return Err(Unavailable("chown postgres on the temp dir failed".into()));
            }
        }
        // A port only names the socket file, which lives in the private dir.
        let port = 5432;
        let mut c = Cluster {
            dir,
            port,
            as_postgres,
        };
        let data = c.data_dir();
        let out = c.run_pg(
            "initdb",
            &[
                "-D",
                &data.to_string_lossy(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ],
        )?;
        if !out.status.success() {
            return Err(Unavailable(format!(
                "initdb failed: {}",
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        let opts = format!(
            "-k {} -p {} -h '' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=20",
            c.dir.path().display(),
            c.port
        );
        let log = c.dir.path().join("log");
        let out = c.run_pg(
            "pg_ctl",
            &[
                "-D",
                &data.to_string_lossy(),
                "-o",
                &opts,
                "-l",
                &log.to_string_lossy(),
                "-w",
                "start",
            ],
        )?;
        if !out.status.success() {
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            return Err(Unavailable(format!(
                "pg_ctl start failed: {}{log}",
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        c.port = port;
        c.exec(SUPABASE_BOOTSTRAP)
            .map_err(|e| Unavailable(format!("bootstrap failed: {e}")))?;
        Ok(c)
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn run_pg(&self, prog: &str, args: &[&str]) -> Result<Output, Unavailable> {
        let path = Path::new(PG_BIN).join(prog);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&path);
            c
        } else {
            Command::new(&path)
        };
        cmd.args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| Unavailable(format!("{prog}: {e}")))
    }

    /// The socket directory (`psql -h`).
    pub fn socket_dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Run `sql` through psql (stop at the first error). Returns stdout: unaligned, tuples only,
    /// fields separated by `|`.
    pub fn exec(&self, sql: &str) -> Result<String, String> {
        self.psql(sql, true)
    }

    /// Like [`exec`](Self::exec), but every statement runs on its own: errors are collected, not fatal.
    /// Returns stdout and stderr.
    pub fn exec_lenient(&self, sql: &str) -> (String, String) {
        match self.psql_raw(sql, false) {
            Ok((out, err)) => (out, err),
            Err(e) => (String::new(), e),
        }
    }

    fn psql(&self, sql: &str, stop: bool) -> Result<String, String> {
        let (out, err) = self.psql_raw(sql, stop)?;
        if stop && !err.is_empty() && err.contains("ERROR") {
            return Err(err);
        }
        Ok(out)
    }

    fn psql_raw(&self, sql: &str, stop: bool) -> Result<(String, String), String> {
        use std::io::Write;
        let mut child = Command::new(Path::new(PG_BIN).join("psql"))
            .arg("-h")
            .arg(self.dir.path())
            .args([
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-d",
                "postgres",
            ])
            .args(["-X", "-q", "-A", "-t", "-F", "|"])
            .args([
                "-v",
                if stop {
                    "ON_ERROR_STOP=1"
                } else {
                    "ON_ERROR_STOP=0"
                },
            ])
            // Lenient runs: a failing statement inside a transaction rolls back to a savepoint only.
            .args([
                "-v",
                if stop {
                    "ON_ERROR_ROLLBACK=off"
                } else {
                    "ON_ERROR_ROLLBACK=on"
                },
            ])
            .env("PGOPTIONS", "-c client_min_messages=error")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("psql: {e}"))?;
        let mut stdin = child.stdin.take().expect("piped");
        let sql = sql.to_string();
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(sql.as_bytes());
        });
        let out = child.wait_with_output().map_err(|e| format!("psql: {e}"))?;
        let _ = writer.join();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        if stop && !out.status.success() {
            return Err(if stderr.is_empty() {
                format!("psql exited with {}", out.status)
            } else {
                stderr
            });
        }
        Ok((stdout, stderr))
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data_dir();
        let _ = self.run_pg(
            "pg_ctl",
            &[
                "-D",
                &data.to_string_lossy(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_bootstraps_and_stops() {
        let Some(c) = require() else { return };
        let out = c
            .exec("select rolname, rolbypassrls from pg_roles where rolname in ('anon','service_role') order by 1;")
            .unwrap();
        assert_eq!(out.trim(), "anon|f\nservice_role|t");
        // Errors are reported, not swallowed.
        assert!(c.exec("select * from no_such_table;").is_err());
        let dir = c.socket_dir().to_path_buf();
        drop(c);
        assert!(!dir.exists());
    }
}
