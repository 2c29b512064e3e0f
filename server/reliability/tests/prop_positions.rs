//! Property: `rlscope_core::LineIndex` agrees with an independent reference model and round-trips.
//!
//! - offset → line/col → offset is the identity on every char boundary, in UTF-8, UTF-16 and UTF-32, except the
//!   one offset between the `\r` and `\n` of a CRLF (that is not a position: it maps to the line's end);
//! - lines end at `\n`, `\r\n` and a lone `\r`; columns count bytes / UTF-16 units / chars from the line start;
//! - line/col is monotonic in the offset;
//! - arbitrary (past-the-end, mid-character) offsets and line/cols clamp onto a char boundary, never panic.

use proptest::prelude::*;
use rlscope_reliability::props::{check_clamping, check_positions};

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

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn round_trips_and_matches_the_reference(text in text_strategy()) {
        check_positions(&text);
    }

    #[test]
    fn arbitrary_positions_clamp(text in text_strategy(), off in any::<u32>(), line in any::<u32>(), col in any::<u32>()) {
        check_clamping(&text, off, line, col);
    }
}
