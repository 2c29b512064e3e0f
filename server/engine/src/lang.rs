//! Which parser a file gets, by its extension.

use std::path::Path;

/// Whether `bytes` may hold a service key (a JWT or an `sb_secret_` key): text files without one are not kept.
pub fn may_hold_key(bytes: &[u8]) -> bool {
    memchr::memmem::find(bytes, b"eyJ").is_some()
        || memchr::memmem::find(bytes, b"sb_secret_").is_some()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    /// `.ts .mts .cts`
    TypeScript,
    /// `.tsx`, and plain JavaScript (`.js .jsx .mjs .cjs`), which the TSX grammar parses.
    Tsx,
    Sql,
    /// `.env`, `.env.local`, `.env.*`
    DotEnv,
    /// `tsconfig*.json`, `jsconfig.json`
    TsConfig,
    /// `package.json`: a workspace package's name, `exports` and entry points (monorepo imports).
    PackageJson,
    /// Other text files, read only for keys written into them: `.toml` (`supabase/config.toml`), `.json`,
    /// `.yaml`/`.yml`, `.md`/`.mdx`. Lockfiles are not read.
    Text,
}

/// Lockfiles: generated, and full of hashes rather than anything a person wrote.
const LOCKFILES: &[&str] = &["package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml"];

impl Lang {
    pub fn of(path: &Path) -> Option<Lang> {
        let name = path.file_name()?.to_str()?;
        if name == ".env" || name.starts_with(".env.") {
            return Some(Lang::DotEnv);
        }
        if (name.starts_with("tsconfig") && name.ends_with(".json")) || name == "jsconfig.json" {
            return Some(Lang::TsConfig);
        }
        if name == "package.json" {
            return Some(Lang::PackageJson);
        }
        let ext = path.extension()?.to_str()?;
        match ext {
            "ts" | "mts" | "cts" => {
                if name.ends_with(".d.ts") || name.ends_with(".d.mts") || name.ends_with(".d.cts") {
                    None
                } else {
                    Some(Lang::TypeScript)
                }
            }
            "tsx" | "js" | "jsx" | "mjs" | "cjs" => Some(Lang::Tsx),
            "sql" => Some(Lang::Sql),
            "toml" | "json" | "jsonc" | "json5" | "yaml" | "yml" | "md" | "mdx" => {
                (!LOCKFILES.contains(&name)).then_some(Lang::Text)
            }
            _ => None,
        }
    }

    /// Whether the file is read only for the keys written in it (`hardcoded-service-key`): other text files,
    /// and `package.json` (its `scripts` may set a variable inline).
    pub fn is_key_text(self) -> bool {
        matches!(self, Lang::Text | Lang::PackageJson)
    }

    /// Whether this is a script the TS/JS analysis reads.
    pub fn is_script(self) -> bool {
        matches!(self, Lang::TypeScript | Lang::Tsx)
    }

    pub fn ts_language(self) -> Option<tree_sitter::Language> {
        match self {
            Lang::TypeScript => Some(tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into()),
            Lang::Tsx => Some(tree_sitter_typescript::LANGUAGE_TSX.into()),
            _ => None,
        }
    }
}
