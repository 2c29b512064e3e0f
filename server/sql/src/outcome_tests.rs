//! Unit tests of [`super`]: each fact of rls.md §3 once; the differential against PostgreSQL is
//! `tests/rls_differential.rs`.
use super::*;

fn policy(
    name: &str,
    command: PolicyCommand,
    roles: &[&str],
    using: Option<&str>,
    check: Option<&str>,
) -> PolicyFacts {
    PolicyFacts {
        name: name.into(),
        permissive: true,
        command,
        roles: roles.iter().map(|r| r.to_string()).collect(),
        using: using.map(Into::into),
        with_check: check.map(Into::into),
    }
}

fn table(policies: Vec<PolicyFacts>) -> TableFacts {
    TableFacts {
        rls: Tri::Yes,
        forced: Tri::No,
        policies,
        grants: [Some(Privileges::ALL); 3],
        unknown: None,
    }
}

fn denied(o: &Outcome) -> Option<(DeniedResult, PolicyCommand)> {
    match o {
        Outcome::Denied {
            result, missing, ..
        } => Some((*result, *missing)),
        _ => None,
    }
}

const AUTH: DbRole = DbRole::Authenticated;

#[test]
fn default_deny_results() {
    let t = table(vec![]);
    assert_eq!(
        denied(&outcome_for(&t, Op::Select, AUTH)),
        Some((DeniedResult::NoRows, PolicyCommand::Select))
    );
    assert_eq!(
        denied(&outcome_for(&t, Op::Insert { returning: false }, AUTH)),
        Some((DeniedResult::Error42501, PolicyCommand::Insert))
    );
    assert_eq!(
        denied(&outcome_for(
            &t,
            Op::Update {
                filtered: true,
                returning: false
            },
            AUTH
        )),
        Some((DeniedResult::NothingChanged, PolicyCommand::Update))
    );
    assert_eq!(
        denied(&outcome_for(
            &t,
            Op::Delete {
                filtered: true,
                returning: false
            },
            AUTH
        )),
        Some((DeniedResult::NothingChanged, PolicyCommand::Delete))
    );
    assert_eq!(
        outcome_for(&t, Op::Select, DbRole::ServiceRole),
        Outcome::Bypasses
    );
}

#[test]
fn insert_returning_needs_select() {
    let t = table(vec![policy(
        "ins",
        PolicyCommand::Insert,
        &["authenticated"],
        None,
        Some("auth.uid() = user_id"),
    )]);
    assert!(matches!(
        outcome_for(&t, Op::Insert { returning: false }, AUTH),
        Outcome::Allowed { .. }
    ));
    assert_eq!(
        denied(&outcome_for(&t, Op::Insert { returning: true }, AUTH)),
        Some((DeniedResult::Error42501, PolicyCommand::Select))
    );
    // anon is not named by the policy.
    assert_eq!(
        denied(&outcome_for(
            &t,
            Op::Insert { returning: false },
            DbRole::Anon
        )),
        Some((DeniedResult::Error42501, PolicyCommand::Insert))
    );
}

#[test]
fn update_with_filter_needs_select() {
    let t = table(vec![policy(
        "upd",
        PolicyCommand::Update,
        &["public"],
        Some("true"),
        None,
    )]);
    assert!(matches!(
        outcome_for(
            &t,
            Op::Update {
                filtered: false,
                returning: false
            },
            AUTH
        ),
        Outcome::Allowed { .. }
    ));
    assert_eq!(
        denied(&outcome_for(
            &t,
            Op::Update {
                filtered: true,
                returning: false
            },
            AUTH
        )),
        Some((DeniedResult::NothingChanged, PolicyCommand::Select))
    );
}

