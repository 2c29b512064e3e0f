use rlscope_engine::{document::Document, Lang, Workspace};
use std::sync::Arc;
use std::time::Instant;

fn big_file(lines: usize) -> String {
    let mut s = String::from(
        "import { supabaseAdmin } from '@/lib/admin'\nimport { supabase } from '@/lib/anon'\n\n",
    );
    let mut i = 0;
    while s.lines().count() < lines {
        s.push_str(&format!("export async function handler{i}(email: string, password: string) {{\n  const q{i} = await supabase.from('items').select('id, name').eq('id', {i})\n  const r{i} = await supabaseAdmin.from('logs').insert({{ n: {i} }})\n"));
        if i % 50 == 0 {
            s.push_str("  await supabaseAdmin.auth.signUp({ email, password })\n");
        }
        s.push_str(&format!("  return [q{i}, r{i}]\n}}\n\n"));
        i += 1;
    }
    s
}

fn main() {
    let root = std::path::PathBuf::from("/tmp/lat/ws");
    std::fs::create_dir_all(root.join("app")).unwrap();
    std::fs::create_dir_all(root.join("lib")).unwrap();
    std::fs::write(
        root.join("tsconfig.json"),
        r#"{ "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["./*"] } } }"#,
    )
    .unwrap();
    std::fs::write(root.join("lib/admin.ts"), "import { createClient } from '@supabase/supabase-js'\nexport const supabaseAdmin = createClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!)\n").unwrap();
    std::fs::write(root.join("lib/anon.ts"), "import { createClient } from '@supabase/supabase-js'\nexport const supabase = createClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!)\n").unwrap();
    let text = big_file(5000);
    let path = root.join("app/big.ts");
    let mut ws = Workspace::new(root.clone(), Default::default());
    ws.load_paths(&[root.clone()], &Default::default());
    let mut doc = Document::new(Lang::TypeScript, text.clone());
    let at = doc.line_index().line_start(2500) + 2;
    let (mut te, mut tp, mut ts, mut tc) = (0.0, 0.0, 0.0, 0.0);
    let n = 200;
    for i in 0..n {
        let t0 = Instant::now();
        if i % 2 == 0 {
            doc.apply_edit(rlscope_core::TextRange::new(at, at), "x");
        } else {
            doc.apply_edit(rlscope_core::TextRange::new(at, at + 1), "");
        }
        let t1 = Instant::now();
        doc.reparse();
        let t2 = Instant::now();
        let t3 = Instant::now();
        ws.set_file_parsed(path.clone(), Arc::from(doc.text()), doc.tree().unwrap());
        let t4 = Instant::now();
        let f = ws.check_file(&path);
        std::hint::black_box(f);
        let t5 = Instant::now();
        te += (t1 - t0).as_secs_f64();
        tp += (t2 - t1).as_secs_f64();
        ts += (t4 - t3).as_secs_f64();
        tc += (t5 - t4).as_secs_f64();
    }
    let k = 1e3 / n as f64;
    println!(
        "edit {:.2}  reparse {:.2}  set_file_parsed(incl lower) {:.2}  check_file {:.2} ms",
        te * k,
        tp * k,
        ts * k,
        tc * k
    );
}
