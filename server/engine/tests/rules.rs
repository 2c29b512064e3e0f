//! Snapshot tests of every rule: each file under `tests/fixtures/<rule>/{invalid,valid}/` is checked as a
//! one-file project, each folder there as a whole project (with its own `rlscope.toml`, when it has one);
//! each folder under `tests/fixtures/projects/` as a whole project. An invalid case's snapshot is
//! `tests/snapshots/<rule>/<case>.snap` and shows every finding (position, rule, severity, message, related
//! locations) and the file after each fix.

use std::path::{Path, PathBuf};

use rlscope_core::config::{self, Config};
use rlscope_core::{Edit, LineIndex, PositionEncoding};
use rlscope_engine::{LoadOptions, Workspace};

fn render(ws: &Workspace, root: &Path, files: &[PathBuf]) -> String {
    let mut out = String::new();
    let rel = |p: &Path| p.strip_prefix(root).unwrap_or(p).display().to_string();
    for path in files {
        let findings = ws.check_file(path);
        if findings.is_empty() {
            continue;
        }
        let text = ws.source(path).unwrap();
        let index = LineIndex::new(&text);
        for f in findings {
            let (s, e) = index.range_to_line_cols(&text, f.range, PositionEncoding::Utf32);
            out.push_str(&format!(
                "{}:{}:{}-{}:{} {} [{}]\n  {}\n  > {}\n",
                rel(path),
                s.line + 1,
                s.col + 1,
                e.line + 1,
                e.col + 1,
                f.rule,
                f.severity.as_str(),
                f.message,
                &text[f.range.as_usize()].lines().next().unwrap_or(""),
            ));
            for r in &f.related {
                let rt = ws.source(&r.path).unwrap_or_default();
                let lc = LineIndex::new(&rt).line_col(&rt, r.range.start, PositionEncoding::Utf32);
                out.push_str(&format!(
                    "  related {}:{}:{}: {}\n",
                    rel(&r.path),
                    lc.line + 1,
                    lc.col + 1,
                    r.message
                ));
            }
            for fix in &f.fixes {
                out.push_str(&format!("  fix [{:?}] {}\n", fix.applicability, fix.title));
                if fix.edits.is_empty() {
                    continue;
                }
                let fixed = Edit::apply_all(&text, &fix.edits);
                for line in fixed.lines() {
                    out.push_str(&format!("    | {line}\n"));
                }
            }
        }
    }
    if out.is_empty() {
        out.push_str("(no findings)\n");
    }
    out
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn check_one(path: &Path) -> (Workspace, PathBuf) {
    let mut ws = Workspace::new(path.parent().unwrap().to_path_buf(), Default::default());
    let errors = ws.load_paths(&[path.to_path_buf()], &LoadOptions::default());
    assert!(errors.is_empty(), "{errors:?}");
    (ws, path.to_path_buf())
}

/// Checks `snap` against `tests/snapshots/<rule>/<case>.snap`.
fn assert_rule_snapshot(rule: &str, case: &str, snap: &str) {
    insta::with_settings!({ snapshot_path => format!("snapshots/{rule}"), prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(case.to_string(), snap);
    });
}

/// The config of a project-folder fixture: its own `rlscope.toml` (read by the CLI's checked loader, so an
/// unknown rule id or a bad severity fails the test), else the default.
fn fixture_config(dir: &Path) -> Config {
    let path = dir.join("rlscope.toml");
    if !path.is_file() {
        return Config::default();
    }
    config::load_checked(&path, &|id| rlscope_engine::rules::by_id(id).is_some())
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn rule_fixtures() {
    let mut checked = 0;
    let mut rules: Vec<_> = std::fs::read_dir(fixtures())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    rules.sort();
    for rule_dir in rules {
        let rule = rule_dir.file_name().unwrap().to_str().unwrap().to_string();
        if rule == "projects" || rule == "realworld" {
            continue;
        }
        assert!(
            rlscope_engine::rules::by_id(&rule).is_some(),
            "fixture folder for unknown rule {rule}"
        );
        for kind in ["invalid", "valid"] {
            let mut files: Vec<_> = std::fs::read_dir(rule_dir.join(kind))
                .unwrap()
                .flatten()
                .map(|e| e.path())
                .collect();
            files.sort();
            for file in files {
                let name = file.file_stem().unwrap().to_str().unwrap();
                if file.is_dir() {
                    // A folder is a whole project (e.g. migrations beside the code).
                    let mut ws = Workspace::new(file.clone(), fixture_config(&file));
                    let errors =
                        ws.load_paths(std::slice::from_ref(&file), &LoadOptions::default());
                    assert!(errors.is_empty(), "{errors:?}");
                    let all: Vec<_> = ws.files().iter().flat_map(|p| ws.check_file(p)).collect();
                    if kind == "valid" {
                        // a project may rightly trip other rules (e.g. the advisors on its migrations)
                        let mine: Vec<_> = all.iter().filter(|f| f.rule == rule).collect();
                        assert!(
                            mine.is_empty(),
                            "{rule}/valid/{name}: expected no {rule} finding, got {mine:#?}"
                        );
                    } else {
                        assert!(
                            all.iter().any(|f| f.rule == rule),
                            "{rule}/invalid/{name}: expected a {rule} finding, got {all:#?}"
                        );
                        let snap = render(&ws, &file, &ws.files());
                        assert_rule_snapshot(&rule, name, &snap);
                    }
                    checked += 1;
                    continue;
                }
                let (ws, path) = check_one(&file);
                let findings = ws.check_file(&path);
                if kind == "valid" {
                    assert!(
                        findings.is_empty(),
                        "{rule}/valid/{name}: expected no findings, got {findings:#?}"
                    );
                } else {
                    assert!(
                        findings.iter().any(|f| f.rule == rule),
                        "{rule}/invalid/{name}: expected a {rule} finding"
                    );
                    let snap = render(&ws, file.parent().unwrap(), &[path]);
                    assert_rule_snapshot(&rule, name, &snap);
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 30, "only {checked} fixtures");
}

#[test]
fn flow_project() {
    let root = fixtures().join("projects/flow");
    for no_prefilter in [false, true] {
        let mut ws = Workspace::new(root.clone(), Default::default());
        let errors = ws.load_paths(std::slice::from_ref(&root), &LoadOptions { no_prefilter });
        assert!(errors.is_empty(), "{errors:?}");
        let snap = render(&ws, &root, &ws.files());
        insta::assert_snapshot!("flow_project", snap);
    }
}

#[test]
fn example_project_is_reported_as_intended() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/nextjs-supabase");
    let root = std::fs::canonicalize(root).unwrap();
    let mut ws = Workspace::new(root.clone(), Default::default());
    let errors = ws.load_paths(std::slice::from_ref(&root), &LoadOptions::default());
    assert!(errors.is_empty(), "{errors:?}");
    let snap = render(&ws, &root, &ws.files());
    insta::assert_snapshot!("example_project", snap);
}

/// Minimal reproductions of what real projects showed (see `docs/evaluation.md` and each `EXPECTED.md`).
#[test]
fn realworld_repros() {
    let dir = fixtures().join("realworld");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 4);
    for root in cases {
        let name = root.file_name().unwrap().to_str().unwrap().to_string();
        let mut ws = Workspace::new(root.clone(), Default::default());
        let errors = ws.load_paths(std::slice::from_ref(&root), &LoadOptions::default());
        assert!(errors.is_empty(), "{name}: {errors:?}");
        let snap = render(&ws, &root, &ws.files());
        insta::with_settings!({ snapshot_suffix => name, prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!("realworld", snap);
        });
    }
}

#[test]
fn hover_names_the_role_on_uses_declarations_and_the_import() {
    let root = std::fs::canonicalize(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/nextjs-supabase"),
    )
    .unwrap();
    let mut ws = Workspace::new(root.clone(), Default::default());
    let errors = ws.load_paths(std::slice::from_ref(&root), &LoadOptions::default());
    assert!(errors.is_empty(), "{errors:?}");
    let login = root.join("app/api/login/route.ts");
    let text = ws.source(&login).unwrap();
    // on the import line
    let at = text.find("supabaseAdmin }").unwrap() as u32 + 2;
    let h = ws.hover(&login, at).expect("hover on the imported name");
    assert!(h.markdown.contains("service_role"), "{}", h.markdown);
    // on a query after the sign-in on the same client, in the same function: what that request sends first
    for at in [
        text.find(".from('profiles')").unwrap() as u32 + 2,
        text.find("supabaseAdmin.from('profiles')").unwrap() as u32 + 2,
    ] {
        let h = ws.hover(&login, at).expect("hover on .from");
        assert!(
            h.markdown
                .starts_with("**rlscope** — runs as **the signed-in user** (RLS applies)"),
            "{}",
            h.markdown
        );
        assert!(
            h.markdown.contains("call at line 7") && h.markdown.contains("lib/supabase/admin.ts:6"),
            "{}",
            h.markdown
        );
        assert!(!h.markdown.contains("service_role"), "{}", h.markdown);
    }
    // on the sign-in's own client: the client's role
    let at = text.find("supabaseAdmin.auth").unwrap() as u32 + 2;
    let h = ws
        .hover(&login, at)
        .expect("hover on the signing-in client");
    assert!(
        h.markdown.contains("runs as **service_role**"),
        "{}",
        h.markdown
    );
    // the SSR cookie client with the anon key
    let users = root.join("app/api/users/[id]/route.ts");
    let t = ws.source(&users).unwrap();
    let h = ws
        .hover(&users, t.find("supabase.auth.admin").unwrap() as u32 + 1)
        .expect("hover on the cookie client");
    assert!(h.markdown.contains("session cookie"), "{}", h.markdown);
    // on a declared name: the binding's value
    let admin = root.join("lib/supabase/admin.ts");
    let t = ws.source(&admin).unwrap();
    let h = ws
        .hover(&admin, t.find("supabaseAdmin =").unwrap() as u32 + 3)
        .expect("hover on the declared client");
    assert!(
        h.markdown.contains("runs as **service_role**"),
        "{}",
        h.markdown
    );
    assert_eq!(
        &t[h.range.as_usize()],
        "supabaseAdmin",
        "the hover covers the declared name"
    );
    let t = ws.source(&users).unwrap();
    let h = ws
        .hover(&users, t.find("const supabase").unwrap() as u32 + 8)
        .expect("hover on a declared cookie client");
    assert!(h.markdown.contains("session cookie"), "{}", h.markdown);
    // nothing on unrelated code, nor on a parameter's name
    assert!(ws.hover(&login, 2).is_none());
    let t = ws.source(&login).unwrap();
    let p = t.find("(request").expect("the login route takes a request");
    assert!(ws.hover(&login, p as u32 + 2).is_none());
}

#[test]
fn dependents_follow_import_edits() {
    use std::sync::Arc;
    let root = PathBuf::from("/ws");
    let mut ws = Workspace::new(root.clone(), Default::default());
    let (a, b, c) = (root.join("a.ts"), root.join("b.ts"), root.join("c.ts"));
    ws.set_file(b.clone(), Arc::from("export const x = 1\n"));
    ws.set_file(c.clone(), Arc::from("import { y } from './a'\n"));
    ws.set_file(
        a.clone(),
        Arc::from("import { x } from './b'\nexport const y = x\n"),
    );
    // b is imported by a, which is imported by c
    assert_eq!(
        ws.set_file(b.clone(), Arc::from("export const x = 2\n")),
        vec![a.clone(), b.clone(), c.clone()]
    );
    // a stops importing b: only b is affected by b's edits now
    ws.set_file(a.clone(), Arc::from("export const y = 3\n"));
    assert_eq!(
        ws.set_file(b.clone(), Arc::from("export const x = 4\n")),
        vec![b.clone()]
    );
    assert_eq!(
        ws.set_file(a.clone(), Arc::from("export const y = 5\n")),
        vec![a, c]
    );
}

#[test]
fn hover_on_a_client_parameter_names_what_the_callers_pass() {
    use std::sync::Arc;
    let root = PathBuf::from("/ws");
    let mut ws = Workspace::new(root.clone(), Default::default());
    let queries = root.join("lib/queries.ts");
    let q = "export async function getProfile(supabase: any, id: string) {\n  return supabase.from('profiles').select('*').eq('id', id)\n}\n\
export async function notify({ teamId, supabase }: { teamId: string; supabase: any }) {\n  return supabase.from('apps').select('*').eq('team_id', teamId)\n}\n\
export async function orphan(supabase: any) {\n  return supabase.from('x').select()\n}\n\
import { cache } from 'react'\nexport const cached = cache(async (supabase: any) => supabase.from('users').select())\n\
export const upload = (supabase: any, f: any) => supabase.storage.from('vault').upload('a', f)\n";
    ws.set_file(queries.clone(), Arc::from(q));
    ws.set_file(
        root.join("app/page.ts"),
        Arc::from(
            "import { createClient } from '@supabase/supabase-js'\nimport { getProfile, notify, cached, upload } from '../lib/queries'\n\
const admin = createClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!)\n\
export const a = () => getProfile(admin, '1')\nexport const b = () => notify({ teamId: 't', supabase: admin })\n\
export const c = () => cached(admin)\nexport const d = () => upload(admin, 1)\n",
        ),
    );
    let at = |needle: &str, nth: usize| q.match_indices(needle).nth(nth).unwrap().0 as u32;
    // a positional parameter, hovered on `.from`
    let h = ws
        .hover(&queries, at(".from('profiles')", 0) + 2)
        .expect("hover on .from of a parameter");
    assert!(
        h.markdown
            .contains("`supabase` is a parameter; its callers pass"),
        "{}",
        h.markdown
    );
    assert!(h.markdown.contains("from app/page.ts:4"), "{}", h.markdown);
    assert!(
        h.markdown.contains("runs as **service_role**"),
        "{}",
        h.markdown
    );
    // a destructured one, hovered on the name
    let h = ws
        .hover(&queries, at("supabase.from('apps')", 0) + 2)
        .expect("hover on a destructured parameter");
    assert!(h.markdown.contains("from app/page.ts:5"), "{}", h.markdown);
    // no caller: said on `.from`, silent on the bare name
    let h = ws.hover(&queries, at(".from('x')", 0) + 2).expect("hover");
    assert!(h.markdown.contains("no call found"), "{}", h.markdown);
    assert!(ws
        .hover(&queries, at("supabase.from('x')", 0) + 2)
        .is_none());
    // through React's cache(fn)
    let h = ws
        .hover(&queries, at(".from('users')", 0) + 2)
        .expect("hover in a cache()d function");
    assert!(h.markdown.contains("from app/page.ts:6"), "{}", h.markdown);
    // through `.storage`
    let h = ws
        .hover(&queries, at(".from('vault')", 0) + 2)
        .expect("hover on storage.from of a parameter");
    assert!(h.markdown.contains("from app/page.ts:7"), "{}", h.markdown);
    // a parameter that is not a client stays silent
    assert!(ws.hover(&queries, at("eq('id', id)", 0) + 8).is_none());
}

#[test]
fn hover_and_inlay_hints_give_each_request_its_own_role_around_a_sign_in() {
    use std::sync::Arc;
    let root = PathBuf::from("/ws");
    let mut ws = Workspace::new(root.clone(), Default::default());
    let f = root.join("app.ts");
    let text = "import { createClient } from '@supabase/supabase-js'\n\
const shared = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!)\n\
export async function local(email: string, password: string) {\n\
  const admin = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!)\n\
  await admin.from('before').select()\n\
  await admin.auth.signInWithPassword({ email, password })\n\
  await admin.from('after').select()\n\
}\n\
export async function login(email: string, password: string) {\n\
  await shared.auth.signInWithPassword({ email, password })\n\
}\n\
export const list = () => shared.from('elsewhere').select()\n";
    ws.set_file(f.clone(), Arc::from(text));
    let hover = |needle: &str| {
        ws.hover(&f, text.find(needle).unwrap() as u32 + 1)
            .unwrap_or_else(|| panic!("hover on {needle}"))
            .markdown
    };
    let before = hover("admin.from('before')");
    assert!(
        before.starts_with("**rlscope** — runs as **service_role**"),
        "{before}"
    );
    let after = hover("admin.from('after')");
    assert!(
        after.starts_with("**rlscope** — runs as **the signed-in user**"),
        "{after}"
    );
    assert!(after.contains("call at line 6"), "{after}");
    let elsewhere = hover("shared.from('elsewhere')");
    assert!(
        elsewhere.starts_with("**rlscope** — **depends on the call order**: runs as **service_role** (bypasses RLS) before the session-storing call at line 10, as **the signed-in user** (RLS applies) after it"),
        "{elsewhere}"
    );
    // inlay hints say the same, per request
    let hints = ws.inlay_hints(&f);
    let label = |needle: &str| {
        let end = text.find(needle).unwrap() + needle.len();
        hints
            .iter()
            .find(|h| h.offset as usize == end)
            .map(|h| h.label.trim().to_string())
            .unwrap_or_else(|| panic!("no hint after {needle}: {hints:?}"))
    };
    assert_eq!(label("admin.from('before')"), "service_role");
    assert_eq!(label("admin.from('after')"), "authenticated");
    assert_eq!(label("shared.from('elsewhere')"), "depends on call order");
}

/// The service-role JWT of the `hardcoded-service-key` fixture `config.toml` (a test key, not a real one).
fn fixture_service_key() -> String {
    let fixture = fixtures().join("hardcoded-service-key/invalid/config.toml");
    let fixture_text = std::fs::read_to_string(fixture).unwrap();
    fixture_text
        .split('"')
        .find(|s| s.starts_with("eyJ"))
        .unwrap()
        .to_string()
}

/// A folder walk reads the text files a key may be published in (`supabase/config.toml`, Markdown), at the
/// key's bytes, and leaves out dependencies, lockfiles, `.env` files, oversized text files and text files
/// without a key.
#[test]
fn walk_reads_keys_in_text_files_but_not_lockfiles_dependencies_or_data() {
    let key = fixture_service_key();
    let root = std::env::temp_dir().join(format!("rlscope-text-walk-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let write = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write(
        "supabase/config.toml",
        &format!("[auth]\nkey = \"{key}\"\n"),
    );
    write("docs/setup.md", &format!("Run with `{key}`.\n"));
    write("docs/plain.md", "No key here.\n");
    write("node_modules/pkg/README.md", &format!("{key}\n"));
    write("package-lock.json", &format!("{{\"x\": \"{key}\"}}\n"));
    write(".env.local", &format!("SUPABASE_SERVICE_ROLE_KEY={key}\n"));
    write(
        "data/dump.json",
        &format!("[\"{key}\"{}]\n", ",\"row\"\n".repeat(100_000)),
    );
    let mut ws = Workspace::new(root.clone(), Default::default());
    let errors = ws.load_paths(std::slice::from_ref(&root), &LoadOptions::default());
    assert!(errors.is_empty(), "{errors:?}");
    let mut found: Vec<(String, usize)> = Vec::new();
    for (path, findings) in ws.check_all() {
        let text = ws.source(&path).unwrap();
        for f in findings {
            assert_eq!(f.rule, "hardcoded-service-key");
            assert_eq!(
                &text[f.range.as_usize()],
                key,
                "reported at the key's bytes"
            );
            assert!(
                !f.message.contains(&key),
                "the message shows the key redacted"
            );
            let rel = path.strip_prefix(&root).unwrap().display().to_string();
            found.push((rel, f.range.start as usize));
        }
    }
    found.sort();
    assert_eq!(
        found,
        vec![
            ("docs/setup.md".to_string(), 10),
            ("supabase/config.toml".to_string(), 14)
        ]
    );
    let files: Vec<String> = ws
        .files()
        .iter()
        .map(|p| p.strip_prefix(&root).unwrap().display().to_string())
        .collect();
    assert!(!files.contains(&"docs/plain.md".to_string()), "{files:?}");
    let _ = std::fs::remove_dir_all(&root);
}

/// `rlscope-ignore` in the comment syntax of each text file `hardcoded-service-key` reads: `#` in TOML, YAML
/// and `.env`, `--` in SQL, `<!-- -->` in Markdown, `//` in JSONC; JSON has no comments, so its findings stay.
#[test]
fn suppressions_in_text_files_use_each_format_s_comments() {
    use std::sync::Arc;
    let key = fixture_service_key();
    let reason = "rlscope-ignore hardcoded-service-key: revoked, kept for the incident notes";
    let root = PathBuf::from("/ws");
    let cases: Vec<(&str, String, usize)> = vec![
        (
            "supabase/config.toml",
            format!("[auth]\n# {reason}\nkey = \"{key}\"\n"),
            0,
        ),
        (
            "deploy/values.yaml",
            format!("env:\n  KEY: {key} # {reason}\n"),
            0,
        ),
        (
            "supabase/migrations/1_hook.sql",
            format!("-- {reason}\nselect '{key}';\n"),
            0,
        ),
        (
            "docs/keys.md",
            format!("Old key: `{key}` <!-- {reason} -->\n"),
            0,
        ),
        (
            "config/app.jsonc",
            format!("{{\n  // {reason}\n  \"key\": \"{key}\"\n}}\n"),
            0,
        ),
        // the comment forms of other formats do not count
        (
            "config/app.json",
            format!("{{\n  \"_\": \"# {reason}\",\n  \"key\": \"{key}\"\n}}\n"),
            1,
        ),
        ("deploy/other.yaml", format!("// {reason}\nKEY: {key}\n"), 1),
        ("docs/other.md", format!("# {reason}\n\n`{key}`\n"), 1),
    ];
    let mut ws = Workspace::new(root.clone(), Default::default());
    for (rel, text, _) in &cases {
        ws.set_file(root.join(rel), Arc::from(text.as_str()));
    }
    for (rel, _, expected) in &cases {
        let findings: Vec<_> = ws
            .check_file(&root.join(rel))
            .into_iter()
            .map(|f| f.rule)
            .collect();
        let want = vec!["hardcoded-service-key"; *expected];
        assert_eq!(findings, want, "{rel}");
    }
    // `.env`: a browser-exposed name holding a service key, suppressed by a `#` comment
    let env = root.join(".env.local");
    let text = format!(
        "# {}\nNEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY={key}\n",
        reason.replace("hardcoded-service-key", "service-key-in-browser")
    );
    ws.set_file(env.clone(), Arc::from(text.as_str()));
    assert!(ws.check_file(&env).is_empty(), "{:?}", ws.check_file(&env));
    let text = format!("NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY={key}\n");
    ws.set_file(env.clone(), Arc::from(text.as_str()));
    let rules: Vec<_> = ws.check_file(&env).into_iter().map(|f| f.rule).collect();
    assert_eq!(rules, ["service-key-in-browser"]);
}

#[test]
fn an_edit_to_a_nest_provider_rechecks_the_files_that_inject_it() {
    use std::sync::Arc;
    let root = PathBuf::from("/ws");
    let mut ws = Workspace::new(root.clone(), Default::default());
    let (tokens, module, service) = (
        root.join("tokens.ts"),
        root.join("supabase.module.ts"),
        root.join("auth.service.ts"),
    );
    let provider = |key: &str| -> Arc<str> {
        Arc::from(format!(
            "import {{ createClient }} from '@supabase/supabase-js'\n\
             import {{ SUPABASE }} from './tokens'\n\
             export const supabaseProvider = {{\n  provide: SUPABASE,\n  \
             useFactory: () => createClient(process.env.SUPABASE_URL!, process.env.{key}!),\n}}\n"
        ))
    };
    let session_findings = |ws: &Workspace| {
        ws.check_file(&service)
            .into_iter()
            .filter(|f| f.rule == "session-method-on-service-client")
            .count()
    };
    ws.set_file(
        tokens.clone(),
        Arc::from("export const SUPABASE = Symbol('SUPABASE')\n"),
    );
    ws.set_file(
        service.clone(),
        Arc::from(
            "import { Inject, Injectable } from '@nestjs/common'\n\
             import { SUPABASE } from './tokens'\n\
             @Injectable()\n\
             export class AuthService {\n  \
             constructor(@Inject(SUPABASE) private readonly supabase: any) {}\n  \
             login(email: string, password: string) {\n    \
             return this.supabase.auth.signInWithPassword({ email, password })\n  }\n}\n",
        ),
    );
    ws.set_file(module.clone(), provider("SUPABASE_ANON_KEY"));
    assert_eq!(session_findings(&ws), 0);
    // the injecting file does not import the provider's file, and is re-checked all the same
    let affected = ws.set_file(module.clone(), provider("SUPABASE_SERVICE_ROLE_KEY"));
    assert!(affected.contains(&service), "{affected:?}");
    assert_eq!(session_findings(&ws), 1);
    // the provider goes away: the injecting file is re-checked and its finding goes too
    let affected = ws.set_file(module.clone(), Arc::from("export const nothing = 1\n"));
    assert!(affected.contains(&service), "{affected:?}");
    assert_eq!(session_findings(&ws), 0);
    // and comes back
    let affected = ws.set_file(module.clone(), provider("SUPABASE_SERVICE_ROLE_KEY"));
    assert!(affected.contains(&service), "{affected:?}");
    assert_eq!(session_findings(&ws), 1);
}
