//! Hover: the role of the client under the cursor (an expression, an imported or declared name, or a
//! parameter that receives a client: then what the callers pass), and on a request what row level security
//! does to it per role (`outcome`).

use std::rc::Rc;

use rlscope_core::TextRange;

use super::render::{request_role_of, role_of};
use super::Hover;
use crate::db::{FileId, Snapshot};
use crate::eval::{clients_of, Client, Eval, Part, Value};
use crate::ir::{BindingKind, Expr, ExprId};

pub(crate) fn hover(snap: &Snapshot<'_>, file: FileId, offset: u32) -> Option<Hover> {
    let role = role_hover(snap, file, offset);
    let Some(req) = crate::requests::request_at(snap, file, offset) else {
        return role;
    };
    let Some(outcome) = super::outcome::markdown(snap, file, &req) else {
        return role;
    };
    let outcome = rlscope_core::keys::redact_secrets_in(&outcome).into_owned();
    Some(match role {
        Some(mut h) => {
            h.markdown.push_str("\n\n");
            h.markdown.push_str(&outcome);
            h
        }
        // on the table name, a filter or the command: the request's own role
        None => {
            let markdown = format!(
                "**rlscope** — runs as {}\n\n{outcome}",
                crate::requests::one_line(&req.role.role)
            );
            Hover {
                range: req.range,
                markdown: rlscope_core::keys::redact_secrets_in(&markdown).into_owned(),
            }
        }
    })
}

/// The role part of the hover.
fn role_hover(snap: &Snapshot<'_>, file: FileId, offset: u32) -> Option<Hover> {
    let ir = snap.ir(file)?;
    // the smallest identifier/member/call under the cursor
    let mut best: Option<(TextRange, ExprId)> = None;
    for (i, e) in ir.exprs.iter_enumerated() {
        if !matches!(
            e,
            Expr::Ident { .. } | Expr::Member { .. } | Expr::Call { .. }
        ) {
            continue;
        }
        let r = ir.ranges[i];
        if r.touches(offset) && best.is_none_or(|(b, _)| r.len() < b.len()) {
            best = Some((r, i));
        }
    }
    // on a request (its client, its method, its chain) whose role a session-storing call decides: that request's
    // role, which is not its client's
    if let Some((r, _)) = best {
        let reqs = crate::requests::requests(snap, file);
        let on = reqs
            .iter()
            .filter(|q| {
                q.name_range.touches(offset)
                    || (q.range.start == r.start && q.range.contains_range(r))
            })
            .min_by_key(|q| q.range.len());
        if let Some((_, md)) = on.and_then(|q| request_role_of(snap, &q.role)) {
            let markdown = format!("**rlscope** — {md}");
            return Some(Hover {
                range: r,
                markdown: rlscope_core::keys::redact_secrets_in(&markdown).into_owned(),
            });
        }
    }
    let mut ev = Eval::new(snap);
    // an imported name (`import { supabaseAdmin } from …`) is not an expression: evaluate the import itself
    let import_at = ir
        .imports
        .iter_enumerated()
        .find(|(_, imp)| imp.range.touches(offset))
        .map(|(i, _)| i);
    // a declared name (`const supabase = createClient(…)`) is not an expression either: its binding's value
    let declared = || {
        ir.bindings
            .iter_enumerated()
            .find(|(_, b)| b.decl.touches(offset) && !matches!(b.kind, BindingKind::Param))
            .map(|(i, _)| i)
    };
    let (range, vals) = match (best, import_at) {
        (None, Some(i)) => (ir.imports[i].range, ev.eval_import(file, i)),
        (None, None) => {
            let b = declared()?;
            (ir.bindings[b].decl, ev.eval_binding(file, b, &None))
        }
        (Some((range, expr)), _) => {
            // on `.from` / `.rpc` / `.invoke` of a call, describe the receiver
            let target = match ir.expr(expr) {
                Expr::Member { obj, prop, .. }
                    if matches!(&**prop, "from" | "rpc" | "invoke" | "select") =>
                {
                    *obj
                }
                _ => expr,
            };
            (range, ev.eval(file, target, &None))
        }
    };
    let vals = crate::eval::without_undefined(vals);
    let clients = clients_of(&vals);
    if clients.is_empty() || clients.len() != vals.len() {
        // a client passed in as a parameter: what the callers pass
        let on_request = best.is_some_and(|(_, e)| {
            matches!(ir.expr(e), Expr::Member { prop, .. } if matches!(&**prop, "from" | "rpc" | "invoke" | "select"))
        });
        let receiver = match best.map(|(_, e)| ir.expr(e)) {
            Some(Expr::Member { obj, .. }) if on_request => *obj,
            _ => best?.1,
        };
        return param_hover(snap, &mut ev, file, range, receiver, on_request);
    }
    let mut seen: Vec<Rc<Client>> = Vec::new();
    let mut lines = Vec::new();
    for c in clients {
        if seen.iter().any(|s| s.site == c.site) {
            continue;
        }
        let (_, md) = role_of(snap, &mut ev, file, &c);
        lines.push(md);
        seen.push(c);
    }
    let prefix = match vals.first() {
        Some(Value::ClientPart(_, Part::Admin)) => {
            "`auth.admin` sends the constructor key, not the session. "
        }
        _ => "",
    };
    let markdown = format!("**rlscope** — {prefix}{}", lines.join("\n\n"));
    Some(Hover {
        range,
        markdown: rlscope_core::keys::redact_secrets_in(&markdown).into_owned(),
    })
}

