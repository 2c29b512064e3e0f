//! Print the tree-sitter-postgres tree of a SQL file (a debugging aid): `cargo run -p rlscope_sql --example sql_tree -- FILE`.
fn main() {
    let path = std::env::args().nth(1).expect("usage: sql_tree FILE");
    let text = std::fs::read_to_string(&path).expect("read file");
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_postgres::LANGUAGE.into())
        .expect("grammar loads");
    let t = std::time::Instant::now();
    let tree = parser.parse(&text, None).expect("parse");
    eprintln!("parsed in {:?}", t.elapsed());
    let mut cursor = tree.walk();
    let mut depth = 0usize;
    loop {
        let node = cursor.node();
        let leaf_text = if node.child_count() == 0 {
            format!(" {:?}", &text[node.byte_range()])
        } else {
            String::new()
        };
        if node.is_named() || node.is_error() || node.is_missing() {
            println!(
                "{}{}{} [{}..{}]{}",
                "  ".repeat(depth),
                if node.is_missing() { "MISSING " } else { "" },
                node.kind(),
                node.start_byte(),
                node.end_byte(),
                leaf_text
            );
        }
        if cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
            depth -= 1;
        }
    }
}
