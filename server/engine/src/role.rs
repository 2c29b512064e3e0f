//! The role a client's requests run as: the one answer of the product, computed here from an
//! [`eval::Client`](crate::eval::Client) and nowhere else. Rules decide on a [`Role`]; hover, inlay hints and
//! `rlscope roles` only render it (see `rules::role` for the rendering).
//!
//! What decides, in order (supabase-js semantics):
//! 1. an explicit `Authorization` header that is not the constructor's own service key: PostgREST takes the
//!    role from the header's token;
//! 2. the `accessToken` option: every request sends the token the callback returns (third-party auth);
//! 3. the constructor key — and for a cookie-based factory (`@supabase/ssr`, auth-helpers), the session in the
//!    request's cookies, which replaces the key when there is one.

use rlscope_core::keys::KeyLevel;

use crate::eval::{Client, KeySource, Loc};

/// A Postgres role a request gets from PostgREST.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DbRole {
    Anon,
    Authenticated,
    ServiceRole,
}

impl DbRole {
    pub fn as_str(self) -> &'static str {
        match self {
            DbRole::Anon => "anon",
            DbRole::Authenticated => "authenticated",
            DbRole::ServiceRole => "service_role",
        }
    }
}

/// How a request comes to run as the signed-in user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UserVia {
    /// A user's token set as the explicit `Authorization` header.
    Header,
    /// An `Authorization` header whose token is not a key rlscope can classify (and not the service key):
    /// the requests run as that token's user, whichever role its claims give.
    HeaderToken,
    /// A user's token passed as the client's key.
    Key,
    /// The session in the request's cookies (cookie-based factories).
    SessionCookie,
    /// A session stored in the client by a session-storing `auth` call (`signInWithPassword`, `verifyOtp`, …).
    Session,
}

/// What a [`Role::Depends`] turns on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Condition {
    /// Whether the request carries a session cookie (cookie-based factories: the session replaces the key).
    SessionCookie,
    /// Whether a session-storing `auth` call on the same client ran before the request.
    SessionCall,
}

/// The role a client's requests run as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// A service-level key that nothing overrides: requests bypass RLS.
    ServiceRole,
    /// The signed-in user (RLS applies).
    User { via: UserVia },
    /// The anon/publishable key (or an anon key as the header) and no session (RLS applies).
    Anon,
    /// Decided per request: each case is `(when, role)`.
    Depends {
        condition: Condition,
        cases: Vec<(String, Role)>,
    },
    /// The `accessToken` option: the user of the token the callback returns (RLS applies).
    ThirdParty,
    /// Not known; never a reason for a finding.
    Unknown { why: String },
}

impl Role {
    /// Every Postgres role the requests may run as; `None` when that is not known.
    pub fn db_roles(&self) -> Option<Vec<DbRole>> {
        match self {
            Role::ServiceRole => Some(vec![DbRole::ServiceRole]),
            Role::User {
                via: UserVia::HeaderToken,
            } => None,
            Role::User { .. } | Role::ThirdParty => Some(vec![DbRole::Authenticated]),
            Role::Anon => Some(vec![DbRole::Anon]),
            Role::Depends { cases, .. } => {
                let mut out = Vec::new();
                for (_, r) in cases {
                    for d in r.db_roles()? {
                        if !out.contains(&d) {
                            out.push(d);
                        }
                    }
                }
                Some(out)
            }
            Role::Unknown { .. } => None,
        }
    }

    /// Whether some request may run as service_role (and so bypass RLS).
    pub fn may_bypass_rls(&self) -> bool {
        self.db_roles()
            .is_some_and(|d| d.contains(&DbRole::ServiceRole))
    }

    /// A short stable name: "service_role", "authenticated", "anon", "depends", "third_party", "unknown".
    pub fn label(&self) -> &'static str {
        match self {
            Role::ServiceRole => "service_role",
            Role::User { .. } => "authenticated",
            Role::Anon => "anon",
            Role::Depends { .. } => "depends",
            Role::ThirdParty => "third_party",
            Role::Unknown { .. } => "unknown",
        }
    }
}

/// What a piece of [`Evidence`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EvidenceKind {
    /// The factory call that built the client.
    ClientBuilt,
    /// The key argument.
    Key,
    /// The explicit `Authorization` header.
    Header,
    /// The `accessToken` option.
    AccessToken,
    /// The cookie adapter of a cookie-based factory.
    Cookie,
    /// A session-storing `auth` call on the same client.
    SessionCall,
}

