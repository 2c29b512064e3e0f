//! Inlay hints: the role after each request (`.from(…)`, `.rpc(…)`, `.invoke(…)`) on a known client.

use super::render::{request_role_of, role_of};
use super::InlayHint;
use crate::db::{FileId, Snapshot};
use crate::eval::{clients_of, Eval};

pub(crate) fn inlay_hints(snap: &Snapshot<'_>, file: FileId) -> Vec<InlayHint> {
    let Some(ir) = snap.ir(file) else {
        return Vec::new();
    };
    let mut ev = Eval::new(snap);
    // the requests whose own role a session-storing call decides, by their method's start
    let decided: std::collections::HashMap<u32, (String, String)> =
        crate::requests::requests(snap, file)
            .iter()
            .filter_map(|q| Some((q.name_range.start, request_role_of(snap, &q.role)?)))
            .collect();
    let mut out = Vec::new();
    for call in &ir.calls {
        let Some((obj, m)) = &call.method else {
            continue;
        };
        if !matches!(&**m, "from" | "rpc" | "invoke") {
            continue;
        }
        let method_start = match ir.expr(call.expr) {
            crate::ir::Expr::Call { callee, .. } => match ir.expr(*callee) {
                crate::ir::Expr::Member { prop_range, .. } => Some(prop_range.start),
                _ => None,
            },
            _ => None,
        };
        if let Some((label, tooltip)) = method_start.and_then(|s| decided.get(&s)) {
            out.push(InlayHint {
                offset: ir.range(call.expr).end,
                label: format!(" {label}"),
                tooltip: tooltip.clone(),
            });
            continue;
        }
        ev.reset_budget();
        let vals = ev.eval(file, *obj, &None);
        let clients = clients_of(&vals);
        if clients.is_empty() || clients.len() != vals.len() {
            continue;
        }
        let (label, tooltip) = role_of(snap, &mut ev, file, &clients[0]);
        if clients.iter().any(|c| c.site != clients[0].site) {
            continue;
        }
        out.push(InlayHint {
            offset: ir.range(call.expr).end,
            label: format!(" {label}"),
            tooltip,
        });
    }
    out
}
