//! Markdown → plain text, for clients whose `hover.contentFormat` lacks `markdown` (eglot without markdown-mode
//! shows the text as it comes): emphasis and code markers go, headings and fences lose their markup, links keep
//! their target in parentheses, and code blocks are indented.

/// The text of `md` without Markdown syntax.
pub fn markdown_to_plain(md: &str) -> String {
    let mut out = String::with_capacity(md.len());
    let mut in_fence = false;
    for line in md.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            out.push_str("    ");
            out.push_str(line);
        } else if is_rule(trimmed) {
            out.push_str("────────");
        } else if let Some(heading) = heading(trimmed) {
            out.push_str(&inline(heading));
        } else if let Some(rest) = trimmed
            .strip_prefix("- ")
            .or_else(|| trimmed.strip_prefix("* "))
        {
            let indent = &line[..line.len() - trimmed.len()];
            out.push_str(indent);
            out.push_str("• ");
            out.push_str(&inline(rest));
        } else {
            out.push_str(&inline(line));
        }
        out.push('\n');
    }
    while out.ends_with('\n') {
        out.pop();
    }
    out
}

fn is_rule(line: &str) -> bool {
    let l = line.trim_end();
    l.len() >= 3
        && (l.chars().all(|c| c == '-')
            || l.chars().all(|c| c == '*')
            || l.chars().all(|c| c == '_'))
}

fn heading(line: &str) -> Option<&str> {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    if (1..=6).contains(&hashes) && line[hashes..].starts_with(' ') {
        Some(line[hashes..].trim())
    } else {
        None
    }
}

/// One line's inline markup: `code`, **strong**, *emphasis*, [text](url), <url>, and backslash escapes.
fn inline(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if i + 1 < chars.len() && chars[i + 1].is_ascii_punctuation() => {
                out.push(chars[i + 1]);
                i += 2;
            }
            '`' => {
                // a code span: its text verbatim, without the backticks
                let ticks = chars[i..].iter().take_while(|&&c| c == '`').count();
                let close = (i + ticks..chars.len()).find(|&j| {
                    chars[j..].iter().take_while(|&&c| c == '`').count() == ticks
                        && (j == 0 || chars[j - 1] != '`')
                });
                match close {
                    Some(j) => {
                        let inner: String = chars[i + ticks..j].iter().collect();
                        let inner = if ticks > 1 {
                            inner.trim()
                        } else {
                            inner.as_str()
                        };
                        out.push_str(inner);
                        i = j + ticks;
                    }
                    None => {
                        out.extend(&chars[i..i + ticks]);
                        i += ticks;
                    }
                }
            }
            '*' => {
                // emphasis markers go; a lone `*` between spaces (a product, a glob) stays
                let run = chars[i..].iter().take_while(|&&c| c == '*').count();
                let before = i.checked_sub(1).map(|j| chars[j]);
                let after = chars.get(i + run).copied();
                let flanked = |c: Option<char>| c.is_some_and(|c| !c.is_whitespace());
                if flanked(before) || flanked(after) {
                    i += run;
                } else {
                    out.extend(&chars[i..i + run]);
                    i += run;
                }
            }
            '[' => {
                // [text](url): "text (url)"; [text] alone stays
                let close = chars[i + 1..]
                    .iter()
                    .position(|&c| c == ']')
                    .map(|p| i + 1 + p);
                let link = close.and_then(|j| {
                    if chars.get(j + 1) != Some(&'(') {
                        return None;
                    }
                    let end = chars[j + 2..].iter().position(|&c| c == ')')? + j + 2;
                    Some((j, end))
                });
                match link {
                    Some((j, end)) => {
                        let text: String = chars[i + 1..j].iter().collect();
                        let url: String = chars[j + 2..end].iter().collect();
                        let text = inline(&text);
                        if text == url || url.is_empty() {
                            out.push_str(&text);
                        } else {
                            out.push_str(&format!("{text} ({url})"));
                        }
                        i = end + 1;
                    }
                    None => {
                        out.push('[');
                        i += 1;
                    }
                }
            }
            '<' => {
                // an autolink <https://…>
                let end = chars[i + 1..]
                    .iter()
                    .position(|&c| c == '>')
                    .map(|p| i + 1 + p);
                let inner: Option<String> = end.map(|e| chars[i + 1..e].iter().collect());
                match (end, inner) {
                    (Some(e), Some(s)) if s.starts_with("http://") || s.starts_with("https://") => {
                        out.push_str(&s);
                        i = e + 1;
                    }
                    _ => {
                        out.push('<');
                        i += 1;
                    }
                }
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::markdown_to_plain as plain;

    #[test]
    fn role_hover() {
        assert_eq!(
            plain("**rlscope** — runs as **service_role** (`createClient` client built at `lib/admin.ts:6` with `SUPABASE_SERVICE_ROLE_KEY`)"),
            "rlscope — runs as service_role (createClient client built at lib/admin.ts:6 with SUPABASE_SERVICE_ROLE_KEY)"
        );
    }

    #[test]
    fn rule_docs() {
        let md = "# session-method-on-service-client\n\n## What it does\n\nReports `auth.signUp`.\n\n\
                  ```ts\nconst a = b * c\n```\n\n---\n\n- <https://supabase.com/docs>\n- see [the docs](https://x.dev/r)\n";
        assert_eq!(
            plain(md),
            "session-method-on-service-client\n\nWhat it does\n\nReports auth.signUp.\n\n    const a = b * c\n\n\
             ────────\n\n• https://supabase.com/docs\n• see the docs (https://x.dev/r)"
        );
    }

    #[test]
    fn what_is_not_markup_stays() {
        assert_eq!(
            plain("a * b, snake_case_name, [x] and <T>"),
            "a * b, snake_case_name, [x] and <T>"
        );
        assert_eq!(plain("\\*literal\\* and `` a`b ``"), "*literal* and a`b");
        assert_eq!(
            plain("unclosed `tick and [bracket"),
            "unclosed `tick and [bracket"
        );
        assert_eq!(plain("*emphasis* and __init__"), "emphasis and __init__");
    }
}
