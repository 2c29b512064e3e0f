//! The schema model: what a project's SQL leaves behind once every migration has run.
//!
//! [`build`] replays [`SqlSource`]s in the order Supabase applies them ([`project_order`]:
//! `supabase/migrations/<version>_*.sql` by version, then `supabase/schemas/*.sql`) into a [`SchemaModel`]:
//! tables (schema-qualified, renamed, dropped), row level security enabled / forced, policies, table grants
//! for the API roles, views (`security_invoker`), functions (`SECURITY DEFINER`, `search_path`, who may
//! execute them) and the policies of Supabase's own `storage.objects`.
//!
//! Each file is first read into a list of [`stmt::Stmt`] (only the statements that change this state; the
//! rest is skipped), then the lists are replayed in order ([`replay`]). What cannot be read — a relevant
//! statement that does not parse, SQL built at run time, an `ALTER` of a table the files never create — makes
//! the objects it may touch *unknown* ([`stmt::Touches`]: the one object it targets, the objects its
//! identifiers name, or any object): `unknown` is set on the table, view or function and `Tri::Unknown`
//! stands for a value that cannot be known. Nothing is guessed.
//!
//! [`ModelCache`] keeps each file's statements by a hash of its text, so rebuilding after editing one
//! migration re-reads that file only and replays the (cheap) statement lists.

pub mod incremental;
pub mod replay;
pub mod stmt;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rlscope_core::TextRange;

pub use stmt::Stmt;

/// One SQL file, in apply order.
#[derive(Clone, Debug)]
pub struct SqlSource {
    pub path: PathBuf,
    pub text: Arc<str>,
}

/// A place in one of the sources: its path and a byte range of its text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SrcLoc {
    pub path: Arc<Path>,
    pub range: TextRange,
}

/// Yes, no, or cannot be known from the files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tri {
    Yes,
    No,
    Unknown,
}

impl Tri {
    pub fn from_bool(b: bool) -> Tri {
        if b {
            Tri::Yes
        } else {
            Tri::No
        }
    }
    pub fn is_yes(self) -> bool {
        self == Tri::Yes
    }
    pub fn is_no(self) -> bool {
        self == Tri::No
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PolicyCommand {
    All,
    Select,
    Insert,
    Update,
    Delete,
}

impl PolicyCommand {
    /// As `pg_policies.cmd` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyCommand::All => "ALL",
            PolicyCommand::Select => "SELECT",
            PolicyCommand::Insert => "INSERT",
            PolicyCommand::Update => "UPDATE",
            PolicyCommand::Delete => "DELETE",
        }
    }

    /// Whether a policy for `self` applies to a request doing `cmd`.
    pub fn covers(self, cmd: PolicyCommand) -> bool {
        self == PolicyCommand::All || self == cmd
    }
}

/// Table privileges, one bit each (`arwdDxt`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Privs(pub u8);

impl Privs {
    pub const SELECT: Privs = Privs(1);
    pub const INSERT: Privs = Privs(2);
    pub const UPDATE: Privs = Privs(4);
    pub const DELETE: Privs = Privs(8);
    pub const TRUNCATE: Privs = Privs(16);
    pub const REFERENCES: Privs = Privs(32);
    pub const TRIGGER: Privs = Privs(64);
    pub const ALL: Privs = Privs(127);
    pub const NONE: Privs = Privs(0);

