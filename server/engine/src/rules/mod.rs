//! The rules. Each rule lives in its own file with its metadata and docs (`META`) and its check; this
//! module holds the registry, the [`ScriptRule`] trait, and the driver that walks a file's call sites once
//! and hands each client and method call to the rules that asked for it.

/// Declares a rule module's `Rule`, its [`ScriptRule`]: the module's `META`, what it wants from the driver,
/// and the module's functions that take each hook it uses (`client_created: f` calls `f(ctx, call, client,
/// loc)`, `method_call: f` calls `f(ctx, call, obj, method, recv)` with the [`MethodCall`]'s fields, `file: f`
/// calls `f(ctx)`).
macro_rules! script_rule {
    (
        $(#[$attr:meta])*
        $(wants: $wants:expr,)?
        $(client_created: $client_created:ident,)?
        $(method_call: $method_call:ident,)?
        $(file: $file:ident,)?
    ) => {
        $(#[$attr])*
        pub(crate) struct Rule;

        impl super::ScriptRule for Rule {
            fn meta(&self) -> &'static rlscope_core::RuleMeta {
                &META
            }
            $(
                fn wants(&self) -> super::Wants {
                    $wants
                }
            )?
            $(
                fn client_created(
                    &self,
                    ctx: &mut super::RuleCtx,
                    call: &crate::ir::CallSite,
                    client: &crate::eval::Client,
                    loc: crate::eval::Loc,
                ) {
                    $client_created(ctx, call, client, loc)
                }
            )?
            $(
                fn method_call(&self, ctx: &mut super::RuleCtx, m: &super::MethodCall) {
                    $method_call(ctx, m.call, m.obj, m.method, m.recv)
                }
            )?
            $(
                fn file(&self, ctx: &mut super::RuleCtx) {
                    $file(ctx)
                }
            )?
        }
    };
}

mod admin_api_without_service_key;
mod auth_header_overrides_service_key;
mod hardcoded_service_key;
pub(crate) mod request_denied_by_rls;
mod service_key_in_browser;
mod session_method_on_service_client;
mod ssr_client_service_key;

use std::path::PathBuf;
use std::rc::Rc;

use rlscope_core::{Edit, Finding, RuleMeta, TextRange};

use crate::db::{FileData, FileId, Snapshot};
pub(crate) use crate::eval::clients_of;
use crate::eval::{Client, Eval, Loc, Value};
use crate::ir::{CallSite, Expr, ExprId, FileIr};
use rlscope_core::config::Config;

/// Every rule rlscope knows, TS/JS rules first, then SQL, then suppression rules.
pub fn all() -> Vec<&'static RuleMeta> {
    let mut v = vec![
        &ssr_client_service_key::META,
        &auth_header_overrides_service_key::META,
        &session_method_on_service_client::META,
        &admin_api_without_service_key::META,
        &service_key_in_browser::META,
        &hardcoded_service_key::META,
        &request_denied_by_rls::META,
        &rlscope_sql::SERVICE_ROLE_POLICY,
    ];
    // Supabase's advisors, decided on the project's schema model.
    v.extend(rlscope_sql::advisors::all());
    v.extend([
        &rlscope_core::suppress::INVALID_SUPPRESSION,
        &rlscope_core::suppress::UNUSED_SUPPRESSION,
    ]);
    v
}

pub fn by_id(id: &str) -> Option<&'static RuleMeta> {
    all().into_iter().find(|r| r.id == id)
}

