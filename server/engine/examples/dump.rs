//! Prints the syntax tree of a file: `cargo run -p rlscope_engine --example dump -- FILE`.
fn main() {
    let path = std::env::args().nth(1).expect("usage: dump FILE");
    let text = std::fs::read_to_string(&path).expect("read");
    let lang = rlscope_engine::Lang::of(std::path::Path::new(&path)).expect("language");
    let tree = rlscope_engine::document::parse(lang, &text, None).expect("parse");
    let mut cursor = tree.walk();
    let mut depth = 0;
    loop {
        let node = cursor.node();
        if node.is_named() {
            let field = cursor
                .field_name()
                .map(|f| format!("{f}: "))
                .unwrap_or_default();
            let snippet: String = text[node.byte_range()]
                .chars()
                .take(40)
                .collect::<String>()
                .replace('\n', "⏎");
            println!(
                "{}{}{} [{}] {:?}",
                "  ".repeat(depth),
                field,
                node.kind(),
                node.start_byte(),
                snippet
            );
        }
        if cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return;
            }
            depth -= 1;
        }
    }
}
