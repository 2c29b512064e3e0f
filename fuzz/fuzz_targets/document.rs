//! The document model: an initial text and an edit script, decoded from bytes; after every edit the document's
//! text, line index, tree (when the text is error-free, or the trees agree) and findings must equal a fresh
//! parse's (`rlscope_reliability::props::check_same`).
//!
//! Input: byte 0 bit 0 picks TS or TSX; the rest, split at 0xFF, is the initial text, then one edit per segment:
//! 2 bytes start (a fraction of the text), 1 byte length, 1 byte kind (mod 8: 6 = batched `apply_edit` + `reparse`,
//! 7 = `replace_all`, else `edit`), then the inserted text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rlscope_engine::Lang;
use rlscope_reliability::props::{run_script, Op};

fuzz_target!(|data: &[u8]| {
    if data.is_empty() {
        return;
    }
    let lang = if data[0] & 1 == 0 { Lang::TypeScript } else { Lang::Tsx };
    let mut segs = data[1..].split(|&b| b == 0xFF);
    let initial = String::from_utf8_lossy(segs.next().unwrap_or_default()).into_owned();
    let mut ops = Vec::new();
    for seg in segs.take(16) {
        if seg.len() < 4 {
            continue;
        }
        let start = u16::from_le_bytes([seg[0], seg[1]]);
        let len = seg[2] as u16;
        let text = String::from_utf8_lossy(&seg[4..]).into_owned();
        ops.push(match seg[3] % 8 {
            6 => Op::Batch(vec![(start, len, text.clone()), (start / 2, 0, text)]),
            7 => Op::ReplaceAll(text),
            _ => Op::Edit { start, len, text },
        });
    }
    run_script(lang, initial, ops);
});
