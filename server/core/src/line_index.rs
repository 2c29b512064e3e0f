//! The one place where byte offsets become line/column pairs and back.
//!
//! Lines end at `\n`, `\r\n` or a lone `\r` (as LSP defines them). Columns are counted in the negotiated
//! [`PositionEncoding`]: UTF-8 code units (bytes), UTF-16 code units (LSP's default) or UTF-32 (characters,
//! which is also what ESLint-style "column" and humans count). Conversions clamp instead of panicking: a
//! column past the end of its line lands on the line end, a line past the end lands on the end of text, and
//! an offset inside a multi-byte character snaps back to the character's start.

use crate::text::TextRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PositionEncoding {
    Utf8,
    Utf16,
    Utf32,
}

/// A zero-based line and a zero-based column in some [`PositionEncoding`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineIndex {
    /// Byte offset at which each line starts; `line_starts[0] == 0`.
    line_starts: Vec<u32>,
    len: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0u32];
        let mut i = 0;
        while i < bytes.len() {
            match memchr2(b'\n', b'\r', &bytes[i..]) {
                None => break,
                Some(rel) => {
                    let at = i + rel;
                    if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                        i = at + 2;
                    } else {
                        i = at + 1;
                    }
                    line_starts.push(i as u32);
                }
            }
        }
        LineIndex {
            line_starts,
            len: bytes.len() as u32,
        }
    }

    pub fn line_count(&self) -> u32 {
        self.line_starts.len() as u32
    }

    pub fn len(&self) -> u32 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Zero-based line that contains `offset` (offsets past the end map to the last line).
    pub fn line_of(&self, offset: u32) -> u32 {
        let offset = offset.min(self.len);
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line as u32,
            Err(next) => (next - 1) as u32,
        }
    }

    pub fn line_start(&self, line: u32) -> u32 {
        self.line_starts
            .get(line as usize)
            .copied()
            .unwrap_or(self.len)
    }

    /// The byte range of a line's content, without its terminator.
    pub fn line_range(&self, text: &str, line: u32) -> TextRange {
        let start = self.line_start(line);
        let mut end = self.line_start(line + 1);
        let bytes = text.as_bytes();
        if end > start && (line as usize) + 1 < self.line_starts.len() {
            // strip the terminator: "\r\n", "\n" or "\r"
            if bytes.get(end as usize - 1) == Some(&b'\n') {
                end -= 1;
                if end > start && bytes.get(end as usize - 1) == Some(&b'\r') {
                    end -= 1;
                }
            } else if bytes.get(end as usize - 1) == Some(&b'\r') {
                end -= 1;
            }
        }
        TextRange::new(start, end.max(start))
    }

    /// Byte offset -> line/column in `enc`. `text` must be the text this index was built from.
    pub fn line_col(&self, text: &str, offset: u32, enc: PositionEncoding) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(self.len) as usize) as u32;
        let line = self.line_of(offset);
        let start = self.line_start(line);
        let line_end = self.line_range(text, line).end;
        // an offset between "\r" and "\n" counts as the end of the line's content
        let offset = offset.min(line_end.max(start));
        let slice = &text[start as usize..offset as usize];
        LineCol {
            line,
            col: units(slice, enc),
        }
    }

    /// Line/column in `enc` -> byte offset, clamped to the line's content and the text's end.
    pub fn offset(&self, text: &str, pos: LineCol, enc: PositionEncoding) -> u32 {
        if pos.line as usize >= self.line_starts.len() {
            return self.len;
        }
        let range = self.line_range(text, pos.line);
        let line = &text[range.as_usize()];
        let mut remaining = pos.col;
        for (i, ch) in line.char_indices() {
            let w = match enc {
                PositionEncoding::Utf8 => ch.len_utf8() as u32,
                PositionEncoding::Utf16 => ch.len_utf16() as u32,
                PositionEncoding::Utf32 => 1,
            };
            if remaining < w {
                // zero remaining: we are at this char; inside a char: snap back to its start
                return range.start + i as u32;
            }
            remaining -= w;
        }
        range.end
    }

    pub fn range_to_line_cols(
        &self,
        text: &str,
        range: TextRange,
        enc: PositionEncoding,
    ) -> (LineCol, LineCol) {
        (
            self.line_col(text, range.start, enc),
            self.line_col(text, range.end, enc),
        )
    }
}

fn units(s: &str, enc: PositionEncoding) -> u32 {
    match enc {
        PositionEncoding::Utf8 => s.len() as u32,
        PositionEncoding::Utf16 => s.chars().map(|c| c.len_utf16() as u32).sum(),
        PositionEncoding::Utf32 => s.chars().count() as u32,
    }
}

pub fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    if i >= text.len() {
        return text.len();
    }
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn memchr2(a: u8, b: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&c| c == a || c == b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use PositionEncoding::*;

    #[test]
    fn line_terminators_lf_crlf_cr() {
        let text = "a\nb\r\nc\rd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(idx.line_col(text, 7, Utf16), LineCol { line: 3, col: 0 });
        assert_eq!(idx.line_range(text, 1), TextRange::new(2, 3));
        assert_eq!(idx.line_range(text, 2), TextRange::new(5, 6));
        // offset between \r and \n is the end of line 1's content
        assert_eq!(idx.line_col(text, 4, Utf16), LineCol { line: 1, col: 1 });
    }

    #[test]
    fn multibyte_columns() {
        // é: 2 bytes/1 utf16; 中: 3 bytes/1 utf16; 😀: 4 bytes/2 utf16
        let text = "é中😀x";
        let idx = LineIndex::new(text);
        let x = text.find('x').unwrap() as u32;
        assert_eq!(idx.line_col(text, x, Utf8).col, 9);
        assert_eq!(idx.line_col(text, x, Utf16).col, 4);
        assert_eq!(idx.line_col(text, x, Utf32).col, 3);
        for enc in [Utf8, Utf16, Utf32] {
            let lc = idx.line_col(text, x, enc);
            assert_eq!(idx.offset(text, lc, enc), x, "{enc:?}");
        }
        // inside the emoji snaps back to its start
        assert_eq!(idx.line_col(text, 7, Utf16).col, 2);
        assert_eq!(idx.offset(text, LineCol { line: 0, col: 3 }, Utf16), 5);
    }

    #[test]
    fn clamps_out_of_range() {
        let text = "ab\ncd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.offset(text, LineCol { line: 0, col: 99 }, Utf16), 2);
        assert_eq!(idx.offset(text, LineCol { line: 9, col: 0 }, Utf16), 5);
        assert_eq!(idx.line_col(text, 99, Utf16), LineCol { line: 1, col: 2 });
        let empty = LineIndex::new("");
        assert_eq!(empty.line_col("", 0, Utf16), LineCol::default());
    }
}
