//! Which schema objects each script's findings read, and which objects a SQL edit changed: together they
//! say which scripts a migration edit must re-check.
//!
//! A script's dependencies are the tables (schema-qualified; `storage.objects` for storage requests) and
//! functions its requests name ([`crate::requests::requests`]), memoised per file until the file or something
//! it imports changes. After a SQL edit, [`diff`] compares every Supabase project's tables and functions with
//! the previous build (state *and* source locations, since findings point into the migrations; when the new
//! build was rebuilt from that one, only the objects it replayed); a script is
//! re-checked when its project ([`Projects::for_file`]) changed one of its objects. A change to the set of
//! projects changes which project a script belongs to: then every file is re-checked.
//!
//! **Architecture invariant:** a script's findings read from the schema model only the objects its requests
//! name, through `SchemaModel::table` / `functions_named`; a rule that reads more must add it here.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use rlscope_sql::schema::{Function, SchemaModel, Table};

use crate::db::{FileId, Snapshot};
use crate::projects::Projects;
use crate::requests::RequestKind;

/// A schema object a script's requests name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SchemaObject {
    Table { schema: String, name: String },
    Function { schema: String, name: String },
}

/// The schema objects the requests of `file` name, sorted.
pub(crate) fn objects_of(snap: &Snapshot, file: FileId) -> Vec<SchemaObject> {
    let mut out: Vec<SchemaObject> = crate::requests::requests(snap, file)
        .into_iter()
        .filter_map(|r| match r.kind {
            RequestKind::Db { schema, table, .. } if !table.is_empty() => {
                Some(SchemaObject::Table {
                    schema: schema.unwrap_or_else(|| "public".into()),
                    name: table,
                })
            }
            RequestKind::Storage { .. } => Some(SchemaObject::Table {
                schema: "storage".into(),
                name: "objects".into(),
            }),
            RequestKind::Rpc {
                schema, function, ..
            } if !function.is_empty() => Some(SchemaObject::Function {
                schema: schema.unwrap_or_else(|| "public".into()),
                name: function,
            }),
            _ => None,
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Each script's [`objects_of`], computed on first need and forgotten when the script may have changed.
#[derive(Default)]
pub(crate) struct DepIndex {
    by_file: Mutex<HashMap<FileId, Arc<[SchemaObject]>>>,
}

impl DepIndex {
    /// The objects of each of `files`, computing (in parallel) those not known yet.
    pub fn objects(
        &self,
        snap: &Snapshot,
        files: &[FileId],
    ) -> HashMap<FileId, Arc<[SchemaObject]>> {
        let missing: Vec<FileId> = {
            let known = self.by_file.lock().unwrap_or_else(|e| e.into_inner());
            files
                .iter()
                .copied()
                .filter(|f| !known.contains_key(f))
                .collect()
        };
        let computed: Vec<(FileId, Arc<[SchemaObject]>)> = missing
            .par_iter()
            .map(|&f| {
                // a file whose requests cannot be computed depends on everything: `None` → re-check it
                let objs = crate::panic_guard::catch_panic(|| objects_of(snap, f));
                (f, objs.map(Arc::from))
            })
            .filter_map(|(f, o)| Some((f, o?)))
            .collect();
        let mut known = self.by_file.lock().unwrap_or_else(|e| e.into_inner());
        known.extend(computed);
        files
            .iter()
            .filter_map(|f| Some((*f, known.get(f)?.clone())))
            .collect()
    }

    pub fn forget(&self, files: impl IntoIterator<Item = FileId>) {
        let mut known = self.by_file.lock().unwrap_or_else(|e| e.into_inner());
        for f in files {
            known.remove(&f);
        }
    }

    pub fn clear(&self) {
        self.by_file
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

/// What a SQL edit changed, per Supabase project (`supabase/` folder).
#[derive(Debug, Default)]
pub(crate) struct Changed {
    pub by_root: HashMap<PathBuf, HashSet<SchemaObject>>,
}

/// The objects whose state or source locations differ between two builds of the projects; `None` when the
/// set of Supabase projects differs (a script may now belong to another project).
pub(crate) fn diff(old: &Projects, new: &Projects) -> Option<Changed> {
    let roots = |p: &Projects| -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = p
            .projects
            .iter()
            .filter(|p| p.supabase)
            .map(|p| p.root.clone())
            .collect();
        v.sort();
        v
    };
    if roots(old) != roots(new) {
        return None;
    }
    let mut changed = Changed::default();
    let rebuilt_from_old = new.base == Some(old.generation);
    for (i, n) in new.projects.iter().enumerate().filter(|(_, p)| p.supabase) {
        let o = old
            .projects
            .iter()
            .find(|o| o.supabase && o.root == n.root)?;
        if Arc::ptr_eq(o, n) {
            continue;
        }
        // a rebuild replayed only these names: every other object is the old build's
        let only = rebuilt_from_old
            .then(|| new.recomputed.get(i).and_then(Option::as_ref))
            .flatten();
        let objs = model_diff(&o.model, &n.model, only);
        if !objs.is_empty() {
            changed.by_root.insert(n.root.clone(), objs);
        }
    }
    Some(changed)
}

/// The tables and functions that differ between two models; with `only`, among those of these names alone.
fn model_diff(
    old: &SchemaModel,
    new: &SchemaModel,
    only: Option<&HashSet<String>>,
) -> HashSet<SchemaObject> {
    let mut out = HashSet::new();
    if only.is_some_and(HashSet::is_empty) {
        return out;
    }
    fn table_key(t: &Table) -> (&str, &str) {
        (&t.schema, &t.name)
    }
    fn function_key(f: &Function) -> (&str, &str) {
        (&f.schema, &f.name)
    }
    for (schema, name) in differing(&old.tables, &new.tables, table_key, only) {
        out.insert(SchemaObject::Table { schema, name });
    }
    for (schema, name) in differing(&old.functions, &new.functions, function_key, only) {
        out.insert(SchemaObject::Function { schema, name });
    }
    out
}

/// The keys whose items (in order) differ between `old` and `new`, including keys only one side has; with
/// `only`, among the keys whose name (the second part) is in it.
fn differing<'m, T: PartialEq>(
    old: &'m [T],
    new: &'m [T],
    key: impl Fn(&'m T) -> (&'m str, &'m str),
    only: Option<&HashSet<String>>,
) -> Vec<(String, String)> {
    let group = |items: &'m [T]| {
        let mut h: HashMap<(&'m str, &'m str), Vec<&'m T>> = HashMap::new();
        for it in items {
            let k = key(it);
            if only.is_none_or(|names| names.contains(k.1)) {
                h.entry(k).or_default().push(it);
            }
        }
        h
    };
    let (o, n) = (group(old), group(new));
    let keys: HashSet<&(&str, &str)> = o.keys().chain(n.keys()).collect();
    keys.into_iter()
        .filter(|k| o.get(*k) != n.get(*k))
        .map(|k| (k.0.to_string(), k.1.to_string()))
        .collect()
}
