//! `rlscope-bench gen`: a deterministic, realistic Next.js + Supabase project of N script files.
//!
//! Shape: `app/**/page.tsx`, `app/api/**/route.ts`, server actions, `components/<area>/*.tsx` with an
//! `index.ts` re-exporting each folder, `components/ui/*`, `lib/<area>/*.ts`, `utils/*.ts`, `hooks/*.ts`,
//! `types/*.ts` (plus Supabase's large generated `types/database.types.ts`), `lib/data/*.ts` on the cookie
//! client, `supabase/functions/*/index.ts`, `supabase/migrations/*.sql`, a `tsconfig.json` with
//! `"paths": {"@/*": ["./*"]}`. Files import each other through `@/…` aliases, relative paths and folder
//! indexes. Sizes follow a long tail: most files are small, a few are 1,200–3,000 lines. Roughly one file in
//! ten touches Supabase; the rest is UI, helpers and types. A handful of planted mistakes produce the findings
//! listed in `EXPECTED.json`; everything else is written to produce none.

mod code;
pub mod supabase;

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use code::{camel, pascal, Names, Uses, UI_NOUNS, WORDS};
pub use supabase::Planted;

use crate::rng::Rng;

pub struct GenOptions {
    /// Number of TS/TSX/JS files (what `rlscope check` parses); config, SQL and JSON files come on top.
    pub files: usize,
    pub seed: u64,
}

/// A generated project, in memory.
pub struct Project {
    /// Relative path (with `/`) → text, sorted.
    pub files: BTreeMap<String, String>,
    pub expected: Vec<Planted>,
    pub seed: u64,
}

impl Project {
    pub fn script_count(&self) -> usize {
        self.files.keys().filter(|p| is_script(p)).count()
    }

    pub fn bytes(&self) -> usize {
        self.files.values().map(String::len).sum()
    }

    /// `EXPECTED.json`: the planted findings.
    pub fn expected_json(&self) -> String {
        let findings: Vec<serde_json::Value> = self
            .expected
            .iter()
            .map(|p| serde_json::json!({ "path": p.path, "rule": p.rule, "line": p.line }))
            .collect();
        let v = serde_json::json!({
            "generator": "rlscope-bench gen",
            "seed": self.seed,
            "scriptFiles": self.script_count(),
            "findings": findings,
        });
        serde_json::to_string_pretty(&v).expect("json") + "\n"
    }

    /// Writes every file and `EXPECTED.json` under `out` (created if needed).
    pub fn write(&self, out: &Path) -> io::Result<()> {
        std::fs::create_dir_all(out)?;
        for (rel, text) in &self.files {
            let path = out.join(rel);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&path, text)?;
        }
        std::fs::write(out.join("EXPECTED.json"), self.expected_json())
    }
}

fn is_script(path: &str) -> bool {
    let Some((_, ext)) = path.rsplit_once('.') else {
        return false;
    };
    matches!(
        ext,
        "ts" | "tsx" | "js" | "jsx" | "mjs" | "cjs" | "mts" | "cts"
    ) && !path.ends_with(".d.ts")
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Component,
    Ui,
    Page,
    Route,
    Action,
    Lib,
    Util,
    Hook,
    Types,
    Data,
    Realtime,
    AdminRoute,
    EdgeFn,
}

/// Share of each kind among the generated files, in per mille.
const MIX: &[(Kind, usize)] = &[
    (Kind::Component, 400),
    (Kind::Ui, 40),
    (Kind::Page, 100),
    (Kind::Route, 60),
    (Kind::Action, 20),
    (Kind::Lib, 130),
    (Kind::Util, 50),
    (Kind::Hook, 50),
    (Kind::Types, 80),
    (Kind::Data, 45),
    (Kind::Realtime, 12),
    (Kind::AdminRoute, 5),
    (Kind::EdgeFn, 8),
];

/// How a module can be used by an importer.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sort {
    Component,
    Function,
    Hook,
    Type,
    Data,
}

struct Module {
    /// Relative path with extension.
    path: String,
    /// The one export importers use, if any.
    export: Option<(String, Sort)>,
    /// Folder with an `index.ts` re-exporting this module.
    index_folder: Option<String>,
}

/// Target line count: a long tail like real repositories (median ~60 lines, 2% of files 1,200–3,000).
fn target_lines(rng: &mut Rng) -> usize {
    match rng.below(1000) {
        0..=679 => rng.range(10, 100),
        680..=929 => rng.range(100, 400),
        930..=984 => rng.range(400, 1200),
        _ => rng.range(1200, 3000),
    }
}

