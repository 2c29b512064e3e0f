//! The rule's documentation is executable: its example yields exactly one finding of the rule, and its
//! "use instead" file yields none (as Biome's rules_check does).

use rlscope_sql::SERVICE_ROLE_POLICY as RULE;

#[test]
fn example_yields_exactly_one_finding() {
    let findings = rlscope_sql::check(RULE.example);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0].rule, RULE.id);
    assert_eq!(RULE.example_extension(), "sql");
}

#[test]
fn use_instead_yields_nothing() {
    let findings = rlscope_sql::check(RULE.use_instead);
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn every_docs_section_is_filled() {
    for (section, text) in [
        ("summary", RULE.summary),
        ("what_it_does", RULE.what_it_does),
        ("why_bad", RULE.why_bad),
        ("example", RULE.example),
        ("use_instead", RULE.use_instead),
        ("fix_safety", RULE.fix_safety),
    ] {
        assert!(!text.trim().is_empty(), "{section} is empty");
    }
    assert!(!RULE.summary.ends_with('.'));
    assert!(!RULE.references.is_empty());
    for r in RULE.references {
        assert!(r.starts_with("/docs/") || r.starts_with("https://"), "{r}");
    }
}
