//! Applying statements to the model, in order, the way PostgreSQL would.
//!
//! Assumptions, all Supabase's defaults: the migrations run as `postgres` with `search_path` `public`
//! (reset at the start of each file); `ALTER DEFAULT PRIVILEGES` grants ALL on new tables and functions in
//! `public` to `anon`, `authenticated` and `service_role`; new functions are executable by `PUBLIC`;
//! `storage.objects` exists with row level security on.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use rlscope_core::TextRange;

use super::stmt::{FuncRef, GrantTarget, QName, RelKind, Stmt, StmtKind, TableAction, Touches};
use super::{
    Dropped, Function, Grants, Policy, Privs, SchemaModel, SrcLoc, Table, Tri, Unreadable, View,
};

pub const API_ROLES: &[&str] = &["anon", "authenticated", "service_role"];

pub struct Replay {
    m: SchemaModel,
    search_path: Vec<String>,
    /// Positions in `m.tables` / `m.views` / `m.functions` by (schema, name), kept in step with them: a
    /// lookup by name is a hash probe, not a scan (a 50k-line migration set has thousands of objects).
    tables_ix: NameIndex,
    views_ix: NameIndex,
    functions_ix: NameIndex,
    /// Where in the project's statement order the statement being applied stands ([`Seqs`]).
    seq: u64,
    seqs: Seqs,
    /// Names under which an object may or may not exist after a statement that could not be read (it may
    /// have created one, or kept one from being created or renamed): a later object of such a name, a view
    /// reading one, a rename of one and the objects of a `GRANT` list naming one are unknown.
    maybe_created: HashSet<String>,
}

/// For each object, dropped entry and unreadable entry of the model, the position in the project's statement
/// order of the statement that made it (objects: the one that created them), kept in step with the model's
/// vectors. Supabase's own tables come first (0, 1, …); statement `j` of file `f` is `((f + 1) << 32) | j`.
/// Every vector of the model is in creation order, so each of these is ascending.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Seqs {
    pub tables: Vec<u64>,
    pub views: Vec<u64>,
    pub functions: Vec<u64>,
    pub dropped: Vec<u64>,
    pub unreadable: Vec<u64>,
}

/// The position of statement `j` of file `f` in a project's statement order.
pub(crate) fn seq_of(f: usize, j: usize) -> u64 {
    ((f as u64 + 1) << 32) | j as u64
}

/// The file and statement index of a statement position ([`seq_of`]); `None` for Supabase's own tables.
pub(crate) fn file_stmt_of(seq: u64) -> Option<(usize, usize)> {
    let f = seq >> 32;
    (f > 0).then(|| ((f - 1) as usize, (seq & 0xffff_ffff) as usize))
}

/// Positions of named items in a vector, by (schema, name), ascending.
#[derive(Default)]
struct NameIndex {
    by: HashMap<String, HashMap<String, Vec<usize>>>,
}

impl NameIndex {
    fn of<'a>(keys: impl Iterator<Item = (&'a str, &'a str)>) -> NameIndex {
        let mut ix = NameIndex::default();
        for (i, (s, n)) in keys.enumerate() {
            ix.add(s, n, i);
        }
        ix
    }

    /// Positions of the items named `name`, in any schema.
    fn named<'s>(&'s self, name: &'s str) -> impl Iterator<Item = usize> + 's {
        self.by
            .values()
            .filter_map(move |m| m.get(name))
            .flatten()
            .copied()
    }

    fn get(&self, schema: &str, name: &str) -> &[usize] {
        self.by
            .get(schema)
            .and_then(|m| m.get(name))
            .map_or(&[], Vec::as_slice)
    }

    fn add(&mut self, schema: &str, name: &str, i: usize) {
        let v = self
            .by
            .entry(schema.to_string())
            .or_default()
            .entry(name.to_string())
            .or_default();
        let at = v.partition_point(|&x| x < i);
        v.insert(at, i);
    }

    fn del(&mut self, schema: &str, name: &str, i: usize) {
        if let Some(v) = self.by.get_mut(schema).and_then(|m| m.get_mut(name)) {
            v.retain(|&x| x != i);
        }
    }

    /// Item `i` was removed from the vector: later positions move down by one.
    fn removed(&mut self, schema: &str, name: &str, i: usize) {
        self.del(schema, name, i);
        for x in self.by.values_mut().flat_map(|m| m.values_mut()).flatten() {
            if *x > i {
                *x -= 1;
            }
        }
    }
}

