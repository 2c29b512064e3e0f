//! The analysis on arbitrary bytes as every kind of file it reads. Input: byte 0 picks the file for
//! `check_source`; bytes 1..5 are hover offsets; the rest, split at 0xFF, are the texts of a `.ts`, `.tsx`, `.js`,
//! `.sql`, `.env`, `tsconfig.json` and `.mjs` file in one workspace (lossy UTF-8, as `rlscope check` reads them).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rlscope_reliability::props::{check_findings, check_workspace, FILE_NAMES};

fuzz_target!(|data: &[u8]| {
    if data.len() < 5 {
        return;
    }
    let which = data[0] as usize % FILE_NAMES.len();
    let offsets: Vec<u32> = data[1..5].iter().map(|&b| b as u32 * 17).collect();
    let texts: Vec<String> = data[5..]
        .split(|&b| b == 0xFF)
        .take(FILE_NAMES.len())
        .map(|t| String::from_utf8_lossy(t).into_owned())
        .collect();
    let text = &texts[0];
    let findings = rlscope_engine::check_source(FILE_NAMES[which], text);
    check_findings(std::path::Path::new(FILE_NAMES[which]), text, &findings);
    check_workspace(&texts, &offsets);
});
