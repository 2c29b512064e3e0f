//! A project's model and advisor findings, rebuilt after one file changed by replaying only the statements
//! that can reach what the file touches.
//!
//! Every statement names the objects it reads or changes (tables, views and functions, by name without
//! schema: a lookup by `schema.name` or through `search_path` only ever finds an object of that name), or is
//! *global*: it acts on every object (`GRANT … ON ALL TABLES IN SCHEMA`, SQL that may touch any object, a
//! followed `\i`) or on project-wide state (default privileges, `search_path`). SQL that cannot be read but
//! names what it may touch ([`Touches`]) makes each of those objects unknown on its own: it ties nothing. A statement naming several
//! objects ties them together (a rename ties the old and the new name, a view the relations it reads, a
//! `GRANT` its list). After file `k` changed, the *affected names* are every name its old and new statements
//! mention, closed under those ties over the whole project. Objects of other names are reached only by
//! statements that name no affected name, and by global statements, each of which acts on every object
//! alone: replaying the affected names' statements plus the global ones, in project order, gives exactly
//! the final state of the affected objects, and every other object keeps its state from the previous build.
//! When file `k`'s own global statements changed, the objects they act on are affected too: those that exist
//! while the file runs, all named by statements of file `k` or earlier files (whose names are then affected as
//! well); a change of default privileges, which act on every object created later, replays everything.
//!
//! The model's vectors are in creation order, so the two parts are merged by the position of the statement
//! that created each object ([`Seqs`]). The advisors judge each table, view and function on its own, so the
//! findings of objects that were not replayed are kept and the advisors run on the replayed ones only.

use std::collections::HashSet;

use foldhash::{HashMap, HashMapExt, HashSet as FastSet, HashSetExt};
use std::path::Path;
use std::sync::Arc;

use super::replay::{file_stmt_of, seq_of, Replay, Seqs};
use super::stmt::{GrantTarget, Stmt, StmtKind, TableAction, Touches};
use super::{Function, ModelCache, SchemaModel, SqlSource, Table, View};
use crate::advisors::{self, ProjectFinding};

/// One file of a build.
#[derive(Clone, Debug)]
struct File {
    path: Arc<Path>,
    text: Arc<str>,
    stmts: Arc<Vec<Stmt>>,
}

/// What a build keeps to be rebuilt from: each file's statements, the statement position behind every entry
/// of the model, and the advisors' findings.
#[derive(Clone, Debug, Default)]
pub struct BuildState {
    files: Vec<File>,
    seqs: Seqs,
    findings: Vec<ProjectFinding>,
}

impl BuildState {
    /// The advisors' findings on the model, sorted by file and position.
    pub fn findings(&self) -> &[ProjectFinding] {
        &self.findings
    }

    /// Whether `sources` are this build's files with the same texts, in the same order.
    pub fn same_sources(&self, sources: &[SqlSource]) -> bool {
        self.files.len() == sources.len()
            && self
                .files
                .iter()
                .zip(sources)
                .all(|(f, s)| *f.path == *s.path && same_text(&f.text, &s.text))
    }

    /// Drops the statements of this build's texts from `cache` (the project is gone).
    pub fn forget_texts(&self, cache: &mut ModelCache) {
        for f in &self.files {
            cache.forget(&f.text);
        }
    }

    /// Equal statements and statement positions (for tests comparing a rebuild with a build from nothing).
    pub fn same_replay(&self, other: &BuildState) -> bool {
        self.seqs == other.seqs
            && self.files.len() == other.files.len()
            && self
                .files
                .iter()
                .zip(&other.files)
                .all(|(a, b)| a.path == b.path && a.stmts == b.stmts)
    }
}

fn same_text(a: &Arc<str>, b: &Arc<str>) -> bool {
    Arc::ptr_eq(a, b) || a == b
}

