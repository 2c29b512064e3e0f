//! The request inventory (`Workspace::requests`): every kind of request, and the role of each request —
//! session-storing calls in straight-line order, elsewhere, after; headers; `functions.setAuth`.

use std::path::PathBuf;
use std::sync::Arc;

use rlscope_core::config::Config;

use rlscope_engine::requests::*;
use rlscope_engine::role::{Condition, DbRole, EvidenceKind, Role, UserVia};
use rlscope_engine::Workspace;

fn requests_of(text: &str) -> Vec<RequestReport> {
    let mut ws = Workspace::new(PathBuf::from("/p"), Config::default());
    let path = PathBuf::from("/p/a.ts");
    ws.set_file(path.clone(), Arc::from(text));
    ws.requests(&path)
}

fn by_target<'a>(rs: &'a [RequestReport], t: &str) -> &'a RequestReport {
    rs.iter()
        .find(|r| r.kind.target() == Some(t))
        .unwrap_or_else(|| panic!("no request on {t}: {rs:#?}"))
}

const HEAD: &str = "import { createClient } from '@supabase/supabase-js'\n";

#[test]
fn every_kind_of_request_with_its_command() {
    let rs = requests_of(&format!(
        "{HEAD}const admin = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!)
export async function f() {{
  await admin.from('orders').insert({{ a: 1 }}).select().single()
  await admin.from('items').update({{ a: 1 }}).eq('id', 1)
  await admin.schema('private').from('secrets').select('*')
  await admin.rpc('do_it')
  await admin.storage.from('avatars').upload('a.png', file)
  await admin.storage.from('docs').remove(['a'])
  admin.storage.from('pub').getPublicUrl('a')
  await admin.functions.invoke('hello')
  await admin.auth.admin.listUsers()
}}
"
    ));
    assert_eq!(rs.len(), 8, "{rs:#?}");
    let orders = by_target(&rs, "orders");
    assert_eq!(
        orders.kind,
        RequestKind::Db {
            schema: None,
            table: "orders".into(),
            table_range: match &orders.kind {
                RequestKind::Db { table_range, .. } => *table_range,
                _ => unreachable!(),
            },
            commands: vec![DbCommand::Insert, DbCommand::Select],
            returning: true,
            filtered: false,
        }
    );
    assert_eq!(orders.place.line, 4);
    assert!(matches!(
        &by_target(&rs, "items").kind,
        RequestKind::Db {
            filtered: true,
            returning: false,
            ..
        }
    ));
    assert_eq!(by_target(&rs, "secrets").kind.schema(), Some("private"));
    assert_eq!(by_target(&rs, "do_it").kind.label(), "rpc");
    assert!(matches!(
        &by_target(&rs, "avatars").kind,
        RequestKind::Storage {
            command: DbCommand::Insert,
            ..
        }
    ));
    assert!(matches!(
        &by_target(&rs, "docs").kind,
        RequestKind::Storage {
            command: DbCommand::Delete,
            ..
        }
    ));
    assert!(
        rs.iter().all(|r| r.kind.target() != Some("pub")),
        "getPublicUrl makes no request"
    );
    assert_eq!(by_target(&rs, "hello").kind.label(), "functions");
    assert_eq!(by_target(&rs, "listUsers").kind.label(), "auth_admin");
    assert!(rs.iter().all(|r| r.role == Role::ServiceRole));
    assert_eq!(orders.client.line, 2);
}

#[test]
fn a_sign_in_earlier_in_the_same_function_makes_the_request_the_users() {
    let rs = requests_of(&format!(
        "{HEAD}export async function login(email: string, password: string) {{
  const admin = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!)
  await admin.from('before').select()
  await admin.auth.signInWithPassword({{ email, password }})
  const {{ data }} = await admin.from('after').select()
  await admin.functions.invoke('fn_after')
  await admin.auth.admin.listUsers()
}}
"
    ));
    assert_eq!(by_target(&rs, "before").role, Role::ServiceRole);
    let after = by_target(&rs, "after");
    assert_eq!(
        after.role,
        Role::User {
            via: UserVia::Session
        }
    );
    assert_eq!(after.decided_by, EvidenceKind::SessionCall);
    let e = after
        .evidence
        .iter()
        .find(|e| e.kind == EvidenceKind::SessionCall)
        .unwrap();
    assert_eq!(e.place.line, 5);
    assert_eq!(
        by_target(&rs, "fn_after").role.db_roles(),
        Some(vec![DbRole::Authenticated])
    );
    // auth.admin still sends the service key
    assert_eq!(by_target(&rs, "listUsers").role, Role::ServiceRole);
}

