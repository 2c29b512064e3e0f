//! Inline suppressions.
//!
//! - `// rlscope-ignore RULE: reason` (or `/* … */`, e.g. `{/* … */}` in JSX) on a line of its own covers the
//!   next line that is not blank and not another suppression comment; after code on a line it covers that line.
//! - `-- rlscope-ignore RULE: reason` does the same in SQL (`/* … */` works there too), `# rlscope-ignore RULE:
//!   reason` in TOML, YAML and `.env` files (a `#` at the start of a line or after a blank), and
//!   `<!-- rlscope-ignore RULE: reason -->` in Markdown. JSON has no comments.
//! - `/* rlscope-ignore-file RULE: reason */` (any comment form) covers the whole file; put it at the top.
//! - Several rules: `rlscope-ignore rule-a, rule-b: reason`.
//!
//! A finding is covered when one of the covered lines lies within its primary range's lines. A suppression
//! naming an unknown rule is reported (`invalid-suppression`) and suppresses nothing for that name; one without a
//! reason still suppresses but is reported (`invalid-suppression`), so the reason cannot be skipped silently. A
//! valid suppression that covers no finding is reported (`unused-suppression`) with a safe fix that removes it.
//!
//! Comments are found by a line-local scan (no parser): an opener inside a string literal that started on the
//! same line is ignored, one inside a multi-line template literal is not.

use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::line_index::LineIndex;
use crate::rule::{Language, RuleMeta};
use crate::text::TextRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommentStyle {
    /// `//` and `/* */` comments (TS/JS).
    Js,
    /// `--` and `/* */` comments (SQL).
    Sql,
    /// `#` comments (TOML, YAML, `.env`): a `#` at the start of a line or after a blank; no block comments.
    Hash,
    /// `<!-- -->` comments (Markdown).
    Html,
}

impl CommentStyle {
    /// The line comment opener, if the style has one.
    fn line_opener(self) -> Option<&'static str> {
        match self {
            CommentStyle::Js => Some("//"),
            CommentStyle::Sql => Some("--"),
            CommentStyle::Hash => Some("#"),
            CommentStyle::Html => None,
        }
    }

    /// The block comment opener and closer, if the style has them.
    fn block(self) -> Option<(&'static str, &'static str)> {
        match self {
            CommentStyle::Js | CommentStyle::Sql => Some(("/*", "*/")),
            CommentStyle::Hash => None,
            CommentStyle::Html => Some(("<!--", "-->")),
        }
    }

    /// The block closer (only called for block comments).
    fn closer(self) -> &'static str {
        self.block().map_or("*/", |(_, c)| c)
    }
}

pub static INVALID_SUPPRESSION: RuleMeta = RuleMeta {
    id: "invalid-suppression",
    default_severity: Severity::Error,
    language: Language::Any,
    summary: "An rlscope-ignore comment without a reason or naming an unknown rule",
    what_it_does: "Checks every `rlscope-ignore` and `rlscope-ignore-file` comment: it must name one or more \
known rule ids and give a reason after a colon, as in `// rlscope-ignore RULE: reason` (`-- rlscope-ignore RULE: \
reason` in SQL, `# rlscope-ignore RULE: reason` in TOML, YAML and `.env` files, `<!-- rlscope-ignore RULE: reason -->` \
in Markdown).",
    why_bad: "A suppression hides a finding about which Postgres role a request runs as. Without a reason the \
next reader cannot tell an intended exception from a silenced bug, and a misspelt rule id suppresses nothing at \
all while looking as if it did. A suppression without a reason still hides its finding, but is reported itself \
until the reason is written; one naming an unknown rule has no effect.",
    example: "import { createClient } from '@supabase/supabase-js'

const admin = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!)

export async function seed() {
  // rlscope-ignore session-method-on-service-client
  await admin.auth.signInWithPassword({ email: 'seed@example.com', password: process.env.SEED_PASSWORD! })
}
",
    use_instead: "import { createClient } from '@supabase/supabase-js'