/// A project's model and what it takes to rebuild it.
#[derive(Debug)]
pub struct Built {
    pub model: SchemaModel,
    /// The names (without schema) of the tables, views and functions replayed when this build was made from an
    /// earlier one ([`rebuild`]): every object of another name is equal to that build's. `None`: everything
    /// was replayed.
    pub recomputed: Option<HashSet<String>>,
    /// When this build was made from an earlier one: the tables, views and functions whose state or source
    /// locations differ from that build's (including those only one of them has). `None`: built from nothing.
    pub changed: Option<Vec<ChangedObject>>,
    pub state: BuildState,
    /// The earlier build given to [`rebuild_owned`] when everything was replayed, for the caller to drop
    /// where it likes (freeing a large model takes a while).
    pub discarded: Option<(SchemaModel, BuildState)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ObjectKind {
    Table,
    View,
    Function,
}

/// A table, view or function (every overload of a name) that differs between two builds.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChangedObject {
    pub kind: ObjectKind,
    pub schema: String,
    pub name: String,
}

/// The model of `sources` (in apply order) from nothing, and the advisors' findings on it.
pub fn build(sources: &[SqlSource], cache: &mut ModelCache) -> Built {
    build_reusing(sources, cache, &[])
}

/// [`build`], taking the statements of a file whose path and text are those of one of `earlier` from it.
fn build_reusing(sources: &[SqlSource], cache: &mut ModelCache, earlier: &[File]) -> Built {
    let by_path: HashMap<&Path, &File> = earlier.iter().map(|f| (&*f.path, f)).collect();
    let files: Vec<File> = sources
        .iter()
        .map(|s| match by_path.get(s.path.as_path()) {
            Some(f) if same_text(&f.text, &s.text) => (*f).clone(),
            _ => File {
                path: Arc::from(s.path.as_path()),
                text: s.text.clone(),
                stmts: cache.statements(&s.text),
            },
        })
        .collect();
    let (model, seqs) = replay(&files, |_| true);
    let findings = advisors::check(&model, sources);
    Built {
        model,
        recomputed: None,
        changed: None,
        state: BuildState {
            files,
            seqs,
            findings,
        },
        discarded: None,
    }
}

/// The model of `sources` given the build `(model, state)` of an earlier version of them: when exactly one
/// file's text differs (same paths, same order), only the statements that can reach what that file touches are
/// replayed (when its global statements changed, also those of every object that exists while it runs; when its
/// default privileges changed, everything); otherwise everything is.
pub fn rebuild(
    model: &SchemaModel,
    state: &BuildState,
    sources: &[SqlSource],
    cache: &mut ModelCache,
) -> Built {
    rebuild_owned(model.clone(), state.clone(), sources, cache)
}