/// A rule's docs as markdown with the fixed sections; the source of `rlscope explain`, `docs/rules/<id>.md`
/// and the language server's hover.
pub fn render_markdown(meta: &RuleMeta) -> String {
    let lang = if meta.example_extension() == "sql" {
        "sql"
    } else {
        "ts"
    };
    let mut s = format!("# {}\n\n", meta.id);
    s.push_str(&format!(
        "Default severity: {}. {}.\n\n",
        meta.default_severity.as_str(),
        meta.summary
    ));
    s.push_str(&format!(
        "## What it does\n\n{}\n\n",
        meta.what_it_does.trim()
    ));
    s.push_str(&format!(
        "## Why is this bad?\n\n{}\n\n",
        meta.why_bad.trim()
    ));
    s.push_str(&format!(
        "## Example\n\n```{lang}\n{}\n```\n\n",
        meta.example.trim()
    ));
    s.push_str(&format!(
        "## Use instead\n\n```{lang}\n{}\n```\n\n",
        meta.use_instead.trim()
    ));
    s.push_str(&format!("## Fix safety\n\n{}\n\n", meta.fix_safety.trim()));
    s.push_str("## References\n\n");
    for r in meta.references {
        let url = if r.starts_with("http") {
            r.to_string()
        } else {
            format!("https://supabase.com{r}")
        };
        s.push_str(&format!("- <{url}>\n"));
    }
    // examples may hold (fake) keys: docs, `explain` and hovers show them redacted like everything else
    rlscope_core::keys::redact_secrets_in(&s).into_owned()
}

/// What a rule sees while checking one file.
pub(crate) struct RuleCtx<'a, 'w> {
    pub snap: &'w Snapshot<'w>,
    pub ev: &'a mut Eval<'w>,
    pub file: FileId,
    pub ir: &'w FileIr,
    pub text: &'w str,
    pub out: Vec<Finding>,
    /// This file's requests (`.from()`, `.rpc()`, …) with the sites of the clients they are made on,
    /// computed once on first use.
    pub requests: Option<Vec<(Loc, Vec<Loc>)>>,
}

impl<'a, 'w> RuleCtx<'a, 'w> {
    pub fn path(&self, file: FileId) -> PathBuf {
        self.snap.path(file).to_path_buf()
    }

