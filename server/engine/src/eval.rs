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

use crate::ir::*;
use crate::resolve::Resolved;
use crate::workspace::{FileId, Snapshot};

const MAX_CALL_DEPTH: u32 = 6;
const MAX_VALUES: usize = 12;
const STEP_BUDGET: u32 = 20_000;
/// How deep evaluation may nest (eval → member → object → eval …) before it answers `Unknown`.
const MAX_EVAL_DEPTH: u32 = 160;
const MAX_OBJECT_DEPTH: u32 = 24;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Loc {
    pub file: FileId,
    pub range: TextRange,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// An environment variable; `by_value` when a `.env` file's value decided the level.
    Env {
        name: Rc<str>,
        by_value: bool,
    },
    Literal {
        kind: LiteralKind,
        redacted: String,
    },
    /// A user's token taken from the request (`req.headers.get('Authorization')`, `session.access_token`).
    Request {
        what: Rc<str>,
    },
    /// The auth-helpers default (`NEXT_PUBLIC_SUPABASE_ANON_KEY`).
    Default,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyVal {
    /// `None`: a string read from the environment whose level we cannot tell.
    pub level: Option<KeyLevel>,
    pub source: KeySource,
    pub origin: Loc,
    /// The outermost call whose argument supplied this value (set when it flowed through a parameter).
    pub via_call: Option<Loc>,
}

impl KeyVal {
    pub fn describe(&self) -> String {
        match &self.source {
            KeySource::Env {
                name,
                by_value: true,
            } => {
                let word = level_word(self.level);
                let article = if matches!(word, "anon" | "unknown") {
                    "an"
                } else {
                    "a"
                };
                format!("`{name}` ({article} {word} key by its value in .env)")
            }
            KeySource::Env { name, .. } => format!("`{name}`"),
            KeySource::Literal {
                kind: LiteralKind::Secret,
                ..
            } => "a hard-coded secret key (`sb_secret_…`)".into(),
            KeySource::Literal { redacted, .. } => format!("a hard-coded key `{redacted}`"),
            KeySource::Request { what } => format!("the caller's token from {what}"),
            KeySource::Default => "the default `NEXT_PUBLIC_SUPABASE_ANON_KEY`".into(),
        }
    }

    /// Identity for "is this the same key": the env name or the literal.
    pub fn same_key(&self, other: &KeyVal) -> bool {
        match (&self.source, &other.source) {
            (KeySource::Env { name: a, .. }, KeySource::Env { name: b, .. }) => a == b,
            (KeySource::Literal { redacted: a, .. }, KeySource::Literal { redacted: b, .. }) => {
                a == b && self.level == other.level
            }
            _ => false,
        }
    }

    /// Whether the service level comes from something Supabase-specific (a decoded value, or an env name
    /// that mentions Supabase) rather than just `SECRET_KEY` in a name (Stripe's keys have that too).
    pub fn is_supabase_specific(&self) -> bool {
        match &self.source {
            KeySource::Env { name, by_value } => {
                *by_value || {
                    let u = name.to_ascii_uppercase();
                    u.contains("SUPABASE") || u.starts_with("SB_") || u.contains("_SB_")
                }
            }
            _ => true,
        }
    }
}

fn level_word(level: Option<KeyLevel>) -> &'static str {
    match level {
        Some(KeyLevel::Service) => "service-role",
        Some(KeyLevel::Anon) => "anon",
        Some(KeyLevel::User) => "user",
        None => "unknown",
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FactoryKind {
    /// `createClient(url, key, options)` / `new SupabaseClient(url, key, options)` from supabase-js.
    SupabaseJs,
    /// `@supabase/ssr` `createServerClient(url, key, { cookies })`.
    SsrServer,
    /// `@supabase/ssr` `createBrowserClient(url, key, options)`.
    SsrBrowser,
    /// auth-helpers-nextjs server factories: `(context, { supabaseUrl, supabaseKey, options })`.
    HelperServer,
    /// auth-helpers-nextjs browser factories: `({ supabaseUrl, supabaseKey, options })`.
    HelperBrowser,
    /// auth-helpers-remix `createServerClient(url, key, { request, response })`.
    RemixServer,
    /// auth-helpers-remix `createBrowserClient(url, key)`.
    RemixBrowser,
    /// auth-helpers-sveltekit `createSupabaseServerClient({ supabaseUrl, supabaseKey, event })`.
    SvelteServer,
    /// auth-helpers-sveltekit `createSupabaseLoadClient({ … })` (runs in the browser too).
    SvelteLoad,
    /// A project's own factory named in the config, called like `createClient`.
    Custom,
}

impl FactoryKind {
    /// Cookie-based: the session in the request's cookies replaces the key.
    pub fn is_cookie_based(self) -> bool {
        !matches!(self, FactoryKind::SupabaseJs | FactoryKind::Custom)
    }

    pub fn is_browser(self) -> bool {
        matches!(
            self,
            FactoryKind::SsrBrowser
                | FactoryKind::HelperBrowser
                | FactoryKind::RemixBrowser
                | FactoryKind::SvelteLoad
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Factory {
    pub kind: FactoryKind,
    pub name: Rc<str>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// The `Authorization: …` property.
    pub loc: Loc,
    /// The header's value, when it is a key or token we recognise.
    pub value: Option<Rc<KeyVal>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Client {
    pub factory: Factory,
    /// The factory call.
    pub site: Loc,
    pub key: Option<Rc<KeyVal>>,
    /// The key argument (or the call, when the key is a default).
    pub key_loc: Loc,
    pub header: Option<Header>,
    /// The `accessToken` option (third-party auth).
    pub access_token: Option<Loc>,
    /// A cookie adapter whose `getAll`/`get` never yields a cookie (so no session can ever replace the key).
    pub cookies_never_session: bool,
    /// Created outside any function: one instance shared by every request.
    pub module_level: bool,
    /// The factory call expression (in `site.file`).
    pub site_expr: ExprId,
    /// The outermost call this client was built under, when it was built while evaluating a call's body.
    pub ctx_call: Option<Loc>,
}

impl Client {
    pub fn key_level(&self) -> Option<KeyLevel> {
        self.key.as_ref().and_then(|k| k.level)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    Auth,
    Admin,
    Mfa,
    Functions,
    Storage,
}

#[derive(Clone, Debug)]
pub enum Value {
    Unknown,
    Str(Rc<str>),
    Key(Rc<KeyVal>),
    /// `process.env`, `import.meta.env`, SvelteKit's dynamic `env`.
    EnvObj,
    /// `Deno.env`
    DenoEnv,
    /// `Deno.env.get`
    EnvGetter,
    ImportMeta,
    /// An unresolved global (`process`, `Deno`, …).
    Global(Rc<str>),
    Module(FileId),
    /// A namespace import / require of a Supabase package, normalised (`@supabase/supabase-js`).
    Package(Rc<str>),
    Factory(Factory),
    Client(Rc<Client>),
    ClientPart(Rc<Client>, Part),
    Func {
        file: FileId,
        func: FuncId,
    },
    Class {
        file: FileId,
        class: ClassId,
    },
    Instance {
        file: FileId,
        class: ClassId,
    },
    Object {
        file: FileId,
        expr: ExprId,
        ctx: Ctx,
    },
    Bool(bool),
    /// `undefined`, `null`, or an argument that was not passed.
    Undefined,
    /// `token.split(' ')`: the parts of a key or token.
    KeyParts(Rc<KeyVal>),
}

/// Whether a value is truthy, when that is known.
fn truthy(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Undefined => Some(false),
        Value::Str(s) => Some(!s.is_empty()),
        Value::Object { .. }
        | Value::Func { .. }
        | Value::Class { .. }
        | Value::Instance { .. }
        | Value::Client(_)
        | Value::ClientPart(..)
        | Value::Factory(_) => Some(true),
        _ => None,
    }
}

pub type Vals = Vec<Value>;

/// `client ? … : null`: where a method is called on it, the value is the client, so `undefined` drops out
/// when something else is there.
pub fn without_undefined(mut vals: Vals) -> Vals {
    if vals.iter().any(|v| !matches!(v, Value::Undefined)) {
        vals.retain(|v| !matches!(v, Value::Undefined));
    }
    vals
}

#[derive(Debug)]
pub struct Frame {
    pub file: FileId,
    pub func: FuncId,
    pub args: Vec<ExprId>,
    pub caller_file: FileId,
    pub caller_ctx: Ctx,
    pub call: Loc,
    pub depth: u32,
}

pub type Ctx = Option<Rc<Frame>>;

pub struct Eval<'w> {
    pub snap: &'w Snapshot<'w>,
    memo: HashMap<(FileId, ExprId), Vals>,
    export_memo: HashMap<(FileId, Box<str>), Vals>,
    /// An import's value: the same for every use of the imported name in the file.
    import_memo: HashMap<(FileId, u32), Vals>,
    in_progress: HashSet<(FileId, ExprId, usize)>,
    exports_in_progress: HashSet<(FileId, Box<str>)>,
    steps: u32,
    depth: u32,
    object_depth: u32,
}

fn push_val(out: &mut Vals, v: Value) {
    if out.len() < MAX_VALUES {
        out.push(v);
    }
}

fn ctx_id(ctx: &Ctx) -> usize {
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
        }
    }

    pub fn reset_budget(&mut self) {
        self.steps = 0;
    }

    pub fn eval(&mut self, file: FileId, expr: ExprId, ctx: &Ctx) -> Vals {
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

    fn eval_inner(&mut self, file: FileId, expr: ExprId, ctx: &Ctx) -> Vals {
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
        }
    }

    pub fn eval_binding(&mut self, file: FileId, b: BindingId, ctx: &Ctx) -> Vals {
        let Some(ir) = self.ir(file) else {
            return vec![Value::Unknown];
        };
        let binding = &ir.bindings[b as usize];
        if let BindingKind::Import(i) = binding.kind {
            return self.eval_import(file, i);
        }
        if binding.inits.is_empty() {
            return vec![Value::Unknown];
        }
        let mut out = Vec::new();
        for &init in &binding.inits {
            for v in self.eval(file, init, ctx) {
                push_val(&mut out, v);
            }
        }
        out
    }

    pub fn eval_import(&mut self, file: FileId, i: u32) -> Vals {
        if let Some(v) = self.import_memo.get(&(file, i)) {
            return v.clone();
        }
        let out = self.eval_import_inner(file, i);
        // a value cut short by the step budget is not the import's value
        if self.steps <= STEP_BUDGET {
            self.import_memo.insert((file, i), out.clone());
        }
        out
    }

    fn eval_import_inner(&mut self, file: FileId, i: u32) -> Vals {
        let Some(ir) = self.ir(file) else {
            return vec![Value::Unknown];
        };
        let import = &ir.imports[i as usize];
        let loc = Loc {
            file,
            range: import.range,
        };
        let source = &*import.source;
        // SvelteKit's env modules
        if source.starts_with("$env/static/") {
            if let ImportKind::Named(n) = &import.kind {
                return vec![self.env_read(n, loc)];
            }
        }
        if source.starts_with("$env/dynamic/") {
            return vec![Value::EnvObj];
        }
        if let ImportKind::Named(n) = &import.kind {
            if self.snap.config.client_factories.iter().any(|f| **f == **n) {
                return vec![Value::Factory(Factory {
                    kind: FactoryKind::Custom,
                    name: Rc::from(&**n),
                })];
            }
        }
        match self.snap.resolve(file, source) {
            Resolved::File(path) => {
                let Some(target) = self.snap.file_id(&path) else {
                    return vec![Value::Unknown];
                };
                match &import.kind {
                    ImportKind::Named(n) => self.eval_export(target, n),
                    ImportKind::Default => self.eval_export(target, "default"),
                    ImportKind::Namespace => vec![Value::Module(target)],
                }
            }
            Resolved::External => {
                let Some(pkg) = supabase_package(source) else {
                    return vec![Value::Unknown];
                };
                match &import.kind {
                    ImportKind::Named(n) => {
                        vec![factory_of(pkg, n).map_or(Value::Unknown, Value::Factory)]
                    }
                    ImportKind::Default | ImportKind::Namespace => {
                        vec![Value::Package(Rc::from(pkg))]
                    }
                }
            }
        }
    }

    pub fn eval_export(&mut self, file: FileId, name: &str) -> Vals {
        let memo_key = (file, Box::<str>::from(name));
        if let Some(v) = self.export_memo.get(&memo_key) {
            return v.clone();
        }
        if !self.exports_in_progress.insert(memo_key.clone()) {
            return vec![Value::Unknown];
        }
        let out = self.eval_export_inner(file, name);
        self.exports_in_progress.remove(&memo_key);
        self.export_memo.insert(memo_key, out.clone());
        out
    }

    fn eval_export_inner(&mut self, file: FileId, name: &str) -> Vals {
        let Some(ir) = self.ir(file) else {
            return vec![Value::Unknown];
        };
        match ir.exports.get(name) {
            Some(ExportTarget::Expr(e)) => self.eval(file, *e, &None),
            Some(ExportTarget::Binding(b)) => self.eval_binding(file, *b, &None),
            Some(ExportTarget::Reexport {
                source,
                name: inner,
            }) => match self.snap.resolve(file, source) {
                Resolved::File(p) => match self.snap.file_id(&p) {
                    Some(t) => self.eval_export(t, inner),
                    None => vec![Value::Unknown],
                },
                Resolved::External => {
                    match supabase_package(source).and_then(|pkg| factory_of(pkg, inner)) {
                        Some(f) => vec![Value::Factory(f)],
                        None => vec![Value::Unknown],
                    }
                }
            },
            Some(ExportTarget::ReexportNamespace { source }) => {
                vec![self.module_value(file, source)]
            }
            None => {
                for source in ir.star_exports.clone() {
                    match self.snap.resolve(file, &source) {
                        Resolved::File(p) => {
                            if let Some(t) = self.snap.file_id(&p) {
                                let v = self.eval_export(t, name);
                                if v.iter().any(|x| !matches!(x, Value::Unknown)) {
                                    return v;
                                }
                            }
                        }
                        Resolved::External => {
                            if let Some(f) =
                                supabase_package(&source).and_then(|pkg| factory_of(pkg, name))
                            {
                                return vec![Value::Factory(f)];
                            }
                        }
                    }
                }
                vec![Value::Unknown]
            }
        }
    }

    fn module_value(&mut self, file: FileId, spec: &str) -> Value {
        match self.snap.resolve(file, spec) {
            Resolved::File(p) => self.snap.file_id(&p).map_or(Value::Unknown, Value::Module),
            Resolved::External => {
                supabase_package(spec).map_or(Value::Unknown, |p| Value::Package(Rc::from(p)))
            }
        }
    }

    pub fn env_read(&self, name: &str, loc: Loc) -> Value {
        let (level, by_value) = match self.snap.env_level(name) {
            Some(l) => (Some(l), true),
            None => (
                classify_env_name(
                    name,
                    &self.snap.config.service_env_names,
                    &self.snap.config.anon_env_names,
                ),
                false,
            ),
        };
        Value::Key(Rc::new(KeyVal {
            level,
            source: KeySource::Env {
                name: Rc::from(name),
                by_value,
            },
            origin: loc,
            via_call: None,
        }))
    }

    fn member(&mut self, obj: Value, prop: &str, loc: Loc, ir: &FileIr, obj_expr: ExprId) -> Vals {
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
            Value::Client(c) => match prop {
                "auth" => vec![Value::ClientPart(c, Part::Auth)],
                "functions" => vec![Value::ClientPart(c, Part::Functions)],
                "storage" => vec![Value::ClientPart(c, Part::Storage)],
                _ => vec![Value::Unknown],
            },
            Value::ClientPart(c, Part::Auth) => match prop {
                "admin" => vec![Value::ClientPart(c, Part::Admin)],
                "mfa" => vec![Value::ClientPart(c, Part::Mfa)],
                _ => vec![Value::Unknown],
            },
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
    fn member_fallback(&mut self, prop: &str, loc: Loc, ir: &FileIr, obj_expr: ExprId) -> Vals {
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
    pub fn object_prop(&mut self, file: FileId, expr: ExprId, ctx: &Ctx, prop: &str) -> Vals {
        // `body = { ...body, s: body.f() }` reaches the same object through its own spread: memoised
        // evaluation returns at once, so the depth of this walk itself must be bounded
        if self.object_depth > MAX_OBJECT_DEPTH {
            return Vec::new();
        }
        self.object_depth += 1;
        let out = self.object_prop_inner(file, expr, ctx, prop);
        self.object_depth -= 1;
        out
    }

    fn object_prop_inner(&mut self, file: FileId, expr: ExprId, ctx: &Ctx, prop: &str) -> Vals {
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
                        if let Value::Object {
                            file: f2,
                            expr: e2,
                            ctx: c2,
                        } = v
                        {
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
        ctx: &Ctx,
        depth: u32,
    ) -> Vec<(crate::ir::Name, TextRange, ExprId, FileId, Ctx)> {
        if self.object_depth > MAX_OBJECT_DEPTH {
            return Vec::new();
        }
        self.object_depth += 1;
        let out = self.object_entries_inner(file, expr, ctx, depth);
        self.object_depth -= 1;
        out
    }

    fn object_entries_inner(
        &mut self,
        file: FileId,
        expr: ExprId,
        ctx: &Ctx,
        depth: u32,
    ) -> Vec<(crate::ir::Name, TextRange, ExprId, FileId, Ctx)> {
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

    fn instance_prop(&mut self, file: FileId, class: ClassId, prop: &str) -> Vals {
        let Some(ir) = self.ir(file) else {
            return vec![Value::Unknown];
        };
        let c = &ir.classes[class as usize];
        let mut out = Vec::new();
        if let Some(inits) = c.fields.get(prop) {
            for &e in inits {
                for v in self.eval(file, e, &None) {
                    push_val(&mut out, v);
                }
            }
        }
        if let Some(&g) = c.getters.get(prop) {
            for &r in &ir.funcs[g as usize].returns {
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

    fn call(
        &mut self,
        file: FileId,
        expr: ExprId,
        callee: ExprId,
        args: &[ExprId],
        ctx: &Ctx,
        loc: Loc,
    ) -> Vals {
        let ir = self.ir(file).expect("file has ir");
        // React's `cache(fn)` is `fn`, memoised: `export const getUser = cache(async (supabase) => …)`
        if let (Expr::Ident { name, scope }, [f]) = (ir.expr(callee), args) {
            let is_react_cache = ir.lookup(*scope, name).is_some_and(|b| {
                matches!(ir.bindings[b as usize].kind, BindingKind::Import(i)
                    if &*ir.imports[i as usize].source == "react"
                        && ir.imports[i as usize].kind == ImportKind::Named("cache".into()))
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
                        Some(fir) => fir.funcs[func as usize].returns.clone(),
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

    fn build_client(
        &mut self,
        factory: Factory,
        file: FileId,
        site_expr: ExprId,
        args: &[ExprId],
        ctx: &Ctx,
        loc: Loc,
    ) -> Value {
        let ir = self.ir(file).expect("file has ir");
        let (key_expr, options): (Option<(FileId, ExprId, Ctx)>, Vals) = match factory.kind {
            FactoryKind::SupabaseJs
            | FactoryKind::SsrServer
            | FactoryKind::SsrBrowser
            | FactoryKind::RemixServer
            | FactoryKind::RemixBrowser
            | FactoryKind::Custom => {
                let opts = args
                    .get(2)
                    .map(|o| self.eval(file, *o, ctx))
                    .unwrap_or_default();
                (args.get(1).map(|k| (file, *k, ctx.clone())), opts)
            }
            FactoryKind::HelperServer
            | FactoryKind::HelperBrowser
            | FactoryKind::SvelteServer
            | FactoryKind::SvelteLoad => {
                let idx = if factory.kind == FactoryKind::HelperServer {
                    1
                } else {
                    0
                };
                let mut key = None;
                let mut opts = Vec::new();
                if let Some(&o) = args.get(idx) {
                    for v in self.eval(file, o, ctx) {
                        if let Value::Object {
                            file: of,
                            expr: oe,
                            ctx: oc,
                        } = v
                        {
                            if key.is_none() {
                                key = self.find_prop_expr(of, oe, &oc, "supabaseKey");
                            }
                            opts.extend(self.object_prop(of, oe, &oc, "options"));
                        }
                    }
                }
                (key, opts)
            }
        };
        // created once at module load (not per call, not per class instance)
        let module_level = !ir
            .funcs
            .iter()
            .any(|f| f.range.contains_range(loc.range) && f.range != loc.range)
            && !ir.classes.iter().any(|c| c.range.contains_range(loc.range));
        let (key, key_loc) = match key_expr {
            Some((kf, ke, kctx)) => {
                let kir = self.ir(kf).expect("ir");
                let kloc = Loc {
                    file: kf,
                    range: kir.range(ke),
                };
                let vals = self.eval(kf, ke, &kctx);
                (decide_key(&vals), kloc)
            }
            None if matches!(
                factory.kind,
                FactoryKind::HelperServer | FactoryKind::HelperBrowser
            ) =>
            {
                (
                    Some(Rc::new(KeyVal {
                        level: Some(KeyLevel::Anon),
                        source: KeySource::Default,
                        origin: loc,
                        via_call: None,
                    })),
                    loc,
                )
            }
            None => (None, loc),
        };
        let mut client = Client {
            factory,
            site: loc,
            key,
            key_loc,
            header: None,
            access_token: None,
            cookies_never_session: false,
            module_level,
            site_expr,
            ctx_call: {
                let mut frame = ctx.clone();
                let mut root = None;
                while let Some(f) = frame {
                    root = Some(f.call);
                    frame = f.caller_ctx.clone();
                }
                root
            },
        };
        // an option counts only when every alternative of the options has it (`token ? { global } : {}`
        // sends a header on one path only: the engine cannot tell which, so it is not a header)
        let mut headers: Vec<Option<Header>> = Vec::new();
        let mut tokens: Vec<Option<Loc>> = Vec::new();
        for o in options {
            let Value::Object {
                file: of,
                expr: oe,
                ctx: oc,
            } = o
            else {
                headers.push(None);
                tokens.push(None);
                continue;
            };
            let (mut header, mut token) = (None, None);
            for (name, key_range, value, vf, vctx) in self.object_entries(of, oe, &oc, 0) {
                match &*name {
                    "global" => header = self.find_header(vf, value, &vctx),
                    "accessToken" => {
                        token = Some(Loc {
                            file: vf,
                            range: key_range,
                        })
                    }
                    "cookies" => {
                        client.cookies_never_session = self.cookies_never_session(vf, value, &vctx)
                    }
                    _ => {}
                }
            }
            headers.push(header);
            tokens.push(token);
        }
        if !headers.is_empty() && headers.iter().all(Option::is_some) {
            client.header = headers.into_iter().next().flatten();
        }
        if !tokens.is_empty() && tokens.iter().all(Option::is_some) {
            client.access_token = tokens.into_iter().next().flatten();
        }
        Value::Client(Rc::new(client))
    }

    fn find_prop_expr(
        &mut self,
        file: FileId,
        expr: ExprId,
        ctx: &Ctx,
        prop: &str,
    ) -> Option<(FileId, ExprId, Ctx)> {
        self.object_entries(file, expr, ctx, 0)
            .into_iter()
            .rev()
            .find(|(n, ..)| &**n == prop)
            .map(|(_, _, e, f, c)| (f, e, c))
    }

    /// The `headers.Authorization` of a `global` option, when every alternative has one.
    fn find_header(&mut self, file: FileId, global: ExprId, ctx: &Ctx) -> Option<Header> {
        let mut found: Vec<Option<Header>> = Vec::new();
        for g in self.eval(file, global, ctx) {
            let Value::Object {
                file: gf,
                expr: ge,
                ctx: gc,
            } = g
            else {
                found.push(None);
                continue;
            };
            let mut header = None;
            for (name, _, headers, hf, hctx) in self.object_entries(gf, ge, &gc, 0) {
                if &*name != "headers" {
                    continue;
                }
                let mut alts: Vec<Option<Header>> = Vec::new();
                for h in self.eval(hf, headers, &hctx) {
                    let Value::Object {
                        file: of,
                        expr: oe,
                        ctx: oc,
                    } = h
                    else {
                        alts.push(None);
                        continue;
                    };
                    let mut this = None;
                    for (hname, key_range, value, vf, vctx) in self.object_entries(of, oe, &oc, 0) {
                        if !hname.eq_ignore_ascii_case("authorization") {
                            continue;
                        }
                        let Some(vir) = self.ir(vf) else { continue };
                        let range = TextRange::new(
                            key_range.start,
                            vir.range(value).end.max(key_range.end),
                        );
                        let vals = self.eval(vf, value, &vctx);
                        let key = vals.iter().find_map(|v| match v {
                            Value::Key(k) => Some(k.clone()),
                            _ => None,
                        });
                        // `Authorization: undefined` sends nothing
                        if vals.iter().all(|v| matches!(v, Value::Undefined)) {
                            continue;
                        }
                        this = Some(Header {
                            loc: Loc { file: vf, range },
                            value: key,
                        });
                    }
                    alts.push(this);
                }
                if !alts.is_empty() && alts.iter().all(Option::is_some) {
                    header = alts.into_iter().next().flatten();
                }
            }
            found.push(header);
        }
        if !found.is_empty() && found.iter().all(Option::is_some) {
            found.into_iter().next().flatten()
        } else {
            None
        }
    }

    /// A cookie adapter whose reading methods all return `[]`, `null` or `undefined` (or nothing).
    fn cookies_never_session(&mut self, file: FileId, cookies: ExprId, ctx: &Ctx) -> bool {
        let mut readers = 0;
        for v in self.eval(file, cookies, ctx) {
            let Value::Object {
                file: of,
                expr: oe,
                ctx: oc,
            } = v
            else {
                return false;
            };
            for (name, _, value, vf, _) in self.object_entries(of, oe, &oc, 0) {
                if &*name != "getAll" && &*name != "get" {
                    continue;
                }
                readers += 1;
                let Some(vir) = self.ir(vf) else { return false };
                let Expr::Func(fid) = vir.expr(value) else {
                    return false;
                };
                let text = self.snap.text(vf);
                for &r in &vir.funcs[*fid as usize].returns {
                    let t = text.get(vir.range(r).as_usize()).unwrap_or("").trim();
                    if !matches!(t, "[]" | "null" | "undefined") {
                        return false;
                    }
                }
            }
        }
        readers > 0
    }
}

/// The key a client gets from its key argument's possible values: the one key level they agree on.
/// Strings (`?? ''`) and unknowns beside a key do not change it; keys of different levels (a ternary
/// between keys) make it unknown.
fn decide_key(vals: &Vals) -> Option<Rc<KeyVal>> {
    let keys: Vec<&Rc<KeyVal>> = vals
        .iter()
        .filter_map(|v| match v {
            Value::Key(k) => Some(k),
            _ => None,
        })
        .collect();
    let first = keys.first()?;
    if keys.iter().all(|k| k.level == first.level) {
        Some((*first).clone())
    } else {
        None
    }
}

fn user_token(loc: Loc, what: &str) -> Value {
    Value::Key(Rc::new(KeyVal {
        level: Some(KeyLevel::User),
        source: KeySource::Request {
            what: Rc::from(what),
        },
        origin: loc,
        via_call: None,
    }))
}

/// The Supabase package a module specifier names (`npm:`, `jsr:`, esm.sh and other CDN forms included).
pub fn supabase_package(spec: &str) -> Option<&'static str> {
    let at = spec.find("@supabase/")?;
    let rest = &spec[at + "@supabase/".len()..];
    let name_end = rest.find(['@', '/', '?']).unwrap_or(rest.len());
    let name = &rest[..name_end];
    // only prefixes we know are package sources, not "foo@supabase/…" oddities
    let prefix = &spec[..at];
    let prefix_ok = prefix.is_empty()
        || prefix == "npm:"
        || prefix == "jsr:"
        || prefix.starts_with("https://")
        || prefix.starts_with("http://");
    if !prefix_ok {
        return None;
    }
    Some(match name {
        "supabase-js" => "@supabase/supabase-js",
        "ssr" => "@supabase/ssr",
        "auth-helpers-nextjs" => "@supabase/auth-helpers-nextjs",
        "auth-helpers-remix" => "@supabase/auth-helpers-remix",
        "auth-helpers-sveltekit" => "@supabase/auth-helpers-sveltekit",
        _ => return None,
    })
}

pub fn factory_of(pkg: &str, name: &str) -> Option<Factory> {
    use FactoryKind::*;
    let kind = match (pkg, name) {
        ("@supabase/supabase-js", "createClient" | "SupabaseClient") => SupabaseJs,
        ("@supabase/ssr", "createServerClient") => SsrServer,
        ("@supabase/ssr", "createBrowserClient") => SsrBrowser,
        (
            "@supabase/auth-helpers-nextjs",
            "createServerComponentClient"
            | "createRouteHandlerClient"
            | "createServerActionClient"
            | "createMiddlewareClient"
            | "createPagesServerClient"
            | "createServerSupabaseClient"
            | "createMiddlewareSupabaseClient",
        ) => HelperServer,
        (
            "@supabase/auth-helpers-nextjs",
            "createClientComponentClient"
            | "createPagesBrowserClient"
            | "createBrowserSupabaseClient",
        ) => HelperBrowser,
        ("@supabase/auth-helpers-remix", "createServerClient") => RemixServer,
        ("@supabase/auth-helpers-remix", "createBrowserClient") => RemixBrowser,
        ("@supabase/auth-helpers-sveltekit", "createSupabaseServerClient") => SvelteServer,
        ("@supabase/auth-helpers-sveltekit", "createSupabaseLoadClient") => SvelteLoad,
        _ => return None,
    };
    Some(Factory {
        kind,
        name: Rc::from(name),
    })
}