/// [`rebuild`], taking the earlier build: the objects the edit cannot reach move to the new model.
pub fn rebuild_owned(
    model: SchemaModel,
    state: BuildState,
    sources: &[SqlSource],
    cache: &mut ModelCache,
) -> Built {
    let from_nothing = |cache: &mut ModelCache, old: SchemaModel, state: BuildState| {
        let mut b = build_reusing(sources, cache, &state.files);
        b.changed = Some(changed_objects(
            (&old.tables, &old.views, &old.functions),
            (&b.model.tables, &b.model.views, &b.model.functions),
        ));
        // the texts no file has any more
        for f in &state.files {
            let kept = b
                .state
                .files
                .iter()
                .any(|n| n.path == f.path && Arc::ptr_eq(&n.stmts, &f.stmts));
            if !kept {
                cache.forget(&f.text);
            }
        }
        b.discarded = Some((old, state));
        b
    };
    let same_paths = state.files.len() == sources.len()
        && state
            .files
            .iter()
            .zip(sources)
            .all(|(f, s)| *f.path == *s.path);
    if !same_paths {
        return from_nothing(cache, model, state);
    }
    let mut changed = state
        .files
        .iter()
        .zip(sources)
        .enumerate()
        .filter(|(_, (f, s))| !same_text(&f.text, &s.text))
        .map(|(i, _)| i);
    let (Some(k), None) = (changed.next(), changed.next()) else {
        return from_nothing(cache, model, state);
    };
    let new_k = cache.statements(&sources[k].text);
    // When file k's global statements changed, those acting on every object (SQL that may touch any table, a
    // followed `\i`, grants on whole schemas) reach the objects that exist while the file runs: each was
    // created by a statement of file k or an earlier file, under a name that statement mentions. Default
    // privileges reach every object created later: then everything is replayed.
    let globals_changed = globals(&state.files[k].stmts).ne(globals(&new_k));
    let default_privs =
        |stmts: &[Stmt]| globals(stmts).any(|g| matches!(g, StmtKind::DefaultPrivileges { .. }));
    if globals_changed && (default_privs(&state.files[k].stmts) || default_privs(&new_k)) {
        return from_nothing(cache, model, state);
    }
    cache.forget(&state.files[k].text);
    let BuildState {
        files: mut old_files,
        seqs: old_seqs,
        findings: old_findings,
    } = state;
    let old_k = std::mem::replace(&mut old_files[k].stmts, new_k);
    old_files[k].text = sources[k].text.clone();
    let files = old_files;

    // the affected names: those file k mentions (before and after), closed under the ties of every statement
    let mut affected: FastSet<&str> = FastSet::new();
    for s in old_k.iter().chain(files[k].stmts.iter()) {
        each_name(&s.kind, |n| {
            affected.insert(n);
        });
    }
    if globals_changed {
        for s in files[..k].iter().flat_map(|f| f.stmts.iter()) {
            each_name(&s.kind, |n| {
                affected.insert(n);
            });
        }
    }
    let mut buf: Vec<&str> = Vec::new();
    loop {
        let before = affected.len();
        for file in &files {
            for s in file.stmts.iter() {
                buf.clear();
                if names(&s.kind, &mut buf)
                    && buf.len() > 1
                    && buf.iter().any(|n| affected.contains(n))
                {
                    affected.extend(buf.iter().copied());
                }
            }
        }
        if affected.len() == before {
            break;
        }
    }
    let in_slice = |s: &Stmt| -> bool {
        let mut hit = false;
        let named = each_name(&s.kind, |n| hit |= affected.contains(n));
        !named || hit
    };

    // the affected objects, replayed from their statements and the global ones
    let (part, part_seqs) = replay(&files, in_slice);
    let is_affected = |name: &str| affected.contains(name);
    let (tables, table_seqs) = split(part.tables, part_seqs.tables, |t| is_affected(&t.name));
    let (views, view_seqs) = split(part.views, part_seqs.views, |v| is_affected(&v.name));
    let (functions, function_seqs) = split(part.functions, part_seqs.functions, |f| {
        is_affected(&f.name)
    });
    let replayed = SchemaModel {
        tables,
        views,
        functions,
        ..SchemaModel::default()
    };
    let new_findings = advisors::check(&replayed, sources);

    // the old model: what the replay recomputed goes, the rest stays
    let SchemaModel {
        tables: old_tables,
        views: old_views,
        functions: old_functions,
        unreadable: old_unreadable,
        dropped: old_dropped,
        ..
    } = model;
    let (kept_tables, gone_tables) =
        partition(old_tables, old_seqs.tables, |t| is_affected(&t.name));
    let (kept_views, gone_views) = partition(old_views, old_seqs.views, |v| is_affected(&v.name));
    let (kept_functions, gone_functions) =
        partition(old_functions, old_seqs.functions, |f| is_affected(&f.name));
    let changed = changed_objects(
        (&gone_tables, &gone_views, &gone_functions),
        (&replayed.tables, &replayed.views, &replayed.functions),
    );
    drop((gone_tables, gone_views, gone_functions));
    // an entry of the old model whose statement was not replayed stays
    let kept_stmt = |seq: &u64| match file_stmt_of(*seq) {
        None => true,
        Some((f, j)) => f != k && files[f].stmts.get(j).is_some_and(|s| !in_slice(s)),
    };
    let (tables, tables_seq) = merge(
        kept_tables.into_iter(),
        table_seqs.into_iter().zip(replayed.tables),
    );
    let (views, views_seq) = merge(
        kept_views.into_iter(),
        view_seqs.into_iter().zip(replayed.views),
    );
    let (functions, functions_seq) = merge(
        kept_functions.into_iter(),
        function_seqs.into_iter().zip(replayed.functions),
    );
    let (dropped, dropped_seq) = merge(
        old_seqs
            .dropped
            .into_iter()
            .zip(old_dropped)
            .filter(|(s, _)| kept_stmt(s)),
        part_seqs.dropped.into_iter().zip(part.dropped),
    );
    let (unreadable, unreadable_seq) = merge(
        old_seqs
            .unreadable
            .into_iter()
            .zip(old_unreadable)
            .filter(|(s, _)| kept_stmt(s)),
        part_seqs.unreadable.into_iter().zip(part.unreadable),
    );
    let findings = merge_findings(
        old_findings
            .into_iter()
            .filter(|f| !is_affected(&f.name))
            .collect(),
        new_findings,
    );
    let recomputed = affected.iter().map(|n| n.to_string()).collect();
    Built {
        model: SchemaModel {
            tables,
            views,
            functions,
            unreadable,
            dropped,
            default_table_privs: part.default_table_privs,
            default_function_exec: part.default_function_exec,
        },
        recomputed: Some(recomputed),
        changed: Some(changed),
        discarded: None,
        state: BuildState {
            files,
            seqs: Seqs {
                tables: tables_seq,
                views: views_seq,
                functions: functions_seq,
                dropped: dropped_seq,
                unreadable: unreadable_seq,
            },
            findings,
        },
    }
}

