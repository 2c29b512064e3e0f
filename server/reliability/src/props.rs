//! The properties themselves, shared by the proptest suites (`tests/prop_*.rs`) and the cargo-fuzz targets
//! (`fuzz/fuzz_targets/*.rs`), so both check exactly the same thing.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rlscope_core::config::Config;
use rlscope_core::{Finding, LineCol, LineIndex, PositionEncoding, TextRange};
use rlscope_engine::document::{parse, Document};
use rlscope_engine::{Lang, Workspace};

#[derive(Clone, Debug)]
pub enum Op {
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

/// A byte offset for a fraction `f / u16::MAX` of `text`, rounded down to a char boundary. Sometimes a raw
/// (possibly non-boundary, possibly past-the-end) offset is kept: the document must clamp it itself.
pub fn offset_in(text: &str, f: u16) -> usize {
    (text.len() * f as usize) / u16::MAX as usize
}

/// What the document does with a range: clamp to the text, snap each end back to a char boundary.
pub fn clamp(text: &str, start: usize, end: usize) -> (usize, usize) {
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

pub fn reference_edit(reference: &mut String, start: usize, end: usize, text: &str) {
    let (s, e) = clamp(reference, start, end);
    reference.replace_range(s..e, text);
}

/// Every node, in pre-order, iteratively: kind, byte range, error/missing flags.
pub fn dump(tree: &tree_sitter::Tree) -> Vec<(u16, usize, usize, bool, bool)> {
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
pub fn check_same(doc: &Document, reference: &str, lang: Lang, path: &Path) -> bool {
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

/// Runs an edit script on a document and checks [`check_same`] after every step; returns how many steps left the
/// incremental tree different from a fresh parse (only possible on text with syntax errors).
pub fn run_script(lang: Lang, initial: String, ops: Vec<Op>) -> usize {
    let path = PathBuf::from(match lang {
        Lang::TypeScript => "/p/lib/a.ts",
        _ => "/p/app/page.tsx",
    });
    let mut doc = Document::new(lang, initial.clone());
    let mut reference = initial;
    let mut diverged = usize::from(check_same(&doc, &reference, lang, &path));
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
        diverged += usize::from(check_same(&doc, &reference, lang, &path));
    }
    diverged
}

/// Line starts of `text` (after each `\n`), plus 0.
pub fn line_starts(text: &str) -> Vec<usize> {
    let mut v = vec![0];
    v.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    v
}

/// Edits of whole lines (insert, delete, replace a run of up to 2 lines), for texts of whole statements: the
/// text stays free of syntax errors, so the incremental tree must equal a fresh parse at every step.
pub fn run_line_script(lang: Lang, initial: String, ops: Vec<(u16, u8, String)>) {
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

// ---------------------------------------------------------------------------------------------- positions

pub const ENCODINGS: [PositionEncoding; 3] = [
    PositionEncoding::Utf8,
    PositionEncoding::Utf16,
    PositionEncoding::Utf32,
];

/// The reference line model: (line start, content end) per line; lines end at `\n`, `\r\n`, lone `\r`.
pub fn reference_lines(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' => {
                lines.push((start, i));
                i += 1;
                start = i;
            }
            b'\r' => {
                lines.push((start, i));
                i += if b.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
                start = i;
            }
            _ => i += 1,
        }
    }
    lines.push((start, b.len()));
    lines
}

pub fn units(s: &str, enc: PositionEncoding) -> u32 {
    match enc {
        PositionEncoding::Utf8 => s.len() as u32,
        PositionEncoding::Utf16 => s.encode_utf16().count() as u32,
        PositionEncoding::Utf32 => s.chars().count() as u32,
    }
}

/// Between the `\r` and `\n` of a CRLF.
pub fn inside_crlf(text: &str, off: usize) -> bool {
    off > 0
        && text.as_bytes().get(off - 1) == Some(&b'\r')
        && text.as_bytes().get(off) == Some(&b'\n')
}

/// `LineIndex` agrees with [`reference_lines`]; offset → line/col → offset is the identity on char boundaries in
/// every encoding (the offset inside a CRLF maps to the line's end); line/col is monotonic in the offset.
pub fn check_positions(text: &str) {
    let idx = LineIndex::new(text);
    let lines = reference_lines(text);
    assert_eq!(
        idx.line_count() as usize,
        lines.len(),
        "line count of {text:?}"
    );
    assert_eq!(idx.len() as usize, text.len());
    for (n, &(start, end)) in lines.iter().enumerate() {
        assert_eq!(idx.line_start(n as u32) as usize, start, "line {n} start");
        let r = idx.line_range(text, n as u32);
        assert_eq!(
            (r.start as usize, r.end as usize),
            (start, end),
            "line {n} range"
        );
    }
    for enc in ENCODINGS {
        let mut prev = LineCol::default();
        for off in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
            let lc = idx.line_col(text, off as u32, enc);
            assert!(lc >= prev, "not monotonic at {off} ({enc:?}) in {text:?}");
            prev = lc;
            let (start, end) = lines[lc.line as usize];
            if inside_crlf(text, off) {
                assert_eq!(lc.col, units(&text[start..end], enc));
                assert_eq!(idx.offset(text, lc, enc) as usize, off - 1);
                continue;
            }
            assert!(
                start <= off && off <= end,
                "offset {off} not on line {} ({start}..{end}) in {text:?}",
                lc.line
            );
            assert_eq!(
                lc.col,
                units(&text[start..off], enc),
                "col of {off} in {enc:?}, {text:?}"
            );
            assert_eq!(
                idx.offset(text, lc, enc) as usize,
                off,
                "round trip of {off} in {enc:?}, {text:?}"
            );
        }
    }
}

