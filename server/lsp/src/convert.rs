//! Findings → LSP diagnostics, fixes → code action data. Positions only through `rlscope_core::LineIndex`.

use std::path::Path;

use rlscope_core::keys::redact_secrets_in;
use rlscope_core::{
    Applicability, Finding, LineCol, LineIndex, PositionEncoding, Severity, TextRange,
};
use serde::{Deserialize, Serialize};
use tower_lsp_server::ls_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag,
    Location, NumberOrString, Position, Range, TextEdit, Uri,
};

use crate::caps::Caps;

pub const SOURCE: &str = "rlscope";

/// Text and line index of another file, for related information.
pub type SourceOf<'a> =
    dyn Fn(&Path) -> Option<(std::sync::Arc<str>, std::sync::Arc<LineIndex>)> + 'a;

/// A file's text and its line index, for converting offsets.
#[derive(Clone, Copy)]
pub struct TextRef<'a> {
    pub text: &'a str,
    pub index: &'a LineIndex,
}

impl TextRef<'_> {
    pub fn position(&self, offset: u32, enc: PositionEncoding) -> Position {
        let lc = self.index.line_col(self.text, offset, enc);
        Position::new(lc.line, lc.col)
    }

    pub fn range(&self, range: TextRange, enc: PositionEncoding) -> Range {
        Range::new(
            self.position(range.start, enc),
            self.position(range.end, enc),
        )
    }

    pub fn offset(&self, pos: Position, enc: PositionEncoding) -> u32 {
        self.index.offset(
            self.text,
            LineCol {
                line: pos.line,
                col: pos.character,
            },
            enc,
        )
    }

    /// A byte range for an LSP range, clamped to the text, start ≤ end.
    pub fn text_range(&self, range: Range, enc: PositionEncoding) -> TextRange {
        let a = self.offset(range.start, enc);
        let b = self.offset(range.end, enc);
        TextRange::new(a.min(b), a.max(b))
    }
}

/// One fix, pre-converted to LSP edits (travels in `Diagnostic.data`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FixData {
    pub title: String,
    pub safe: bool,
    pub edits: Vec<TextEdit>,
}

/// What a code action needs, carried by the diagnostic itself so code actions are stateless.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiagnosticData {
    pub rule: String,
    /// The document version the edits apply to (`None` for files not open).
    pub version: Option<i32>,
    pub fixes: Vec<FixData>,
    /// The "ignore on this line" edit (absent for the suppression rules themselves).
    pub ignore: Option<TextEdit>,
}

fn is_sql(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("sql"))
}

/// The edit inserting `// rlscope-ignore <rule>: <reason>` above the line of `offset`, indented alike.
pub fn ignore_edit(path: &Path, text: TextRef<'_>, offset: u32, rule: &str) -> TextEdit {
    let line = text.index.line_of(offset);
    let content = text.index.line_range(text.text, line);
    let line_text = &text.text[content.as_usize()];
    let indent: String = line_text
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    // keep the document's own line ending for this line
    let after = &text.text[content.end as usize..];
    let eol = if after.starts_with("\r\n") {
        "\r\n"
    } else if after.starts_with('\r') {
        "\r"
    } else {
        "\n"
    };
    let marker = if is_sql(path) { "--" } else { "//" };
    TextEdit {
        range: Range::new(Position::new(line, 0), Position::new(line, 0)),
        new_text: format!("{indent}{marker} rlscope-ignore {rule}: <reason>{eol}"),
    }
}

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
    }
}

const SUPPRESSION_RULES: [&str; 2] = ["invalid-suppression", "unused-suppression"];