    pub fn src(&self, file: FileId, range: TextRange) -> &'w str {
        self.snap.text(file).get(range.as_usize()).unwrap_or("")
    }

    /// `lib/admin.ts:3`
    pub fn at(&self, loc: Loc) -> String {
        self.snap.describe_loc(loc.file, loc.range.start)
    }

    pub fn related(&self, finding: Finding, loc: Loc, message: impl Into<String>) -> Finding {
        finding.with_related(self.path(loc.file), loc.range, message)
    }

    /// Whether this file runs in the browser: a `'use client'` module that does not import `server-only`.
    pub fn is_browser_file(&self) -> bool {
        self.ir.use_client && !self.ir.imports_server_only
    }

    pub fn is_deno(&self) -> bool {
        self.ir.is_deno
            || self
                .snap
                .path(self.file)
                .components()
                .any(|c| c.as_os_str() == "functions")
                && self
                    .snap
                    .path(self.file)
                    .components()
                    .any(|c| c.as_os_str() == "supabase")
    }

    /// TypeScript (so `!` non-null assertions are allowed).
    pub fn is_ts(&self) -> bool {
        let ext = self
            .snap
            .path(self.file)
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("");
        matches!(ext, "ts" | "tsx" | "mts" | "cts")
    }

    /// A CommonJS module: `require`s and no `import` statements.
    pub fn is_commonjs(&self) -> bool {
        self.ir.imports.is_empty() && self.text.contains("require(")
    }

    /// An env read in this file's dialect.
    pub fn env_expr(&self, name: &str) -> String {
        let bang = if self.is_ts() { "!" } else { "" };
        if self.is_deno() {
            format!("Deno.env.get('{name}'){bang}")
        } else if self.text.contains("import.meta.env") {
            format!("import.meta.env.{name}")
        } else {
            format!("process.env.{name}{bang}")
        }
    }

    /// An edit that adds `import { createClient as alias } from '@supabase/supabase-js'` unless a binding
    /// of that name already comes from supabase-js. Returns the local name to call.
    pub fn ensure_create_client_import(&mut self, edits: &mut Vec<Edit>) -> String {
        let scope0 = &self.ir.scopes[crate::ir::ScopeId::MODULE];
        let existing = scope0.names.get("createClient").copied();
        if let Some(b) = existing {
            let vals = self.ev.eval_binding(self.file, b, &None);
            if vals.iter().any(|v| matches!(v, Value::Factory(f) if f.kind == crate::eval::FactoryKind::SupabaseJs)) {
                return "createClient".into();
            }
        }
        let (local, spec) = if existing.is_some() {
            (
                "createSupabaseClient",
                "createClient as createSupabaseClient",
            )
        } else {
            ("createClient", "createClient")
        };
        let source = if self.is_deno() {
            "npm:@supabase/supabase-js@2"
        } else {
            "@supabase/supabase-js"
        };
        let at = self.ir.import_insert_at;
        let line = if self.is_commonjs() {
            format!(
                "const {{ {} }} = require('{source}')",
                spec.replace(" as ", ": ")
            )
        } else {
            format!("import {{ {spec} }} from '{source}'")
        };
        let text = if at == 0 {
            format!("{line}\n")
        } else {
            format!("\n{line}")
        };
        edits.push(Edit {
            range: TextRange::empty(at),
            replacement: text,
        });
        local.into()
    }

    /// The name a receiver expression is written as (`supabaseAdmin`, `this.db`), for messages.
    pub fn receiver_text(&self, expr: ExprId) -> String {
        let t = self.src(self.file, self.ir.range(expr));
        let t: String = t.split_whitespace().collect::<Vec<_>>().join(" ");
        if t.chars().count() > 40 {
            let short: String = t.chars().take(37).collect();
            format!("{short}…")
        } else {
            t
        }
    }

    /// What the client built at `site` then costs: the first request on it in this file that row level
    /// security denies to the signed-in user, worded after `lead_in` ("with a session cookie,") and shown as a
    /// related location labelled `label`. Empty when no such request is known.
    pub fn denied_as_user(&self, site: Loc, lead_in: &str, label: &'static str) -> Consequence {
        let denied =
            crate::requests::outcome::denied_as_user(self.snap, self.file, site).map(|d| {
                let suffix = format!(
                    "; {lead_in} the {} at {} is denied: {}",
                    d.what,
                    self.at(d.at),
                    d.why
                );
                (suffix, d.at)
            });
        Consequence { denied, label }
    }

    /// "the client built at lib/admin.ts:3 with `SUPABASE_SERVICE_ROLE_KEY`"
    pub fn describe_client(&self, c: &Client) -> String {
        let key = c
            .key
            .as_ref()
            .map_or("an unknown key".to_string(), |k| k.describe());
        format!(
            "`{}` client built at {} with {key}",
            c.factory.name,
            self.at(c.site)
        )
    }
}

/// A request that row level security denies to the signed-in user, from [`RuleCtx::denied_as_user`]: a
/// message suffix and a related location, both empty when there is none.
pub(crate) struct Consequence {
    denied: Option<(String, Loc)>,
    label: &'static str,
}

impl Consequence {
    /// "; with a session cookie, the insert at app/api/orders/route.ts:14 is denied: …", or "".
    pub fn suffix(&self) -> &str {
        self.denied.as_ref().map_or("", |(s, _)| s)
    }

    /// `f` with the denied request as a related location.
    pub fn relate(&self, ctx: &RuleCtx, f: Finding) -> Finding {
        match &self.denied {
            Some((_, at)) => ctx.related(f, *at, self.label),
            None => f,
        }
    }
}

/// True when `vals` are all clients whose requests may run as service_role (a service-level key that no
/// header or `accessToken` overrides; a cookie client's requests without a session cookie included).
pub(crate) fn all_may_bypass_rls(clients: &[Rc<Client>], total: usize) -> bool {
    !clients.is_empty()
        && clients.len() == total
        && clients
            .iter()
            .all(|c| crate::role::of_client(c).may_bypass_rls())
}

