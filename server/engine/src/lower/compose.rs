//! Composing per-statement fragments into one summary: ids offset, ranges moved, module-level
//! redeclarations merged, assignments to outer names and `export { x }` resolved last.

use super::*;

/// Joins fragments (in statement order, each with its range in the current text) into one summary: ids
/// are offset, ranges moved, module-level redeclarations merged, and assignments to outer names and
/// `export { x }` resolved, exactly as one walk over the whole file would have produced them.
pub(super) fn compose<'f>(frags: impl Iterator<Item = (TextRange, Cow<'f, Fragment>)>) -> FileIr {
    let mut out = FileIr::default();
    out.scopes.push(Scope::default());
    let mut pending_assigns = Vec::new();
    let mut pending_exports = Vec::new();
    let mut last_import_end = None;
    for (at, frag) in frags {
        let mut f = frag.into_owned();
        let delta = at.start as i64 - f.base as i64;
        let mv = |r: TextRange| {
            TextRange::new(
                (r.start as i64 + delta) as u32,
                (r.end as i64 + delta) as u32,
            )
        };
        let e0 = out.exprs.len();
        let f0 = out.funcs.len();
        let c0 = out.classes.len();
        let i0 = out.imports.len();
        // the fragment's scope 0 is the module scope; its other scopes follow the ones already composed
        let s0 = out.scopes.len() - 1;
        let scope = |s: ScopeId| if s == ScopeId::MODULE { s } else { s + s0 };
        let ir = &mut f.ir;

        // bindings: a module-level name declared by an earlier statement merges into that binding
        let mut bmap: IndexVec<BindingId, BindingId> = IndexVec::with_capacity(ir.bindings.len());
        for mut b in std::mem::take(&mut ir.bindings) {
            let local = bmap.next_index();
            for i in &mut b.inits {
                *i += e0;
            }
            b.decl = mv(b.decl);
            let module_level = ir.scopes[ScopeId::MODULE].names.get(&b.name) == Some(&local);
            if module_level {
                if let Some(&existing) = out.scopes[ScopeId::MODULE].names.get(&b.name) {
                    out.bindings[existing].inits.extend(b.inits);
                    bmap.push(existing);
                    continue;
                }
            }
            b.kind = match b.kind {
                BindingKind::Func(x) => BindingKind::Func(x + f0),
                BindingKind::Class(x) => BindingKind::Class(x + c0),
                BindingKind::Import(x) => BindingKind::Import(x + i0),
                k => k,
            };
            let id = out.bindings.push(b);
            if module_level {
                out.scopes[ScopeId::MODULE]
                    .names
                    .insert(out.bindings[id].name.clone(), id);
            }
            bmap.push(id);
        }
        for mut sc in std::mem::take(&mut ir.scopes).into_iter().skip(1) {
            sc.parent = sc.parent.map(scope);
            for b in sc.names.values_mut() {
                *b = bmap[*b];
            }
            out.scopes.push(sc);
        }
        for (e, r) in ir.exprs.iter_mut().zip(ir.ranges.iter_mut()) {
            *r = mv(*r);
            relocate_expr(e, e0, f0, c0, &scope, &mv);
        }
        out.exprs.append(&mut ir.exprs);
        out.ranges.append(&mut ir.ranges);
        for mut func in std::mem::take(&mut ir.funcs) {
            func.range = mv(func.range);
            for r in &mut func.returns {
                *r += e0;
            }
            out.funcs.push(func);
        }
        for mut class in std::mem::take(&mut ir.classes) {
            class.range = mv(class.range);
            for v in class.fields.values_mut().flatten() {
                *v += e0;
            }
            for m in class.methods.values_mut().chain(class.getters.values_mut()) {
                *m += f0;
            }
            if let Some(c) = &mut class.constructor {
                *c += f0;
            }
            out.classes.push(class);
        }
        for mut imp in std::mem::take(&mut ir.imports) {
            imp.range = mv(imp.range);
            out.imports.push(imp);
        }
        for (name, target) in std::mem::take(&mut ir.exports) {
            let target = match target {
                ExportTarget::Expr(e) => ExportTarget::Expr(e + e0),
                ExportTarget::Binding(b) => ExportTarget::Binding(bmap[b]),
                t => t,
            };
            out.exports.insert(name, target);
        }
        out.star_exports.append(&mut ir.star_exports);
        for mut call in ir.calls.drain(..) {
            call.expr += e0;
            if let Some((obj, _)) = &mut call.method {
                *obj += e0;
            }
            out.calls.push(call);
        }
        out.env_reads.extend(ir.env_reads.iter().map(|&e| e + e0));
        out.providers.extend(ir.providers.iter().map(|&e| e + e0));
        out.injects |= ir.injects;
        for mut lit in ir.key_literals.drain(..) {
            lit.range = mv(lit.range);
            out.key_literals.push(lit);
        }
        out.specifiers.append(&mut ir.specifiers);
        out.imports_server_only |= ir.imports_server_only;
        out.is_deno |= ir.is_deno;
        pending_assigns.extend(
            f.pending_assigns
                .into_iter()
                .map(|(name, s, rhs)| (name, scope(s), rhs + e0)),
        );
        pending_exports.append(&mut f.pending_exports);
        if let Some(end) = f.last_import_end {
            last_import_end = Some((end as i64 + delta) as u32);
        }
    }
    for (name, scope, rhs) in pending_assigns {
        if let Some(b) = out.lookup(scope, &name) {
            out.bindings[b].inits.push(rhs);
        }
    }
    for (exported, local) in pending_exports {
        if let Some(b) = out.lookup(ScopeId::MODULE, &local) {
            out.exports.insert(exported, ExportTarget::Binding(b));
        }
    }
    out.import_insert_at = last_import_end.unwrap_or(u32::MAX);
    out
}

