//! Hover and go-to-definition on a table name in SQL, answered from the project's schema model
//! (`projects::Projects`): the table's final state after every migration, and its `CREATE TABLE`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rlscope_core::TextRange;
use rlscope_sql::schema::{self, PolicyCommand, SrcLoc, Tri};

use crate::ide::Hover;
use crate::projects::Projects;

/// The table named at `offset` of SQL file `path` (`schema.name` or `name`, quoted or not).
fn table_at<'m>(
    projects: &'m Projects,
    path: &Path,
    text: &str,
    offset: u32,
) -> Option<(&'m schema::Table, TextRange)> {
    let model = &projects.of_sql_file(path)?.model;
    let (schema_name, name, range) = qualified_name_at(text, offset as usize)?;
    let schema_name = schema_name.unwrap_or_else(|| "public".to_string());
    let t = model.table(&schema_name, &name)?;
    Some((t, TextRange::from_usize(range.start, range.end)))
}

pub(crate) fn hover(
    projects: &Projects,
    path: &Path,
    text: &str,
    offset: u32,
    root: &Path,
) -> Option<Hover> {
    let (t, range) = table_at(projects, path, text, offset)?;
    Some(Hover {
        range,
        markdown: table_markdown(t, root),
    })
}

pub(crate) fn definition(
    projects: &Projects,
    path: &Path,
    text: &str,
    offset: u32,
) -> Option<(PathBuf, TextRange)> {
    let (t, _) = table_at(projects, path, text, offset)?;
    let at = t.name_at.as_ref()?;
    Some((at.path.to_path_buf(), at.range))
}

/// The (possibly schema-qualified) identifier under `offset`: `(schema, name, range of the whole name)`.
fn qualified_name_at(
    text: &str,
    offset: usize,
) -> Option<(Option<String>, String, std::ops::Range<usize>)> {
    use rlscope_sql::lexer::{tokenize, TokenKind};
    // An offset inside a multi-byte character counts as that character's start.
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    // Tokenize the line around the offset only: cheap and enough for a name.
    let start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |p| p + 1);
    let end = text[offset.min(text.len())..]
        .find('\n')
        .map_or(text.len(), |p| offset + p);
    let line = &text[start..end];
    let toks = tokenize(line);
    let rel = offset - start;
    let i = toks.iter().position(|t| {
        t.start <= rel && rel <= t.end && matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent)
    })?;
    let ident = |k: usize| {
        toks.get(k)
            .and_then(|t| rlscope_sql::schema::stmt::ident_value(line, *t))
    };
    let dot = |k: usize| toks.get(k).is_some_and(|t| t.is_punct(line, '.'));
    // `schema . name` with the cursor on either part.
    let (first, last) = if i >= 2 && dot(i - 1) && ident(i - 2).is_some() {
        (i - 2, i)
    } else if dot(i + 1) && ident(i + 2).is_some() {
        (i, i + 2)
    } else {
        (i, i)
    };
    let name = ident(last)?;
    let schema = (first != last).then(|| ident(first)).flatten();
    Some((
        schema,
        name,
        start + toks[first].start..start + toks[last].end,
    ))
}

fn rel(root: &Path, loc: &SrcLoc) -> String {
    let p = loc.path.strip_prefix(root).unwrap_or(&loc.path);
    p.display().to_string()
}

fn tri(t: Tri) -> &'static str {
    match t {
        Tri::Yes => "on",
        Tri::No => "**off**",
        Tri::Unknown => "unknown",
    }
}

/// A table's final state, as markdown: RLS, policies by command and role, where each is defined.
fn table_markdown(t: &schema::Table, root: &Path) -> String {
    let mut s = format!("**table `{}.{}`**", t.schema, t.name);
    if t.unknown {
        let _ = write!(
            s,
            " — state unknown: {}",
            t.unknown_why
                .as_deref()
                .unwrap_or("SQL that could not be read")
        );
    }
    let _ = write!(s, "\n\nRow level security: {}", tri(t.rls));
    if t.forced == Tri::Yes {
        s.push_str(" (forced)");
    }
    if let Some(at) = &t.defined_at {
        let _ = write!(s, " · created in `{}`", rel(root, at));
    }
    if t.managed {
        s.push_str(" · created by Supabase");
    }
    let grants: Vec<String> = ["anon", "authenticated"]
        .iter()
        .map(|r| {
            let p = t.grants.effective(r);
            format!(
                "{r}: {}",
                if p.0 == 0 {
                    "no privileges".to_string()
                } else {
                    p.acl_letters()
                }
            )
        })
        .collect();
    let _ = write!(s, "\n\nGrants: {}", grants.join(", "));
    if t.policies.is_empty() {
        s.push_str("\n\nNo policies");
        if t.rls == Tri::Yes {
            s.push_str(": anon and authenticated are denied everything");
        }
        s.push('.');
        return s;
    }
    s.push_str("\n\nPolicies:");
    for cmd in [
        PolicyCommand::Select,
        PolicyCommand::Insert,
        PolicyCommand::Update,
        PolicyCommand::Delete,
    ] {
        let ps: Vec<_> = t
            .policies
            .iter()
            .filter(|p| p.command.covers(cmd))
            .collect();
        if ps.is_empty() {
            let _ = write!(s, "\n- {}: none", cmd.as_str());
            continue;
        }
        let _ = write!(s, "\n- {}:", cmd.as_str());
        for p in ps {
            let _ = write!(
                s,
                " \"{}\" ({}{}, to {}, `{}`)",
                p.name,
                if p.permissive {
                    "permissive"
                } else {
                    "restrictive"
                },
                if p.command == PolicyCommand::All {
                    ", FOR ALL"
                } else {
                    ""
                },
                p.roles.join(", "),
                rel(root, &p.at)
            );
        }
    }
    s
}
