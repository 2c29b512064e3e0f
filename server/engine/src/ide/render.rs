//! The role of a client as hover and inlay text: a rendering of [`role::info`], nothing decided here.

use crate::db::{FileId, Snapshot};
use crate::eval::{Client, Eval, Loc, Value};
use crate::role::{self, Evidence, EvidenceKind, Role, RoleInfo, UserVia};

/// A short label and a markdown explanation of the role a client's requests run as: a rendering of
/// [`role::info`], nothing decided here.
pub(super) fn role_of(
    snap: &Snapshot,
    ev: &mut Eval,
    file: FileId,
    c: &Client,
) -> (String, String) {
    let mut info = role::info(c);
    if info.role == Role::ServiceRole {
        if let Some(e) = session_call_on(snap, ev, file, c) {
            info.evidence.push(e);
        }
    }
    render(snap, &info)
}

/// A short label and a markdown explanation of one request's role ([`crate::requests`]), when a session-storing
/// call on its client decides it: what that request sends first, then why. `None` when the request's role is
/// its client's (render that with [`role_of`]).
pub(super) fn request_role_of(snap: &Snapshot, info: &RoleInfo) -> Option<(String, String)> {
    if info.decided_by != EvidenceKind::SessionCall {
        return None;
    }
    let (built, with_key) = client_origin(snap, info);
    let call = info.evidence(EvidenceKind::SessionCall)?;
    match &info.role {
        Role::User {
            via: UserVia::Header,
        } => Some((
            "authenticated".into(),
            format!(
                "runs as **the signed-in user** (RLS applies): {} sets the token `functions.invoke` sends instead of the key — {built}{with_key}",
                call.text
            ),
        )),
        Role::User { .. } => Some((
            "authenticated".into(),
            format!(
                "runs as **the signed-in user** (RLS applies): the {} stored a session in this client, whose token is sent instead of the key — {built}{with_key}",
                call.text
            ),
        )),
        Role::Depends { cases, .. } => {
            let parts: Vec<String> = cases
                .iter()
                .map(|(when, r)| format!("{} {when}", request_case(r)))
                .collect();
            Some((
                "depends on call order".into(),
                format!(
                    "**depends on the call order**: runs as {} — {built}{with_key}",
                    parts.join(", as ")
                ),
            ))
        }
        _ => None,
    }
}

/// Where the client was built ("client built at file:line") and with which key (" with NAME"); empty when not known.
fn client_origin(snap: &Snapshot, info: &RoleInfo) -> (String, String) {
    let built = info
        .evidence(EvidenceKind::ClientBuilt)
        .map_or(String::new(), |e| {
            format!(
                "client built at {}",
                snap.describe_loc(e.loc.file, e.loc.range.start)
            )
        });
    let with_key = info
        .evidence(EvidenceKind::Key)
        .map_or(String::new(), |e| format!(" with {}", e.text));
    (built, with_key)
}

fn request_case(role: &Role) -> &'static str {
    match role {
        Role::ServiceRole => "**service_role** (bypasses RLS)",
        Role::User { .. } | Role::ThirdParty => "**the signed-in user** (RLS applies)",
        Role::Anon => "**anon** (RLS applies)",
        Role::Depends { .. } => "a role that depends on the request",
        Role::Unknown { .. } => "an unknown role",
    }
}

fn render(snap: &Snapshot, info: &RoleInfo) -> (String, String) {
    let at = |e: &Evidence| snap.describe_loc(e.loc.file, e.loc.range.start);
    let (built, with_key) = client_origin(snap, info);
    if info.decided_by == EvidenceKind::Header {
        let h = info.evidence(EvidenceKind::Header).expect("header");
        let hat = at(h);
        return match &info.role {
            Role::User {
                via: UserVia::Header,
            } => (
                "authenticated".into(),
                format!("runs as **the signed-in user** (RLS applies) — Authorization header from {} at {hat}", h.text),
            ),
            Role::Anon => ("anon".into(), format!("runs as **anon** (RLS applies) — Authorization header {} at {hat}", h.text)),
            _ => ("token's user".into(), format!("runs as the user of the Authorization header's token (RLS applies) — header set at {hat}")),
        };
    }
    match &info.role {
        Role::ThirdParty => (
            "third-party user".into(),
            format!("runs as the user the `accessToken` callback returns (RLS applies) — {built}"),
        ),
        Role::Depends { .. } if info.role.may_bypass_rls() => (
            "depends on request".into(),
            format!(
                "**depends on the request**: service_role (bypasses RLS) without a session cookie, the signed-in user with \
one — cookie-based {built}{with_key}"
            ),
        ),
        Role::ServiceRole => {
            let mut md = format!("runs as **service_role** (bypasses RLS) — {built}{with_key}");
            if let Some(e) = info.evidence(EvidenceKind::SessionCall) {
                md.push_str(&format!(
                    "; after the session-storing `auth` call at line {}, it runs as that user instead",
                    e.text
                ));
            }
            ("service_role".into(), md)
        }
        Role::Depends { .. } => (
            "user or anon".into(),
            format!("runs as the signed-in user from the session cookie (RLS applies), or as anon without one — {built}{with_key}"),
        ),
        Role::Anon => (
            "anon".into(),
            format!("runs as **anon** (RLS applies), or as the signed-in user after a sign-in on this client — {built}{with_key}"),
        ),
        Role::User { .. } => ("authenticated".into(), format!("runs as the user whose token is the key (RLS applies) — {built}")),
        Role::Unknown { why } => ("role unknown".into(), format!("role unknown: {why} — {built}")),
    }
}

/// A session-storing call on the same client in this file, if any (its text is its 1-based line).
fn session_call_on(snap: &Snapshot, ev: &mut Eval, file: FileId, c: &Client) -> Option<Evidence> {
    let ir = snap.ir(file)?;
    for call in &ir.calls {
        let Some((obj, m)) = &call.method else {
            continue;
        };
        for v in ev.eval(file, *obj, &None) {
            if let Value::ClientPart(x, p) = v {
                if x.site == c.site && crate::eval::is_session_storing(p, m) {
                    let range = ir.range(call.expr);
                    let line = snap.line_index(file)?.line_of(range.start) + 1;
                    return Some(Evidence {
                        kind: EvidenceKind::SessionCall,
                        loc: Loc { file, range },
                        text: line.to_string(),
                    });
                }
            }
        }
    }
    None
}
