//! Statements run as an API role, each in its own rolled-back transaction, and what each one did: a script
//! for [`Cluster::exec_lenient`](crate::Cluster::exec_lenient) starts with [`SCRIPT_START`], adds
//! `begin;` (and any setup) then [`run_as`] per statement, and [`results`] reads the output back.

use std::fmt::{Display, Write};

/// The start of a script whose statements' own output is discarded: stdout holds only the result lines
/// [`run_as`] prints.
pub const SCRIPT_START: &str = "\\set ON_ERROR_ROLLBACK off\n\\o /dev/null\n";

/// Appends to `script`, inside an open transaction: `statement` run as `role` with the JWT claims `claims`
/// (JSON text), a result line numbered `k` for [`results`], and `rollback;`.
pub fn run_as(script: &mut String, k: usize, role: impl Display, claims: &str, statement: &str) {
    writeln!(
        script,
        "set local role {role};\nset local request.jwt.claims = '{claims}';\n{statement};\n\\echo R|{k}|:ROW_COUNT|:SQLSTATE|:LAST_ERROR_MESSAGE\nrollback;"
    )
    .expect("writing to a String");
}

/// What the server did with one statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Observed {
    /// Rows returned or changed, no error.
    Rows(u64),
    /// 42501 from a row level security check.
    RlsError,
    /// 42501 from a missing privilege.
    PermissionDenied,
    Other {
        sqlstate: String,
        message: String,
    },
}

/// The result lines [`run_as`] printed in psql's output `out`, in order: (k, what statement k did). Other
/// lines are passed over.
pub fn results(out: &str) -> Vec<(usize, Observed)> {
    out.lines()
        .filter_map(|line| line.strip_prefix("R|"))
        .map(|rest| {
            let mut parts = rest.splitn(4, '|');
            let k: usize = parts.next().unwrap().parse().unwrap();
            let rows: u64 = parts.next().unwrap().parse().unwrap();
            let sqlstate = parts.next().unwrap().to_string();
            let message = parts.next().unwrap_or("").to_string();
            let observed = match sqlstate.as_str() {
                "00000" => Observed::Rows(rows),
                "42501" if message.contains("row-level security") => Observed::RlsError,
                "42501" if message.contains("permission denied") => Observed::PermissionDenied,
                _ => Observed::Other { sqlstate, message },
            };
            (k, observed)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_read_each_result_line_and_pass_over_the_rest() {
        let out = "S|0|00000|\nR|0|2|00000|\nR|1|0|42501|new row violates row-level security policy for table \"t\"\n\
R|2|0|42501|permission denied for table t\nR|3|0|23505|duplicate key value | with a bar\n";
        assert_eq!(
            results(out),
            vec![
                (0, Observed::Rows(2)),
                (1, Observed::RlsError),
                (2, Observed::PermissionDenied),
                (
                    3,
                    Observed::Other {
                        sqlstate: "23505".into(),
                        message: "duplicate key value | with a bar".into()
                    }
                ),
            ]
        );
    }

    #[test]
    fn run_as_numbers_the_result_line_it_prints() {
        let mut script = String::new();
        run_as(&mut script, 7, "anon", "{}", "select 1");
        assert!(script.starts_with("set local role anon;\n"), "{script}");
        assert!(script.contains("\\echo R|7|:ROW_COUNT|"), "{script}");
        assert!(script.ends_with("rollback;\n"), "{script}");
    }
}
