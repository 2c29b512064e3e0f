//! Hostile and degenerate input: no stack overflow, no panic, nothing quadratic.

use std::time::{Duration, Instant};

fn check_quickly(text: &str) -> Vec<rlscope_core::Finding> {
    let t = Instant::now();
    let findings = rlscope_sql::check(text);
    // Generous: this is a smoke test against blow-ups, not a benchmark.
    assert!(
        t.elapsed() < Duration::from_secs(20),
        "took {:?}",
        t.elapsed()
    );
    findings
}

#[test]
fn hundred_thousand_nested_parentheses_in_a_policy() {
    let depth = 100_000;
    let text = format!(
        "create policy p on t to authenticated using ({}auth.role() = 'service_role'{});\n\
         create policy q on t to service_role using (true);\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    let findings = check_quickly(&text);
    // The nested one may or may not be understood; the next statement must be.
    assert!(findings.iter().any(|f| f.message.contains("\"q\"")));
}

#[test]
fn deeply_nested_or_chain() {
    let mut expr = String::from("auth.role() = 'service_role'");
    for i in 0..5_000 {
        expr = format!("(x{i} = 1 or {expr})");
    }
    let text = format!("create policy p on t using ({expr});");
    check_quickly(&text);
}

#[test]
fn long_flat_or_chain() {
    let terms: Vec<String> = (0..20_000).map(|i| format!("x{i} = 1")).collect();
    let text = format!(
        "create policy p on t using ({} or auth.role() = 'service_role');",
        terms.join(" or ")
    );
    check_quickly(&text);
}

#[test]
fn garbage_and_truncated_input() {
    for text in [
        "",
        ";;;;",
        "create",
        "create policy",
        "create policy p",
        "create policy p on",
        "create policy p on t to",
        "create policy p on t to ,",
        "create policy p on t using (",
        "do",
        "do $$",
        "do $$ begin execute '",
        "do $$ begin execute 'create policy' || ",
        "do $$ begin execute format('create policy %",
        "\u{feff}create policy \"\u{1F389}\" on t to service_role;",
        "$$$$$$'''\"\"\"/*/*/*",
    ] {
        let findings = check_quickly(text);
        for f in findings {
            assert!(text.is_char_boundary(f.range.start as usize), "{text:?}");
            assert!(text.is_char_boundary(f.range.end as usize), "{text:?}");
            assert!(f.range.end as usize <= text.len());
        }
    }
}

#[test]
fn many_nested_do_blocks() {
    let mut text = String::from("create policy p on t to service_role using (true)");
    // Each level doubles the quotes: 12 levels are 4096 quotes, deeper than MAX_NESTING anyway.
    for _ in 0..12 {
        text = format!("do $$ begin execute '{}'; end $$", text.replace('\'', "''"));
    }
    check_quickly(&text);
    // Distinct dollar tags nest without any quoting.
    let mut text = String::from("create policy p on t to service_role using (true)");
    for i in 0..200 {
        text = format!("do $t{i}$ begin execute $q{i}${text}$q{i}$; end $t{i}$");
    }
    check_quickly(&text);
}