const admin = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!)

export async function seed() {
  // rlscope-ignore session-method-on-service-client: one-off seed script, this client is never shared
  await admin.auth.signInWithPassword({ email: 'seed@example.com', password: process.env.SEED_PASSWORD! })
}
",
    fix_safety: "No automatic fix: only you know the reason, or which rule you meant.",
    references: &[
        "https://biomejs.dev/analyzer/suppressions/",
        "https://docs.astral.sh/ruff/linter/#error-suppression",
    ],
};

pub static UNUSED_SUPPRESSION: RuleMeta = RuleMeta {
    id: "unused-suppression",
    default_severity: Severity::Warning,
    language: Language::Any,
    summary: "An rlscope-ignore comment that suppresses nothing",
    what_it_does: "Reports a valid `rlscope-ignore` or `rlscope-ignore-file` comment (or one rule id in its \
list) that does not cover any finding of that rule.",
    why_bad: "The code it was written for has changed or moved. A stale suppression misleads readers into \
thinking the line is an intended exception, and it will silently hide a real finding if the code under it later \
goes wrong again.",
    example: "import { createClient } from '@supabase/supabase-js'

// rlscope-ignore ssr-client-service-key: the cron job needs to bypass RLS
export const supabase = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_ANON_KEY!)
",
    use_instead: "import { createClient } from '@supabase/supabase-js'

export const supabase = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_ANON_KEY!)
",
    fix_safety: "Safe: removing a comment that suppresses nothing changes no finding. The fix removes the whole \
comment (and its line, when the comment stands alone) or, when only some of its rule ids are unused, just those \
ids. If the rule is merely turned off in `rlscope.toml`, prefer keeping the comment and turning the rule back on.",
    references: &["https://docs.astral.sh/ruff/rules/unused-noqa/"],
};

const MARKER: &str = "rlscope-ignore";

/// One rule id inside a suppression comment.
#[derive(Debug)]
struct RuleRef {
    id: String,
    range: TextRange,
    known: bool,
    used: bool,
}

#[derive(Debug)]
struct Directive {
    /// The comment, opener to closer (or line end).
    comment: TextRange,
    /// What a removal deletes: the comment, with its line when it stands alone.
    removal: TextRange,
    file_level: bool,
    /// 0-based lines covered (line-level only).
    lines: Vec<u32>,
    rules: Vec<RuleRef>,
    has_reason: bool,
}

/// Drops the findings that a suppression comment in `text` covers, and adds `invalid-suppression` /
/// `unused-suppression` findings for the comments themselves. `is_known_rule` tells valid rule ids.
/// The result is sorted by position.
pub fn apply(
    text: &str,
    style: CommentStyle,
    findings: Vec<Finding>,
    is_known_rule: &dyn Fn(&str) -> bool,
) -> Vec<Finding> {
    if !text.contains(MARKER) {
        return findings;
    }
    let index = LineIndex::new(text);
    let mut directives = parse_directives(text, &index, style, is_known_rule);
    if directives.is_empty() {
        return findings;
    }
    let mut out = Vec::with_capacity(findings.len());
    for f in findings {
        if f.rule == INVALID_SUPPRESSION.id || f.rule == UNUSED_SUPPRESSION.id {
            out.push(f);
            continue;
        }
        let first = index.line_of(f.range.start);
        let last = index.line_of(f.range.end.max(f.range.start));
        let mut suppressed = false;
        for d in directives.iter_mut() {
            let covers = d.file_level || d.lines.iter().any(|&l| first <= l && l <= last);
            if !covers {
                continue;
            }
            for r in d.rules.iter_mut() {
                if r.known && r.id == f.rule {
                    r.used = true;
                    suppressed = true;
                }
            }
        }
        if !suppressed {
            out.push(f);
        }
    }
    for d in &directives {
        report(text, d, &mut out);
    }
    out.sort_by_key(|f| (f.range.start, f.range.end, f.rule));
    out
}

