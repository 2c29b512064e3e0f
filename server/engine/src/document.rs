//! An open document: its text and syntax tree, edited incrementally.
//!
//! The language server keeps one per open file and feeds every edit to tree-sitter's `Tree::edit`, so a
//! keystroke re-parses only what changed. Offsets are bytes; converting editor positions is the caller's job
//! (with [`rlscope_core::LineIndex`]).

use rlscope_core::{LineIndex, TextRange};
use tree_sitter::{InputEdit, Parser, Point, Tree};

use crate::lang::Lang;

pub struct Document {
    text: String,
    lang: Lang,
    tree: Option<Tree>,
    line_index: LineIndex,
}

impl Document {
    pub fn new(lang: Lang, text: String) -> Document {
        let tree = parse(lang, &text, None);
        let line_index = LineIndex::new(&text);
        Document {
            text,
            lang,
            tree,
            line_index,
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    pub fn tree(&self) -> Option<&Tree> {
        self.tree.as_ref()
    }

    pub fn line_index(&self) -> &LineIndex {
        &self.line_index
    }

    /// Replaces `range` (clamped to the text and to char boundaries) by `new_text`, then re-parses
    /// incrementally. Call [`Document::reparse`] after a batch of edits, or this does it per edit.
    pub fn edit(&mut self, range: TextRange, new_text: &str) {
        self.apply_edit(range, new_text);
        self.reparse();
    }

    /// Applies an edit to the text and the old tree without re-parsing.
    pub fn apply_edit(&mut self, range: TextRange, new_text: &str) {
        let len = self.text.len();
        let start = rlscope_core::line_index::floor_char_boundary(
            &self.text,
            (range.start as usize).min(len),
        );
        let end = rlscope_core::line_index::floor_char_boundary(
            &self.text,
            (range.end as usize).min(len),
        )
        .max(start);
        let start_position = point_at(&self.text, start);
        let old_end_position = point_at(&self.text, end);
        self.text.replace_range(start..end, new_text);
        let new_end = start + new_text.len();
        let new_end_position = point_at(&self.text, new_end);
        if let Some(tree) = self.tree.as_mut() {
            tree.edit(&InputEdit {
                start_byte: start,
                old_end_byte: end,
                new_end_byte: new_end,
                start_position,
                old_end_position,
                new_end_position,
            });
        }
        self.line_index = LineIndex::new(&self.text);
    }

    pub fn replace_all(&mut self, text: String) {
        self.text = text;
        self.tree = parse(self.lang, &self.text, None);
        self.line_index = LineIndex::new(&self.text);
    }

    pub fn reparse(&mut self) {
        self.tree = parse(self.lang, &self.text, self.tree.as_ref());
    }
}

/// tree-sitter's row/column (byte columns, `\n`-separated rows) for a byte offset.
fn point_at(text: &str, offset: usize) -> Point {
    let before = &text.as_bytes()[..offset];
    let row = memchr::memchr_iter(b'\n', before).count();
    let col = offset
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
    Point { row, column: col }
}

pub fn parse(lang: Lang, text: &str, old: Option<&Tree>) -> Option<Tree> {
    let language = lang.ts_language()?;
    let mut parser = Parser::new();
    parser.set_language(&language).ok()?;
    parser.parse(text, old)
}