/// A rule over TS/JS files. The driver walks a file's call sites once and calls each rule's hooks; what a
/// rule declares in [`ScriptRule::wants`] is what the driver evaluates for it, so the driver's gates are the
/// union of the registered rules' wants and a rule is handed every call it asked for.
///
/// Findings take their rule id and default severity from [`ScriptRule::meta`].
pub(crate) trait ScriptRule: Sync {
    /// The rule's id, severity and docs; `all()` lists the same metas (a test checks it).
    #[cfg_attr(not(test), allow(dead_code))]
    fn meta(&self) -> &'static RuleMeta;

    /// The clients and method calls this rule wants to see.
    fn wants(&self) -> Wants {
        Wants::NOTHING
    }

    /// A client that `call` creates here (see [`created_here`], [`chosen_here`]); `loc` is the call's.
    /// Reached only when `wants().clients`.
    fn client_created(&self, _ctx: &mut RuleCtx, _call: &CallSite, _client: &Client, _loc: Loc) {}

    /// A method call that [`Wants::method_call`] matches, with its receiver's values.
    fn method_call(&self, _ctx: &mut RuleCtx, _call: &MethodCall) {}

    /// Once per file, after its calls.
    fn file(&self, _ctx: &mut RuleCtx) {}
}

/// What a [`ScriptRule`] asks the driver for.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Wants {
    /// Every client a call creates (which means evaluating the calls that can create one).
    pub clients: bool,
    /// Method calls by name, on any receiver: lists of method names.
    pub methods: &'static [&'static [&'static str]],
    /// Any method call whose receiver is written as a name containing this lowercase word
    /// (`supabase.auth.admin.x()`, `supabaseAdmin.x()`).
    pub receiver_named: Option<&'static str>,
}

impl Wants {
    pub const NOTHING: Wants = Wants {
        clients: false,
        methods: &[],
        receiver_named: None,
    };

    /// Every client a call creates, and no method calls.
    pub const CLIENTS: Wants = Wants {
        clients: true,
        ..Wants::NOTHING
    };

    /// Whether the call `obj.method(…)` is one this rule wants.
    pub fn method_call(&self, ir: &FileIr, obj: ExprId, method: &str) -> bool {
        if self.methods.iter().any(|names| names.contains(&method)) {
            return true;
        }
        let Some(word) = self.receiver_named else {
            return false;
        };
        match ir.expr(obj) {
            Expr::Member { prop, .. } => prop.to_ascii_lowercase().contains(word),
            Expr::Ident { name, .. } => name.to_ascii_lowercase().contains(word),
            _ => false,
        }
    }
}

/// A method call `obj.method(…)` handed to [`ScriptRule::method_call`].
pub(crate) struct MethodCall<'c> {
    pub call: &'c CallSite,
    /// The receiver expression.
    pub obj: ExprId,
    pub method: &'c str,
    /// The receiver's values (`undefined` left out).
    pub recv: &'c [Value],
}

/// The script rules, in the order their hooks run.
pub(crate) static SCRIPT_RULES: &[&dyn ScriptRule] = &[
    &ssr_client_service_key::Rule,
    &session_method_on_service_client::Rule,
    &admin_api_without_service_key::Rule,
    &auth_header_overrides_service_key::Rule,
    &hardcoded_service_key::Rule,
    &request_denied_by_rls::Rule,
    &service_key_in_browser::Rule,
];

pub(crate) fn check_script(snap: &Snapshot<'_>, file: FileId) -> Vec<Finding> {
    check_script_with(snap, file, SCRIPT_RULES)
}

