//! A project's model and advisor findings, rebuilt after one file changed by replaying only the statements
//! that can reach what the file touches.
//!
//! Every statement names the objects it reads or changes (tables, views and functions, by name without
//! schema: a lookup by `schema.name` or through `search_path` only ever finds an object of that name), or is
//! *global*: it acts on every object (`GRANT … ON ALL TABLES IN SCHEMA`, SQL that may touch any table, a
//! followed `\i`) or on project-wide state (default privileges, `search_path`). A statement naming several
//! objects ties them together (a rename ties the old and the new name, a view the relations it reads, a
//! `GRANT` its list). After file `k` changed, the *affected names* are every name its old and new statements
//! mention, closed under those ties over the whole project. Objects of other names are reached only by
//! statements that name no affected name, and by global statements, each of which acts on every object
//! alone: replaying the affected names' statements plus the global ones, in project order, gives exactly
//! the final state of the affected objects, and every other object keeps its state from the previous build
//! (as long as file `k`'s global statements did not change; otherwise everything is replayed).
//!
//! The model's vectors are in creation order, so the two parts are merged by the position of the statement
//! that created each object ([`Seqs`]). The advisors judge each table, view and function on its own, so the
//! findings of objects that were not replayed are kept and the advisors run on the replayed ones only.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use super::replay::{file_stmt_of, seq_of, Replay, Seqs};
use super::stmt::{GrantTarget, Stmt, StmtKind, TableAction};
use super::{ModelCache, SchemaModel, SqlSource};
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
    /// earlier one ([`rebuild`]): every object of another name is equal to that build's. `None`: built from
    /// nothing.
    pub recomputed: Option<HashSet<String>>,
    pub state: BuildState,
}

/// The model of `sources` (in apply order) from nothing, and the advisors' findings on it.
pub fn build(sources: &[SqlSource], cache: &mut ModelCache) -> Built {
    let files: Vec<File> = sources
        .iter()
        .map(|s| File {
            path: Arc::from(s.path.as_path()),
            text: s.text.clone(),
            stmts: cache.statements(&s.text),
        })
        .collect();
    let mut r = Replay::new();
    for (f, file) in files.iter().enumerate() {
        r.file_part(
            &file.path,
            file.stmts
                .iter()
                .enumerate()
                .map(|(j, s)| (seq_of(f, j), s)),
        );
    }
    let (model, seqs) = r.finish_with_seqs();
    let findings = advisors::check(&model, sources);
    Built {
        model,
        recomputed: None,
        state: BuildState {
            files,
            seqs,
            findings,
        },
    }
}