fn report(text: &str, d: &Directive, out: &mut Vec<Finding>) {
    let kind = if d.file_level {
        "rlscope-ignore-file"
    } else {
        "rlscope-ignore"
    };
    if d.rules.is_empty() {
        out.push(Finding::new(
            INVALID_SUPPRESSION.id,
            INVALID_SUPPRESSION.default_severity,
            d.comment,
            format!("`{kind}` needs a rule id and a reason: `{kind} RULE: reason`"),
        ));
        return;
    }
    let mut invalid = false;
    for r in d.rules.iter().filter(|r| !r.known) {
        invalid = true;
        out.push(Finding::new(
            INVALID_SUPPRESSION.id,
            INVALID_SUPPRESSION.default_severity,
            r.range,
            format!(
                "unknown rule `{}` in `{kind}`: it suppresses nothing (see `rlscope rules`)",
                sanitize(&r.id)
            ),
        ));
    }
    if !d.has_reason {
        let ids: Vec<&str> = d.rules.iter().map(|r| r.id.as_str()).collect();
        out.push(Finding::new(
            INVALID_SUPPRESSION.id,
            INVALID_SUPPRESSION.default_severity,
            d.comment,
            format!(
                "`{kind} {}` needs a reason after a colon: `{kind} {}: why this is intended`",
                sanitize(&ids.join(", ")),
                sanitize(&ids.join(", "))
            ),
        ));
        return;
    }
    if invalid {
        return;
    }
    let unused: Vec<&RuleRef> = d.rules.iter().filter(|r| !r.used).collect();
    if unused.is_empty() {
        return;
    }
    if unused.len() == d.rules.len() {
        let ids: Vec<&str> = unused.iter().map(|r| r.id.as_str()).collect();
        let what = if d.file_level { "this file" } else { "here" };
        out.push(
            Finding::new(
                UNUSED_SUPPRESSION.id,
                UNUSED_SUPPRESSION.default_severity,
                d.comment,
                format!(
                    "`{kind} {}` suppresses nothing: no such finding {what}",
                    ids.join(", ")
                ),
            )
            .with_fix(Fix {
                title: "Remove the unused suppression".into(),
                applicability: Applicability::Safe,
                edits: vec![Edit {
                    range: d.removal,
                    replacement: String::new(),
                }],
            }),
        );
        return;
    }
    for (i, r) in d.rules.iter().enumerate() {
        if r.used {
            continue;
        }
        // remove the id with the separator after it, or before it for the last id
        let bytes = text.as_bytes();
        let range = if i + 1 < d.rules.len() {
            TextRange::new(r.range.start, d.rules[i + 1].range.start)
        } else {
            let mut s = r.range.start as usize;
            while s > 0 && matches!(bytes[s - 1], b' ' | b'\t') {
                s -= 1;
            }
            if s > 0 && bytes[s - 1] == b',' {
                s -= 1;
            }
            TextRange::new(s as u32, r.range.end)
        };
        out.push(
            Finding::new(
                UNUSED_SUPPRESSION.id,
                UNUSED_SUPPRESSION.default_severity,
                r.range,
                format!("`{kind} {}` suppresses nothing: no such finding here", r.id),
            )
            .with_fix(Fix {
                title: format!("Remove `{}` from the suppression", r.id),
                applicability: Applicability::Safe,
                edits: vec![Edit {
                    range,
                    replacement: String::new(),
                }],
            }),
        );
    }
}

/// A rule id as written by the user, made safe to show (bounded, no control characters).
fn sanitize(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(80).collect()
}