pub(super) fn relocate_expr(
    e: &mut Expr,
    e0: usize,
    f0: usize,
    c0: usize,
    scope: &impl Fn(ScopeId) -> ScopeId,
    mv: &impl Fn(TextRange) -> TextRange,
) {
    match e {
        Expr::Unknown
        | Expr::Str(_)
        | Expr::Bool(_)
        | Expr::Undefined
        | Expr::ImportMeta
        | Expr::Require(_)
        | Expr::This(None) => {}
        Expr::Template(parts) => {
            for p in parts {
                if let TemplatePart::Expr(x) = p {
                    *x += e0;
                }
            }
        }
        Expr::Ident { scope: s, .. } => *s = scope(*s),
        Expr::Member {
            obj, prop_range, ..
        } => {
            *obj += e0;
            *prop_range = mv(*prop_range);
        }
        Expr::Index { obj, index } => {
            *obj += e0;
            *index += e0;
        }
        Expr::Call { callee, args } | Expr::New { callee, args } => {
            *callee += e0;
            for a in args {
                *a += e0;
            }
        }
        Expr::Object(entries) => {
            for entry in entries {
                match entry {
                    ObjEntry::Prop {
                        value, key_range, ..
                    } => {
                        *value += e0;
                        *key_range = mv(*key_range);
                    }
                    ObjEntry::Spread(x) => *x += e0,
                }
            }
        }
        Expr::Array(xs) => {
            for x in xs {
                *x += e0;
            }
        }
        Expr::Func(f) => *f += f0,
        Expr::Class(c) | Expr::This(Some(c)) => *c += c0,
        Expr::Cond { test, then, other } => {
            *test += e0;
            *then += e0;
            *other += e0;
        }
        Expr::Fallback { left, right } => {
            *left += e0;
            *right += e0;
        }
        Expr::Injected { token, arg } => {
            *token += e0;
            *arg += e0;
        }
        Expr::Param { func, .. } => *func += f0,
    }
}

/// The whole file in one walk, as before fragments: the reference the composition is tested against.
#[cfg(test)]
pub(super) fn lower_whole(tree: &Tree, text: &str) -> FileIr {
    let root = tree.root_node();
    let mut l = Lowerer::new(text, field_ids(&tree.language()));
    l.stmts(root);
    l.finish();
    let mut ir = l.ir;
    module_facts(&mut ir, root, text);
    ir
}