impl Default for Replay {
    fn default() -> Self {
        Self::new()
    }
}

fn default_search_path() -> Vec<String> {
    vec!["public".to_string()]
}

impl Replay {
    pub fn new() -> Replay {
        let mut m = SchemaModel::default();
        for r in API_ROLES {
            m.default_table_privs
                .push(("public".into(), (*r).into(), Privs::ALL));
            m.default_function_exec
                .push(("public".into(), (*r).into(), true));
        }
        m.default_function_exec
            .push(("*".into(), "public".into(), true));
        let mut grants = Grants::default();
        for r in API_ROLES {
            grants.grant(r, Privs::ALL);
        }
        for name in ["objects", "buckets"] {
            m.tables.push(Table {
                schema: "storage".into(),
                name: name.into(),
                rls: Tri::Yes,
                forced: Tri::No,
                policies: Vec::new(),
                grants: grants.clone(),
                defined_at: None,
                name_at: None,
                rls_enabled_at: None,
                renamed_at: Vec::new(),
                managed: true,
                unknown: false,
                unknown_why: None,
            });
        }
        let tables_ix = NameIndex::of(m.tables.iter().map(|t| (&*t.schema, &*t.name)));
        let seqs = Seqs {
            tables: (0..m.tables.len() as u64).collect(),
            ..Seqs::default()
        };
        Replay {
            m,
            search_path: default_search_path(),
            tables_ix,
            views_ix: NameIndex::default(),
            functions_ix: NameIndex::default(),
            seq: 0,
            seqs,
            maybe_created: HashSet::new(),
        }
    }

    fn reindex_views(&mut self) {
        self.views_ix = NameIndex::of(self.m.views.iter().map(|v| (&*v.schema, &*v.name)));
    }

    fn reindex_functions(&mut self) {
        self.functions_ix = NameIndex::of(self.m.functions.iter().map(|f| (&*f.schema, &*f.name)));
    }

    pub fn finish(self) -> SchemaModel {
        self.m
    }

    /// The model, and the statement position behind each of its entries.
    pub(crate) fn finish_with_seqs(self) -> (SchemaModel, Seqs) {
        debug_assert_eq!(self.seqs.tables.len(), self.m.tables.len());
        debug_assert_eq!(self.seqs.views.len(), self.m.views.len());
        debug_assert_eq!(self.seqs.functions.len(), self.m.functions.len());
        debug_assert_eq!(self.seqs.dropped.len(), self.m.dropped.len());
        debug_assert_eq!(self.seqs.unreadable.len(), self.m.unreadable.len());
        (self.m, self.seqs)
    }

    pub fn file(&mut self, path: &Arc<Path>, stmts: &[Stmt]) {
        self.search_path = default_search_path();
        for s in stmts {
            self.apply(path, s);
        }
    }

    /// Some statements of one file, each with its position in the project's statement order ([`seq_of`]).
    pub(crate) fn file_part<'s>(
        &mut self,
        path: &Arc<Path>,
        stmts: impl Iterator<Item = (u64, &'s Stmt)>,
    ) {
        self.search_path = default_search_path();
        for (seq, s) in stmts {
            self.seq = seq;
            self.apply(path, s);
        }
    }

    fn loc(path: &Arc<Path>, r: TextRange) -> SrcLoc {
        SrcLoc {
            path: path.clone(),
            range: r,
        }
    }

    /// Schemas an unqualified name is looked up in.
    fn path_schemas(&self) -> impl Iterator<Item = &str> {
        self.search_path
            .iter()
            .map(String::as_str)
            .filter(|s| *s != "$user" && *s != "pg_temp")
    }

    /// The schema a new object named `q` is created in.
    fn create_schema(&self, q: &QName) -> String {
        q.schema.clone().unwrap_or_else(|| {
            self.path_schemas()
                .find(|s| *s != "pg_catalog")
                .unwrap_or("public")
                .to_string()
        })
    }

    fn find_table(&self, q: &QName) -> Option<usize> {
        let found = match &q.schema {
            Some(s) => self.tables_ix.get(s, &q.name).first().copied(),
            None => self
                .path_schemas()
                .find_map(|s| self.tables_ix.get(s, &q.name).first().copied()),
        };
        #[cfg(test)]
        {
            let scan = |s: &str| {
                self.m
                    .tables
                    .iter()
                    .position(|t| t.schema == s && t.name == q.name)
            };
            let want = match &q.schema {
                Some(s) => scan(s),
                None => self.path_schemas().find_map(scan),
            };
            assert_eq!(found, want, "table index out of step for {q:?}");
        }
        found
    }

