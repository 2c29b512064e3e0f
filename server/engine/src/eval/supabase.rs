//! Everything rlscope knows about the supabase-js API, in one place: the packages and their client
//! factories, how a factory call's arguments become a [`Client`] (key, `global.headers.Authorization`,
//! `accessToken`, cookie adapter), a client's namespaces, and the auth methods that store a session. When
//! supabase-js adds a factory or an option, this is the file to change.

use super::*;

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
    /// The `db: { schema }` option: the schema `from`/`rpc` use without `.schema(…)` (`None`: `public`).
    pub db_schema: Option<String>,
    /// Created outside any function: one instance shared by every request.
    pub module_level: bool,
    /// The factory call expression (in `site.file`).
    pub site_expr: ExprId,
    /// The outermost call this client was built under, when it was built while evaluating a call's body.
    pub ctx_call: Option<Loc>,
    /// The key is `SERVICE || ANON` / `SERVICE ?? ANON`: the service key whenever its variable is set, the anon
    /// key otherwise.
    pub key_fallback: bool,
    /// A key chosen by a parameter between a service-level and an anon-level key (`admin ? SECRET :
    /// PUBLISHABLE`), left undecided because no caller decides it here: the flag's name and the service key.
    pub key_by_flag: Option<(Rc<str>, Rc<KeyVal>)>,
    /// An `Authorization` header sent on some paths only, carrying the caller's token
    /// (`authHeader ? { headers: { Authorization: authHeader } } : undefined`).
    pub header_when_given: Option<Header>,
    /// A service-level key written where this factory never reads it (auth-helpers' `options.supabaseKey`, or
    /// `supabaseKey` in the context argument): where it is written, and the key.
    pub ignored_key: Option<(Loc, Rc<KeyVal>)>,
}

impl Client {
    pub fn key_level(&self) -> Option<KeyLevel> {
        self.key.as_ref().and_then(|k| k.level)
    }
}

