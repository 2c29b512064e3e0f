//! Hover and go-to-definition on a table name in SQL, answered from the project's schema model
//! (`projects::Projects`): the table's final state after every migration, and its `CREATE TABLE`. Between the
//! code and the SQL: go to definition from a request's table string or `rpc` name to its `CREATE TABLE` /
//! `CREATE FUNCTION`, and the references of a table or function named in SQL: the requests that touch it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rlscope_core::TextRange;
use rlscope_sql::schema::{self, PolicyCommand, SrcLoc, Tri};

use crate::db::{FileId, Snapshot};
use crate::ide::Hover;
use crate::projects::Projects;
use crate::requests::RequestKind;

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

/// Where a name in a SQL model is written: its name in the `CREATE`, else the whole statement.
fn name_loc(name_at: &Option<SrcLoc>, defined_at: &Option<SrcLoc>) -> Option<(PathBuf, TextRange)> {
    let at = name_at.as_ref().or(defined_at.as_ref())?;
    Some((at.path.to_path_buf(), at.range))
}

/// In code: the table string of `.from('t')` opens its `CREATE TABLE` (or `CREATE VIEW`), the name of
/// `.rpc('f')` its `CREATE FUNCTION`, in the SQL of the file's Supabase project.
pub(crate) fn definition_in_code(
    snap: &Snapshot,
    file: FileId,
    offset: u32,
) -> Option<(PathBuf, TextRange)> {
    let req = crate::requests::request_at(snap, file, offset)?;
    let projects = snap.projects();
    let model = &projects.for_file(snap.path(file))?.model;
    match &req.kind {
        RequestKind::Db {
            schema,
            table,
            table_range,
            ..
        } if table_range.touches(offset) && !table.is_empty() => {
            let s = schema.as_deref().unwrap_or("public");
            match model.table(s, table) {
                Some(t) => name_loc(&t.name_at, &t.defined_at),
                None => model
                    .view(s, table)
                    .and_then(|v| name_loc(&v.name_at, &v.defined_at)),
            }
        }
        RequestKind::Rpc {
            schema,
            function,
            name_range,
        } if name_range.touches(offset) && !function.is_empty() => model
            .functions_named(schema.as_deref().unwrap_or("public"), function)
            .find_map(|f| name_loc(&f.name_at, &f.defined_at)),
        _ => None,
    }
}

/// What a SQL name can be referenced as from code.
enum Target {
    Table { schema: String, name: String },
    Function { schema: String, name: String },
}

/// The references of the table (or function) named at `offset` of SQL file `path`: every request in
/// `scripts` of the same Supabase project that touches it (the table string of `.from('t')`, the name of
/// `.rpc('f')`), and with `include_declaration` its name in the `CREATE` first.
pub(crate) fn references(
    snap: &Snapshot,
    path: &Path,
    text: &str,
    offset: u32,
    scripts: &[FileId],
    include_declaration: bool,
) -> Vec<(PathBuf, TextRange)> {
    let projects = snap.projects();
    let Some(project) = projects.of_sql_file(path).filter(|p| p.supabase) else {
        return Vec::new();
    };
    let Some((schema_name, name, _)) = qualified_name_at(text, offset as usize) else {
        return Vec::new();
    };
    let schema_name = schema_name.unwrap_or_else(|| "public".to_string());
    let model = &project.model;
    let mut out = Vec::new();
    let target = if let Some(t) = model.table(&schema_name, &name) {
        if include_declaration {
            out.extend(name_loc(&t.name_at, &t.defined_at));
        }
        Target::Table {
            schema: schema_name,
            name,
        }
    } else if model.functions_named(&schema_name, &name).next().is_some() {
        if include_declaration {
            out.extend(
                model
                    .functions_named(&schema_name, &name)
                    .filter_map(|f| name_loc(&f.name_at, &f.defined_at)),
            );
        }
        Target::Function {
            schema: schema_name,
            name,
        }
    } else {
        return Vec::new();
    };
    let wanted = match &target {
        Target::Table { name, .. } | Target::Function { name, .. } => name.as_str(),
    };
    for &file in scripts {
        // cheap first: a file that never writes the name makes no request on it
        if !snap.text(file).contains(wanted) {
            continue;
        }
        let same_project = projects
            .for_file(snap.path(file))
            .is_some_and(|p| p.root == project.root);
        if !same_project {
            continue;
        }
        let requests = crate::panic_guard::catch_panic(|| crate::requests::requests(snap, file))
            .unwrap_or_default();
        for r in requests {
            let hit = match (&target, &r.kind) {
                (
                    Target::Table { schema, name },
                    RequestKind::Db {
                        schema: s,
                        table,
                        table_range,
                        ..
                    },
                ) => (table == name && s.as_deref().unwrap_or("public") == schema)
                    .then_some(*table_range),
                (
                    Target::Function { schema, name },
                    RequestKind::Rpc {
                        schema: s,
                        function,
                        name_range,
                    },
                ) => (function == name && s.as_deref().unwrap_or("public") == schema)
                    .then_some(*name_range),
                _ => None,
            };
            if let Some(range) = hit {
                out.push((snap.path(file).to_path_buf(), range));
            }
        }
    }
    out
}