    fn find_view(&self, q: &QName) -> Option<usize> {
        let found = match &q.schema {
            Some(s) => self.views_ix.get(s, &q.name).first().copied(),
            None => self
                .path_schemas()
                .find_map(|s| self.views_ix.get(s, &q.name).first().copied()),
        };
        #[cfg(test)]
        {
            let scan = |s: &str| {
                self.m
                    .views
                    .iter()
                    .position(|t| t.schema == s && t.name == q.name)
            };
            let want = match &q.schema {
                Some(s) => scan(s),
                None => self.path_schemas().find_map(scan),
            };
            assert_eq!(found, want, "view index out of step for {q:?}");
        }
        found
    }

    fn find_functions(&self, f: &FuncRef) -> Vec<usize> {
        let schemas: Vec<&str> = match &f.name.schema {
            Some(s) => vec![s.as_str()],
            None => self.path_schemas().collect(),
        };
        let mut found = Vec::new();
        for s in schemas {
            found = self
                .functions_ix
                .get(s, &f.name.name)
                .iter()
                .copied()
                .filter(|&i| {
                    f.args
                        .as_ref()
                        .is_none_or(|a| *a == self.m.functions[i].args)
                })
                .collect();
            if !found.is_empty() {
                break;
            }
        }
        #[cfg(test)]
        {
            let scan = |s: &str| -> Vec<usize> {
                self.m
                    .functions
                    .iter()
                    .enumerate()
                    .filter(|(_, x)| {
                        x.schema == s
                            && x.name == f.name.name
                            && f.args.as_ref().is_none_or(|a| *a == x.args)
                    })
                    .map(|(i, _)| i)
                    .collect()
            };
            let schemas: Vec<&str> = match &f.name.schema {
                Some(s) => vec![s.as_str()],
                None => self.path_schemas().collect(),
            };
            let want = schemas
                .into_iter()
                .map(scan)
                .find(|h| !h.is_empty())
                .unwrap_or_default();
            assert_eq!(found, want, "function index out of step for {:?}", f.name);
        }
        found
    }

    /// A table the files never create, met in `ALTER`/`CREATE POLICY`: an unknown entry.
    fn unknown_table(&mut self, q: &QName, why: &str) -> usize {
        let schema = self.create_schema(q);
        self.tables_ix.add(&schema, &q.name, self.m.tables.len());
        self.seqs.tables.push(self.seq);
        self.m.tables.push(Table {
            schema,
            name: q.name.clone(),
            rls: Tri::Unknown,
            forced: Tri::Unknown,
            policies: Vec::new(),
            grants: Grants::default(),
            defined_at: None,
            name_at: None,
            rls_enabled_at: None,
            renamed_at: Vec::new(),
            managed: false,
            unknown: true,
            unknown_why: Some(why.to_string()),
        });
        self.m.tables.len() - 1
    }

    fn table_or_unknown(&mut self, q: &QName, why: &str) -> usize {
        match self.find_table(q) {
            Some(i) => i,
            None => self.unknown_table(q, why),
        }
    }

    fn mark_unknown(&mut self, i: usize, why: &str) {
        let t = &mut self.m.tables[i];
        if !t.unknown {
            t.unknown = true;
            t.unknown_why = Some(why.to_string());
        }
    }

    fn default_privs(&self, schema: &str) -> Grants {
        let mut g = Grants::default();
        for (s, r, p) in &self.m.default_table_privs {
            if s == schema || s == "*" {
                g.grant(r, *p);
            }
        }
        g
    }

    fn default_exec(&self, schema: &str) -> Vec<(String, bool)> {
        let mut v: Vec<(String, bool)> = Vec::new();
        for (s, r, g) in &self.m.default_function_exec {
            if (s == schema || s == "*") && *g && !v.iter().any(|(x, _)| x == r) {
                v.push((r.clone(), true));
            }
        }
        v
    }