fn strip_ext(path: &str) -> &str {
    path.rsplit_once('.').map_or(path, |(p, _)| p)
}

/// The import specifier for `to` (a path without extension, or a folder) as seen from file `from`.
fn specifier(rng: &mut Rng, from: &str, to: &str) -> String {
    if rng.percent(60) {
        return format!("@/{to}");
    }
    let from_dir: Vec<&str> = from.split('/').collect();
    let from_dir = &from_dir[..from_dir.len() - 1];
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let ups = from_dir.len() - common;
    let rest = to_parts[common..].join("/");
    if ups == 0 {
        format!("./{rest}")
    } else {
        format!("{}{rest}", "../".repeat(ups))
    }
}

struct Gen {
    rng: Rng,
    names: Names,
    modules: Vec<Module>,
    files: BTreeMap<String, String>,
    tables: Vec<String>,
}

impl Gen {
    fn unique_path(&mut self, candidate: impl Fn(&mut Rng, usize) -> String) -> String {
        for attempt in 0.. {
            let p = candidate(&mut self.rng, attempt);
            if !self.files.contains_key(&p) && !self.modules.iter().any(|m| m.path == p) {
                return p;
            }
        }
        unreachable!()
    }

    /// Picks up to `n` earlier modules whose export has one of `sorts`, and writes their import lines.
    fn imports(&mut self, from: &str, sorts: &[Sort], n: usize, uses: &mut Uses) -> String {
        let candidates: Vec<usize> = self
            .modules
            .iter()
            .enumerate()
            .filter(|(_, m)| {
                m.export.as_ref().is_some_and(|(_, s)| sorts.contains(s)) && m.path != from
            })
            .map(|(i, _)| i)
            .collect();
        if candidates.is_empty() {
            return String::new();
        }
        let mut chosen: Vec<usize> = Vec::new();
        for _ in 0..n {
            // Prefer recent modules (locality), sometimes any.
            let i = if self.rng.percent(50) {
                let window = candidates.len().min(40);
                candidates[candidates.len() - 1 - self.rng.below(window)]
            } else {
                *self.rng.pick(&candidates)
            };
            if !chosen.contains(&i) {
                chosen.push(i);
            }
        }
        let mut lines = String::new();
        for i in chosen {
            let m = &self.modules[i];
            let (name, sort) = m.export.clone().expect("export");
            // Through the folder's index sometimes, but never from inside that folder (a module importing
            // its own index is a cycle real code avoids).
            let from_dir = from.rsplit_once('/').map_or("", |(d, _)| d);
            let target = match (&m.index_folder, self.rng.percent(40)) {
                (Some(folder), true) if folder != from_dir => folder.clone(),
                _ => strip_ext(&m.path).to_string(),
            };
            let spec = specifier(&mut self.rng, from, &target);
            let kw = if sort == Sort::Type {
                "import type"
            } else {
                "import"
            };
            lines.push_str(&format!("{kw} {{ {name} }} from '{spec}'\n"));
            match sort {
                Sort::Component => uses.components.push(name),
                Sort::Function => uses.functions.push(name),
                Sort::Hook => uses.hooks.push(name),
                Sort::Type => uses.types.push(name),
                Sort::Data => uses.data.push(name),
            }
        }
        lines
    }

    fn pad(&mut self, text: &mut String, lines: usize, tsx: bool) {
        while text.matches('\n').count() < lines {
            text.push('\n');
            let u = code::unit(&mut self.rng, &mut self.names, tsx);
            text.push_str(&u);
        }
    }

    fn add(
        &mut self,
        path: String,
        text: String,
        export: Option<(String, Sort)>,
        index_folder: Option<String>,
    ) {
        self.files.insert(path.clone(), text);
        self.modules.push(Module {
            path,
            export,
            index_folder,
        });
    }

    fn table(&mut self) -> String {
        self.rng.pick(&self.tables).clone()
    }

