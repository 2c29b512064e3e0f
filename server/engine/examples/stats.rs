//! Prints how many files the prefilter selects: `cargo run --release -p rlscope_engine --example stats -- DIR`.
fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).expect("usage: stats DIR"));
    let dir = std::fs::canonicalize(dir).expect("dir");
    let mut ws = rlscope_engine::Workspace::new(dir.clone(), Default::default());
    let t = std::time::Instant::now();
    ws.load_paths(&[dir], &Default::default());
    let load = t.elapsed();
    let t = std::time::Instant::now();
    let n: usize = ws.check_all().iter().map(|(_, f)| f.len()).sum();
    println!(
        "files {} parsed up front {} load {:?} check {:?} findings {n}",
        ws.files().len(),
        ws.parsed_count(),
        load,
        t.elapsed()
    );
}
