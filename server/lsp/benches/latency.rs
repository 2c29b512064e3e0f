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
use rlscope_testkit::{process_cpu, thread_cpu};
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

/// The scenarios: the acceptance one (a 5,000-line file of handlers), then the case incremental lowering
/// helps least (the same lines as one top-level statement, so a keystroke re-lowers all of it), then a
/// 20,000-line file.
fn scenarios() -> Vec<(&'static str, String)> {
    let handlers = big_file(5000);
    let (imports, body) = handlers.split_at(handlers.find("export async").unwrap());
    let one_statement = format!(
        "{imports}export function routes() {{\n{}}}\n",
        body.replace("export async function", "async function")
    );
    vec![
        ("5,000 lines of handlers", handlers),
        (
            "the same 5,000 lines inside one top-level function",
            one_statement,
        ),
        ("20,000 lines of handlers", big_file(20000)),
    ]
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
        let scenarios = scenarios();
        let paths: Vec<_> = scenarios
            .iter()
            .enumerate()
            .map(|(i, (_, text))| write(&root, &format!("app/big{i}.ts"), text))
            .collect();

        let mut h = Harness::new();
        h.initialize(Some(&root)).await;
        h.wait_for("index ready", |r| {
            r.method() == "$/progress" && r.params().is_some_and(|p| p["value"]["kind"] == "end")
        })
        .await;
        println!(
            "didChange → publishDiagnostics in a workspace of {} files, one-character edits (typed, then deleted) at line 2,500:",
            if full { 307 } else { 27 },
        );
        for (i, ((name, text), path)) in scenarios.iter().zip(&paths).enumerate() {
            // the acceptance scenario gets the full sample; the others a third of it
            let n = if i == 0 { edits } else { edits / 3 };
            let u = h.open(path, text).await;
            let first = h.diagnostics(&u, |p| p["version"] == 1).await;
            let findings = first["diagnostics"].as_array().map_or(0, |d| d.len());
            let line = 2500u32;
            let mut times = Vec::with_capacity(n);
            let mut cpu = Vec::with_capacity(n);
            let mut version = 1;
            for i in 0..n + 20 {
                version += 1;
                let change = if version % 2 == 0 {
                    json!([{"range": {"start": {"line": line, "character": 2}, "end": {"line": line, "character": 2}}, "text": "x"}])
                } else {
                    json!([{"range": {"start": {"line": line, "character": 2}, "end": {"line": line, "character": 3}}, "text": ""}])
                };
                let start = Instant::now();
                let cpu_start = process_cpu();
                h.change(&u, version, change).await;
                let v = version;
                h.diagnostics(&u, |p| p["version"] == v).await;
                if i >= 20 {
                    times.push(start.elapsed());
                    cpu.push(process_cpu().saturating_sub(cpu_start));
                }
                h.seen.clear();
            }
            h.close(&u).await;
            times.sort();
            cpu.sort();
            let (engine, engine_cpu) = engine_floor(&root, path, text, line, times.len());
            let ms = |d: Duration| d.as_secs_f64() * 1e3;
            println!(
                "- {name} ({} lines, {findings} findings), {} edits:",
                text.lines().count(),
                times.len()
            );
            println!(
                "  p50 {:.2} ms   p90 {:.2} ms   p99 {:.2} ms   max {:.2} ms   mean {:.2} ms",
                ms(percentile(&times, 0.50)),
                ms(percentile(&times, 0.90)),
                ms(percentile(&times, 0.99)),
                ms(*times.last().unwrap()),
                ms(times.iter().sum::<Duration>() / times.len() as u32)
            );
            println!(
                "  process CPU per edit (all threads):                p50 {:.2} ms   p99 {:.2} ms",
                ms(percentile(&cpu, 0.50)),
                ms(percentile(&cpu, 0.99)),
            );
            println!(
                "  engine alone (Document::edit + set_file_parsed + check_file, same edits): p50 {:.2} ms   p99 {:.2} ms   thread CPU p50 {:.2} ms   p99 {:.2} ms",
                ms(percentile(&engine, 0.50)),
                ms(percentile(&engine, 0.99)),
                ms(percentile(&engine_cpu, 0.50)),
                ms(percentile(&engine_cpu, 0.99)),
            );
        }
    });
}

/// The same edits straight on the engine, without the server: what the server adds is the difference.
fn engine_floor(
    root: &Path,
    path: &Path,
    text: &str,
    line: u32,
    n: usize,
) -> (Vec<Duration>, Vec<Duration>) {
    use rlscope_engine::{document::Document, Lang, LoadOptions, Workspace};
    use std::sync::Arc;
    let mut ws = Workspace::new(root.to_path_buf(), Default::default());
    ws.load_paths(&[root.to_path_buf()], &LoadOptions::default());
    let mut doc = Document::new(Lang::TypeScript, text.to_string());
    let at = doc.line_index().line_start(line) + 2;
    let mut times = Vec::with_capacity(n);
    let mut cpu = Vec::with_capacity(n);
    for i in 0..n + 20 {
        let start = Instant::now();
        let cpu_start = thread_cpu();
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
            cpu.push(thread_cpu().saturating_sub(cpu_start));
        }
    }
    times.sort();
    cpu.sort();
    (times, cpu)
}