    fn apply(&mut self, path: &Arc<Path>, s: &Stmt) {
        let at = Self::loc(path, s.range);
        match &s.kind {
            StmtKind::CreateTable {
                name,
                if_not_exists,
            } => {
                if self
                    .find_table(&QName {
                        schema: Some(self.create_schema(name)),
                        ..name.clone()
                    })
                    .is_some()
                {
                    // IF NOT EXISTS / a guarded DO block: nothing happens. Otherwise PostgreSQL stops the
                    // migration; the first definition stays.
                    let _ = if_not_exists;
                    return;
                }
                let schema = self.create_schema(name);
                let grants = self.default_privs(&schema);
                let unknown_why = self.maybe_created_why(&name.name);
                self.tables_ix.add(&schema, &name.name, self.m.tables.len());
                self.seqs.tables.push(self.seq);
                self.m.tables.push(Table {
                    schema,
                    name: name.name.clone(),
                    rls: Tri::No,
                    forced: Tri::No,
                    policies: Vec::new(),
                    grants,
                    defined_at: Some(at),
                    name_at: Some(Self::loc(path, name.range)),
                    rls_enabled_at: None,
                    renamed_at: Vec::new(),
                    managed: false,
                    unknown: unknown_why.is_some(),
                    unknown_why,
                });
            }
            StmtKind::AlterTable {
                kind,
                name,
                if_exists,
                actions,
            } => {
                // ALTER TABLE also reaches views (rename, set schema, options).
                let table = if *kind == RelKind::Table {
                    self.find_table(name)
                } else {
                    None
                };
                let view = if table.is_none() {
                    self.find_view(name)
                } else {
                    None
                };
                if let Some(v) = view {
                    let renamed = actions
                        .iter()
                        .any(|a| matches!(a, TableAction::RenameTo(_) | TableAction::SetSchema(_)));
                    for a in actions {
                        let view = &mut self.m.views[v];
                        match a {
                            TableAction::RenameTo(n) => view.name = n.clone(),
                            TableAction::SetSchema(n) => view.schema = n.clone(),
                            TableAction::SecurityInvoker(x) => {
                                view.security_invoker = Tri::from_bool(x.unwrap_or(false))
                            }
                            _ => {}
                        }
                    }
                    if renamed {
                        self.reindex_views();
                        self.renamed(&name.name, &self.m.views[v].name.clone());
                    }
                    return;
                }
                if *kind != RelKind::Table {
                    return;
                }
                let i = match table {
                    Some(i) => i,
                    None if *if_exists => return,
                    None => {
                        self.unknown_table(name, "ALTER TABLE of a table that no migration creates")
                    }
                };
                for a in actions {
                    let (old_schema, old_name) = (
                        self.m.tables[i].schema.clone(),
                        self.m.tables[i].name.clone(),
                    );
                    if let TableAction::RenameTo(_) | TableAction::SetSchema(_) = a {
                        // Views keep reading the table under its new name.
                        let (ns, nn) = match a {
                            TableAction::RenameTo(n) => (old_schema.clone(), n.clone()),
                            TableAction::SetSchema(s) => (s.clone(), old_name.clone()),
                            _ => unreachable!(),
                        };
                        for v in &mut self.m.views {
                            for r in &mut v.reads {
                                let rs = r.0.as_deref().unwrap_or("public");
                                if rs == old_schema && r.1 == old_name {
                                    *r = (Some(ns.clone()), nn.clone());
                                }
                            }
                        }
                    }
                    let t = &mut self.m.tables[i];
                    match a {
                        TableAction::EnableRls => {
                            t.rls = Tri::Yes;
                            t.rls_enabled_at = Some(at.clone());
                        }
                        TableAction::DisableRls => {
                            t.rls = Tri::No;
                            t.rls_enabled_at = Some(at.clone());
                        }
                        TableAction::ForceRls => t.forced = Tri::Yes,
                        TableAction::NoForceRls => t.forced = Tri::No,
                        TableAction::RenameTo(n) => {
                            t.name = n.clone();
                            t.renamed_at.push(at.clone());
                        }
                        TableAction::SetSchema(n) => {
                            t.schema = n.clone();
                            t.renamed_at.push(at.clone());
                        }
                        TableAction::SecurityInvoker(_) => {}
                    }
                    if let TableAction::RenameTo(_) | TableAction::SetSchema(_) = a {
                        let t = &self.m.tables[i];
                        let (ns, nn) = (t.schema.clone(), t.name.clone());
                        self.tables_ix.del(&old_schema, &old_name, i);
                        self.tables_ix.add(&ns, &nn, i);
                        self.renamed(&old_name, &nn);
                    }
                }
            }
            StmtKind::Drop {
                kind,
                names,
                cascade,
                ..
            } => {
                for q in names {
                    if *kind == RelKind::Table {
                        if let Some(i) = self.find_table(q) {
                            let t = self.m.tables.remove(i);
                            self.seqs.tables.remove(i);
                            self.tables_ix.removed(&t.schema, &t.name, i);
                            self.seqs.dropped.push(self.seq);
                            self.m.dropped.push(Dropped {
                                what: format!("table {}.{}", t.schema, t.name),
                                defined_at: t.defined_at.clone(),
                                dropped_at: at.clone(),
                            });
                            if *cascade {
                                let (s, n) = (t.schema.clone(), t.name.clone());
                                let mut k = 0;
                                while k < self.m.views.len() {
                                    if self.m.views[k].reads_table(&s, &n) {
                                        self.m.views.remove(k);
                                        self.seqs.views.remove(k);
                                    } else {
                                        k += 1;
                                    }
                                }
                                self.reindex_views();
                            }
                        }
                    } else if let Some(i) = self.find_view(q) {
                        let materialized = *kind == RelKind::MaterializedView;
                        if self.m.views[i].materialized == materialized {
                            let v = self.m.views.remove(i);
                            self.seqs.views.remove(i);
                            self.views_ix.removed(&v.schema, &v.name, i);
                            self.seqs.dropped.push(self.seq);
                            self.m.dropped.push(Dropped {
                                what: format!("view {}.{}", v.schema, v.name),
                                defined_at: v.defined_at.clone(),
                                dropped_at: at.clone(),
                            });
                        }
                    }
                }
            }
            StmtKind::CreatePolicy {
                name,
                table,
                permissive,
                command,
                roles,
                using,
                with_check,
            } => {
                let i = self
                    .table_or_unknown(table, "CREATE POLICY on a table that no migration creates");
                let t = &mut self.m.tables[i];
                if t.policies.iter().any(|p| p.name == name.text) {
                    return;
                }
                t.policies.push(Policy {
                    name: name.text.clone(),
                    permissive: *permissive,
                    command: *command,
                    roles: normalize_roles(roles),
                    using: using.as_ref().map(|u| u.text.clone()),
                    using_at: using.as_ref().map(|u| Self::loc(path, u.range)),
                    with_check: with_check.as_ref().map(|u| u.text.clone()),
                    with_check_at: with_check.as_ref().map(|u| Self::loc(path, u.range)),
                    at,
                    name_at: Self::loc(path, name.range),
                    altered_at: Vec::new(),
                });
            }
            StmtKind::AlterPolicy {
                name,
                table,
                rename,
                roles,
                using,
                with_check,
            } => {
                let i = self
                    .table_or_unknown(table, "ALTER POLICY on a table that no migration creates");
                let Some(p) = self.m.tables[i]
                    .policies
                    .iter_mut()
                    .find(|p| &p.name == name)
                else {
                    self.mark_unknown(i, "ALTER POLICY of a policy that no migration creates");
                    return;
                };
                if let Some(n) = rename {
                    p.name = n.clone();
                }
                if let Some(r) = roles {
                    p.roles = normalize_roles(r);
                }
                if let Some(u) = using {
                    p.using = Some(u.text.clone());
                    p.using_at = Some(Self::loc(path, u.range));
                }
                if let Some(u) = with_check {
                    p.with_check = Some(u.text.clone());
                    p.with_check_at = Some(Self::loc(path, u.range));
                }
                p.altered_at.push(at);
            }
            StmtKind::DropPolicy {
                name,
                table,
                if_exists,
            } => {
                let Some(i) = self.find_table(table) else {
                    return;
                };
                let t = &mut self.m.tables[i];
                match t.policies.iter().position(|p| &p.name == name) {
                    Some(k) => {
                        let p = t.policies.remove(k);
                        self.seqs.dropped.push(self.seq);
                        self.m.dropped.push(Dropped {
                            what: format!("policy \"{}\" on {}.{}", p.name, t.schema, t.name),
                            defined_at: Some(p.at),
                            dropped_at: at,
                        });
                    }
                    None if *if_exists => {}
                    None => {
                        self.mark_unknown(i, "DROP POLICY of a policy that no migration creates")
                    }
                }
            }
            StmtKind::Grant {
                revoke,
                privs,
                target,
                roles,
            } => self.grant(*revoke, *privs, target, roles),
            StmtKind::DefaultPrivileges {
                revoke,
                schemas,
                functions,
                privs,
                roles,
            } => {
                for s in schemas {
                    for r in roles {
                        if *functions {
                            let e = self
                                .m
                                .default_function_exec
                                .iter_mut()
                                .find(|(a, b, _)| a == s && b == r);
                            match e {
                                Some(e) => e.2 = !revoke,
                                None => self.m.default_function_exec.push((
                                    s.clone(),
                                    r.clone(),
                                    !revoke,
                                )),
                            }
                        } else {
                            let e = self
                                .m
                                .default_table_privs
                                .iter_mut()
                                .find(|(a, b, _)| a == s && b == r);
                            match e {
                                Some(e) => {
                                    e.2 = if *revoke {
                                        e.2.minus(*privs)
                                    } else {
                                        e.2.union(*privs)
                                    }
                                }
                                None if !revoke => {
                                    self.m
                                        .default_table_privs
                                        .push((s.clone(), r.clone(), *privs))
                                }
                                None => {}
                            }
                        }
                    }
                }
            }
            StmtKind::CreateView {
                name,
                or_replace,
                materialized,
                security_invoker,
                reads,
                ..
            } => {
                let schema = self.create_schema(name);
                let q = QName {
                    schema: Some(schema.clone()),
                    ..name.clone()
                };
                if let Some(i) = self.find_view(&q) {
                    if *or_replace {
                        let v = &mut self.m.views[i];
                        v.security_invoker = Tri::from_bool(security_invoker.unwrap_or(false));
                        v.reads = reads.clone();
                        v.defined_at = Some(at);
                        v.name_at = Some(Self::loc(path, name.range));
                    }
                    return;
                }
                let grants = self.default_privs(&schema);
                // Reading a relation that may not exist, the view may not exist either.
                let unknown = self.maybe_created.contains(&name.name)
                    || reads.iter().any(|(_, r)| self.maybe_created.contains(r));
                if unknown {
                    self.maybe_created.insert(name.name.clone());
                }
                self.views_ix.add(&schema, &name.name, self.m.views.len());
                self.seqs.views.push(self.seq);
                self.m.views.push(View {
                    schema,
                    name: name.name.clone(),
                    materialized: *materialized,
                    security_invoker: Tri::from_bool(security_invoker.unwrap_or(false)),
                    grants,
                    reads: reads.clone(),
                    defined_at: Some(at),
                    name_at: Some(Self::loc(path, name.range)),
                    unknown,
                });
            }
            StmtKind::CreateFunction {
                name,
                or_replace,
                args,
                security_definer,
                search_path,
                language,
            } => {
                let schema = self.create_schema(name);
                let existing = self
                    .functions_ix
                    .get(&schema, &name.name)
                    .iter()
                    .copied()
                    .find(|&i| self.m.functions[i].args == *args);
                if let Some(i) = existing {
                    if *or_replace {
                        let f = &mut self.m.functions[i];
                        f.security_definer = Tri::from_bool(*security_definer);
                        f.search_path = search_path.clone();
                        f.language = language.clone();
                        f.defined_at = Some(at);
                        f.name_at = Some(Self::loc(path, name.range));
                    }
                    return;
                }
                let execute = self.default_exec(&schema);
                let unknown = self.maybe_created.contains(&name.name);
                self.functions_ix
                    .add(&schema, &name.name, self.m.functions.len());
                self.seqs.functions.push(self.seq);
                self.m.functions.push(Function {
                    schema,
                    name: name.name.clone(),
                    args: args.clone(),
                    security_definer: Tri::from_bool(*security_definer),
                    search_path: search_path.clone(),
                    execute,
                    language: language.clone(),
                    defined_at: Some(at),
                    name_at: Some(Self::loc(path, name.range)),
                    unknown,
                });
            }
            StmtKind::AlterFunction {
                func,
                security_definer,
                search_path,
                rename,
                set_schema,
            } => {
                let hits = self.find_functions(func);
                if func.args.is_none() && hits.len() > 1 {
                    return;
                }
                for i in hits {
                    let f = &mut self.m.functions[i];
                    if let Some(d) = security_definer {
                        f.security_definer = Tri::from_bool(*d);
                    }
                    if let Some(sp) = search_path {
                        f.search_path = sp.clone();
                    }
                    if let Some(n) = rename {
                        f.name = n.clone();
                    }
                    if let Some(s) = set_schema {
                        f.schema = s.clone();
                    }
                }
                if rename.is_some() || set_schema.is_some() {
                    self.reindex_functions();
                }
            }
            StmtKind::DropFunction { funcs, .. } => {
                for f in funcs {
                    let hits = self.find_functions(f);
                    if f.args.is_none() && hits.len() > 1 {
                        continue;
                    }
                    for i in hits.into_iter().rev() {
                        let f = self.m.functions.remove(i);
                        self.seqs.functions.remove(i);
                        self.functions_ix.removed(&f.schema, &f.name, i);
                    }
                }
            }
            StmtKind::SetSearchPath(p) => {
                self.search_path = if p.is_empty() {
                    vec!["pg_catalog".into()]
                } else {
                    p.clone()
                };
            }
            StmtKind::Unreadable { touches, why } => {
                self.seqs.unreadable.push(self.seq);
                self.m.unreadable.push(Unreadable {
                    at: at.clone(),
                    why: why.clone(),
                });
                match touches {
                    Touches::Table(q) => match (self.find_table(q), self.find_view(q)) {
                        (None, Some(v)) => self.m.views[v].unknown = true,
                        _ => {
                            let i = self.table_or_unknown(q, why);
                            self.mark_unknown(i, why);
                        }
                    },
                    Touches::View(q) => self.view_unknown(path, q, at),
                    Touches::Function(f) => self.function_unknown(path, f, at),
                    Touches::Named { names, creates } => {
                        for n in names {
                            self.named_unknown(n, why);
                            if *creates {
                                self.maybe_created.insert(n.clone());
                            }
                        }
                    }
                    Touches::Any => self.everything_unknown(why),
                }
            }
            StmtKind::MetaCommand(cmd) => {
                let word = cmd
                    .trim_start_matches('\\')
                    .split_whitespace()
                    .next()
                    .unwrap_or("");
                if matches!(
                    word,
                    "i" | "ir" | "include" | "include_relative" | "c" | "connect"
                ) {
                    let why = format!("psql meta-command `{cmd}` is not followed");
                    self.seqs.unreadable.push(self.seq);
                    self.m.unreadable.push(Unreadable {
                        at,
                        why: why.clone(),
                    });
                    self.everything_unknown(&why);
                }
            }
        }
    }