/// The model of the statements of `files` that `keep` keeps, and the statement position behind each entry.
fn replay(files: &[File], keep: impl Fn(&Stmt) -> bool) -> (SchemaModel, Seqs) {
    let mut r = Replay::new();
    for (f, file) in files.iter().enumerate() {
        r.file_part(
            &file.path,
            file.stmts
                .iter()
                .enumerate()
                .filter(|(_, s)| keep(s))
                .map(|(j, s)| (seq_of(f, j), s)),
        );
    }
    r.finish_with_seqs()
}

/// Two sorted finding lists as one ([`advisors::sort`]'s order).
fn merge_findings(a: Vec<ProjectFinding>, b: Vec<ProjectFinding>) -> Vec<ProjectFinding> {
    if b.is_empty() {
        return a;
    }
    let mut all = a;
    all.extend(b);
    advisors::sort(&mut all);
    all
}

/// Items with their positions, split into those `gone` does not select (with positions) and those it does.
fn partition<T>(
    items: Vec<T>,
    seqs: Vec<u64>,
    gone: impl Fn(&T) -> bool,
) -> (Vec<(u64, T)>, Vec<T>) {
    let (mut kept, mut out) = (Vec::with_capacity(items.len()), Vec::new());
    for (t, s) in items.into_iter().zip(seqs) {
        if gone(&t) {
            out.push(t);
        } else {
            kept.push((s, t));
        }
    }
    (kept, out)
}

/// The tables, views and functions (by schema and name) that differ between two sets of them.
pub fn changed_objects(
    old: (&[Table], &[View], &[Function]),
    new: (&[Table], &[View], &[Function]),
) -> Vec<ChangedObject> {
    let mut out = Vec::new();
    let mut add = |kind: ObjectKind, keys: Vec<(String, String)>| {
        out.extend(
            keys.into_iter()
                .map(|(schema, name)| ChangedObject { kind, schema, name }),
        )
    };
    add(
        ObjectKind::Table,
        differing(old.0, new.0, |t| (&t.schema, &t.name)),
    );
    add(
        ObjectKind::View,
        differing(old.1, new.1, |v| (&v.schema, &v.name)),
    );
    add(
        ObjectKind::Function,
        differing(old.2, new.2, |f| (&f.schema, &f.name)),
    );
    out.sort();
    out
}

/// The keys whose items (in order) differ between `old` and `new`, including keys only one side has.
fn differing<'m, T: PartialEq>(
    old: &'m [T],
    new: &'m [T],
    key: impl Fn(&'m T) -> (&'m str, &'m str),
) -> Vec<(String, String)> {
    let group = |items: &'m [T]| {
        let mut h: HashMap<(&'m str, &'m str), Vec<&'m T>> = HashMap::new();
        for it in items {
            h.entry(key(it)).or_default().push(it);
        }
        h
    };
    let (o, n) = (group(old), group(new));
    let keys: FastSet<&(&str, &str)> = o.keys().chain(n.keys()).collect();
    keys.into_iter()
        .filter(|k| o.get(*k) != n.get(*k))
        .map(|k| (k.0.to_string(), k.1.to_string()))
        .collect()
}