    fn generate_one(&mut self, kind: Kind, areas: &[String], lib_areas: &[String]) {
        let lines = target_lines(&mut self.rng);
        match kind {
            Kind::Component => {
                let area = self.rng.pick(areas).clone();
                let base = pascal(self.rng.word(WORDS)) + self.rng.word(UI_NOUNS);
                let name = self.names.unique(&base);
                let path = self.unique_path(|r, i| {
                    let _ = r;
                    format!("components/{area}/{}{}.tsx", kebab(&name), suffix(i))
                });
                let client = self.rng.percent(55);
                let mut uses = Uses::default();
                let n = self.rng.range(0, 3);
                let mut head = self.imports(&path, &[Sort::Component], n, &mut uses);
                let n = self.rng.range(0, 2);
                head += &self.imports(&path, &[Sort::Function, Sort::Type], n, &mut uses);
                if client && self.rng.percent(40) {
                    head += &self.imports(&path, &[Sort::Hook], 1, &mut uses);
                }
                let props = self.names.unique(&format!("{name}Props"));
                let mut text = String::new();
                if client {
                    text.push_str("'use client'\n\nimport { useMemo, useState } from 'react'\n");
                }
                text.push_str("import { cn } from '@/lib/utils'\n");
                text.push_str(&head);
                text.push('\n');
                text.push_str(&code::component_main(
                    &mut self.rng,
                    &name,
                    &props,
                    client,
                    &uses,
                ));
                self.pad(&mut text, lines, true);
                let folder = format!("components/{area}");
                self.add(path, text, Some((name, Sort::Component)), Some(folder));
            }
            Kind::Ui => {
                let name = self
                    .names
                    .unique(&(pascal(self.rng.word(WORDS)) + self.rng.word(UI_NOUNS)));
                let path = self
                    .unique_path(|_, i| format!("components/ui/{}{}.tsx", kebab(&name), suffix(i)));
                let props = self.names.unique(&format!("{name}Props"));
                let mut text = String::from(
                    "import * as React from 'react'\nimport { cn } from '@/lib/utils'\n\n",
                );
                text.push_str(&code::ui_primitive_main(
                    &mut self.rng,
                    &mut self.names,
                    &name,
                    &props,
                ));
                let lines = lines.min(150);
                self.pad(&mut text, lines, true);
                self.add(
                    path,
                    text,
                    Some((name, Sort::Component)),
                    Some("components/ui".into()),
                );
            }
            Kind::Lib | Kind::Util => {
                let base = format!(
                    "{}-{}",
                    self.rng.word(WORDS),
                    self.rng.word(&[
                        "format",
                        "parse",
                        "normalize",
                        "slug",
                        "label",
                        "key",
                        "title",
                        "path"
                    ])
                );
                let name = self.names.unique(&camel(&base));
                let (dir, index) = if kind == Kind::Lib {
                    let a = self.rng.pick(lib_areas).clone();
                    (format!("lib/{a}"), Some(format!("lib/{a}")))
                } else {
                    ("utils".to_string(), None)
                };
                let path =
                    self.unique_path(|_, i| format!("{dir}/{}{}.ts", kebab(&name), suffix(i)));
                let mut uses = Uses::default();
                let n = self.rng.range(0, 3);
                let mut text = self.imports(&path, &[Sort::Function, Sort::Type], n, &mut uses);
                if !text.is_empty() {
                    text.push('\n');
                }
                text.push_str(&code::function_main(&mut self.rng, &name, &uses));
                self.pad(&mut text, lines, false);
                self.add(path, text, Some((name, Sort::Function)), index);
            }
            Kind::Hook => {
                let name = self
                    .names
                    .unique(&format!("use{}", pascal(self.rng.word(WORDS))));
                let path =
                    self.unique_path(|_, i| format!("hooks/{}{}.ts", kebab(&name), suffix(i)));
                let mut text =
                    String::from("import { useCallback, useEffect, useState } from 'react'\n\n");
                text.push_str(&code::hook_main(&mut self.rng, &name));
                let lines = lines.min(200);
                self.pad(&mut text, lines, false);
                self.add(path, text, Some((name, Sort::Hook)), None);
            }
            Kind::Types => {
                let name = self.names.unique(
                    &(pascal(self.rng.word(WORDS))
                        + self.rng.word(&["", "Row", "Input", "Summary", "Payload"])),
                );
                let path =
                    self.unique_path(|_, i| format!("types/{}{}.ts", kebab(&name), suffix(i)));
                let mut uses = Uses::default();
                let n = self.rng.range(0, 2);
                let mut text = self.imports(&path, &[Sort::Type], n, &mut uses);
                if !text.is_empty() {
                    text.push('\n');
                }
                text.push_str(&code::type_main(&mut self.rng, &name, &uses));
                self.pad(&mut text, lines, false);
                self.add(path, text, Some((name, Sort::Type)), None);
            }
            Kind::Data => {
                let table = self.table();
                let path = self.unique_path(|_, i| {
                    format!("lib/data/{}{}.ts", table.replace('_', "-"), suffix(i))
                });
                let (mut text, list) =
                    supabase::data_module(&mut self.rng, &mut self.names, &table);
                let lines = lines.min(300);
                self.pad(&mut text, lines, false);
                self.add(path, text, Some((list, Sort::Data)), None);
            }
            Kind::Realtime => {
                let table = self.table();
                let area = self.rng.pick(areas).clone();
                let path = self.unique_path(|_, i| {
                    format!(
                        "components/{area}/live-{}{}.tsx",
                        table.replace('_', "-"),
                        suffix(i)
                    )
                });
                let (text, name) = supabase::realtime_component(&mut self.names, &table);
                self.add(path, text, Some((name, Sort::Component)), None);
            }
            Kind::Page => {
                let group = self
                    .rng
                    .word(&[
                        "(dashboard)",
                        "(marketing)",
                        "(app)",
                        "settings",
                        "admin-panel",
                    ])
                    .to_string();
                let path = self.unique_path(|r, i| {
                    let dynamic = if r.percent(30) { "/[id]" } else { "" };
                    format!(
                        "app/{group}/{}{}{dynamic}/page.tsx",
                        r.word(WORDS),
                        suffix(i)
                    )
                });
                let name = self
                    .names
                    .unique(&format!("{}Page", pascal(self.rng.word(WORDS))));
                let mut uses = Uses::default();
                let n = self.rng.range(1, 4);
                let mut text = self.imports(&path, &[Sort::Component], n, &mut uses);
                let n = self.rng.range(0, 1);
                text += &self.imports(&path, &[Sort::Function], n, &mut uses);
                if self.rng.percent(45) {
                    text += &self.imports(&path, &[Sort::Data], 1, &mut uses);
                }
                let auth = self.rng.percent(20);
                if auth {
                    text.push_str("import { redirect } from 'next/navigation'\nimport { createClient } from '@/utils/supabase/server'\n");
                }
                text.push('\n');
                text.push_str(&page_main(&name, &uses, auth));
                let lines = lines.min(400);
                self.pad(&mut text, lines, true);
                self.add(path, text, None, None);
            }
            Kind::Route => {
                let path = self.unique_path(|r, i| {
                    format!(
                        "app/api/{}/{}{}/route.ts",
                        r.word(WORDS),
                        r.word(WORDS),
                        suffix(i)
                    )
                });
                let mut uses = Uses::default();
                let mut text = String::from("import { NextResponse } from 'next/server'\n");
                let n = self.rng.range(0, 2);
                text += &self.imports(&path, &[Sort::Function], n, &mut uses);
                if self.rng.percent(50) {
                    text += &self.imports(&path, &[Sort::Data], 1, &mut uses);
                }
                text.push('\n');
                text.push_str(&route_main(&uses));
                let lines = lines.min(300);
                self.pad(&mut text, lines, false);
                self.add(path, text, None, None);
            }
            Kind::Action => {
                let table = self.table();
                let path = self.unique_path(|r, i| {
                    format!("app/(app)/{}{}/actions.ts", r.word(WORDS), suffix(i))
                });
                let text = supabase::action_module(&mut self.names, &table);
                self.add(path, text, None, None);
            }
            Kind::AdminRoute => {
                let table = self.table();
                let path = self.unique_path(|r, i| {
                    format!("app/api/admin/{}{}/route.ts", r.word(WORDS), suffix(i))
                });
                self.add(path, supabase::admin_route(&table), None, None);
            }
            Kind::EdgeFn => {
                let table = self.table();
                let path = self.unique_path(|r, i| {
                    format!(
                        "supabase/functions/{}-{}{}/index.ts",
                        r.word(WORDS),
                        r.word(&["sync", "notify", "webhook", "digest", "cleanup"]),
                        suffix(i)
                    )
                });
                self.add(path, supabase::edge_function(&table), None, None);
            }
        }
    }
}

