//! `admin-api-without-service-key`: `auth.admin.*` on a client that cannot be admin.

use rlscope_core::rule::{Language, RuleMeta};
use rlscope_core::{Applicability, Finding, Fix, Severity};

use super::{callee_range, clients_of, RuleCtx};
use crate::eval::{Client, Part, Value};
use crate::ir::{CallSite, ExprId};
use crate::role::{self, Role};

pub static META: RuleMeta = RuleMeta {
    id: "admin-api-without-service-key",
    default_severity: Severity::Error,
    language: Language::TypeScript,
    summary: "An auth.admin method is called on a client built with the anon key or carrying a user's token",
    what_it_does: "Reports `auth.admin.*` calls (`createUser`, `deleteUser`, `listUsers`, `inviteUserByEmail`, \
`generateLink`, `updateUserById`, …; not `admin.signOut(jwt)`) on a client whose constructor key is the anon or \
publishable key, or whose explicit `Authorization` header is a user's token.",
    why_bad: "The admin API checks the key in the `Authorization` header: `auth.admin.*` sends the constructor key (or \
the explicit global header), never the session. With the anon key or a user's token the call always fails with \
\"User not allowed\" (403), usually in a code path that only runs in production.",
    example: r#"import { createClient } from '@supabase/supabase-js'

const supabase = createClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!)

export async function removeUser(id: string) {
  await supabase.auth.admin.deleteUser(id)
}
"#,
    use_instead: r#"import { createClient } from '@supabase/supabase-js'

const supabaseAdmin = createClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!, {
  auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
})

export async function removeUser(id: string) {
  await supabaseAdmin.auth.admin.deleteUser(id)
}
"#,
    fix_safety: "No automatic fix: which service client to use (and whether this code may run with the service key at \
all) is a decision for the author. The suggestion is display-only.",
    references: &["/docs/reference/javascript/admin-api", "/docs/guides/api/api-keys"],
};

/// `auth.admin.*` runs as the header or the key: it cannot be admin when that is anon or a user.
fn cannot_be_admin(c: &Client) -> bool {
    matches!(role::admin_api_role(c), Role::Anon | Role::User { .. })
}

pub(crate) fn check_call(
    ctx: &mut RuleCtx,
    call: &CallSite,
    obj: ExprId,
    method: &str,
    recv: &[Value],
) {
    if method == "signOut"
        || recv.is_empty()
        || !recv
            .iter()
            .all(|v| matches!(v, Value::ClientPart(_, Part::Admin)))
    {
        return;
    }
    let clients = clients_of(recv);
    if clients.len() != recv.len() || !clients.iter().all(|c| cannot_be_admin(c)) {
        return;
    }
    let c = &clients[0];
    let why =
        match &c.header {
            Some(h) => format!(
            "its `Authorization` header carries {}, which `auth.admin` sends instead of the key",
            h.value.as_ref().map_or("a user's token".into(), |v| v.describe())
        ),
            None => format!(
                "it was built with {} ({})",
                c.key
                    .as_ref()
                    .map_or("an anon key".into(), |k| k.describe()),
                ctx.at(c.site)
            ),
        };
    let message = format!(
        "`{}.{method}` needs the service-role key, but {why}: the call fails with \"User not allowed\"",
        ctx.receiver_text(obj)
    );
    let mut f = Finding::new(
        META.id,
        META.default_severity,
        callee_range(ctx.ir, call),
        message,
    );
    f = ctx.related(f, c.site, format!("`{}` client built here", c.factory.name));
    f = f.with_fix(Fix {
        title: "Call it on a service-role client (createClient with the service key and persistSession: false)".into(),
        applicability: Applicability::DisplayOnly,
        edits: Vec::new(),
    });
    ctx.out.push(f);
}

script_rule! {
    /// The rule's hooks: any method on a receiver named like `auth.admin`.
    wants: super::Wants {
        receiver_named: Some("admin"),
        ..super::Wants::NOTHING
    },
    method_call: check_call,
}
