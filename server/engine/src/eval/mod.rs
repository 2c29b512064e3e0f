//! The abstract evaluator: what value (key, client, client namespace, object, function…) an expression
//! may hold, followed through bindings, objects and spreads, calls (context-sensitively: a parameter takes
//! the argument of the call being evaluated), classes and `this`, and imports/exports across files.
//!
//! It is flow-insensitive (every assignment is an alternative), bounded (call depth, a step budget, a
//! cycle guard), and precise by abstention: anything it cannot follow is `Unknown`, and rules never flag on
//! `Unknown`.

// the evaluator's memo tables are hit for nearly every expression: a fast hasher for their small keys
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::rc::Rc;

use rlscope_core::keys::{classify_env_name, redact, KeyLevel, LiteralKind};
use rlscope_core::TextRange;

use crate::db::{FileId, Snapshot};
use crate::ir::*;
use crate::resolve::Resolved;

mod call;
mod modules;
mod nest;
mod objects;
mod supabase;
mod value;

pub use supabase::*;
pub use value::*;

const MAX_CALL_DEPTH: u32 = 6;
const MAX_VALUES: usize = 12;
const STEP_BUDGET: u32 = 20_000;
/// How deep evaluation may nest (eval → member → object → eval …) before it answers `Unknown`.
const MAX_EVAL_DEPTH: u32 = 160;
const MAX_OBJECT_DEPTH: u32 = 24;

#[derive(Debug)]
pub struct Frame {
    pub file: FileId,
    pub func: FuncId,
    pub args: Vec<ExprId>,
    pub caller_file: FileId,
    pub caller_ctx: CallCtx,
    pub call: Loc,
    pub depth: u32,
}

pub type CallCtx = Option<Rc<Frame>>;

pub struct Eval<'w> {
    pub snap: &'w Snapshot<'w>,
    memo: HashMap<(FileId, ExprId), Vals>,
    export_memo: HashMap<(FileId, Box<str>), Vals>,
    /// An import's value: the same for every use of the imported name in the file.
    import_memo: HashMap<(FileId, ImportId), Vals>,
    in_progress: HashSet<(FileId, ExprId, usize)>,
    exports_in_progress: HashSet<(FileId, Box<str>)>,
    steps: u32,
    depth: u32,
    object_depth: u32,
    /// The workspace's NestJS provider objects, listed on first use.
    providers: Option<Rc<[(FileId, ExprId)]>>,
}

/// Adds an alternative. Past [`MAX_VALUES`] the rest are not dropped but stand as one `Unknown`, so a value
/// with too many alternatives is never mistaken for the ones kept.
fn push_val(out: &mut Vals, v: Value) {
    if out.len() < MAX_VALUES {
        out.push(v);
    } else if !out.iter().any(|x| matches!(x, Value::Unknown)) {
        out.push(Value::Unknown);
    }
}

fn ctx_id(ctx: &CallCtx) -> usize {
    ctx.as_ref().map_or(0, |f| Rc::as_ptr(f) as usize)
}