fn parse_directives(
    text: &str,
    index: &LineIndex,
    style: CommentStyle,
    is_known_rule: &dyn Fn(&str) -> bool,
) -> Vec<Directive> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(rel) = text[from..].find(MARKER) {
        let at = from + rel;
        from = at + MARKER.len();
        let line = index.line_of(at as u32);
        let line_range = index.line_range(text, line);
        let line_start = line_range.start as usize;
        let line_end = line_range.end as usize;
        let Some((opener, block)) = comment_opener(&text[line_start..at], style) else {
            continue;
        };
        let opener = line_start + opener;
        // the marker must be followed by `-file`, whitespace, `:` or the end: `rlscope-ignored` is not ours
        let mut p = at + MARKER.len();
        let file_level = text[p..line_end].starts_with("-file");
        if file_level {
            p += "-file".len();
        }
        if let Some(c) = text[p..line_end].chars().next() {
            if !(c.is_whitespace() || c == ':' || (block && text[p..].starts_with(style.closer())))
            {
                continue;
            }
        }
        // the comment's body ends at `*/` (block) or the line end
        let (body_end, comment_end) = if block {
            match text[p..line_end].find(style.closer()) {
                Some(e) => (p + e, p + e + style.closer().len()),
                None => (line_end, line_end),
            }
        } else {
            (line_end, line_end)
        };
        let body = &text[p..body_end];
        let (list, reason) = match body.find(':') {
            Some(c) => (&body[..c], Some(body[c + 1..].trim())),
            None => (body, None),
        };
        let mut rules = Vec::new();
        let mut offset = p;
        for part in list.split(',') {
            let trimmed = part.trim();
            if !trimmed.is_empty() {
                let s = offset + (part.len() - part.trim_start().len());
                rules.push(RuleRef {
                    id: trimmed.to_string(),
                    range: TextRange::from_usize(s, s + trimmed.len()),
                    known: is_known_rule(trimmed),
                    used: false,
                });
            }
            offset += part.len() + 1;
        }
        let has_reason = reason.is_some_and(|r| !r.is_empty());

        // `{/* … */}` in JSX stands alone on its line as much as `// …` does
        let before = text[line_start..opener].trim();
        let after = text[comment_end..line_end].trim();
        let jsx = style == CommentStyle::Js && block && before == "{" && after == "}";
        let code_before = !before.is_empty() && !jsx;
        let code_after = !after.is_empty() && !jsx;
        let alone = !code_before && !code_after;
        let removal = if alone {
            let next = index.line_start(line + 1) as usize;
            TextRange::from_usize(line_start, next.max(line_end))
        } else {
            // also remove the blanks before the comment
            let mut s = opener;
            while s > line_start && matches!(text.as_bytes()[s - 1], b' ' | b'\t') {
                s -= 1;
            }
            TextRange::from_usize(s, comment_end)
        };
        let mut lines = vec![line];
        if !code_before && !file_level {
            if let Some(target) = next_code_line(text, index, line, style) {
                lines.push(target);
            }
        }
        out.push(Directive {
            comment: TextRange::from_usize(opener, comment_end),
            removal,
            file_level,
            lines,
            rules,
            has_reason,
        });
        from = from.max(comment_end);
    }
    out
}

/// Where the comment holding the marker opens, if the text between the opener and the marker is blank and the
/// opener is not inside a string: (offset in `prefix`, is a block comment).
fn comment_opener(prefix: &str, style: CommentStyle) -> Option<(usize, bool)> {
    let trimmed = prefix.trim_end();
    let (pos, block) = match (style.line_opener(), style.block()) {
        (Some(line), _) if trimmed.ends_with(line) => (trimmed.len() - line.len(), false),
        (_, Some((open, _))) if trimmed.ends_with(open) => (trimmed.len() - open.len(), true),
        _ => return None,
    };
    // `key: a#b` in YAML is not a comment: `#` opens one only at the start of a line or after a blank
    if style == CommentStyle::Hash
        && prefix[..pos]
            .chars()
            .next_back()
            .is_some_and(|c| !c.is_whitespace())
    {
        return None;
    }
    if in_string(&prefix[..pos], style) {
        return None;
    }
    Some((pos, block))
}