#[test]
fn a_sign_in_that_may_not_run_first_makes_the_request_depend_on_it() {
    let rs = requests_of(&format!(
        "{HEAD}const admin = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!)
export async function login(email: string, password: string) {{
  return admin.auth.signInWithPassword({{ email, password }})
}}
export async function list() {{
  return admin.from('module_level').select()
}}
export async function maybe(flag: boolean) {{
  const local = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!)
  if (flag) {{
await local.auth.verifyOtp({{ email: 'a', token: 'b', type: 'email' }})
  }}
  await local.from('conditional').select()
}}
export async function later() {{
  const mine = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!)
  await mine.from('first').select()
  await mine.auth.signInWithPassword({{ email: 'a', password: 'b' }})
}}
"
    ));
    for t in ["module_level", "conditional"] {
        let r = by_target(&rs, t);
        assert!(
            matches!(
                &r.role,
                Role::Depends {
                    condition: Condition::SessionCall,
                    ..
                }
            ),
            "{t}: {:?}",
            r.role
        );
        assert_eq!(
            r.role.db_roles(),
            Some(vec![DbRole::ServiceRole, DbRole::Authenticated])
        );
    }
    // a local client whose only sign-in comes after the request
    assert_eq!(by_target(&rs, "first").role, Role::ServiceRole);
}

#[test]
fn a_header_wins_over_a_session_and_set_auth_changes_functions_only() {
    let rs = requests_of(&format!(
        "{HEAD}export async function POST(req: Request) {{
  const admin = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!)
  admin.functions.setAuth(req.headers.get('Authorization')!)
  await admin.functions.invoke('fn')
  await admin.from('table_stays').select()
  const user = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_ANON_KEY!, {{
global: {{ headers: {{ Authorization: req.headers.get('Authorization')! }} }},
  }})
  await user.auth.signInAnonymously()
  await user.from('header_user').select()
}}
"
    ));
    assert_eq!(
        by_target(&rs, "fn").role,
        Role::User {
            via: UserVia::Header
        }
    );
    assert_eq!(by_target(&rs, "table_stays").role, Role::ServiceRole);
    assert_eq!(
        by_target(&rs, "header_user").decided_by,
        EvidenceKind::Header
    );
}

#[test]
fn calls_that_are_not_supabase_requests_are_not_listed() {
    let rs = requests_of(
        "const xs = Array.from([1, 2])\nconst s = storage.from('x').upload('a')\nclient.rpc('f')\n",
    );
    assert!(rs.is_empty(), "{rs:#?}");
}

#[test]
fn one_line_renders_every_role() {
    assert_eq!(one_line(&Role::ServiceRole), "service_role (bypasses RLS)");
    assert!(one_line(&Role::ThirdParty).contains("2.45"));
    let d = Role::Depends {
        condition: Condition::SessionCall,
        cases: vec![
            ("before x".into(), Role::ServiceRole),
            (
                "after it".into(),
                Role::User {
                    via: UserVia::Session,
                },
            ),
        ],
    };
    assert_eq!(
        one_line(&d),
        "depends: service_role before x, the signed-in user after it"
    );
}

#[test]
fn the_db_schema_option_is_the_schema_of_from_and_rpc_without_schema_call() {
    let rs = requests_of(&format!(
        "{HEAD}const api = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_ANON_KEY!, {{ db: {{ schema: 'api' }} }})
const plain = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_ANON_KEY!)
export async function f() {{
  await api.from('in_api').select()
  await api.rpc('fn_in_api')
  await api.schema('private').from('in_private').select()
  await plain.from('in_public').select()
}}
"
    ));
    let schema = |t: &str| by_target(&rs, t).kind.schema().map(str::to_string);
    assert_eq!(schema("in_api").as_deref(), Some("api"));
    assert_eq!(schema("fn_in_api").as_deref(), Some("api"));
    assert_eq!(schema("in_private").as_deref(), Some("private"));
    assert_eq!(schema("in_public"), None);
}
