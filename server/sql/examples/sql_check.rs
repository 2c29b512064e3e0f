//! Check `.sql` files with the SQL rules and print `path:line:col rule message` (a debugging aid; the
//! real CLI is `rlscope check`): `cargo run -p rlscope_sql --example sql_check -- FILE…`.
use rlscope_core::{LineIndex, PositionEncoding};

fn main() {
    let mut total = 0;
    let mut policies = 0;
    let mut broken = 0;
    let show_errors = std::env::args().any(|a| a == "--parse-errors");
    for path in std::env::args().skip(1).filter(|a| !a.starts_with("--")) {
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!("{path}: unreadable");
            continue;
        };
        let index = LineIndex::new(&text);
        // Policy statements the grammar does not fully understand: where findings could be missed.
        let scan = rlscope_sql::scan::scan(&text);
        for p in &scan.policies {
            policies += 1;
            let frag = &scan.fragments[p.fragment];
            let stmt = &frag.text[p.range.clone()];
            if rlscope_sql::parse::parse(stmt).is_some_and(|t| t.root_node().has_error()) {
                broken += 1;
                if show_errors {
                    let lc =
                        index.line_col(&text, frag.to_file(p.range.start), PositionEncoding::Utf8);
                    println!(
                        "{path}:{}: PARSE ERROR: {}",
                        lc.line + 1,
                        stmt.split_whitespace().collect::<Vec<_>>().join(" ")
                    );
                }
            }
        }
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
    eprintln!("{total} findings; {policies} policy statements, {broken} with parse errors");
}
