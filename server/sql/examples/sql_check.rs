//! Check `.sql` files with the SQL rules and print `path:line:col rule message` (a debugging aid; the
//! real CLI is `rlscope check`): `cargo run -p rlscope_sql --example sql_check -- FILE…`.
use rlscope_core::{LineIndex, PositionEncoding};

fn main() {
    let mut total = 0;
    for path in std::env::args().skip(1) {
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!("{path}: unreadable");
            continue;
        };
        let index = LineIndex::new(&text);
        for f in rlscope_sql::check(&text) {
            let lc = index.line_col(&text, f.range.start, PositionEncoding::Utf8);
            println!(
                "{path}:{}:{} {} {}  [{}]",
                lc.line + 1,
                lc.col + 1,
                f.rule,
                f.message,
                f.fixes
                    .iter()
                    .map(|x| format!("{:?}: {}", x.applicability, x.title))
                    .collect::<Vec<_>>()
                    .join("; ")
            );
            total += 1;
        }
    }
    eprintln!("{total} findings");
}