impl<'w> Eval<'w> {
    pub(super) fn build_client(
        &mut self,
        factory: Factory,
        file: FileId,
        site_expr: ExprId,
        args: &[ExprId],
        ctx: &CallCtx,
        loc: Loc,
    ) -> Value {
        let ir = self.ir(file).expect("file has ir");
        let mut ignored_key = None;
        let (key_expr, options): (Option<(FileId, ExprId, CallCtx)>, Vals) = match factory.kind {
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
                        if let Some((of, oe, oc)) = v.into_object() {
                            if key.is_none() {
                                key = self.find_prop_expr(of, oe, &oc, "supabaseKey");
                            }
                            opts.extend(self.object_prop(of, oe, &oc, "options"));
                        }
                    }
                }
                if key.is_none() {
                    ignored_key = self.ignored_helper_key(file, args, idx, ctx);
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
        let (mut key_fallback, mut key_by_flag) = (false, None);
        let (key, key_loc) = match key_expr {
            Some((kf, ke, kctx)) => {
                let kir = self.ir(kf).expect("ir");
                let kloc = Loc {
                    file: kf,
                    range: kir.range(ke),
                };
                let vals = self.eval(kf, ke, &kctx);
                let vals = self.key_slot_names(vals);
                let key = decide_key(&vals);
                match self.key_shape(kf, ke) {
                    KeyShape::Fallback { file: ff, right } => {
                        let right = self.eval(ff, right, &kctx);
                        key_fallback = key
                            .as_ref()
                            .is_some_and(|k| k.level == Some(KeyLevel::Service))
                            && self.key_slot_names(right).iter().any(
                                |v| matches!(v, Value::Key(k) if k.level == Some(KeyLevel::Anon)),
                            );
                    }
                    KeyShape::Flag { name } if key.is_none() => {
                        let level_of = |l| {
                            vals.iter().find_map(|v| match v {
                                Value::Key(k) if k.level == Some(l) => Some(k.clone()),
                                _ => None,
                            })
                        };
                        if let (Some(svc), Some(_)) =
                            (level_of(KeyLevel::Service), level_of(KeyLevel::Anon))
                        {
                            key_by_flag = Some((name, svc));
                        }
                    }
                    _ => {}
                }
                (key, kloc)
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
            db_schema: None,
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
            key_fallback,
            key_by_flag,
            header_when_given: None,
            ignored_key,
        };
        // an option counts only when every alternative of the options has it (`token ? { global } : {}`
        // sends a header on one path only: the engine cannot tell which, so it is not a header)
        let mut headers: Vec<Option<Header>> = Vec::new();
        let mut tokens: Vec<Option<Loc>> = Vec::new();
        let mut schemas: Vec<Option<String>> = Vec::new();
        for o in options {
            let Some((of, oe, oc)) = o.into_object() else {
                headers.push(None);
                tokens.push(None);
                schemas.push(None);
                continue;
            };
            let (mut header, mut token, mut schema) = (None, None, None);
            for (name, key_range, value, vf, vctx) in self.object_entries(of, oe, &oc, 0) {
                match &*name {
                    "global" => {
                        header = self.find_header(vf, value, &vctx);
                        if header.is_none() && client.header_when_given.is_none() {
                            client.header_when_given = self.find_user_header(vf, value, &vctx);
                        }
                    }
                    "accessToken" => {
                        token = Some(Loc {
                            file: vf,
                            range: key_range,
                        })
                    }
                    "cookies" => {
                        client.cookies_never_session = self.cookies_never_session(vf, value, &vctx)
                    }
                    "db" => {
                        if let Some((sf, se, sc)) = self.find_prop_expr(vf, value, &vctx, "schema")
                        {
                            if let [Value::Str(s)] = self.eval(sf, se, &sc).as_slice() {
                                schema = Some(s.to_string());
                            }
                        }
                    }
                    _ => {}
                }
            }
            headers.push(header);
            tokens.push(token);
            schemas.push(schema);
        }
        // a schema counts when every alternative of the options names the same one
        if let Some(Some(first)) = schemas.first() {
            if schemas.iter().all(|s| s.as_ref() == Some(first)) {
                client.db_schema = Some(first.clone());
            }
        }
        if !headers.is_empty() && headers.iter().all(Option::is_some) {
            client.header = headers.into_iter().next().flatten();
        } else if client.header_when_given.is_none() {
            // a header on one path of the options only (`token ? { global } : {}`)
            client.header_when_given = headers.into_iter().flatten().find(|h| {
                h.value
                    .as_ref()
                    .is_some_and(|v| v.level == Some(KeyLevel::User))
            });
        }
        if !tokens.is_empty() && tokens.iter().all(Option::is_some) {
            client.access_token = tokens.into_iter().next().flatten();
        }
        Value::Client(Rc::new(client))
    }

    pub(super) fn find_prop_expr(
        &mut self,
        file: FileId,
        expr: ExprId,
        ctx: &CallCtx,
        prop: &str,
    ) -> Option<(FileId, ExprId, CallCtx)> {
        self.object_entries(file, expr, ctx, 0)
            .into_iter()
            .rev()
            .find(|(n, ..)| &**n == prop)
            .map(|(_, _, e, f, c)| (f, e, c))
    }

    /// The `headers.Authorization` of a `global` option, when every alternative has one.
    pub(super) fn find_header(
        &mut self,
        file: FileId,
        global: ExprId,
        ctx: &CallCtx,
    ) -> Option<Header> {
        let mut found: Vec<Option<Header>> = Vec::new();
        for g in self.eval(file, global, ctx) {
            let Some(headers) = self.headers_of(g) else {
                found.push(None);
                continue;
            };
            let mut header = None;
            for alternatives in headers {
                let mut alts: Vec<Option<Header>> = Vec::new();
                for h in alternatives {
                    let Some(entries) = self.authorization_entries(h) else {
                        alts.push(None);
                        continue;
                    };
                    let mut this = None;
                    for (loc, vals) in entries {
                        // `Authorization: undefined` sends nothing
                        if vals.iter().all(|v| matches!(v, Value::Undefined)) {
                            continue;
                        }
                        let key = vals.into_iter().find_map(|v| match v {
                            Value::Key(k) => Some(k),
                            _ => None,
                        });
                        this = Some(Header { loc, value: key });
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

    /// An `Authorization` header with the caller's token on some alternative of a `global` option.
    fn find_user_header(&mut self, file: FileId, global: ExprId, ctx: &CallCtx) -> Option<Header> {
        for g in self.eval(file, global, ctx) {
            for h in self.headers_of(g).into_iter().flatten().flatten() {
                for (loc, vals) in self.authorization_entries(h).unwrap_or_default() {
                    let user = vals.into_iter().find_map(|v| match v {
                        Value::Key(k) if k.level == Some(KeyLevel::User) => Some(k),
                        _ => None,
                    });
                    if let Some(k) = user {
                        return Some(Header {
                            loc,
                            value: Some(k),
                        });
                    }
                }
            }
        }
        None
    }

    /// The values of each `headers` entry of a `global` option's value (`None`: not an object).
    fn headers_of(&mut self, global: Value) -> Option<Vec<Vals>> {
        let Value::Object { file, expr, ctx } = global else {
            return None;
        };
        let mut out = Vec::new();
        for (name, _, headers, hf, hctx) in self.object_entries(file, expr, &ctx, 0) {
            if &*name == "headers" {
                out.push(self.eval(hf, headers, &hctx));
            }
        }
        Some(out)
    }

    /// The `Authorization` entries of a `headers` value, each with its range (name to value) and values
    /// (`None`: not an object).
    fn authorization_entries(&mut self, headers: Value) -> Option<Vec<(Loc, Vals)>> {
        let Value::Object { file, expr, ctx } = headers else {
            return None;
        };
        let mut out = Vec::new();
        for (name, key_range, value, vf, vctx) in self.object_entries(file, expr, &ctx, 0) {
            if !name.eq_ignore_ascii_case("authorization") {
                continue;
            }
            let Some(vir) = self.ir(vf) else { continue };
            let range = TextRange::new(key_range.start, vir.range(value).end.max(key_range.end));
            out.push((Loc { file: vf, range }, self.eval(vf, value, &vctx)));
        }
        Some(out)
    }

    /// What a key argument is written as, seen through `const` bindings (`const key = a ?? b`).
    fn key_shape(&self, file: FileId, expr: ExprId) -> KeyShape {
        let Some(ir) = self.ir(file) else {
            return KeyShape::Other;
        };
        let mut expr = expr;
        for _ in 0..4 {
            match ir.expr(expr) {
                Expr::Ident { name, scope } => {
                    let Some(b) = ir.lookup(*scope, name) else {
                        return KeyShape::Other;
                    };
                    let b = &ir.bindings[b];
                    match (&b.kind, b.inits.as_slice()) {
                        (BindingKind::Var, [one]) => expr = *one,
                        _ => return KeyShape::Other,
                    }
                }
                Expr::Fallback { right, .. } => {
                    return KeyShape::Fallback {
                        file,
                        right: *right,
                    }
                }
                Expr::Cond { test, .. } if derives_from_param(ir, *test, 0) => {
                    let text = self
                        .snap
                        .text(file)
                        .get(ir.range(*test).as_usize())
                        .unwrap_or("");
                    let name: String = text
                        .rsplit(['.', '?'])
                        .next()
                        .unwrap_or("")
                        .trim_matches(|c: char| {
                            !(c.is_ascii_alphanumeric() || c == '_' || c == '$')
                        })
                        .to_string();
                    if name.is_empty() || name.len() > 40 {
                        return KeyShape::Other;
                    }
                    return KeyShape::Flag {
                        name: Rc::from(name),
                    };
                }
                _ => return KeyShape::Other,
            }
        }
        KeyShape::Other
    }

    /// A service-level key that an auth-helpers factory never reads: `supabaseKey` inside `options` (client
    /// options have no key), or in the server factories' first argument (the request context).
    fn ignored_helper_key(
        &mut self,
        file: FileId,
        args: &[ExprId],
        key_arg: usize,
        ctx: &CallCtx,
    ) -> Option<(Loc, Rc<KeyVal>)> {
        let mut places: Vec<(FileId, ExprId, CallCtx)> = Vec::new();
        for (i, &a) in args.iter().enumerate().take(2) {
            for v in self.eval(file, a, ctx) {
                let Some((of, oe, oc)) = v.into_object() else {
                    continue;
                };
                if i < key_arg {
                    places.extend(self.find_prop_expr(of, oe, &oc, "supabaseKey"));
                }
                if i <= key_arg {
                    for o in self.object_prop(of, oe, &oc, "options") {
                        if let Some((pf, pe, pc)) = o.into_object() {
                            places.extend(self.find_prop_expr(pf, pe, &pc, "supabaseKey"));
                        }
                    }
                }
            }
        }
        for (kf, ke, kctx) in places {
            let vals = self.eval(kf, ke, &kctx);
            let vals = self.key_slot_names(vals);
            if let Some(k) = decide_key(&vals).filter(|k| k.level == Some(KeyLevel::Service)) {
                let range = self.ir(kf)?.range(ke);
                return Some((Loc { file: kf, range }, k));
            }
        }
        None
    }

    /// An env read of unknown level in a client's key slot, classified by the wider list of names that
    /// only count there (`SUPABASE_SERVICE`, `SUPABASE_ADMIN_KEY`); a `.env` value still decides first.
    fn key_slot_names(&self, vals: Vals) -> Vals {
        vals.into_iter()
            .map(|v| match v {
                Value::Key(k) if k.level.is_none() => match &k.source {
                    KeySource::Env {
                        name,
                        by_value: false,
                    } => {
                        let level = rlscope_core::keys::classify_key_slot_env_name(
                            name,
                            &self.snap.config.service_env_names,
                            &self.snap.config.anon_env_names,
                        );
                        Value::Key(Rc::new(KeyVal {
                            level,
                            ..(*k).clone()
                        }))
                    }
                    _ => Value::Key(k),
                },
                v => v,
            })
            .collect()
    }

    /// A cookie adapter whose reading methods all return `[]`, `null` or `undefined` (or nothing), or an
    /// empty adapter `{}` (no `getAll`/`get`: older @supabase/ssr never reads a session, newer throws).
    pub(super) fn cookies_never_session(
        &mut self,
        file: FileId,
        cookies: ExprId,
        ctx: &CallCtx,
    ) -> bool {
        let mut readers = 0;
        for v in self.eval(file, cookies, ctx) {
            let Some((of, oe, oc)) = v.into_object() else {
                return false;
            };
            if self.ir(of).is_some_and(
                |ir| matches!(ir.expr(oe), Expr::Object(entries) if entries.is_empty()),
            ) {
                readers += 1;
                continue;
            }
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
                for &r in &vir.funcs[*fid].returns {
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

/// How a key argument is written, for what depends on it.
enum KeyShape {
    /// `a ?? b`, `a || b`: the right side's expression.
    Fallback {
        file: FileId,
        right: ExprId,
    },
    /// `flag ? a : b` with `flag` from a parameter: the flag's name.
    Flag {
        name: Rc<str>,
    },
    Other,
}

/// Whether an expression is (a property of, or a default for) a function parameter.
fn derives_from_param(ir: &FileIr, expr: ExprId, depth: u32) -> bool {
    if depth > 4 {
        return false;
    }
    match ir.expr(expr) {
        Expr::Param { .. } => true,
        Expr::Member { obj, .. } => derives_from_param(ir, *obj, depth + 1),
        Expr::Fallback { left, .. } => derives_from_param(ir, *left, depth + 1),
        Expr::Ident { name, scope } => match ir.lookup(*scope, name) {
            Some(b) => {
                let b = &ir.bindings[b];
                match b.kind {
                    BindingKind::Param => true,
                    BindingKind::Var => b
                        .inits
                        .iter()
                        .any(|&i| derives_from_param(ir, i, depth + 1)),
                    _ => false,
                }
            }
            None => false,
        },
        _ => false,
    }
}

/// The key a client gets from its key argument's possible values: the one key level they agree on.
/// Strings (`?? ''`) and unknowns beside a key do not change it; keys of different levels (a ternary
/// between keys) make it unknown.
pub(super) fn decide_key(vals: &Vals) -> Option<Rc<KeyVal>> {
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

pub(super) fn user_token(loc: Loc, what: &str) -> Value {
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
        // auth-helpers-sveltekit before 0.9: its own `createClient(url, key, options)`
        ("@supabase/auth-helpers-sveltekit", "createClient") => SupabaseJs,
        ("@supabase/auth-helpers-sveltekit", "createSupabaseServerClient") => SvelteServer,
        ("@supabase/auth-helpers-sveltekit", "createSupabaseLoadClient") => SvelteLoad,
        _ => return None,
    };
    Some(Factory {
        kind,
        name: Rc::from(name),
    })
}

/// A client's namespaces: `.auth`, `.functions`, `.storage`, and `.auth.admin`, `.auth.mfa`.
pub(super) fn client_member(c: Rc<Client>, part: Option<Part>, prop: &str) -> Value {
    match (part, prop) {
        (None, "auth") => Value::ClientPart(c, Part::Auth),
        (None, "functions") => Value::ClientPart(c, Part::Functions),
        (None, "storage") => Value::ClientPart(c, Part::Storage),
        (Some(Part::Auth), "admin") => Value::ClientPart(c, Part::Admin),
        (Some(Part::Auth), "mfa") => Value::ClientPart(c, Part::Mfa),
        _ => Value::Unknown,
    }
}

/// supabase-js auth methods that save a session in the client: from then on its requests send the
/// user's token instead of the key.
pub const STORING: &[&str] = &[
    "signUp",
    "signInWithPassword",
    "signInAnonymously",
    "signInWithIdToken",
    "signInWithWeb3",
    "signInWithPasskey",
    "verifyOtp",
    "exchangeCodeForSession",
    "setSession",
    "refreshSession",
    "updateUser",
    "linkIdentity",
];
pub const MFA_STORING: &[&str] = &["verify", "challengeAndVerify"];

pub fn is_session_storing(part: Part, method: &str) -> bool {
    match part {
        Part::Auth => STORING.contains(&method),
        Part::Mfa => MFA_STORING.contains(&method),
        _ => false,
    }
}
