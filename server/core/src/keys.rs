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
    jwt_claim(value, "role")
}

/// A string claim of a JWT's payload, if `value` is a JWT that has it.
fn jwt_claim(value: &str, claim: &str) -> Option<String> {
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
    json.get(claim)?.as_str().map(str::to_owned)
}

/// Whether `value` is the Supabase CLI's local-development key (`"iss":"supabase-demo"`): the same key is
/// printed by every `supabase start`, is public, and opens only a local stack.
pub fn is_local_demo_key(value: &str) -> bool {
    let v = value.trim();
    let v = v.strip_prefix("Bearer ").unwrap_or(v).trim();
    jwt_claim(v, "iss").is_some_and(|iss| iss == "supabase-demo")
}

/// The message of `hardcoded-service-key` for a key shown as `shown` (already redacted).
pub fn hardcoded_key_message(kind: LiteralKind, shown: &str) -> String {
    let what = match kind {
        LiteralKind::Secret => "secret key",
        _ => "service-role JWT",
    };
    format!(
        "hard-coded {what} `{shown}`: it bypasses RLS and is readable by anyone with the source"
    )
}

/// A key written somewhere in free text (SQL, TOML, JSON, YAML, Markdown): byte range and kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyInText {
    pub range: std::ops::Range<usize>,
    pub key: LiteralKey,
}

/// Every service-level key (service-role JWT, `sb_secret_` key) written in `text`, wherever it stands
/// (a string, a comment, a header value after `Bearer `), except the local-development key. A token must
/// start a word: `surveyJob` holds no JWT.
pub fn service_keys_in_text(text: &str) -> Vec<KeyInText> {
    let mut out = Vec::new();
    if !text.contains("eyJ") && !text.contains("sb_secret_") {
        return out;
    }
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let starts_word = i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        // compared as bytes: `i` may be inside a multi-byte character; a token starts with an ASCII letter
        if !starts_word || !(b[i..].starts_with(b"eyJ") || b[i..].starts_with(b"sb_secret_")) {
            i += 1;
            continue;
        }
        let rest = &text[i..];
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '=')))
            .unwrap_or(rest.len());
        // a sentence may end right after a token: `… key eyJ….` keeps its three parts
        let token = rest[..len].trim_end_matches('.');
        if let Some(key) = classify_literal(token) {
            if key.level == KeyLevel::Service && !is_local_demo_key(token) {
                out.push(KeyInText {
                    range: i..i + token.len(),
                    key,
                });
            }
        }
        i += len.max(1);
    }
    out
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
    if SERVICE.iter().any(|p| upper.contains(p)) {
        return Some(KeyLevel::Service);
    }
    if is_anon_name(&upper) {
        return Some(KeyLevel::Anon);
    }
    None
}

fn is_anon_name(upper: &str) -> bool {
    const ANON: [&str; 3] = ["ANON_KEY", "PUBLISHABLE_KEY", "PUBLISHABLE_KEYS"];
    ANON.iter().any(|p| upper.contains(p))
}

/// Classifies the name of an environment variable that is *used as a Supabase client's key*. Besides
/// [`classify_env_name`]'s list, a name there that contains `SERVICE`, `ADMIN_KEY` or `SECRET`
/// (`SUPABASE_SERVICE`, `SUPABASE_ADMIN_KEY`, `SUPABASE_SECRET`) is service-level: in that slot the
/// variable can only hold a key. Elsewhere (`STRIPE_SECRET`, `NEXT_PUBLIC_SERVICE_URL`) such names say
/// nothing about Supabase, so this wider list is for the key slot only. A value known from a `.env` file
/// still wins over any name.
pub fn classify_key_slot_env_name(
    name: &str,
    extra_service: &[String],
    extra_anon: &[String],
) -> Option<KeyLevel> {
    if let Some(level) = classify_env_name(name, extra_service, extra_anon) {
        return Some(level);
    }
    let upper = name.to_ascii_uppercase();
    const SERVICE: [&str; 3] = ["SERVICE", "ADMIN_KEY", "SECRET"];
    if !is_anon_name(&upper) && SERVICE.iter().any(|p| upper.contains(p)) {
        return Some(KeyLevel::Service);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        rlscope_testkit::jwt(payload, "signature")
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
        // the wider list holds only in a client's key slot
        for name in [
            "SUPABASE_SERVICE",
            "SUPABASE_ADMIN_KEY",
            "SUPABASE_SECRET",
            "PRIVATE_SERVICE",
        ] {
            assert_eq!(classify_env_name(name, &[], &[]), None, "{name}");
            assert_eq!(
                classify_key_slot_env_name(name, &[], &[]),
                Some(KeyLevel::Service),
                "{name}"
            );
        }
        assert_eq!(
            classify_key_slot_env_name("PUBLIC_SUPABASE_ANON_KEY", &[], &[]),
            Some(KeyLevel::Anon)
        );
        assert_eq!(classify_key_slot_env_name("SUPABASE_URL", &[], &[]), None);
        assert_eq!(classify_key_slot_env_name("SUPABASE_KEY", &[], &[]), None);
        // the configured lists come first
        assert_eq!(
            classify_key_slot_env_name("SUPABASE_SERVICE", &[], &["SUPABASE_SERVICE".into()]),
            Some(KeyLevel::Anon)
        );
    }

    #[test]
    fn local_demo_key() {
        let demo = jwt(r#"{"iss":"supabase-demo","role":"service_role","exp":1983812996}"#);
        let real = jwt(r#"{"iss":"supabase","ref":"abcd","role":"service_role"}"#);
        assert!(is_local_demo_key(&demo));
        assert!(is_local_demo_key(&format!("Bearer {demo}")));
        assert!(!is_local_demo_key(&real));
        assert!(!is_local_demo_key("sb_secret_abc"));
        // still a service key for the data flow: only the literal rule leaves it alone
        assert_eq!(classify_literal(&demo).unwrap().level, KeyLevel::Service);
    }

    #[test]
    fn keys_in_free_text() {
        let svc = jwt(r#"{"iss":"supabase","role":"service_role"}"#);
        let anon = jwt(r#"{"iss":"supabase","role":"anon"}"#);
        let demo = jwt(r#"{"iss":"supabase-demo","role":"service_role"}"#);
        let text = format!(
            "headers := '{{\"Authorization\": \"Bearer {svc}\"}}'::jsonb -- {anon}\n# {demo}\nkey: sb_secret_abc123.\nsurveyJob.x {svc}."
        );
        let found = service_keys_in_text(&text);
        let got: Vec<&str> = found.iter().map(|k| &text[k.range.clone()]).collect();
        assert_eq!(got, vec![svc.as_str(), "sb_secret_abc123", svc.as_str()]);
        assert_eq!(found[1].key.kind, LiteralKind::Secret);
        assert!(service_keys_in_text("no keys here").is_empty());
        // a token glued to a word is not one
        assert!(service_keys_in_text(&format!("x{svc}")).is_empty());
        // multi-byte characters before a token (or a BOM) are stepped over, not sliced into
        let text = format!("😀\u{feff}é '{svc}'");
        let found = service_keys_in_text(&text);
        assert_eq!(found.len(), 1);
        assert_eq!(&text[found[0].range.clone()], svc);
    }
}
