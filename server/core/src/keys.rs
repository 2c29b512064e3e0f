//! Recognising Supabase keys and tokens, and redacting them.
//!
//! A value is classified by what it is (a JWT's `role` claim, an `sb_secret_`/`sb_publishable_` prefix) and,
//! more weakly, by the name of the environment variable it is read from. Nothing in rlscope prints a key:
//! every message goes through [`redact`] / [`redact_secrets_in`].

use base64::Engine as _;

/// The Postgres role a key or token makes a request run as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyLevel {
    /// `service_role`: BYPASSRLS.
    Service,
    /// `anon`: RLS applies, no user.
    Anon,
    /// A user's access token (`authenticated`): RLS applies as that user.
    User,
}

impl KeyLevel {
    pub fn role_name(self) -> &'static str {
        match self {
            KeyLevel::Service => "service_role",
            KeyLevel::Anon => "anon",
            KeyLevel::User => "authenticated",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LiteralKind {
    /// A legacy JWT key (or a user's token), `eyJ…`.
    Jwt,
    /// `sb_secret_…`
    Secret,
    /// `sb_publishable_…`
    Publishable,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LiteralKey {
    pub level: KeyLevel,
    pub kind: LiteralKind,
}

/// Classifies a literal string value as a Supabase key or token, or `None`.
pub fn classify_literal(value: &str) -> Option<LiteralKey> {
    let v = value.trim();
    let v = v.strip_prefix("Bearer ").unwrap_or(v).trim();
    if v.starts_with("sb_secret_") && v.len() > "sb_secret_".len() {
        return Some(LiteralKey {
            level: KeyLevel::Service,
            kind: LiteralKind::Secret,
        });
    }
    if v.starts_with("sb_publishable_") && v.len() > "sb_publishable_".len() {
        return Some(LiteralKey {
            level: KeyLevel::Anon,
            kind: LiteralKind::Publishable,
        });
    }
    let level = match jwt_role(v)?.as_str() {
        "service_role" | "supabase_admin" => KeyLevel::Service,
        "anon" => KeyLevel::Anon,
        "authenticated" => KeyLevel::User,
        _ => return None,
    };
    Some(LiteralKey {
        level,
        kind: LiteralKind::Jwt,
    })
}

/// The `role` claim of a JWT, if `value` is one.
pub fn jwt_role(value: &str) -> Option<String> {
    if !value.starts_with("eyJ") || value.len() > 16 * 1024 {
        return None;
    }
    let mut parts = value.split('.');
    let (_header, payload, sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !is_b64url(payload) || !is_b64url(sig) {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let json: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    json.get("role")?.as_str().map(str::to_owned)
}

fn is_b64url(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'=')
}

/// A printable stand-in for a key: `eyJ…(service_role)`, `sb_secret_…`, `sb_publishable_…`.
pub fn redact(value: &str) -> String {
    let v = value.trim();
    let v = v.strip_prefix("Bearer ").unwrap_or(v);
    if v.starts_with("sb_secret_") {
        return "sb_secret_…".into();
    }
    if v.starts_with("sb_publishable_") {
        return "sb_publishable_…".into();
    }
    if let Some(role) = jwt_role(v) {
        let role: String = role
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(32)
            .collect();
        return format!("eyJ…({role})");
    }
    if v.starts_with("eyJ") {
        return "eyJ…".into();
    }
    "…".into()
}

/// Replaces every JWT-looking token and `sb_secret_` key in free text by its redacted form.
pub fn redact_secrets_in(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("eyJ") && !text.contains("sb_secret_") {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        // a token starts a word: `surveyJob` is not a JWT
        let find_word = |r: &str, pat: &str| {
            let mut from = 0;
            while let Some(i) = r[from..].find(pat) {
                let at = from + i;
                if at == 0 || !r.as_bytes()[at - 1].is_ascii_alphanumeric() {
                    return Some(at);
                }
                from = at + 1;
            }
            None
        };
        let next = [find_word(rest, "eyJ"), find_word(rest, "sb_secret_")]
            .into_iter()
            .flatten()
            .min();
        let Some(at) = next else {
            out.push_str(rest);
            break;
        };
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '=')))
            .unwrap_or(tail.len());
        let token = &tail[..end];
        if token.starts_with("sb_secret_") && token.len() > "sb_secret_".len() {
            out.push_str("sb_secret_…");
        } else if token.starts_with("eyJ") && token.matches('.').count() >= 1 && token.len() > 20 {
            out.push_str(&redact(token));
        } else {
            out.push_str(token);
        }
        rest = &tail[end.max(1).min(tail.len())..];
        if end == 0 {
            // cannot happen (tokens start with a letter) but never loop forever
            out.push_str(&tail[..1]);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Classifies an environment variable *name* (the weakest signal).
pub fn classify_env_name(
    name: &str,
    extra_service: &[String],
    extra_anon: &[String],
) -> Option<KeyLevel> {
    if extra_service.iter().any(|n| n == name) {
        return Some(KeyLevel::Service);
    }
    if extra_anon.iter().any(|n| n == name) {
        return Some(KeyLevel::Anon);
    }
    let upper = name.to_ascii_uppercase();
    const SERVICE: [&str; 4] = ["SERVICE_ROLE", "SERVICE_KEY", "SECRET_KEY", "SECRET_KEYS"];
    const ANON: [&str; 3] = ["ANON_KEY", "PUBLISHABLE_KEY", "PUBLISHABLE_KEYS"];
    if SERVICE.iter().any(|p| upper.contains(p)) {
        return Some(KeyLevel::Service);
    }
    if ANON.iter().any(|p| upper.contains(p)) {
        return Some(KeyLevel::Anon);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        let p = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload);
        format!("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.{p}.c2lnbmF0dXJl")
    }

    #[test]
    fn classifies_literals() {
        let svc = jwt(r#"{"iss":"supabase","role":"service_role"}"#);
        assert_eq!(classify_literal(&svc).unwrap().level, KeyLevel::Service);
        assert_eq!(
            classify_literal(&jwt(r#"{"role":"anon"}"#)).unwrap().level,
            KeyLevel::Anon
        );
        assert_eq!(
            classify_literal("sb_secret_abc123").unwrap().level,
            KeyLevel::Service
        );
        assert_eq!(
            classify_literal("sb_publishable_abc").unwrap().level,
            KeyLevel::Anon
        );
        assert!(classify_literal("eyJnotajwt").is_none());
        assert!(classify_literal("hello").is_none());
    }

    #[test]
    fn redacts() {
        let svc = jwt(r#"{"role":"service_role"}"#);
        assert_eq!(redact(&svc), "eyJ…(service_role)");
        let text = format!("key={svc} and sb_secret_XYZ123 end");
        let r = redact_secrets_in(&text);
        assert_eq!(r, "key=eyJ…(service_role) and sb_secret_… end");
        assert!(!r.contains(&svc));
        // a word that merely contains the letters is left alone
        assert_eq!(
            redact_secrets_in("surveyJob.entries.get"),
            "surveyJob.entries.get"
        );
    }

    #[test]
    fn env_names() {
        assert_eq!(
            classify_env_name("SUPABASE_SERVICE_ROLE_KEY", &[], &[]),
            Some(KeyLevel::Service)
        );
        assert_eq!(
            classify_env_name("SUPABASE_SECRET_KEY", &[], &[]),
            Some(KeyLevel::Service)
        );
        assert_eq!(
            classify_env_name("NEXT_PUBLIC_SUPABASE_ANON_KEY", &[], &[]),
            Some(KeyLevel::Anon)
        );
        assert_eq!(classify_env_name("SUPABASE_URL", &[], &[]), None);
    }
}
