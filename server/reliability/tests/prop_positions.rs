//! Property: `rlscope_core::LineIndex` agrees with an independent reference model and round-trips.
//!
//! - offset → line/col → offset is the identity on every char boundary, in UTF-8, UTF-16 and UTF-32, except the
//!   one offset between the `\r` and `\n` of a CRLF (that is not a position: it maps to the line's end);
//! - lines end at `\n`, `\r\n` and a lone `\r`; columns count bytes / UTF-16 units / chars from the line start;
//! - line/col is monotonic in the offset;
//! - arbitrary (past-the-end, mid-character) offsets and line/cols clamp onto a char boundary, never panic.

use proptest::prelude::*;
use rlscope_core::{LineCol, LineIndex, PositionEncoding};

const ENCS: [PositionEncoding; 3] = [
    PositionEncoding::Utf8,
    PositionEncoding::Utf16,
    PositionEncoding::Utf32,
];

fn text_strategy() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("a".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\r".to_string()),
        Just("\r\r\n".to_string()),
        Just("é".to_string()),
        Just("中".to_string()),
        Just("😀".to_string()),
        Just("👩‍👩‍👧".to_string()),
        Just("\u{2028}".to_string()),
        Just("\u{85}".to_string()),
        Just("\0".to_string()),
        any::<char>().prop_map(|c| c.to_string()),
    ];
    prop_oneof![
        prop::collection::vec(pieces, 0..64).prop_map(|v| v.concat()),
        any::<String>(),
    ]
}

/// The reference: (line start, content end) per line, by a separate scan.
fn reference_lines(text: &str) -> Vec<(usize, usize)> {
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

fn units(s: &str, enc: PositionEncoding) -> u32 {
    match enc {
        PositionEncoding::Utf8 => s.len() as u32,
        PositionEncoding::Utf16 => s.encode_utf16().count() as u32,
        PositionEncoding::Utf32 => s.chars().count() as u32,
    }
}

/// Between the `\r` and `\n` of a CRLF.
fn inside_crlf(text: &str, off: usize) -> bool {
    off > 0
        && text.as_bytes().get(off - 1) == Some(&b'\r')
        && text.as_bytes().get(off) == Some(&b'\n')
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn round_trips_and_matches_the_reference(text in text_strategy()) {
        let idx = LineIndex::new(&text);
        let lines = reference_lines(&text);
        prop_assert_eq!(idx.line_count() as usize, lines.len());
        prop_assert_eq!(idx.len() as usize, text.len());
        for (n, &(start, end)) in lines.iter().enumerate() {
            prop_assert_eq!(idx.line_start(n as u32) as usize, start);
            let r = idx.line_range(&text, n as u32);
            prop_assert_eq!((r.start as usize, r.end as usize), (start, end), "line {}", n);
        }
        for enc in ENCS {
            let mut prev = LineCol::default();
            for off in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
                let lc = idx.line_col(&text, off as u32, enc);
                prop_assert!(lc >= prev, "not monotonic at {} ({:?})", off, enc);
                prev = lc;
                let (start, end) = lines[lc.line as usize];
                if inside_crlf(&text, off) {
                    prop_assert_eq!(lc.col, units(&text[start..end], enc));
                    prop_assert_eq!(idx.offset(&text, lc, enc) as usize, off - 1);
                    continue;
                }
                prop_assert!(start <= off && off <= end, "offset {} not on line {} ({}..{})", off, lc.line, start, end);
                prop_assert_eq!(lc.col, units(&text[start..off], enc), "col of {} in {:?}", off, enc);
                prop_assert_eq!(idx.offset(&text, lc, enc) as usize, off, "round trip of {} in {:?}", off, enc);
            }
        }
    }

    #[test]
    fn arbitrary_positions_clamp(text in text_strategy(), off in any::<u32>(), line in any::<u32>(), col in any::<u32>()) {
        let idx = LineIndex::new(&text);
        let small_off = off % (text.len() as u32 + 4);
        let small_line = line % (idx.line_count() + 2);
        let small_col = col % 12;
        for enc in ENCS {
            for o in [off, small_off] {
                let lc = idx.line_col(&text, o, enc);
                prop_assert!(lc.line < idx.line_count());
                let back = idx.offset(&text, lc, enc) as usize;
                prop_assert!(back <= text.len() && text.is_char_boundary(back));
            }
            for (l, c) in [(line, col), (small_line, small_col), (small_line, col)] {
                let o = idx.offset(&text, LineCol { line: l, col: c }, enc) as usize;
                prop_assert!(o <= text.len() && text.is_char_boundary(o), "{} not a boundary", o);
                // the clamped position is a fixed point
                let lc = idx.line_col(&text, o as u32, enc);
                prop_assert_eq!(idx.offset(&text, lc, enc) as usize, o);
            }
            let _ = idx.line_of(off);
            let _ = idx.line_range(&text, line);
            let _ = idx.line_start(line);
        }
    }
}