    /// An object named `old` now has the name `new`: when one of name `old` may not exist, neither may one
    /// of name `new`.
    fn renamed(&mut self, old: &str, new: &str) {
        if old != new && self.maybe_created.contains(old) {
            self.maybe_created.insert(new.to_string());
        }
    }

    /// Why a new object named `name` is unknown: a statement that could not be read may have created one.
    fn maybe_created_why(&self, name: &str) -> Option<String> {
        self.maybe_created
            .contains(name)
            .then(|| "a statement that could not be read may have created it".to_string())
    }

    /// Every table, view and function named `name` (in any schema) becomes unknown.
    fn named_unknown(&mut self, name: &str, why: &str) {
        let tables: Vec<usize> = self.tables_ix.named(name).collect();
        for i in tables {
            self.mark_unknown(i, why);
        }
        for i in self.views_ix.named(name) {
            self.m.views[i].unknown = true;
        }
        for i in self.functions_ix.named(name) {
            self.m.functions[i].unknown = true;
        }
    }

    /// A view that an unreadable `CREATE [OR REPLACE] VIEW` may have created or replaced: unknown, made
    /// when it does not exist (a relation of that name that is a table stays, unknown).
    fn view_unknown(&mut self, path: &Arc<Path>, q: &QName, at: SrcLoc) {
        let schema = self.create_schema(q);
        let q = QName {
            schema: Some(schema.clone()),
            ..q.clone()
        };
        if let Some(i) = self.find_view(&q) {
            self.m.views[i].unknown = true;
            return;
        }
        if let Some(i) = self.find_table(&q) {
            self.mark_unknown(i, "CREATE VIEW under a table's name that could not be read");
            return;
        }
        // Views reading it may not exist either.
        self.maybe_created.insert(q.name.clone());
        let grants = self.default_privs(&schema);
        self.views_ix.add(&schema, &q.name, self.m.views.len());
        self.seqs.views.push(self.seq);
        self.m.views.push(View {
            schema,
            name: q.name.clone(),
            materialized: false,
            security_invoker: Tri::Unknown,
            grants,
            reads: Vec::new(),
            defined_at: Some(at),
            name_at: Some(Self::loc(path, q.range)),
            unknown: true,
        });
    }