    pub fn contains(self, p: Privs) -> bool {
        self.0 & p.0 == p.0
    }
    pub fn union(self, p: Privs) -> Privs {
        Privs(self.0 | p.0)
    }
    pub fn minus(self, p: Privs) -> Privs {
        Privs(self.0 & !p.0)
    }
    /// From a privilege keyword (`select`, `insert`, …, `all`).
    pub fn from_keyword(kw: &str) -> Option<Privs> {
        Some(match kw {
            "select" => Privs::SELECT,
            "insert" => Privs::INSERT,
            "update" => Privs::UPDATE,
            "delete" => Privs::DELETE,
            "truncate" => Privs::TRUNCATE,
            "references" => Privs::REFERENCES,
            "trigger" => Privs::TRIGGER,
            "all" => Privs::ALL,
            _ => return None,
        })
    }
    /// `arwdDxt`, as in an ACL item.
    pub fn acl_letters(self) -> String {
        let mut s = String::new();
        for (p, c) in [
            (Privs::INSERT, 'a'),
            (Privs::SELECT, 'r'),
            (Privs::UPDATE, 'w'),
            (Privs::DELETE, 'd'),
            (Privs::TRUNCATE, 'D'),
            (Privs::REFERENCES, 'x'),
            (Privs::TRIGGER, 't'),
        ] {
            if self.contains(p) {
                s.push(c);
            }
        }
        s
    }
}

/// Table privileges by grantee role (`public` is every role).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grants {
    pub by_role: Vec<(String, Privs)>,
}

