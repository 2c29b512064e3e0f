//! rlscope's language server: a thin adapter from LSP to the engine.
//!
//! - [`transport`]: a tolerant stdio framing layer in front of tower-lsp-server (malformed frames get a
//!   JSON-RPC error and are skipped; the server lives on).
//! - [`server`]: the `LanguageServer` handlers. Documents are edited in place before the first `.await`;
//!   everything that touches the engine goes to the analysis thread.
//! - `analysis`: the thread that owns the engine's `Workspace`.
//! - `convert`: findings → diagnostics and code action data, through `rlscope_core::LineIndex` only.
//! - `plain`: hover Markdown → plain text, for clients that do not render Markdown.
//!
//! **Architecture invariant:** this is the only crate that knows LSP; nothing here analyses code.

mod analysis;
mod caps;
mod convert;
mod log;
mod plain;
pub mod server;
mod settings;
pub mod transport;

pub use server::{build_service, Backend, FIX_ALL_KIND, WATCH_GLOBS};
pub use tower_lsp_server;

/// The version `initialize` reports in `serverInfo`: the binary's own (with its commit) once [`run_stdio`] set it,
/// else this crate's package version.
pub(crate) fn server_version() -> &'static str {
    VERSION.get().copied().unwrap_or(env!("CARGO_PKG_VERSION"))
}

static VERSION: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();

/// Serves LSP over stdin/stdout until `exit` or stdin EOF; returns the process exit code. `version` is what
/// `initialize` reports as `serverInfo.version` (the CLI passes its `--version` text, commit included).
pub fn run_stdio(version: &'static str) -> i32 {
    let _ = VERSION.set(version);
    // A panic message may quote source text: never let one print a key.
    std::panic::set_hook(Box::new(|info| {
        let text = info.to_string();
        let line = format!(
            "[rlscope error] {}\n",
            rlscope_core::keys::redact_secrets_in(&text)
        );
        let _ = std::io::Write::write_all(&mut std::io::stderr().lock(), line.as_bytes());
    }));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("rlscope lsp: cannot start the async runtime: {e}");
            return 2;
        }
    };
    let code = runtime.block_on(transport::serve(tokio::io::stdin(), tokio::io::stdout()));
    // stdin's reader thread may be blocked in read(2): do not wait for it.
    runtime.shutdown_background();
    code
}
