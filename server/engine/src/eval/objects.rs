//! Member access: env objects, client namespaces, object literals (spreads honoured), class instances, and
//! the request headers and session tokens of values we do not model.

use super::*;

impl<'w> Eval<'w> {
    pub(super) fn member(
        &mut self,
        obj: Value,
        prop: &str,
        loc: Loc,
        ir: &FileIr,
        obj_expr: ExprId,
    ) -> Vals {
        match obj {
            // `options?.admin` when no options were passed
            Value::Undefined => vec![Value::Undefined],
            Value::Global(g) => match (&*g, prop) {
                ("process", "env") => vec![Value::EnvObj],
                ("Deno", "env") => vec![Value::DenoEnv],
                _ => {
                    // `req.headers.authorization` with req a global is unlikely; fall through
                    self.member_fallback(prop, loc, ir, obj_expr)
                }
            },
            Value::ImportMeta if prop == "env" => vec![Value::EnvObj],
            Value::EnvObj => vec![self.env_read(prop, loc)],
            Value::DenoEnv if prop == "get" => vec![Value::EnvGetter],
            Value::Package(p) => vec![factory_of(&p, prop).map_or(Value::Unknown, Value::Factory)],
            Value::Module(f) => self.eval_export(f, prop),
            Value::Client(c) => vec![client_member(c, None, prop)],
            Value::ClientPart(c, Part::Auth) => vec![client_member(c, Some(Part::Auth), prop)],
            Value::Object { file, expr, ctx } => {
                let found = self.object_prop(file, expr, &ctx, prop);
                if found.is_empty() {
                    vec![Value::Unknown]
                } else {
                    found
                }
            }
            Value::Instance { file, class } => self.instance_prop(file, class, prop),
            _ => self.member_fallback(prop, loc, ir, obj_expr),
        }
    }

    /// Members of values we do not model: request headers and session tokens, and env-like names on
    /// config objects (`env.SUPABASE_SERVICE_ROLE_KEY` from a t3-style env module).
    pub(super) fn member_fallback(
        &mut self,
        prop: &str,
        loc: Loc,
        ir: &FileIr,
        obj_expr: ExprId,
    ) -> Vals {
        if prop.eq_ignore_ascii_case("authorization") {
            if let Expr::Member { prop: p, .. } = ir.expr(obj_expr) {
                if &**p == "headers" {
                    return vec![user_token(loc, "the request's Authorization header")];
                }
            }
        }
        if prop == "access_token" {
            return vec![user_token(loc, "a session's access_token")];
        }
        if prop
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        {
            if let Value::Key(k) = self.env_read(prop, loc) {
                if k.level.is_some() {
                    return vec![Value::Key(k)];
                }
            }
        }
        vec![Value::Unknown]
    }

    /// The values of property `prop` of an object literal, later entries and spreads winning.
    pub fn object_prop(&mut self, file: FileId, expr: ExprId, ctx: &CallCtx, prop: &str) -> Vals {
        self.object_walk(|ev| ev.object_prop_inner(file, expr, ctx, prop))
    }

    /// `walk` one level deeper into nested objects, or nothing past [`MAX_OBJECT_DEPTH`]: `body = { ...body,
    /// s: body.f() }` reaches the same object through its own spread, and memoised evaluation returns at
    /// once, so the depth of the walk itself must be bounded.
    fn object_walk<T>(&mut self, walk: impl FnOnce(&mut Self) -> Vec<T>) -> Vec<T> {
        if self.object_depth > MAX_OBJECT_DEPTH {
            return Vec::new();
        }
        self.object_depth += 1;
        let out = walk(self);
        self.object_depth -= 1;
        out
    }

    pub(super) fn object_prop_inner(
        &mut self,
        file: FileId,
        expr: ExprId,
        ctx: &CallCtx,
        prop: &str,
    ) -> Vals {
        let Some(ir) = self.ir(file) else {
            return Vec::new();
        };
        let Expr::Object(entries) = ir.expr(expr) else {
            return Vec::new();
        };
        for entry in entries.iter().rev() {
            match entry {
                ObjEntry::Prop {
                    key: PropKey::Name(n),
                    value,
                    ..
                } if &**n == prop => return self.eval(file, *value, ctx),
                ObjEntry::Spread(e) => {
                    let mut out = Vec::new();
                    for v in self.eval(file, *e, ctx) {
                        if let Some((f2, e2, c2)) = v.into_object() {
                            out.extend(self.object_prop(f2, e2, &c2, prop));
                        }
                    }
                    if !out.is_empty() {
                        return out;
                    }
                }
                _ => {}
            }
        }
        Vec::new()
    }

    /// Properties of an object value (flattening spreads): (name, key range, value expr, file, ctx).
    pub fn object_entries(
        &mut self,
        file: FileId,
        expr: ExprId,
        ctx: &CallCtx,
        depth: u32,
    ) -> Vec<(crate::ir::Name, TextRange, ExprId, FileId, CallCtx)> {
        self.object_walk(|ev| ev.object_entries_inner(file, expr, ctx, depth))
    }

    pub(super) fn object_entries_inner(
        &mut self,
        file: FileId,
        expr: ExprId,
        ctx: &CallCtx,
        depth: u32,
    ) -> Vec<(crate::ir::Name, TextRange, ExprId, FileId, CallCtx)> {
        let mut out = Vec::new();
        let Some(ir) = self.ir(file) else { return out };
        let Expr::Object(entries) = ir.expr(expr) else {
            return out;
        };
        for entry in entries {
            match entry {
                ObjEntry::Prop {
                    key: PropKey::Name(n),
                    value,
                    key_range,
                } => out.push((n.clone(), *key_range, *value, file, ctx.clone())),
                ObjEntry::Spread(e) if depth < 8 => {
                    let alts = self.eval(file, *e, ctx);
                    let mut per_alt = Vec::new();
                    for v in &alts {
                        match v {
                            Value::Object {
                                file: f2,
                                expr: e2,
                                ctx: c2,
                            } => {
                                let (f2, e2, c2) = (*f2, *e2, c2.clone());
                                per_alt.push(self.object_entries(f2, e2, &c2, depth + 1));
                            }
                            // spreading undefined adds nothing; anything else: unknown entries
                            Value::Undefined => per_alt.push(Vec::new()),
                            _ => per_alt.push(Vec::new()),
                        }
                    }
                    // only what every alternative spreads is certainly there
                    if let Some((first, rest)) = per_alt.split_first() {
                        for entry in first {
                            if rest.iter().all(|r| r.iter().any(|x| x.0 == entry.0)) {
                                out.push(entry.clone());
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    pub(super) fn instance_prop(&mut self, file: FileId, class: ClassId, prop: &str) -> Vals {
        let Some(ir) = self.ir(file) else {
            return vec![Value::Unknown];
        };
        let c = &ir.classes[class];
        let mut out = Vec::new();
        if let Some(inits) = c.fields.get(prop) {
            for &e in inits {
                for v in self.eval(file, e, &None) {
                    push_val(&mut out, v);
                }
            }
        }
        if let Some(&g) = c.getters.get(prop) {
            for &r in &ir.funcs[g].returns {
                for v in self.eval(file, r, &None) {
                    push_val(&mut out, v);
                }
            }
        }
        if let Some(&m) = c.methods.get(prop) {
            push_val(&mut out, Value::Func { file, func: m });
        }
        if out.is_empty() {
            out.push(Value::Unknown);
        }
        out
    }
}