/// Runs `rules` on one script: each call that can create a client is evaluated when some rule wants
/// clients, each method call some rule wants has its receiver evaluated, then the file hooks run.
pub(crate) fn check_script_with(
    snap: &Snapshot<'_>,
    file: FileId,
    rules: &[&dyn ScriptRule],
) -> Vec<Finding> {
    let Some(ir) = snap.ir(file) else {
        return Vec::new();
    };
    let wants: Vec<Wants> = rules.iter().map(|r| r.wants()).collect();
    let any_clients = wants.iter().any(|w| w.clients);
    let mut ev = Eval::new(snap);
    let mut ctx = RuleCtx {
        snap,
        ev: &mut ev,
        file,
        ir,
        text: snap.text(file),
        out: Vec::new(),
        requests: None,
    };
    for call in &ir.calls {
        ctx.ev.reset_budget();
        let loc = Loc {
            file,
            range: ir.range(call.expr),
        };
        let vals = if any_clients && worth_evaluating(&mut ctx, call) {
            ctx.ev.eval(file, call.expr, &None)
        } else {
            Vec::new()
        };
        for v in &vals {
            if let Value::Client(c) = v {
                if created_here(c, loc) || chosen_here(ctx.ev, c, loc) {
                    for (rule, w) in rules.iter().zip(&wants) {
                        if w.clients {
                            rule.client_created(&mut ctx, call, c, loc);
                        }
                    }
                }
            }
        }
        let Some((obj, method)) = &call.method else {
            continue;
        };
        let wanted = |w: &Wants| w.method_call(ir, *obj, method);
        if !wants.iter().any(wanted) {
            continue;
        }
        let recv = crate::eval::without_undefined(ctx.ev.eval(file, *obj, &None));
        let m = MethodCall {
            call,
            obj: *obj,
            method,
            recv: &recv,
        };
        for (rule, w) in rules.iter().zip(&wants) {
            if wanted(w) {
                rule.method_call(&mut ctx, &m);
            }
        }
    }
    for rule in rules {
        rule.file(&mut ctx);
    }
    ctx.out
}

/// Evaluation is demand-driven: a call's value is computed only when it can create a client here — its
/// callee is a client factory, or a function of ours given an argument that can steer one (a key or env
/// read, an env-name string, an object, a boolean). Everything else (`cn(…)`, `setState(…)`) is skipped,
/// which is what keeps a whole project cheaper than parsing it.
fn worth_evaluating(ctx: &mut RuleCtx, call: &CallSite) -> bool {
    let (callee, args) = match ctx.ir.expr(call.expr) {
        Expr::Call { callee, args } | Expr::New { callee, args } => (*callee, args),
        _ => return false,
    };
    if args.is_empty() {
        return false;
    }
    let callees = ctx.ev.eval(ctx.file, callee, &None);
    if callees.iter().any(|v| matches!(v, Value::Factory(_))) {
        return true;
    }
    if !callees.iter().any(|v| matches!(v, Value::Func { .. })) {
        return false;
    }
    args.iter().any(|&a| {
        ctx.ev.eval(ctx.file, a, &None).iter().any(|v| match v {
            Value::Key(_)
            | Value::Bool(_)
            | Value::Object { .. }
            | Value::Client(_)
            | Value::ClientPart(..) => true,
            Value::Str(s) => {
                s.len() > 2
                    && s.bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
            }
            _ => false,
        })
    })
}

/// Whether evaluating the call at `call` is what created client `c`: it is the factory call itself, or a
/// call whose argument supplied the client's key or header (a wrapper like `makeClient(key)`).
pub(crate) fn created_here(c: &Client, call: Loc) -> bool {
    c.site == call
        || c.key.as_ref().is_some_and(|k| k.via_call == Some(call))
        || c.header
            .as_ref()
            .and_then(|h| h.value.as_ref())
            .is_some_and(|k| k.via_call == Some(call))
}