/// Whether the end of `s` (one line's prefix) lies inside a string literal opened on that line.
fn in_string(s: &str, style: CommentStyle) -> bool {
    // Markdown prose has apostrophes, not strings
    if style == CommentStyle::Html {
        return false;
    }
    let mut quote: Option<char> = None;
    let mut prev: Option<char> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                if c == '\\'
                    && (style == CommentStyle::Js || (style == CommentStyle::Hash && q == '"'))
                {
                    chars.next();
                } else if c == q {
                    quote = None;
                }
            }
            // TOML/YAML: a quote opens a string only where a value or key starts (`it's` is plain text)
            None if style == CommentStyle::Hash
                && prev.is_some_and(|p| !p.is_whitespace() && !":=[{,-".contains(p)) => {}
            None => match c {
                '\'' | '"' => quote = Some(c),
                '`' if style == CommentStyle::Js => quote = Some(c),
                _ => {}
            },
        }
        prev = Some(c);
    }
    quote.is_some()
}

/// The first line after `line` that is neither blank nor another suppression comment on its own.
fn next_code_line(text: &str, index: &LineIndex, line: u32, style: CommentStyle) -> Option<u32> {
    let mut l = line + 1;
    while l < index.line_count() {
        let content = text[index.line_range(text, l).as_usize()].trim();
        let is_suppression = (style.line_opener().is_some_and(|o| content.starts_with(o))
            || style.block().is_some_and(|(o, _)| content.starts_with(o))
            || (style == CommentStyle::Js && content.starts_with("{/*")))
            && content.contains(MARKER);
        if !content.is_empty() && !is_suppression {
            return Some(l);
        }
        l += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::line_index::PositionEncoding;

    /// 1-based `line:col` (characters) of an offset.
    fn line_col(text: &str, index: &LineIndex, offset: u32) -> (u32, u32) {
        let lc = index.line_col(text, offset, PositionEncoding::Utf32);
        (lc.line + 1, lc.col + 1)
    }

    fn known(id: &str) -> bool {
        matches!(
            id,
            "hardcoded-service-key" | "session-method-on-service-client" | "service-role-policy"
        )
    }

    /// A finding of `rule` on the first occurrence of `needle`.
    fn at(text: &str, needle: &str, rule: &'static str) -> Finding {
        let s = text.find(needle).expect(needle);
        Finding::new(
            rule,
            Severity::Error,
            TextRange::from_usize(s, s + needle.len()),
            "m",
        )
    }

    fn run(text: &str, style: CommentStyle, findings: Vec<Finding>) -> Vec<(String, String)> {
        let index = LineIndex::new(text);
        apply(text, style, findings, &known)
            .into_iter()
            .map(|f| {
                let (l, c) = line_col(text, &index, f.range.start);
                (format!("{}@{l}:{c}", f.rule), f.message)
            })
            .collect()
    }

    fn rules_of(v: &[(String, String)]) -> Vec<&str> {
        v.iter().map(|(r, _)| r.as_str()).collect()
    }

    #[test]
    fn line_before_and_same_line_suppress() {
        let text = "// rlscope-ignore hardcoded-service-key: test fixture\nconst a = KEY1\nconst b = KEY2 // rlscope-ignore hardcoded-service-key: fixture too\nconst c = KEY3\n";
        let f = vec![
            at(text, "KEY1", "hardcoded-service-key"),
            at(text, "KEY2", "hardcoded-service-key"),
            at(text, "KEY3", "hardcoded-service-key"),
        ];
        let out = run(text, CommentStyle::Js, f);
        assert_eq!(rules_of(&out), ["hardcoded-service-key@4:11"]);
    }

    #[test]
    fn other_rule_is_not_suppressed_and_comment_is_unused() {
        let text = "// rlscope-ignore hardcoded-service-key: why\nawait admin.auth.signUp(x)\n";
        let out = run(
            text,
            CommentStyle::Js,
            vec![at(
                text,
                "admin.auth.signUp",
                "session-method-on-service-client",
            )],
        );
        assert_eq!(
            rules_of(&out),
            [
                "unused-suppression@1:1",
                "session-method-on-service-client@2:7"
            ]
        );
    }

    #[test]
    fn skips_blank_lines_and_stacked_suppressions() {
        let text = "  // rlscope-ignore hardcoded-service-key: a\n\n  // rlscope-ignore session-method-on-service-client: b\n  f(KEY, admin.auth.signUp())\n";
        let out = run(
            text,
            CommentStyle::Js,
            vec![
                at(text, "KEY", "hardcoded-service-key"),
                at(
                    text,
                    "admin.auth.signUp",
                    "session-method-on-service-client",
                ),
            ],
        );
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn multi_line_finding_is_covered_by_any_of_its_lines() {
        let text =
            "createServerClient(\n  url,\n  KEY, // rlscope-ignore hardcoded-service-key: r\n)\n";
        let s = text.find("createServerClient").unwrap();
        let f = Finding::new(
            "hardcoded-service-key",
            Severity::Error,
            TextRange::from_usize(s, text.len() - 1),
            "m",
        );
        assert!(run(text, CommentStyle::Js, vec![f]).is_empty());
    }

    #[test]
    fn several_rules_and_block_comment_and_jsx() {
        let text = "{/* rlscope-ignore hardcoded-service-key, session-method-on-service-client: demo */}\n<X k={KEY} s={admin.auth.signUp} />\n";
        let out = run(
            text,
            CommentStyle::Js,
            vec![
                at(text, "KEY", "hardcoded-service-key"),
                at(
                    text,
                    "admin.auth.signUp",
                    "session-method-on-service-client",
                ),
            ],
        );
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn file_level_suppression() {
        let text = "/* rlscope-ignore-file hardcoded-service-key: generated fixtures */\n\nconst a = KEY1\n\n\nconst b = KEY2\nadmin.auth.signUp()\n";
        let out = run(
            text,
            CommentStyle::Js,
            vec![
                at(text, "KEY1", "hardcoded-service-key"),
                at(text, "KEY2", "hardcoded-service-key"),
                at(
                    text,
                    "admin.auth.signUp",
                    "session-method-on-service-client",
                ),
            ],
        );
        assert_eq!(rules_of(&out), ["session-method-on-service-client@7:1"]);
        // unused file-level
        let out = run(text, CommentStyle::Js, vec![]);
        assert_eq!(rules_of(&out), ["unused-suppression@1:1"]);
        assert!(out[0].1.contains("this file"), "{}", out[0].1);
    }

    #[test]
    fn sql_comments() {
        let text = "-- rlscope-ignore service-role-policy: kept for the audit trail\ncreate policy p on t\n  to service_role using (true);\ncreate policy q on t to service_role using (true); -- rlscope-ignore service-role-policy\n";
        let s1 = text.find("create policy p").unwrap();
        let f1 = Finding::new(
            "service-role-policy",
            Severity::Warning,
            TextRange::from_usize(s1, text.find("(true);").unwrap()),
            "m",
        );
        let f2 = at(text, "create policy q", "service-role-policy");
        let out = run(text, CommentStyle::Sql, vec![f1, f2]);
        // the second has no reason: still suppresses, reported as invalid
        assert_eq!(rules_of(&out), ["invalid-suppression@4:52"]);
        assert!(out[0].1.contains("needs a reason"), "{}", out[0].1);
        // `//` is not a comment in SQL
        let text = "// rlscope-ignore service-role-policy: x\ncreate policy\n";
        let out = run(
            text,
            CommentStyle::Sql,
            vec![at(text, "create policy", "service-role-policy")],
        );
        assert_eq!(rules_of(&out), ["service-role-policy@2:1"]);
    }

    #[test]
    fn hash_comments_in_toml_yaml_and_env_files() {
        let k = "hardcoded-service-key";
        // on the line before (TOML, YAML, .env) and after the value
        for text in [
            "[auth]\n# rlscope-ignore hardcoded-service-key: the local stack's demo key\nservice_key = \"KEY\"\n",
            "env:\n  # rlscope-ignore hardcoded-service-key: rotated, kept for the migration docs\n  SERVICE_KEY: KEY\n",
            "SERVICE_KEY: KEY # rlscope-ignore hardcoded-service-key: rotated\n",
            "service_key = \"KEY\" # rlscope-ignore hardcoded-service-key: rotated, it's dead\n",
            "description: it's the old KEY # rlscope-ignore hardcoded-service-key: rotated\n",
        ] {
            let out = run(text, CommentStyle::Hash, vec![at(text, "KEY", k)]);
            assert!(out.is_empty(), "{text}: {out:?}");
        }
        // not comments: `#` inside a string, `#` glued to a word (YAML), `//` and `--`
        for text in [
            "url = \"http://x/ # rlscope-ignore hardcoded-service-key: r\"\nservice_key = \"KEY\"\n",
            "tag: a# rlscope-ignore hardcoded-service-key: r\nkey: KEY\n",
            "// rlscope-ignore hardcoded-service-key: r\nkey: KEY\n",
            "-- rlscope-ignore hardcoded-service-key: r\nkey: KEY\n",
        ] {
            let out = run(text, CommentStyle::Hash, vec![at(text, "KEY", k)]);
            assert_eq!(out.len(), 1, "{text}: {out:?}");
            assert!(out[0].0.starts_with("hardcoded-service-key@2:"), "{text}: {out:?}");
        }
        // a `#` comment that covers nothing is unused, and its fix removes the line
        let text = "a = 1\n# rlscope-ignore hardcoded-service-key: r\nb = 2\n";
        let out = apply(text, CommentStyle::Hash, vec![], &known);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].rule, UNUSED_SUPPRESSION.id);
        assert_eq!(apply_fixes(text, &out), "a = 1\nb = 2\n");
    }

    #[test]
    fn html_comments_in_markdown() {
        let k = "hardcoded-service-key";
        let text = "Don't copy this:\n\n<!-- rlscope-ignore hardcoded-service-key: a revoked key, shown as an example -->\n```\nKEY\n```\n";
        // the comment covers the next line that is not blank: the fence; a finding on the key needs the
        // comment inside the fence's line range or on the key's own line
        let out = run(text, CommentStyle::Html, vec![at(text, "KEY", k)]);
        assert_eq!(
            rules_of(&out),
            ["unused-suppression@3:1", "hardcoded-service-key@5:1"]
        );
        let text = "The old key was KEY <!-- rlscope-ignore hardcoded-service-key: revoked -->, don't reuse it.\n";
        assert!(run(text, CommentStyle::Html, vec![at(text, "KEY", k)]).is_empty());
        let text = "<!-- rlscope-ignore-file hardcoded-service-key: revoked keys, for the incident report -->\n\nKEY\n";
        assert!(run(text, CommentStyle::Html, vec![at(text, "KEY", k)]).is_empty());
        // `#`, `//` and `/* */` are not comments in Markdown
        for text in [
            "# rlscope-ignore hardcoded-service-key: r\nKEY\n",
            "/* rlscope-ignore hardcoded-service-key: r */\nKEY\n",
        ] {
            let out = run(text, CommentStyle::Html, vec![at(text, "KEY", k)]);
            assert_eq!(rules_of(&out), ["hardcoded-service-key@2:1"], "{text}");
        }
    }

    #[test]
    fn invalid_suppressions() {
        // unknown rule: reported on the id, suppresses nothing
        let text = "// rlscope-ignore hardcoded-service-kye: typo\nconst a = KEY\n";
        let out = run(
            text,
            CommentStyle::Js,
            vec![at(text, "KEY", "hardcoded-service-key")],
        );
        assert_eq!(
            rules_of(&out),
            ["invalid-suppression@1:19", "hardcoded-service-key@2:11"]
        );
        assert!(out[0].1.contains("unknown rule `hardcoded-service-kye`"));
        // no rule at all
        let out = run("// rlscope-ignore\nx\n", CommentStyle::Js, vec![]);
        assert_eq!(rules_of(&out), ["invalid-suppression@1:1"]);
        // empty reason, unused: invalid only (not also unused)
        let out = run(
            "// rlscope-ignore hardcoded-service-key:   \nx\n",
            CommentStyle::Js,
            vec![],
        );
        assert_eq!(rules_of(&out), ["invalid-suppression@1:1"]);
        // a known and an unknown id: the known one still works
        let text = "// rlscope-ignore hardcoded-service-key, nope: r\nconst a = KEY\n";
        let out = run(
            text,
            CommentStyle::Js,
            vec![at(text, "KEY", "hardcoded-service-key")],
        );
        assert_eq!(rules_of(&out), ["invalid-suppression@1:42"]);
    }

    #[test]
    fn not_a_comment() {
        for text in [
            "const s = '// rlscope-ignore hardcoded-service-key: r'\nconst a = KEY\n",
            "const s = \"x\" + `// rlscope-ignore hardcoded-service-key: r`\nconst a = KEY\n",
            "// rlscope-ignored hardcoded-service-key: r\nconst a = KEY\n",
            "// see rlscope-ignore hardcoded-service-key: r\nconst a = KEY\n",
        ] {
            let out = run(
                text,
                CommentStyle::Js,
                vec![at(text, "KEY", "hardcoded-service-key")],
            );
            assert_eq!(rules_of(&out), ["hardcoded-service-key@2:11"], "{text}");
        }
    }

    #[test]
    fn no_marker_returns_findings_untouched() {
        let text = "const a = KEY\n";
        let f = vec![at(text, "KEY", "hardcoded-service-key")];
        assert_eq!(apply(text, CommentStyle::Js, f.clone(), &known), f);
    }

    fn apply_fixes(text: &str, findings: &[Finding]) -> String {
        Edit::apply_all(
            text,
            findings
                .iter()
                .flat_map(|f| &f.fixes)
                .flat_map(|x| &x.edits),
        )
    }

    #[test]
    fn unused_fix_removes_line_or_trailing_comment_or_id() {
        let text = "a()\n  // rlscope-ignore hardcoded-service-key: r\nb()\n";
        let out = apply(text, CommentStyle::Js, vec![], &known);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].fixes[0].applicability, Applicability::Safe);
        assert_eq!(apply_fixes(text, &out), "a()\nb()\n");

        let text = "b()  // rlscope-ignore hardcoded-service-key: r\r\nc()";
        let out = apply(text, CommentStyle::Js, vec![], &known);
        assert_eq!(apply_fixes(text, &out), "b()\r\nc()");

        let text = "b() /* rlscope-ignore hardcoded-service-key: r */ + c()\n";
        let out = apply(text, CommentStyle::Js, vec![], &known);
        assert_eq!(apply_fixes(text, &out), "b() + c()\n");

        // one of two ids unused: only that id goes
        let text = "// rlscope-ignore hardcoded-service-key, session-method-on-service-client: r\nf(KEY)\n";
        let out = apply(
            text,
            CommentStyle::Js,
            vec![at(text, "KEY", "hardcoded-service-key")],
            &known,
        );
        assert_eq!(out.len(), 1);
        assert_eq!(
            apply_fixes(text, &out),
            "// rlscope-ignore hardcoded-service-key: r\nf(KEY)\n"
        );
        let text = "// rlscope-ignore session-method-on-service-client, hardcoded-service-key: r\nf(KEY)\n";
        let out = apply(
            text,
            CommentStyle::Js,
            vec![at(text, "KEY", "hardcoded-service-key")],
            &known,
        );
        assert_eq!(
            apply_fixes(text, &out),
            "// rlscope-ignore hardcoded-service-key: r\nf(KEY)\n"
        );
    }

    #[test]
    fn multibyte_text_and_last_line_without_newline() {
        let text = "const é = '中'; // rlscope-ignore hardcoded-service-key: 😀 reason\nconst a = KEY // rlscope-ignore hardcoded-service-key: r";
        let out = run(
            text,
            CommentStyle::Js,
            vec![at(text, "KEY", "hardcoded-service-key")],
        );
        assert_eq!(rules_of(&out), ["unused-suppression@1:16"]);
    }
}