/// Converts a finding of `path` (whose text is `text`) into a diagnostic. `other` gives the text of other
/// files for related information.
pub fn diagnostic(
    f: &Finding,
    path: &Path,
    text: TextRef<'_>,
    version: Option<i32>,
    enc: PositionEncoding,
    caps: &Caps,
    other: &SourceOf<'_>,
) -> Diagnostic {
    let meta = rlscope_engine::rules::by_id(f.rule);
    let code_description = meta
        .map(|m| m.docs_url())
        .and_then(|u| u.parse::<Uri>().ok())
        .map(|href| CodeDescription { href });
    let related_information = if caps.related_information && !f.related.is_empty() {
        let mut out = Vec::new();
        for r in &f.related {
            let Some(uri) = Uri::from_file_path(&r.path) else {
                continue;
            };
            let range = if r.path == path {
                text.range(r.range, enc)
            } else if let Some((t, i)) = other(&r.path) {
                TextRef {
                    text: &t,
                    index: &i,
                }
                .range(r.range, enc)
            } else {
                continue;
            };
            out.push(DiagnosticRelatedInformation {
                location: Location { uri, range },
                message: redact_secrets_in(&r.message).into_owned(),
            });
        }
        Some(out)
    } else {
        None
    };
    let tags = (caps.unnecessary_tag && f.rule == "unused-suppression")
        .then(|| vec![DiagnosticTag::UNNECESSARY]);
    let fixes = f
        .fixes
        .iter()
        .filter(|fix| fix.applicability != Applicability::DisplayOnly && !fix.edits.is_empty())
        // never ship a key to the client, even inside an edit (the engine should not produce one)
        .filter(|fix| {
            fix.edits.iter().all(|e| {
                matches!(
                    redact_secrets_in(&e.replacement),
                    std::borrow::Cow::Borrowed(_)
                )
            })
        })
        .map(|fix| FixData {
            title: redact_secrets_in(&fix.title).into_owned(),
            safe: fix.applicability == Applicability::Safe,
            edits: fix
                .edits
                .iter()
                .map(|e| TextEdit {
                    range: text.range(e.range, enc),
                    new_text: e.replacement.clone(),
                })
                .collect(),
        })
        .collect();
    let ignore = (!SUPPRESSION_RULES.contains(&f.rule))
        .then(|| ignore_edit(path, text, f.range.start, f.rule));
    let data = DiagnosticData {
        rule: f.rule.to_string(),
        version,
        fixes,
        ignore,
    };
    Diagnostic {
        range: text.range(f.range, enc),
        severity: Some(severity(f.severity)),
        code: Some(NumberOrString::String(f.rule.to_string())),
        code_description,
        source: Some(SOURCE.to_string()),
        message: redact_secrets_in(&f.message).into_owned(),
        related_information,
        tags,
        data: serde_json::to_value(data).ok(),
    }
}

/// Whether a fix's replacement text holds a key (never sent to the client; the engine should not make one).
fn leaks_key(fix: &rlscope_core::Fix) -> bool {
    fix.edits.iter().any(|e| {
        matches!(
            redact_secrets_in(&e.replacement),
            std::borrow::Cow::Owned(_)
        )
    })
}

