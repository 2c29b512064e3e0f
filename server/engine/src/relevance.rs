//! Which importers of a prefilter seed can have findings, decided by evaluating the seed's exports: the
//! Eval-driven half of the prefilter (the byte half is `prefilter`). Seeds are summarised first; an
//! importer joins when its text names an export that is, or yields, a client, factory or key.

use std::collections::{HashMap, HashSet};

use crate::db::{FileId, Snapshot};
use crate::eval::{Eval, Value};
use crate::resolve::Resolved;

/// From the seeds, the files that can have findings: a file that imports a relevant file joins when its
/// text names one of that file's *interesting* exports (a client, factory, key, or a function, object or
/// class that yields one), or re-exports everything (`export *`), or the file's default export is
/// interesting. Importing only data helpers (`getPosts`) from a Supabase module does not make a page
/// relevant: nothing it can reach is a client or a key.
pub fn expand(
    snap: &Snapshot<'_>,
    seeds: &[FileId],
    rdeps: &HashMap<FileId, Vec<FileId>>,
) -> Vec<FileId> {
    let mut relevant: HashSet<FileId> = seeds.iter().copied().collect();
    let mut queue: Vec<FileId> = seeds.to_vec();
    let mut ev = Eval::new(snap);
    while let Some(s) = queue.pop() {
        let Some(importers) = rdeps.get(&s) else {
            continue;
        };
        let pending: Vec<FileId> = importers
            .iter()
            .copied()
            .filter(|y| !relevant.contains(y))
            .collect();
        if pending.is_empty() {
            continue;
        }
        ev.reset_budget();
        let (names, default) = interesting_exports(&mut ev, snap, s, 0);
        for y in pending {
            let text = snap.text(y);
            let joins =
                default || text.contains("export *") || names.iter().any(|n| text.contains(&**n));
            if joins && relevant.insert(y) {
                queue.push(y);
            }
        }
    }
    let mut out: Vec<FileId> = relevant.into_iter().collect();
    out.sort_unstable();
    out
}

fn interesting_exports(
    ev: &mut Eval,
    snap: &Snapshot<'_>,
    file: FileId,
    depth: u32,
) -> (Vec<Box<str>>, bool) {
    let Some(ir) = snap.ir(file) else {
        return (Vec::new(), false);
    };
    let mut names = Vec::new();
    let mut default = false;
    let mut exported: Vec<Box<str>> = ir.exports.keys().map(|k| Box::from(&**k)).collect();
    exported.sort();
    for name in exported {
        let vals = ev.eval_export(file, &name);
        if interesting(ev, &vals, 0) {
            if &*name == "default" {
                default = true;
            } else {
                names.push(name);
            }
        }
    }
    // names re-exported with `export *`
    if depth < 8 {
        for src in &ir.star_exports {
            if let Resolved::File(p) = snap.resolve(file, src) {
                if let Some(t) = snap.file_id(&p) {
                    names.extend(interesting_exports(ev, snap, t, depth + 1).0);
                }
            } else if crate::eval::supabase_package(src).is_some() {
                default = true;
            }
        }
    }
    (names, default)
}

fn interesting(ev: &mut Eval, vals: &[Value], depth: u32) -> bool {
    vals.iter().any(|v| match v {
        Value::Client(_)
        | Value::ClientPart(..)
        | Value::Factory(_)
        | Value::Module(_)
        | Value::Package(_)
        | Value::Class { .. } => true,
        Value::Instance { .. } => true,
        Value::Key(k) => k.level.is_some(),
        Value::Func { file, func } if depth < 3 => {
            let returns = ev
                .snap
                .ir(*file)
                .map(|ir| ir.funcs[*func].returns.clone())
                .unwrap_or_default();
            returns.into_iter().any(|r| {
                let rv = ev.eval(*file, r, &None);
                interesting(ev, &rv, depth + 1)
            })
        }
        Value::Object { file, expr, ctx } if depth < 3 => {
            let entries = ev.object_entries(*file, *expr, ctx, 0);
            entries.into_iter().any(|(_, _, e, f, c)| {
                let rv = ev.eval(f, e, &c);
                interesting(ev, &rv, depth + 1)
            })
        }
        _ => false,
    })
}