/// A client built inside a function whose key or header depends on this call's arguments without
/// flowing from them (`createClient({ admin: true })` choosing `admin ? SECRET : PUBLISHABLE`): the factory
/// call evaluated on its own says something else, so this call is where the mistake is made.
pub(crate) fn chosen_here(ev: &mut Eval, c: &Client, call: Loc) -> bool {
    if c.site == call || c.ctx_call != Some(call) {
        return false;
    }
    let alone = ev.eval(c.site.file, c.site_expr, &None);
    !alone.iter().any(|v| match v {
        Value::Client(base) => {
            base.key_level() == c.key_level() && base.header.is_some() == c.header.is_some()
        }
        _ => false,
    })
}

/// For a client made through a wrapper call, the place in this file to put the finding: the key's own
/// read when it is inside the call, else the whole call.
pub(crate) fn key_primary(ctx: &RuleCtx, c: &Client, call: Loc) -> TextRange {
    if c.site == call {
        return c.key_loc.range;
    }
    match &c.key {
        Some(k) if k.origin.file == ctx.file && call.range.contains_range(k.origin.range) => {
            k.origin.range
        }
        _ => call.range,
    }
}

pub(crate) fn check_env_file(config: &Config, f: &FileData) -> Vec<Finding> {
    service_key_in_browser::check_env_file(config, f)
}

/// A text file read only for keys (`supabase/config.toml`, JSON, YAML, Markdown, `package.json`).
pub(crate) fn check_text_file(text: &str) -> Vec<Finding> {
    hardcoded_service_key::check_text(text)
}

/// Range to delete for a property inside an object literal, with its separating comma.
pub(crate) fn list_item_deletion(text: &str, range: TextRange) -> TextRange {
    let b = text.as_bytes();
    let mut end = range.end as usize;
    let mut j = end;
    while j < b.len() && (b[j] == b' ' || b[j] == b'\t') {
        j += 1;
    }
    if b.get(j) == Some(&b',') {
        end = j + 1;
        while end < b.len() && (b[end] == b' ' || b[end] == b'\t') {
            end += 1;
        }
        // a property alone on its line: take the line
        let line_start = text[..range.start as usize]
            .rfind('\n')
            .map_or(0, |p| p + 1);
        if text[line_start..range.start as usize].trim().is_empty() && b.get(end) == Some(&b'\n') {
            return TextRange::from_usize(line_start, end + 1);
        }
        if b.get(end) == Some(&b'\r') && b.get(end + 1) == Some(&b'\n') {
            let line_start = text[..range.start as usize]
                .rfind('\n')
                .map_or(0, |p| p + 1);
            if text[line_start..range.start as usize].trim().is_empty() {
                return TextRange::from_usize(line_start, end + 2);
            }
        }
        return TextRange::from_usize(range.start as usize, end);
    }
    // last item: take the comma before it
    let mut start = range.start as usize;
    let mut k = start;
    while k > 0 && b[k - 1].is_ascii_whitespace() {
        k -= 1;
    }
    if k > 0 && b[k - 1] == b',' {
        start = k - 1;
    }
    TextRange::from_usize(start, range.end as usize)
}