/// Why a role is what it is: a place in the code and a short text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    pub kind: EvidenceKind,
    pub loc: Loc,
    pub text: String,
}

/// A role with the evidence for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleInfo {
    pub role: Role,
    /// What decided the role: the header, the `accessToken` option, or the key (and cookies).
    pub decided_by: EvidenceKind,
    pub evidence: Vec<Evidence>,
}

impl RoleInfo {
    pub fn evidence(&self, kind: EvidenceKind) -> Option<&Evidence> {
        self.evidence.iter().find(|e| e.kind == kind)
    }
}

/// The role of the requests a client makes (database, storage, functions).
pub fn of_client(c: &Client) -> Role {
    info(c).role
}

/// The role of the requests a client makes, with its evidence (without session-storing calls, which depend
/// on where the client is used).
pub fn info(c: &Client) -> RoleInfo {
    let mut evidence = vec![Evidence {
        kind: EvidenceKind::ClientBuilt,
        loc: c.site,
        text: format!("`{}` client built here", c.factory.name),
    }];
    if let Some(k) = &c.key {
        evidence.push(Evidence {
            kind: EvidenceKind::Key,
            loc: c.key_loc,
            text: k.describe(),
        });
    }
    if let Some(h) = &c.header {
        evidence.push(Evidence {
            kind: EvidenceKind::Header,
            loc: h.loc,
            text: h.value.as_ref().map_or_else(
                || "a token that is not the service key".to_string(),
                |v| v.describe(),
            ),
        });
    }
    if let Some(at) = c.access_token {
        evidence.push(Evidence {
            kind: EvidenceKind::AccessToken,
            loc: at,
            text: "`accessToken` option".into(),
        });
    }
    if c.factory.kind.is_cookie_based() {
        evidence.push(Evidence {
            kind: EvidenceKind::Cookie,
            loc: c.site,
            text: if c.cookies_never_session {
                "cookie adapter that never returns a cookie".into()
            } else {
                "cookie-based client: a session cookie replaces the key".into()
            },
        });
    }
    let (role, decided_by) = decide(c);
    RoleInfo {
        role,
        decided_by,
        evidence,
    }
}

fn decide(c: &Client) -> (Role, EvidenceKind) {
    if let Some(h) = c.header.as_ref().filter(|_| header_overrides(c)) {
        let role = match h.value.as_ref().and_then(|v| v.level) {
            Some(KeyLevel::User) => Role::User {
                via: UserVia::Header,
            },
            Some(KeyLevel::Anon) => Role::Anon,
            _ => Role::User {
                via: UserVia::HeaderToken,
            },
        };
        return (role, EvidenceKind::Header);
    }
    if c.access_token.is_some() {
        return (Role::ThirdParty, EvidenceKind::AccessToken);
    }
    let cookie = c.factory.kind.is_cookie_based();
    let role = match c.key_level() {
        Some(KeyLevel::Service) if cookie && !c.cookies_never_session => Role::Depends {
            condition: Condition::SessionCookie,
            cases: vec![
                ("without a session cookie".into(), Role::ServiceRole),
                (
                    "with a session cookie".into(),
                    Role::User {
                        via: UserVia::SessionCookie,
                    },
                ),
            ],
        },
        Some(KeyLevel::Service) => Role::ServiceRole,
        Some(KeyLevel::Anon) if cookie => Role::Depends {
            condition: Condition::SessionCookie,
            cases: vec![
                (
                    "with a session cookie".into(),
                    Role::User {
                        via: UserVia::SessionCookie,
                    },
                ),
                ("without one".into(), Role::Anon),
            ],
        },
        Some(KeyLevel::Anon) => Role::Anon,
        Some(KeyLevel::User) => Role::User { via: UserVia::Key },
        None => Role::Unknown {
            why: match c.key.as_ref().map(|k| &k.source) {
                Some(KeySource::Env { name, .. }) => {
                    format!("`{name}` is not a known key name and no .env file gives its value")
                }
                _ => "the key could not be traced".into(),
            },
        },
    };
    (role, EvidenceKind::Key)
}

