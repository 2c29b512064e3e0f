//! Property: the incrementally edited document equals a fresh parse of its text.
//!
//! Random edit scripts run through `Document::edit` / `apply_edit` + `reparse` / `replace_all` over texts built
//! from Supabase code, multi-byte characters (2-, 3-, 4-byte, emoji with ZWJ), CRLF and lone CR. After each step:
//! the text equals a reference `String` edited the same way; the tree's S-expression and every node's kind and
//! byte range equal a fresh parse's; the line index equals a fresh one; and `Workspace::set_file_parsed` with the
//! incremental tree gives the same findings, hover and inlay hints as `Workspace::set_file` with the text.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use proptest::prelude::*;
use rlscope_core::config::Config;
use rlscope_core::{LineIndex, TextRange};
use rlscope_engine::document::{parse, Document};
use rlscope_engine::{Lang, Workspace};
use rlscope_reliability::{jwt, known_bug_guard, secret_key};

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

#[derive(Clone, Debug)]
enum Op {
    /// Replace `start..start+len` (positions as fractions of the text, snapped inside the document) by `text`.
    Edit {
        start: u16,
        len: u16,
        text: String,
    },
    /// Several edits applied with `apply_edit`, then one `reparse`.
    Batch(Vec<(u16, u16, String)>),
    ReplaceAll(String),
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

/// A byte offset for a fraction `f / u16::MAX` of `text`, rounded down to a char boundary. Sometimes a raw
/// (possibly non-boundary, possibly past-the-end) offset is kept: the document must clamp it itself.
fn offset_in(text: &str, f: u16) -> usize {
    (text.len() * f as usize) / u16::MAX as usize
}

/// What the document does with a range: clamp to the text, snap each end back to a char boundary.
fn clamp(text: &str, start: usize, end: usize) -> (usize, usize) {
    let floor = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let s = floor(start);
    (s, floor(end).max(s))
}

fn reference_edit(reference: &mut String, start: usize, end: usize, text: &str) {
    let (s, e) = clamp(reference, start, end);
    reference.replace_range(s..e, text);
}

/// Every node, in pre-order, iteratively: kind, byte range, error/missing flags.
fn dump(tree: &tree_sitter::Tree) -> Vec<(u16, usize, usize, bool, bool)> {
    let mut out = Vec::new();
    let mut cursor = tree.walk();
    loop {
        let n = cursor.node();
        out.push((
            n.kind_id(),
            n.start_byte(),
            n.end_byte(),
            n.is_error(),
            n.is_missing(),
        ));
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return out;
            }
        }
    }
}

/// Compares the document with the reference text and a fresh parse.
///
/// When the fresh parse has no syntax error, the incremental tree must be identical (S-expression and every node's
/// range) and so must the findings, hover and inlay hints of `set_file_parsed` vs `set_file`. When the text has
/// syntax errors, tree-sitter's error recovery may legitimately pick a different (equally costly) tree after an
/// edit than from scratch (tree-sitter/tree-sitter#4001, #1444, #1645 are of this family): the trees are then
/// compared only when their S-expressions agree, and otherwise the incremental tree must still lower without
/// panicking and give findings inside the text. Returns whether the trees diverged.
fn check_same(doc: &Document, reference: &str, lang: Lang, path: &Path) -> bool {
    assert_eq!(doc.text(), reference, "document text drifted");
    assert_eq!(doc.line_index(), &LineIndex::new(reference), "line index");
    let fresh = parse(lang, reference, None).expect("fresh parse");
    let tree = doc.tree().expect("incremental tree");
    let same_sexp = tree.root_node().to_sexp() == fresh.root_node().to_sexp();
    if !fresh.root_node().has_error() {
        assert_eq!(
            tree.root_node().to_sexp(),
            fresh.root_node().to_sexp(),
            "S-expression of the incremental tree differs from a fresh parse of error-free text {reference:?}"
        );
    }
    if same_sexp {
        assert_eq!(
            dump(tree),
            dump(&fresh),
            "node ranges differ for {reference:?}"
        );
    }

    // differential: the engine fed the incremental tree vs. the text
    let mut a = Workspace::new(PathBuf::from("/p"), Config::default());
    let mut b = Workspace::new(PathBuf::from("/p"), Config::default());
    a.set_file_parsed(path.to_path_buf(), Arc::from(reference), tree);
    b.set_file(path.to_path_buf(), Arc::from(reference));
    let (fa, fb) = (a.check_file(path), b.check_file(path));
    for f in &fa {
        assert!(
            (f.range.end as usize) <= reference.len(),
            "finding out of the text"
        );
    }
    if !same_sexp {
        return true;
    }
    assert_eq!(
        fa, fb,
        "findings differ: set_file_parsed(incremental tree) vs set_file, text {reference:?}"
    );
    assert_eq!(a.inlay_hints(path), b.inlay_hints(path), "inlay hints");
    for off in [0, reference.len() / 3, reference.len() / 2, reference.len()] {
        assert_eq!(
            a.hover(path, off as u32),
            b.hover(path, off as u32),
            "hover @{off}"
        );
    }
    false
}

