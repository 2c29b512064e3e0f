//! The project's schema: every SQL file replayed into `rlscope_sql::schema::SchemaModel`, one model per
//! `supabase/` directory (a SQL file outside `supabase/migrations` and `supabase/schemas` is a project of its
//! own), and the advisors' findings on it, by file.
//!
//! Built lazily on the first check after a SQL file changed; the statement lists of unchanged files are
//! reused (`ModelCache`), so a migration edit re-reads one file and replays the rest. Also answers hover on
//! a table name in SQL (its final state) and go-to-definition from a table name to its `CREATE TABLE`.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use rlscope_core::{Finding, TextRange};
use rlscope_sql::schema::{self, ModelCache, PolicyCommand, SchemaModel, SqlSource, SrcLoc, Tri};

use crate::db::Db;
use crate::ide::Hover;
use crate::lang::Lang;

pub(crate) struct Project {
    pub model: SchemaModel,
}

#[derive(Default)]
pub(crate) struct Projects {
    projects: Vec<Project>,
    by_file: HashMap<PathBuf, usize>,
    findings: HashMap<PathBuf, Vec<Finding>>,
}

/// The lazily built projects and the statement cache they are built from.
#[derive(Default)]
pub(crate) struct SchemaIndex {
    cache: Mutex<ModelCache>,
    built: OnceLock<Arc<Projects>>,
}

/// Which project a SQL file belongs to: its `supabase/` directory, or the file itself.
fn project_key(path: &Path) -> PathBuf {
    schema::project_root(path).map_or_else(|| path.to_path_buf(), Path::to_path_buf)
}

impl SchemaIndex {
    pub fn invalidate(&mut self) {
        self.built = OnceLock::new();
    }

    /// The SQL files of the project `path` belongs to (their findings change with it).
    pub fn project_files(db: &Db, path: &Path) -> Vec<PathBuf> {
        let key = project_key(path);
        db.files()
            .into_iter()
            .filter(|p| Lang::of(p) == Some(Lang::Sql) && project_key(p) == key)
            .collect()
    }

    pub fn get(&self, db: &Db) -> Arc<Projects> {
        self.built
            .get_or_init(|| {
                let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
                Arc::new(build(db, &mut cache))
            })
            .clone()
    }
}

fn build(db: &Db, cache: &mut ModelCache) -> Projects {
    let mut groups: HashMap<PathBuf, Vec<PathBuf>> = HashMap::new();
    for p in db.files() {
        if Lang::of(&p) == Some(Lang::Sql) {
            groups.entry(project_key(&p)).or_default().push(p);
        }
    }
    let mut keys: Vec<PathBuf> = groups.keys().cloned().collect();
    keys.sort();
    let mut out = Projects::default();
    let mut all_sources = Vec::new();
    for key in keys {
        let ordered = schema::project_order(&groups[&key]);
        let sources: Vec<SqlSource> = ordered
            .iter()
            .filter_map(|p| {
                Some(SqlSource {
                    path: p.clone(),
                    text: db.data(p)?.text.clone(),
                })
            })
            .collect();
        let model = cache.build_more(&sources);
        for pf in rlscope_sql::advisors::check(&model, &sources) {
            out.findings
                .entry(pf.path.to_path_buf())
                .or_default()
                .push(pf.finding);
        }
        let i = out.projects.len();
        for s in &sources {
            out.by_file.insert(s.path.clone(), i);
        }
        out.projects.push(Project { model });
        all_sources.extend(sources);
    }
    cache.retain_texts(all_sources.iter().map(|s| &*s.text));
    out
}

impl Projects {
    pub fn findings(&self, path: &Path) -> Vec<Finding> {
        self.findings.get(path).cloned().unwrap_or_default()
    }

    fn model_of(&self, path: &Path) -> Option<&SchemaModel> {
        self.by_file.get(path).map(|&i| &self.projects[i].model)
    }

    /// The table named at `offset` of SQL file `path` (`schema.name` or `name`, quoted or not).
    fn table_at<'m>(
        &'m self,
        path: &Path,
        text: &str,
        offset: u32,
    ) -> Option<(&'m schema::Table, TextRange)> {
        let model = self.model_of(path)?;
        let (schema_name, name, range) = qualified_name_at(text, offset as usize)?;
        let schema_name = schema_name.unwrap_or_else(|| "public".to_string());
        let t = model.table(&schema_name, &name)?;
        Some((t, TextRange::from_usize(range.start, range.end)))
    }

    pub fn hover(&self, path: &Path, text: &str, offset: u32, root: &Path) -> Option<Hover> {
        let (t, range) = self.table_at(path, text, offset)?;
        Some(Hover {
            range,
            markdown: table_markdown(t, root),
        })
    }

    pub fn definition(&self, path: &Path, text: &str, offset: u32) -> Option<(PathBuf, TextRange)> {
        let (t, _) = self.table_at(path, text, offset)?;
        let at = t.name_at.as_ref()?;
        Some((at.path.to_path_buf(), at.range))
    }
}

/// The (possibly schema-qualified) identifier under `offset`: `(schema, name, range of the whole name)`.
fn qualified_name_at(
    text: &str,
    offset: usize,
) -> Option<(Option<String>, String, std::ops::Range<usize>)> {
    use rlscope_sql::lexer::{tokenize, TokenKind};
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
