//! Findings in one comparable shape, whether they come from `rlscope check --format json` or from an
//! in-process [`Workspace`]; and the check against a generated project's `EXPECTED.json`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rlscope_core::keys::redact_secrets_in;
use rlscope_core::{Finding, PositionEncoding};
use rlscope_engine::Workspace;

/// One finding: path relative to the checked folder (with `/`), rule, 1-based line/column in characters (as
/// the JSON output counts), and the redacted message.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Norm {
    pub path: String,
    pub rule: String,
    pub line: u64,
    pub column: u64,
    pub end_line: u64,
    pub end_column: u64,
    pub message: String,
}

impl std::fmt::Display for Norm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{} {} {}",
            self.path,
            self.line,
            self.column,
            self.rule,
            redact_secrets_in(&self.message)
        )
    }
}

pub fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Parses `rlscope check --format json` (ESLint's shape). Returns the findings, sorted, and the number of
/// file entries (files checked).
pub fn from_json(root: &Path, stdout: &[u8]) -> Result<(Vec<Norm>, usize), String> {
    let v: serde_json::Value =
        serde_json::from_slice(stdout).map_err(|e| format!("output is not JSON: {e}"))?;
    let files = v.as_array().ok_or("output is not a JSON array")?;
    let mut out = Vec::new();
    for file in files {
        let path = file["filePath"]
            .as_str()
            .ok_or("an entry has no filePath")?;
        let path = relative(root, Path::new(path));
        for m in file["messages"].as_array().into_iter().flatten() {
            let n = |k: &str| m[k].as_u64().unwrap_or(0);
            out.push(Norm {
                path: path.clone(),
                rule: m["ruleId"].as_str().unwrap_or("").to_string(),
                line: n("line"),
                column: n("column"),
                end_line: n("endLine"),
                end_column: n("endColumn"),
                message: m["message"].as_str().unwrap_or("").to_string(),
            });
        }
    }
    out.sort();
    Ok((out, files.len()))
}

/// The same shape from an in-process [`Workspace::check_all`].
pub fn from_workspace(
    root: &Path,
    ws: &Workspace,
    results: &[(PathBuf, Vec<Finding>)],
) -> Vec<Norm> {
    let mut out = Vec::new();
    for (path, findings) in results {
        if findings.is_empty() {
            continue;
        }
        let text = ws.source(path).unwrap_or_default();
        let index = ws
            .line_index(path)
            .unwrap_or_else(|| std::sync::Arc::new(rlscope_core::LineIndex::new(&text)));
        for f in findings {
            let (s, e) = index.range_to_line_cols(&text, f.range, PositionEncoding::Utf32);
            out.push(Norm {
                path: relative(root, path),
                rule: f.rule.to_string(),
                line: s.line as u64 + 1,
                column: s.col as u64 + 1,
                end_line: e.line as u64 + 1,
                end_column: e.col as u64 + 1,
                message: redact_secrets_in(&f.message).into_owned(),
            });
        }
    }
    out.sort();
    out
}

/// Findings only in `a`, and only in `b`.
pub fn diff(a: &[Norm], b: &[Norm]) -> (Vec<Norm>, Vec<Norm>) {
    let sa: BTreeSet<&Norm> = a.iter().collect();
    let sb: BTreeSet<&Norm> = b.iter().collect();
    (
        sa.difference(&sb).map(|n| (*n).clone()).collect(),
        sb.difference(&sa).map(|n| (*n).clone()).collect(),
    )
}

/// A finding `EXPECTED.json` says must be reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    pub path: String,
    pub rule: String,
    pub line: u64,
}

/// Reads `dir/EXPECTED.json` if there is one.
pub fn read_expected(dir: &Path) -> Result<Option<Vec<Expected>>, String> {
    let path = dir.join("EXPECTED.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(None);
    };
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let list = v["findings"]
        .as_array()
        .ok_or_else(|| format!("{}: no \"findings\" array", path.display()))?;
    Ok(Some(
        list.iter()
            .map(|f| Expected {
                path: f["path"].as_str().unwrap_or("").to_string(),
                rule: f["rule"].as_str().unwrap_or("").to_string(),
                line: f["line"].as_u64().unwrap_or(0),
            })
            .collect(),
    ))
}

pub struct PlantedCheck {
    /// Planted findings with no reported finding of that rule in that file.
    pub missing: Vec<Expected>,
    /// Reported findings whose (file, rule) was not planted: false positives, or generator bugs.
    pub unexpected: Vec<Norm>,
    pub total: usize,
}

pub fn check_planted(expected: &[Expected], found: &[Norm]) -> PlantedCheck {
    let missing = expected
        .iter()
        .filter(|e| !found.iter().any(|f| f.path == e.path && f.rule == e.rule))
        .cloned()
        .collect();
    let unexpected = found
        .iter()
        .filter(|f| {
            !expected
                .iter()
                .any(|e| f.path == e.path && f.rule == e.rule)
        })
        .cloned()
        .collect();
    PlantedCheck {
        missing,
        unexpected,
        total: expected.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(path: &str, rule: &str, line: u64) -> Norm {
        Norm {
            path: path.into(),
            rule: rule.into(),
            line,
            column: 1,
            end_line: line,
            end_column: 5,
            message: "m".into(),
        }
    }

    #[test]
    fn json_output_is_normalised_relative_to_the_root() {
        let json = br#"[{"filePath":"/p/app/a.ts","messages":[{"ruleId":"r","line":3,"column":2,"endLine":3,"endColumn":9,"message":"x"}]},
                        {"filePath":"/p/b.ts","messages":[]}]"#;
        let (found, files) = from_json(Path::new("/p"), json).unwrap();
        assert_eq!(files, 2);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path, "app/a.ts");
        assert_eq!(
            (found[0].line, found[0].column, found[0].end_column),
            (3, 2, 9)
        );
        assert!(from_json(Path::new("/p"), b"{}").is_err());
    }

    #[test]
    fn diff_and_planted_check_find_differences() {
        let a = vec![norm("a.ts", "r1", 1), norm("b.ts", "r2", 2)];
        let b = vec![norm("a.ts", "r1", 1)];
        let (only_a, only_b) = diff(&a, &b);
        assert_eq!(only_a, vec![norm("b.ts", "r2", 2)]);
        assert!(only_b.is_empty());

        let expected = vec![
            Expected {
                path: "a.ts".into(),
                rule: "r1".into(),
                line: 1,
            },
            Expected {
                path: "c.ts".into(),
                rule: "r3".into(),
                line: 1,
            },
        ];
        let check = check_planted(&expected, &a);
        assert_eq!(check.missing.len(), 1);
        assert_eq!(check.missing[0].path, "c.ts");
        assert_eq!(check.unexpected, vec![norm("b.ts", "r2", 2)]);
    }
}