impl Grants {
    pub fn get(&self, role: &str) -> Privs {
        self.by_role
            .iter()
            .find(|(r, _)| r == role)
            .map_or(Privs::NONE, |(_, p)| *p)
    }
    /// What `role` may do, including what is granted to `public`.
    pub fn effective(&self, role: &str) -> Privs {
        self.get(role).union(self.get("public"))
    }
    pub fn set(&mut self, role: &str, p: Privs) {
        match self.by_role.iter_mut().find(|(r, _)| r == role) {
            Some(e) => e.1 = p,
            None => self.by_role.push((role.to_string(), p)),
        }
        self.by_role.retain(|(_, p)| *p != Privs::NONE);
    }
    pub fn grant(&mut self, role: &str, p: Privs) {
        let cur = self.get(role);
        self.set(role, cur.union(p));
    }
    pub fn revoke(&mut self, role: &str, p: Privs) {
        let cur = self.get(role);
        self.set(role, cur.minus(p));
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    pub name: String,
    pub permissive: bool,
    pub command: PolicyCommand,
    /// Role names as PostgreSQL stores them; `public` = every role.
    pub roles: Vec<String>,
    /// The `USING` expression's text (without its parentheses) and where it is written.
    pub using: Option<String>,
    pub using_at: Option<SrcLoc>,
    pub with_check: Option<String>,
    pub with_check_at: Option<SrcLoc>,
    /// The `CREATE POLICY` statement.
    pub at: SrcLoc,
    /// The policy's name in its `CREATE POLICY`.
    pub name_at: SrcLoc,
    /// Every `ALTER POLICY` applied to it since.
    pub altered_at: Vec<SrcLoc>,
}

impl Policy {
    pub fn applies_to(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role || r == "public")
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub schema: String,
    pub name: String,
    pub rls: Tri,
    pub forced: Tri,
    pub policies: Vec<Policy>,
    pub grants: Grants,
    /// The `CREATE TABLE`; `None` for a table the files never create (Supabase's own, or unknown).
    pub defined_at: Option<SrcLoc>,
    /// The table's name in its `CREATE TABLE`.
    pub name_at: Option<SrcLoc>,
    /// The last `ALTER TABLE … ENABLE/DISABLE ROW LEVEL SECURITY`.
    pub rls_enabled_at: Option<SrcLoc>,
    /// Every rename (`ALTER TABLE … RENAME TO`, `SET SCHEMA`).
    pub renamed_at: Vec<SrcLoc>,
    /// Created by Supabase, not by the files (`storage.objects`).
    pub managed: bool,
    /// Touched by SQL that could not be read: nothing about it is certain.
    pub unknown: bool,
    pub unknown_why: Option<String>,
}

impl Table {
    pub fn policies_for<'a>(
        &'a self,
        cmd: PolicyCommand,
        role: &'a str,
    ) -> impl Iterator<Item = &'a Policy> + 'a {
        self.policies
            .iter()
            .filter(move |p| p.command.covers(cmd) && p.applies_to(role))
    }
    pub fn policy(&self, name: &str) -> Option<&Policy> {
        self.policies.iter().find(|p| p.name == name)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct View {
    pub schema: String,
    pub name: String,
    pub materialized: bool,
    /// `WITH (security_invoker = true)`; `No` runs the view with its owner's rights.
    pub security_invoker: Tri,
    pub grants: Grants,
    /// Relations named after `FROM` / `JOIN` in the view's query (schema as written).
    pub reads: Vec<(Option<String>, String)>,
    pub defined_at: Option<SrcLoc>,
    pub name_at: Option<SrcLoc>,
    pub unknown: bool,
}

impl View {
    pub fn reads_table(&self, schema: &str, name: &str) -> bool {
        self.reads
            .iter()
            .any(|(s, n)| n == name && s.as_deref().map_or(schema == "public", |s| s == schema))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Function {
    pub schema: String,
    pub name: String,
    /// Argument types (identity arguments, normalised: `integer`, `text`, `uuid`, …).
    pub args: Vec<String>,
    pub security_definer: Tri,
    /// `SET search_path …` on the function: `Some(value)`; `None` when it has none.
    pub search_path: Option<String>,
    /// `EXECUTE` granted to each role; `public` covers every role.
    pub execute: Vec<(String, bool)>,
    pub language: Option<String>,
    pub defined_at: Option<SrcLoc>,
    pub name_at: Option<SrcLoc>,
    pub unknown: bool,
}

impl Function {
    pub fn executable_by(&self, role: &str) -> bool {
        self.execute
            .iter()
            .any(|(r, g)| *g && (r == role || r == "public"))
    }
    pub fn signature(&self) -> String {
        format!("{}.{}({})", self.schema, self.name, self.args.join(", "))
    }
    pub(crate) fn set_execute(&mut self, role: &str, granted: bool) {
        match self.execute.iter_mut().find(|(r, _)| r == role) {
            Some(e) => e.1 = granted,
            None => self.execute.push((role.to_string(), granted)),
        }
    }
}

/// Something in the files that could not be read; the objects it may touch are unknown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unreadable {
    pub at: SrcLoc,
    pub why: String,
}

/// A dropped policy (or table), for "where was it dropped".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dropped {
    pub what: String,
    pub defined_at: Option<SrcLoc>,
    pub dropped_at: SrcLoc,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SchemaModel {
    pub tables: Vec<Table>,
    pub views: Vec<View>,
    pub functions: Vec<Function>,
    pub unreadable: Vec<Unreadable>,
    pub dropped: Vec<Dropped>,
    /// Default privileges on tables created later, by schema and role.
    pub default_table_privs: Vec<(String, String, Privs)>,
    /// Default `EXECUTE` on functions created later, by schema and role.
    pub default_function_exec: Vec<(String, String, bool)>,
}

impl SchemaModel {
    pub fn table(&self, schema: &str, name: &str) -> Option<&Table> {
        self.tables
            .iter()
            .find(|t| t.schema == schema && t.name == name)
    }
    pub fn view(&self, schema: &str, name: &str) -> Option<&View> {
        self.views
            .iter()
            .find(|v| v.schema == schema && v.name == name)
    }
    /// Every function of that name (overloads included).
    pub fn functions_named<'a>(
        &'a self,
        schema: &'a str,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Function> + 'a {
        self.functions
            .iter()
            .filter(move |f| f.schema == schema && f.name == name)
    }
    /// The function of that name, when there is exactly one.
    pub fn function(&self, schema: &str, name: &str) -> Option<&Function> {
        let mut it = self
            .functions
            .iter()
            .filter(|f| f.schema == schema && f.name == name);
        let f = it.next()?;
        it.next().is_none().then_some(f)
    }
}

/// The order Supabase applies a project's SQL: `supabase/migrations/<version>_*.sql` by version (then
/// name), then `supabase/schemas/*.sql` by path. Paths outside those folders keep their given order, last.
/// Each `supabase/` directory of a monorepo is ordered on its own: group paths with [`project_roots`] first.
pub fn project_order<P: AsRef<Path>>(paths: &[P]) -> Vec<PathBuf> {
    let mut keyed: Vec<(u8, String, String, usize, PathBuf)> = paths
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let p = p.as_ref();
            let file = p
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            let parent = p
                .parent()
                .and_then(|d| d.file_name())
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            let (class, version) = if parent == "migrations" {
                let v: String = file.chars().take_while(|c| c.is_ascii_digit()).collect();
                // Versions compare as numbers: pad so "2" < "10".
                (0, format!("{v:0>32}"))
            } else if parent == "schemas" {
                (1, String::new())
            } else {
                (2, String::new())
            };
            (
                class,
                version,
                p.to_string_lossy().into_owned(),
                i,
                p.to_path_buf(),
            )
        })
        .collect();
    keyed.sort_by(|a, b| {
        a.0.cmp(&b.0).then_with(|| {
            if a.0 == 2 {
                a.3.cmp(&b.3)
            } else {
                a.1.cmp(&b.1).then_with(|| a.2.cmp(&b.2))
            }
        })
    });
    keyed.into_iter().map(|k| k.4).collect()
}

/// The `supabase/` directory a SQL file belongs to (`…/supabase/migrations/x.sql` → `…/supabase`), so a
/// monorepo's projects are modelled one by one. `None` for SQL outside any `supabase/migrations` or
/// `supabase/schemas` folder.
pub fn project_root(path: &Path) -> Option<&Path> {
    let parent = path.parent()?;
    let kind = parent.file_name()?.to_str()?;
    if kind != "migrations" && kind != "schemas" {
        return None;
    }
    let root = parent.parent()?;
    (root.file_name()? == "supabase").then_some(root)
}

/// A SQL file in a folder below `supabase/migrations` (`migrations/_backup/x.sql`): the Supabase CLI reads
/// only the folder's own files, so it is never applied and belongs to no project.
pub fn never_applied(path: &Path) -> bool {
    path.ancestors().skip(2).any(|a| {
        a.file_name().is_some_and(|f| f == "migrations")
            && a.parent()
                .and_then(|p| p.file_name())
                .is_some_and(|f| f == "supabase")
    })
}

/// Build the model of `sources`, already in apply order.
pub fn build(sources: &[SqlSource]) -> SchemaModel {
    ModelCache::default().build(sources)
}

/// Per-file statement lists keyed by a hash of the file's text: rebuilding after one file changed reads
/// only that file again.
#[derive(Default)]
pub struct ModelCache {
    files: HashMap<u64, Arc<Vec<Stmt>>>,
}

impl ModelCache {
    pub fn statements(&mut self, text: &str) -> Arc<Vec<Stmt>> {
        let h = hash_text(text);
        self.files
            .entry(h)
            .or_insert_with(|| Arc::new(stmt::read_file(text)))
            .clone()
    }

    /// Build the model; entries for texts not in `sources` are dropped afterwards.
    pub fn build(&mut self, sources: &[SqlSource]) -> SchemaModel {
        let model = self.build_more(sources);
        self.retain_texts(sources.iter().map(|s| &*s.text));
        model
    }

    /// Build the model and keep every cached entry (several projects share one cache).
    pub fn build_more(&mut self, sources: &[SqlSource]) -> SchemaModel {
        let mut r = replay::Replay::new();
        for s in sources {
            let stmts = self.statements(&s.text);
            let path: Arc<Path> = Arc::from(s.path.as_path());
            r.file(&path, &stmts);
        }
        r.finish()
    }

    /// Drop the entry of `text`.
    pub fn forget(&mut self, text: &str) {
        self.files.remove(&hash_text(text));
    }

    /// Drop the entries of texts not among `texts`.
    pub fn retain_texts<'a>(&mut self, texts: impl Iterator<Item = &'a str>) {
        let used: std::collections::HashSet<u64> = texts.map(hash_text).collect();
        self.files.retain(|h, _| used.contains(h));
    }
}

fn hash_text(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests;
