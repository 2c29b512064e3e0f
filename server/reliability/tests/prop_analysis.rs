//! Property: the analysis never panics, whatever the text, for every kind of file it reads.
//!
//! Arbitrary strings (and strings built from Supabase code and awkward characters) go through
//! `Workspace::set_file` + `check_file` + `hover` + `inlay_hints` as `.ts`, `.tsx`, `.js`, `.sql`, `.env` and
//! `tsconfig.json` (in one workspace, so a garbage tsconfig/.env also meets real code), and through
//! `rlscope_engine::check_source`. Every finding's range must lie inside its file, on char boundaries, and so must
//! every fix edit.

use std::path::Path;

use proptest::prelude::*;
use rlscope_reliability::props::{check_findings, check_workspace, FILE_NAMES};
use rlscope_reliability::{jwt, secret_key};

const NAMES: [&str; 7] = FILE_NAMES;

fn fragment_text() -> impl Strategy<Value = String> {
    let service = jwt("service_role", "analysis");
    let frags: Vec<String> = vec![
        "import { createClient } from '@supabase/supabase-js'\n".into(),
        "import { createBrowserClient } from '@supabase/ssr'\n".into(),
        "import { admin } from './c'\n".into(),
        "import a from '@/lib/a'\n".into(),
        "export const admin = createClient(u, process.env.SUPABASE_SERVICE_ROLE_KEY!)\n".into(),
        "export * from './a'\n".into(),
        "module.exports = { admin }\n".into(),
        "const { auth } = admin; auth.admin.listUsers()\n".into(),
        "createClient(u, k, { global: { headers: { Authorization: req.headers.get('Authorization')! } } })\n"
            .into(),
        format!("const k = '{service}'\n"),
        format!("const s = `{}`\n", secret_key()),
        "await admin.auth.signUp({ email, password, options: { data } })\n".into(),
        "function f(k) { return createClient(u, k) } f(Deno.env.get('SERVICE_KEY'))\n".into(),
        "class A { c = createClient(u, k); m() { return this.c.auth.verifyOtp(x) } }\n".into(),
        "'use client'\n".into(),
        "// rlscope-ignore hardcoded-service-key: reason\n".into(),
        "CREATE POLICY p ON t TO service_role USING (auth.role() = 'service_role');\n".into(),
        "-- rlscope-ignore service-role-policy: x\n".into(),
        "$$ begin end $$;".into(),
        "NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY=".into(),
        format!("SUPABASE_KEY={service}\n"),
        "export FOO='bar\n".into(),
        "{\"extends\": \"./tsconfig.json\", \"compilerOptions\": {\"baseUrl\": \".\", \"paths\": {\"@/*\": [\"./*\"]}}}"
            .into(),
        "{\"extends\": [".into(),
        "<A b={c}>".into(),
        "</A>".into(),
        "((((".into(),
        "))))".into(),
        "[[[[".into(),
        "${".into(),
        "`".into(),
        "'".into(),
        "\"".into(),
        "\\".into(),
        "\n".into(),
        "\r\n".into(),
        "\r".into(),
        "😀".into(),
        "é".into(),
        "\0".into(),
        "\u{FEFF}".into(),
        "?.".into(),
        "!".into(),
        " as string".into(),
        " ?? ''".into(),
    ];
    let n = frags.len();
    prop::collection::vec(0..n, 0..40)
        .prop_map(move |ix| ix.into_iter().map(|i| frags[i].clone()).collect())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => fragment_text(),
        1 => any::<String>(),
        1 => prop::collection::vec(any::<u8>(), 0..256).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    /// One workspace, one random text per kind of file: set, check every file, hover, inlay hints, remove.
    #[test]
    fn workspace_never_panics(texts in prop::collection::vec(any_text(), NAMES.len()), offs in prop::collection::vec(any::<u32>(), 4)) {
        check_workspace(&texts, &offs);
    }

    #[test]
    fn check_source_never_panics(text in any_text(), which in 0..NAMES.len()) {
        let findings = rlscope_engine::check_source(NAMES[which], &text);
        check_findings(Path::new(NAMES[which]), &text, &findings);
    }
}
