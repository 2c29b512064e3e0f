//! didChange → publishDiagnostics latency for one-character edits in a 5,000-line file inside an indexed
//! workspace, through the real service (in memory: no pipes, no process).
//!
//! `cargo bench -p rlscope_lsp --bench latency` (release; 300 edits). Without `--bench` (e.g. under
//! `cargo test --all-targets`) it runs 10 edits as a smoke test.

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{jwt, write, Harness};
use serde_json::json;

/// A workspace of `n` small modules plus a tsconfig alias and .env, like a mid-size Next.js app.
fn project(dir: &Path, n: usize) {
    write(
        dir,
        "tsconfig.json",
        r#"{ "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["./*"] } } }"#,
    );
    write(
        dir,
        ".env.local",
        &format!(
            "SUPABASE_SERVICE_ROLE_KEY={}\nNEXT_PUBLIC_SUPABASE_ANON_KEY={}\n",
            jwt("service_role"),
            jwt("anon")
        ),
    );
    write(
        dir,
        "lib/admin.ts",
        "import { createClient } from '@supabase/supabase-js'\n\nexport const supabaseAdmin = createClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!)\n",
    );
    write(
        dir,
        "lib/anon.ts",
        "import { createClient } from '@supabase/supabase-js'\n\nexport const supabase = createClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!)\n",
    );
    for i in 0..n {
        write(
            dir,
            &format!("app/m{i}/route.ts"),
            &format!(
                "import {{ supabaseAdmin }} from '@/lib/admin'\nimport {{ supabase }} from '@/lib/anon'\n\nexport async function GET{i}() {{\n  const a = await supabase.from('t{i}').select('*')\n  const b = await supabaseAdmin.from('t{i}').select('id')\n  return [a, b]\n}}\n"
            ),
        );
    }
}

/// ~5,000 lines: imports, a service client, queries, a signUp on the service client every 250 lines.
fn big_file(lines: usize) -> String {
    let mut s = String::from(
        "import { supabaseAdmin } from '@/lib/admin'\nimport { supabase } from '@/lib/anon'\n\n",
    );
    let mut i = 0;
    while s.lines().count() < lines {
        s.push_str(&format!(
            "export async function handler{i}(email: string, password: string) {{\n  const q{i} = await supabase.from('items').select('id, name').eq('id', {i})\n  const r{i} = await supabaseAdmin.from('logs').insert({{ n: {i} }})\n"
        ));
        if i % 50 == 0 {
            s.push_str("  await supabaseAdmin.auth.signUp({ email, password })\n");
        }
        s.push_str(&format!("  return [q{i}, r{i}]\n}}\n\n"));
        i += 1;
    }
    s
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx]
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let edits = if full { 300 } else { 10 };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        project(&root, if full { 300 } else { 20 });
        let text = big_file(5000);
        let path = write(&root, "app/big.ts", &text);
        let lines = text.lines().count();

        let mut h = Harness::new();
        h.initialize(Some(&root)).await;
        h.wait_for("index ready", |r| {
            r.method() == "$/progress" && r.params().is_some_and(|p| p["value"]["kind"] == "end")
        })
        .await;
        let u = h.open(&path, &text).await;
        let first = h.diagnostics(&u, |p| p["version"] == 1).await;
        let findings = first["diagnostics"].as_array().map_or(0, |d| d.len());

        // one character typed, then deleted, in the middle of the file (line 2500 is inside a function)
        let line = 2500u32;
        let mut times = Vec::with_capacity(edits);
        let mut version = 1;
        for i in 0..edits + 20 {
            version += 1;
            let change = if version % 2 == 0 {
                json!([{"range": {"start": {"line": line, "character": 2}, "end": {"line": line, "character": 2}}, "text": "x"}])
            } else {
                json!([{"range": {"start": {"line": line, "character": 2}, "end": {"line": line, "character": 3}}, "text": ""}])
            };
            let start = Instant::now();
            h.change(&u, version, change).await;
            let v = version;
            h.diagnostics(&u, |p| p["version"] == v).await;
            if i >= 20 {
                times.push(start.elapsed());
            }
            h.seen.clear();
        }
        times.sort();
        let engine = engine_floor(&root, &path, &text, line, times.len());
        let mean = times.iter().sum::<Duration>() / times.len() as u32;
        println!(
            "didChange → publishDiagnostics, {lines}-line file ({findings} findings) in a workspace of {} files, {} one-character edits:",
            if full { 304 } else { 24 },
            times.len()
        );
        println!(
            "  p50 {:.2} ms   p90 {:.2} ms   p99 {:.2} ms   max {:.2} ms   mean {:.2} ms",
            percentile(&times, 0.50).as_secs_f64() * 1e3,
            percentile(&times, 0.90).as_secs_f64() * 1e3,
            percentile(&times, 0.99).as_secs_f64() * 1e3,
            times.last().unwrap().as_secs_f64() * 1e3,
            mean.as_secs_f64() * 1e3
        );
        println!(
            "  engine alone (Document::edit + set_file_parsed + check_file, same edits): p50 {:.2} ms   p99 {:.2} ms",
            percentile(&engine, 0.50).as_secs_f64() * 1e3,
            percentile(&engine, 0.99).as_secs_f64() * 1e3,
        );
    });
}

/// The same edits straight on the engine, without the server: what the server adds is the difference.
fn engine_floor(root: &Path, path: &Path, text: &str, line: u32, n: usize) -> Vec<Duration> {
    use rlscope_engine::{document::Document, Lang, LoadOptions, Workspace};
    use std::sync::Arc;
    let mut ws = Workspace::new(root.to_path_buf(), Default::default());
    ws.load_paths(&[root.to_path_buf()], &LoadOptions::default());
    let mut doc = Document::new(Lang::TypeScript, text.to_string());
    let at = doc.line_index().line_start(line) + 2;
    let mut times = Vec::with_capacity(n);
    for i in 0..n + 20 {
        let start = Instant::now();
        if i % 2 == 0 {
            doc.edit(rlscope_core::TextRange::new(at, at), "x");
        } else {
            doc.edit(rlscope_core::TextRange::new(at, at + 1), "");
        }
        ws.set_file_parsed(
            path.to_path_buf(),
            Arc::from(doc.text()),
            doc.tree().unwrap(),
        );
        let findings = ws.check_file(path);
        std::hint::black_box(findings);
        if i >= 20 {
            times.push(start.elapsed());
        }
    }
    times.sort();
    times
}