/// The items that `keep` keeps, with their positions.
fn split<T>(items: Vec<T>, seqs: Vec<u64>, keep: impl Fn(&T) -> bool) -> (Vec<T>, Vec<u64>) {
    items.into_iter().zip(seqs).filter(|(t, _)| keep(t)).unzip()
}

/// Two lists ascending by position, merged.
fn merge<T>(
    a: impl Iterator<Item = (u64, T)>,
    b: impl Iterator<Item = (u64, T)>,
) -> (Vec<T>, Vec<u64>) {
    let (mut a, mut b) = (a.peekable(), b.peekable());
    let (mut items, mut seqs) = (Vec::new(), Vec::new());
    loop {
        let take_a = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => x.0 <= y.0,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let (s, t) = if take_a { a.next() } else { b.next() }.expect("peeked");
        items.push(t);
        seqs.push(s);
    }
    (items, seqs)
}

/// The global statements of a file that can act beyond it (`search_path` is reset at each file's start).
fn globals(stmts: &[Stmt]) -> impl Iterator<Item = &StmtKind> {
    stmts
        .iter()
        .map(|s| &s.kind)
        .filter(|k| !each_name(k, |_| {}) && !matches!(k, StmtKind::SetSearchPath(_)))
}

/// Calls `f` with the name (without schema) of each object `kind` reads or changes; `false` for a global
/// statement, which acts on every object or on project-wide state.
fn each_name<'a>(kind: &'a StmtKind, mut f: impl FnMut(&'a str)) -> bool {
    match kind {
        StmtKind::CreateTable { name, .. } => f(&name.name),
        StmtKind::AlterTable { name, actions, .. } => {
            f(&name.name);
            for a in actions {
                if let TableAction::RenameTo(n) = a {
                    f(n);
                }
            }
        }
        StmtKind::Drop { names, .. } => names.iter().for_each(|q| f(&q.name)),
        StmtKind::CreatePolicy { table, .. }
        | StmtKind::AlterPolicy { table, .. }
        | StmtKind::DropPolicy { table, .. } => f(&table.name),
        StmtKind::Grant { target, .. } => match target {
            GrantTarget::Tables(qs) => qs.iter().for_each(|q| f(&q.name)),
            GrantTarget::Functions(fs) => fs.iter().for_each(|x| f(&x.name.name)),
            GrantTarget::AllTablesIn(_) | GrantTarget::AllFunctionsIn(_) => return false,
        },
        StmtKind::CreateView { name, reads, .. } => {
            f(&name.name);
            reads.iter().for_each(|(_, n)| f(n));
        }
        StmtKind::CreateFunction { name, .. } => f(&name.name),
        StmtKind::AlterFunction { func, rename, .. } => {
            f(&func.name.name);
            if let Some(n) = rename {
                f(n);
            }
        }
        StmtKind::DropFunction { funcs, .. } => funcs.iter().for_each(|x| f(&x.name.name)),
        StmtKind::Unreadable { touches, .. } => match touches {
            Touches::Table(q) | Touches::View(q) => f(&q.name),
            Touches::Function(x) => f(&x.name.name),
            Touches::Named { names, .. } => names.iter().for_each(|n| f(n)),
            Touches::Any => return false,
        },
        StmtKind::DefaultPrivileges { .. }
        | StmtKind::SetSearchPath(_)
        | StmtKind::MetaCommand(_) => return false,
    }
    true
}

/// Pushes the names [`each_name`] gives that the statement ties together (what it does to one depends on
/// the others); `false` for a global statement. A statement that could not be read makes each object it
/// names unknown on its own: it ties nothing.
fn names<'a>(kind: &'a StmtKind, out: &mut Vec<&'a str>) -> bool {
    if let StmtKind::Unreadable { touches, .. } = kind {
        return !matches!(touches, Touches::Any);
    }
    each_name(kind, |n| out.push(n))
}