#[test]
fn upsert_needs_insert_select_update() {
    let mut t = table(vec![
        policy(
            "ins",
            PolicyCommand::Insert,
            &["public"],
            None,
            Some("true"),
        ),
        policy(
            "sel",
            PolicyCommand::Select,
            &["public"],
            Some("true"),
            None,
        ),
    ]);
    match outcome_for(&t, Op::Upsert { returning: false }, AUTH) {
        Outcome::Denied {
            missing: PolicyCommand::Update,
            when_row_exists: true,
            result: DeniedResult::Error42501,
            ..
        } => {}
        o => panic!("{o:?}"),
    }
    t.policies.push(policy(
        "upd",
        PolicyCommand::Update,
        &["public"],
        Some("auth.uid() = id"),
        None,
    ));
    match outcome_for(&t, Op::Upsert { returning: true }, AUTH) {
        Outcome::Allowed { by } => assert!(by.iter().any(|g| g.conditional)),
        o => panic!("{o:?}"),
    }
}

#[test]
fn restrictive_only_and_false_allow_nothing() {
    let mut p = policy("r", PolicyCommand::All, &["public"], Some("true"), None);
    p.permissive = false;
    let t = table(vec![p]);
    match outcome_for(&t, Op::Select, AUTH) {
        Outcome::Denied {
            why: DenyWhy::OnlyRestrictive,
            ..
        } => {}
        o => panic!("{o:?}"),
    }
    let t = table(vec![policy(
        "f",
        PolicyCommand::All,
        &["public"],
        Some(" ( FALSE ) "),
        None,
    )]);
    match outcome_for(&t, Op::Select, AUTH) {
        Outcome::Denied {
            why: DenyWhy::AlwaysFalse,
            ..
        } => {}
        o => panic!("{o:?}"),
    }
    let t = table(vec![policy(
        "c",
        PolicyCommand::Insert,
        &["public"],
        None,
        Some("false"),
    )]);
    assert!(outcome_for(&t, Op::Insert { returning: false }, AUTH).is_denied());
    // `(false) or (true)` is not a constant.
    assert_eq!(constant("(false) or (true)"), None);
}

#[test]
fn explains_the_denial_and_the_allowance() {
    let t = table(vec![policy(
        "Users insert own orders",
        PolicyCommand::Insert,
        &["authenticated"],
        None,
        Some("auth.uid() = user_id"),
    )]);
    let op = Op::Insert { returning: true };
    let o = outcome_for(&t, op, AUTH);
    assert_eq!(
        o.explain(&t, "public.orders", op, AUTH),
        "insert returning rows as authenticated: denied — `public.orders` has RLS enabled and no SELECT policy for \
         authenticated (returning the rows needs a SELECT policy), so it fails with error 42501 (new row violates \
         row-level security policy)"
    );
    let op = Op::Insert { returning: false };
    assert_eq!(
        outcome_for(&t, op, AUTH).explain(&t, "public.orders", op, AUTH),
        "insert as authenticated: allowed — INSERT: \"Users insert own orders\" when `auth.uid() = user_id`"
    );
    assert_eq!(
        list_policies(&t),
        "\"Users insert own orders\" (FOR INSERT TO authenticated)"
    );
}

#[test]
fn privileges_come_first_for_every_role() {
    let mut t = table(vec![]);
    t.grants[DbRole::ServiceRole.index()] = Some(Privileges {
        select: false,
        ..Privileges::ALL
    });
    assert_eq!(
        outcome_for(&t, Op::Select, DbRole::ServiceRole),
        Outcome::PermissionDenied {
            privilege: Privilege::Select
        }
    );
    assert_eq!(
        outcome_for(&t, Op::Insert { returning: false }, DbRole::ServiceRole),
        Outcome::Bypasses
    );
    t.rls = Tri::No;
    assert_eq!(outcome_for(&t, Op::Select, AUTH), Outcome::RlsOff);
    t.rls = Tri::Unknown;
    assert!(matches!(
        outcome_for(&t, Op::Select, AUTH),
        Outcome::Unknown { .. }
    ));
}
