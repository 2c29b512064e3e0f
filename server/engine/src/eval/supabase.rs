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
                let vals = self.key_slot_names(vals);
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
            let Value::Object {
                file: of,
                expr: oe,
                ctx: oc,
            } = v
            else {
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
const STORING: &[&str] = &[
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
const MFA_STORING: &[&str] = &["verify", "challengeAndVerify"];

pub fn is_session_storing(part: Part, method: &str) -> bool {
    match part {
        Part::Auth => STORING.contains(&method),
        Part::Mfa => MFA_STORING.contains(&method),
        _ => false,
    }
}
