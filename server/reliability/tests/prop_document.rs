//! Property: the incrementally edited document equals a fresh parse of its text.
//!
//! Random edit scripts run through `Document::edit` / `apply_edit` + `reparse` / `replace_all` over texts built
//! from Supabase code, multi-byte characters (2-, 3-, 4-byte, emoji with ZWJ), CRLF and lone CR. After each step:
//! the text equals a reference `String` edited the same way; the tree's S-expression and every node's kind and
//! byte range equal a fresh parse's; the line index equals a fresh one; and `Workspace::set_file_parsed` with the
//! incremental tree gives the same findings, hover and inlay hints as `Workspace::set_file` with the text.

use std::path::PathBuf;

use proptest::prelude::*;
use rlscope_core::TextRange;
use rlscope_engine::document::Document;
use rlscope_engine::Lang;
use rlscope_reliability::props::{check_same, reference_edit, run_line_script, run_script, Op};
use rlscope_reliability::{jwt, secret_key};

/// Pieces random texts and insertions are made of: real code (so edits land near findings) and awkward bytes.
fn fragments() -> Vec<String> {
    let service = jwt("service_role", "proptest");
    vec![
        "import { createClient } from '@supabase/supabase-js'\n".into(),
        "import { createServerClient } from '@supabase/ssr'\n".into(),
        "const admin = createClient(url, process.env.SUPABASE_SERVICE_ROLE_KEY!)\n".into(),
        format!("const k = '{service}'\n"),
        format!("const s = \"{}\"\r\n", secret_key()),
        "await admin.auth.signInWithPassword({ email, password })\n".into(),
        "const { data } = await admin.from('posts').select('*')\n".into(),
        "export function make() { return createServerClient(u, process.env.SERVICE_KEY!, { cookies }) }\n"
            .into(),
        "'use client'\n".into(),
        "<div>{x}</div>".into(),
        "(".into(),
        ")".into(),
        "{".into(),
        "}".into(),
        "`${".into(),
        "/*".into(),
        "*/".into(),
        "//".into(),
        "\"".into(),
        "'".into(),
        "\n".into(),
        "\r\n".into(),
        "\r".into(),
        " ".into(),
        "é".into(),
        "中文".into(),
        "😀".into(),
        "👩‍👩‍👧".into(),
        "\u{FEFF}".into(),
        "\u{2028}".into(),
        "\0".into(),
        "x".into(),
        ";".into(),
    ]
}

fn text_strategy() -> impl Strategy<Value = String> + Clone {
    let frags = fragments();
    let n = frags.len();
    prop::collection::vec(0..n, 0..24)
        .prop_map(move |ix| ix.into_iter().map(|i| frags[i].clone()).collect())
}

fn op_strategy() -> impl Strategy<Value = Op> {
    let edit = (any::<u16>(), 0u16..40, text_strategy());
    prop_oneof![
        6 => edit.clone().prop_map(|(start, len, text)| Op::Edit { start, len, text }),
        // empty edits and pure deletions
        1 => (any::<u16>(), 0u16..8).prop_map(|(start, len)| Op::Edit { start, len, text: String::new() }),
        // at the very end
        1 => text_strategy().prop_map(|text| Op::Edit { start: u16::MAX, len: 0, text }),
        2 => prop::collection::vec(edit, 1..4).prop_map(Op::Batch),
        1 => text_strategy().prop_map(Op::ReplaceAll),
    ]
}

/// Whole statements that parse without error as TS and TSX, in LF and CRLF flavours, with multi-byte text.
fn valid_lines() -> Vec<String> {
    let service = jwt("service_role", "valid");
    let base = vec![
        "import { createClient } from '@supabase/supabase-js'".to_string(),
        "const admin = createClient(url, process.env.SUPABASE_SERVICE_ROLE_KEY!)".into(),
        format!("const k = '{service}'"),
        format!("const s = \"{}\"", secret_key()),
        "await admin.auth.signInWithPassword({ email, password })".into(),
        "const { data } = await admin.from('posts').select('*')".into(),
        "export function make(k: string) { return createClient(u, k) }".into(),
        "// 😀 é 中文 👩‍👩‍👧".into(),
        "const label = '😀 é 中文'".into(),
        "/* multi\nline 😀 */".into(),
        "let x = [1, [2, [3]]]".into(),
        "".into(),
    ];
    base.iter()
        .flat_map(|l| [format!("{l}\n"), format!("{l}\r\n")])
        .collect()
}

fn valid_text() -> impl Strategy<Value = String> + Clone {
    let lines = valid_lines();
    let n = lines.len();
    prop::collection::vec(0..n, 0..16)
        .prop_map(move |ix| ix.into_iter().map(|i| lines[i].clone()).collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, max_shrink_iters: 2000, ..ProptestConfig::default() })]

    #[test]
    fn incremental_edits_equal_a_fresh_parse_ts(initial in text_strategy(), ops in prop::collection::vec(op_strategy(), 1..10)) {
        run_script(Lang::TypeScript, initial, ops);
    }

    #[test]
    fn incremental_edits_equal_a_fresh_parse_tsx(initial in text_strategy(), ops in prop::collection::vec(op_strategy(), 1..10)) {
        run_script(Lang::Tsx, initial, ops);
    }

    #[test]
    fn valid_code_line_edits_equal_a_fresh_parse(initial in valid_text(), ops in prop::collection::vec((any::<u16>(), any::<u8>(), valid_text()), 1..12), tsx in any::<bool>()) {
        run_line_script(if tsx { Lang::Tsx } else { Lang::TypeScript }, initial, ops);
    }

    /// Ranges that are reversed, past the end or inside a multi-byte character are clamped, never a panic.
    #[test]
    fn out_of_range_edits_are_clamped(initial in text_strategy(), start in any::<u32>(), end in any::<u32>(), text in text_strategy()) {
        let mut doc = Document::new(Lang::Tsx, initial.clone());
        let mut reference = initial;
        let (s, e) = (start as usize % (reference.len() + 8), end as usize % (reference.len() + 8));
        reference_edit(&mut reference, s, e, &text);
        doc.edit(TextRange { start: s as u32, end: e as u32 }, &text);
        check_same(&doc, &reference, Lang::Tsx, &PathBuf::from("/p/x.tsx"));
    }
}

/// The example project's files, edited one character at a time from the end (as a user deleting), stay equal.
#[test]
fn example_files_survive_deleting_from_the_end() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/nextjs-supabase");
    let file = root.join("app/api/signup/route.ts");
    let Ok(text) = std::fs::read_to_string(&file) else {
        panic!("{} missing", file.display());
    };
    let mut doc = Document::new(Lang::TypeScript, text.clone());
    let mut reference = text;
    let path = PathBuf::from("/p/app/api/signup/route.ts");
    let mut step = 0;
    while !reference.is_empty() {
        let end = reference.len();
        let start = reference[..end]
            .char_indices()
            .next_back()
            .map_or(0, |(i, _)| i);
        // remove up to 7 chars at a time to keep this fast
        let start = (0..=start)
            .rev()
            .filter(|&i| reference.is_char_boundary(i))
            .nth(6)
            .unwrap_or(0);
        reference.replace_range(start..end, "");
        doc.edit(TextRange::new(start as u32, end as u32), "");
        if step % 16 == 0 {
            check_same(&doc, &reference, Lang::TypeScript, &path);
        }
        step += 1;
    }
    check_same(&doc, &reference, Lang::TypeScript, &path);
}