fn suffix(attempt: usize) -> String {
    if attempt == 0 {
        String::new()
    } else {
        format!("-{}", attempt + 1)
    }
}

fn kebab(name: &str) -> String {
    let mut s = String::new();
    for (i, ch) in name.chars().enumerate() {
        if ch.is_ascii_uppercase() {
            if i > 0 {
                s.push('-');
            }
            s.push(ch.to_ascii_lowercase());
        } else {
            s.push(ch);
        }
    }
    s
}

fn page_main(name: &str, uses: &Uses, auth: bool) -> String {
    let mut body = String::new();
    if auth {
        body.push_str("  const supabase = await createClient()\n  const {\n    data: { user },\n  } = await supabase.auth.getUser()\n  if (!user) redirect('/login')\n");
    }
    let mut children = String::new();
    for (i, d) in uses.data.iter().enumerate() {
        body.push_str(&format!("  const rows{i} = await {d}(20)\n"));
        children.push_str(&format!(
            "      <p className=\"text-sm\">{{rows{i}.length}} items</p>\n"
        ));
    }
    for (i, f) in uses.functions.iter().enumerate() {
        body.push_str(&format!("  const heading{i} = {f}(id ?? 'overview')\n"));
        children.push_str(&format!("      <h2>{{heading{i}}}</h2>\n"));
    }
    for c in &uses.components {
        children.push_str(&format!("      <{c} />\n"));
    }
    code::fill(
        "export default async function @NAME@({ params }: { params: Promise<{ id?: string }> }) {
  const { id } = await params
@BODY@  return (
    <main className=\"container mx-auto space-y-6 py-8\" data-id={id}>
@CHILDREN@    </main>
  )
}
",
        &[("NAME", name), ("BODY", &body), ("CHILDREN", &children)],
    )
}