/// The hover of a parameter that receives a client: the roles of the clients its callers pass, from this file and
/// the files that import it. `on_request` (the cursor is on `.from(…)` and the like): say so also when no caller
/// is found, since the receiver is plainly a client.
fn param_hover(
    snap: &Snapshot<'_>,
    ev: &mut Eval,
    file: FileId,
    range: TextRange,
    receiver: crate::ir::ExprId,
    on_request: bool,
) -> Option<Hover> {
    let ir = snap.ir(file)?;
    // `supabase.storage.from(…)`, `supabase.auth.admin.…`: the client is the root of the chain
    let mut receiver = receiver;
    while let Expr::Member { obj, prop, .. } = ir.expr(receiver) {
        if !matches!(&**prop, "storage" | "functions" | "auth" | "admin" | "mfa") {
            return None;
        }
        receiver = *obj;
    }
    let Expr::Ident { name, scope } = ir.expr(receiver) else {
        return None;
    };
    let b = ir.lookup(*scope, name)?;
    let binding = &ir.bindings[b];
    if binding.kind != BindingKind::Param {
        return None;
    }
    // `(supabase) => …` or `({ supabase }) => …`
    let (func, index, prop) = match binding.inits.first().map(|&i| ir.expr(i)) {
        Some(Expr::Param { func, index }) => (*func, *index, None),
        Some(Expr::Member { obj, prop, .. }) => match ir.expr(*obj) {
            Expr::Param { func, index } => (*func, *index, Some(prop.clone())),
            _ => return None,
        },
        _ => return None,
    };
    // this file first, then its importers (bounded: a hover must stay quick in a big workspace)
    let mut callers = vec![file];
    callers.extend(
        snap.importers(file)
            .into_iter()
            .filter(|&f| f != file)
            .take(300),
    );
    let mut passed: Vec<(Rc<Client>, crate::eval::Loc)> = Vec::new();
    'files: for caller in callers {
        let Some(cir) = snap.ir(caller) else { continue };
        for call in &cir.calls {
            if passed.len() >= 8 {
                break 'files;
            }
            let Expr::Call { callee, args } = cir.expr(call.expr) else {
                continue;
            };
            let Some(&arg) = args.get(index as usize) else {
                continue;
            };
            ev.reset_budget();
            let calls_it = ev
                .eval(caller, *callee, &None)
                .iter()
                .any(|v| matches!(v, Value::Func { file: f, func: g } if *f == file && *g == func));
            if !calls_it {
                continue;
            }
            let vals = ev.eval(caller, arg, &None);
            let vals = match &prop {
                None => vals,
                Some(p) => vals
                    .into_iter()
                    .flat_map(|v| match v {
                        Value::Object { file, expr, ctx } => ev.object_prop(file, expr, &ctx, p),
                        _ => Vec::new(),
                    })
                    .collect(),
            };
            let at = crate::eval::Loc {
                file: caller,
                range: cir.range(call.expr),
            };
            for c in clients_of(&vals) {
                passed.push((c, at));
            }
        }
    }
    let markdown = if passed.is_empty() {
        if !on_request {
            return None;
        }
        format!(
            "**rlscope** — `{name}` is a parameter: the role depends on the client each caller passes (no call found in this file or the files that import it)"
        )
    } else {
        let mut lines = Vec::new();
        let mut seen: Vec<crate::eval::Loc> = Vec::new();
        for (c, at) in &passed {
            if seen.contains(&c.site) {
                continue;
            }
            seen.push(c.site);
            let (_, md) = role_of(snap, ev, file, c);
            lines.push(format!(
                "- from {}: {md}",
                snap.describe_loc(at.file, at.range.start)
            ));
        }
        format!(
            "**rlscope** — `{name}` is a parameter; its callers pass:\n\n{}",
            lines.join("\n")
        )
    };
    Some(Hover {
        range,
        markdown: rlscope_core::keys::redact_secrets_in(&markdown).into_owned(),
    })
}