/// The callee range `a.b.method` of a call site, falling back to the call.
pub(crate) fn callee_range(ir: &FileIr, call: &CallSite) -> TextRange {
    match ir.expr(call.expr) {
        Expr::Call { callee, .. } => ir.range(*callee),
        _ => ir.range(call.expr),
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::db::Db;
    use crate::lang::Lang;

    /// Records what the driver hands a rule, asking for what `wants` says.
    struct Spy {
        meta: &'static RuleMeta,
        wants: Wants,
        clients: Mutex<usize>,
        methods: Mutex<Vec<String>>,
    }

    impl Spy {
        fn new(meta: &'static RuleMeta, wants: Wants) -> Spy {
            Spy {
                meta,
                wants,
                clients: Mutex::new(0),
                methods: Mutex::new(Vec::new()),
            }
        }
    }

    impl ScriptRule for Spy {
        fn meta(&self) -> &'static RuleMeta {
            self.meta
        }
        fn wants(&self) -> Wants {
            self.wants
        }
        fn client_created(&self, _: &mut RuleCtx, _: &CallSite, _: &Client, _: Loc) {
            *self.clients.lock().unwrap() += 1;
        }
        fn method_call(&self, _: &mut RuleCtx, m: &MethodCall) {
            self.methods.lock().unwrap().push(m.method.to_string());
        }
    }

    /// Runs the driver with only `spy` registered on a file that builds a client and then makes `calls`
    /// and a call no rule wants (`foo.bar(x)`).
    fn drive(spy: &Spy, calls: &[String]) {
        let text = format!(
            "import {{ createClient }} from '@supabase/supabase-js'\n\
             const supabase = createClient(url, process.env.SUPABASE_SERVICE_ROLE_KEY!)\n\
             {}\nfoo.bar(x)\n",
            calls.join("\n")
        );
        let mut db = Db::new(
            PathBuf::from("/"),
            Config::default(),
            crate::lower::lower_text,
        );
        let path = Path::new("/a.ts");
        let id = db.intern(path, Lang::of(path).unwrap(), Arc::from(text.as_str()));
        check_script_with(&db.snapshot(), id, &[spy]);
    }

    /// A call of every method a rule wants (on `supabase.auth`), and of one on `supabase.auth.admin` when it
    /// wants receivers named `admin`; with the method names the rule must be handed.
    fn calls_wanted_by(w: &Wants) -> (Vec<String>, Vec<String>) {
        let mut calls = Vec::new();
        let mut names = Vec::new();
        for m in w.methods.iter().flat_map(|l| l.iter()) {
            calls.push(format!("supabase.auth.{m}(x)"));
            names.push(m.to_string());
        }
        if let Some(word) = w.receiver_named {
            calls.push(format!("supabase.auth.{word}.listUsers()"));
            names.push("listUsers".into());
        }
        (calls, names)
    }

    #[test]
    fn every_rule_is_handed_the_clients_and_method_calls_it_wants() {
        for rule in SCRIPT_RULES {
            let w = rule.wants();
            let spy = Spy::new(rule.meta(), w);
            let (calls, names) = calls_wanted_by(&w);
            drive(&spy, &calls);
            assert_eq!(*spy.methods.lock().unwrap(), names, "{}", rule.meta().id);
            assert_eq!(
                *spy.clients.lock().unwrap() > 0,
                w.clients,
                "{}",
                rule.meta().id
            );
        }
        // the same calls reach no rule that does not ask for them: the assertions above can fail
        let session = Wants {
            methods: &[crate::eval::STORING],
            ..Wants::NOTHING
        };
        let (calls, _) = calls_wanted_by(&session);
        let deaf = Spy::new(&session_method_on_service_client::META, Wants::NOTHING);
        drive(&deaf, &calls);
        assert!(deaf.methods.lock().unwrap().is_empty());
        assert_eq!(*deaf.clients.lock().unwrap(), 0);
    }

    #[test]
    fn a_new_method_rule_is_reached_without_editing_the_driver() {
        let spy = Spy::new(
            &admin_api_without_service_key::META,
            Wants {
                methods: &[&["frobnicate"]],
                ..Wants::NOTHING
            },
        );
        drive(&spy, &["supabase.storage.frobnicate(1)".to_string()]);
        assert_eq!(*spy.methods.lock().unwrap(), vec!["frobnicate".to_string()]);
    }

    #[test]
    fn script_rules_are_the_typescript_rules_of_all() {
        let mut registered: Vec<&str> = SCRIPT_RULES.iter().map(|r| r.meta().id).collect();
        let mut listed: Vec<&str> = all()
            .into_iter()
            .filter(|m| m.language == rlscope_core::rule::Language::TypeScript)
            .map(|m| m.id)
            .collect();
        registered.sort();
        listed.sort();
        assert_eq!(registered, listed);
    }
}
