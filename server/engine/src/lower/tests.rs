//! Composition equals one walk, on every fixture and across random edits.

use super::*;
use crate::document::Document;
use crate::lang::Lang;
use rlscope_testkit::XorShift;
use std::path::{Path, PathBuf};

fn sources() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut out = Vec::new();
    let mut stack = vec![
        root.join("server/engine/tests/fixtures"),
        root.join("examples"),
    ];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if Lang::of(&p).is_some_and(|l| l.is_script()) {
                out.push((p.clone(), std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    out.sort();
    assert!(out.len() > 40, "fixtures not found");
    out
}

const SNIPPETS: &[&str] = &[
    "x",
    "\n",
    "}",
    "{",
    "'",
    "(",
    ";",
    "const supabase = createClient(url, process.env.SUPABASE_SERVICE_ROLE_KEY!)\n",
    "export { supabase as admin }\n",
    "supabase = createServerClient(a, b, { cookies })\n",
    "var supabase = null\n",
    "function f(k) { return createClient(u, k) }\n",
    "import { createClient } from '@supabase/supabase-js'\n",
    "module.exports = { supabase }\n",
    "class A { c = createClient(u, k); m() { this.d = 1 } }\n",
    "\"use client\"\n",
];

/// Every field lowering reads exists in both grammars (a renamed field would silently read as absent).
#[test]
fn fields_exist_in_both_grammars() {
    for lang in [Lang::TypeScript, Lang::Tsx] {
        let ids = field_ids(&lang.ts_language().unwrap());
        for (name, id) in FIELD_NAMES.iter().zip(ids) {
            assert_ne!(id, 0, "no field `{name}` in {lang:?}");
        }
    }
}

#[test]
fn composing_fragments_equals_one_walk() {
    for (path, text) in sources() {
        let lang = Lang::of(&path).unwrap();
        let tree = crate::document::parse(lang, &text, None).unwrap();
        assert_eq!(
            lower(&tree, &text),
            lower_whole(&tree, &text),
            "{}",
            path.display()
        );
    }
}

/// Edits through an incrementally re-parsed document, each version lowered reusing the previous
/// version's fragments: always the same summary as one walk over the new tree.
#[test]
fn reusing_fragments_across_edits_equals_one_walk() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut reused = 0usize;
    for (path, text) in sources() {
        let lang = Lang::of(&path).unwrap();
        let mut doc = Document::new(lang, text.clone());
        let (_, mut frags) = lower_reusing(doc.tree().unwrap(), doc.text(), None);
        let mut prev_text = doc.text().to_string();
        for step in 0..60 {
            let len = doc.text().len();
            let start = rng.below(len + 1);
            let (start, end, insert) = match rng.below(4) {
                0 => (start, (start + rng.below(40)).min(len), ""),
                1 => {
                    // move a chunk: delete it here, insert it elsewhere
                    let end = (start + rng.below(120)).min(len);
                    let chunk = doc.text().get(start..end).unwrap_or("").to_string();
                    doc.edit(TextRange::from_usize(start, end), "");
                    let at = rng.below(doc.text().len() + 1);
                    (at, at, Box::leak(chunk.into_boxed_str()) as &str)
                }
                _ => (start, start, SNIPPETS[rng.below(SNIPPETS.len())]),
            };
            doc.edit(TextRange::from_usize(start, end), insert);
            let tree = doc.tree().unwrap();
            let (ir, next) = lower_reusing(tree, doc.text(), Some((&prev_text, &frags)));
            reused += next
                .iter()
                .filter(|(_, f)| frags.iter().any(|(_, g)| Arc::ptr_eq(f, g)))
                .count();
            assert_eq!(
                ir,
                lower_whole(tree, doc.text()),
                "{} after edit {step}:\n{}",
                path.display(),
                doc.text()
            );
            frags = next;
            prev_text = doc.text().to_string();
        }
    }
    assert!(reused > 1000, "fragments were hardly reused ({reused})");
}
