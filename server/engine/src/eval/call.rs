//! Calls: React `cache(fn)`, string methods that keep a token, validators, `headers.get('authorization')`,
//! client factories, env getters, and our own functions (context-sensitively, bounded by call depth).

use super::*;

impl<'w> Eval<'w> {
    pub(super) fn call(
        &mut self,
        file: FileId,
        expr: ExprId,
        callee: ExprId,
        args: &[ExprId],
        ctx: &CallCtx,
        loc: Loc,
    ) -> Vals {
        let ir = self.ir(file).expect("file has ir");
        // React's `cache(fn)` is `fn`, memoised: `export const getUser = cache(async (supabase) => …)`
        if let (Expr::Ident { name, scope }, [f]) = (ir.expr(callee), args) {
            let is_react_cache = ir.lookup(*scope, name).is_some_and(|b| {
                matches!(ir.bindings[b].kind, BindingKind::Import(i)
                    if &*ir.imports[i].source == "react"
                        && ir.imports[i].kind == ImportKind::Named("cache".into()))
            });
            if is_react_cache {
                return self.eval(file, *f, ctx);
            }
        }
        // string methods keep a token a token: `auth.replace('Bearer ', '')`, `auth.split(' ')[1]`
        if let Expr::Member { obj, prop, .. } = ir.expr(callee) {
            let keeps = matches!(
                &**prop,
                "replace" | "replaceAll" | "trim" | "slice" | "substring" | "toString"
            );
            let splits = &**prop == "split";
            let picks = matches!(&**prop, "pop" | "at" | "shift");
            if keeps || splits || picks {
                let recv = self.eval(file, *obj, ctx);
                let mapped: Vals = recv
                    .iter()
                    .filter_map(|v| match (v, splits) {
                        (Value::Key(k), true) => Some(Value::KeyParts(k.clone())),
                        (Value::Key(k), false) if keeps => Some(Value::Key(k.clone())),
                        (Value::KeyParts(k), false) if picks => Some(Value::Key(k.clone())),
                        _ => None,
                    })
                    .collect();
                if !mapped.is_empty() {
                    return mapped;
                }
            }
        }
        // a validator hands back what it was given: `z.string().min(1).parse(process.env.SERVICE_KEY)`,
        // `envSchema.parse(process.env)` (zod and the like; not `JSON.parse`)
        if let Expr::Member { obj, prop, .. } = ir.expr(callee) {
            let is_json = matches!(ir.expr(*obj), Expr::Ident { name, .. } if &**name == "JSON");
            if &**prop == "parse" && args.len() == 1 && !is_json {
                let passed: Vals = self
                    .eval(file, args[0], ctx)
                    .into_iter()
                    .filter(|v| matches!(v, Value::Key(_) | Value::EnvObj))
                    .collect();
                if !passed.is_empty() {
                    return passed;
                }
            }
        }
        // `headers.get('authorization')`: the caller's token
        if let Expr::Member { obj, prop, .. } = ir.expr(callee) {
            if &**prop == "get" {
                if let Some(Expr::Str(s)) = args.first().map(|a| ir.expr(*a)) {
                    if s.eq_ignore_ascii_case("authorization") {
                        let headers_like = match ir.expr(*obj) {
                            Expr::Member { prop: p, .. } => &**p == "headers",
                            Expr::Call { callee: c, .. } => {
                                matches!(ir.expr(*c), Expr::Ident { name, .. } if &**name == "headers")
                            }
                            Expr::Ident { name, .. } => {
                                name.to_ascii_lowercase().contains("header")
                            }
                            _ => false,
                        };
                        if headers_like {
                            return vec![user_token(loc, "the request's Authorization header")];
                        }
                    }
                }
            }
        }
        let callees = self.eval(file, callee, ctx);
        let mut out = Vec::new();
        for c in callees {
            match c {
                Value::Factory(f) => {
                    push_val(&mut out, self.build_client(f, file, expr, args, ctx, loc))
                }
                Value::EnvGetter => {
                    let names = args
                        .first()
                        .map(|a| self.eval(file, *a, ctx))
                        .unwrap_or_default();
                    for n in names {
                        match n {
                            Value::Str(name) => push_val(&mut out, self.env_read(&name, loc)),
                            _ => push_val(&mut out, Value::Unknown),
                        }
                    }
                }
                Value::Func { file: ff, func } => {
                    let depth = ctx.as_ref().map_or(0, |f| f.depth) + 1;
                    if depth > MAX_CALL_DEPTH {
                        push_val(&mut out, Value::Unknown);
                        continue;
                    }
                    let frame = Rc::new(Frame {
                        file: ff,
                        func,
                        args: args.to_vec(),
                        caller_file: file,
                        caller_ctx: ctx.clone(),
                        call: loc,
                        depth,
                    });
                    let returns = match self.ir(ff) {
                        Some(fir) => fir.funcs[func].returns.clone(),
                        None => Vec::new(),
                    };
                    if returns.is_empty() {
                        push_val(&mut out, Value::Unknown);
                    }
                    let fctx = Some(frame);
                    for r in returns {
                        for v in self.eval(ff, r, &fctx) {
                            push_val(&mut out, v);
                        }
                    }
                }
                _ => push_val(&mut out, Value::Unknown),
            }
        }
        out
    }
}