    /// A function that an unreadable `CREATE [OR REPLACE] FUNCTION` may have created or replaced: unknown,
    /// made when it does not exist.
    fn function_unknown(&mut self, path: &Arc<Path>, f: &FuncRef, at: SrcLoc) {
        let schema = self.create_schema(&f.name);
        let f = FuncRef {
            name: QName {
                schema: Some(schema.clone()),
                ..f.name.clone()
            },
            args: f.args.clone(),
        };
        let hits = self.find_functions(&f);
        for &i in &hits {
            self.m.functions[i].unknown = true;
        }
        if !hits.is_empty() {
            return;
        }
        let execute = self.default_exec(&schema);
        self.functions_ix
            .add(&schema, &f.name.name, self.m.functions.len());
        self.seqs.functions.push(self.seq);
        self.m.functions.push(Function {
            schema,
            name: f.name.name.clone(),
            args: f.args.unwrap_or_default(),
            security_definer: Tri::Unknown,
            search_path: None,
            execute,
            language: None,
            defined_at: Some(at),
            name_at: Some(Self::loc(path, f.name.range)),
            unknown: true,
        });
    }

    fn everything_unknown(&mut self, why: &str) {
        for i in 0..self.m.tables.len() {
            if !self.m.tables[i].managed {
                self.mark_unknown(i, why);
            }
        }
        for v in &mut self.m.views {
            v.unknown = true;
        }
        for f in &mut self.m.functions {
            f.unknown = true;
        }
    }

