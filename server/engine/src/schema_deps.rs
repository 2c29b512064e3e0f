//! Which schema objects each script's findings read, and which objects a SQL edit changed: together they
//! say which scripts a migration edit must re-check.
//!
//! A script's dependencies are the tables (schema-qualified; `storage.objects` for storage requests) and
//! functions its requests name ([`crate::requests::requests`]), memoised per file until the file or something
//! it imports changes. After a SQL edit, each project's rebuild reports the tables and functions whose state or
//! source locations (findings point into the migrations) differ from the previous build ([`diff`]); a script is
//! re-checked when its project ([`Projects::for_file`]) changed one of its objects. A change to the set of
//! projects changes which project a script belongs to: then every file is re-checked.
//!
//! **Architecture invariant:** a script's findings read from the schema model only the objects its requests
//! name, through `SchemaModel::table` / `functions_named`; a rule that reads more must add it here.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use rlscope_sql::schema::incremental::ObjectKind;

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

/// What a diff needs of the build the current findings were computed from, taken before the models are
/// rebuilt (so the rebuild can take that build's objects instead of copying them).
pub(crate) struct Before {
    generation: u64,
    roots: Vec<PathBuf>,
}

impl Before {
    pub fn of(p: &Projects) -> Before {
        Before {
            generation: p.generation,
            roots: supabase_roots(p),
        }
    }
}

fn supabase_roots(p: &Projects) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = p
        .projects
        .iter()
        .filter(|p| p.supabase)
        .map(|p| p.root.clone())
        .collect();
    v.sort();
    v
}

/// The tables and functions whose state or source locations differ between the build `old` and `new`, as the
/// rebuild of each project found them; `None` when the set of Supabase projects differs (a script may now
/// belong to another project) or `new` was not rebuilt from `old`.
pub(crate) fn diff(old: &Before, new: &Projects) -> Option<Changed> {
    if new.base != Some(old.generation) || supabase_roots(new) != old.roots {
        return None;
    }
    let mut changed = Changed::default();
    for (i, n) in new.projects.iter().enumerate().filter(|(_, p)| p.supabase) {
        let objs: HashSet<SchemaObject> = new
            .changes
            .get(i)?
            .as_ref()?
            .iter()
            .filter_map(|c| {
                let (schema, name) = (c.schema.clone(), c.name.clone());
                match c.kind {
                    ObjectKind::Table => Some(SchemaObject::Table { schema, name }),
                    ObjectKind::Function => Some(SchemaObject::Function { schema, name }),
                    // the code's findings read tables and functions (see the invariant above)
                    ObjectKind::View => None,
                }
            })
            .collect();
        if !objs.is_empty() {
            changed.by_root.insert(n.root.clone(), objs);
        }
    }
    Some(changed)
}