/// The model of `sources` given the build `(model, state)` of an earlier version of them: when exactly one
/// file's text differs (same paths, same order) and its global statements are unchanged, only the
/// statements that can reach what that file touches are replayed; otherwise everything is.
pub fn rebuild(
    model: &SchemaModel,
    state: &BuildState,
    sources: &[SqlSource],
    cache: &mut ModelCache,
) -> Built {
    let same_paths = state.files.len() == sources.len()
        && state
            .files
            .iter()
            .zip(sources)
            .all(|(f, s)| *f.path == *s.path);
    if !same_paths {
        return build(sources, cache);
    }
    let mut changed = state
        .files
        .iter()
        .zip(sources)
        .enumerate()
        .filter(|(_, (f, s))| !same_text(&f.text, &s.text))
        .map(|(i, _)| i);
    let (Some(k), None) = (changed.next(), changed.next()) else {
        return build(sources, cache);
    };
    let new_k = cache.statements(&sources[k].text);
    let old_k = &state.files[k].stmts;
    if globals(old_k).ne(globals(&new_k)) {
        return build(sources, cache);
    }
    cache.forget(&state.files[k].text);
    let stmts_of = |f: usize| -> &[Stmt] {
        if f == k {
            &new_k
        } else {
            &state.files[f].stmts
        }
    };

    // the affected names: those file k mentions, closed under the ties of every statement
    let mut affected: HashSet<&str> = HashSet::new();
    let mut buf: Vec<&str> = Vec::new();
    for s in old_k.iter().chain(new_k.iter()) {
        buf.clear();
        names(&s.kind, &mut buf);
        affected.extend(buf.iter().copied());
    }
    loop {
        let before = affected.len();
        for f in 0..state.files.len() {
            for s in stmts_of(f) {
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
    let mut r = Replay::new();
    for (f, file) in state.files.iter().enumerate() {
        r.file_part(
            &file.path,
            stmts_of(f)
                .iter()
                .enumerate()
                .filter(|(_, s)| in_slice(s))
                .map(|(j, s)| (seq_of(f, j), s)),
        );
    }
    let (mut part, part_seqs) = r.finish_with_seqs();
    let (tables, table_seqs) = split(std::mem::take(&mut part.tables), part_seqs.tables, |t| {
        affected.contains(t.name.as_str())
    });
    let (views, view_seqs) = split(std::mem::take(&mut part.views), part_seqs.views, |v| {
        affected.contains(v.name.as_str())
    });
    let (functions, function_seqs) = split(
        std::mem::take(&mut part.functions),
        part_seqs.functions,
        |f| affected.contains(f.name.as_str()),
    );
    let replayed = SchemaModel {
        tables,
        views,
        functions,
        ..SchemaModel::default()
    };
    let new_findings = advisors::check(&replayed, sources);

    // an entry of the old model whose statement was not replayed stays
    let kept_stmt = |seq: u64| match file_stmt_of(seq) {
        None => true,
        Some((f, j)) => f != k && state.files[f].stmts.get(j).is_some_and(|s| !in_slice(s)),
    };
    let not_affected = |name: &str| !affected.contains(name);
    let (tables, tables_seq) = merge(
        model
            .tables
            .iter()
            .zip(&state.seqs.tables)
            .filter(|(t, _)| not_affected(&t.name))
            .map(|(t, s)| (*s, t.clone())),
        table_seqs.into_iter().zip(replayed.tables),
    );
    let (views, views_seq) = merge(
        model
            .views
            .iter()
            .zip(&state.seqs.views)
            .filter(|(v, _)| not_affected(&v.name))
            .map(|(v, s)| (*s, v.clone())),
        view_seqs.into_iter().zip(replayed.views),
    );
    let (functions, functions_seq) = merge(
        model
            .functions
            .iter()
            .zip(&state.seqs.functions)
            .filter(|(f, _)| not_affected(&f.name))
            .map(|(f, s)| (*s, f.clone())),
        function_seqs.into_iter().zip(replayed.functions),
    );
    let (dropped, dropped_seq) = merge(
        model
            .dropped
            .iter()
            .zip(&state.seqs.dropped)
            .filter(|(_, s)| kept_stmt(**s))
            .map(|(d, s)| (*s, d.clone())),
        part_seqs.dropped.into_iter().zip(part.dropped),
    );
    let (unreadable, unreadable_seq) = merge(
        model
            .unreadable
            .iter()
            .zip(&state.seqs.unreadable)
            .filter(|(_, s)| kept_stmt(**s))
            .map(|(u, s)| (*s, u.clone())),
        part_seqs.unreadable.into_iter().zip(part.unreadable),
    );
    let mut findings: Vec<ProjectFinding> = state
        .findings
        .iter()
        .filter(|f| not_affected(&f.name))
        .cloned()
        .chain(new_findings)
        .collect();
    advisors::sort(&mut findings);
    let mut files = state.files.clone();
    files[k] = File {
        path: files[k].path.clone(),
        text: sources[k].text.clone(),
        stmts: new_k.clone(),
    };
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

/// The items that `keep` keeps, with their positions.
fn split<T>(items: Vec<T>, seqs: Vec<u64>, keep: impl Fn(&T) -> bool) -> (Vec<T>, Vec<u64>) {
    items
        .into_iter()
        .zip(seqs)
        .filter(|(t, _)| keep(t))
        .map(|(t, s)| (t, s))
        .unzip()
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
        StmtKind::Unreadable { table: Some(q), .. } => f(&q.name),
        StmtKind::Unreadable { table: None, .. }
        | StmtKind::DefaultPrivileges { .. }
        | StmtKind::SetSearchPath(_)
        | StmtKind::MetaCommand(_) => return false,
    }
    true
}

/// Pushes the names [`each_name`] gives; `false` for a global statement.
fn names<'a>(kind: &'a StmtKind, out: &mut Vec<&'a str>) -> bool {
    each_name(kind, |n| out.push(n))
}