impl<'w> Eval<'w> {
    pub fn new(snap: &'w Snapshot<'w>) -> Eval<'w> {
        Eval {
            snap,
            memo: HashMap::new(),
            export_memo: HashMap::new(),
            import_memo: HashMap::new(),
            in_progress: HashSet::new(),
            exports_in_progress: HashSet::new(),
            steps: 0,
            depth: 0,
            object_depth: 0,
            providers: None,
        }
    }

    pub fn reset_budget(&mut self) {
        self.steps = 0;
    }

    pub fn eval(&mut self, file: FileId, expr: ExprId, ctx: &CallCtx) -> Vals {
        self.steps += 1;
        if self.steps > STEP_BUDGET {
            return vec![Value::Unknown];
        }
        if ctx.is_none() {
            if let Some(v) = self.memo.get(&(file, expr)) {
                return v.clone();
            }
        }
        let key = (file, expr, ctx_id(ctx));
        if self.depth > MAX_EVAL_DEPTH || !self.in_progress.insert(key) {
            return vec![Value::Unknown];
        }
        self.depth += 1;
        let out = self.eval_inner(file, expr, ctx);
        self.depth -= 1;
        self.in_progress.remove(&key);
        if ctx.is_none() {
            self.memo.insert((file, expr), out.clone());
        }
        out
    }

    fn ir(&self, file: FileId) -> Option<&'w FileIr> {
        self.snap.ir(file)
    }

    fn eval_inner(&mut self, file: FileId, expr: ExprId, ctx: &CallCtx) -> Vals {
        let Some(ir) = self.ir(file) else {
            return vec![Value::Unknown];
        };
        let loc = Loc {
            file,
            range: ir.range(expr),
        };
        match ir.expr(expr) {
            Expr::Unknown | Expr::Array(_) => vec![Value::Unknown],
            Expr::Str(s) => {
                if let Some(k) = rlscope_core::keys::classify_literal(s) {
                    return vec![Value::Key(Rc::new(KeyVal {
                        level: Some(k.level),
                        source: KeySource::Literal {
                            kind: k.kind,
                            redacted: redact(s),
                        },
                        origin: loc,
                        via_call: None,
                    }))];
                }
                vec![Value::Str(Rc::from(&**s))]
            }
            Expr::Template(parts) => {
                let mut text = String::new();
                let mut key = None;
                let mut all_str = true;
                for p in parts {
                    match p {
                        TemplatePart::Str(s) => text.push_str(s),
                        TemplatePart::Expr(e) => {
                            let vals = self.eval(file, *e, ctx);
                            match vals.as_slice() {
                                [Value::Str(s)] => text.push_str(s),
                                _ => {
                                    all_str = false;
                                    if key.is_none() {
                                        key = vals.into_iter().find(|v| matches!(v, Value::Key(_)));
                                    }
                                }
                            }
                        }
                    }
                }
                // `Bearer ${token}` is the token
                if let Some(k) = key {
                    return vec![k];
                }
                if all_str {
                    return vec![Value::Str(text.into())];
                }
                vec![Value::Unknown]
            }
            Expr::Ident { name, scope } => match ir.lookup(*scope, name) {
                Some(b) => self.eval_binding(file, b, ctx),
                None => vec![Value::Global(Rc::from(&**name))],
            },
            Expr::Member { obj, prop, .. } => {
                let objs = self.eval(file, *obj, ctx);
                let mut out = Vec::new();
                for o in objs {
                    for v in self.member(o, prop, loc, ir, *obj) {
                        push_val(&mut out, v);
                    }
                }
                out
            }
            Expr::Index { obj, index } => {
                let objs = self.eval(file, *obj, ctx);
                // `token.split(' ')[1]`
                if let Some(Value::KeyParts(k)) =
                    objs.iter().find(|o| matches!(o, Value::KeyParts(_)))
                {
                    return vec![Value::Key(k.clone())];
                }
                if objs.iter().any(|o| matches!(o, Value::EnvObj)) {
                    let idx = self.eval(file, *index, ctx);
                    let mut out = Vec::new();
                    for i in idx {
                        if let Value::Str(name) = i {
                            push_val(&mut out, self.env_read(&name, loc));
                        } else {
                            push_val(&mut out, Value::Unknown);
                        }
                    }
                    return out;
                }
                vec![Value::Unknown]
            }
            Expr::Call { callee, args } => self.call(file, expr, *callee, args, ctx, loc),
            Expr::New { callee, args } => {
                let callees = self.eval(file, *callee, ctx);
                let mut out = Vec::new();
                for c in callees {
                    match c {
                        Value::Factory(f) => {
                            push_val(&mut out, self.build_client(f, file, expr, args, ctx, loc))
                        }
                        Value::Class { file: cf, class } => {
                            push_val(&mut out, Value::Instance { file: cf, class })
                        }
                        _ => push_val(&mut out, Value::Unknown),
                    }
                }
                out
            }
            Expr::Object(_) => vec![Value::Object {
                file,
                expr,
                ctx: ctx.clone(),
            }],
            Expr::Func(f) => vec![Value::Func { file, func: *f }],
            Expr::Class(c) => vec![Value::Class { file, class: *c }],
            Expr::Bool(b) => vec![Value::Bool(*b)],
            Expr::Undefined => vec![Value::Undefined],
            Expr::Cond { test, then, other } => {
                let (test, then, other) = (*test, *then, *other);
                let t = self.eval(file, test, ctx);
                let decided: Vec<Option<bool>> = t.iter().map(truthy).collect();
                if !decided.is_empty() && decided.iter().all(|d| *d == Some(true)) {
                    return self.eval(file, then, ctx);
                }
                if !decided.is_empty() && decided.iter().all(|d| *d == Some(false)) {
                    return self.eval(file, other, ctx);
                }
                let mut out = self.eval(file, then, ctx);
                for v in self.eval(file, other, ctx) {
                    push_val(&mut out, v);
                }
                out
            }
            Expr::Fallback { left, right } => {
                let (left, right) = (*left, *right);
                let l = self.eval(file, left, ctx);
                // a key on the left is what is meant; the right side only covers a missing variable
                if l.iter().any(|v| matches!(v, Value::Key(_))) {
                    return l
                        .into_iter()
                        .filter(|v| !matches!(v, Value::Undefined))
                        .collect();
                }
                if l.iter().all(|v| matches!(v, Value::Undefined)) {
                    return self.eval(file, right, ctx);
                }
                if l.iter()
                    .all(|v| !matches!(v, Value::Undefined | Value::Unknown))
                {
                    return l;
                }
                let mut out: Vals = l
                    .into_iter()
                    .filter(|v| !matches!(v, Value::Undefined))
                    .collect();
                for v in self.eval(file, right, ctx) {
                    push_val(&mut out, v);
                }
                out
            }
            Expr::This(Some(c)) => vec![Value::Instance { file, class: *c }],
            Expr::This(None) => vec![Value::Unknown],
            Expr::ImportMeta => vec![Value::ImportMeta],
            Expr::Param { func, index } => {
                let mut frame = ctx.clone();
                while let Some(f) = frame {
                    if f.file == file && f.func == *func {
                        let Some(&arg) = f.args.get(*index as usize) else {
                            return vec![Value::Undefined];
                        };
                        let vals = self.eval(f.caller_file, arg, &f.caller_ctx);
                        return vals
                            .into_iter()
                            .map(|v| match v {
                                Value::Key(k) if k.via_call.is_none() => {
                                    let mut k = (*k).clone();
                                    k.via_call = Some(f.call);
                                    Value::Key(Rc::new(k))
                                }
                                other => other,
                            })
                            .collect();
                    }
                    frame = f.caller_ctx.clone();
                }
                vec![Value::Unknown]
            }
            Expr::Require(spec) => vec![self.module_value(file, spec)],
            Expr::Injected { token, arg } => {
                let (token, arg) = (*token, *arg);
                let passed = self.eval(file, arg, ctx);
                if !matches!(passed.as_slice(), [Value::Unknown]) {
                    return passed;
                }
                self.injected(file, token)
            }
        }
    }
}
