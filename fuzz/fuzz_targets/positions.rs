//! Position conversions: `LineIndex` against the reference line model, round trips in UTF-8/16/32, clamping.
//! Input: bytes 0..12 are an offset, a line and a column for the clamping check; the rest is the text (lossy
//! UTF-8, so CR, LF, CRLF and every multi-byte width appear).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rlscope_reliability::props::{check_clamping, check_positions};

fuzz_target!(|data: &[u8]| {
    if data.len() < 12 {
        return;
    }
    let n = |i: usize| u32::from_le_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]);
    let text = String::from_utf8_lossy(&data[12..]);
    check_positions(&text);
    check_clamping(&text, n(0), n(4), n(8));
});