    fn grant(&mut self, revoke: bool, privs: Privs, target: &GrantTarget, roles: &[String]) {
        let apply = |g: &mut Grants| {
            for r in roles {
                if revoke {
                    g.revoke(r, privs);
                } else {
                    g.grant(r, privs);
                }
            }
        };
        // PostgreSQL grants on every object of a list, or on none when one is missing: one that is missing
        // or may be makes the others unknown.
        let uncertain = match target {
            GrantTarget::Tables(qs) => qs.iter().any(|q| {
                self.maybe_created.contains(&q.name)
                    || (self.find_table(q).is_none() && self.find_view(q).is_none())
            }),
            GrantTarget::Functions(fs) => fs.iter().any(|f| {
                self.maybe_created.contains(&f.name.name) || self.find_functions(f).is_empty()
            }),
            GrantTarget::AllTablesIn(_) | GrantTarget::AllFunctionsIn(_) => false,
        };
        let why = "a GRANT naming an object that does not or may not exist";
        match target {
            GrantTarget::Tables(names) => {
                for q in names {
                    if let Some(i) = self.find_table(q) {
                        apply(&mut self.m.tables[i].grants);
                        if uncertain {
                            self.mark_unknown(i, why);
                        }
                    } else if let Some(i) = self.find_view(q) {
                        apply(&mut self.m.views[i].grants);
                        self.m.views[i].unknown |= uncertain;
                    } else if self.maybe_created.contains(&q.name) {
                        self.unknown_table(q, why);
                    }
                }
            }
            GrantTarget::AllTablesIn(schemas) => {
                for t in &mut self.m.tables {
                    if schemas.contains(&t.schema) && !t.managed {
                        apply(&mut t.grants);
                    }
                }
                for v in &mut self.m.views {
                    if schemas.contains(&v.schema) {
                        apply(&mut v.grants);
                    }
                }
            }
            GrantTarget::Functions(fs) => {
                for f in fs {
                    let hits = self.find_functions(f);
                    if f.args.is_none() && hits.len() > 1 {
                        continue;
                    }
                    for i in hits {
                        for r in roles {
                            self.m.functions[i].set_execute(r, !revoke);
                        }
                        self.m.functions[i].unknown |= uncertain;
                    }
                }
            }
            GrantTarget::AllFunctionsIn(schemas) => {
                for f in &mut self.m.functions {
                    if schemas.contains(&f.schema) {
                        for r in roles {
                            f.set_execute(r, !revoke);
                        }
                    }
                }
            }
        }
    }
}

/// Role names as PostgreSQL stores them: a list naming `public` is just `public` (measured), duplicates
/// dropped.
fn normalize_roles(roles: &[String]) -> Vec<String> {
    if roles.iter().any(|r| r == "public") {
        return vec!["public".to_string()];
    }
    let mut v: Vec<String> = Vec::new();
    for r in roles {
        if !v.contains(r) {
            v.push(r.clone());
        }
    }
    v
}