/// Arbitrary offsets and line/cols (past the end, mid-character) clamp onto char boundaries, and a clamped
/// position is a fixed point.
pub fn check_clamping(text: &str, off: u32, line: u32, col: u32) {
    let idx = LineIndex::new(text);
    let small_off = off % (text.len() as u32 + 4);
    let small_line = line % (idx.line_count() + 2);
    let small_col = col % 12;
    for enc in ENCODINGS {
        for o in [off, small_off] {
            let lc = idx.line_col(text, o, enc);
            assert!(lc.line < idx.line_count());
            let back = idx.offset(text, lc, enc) as usize;
            assert!(back <= text.len() && text.is_char_boundary(back));
        }
        for (l, c) in [(line, col), (small_line, small_col), (small_line, col)] {
            let o = idx.offset(text, LineCol { line: l, col: c }, enc) as usize;
            assert!(
                o <= text.len() && text.is_char_boundary(o),
                "{o} not a boundary"
            );
            let lc = idx.line_col(text, o as u32, enc);
            assert_eq!(
                idx.offset(text, lc, enc) as usize,
                o,
                "clamped position not a fixed point"
            );
        }
        let _ = idx.line_of(off);
        let _ = idx.line_range(text, line);
        let _ = idx.line_start(line);
    }
}

// ---------------------------------------------------------------------------------------------- analysis

/// One file of each kind the analysis reads.
pub const FILE_NAMES: [&str; 7] = [
    "lib/a.ts",
    "app/page.tsx",
    "scripts/b.js",
    "supabase/migrations/1_init.sql",
    ".env.local",
    "tsconfig.json",
    "lib/c.mjs",
];

/// Every finding's range, and every fix edit's, lies inside the text on char boundaries.
pub fn check_findings(path: &Path, text: &str, findings: &[Finding]) {
    let ok = |r: TextRange| {
        r.start <= r.end
            && (r.end as usize) <= text.len()
            && text.is_char_boundary(r.start as usize)
            && text.is_char_boundary(r.end as usize)
    };
    for f in findings {
        assert!(
            ok(f.range),
            "{}: finding {} has range {:?} outside the text (len {}): {text:?}",
            path.display(),
            f.rule,
            f.range,
            text.len()
        );
        for fix in &f.fixes {
            for e in &fix.edits {
                assert!(
                    ok(e.range),
                    "{}: fix edit {:?} of {} outside the text: {text:?}",
                    path.display(),
                    e.range,
                    f.rule
                );
            }
        }
    }
}

/// One workspace holding `texts[i]` as `FILE_NAMES[i]`: set every file, check each, hover at `offsets`, inlay
/// hints, check all, then remove every file. Never panics; every range lies inside its text.
pub fn check_workspace(texts: &[String], offsets: &[u32]) {
    let root = PathBuf::from("/proj");
    let mut ws = Workspace::new(root.clone(), Config::default());
    for (name, text) in FILE_NAMES.iter().zip(texts) {
        ws.set_file(root.join(name), Arc::from(text.as_str()));
    }
    for (name, text) in FILE_NAMES.iter().zip(texts) {
        let p = root.join(name);
        check_findings(&p, text, &ws.check_file(&p));
        for &o in offsets {
            if let Some(h) = ws.hover(&p, o % (text.len() as u32 + 2)) {
                assert!(
                    (h.range.end as usize) <= text.len(),
                    "hover range out of text"
                );
            }
        }
        for hint in ws.inlay_hints(&p) {
            assert!(
                (hint.offset as usize) <= text.len(),
                "inlay hint out of text"
            );
        }
    }
    assert_eq!(ws.check_all().len(), ws.files().len());
    for name in FILE_NAMES {
        ws.remove_file(&root.join(name));
    }
    assert!(ws.files().is_empty());
}