/// The safe fixes' edits of all findings, sorted, without overlaps (first one wins).
pub fn fix_all_edits(findings: &[Finding]) -> Vec<rlscope_core::Edit> {
    let mut edits: Vec<rlscope_core::Edit> = Vec::new();
    for f in findings {
        if let Some(fix) = f.fixes.iter().find(|x| {
            x.applicability == Applicability::Safe && !x.edits.is_empty() && !leaks_key(x)
        }) {
            // all edits of one fix, or none
            let clash = fix.edits.iter().any(|e| {
                edits.iter().any(|o| {
                    o.range.intersects(e.range) || (o.range == e.range && o.range.is_empty())
                })
            });
            if !clash {
                edits.extend(fix.edits.iter().cloned());
            }
        }
    }
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    edits
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn ignore_edit_keeps_indent_and_line_ending() {
        let text = "a\r\n    const x = 1;\r\n";
        let index = LineIndex::new(text);
        let t = TextRef {
            text,
            index: &index,
        };
        let e = ignore_edit(Path::new("/p/a.ts"), t, 9, "hardcoded-service-key");
        assert_eq!(e.range.start, Position::new(1, 0));
        assert_eq!(
            e.new_text,
            "    // rlscope-ignore hardcoded-service-key: <reason>\r\n"
        );
        let e = ignore_edit(Path::new("/p/m.SQL"), t, 0, "service-role-policy");
        assert_eq!(
            e.new_text,
            "-- rlscope-ignore service-role-policy: <reason>\r\n"
        );
    }

    #[test]
    fn diagnostic_fields_and_redaction() {
        let secret = "sb_secret_abcdefghijklmnop";
        let text = format!("const k = \"{secret}\";\n");
        let index = LineIndex::new(&text);
        let start = text.find("sb_").unwrap() as u32;
        let range = TextRange::new(start, start + secret.len() as u32);
        let f = Finding::new(
            "service-role-policy",
            Severity::Error,
            range,
            format!("key {secret} here"),
        )
        .with_related(PathBuf::from("/p/a.ts"), range, format!("from {secret}"))
        .with_fix(rlscope_core::Fix {
            title: "Use env".into(),
            applicability: Applicability::Unsafe,
            edits: vec![rlscope_core::Edit {
                range,
                replacement: "process.env.X!".into(),
            }],
        });
        let caps = Caps {
            related_information: true,
            ..Caps::default()
        };
        let d = diagnostic(
            &f,
            Path::new("/p/a.ts"),
            TextRef {
                text: &text,
                index: &index,
            },
            Some(3),
            PositionEncoding::Utf16,
            &caps,
            &|_| None,
        );
        let json = serde_json::to_string(&d).unwrap();
        assert!(!json.contains(secret), "{json}");
        // a fix whose replacement holds a key is not offered at all
        let leaky = f.clone().with_fix(rlscope_core::Fix {
            title: "Inline".into(),
            applicability: Applicability::Safe,
            edits: vec![rlscope_core::Edit {
                range,
                replacement: format!("'{secret}'"),
            }],
        });
        let d2 = diagnostic(
            &leaky,
            Path::new("/p/a.ts"),
            TextRef {
                text: &text,
                index: &index,
            },
            Some(3),
            PositionEncoding::Utf16,
            &caps,
            &|_| None,
        );
        let json = serde_json::to_string(&d2).unwrap();
        assert!(!json.contains(secret), "{json}");
        let data2: DiagnosticData = serde_json::from_value(d2.data.unwrap()).unwrap();
        assert_eq!(data2.fixes.len(), 1, "only the clean fix is kept");
        assert_eq!(d.source.as_deref(), Some("rlscope"));
        assert_eq!(
            d.code,
            Some(NumberOrString::String("service-role-policy".into()))
        );
        assert!(d.code_description.is_some());
        assert_eq!(d.related_information.as_ref().unwrap().len(), 1);
        let data: DiagnosticData = serde_json::from_value(d.data.unwrap()).unwrap();
        assert_eq!(data.version, Some(3));
        assert_eq!(data.fixes.len(), 1);
        assert!(!data.fixes[0].safe);
        assert_eq!(data.fixes[0].edits[0].range.start, Position::new(0, 11));
    }

    fn fix(start: u32, end: u32, applicability: Applicability) -> rlscope_core::Fix {
        rlscope_core::Fix {
            title: "t".into(),
            applicability,
            edits: vec![rlscope_core::Edit {
                range: TextRange::new(start, end),
                replacement: format!("{start}"),
            }],
        }
    }

    #[test]
    fn fix_all_takes_safe_fixes_only_without_overlaps() {
        let r = TextRange::new(0, 1);
        let findings = vec![
            Finding::new("a", Severity::Error, r, "m").with_fix(fix(10, 20, Applicability::Safe)),
            // overlaps the first: dropped
            Finding::new("b", Severity::Error, r, "m").with_fix(fix(15, 25, Applicability::Safe)),
            // unsafe only: not applied
            Finding::new("c", Severity::Error, r, "m").with_fix(fix(30, 31, Applicability::Unsafe)),
            // an unsafe fix first, then a safe one: the safe one is taken
            Finding::new("d", Severity::Error, r, "m")
                .with_fix(fix(40, 41, Applicability::Unsafe))
                .with_fix(fix(2, 3, Applicability::Safe)),
        ];
        let edits = fix_all_edits(&findings);
        let ranges: Vec<(u32, u32)> = edits.iter().map(|e| (e.range.start, e.range.end)).collect();
        assert_eq!(ranges, [(2, 3), (10, 20)]);
    }
}
