//! `request-denied-by-rls`: a database request that row level security denies for every role it can run as.

use rlscope_core::rule::{Language, RuleMeta};
use rlscope_core::{Finding, Severity};
use rlscope_sql::outcome;

use super::RuleCtx;
use crate::requests::outcome::outcomes;
use crate::requests::RequestKind;

pub static META: RuleMeta = RuleMeta {
    id: "request-denied-by-rls",
    default_severity: Severity::Warning,
    language: Language::TypeScript,
    summary: "A database request that the table's row level security denies for every role it can run as",
    what_it_does: "For each `from(table)` request, rlscope knows the roles it can run as (`anon`, the signed-in \
user's `authenticated`, `service_role`) and, from the project's migrations, the table's RLS state and policies. It \
reports a request that is denied for every one of those roles: no `SELECT` policy for a `.select()` (no rows, no \
error), no `INSERT` policy for an `.insert()` (error 42501), an `.insert(x).select()` or an `.update(x).eq(…)` \
without a `SELECT` policy, an `.upsert()` without `INSERT`, `UPDATE` and `SELECT` policies, only restrictive \
policies, policies that are `false`, or a privilege the migrations revoked (error 42501, permission denied). The message names the table, the command, the role, the result and the \
policies that do exist; related locations point at where RLS was enabled and at the policies.\n\n\
Only tables whose RLS is enabled in the project's own SQL (`supabase/migrations`, `supabase/schemas`) are \
checked: a policy made in the dashboard and never written to a migration is invisible to rlscope. Anything not \
known (the table, the role, SQL that could not be read) is never reported. A request on a shared anon-key client \
built in another module (`lib/supabase.ts`) is not reported as denied for `anon` when the table's policies allow \
it for `authenticated`: a sign-in elsewhere in the app stores the user's session in that client.",
    why_bad: "The request cannot do what the code expects for anyone who runs it: a select that always returns `[]`, \
an insert that always fails with `new row violates row-level security policy`, an update that succeeds and changes \
nothing. These are the classic \"RLS is blocking me\" support questions, found before the code runs.",
    example: EXAMPLE,
    use_instead: USE_INSTEAD,
    fix_safety: "No automatic fix: either the table needs a policy for this role and command (write it in a new \
migration, as in the example), or the request belongs on another client (a service client on the server for \
administrative work). Which one is a decision about who may do what.",
    references: &[
        "/docs/guides/database/postgres/row-level-security",
        "/docs/guides/troubleshooting/why-is-my-service-role-key-client-getting-rls-errors-or-not-returning-data-7_1K9z",
    ],
};

/// The migration both docs examples start from: the table and its INSERT policy.
macro_rules! orders_migration {
    () => {
        r#"// file: supabase/migrations/20240101000000_orders.sql
create table public.orders (
  id bigint generated always as identity primary key,
  user_id uuid not null,
  total numeric not null
);
alter table public.orders enable row level security;
create policy "Users insert own orders" on public.orders
  for insert to authenticated with check ((select auth.uid()) = user_id);
"#
    };
}

/// The Edge Function of both docs examples, up to its request.
macro_rules! place_order_function {
    () => {
        r#"// file: supabase/functions/place-order/index.ts
import { createClient } from 'npm:@supabase/supabase-js@2'

Deno.serve(async (req) => {
  const supabase = createClient(Deno.env.get('SUPABASE_URL')!, Deno.env.get('SUPABASE_ANON_KEY')!, {
    global: { headers: { Authorization: req.headers.get('Authorization')! } },
  })
  const { user_id, total } = await req.json()
"#
    };
}

const EXAMPLE: &str = concat!(
    orders_migration!(),
    place_order_function!(),
    r#"  // returning the row needs a SELECT policy too: error 42501
  const { data, error } = await supabase.from('orders').insert({ user_id, total }).select()
  return Response.json({ data, error })
})
"#
);

const USE_INSTEAD: &str = concat!(
    orders_migration!(),
    r#"create policy "Users read own orders" on public.orders
  for select to authenticated using ((select auth.uid()) = user_id);
"#,
    place_order_function!(),
    r#"  const { data, error } = await supabase.from('orders').insert({ user_id, total }).select()
  return Response.json({ data, error })
})
"#
);

pub(crate) fn check_file(ctx: &mut RuleCtx) {
    let projects = ctx.snap.projects();
    let Some(project) = projects.for_file(ctx.snap.path(ctx.file)) else {
        return;
    };
    for req in crate::requests::requests(ctx.snap, ctx.file) {
        let Some(o) = outcomes(&project.model, &req) else {
            continue;
        };
        // Only tables whose RLS the project's own SQL enabled: policies made in the dashboard are invisible.
        let Some(enabled_at) = o.table.rls_enabled_at.as_ref() else {
            continue;
        };
        if o.table.unknown || o.table.managed {
            continue;
        }
        if !o.per_role.iter().all(|(_, out)| out.is_denied()) {
            continue;
        }
        if anon_key_client_allowed_as_user(ctx, &req, &o) {
            continue;
        }
        let range = match &req.kind {
            RequestKind::Db { table_range, .. } => *table_range,
            _ => req.range,
        };
        let consequences: Vec<String> = o
            .per_role
            .iter()
            .map(|(r, out)| out.explain(&o.facts, &o.name, o.op, *r))
            .collect();
        let at = |loc: &rlscope_sql::schema::SrcLoc| {
            let path: &std::path::Path = &loc.path;
            match ctx.snap.file_id(path) {
                Some(id) => ctx.snap.describe_loc(id, loc.range.start),
                None => path.display().to_string(),
            }
        };
        let message = format!(
            "{}. Policies on `{}`: {}. RLS enabled at {}.",
            consequences.join("; "),
            o.name,
            outcome::list_policies(&o.facts),
            at(enabled_at)
        );
        let mut finding = Finding::new(META.id, META.default_severity, range, message);
        finding = finding.with_related(
            enabled_at.path.to_path_buf(),
            enabled_at.range,
            format!("row level security enabled on `{}`", o.name),
        );
        if let Some(def) = &o.table.defined_at {
            finding = finding.with_related(
                def.path.to_path_buf(),
                def.range,
                format!("`{}` created here", o.name),
            );
        }
        for p in &o.table.policies {
            finding = finding.with_related(
                p.at.path.to_path_buf(),
                p.at.range,
                format!(
                    "policy \"{}\" (FOR {} TO {})",
                    p.name,
                    p.command.as_str(),
                    p.roles.join(", ")
                ),
            );
        }
        ctx.out.push(finding);
    }
}

/// A request that runs as `anon` only because of the anon key of a client built in another file (a shared
/// client module), on a table whose policies let the signed-in user do it: supabase-js keeps the session of
/// a sign-in made anywhere on that client (another file, an earlier page, a persisted session), and
/// session-storing calls are followed within one file only. The request may well run as the user.
fn anon_key_client_allowed_as_user(
    ctx: &RuleCtx,
    req: &crate::requests::Request,
    o: &crate::requests::outcome::RequestOutcomes,
) -> bool {
    let only_anon = o.per_role.iter().all(|(r, _)| *r == outcome::DbRole::Anon);
    only_anon
        && req.role.decided_by == crate::role::EvidenceKind::Key
        && req.client.file != ctx.file
        && !outcome::outcome_for(&o.facts, o.op, outcome::DbRole::Authenticated).is_denied()
}

script_rule! {
    /// The rule's hooks: the file's requests.
    file: check_file,
}