/// The role the constructor key alone gives, ignoring headers, `accessToken` and cookies.
pub fn key_role(c: &Client) -> Role {
    match c.key_level() {
        Some(KeyLevel::Service) => Role::ServiceRole,
        Some(KeyLevel::Anon) => Role::Anon,
        Some(KeyLevel::User) => Role::User { via: UserVia::Key },
        None => Role::Unknown {
            why: "the key could not be traced".into(),
        },
    }
}

/// The role `auth.admin.*` calls run as: supabase-js sends the explicit `Authorization` header when there is
/// one, else the constructor key — never the session, the cookies or the `accessToken`.
pub fn admin_api_role(c: &Client) -> Role {
    let level = match &c.header {
        Some(h) => h.value.as_ref().and_then(|v| v.level),
        None => c.key_level(),
    };
    match level {
        Some(KeyLevel::Service) => Role::ServiceRole,
        Some(KeyLevel::Anon) => Role::Anon,
        Some(KeyLevel::User) if c.header.is_some() => Role::User {
            via: UserVia::Header,
        },
        Some(KeyLevel::User) => Role::User { via: UserVia::Key },
        None => Role::Unknown {
            why: "the Authorization header or key could not be traced".into(),
        },
    }
}

/// An explicit Authorization header that is not the constructor's own service key.
fn header_overrides(c: &Client) -> bool {
    match &c.header {
        None => false,
        Some(h) => match (&h.value, &c.key) {
            (Some(v), Some(k)) => !(v.level == Some(KeyLevel::Service) || v.same_key(k)),
            _ => true,
        },
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use rlscope_core::TextRange;

    use super::*;
    use crate::db::FileId;
    use crate::eval::{Factory, FactoryKind, Header, KeyVal};
    use crate::idx::Idx;

    fn loc(start: u32) -> Loc {
        Loc {
            file: FileId::new(0),
            range: TextRange::new(start, start + 1),
        }
    }

    fn key(level: Option<KeyLevel>, name: &str) -> Rc<KeyVal> {
        Rc::new(KeyVal {
            level,
            source: KeySource::Env {
                name: Rc::from(name),
                by_value: false,
            },
            origin: loc(5),
            via_call: None,
        })
    }

    fn client(kind: FactoryKind, key_level: Option<KeyLevel>) -> Client {
        Client {
            factory: Factory {
                kind,
                name: Rc::from("createClient"),
            },
            site: loc(1),
            key: Some(key(key_level, "SUPABASE_KEY")),
            key_loc: loc(5),
            header: None,
            access_token: None,
            cookies_never_session: false,
            db_schema: None,
            module_level: true,
            site_expr: crate::ir::ExprId::new(0),
            ctx_call: None,
            key_fallback: false,
            key_by_flag: None,
            header_when_given: None,
            ignored_key: None,
        }
    }

    #[test]
    fn service_key_is_service_role() {
        let c = client(FactoryKind::SupabaseJs, Some(KeyLevel::Service));
        assert_eq!(of_client(&c), Role::ServiceRole);
        assert_eq!(of_client(&c).db_roles(), Some(vec![DbRole::ServiceRole]));
        assert!(of_client(&c).may_bypass_rls());
        assert_eq!(of_client(&c).label(), "service_role");
        let i = info(&c);
        assert_eq!(i.decided_by, EvidenceKind::Key);
        assert_eq!(i.evidence(EvidenceKind::ClientBuilt).unwrap().loc, loc(1));
        assert_eq!(i.evidence(EvidenceKind::Key).unwrap().loc, loc(5));
    }

    #[test]
    fn user_token_header_is_the_signed_in_user() {
        let mut c = client(FactoryKind::SupabaseJs, Some(KeyLevel::Service));
        c.header = Some(Header {
            loc: loc(9),
            value: Some(key(Some(KeyLevel::User), "TOKEN")),
        });
        let i = info(&c);
        assert_eq!(
            i.role,
            Role::User {
                via: UserVia::Header
            }
        );
        assert_eq!(i.decided_by, EvidenceKind::Header);
        assert_eq!(i.evidence(EvidenceKind::Header).unwrap().loc, loc(9));
        assert_eq!(i.role.db_roles(), Some(vec![DbRole::Authenticated]));
        assert!(!i.role.may_bypass_rls());
        // the admin API sends that header too
        assert_eq!(
            admin_api_role(&c).db_roles(),
            Some(vec![DbRole::Authenticated])
        );
        // ...while the service key's own value as the header overrides nothing
        c.header = Some(Header {
            loc: loc(9),
            value: Some(key(Some(KeyLevel::Service), "SUPABASE_KEY")),
        });
        assert_eq!(of_client(&c), Role::ServiceRole);
    }

    #[test]
    fn user_token_as_key_is_the_signed_in_user() {
        let c = client(FactoryKind::SupabaseJs, Some(KeyLevel::User));
        assert_eq!(of_client(&c), Role::User { via: UserVia::Key });
        assert_eq!(of_client(&c).label(), "authenticated");
    }

    #[test]
    fn unclassified_header_token_is_its_users_role_not_known() {
        let mut c = client(FactoryKind::SupabaseJs, Some(KeyLevel::Service));
        c.header = Some(Header {
            loc: loc(9),
            value: None,
        });
        let r = of_client(&c);
        assert_eq!(
            r,
            Role::User {
                via: UserVia::HeaderToken
            }
        );
        assert_eq!(r.db_roles(), None);
        assert!(!r.may_bypass_rls());
        assert!(matches!(admin_api_role(&c), Role::Unknown { .. }));
    }

    #[test]
    fn anon_key_is_anon() {
        let c = client(FactoryKind::SupabaseJs, Some(KeyLevel::Anon));
        assert_eq!(of_client(&c), Role::Anon);
        assert_eq!(of_client(&c).db_roles(), Some(vec![DbRole::Anon]));
        assert_eq!(admin_api_role(&c), Role::Anon);
        // an anon key as the header of a service client makes it anon too
        let mut s = client(FactoryKind::SupabaseJs, Some(KeyLevel::Service));
        s.header = Some(Header {
            loc: loc(9),
            value: Some(key(Some(KeyLevel::Anon), "ANON")),
        });
        assert_eq!(of_client(&s), Role::Anon);
    }

    #[test]
    fn cookie_client_depends_on_the_session_cookie() {
        let c = client(FactoryKind::SsrServer, Some(KeyLevel::Service));
        let r = of_client(&c);
        let Role::Depends { condition, cases } = &r else {
            panic!("{r:?}")
        };
        assert_eq!(*condition, Condition::SessionCookie);
        assert_eq!(cases[0].1, Role::ServiceRole);
        assert_eq!(
            r.db_roles(),
            Some(vec![DbRole::ServiceRole, DbRole::Authenticated])
        );
        assert!(r.may_bypass_rls());
        assert_eq!(r.label(), "depends");
        // a cookie adapter that never yields a cookie: always service_role
        let mut never = c.clone();
        never.cookies_never_session = true;
        assert_eq!(of_client(&never), Role::ServiceRole);
        // anon key: the user with a cookie, anon without
        let a = of_client(&client(FactoryKind::SsrServer, Some(KeyLevel::Anon)));
        assert_eq!(
            a.db_roles(),
            Some(vec![DbRole::Authenticated, DbRole::Anon])
        );
        assert!(!a.may_bypass_rls());
        assert!(info(&c).evidence(EvidenceKind::Cookie).is_some());
    }

    #[test]
    fn access_token_is_third_party() {
        let mut c = client(FactoryKind::SupabaseJs, Some(KeyLevel::Service));
        c.access_token = Some(loc(7));
        let i = info(&c);
        assert_eq!(i.role, Role::ThirdParty);
        assert_eq!(i.decided_by, EvidenceKind::AccessToken);
        assert_eq!(i.role.db_roles(), Some(vec![DbRole::Authenticated]));
        assert!(!i.role.may_bypass_rls());
        // the key alone would be service_role
        assert_eq!(key_role(&c), Role::ServiceRole);
    }

    #[test]
    fn untraced_key_is_unknown_with_the_reason() {
        let c = client(FactoryKind::SupabaseJs, None);
        let r = of_client(&c);
        assert!(
            matches!(&r, Role::Unknown { why } if why.contains("SUPABASE_KEY")),
            "{r:?}"
        );
        assert_eq!(r.db_roles(), None);
        assert!(!r.may_bypass_rls());
        let mut nokey = c.clone();
        nokey.key = None;
        assert_eq!(
            of_client(&nokey),
            Role::Unknown {
                why: "the key could not be traced".into()
            }
        );
    }
}