fn route_main(uses: &Uses) -> String {
    let mut body = String::new();
    let mut fields = String::from("q");
    for (i, f) in uses.functions.iter().enumerate() {
        body.push_str(&format!("  const value{i} = {f}(q, {{ strict: true }})\n"));
        fields.push_str(&format!(", value{i}"));
    }
    for (i, d) in uses.data.iter().enumerate() {
        body.push_str(&format!(
            "  const rows{i} = await {d}(Number(searchParams.get('limit') ?? 20))\n"
        ));
        fields.push_str(&format!(", count{i}: rows{i}.length"));
    }
    code::fill(
        "export async function GET(request: Request) {
  const { searchParams } = new URL(request.url)
  const q = searchParams.get('q') ?? ''
@BODY@  return NextResponse.json({ @FIELDS@ })
}

export async function POST(request: Request) {
  const body = (await request.json()) as Record<string, unknown>
  if (typeof body.name !== 'string' || body.name.length === 0) {
    return NextResponse.json({ error: 'name is required' }, { status: 400 })
  }
  return NextResponse.json({ ok: true, name: body.name }, { status: 201 })
}
",
        &[("BODY", &body), ("FIELDS", &fields)],
    )
}

/// Builds the project in memory. `opts.files` must be at least 40.
pub fn generate(opts: &GenOptions) -> Project {
    assert!(opts.files >= 40, "--files must be at least 40");
    let mut rng = Rng::new(opts.seed);
    let n_tables = (opts.files / 150).clamp(8, 120);
    let mut tables: Vec<String> = Vec::new();
    while tables.len() < n_tables {
        let t = if tables.len() < 4 || rng.percent(50) {
            format!("{}s", rng.word(WORDS))
        } else {
            format!("{}_{}s", rng.word(WORDS), rng.word(WORDS))
        };
        if !tables.contains(&t) {
            tables.push(t);
        }
    }
    for t in ["orders", "profiles", "audit_log"] {
        if !tables.iter().any(|x| x == t) {
            tables.push(t.to_string());
        }
    }
    let mut g = Gen {
        rng,
        names: Names::new(),
        modules: Vec::new(),
        files: BTreeMap::new(),
        tables,
    };

    // Fixed files.
    let db_tables = g.tables.clone();
    let db_types = supabase::database_types(&mut g.rng, &db_tables);
    let fixed: Vec<(&str, String)> = vec![
        ("lib/utils.ts", supabase::LIB_UTILS.to_string()),
        (
            "utils/supabase/server.ts",
            supabase::SERVER_CLIENT.to_string(),
        ),
        (
            "utils/supabase/client.ts",
            supabase::BROWSER_CLIENT.to_string(),
        ),
        (
            "utils/supabase/middleware.ts",
            supabase::MIDDLEWARE_CLIENT.to_string(),
        ),
        ("middleware.ts", supabase::ROOT_MIDDLEWARE.to_string()),
        ("lib/supabase/admin.ts", supabase::ADMIN_CLIENT.to_string()),
        (
            "lib/supabase/index.ts",
            "export * from './admin'\n".to_string(),
        ),
        ("lib/redis.ts", supabase::REDIS.to_string()),
        ("app/layout.tsx", supabase::LAYOUT.to_string()),
        ("app/page.tsx", supabase::HOME.to_string()),
        ("next.config.mjs", supabase::NEXT_CONFIG.to_string()),
        ("types/database.types.ts", db_types),
    ];
    for (p, t) in fixed {
        g.files.insert(p.to_string(), t);
    }
    g.files.insert(
        "package.json".into(),
        supabase::package_json("acme-generated"),
    );
    g.files
        .insert("tsconfig.json".into(), supabase::TSCONFIG.into());
    g.files.insert(
        "app/globals.css".into(),
        "@tailwind base;\n@tailwind components;\n@tailwind utilities;\n".into(),
    );
    for (p, t) in supabase::migrations(&db_tables) {
        g.files.insert(p, t);
    }
    let (plant_files, expected) = supabase::plants(&mut g.rng);
    for (p, t) in plant_files {
        g.files.insert(p, t);
    }

    // Folders with an index.ts.
    let n_areas = (opts.files / 45).clamp(3, 400);
    let mut areas: Vec<String> = Vec::new();
    while areas.len() < n_areas {
        let a = if areas.len() < WORDS.len() / 2 {
            g.rng.word(WORDS).to_string()
        } else {
            format!("{}-{}", g.rng.word(WORDS), g.rng.word(WORDS))
        };
        if !areas.contains(&a) && a != "admin" && a != "ui" {
            areas.push(a);
        }
    }
    let n_lib_areas = (opts.files / 120).clamp(2, 150);
    let mut lib_areas: Vec<String> = Vec::new();
    while lib_areas.len() < n_lib_areas {
        let a = g.rng.word(WORDS).to_string();
        let a = if lib_areas.len() >= WORDS.len() / 2 {
            format!("{a}-{}", g.rng.word(WORDS))
        } else {
            a
        };
        if !lib_areas.contains(&a) && !["data", "supabase", "auth", "legacy"].contains(&a.as_str())
        {
            lib_areas.push(a);
        }
    }

    // Generated files: the budget left after fixed files, plants and one index per folder.
    let fixed_scripts = g.files.keys().filter(|p| is_script(p)).count();
    let indexes = areas.len() + lib_areas.len() + 1;
    let budget = opts.files.saturating_sub(fixed_scripts + indexes);
    let total: usize = MIX.iter().map(|(_, w)| w).sum();
    let mut kinds: Vec<Kind> = Vec::with_capacity(budget);
    for _ in 0..budget {
        let mut x = g.rng.below(total);
        let mut kind = Kind::Component;
        for (k, w) in MIX {
            if x < *w {
                kind = *k;
                break;
            }
            x -= w;
        }
        kinds.push(kind);
    }
    // Dependencies first: types, helpers, hooks, data, UI, components, then the leaves (pages, routes…).
    let rank = |k: &Kind| match k {
        Kind::Types => 0,
        Kind::Util | Kind::Lib => 1,
        Kind::Hook => 2,
        Kind::Data => 3,
        Kind::Ui => 4,
        Kind::Component | Kind::Realtime => 5,
        _ => 6,
    };
    kinds.sort_by_key(rank);
    for kind in kinds {
        g.generate_one(kind, &areas, &lib_areas);
    }

    // Folder indexes: `export * from './x'` for every module of the folder.
    let mut folders: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for m in &g.modules {
        if let Some(f) = &m.index_folder {
            let file = strip_ext(m.path.rsplit('/').next().unwrap_or("")).to_string();
            folders.entry(f.clone()).or_default().push(file);
        }
    }
    let mut all_folders: Vec<String> = areas.iter().map(|a| format!("components/{a}")).collect();
    all_folders.extend(lib_areas.iter().map(|a| format!("lib/{a}")));
    all_folders.push("components/ui".into());
    for f in all_folders {
        let mut text = String::new();
        for m in folders.get(&f).into_iter().flatten() {
            text.push_str(&format!("export * from './{m}'\n"));
        }
        if text.is_empty() {
            text.push_str("export {}\n");
        }
        g.files.insert(format!("{f}/index.ts"), text);
    }

    Project {
        files: g.files,
        expected,
        seed: opts.seed,
    }
}

/// Generates the project and writes it under `out`.
pub fn generate_to(out: &Path, opts: &GenOptions) -> io::Result<Project> {
    let p = generate(opts);
    p.write(out)?;
    Ok(p)
}
