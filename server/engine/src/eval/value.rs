//! The abstract values: keys (with where they came from), client namespaces, objects, functions…

use super::*;

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

pub(super) fn level_word(level: Option<KeyLevel>) -> &'static str {
    match level {
        Some(KeyLevel::Service) => "service-role",
        Some(KeyLevel::Anon) => "anon",
        Some(KeyLevel::User) => "user",
        None => "unknown",
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
        ctx: CallCtx,
    },
    Bool(bool),
    /// `undefined`, `null`, or an argument that was not passed.
    Undefined,
    /// `token.split(' ')`: the parts of a key or token.
    KeyParts(Rc<KeyVal>),
}

impl Value {
    /// An object literal's file, expression and the call context it was evaluated in.
    pub fn into_object(self) -> Option<(FileId, ExprId, CallCtx)> {
        match self {
            Value::Object { file, expr, ctx } => Some((file, expr, ctx)),
            _ => None,
        }
    }
}

/// Whether a value is truthy, when that is known.
pub(super) fn truthy(v: &Value) -> Option<bool> {
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

/// The clients among some values (all of them, when every value is a client or client part).
pub fn clients_of(vals: &[Value]) -> Vec<Rc<Client>> {
    vals.iter()
        .filter_map(|v| match v {
            Value::Client(c) | Value::ClientPart(c, _) => Some(c.clone()),
            _ => None,
        })
        .collect()
}
