//! Benchmark (not a timed test): check a 50,000-line pg_dump-style schema and print the time.
//!
//! `cargo bench -p rlscope_sql --bench pg_dump_schema` (release profile). Pass a path to time a real file
//! instead: `cargo bench -p rlscope_sql --bench pg_dump_schema -- path/to/dump.sql`. The target from the
//! issue is under one second on the project's 2-core machine.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// A schema in the shape `pg_dump` / `supabase db dump` prints: SET preamble, tables with defaults and
/// constraints, functions with dollar-quoted bodies, triggers, indexes, foreign keys, policies (a few of
/// them naming service_role), RLS switches, grants and default privileges.
fn pg_dump_like(target_lines: usize) -> String {
    let mut s = String::new();
    s.push_str(
        "--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\nSET lock_timeout = 0;\n\
         SET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n\
         SELECT pg_catalog.set_config('search_path', '', false);\nSET check_function_bodies = false;\n\n",
    );
    let mut lines = s.lines().count();
    let mut i = 0usize;
    while lines < target_lines {
        let before = s.len();
        write_table(&mut s, i);
        lines += s[before..].lines().count();
        i += 1;
    }
    let mut out: Vec<&str> = s.lines().collect();
    out.truncate(target_lines);
    let mut text = out.join("\n");
    text.push('\n');
    text
}

fn write_table(s: &mut String, i: usize) {
    let t = format!("\"public\".\"table_{i}\"");
    let _ = write!(
        s,
        "--\n-- Name: table_{i}; Type: TABLE; Schema: public; Owner: postgres\n--\n\n\
CREATE TABLE IF NOT EXISTS {t} (\n\
    \"id\" bigint NOT NULL,\n\
    \"user_id\" \"uuid\" DEFAULT \"auth\".\"uid\"() NOT NULL,\n\
    \"title\" \"text\" NOT NULL,\n\
    \"body\" \"text\",\n\
    \"status\" \"text\" DEFAULT 'draft'::\"text\" NOT NULL,\n\
    \"metadata\" \"jsonb\" DEFAULT '{{}}'::\"jsonb\",\n\
    \"created_at\" timestamp with time zone DEFAULT \"now\"() NOT NULL,\n\
    \"updated_at\" timestamp with time zone DEFAULT \"now\"() NOT NULL,\n\
    CONSTRAINT \"table_{i}_status_check\" CHECK ((\"status\" = ANY (ARRAY['draft'::\"text\", 'published'::\"text\"])))\n\
);\n\n\
ALTER TABLE {t} OWNER TO \"postgres\";\n\n\
CREATE OR REPLACE FUNCTION \"public\".\"touch_{i}\"() RETURNS \"trigger\"\n\
    LANGUAGE \"plpgsql\" SECURITY DEFINER\n\
    SET \"search_path\" TO ''\n\
    AS $$\n\
begin\n\
  if auth.role() = 'service_role' then\n\
    return new; -- the service role may write anything; create policy in a comment; \n\
  end if;\n\
  new.updated_at := now();\n\
  return new;\n\
end;\n\
$$;\n\n\
ALTER FUNCTION \"public\".\"touch_{i}\"() OWNER TO \"postgres\";\n\n\
ALTER TABLE ONLY {t}\n    ADD CONSTRAINT \"table_{i}_pkey\" PRIMARY KEY (\"id\");\n\n\
ALTER TABLE ONLY {t}\n    ADD CONSTRAINT \"table_{i}_user_id_fkey\" FOREIGN KEY (\"user_id\") REFERENCES \"auth\".\"users\"(\"id\") ON DELETE CASCADE;\n\n\
CREATE INDEX \"table_{i}_user_id_idx\" ON {t} USING \"btree\" (\"user_id\");\n\n\
CREATE OR REPLACE TRIGGER \"touch_{i}\" BEFORE UPDATE ON {t} FOR EACH ROW EXECUTE FUNCTION \"public\".\"touch_{i}\"();\n\n\
CREATE POLICY \"Owners can read {i}\" ON {t} FOR SELECT TO \"authenticated\" USING ((( SELECT \"auth\".\"uid\"() AS \"uid\") = \"user_id\"));\n\n\
CREATE POLICY \"Owners can write {i}\" ON {t} FOR UPDATE TO \"authenticated\" USING ((( SELECT \"auth\".\"uid\"() AS \"uid\") = \"user_id\")) WITH CHECK ((( SELECT \"auth\".\"uid\"() AS \"uid\") = \"user_id\"));\n\n\
CREATE POLICY \"Published are public {i}\" ON {t} FOR SELECT TO \"anon\", \"authenticated\" USING ((\"status\" = 'published'::\"text\"));\n\n"
    );
    if i.is_multiple_of(10) {
        let _ = write!(
            s,
            "CREATE POLICY \"Service role {i}\" ON {t} TO \"service_role\" USING (true) WITH CHECK (true);\n\n\
CREATE POLICY \"Owner or service {i}\" ON {t} FOR DELETE USING (((( SELECT \"auth\".\"uid\"() AS \"uid\") = \"user_id\") OR (\"auth\".\"role\"() = 'service_role'::\"text\")));\n\n"
        );
    }
    let _ = write!(
        s,
        "ALTER TABLE {t} ENABLE ROW LEVEL SECURITY;\n\n\
GRANT ALL ON TABLE {t} TO \"anon\";\n\
GRANT ALL ON TABLE {t} TO \"authenticated\";\n\
GRANT ALL ON TABLE {t} TO \"service_role\";\n\n"
    );
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument is a file to time.
    let path = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    let (label, text) = match path {
        Some(p) => {
            let text = std::fs::read_to_string(&p).expect("read the file to benchmark");
            (p, text)
        }
        None => (
            "generated pg_dump-style schema".to_string(),
            pg_dump_like(50_000),
        ),
    };
    let lines = text.lines().count();
    // One warm-up (loads the parse tables into memory), then timed runs.
    let findings = rlscope_sql::check(&text).len();
    let mut times: Vec<Duration> = (0..7)
        .map(|_| {
            let t = Instant::now();
            let n = rlscope_sql::check(&text).len();
            assert_eq!(n, findings);
            t.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "{label}: {lines} lines, {} KiB, {findings} findings; check: min {:.1} ms, median {:.1} ms, max {:.1} ms",
        text.len() / 1024,
        times[0].as_secs_f64() * 1e3,
        times[times.len() / 2].as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3,
    );
    let cold = Instant::now();
    std::thread::spawn({
        let text = text.clone();
        move || rlscope_sql::check(&text).len()
    })
    .join()
    .unwrap();
    println!(
        "on a fresh thread (new parser): {:.1} ms",
        cold.elapsed().as_secs_f64() * 1e3
    );
}