fn run_script(lang: Lang, initial: String, ops: Vec<Op>) {
    let path = PathBuf::from(match lang {
        Lang::TypeScript => "/p/lib/a.ts",
        _ => "/p/app/page.tsx",
    });
    let mut doc = Document::new(lang, initial.clone());
    let mut reference = initial;
    check_same(&doc, &reference, lang, &path);
    for op in ops {
        match op {
            Op::Edit { start, len, text } => {
                let s = offset_in(&reference, start);
                let e = s + len as usize;
                reference_edit(&mut reference, s, e, &text);
                doc.edit(TextRange::new(s as u32, e as u32), &text);
            }
            Op::Batch(edits) => {
                for (start, len, text) in edits {
                    let s = offset_in(&reference, start);
                    let e = s + len as usize;
                    reference_edit(&mut reference, s, e, &text);
                    doc.apply_edit(TextRange::new(s as u32, e as u32), &text);
                }
                doc.reparse();
            }
            Op::ReplaceAll(text) => {
                reference = text.clone();
                doc.replace_all(text);
            }
        }
        check_same(&doc, &reference, lang, &path);
    }
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

/// Line starts of `text` (after each `\n`), plus 0 and the end.
fn line_starts(text: &str) -> Vec<usize> {
    let mut v = vec![0];
    v.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    v
}

/// Edits of whole lines (insert, delete, replace a run of lines) keep valid code valid.
fn run_valid_script(lang: Lang, initial: String, ops: Vec<(u16, u8, String)>) {
    let path = PathBuf::from("/p/v.tsx");
    let mut doc = Document::new(lang, initial.clone());
    let mut reference = initial;
    assert!(!check_same(&doc, &reference, lang, &path));
    for (at, del, text) in ops {
        let starts = line_starts(&reference);
        let i = at as usize % starts.len();
        let j = (i + del as usize % 3).min(starts.len() - 1);
        let (s, e) = (starts[i], starts[j]);
        reference.replace_range(s..e, &text);
        doc.edit(TextRange::new(s as u32, e as u32), &text);
        let diverged = check_same(&doc, &reference, lang, &path);
        assert!(!diverged, "error-free text diverged: {reference:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, max_shrink_iters: 2000, ..ProptestConfig::default() })]

    #[test]
    fn incremental_edits_equal_a_fresh_parse_ts(initial in text_strategy(), ops in prop::collection::vec(op_strategy(), 1..10)) {
        if let Err(bug) = known_bug_guard(|| run_script(Lang::TypeScript, initial, ops)) {
            prop_assume!(false, "{}", bug);
        }
    }

    #[test]
    fn incremental_edits_equal_a_fresh_parse_tsx(initial in text_strategy(), ops in prop::collection::vec(op_strategy(), 1..10)) {
        if let Err(bug) = known_bug_guard(|| run_script(Lang::Tsx, initial, ops)) {
            prop_assume!(false, "{}", bug);
        }
    }

    #[test]
    fn valid_code_line_edits_equal_a_fresh_parse(initial in valid_text(), ops in prop::collection::vec((any::<u16>(), any::<u8>(), valid_text()), 1..12), tsx in any::<bool>()) {
        run_valid_script(if tsx { Lang::Tsx } else { Lang::TypeScript }, initial, ops);
    }

    /// Ranges that are reversed, past the end or inside a multi-byte character are clamped, never a panic.
    #[test]
    fn out_of_range_edits_are_clamped(initial in text_strategy(), start in any::<u32>(), end in any::<u32>(), text in text_strategy()) {
        let mut doc = Document::new(Lang::Tsx, initial.clone());
        let mut reference = initial;
        let (s, e) = (start as usize % (reference.len() + 8), end as usize % (reference.len() + 8));
        reference_edit(&mut reference, s, e, &text);
        doc.edit(TextRange { start: s as u32, end: e as u32 }, &text);
        if let Err(bug) = known_bug_guard(|| check_same(&doc, &reference, Lang::Tsx, &PathBuf::from("/p/x.tsx"))) {
            prop_assume!(false, "{}", bug);
        }
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
